//! Every ```pcl example in the README and docs/ must parse, and the complete
//! ones (those that declare what they use) must check without errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

fn pcl_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```pcl") => current = Some((n + 1, String::new())),
            (Some(_), l) if l.starts_with("```") => blocks.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn documented_examples_parse() {
    let mut checked = 0;
    for doc in ["README.md", "docs/language.md"] {
        let markdown = std::fs::read_to_string(pcl_suite::root().join(doc)).unwrap();
        for (line, block) in pcl_blocks(&markdown) {
            let parsed = pcl_syntax::parse_file(&block);
            assert!(parsed.errors.is_empty(), "{doc}:{line}: example does not parse: {:?}\n{block}", parsed.errors);
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} examples found");
}

#[test]
fn readme_example_checks_cleanly() {
    let markdown = std::fs::read_to_string(pcl_suite::root().join("README.md")).unwrap();
    let (_, block) = pcl_blocks(&markdown).into_iter().next().expect("README has a pcl example");
    let analysis = pcl_suite::analyze("README.md", &block);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
}
