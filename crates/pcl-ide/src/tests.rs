//! Fixture tests: `$0` marks the cursor in the text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use super::*;

pub(crate) const FILE: &str = "test.pcl";

/// A host with `text` open, and the cursor's byte offset (`$0` removed).
pub(crate) fn host(text: &str) -> (AnalysisHost, usize, String) {
    let offset = text.find("$0").expect("the fixture marks the cursor with $0");
    let clean = text.replacen("$0", "", 1);
    let mut host = AnalysisHost::new();
    host.set_text(FILE, clean.clone());
    (host, offset, clean)
}

pub(crate) const BASE: &str = r#"param partition: partition = "aws";
/// Which scheduler the cluster uses.
feature scheduler: enum { slurm, awsbatch } = slurm;
actionset s3_read = [s3:GetObject, s3:ListBucket];
policy head_node {
    allow "S3" when scheduler == slurm { action [@s3_read]; resource ["arn:${partition}:s3:::bucket", "arn:${partition}:s3:::bucket/*"]; }
    allow "EC2" { action [ec2:DescribeInstances]; resource "*"; }
}
role head_node_role { path "/"; trust service "ec2.amazonaws.com"; inline head_node; }
"#;

pub(crate) fn at(marker_in: &str, find: &str) -> String {
    // put $0 at the first occurrence of `find` in BASE
    let i = marker_in.find(find).unwrap();
    format!("{}$0{}", &marker_in[..i], &marker_in[i..])
}

#[test]
fn definition_and_references_follow_names() {
    let (h, offset, text) = host(&at(BASE, "s3_read]"));
    let def = h.definition(FILE, offset + 2).unwrap();
    assert_eq!(&text[def.start as usize..def.end as usize], "s3_read");
    assert!(text[..def.start as usize].ends_with("actionset "));
    let refs = h.references(FILE, def.start as usize, true);
    assert_eq!(refs.len(), 2, "declaration and one use");
    let (feature_host, offset, text) = host_at_feature();
    let refs = feature_host.references(FILE, offset, false);
    assert_eq!(refs.len(), 1);
    assert_eq!(&text[refs[0].start as usize..refs[0].end as usize], "scheduler");
}

fn host_at_feature() -> (AnalysisHost, usize, String) {
    host(&at(BASE, "scheduler == slurm"))
}

#[test]
fn rename_edits_every_use_and_refuses_bad_names() {
    let (h, offset, text) = host(&at(BASE, "head_node {"));
    let edits = h.rename(FILE, offset, "head_node_policy").unwrap();
    assert_eq!(edits.len(), 2, "{edits:?}");
    let mut renamed = text.clone();
    for (span, new) in edits.iter().rev() {
        renamed.replace_range(span.start as usize..span.end as usize, new);
    }
    assert!(renamed.contains("policy head_node_policy {") && renamed.contains("inline head_node_policy;"));
    let mut renamed_host = AnalysisHost::new();
    renamed_host.set_text(FILE, renamed);
    assert!(renamed_host.diagnostics(FILE).is_empty(), "{:?}", renamed_host.diagnostics(FILE));
    assert_eq!(h.rename(FILE, offset, "head_node_role"), Err(RenameError::Taken("head_node_role".into())));
    assert_eq!(h.rename(FILE, offset, "9lives"), Err(RenameError::NotAName("9lives".into())));
    assert_eq!(h.rename(FILE, offset, "policy"), Err(RenameError::NotAName("policy".into())));
    assert_eq!(h.rename(FILE, 0, "x"), Err(RenameError::NothingToRename));
}

#[test]
fn hover_explains_items_actions_and_keys() {
    let (feature_host, offset, _) = host_at_feature();
    let h = feature_host.hover(FILE, offset).unwrap();
    insta::assert_snapshot!("hover_feature", h.markdown);
    let (action_host, offset, _) = host(&at(BASE, "GetObject"));
    let h = action_host.hover(FILE, offset).unwrap();
    assert!(h.markdown.starts_with("**s3:GetObject** (Amazon S3, Read)"), "{}", h.markdown);
    assert!(h.markdown.contains("Resource types:"), "{}", h.markdown);
    let (set_host, offset, _) = host(&at(BASE, "s3_read ="));
    let h = set_host.hover(FILE, offset).unwrap();
    assert!(h.markdown.contains("Expands to `s3:GetObject`, `s3:ListBucket`."), "{}", h.markdown);
    let (key_host, offset, _) = host(
        "policy p { allow { action [s3:GetObject]; resource \"*\"; condition Bool \"aws:Secure$0Transport\" [\"true\"]; } }",
    );
    let h = key_host.hover(FILE, offset).unwrap();
    assert!(h.markdown.starts_with("**aws:SecureTransport** (condition key, `Bool`)"), "{}", h.markdown);
}

