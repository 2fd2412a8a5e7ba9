//! Shared helpers for the workspace test suite (`tests/*.rs`).
#![allow(clippy::panic, reason = "test helpers fail the test by panicking")]

use std::path::PathBuf;

use pcl_semantics::config::{Config, configure};
use pcl_semantics::{FileAnalysis, RootDatabase, SourceFile, analyze_file};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documentation page's reference documents, copied into the
/// repository with their provenance (`tests/reference/README.md`).
pub fn seed_dir() -> PathBuf {
    root().join("tests/reference/page")
}

/// Analyses `text` as a file named `path`.
pub fn analyze(path: &str, text: &str) -> FileAnalysis {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, path.to_string(), text.to_string());
    analyze_file(&db, file).clone()
}

/// Reads and analyses the repository's `policies.pcl`; panics (a test
/// failure) if it does not check cleanly.
pub fn policies() -> (String, FileAnalysis) {
    let path = root().join("policies.pcl");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let analysis = analyze("policies.pcl", &text);
    let errors: Vec<String> =
        analysis.diagnostics.iter().map(|d| pcl_cli::report::render("policies.pcl", &text, d, false)).collect();
    assert!(errors.is_empty(), "policies.pcl has diagnostics:\n{}", errors.join("\n"));
    (text, analysis)
}

/// A configuration from `NAME=VALUE` strings; panics on errors.
pub fn config(analysis: &FileAnalysis, sets: &[&str]) -> Config {
    let sets: Vec<(String, String)> = sets
        .iter()
        .map(|s| match s.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => panic!("`{s}` is not NAME=VALUE"),
        })
        .collect();
    match configure(&analysis.program, &sets) {
        Ok(c) => c,
        Err(e) => panic!("bad --set values: {e:?}"),
    }
}
