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
        Some(path) => write_aside_then_rename(path, &text),
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

/// `text` written beside `path`, then renamed over it: an interrupted run
/// leaves the file as it was (a review found half of a 50 MB corpus in place
/// of the file after a Ctrl-C). A file there that gen-corpus did not write is
/// refused, not replaced.
fn write_aside_then_rename(path: &std::path::Path, text: &str) -> Result<(), String> {
    let (shown, head_line) = (path.display(), pcl_corpus::GENERATED_HEAD);
    if path.is_dir() {
        return Err(format!("cannot write {shown}: it is a directory"));
    }
    if let Ok(mut existing) = std::fs::File::open(path) {
        let mut head = vec![0; head_line.len()];
        let ours = std::io::Read::read_exact(&mut existing, &mut head).is_ok() && head == head_line.as_bytes();
        if !ours {
            return Err(format!(
                "refusing to replace {shown}: it is not a file gen-corpus wrote (it does not begin with \"{head_line}\"); remove it or choose another --out"
            ));
        }
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    // (a new file's permissions, as `std::fs::write` gave it: 0666 less the umask)
    #[cfg(unix)]
    let permissions = std::os::unix::fs::PermissionsExt::from_mode(0o666);
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(permissions);
    let mut aside =
        builder.prefix(".gen-corpus-").tempfile_in(dir).map_err(|e| format!("cannot write beside {shown}: {e}"))?;
    aside.write_all(text.as_bytes()).map_err(|e| format!("cannot write beside {shown}: {e}"))?;
    aside.persist(path).map_err(|e| format!("cannot write {shown}: {}", e.error))?;
    Ok(())
}
