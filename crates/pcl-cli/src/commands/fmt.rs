//! `pcl fmt`: lay out .pcl files (indentation, spaces, blank lines; see
//! `pcl_syntax::format`), in place, or check that they are laid out.

use std::io::Read;
use std::path::Path;

use clap::Args;

use super::LoadError;
use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Lay out .pcl files: indentation, spaces and blank lines (line breaks, comments and tokens are kept)",
    after_help = "Examples:\n  pcl fmt                        # formats ./policies.pcl in place\n  pcl fmt --check a.pcl b.pcl    # changes nothing; prints a diff, exit 1 if a file would change\n  pcl fmt - < a.pcl              # standard input to standard output\n\nA file that does not parse is left as it is (its syntax errors are printed, exit 1).\nA file is replaced whole, by a rename: never left half written."
)]
pub struct FmtArgs {
    /// Files to format (`-`: standard input, written to standard output).
    #[arg(default_value = "policies.pcl")]
    pub files: Vec<String>,
    /// Change no file: print what would change as a diff, and exit 1 if any file would.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: &FmtArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    let mut code = crate::EXIT_OK;
    for path in &args.files {
        code = code.max(format_one(path, args.check, &reporter));
    }
    code
}

/// Formats one file (or standard input for `-`); the exit code it earns.
fn format_one(path: &str, check: bool, reporter: &Reporter) -> u8 {
    let text = match read(path, check, reporter) {
        Ok(text) => text,
        Err(code) => return code,
    };
    let formatted = match formatted(path, &text, reporter) {
        Ok(formatted) => formatted,
        Err(code) => return code,
    };
    if path == "-" {
        if check {
            return diff(path, &text, &formatted);
        }
        print!("{formatted}");
        return crate::EXIT_OK;
    }
    if formatted == text {
        return crate::EXIT_OK;
    }
    if check {
        return diff(path, &text, &formatted);
    }
    let stdin = "; format it through standard input instead: `pcl fmt - < FILE`";
    let code = match pcl_cli::replace_file::replace(Path::new(path), (&text, &formatted), "pcl fmt", stdin) {
        Ok(()) => {
            reporter.note(&format!("formatted {path}"));
            crate::EXIT_OK
        }
        Err(e) => {
            let left = if pcl_cli::replace_file::left_as_it_was(&e) { "; it is left as it was" } else { "" };
            reporter.plain_error(&format!("cannot write {path}: {e}{left}"));
            crate::EXIT_USAGE
        }
    };
    // a Ctrl-C during the write ends the process once it is said
    pcl_cli::replace_file::act_on_held_signal();
    code
}

fn read(path: &str, check: bool, reporter: &Reporter) -> Result<String, u8> {
    // a FIFO or a device to be formatted in place is refused before it is
    // read (a review found `pcl fmt` on a FIFO waiting for a writer for
    // ever); `--check` reads it, as `pcl check` does
    if path != "-" && !check && std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let hint = "format it through standard input instead: `pcl fmt - < FILE`";
        reporter.plain_error(&format!("cannot format {path} in place: it is not a regular file; {hint}"));
        return Err(crate::EXIT_USAGE);
    }
    if path != "-" {
        return match super::read(path, reporter) {
            Ok(text) => Ok(text),
            Err(LoadError::Reported(code)) => Err(code),
            Err(LoadError::NotUtf8(e)) => {
                reporter.diagnostics(path, &e.text, &[e.diagnostic]);
                Err(crate::EXIT_ERRORS)
            }
        };
    }
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        reporter.plain_error(&format!("cannot read standard input: {e}"));
        return Err(crate::EXIT_USAGE);
    }
    pcl_semantics::source_text::decode(bytes).map_err(|e| {
        reporter.diagnostics("<stdin>", &e.text, &[e.diagnostic]);
        crate::EXIT_ERRORS
    })
}

/// The text laid out, or the exit code of a refusal (printed): a file that
/// does not parse is not formatted.
fn formatted(path: &str, text: &str, reporter: &Reporter) -> Result<String, u8> {
    let syntax = pcl_semantics::file_checks::syntax_diagnostics(&pcl_syntax::parse_file(text));
    if !syntax.is_empty() {
        reporter.diagnostics(path, text, &syntax);
        reporter.plain_error(&format!("{path} does not parse: it is not formatted"));
        return Err(crate::EXIT_ERRORS);
    }
    pcl_syntax::format::format(text).map_err(|e| {
        reporter.plain_error(&format!("{path}: {}", e.message()));
        crate::EXIT_ERRORS
    })
}

/// `--check`: the unified diff from the text to its layout, on standard
/// output; exit 1 when they differ.
fn diff(path: &str, text: &str, formatted: &str) -> u8 {
    if text == formatted {
        return crate::EXIT_OK;
    }
    // bounded in time (see `diff::unified`)
    pcl_cli::diff::print_unified(path, (text, formatted), "formatted");
    crate::EXIT_ERRORS
}
