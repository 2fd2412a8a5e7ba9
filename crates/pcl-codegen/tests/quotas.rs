//! IAM's size quotas, measured on rendered documents (`quota_findings`):
//! a managed policy, a role's inline policies together, a trust policy.
//! The role checks read the role's facts as rendered (`File::role`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_semantics::config::configure;
use pcl_semantics::{RootDatabase, SourceFile, analyze_file};

/// The quota findings of `source` in its default configuration: message and help.
fn quota_findings(source: &str) -> Vec<(String, String)> {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "quotas.pcl".into(), source.to_string());
    let analysis = analyze_file(&db, file);
    let errors: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity() == pcl_semantics::Severity::Error)
        .map(|d| d.message.as_str())
        .collect();
    assert!(errors.is_empty(), "the source checks cleanly: {errors:?}");
    let config = configure(&analysis.program, &[]).expect("the default configuration");
    let findings = pcl_codegen::quota_findings(&analysis.program, &config);
    findings.into_iter().map(|d| (d.message, d.help.unwrap_or_default())).collect()
}

fn quota_messages(source: &str) -> Vec<String> {
    quota_findings(source).into_iter().map(|(message, _)| message).collect()
}

/// `count` bucket ARNs of about 45 characters each, rendered.
fn buckets(prefix: &str, count: usize) -> String {
    let arns: Vec<String> =
        (0..count).map(|i| format!("\"arn:${{partition}}:s3:::{prefix}-bucket-with-a-long-name-{i}/*\"")).collect();
    format!("[{}]", arns.join(", "))
}

const HEADER: &str = "param partition: partition = \"aws\";\n";

#[test]
fn inline_policies_over_the_role_limit_together() {
    // each policy alone is under 6,144; the two together are over 10,240
    let source = format!(
        "{HEADER}policy a {{ allow \"A\" {{ action s3:GetObject; resource {}; }} }}\n\
         policy b {{ allow \"B\" {{ action s3:GetObject; resource {}; }} }}\n\
         role r {{ trust service \"ec2.amazonaws.com\"; inline a; inline b; }}\n",
        buckets("a", 130),
        buckets("b", 130)
    );
    let messages = quota_messages(&source);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0],
        "the inline policies of role `r` are 12208 characters together without whitespace; \
         IAM allows 10240 for a role's inline policies (defaults in aws)"
    );
}

#[test]
fn inline_policies_under_the_role_limit() {
    let source = format!(
        "{HEADER}policy a {{ allow \"A\" {{ action s3:GetObject; resource {}; }} }}\n\
         role r {{ trust service \"ec2.amazonaws.com\"; inline a; }}\n",
        buckets("a", 90)
    );
    assert_eq!(quota_messages(&source), Vec::<String>::new());
}

#[test]
fn trust_policy_over_its_limit() {
    let services: Vec<String> = (0..90).map(|i| format!("\"service-number-{i}.amazonaws.com\"")).collect();
    let source = format!("{HEADER}role r {{ trust service [{}]; }}\n", services.join(", "));
    let findings = quota_findings(&source);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0].0,
        "the trust policy of role `r` is 3159 characters without whitespace; \
         IAM allows 2048 for a trust policy (defaults in aws)"
    );
    // not the managed-policy advice: a trust policy cannot be split
    assert!(findings[0].1.starts_with("trust fewer principals"), "{}", findings[0].1);
}

#[test]
fn managed_policy_over_its_limit_names_its_biggest_statements() {
    let source = format!(
        "{HEADER}policy p {{\n\
           allow \"Big\" {{ action s3:GetObject; resource {}; }}\n\
           allow \"Small\" {{ action s3:ListBucket; resource \"*\"; }}\n\
         }}\n",
        buckets("p", 160)
    );
    let findings = quota_findings(&source);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let (message, help) = &findings[0];
    assert_eq!(
        message,
        "policy `p` is 7589 characters without whitespace; IAM allows 6144 for a managed policy (defaults in aws)"
    );
    assert!(help.ends_with("biggest statements: Sid `Big` 7477, Sid `Small` 72"), "{help}");
}

#[test]
fn only_the_configuration_over_the_limit_is_reported() {
    // with `big` the role inlines a second policy and goes over 10,240
    let source = format!(
        "{HEADER}feature big: bool = false;\n\
         policy a {{ allow \"A\" {{ action s3:GetObject; resource {}; }} }}\n\
         policy b when big {{ allow \"B\" {{ action s3:GetObject; resource {}; }} }}\n\
         role r {{ trust service \"ec2.amazonaws.com\"; inline a; inline b when big; }}\n",
        buckets("a", 130),
        buckets("b", 130)
    );
    let messages = quota_messages(&source);
    assert_eq!(
        messages,
        vec![
            "the inline policies of role `r` are 12208 characters together without whitespace; \
             IAM allows 10240 for a role's inline policies (big=true in aws)"
                .to_string()
        ]
    );
}

/// Every role file carries the facts its text holds, and no policy file
/// has any (`File::role`), over every configuration of `policies.pcl`.
#[test]
fn a_role_files_document_is_its_text() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "policies.pcl".into(), text);
    let analysis = analyze_file(&db, file);
    let config = configure(&analysis.program, &[]).unwrap();
    let (mut roles, mut policies) = (0, 0);
    for rendered in pcl_codegen::render_items(&analysis.program, &config) {
        for file in &rendered.files {
            match rendered.kind {
                pcl_codegen::OutputKind::Role => {
                    let parsed: serde_json::Value = serde_json::from_str(&file.contents).unwrap();
                    let facts = pcl_codegen::RoleFacts::of_value(&parsed);
                    assert_eq!(file.role.as_ref(), Some(&facts), "{}", file.path);
                    roles += 1;
                }
                pcl_codegen::OutputKind::Policy => {
                    assert_eq!(file.role, None, "{}", file.path);
                    policies += 1;
                }
            }
        }
    }
    assert!(roles > 20 && policies > 20, "{roles} roles, {policies} policies");
}
