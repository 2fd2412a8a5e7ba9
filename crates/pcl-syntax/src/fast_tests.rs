//! The fast path against pest: on every chunk it accepts, its items equal
//! those of pest and the lowering, span for span, and pest reports nothing;
//! whatever pest would report, it declines. Real files, generated corpora,
//! hand-written corner cases and deterministic mutations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use crate::ast::{BodyEntry, Item};
use crate::{chunk_ranges, parse_chunk_with_pest};

/// What pest's path makes of a chunk, when it reports nothing.
fn pest_items(chunk: &str) -> Option<Vec<(usize, Item)>> {
    let parsed = parse_chunk_with_pest(chunk, true);
    (parsed.errors.is_empty() && parsed.broken_names.is_empty())
        .then(|| parsed.items.iter().map(|p| (p.offset as usize, (*p.item).clone())).collect())
}

/// Whether the fast path took the chunk; panics if it differs from pest.
fn agrees(chunk: &str) -> bool {
    match crate::fast::file(chunk) {
        Some(items) => {
            assert_eq!(Some(items), pest_items(chunk), "the fast path differs from pest on:\n{chunk}");
            true
        }
        None => false,
    }
}

fn entry_agrees(text: &str) -> bool {
    match crate::fast::body_entry_only(text) {
        Some(entries) => {
            let pest: Option<Vec<BodyEntry>> = crate::split::parse_entry_with_pest(text);
            assert_eq!(Some(entries), pest, "the fast path differs from pest on the entry:\n{text}");
            true
        }
        None => false,
    }
}

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn chunks(text: &str) -> Vec<&str> {
    chunk_ranges(text).into_iter().map(|(a, b)| &text[a..b]).collect()
}

#[test]
fn every_chunk_of_policies_pcl_takes_the_fast_path_and_agrees() {
    let text = repo_file("policies.pcl");
    for chunk in chunks(&text) {
        assert!(agrees(chunk), "the fast path declined a clean chunk:\n{chunk}");
    }
}

#[test]
fn every_fixture_agrees_or_is_declined() {
    let dir = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let (mut fast, mut declined) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pcl") {
            let text = std::fs::read_to_string(&path).unwrap();
            for chunk in chunks(&text) {
                if agrees(chunk) { fast += 1 } else { declined += 1 }
            }
        }
    }
    // the fixtures hold syntax errors and keywords used as names, too
    assert!(fast > 100 && declined > 3, "fast {fast}, declined {declined}");
}

#[test]
fn generated_corpora_take_the_fast_path_and_agree() {
    let clean = pcl_corpus::generate(100_000, 7, false);
    for chunk in chunks(&clean) {
        assert!(agrees(chunk), "the fast path declined a clean chunk:\n{chunk}");
    }
    // its errors are semantic: the parse is still the fast path's
    let with_errors = pcl_corpus::generate(300_000, 7, true);
    for chunk in chunks(&with_errors) {
        assert!(agrees(chunk), "the fast path declined a chunk:\n{chunk}");
    }
}

