//! The incremental analysis equals a fresh one: after chosen edits, after
//! seeded random edits, and along a walk of edits the driver must match.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::sync::{Arc, Mutex};

mod fresh;
mod walk;

use fresh::fresh_analysis;
use pcl_semantics::{ExecutionLog, RootDatabase, SourceFile, analyze_file};
use walk::{Rng, splice_between};

/// After every edit, the incremental analysis says exactly what a fresh
/// database says of the same text: entries parsed on their own, statement
/// findings remembered across moves, backdated headers and all.
#[test]
fn incremental_analysis_equals_a_fresh_one_after_each_edit() {
    let original = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let anchor = "allow \"CloudWatch\" {";
    let at = original.find("policy user_image_build").and_then(|p| original[p..].find(anchor).map(|q| p + q)).unwrap();
    let insert = |text: &str, what: &str| format!("{}{what}{}", &text[..at], &text[at..]);
    let edits: Vec<String> = vec![
        // a statement with warnings, above others that move
        insert(&original, "allow \"Wide\" { action [\"s3:*\"]; resource \"*\"; }\n    "),
        // a hard-coded partition: an error found in the moved statements' memo
        insert(&original, "allow \"Hard\" { action [s3:GetObject]; resource \"arn:aws:s3:::b/*\"; }\n    "),
        // a syntax error inside one entry
        insert(&original, "allow \"Broken\" { action [s3:GetObject] resource \"*\"; }\n    "),
        original.replace("name \"${prefix}ParallelClusterImageManagedPolicy\";", "name \"${prefix}ImagePolicy\";"),
        original.clone(),
    ];
    let log: ExecutionLog = Arc::new(Mutex::new(Vec::new()));
    let mut db = RootDatabase::with_execution_log(log);
    let file = SourceFile::open(&mut db, "policies.pcl".into(), original.clone());
    analyze_file(&db, file);
    for (n, text) in edits.into_iter().enumerate() {
        file.replace_text(&mut db, text.clone());
        let fresh = fresh_analysis("policies.pcl", text).diagnostics;
        assert_eq!(analyze_file(&db, file).diagnostics, fresh, "edit {n}");
        if n < 3 {
            assert!(!analyze_file(&db, file).diagnostics.is_empty(), "edit {n} should be reported");
        }
    }
}

/// A role's trust actions read an actionset and the role's other trust
/// fields: edits of either (the set's actions, a session action granted or
/// not elsewhere) change the role's findings as a fresh analysis finds them.
#[test]
fn trust_actions_follow_edits_of_what_they_read() {
    let original = r#"feature audit: bool = true;
actionset session = [sts:TagSession];
role pod_role {
    trust service "pods.eks.amazonaws.com" {
        action [@session];
        condition StringEquals "aws:RequestTag/kubernetes-namespace" "ci";
    }
    trust aws "arn:aws:iam::123456789012:root" {
        condition StringLike "sts:SourceIdentity" "admin-*";
    }
}
"#;
    let edits = [
        // the set brings another service's action (E0318), and no tags (W0506;
        // and EKS Pod Identity, which tags every session, never assumes the role: W0513)
        original.replace("[sts:TagSession]", "[s3:GetObject]"),
        // a source identity granted by the other field (no W0506 there)
        original.replace("action [@session];", "action [@session, sts:SetSourceIdentity when audit];"),
        original.replace("feature audit: bool = true;", "feature audit: bool = false;"),
        original.replace("action [@session];", "action [@session, sts:AssumeRoleWithSAML];"),
        original.to_string(),
    ];
    for opened_to_edit in [false, true] {
        let mut db = RootDatabase::default();
        let file = if opened_to_edit {
            SourceFile::open_to_edit(&mut db, "trust.pcl".into(), original.to_string())
        } else {
            SourceFile::open(&mut db, "trust.pcl".into(), original.to_string())
        };
        let codes = |db: &RootDatabase| -> Vec<&'static str> {
            analyze_file(db, file).diagnostics.iter().map(|d| d.code.as_str()).collect()
        };
        // (`audit` unused, W0503, until an edit reads it)
        assert_eq!(codes(&db), ["W0503", "W0506"], "{opened_to_edit}");
        for (n, text) in edits.iter().enumerate() {
            file.replace_text(&mut db, text.clone());
            let fresh = fresh_analysis("trust.pcl", text.clone()).diagnostics;
            assert_eq!(analyze_file(&db, file).diagnostics, fresh, "edit {n}, {opened_to_edit}");
        }
        assert_eq!(codes(&db), ["W0503", "W0506"], "{opened_to_edit}");
    }
    let fresh_codes = |text: &str| -> Vec<&'static str> {
        fresh_analysis("trust.pcl", text.to_string()).diagnostics.iter().map(|d| d.code.as_str()).collect()
    };
    assert_eq!(fresh_codes(&edits[0]), ["W0503", "W0513", "E0318", "W0506", "W0506"]);
    // the source identity granted when `audit` holds: W0506 without it
    assert_eq!(fresh_codes(&edits[1]), ["W0506"]);
    assert_eq!(fresh_codes(&edits[3]), ["W0503", "E0318", "W0506"]);
}

