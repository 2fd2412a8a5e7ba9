//! Incrementality of edits to params, features and constraints, watched
//! through salsa's `WillExecute` events or compared with a fresh analysis:
//! a param's guard, default or placeholder, a constraint's message, a
//! feature that becomes a param. Edits of policies, sets and roles:
//! `incremental.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::sync::{Arc, Mutex};

use pcl_semantics::{ExecutionLog, RootDatabase, SourceFile, analyze_file};
use support::{analysed, check_item_keys, checked, query_keys, take};

mod support;

/// Editing a guard that compares a param (`when region != "*"`) re-checks
/// only the item it is in. Changing the param's default re-checks only the
/// param's declaration (a default is not a signature: the symbol table is
/// unchanged), and re-runs the per-configuration checks of the items that
/// read the param only (`db::configs_over`).
#[test]
fn incremental_param_guard_rechecks_only_its_users() {
    let source = r#"
param region: region = "*";
policy user_base {
    with condition StringEquals "aws:RequestedRegion" [region] when region != "*" {
        allow "EC2Read" { action ec2:Describe*; resource "*"; }
    }
}
policy compute {
    allow { action dynamodb:Query; resource "*"; }
}
policy other {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.into());
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let keys = check_item_keys(&db, file);
    let variant_keys = query_keys(&db, file, "variant_findings");
    take(&log);

    let edited = source.replace(r#"when region != "*""#, r#"when region != "*" and region != "us-east-1""#);
    file.replace_text(&mut db, edited.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let events = take(&log);
    assert_eq!(checked(&events, &keys), ["user_base"], "events: {events:?}");
    assert_eq!(checked(&events, &variant_keys), ["user_base"], "events: {events:?}");

    let edited = edited.replace(r#"param region: region = "*";"#, r#"param region: region = "eu-west-1";"#);
    file.replace_text(&mut db, edited);
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let events = take(&log);
    assert_eq!(checked(&events, &keys), ["region"], "events: {events:?}");
    // the symbol table reads only that there is a default: not built again
    assert!(!events.iter().any(|e| e.starts_with("symbols(")), "events: {events:?}");
    // the policies that do not read `region` see the same configurations
    assert_eq!(checked(&events, &variant_keys), ["user_base"], "events: {events:?}");
}

/// An edit of an opaque placeholder's text (`<SECRET>`) re-checks the param
/// alone: the configurations hold its stand-in (`ir::placeholders`), and so
/// do the guards that test whether it has a value (`when secret`). No
/// closure is walked again, no per-configuration check runs again and no
/// feature assignment is decided again. A placeholder that is not opaque is
/// checked as a value: the per-configuration checks of the items that read
/// the param run again, and only those.
#[test]
fn a_placeholder_edit_reruns_only_what_reads_the_param() {
    let source = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
param secret: string placeholder "<SECRET>";
feature fsx: bool = false;
policy secrets when secret {
    allow { action secretsmanager:GetSecretValue; resource "arn:${partition}:secretsmanager:*:${account}:secret:${secret}"; }
}
policy compute {
    allow { action dynamodb:Query; resource "arn:${partition}:dynamodb:*:${account}:table/x"; }
}
policy other when fsx {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let (mut db, file, log, keys) = analysed(source);
    let variant_keys = query_keys(&db, file, "variant_findings");
    let closure_keys = query_keys(&db, file, "closure_members");
    for placeholder in ["<SECRET NAME>", "<THE SECRET>"] {
        file.replace_text(&mut db, source.replace("<SECRET>", placeholder));
        assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
        let events = take(&log);
        assert_eq!(checked(&events, &keys), ["secret"], "events: {events:?}");
        assert_eq!(checked(&events, &variant_keys), [] as [&str; 0], "events: {events:?}");
        assert!(!events.iter().any(|e| e.starts_with("feature_assignments")), "events: {events:?}");
        assert_eq!(checked(&events, &closure_keys), [] as [&str; 0], "events: {events:?}");
    }
    // `account`, which two policies read: a placeholder that is not one in
    // form (`<...>`) is checked as a value, and its finding comes and goes
    let edited = source.replace("<SECRET>", "<THE SECRET>");
    for (placeholder, found) in [("a b", true), ("<ACCOUNT>", false)] {
        file.replace_text(&mut db, edited.replace("<AWS ACCOUNT ID>", placeholder));
        let diagnostics = &analyze_file(&db, file).diagnostics;
        assert_eq!(diagnostics.iter().any(|d| d.code == pcl_semantics::Code::ArnPartition), found, "{diagnostics:?}");
        let events = take(&log);
        assert_eq!(checked(&events, &keys), ["account"], "events: {events:?}");
        assert_eq!(checked(&events, &variant_keys), ["compute", "secrets"], "events: {events:?}");
    }
}

/// An edit of a constraint's message re-checks the constraint only, and
/// decides no feature assignment again: the message is what a broken
/// constraint says, which deciding them does not read.
#[test]
fn a_constraint_message_edit_decides_no_assignment_again() {
    let source = r#"
feature fsx: bool = false;
feature batch: bool = false;
constraint one: not (fsx and batch) else "fsx or batch";
policy p when fsx {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
policy q when batch {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let (mut db, file, log, keys) = analysed(source);
    file.replace_text(&mut db, source.replace("\"fsx or batch\"", "\"fsx or batch, not both\""));
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let events = take(&log);
    assert_eq!(checked(&events, &keys), ["one"], "events: {events:?}");
    // nothing but the constraints' verdicts reads a message: the symbol
    // table, the configurations and the closures are not made again
    for unread in ["feature_assignments", "symbols", "check_configs", "default_config", "closure_members"] {
        assert!(!events.iter().any(|e| e.starts_with(&format!("{unread}("))), "{unread} ran: {events:?}");
    }
    // defaults that break the constraint: what it says follows the edit
    let broken =
        source.replace("fsx: bool = false", "fsx: bool = true").replace("batch: bool = false", "batch: bool = true");
    for message in ["fsx or batch", "not both"] {
        file.replace_text(&mut db, broken.replace("fsx or batch", message));
        let diagnostics = &analyze_file(&db, file).diagnostics;
        let said = diagnostics.iter().filter(|d| d.code == pcl_semantics::Code::ConstraintViolated);
        let labels: Vec<_> = said.filter_map(|d| d.label.clone()).collect();
        assert_eq!(labels, [message], "{diagnostics:?}");
    }
}

/// A derived feature that tests a param's presence (`regional = region and
/// ...` in `policies.pcl`) holds the param's stand-in in its condition, not
/// its placeholder's text: an edit of an opaque placeholder re-checks the
/// param alone. One that makes the placeholder a value to check (text
/// around its `<...>`) re-checks the feature and the items that name it,
/// not every item.
#[test]
fn a_placeholder_edit_rechecks_the_items_that_name_a_derived_feature_testing_it() {
    let source = r#"
param secret: string placeholder "<SECRET>";
feature fsx: bool = false;
feature with_secret = secret and fsx;
policy derived when with_secret {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
policy other when fsx {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
policy plain {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let (mut db, file, log, keys) = analysed(source);
    file.replace_text(&mut db, source.replace("<SECRET>", "<THE SECRET>"));
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let events = take(&log);
    assert_eq!(checked(&events, &keys), ["secret"], "events: {events:?}");
    file.replace_text(&mut db, source.replace("<SECRET>", "secret-<NAME>"));
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let events = take(&log);
    assert_eq!(checked(&events, &keys), ["derived", "secret", "with_secret"], "events: {events:?}");
}

/// A feature a statement's guard reads that becomes a param, then changes
/// value: the statement is rendered again, as a fresh analysis renders it
/// (a review found its kept rendering still used, the param's value unread).
#[test]
fn a_feature_that_becomes_a_param_renders_its_readers_again() {
    let feature = "param partition: partition = \"aws\";\nfeature m: enum { a, zz } = a;\npolicy p { allow { action s3:GetObject; resource [\"arn:${partition}:s3:::x\", \"arn:aws:s3:::y\" when m == zz]; } }\n";
    let as_param = feature.replace("feature m: enum { a, zz } = a;", "param m: string = \"a\";");
    let changed = as_param.replace("= \"a\"", "= \"zz\"");
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "p.pcl".into(), feature.into());
    analyze_file(&db, file);
    for text in [as_param, changed] {
        file.replace_text(&mut db, text.clone());
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "p.pcl".into(), text.clone());
        assert_eq!(analyze_file(&db, file).diagnostics, analyze_file(&fresh_db, fresh).diagnostics, "{text}");
    }
    let last = analyze_file(&db, file);
    assert!(last.diagnostics.iter().any(|d| d.code == pcl_semantics::Code::ArnPartition), "{:?}", last.diagnostics);
}

/// A param's default edited to another value: the symbol table is kept
/// (it reads only that there is one), but what the value decides is found
/// again. Here W0512 holds while `region` is `*` (its pattern then covers
/// the other ARN) or `eu-west-1` (the same ARN twice), not while it is
/// `us-east-1`: after each edit, as a fresh analysis finds it.
#[test]
fn a_default_edited_to_another_value_is_judged_by_its_new_value() {
    let with = |region: &str| {
        format!(
            r#"
param partition: partition = "aws";
param region: region = "{region}";
policy p {{
    allow {{ action ec2:StartInstances; resource ["arn:${{partition}}:ec2:${{region}}:*:instance/*", "arn:${{partition}}:ec2:eu-west-1:*:instance/*"]; }}
}}
"#
        )
    };
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), with("*"));
    let codes = |db: &RootDatabase| -> Vec<String> {
        analyze_file(db, file).diagnostics.iter().map(|d| format!("{} {}", d.code.as_str(), d.message)).collect()
    };
    let fresh = |text: String| -> Vec<String> {
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text);
        analyze_file(&db, file).diagnostics.iter().map(|d| format!("{} {}", d.code.as_str(), d.message)).collect()
    };
    assert!(codes(&db).iter().any(|c| c.starts_with("W0512")), "{:?}", codes(&db));
    for region in ["us-east-1", "eu-west-1", "*"] {
        file.replace_text(&mut db, with(region));
        assert_eq!(codes(&db), fresh(with(region)), "region = {region}");
    }
    file.replace_text(&mut db, with("us-east-1"));
    assert!(!codes(&db).iter().any(|c| c.starts_with("W0512")), "{:?}", codes(&db));
}
