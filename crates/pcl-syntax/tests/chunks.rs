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
    assert_eq!(parsed.items[0].item.docs, vec!["The policy.".to_string()]);
}
