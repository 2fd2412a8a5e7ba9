//! Proves salsa's incrementality by watching `WillExecute` events: editing
//! one item re-parses (`parse_chunk`) and re-checks (`check_item`) that item
//! only. Edits that only move an item's spans: `moved_spans.rs`; edits of
//! params, features and constraints: `incremental_configuring.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::sync::{Arc, Mutex};

use pcl_semantics::{ExecutionLog, RootDatabase, SourceFile, analyze_file, file_items};
use salsa::plumbing::AsId;
use support::{analysed, check_item_keys, checked, query_keys, take};

mod support;

const BEFORE: &str = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature fsx: bool = false;

policy user_base {
    allow "EC2Read" { action ec2:Describe*; resource "*"; }
}

policy user_fsx when fsx {
    allow "FSx" { action ["fsx:*"]; resource ["arn:${partition}:fsx:*:${account}:*"]; }
}

policy compute {
    allow { action dynamodb:Query; resource "arn:${partition}:dynamodb:*:${account}:table/parallelcluster-*"; }
}
"#;

#[test]
fn incremental_edit_of_one_policy_rechecks_only_that_policy() {
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), BEFORE.into());

    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let keys = check_item_keys(&db, file);
    let first = take(&log);
    assert_eq!(checked(&first, &keys), ["account", "compute", "fsx", "partition", "user_base", "user_fsx"]);
    // the event names of the per-configuration checks are the ones watched
    // below; they run for policies and roles only
    let variant_keys = query_keys(&db, file, "variant_findings");
    assert_eq!(checked(&first, &variant_keys), ["compute", "user_base", "user_fsx"]);

    // Nothing changed: nothing re-executes.
    analyze_file(&db, file);
    assert!(take(&log).is_empty());

    // Edit the body of `user_fsx` (this also shifts `compute`).
    let edited = BEFORE.replace(r#"action ["fsx:*"]"#, r#"action ["fsx:Create*", "fsx:Describe*"]"#);
    file.replace_text(&mut db, edited);
    let analysis = analyze_file(&db, file);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let second = take(&log);
    assert_eq!(checked(&second, &keys), ["user_fsx"], "events: {second:?}");
    // The per-configuration checks (empty lists, Sids) of the other policies
    // did not re-run either.
    assert_eq!(checked(&second, &variant_keys), ["user_fsx"], "events: {second:?}");
    // Only the edited item's chunk is parsed again; the others' parses are
    // reused (they are memoized by their text, wherever they moved).
    let parsed: Vec<&String> = second.iter().filter(|e| e.starts_with("parse_chunk")).collect();
    assert_eq!(parsed.len(), 1, "events: {second:?}");
    let chunks = pcl_syntax::chunk_ranges(BEFORE).len();
    assert_eq!(first.iter().filter(|e| e.starts_with("parse_chunk")).count(), chunks, "every chunk at first");
    // The params, features and constraints the per-configuration checks read
    // are one value, unchanged by a policy's edit: not computed again.
    assert!(first.iter().any(|e| e.starts_with("configuring_items")), "events: {first:?}");
    assert!(!second.iter().any(|e| e.starts_with("configuring_items")), "events: {second:?}");
    // Nor is the symbol table: the edited policy's declaration (its name and
    // kind) is unchanged.
    assert!(first.iter().any(|e| e.starts_with("symbols")), "events: {first:?}");
    assert!(!second.iter().any(|e| e.starts_with("symbols")), "events: {second:?}");
    // Nor is the index of items by name: it reads no AST.
    assert!(first.iter().any(|e| e.starts_with("item_index")), "events: {first:?}");
    assert!(!second.iter().any(|e| e.starts_with("item_index")), "events: {second:?}");
    // The file-level analysis itself does re-run, and is cheap.
    assert!(second.iter().any(|e| e.starts_with("analyze_file")));
}

#[test]
fn incremental_insert_above_keeps_item_identity() {
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), BEFORE.into());
    analyze_file(&db, file);
    let before = check_item_keys(&db, file);

    // A new item before the others. It adds a name to the symbol table, so
    // the items are re-checked, but they keep their identity (their name,
    // not their position), and so their memoized state.
    let edited = format!("policy lambda {{ allow {{ action ec2:DescribeInstances; resource \"*\"; }} }}\n{BEFORE}");
    file.replace_text(&mut db, edited);
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let mut after = check_item_keys(&db, file);
    assert!(after.remove("lambda").is_some());
    assert_eq!(before, after);
}

