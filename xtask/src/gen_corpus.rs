//! `cargo xtask gen-corpus --size 10MB`: a large, valid, deterministic pcl
//! file for benchmarks (and, with `--errors`, one with an error per 1,000
//! items); see `pcl_corpus` for what it holds.

use std::io::Write as _;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    about = "Generate a large pcl file for benchmarks (deterministic for a seed)",
    after_help = "Examples:\n  cargo xtask gen-corpus --size 10MB --out /tmp/corpus-10MB.pcl\n  cargo xtask gen-corpus --size 1MB --errors > /tmp/corpus-1MB-errors.pcl\n\nSizes: B, KB (1000), MB (1000^2), GB; KiB and MiB too."
)]
pub struct Args {
    /// Approximate size of the file (it ends at the first unit past it).
    #[arg(long, value_parser = pcl_corpus::parse_size)]
    pub size: u64,
    /// Seed of the pseudo-random choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Put one error in every 1,000 items (the error kinds rotate).
    #[arg(long)]
    pub errors: bool,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    let text = pcl_corpus::generate(args.size, args.seed, args.errors);
    let written = match &args.out {
        Some(path) => std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout().write_all(text.as_bytes()).map_err(|e| format!("cannot write to stdout: {e}")),
    };
    match written {
        Ok(()) => crate::EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            crate::EXIT_USAGE
        }
    }
}
