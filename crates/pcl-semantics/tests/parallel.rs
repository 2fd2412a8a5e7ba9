//! The parallel analysis computes the same `FileAnalysis` as the serial one,
//! diagnostics included (the corpus has errors), and can be repeated.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use pcl_semantics::{RootDatabase, SourceFile, analyze_file, analyze_file_parallel};

#[test]
fn parallel_analysis_equals_serial() {
    let corpus = pcl_corpus::generate(300_000, 5, true);
    // syntax errors too: one inside, and a broken item at the very end (its
    // chunk is parsed again as the last one, for its errors' places)
    let middle = corpus.len() / 2 + corpus[corpus.len() / 2..].find("\npolicy ").unwrap();
    let broken =
        format!("{}\npolicy broken_in_the_middle {{ allow {{ action ;\n{}", &corpus[..middle], &corpus[middle..]);
    for text in [corpus.clone(), format!("{broken}\npolicy broken_at_the_end {{ allow {{")] {
        let mut serial_db = RootDatabase::default();
        let serial_file = SourceFile::open(&mut serial_db, "corpus.pcl".into(), text.clone());
        let serial = analyze_file(&serial_db, serial_file).clone();
        assert!(!serial.diagnostics.is_empty(), "the corpus is meant to hold errors");
        for threads in [2, 3] {
            let mut db = RootDatabase::default();
            let file = SourceFile::open(&mut db, "corpus.pcl".into(), text.clone());
            assert_eq!(*analyze_file_parallel(&db, file, threads), serial, "{threads} threads");
            // opened on several threads too: its chunks parsed there, and
            // the file's parse put together from those parses
            let mut db = RootDatabase::default();
            let file = SourceFile::open_on(&mut db, "corpus.pcl".into(), text.clone(), threads);
            assert_eq!(*analyze_file_parallel(&db, file, threads), serial, "opened on {threads} threads");
        }
    }
}
