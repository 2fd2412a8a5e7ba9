//! Repository automation, run as `cargo xtask <task>` (see `.cargo/config.toml`).
//!
//! `build-policies` is the main job: it compiles `policies.pcl` for every AWS
//! partition into `dist/policies/<partition>/`, or with `--check` verifies that
//! the directory is up to date. Like the `pcl` CLI, xtask never panics and
//! exits with 0 (success), 1 (errors in the input, or an out-of-date
//! directory) or 2 (usage or I/O errors).
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "xtask talks to the terminal")]

/// `build-policies` compiles as `pcl build` does, and allocates as much:
/// with glibc's malloc, allocation was a fifth of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod build_policies;
mod gen_corpus;
mod snapshots;
mod update_catalog;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use pcl_cli::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Repository tasks of pcl",
    arg_required_else_help = true,
    after_help = "Exit status: 0 on success, 1 for errors in policies.pcl or an out-of-date output directory, 2 for usage or I/O errors, 130 or 143 for a build interrupted by SIGINT or SIGTERM."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    BuildPolicies(build_policies::Args),
    GenCorpus(gen_corpus::Args),
    Snapshots(snapshots::Args),
    UpdateCatalog(update_catalog::Args),
}

fn main() -> ExitCode {
    let cli: Cli = match pcl_cli::parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let Some(root) = workspace_root() else {
        eprintln!("error: cannot locate the workspace root from the xtask manifest directory");
        return ExitCode::from(EXIT_USAGE);
    };
    let code = match cli.command {
        Some(Command::BuildPolicies(args)) => build_policies::run(&args, &root),
        Some(Command::GenCorpus(args)) => gen_corpus::run(&args),
        Some(Command::Snapshots(args)) => snapshots::run(&args, &root),
        Some(Command::UpdateCatalog(args)) => update_catalog::run(&args, &root),
        // unreachable in practice: `arg_required_else_help` prints the help
        None => EXIT_USAGE,
    };
    ExitCode::from(code)
}

/// The workspace root: the parent of xtask's manifest directory.
fn workspace_root() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf)
}