#[test]
fn incremental_signature_change_rechecks_users() {
    let (mut db, file, log, keys) = analysed(BEFORE);

    // Changing a feature's domain changes the symbol table, so every item is
    // re-checked (the table is shared); diagnostics follow the change.
    let edited = BEFORE.replace("feature fsx: bool = false;", "feature fsx: enum { lustre, ontap } = lustre;");
    file.replace_text(&mut db, edited);
    let analysis = analyze_file(&db, file);
    assert!(analysis.diagnostics.iter().any(|d| d.code == pcl_semantics::Code::WrongKind));
    let events = take(&log);
    assert!(checked(&events, &keys).contains(&"user_fsx".to_string()));
}

/// Editor edits that add an item and rename one: only the new or renamed
/// item's chunk is parsed again; the others' parses are reused, and so are
/// the other items' checks (the symbol table changed, but not what they read
/// of it: `name_facts`) and the other policies' per-configuration checks
/// (the costliest part of an analysis: the file's index changed, but not
/// what they read of it, `closure_members`).
#[test]
fn incremental_add_and_rename_reparse_one_chunk() {
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), BEFORE.into());
    analyze_file(&db, file);
    take(&log);
    let parses = |events: &[String]| events.iter().filter(|e| e.starts_with("parse_chunk")).count();
    let variant_runs = |events: &[String]| events.iter().filter(|e| e.starts_with("variant_findings")).count();

    let added = format!("{BEFORE}\npolicy lambda {{ allow {{ action ec2:DescribeInstances; resource \"*\"; }} }}\n");
    file.replace_text(&mut db, added.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let events = take(&log);
    // the new item, and the one before it (its chunk now ends at the new item)
    assert!(parses(&events) <= 2, "events: {events:?}");
    assert_eq!(checked(&events, &check_item_keys(&db, file)), ["lambda"], "events: {events:?}");
    let variant_keys = query_keys(&db, file, "variant_findings");
    assert_eq!(checked(&events, &variant_keys), ["lambda"], "events: {events:?}");

    let renamed = added.replace("policy compute {", "policy compute_node {");
    file.replace_text(&mut db, renamed);
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let events = take(&log);
    assert_eq!(parses(&events), 1, "events: {events:?}");
    // a new identity (the name is the item's identity): its checks run, no other's
    assert_eq!(checked(&events, &check_item_keys(&db, file)), ["compute_node"], "events: {events:?}");
    assert_eq!(events.iter().filter(|e| e.starts_with("check_item")).count(), 1, "events: {events:?}");
    assert_eq!(variant_runs(&events), 1, "events: {events:?}");
    let variant_keys = query_keys(&db, file, "variant_findings");
    assert_eq!(checked(&events, &variant_keys), ["compute_node"], "events: {events:?}");
    let names: Vec<String> = file_items(&db, file).iter().map(|i| i.name(&db).to_string()).collect();
    assert!(names.contains(&"compute_node".to_string()) && !names.contains(&"compute".to_string()));
}

/// Renaming a policy that a role attaches re-runs that role's checks (the
/// name it uses is now unknown, and its closure changed), and no other's.
#[test]
fn incremental_rename_reruns_the_checks_of_its_users_only() {
    let source = format!("{BEFORE}\nrole compute_role {{ trust service [\"ec2.amazonaws.com\"]; attach compute; }}\n");
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let before = query_keys(&db, file, "variant_findings");
    let checks_before = check_item_keys(&db, file);
    take(&log);

    file.replace_text(&mut db, source.replace("policy compute {", "policy compute_node {"));
    assert!(analyze_file(&db, file).diagnostics.iter().any(|d| d.code == pcl_semantics::Code::UnknownName));
    let events = take(&log);
    // the role's and the renamed policy's (the driver gives the input of the
    // name gone to the new name)
    assert_eq!(checked(&events, &checks_before), ["compute", "compute_role"], "events: {events:?}");
    assert_eq!(events.iter().filter(|e| e.starts_with("check_item")).count(), 2, "events: {events:?}");
    assert_eq!(checked(&events, &before), ["compute", "compute_role"], "events: {events:?}");
    assert_eq!(events.iter().filter(|e| e.starts_with("variant_findings")).count(), 2, "events: {events:?}");
}

