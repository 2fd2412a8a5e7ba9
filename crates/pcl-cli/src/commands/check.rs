//! `pcl check`: report every diagnostic of one or more files.

use clap::Args;
use std::io::Write;

use pcl_cli::machine::SarifLog;
use pcl_semantics::source_text::Replacements;
use pcl_semantics::{Diagnostic, RootDatabase, SourceFile};

use super::LoadError;

use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Check .pcl files and report every error and warning",
    after_help = "Examples:\n  pcl check                      # checks ./policies.pcl\n  pcl check a.pcl b.pcl --color never\n  pcl check --fix                # applies the safe suggested fixes to ./policies.pcl first\n  pcl check --fix --unsafe-fixes # and the guesses and grants too (each printed: review them)\n  pcl check --fix --diff         # writes nothing: prints what --fix would change, exit 1 if anything\n\nExit status: 0 when there are no errors (warnings are printed), 1 when there are errors\n(or warnings, with --deny warnings), 2 for usage or I/O errors."
)]
pub struct CheckArgs {
    /// Files to check.
    #[arg(default_value = "policies.pcl")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub deny: super::DenyArgs,
    /// `human` (for people, on stderr), `json` (one object per diagnostic, on stdout) or `sarif` (SARIF 2.1.0, on stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// First apply the safe fixes the diagnostics suggest themselves (a repeated entry that another covers, removed), then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, apply the unsafe fixes too: a "did you mean" that guesses a name, a session action granted. Each is printed; review them.
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    /// With --fix, write nothing: print what it would change as a unified diff on standard output, and exit 1 if it would change a file.
    #[arg(long, requires = "fix")]
    pub diff: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

pub fn run(args: &CheckArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    // the diff and a machine format would share standard output
    if args.diff && args.format != Format::Human {
        reporter.plain_error("--diff prints to standard output, as --format json and sarif do: use one of them");
        return crate::EXIT_USAGE;
    }
    let mut db = RootDatabase::default();
    let mut code = crate::EXIT_OK;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut sink = match args.format {
        Format::Human => Sink::Human,
        Format::Json => Sink::Json(&mut out),
        Format::Sarif => match SarifLog::start(&mut out) {
            Ok(log) => Sink::Sarif(log),
            Err(e) => return written(Err(e), &reporter),
        },
    };
    // each file fixed once, however it is named (a second `--diff` of it
    // would not apply)
    let mut fixing: std::collections::HashSet<std::path::PathBuf> = std::collections::HashSet::new();
    for path in &args.files {
        if args.fix
            && let Ok(real) = std::fs::canonicalize(path)
            && !fixing.insert(real)
        {
            reporter.note(&format!("{path}: named twice; checked and fixed once"));
            continue;
        }
        // a FIFO or a device is not read to be fixed (reading waits for a
        // writer) nor replaced by a rename
        if args.fix && std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            reporter.plain_error(&format!("cannot fix {path}: it is not a regular file; check it without --fix"));
            code = code.max(crate::EXIT_USAGE);
            continue;
        }
        let file = match super::read(path, &reporter) {
            Ok(text) => {
                let file = match args.fix {
                    // analysed already: its last pass's analysis is reported
                    true => {
                        let mode = (args.unsafe_fixes, args.diff);
                        let (file, fixing) = super::fix::fixed(&mut db, path, text, mode, &reporter);
                        code = code.max(fixing);
                        file
                    }
                    false => {
                        let threads = super::threads_for(&text);
                        SourceFile::open_on(&mut db, path.clone(), text, threads)
                    }
                };
                pcl_cli::output_dir::test_point("loaded");
                file
            }
            Err(LoadError::Reported(c)) => {
                code = code.max(c);
                continue;
            }
            Err(LoadError::NotUtf8(e)) => {
                let diagnostics = [e.diagnostic];
                let lossy = Lossy { text: &e.text, replaced: &e.replacements };
                if let Err(e) = report(&mut sink, path, lossy, &diagnostics, &reporter) {
                    return written(Err(e), &reporter);
                }
                code = code.max(crate::EXIT_ERRORS);
                continue;
            }
        };
        let text = file.text(&db);
        let analysis = super::analyze(&db, file);
        let own = Lossy { text, replaced: &Replacements::default() };
        if let Err(e) = report(&mut sink, path, own, &analysis.diagnostics, &reporter) {
            return written(Err(e), &reporter);
        }
        if args.deny.fails(&analysis.diagnostics) {
            code = code.max(crate::EXIT_ERRORS);
        }
        if let Some(note) = args.deny.denied_note(&analysis.diagnostics).filter(|_| args.format == Format::Human) {
            reporter.plain_error(&format!("{path}: {note}"));
        }
    }
    let finished = match sink {
        Sink::Human => Ok(()),
        Sink::Json(out) => out.flush(),
        Sink::Sarif(log) => log.finish(),
    };
    if finished.is_err() {
        return written(finished, &reporter);
    }
    // The process ends here: freeing every memo one by one would only cost
    // time (about 6 % of a large check); the OS takes the memory back at once.
    std::mem::forget(db);
    code
}

/// Where the diagnostics go: on stderr for people; else to standard output
/// as they are made (SARIF into the one log of all the files).
enum Sink<'w> {
    Human,
    Json(&'w mut dyn Write),
    Sarif(SarifLog<'w>),
}

/// Reports one file's diagnostics to `sink`.
fn report(
    sink: &mut Sink<'_>,
    path: &str,
    source: Lossy<'_>,
    diagnostics: &[Diagnostic],
    reporter: &Reporter,
) -> std::io::Result<()> {
    let Lossy { text, replaced } = source;
    match sink {
        Sink::Human => {
            super::print_diagnostics(diagnostics, path, text, reporter);
            Ok(())
        }
        Sink::Json(out) => pcl_cli::machine::write_json_lines(&mut **out, path, text, diagnostics, replaced),
        Sink::Sarif(log) => log.file(path, text, diagnostics, replaced),
    }
}

/// The exit code when standard output could not be written: 2, quietly for
/// a closed pipe (`pcl check --format json | head`), as `main` ends any
/// other command whose output fails.
fn written(result: std::io::Result<()>, reporter: &Reporter) -> u8 {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        reporter.plain_error(&format!("cannot write the diagnostics: {e}"));
    }
    crate::EXIT_USAGE
}

/// A file's text as shown, and where its U+FFFDs stand in the file (none
/// for a UTF-8 file): the machine formats give byte ranges in the file.
#[derive(Clone, Copy)]
struct Lossy<'a> {
    text: &'a str,
    replaced: &'a Replacements,
}
