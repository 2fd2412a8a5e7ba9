//! The language server's path against a fresh analysis, along a seeded walk
//! of typing-sized edits over a generated corpus of 300 KB: read by blocks
//! of 64 items, and large enough to be analysed on both threads of a pool
//! of two (a change that wrote a MEDIUM or HIGH input shares the blocks
//! out). Each edit is spliced in (`SourceFile::splice_text`) and analysed
//! by `analyze_edited_file`; the whole analysis (diagnostics,
//! acknowledgements, program) is compared with that of a database that saw
//! only the new text. (`fresh_equivalence.rs` walks `policies.pcl` and a
//! dense file through `analyze_file`.) Run locally with more seeds and
//! steps, comparing diagnostics and program, an earlier form of this walk
//! found no difference in 3,000 edits of a 150 KB corpus (analysed on one
//! thread), 360 of a 400 KB one (on two) and 4,600 of `policies.pcl`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

mod fresh;
mod walk;

use fresh::fresh_analysis;
use pcl_semantics::{RootDatabase, SourceFile, analyze_edited_file, analyze_file_parallel};
use walk::{Rng, splice_between};

/// One edit as typing makes them: characters deleted, a line deleted or
/// duplicated, a word of the file pasted, a token (an item among them)
/// typed, or a guard given to a policy.
fn random_edit(text: &str, rng: &mut Rng) -> String {
    const TYPED: [&str; 16] = [
        "{",
        "}",
        ";",
        "\"",
        "${",
        "@",
        "not ",
        "s3:GetObject, ",
        "\"arn:aws:s3:::b/*\"",
        "\n",
        "é",
        "x",
        " ",
        "expect W0509 \"kept\" ",
        "when f0 ",
        "policy typed { allow { action [s3:GetObject]; resource \"*\"; } }\n",
    ];
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len());
    let line = |chars: &[char]| {
        let start = chars[..at].iter().rposition(|c| *c == '\n').map_or(0, |p| p + 1);
        let end = chars[at..].iter().position(|c| *c == '\n').map_or(chars.len(), |p| at + p + 1);
        (start, end)
    };
    match rng.below(6) {
        0 => {
            let len = rng.below(8).min(chars.len() - at);
            chars.drain(at..at + len);
        }
        5 => {
            // a guard on a policy, in its header, which a role that inlines
            // or attaches the policy reads
            let policies: Vec<usize> = text.match_indices("\npolicy ").map(|(i, _)| i + 1).collect();
            let Some(&start) = policies.get(rng.below(policies.len())) else { return text.to_string() };
            let open = start + text[start..].find(" {").unwrap_or(0);
            return format!("{} when f0{}", &text[..open], &text[open..]);
        }
        1 => {
            let (start, end) = line(&chars);
            chars.drain(start..end);
        }
        2 => {
            let (start, end) = line(&chars);
            let copy: Vec<char> = chars[start..end].to_vec();
            chars.splice(end..end, copy);
        }
        3 => {
            let words: Vec<&str> = text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).collect();
            chars.splice(at..at, words[rng.below(words.len())].chars());
        }
        _ => {
            chars.splice(at..at, TYPED[rng.below(TYPED.len())].chars());
        }
    }
    chars.into_iter().collect()
}

#[test]
fn the_language_servers_analysis_of_a_large_file_equals_a_fresh_one_along_a_walk_of_edits() {
    // over `PARALLEL_FROM_BYTES` (256 KiB): opened, and after a wide change
    // analysed, on both threads of the pool
    let original = pcl_corpus::generate(300_000, 3, true);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), original.clone());
        assert!(pcl_semantics::file_items(&db, file).len() >= 256, "the corpus is meant to be read by blocks of 64");
        assert!(
            original.len() >= pcl_semantics::PARALLEL_FROM_BYTES,
            "the corpus is meant to be analysed on two threads"
        );
        analyze_file_parallel(&db, file, 2);
        let mut current = original.clone();
        let (mut broken, mut clean) = (0, 0);
        for n in 0..30 {
            // now and then back to the original text, whose memos are reused
            let next = match rng.below(8) {
                0 => original.clone(),
                _ => random_edit(&current, &mut rng),
            };
            let (range, inserted) = splice_between(&current, &next);
            file.splice_text(&mut db, range, inserted).unwrap();
            current = next;
            let fresh = fresh_analysis("corpus.pcl", current.clone());
            // diagnostics, acknowledgements and program alike
            assert_eq!(*analyze_edited_file(&db, file), fresh, "step {n}");
            match fresh.diagnostics.iter().any(|d| d.code == pcl_semantics::Code::Syntax) {
                true => broken += 1,
                false => clean += 1,
            }
        }
        // the walk must go both ways: into syntax errors and back out of them
        assert!(broken >= 3 && clean >= 3, "broken {broken}, clean {clean}");
    });
}
