//! A param left at its placeholder is checked with stand-ins for the text
//! inside its `<...>`s (`ir::placeholders`): the checks find the same
//! whatever that text says, and every message shows the text.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

use pcl_semantics::ir::ItemIr;
use pcl_semantics::ir::placeholders::MARK;
use pcl_semantics::{Code, Diagnostic, FileAnalysis, RootDatabase, SourceFile, analyze_file};

fn analysis(text: &str) -> FileAnalysis {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "p.pcl".into(), text.to_string());
    analyze_file(&db, file).clone()
}

/// Every text of `d`, `from` replaced by `to`.
fn replaced(d: &Diagnostic, from: &str, to: &str) -> Diagnostic {
    let mut d = d.clone();
    d.message = d.message.replace(from, to);
    d.label = d.label.map(|l| l.replace(from, to));
    d.help = d.help.map(|h| h.replace(from, to));
    for label in &mut d.secondary {
        label.message = label.message.replace(from, to);
    }
    d
}

fn texts(d: &Diagnostic) -> impl Iterator<Item = &str> {
    [Some(d.message.as_str()), d.label.as_deref(), d.help.as_deref()]
        .into_iter()
        .flatten()
        .chain(d.secondary.iter().map(|l| l.message.as_str()))
}

/// Where `param NAME:`'s placeholder text starts in `text`.
fn placeholder_at(text: &str, name: &str) -> Option<usize> {
    let declared = text.find(&format!("param {name}:"))?;
    let line_end = text[declared..].find('\n').map_or(text.len(), |n| declared + n);
    let quote = text[declared..line_end].find("placeholder \"")?;
    Some(declared + quote + "placeholder \"".len())
}

