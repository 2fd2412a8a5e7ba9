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
    Lsp(commands::lsp::LspArgs),
    Render(commands::render::RenderArgs),
}

fn main() -> ExitCode {
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
        Command::Lsp(args) => commands::lsp::run(&args),
        Command::Render(args) => commands::render::run(&args, color),
    };
    ExitCode::from(code)
}
