//! A file opened for one check (`SourceFile::open`) keeps less than one
//! opened to edit (`open_to_edit`): no per-name query, no closure memo. It
//! is analysed exactly alike, and still right if edited after all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::sync::{Arc, Mutex};

use pcl_semantics::{
    ExecutionLog, FileAnalysis, RootDatabase, SourceFile, analyze_file, analyze_file_parallel, check_item, file_items,
    parse,
};
use pcl_syntax::ast::ItemKind;

const POLICIES: &str = include_str!("../../../policies.pcl");

/// `text` opened as an editor opens it, or for one check on `threads` threads.
fn open(db: &mut RootDatabase, text: &str, editing: bool, threads: usize) -> SourceFile {
    match editing {
        true => SourceFile::open_to_edit(db, "input.pcl".into(), text.into()),
        false => SourceFile::open_on(db, "input.pcl".into(), text.into(), threads),
    }
}

/// The queries that ran to analyse `text`, opened for one check or to edit.
fn queries_run(text: &str, editing: bool) -> Vec<String> {
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log.clone());
    let file = open(&mut db, text, editing, 1);
    analyze_file(&db, file);
    std::mem::take(&mut *log.lock().unwrap())
}

fn ran(events: &[String], query: &str) -> usize {
    events.iter().filter(|e| e.starts_with(&format!("{query}("))).count()
}

#[test]
fn a_file_opened_for_one_check_runs_no_name_lookup_closure_nor_item_check_query() {
    let one_time = queries_run(POLICIES, false);
    assert_eq!(ran(&one_time, "name_facts"), 0, "{one_time:?}");
    assert_eq!(ran(&one_time, "configuring_scope"), 0, "{one_time:?}");
    assert_eq!(ran(&one_time, "closure_members"), 0, "{one_time:?}");
    // each item's analysis is read from its input (`one_time::analysis_of`)
    assert_eq!(ran(&one_time, "check_item"), 0, "{one_time:?}");
    assert!(ran(&one_time, "variant_findings") > 10, "the policies and roles are checked: {one_time:?}");
    // what an editor's file keeps, for its next edits
    let editing = queries_run(POLICIES, true);
    assert!(ran(&editing, "name_facts") > 10, "{editing:?}");
    assert!(ran(&editing, "closure_members") > 10, "{editing:?}");
    assert!(ran(&editing, "check_item") > 10, "{editing:?}");
}

/// `text` analysed on a fresh database, opened for one check or to edit.
fn analysis(text: &str, editing: bool, threads: usize) -> FileAnalysis {
    let mut db = RootDatabase::default();
    let file = open(&mut db, text, editing, threads);
    analyze_file_parallel(&db, file, threads).clone()
}

#[test]
fn a_file_opened_for_one_check_is_analysed_as_one_opened_to_edit() {
    // the page's file; a corpus read by blocks, with an error per 1,000
    // items, on one thread and on two
    let corpus = pcl_corpus::generate(300_000, 7, true);
    // and with, in each thread's share, a policy broken and a valueset
    // written on the line before it (the checks that read them, made under
    // the scanned table, made again under the file's)
    let mut broken = corpus.clone();
    for at in [corpus.len() / 4, corpus.len() * 3 / 4] {
        let policy = broken[at..].find("\npolicy ").map(|p| at + p).unwrap();
        let allow = broken[policy..].find("allow").map(|a| policy + a).unwrap();
        broken.replace_range(allow..allow + "allow".len(), "alow");
        let set = broken[allow..].find("\nvalueset ").map(|v| allow + v).unwrap();
        broken.replace_range(set..set + 1, " ");
    }
    assert_ne!(broken, corpus);
    for (name, text) in [("policies.pcl", POLICIES.to_string()), ("corpus", corpus), ("broken corpus", broken)] {
        let edited = analysis(&text, true, 1);
        assert!(!edited.program.items().is_empty(), "{name}");
        for threads in [1, 2] {
            assert_eq!(analysis(&text, false, threads), edited, "{name} on {threads} threads");
        }
    }
    // unknown names, with suggestions: what the per-name queries answered
    let broken = POLICIES.replace("@s3_read", "@s3_reed").replace("when fsx", "when fxs");
    let edited = analysis(&broken, true, 1);
    assert!(edited.diagnostics.len() > analysis(POLICIES, true, 1).diagnostics.len());
    assert_eq!(analysis(&broken, false, 1), edited);
    // Items that do not parse as their first line says (the checks that
    // read them made again, `one_time/stream.rs`): a policy that a role
    // inlines, broken; two items on one line; a set whose name is a keyword.
    let cases = [
        POLICIES.replacen("policy head_node {\n    allow when", "policy head_node {\n    allow whn", 1),
        POLICIES.replacen(
            "actionset iam_role_read =",
            "actionset extra = [s3:GetObject]; actionset iam_role_read =",
            1,
        ),
        POLICIES.replacen("actionset iam_role_read =", "actionset policy =", 1),
    ];
    for (at, text) in cases.iter().enumerate() {
        assert_ne!(text, POLICIES, "case {at}");
        let edited = analysis(text, true, 1);
        assert_eq!(analysis(text, false, 1), edited, "case {at}");
        assert_eq!(analysis(text, false, 2), edited, "case {at}");
    }
}