#[test]
fn corner_cases_agree_with_pest() {
    let deep = |n: usize| format!("policy p when {}x{} {{}}", "(".repeat(n), ")".repeat(n));
    let nots = |n: usize| format!("policy p when {}x {{}}", "not ".repeat(n));
    let chain = |n: usize| format!("policy p when {} {{}}", vec!["a"; n].join(" and "));
    // each case, and whether the fast path takes it (pest reports the others)
    let cases = [
        // trailing white space and comments inside spans (guarded elements, types, block heads)
        ("actionset a = [ s3:GetObject , s3:Put* // c\n , \"x:Y\" when fsx and not b // c\n ];", true),
        ("valueset v = [\"a\" when x or y and z , b , @c, \"${p}/*\" for b in bs when q ,];", true),
        (
            "param p: list< arn ( iam:policy , max 10, pattern \"[a-z]\" , \"*\" ) > ? = [\"a\", \"b\",] placeholder \"P\" ;",
            true,
        ),
        ("param p: string = \"x\";\nparam q: string ;", true),
        ("param p: listy;", true),
        ("feature f: enum { a, b, } = a;\nfeature g: bool = true;\nfeature h = f == a or not g;", true),
        ("feature f: boolean = true;", false),
        ("constraint c: not (a and b) or c != \"x\" else \"message ${p}\";", true),
        (
            "policy p splittable when a == b {\n  name \"N\";\n  description \"D\";\n  /// doc\n  expect W0507 \"r\"\n  allow \"S\" when x { action [a:b]; notresource \"*\"; condition StringEquals \"k\" [\"v\" when y]; }\n}",
            true,
        ),
        (
            "permset s {\n  with condition Bool \"aws:SecureTransport\" \"true\" when f // c\n  { deny { notaction a:*; resource [\"*\",]; } include base when g; }\n}",
            true,
        ),
        (
            "role r when x {\n  /// d\n  name \"R\"; path \"/\"; trust service [\"ec2.amazonaws.com\"]; trust aws \"a\"; managed [p];\n  inline a when b; attach c; boundary \"arn\" when d;\n}",
            true,
        ),
        // a `trust` field's block of conditions, empty or not, guarded, with comments
        (
            "role r {\n  trust federated \"arn:aws:iam::1:oidc-provider/x.com\" {\n    condition StringEquals \"x.com:aud\" \"sts.amazonaws.com\"; // c\n    condition StringLike \"x.com:sub\" [\"repo:o/r:*\" when a] when b ;\n  }\n  trust aws \"*\" { }\n  trust service s {condition Bool \"k\" \"v\";}\n  attach p;\n}",
            true,
        ),
        ("role r { trust aws \"*\" { condition Bool \"k\" \"v\" } }", false),
        ("role r { trust aws \"*\" { conditionBool \"k\" \"v\"; } }", false),
        ("role r { trust aws \"*\" { allow { } } }", false),
        // a block's actions, among its conditions, bracketed, guarded, negated, given twice
        (
            "role r {\n  trust service \"pods.eks.amazonaws.com\" {\n    action sts:TagSession ; // c\n    condition Bool \"k\" \"v\";\n    notaction [@s when a, \"sts:SetContext\" ,] ;\n    action[x:y];\n  }\n}",
            true,
        ),
        ("role r { trust aws \"*\" { action sts:TagSession } }", false),
        ("role r { trust aws \"*\" { actionsts:TagSession; } }", false),
        ("role r { trust aws \"*\" { action sts:TagSession when a; } }", false),
        ("role r { trust aws \"*\" { };}", false),
        // a keyword glued to the name after it is not the keyword (the
        // grammar once read `includefoo` as `include foo`)
        ("policy p { includefoo; }", false),
        ("policy p { allow { conditionStringEquals \"k\" \"v\"; } }", false),
        ("policy p { allow { action a:b whenx; } }", false),
        ("policy true {}", false),
        ("policy p when true {}", true),
        ("policy p when true == x {}", false),
        ("policy p when x == true {}", true),
        ("policy p when x == and {}", false),
        ("policy p { allow { condition true \"k\" \"v\"; condition and \"k\" \"v\"; } }", false),
        ("policy p { allow { action @and; } }", false),
        ("policy p { allow { resource \"a\\q\"; } }", false),
        ("policy p { allow { resource \"${x\"; } }", false),
        ("policy p { allow { resource \"${1x}\"; } }", false),
        ("policy p { allow { resource \"a\\\nb\"; } }", false),
        ("policy p { allow { resource \"\\\"\\\\\\$\\n\\t${a.b}c\"; } }", true),
        ("policy p {\n  allow { }\n} // trailing\n/// stray doc", false),
        ("//// not a doc\npolicy p {}", true),
        ("/// doc one\n// plain\n/// doc two\nexpect W0509 \"why\"\npolicy p {}", true),
        ("policy p {\u{c}}", false),
        ("\u{feff}policy p {}", false),
        ("policyp {}", false),
        ("policy p whenfsx {}", false),
        ("policy p { includeq; }", false),
        ("policy p { allow { action s3:GetObject; resource \"*\"; conditionBool \"k\" \"v\"; } }", false),
        ("policy p { with conditionBool \"k\" \"v\" { } }", false),
        ("role r { trustservice \"x\"; }", false),
        ("role r { inlinep; }", false),
        ("role r { attachp; }", false),
        ("role r { managedm; }", false),
        ("role r { boundaryb; }", false),
        ("valueset v = [\"a\" whenx];", false),
        // and with its space, it is
        ("role r { inline p; attach q when x; managed m; boundary b; path \"/\"; }", true),
        ("policy p { allow { resource \"é\u{2028}\"; } }", true),
        ("policy p {}\npolicy q {}", true),
        ("policy p { with condition A \"k\" \"v\" { with condition B \"k\" \"v\" { } } }", true),
        ("policy p when a or b and c {}", true),
        ("policy p { allow when a and b or c { } }", true),
    ];
    for (case, taken) in cases {
        assert_eq!(agrees(case), taken, "taken by the fast path: {case}");
    }
    // up to the lowering's limits taken, past them declined (`not`s and
    // parentheses each count one level, a chain its logarithm)
    for n in [1, 2, 63, 64, 65, 70, 200] {
        assert_eq!(agrees(&deep(n)), n <= 64, "{n} parentheses");
        assert_eq!(agrees(&nots(n)), n <= 64, "{n} nots");
        assert!(agrees(&chain(n)), "a chain of {n}");
    }
    let nested = |n: usize| format!("policy p {{ {}{} }}", "with condition A \"k\" \"v\" { ".repeat(n), "}".repeat(n));
    for n in [15, 16, 17, 40] {
        assert_eq!(agrees(&nested(n)), n <= 16, "{n} nested blocks");
    }
    // declined before a tree that deep is built (its drop would overflow the stack)
    assert!(crate::fast::file(&nots(100_000)).is_none() && crate::fast::file(&deep(100_000)).is_none());
}

