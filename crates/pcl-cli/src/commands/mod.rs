pub mod build;
pub mod check;
pub mod explain;
pub mod render;

use pcl_semantics::{FileAnalysis, RootDatabase, SourceFile};

use pcl_cli::report::{self, Reporter};

/// Reads and analyses one file; `Err(exit code)` on I/O errors.
pub fn load(db: &RootDatabase, path: &str, reporter: &Reporter) -> Result<(SourceFile, String), u8> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok((SourceFile::new(db, path.to_string(), text.clone()), text)),
            Err(e) => {
                reporter.plain_error(&format!(
                    "{path} is not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ));
                Err(crate::EXIT_ERRORS)
            }
        },
        Err(e) => {
            reporter.plain_error(&format!("cannot read {path}: {e}"));
            Err(crate::EXIT_USAGE)
        }
    }
}

/// Prints the diagnostics of an analysis and a summary line.
pub fn print_analysis(analysis: &FileAnalysis, path: &str, text: &str, reporter: &Reporter) {
    reporter.diagnostics(path, text, &analysis.diagnostics);
    report::summary(path, &analysis.diagnostics, reporter);
}

/// Analyses a file on every core the machine offers.
pub fn analyze(db: &RootDatabase, file: SourceFile) -> &FileAnalysis {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    pcl_semantics::analyze_file_parallel(db, file, threads)
}

/// The params given no value (no `--set`, no default) whose placeholder
/// appears in `document`, with that placeholder.
pub fn placeholders_in(
    program: &pcl_semantics::ir::Program,
    set: &[(String, String)],
    document: &str,
) -> Vec<(String, String)> {
    program
        .params()
        .filter(|(name, p)| p.default.is_none() && !set.iter().any(|(n, _)| n == name))
        .filter_map(|(name, p)| p.placeholder.as_ref().map(|ph| (name.to_string(), ph.clone())))
        .filter(|(_, ph)| document.contains(ph.as_str()) || document.contains(&json_escaped(ph)))
        .collect()
}

/// How a text appears inside a JSON string.
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted.trim_matches('"').to_string()
}

/// The `--deployable` failure, naming the params to set.
pub fn not_deployable(left: &[(String, String)]) -> String {
    let names: Vec<String> = left.iter().map(|(p, ph)| format!("`{p}` ({ph})")).collect();
    let sets: Vec<String> = left.iter().map(|(p, _)| format!("--set {p}=...")).collect();
    format!(
        "not deployable: placeholders remain for {}\n  help: give them values: {}",
        names.join(", "),
        sets.join(" ")
    )
}
