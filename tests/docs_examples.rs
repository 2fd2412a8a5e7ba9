//! Every ```pcl example in the README and docs/ must parse, and check
//! without errors: alone when it declares what it uses, else after the
//! declarations of `PRELUDE` it names (the examples are fragments of a file
//! like `policies.pcl`). An example that is a policy's statements, or a
//! statement's fields (docs/page-defects.md), is checked inside one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

fn pcl_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```pcl") => current = Some((n + 1, String::new())),
            (Some(_), l) if l.starts_with("```") => blocks.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn documented_examples_parse() {
    let mut checked = 0;
    for (doc, line, block) in examples() {
        let parsed = pcl_syntax::parse_file(&block);
        assert!(parsed.errors.is_empty(), "{doc}:{line}: example does not parse: {:?}\n{block}", parsed.errors);
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} examples found");
}

#[test]
fn readme_example_checks_cleanly() {
    let markdown = std::fs::read_to_string(pcl_suite::root().join("README.md")).unwrap();
    let (_, block) = pcl_blocks(&markdown).into_iter().next().expect("README has a pcl example");
    let analysis = pcl_suite::analyze("README.md", &block);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
}

/// The documents whose examples are checked.
const DOCS: [&str; 3] = ["README.md", "docs/language.md", "docs/page-defects.md"];

/// Every example of `DOCS`: its document, its line there, and its text as
/// a file (`as_file`).
fn examples() -> Vec<(&'static str, usize, String)> {
    let mut all = Vec::new();
    for doc in DOCS {
        let markdown = std::fs::read_to_string(pcl_suite::root().join(doc)).unwrap();
        all.extend(pcl_blocks(&markdown).into_iter().map(|(line, block)| (doc, line, as_file(&block))));
    }
    all
}

/// `block` as a file: itself, or inside a policy (statements), or inside a
/// statement (fields), whichever parses first.
fn as_file(block: &str) -> String {
    let wrapped = [
        block.to_string(),
        format!("policy example {{\n{block}}}\n"),
        format!("policy example {{\n    allow {{\n        action s3:GetObject;\n{block}    }}\n}}\n"),
    ];
    let parses = |text: &String| pcl_syntax::parse_file(text).errors.is_empty();
    wrapped.iter().find(|text| parses(text)).unwrap_or(&wrapped[0]).clone()
}

/// What the examples use without declaring it, by name.
const PRELUDE: &[(&str, &str)] = &[
    ("partition", "param partition: partition = \"aws\";"),
    ("account", "param account: account placeholder \"<AWS ACCOUNT ID>\";"),
    ("region", "param region: region placeholder \"<REGION>\";"),
    ("secret_name", "param secret_name: string placeholder \"<SECRET NAME>\";"),
    (
        "fsx_arns",
        "param fsx_arns: list<arn(fsx:file-system)> placeholder \"arn:*:fsx:*:*:file-system/<FSX FILE SYSTEM ID>\";",
    ),
    (
        "efs_arns",
        "param efs_arns: list<arn(elasticfilesystem:file-system)> placeholder \"arn:*:elasticfilesystem:*:*:file-system/<EFS FILE SYSTEM ID>\";",
    ),
    ("s3_name", "param s3_name: string placeholder \"<S3 NAME>\";"),
    ("boundary_arn", "param boundary_arn: arn(iam:policy) placeholder \"<permissions-boundary-arn>\";"),
    ("scheduler", "feature scheduler: enum { slurm, awsbatch } = slurm;"),
    ("fsx", "feature fsx: bool = false;"),
    ("iam_mode", "feature iam_mode: enum { privileged, restricted, boundary } = privileged;"),
    ("secrets", "feature secrets: bool = true;"),
    ("fsx_scope_down", "feature fsx_scope_down: bool = false;"),
    ("user_fsx", "policy user_fsx { allow { action fsx:DescribeFileSystems; resource \"*\"; } }"),
    ("head_node", "policy head_node { allow { action ec2:DescribeInstances; resource \"*\"; } }"),
    ("extra_policy_arns", "param extra_policy_arns: list<arn(iam:policy)> placeholder \"<ADDITIONAL POLICY ARN>\";"),
    ("cdn", "feature cdn: bool = false;"),
    ("additional_policies", "feature additional_policies: bool = false;"),
    ("user_base", "policy user_base { allow { action cloudformation:DescribeStacks; resource \"*\"; } }"),
    ("user_batch", "policy user_batch { allow { action batch:DescribeJobQueues; resource \"*\"; } }"),
    ("batch_statements", "permset batch_statements { allow { action batch:ListJobs; resource \"*\"; } }"),
];

/// The name an unknown-name error (E0100) is about: the last one it quotes.
fn unknown_name(d: &pcl_semantics::Diagnostic) -> Option<&str> {
    (d.code == pcl_semantics::Code::UnknownName).then(|| d.message.rsplit('`').nth(1)).flatten()
}

#[test]
fn documented_examples_check_without_errors() {
    let mut checked = 0;
    for (doc, line, block) in examples() {
        let mut prelude: Vec<&str> = Vec::new();
        loop {
            let text = format!("{block}\n{}\n", prelude.join("\n"));
            let analysis = pcl_suite::analyze("example.pcl", &text);
            let missing: Vec<&str> = analysis
                .diagnostics
                .iter()
                .filter_map(unknown_name)
                .filter_map(|name| PRELUDE.iter().find(|(n, _)| *n == name).map(|(_, decl)| *decl))
                .filter(|decl| !prelude.contains(decl))
                .collect();
            if missing.is_empty() {
                let errors: Vec<String> = analysis
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity() == pcl_semantics::Severity::Error)
                    .map(|d| format!("{}: {}", d.code.as_str(), d.message))
                    .collect();
                assert!(errors.is_empty(), "{doc}:{line}: {errors:?}\n{text}");
                break;
            }
            prelude.extend(missing);
            prelude.sort_unstable();
            prelude.dedup();
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} examples found");
}
