//! Edits that only move an item's spans (its doc comment, its layout):
//! the per-configuration checks of the items that read it do not run
//! again, watched through salsa's `WillExecute` events, and the analysis
//! is a fresh one's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_semantics::{RootDatabase, SourceFile, analyze_file};
use support::{analysed, checked, query_keys, take};

mod support;

/// Typing in a param's or feature's doc comment, or spacing out its
/// declaration, moves its spans only: that item is checked again, and no
/// policy's or role's per-configuration checks run (they read the params
/// and features placeless), at the first edit as at the next.
#[test]
fn an_edit_that_moves_a_params_spans_only_runs_no_per_configuration_check() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let (mut db, file, log, keys) = analysed(&text);
    let before = analyze_file(&db, file).diagnostics.clone();
    let cases = [
        ("/// AWS account", "account", "x", "account"),
        ("/// The cluster uses Amazon FSx", "FSx", "y", "fsx"),
        ("param region", "region:", " ", "region"),
    ];
    for (near, after, typed, item) in cases {
        for round in ["first", "next"] {
            type_after(&mut db, file, (near, after), typed);
            let analysis = analyze_file(&db, file);
            assert_eq!(analysis.diagnostics.len(), before.len(), "{item}, {round} edit");
            let events = take(&log);
            assert_eq!(checked(&events, &keys), [item], "{item}, {round} edit: {events:?}");
            let per_configuration = events.iter().filter(|e| e.starts_with("variant_findings")).count();
            assert_eq!(per_configuration, 0, "{item}, {round} edit: {events:?}");
        }
    }
}

/// Typing in the doc comment of a policy that roles attach or inline
/// changes none of what they read of it (its header is relative to its
/// name): that policy is checked again, and its per-configuration checks
/// run (its spans moved), but no role's, at the first edit as at the next.
#[test]
fn an_edit_of_a_policys_doc_comment_leaves_the_roles_that_use_it_alone() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let (mut db, file, log, keys) = analysed(&text);
    let variant_keys = query_keys(&db, file, "variant_findings");
    let before = analyze_file(&db, file).diagnostics.clone();
    let cases = [
        // attached by `user_role`
        ("/// Base user policy required", "x", "user_base"),
        // inlined by `head_node_role`
        ("/// Additional inline policy of the head", "y", "head_node"),
    ];
    for (near, typed, policy) in cases {
        for round in ["first", "next"] {
            let text = file.text(&db).clone();
            let at = text.find(near).unwrap() + near.len();
            file.splice_text(&mut db, at..at, typed).unwrap();
            let analysis = analyze_file(&db, file);
            assert_eq!(analysis.diagnostics.len(), before.len(), "{policy}, {round} edit");
            let mut fresh_db = RootDatabase::default();
            let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), file.text(&db).clone());
            assert_eq!(analysis.diagnostics, analyze_file(&fresh_db, fresh).diagnostics, "{policy}, {round} edit");
            let events = take(&log);
            assert_eq!(checked(&events, &keys), [policy], "{policy}, {round} edit: {events:?}");
            assert_eq!(checked(&events, &variant_keys), [policy], "{policy}, {round} edit: {events:?}");
        }
    }
}

/// Typing in a valueset's or actionset's doc comment moves its spans only:
/// the policies that splice it read it without its places (a closure's
/// members compare a set so), so that set is checked again and no policy's
/// or role's per-configuration checks run, at the first edit as at the
/// next. Spacing out its values moves them against its name: the first
/// edit lowers the set's body to LOW (the driver keeps it MEDIUM for a doc
/// comment only), and salsa then does not backdate the closures; the next
/// edit runs none. The diagnostics are
/// those of a fresh analysis after every edit.
#[test]
fn an_edit_that_moves_a_sets_spans_only_runs_no_per_configuration_check() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let (mut db, file, log, keys) = analysed(&text);
    let before = analyze_file(&db, file).diagnostics.clone();
    // (near, after, typed, item, whether the first edit runs no per-configuration check)
    let cases = [
        ("/// The roles", "roles", "x", "parallelcluster_roles", true),
        ("/// Read and write DynamoDB", "DynamoDB", "y", "dynamodb_item_rw", true),
        ("valueset parallelcluster_instance_profiles", "= [", " ", "parallelcluster_instance_profiles", false),
        ("actionset s3_read", "= [", " ", "s3_read", false),
    ];
    for (near, after, typed, item, first_too) in cases {
        for round in ["first", "next"] {
            type_after(&mut db, file, (near, after), typed);
            let analysis = analyze_file(&db, file);
            let mut fresh_db = RootDatabase::default();
            let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), file.text(&db).clone());
            assert_eq!(analysis.diagnostics, analyze_file(&fresh_db, fresh).diagnostics, "{item}, {round} edit");
            assert_eq!(analysis.diagnostics.len(), before.len(), "{item}, {round} edit");
            let events = take(&log);
            assert_eq!(checked(&events, &keys), [item], "{item}, {round} edit: {events:?}");
            let per_configuration = events.iter().filter(|e| e.starts_with("variant_findings")).count();
            if round == "next" || first_too {
                assert_eq!(per_configuration, 0, "{item}, {round} edit: {events:?}");
            }
        }
    }
}

/// Types `typed` right after the first `after` that follows `near`.
fn type_after(db: &mut RootDatabase, file: SourceFile, (near, after): (&str, &str), typed: &str) {
    let text = file.text(db).clone();
    let from = text.find(near).unwrap();
    let at = from + text[from..].find(after).unwrap() + after.len();
    file.splice_text(db, at..at, typed).unwrap();
}

/// The findings a set brings into the policies that splice it (here an
/// action of an actionset that acts on no resource of the statements) are
/// placed in those policies: typing in the set's doc comment, above them,
/// moves them with the text, although the policies' checks do not run
/// again, and the whole analysis is a fresh one's, at every keystroke.
#[test]
fn a_finding_a_set_brings_moves_with_the_text_when_its_doc_comment_is_typed_in() {
    let text = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";

/// Reads.
actionset reads = [dynamodb:GetItem, s3:GetObject];

policy table {
    allow "Table" { action [@reads, dynamodb:Query]; resource "arn:${partition}:dynamodb:*:${account}:table/t"; }
}
"#;
    let (mut db, file, log, _) = analysed(text);
    let warning = |db: &RootDatabase| {
        let found = &analyze_file(db, file).diagnostics;
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].span.start
    };
    let before = warning(&db);
    for (n, typed) in "ab c".chars().enumerate() {
        type_after(&mut db, file, ("/// Reads", "Reads"), &typed.to_string());
        assert_eq!(warning(&db), before + n as u32 + 1, "keystroke {n}");
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), file.text(&db).clone());
        assert_eq!(*analyze_file(&db, file), *analyze_file(&fresh_db, fresh), "keystroke {n}");
        let events = take(&log);
        let per_configuration = events.iter().filter(|e| e.starts_with("variant_findings")).count();
        assert_eq!(per_configuration, 0, "keystroke {n}: {events:?}");
    }
}