/// `dns_suffix` in `${partition.dns_suffix}` shows its value per partition;
/// the param before it is still the param.
#[test]
fn hover_on_a_partition_member() {
    let text = format!("{BASE}valueset ec2 = [\"ec2.${{partition.dns_s$0uffix}}\"];\n");
    let (h, offset, _) = host(&text);
    let hover = h.hover(FILE, offset).unwrap();
    assert!(hover.markdown.contains("| `aws-cn` | `amazonaws.com.cn` |"), "{}", hover.markdown);
    assert!(hover.markdown.contains("| `aws-iso` | `c2s.ic.gov` |"), "{}", hover.markdown);
    let on_param = text.find("partition.dns").unwrap() + 2;
    let (h, _, clean) = host(&text);
    let param = h.hover(FILE, on_param).unwrap();
    assert!(param.markdown.starts_with("```pcl\nparam partition"), "{} in {clean}", param.markdown);
}

#[test]
fn outline_and_diagnostics() {
    let (mut h, _, _) = host(&format!("{BASE}$0"));
    let symbols = h.document_symbols(FILE);
    let names: Vec<(&str, &str)> = symbols.iter().map(|s| (s.kind, s.name.as_str())).collect();
    assert_eq!(
        names,
        [
            ("param", "partition"),
            ("feature", "scheduler"),
            ("actionset", "s3_read"),
            ("policy", "head_node"),
            ("role", "head_node_role")
        ]
    );
    assert!(h.diagnostics(FILE).is_empty(), "{:?}", h.diagnostics(FILE));
    h.set_text(FILE, BASE.replace("s3:GetObject", "s3:GetObjet"));
    let d = h.diagnostics(FILE);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, pcl_semantics::Code::UnknownAction);
}

/// `text` with `fix`'s edits made (from the last, so that the spans hold).
pub(crate) fn apply(text: &str, fix: &Fix) -> String {
    let mut out = text.to_string();
    for (span, new) in fix.edits.iter().rev() {
        out.replace_range(span.start as usize..span.end as usize, new);
    }
    out
}

#[test]
fn fixes_apply_suggestions_remove_and_acknowledge() {
    let text = BASE.replace("s3:GetObject", "s3:GetObjet").replace("ec2:DescribeInstances", "ec3:DescribeInstances");
    let (h, _, _) = host(&format!("{text}$0"));
    let all = h.fixes(FILE, pcl_syntax::Span::new(0, text.len()));
    let fix = all.iter().find(|f| f.code == pcl_semantics::Code::UnknownAction).unwrap();
    assert!(fix.preferred);
    let fixed = apply(&text, fix);
    assert!(fixed.contains("[s3:GetObject, s3:ListBucket]"), "{fixed}");
    let fix = all.iter().find(|f| f.code == pcl_semantics::Code::UnknownService).unwrap();
    assert!(apply(&text, fix).contains("ec2:DescribeInstances"));

    let unused = format!("{BASE}param region: region placeholder \"<REGION>\";\n");
    let (h, _, _) = host(&format!("{unused}$0"));
    let all = h.fixes(FILE, pcl_syntax::Span::new(0, unused.len()));
    let remove = all.iter().find(|f| f.title.starts_with("Remove the unused param `region`")).unwrap();
    assert_eq!(apply(&unused, remove), BASE);
    let acknowledge = all.iter().find(|f| f.title.starts_with("Acknowledge W0502")).unwrap();
    assert!(apply(&unused, acknowledge).contains("expect W0502 \"TODO: why this is kept\"\nparam region"));
}

