//! Files whose file-level queries read the items by blocks (of 64 items
//! in a large file, of 8 in a smaller one: `db/blocks.rs`): after edits,
//! what the blocks say equals a fresh analysis.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_semantics::{RootDatabase, SourceFile, analyze_file, file_items};

/// A file large enough for the file-level queries to read its items by
/// blocks of 64 (`db/blocks.rs`): edits inside a policy (twice: the second
/// one skips the untouched blocks by their durability), an item added, one
/// renamed and one removed each give what a fresh analysis gives.
#[test]
fn a_file_read_by_blocks_matches_a_fresh_analysis_after_edits() {
    edits_match_a_fresh_analysis(120_000, 256..usize::MAX);
}

/// The same for a file of a few dozen items, read by blocks of 8.
#[test]
fn a_small_file_read_by_blocks_matches_a_fresh_analysis_after_edits() {
    edits_match_a_fresh_analysis(8_000, 24..256);
}

/// Edits of a generated corpus of about `bytes`, with `items` items.
fn edits_match_a_fresh_analysis(bytes: u64, items: std::ops::Range<usize>) {
    // with policies whose per-configuration checks find something (an
    // action list empty when `walk_fsx` is off), at the start, the middle
    // and the end
    let finding = |n: usize| {
        format!(
            "policy walk_finding_{n} {{ allow {{ action [fsx:CreateFileSystem when walk_fsx]; resource \"*\"; }} }}\n"
        )
    };
    let corpus = pcl_corpus::generate(bytes, 7, true);
    let middle = corpus[corpus.len() / 3..].find("\npolicy ").unwrap() + corpus.len() / 3 + 1;
    let original = format!(
        "feature walk_fsx: bool = false;\n{}{}{}{}{}",
        finding(0),
        &corpus[..middle],
        finding(1),
        &corpus[middle..],
        finding(2)
    );
    let at = original[original.len() / 2..].find("action [").unwrap() + original.len() / 2 + "action [".len();
    let insert = |text: &str, what: &str| format!("{}{what}, {}", &text[..at], &text[at..]);
    let first = insert(&original, "s3:GetObjectAcl");
    let second = insert(&first, "s3:GetObjectTagging");
    let added =
        format!("{second}\npolicy walk_added {{ allow {{ action ec2:DescribeInstances; resource \"*\"; }} }}\n");
    let renamed = added.replacen("\npolicy ", "\npolicy renamed_", 1);
    let removed = match (renamed.find("\npolicy "), renamed.rfind("\npolicy ")) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{}", &renamed[..a], &renamed[renamed[a + 1..].find("\npolicy ").unwrap() + a + 1..])
        }
        _ => panic!("the corpus has policies"),
    };
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), original);
    let count = file_items(&db, file).len();
    assert!(items.contains(&count), "the corpus is meant to have {items:?} items, not {count}");
    analyze_file(&db, file);
    for (step, text) in [first, second, added, renamed, removed].into_iter().enumerate() {
        file.replace_text(&mut db, text.clone());
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "corpus.pcl".into(), text);
        let analysis = pcl_semantics::analyze_edited_file(&db, file);
        assert_eq!(*analysis, *analyze_file(&fresh_db, fresh), "step {step}");
        // and what the blocks say is what the items' own queries say: every
        // finding of every first policy or role is reported
        let findings: usize = file_items(&db, file)
            .iter()
            .filter(|item| item.occurrence(&db) == 0 && item.ast(&db).kind.renders())
            .map(|item| pcl_semantics::variant_findings(&db, *item).findings.len())
            .sum();
        let wide = pcl_semantics::file_wide_analysis(&db, file).diagnostics.len();
        assert!(findings > 0, "the corpus is meant to have per-configuration findings");
        assert_eq!(analysis.diagnostics.len(), wide + findings, "step {step}");
    }
}