/// An item reads the symbol table name by name: adding the item a use
/// missed re-checks the item that used it (its error goes), and adding a
/// name like a missing one re-checks the item with the error (its
/// suggestion may change), but neither re-checks the items that resolved
/// every name they use.
#[test]
fn incremental_add_rechecks_the_items_that_missed_the_name() {
    let source = format!("{BEFORE}\npolicy lambda {{ allow {{ action @lambda_actions; resource \"*\"; }} }}\n");
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.clone());
    let unknown = |db: &RootDatabase| {
        analyze_file(db, file)
            .diagnostics
            .iter()
            .filter(|d| d.code == pcl_semantics::Code::UnknownName)
            .map(|d| format!("{} {:?} {:?}", d.message, d.label, d.help))
            .collect::<Vec<_>>()
    };
    assert_eq!(unknown(&db).len(), 1);
    take(&log);

    // a name near the missing one: the item with the error is checked again
    let near = format!("{source}actionset lambda_action = [lambda:InvokeFunction];\n");
    file.replace_text(&mut db, near.clone());
    let messages = unknown(&db);
    assert!(messages.len() == 1 && messages[0].contains("lambda_action"), "{messages:?}");
    let events = take(&log);
    let keys = check_item_keys(&db, file);
    assert_eq!(checked(&events, &keys), ["lambda", "lambda_action"], "events: {events:?}");

    // the missing name itself: the error goes
    file.replace_text(&mut db, format!("{near}actionset lambda_actions = [lambda:InvokeFunction];\n"));
    assert!(unknown(&db).is_empty(), "{:?}", unknown(&db));
    let events = take(&log);
    let keys = check_item_keys(&db, file);
    assert_eq!(checked(&events, &keys), ["lambda", "lambda_actions"], "events: {events:?}");
}

