//! No input may make the compiler panic, hang or overflow its stack. This
//! test mutates policies.pcl deterministically (deletions, duplications,
//! insertions of grammar tokens) and runs the whole pipeline on each result:
//! analysis, and for error-free results, rendering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_semantics::config::configure;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: [&str; 26] = [
    // characters of 2 and 4 bytes: spans must not cut them
    "é",
    "😀",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ";",
    ",",
    "\"",
    "${",
    "@",
    "when ",
    "not ",
    " and ",
    " or ",
    "==",
    "include x;",
    "policy ",
    "permset ",
    "///",
    "\\",
    "é",
    "\n",
    "allow { }",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len());
        match rng.below(3) {
            0 => {
                let len = rng.below(40).min(bytes.len() - at);
                bytes.drain(at..at + len);
            }
            1 => {
                let len = rng.below(200).min(bytes.len() - at);
                let copy: Vec<char> = bytes[at..at + len].to_vec();
                let to = rng.below(bytes.len());
                bytes.splice(to..to, copy);
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.chars());
            }
        }
    }
    bytes.into_iter().collect()
}

#[test]
fn mutated_policies_never_panic() {
    let (text, _) = pcl_suite::policies();
    // PCL_FUZZ_ITERATIONS / PCL_FUZZ_SEED run a longer search locally.
    let iterations: usize = std::env::var("PCL_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed: u64 = std::env::var("PCL_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_1234_abcd_0001);
    let mut rng = Rng(seed);
    let (mut with_errors, mut rendered) = (0, 0);
    for _ in 0..iterations {
        let mutated = mutate(&text, &mut rng);
        let analysis = pcl_suite::analyze("mutated.pcl", &mutated);
        for d in &analysis.diagnostics {
            // every diagnostic must be renderable, with spans inside the file
            assert!(d.span.end as usize <= mutated.len(), "span out of range: {d:?}");
            // and on character boundaries (a byte range inside an emoji was found by fuzzing)
            for span in std::iter::once(d.span).chain(d.secondary.iter().map(|l| l.span)) {
                let (start, end) = (span.start as usize, span.end as usize);
                assert!(mutated.is_char_boundary(start) && mutated.is_char_boundary(end), "{d:?} in {mutated}");
            }
            let _ = pcl_cli::report::render("mutated.pcl", &mutated, d, false);
        }
        // the formatter takes any text: it lays it out without changing a
        // token, or refuses; never a panic
        if let Ok(formatted) = pcl_syntax::format::format(&mutated) {
            assert_eq!(pcl_syntax::format::format(&formatted).as_ref(), Ok(&formatted), "{mutated}");
        }
        if analysis.has_errors() {
            with_errors += 1;
        } else if let Ok(cfg) = configure(&analysis.program, &[]) {
            let _ = pcl_semantics::check_configuration(&analysis.program, &cfg);
            let _ = pcl_codegen::render_all(&analysis.program, &cfg);
            rendered += 1;
        }
    }
    // the mutations must actually exercise both paths
    assert!(with_errors > iterations / 4, "{with_errors}");
    assert!(rendered > iterations / 20, "{rendered}");
}

/// Unclosed `<` and `${` in a resource, many of them: the ARN matcher stays
/// linear (it once looked for the closer again at every opener).
#[test]
fn unclosed_placeholders_stay_linear() {
    for opener in ["<", "${"] {
        let text = format!(
            "param partition: partition = \"aws\";\npolicy p {{ allow \"A\" {{ action [s3:GetObject]; resource \"arn:${{partition}}:s3:::{}\"; }} }}\n",
            opener.repeat(50_000)
        );
        let analysis = pcl_suite::analyze("big.pcl", &text);
        // it finishes; what it reports does not matter here
        let _ = analysis.diagnostics.len();
    }
}

/// `with condition` blocks nested past the limit are one located E0002, at
/// 17 levels and at 100,000 (where the parser's own stack guard answers),
/// never a stack overflow.
#[test]
fn deeply_nested_condition_blocks() {
    for (levels, message) in [(17, "blocks nested more than 16 deep"), (100_000, "nested too deeply")] {
        let open = "with condition StringEquals \"aws:SourceVpc\" \"v\" {\n".repeat(levels);
        let close = "}\n".repeat(levels);
        let text = format!("policy p {{\n{open}allow {{ action s3:GetObject; resource \"*\"; }}\n{close}}}\n");
        let analysis = pcl_suite::analyze("deep.pcl", &text);
        let errors: Vec<_> = analysis.diagnostics.iter().filter(|d| d.code.as_str() == "E0002").collect();
        assert_eq!(errors.len(), 1, "{levels}: {:?}", analysis.diagnostics);
        assert!(errors[0].message.contains(message), "{levels}: {}", errors[0].message);
    }
    // at the limit the nesting is accepted (the repeated key is E0315's to report)
    let open = "with condition StringEquals \"aws:SourceVpc\" \"v\" {\n".repeat(16);
    let text = format!("policy p {{\n{open}allow {{ action s3:GetObject; resource \"*\"; }}\n{}}}\n", "}\n".repeat(16));
    let analysis = pcl_suite::analyze("deep.pcl", &text);
    assert!(analysis.diagnostics.iter().all(|d| d.code.as_str() != "E0002"), "{:?}", analysis.diagnostics);
}