/// The unused-item warnings and the check of valuesets spliced as ARNs read
/// what each block of a large file uses, memoized per block
/// (`blocks::block_uses`): an edit in one block that moves a use from one
/// set to another, in other blocks, gives what a fresh analysis gives.
#[test]
fn uses_resolved_by_blocks_follow_an_edit_in_another_block() {
    let corpus = pcl_corpus::generate(120_000, 11, false);
    let sets = "valueset lonely_set = [\"arn:aws:s3:::lonely\"];\nvalueset not_arns = [\"hello\"];\n";
    let original =
        format!("policy uses_sets {{ allow {{ action s3:GetObject; resource @not_arns; }} }}\n{corpus}\n{sets}");
    let codes = |analysis: &pcl_semantics::FileAnalysis| -> Vec<(String, String)> {
        analysis
            .diagnostics
            .iter()
            .filter(|d| matches!(d.code, pcl_semantics::Code::UnusedSet | pcl_semantics::Code::MalformedArn))
            .map(|d| (format!("{:?}", d.code), d.message.clone()))
            .collect()
    };
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), original.clone());
    assert!(file_items(&db, file).len() >= 512, "the sets and their user are meant to be in different blocks");
    let before = codes(analyze_file(&db, file));
    assert_eq!(before.len(), 2, "lonely_set unused and not_arns' value not an ARN: {before:?}");
    let swapped = original.replacen("resource @not_arns;", "resource @lonely_set;", 1);
    let back = swapped.replacen("resource @lonely_set;", "resource @not_arns;", 1);
    // the set's value made an ARN (no longer a suspect: `Uses::arn_suspects`),
    // then the set splicing the other, whose value is not an ARN
    let fixed = back.replacen("[\"hello\"]", "[\"arn:aws:s3:::fixed\"]", 1);
    let nested = fixed.replacen("[\"arn:aws:s3:::fixed\"]", "[\"arn:aws:s3:::fixed\", @lonely_set]", 1).replacen(
        "[\"arn:aws:s3:::lonely\"]",
        "[\"lonely\"]",
        1,
    );
    let steps = [swapped, back, fixed, nested.clone()];
    for (step, text) in steps.into_iter().enumerate() {
        file.replace_text(&mut db, text.clone());
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "corpus.pcl".into(), text);
        let analysis = pcl_semantics::analyze_edited_file(&db, file);
        assert_eq!(*analysis, *analyze_file(&fresh_db, fresh), "step {step}");
        let found = codes(analysis);
        match step {
            0 => {
                assert_eq!(found.len(), 1, "not_arns unused, lonely_set used: {found:?}");
                assert!(found[0].1.contains("not_arns"), "{found:?}");
            }
            1 => assert_eq!(found, before),
            2 => assert_eq!(found.len(), 1, "lonely_set unused, not_arns' values ARNs: {found:?}"),
            _ => {
                // lonely_set's value, reached through not_arns
                let at = nested.find("[\"lonely\"]").unwrap() + 1;
                let arn_findings: Vec<_> =
                    analysis.diagnostics.iter().filter(|d| d.code == pcl_semantics::Code::MalformedArn).collect();
                assert_eq!(arn_findings.len(), 1, "{found:?}");
                assert_eq!(arn_findings[0].span.start as usize, at, "{found:?}");
                assert_eq!(found.len(), 1, "both sets used: {found:?}");
            }
        }
    }
}

/// Deployed names are found a block at a time (`blocks::block_deployed`),
/// in blocks of 64 items and in the small blocks of a file such as
/// `policies.pcl`: two policies far apart deployed under one name clash,
/// an edit of one name field in its block ends the clash, another brings
/// it back, an edit of a doc comment moves it, and each step gives what a
/// fresh analysis gives, the clash at the name fields (the deployed
/// records are relative to the items' names, after their doc comments).
#[test]
fn deployed_names_found_by_blocks_follow_an_edit() {
    for (size, items) in [(120_000, 512), (6_000, 24)] {
        deployed_names_follow_an_edit(size, items);
    }
}

