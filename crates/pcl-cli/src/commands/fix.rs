//! `pcl check --fix`: the fixes the diagnostics suggest themselves, applied
//! to a file before it is checked (the safe ones; the unsafe too with
//! `--unsafe-fixes`).

use std::path::Path;

use pcl_cli::report::Reporter;
use pcl_semantics::{RootDatabase, SourceFile};

/// At most this many passes: a pass applies the fixes whose edits overlap
/// no other's, and the next finds what the first left (a third copy of an
/// entry W0512's fix had to leave) or let show (a policy's warnings, once
/// its error is fixed).
const MAX_PASSES: usize = 32;

/// `text` (the file at `path`) with the fixes its diagnostics suggest
/// applied, pass after pass, each fix said, and written in its place: the
/// safe ones only unless `unsafe_too` (a "did you mean" may guess wrong, a
/// grant widens a trust policy: what is left unapplied is counted); a pass
/// whose fixes would break the syntax is not applied (said). Each pass is
/// analysed in `db`, as `pcl check` analyses a file: the file returned
/// holds what the file at `path` now holds, its analysis made once (the
/// last pass's), for the check to report. That text is `text` when there
/// is nothing to fix, or when the file cannot be written (said, with the
/// exit code that earns: 2). With `diff_only`, nothing is written: what
/// would change is printed as a unified diff on standard output, the file
/// returned holds `text`, and a change earns exit code 1 (as `pcl fmt
/// --check`).
pub fn fixed(
    db: &mut RootDatabase,
    path: &str,
    text: String,
    (unsafe_too, diff_only): (bool, bool),
    reporter: &Reporter,
) -> (SourceFile, u8) {
    let mut current = text.clone();
    // the file analysed last, while it holds `current`, and the first (`text`)
    let mut analysed: Option<SourceFile> = None;
    let mut first: Option<SourceFile> = None;
    let mut applied = 0;
    // the unsafe fixes the last pass analysed left (none are left with `unsafe_too`)
    let mut held = 0;
    let mut passes_ran_out = false;
    // the last time round only analyses: what the passes left is known
    for pass in 0..=MAX_PASSES {
        let file = opened(db, path, &current);
        analysed = Some(file);
        first.get_or_insert(file);
        let found = &super::analyze(db, file).diagnostics;
        let offered: Vec<pcl_ide::Fix> = pcl_ide::preferred_fixes(&current, found).into_iter().flatten().collect();
        let (fixes, unsafe_ones): (Vec<pcl_ide::Fix>, Vec<pcl_ide::Fix>) =
            offered.into_iter().partition(|fix| unsafe_too || fix.is_safe());
        held = unsafe_ones.len();
        if fixes.is_empty() {
            break;
        }
        if pass == MAX_PASSES {
            passes_ran_out = true;
            break;
        }
        let Some((next, used)) = pcl_ide::applied_safely(&current, &fixes) else {
            reporter.note(&match fixes.len() {
                1 => format!("{path}: 1 suggested fix is left: it would break its syntax"),
                n => format!("{path}: {n} suggested fixes are left: together they would break its syntax"),
            });
            break;
        };
        // placed as the terminal's diagnostics are (`SourceView::place`:
        // lone CRs end lines, a byte order mark is no column, and fixes in
        // the text's order count a long line's characters once)
        let shown = pcl_cli::report::lone_cr_as_lf(&current);
        let view = pcl_cli::report::SourceView::new(path, &shown);
        for fix in &used {
            reporter.note(&said(path, (&current, &view), fix));
        }
        applied += used.len();
        current = next;
        analysed = None;
    }
    // said once the text they are about is the file's
    let left = |reporter: &Reporter| {
        if passes_ran_out {
            let again = if diff_only { "" } else { "; run `pcl check --fix` again" };
            reporter.note(&format!("{path}: fixes are left after {MAX_PASSES} passes{again}"));
        }
        if held > 0 {
            let plural = if held == 1 { "" } else { "es" };
            reporter.note(&format!(
                "{path}: {held} unsafe fix{plural} not applied (a guessed name or a wider grant): \
                 `--unsafe-fixes` applies them, `--format json` lists them"
            ));
        }
    };
    if applied == 0 {
        left(reporter);
        return (analysed.unwrap_or_else(|| opened(db, path, &text)), crate::EXIT_OK);
    }
    let plural = if applied == 1 { "" } else { "es" };
    if diff_only {
        reporter.note(&format!("{path}: --fix would apply {applied} suggested fix{plural} (--diff: nothing written)"));
        left(reporter);
        pcl_cli::diff::print_unified(path, (&text, &current), "fixed");
        return (first.unwrap_or_else(|| opened(db, path, &text)), crate::EXIT_ERRORS);
    }
    let replaced = pcl_cli::replace_file::replace(Path::new(path), (&text, &current), "pcl check --fix", "");
    match &replaced {
        Ok(()) => {
            reporter.note(&format!("applied {applied} suggested fix{plural} to {path}"));
            left(reporter);
        }
        Err(e) => {
            let left = if pcl_cli::replace_file::left_as_it_was(e) { "; it is left as it was" } else { "" };
            reporter.plain_error(&format!("cannot write {path}: {e}{left}"));
        }
    }
    // a Ctrl-C during the write ends the process once it is said
    pcl_cli::replace_file::act_on_held_signal();
    match replaced {
        Ok(()) => (analysed.unwrap_or_else(|| opened(db, path, &current)), crate::EXIT_OK),
        Err(_) => (opened(db, path, &text), crate::EXIT_USAGE),
    }
}

/// `PATH:LINE:COLUMN: TITLE (was `OLD`)`: a fix as it is applied to `text`,
/// named where its diagnostic is (a removal may start at the comma before
/// it), as `view` (of `text`) places the terminal's diagnostics.
fn said(path: &str, (text, view): (&str, &pcl_cli::report::SourceView<'_>), fix: &pcl_ide::Fix) -> String {
    let Some((span, replacement)) = fix.edits.first() else { return format!("{path}: {}", fix.title) };
    let (line, column) = view.place(fix.at.start as usize);
    let old = text.get(span.start as usize..span.end as usize).unwrap_or_default();
    // a replacement names what it replaces (a removal names it already)
    // (and says nothing of a `;` a block takes the place of)
    // (nor of a text the replacement keeps: `X` made `[X, Y]`)
    let replaces = !replacement.is_empty()
        && old.contains(|c: char| c.is_alphanumeric())
        && !old.contains(['\n', '\r'])
        && !replacement.contains(old);
    let was = if replaces { format!(" (was `{old}`)") } else { String::new() };
    // what a person should read again
    let mark = if fix.is_safe() { "" } else { " [unsafe]" };
    format!("{path}:{line}:{column}: {}{was}{mark}", fix.title)
}

/// `text`, opened in `db` as `pcl check` opens a file (on every core a
/// large file's check uses).
fn opened(db: &mut RootDatabase, path: &str, text: &str) -> SourceFile {
    SourceFile::open_on(db, path.to_string(), text.to_string(), super::threads_for(text))
}