/// One small random edit of `text`, as typing makes them: a few characters
/// deleted, a token typed, a word of the file pasted, a line duplicated.
fn random_edit(text: &str, rng: &mut Rng) -> String {
    const TYPED: [&str; 14] = [
        "{",
        "}",
        ";",
        ",",
        "\"",
        "${",
        "@",
        "when fsx ",
        "not ",
        "s3:GetObject, ",
        "\"arn:aws:s3:::b/*\"",
        "\n",
        "é",
        "expect W0509 \"kept\" ",
    ];
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len());
    match rng.below(4) {
        0 => {
            let len = rng.below(8).min(chars.len() - at);
            chars.drain(at..at + len);
        }
        1 => {
            let words: Vec<&str> = text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).collect();
            let word = words[rng.below(words.len())];
            chars.splice(at..at, word.chars());
        }
        2 => {
            let start = chars[..at].iter().rposition(|c| *c == '\n').map_or(0, |p| p + 1);
            let end = chars[at..].iter().position(|c| *c == '\n').map_or(chars.len(), |p| at + p + 1);
            let line: Vec<char> = chars[start..end].to_vec();
            chars.splice(end..end, line);
        }
        _ => {
            chars.splice(at..at, TYPED[rng.below(TYPED.len())].chars());
        }
    }
    chars.into_iter().collect()
}

/// A random walk of edits over policies.pcl, each compared with a fresh
/// database: diagnostics, acknowledgements and the program agree after
/// every edit, whether it breaks the file, mends it or returns to an
/// earlier text (whose memos and remembered statement findings are reused).
#[test]
fn incremental_analysis_equals_a_fresh_one_after_random_edits() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    // statements with findings (a wide grant, a hard-coded partition) in two
    // policies, so that edits above them move what the memos remember
    let findings = "allow \"Wide\" { action [\"s3:*\"]; resource \"*\"; }\n    \
                    allow \"Hard\" { action [s3:GetObject]; resource \"arn:aws:s3:::b/*\"; }\n    ";
    let mut original = page.clone();
    for anchor in ["allow \"CloudWatch\" {", "allow \"EC2Read\" {"] {
        let at = original.find(anchor).unwrap();
        original.insert_str(at, findings);
    }
    // as a one-time check opens it, and as an editor does (statements'
    // renderings kept across edits)
    for editing in [false, true] {
        random_walk_equals_fresh(&original, editing);
    }
}

