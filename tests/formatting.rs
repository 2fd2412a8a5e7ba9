//! `pcl fmt` changes layout, never meaning: every file that parses (the
//! fixtures, policies.pcl, a generated corpus and policies.pcl mangled to
//! every layout) gets the same diagnostics and renders the same documents
//! once formatted, and formatting it again changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_semantics::config::configure;
use pcl_semantics::{RootDatabase, SourceFile, analyze_file};
use pcl_syntax::format::format;

/// Diagnostics (code, message) and documents (path, contents).
type Meaning = (Vec<(String, String)>, Vec<(String, String)>);

/// What a text means: its diagnostics (code and message, spans left out: a
/// layout moves them) and, when it has no errors, every document it renders
/// in its default configuration.
fn meaning(text: &str) -> Meaning {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "f.pcl".into(), text.to_string());
    let analysis = analyze_file(&db, file);
    let diagnostics = analysis.diagnostics.iter().map(|d| (d.code.as_str().to_string(), d.message.clone())).collect();
    let documents = match configure(&analysis.program, &[]) {
        Ok(config) if !analysis.has_errors() => {
            pcl_codegen::render_all(&analysis.program, &config).into_iter().map(|o| (o.path, o.contents)).collect()
        }
        _ => Vec::new(),
    };
    (diagnostics, documents)
}

fn parses(text: &str) -> bool {
    pcl_syntax::parse_file(text).errors.is_empty()
}

/// Formats `text` (which parses) and checks what the module promises.
fn assert_layout_only(name: &str, text: &str) {
    let formatted = format(text).unwrap_or_else(|e| panic!("{name}: {}", e.message()));
    let again = format(&formatted).unwrap_or_else(|e| panic!("{name}: {}", e.message()));
    assert!(again == formatted, "{name}: formatting again changed it: {}", first_difference(&again, &formatted));
    assert!(parses(&formatted), "{name}: the formatted text does not parse");
    assert!(meaning(&formatted) == meaning(text), "{name}: formatting changed what it means");
}

#[test]
fn formatting_the_fixtures_and_policies_pcl_keeps_their_meaning() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut paths = vec![format!("{root}policies.pcl")];
    for entry in std::fs::read_dir(format!("{root}tests/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pcl") {
            paths.push(path.display().to_string());
        }
    }
    let mut formatted = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        if parses(&text) {
            assert_layout_only(path, &text);
            formatted += 1;
        }
    }
    assert!(formatted >= 40, "only {formatted} files parsed");
}

#[test]
fn policies_pcl_is_formatted() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies.pcl")).unwrap();
    assert!(format(&text).unwrap() == text, "policies.pcl is not laid out as `pcl fmt` lays it out: run `pcl fmt`");
}

/// The first line where `got` and `want` differ, to read in a failure.
fn first_difference(got: &str, want: &str) -> String {
    let at = got
        .lines()
        .zip(want.lines())
        .position(|(g, w)| g != w)
        .unwrap_or(got.lines().count().min(want.lines().count()));
    format!("line {}: got {:?}, want {:?}", at + 1, got.lines().nth(at), want.lines().nth(at))
}

#[test]
fn a_mangled_layout_is_restored() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies.pcl")).unwrap();
    // every line flush left, with trailing spaces, and each blank line tripled
    let flat: String = text
        .lines()
        .map(|l| if l.trim().is_empty() { "\n\n\n".to_string() } else { format!("{}   \n", l.trim_start()) })
        .collect();
    assert_layout_only("flattened policies.pcl", &flat);
    let formatted = format(&flat).unwrap();
    assert!(formatted == text, "flattened: {}", first_difference(&formatted, &text));
    // every line indented by a different amount, with tabs
    let ragged: String =
        text.lines().enumerate().map(|(i, l)| format!("{}{}\n", "\t ".repeat(i % 5), l.trim_start())).collect();
    let formatted = format(&ragged).unwrap();
    assert!(formatted == text, "ragged: {}", first_difference(&formatted, &text));
}

#[test]
fn a_generated_corpus_keeps_its_meaning() {
    let corpus = pcl_corpus::generate(100_000, 7, false);
    assert_layout_only("100 KB corpus", &corpus);
}