/// A role reads only the header (guard, deployed name) of a policy it
/// attaches: an edit inside that policy's statements re-runs the policy's
/// per-configuration checks, not the role's. A role that inlines the
/// policy reads the header too, and which features the statements' guards
/// read (its renderings vary with them): it is checked again only when
/// those change.
#[test]
fn incremental_statement_edit_leaves_attaching_and_inlining_roles_alone() {
    let source = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature fsx: bool = false;
feature batch: bool = false;
policy user_fsx when fsx {
    name "UserFsx";
    allow "FSx" { action ["fsx:DescribeFileSystems"]; resource "*"; }
}
role head {
    trust service ["ec2.amazonaws.com", "batch.amazonaws.com" when batch];
    attach user_fsx;
}
role compute {
    trust service ["ec2.amazonaws.com"];
    inline user_fsx;
}
"#;
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.into());
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let variant_keys = query_keys(&db, file, "variant_findings");
    take(&log);

    // A first edit of the policy makes its body LOW (see `db/files.rs`),
    // and salsa backdates no value whose durability fell: the attaching
    // role reads the policy's header from an input of its own
    // (`ItemDef::header`), not from the body, or it would be checked again
    // here. The inlining role reads which features the body's guards read
    // (`inlined_guard_vars`), whose checks fall to LOW: that query is LOW
    // from its first run, so it is found equal and backdated, and the role
    // is not checked again either.
    let first = source.replace(
        r#"action ["fsx:DescribeFileSystems"]"#,
        r#"action ["fsx:DescribeFileSystems", "fsx:DescribeBackups"]"#,
    );
    file.replace_text(&mut db, first.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let events = take(&log);
    assert_eq!(checked(&events, &variant_keys), ["user_fsx"], "first edit: {events:?}");
    let edited = first.replace(r#""fsx:DescribeBackups""#, r#""fsx:DescribeBackups", "fsx:ListTagsForResource""#);
    file.replace_text(&mut db, edited.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    let events = take(&log);
    assert_eq!(checked(&events, &variant_keys), ["user_fsx"], "events: {events:?}");

    // A statement guarded by a feature no guard read before: the inlining
    // role's renderings now vary with it, and it is checked again.
    let guarded = edited.replace(r#"allow "FSx" {"#, r#"allow "FSx" when batch {"#);
    file.replace_text(&mut db, guarded.clone());
    analyze_file(&db, file);
    let events = take(&log);
    assert_eq!(checked(&events, &variant_keys), ["compute", "user_fsx"], "events: {events:?}");
    let fresh = {
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), guarded.clone());
        analyze_file(&db, file).diagnostics.clone()
    };
    assert_eq!(analyze_file(&db, file).diagnostics, fresh);

    // Renaming the deployed policy changes its header: the roles re-run.
    file.replace_text(&mut db, guarded.replace(r#"name "UserFsx";"#, r#"name "UserFsxPolicy";"#));
    analyze_file(&db, file);
    let events = take(&log);
    assert_eq!(checked(&events, &variant_keys), ["compute", "head", "user_fsx"], "events: {events:?}");
}

/// In a large policy, an edit inside one statement re-parses that
/// statement alone: the item's other entries are parsed once, by their text.
#[test]
fn incremental_statement_edit_reparses_that_statement_only() {
    let statements: String = (0..40)
        .map(|i| format!("    allow \"Read{i}\" {{ action s3:GetObject; resource [\"arn:${{partition}}:s3:::bucket-{i}/*\"]; }}\n"))
        .collect();
    let source = format!("param partition: partition = \"aws\";\npolicy big {{\n    name \"Big\";\n{statements}}}\n");
    assert!(source.len() > pcl_syntax::split::SPLIT_FROM_BYTES);
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let entries = |events: &[String]| events.iter().filter(|e| e.starts_with("parse_entry")).count();
    assert_eq!(entries(&take(&log)), 40);

    let edited = source.replace("bucket-7/*\"", "bucket-7/*\", \"arn:${partition}:s3:::bucket-7-logs/*\"");
    file.replace_text(&mut db, edited);
    let analysis = analyze_file(&db, file);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let events = take(&log);
    assert_eq!(entries(&events), 1, "events: {events:?}");
    // and re-checks that statement only: the others' checks are reused
    let checks = events.iter().filter(|e| e.starts_with("check_entry")).count();
    assert_eq!(checks, 1, "events: {events:?}");
    // its header (the item without its entries) is unchanged, not parsed again
    assert!(!events.iter().any(|e| e.starts_with("parse_header")), "events: {events:?}");
    // and the item is not split again: its old parse is patched around the
    // new entry (`db/patch.rs`)
    assert_eq!(events.iter().filter(|e| e.starts_with("parse_chunk")).count(), 0, "events: {events:?}");
    // and what the edit broke is still reported where it is
    let broken = source.replace("bucket-9/*\"]; }", "bucket-9/*\"] }");
    file.replace_text(&mut db, broken.clone());
    let diagnostics = &analyze_file(&db, file).diagnostics;
    let at = broken.find("bucket-9/*\"] }").unwrap();
    assert!(
        diagnostics.iter().any(|d| d.span.start as usize >= at && d.span.start as usize <= at + 14),
        "{diagnostics:?}"
    );
}

/// The same inside a `with condition` block: its statements are parsed and
/// checked on their own, its shell (the block without them) is kept.
#[test]
fn an_edit_inside_a_block_reparses_that_statement_only() {
    let statements: String = (0..40)
        .map(|i| format!("        allow \"Read{i}\" {{ action s3:GetObject; resource [\"arn:${{partition}}:s3:::bucket-{i}/*\"]; }}\n"))
        .collect();
    let source = format!(
        "param partition: partition = \"aws\";\npolicy big {{\n    with condition Bool \"aws:SecureTransport\" \"true\" {{\n{statements}    }}\n}}\n"
    );
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.clone());
    assert!(analyze_file(&db, file).diagnostics.is_empty(), "{:?}", analyze_file(&db, file).diagnostics);
    let count = |events: &[String], query: &str| events.iter().filter(|e| e.starts_with(query)).count();
    // the shell and 40 statements
    assert_eq!(count(&take(&log), "parse_entry"), 41);
    let edited = source.replace("bucket-7/*\"", "bucket-7/*\", \"arn:${partition}:s3:::bucket-7-logs/*\"");
    file.replace_text(&mut db, edited.clone());
    let analysis = analyze_file(&db, file);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let events = take(&log);
    assert_eq!(count(&events, "parse_entry"), 1, "events: {events:?}");
    assert_eq!(count(&events, "check_entry"), 1, "events: {events:?}");
    // what a fresh database says of the edited text
    let mut fresh_db = RootDatabase::default();
    let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), edited);
    assert_eq!(*analysis, *analyze_file(&fresh_db, fresh));
}