/// A large file opened for one check has the per-configuration checks of
/// its policies and roles run as it is opened, with no `variant_findings`
/// (nor `policy_header`, block or closure) memo per item: what they find is
/// what the queries find in the file opened to edit, on one thread and two.
#[test]
fn a_large_file_opened_for_one_check_finds_per_configuration_without_a_memo_per_item() {
    // the corpus, with a policy in its middle whose checks find duplicate
    // Sids in every configuration, and a role that inlines it
    let corpus = pcl_corpus::generate(300_000, 11, false);
    let middle = corpus[corpus.len() / 2..].find("\npolicy ").unwrap() + corpus.len() / 2 + 1;
    let mut text = corpus.clone();
    text.insert_str(
        middle,
        "policy finds_things {\n    allow \"Same\" { action [s3:GetObject]; resource \"*\"; }\n    \
         allow \"Same\" { action [s3:PutObject]; resource \"*\"; }\n}\n\
         role finds_too { trust service [\"ec2.amazonaws.com\"]; inline finds_things; }\n",
    );
    let edited = analysis(&text, true, 1);
    let sids = |a: &FileAnalysis| a.diagnostics.iter().filter(|d| d.code.as_str() == "E0303").count();
    assert!(sids(&edited) >= 1, "{:?}", edited.diagnostics);
    for threads in [1, 2] {
        let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
        let mut db = RootDatabase::with_execution_log(log.clone());
        let file = open(&mut db, &text, false, threads);
        assert_eq!(*analyze_file_parallel(&db, file, threads), edited, "{threads} threads");
        let events = std::mem::take(&mut *log.lock().unwrap());
        for query in ["variant_findings", "policy_header", "closure_members", "block_uses", "block_checks"] {
            assert_eq!(ran(&events, query), 0, "{query} on {threads} threads");
        }
        // edited, what it found as it was opened is not reported again: the
        // duplicate Sid renamed, and back
        let fixed =
            text.replacen("allow \"Same\" { action [s3:PutObject]", "allow \"Other\" { action [s3:PutObject]", 1);
        for text in [&fixed, &text] {
            file.replace_text(&mut db, text.clone());
            assert_eq!(*analyze_file(&db, file), analysis(text, true, 1), "edited, on {threads} threads");
        }
        assert_eq!(sids(&analysis(&fixed, false, threads)), 0);
    }
}

#[test]
fn a_file_opened_for_one_check_and_edited_is_analysed_as_a_fresh_one() {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "policies.pcl".into(), POLICIES.into());
    analyze_file(&db, file);
    // a set renamed (its uses now unknown), then its uses renamed too
    let renamed = POLICIES.replacen("actionset s3_read ", "actionset s3_reading ", 1);
    let fixed = renamed.replace("@s3_read]", "@s3_reading]").replace("@s3_read,", "@s3_reading,");
    let clean = analyze_file(&db, file).diagnostics.len();
    for (text, unknown) in [(renamed, true), (fixed, false), (POLICIES.to_string(), false)] {
        file.replace_text(&mut db, text.clone());
        let edited = analyze_file(&db, file);
        assert_eq!(edited.diagnostics.len() > clean, unknown, "{:?}", edited.diagnostics);
        assert_eq!(*edited, analysis(&text, false, 1));
    }
}

/// What a file opened for one check keeps of its items' ASTs: the bodies of
/// its policies, permsets and sets are let go once checked, unless an item
/// mentions `expect`; a file opened to edit keeps them all. The checks are
/// the same.
#[test]
fn a_file_opened_for_one_check_keeps_no_body_once_checked() {
    // the items whose bodies are kept, by name, and every item's check
    let opened = |editing: bool| {
        let mut db = RootDatabase::default();
        let file = open(&mut db, POLICIES, editing, 1);
        let checks: Vec<_> = file_items(&db, file).iter().map(|item| (**check_item(&db, *item)).clone()).collect();
        let kept: Vec<String> = parse(&db, file)
            .items
            .iter()
            .filter(|p| match &p.item.kind {
                ItemKind::Policy(policy) => !policy.entries.is_empty(),
                ItemKind::Permset(permset) => !permset.entries.is_empty(),
                ItemKind::Actionset(set) => !set.actions.items.is_empty(),
                ItemKind::Valueset(set) => !set.values.items.is_empty(),
                _ => false,
            })
            .map(|p| {
                let (start, end) = (p.offset + p.item.span.start, p.offset + p.item.span.end);
                POLICIES[start as usize..end as usize].to_string()
            })
            .collect();
        (kept, checks)
    };
    let (all, checks) = opened(true);
    let (kept, one_time_checks) = opened(false);
    assert_eq!(one_time_checks, checks);
    assert!(all.len() > 20, "{}", all.len());
    assert!(kept.len() < all.len() / 2, "{} of {} bodies kept", kept.len(), all.len());
    assert!(kept.iter().all(|text| text.contains("expect")), "{kept:?}");
}
