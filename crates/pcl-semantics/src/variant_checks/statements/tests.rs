//! How often statements are rendered: once per distinct value of what they read.
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use super::RENDERED;
use crate::{RootDatabase, SourceFile, analyze_file};

const POLICY: &str = r#"param partition: partition = "aws";
feature f: bool = false;
policy p {
allow "A" { action [s3:GetObject]; resource "arn:aws:s3:::a/*"; }
allow "B" when f { action [s3:GetObject]; resource "arn:aws:s3:::b/*"; }
with condition StringEquals "aws:RequestedRegion" ["us-east-1"] {
    allow "C" { action [s3:GetObject]; resource "arn:aws:s3:::c/*"; }
}
}
role r { trust service ["ec2.amazonaws.com"]; inline p; }
"#;

/// The same statement in a policy and in a permset it includes, at the
/// same place in each item: each found by the other's content (a
/// review found the policy's findings counted twice and the permset's
/// lost, and a debug build panicking), before and after an edit that
/// moves one of them.
#[test]
fn a_statement_found_by_another_in_use_keeps_its_own_findings() {
    let text = "permset q {\n    allow { action [s3:*]; resource \"*\"; }\n}\npolicy pp {\n    allow { action [s3:*]; resource \"*\"; }\n    include q;\n}\n";
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "q.pcl".into(), text.into());
    let fresh = |text: &str| {
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "q.pcl".into(), text.into());
        analyze_file(&db, file).diagnostics.clone()
    };
    let expected = fresh(text);
    assert_eq!(expected.iter().filter(|d| d.code == crate::Code::LeastPrivilege).count(), 2, "{expected:?}");
    assert_eq!(analyze_file(&db, file).diagnostics, expected);
    let at = text.find("policy pp {\n").unwrap() + "policy pp {\n".len();
    assert!(file.splice_text(&mut db, at..at, " ").is_ok());
    let moved = format!("{} {}", &text[..at], &text[at..]);
    assert_eq!(analyze_file(&db, file).diagnostics, fresh(&moved));
    assert!(file.splice_text(&mut db, at..at + 1, "").is_ok());
    assert_eq!(analyze_file(&db, file).diagnostics, expected);
}

/// An edit inside a policy's statement, in a file opened to edit,
/// renders that statement again, not the others, though the edit made
/// all of the policy's IR new and moved those after it; their findings
/// (each statement hard-codes a partition) move with them, where a
/// fresh analysis finds them. An edit of a block's condition renders
/// the statement inside it again.
#[test]
fn an_edit_inside_a_policy_renders_again_its_edited_statement_only() {
    // nothing forgotten along the test (it is, every 7 renderings, in
    // the other unit tests)
    super::known::keep_at_most(1024);
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "p.pcl".into(), POLICY.into());
    RENDERED.with(|n| n.set(0));
    // each statement's hard-coded partition
    assert_eq!(analyze_file(&db, file).diagnostics.len(), 3, "{:?}", analyze_file(&db, file).diagnostics);
    // A, B (when f holds) and C, once each
    assert_eq!(RENDERED.with(std::cell::Cell::get), 3);
    let mut text = POLICY.to_string();
    let edits: [(&str, &str, usize); 4] = [
        ("allow \"A\" { action [", "s3:PutObject, ", 1),
        ("allow \"A\" { action [", "s3:DeleteObject, ", 1),
        ("[\"us-east-1", "\", \"us-west-2", 1),
        ("allow \"B\" when f { action [", "s3:PutObject, ", 1),
    ];
    for (step, (after, inserted, rendered)) in edits.into_iter().enumerate() {
        let Some(at) = text.find(after).map(|at| at + after.len()) else { panic!("{after} is in the text") };
        RENDERED.with(|n| n.set(0));
        assert!(file.splice_text(&mut db, at..at, inserted).is_ok(), "step {step}");
        text.insert_str(at, inserted);
        let diagnostics = analyze_file(&db, file).diagnostics.clone();
        assert_eq!(RENDERED.with(std::cell::Cell::get), rendered, "step {step}");
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "p.pcl".into(), text.clone());
        assert_eq!(diagnostics, analyze_file(&fresh_db, fresh).diagnostics, "step {step}");
        assert_eq!(diagnostics.len(), 3, "step {step}");
    }
}

/// Renderings are kept by pass and partition, each valid while the
/// params it reads keep their values: an edit of a param only a name
/// reads renders no statement again; one a statement reads (in its
/// text, through a set, in a guard) renders it again, as a fresh
/// analysis finds it. The policy is also rendered with `mode` at a value
/// its guard compares or another (`alternatives`): an edit renders a
/// reader under both, and each new such value all 3 statements once.
#[test]
fn a_param_edit_renders_again_the_statements_that_read_it() {
    super::known::keep_at_most(1024);
    let text = "param partition: partition = \"aws\";\nparam prefix: string = \"A\";\nparam bucket: string = \"b\";\nparam mode: string = \"m\";\nvalueset buckets = [\"arn:aws:s3:::${bucket}\"];\npolicy p {\n    name \"${prefix}P\";\n    allow { action [s3:GetObject]; resource [@buckets]; }\n    allow { action [s3:PutObject]; resource [\"arn:aws:s3:::x\" when mode == \"m\"]; }\n    allow { action [s3:ListBucket]; resource \"arn:aws:s3:::y\"; }\n}\n";
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "p.pcl".into(), text.into());
    analyze_file(&db, file);
    let mut current = text.to_string();
    for (from, to, rendered) in [
        ("= \"A\"", "= \"AB\"", 0),
        ("= \"b\"", "= \"bc\"", 1 + 1),
        ("= \"m\"", "= \"n\"", 1 + 3),
        ("= \"bc\"", "= \"bcd\"", 1 + 1),
    ] {
        let at = current.find(from).unwrap();
        RENDERED.with(|n| n.set(0));
        assert!(file.splice_text(&mut db, at..at + from.len(), to).is_ok(), "{from}");
        current.replace_range(at..at + from.len(), to);
        let diagnostics = analyze_file(&db, file).diagnostics.clone();
        assert_eq!(RENDERED.with(std::cell::Cell::get), rendered, "{from} -> {to}");
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "p.pcl".into(), current.clone());
        assert_eq!(diagnostics, analyze_file(&fresh_db, fresh).diagnostics, "{from} -> {to}");
    }
}
