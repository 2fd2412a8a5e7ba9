//! Snapshot tests of the diagnostics: one fixture per diagnostic code (and a
//! few extra scenarios) under `tests/fixtures/`, each rendered exactly as the
//! CLI shows it (colour off) into `tests/snapshots/diagnostics/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::path::{Path, PathBuf};

use pcl_semantics::{Code, Diagnostic};

fn fixtures_dir() -> PathBuf {
    pcl_suite::root().join("tests/fixtures")
}

/// The file name of a fixture (snapshots must not depend on the checkout path).
fn file_name(path: &Path) -> String {
    path.file_name().and_then(|n| n.to_str()).expect("fixture names are UTF-8").to_string()
}

/// The diagnostics of a fixture. A first line `// set: NAME=VALUE ...` adds
/// those of that `--set` configuration, as `pcl build` reports them.
fn analyze_fixture(path: &Path) -> (String, String, Vec<Diagnostic>) {
    let name = file_name(path);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let analysis = pcl_suite::analyze(&name, &text);
    let mut diagnostics = analysis.diagnostics.clone();
    if let Some(sets) = text.lines().next().and_then(|l| l.strip_prefix("// set:")) {
        assert!(!analysis.has_errors(), "{name}: a `// set:` fixture must check cleanly");
        let sets: Vec<&str> = sets.split_whitespace().collect();
        let config = pcl_suite::config(&analysis, &sets);
        diagnostics.extend(analysis.configuration_news(pcl_semantics::check_configuration(&analysis.program, &config)));
    }
    (name, text, diagnostics)
}

fn render_all(name: &str, text: &str, diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "no diagnostics\n".to_string();
    }
    diagnostics.iter().map(|d| pcl_cli::report::render(name, text, d, false)).collect::<Vec<_>>().join("\n")
}

#[test]
fn diagnostics() {
    insta::with_settings!({
        snapshot_path => "snapshots/diagnostics",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("fixtures/*.pcl", |path| {
            let (name, text, diagnostics) = analyze_fixture(path);
            insta::assert_snapshot!(render_all(&name, &text, &diagnostics));
        });
    });
}

/// Every fixture file name, sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok())
        .map(|e| file_name(&e.path()))
        .filter(|n| n.ends_with(".pcl"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_code_has_a_fixture() {
    let names = fixture_names();
    let mut problems = Vec::new();
    for &code in Code::ALL {
        let prefix = format!("{}_", code.as_str());
        let fixtures: Vec<&String> = names.iter().filter(|n| n.starts_with(&prefix)).collect();
        if fixtures.is_empty() {
            problems.push(format!("{} ({code:?}) has no fixture", code.as_str()));
            continue;
        }
        for fixture in fixtures {
            let (_, _, diagnostics) = analyze_fixture(&fixtures_dir().join(fixture));
            if !diagnostics.iter().any(|d| d.code == code) {
                problems.push(format!("{fixture} does not produce {} ({code:?})", code.as_str()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn clean_fixture_has_no_diagnostics() {
    let (name, text, diagnostics) = analyze_fixture(&fixtures_dir().join("clean.pcl"));
    assert!(diagnostics.is_empty(), "clean.pcl has diagnostics:\n{}", render_all(&name, &text, &diagnostics));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let (name, text, diagnostics) = analyze_fixture(&fixtures_dir().join("deep_nesting.pcl"));
    assert!(
        diagnostics.iter().any(|d| matches!(d.code, Code::TooDeep | Code::Syntax)),
        "deep_nesting.pcl must be rejected:\n{}",
        render_all(&name, &text, &diagnostics)
    );
}

/// The underline adds information: every diagnostic of every fixture has a
/// label, and no label repeats the headline.
#[test]
fn labels_do_not_repeat_the_headline() {
    let mut problems = Vec::new();
    for fixture in fixture_names() {
        let (_, _, diagnostics) = analyze_fixture(&fixtures_dir().join(&fixture));
        for d in diagnostics {
            match &d.label {
                None => problems.push(format!("{fixture}: {} `{}` has no label", d.code.as_str(), d.message)),
                Some(label) if label.trim() == d.message.trim() => {
                    problems.push(format!("{fixture}: {} label repeats `{}`", d.code.as_str(), d.message))
                }
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A policy variable in an ARN's region or account field
/// (`\${aws:PrincipalAccount}`, as AWS's own examples write) is one field:
/// its `:` cut the ARN ("invalid account `${aws`", and W0507 once the
/// fields were checked). Found by review.
#[test]
fn policy_variables_are_one_arn_field() {
    let text = r#"policy p {
    allow "Cond" { action sqs:SendMessage; resource "*";
        condition ArnLike "aws:SourceArn" "arn:aws:sns:*:\${aws:PrincipalAccount}:topic"; }
    allow "Res" { action kms:Decrypt; resource "arn:*:kms:*:\${aws:PrincipalAccount}:key/*"; }
    allow "Region" { action ec2:TerminateInstances; resource "arn:*:ec2:\${aws:RequestedRegion}:123456789012:instance/*"; }
}
"#;
    let analysis = pcl_suite::analyze("variables.pcl", text);
    assert!(analysis.diagnostics.is_empty(), "{}", render_all("variables.pcl", text, &analysis.diagnostics));
}