/// Edits of params' values in a file opened to edit, where each policy's
/// and role's per-configuration checks are kept while the params of its
/// closure keep their values, and the feature assignments while those the
/// constraints read do (`db::configs_over`): after each, the analysis
/// equals a fresh one of a file opened for one check, which reads the
/// configurations whole. A value that makes a finding (an ARN no action of
/// the statement acts on) and takes it away; a value a constraint reads,
/// which lets two statements with one Sid render together, in a policy
/// that does not name the param; then every param's placeholder or default
/// of `policies.pcl` changed in turn, and each placeholder inside its
/// `<...>` too.
#[test]
fn param_value_edits_in_a_file_opened_to_edit_equal_a_fresh_analysis() {
    use pcl_semantics::Code;
    let small = r#"
param partition: partition = "aws";
param target: arn = "arn:aws:s3:::bucket/key";
param other: string = "o";
policy p {
    allow { action s3:GetObject; resource "${target}"; }
}
policy q {
    allow { action s3:ListBucket; resource "arn:${partition}:s3:::${other}"; }
}
role r {
    trust service "ec2.amazonaws.com";
    inline p;
    inline q;
}
"#;
    let wrong = small.replace("arn:aws:s3:::bucket/key", "arn:aws:ec2:us-east-1:111122223333:instance/i");
    let mismatch = Some(Code::ActionResourceMismatch);
    let small_edits =
        [(wrong.clone(), mismatch), (wrong.replace("\"o\"", "\"p\""), mismatch), (small.to_string(), None)];
    let constrained = r#"
param mode: string = "a";
feature f: bool = false;
feature g: bool = false;
constraint c: mode == "a" or not f or not g else "f and g need mode a";
policy p {
    allow "S" when f { action s3:ListAllMyBuckets; resource "*"; }
    allow "S" when g { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let constrained_edits = [
        (constrained.replace("string = \"a\"", "string = \"b\""), None),
        (constrained.to_string(), Some(Code::DuplicateSid)),
    ];
    // which regions a statement's params bring is judged by their types
    // and values (`given_regions`): a written-out region equal to one is
    // taken for it (found by review: a type changed left a kept rendering)
    let regional = r#"
param partition: partition = "aws";
param regions: list<region> = ["us-east-1"];
policy p {
    allow "A" {
        action kms:Decrypt;
        resource "arn:${partition}:kms:us-east-1:123456789012:key/*";
        condition StringEquals "aws:RequestedRegion" regions;
    }
}
"#;
    let written = Some(Code::ArnPartition);
    let as_strings = regional.replace("list<region>", "list<string>");
    let regional_edits = [
        (as_strings.clone(), written),
        (regional.to_string(), None),
        (regional.replace("[\"us-east-1\"]", "[\"eu-west-1\"]"), written),
        (regional.to_string(), None),
    ];
    // a condition key that interpolates a param: its rendering is not
    // kept once the param's value changes (found by review: E0315 and W0505
    // stayed after the default changed)
    let keyed = r#"
param partition: partition = "aws";
param tag: string = "team";
param service: string = "s3";
policy p {
    with condition StringEquals "aws:ResourceTag/${tag}" "x" {
        allow "A" {
            action s3:GetObject;
            resource "arn:${partition}:s3:::b/*";
            condition StringEquals "aws:ResourceTag/team" "y";
            condition StringEquals "${service}:ExistingObjectTag/team" "z";
        }
    }
}
"#;
    let twice = Some(Code::DuplicateConditionKey);
    let keyed_edits = [
        (keyed.replace("= \"team\"", "= \"owner\""), None),
        (keyed.to_string(), twice),
        (keyed.replace("= \"s3\"", "= \"ec2\""), twice),
    ];
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let mut page_edits = Vec::new();
    let mut edited = page.clone();
    for line in page.lines().filter(|line| line.starts_with("param ")) {
        // a placeholder's or default's text, one character longer
        let Some(at) = line.rfind('"') else { continue };
        let changed = format!("{}X{}", &line[..at], &line[at..]);
        edited = edited.replacen(line, &changed, 1);
        page_edits.push((edited.clone(), None));
        // and inside its `<...>`, which the configurations hold as a
        // stand-in (`ir::placeholders`): no check runs again
        let Some(open) = changed.rfind('<') else { continue };
        let inside = format!("{}Y{}", &changed[..=open], &changed[open + 1..]);
        edited = edited.replacen(&changed, &inside, 1);
        page_edits.push((edited.clone(), None));
    }
    assert!(page_edits.len() >= 20, "{}", page_edits.len());
    let files = [
        (small.to_string(), &small_edits[..], Code::ActionResourceMismatch),
        (constrained.to_string(), &constrained_edits[..], Code::DuplicateSid),
        (regional.to_string(), &regional_edits[..], Code::ArnPartition),
        (keyed.to_string(), &keyed_edits[..], Code::DuplicateConditionKey),
        (page, &page_edits[..], Code::DuplicateSid),
    ];
    for (original, edits, watched) in files {
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), original);
        analyze_file(&db, file);
        for (n, (text, expected)) in edits.iter().enumerate() {
            file.replace_text(&mut db, text.clone());
            // opened for one check (the configurations whole)
            let fresh = fresh_analysis("policies.pcl", text.clone()).diagnostics;
            let diagnostics = &analyze_file(&db, file).diagnostics;
            assert_eq!(diagnostics, &fresh, "edit {n}");
            // what the value makes of the file, so that a wrong analysis
            // that both databases share fails too
            let found = diagnostics.iter().any(|d| d.code == watched);
            assert_eq!(found, expected.is_some(), "edit {n}: {diagnostics:?}");
        }
    }
}