/// Brackets nested past `MAX_NESTING` get the same E0002, at the same place,
/// whatever the stack of the thread that parses them: pest's own guard
/// stopped where the stack ended, so the error (or its absence) changed from
/// run to run. At the limit, pest parses the text on a spawned thread's
/// default stack (2 MiB), even in a debug build.
#[test]
fn deep_brackets_get_one_answer_on_any_stack() {
    let deep = |levels: usize| {
        format!("feature f: bool = false;\nfeature g = {}f{};\n", "(".repeat(levels), ")".repeat(levels))
    };
    let on_stack = |text: String, bytes: usize| {
        std::thread::Builder::new()
            .stack_size(bytes)
            .spawn(move || {
                let analysis = pcl_suite::analyze("deep.pcl", &text);
                analysis.diagnostics.iter().map(|d| (d.code.as_str(), d.span, d.message.clone())).collect::<Vec<_>>()
            })
            .expect("a thread")
            .join()
            .expect("no panic")
    };
    let limit = pcl_syntax::MAX_NESTING;
    for levels in [limit + 1, 9_982, 100_000] {
        let answers: Vec<_> = [2 << 20, 4 << 20, 8 << 20].map(|stack| on_stack(deep(levels), stack)).into();
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{levels}: {answers:?}");
        let first = answers[0].first().expect("an error");
        assert_eq!(first.0, "E0002", "{levels}: {answers:?}");
        assert!(first.2.contains(&format!("more than {limit} levels")), "{levels}: {}", first.2);
        // at the first bracket past the limit
        assert_eq!(first.1.start as usize, "feature f: bool = false;\nfeature g = ".len() + limit, "{levels}");
    }
    // at the limit pest parses it, and the lowering's own limit answers
    let answers: Vec<_> = [2 << 20, 8 << 20].map(|stack| on_stack(deep(limit), stack)).into();
    assert_eq!(answers[0], answers[1]);
    assert!(
        answers[0].iter().any(|(code, _, message)| *code == "E0002" && message.contains("64 levels")),
        "{answers:?}"
    );
    // blocks too: a policy's brace, `with condition` blocks and a statement's, up to the limit
    let blocks = limit - 2;
    let open = "with condition StringEquals \"aws:SourceVpc\" \"v\" {\n".repeat(blocks);
    let text =
        format!("policy p {{\n{open}allow {{ action s3:GetObject; resource \"*\"; }}\n{}}}\n", "}\n".repeat(blocks));
    let answers: Vec<_> = [2 << 20, 8 << 20].map(|stack| on_stack(text.clone(), stack)).into();
    assert_eq!(answers[0], answers[1]);
    assert!(
        answers[0].iter().any(|(_, _, message)| message.contains("blocks nested more than 16 deep")),
        "{answers:?}"
    );
}

/// Two shapes that multiplied a walk's work by every assignment of the
/// features (found by fuzzing, 2026-12-07): 14 permsets each including the
/// next under a condition and without one, beside 8 features (37 s: the
/// 10,000-repeat cap was reached again in each of 256 assignments), and a
/// derived feature over 40 params guarding 40 statements beside 12 features
/// (11 s: every guard evaluated whole in each of 41 × 4,096 assignments; 8
/// here).
/// The first is E0002 in every configuration; the second checks clean.
/// In a release build they take 2.2 s and 1.0 s now; in a test, what
/// matters is what they report.
#[test]
fn work_multiplied_by_the_assignments() {
    let features = |n: usize| -> String { (0..n).map(|i| format!("feature f{i}: bool = false;\n")).collect() };
    let guarded = |n: usize| -> String {
        (0..n).map(|i| format!("  allow \"F{i}\" when f{i} {{ action s3:PutObject; resource \"*\"; }}\n")).collect()
    };
    let mut chain = features(8);
    for i in 0..14 {
        let next = i + 1;
        chain += &format!(
            "permset d{i} {{ with condition StringEquals \"aws:PrincipalTag/k{i}\" \"v\" {{ include d{next}; }} include d{next}; }}\n"
        );
    }
    chain += "permset d14 { allow { action s3:GetObject; resource \"*\"; } }\n";
    chain += &format!("policy p {{\n  include d0;\n{}}}\n", guarded(8));
    let analysis = pcl_suite::analyze("chain.pcl", &chain);
    let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0002"]);
    assert!(analysis.diagnostics[0].message.ends_with("in every configuration"), "{}", analysis.diagnostics[0].message);

    // (8 features here: the test runs in a debug build)
    let mut params = features(8);
    params += &(0..40).map(|i| format!("param p{i}: string = \"d\";\n")).collect::<String>();
    let any: Vec<String> = (0..40).map(|i| format!("p{i} == \"a\"")).collect();
    params += &format!("feature big = {};\n", any.join(" or "));
    let big: String =
        (0..40).map(|i| format!("  allow \"A{i}\" when big {{ action s3:GetObject; resource \"*\"; }}\n")).collect();
    params +=
        &format!("policy p {{\n  allow \"Base\" {{ action s3:ListBucket; resource \"*\"; }}\n{big}{}}}\n", guarded(8));
    let analysis = pcl_suite::analyze("params.pcl", &params);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
}
