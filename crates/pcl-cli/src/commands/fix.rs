//! `pcl check --fix`: the fixes the diagnostics suggest themselves, applied
//! to a file before it is checked.

use std::path::Path;

use pcl_cli::report::Reporter;
use pcl_semantics::{Diagnostic, RootDatabase, Severity, SourceFile};

/// At most this many passes: a pass applies the fixes that touch no other's
/// text, and the next finds what the first left (a third copy of an entry).
const MAX_PASSES: usize = 8;

/// `text` (the file at `path`) with every fix its diagnostics suggest
/// applied, pass after pass, and written in its place; `text` unchanged when
/// there is none, when the fixes would add an error (said, and nothing
/// written), or when the file cannot be written (said, with the exit code
/// that earns, 2).
pub fn fixed(path: &str, text: String, reporter: &Reporter) -> (String, u8) {
    let first = diagnostics(path, &text);
    let (mut current, mut found, mut applied) = (text.clone(), first.clone(), 0);
    for _ in 0..MAX_PASSES {
        let fixes: Vec<pcl_ide::Fix> = pcl_ide::preferred_fixes(&current, &found).into_iter().flatten().collect();
        let Some((next, count)) = pcl_ide::applied(&current, &fixes) else { break };
        if next == current {
            break;
        }
        found = diagnostics(path, &next);
        current = next;
        applied += count;
    }
    if applied == 0 {
        return (text, crate::EXIT_OK);
    }
    // a fix removes what it fixes; should the result hold an error the file
    // did not (two fixes that meant one place), nothing is written
    let is_new_error = |d: &&Diagnostic| {
        d.severity() == Severity::Error && !first.iter().any(|f| f.code == d.code && f.message == d.message)
    };
    if let Some(new) = found.iter().find(is_new_error) {
        reporter.plain_error(&format!(
            "{path}: the suggested fixes would add an error ({}: {}); nothing was fixed",
            new.code.as_str(),
            new.message
        ));
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

/// The diagnostics of `text`, checked on its own.
fn diagnostics(path: &str, text: &str) -> Vec<Diagnostic> {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, path.to_string(), text.to_string());
    pcl_semantics::analyze_file(&db, file).diagnostics.clone()
}
