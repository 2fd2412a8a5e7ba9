//! The `pcl` command line. Only this crate (and xtask) prints.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the pcl binary talks to the terminal")]

mod commands;

/// A checker allocates many small, short-lived values (ASTs, IR, findings):
/// mimalloc serves them about 1.4x faster than glibc malloc on a large check.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pcl_cli::report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use pcl_cli::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(Parser)]
#[command(name = "pcl", version, about = "A compiler for IAM policies", propagate_version = true)]
struct Cli {
    /// When to colour diagnostics (NO_COLOR turns `auto` off).
    #[arg(long, global = true, value_enum, default_value_t = report::ColorChoice::Auto)]
    color: report::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(commands::check::CheckArgs),
    Build(commands::build::BuildArgs),
    Diff(commands::diff::DiffArgs),
    Explain(commands::explain::ExplainArgs),
    Fmt(commands::fmt::FmtArgs),
    Lsp(commands::lsp::LspArgs),
    Render(commands::render::RenderArgs),
}

/// Output that cannot be written (a closed pipe, a full disk) ends pcl with
/// exit 2, quietly: `print!` panics then (with this message), and saying so
/// on the same broken stream could only fail again. Unwinding first runs
/// every destructor, so a build's staging directory is removed as on any
/// other error.
fn main() -> ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !message(info.payload()).is_some_and(is_output_failure) {
            default_hook(info);
        }
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(payload) => {
            if message(&*payload).is_some_and(is_output_failure) {
                ExitCode::from(EXIT_USAGE)
            } else {
                std::panic::resume_unwind(payload)
            }
        }
    }
}

/// A panic's message, when it is text.
fn message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied())
}

/// `print!`'s and `eprint!`'s panic when their stream cannot be written.
fn is_output_failure(message: &str) -> bool {
    message.starts_with("failed printing to std")
}

fn run() -> ExitCode {
    let cli: Cli = match pcl_cli::parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let color = cli.color.enabled();
    let code = match cli.command {
        Command::Check(args) => commands::check::run(&args, color),
        Command::Build(args) => commands::build::run(&args, color),
        Command::Diff(args) => commands::diff::run(&args, color),
        Command::Explain(args) => commands::explain::run(&args),
        Command::Fmt(args) => commands::fmt::run(&args, color),
        Command::Lsp(args) => commands::lsp::run(&args),
        Command::Render(args) => commands::render::run(&args, color),
    };
    ExitCode::from(code)
}
