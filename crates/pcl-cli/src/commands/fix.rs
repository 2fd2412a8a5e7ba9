//! `pcl check --fix`: the fixes the diagnostics suggest themselves, applied
//! to a file before it is checked (the safe ones; the unsafe too with
//! `--unsafe-fixes`).

use std::path::Path;

use pcl_cli::report::Reporter;
use pcl_semantics::{Diagnostic, RootDatabase, SourceFile};

/// At most this many passes: a pass applies the fixes whose edits overlap
/// no other's, and the next finds what the first left (a third copy of an
/// entry) or let show (a policy's warnings, once its error is fixed).
const MAX_PASSES: usize = 8;

/// `text` (the file at `path`) with the fixes its diagnostics suggest
/// applied, pass after pass, each fix said, and written in its place: the
/// safe ones only unless `unsafe_too` (a "did you mean" may guess wrong, a
/// grant widens a trust policy: what is left unapplied is counted); a pass
/// whose fixes would break the syntax is not applied (said). `text`
/// unchanged when there is none, or when the file cannot be written (said,
/// with the exit code that earns: 2).
pub fn fixed(path: &str, text: String, unsafe_too: bool, reporter: &Reporter) -> (String, u8) {
    let mut current = text.clone();
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let found = diagnostics(path, &current);
        let offered: Vec<pcl_ide::Fix> = pcl_ide::preferred_fixes(&current, &found).into_iter().flatten().collect();
        let (fixes, held): (Vec<pcl_ide::Fix>, Vec<pcl_ide::Fix>) =
            offered.into_iter().partition(|fix| unsafe_too || fix.is_safe());
        if fixes.is_empty() {
            if !held.is_empty() {
                let (count, plural) = (held.len(), if held.len() == 1 { "" } else { "es" });
                reporter.note(&format!(
                    "{path}: {count} unsafe fix{plural} not applied (a guessed name or a wider grant): \
                     `--unsafe-fixes` applies them, `--format json` lists them"
                ));
            }
            break;
        }
        let Some((next, used)) = pcl_ide::applied_safely(&current, &fixes) else {
            reporter.note(&format!(
                "{path}: {} suggested fixes are left: together they would break its syntax",
                fixes.len()
            ));
            break;
        };
        let lines = pcl_cli::lsp::LineIndex::new(&current, pcl_cli::lsp::Encoding::Utf8);
        for fix in &used {
            reporter.note(&said(path, (&current, &lines), fix));
        }
        applied += used.len();
        current = next;
    }
    if applied == 0 {
        return (text, crate::EXIT_OK);
    }
    match pcl_cli::replace_file::replace(Path::new(path), (&text, &current), "pcl check --fix", "") {
        Ok(()) => {
            let plural = if applied == 1 { "" } else { "es" };
            reporter.note(&format!("applied {applied} suggested fix{plural} to {path}"));
            (current, crate::EXIT_OK)
        }
        Err(e) => {
            reporter.plain_error(&format!("cannot write {path}: {e}; it is left as it was"));
            (text, crate::EXIT_USAGE)
        }
    }
}

/// `PATH:LINE:COLUMN: TITLE (was `OLD`)`: a fix as it is applied to `text`
/// (its `lines` the language server's index: a line ends at `\n`, `\r\n`
/// or a lone `\r`; columns count characters, as the terminal's diagnostics
/// do).
fn said(path: &str, (text, lines): (&str, &pcl_cli::lsp::LineIndex<'_>), fix: &pcl_ide::Fix) -> String {
    let Some((span, replacement)) = fix.edits.first() else { return format!("{path}: {}", fix.title) };
    let start = span.start as usize;
    // UTF-8 columns are bytes: where the line starts
    let position = lines.position(start);
    let line_start = start.saturating_sub(position.character as usize);
    let column = text.get(line_start..start).unwrap_or_default().chars().count() + 1;
    let old = text.get(start..span.end as usize).unwrap_or_default();
    // a replacement names what it replaces (a removal names it already)
    let replaces = !replacement.is_empty() && !old.is_empty() && !old.contains(['\n', '\r']);
    let was = if replaces { format!(" (was `{old}`)") } else { String::new() };
    format!("{path}:{}:{column}: {}{was}", position.line + 1, fix.title)
}

/// The diagnostics of `text`, checked on its own, on every core a large
/// file's check uses (`pcl check`'s own way).
fn diagnostics(path: &str, text: &str) -> Vec<Diagnostic> {
    let mut db = RootDatabase::default();
    let file = SourceFile::open_on(&mut db, path.to_string(), text.to_string(), super::threads_for(text));
    let found = super::analyze(&db, file).diagnostics.clone();
    // freeing every memo one by one would only cost time (as `pcl check` does)
    std::mem::forget(db);
    found
}
