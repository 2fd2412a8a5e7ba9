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