#[test]
fn entries_on_their_own_agree_with_pest() {
    let cases = [
        ("allow { action a:b; }", true),
        ("  /// doc\n  expect W0507 \"r\"\n  allow \"S\" when x { action [a:b when y ,]; } // after\n", true),
        ("include base when fsx;", true),
        ("with condition A \"k\" \"v\" when f { allow { } }", true),
        // two entries, a field, a keyword as a name: not one clean entry
        ("allow { } allow { }", false),
        ("name \"x\";", false),
        ("allow { action and:b; resource and; }", false),
    ];
    for (case, taken) in cases {
        assert_eq!(entry_agrees(case), taken, "taken by the fast path: {case}");
    }
}

/// Deterministic mutations of every chunk of `policies.pcl` and the
/// fixtures: the fast path either declines or agrees with pest.
#[test]
fn mutated_chunks_agree_with_pest_or_are_declined() {
    const PIECES: &[&str] = &[
        "\"",
        "\\",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ";",
        ",",
        ":",
        "=",
        "==",
        "!=",
        "?",
        "@",
        "<",
        ">",
        "\n",
        "\r",
        "\r\n",
        " ",
        "\t",
        "\x0C",
        "\0",
        "//",
        "///",
        "////",
        "/// doc\n",
        "// c\n",
        "é",
        "${x}",
        "${a.b}",
        "${",
        "\\$",
        "\\n",
        "\\q",
        "\"\\\n\"",
        "when",
        "when x",
        "and",
        "or",
        "not ",
        "not",
        "true",
        "false",
        "else",
        "for b in bs",
        "for",
        "in",
        "list<string>",
        "max 10",
        "pattern \"x\"",
        "iam:policy",
        "\"*\"",
        "placeholder",
        "splittable",
        "name \"n\";",
        "description \"d\";",
        "path",
        "trust service",
        "managed",
        "inline",
        "attach",
        "boundary",
        "action",
        "notaction",
        "resource",
        "notresource",
        "condition",
        "with condition A \"k\" \"v\"",
        "include base;",
        "expect W0507 \"r\"\n",
        "allow { action a:B; resource \"*\"; }",
        "deny",
        "allow",
        "enum",
        "bool",
        "param",
        "feature",
        "policy",
        "role",
        "x",
        "_",
        "1",
        "a:b",
        "*",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut below = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let mut texts = vec![repo_file("policies.pcl")];
    for name in [
        "multi_errors.pcl",
        "role_duplicate_entries.pcl",
        "split_three_parts.pcl",
        "constraint_on_param.pcl",
        "E0318_trust_action.pcl",
    ] {
        texts.push(repo_file(&format!("tests/fixtures/{name}")));
    }
    let seeds: Vec<String> = texts.iter().flat_map(|t| chunks(t)).map(str::to_string).collect();
    let (mut taken, mut declined) = (0, 0);
    for _ in 0..3000 {
        let mut chunk = seeds[below(seeds.len())].clone();
        for _ in 0..1 + below(3) {
            let mut at = below(chunk.len() + 1);
            while !chunk.is_char_boundary(at) {
                at -= 1;
            }
            match below(4) {
                0 => {
                    let mut end = (at + 1 + below(12)).min(chunk.len());
                    while !chunk.is_char_boundary(end) {
                        end += 1;
                    }
                    chunk.replace_range(at..end, "");
                }
                1 => {
                    let mut end = (at + below(40)).min(chunk.len());
                    while !chunk.is_char_boundary(end) {
                        end += 1;
                    }
                    let copy = chunk[at..end].to_string();
                    chunk.insert_str(at, &copy);
                }
                _ => chunk.insert_str(at, PIECES[below(PIECES.len())]),
            }
        }
        if agrees(&chunk) {
            taken += 1
        } else {
            declined += 1
        }
        // the same text as one entry on its own
        entry_agrees(&chunk);
    }
    assert!(taken > 300 && declined > 300, "taken {taken}, declined {declined}");
}

/// A list entry ends with its code: pest's `item ~ when_clause?` skips the
/// blanks and comments before an absent guard, and the span once ran over
/// them (a fix that appended after the entry landed after its comment).
#[test]
fn a_list_entry_ends_with_its_code_on_both_paths() {
    use crate::ast::StmtField;
    let text = "allow { action [a:B when f // f\n, c:D // last\n  , e:F\n ]; resource [\"r\" // r\n]; }";
    let fast = crate::fast::body_entry_only(text).expect("the fast path takes it");
    let pest = crate::split::parse_entry_with_pest(text).expect("pest parses it");
    assert_eq!(fast, pest);
    let [BodyEntry::Statement(statement)] = &fast[..] else { panic!("one statement: {fast:?}") };
    let ends: Vec<&str> = statement
        .fields
        .iter()
        .flat_map(|field| match field {
            StmtField::Action { list, .. } => list.items.iter().map(|e| e.span).collect::<Vec<_>>(),
            StmtField::Resource { list, .. } => list.items.iter().map(|e| e.span).collect(),
            _ => Vec::new(),
        })
        .map(|span| &text[span.start as usize..span.end as usize])
        .collect();
    assert_eq!(ends, ["a:B when f", "c:D", "e:F", "\"r\""]);
}
