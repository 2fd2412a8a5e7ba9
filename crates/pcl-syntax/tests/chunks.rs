//! How a file is cut into chunks (one item each, with the doc comments and
//! `expect`s above it), including after a byte-order mark.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_syntax::{chunk_ranges, parse_file};

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_chunk() {
    let text = "\u{feff}policy p {}\npolicy q {}\n";
    let ranges = chunk_ranges(text);
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!(&text[ranges[0].0..ranges[0].1], "policy p {}\n");
}

#[test]
fn doc_comments_and_expects_on_the_first_line_after_a_mark_stay_with_their_item() {
    for first in ["/// The policy.", "expect W0509 \"kept\""] {
        let text = format!("\u{feff}{first}\npolicy p {{}}\npolicy q {{}}\n");
        let ranges = chunk_ranges(&text);
        assert_eq!(ranges.len(), 2, "{first}: {ranges:?}");
        assert_eq!(&text[ranges[0].0..ranges[0].1], format!("{first}\npolicy p {{}}\n"));
        let parsed = parse_file(&text);
        assert!(parsed.errors.is_empty(), "{first}: {:?}", parsed.errors);
        assert_eq!(parsed.items.len(), 2);
    }
    let parsed = parse_file("\u{feff}/// The policy.\npolicy p {}\n");
    assert_eq!(parsed.items[0].item.docs.as_ref(), ["The policy.".to_string()]);
}

/// The grammar lets an item's `expect` or doc comment end the line of the
/// item above (`}expect ...`); the chunker cuts before the next item's line
/// all the same, and the two chunks are parsed as one (`parse_cut`).
#[test]
fn an_expect_at_the_end_of_the_line_above_belongs_to_the_next_item() {
    for tail in ["expect W0509 \"kept\"", " /// The feature."] {
        let text = format!("policy p {{}}{tail}\n\n// a comment\nfeature f: bool = false;\npolicy q {{}}\n");
        let parsed = parse_file(&text);
        assert!(parsed.errors.is_empty(), "{tail}: {:?}", parsed.errors);
        assert_eq!(parsed.items.len(), 3, "{tail}");
        let whole = pcl_syntax::parse_chunk_with_pest(&text, true);
        let items = |p: &[pcl_syntax::ParsedItem]| p.iter().map(|i| (i.offset, (*i.item).clone())).collect::<Vec<_>>();
        assert_eq!(items(&parsed.items), items(&whole.items), "{tail}: the chunks parse as the whole file does");
    }
}

/// A chain of items each documented at the end of the line above
/// (`feature a: bool = true; /// doc of b`) is cut before each doc comment,
/// however long the chain (the chunks joined to parse one were only ever
/// three): the file parses as the whole file does, indented or not.
#[test]
fn doc_comments_at_the_end_of_the_lines_above_start_their_items() {
    let mut text = String::new();
    for (item, next) in ["a", "b", "c", "d", "e", "f"].windows(2).map(|w| (w[0], w[1])) {
        text.push_str(&format!("feature {item}: bool = true; /// Doc of {next}, \"not // a comment\".\n"));
    }
    text.push_str("policy f { allow { action s3:GetObject; resource \"*\"; } } // a plain comment /// not a doc\n");
    for text in [text.clone(), text.lines().map(|l| format!(" {l}\n")).collect()] {
        let parsed = parse_file(&text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.items.len(), 6);
        let whole = pcl_syntax::parse_chunk_with_pest(&text, true);
        let items = |p: &[pcl_syntax::ParsedItem]| p.iter().map(|i| (i.offset, (*i.item).clone())).collect::<Vec<_>>();
        assert_eq!(items(&parsed.items), items(&whole.items), "the chunks parse as the whole file does");
        assert_eq!(parsed.items[4].item.docs.as_ref(), ["Doc of e, \"not // a comment\".".to_string()]);
    }
}

#[test]
fn a_broken_item_keeps_its_error() {
    let parsed = parse_file("policy p {\npolicy q {}\nfeature f: bool = false;\n");
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    assert_eq!(parsed.items.len(), 2);
}