#[test]
fn workspace_symbols_and_folding() {
    let (mut h, _, _) = host(&format!("{BASE}$0"));
    h.set_text("other.pcl", "policy head_node_extra { allow { action [s3:GetObject]; resource \"*\"; } }\n".into());
    let found: Vec<(String, String)> = h.workspace_symbols("HEAD_NODE").into_iter().map(|(f, s)| (f, s.name)).collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.contains(&("other.pcl".to_string(), "head_node_extra".to_string())));
    // an item folds from its name's line, and only when that spans lines:
    // a one-line feature under its doc comment does not (folded, the
    // protocol hides every line after the first: the declaration was hidden)
    let folds = h.folding_ranges(FILE);
    let policy = BASE.find("head_node {").unwrap();
    assert_eq!(folds.first().map(|s| s.start as usize), Some(policy), "the policy alone: {folds:?}");
    assert_eq!(folds.len(), 1, "{folds:?}");
    let documented = format!("/// Two lines\n/// of docs.\n{BASE}");
    h.set_text(FILE, documented.clone());
    let folds = h.folding_ranges(FILE);
    assert_eq!(folds.len(), 1, "{folds:?}");
    let starts_on = |at: usize| documented.get(..at).unwrap().matches('\n').count();
    assert_eq!(starts_on(folds[0].start as usize), starts_on(documented.find("policy head_node").unwrap()));
}

#[test]
fn review_regressions() {
    // renaming a param that `attach` needs by name is refused
    let text = "param partition: partition = \"aws\";\nparam account: account placeholder \"x\";\npolicy user_fsx { allow { action [s3:GetObject]; resource \"arn:${partition}:s3:::b/*\"; } }\nrole r { path \"/\"; trust service \"ec2.amazonaws.com\"; attach user_fsx; managed [\"AmazonSSMManagedInstanceCore\"]; }\n";
    let mut h = AnalysisHost::new();
    h.set_text(FILE, text.to_string());
    let at = text.find("partition:").unwrap();
    assert_eq!(h.rename(FILE, at, "part"), Err(RenameError::Implicit("partition".into())));
    assert_eq!(h.prepare_rename(FILE, at), Err(RenameError::Implicit("partition".into())));
    let on_managed = text.find("AmazonSSM").unwrap();
    assert_eq!(h.definition(FILE, on_managed), None, "a managed policy name is not a use of `partition`");
    // a did-you-mean for a quoted condition key keeps the quotes
    let text =
        "policy p { allow { action [s3:ListBucket]; resource \"*\"; condition StringLike \"s3:prefx\" [\"a\"]; } }\n";
    h.set_text(FILE, text.to_string());
    let fixes = h.fixes(FILE, pcl_syntax::Span::new(0, text.len()));
    let fix = fixes.iter().find(|f| f.code == pcl_semantics::Code::UnknownConditionKey).unwrap();
    let (span, new) = &fix.edits[0];
    assert_eq!(&text[span.start as usize..span.end as usize], "s3:prefx");
    assert_eq!(new, "s3:prefix");
    // two items on one line: the acknowledgement goes on its own line before the right one
    let text = "param region: region placeholder \"r\"; param other: string placeholder \"o\";\n";
    h.set_text(FILE, text.to_string());
    let fixes = h.fixes(FILE, pcl_syntax::Span::new(0, text.len()));
    let ack = fixes.iter().find(|f| f.title.contains("on `other`")).unwrap();
    let mut fixed = text.to_string();
    let (span, new) = &ack.edits[0];
    fixed.replace_range(span.start as usize..span.end as usize, new);
    h.set_text(FILE, fixed.clone());
    let left: Vec<String> = h.diagnostics(FILE).iter().map(|d| d.message.clone()).collect();
    assert_eq!(left, ["param `region` is never used"], "{fixed}");
    // completion in a multi-line action list, and feature values after `==` without spaces
    let labels = |text: &str| -> Vec<String> {
        let (h, offset, _) = host(text);
        h.completions(FILE, offset).into_iter().map(|c| c.label).collect()
    };
    assert!(
        labels("policy p {\n    allow {\n        action [s3:GetObject,\n            ec$0")
            .contains(&"ec2:".to_string())
    );
    assert!(labels("policy p { allow { action [s3:GetObject]; resource [\"a\", $0").is_empty());
    assert_eq!(labels("/// The {thing} to use.\nfeature f: enum { a, b } = a;\npolicy p when f==$0"), ["a", "b"]);
    assert!(labels("// when $0").is_empty());
}

