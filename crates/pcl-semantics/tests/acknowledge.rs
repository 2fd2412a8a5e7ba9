//! `expect` acknowledgements found wherever an item's text may hold them:
//! the analysis walks only the items whose text mentions `expect`
//! (`acknowledge::items_mentioning_expect`), so these cases pin where an
//! item's range starts and ends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use pcl_semantics::{RootDatabase, SourceFile, analyze_file};

/// The codes reported for `text`.
fn codes(text: &str) -> Vec<String> {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "t.pcl".into(), text.to_string());
    analyze_file(&db, file).diagnostics.iter().map(|d| d.code.as_str().to_string()).collect()
}

/// A PassRole grant on `*` (W0509), acknowledged when `expect` is given.
fn pass_role(name: &str, expect: &str) -> String {
    format!(
        "policy {name} {{\n    {expect}\n    allow \"Pass\" {{ action [iam:PassRole]; resource \"*\"; \
         condition StringEquals \"iam:PassedToService\" [\"ec2.amazonaws.com\"]; }}\n}}\n"
    )
}

const KEPT: &str = "expect W0509 \"EC2 launches the node roles\"";

#[test]
fn the_warning_is_there_to_acknowledge() {
    assert!(codes(&pass_role("p", "")).contains(&"W0509".to_string()));
}

#[test]
fn an_expect_in_the_first_item_after_a_byte_order_mark() {
    let text = format!("\u{feff}{}", pass_role("p", KEPT));
    assert_eq!(codes(&text), Vec::<String>::new());
}

#[test]
fn an_expect_before_the_item_after_a_byte_order_mark() {
    let text = format!("\u{feff}{KEPT}\n{}", pass_role("p", ""));
    assert_eq!(codes(&text), Vec::<String>::new());
}

#[test]
fn an_expect_in_the_second_item_of_one_chunk() {
    // an item that does not start a line is in the chunk of the item above
    let text = format!("{} {}", pass_role("a", KEPT).trim_end(), pass_role("b", KEPT));
    assert_eq!(codes(&text), Vec::<String>::new());
    // and without its `expect`, the second item's warning is reported
    let text = format!("{} {}", pass_role("a", KEPT).trim_end(), pass_role("b", ""));
    assert_eq!(codes(&text), vec!["W0509".to_string()]);
}

#[test]
fn an_expect_in_the_last_item() {
    let text = format!("{}{}", pass_role("a", ""), pass_role("b", KEPT));
    assert_eq!(codes(&text), vec!["W0509".to_string()]);
    let text = format!("{}{}", pass_role("a", KEPT), pass_role("b", KEPT));
    assert_eq!(codes(&text), Vec::<String>::new());
}

#[test]
fn an_expect_at_the_end_of_the_line_above_its_item() {
    // the chunk of `a` ends with `b`'s acknowledgement: the two parse as one
    let text = format!("{}{KEPT}\n{}", pass_role("a", KEPT).trim_end(), pass_role("b", ""));
    assert_eq!(codes(&text), Vec::<String>::new());
}