/// Doc comments and `expect` lines may be indented: they stay with the
/// item below them, in files of any number of items (a review found four
/// items with indented docs rejected where three parsed), and a doc run
/// split by indentation is one run.
#[test]
fn indented_doc_comments_and_expects_stay_with_their_item() {
    let mut text = String::new();
    for i in 0..6 {
        text.push_str(&format!(
            "    /// Doc {i}.\n\t/// More.\n  expect W0502 \"kept\"\nparam p{i}: string = \"x\";\n"
        ));
    }
    text.push_str("/// Column 0.\n    /// Indented.\n\n// a plain comment\npolicy p {}\n");
    let ranges = chunk_ranges(&text);
    assert_eq!(ranges.len(), 7, "{ranges:?}");
    assert!(text[ranges[1].0..].starts_with("    /// Doc 1."), "{:?}", &text[ranges[1].0..ranges[1].1]);
    assert!(text[ranges[6].0..].starts_with("/// Column 0."));
    let parsed = parse_file(&text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.items.len(), 7);
    assert_eq!(parsed.items[3].item.docs.as_ref(), ["Doc 3.".to_string(), "More.".to_string()]);
    assert_eq!(parsed.items[6].item.docs.as_ref(), ["Column 0.".to_string(), "Indented.".to_string()]);
    // blank lines end a run: only the one right above the item is its own
    let apart = "policy a {}\n    /// Stray.\n\n    /// Of b.\npolicy b {}\n";
    let ranges = chunk_ranges(apart);
    assert_eq!(&apart[ranges[1].0..ranges[1].1], "    /// Of b.\npolicy b {}\n");
}

/// Each broken statement of an item is reported, not only the first: the
/// entries after the first error are parsed alone. A body whose braces do
/// not balance cannot be outlined: its first error stands alone.
#[test]
fn every_broken_statement_of_an_item_is_reported() {
    let text = "policy p {\n    allow \"A\" { action [s3:GetObject; resource \"*\"; }\n    allow \"B\" { action s3:PutObject resource \"*\"; }\n    allow \"C\" { action [s3:GetObject]; resource \"*\"; }\n    allow \"D\" { action s3:ListBucket; resource \"*\" }\n}\npolicy q {\n    allow { action s3:GetObject; resource \"*\"; }\n}\n";
    let parsed = parse_file(text);
    let lines: Vec<usize> =
        parsed.errors.iter().map(|e| text[..e.span.start as usize].matches('\n').count() + 1).collect();
    assert_eq!(lines, [2, 3, 5], "{:?}", parsed.errors);
    // p is read without its three broken statements (its other one is
    // checked too), and q is still there
    let names: Vec<&str> = parsed.items.iter().map(|i| i.item.name().name.as_str()).collect();
    assert_eq!(names, ["p", "q"]);
    match &parsed.items[0].item.kind {
        pcl_syntax::ast::ItemKind::Policy(p) => assert_eq!(p.entries.len(), 1, "{:?}", p.entries),
        other => panic!("{other:?}"),
    }
    assert!(parsed.broken_names.contains(&"p".to_string()), "still counted as broken");
    let unbalanced = "policy p {\n    allow { action [s3:GetObject; resource \"*\";\n    allow { action s3:PutObject resource \"*\"; }\n}\n";
    assert_eq!(parse_file(unbalanced).errors.len(), 1, "{:?}", parse_file(unbalanced).errors);
}

/// A role's broken fields are reported each, and so are the later broken
/// entries of the `with condition` block the first error is in (found by
/// review: only the first was).
#[test]
fn every_broken_field_of_a_role_and_entry_of_a_block_is_reported() {
    let role = "role r {\n    trust service \"ec2.amazonaws.com\" path \"/x/\";\n    inlin p;\n    managed [\"a\" \"b\"];\n    inline p;\n}\n";
    let block = "policy q {\n    with condition StringEquals \"aws:RequestedRegion\" [\"us-east-1\"] {\n        allow \"C\" { actoin s3:GetObject; resource \"*\"; }\n        allow \"D\" { action s3:GetObject; resource \"*\"; }\n        allow \"E\" { action s3:GetObject; resourc \"*\"; }\n    }\n    allow \"F\" { action s3:GetObject resource \"*\"; }\n}\n";
    // the last field without its `;`: the earlier ones are still reported
    let last_unfinished = "role s {\n    pth \"/x/\";\n    managed [\"a\" when];\n    inline pol\n}\n";
    for (text, expected) in [(role, &[2, 3, 4][..]), (block, &[3, 5, 7][..]), (last_unfinished, &[2, 3, 4][..])] {
        let parsed = parse_file(text);
        let lines: Vec<usize> =
            parsed.errors.iter().map(|e| text[..e.span.start as usize].matches('\n').count() + 1).collect();
        assert_eq!(lines, expected, "{:?}", parsed.errors);
    }
}