/// A large item checked entry by entry gives what checking it whole gives:
/// the same IR, diagnostics and references, spans and all.
#[test]
fn an_item_checked_entry_by_entry_equals_its_whole_check() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    // with a few problems in a large policy's `with condition` block (split
    // into its shell and entries: `pcl_syntax::split`), so that diagnostics
    // are compared too
    let text = text.replacen("allow \"CloudWatch\" {", "allow \"Cloud Watch\" { action [s3:GetObjekt, @nope]; resource \"arn:aws:s3:::b\"; }\n    allow \"CloudWatch\" {", 1);
    let text = text.replacen("allow \"EC2Read\" {", "allow \"EC2 Read\" { action [ec2:DescribeNope, @nada]; resource \"arn:aws:s3:::b\"; }\n        allow \"EC2Read\" {", 1);
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text);
    let symbols = &**pcl_semantics::symbols(&db, file);
    let (mut split, mut with_problems) = (0, 0);
    for item in file_items(&db, file) {
        let whole = pcl_semantics::check_item_ast(item.ast(&db), symbols);
        assert_eq!(&**pcl_semantics::check_item(&db, *item), &whole, "{}", item.name(&db));
        if !item.entries(&db).is_empty() {
            split += 1;
            with_problems += usize::from(whole.diagnostics.len() >= 3);
        }
    }
    assert!(split >= 5, "only {split} items were checked entry by entry");
    assert_eq!(with_problems, 1, "both problems are in user_base's block");
    // user_base's block was checked as its shell and its entries
    let user_base = file_items(&db, file).iter().find(|item| item.name(&db) == "user_base").unwrap();
    assert!(user_base.entries(&db).iter().any(|entry| entry.inner > 1), "the block is meant to be split");
}

/// An error in the name or guard of a policy a role attaches still mutes
/// the role's checks of what it builds from them (the policy's ARN), as the
/// whole policy did before roles read only its header: one error, where it
/// is, and no follow-on error at the role.
#[test]
fn an_error_in_an_attached_policys_header_is_not_reported_again_at_the_role() {
    for name in ["a b", "${nope} x"] {
        let source = format!(
            r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
policy p {{
    name "{name}";
    allow {{ action s3:GetObject; resource "*"; }}
}}
role r {{
    trust service ["ec2.amazonaws.com"];
    attach p;
}}
"#
        );
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), source.clone());
        let diagnostics = &analyze_file(&db, file).diagnostics;
        let role = source.find("role r").unwrap();
        assert!(!diagnostics.is_empty(), "{name}: the policy's name is reported");
        assert!(
            diagnostics.iter().all(|d| (d.span.start as usize) < role),
            "{name}: nothing more at the role: {diagnostics:?}"
        );
    }
}

/// Items of one name differ in their identity by occurrence (salsa finds an
/// identity by the hash of its fields: duplicates that hash alike made
/// creating thousands of them quadratic), and keep it when an item is
/// inserted above them.
#[test]
fn duplicates_have_identities_of_their_own() {
    let mut db = RootDatabase::default();
    let text = "param p: string = \"a\";\nparam p: string = \"b\";\nparam p: string = \"c\";\n";
    let file = SourceFile::open_to_edit(&mut db, "dups.pcl".into(), text.into());
    let before: Vec<_> = file_items(&db, file).iter().map(|item| (item.as_id(), item.occurrence(&db))).collect();
    assert_eq!(before.iter().map(|(_, o)| *o).collect::<Vec<_>>(), [0, 1, 2]);
    let ids: std::collections::BTreeSet<_> = before.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 3);
    file.replace_text(&mut db, format!("param other: string = \"x\";\n{text}"));
    let after: Vec<_> = file_items(&db, file).iter().skip(1).map(|item| (item.as_id(), item.occurrence(&db))).collect();
    assert_eq!(after, before);
}