/// Two files open to edit in one database, as an editor's language server
/// holds them, starting from the same text and edited in turn: the kept
/// renderings (per thread, found again by content) serve both, and each
/// file's analysis still equals a fresh one after every edit of either.
#[test]
fn two_files_edited_in_turn_each_equal_a_fresh_analysis() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let mut rng = Rng(0x2f11_e5ed_0000_0007);
    let mut db = RootDatabase::default();
    let files = [
        SourceFile::open_to_edit(&mut db, "a.pcl".into(), page.clone()),
        SourceFile::open_to_edit(&mut db, "b.pcl".into(), page.clone()),
    ];
    let mut texts = [page.clone(), page.clone()];
    for n in 0..24 {
        let (which, other) = (n % 2, 1 - n % 2);
        let next = match rng.below(4) {
            // the other file's text: the same statements at other addresses
            0 => texts[other].clone(),
            // a set that statements of both files read, changed in one
            1 => {
                let sets = ["actionset dynamodb_item_rw = [", "actionset s3_object_read = [", "actionset s3_read = ["];
                let set = sets[rng.below(sets.len())];
                let action = ["s3:PutObject, ", "dynamodb:Query, ", "s3:DeleteObject, "][rng.below(3)];
                match texts[which].find(set) {
                    Some(at) => {
                        format!("{}{action}{}", &texts[which][..at + set.len()], &texts[which][at + set.len()..])
                    }
                    None => random_edit(&texts[which], &mut rng),
                }
            }
            _ => random_edit(&texts[which], &mut rng),
        };
        let (range, inserted) = splice_between(&texts[which], &next);
        files[which].splice_text(&mut db, range, inserted).unwrap();
        texts[which] = next;
        for (file, text) in files.iter().zip(&texts) {
            let fresh = fresh_analysis("f.pcl", text.clone()).diagnostics;
            assert_eq!(pcl_semantics::analyze_edited_file(&db, *file).diagnostics, fresh, "edit {n}");
        }
    }
}

/// The same walk over a dense file, as an editor opens it: sets of sets,
/// permsets included inside blocks of other permsets and policies, guards
/// on every kind of entry, a derived feature, a constraint, roles inlining
/// policies (one with guarded trust conditions), and one statement both in a policy and in a permset it
/// includes (a review found the kept renderings counting one's findings
/// for both: `variant_checks/relative.rs`).
#[test]
fn incremental_analysis_of_a_dense_file_equals_a_fresh_one_after_random_edits() {
    random_walk_equals_fresh(DENSE, true);
}

/// See `incremental_analysis_of_a_dense_file_equals_a_fresh_one_after_random_edits`.
const DENSE: &str = r#"param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
param region: region placeholder "<REGION>";
param prefix: string = "";
param names: list<string> = ["a", "b"];
feature fa: bool = false;
feature fb: bool = true;
feature tier: enum { small, large } = small;
feature big = tier == large and fa;
constraint c1: not (fa and tier == small and not fb) else "no";

