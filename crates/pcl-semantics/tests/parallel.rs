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
            // then edited: a file opened for one check is parsed and
            // checked again whole
            for (at, inserted) in edits(&text) {
                file.splice_text(&mut db, at..at, inserted).unwrap();
                let edited = file.text(&db).clone();
                let mut fresh_db = RootDatabase::default();
                let fresh_file = SourceFile::open(&mut fresh_db, "corpus.pcl".into(), edited);
                let fresh = analyze_file(&fresh_db, fresh_file).clone();
                assert_eq!(*analyze_file(&db, file), fresh, "{threads} threads, {inserted:?} at {at}");
            }
        }
    }
}

/// Edits of a corpus, in order: a new item a third of the way in, then, in
/// the first action list (before it, so at the same place in every text),
/// an action added, a broken statement, and an action again.
fn edits(text: &str) -> Vec<(usize, &'static str)> {
    let list = text.find("action [").unwrap() + "action [".len();
    let item = text.len() / 3 + text[text.len() / 3..].find("\npolicy ").unwrap() + 1;
    assert!(list < item);
    vec![
        (item, "policy added_here { allow { action [s3:GetObject]; resource \"*\"; } }\n"),
        (list, "s3:GetObjectAcl, "),
        (list, "oops "),
        (list, "s3:PutObjectAcl, "),
    ]
}

/// An edit of a large file opened to edit takes the chunks it does not
/// reach from the old parse, even when the whole text is cut again (an edit
/// at the first byte of a text that starts with a byte order mark): it
/// parses a chunk or two, not the file.
#[test]
fn an_edit_of_a_large_file_parses_only_what_it_reaches() {
    let corpus = pcl_corpus::generate(300_000, 5, false);
    let with_bom = format!("\u{feff}{corpus}");
    let middle = corpus.len() / 2 + corpus[corpus.len() / 2..].find("action [").unwrap() + "action [".len();
    for (text, at, removed, inserted) in
        [(with_bom.clone(), 0, "\u{feff}".len(), ""), (corpus.clone(), middle, 0, "s3:GetObjectAcl, ")]
    {
        let log = pcl_semantics::ExecutionLog::default();
        let mut db = RootDatabase::with_execution_log(log.clone());
        let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), text.clone());
        analyze_file_parallel(&db, file, 2);
        log.lock().unwrap().clear();
        file.splice_text(&mut db, at..at + removed, inserted).unwrap();
        let parsed = log.lock().unwrap().iter().filter(|q| q.starts_with("parse_chunk")).count();
        assert!(parsed <= 2, "{parsed} chunks parsed again for an edit at {at}");
        let edited = file.text(&db).clone();
        let mut fresh_db = RootDatabase::default();
        let fresh_file = SourceFile::open(&mut fresh_db, "corpus.pcl".into(), edited);
        assert_eq!(*analyze_file(&db, file), *analyze_file(&fresh_db, fresh_file), "an edit at {at}");
    }
}

/// A large file opened to edit, re-analysed after each edit as the language
/// server does (`analyze_edited_file`: its blocks' per-configuration checks
/// on every thread of the pool, beside the file-wide checks), says what a
/// fresh analysis says: after an edit that every policy reads (a param's
/// placeholder), one of a constraint's message, one inside an item, an
/// item added and one broken.
#[test]
fn an_edited_large_file_checked_on_every_thread_equals_a_fresh_analysis() {
    let corpus = pcl_corpus::generate(300_000, 5, true);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| {
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), corpus.clone());
        analyze_file_parallel(&db, file, 2);
        let placeholder = corpus.find("placeholder \"<REGION").unwrap() + "placeholder \"<".len();
        let message = corpus.find("else \"").unwrap() + "else \"".len();
        assert!(placeholder < message);
        // from the end, so that each place is still where it was found
        let mut splices: Vec<(usize, &str)> = edits(&corpus);
        splices.extend([(message, "not "), (placeholder, "THE "), (placeholder, "a b ")]);
        splices.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        for (at, inserted) in splices {
            file.splice_text(&mut db, at..at, inserted).unwrap();
            let edited = file.text(&db).clone();
            let mut fresh_db = RootDatabase::default();
            let fresh_file = SourceFile::open(&mut fresh_db, "corpus.pcl".into(), edited);
            let fresh = analyze_file(&fresh_db, fresh_file).clone();
            assert_eq!(*pcl_semantics::analyze_edited_file(&db, file), fresh, "{inserted:?} at {at}");
        }
    });
}
