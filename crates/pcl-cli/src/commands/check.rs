//! `pcl check`: report every diagnostic of one or more files.

use clap::Args;
use pcl_cli::machine::SarifFile;
use pcl_semantics::source_text::Replacements;
use pcl_semantics::{Diagnostic, RootDatabase, SourceFile};

use super::LoadError;

use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Check .pcl files and report every error and warning",
    after_help = "Examples:\n  pcl check                      # checks ./policies.pcl\n  pcl check a.pcl b.pcl --color never\n\nExit status: 0 when there are no errors (warnings are printed), 1 when there are errors\n(or warnings, with --deny warnings), 2 for usage or I/O errors."
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

pub fn run(args: &CheckArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    let mut db = RootDatabase::default();
    let mut code = crate::EXIT_OK;
    let mut sarif_files = Vec::new();
    for path in &args.files {
        let file = match super::read(path, &reporter) {
            Ok(text) => {
                let threads = super::threads_for(&text);
                let file = SourceFile::open_on(&mut db, path.clone(), text, threads);
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
                report(args.format, path, lossy, &diagnostics, &reporter, &mut sarif_files);
                code = code.max(crate::EXIT_ERRORS);
                continue;
            }
        };
        let text = file.text(&db);
        let analysis = super::analyze(&db, file);
        let own = Lossy { text, replaced: &Replacements::default() };
        report(args.format, path, own, &analysis.diagnostics, &reporter, &mut sarif_files);
        if args.deny.fails(&analysis.diagnostics) {
            code = code.max(crate::EXIT_ERRORS);
        }
        if let Some(note) = args.deny.denied_note(&analysis.diagnostics).filter(|_| args.format == Format::Human) {
            reporter.plain_error(&format!("{path}: {note}"));
        }
    }
    if args.format == Format::Sarif {
        print!("{}", pcl_cli::machine::sarif(&sarif_files));
    }
    // The process ends here: freeing every memo one by one would only cost
    // time (about 6 % of a large check); the OS takes the memory back at once.
    std::mem::forget(db);
    code
}

/// Prints one file's diagnostics in `format` (SARIF is gathered and printed
/// once, for all files).
fn report(
    format: Format,
    path: &str,
    source: Lossy<'_>,
    diagnostics: &[Diagnostic],
    reporter: &Reporter,
    sarif_files: &mut Vec<SarifFile>,
) {
    let Lossy { text, replaced } = source;
    match format {
        Format::Human => super::print_diagnostics(diagnostics, path, text, reporter),
        Format::Json => print!("{}", pcl_cli::machine::json_lines(path, text, diagnostics, replaced)),
        Format::Sarif => {
            sarif_files.push((path.to_string(), text.to_string(), diagnostics.to_vec(), replaced.clone()));
        }
    }
}

/// A file's text as shown, and where its U+FFFDs stand in the file (none
/// for a UTF-8 file): the machine formats give byte ranges in the file.
#[derive(Clone, Copy)]
struct Lossy<'a> {
    text: &'a str,
    replaced: &'a Replacements,
}
