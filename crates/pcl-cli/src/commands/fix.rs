//! `pcl check --fix`: the fixes the diagnostics suggest themselves, applied
//! to a file before it is checked.

use std::path::Path;

use pcl_cli::report::Reporter;
use pcl_semantics::{Diagnostic, RootDatabase, SourceFile};

/// At most this many passes: a pass applies the fixes that touch no other's
/// text, and the next finds what the first left (a third copy of an entry).
const MAX_PASSES: usize = 8;

/// `text` (the file at `path`) with every fix its diagnostics suggest
/// applied, pass after pass, and written in its place; `text` unchanged when
/// there is none, when the fixed text would not parse where the file did
/// (said, and nothing written), or when the file cannot be written (said, with the exit code
/// that earns, 2).
pub fn fixed(path: &str, text: String, reporter: &Reporter) -> (String, u8) {
    let (mut current, mut found, mut applied) = (text.clone(), diagnostics(path, &text), 0);
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
    // a fix removes what it fixes; should the result not parse where the
    // file did (two fixes that meant one place), nothing is written. (An
    // error of another kind may show: a policy's per-configuration checks
    // wait for its errors to be fixed, and then find what they find.)
    let syntax = |text: &str| pcl_semantics::file_checks::syntax_diagnostics(&pcl_syntax::parse_file(text));
    let was = syntax(&text);
    if let Some(new) = syntax(&current).into_iter().find(|d| !was.iter().any(|w| w.message == d.message)) {
        reporter.plain_error(&format!(
            "{path}: the suggested fixes would break its syntax ({}: {}); nothing was fixed",
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
