//! Every diagnostic code has an explanation (`pcl explain CODE`) with a wrong
//! and a fixed example; the wrong one must produce that code, the fixed one
//! must check without any diagnostic. An example whose first
//! line is `// set: NAME=VALUE ...` is also checked in that configuration, as
//! `pcl build --set` would (for the codes `--set` values produce).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use pcl_semantics::{Code, Diagnostic};

/// The body of the fenced block whose info string is `info`.
fn example<'a>(markdown: &'a str, info: &str) -> Option<&'a str> {
    let open = format!("```{info}\n");
    let start = markdown.find(&open)? + open.len();
    let len = markdown.get(start..)?.find("\n```")?;
    markdown.get(start..start + len + 1)
}

/// The diagnostics of `text`, plus those of its `// set:` configuration; a
/// `--set` that cannot be applied is reported as its own diagnostics' codes.
fn diagnostics(text: &str) -> Vec<Diagnostic> {
    let analysis = pcl_suite::analyze("example.pcl", text);
    let mut all = analysis.diagnostics.clone();
    if let Some(sets) = text.lines().next().and_then(|l| l.strip_prefix("// set:")) {
        if analysis.has_errors() {
            return all;
        }
        let sets: Vec<(String, String)> = sets
            .split_whitespace()
            .map(|s| s.split_once('=').map(|(n, v)| (n.to_string(), v.to_string())).expect("NAME=VALUE"))
            .collect();
        match pcl_semantics::config::configure(&analysis.program, &sets) {
            Ok(config) => {
                all.extend(analysis.configuration_news(pcl_semantics::check_configuration(&analysis.program, &config)))
            }
            Err(errors) => {
                // shown by the CLI at the declaration; only the code matters here
                all.extend(errors.into_iter().map(|e| e.kind.at(pcl_syntax::Span::new(0, 0))));
            }
        }
    }
    all
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn every_explanation_has_a_checked_wrong_and_fixed_example() {
    let mut failures = Vec::new();
    for &code in Code::ALL {
        let text = code.explanation();
        let (Some(wrong), Some(fixed)) = (example(text, "pcl wrong"), example(text, "pcl fixed")) else {
            failures.push(format!("{}: needs a ```pcl wrong and a ```pcl fixed example", code.as_str()));
            continue;
        };
        let first = text.split("\n\n").next().unwrap_or_default();
        if first.trim().len() < 80 || first.trim_start().starts_with("```") {
            failures.push(format!("{}: begins with a paragraph saying why it matters", code.as_str()));
        }
        let found = diagnostics(wrong);
        if !found.iter().any(|d| d.code == code) {
            failures.push(format!(
                "{}: the wrong example gives {:?}, not {}",
                code.as_str(),
                codes(&found),
                code.as_str()
            ));
        }
        // no diagnostic at all: a fixed example that warns fails a
        // `--deny warnings` build (a review found five that did)
        let found = diagnostics(fixed);
        if !found.is_empty() {
            failures.push(format!("{}: the fixed example still gives {:?}", code.as_str(), codes(&found)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
