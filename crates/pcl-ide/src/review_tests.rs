//! Fixture tests of rename and hover, most from a review that drove the
//! server as an editor does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use super::tests::{BASE, FILE, at, host};
use super::*;

/// Asked before the editor prompts for a new name: the name at the cursor
/// and its span (a use's without its `@` or `${`), or the reason `rename`
/// would refuse.
#[test]
fn prepare_rename_answers_what_rename_would_rename() {
    let (h, offset, text) = host(&at(BASE, "head_node {"));
    let (span, name) = h.prepare_rename(FILE, offset).unwrap();
    assert_eq!((name.as_str(), &text[span.start as usize..span.end as usize]), ("head_node", "head_node"));
    let use_at = text.find("inline head_node").unwrap() + "inline ".len() + 2;
    let (span, name) = h.prepare_rename(FILE, use_at).unwrap();
    assert_eq!(name, "head_node");
    assert_eq!(span.start as usize, text.find("inline head_node").unwrap() + "inline ".len());
    assert_eq!(h.prepare_rename(FILE, 0), Err(RenameError::NothingToRename));
    let spliced = "actionset reads = [s3:GetObject];\npolicy p { allow { action [@reads]; resource \"*\"; } }\n";
    let mut h = AnalysisHost::new();
    h.set_text(FILE, spliced.to_string());
    let (span, _) = h.prepare_rename(FILE, spliced.find("@reads").unwrap() + 3).unwrap();
    assert_eq!(&spliced[span.start as usize..span.end as usize], "reads", "without the `@`");
    // an unknown name: nothing of this file to rename
    let unknown = "policy p { allow { action [@nope]; resource \"*\"; } }\n";
    h.set_text(FILE, unknown.to_string());
    assert_eq!(h.prepare_rename(FILE, unknown.find("nope").unwrap()), Err(RenameError::NothingToRename));
}

/// Found by a review that drove the server as an editor does: a rename
/// that a `for` variable would capture, one while the file does not parse
/// (uses in the broken text were left), and one of a second declaration of
/// a name (it renamed the first and its uses instead).
#[test]
fn renames_that_would_change_the_meaning_are_refused_or_narrowed() {
    let text = "param partition: partition = \"aws\";\nparam buckets: list<arn(s3:bucket, \"*\")> = [\"*\"];\nparam prefix: string = \"pre\";\npolicy fsx {\n    allow \"S3\" {\n        action [s3:GetObject];\n        resource [buckets, \"${b}/${prefix}*\" for b in buckets];\n    }\n}\n";
    let mut h = AnalysisHost::new();
    h.set_text(FILE, text.to_string());
    let on_prefix = text.find("prefix:").unwrap();
    assert_eq!(h.rename(FILE, on_prefix, "b"), Err(RenameError::Captured { name: "b".into(), line: 7 }));
    assert_eq!(h.rename(FILE, on_prefix, "bucket_prefix").map(|e| e.len()), Ok(2));

    let broken = format!("{text}policy other {{\n    allow {{ action s3:Get\n}}\n");
    h.set_text(FILE, broken.clone());
    assert_eq!(h.rename(FILE, on_prefix, "p2"), Err(RenameError::Unparsed { line: 11 }));
    assert_eq!(h.prepare_rename(FILE, on_prefix), Err(RenameError::Unparsed { line: 11 }));
    // lines that end in a lone `\r` (or `\r\n`) are counted as the
    // diagnostics count them (the refusal named line 1)
    for end in ["\r", "\r\n"] {
        h.set_text(FILE, broken.replace('\n', end));
        assert_eq!(h.rename(FILE, on_prefix, "p2"), Err(RenameError::Unparsed { line: 11 }), "{end:?}");
    }

    let twice = "policy compute { allow { action s3:GetObject; resource \"*\"; } }\npolicy compute { allow { action s3:PutObject; resource \"*\"; } }\nrole r { path \"/\"; trust service \"ec2.amazonaws.com\"; inline compute; }\n";
    h.set_text(FILE, twice.to_string());
    let second = twice.rfind("policy compute").unwrap() + "policy ".len();
    let edits = h.rename(FILE, second + 2, "compute_v2").unwrap();
    assert_eq!(edits, [(Span::new(second, second + "compute".len()), "compute_v2".to_string())]);
    assert_eq!(h.definition(FILE, second + 2), Some(Span::new(second, second + "compute".len())));
    let (span, _) = h.prepare_rename(FILE, second + 2).unwrap();
    assert_eq!(span.start as usize, second, "the range shown is the one renamed");
}

/// A valueset's hover shows its values, not its doc comment's words after
/// a `valueset` and an `=` (found by review).
#[test]
fn a_valueset_hover_reads_past_its_doc_comment() {
    let text = "/// Principals: each valueset entry = one service.\nvalueset principals = [\"ec2.amazonaws.com\", \"lambda.amazonaws.com\"];\n";
    let mut h = AnalysisHost::new();
    h.set_text(FILE, text.to_string());
    let hover = h.hover(FILE, text.find("principals =").unwrap() + 2).unwrap();
    assert!(hover.markdown.contains("Values: [\"ec2.amazonaws.com\", \"lambda.amazonaws.com\"]"), "{}", hover.markdown);
}