actionset a_read = [s3:GetObject, s3:GetObjectVersion when fa];
actionset a_write = [s3:PutObject, @a_read when fb];
actionset a_db = [dynamodb:GetItem, dynamodb:PutItem when tier == large];
actionset a_empty = [s3:DeleteObject when fa];
actionset a_chain = [@a_write, @a_db when not fb];
valueset v_obj = ["arn:${partition}:s3:::bucket/*", "arn:aws:s3:::hard/*" when fb];
valueset v_tbl = ["arn:${partition}:dynamodb:${region}:${account}:table/t" when not fa];
valueset v_all = [@v_obj, @v_tbl when fb];
valueset v_vpc = ["vpc-1" when fa, "vpc-2" when tier == large];
valueset v_reg = [region when fb];
permset ps_inner {
    allow "Inner" { action [@a_db]; resource @v_tbl; }
    with condition StringEquals "aws:SourceVpc" [@v_vpc] when fb {
        allow { action [@a_read, s3:ListBucket]; resource @v_obj; }
        allow "InnerDb" { action [@a_chain]; resource [@v_all]; }
    }
}
permset ps_outer {
    include ps_inner when fa;
    allow "Outer" { action [@a_write]; resource [@v_all]; condition StringEquals "aws:RequestedRegion" [@v_reg] when big; }
}
permset ps_deep {
    with condition StringEquals "aws:RequestedRegion" [@v_reg] {
        include ps_outer when not big;
        allow "Deep" when fb { action [@a_empty, ec2:RunInstances]; resource "*"; }
    }
}
policy p1 {
    allow "R" { action [@a_read, @a_db]; resource [@v_obj]; }
    with condition StringEquals "aws:SourceVpc" [@v_vpc] {
        include ps_outer;
        allow "W" when fb { action [@a_write]; resource [@v_obj, @v_tbl]; }
    }
    include ps_inner when not fa;
}
policy p2 when fb {
    include ps_deep;
    allow "E" { action [@a_empty]; resource "*"; }
    allow "N" { action [s3:GetObject]; resource ["arn:${partition}:s3:::${b}/*" for b in names]; }
}
policy p3 {
    name "${prefix}P3";
    with condition StringEquals "aws:SourceVpc" [@v_vpc] when tier == large {
        with condition StringEquals "aws:RequestedRegion" [@v_reg] when fa {
            include ps_deep;
            allow "Nested" { action [@a_chain]; resource [@v_all]; }
        }
        include ps_inner;
    }
    allow "Plain" { action [@a_db]; resource [@v_tbl]; }
}
role r1 { trust service ["ec2.amazonaws.com"]; inline p1; attach p2; }
role r2 when fa { trust service ["lambda.amazonaws.com"]; inline p3; }
role r3 {
    trust aws "*" { condition StringEquals "aws:PrincipalOrgID" ["o-1" when fb, "o-${prefix}2"] when fa; }
    trust service ["ec2.amazonaws.com"];
    trust federated "cognito-identity.amazonaws.com" { condition StringEquals "cognito-identity.amazonaws.com:aud" @v_vpc; }
    inline p1;
}
permset dup_q {
    allow { action [s3:*]; resource "*"; }
}
policy dup_pp {
    allow { action [s3:*]; resource "*"; }
    include dup_q;
}
"#;

fn random_walk_equals_fresh(original: &str, editing: bool) {
    let original = original.to_string();
    let mut rng = Rng(0x1dea_5eed_0000_0042);
    let mut db = RootDatabase::default();
    let file = match editing {
        true => SourceFile::open_to_edit(&mut db, "policies.pcl".into(), original.clone()),
        false => SourceFile::open(&mut db, "policies.pcl".into(), original.clone()),
    };
    analyze_file(&db, file);
    let mut current = original.clone();
    let (mut broken, mut clean) = (0, 0);
    for n in 0..40 {
        let next = match rng.below(4) {
            0 => original.clone(),
            1 => random_edit(&original, &mut rng),
            _ => random_edit(&current, &mut rng),
        };
        // every other edit spliced in, as the language server passes one
        if n % 2 == 0 {
            file.replace_text(&mut db, next.clone());
        } else {
            let (range, inserted) = splice_between(&current, &next);
            file.splice_text(&mut db, range, inserted).unwrap();
        }
        assert_eq!(file.text(&db), &next, "editing {editing}, edit {n}");
        current = next;
        let fresh = fresh_analysis("policies.pcl", current.clone());
        let incremental = analyze_file(&db, file);
        assert_eq!(incremental.diagnostics, fresh.diagnostics, "editing {editing}, edit {n}:\n{current}");
        assert_eq!(incremental.acknowledged, fresh.acknowledged, "editing {editing}, edit {n}");
        assert_eq!(*incremental.program, *fresh.program, "editing {editing}, edit {n}");
        if incremental.diagnostics.iter().any(|d| d.code == pcl_semantics::Code::Syntax) {
            broken += 1;
        } else {
            clean += 1;
        }
    }
    // the walk must go both ways: into syntax errors and back out of them
    assert!(broken >= 5 && clean >= 10, "broken {broken}, clean {clean}");
}