/// Once an item has been edited (its body is then a LOW input, see
/// `db/files.rs`), a next edit inside it leaves the other items' memos
/// unvisited: salsa takes each one that read HIGH inputs only as valid by
/// its durability, without walking its dependencies. A first edit still
/// verifies those that read a policy's, permset's, role's or set's body,
/// but not those of the params, features and constraints, whose bodies
/// are HIGH until edited. (The roles that inline policies are LOW from
/// their first run, `db::inlined_guard_vars`: their own closures are
/// visited, as valid by their durability.)
#[test]
fn a_next_edit_inside_an_item_visits_no_dependency_of_other_items() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let at = text.find("policy user_image_build").unwrap();
    let at = at + text[at..].find("action [").unwrap() + "action [".len();
    let insert = |action: &str| format!("{}{action}, {}", &text[..at], &text[at..]);
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_visit_log(log.clone());
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text.clone());
    analyze_file(&db, file);
    take(&log);
    let visits = |events: &[String], query: &str| {
        events.iter().filter(|e| e.strip_prefix("validated ").is_some_and(|q| q.starts_with(query))).count()
    };
    file.replace_text(&mut db, insert("s3:GetObjectAcl"));
    analyze_file(&db, file);
    let first = take(&log);
    file.replace_text(&mut db, insert("s3:GetObjectTagging"));
    analyze_file(&db, file);
    let next = take(&log);
    let entries = file_items(&db, file)
        .iter()
        .find(|item| item.name(&db) == "user_image_build")
        .map(|item| item.entries(&db).len())
        .unwrap();
    assert!(entries > 1, "the policy is meant to be checked entry by entry");
    // no other item's names looked up, entries checked or closure walked
    assert_eq!(visits(&next, "name_facts"), 0, "{next:?}");
    assert!(visits(&next, "check_entry") <= entries, "{next:?}");
    // the edited policy's, and those of the 5 roles that inline a policy
    assert!(visits(&next, "closure_members") <= 6, "{next:?}");
    // where the first edit visited them all
    assert!(visits(&first, "name_facts") > 10, "{first:?}");
    // but each other large item's entries as one dependency
    // (`check_entries`), not entry by entry
    assert!(visits(&first, "check_entry") <= entries, "{first:?}");
    assert!(visits(&first, "check_entries") > 2, "{first:?}");
    assert!(visits(&first, "closure_members") > 10, "{first:?}");
    let configuring: Vec<String> = file_items(&db, file)
        .iter()
        .filter(|item| item.configures(&db))
        .map(|item| format!("validated check_item({:?})", item.as_id()))
        .collect();
    assert!(configuring.len() > 10, "policies.pcl has params, features and constraints");
    let policies = visits(&first, "check_item");
    assert!(policies > 10, "{first:?}");
    assert!(!first.iter().any(|e| configuring.contains(e)), "{first:?}");
}

