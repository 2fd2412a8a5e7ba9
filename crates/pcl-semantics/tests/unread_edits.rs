//! Edits of what some queries leave out of their view (a constraint's
//! message, doc comments and expectations, a param's default and
//! placeholder: `Declaration::declares_same`, `messageless_program`,
//! `closure_configuring`) equal a fresh analysis of the same text, in a
//! file opened to edit and in one opened for one check, findings that
//! quote them and all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

mod fresh;

use fresh::fresh_analysis;
use pcl_semantics::{Code, RootDatabase, SourceFile, analyze_file};

const SOURCE: &str = r#"
/// The partition.
param partition: partition = "aws";
/// The account.
param account: account placeholder "<AWS ACCOUNT ID>";
/// The secret.
param secret: string placeholder "<SECRET>";
/// A target.
param target: arn = "arn:aws:s3:::bucket/key";
param opt: string? ;
feature fsx: bool = false;
feature batch: bool = false;
feature with_secret = secret and fsx;
/// Not both.
constraint one: not (fsx and batch) else "fsx or batch";
constraint two: not (batch and secret) else "batch needs no secret";
policy secrets when secret {
    allow { action secretsmanager:GetSecretValue; resource "arn:${partition}:secretsmanager:*:${account}:secret:${secret}"; }
}
policy p when with_secret {
    allow { action s3:GetObject; resource "${target}"; }
}
policy q {
    allow { action s3:GetObject; resource "${target}"; }
}
role r {
    trust service "ec2.amazonaws.com";
    inline p;
    attach secrets;
}
"#;