/// Findings that show placeholders: a policy's deployed name too long, two
/// roles deployed under one name, an ARN of the wrong service (twice, one
/// with text around its `<...>`).
const SHOWN: &str = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
param prefix: string placeholder "<PREFIX>";
param bucket: string placeholder "<BUCKET>";
param tables: list<arn> placeholder "arn:aws:dynamodb:*:*:table/<TABLE NAME>";
policy long {
    name "${prefix}-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
policy wrong {
    allow { action s3:GetObject; resource "arn:${partition}:dynamodb:*:${account}:table/${bucket}"; }
}
policy listed {
    allow { action s3:GetObject; resource [tables]; }
}
role a {
    name "${prefix}-role";
    trust service "ec2.amazonaws.com";
}
role b {
    name "${prefix}-role";
    trust service "ec2.amazonaws.com";
}
"#;

/// The first `<...>` of each placeholder of every fixture and of
/// `policies.pcl`, given another text of the same length: the analysis is
/// the same but for that text, wherever a message shows it, and no message
/// shows a stand-in.
#[test]
fn the_text_inside_a_placeholder_changes_nothing_but_where_it_is_shown() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<(String, String)> = std::fs::read_dir(root.join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcl"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files.push(("policies.pcl".into(), std::fs::read_to_string(root.join("policies.pcl")).unwrap()));
    files.push(("SHOWN".into(), SHOWN.to_string()));
    let (mut edited, mut shown) = (0, 0);
    for (path, text) in files {
        let before = analysis(&text);
        // each param's placeholder's first closed `<...>`
        let params: Vec<(String, String)> = before
            .program
            .items()
            .iter()
            .filter_map(|item| match &*item.ir {
                ItemIr::Param(p) if p.ty.scalar != pcl_semantics::ir::ScalarType::Partition => {
                    let text = p.placeholder.as_deref()?;
                    let close = text.find('>')?;
                    let open = text[..close].rfind('<')?;
                    Some((item.name.to_string(), text[open..=close].to_string()))
                }
                _ => None,
            })
            .collect();
        for (n, (name, old)) in params.iter().enumerate() {
            // one text per param, so that a message's text says whose it
            // is; plain text, which the param's own check accepts as the new
            if params.iter().filter(|(_, t)| t == old).count() > 1 || old.len() < 6 || old.contains(['$', '\\']) {
                continue;
            }
            // what a stand-in hides may hold anything an ARN, a name or a
            // pattern would read: `:`, `*`, `?`, `/`, spaces
            let pad: String = ":* /?".chars().cycle().take(old.len() - 3 - n.to_string().len()).collect();
            let new = format!("<Q{n}{pad}>");
            let Some(at) = placeholder_at(&text, name).and_then(|at| Some(at + text[at..].find(old.as_str())?)) else {
                continue;
            };
            let changed = format!("{}{new}{}", &text[..at], &text[at + old.len()..]);
            let after = analysis(&changed);
            let expected: Vec<Diagnostic> = before.diagnostics.iter().map(|d| replaced(d, old, &new)).collect();
            assert_eq!(after.diagnostics, expected, "{path}: `{name}`'s placeholder {old} -> {new}");
            assert_eq!(after.acknowledged, before.acknowledged, "{path}: `{name}`");
            edited += 1;
            shown += before.diagnostics.iter().filter(|d| texts(d).any(|t| t.contains(old.as_str()))).count();
        }
        for d in &before.diagnostics {
            assert!(texts(d).all(|t| !t.contains(MARK)), "{path}: a stand-in shown: {d:?}");
        }
    }
    assert!(edited >= 15, "only {edited} placeholders edited");
    assert!(shown >= 4, "only {shown} messages showed a placeholder");
}

/// A placeholder counts as one character in a deployed name's length: a
/// value to come has one at least; what it will hold is not known.
#[test]
fn lengths_count_a_placeholder_as_one_character() {
    let found = analysis(SHOWN);
    let long: Vec<_> = found.diagnostics.iter().filter(|d| d.code == Code::QuotaExceeded).collect();
    assert_eq!(long.len(), 1, "{:?}", found.diagnostics);
    let said = "is 130 characters (a placeholder counts as one)";
    assert!(long[0].message.contains("`<PREFIX>-xxx") && long[0].message.contains(said), "{long:?}");
    // one `x` fewer: 129 characters, still too long; two fewer: 128, fine
    for (shorter, too_long) in [(1, true), (2, false)] {
        let text = SHOWN.replacen(&format!("-{}", "x".repeat(shorter)), "-", 1);
        let found = analysis(&text);
        let quota = found.diagnostics.iter().any(|d| d.code == Code::QuotaExceeded);
        assert_eq!(quota, too_long, "{shorter} fewer: {:?}", found.diagnostics);
    }
}

/// A literal with `<...>`s compared with a param left at its placeholder
/// compares as the placeholder is held: `cluster != "<CLUSTER NAME>"` still
/// says whether a value was given, in a constraint, a guard and a derived
/// feature.
#[test]
fn a_literal_compared_with_a_placeholder_tells_whether_a_value_was_given() {
    let source = r#"
param cluster: string placeholder "<CLUSTER NAME>";
param region: region placeholder "<REGION>";
feature named = cluster != "<CLUSTER NAME>";
constraint given: cluster != "<CLUSTER NAME>" else "set cluster";
constraint regional: region != "<REGION>" else "set region";
policy unnamed when cluster == "<CLUSTER NAME>" {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
policy with_name when named {
    allow { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let found = analysis(source);
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    // a build's configuration: the constraint's verdict
    let program = &found.program;
    let config = |set: &[(&str, &str)]| {
        let set: Vec<(String, String)> = set.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        pcl_semantics::config::configure(program, &set).unwrap()
    };
    let violated = |config: &pcl_semantics::config::Config| {
        pcl_semantics::check_configuration(program, config).iter().any(|d| d.code == Code::ConstraintViolated)
    };
    let (left, given) = (config(&[]), config(&[("cluster", "prod"), ("region", "us-east-1")]));
    assert!(violated(&left));
    assert!(!violated(&given));
    // a value given that reads as the placeholder equals the literal still
    assert!(violated(&config(&[("cluster", "<CLUSTER NAME>"), ("region", "us-east-1")])));
    let holds = |config: &pcl_semantics::config::Config, item: &str| {
        let empty = std::collections::BTreeMap::new();
        let env = pcl_semantics::expand::Env::new(program, &empty, &config.params);
        let Some(ItemIr::Policy { when, .. }) = program.get(item).map(|i| &*i.ir) else { panic!("{item}") };
        env.holds(when)
    };
    assert!(holds(&left, "unnamed") && !holds(&given, "unnamed"));
    assert!(!holds(&left, "with_name") && holds(&given, "with_name"));
}

/// What the stand-ins change is the placeholders only: two params whose
/// names differ in case are two values to come, whose names do not clash;
/// a written `<...>` counts whole in a length, and is judged in a name.
#[test]
fn stand_ins_stand_for_placeholders_only() {
    let two = r#"
param Team: string placeholder "<TEAM A>";
param team: string placeholder "<TEAM B>";
role a {
    name "${Team}-role";
    trust service "ec2.amazonaws.com";
}
role b {
    name "${team}-role";
    trust service "ec2.amazonaws.com";
}
"#;
    let found = analysis(two);
    assert!(found.diagnostics.iter().all(|d| d.code != Code::DuplicateName), "{:?}", found.diagnostics);
    let written = format!(
        "param d: string = \"<{}>\";\npolicy p {{\n    description \"${{d}}\";\n    allow {{ action s3:ListAllMyBuckets; resource \"*\"; }}\n}}\n",
        "x".repeat(1100)
    );
    let found = analysis(&written);
    assert!(found.diagnostics.iter().any(|d| d.message.contains("1102 characters")), "{:?}", found.diagnostics);
    // and a written `<` is no name character
    let named = "param team: string = \"<x>\";\npolicy p {\n    name \"p-${team}\";\n    allow { action s3:ListAllMyBuckets; resource \"*\"; }\n}\n";
    let found = analysis(named);
    assert!(found.diagnostics.iter().any(|d| d.message.contains("holds '<'")), "{:?}", found.diagnostics);
}