/// An editor's edit, told where it changed the text (`edit_text`), re-runs
/// what comparing the texts would (the change need not be the least one);
/// a change that does not fit the texts is not trusted, but found again.
#[test]
fn an_edit_told_where_it_changed_the_text_reruns_what_a_compared_one_does() {
    let needle = r#"action ["fsx:*"]"#;
    let at = BEFORE.find(needle).unwrap();
    let edited = BEFORE.replace(needle, r#"action ["fsx:Create*", "fsx:Describe*"]"#);
    // the whole list replaced, as an editor that rewrites a line may say
    let told = pcl_semantics::TextChange {
        start: at,
        old_end: at + needle.len(),
        new_end: edited.len() - (BEFORE.len() - at - needle.len()),
    };
    let wrong = pcl_semantics::TextChange { start: 0, old_end: BEFORE.len() + 5, new_end: 3 };
    // within both texts and of the right lengths, but at the wrong place:
    // it does not hold, and is found by comparing the texts
    let grown = edited.len() - BEFORE.len();
    let misplaced = pcl_semantics::TextChange { start: 0, old_end: 4, new_end: 4 + grown };
    assert!(misplaced.fits(BEFORE, &edited) && !misplaced.holds(BEFORE, &edited));
    let mut runs = Vec::new();
    for change in [None, Some(told), Some(wrong), Some(misplaced)] {
        let (mut db, file, log, keys) = analysed(BEFORE);
        match change {
            None => file.replace_text(&mut db, edited.clone()),
            Some(change) => file.edit_text(&mut db, edited.clone(), change),
        }
        let analysis = analyze_file(&db, file);
        assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
        assert_eq!(pcl_semantics::parse(&db, file), &pcl_syntax::parse_file(&edited));
        runs.push(checked(&take(&log), &keys));
    }
    // the language server's edit: the range and the text put there
    let (mut db, file, log, keys) = analysed(BEFORE);
    file.splice_text(&mut db, at..at + needle.len(), r#"action ["fsx:Create*", "fsx:Describe*"]"#).unwrap();
    assert_eq!(file.text(&db), &edited);
    assert!(analyze_file(&db, file).diagnostics.is_empty());
    assert_eq!(pcl_semantics::parse(&db, file), &pcl_syntax::parse_file(&edited));
    runs.push(checked(&take(&log), &keys));
    assert_eq!(runs, [["user_fsx"], ["user_fsx"], ["user_fsx"], ["user_fsx"], ["user_fsx"]]);
}

/// A splice whose range is not within the text, or cuts a character, is
/// refused and changes nothing.
#[test]
fn a_splice_outside_the_text_changes_nothing() {
    let text = "param p: string = \"é\";\n";
    let (mut db, file, _log, _keys) = analysed(text);
    let inside_e = text.find('é').unwrap() + 1;
    for range in
        [0..text.len() + 1, text.len() + 1..text.len() + 2, inside_e..inside_e, std::ops::Range { start: 5, end: 3 }]
    {
        assert_eq!(file.splice_text(&mut db, range.clone(), "x"), Err(pcl_semantics::OutsideText), "{range:?}");
        assert_eq!(file.text(&db), text);
    }
    file.splice_text(&mut db, text.len()..text.len(), "param q: string = \"x\";\n").unwrap();
    assert_eq!(pcl_semantics::parse(&db, file), &pcl_syntax::parse_file(&format!("{text}param q: string = \"x\";\n")));
}

/// Typing a new item key by key at the end of a file that ends in a stray
/// doc comment (the doc joins the item above until the new item's keyword
/// is complete), then deleting it key by key: the driver equals a fresh
/// analysis at every keystroke (a review found the re-parse keeping the
/// old cut at the doc comment).
#[test]
fn typing_an_item_at_the_end_of_the_file_matches_a_fresh_analysis() {
    let base = format!("{BEFORE}/// Doc.\n");
    let typed = "policy zz { allow { action s3:GetObject; resource \"*\"; } }\n";
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), base.clone());
    analyze_file(&db, file);
    let steps = (1..=typed.len()).chain((0..typed.len()).rev());
    for (step, len) in steps.enumerate() {
        let text = format!("{base}{}", &typed[..len]);
        file.replace_text(&mut db, text.clone());
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), text);
        assert_eq!(*analyze_file(&db, file), *analyze_file(&fresh_db, fresh), "step {step}");
    }
}

/// An edit of a set reaches the statements that read it, in every policy
/// that uses it, though their renderings are kept across edits
/// (`variant_checks::known`): a warning a set's new action brings
/// appears, goes with it, and comes back; a policy's other statements,
/// kept, and a fresh analysis agree at every step.
#[test]
fn an_edit_of_a_set_renders_again_the_statements_that_read_it() {
    let text = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature fsx: bool = false;

actionset reads = [dynamodb:GetItem];

policy table {
    allow "Table" { action [@reads, dynamodb:Query]; resource "arn:${partition}:dynamodb:*:${account}:table/t"; }
    allow "Logs" when fsx { action logs:PutLogEvents; resource "arn:${partition}:logs:*:${account}:log-group:g:*"; }
}

policy other when fsx {
    allow { action [@reads]; resource "arn:${partition}:dynamodb:*:${account}:table/u"; }
}
"#;
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text.into());
    let codes = |db: &RootDatabase| -> Vec<String> {
        analyze_file(db, file).diagnostics.iter().map(|d| format!("{:?}@{}", d.code, d.span.start)).collect()
    };
    assert_eq!(codes(&db), Vec::<String>::new());
    let at = text.find("dynamodb:GetItem]").unwrap() + "dynamodb:GetItem".len();
    let steps: [(std::ops::Range<usize>, &str, usize); 3] = [
        (at..at, ", s3:GetObject", 2), // one warning in each policy
        (at..at + ", s3:GetObject".len(), "", 0),
        (at..at, ", s3:GetObject", 2),
    ];
    for (step, (range, inserted, warnings)) in steps.into_iter().enumerate() {
        file.splice_text(&mut db, range, inserted).unwrap();
        let found = codes(&db);
        assert_eq!(
            found.iter().filter(|c| c.starts_with("ActionResourceMismatch")).count(),
            warnings,
            "step {step}: {found:?}"
        );
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), file.text(&db).to_string());
        assert_eq!(*analyze_file(&db, file), *analyze_file(&fresh_db, fresh), "step {step}");
    }
}