/// An edit: what it does, the whole text after it, and a code expected
/// present (`true`) or absent after it, if any.
type Edit = (&'static str, String, Option<(Code, bool)>);

/// The edits of a small file, in turn.
fn edits() -> Vec<Edit> {
    let broken =
        SOURCE.replace("fsx: bool = false", "fsx: bool = true").replace("batch: bool = false", "batch: bool = true");
    let wrong_arn = "arn:aws:ec2:us-east-1:111122223333:instance/i";
    vec![
        ("message", SOURCE.replace("\"fsx or batch\"", "\"fsx or batch, not both\""), None),
        ("message back", SOURCE.to_string(), None),
        ("broken defaults", broken.clone(), Some((Code::ConstraintViolated, true))),
        ("broken, message", broken.replace("\"fsx or batch\"", "\"NOT BOTH\""), Some((Code::ConstraintViolated, true))),
        (
            "broken, message 2",
            broken.replace("\"batch needs no secret\"", "\"no secret\""),
            Some((Code::ConstraintViolated, true)),
        ),
        ("broken, message interpolated", broken.replace("\"fsx or batch\"", "\"${secret} x\""), None),
        ("back", SOURCE.to_string(), None),
        ("message interpolated", SOURCE.replace("\"fsx or batch\"", "\"${secret} x\""), None),
        ("back 2", SOURCE.to_string(), None),
        ("constraint docs", SOURCE.replace("/// Not both.", "/// Not both, ever."), None),
        ("constraint docs gone", SOURCE.replace("/// Not both.\n", ""), None),
        ("param docs", SOURCE.replace("/// The secret.", "/// The secret's name."), None),
        ("param docs 2", SOURCE.replace("/// The account.", "/// The AWS account."), None),
        ("param expect", SOURCE.replace("/// The secret.\n", "/// The secret.\nexpect W0509 \"kept\"\n"), None),
        ("back 3", SOURCE.to_string(), None),
        ("account placeholder a b", SOURCE.replace("<AWS ACCOUNT ID>", "a b"), None),
        ("account placeholder back", SOURCE.to_string(), None),
        ("secret placeholder", SOURCE.replace("<SECRET>", "<THE SECRET>"), None),
        ("secret placeholder bad", SOURCE.replace("<SECRET>", "a:b/c d"), None),
        ("secret placeholder empty", SOURCE.replace("\"<SECRET>\"", "\"\""), None),
        ("back 4", SOURCE.to_string(), None),
        (
            "target default wrong",
            SOURCE.replace("arn:aws:s3:::bucket/key", wrong_arn),
            Some((Code::ActionResourceMismatch, true)),
        ),
        (
            "target default other wrong",
            SOURCE.replace("arn:aws:s3:::bucket/key", "arn:aws:ec2:us-east-1:111122223333:volume/v"),
            Some((Code::ActionResourceMismatch, true)),
        ),
        ("target default right", SOURCE.to_string(), Some((Code::ActionResourceMismatch, false))),
        ("target default to placeholder", SOURCE.replace("= \"arn:aws:s3:::bucket/key\"", "placeholder \"<T>\""), None),
        (
            "target placeholder wrong",
            SOURCE.replace("= \"arn:aws:s3:::bucket/key\"", &format!("placeholder \"{wrong_arn}\"")),
            None,
        ),
        (
            "target placeholder right",
            SOURCE.replace("= \"arn:aws:s3:::bucket/key\"", "placeholder \"arn:aws:s3:::b/k\""),
            None,
        ),
        ("back 5", SOURCE.to_string(), None),
        ("opt default", SOURCE.replace("param opt: string? ;", "param opt: string? = \"x\";"), None),
        ("opt placeholder", SOURCE.replace("param opt: string? ;", "param opt: string? placeholder \"<O>\";"), None),
        ("back 6", SOURCE.to_string(), None),
    ]
}

/// `edits` made in turn to a file opened with `start` (to edit, or for one
/// check), each analysis compared with a fresh one.
fn walk(start: &str, edits: &[Edit], to_edit: bool) {
    let mut db = RootDatabase::default();
    let file = match to_edit {
        true => SourceFile::open_to_edit(&mut db, "f.pcl".into(), start.to_string()),
        false => SourceFile::open(&mut db, "f.pcl".into(), start.to_string()),
    };
    analyze_file(&db, file);
    for (label, text, expected) in edits {
        file.replace_text(&mut db, text.clone());
        let mine = analyze_file(&db, file).clone();
        let theirs = fresh_analysis("f.pcl", text.clone());
        assert_eq!(mine.diagnostics, theirs.diagnostics, "{label} (to_edit {to_edit})");
        assert_eq!(mine, theirs, "{label} (to_edit {to_edit}): analyses");
        if let Some((code, present)) = expected {
            let found = mine.diagnostics.iter().any(|d| d.code == *code);
            assert_eq!(found, *present, "{label}: {:?}", mine.diagnostics);
        }
    }
}

/// A small file: messages (one that breaks, one interpolated), doc
/// comments, an expectation, placeholders and defaults that make findings
/// and take them away.
#[test]
fn edits_of_messages_docs_and_param_values_equal_a_fresh_analysis() {
    let edits = edits();
    for to_edit in [true, false] {
        walk(SOURCE, &edits, to_edit);
    }
}

/// `policies.pcl`: every doc comment of a param, feature or constraint,
/// the constraint's message (kept and broken), `account`'s placeholder.
#[test]
fn edits_of_the_pages_docs_messages_and_placeholder_equal_a_fresh_analysis() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let mut edits = Vec::new();
    let mut edited = page.clone();
    // every doc comment line of params, features and the constraint, and the message
    let lines: Vec<&str> = page.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or("");
        let configuring = ["param ", "feature ", "constraint "].iter().any(|k| next.starts_with(k));
        if line.starts_with("///") && configuring {
            edited = edited.replacen(line, &format!("{line} X"), 1);
            edits.push(("doc", edited.clone(), None));
        }
    }
    edited = edited.replace("else \"restricted IAM", "else \"Restricted IAM");
    edits.push(("message", edited.clone(), None));
    // defaults that break the constraint, then its message edited
    let broken = edited.replace("= privileged;", "= restricted;").replace("} = slurm;", "} = awsbatch;");
    assert_ne!(broken, edited);
    edits.push(("broken", broken.clone(), Some((Code::ConstraintViolated, true))));
    edits.push((
        "broken message",
        broken.replace("else \"Restricted IAM", "else \"IAM"),
        Some((Code::ConstraintViolated, true)),
    ));
    // a placeholder that yields a finding: an account that is none
    edits.push(("account", edited.replace("<AWS ACCOUNT ID>", "a b"), Some((Code::ArnPartition, true))));
    edits.push(("back", page.clone(), Some((Code::ArnPartition, false))));
    assert!(edits.len() >= 10, "{}", edits.len());
    for to_edit in [true, false] {
        walk(&page, &edits, to_edit);
    }
}