/// The driver (`db/files.rs`) against a fresh analysis, along a seeded walk
/// of edits over policies.pcl: statements edited in more items than stay
/// LOW (so some are made HIGH again), renames (an input given to a new
/// name), removals, duplicates, moves, an item that changes kind, syntax
/// errors, edits of sets' lists, and the way back. After every step the whole analysis (program
/// and diagnostics) equals that of a database that saw only the new text.
#[test]
fn the_driver_matches_a_fresh_analysis_along_a_walk_of_edits() {
    let original = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    for editing in [false, true] {
        driver_walk_equals_fresh(&original, editing);
    }
}

fn driver_walk_equals_fresh(original: &str, editing: bool) {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap() % below.max(1)
    };
    let nth = |text: &str, pattern: &str, k: usize| -> Option<usize> {
        let all: Vec<usize> = text.match_indices(pattern).map(|(i, _)| i).collect();
        all.get(k % all.len().max(1)).copied()
    };
    let original = original.to_string();
    let mut db = RootDatabase::default();
    // as a one-time check opens it, or as an editor does
    let file = match editing {
        true => SourceFile::open_to_edit(&mut db, "policies.pcl".into(), original.clone()),
        false => SourceFile::open(&mut db, "policies.pcl".into(), original.clone()),
    };
    analyze_file(&db, file);
    let mut text = original.clone();
    for step in 0..60 {
        let k = next(1000);
        text = match next(10) {
            0..=2 => match nth(&text, "action [", k) {
                Some(at) => format!("{}s3:GetObjectAcl, {}", &text[..at + 8], &text[at + 8..]),
                None => text,
            },
            3 => match nth(&text, "\npolicy ", k) {
                Some(at) => format!("{}zz{}", &text[..at + 8], &text[at + 8..]),
                None => text,
            },
            4 => match (nth(&text, "\npolicy ", k), nth(&text, "\npolicy ", k + 1)) {
                (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b..]),
                _ => text,
            },
            5 => match (nth(&text, "\npolicy ", k), nth(&text, "\npolicy ", k + 1)) {
                // a duplicate at the end, or the item moved to the top
                (Some(a), Some(b)) if a < b && k % 2 == 0 => format!("{text}{}", &text[a..b]),
                (Some(a), Some(b)) if a < b => format!("{}\n{}{}", &text[a + 1..b], &text[..a], &text[b..]),
                _ => text,
            },
            6 if text.contains("actionset walk_kind") => {
                text.replace("actionset walk_kind = [s3:GetObject];", "param walk_kind: string = \"x\";")
            }
            6 if text.contains("param walk_kind") => {
                text.replace("param walk_kind: string = \"x\";", "actionset walk_kind = [s3:GetObject];")
            }
            6 => format!("{text}\nactionset walk_kind = [s3:GetObject];\n"),
            7 => match nth(&text, "resource ", k) {
                Some(at) => format!("{}{{ {}", &text[..at], &text[at..]),
                None => text,
            },
            // a set's list: its users' statements that read it render anew
            8 => match nth(&text, "= [", k) {
                Some(at) => format!("{}s3:PutObjectAcl, {}", &text[..at + 3], &text[at + 3..]),
                None => text,
            },
            _ => original.clone(),
        };
        file.replace_text(&mut db, text.clone());
        let mut fresh_db = RootDatabase::default();
        let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), text.clone());
        assert_eq!(*analyze_file(&db, file), *analyze_file(&fresh_db, fresh), "editing {editing}, step {step}");
    }
}

/// Every fixture says the same opened to edit (each item's checks read the
/// configurations as the params of its closure see them, `configs_over`,
/// which a debug build holds alone) as opened for one check: a check that
/// reads a param outside its closure (a derived feature's, a value tried
/// beyond the defaults) finds it absent in one and not the other.
#[test]
fn every_fixture_says_the_same_opened_to_edit() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(fixtures).unwrap().map(|e| e.unwrap().path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "pcl"));
    paths.sort();
    assert!(paths.len() > 100, "{} fixtures", paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (mut once_db, mut edit_db) = (RootDatabase::default(), RootDatabase::default());
        let once = SourceFile::open(&mut once_db, name.clone(), text.clone());
        let edited = SourceFile::open_to_edit(&mut edit_db, name.clone(), text);
        let (a, b) = (&analyze_file(&once_db, once).diagnostics, &analyze_file(&edit_db, edited).diagnostics);
        assert_eq!(a, b, "{name}");
    }
}
