//! The `pcl` command line. Only this crate (and xtask) prints.

mod commands;

use pcl_cli::report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes: 0 success (warnings allowed), 1 errors in the input, 2 usage
/// or I/O errors. A panic would be 101; no input may cause one.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

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
    Explain(commands::explain::ExplainArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            return ExitCode::from(code);
        }
    };
    let color = cli.color.enabled();
    let code = match cli.command {
        Command::Check(args) => commands::check::run(&args, color),
        Command::Build(args) => commands::build::run(&args, color),
        Command::Explain(args) => commands::explain::run(&args),
    };
    ExitCode::from(code)
}