fn deployed_names_follow_an_edit(size: u64, at_least_items: usize) {
    let corpus = pcl_corpus::generate(size, 5, false);
    let policy = |item: &str, name: &str| {
        let body = format!("{{ name \"{name}\"; allow {{ action s3:GetObject; resource \"*\"; }} }}");
        format!("/// The policy {item}.\n/// Two lines.\npolicy {item} {body}\n")
    };
    let original = format!("{}{corpus}\n{}", policy("clash_a", "SameName"), policy("clash_b", "samename"));
    let clashes = |analysis: &pcl_semantics::FileAnalysis| {
        analysis.diagnostics.iter().filter(|d| d.message.contains("deployed")).count()
    };
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), original.clone());
    let items = file_items(&db, file).len();
    assert!(items >= at_least_items, "the two policies are meant to be in different blocks ({items} items)");
    assert_eq!(clashes(analyze_file(&db, file)), 1, "{:?}", analyze_file(&db, file).diagnostics);
    let renamed = original.replacen("name \"samename\"", "name \"OtherName\"", 1);
    let back = renamed.replacen("name \"OtherName\"", "name \"SAMENAME\"", 1);
    let documented = back.replacen("/// The policy clash_b.", "/// The policy clash_b, documented at length.", 1);
    let at_name_fields = |text: &str, analysis: &pcl_semantics::FileAnalysis| {
        let clash = analysis.diagnostics.iter().filter(|d| d.message.contains("deployed"));
        clash.flat_map(|d| std::iter::once(d.span).chain(d.secondary.iter().map(|l| l.span))).all(|span| {
            text.get(span.start as usize..span.end as usize).is_some_and(|s| s.to_lowercase() == "name \"samename\";")
        })
    };
    assert!(at_name_fields(&original, analyze_file(&db, file)), "{:?}", analyze_file(&db, file).diagnostics);
    for (step, (text, expected)) in [(renamed, 0), (back, 1), (documented, 1)].into_iter().enumerate() {
        edit_as_fresh(&mut db, file, text, step);
        let analysis = pcl_semantics::analyze_edited_file(&db, file);
        assert_eq!(clashes(analysis), expected, "step {step}: {:?}", analysis.diagnostics);
        assert!(at_name_fields(file.text(&db), analysis), "step {step}: {:?}", analysis.diagnostics);
    }
}

/// A policy deployed under the name a splittable policy's part takes
/// (`NAME-2`, `NAME-3`, ..., without case) clashes with it, found a block at
/// a time too (a splittable policy's record comes from its block's checks:
/// it has no header), and follows an edit of the name as a fresh analysis
/// does. Found by review: the parts were not compared with other names.
#[test]
fn split_part_names_found_by_blocks_follow_an_edit() {
    for (size, at_least_items) in [(120_000, 512), (6_000, 24)] {
        let corpus = pcl_corpus::generate(size, 5, false);
        let split = "policy split_a splittable { allow { action s3:GetObject; resource \"*\"; } }\n";
        let named = |name: &str| {
            format!("policy split_b {{ name \"{name}\"; allow {{ action s3:PutObject; resource \"*\"; }} }}\n")
        };
        let original = format!("{split}{corpus}\n{}", named("SPLIT_A-2"));
        let clashes = |analysis: &pcl_semantics::FileAnalysis| {
            analysis.diagnostics.iter().filter(|d| d.message.contains("of splittable policy `split_a`")).count()
        };
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), original.clone());
        let items = file_items(&db, file).len();
        assert!(items >= at_least_items, "the two policies are meant to be in different blocks ({items} items)");
        assert_eq!(clashes(analyze_file(&db, file)), 1, "{:?}", analyze_file(&db, file).diagnostics);
        // `-02` is no part's name; `-3` is
        let zero = original.replacen("SPLIT_A-2", "split_a-02", 1);
        let third = zero.replacen("split_a-02", "split_a-3", 1);
        for (step, (text, expected)) in [(zero, 0), (third, 1)].into_iter().enumerate() {
            edit_as_fresh(&mut db, file, text, step);
            let analysis = pcl_semantics::analyze_edited_file(&db, file);
            assert_eq!(clashes(analysis), expected, "step {step}: {:?}", analysis.diagnostics);
        }
    }
}

/// `file` given `text`, its analysis asserted equal to a fresh analysis of
/// the text (`step`, for the message).
fn edit_as_fresh(db: &mut RootDatabase, file: SourceFile, text: String, step: usize) {
    file.replace_text(db, text.clone());
    let mut fresh_db = RootDatabase::default();
    let fresh = SourceFile::open(&mut fresh_db, "corpus.pcl".into(), text);
    assert_eq!(*pcl_semantics::analyze_edited_file(db, file), *analyze_file(&fresh_db, fresh), "step {step}");
}