/// Every token of a file that uses each construct, with what it is
/// highlighted as (`*` marks a declaration).
#[test]
fn semantic_highlighting() {
    let text = format!(
        "{BASE}{}",
        r#"// a comment
param account: account placeholder "<AWS ACCOUNT ID>";
param buckets: list<arn> = ["a"];
feature fsx: bool = false;
constraint c: not (fsx and scheduler == awsbatch) else "no";
valueset objects = ["arn:${partition}:s3:::b/*"];
valueset principals = ["ec2.${partition.dns_suffix}"];
permset shared {
    expect W0509 "kept"
    allow "Star" { action "s3:*"; resource "*"; condition ForAnyValue:StringLike "aws:TagKeys" ["a*"]; }
}
policy p when fsx == true { include shared; deny { notaction [@s3_read]; notresource @objects; } }
"#
    );
    let mut h = AnalysisHost::new();
    h.set_text(FILE, text.clone());
    let shown: Vec<String> = h
        .highlights(FILE)
        .iter()
        .map(|hl| {
            let piece = &text[hl.span.start as usize..hl.span.end as usize];
            format!("{:?}{} {piece}", hl.kind, if hl.declaration { "*" } else { "" })
        })
        .collect();
    insta::assert_snapshot!("semantic_highlighting", shown.join("\n"));
    // none overlap, all in order
    let spans: Vec<_> = h.highlights(FILE).iter().map(|hl| hl.span).collect();
    assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "{spans:?}");
}

/// A name used twice at one place (`attach partition` both names a policy
/// and reads the param) is one reference and one edit: overlapping edits
/// are refused by editors (found by fuzzing).
#[test]
fn a_reference_is_listed_and_renamed_once() {
    let (h, offset, _) = host(
        "param p$0artition: partition = \"aws\";\nrole r { trust service \"ec2.amazonaws.com\"; attach partition; }\n",
    );
    let refs = h.references(FILE, offset, true);
    let mut unique = refs.clone();
    unique.dedup();
    assert_eq!(refs, unique, "{refs:?}");
    if let Ok(edits) = h.rename(FILE, offset, "zzz") {
        let spans: Vec<_> = edits.iter().map(|(s, _)| *s).collect();
        assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "{spans:?}");
    }
}

/// On a second declaration of a name (E0101), which no use means, the
/// definition, the references and a rename are that declaration alone (a
/// review found references giving the first declaration and its uses,
/// against the definition and the rename).
#[test]
fn a_second_declaration_is_its_own_and_only_reference() {
    let text = "param region: string = \"a\";\nparam $0region: string = \"b\";\npolicy p { allow { action s3:GetObject; resource \"arn:aws:s3:::${region}\"; } }\n";
    let (h, offset, clean) = host(text);
    let second = pcl_syntax::Span::new(offset, offset + "region".len());
    assert_eq!(h.definition(FILE, offset), Some(second));
    assert_eq!(h.references(FILE, offset, true), vec![second]);
    assert_eq!(h.references(FILE, offset, false), Vec::<pcl_syntax::Span>::new());
    assert_eq!(h.rename(FILE, offset, "zone").unwrap(), vec![(second, "zone".to_string())]);
    // the first declaration keeps its uses
    let first = clean.find("region").unwrap();
    assert_eq!(h.references(FILE, first, true).len(), 2);
}

/// Renaming to a name the file uses without declaring it would make those
/// uses mean the renamed item: refused (found by fuzzing).
#[test]
fn rename_refuses_to_capture_an_unresolved_name() {
    let (h, offset, _) = host(
        "param $0b: string = \"y\";\npolicy p { allow { action s3:GetObject; resource \"arn:aws:s3:::${b}/${c}\"; } }\n",
    );
    assert_eq!(h.rename(FILE, offset, "c"), Err(RenameError::Taken("c".into())));
    assert!(h.rename(FILE, offset, "d").is_ok());
}

