//! Library part of the CLI: diagnostic rendering and the atomic output
//! directory, shared by the `pcl` binary, xtask and the test suite.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the CLI library renders to the terminal")]

pub mod diff;
pub mod excerpt;
pub mod interrupt;
pub mod lsp;
pub mod machine;
pub mod output_dir;
pub mod replace_file;
pub mod report;
pub mod set_arg;

/// Exit codes shared by `pcl` and xtask: 0 success (warnings allowed), 1
/// errors in the input, 2 usage or I/O errors. A panic would be 101; no input
/// may cause one. A build interrupted by a signal exits with 128 + its
/// number (see [`interrupt::Signal::exit_code`]).
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Parses the command line; on `--help`/`--version` or a usage error, prints
/// what clap says and returns the exit code to end with.
pub fn parse_args<T: clap::Parser>() -> Result<T, std::process::ExitCode> {
    T::try_parse().map_err(|e| {
        let _ = e.print();
        std::process::ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK })
    })
}
