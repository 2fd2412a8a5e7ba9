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
        // (the process's own output, as the shell gave it: appended to
        // when `>>` opened it, which writing its path would not do)
        Some(path) if path.as_os_str() == "/dev/stdout" => write_stdout(&text),
        Some(path) => write_out(path, &text),
        None => write_stdout(&text),
    };
    let code = match written {
        Ok(()) => crate::EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            crate::EXIT_USAGE
        }
    };
    // a signal held during the write ends the process now, as it would have
    pcl_cli::replace_file::act_on_held_signal();
    code
}

/// `text` written to `path`. A regular file (or a new one) is written beside
/// it and renamed over it, signals held back meanwhile: an interrupted run
/// leaves the file as it was (a review found half of a 50 MB corpus in
/// place of the file after a Ctrl-C) and nothing beside it. A symlink is
/// followed (the link stays), the file's mode is kept, and a file there that
/// gen-corpus did not write is refused, not replaced. Anything else (a FIFO,
/// `/dev/stdout`) is written to as it is.
fn write_out(path: &std::path::Path, text: &str) -> Result<(), String> {
    let shown = path.display();
    let existing = std::fs::metadata(path).ok();
    // a device's or a process's file (`/dev/stderr`, `/proc/self/fd/3`) may
    // lead to a regular file, which is not to be renamed over
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    match &existing {
        Some(m) if m.is_dir() => return Err(format!("cannot write {shown}: it is a directory")),
        Some(m) if special || !m.is_file() => {
            return std::fs::write(path, text).map_err(|e| format!("cannot write {shown}: {e}"));
        }
        Some(_) if !generated(path) => {
            let head = pcl_corpus::GENERATED_HEAD;
            return Err(format!(
                "refusing to replace {shown}: it is not a file gen-corpus wrote (it does not begin with \"{head}\"); remove it or choose another --out"
            ));
        }
        _ => {}
    }
    let target = followed(path).map_err(|e| format!("cannot write {shown}: {e}"))?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    let written = pcl_cli::replace_file::with_signals_held(|| -> Result<(), String> {
        let mut builder = tempfile::Builder::new();
        // a new file's mode as `std::fs::write` gives it (0666 less the
        // umask); a replaced one's is set whole below
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut aside =
            builder.prefix(".gen-corpus-").tempfile_in(dir).map_err(|e| format!("cannot write beside {shown}: {e}"))?;
        aside.write_all(text.as_bytes()).map_err(|e| format!("cannot write beside {shown}: {e}"))?;
        // the replaced file's mode whole (the umask took bits off the new
        // file's: a 0666 file came back 0644)
        if let Some(m) = &existing {
            aside
                .as_file()
                .set_permissions(m.permissions())
                .map_err(|e| format!("cannot write beside {shown}: {e}"))?;
        }
        aside.persist(&target).map_err(|e| format!("cannot write {shown}: {}", e.error))?;
        Ok(())
    });
    written.map_err(|e| format!("cannot write {shown}: {e}")).and_then(|w| w)
}

fn write_stdout(text: &str) -> Result<(), String> {
    std::io::stdout().write_all(text.as_bytes()).map_err(|e| format!("cannot write to stdout: {e}"))
}

/// `path`, its symlinks followed (to a file that may not exist yet).
fn followed(path: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let mut at = path.to_path_buf();
    // (a loop of links ends in the system's error, as opening it would)
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Whether the regular file at `path` begins as every generated file does.
fn generated(path: &std::path::Path) -> bool {
    let head = pcl_corpus::GENERATED_HEAD;
    let mut start = vec![0; head.len()];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut start)).is_ok()
        && start == head.as_bytes()
}
