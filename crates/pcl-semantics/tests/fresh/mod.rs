//! What the tests that compare an edited analysis with a fresh one share.

use pcl_semantics::{FileAnalysis, RootDatabase, SourceFile, analyze_file};

/// What a fresh database makes of `text`, opened as `name`: on another
/// thread, so that nothing remembered per thread is shared either.
pub fn fresh_analysis(name: &str, text: String) -> FileAnalysis {
    let name = name.to_string();
    std::thread::spawn(move || {
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, name, text);
        analyze_file(&fresh_db, fresh).clone()
    })
    .join()
    .unwrap()
}
