//! The AWS documentation page's own defects, which `policies.pcl` keeps on
//! purpose (to stay equal to the page) and acknowledges with `expect`: with
//! the acknowledgements removed, pcl reports each of them at the line that
//! holds it. `docs/page-defects.md` lists them with what a fixed statement
//! would be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use pcl_semantics::{Code, Diagnostic};
use pcl_suite::{analyze, policies};

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: u32) -> usize {
    text.get(..offset as usize).unwrap_or_default().matches('\n').count() + 1
}

/// The 1-based line of the first line containing `needle` at or after `from`.
fn line_containing(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("no line holds `{needle}`"))
}

fn reported(text: &str, diagnostics: &[Diagnostic], code: Code, line: usize, needle: &str) -> bool {
    diagnostics.iter().any(|d| d.code == code && line_of(text, d.span.start) == line && d.message.contains(needle))
}

#[test]
fn the_page_defects_are_reported_where_they_are() {
    let (text, analysis) = policies();
    assert!(analysis.diagnostics.is_empty(), "policies.pcl acknowledges what it keeps: {:?}", analysis.diagnostics);
    let stripped: String =
        text.lines().filter(|l| !l.trim_start().starts_with("expect ")).map(|l| format!("{l}\n")).collect();
    assert_ne!(stripped, text, "policies.pcl holds acknowledgements");
    let d = analyze("policies.pcl", &stripped).diagnostics;
    let text = &stripped;

    // 1. EFS scoped down to file systems keeps elasticfilesystem:*, whose
    //    access-point actions can never match.
    let efs = line_containing(text, "allow \"EFS\"", 1);
    let efs_resource = line_containing(text, "resource [", efs);
    assert!(reported(text, &d, Code::ActionResourceMismatch, efs_resource, "elasticfilesystem:*"), "EFS: {d:#?}");

    // 2. iam:AWSServiceName conditions a statement that also holds
    //    iam:DeleteServiceLinkedRole, for which the key is never present.
    let mut from = 1;
    for _ in 0..2 {
        let line = line_containing(text, "condition StringEquals \"iam:AWSServiceName\"", from);
        assert!(reported(text, &d, Code::KeyNotApplicable, line, "iam:DeleteServiceLinkedRole"), "line {line}: {d:#?}");
        from = line + 1;
    }

    // 3. s3:PutObject / s3:Get* on a bucket ARN without `/*`.
    let bucket = line_containing(text, "resource \"arn:${partition}:s3:::${s3_name}\";", 1);
    assert!(reported(text, &d, Code::ActionResourceMismatch, bucket, "s3:PutObject"), "S3: {d:#?}");
    assert!(reported(text, &d, Code::ActionResourceMismatch, bucket, "s3:Get*"), "S3: {d:#?}");

    // 4. iam:PassRole on instance-profile ARNs.
    let pass_role_on_profiles = d
        .iter()
        .filter(|x| x.code == Code::ActionResourceMismatch && x.message.contains("instance-profile/parallelcluster/*"))
        .count();
    assert_eq!(pass_role_on_profiles, 2, "{d:#?}");
    for x in d.iter().filter(|x| x.message.contains("instance-profile/parallelcluster/*")) {
        let statement_above = text.get(..x.span.start as usize).unwrap_or_default();
        let last_action = statement_above.rfind("action [").and_then(|i| statement_above.get(i..)).unwrap_or_default();
        assert!(last_action.starts_with("action [iam:PassRole]"), "{}", x.message);
    }
}

/// Every action `policies.pcl` names is one the catalog knows (it would be an
/// error otherwise; this says so directly).
#[test]
fn every_action_of_policies_pcl_is_in_the_catalog() {
    use pcl_semantics::ir::{ActionRef, Entry, GList, ItemIr};
    let (_, analysis) = policies();
    let mut names: Vec<String> = Vec::new();
    let mut add = |list: &GList<ActionRef>| {
        names.extend(list.items.iter().filter_map(|i| match &i.value {
            ActionRef::Name(n) => Some(n.to_string()),
            ActionRef::Set(_) => None,
        }))
    };
    for item in analysis.program.items() {
        let entries = match &*item.ir {
            ItemIr::Policy { entries, .. } | ItemIr::Permset(entries) => entries,
            ItemIr::Actionset(list) => {
                add(list);
                continue;
            }
            _ => continue,
        };
        for e in entries {
            if let Entry::Statement(st) = e {
                add(&st.actions);
            }
        }
    }
    assert!(names.len() > 100, "found {} actions", names.len());
    for name in &names {
        assert!(pcl_semantics::iam::catalog::check_known_action(name).is_ok(), "`{name}` is not in the catalog");
    }
}