/// Quick fixes the fuzzer found wrong: each one offered must remove its
/// diagnostic and bring no new error; a template key (`${TagKey}`) and a
/// suggestion equal to the text are not offered.
#[test]
fn quick_fixes_fix_what_they_say() {
    let cases = [
        // an unknown resource type: the name after the service is replaced
        (
            "param r: arn(iam:polcy) placeholder \"<R>\";\npolicy p { allow { action iam:GetRole; resource \"${r}\"; } }\n",
            true,
        ),
        // a quoted action with an unknown service: the prefix inside the quotes
        ("policy p {\n    allow { action [\"xry:PutTraceSegments\"]; resource \"*\"; }\n}\n", true),
        // a pattern whose start is right: no fix that changes nothing
        ("policy p { allow { action [logs:Put*Event]; resource \"*\"; } }\n", false),
        // a key template would read as an interpolation; `<key>` and
        // `tag-key` are templates too (`key_template_head`)
        (
            "policy p {\n    allow { action iam:GetRole; resource \"*\"; condition StringEquals \"iam:ResourceTa\" [\"x\"]; }\n}\n",
            false,
        ),
        (
            "policy p { allow { action s3:GetObject; resource \"*\"; condition StringLike \"s3:ExistingObjectTa\" \"x\"; } }",
            false,
        ),
        (
            "policy p { allow { action ssm:GetDocument; resource \"*\"; condition StringLike \"ssm:resourceTa\" \"x\"; } }",
            false,
        ),
    ];
    for (text, fixable) in cases {
        let mut h = AnalysisHost::new();
        h.set_text(FILE, text.to_string());
        let before = h.diagnostics(FILE);
        let first = before.first().unwrap_or_else(|| panic!("a diagnostic: {text}"));
        let fix = suggested_edit(text, first);
        assert_eq!(fix.is_some(), fixable, "{text}: {fix:?} for {first:?}");
        // the code action an editor offers is the same fix (a review found
        // the key template offered there, preferred)
        let offered: Vec<Fix> = h.fixes(FILE, first.span).into_iter().filter(|f| f.preferred).collect();
        assert_eq!(offered.first().map(|f| f.edits.clone()), fix.clone().map(|edit| vec![edit]), "{text}");
        let Some((span, replacement)) = fix else { continue };
        let mut fixed = text.to_string();
        fixed.replace_range(span.start as usize..span.end as usize, &replacement);
        h.set_text(FILE, fixed.clone());
        let after = h.diagnostics(FILE);
        assert!(after.iter().all(|d| d.code != first.code), "{fixed}: {after:?}");
        assert!(after.iter().all(|d| d.severity() != pcl_semantics::Severity::Error), "{fixed}: {after:?}");
    }
}

/// A review's findings: a `//` inside a string is not a comment to
/// completion; a lone `\r` breaks lines for completion, folding, hover and
/// fixes as it does for the syntax; a multi-line statement folds.
#[test]
fn strings_and_lone_carriage_returns_and_statement_folds() {
    let labels = |h: &AnalysisHost, offset: usize| -> Vec<String> {
        h.completions(FILE, offset).into_iter().map(|c| c.label).collect()
    };
    let url = "feature f: bool = false;\npolicy p {\n    allow { action s3:GetObject; resource \"*\"; condition StringLike \"aws:Referer\" [\"https://example.com/*\"] when $0; }\n}\n";
    let (h, offset, _) = host(url);
    assert!(labels(&h, offset).contains(&"f".to_string()), "{:?}", labels(&h, offset));
    let (h, offset, _) = host(
        "feature f: bool = false;\npolicy p {\n    allow { action s3:GetObject; resource \"*\"; } // when $0\n}\n",
    );
    assert!(labels(&h, offset).is_empty(), "in a comment: {:?}", labels(&h, offset));

    let lf = "// c\nfeature f: bool = true;\nparam unused: string = \"u\";\npolicy p {\n    allow when $0f {\n        action s3:GetObject;\n        resource \"*\";\n    }\n}\n";
    for newline in ["\n", "\r"] {
        let (h, offset, text) = host(&lf.replace('\n', newline));
        assert!(labels(&h, offset).contains(&"f".to_string()), "{newline:?}: {:?}", labels(&h, offset));
        let folds = h.folding_ranges(FILE);
        assert_eq!(folds.len(), 2, "{newline:?}: the policy and its statement: {folds:?}");
        let at_p = text.find("policy p").unwrap() + "policy ".len();
        let hover = h.hover(FILE, at_p).unwrap();
        assert!(hover.markdown.starts_with("```pcl\npolicy p\n```"), "{newline:?}: {}", hover.markdown);
        let all = h.fixes(FILE, pcl_syntax::Span::new(0, text.len()));
        let apply = |fix: &Fix| {
            let mut out = text.clone();
            for (span, new) in fix.edits.iter().rev() {
                out.replace_range(span.start as usize..span.end as usize, new);
            }
            out
        };
        let remove = all.iter().find(|f| f.title.starts_with("Remove the unused param")).unwrap();
        assert_eq!(apply(remove), text.replace(&format!("param unused: string = \"u\";{newline}"), ""));
        let acknowledge = all.iter().find(|f| f.title.starts_with("Acknowledge W0502")).unwrap();
        assert!(apply(acknowledge).contains(&format!("expect W0502 \"TODO: why this is kept\"{newline}param unused")));
    }
}
