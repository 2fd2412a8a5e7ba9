//! Completion where the cursor is (`$0`): what the grammar allows there,
//! and nothing that pcl rejects once accepted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use crate::{AnalysisHost, Completion, CompletionKind};

const FILE: &str = "test.pcl";

const BASE: &str = r#"param partition: partition = "aws";
param prefix: string = "pc";
param buckets: list<arn> = ["arn:aws:s3:::b"];
feature scheduler: enum { slurm, awsbatch } = slurm;
feature fsx: bool = false;
feature on_slurm = scheduler == slurm;
actionset s3_read = [s3:GetObject, s3:ListBucket];
valueset objects = ["arn:${partition}:s3:::b/*"];
permset shared { allow { action [@s3_read]; resource [@objects]; } }
policy head_node {
    allow "S3" { action [@s3_read]; resource "arn:${partition}:s3:::bucket/*"; }
}
role head_node_role { trust service "ec2.amazonaws.com"; inline head_node; }
"#;

/// `text` (`$0` marking the cursor) open, and what completion offers there.
fn complete(text: &str) -> (Vec<Completion>, usize, String) {
    let offset = text.find("$0").expect("the fixture marks the cursor with $0");
    let clean = text.replacen("$0", "", 1);
    let mut host = AnalysisHost::new();
    host.set_text(FILE, clean.clone());
    (host.completions(FILE, offset), offset, clean)
}

fn labels(text: &str) -> Vec<String> {
    complete(text).0.into_iter().map(|c| c.label).collect()
}

/// `BASE` with `entry` as the first entry of the policy's body.
fn in_policy(entry: &str) -> String {
    BASE.replacen("    allow \"S3\"", &format!("    {entry}\n    allow \"S3\""), 1)
}

/// `BASE` with `fields` first in the role's body.
fn in_role(fields: &str) -> String {
    BASE.replacen("role head_node_role { ", &format!("role head_node_role {{ {fields}"), 1)
}

/// The contexts completion knew before it followed the grammar's nesting.
#[test]
fn completion_by_context() {
    let with = in_policy;
    assert_eq!(labels(&with("allow { action [@$0]; resource \"*\"; }")), ["s3_read"]);
    assert!(labels(&with("allow { action [s3:GetObj$0]; resource \"*\"; }")).contains(&"s3:GetObject".to_string()));
    assert!(labels(&with("allow { action [ec$0]; resource \"*\"; }")).contains(&"ec2:".to_string()));
    assert_eq!(labels(&with("allow when scheduler == $0")), ["slurm", "awsbatch"]);
    assert!(labels(&with("allow when sch$0")).contains(&"scheduler".to_string()));
    assert!(labels(&with("allow { condition StringEq$0")).contains(&"StringEquals".to_string()));
    assert!(
        labels(&with("allow { action [s3:GetObject]; resource \"*\"; condition Bool \"aws:Sec$0"))
            .contains(&"aws:SecureTransport".to_string())
    );
    assert!(labels(&format!("{BASE}pol$0")).contains(&"policy".to_string()));
    assert!(
        labels(&format!("{BASE}role r {{ path \"/\"; trust service \"x\"; inline $0"))
            .contains(&"head_node".to_string())
    );
    // a partition's members after `${partition.`, nothing after another param's
    assert_eq!(labels(&format!("{BASE}role r {{ trust service \"ec2.${{partition.$0")), ["dns_suffix"]);
    assert!(labels(&format!("{BASE}param account: account;\nvalueset v = [\"${{account.$0")).is_empty());
    // an expression that goes on over lines: its names, not item keywords
    // (found by fuzzing); after a finished item, item keywords
    let continued = "feature a: bool = false;\nfeature b: bool = false;\nconstraint c: not (a and\n";
    assert_eq!(labels(&format!("{continued}$0b) else \"no\";\n")), ["a", "b"]);
    assert_eq!(labels(&format!("{continued}b$0) else \"no\";\n")), ["b"]);
    assert!(labels(&format!("{BASE}// a comment ending in and\npol$0")).contains(&"policy".to_string()));
    let (found, offset, _) = complete(&with("allow { action [s3:GetObj$0]; resource \"*\"; }"));
    let c = found.into_iter().find(|c| c.label == "s3:GetObject").unwrap();
    assert_eq!(c.kind, CompletionKind::Action);
    // it replaces all that was typed of it, the service's prefix too
    assert_eq!(c.replaces, offset - "s3:GetObj".len()..offset);
    // after `${`, `@` or `when`, just the name typed
    let (found, offset, _) = complete(&format!("{BASE}policy p when sched$0"));
    assert!(found.iter().any(|c| c.label == "scheduler"), "{found:?}");
    assert!(found.iter().all(|c| c.replaces == (offset - "sched".len()..offset)), "{found:?}");
}

#[test]
fn a_statement_body_offers_its_fields() {
    let fields = ["action", "notaction", "resource", "notresource", "condition"];
    assert_eq!(labels(&in_policy("allow {\n        $0")), fields);
    assert_eq!(labels(&in_policy("allow \"Sid\" { act$0")), ["action"]);
    assert_eq!(labels(&in_policy("allow { re$0")), ["resource"]);
    // in a block and in a permset too
    assert_eq!(labels(&in_policy("with condition Bool \"aws:SecureTransport\" \"true\" { deny { $0")), fields);
    assert_eq!(labels(&format!("{BASE}permset p {{ allow when fsx {{ $0")), fields);
    // a field given is not offered again, nor its `not` form
    assert_eq!(labels(&in_policy("allow { action s3:GetObject; $0")), ["resource", "notresource", "condition"]);
    assert_eq!(
        labels(&in_policy("allow { notresource \"*\"; condition Null \"aws:TokenIssueTime\" \"true\"; $0")),
        ["action", "notaction", "condition"]
    );
}

#[test]
fn a_role_body_offers_its_fields() {
    let fields = ["name", "description", "path", "trust", "managed", "inline", "attach", "boundary"];
    assert_eq!(labels(&format!("{BASE}role r {{\n    $0")), fields);
    assert_eq!(labels(&in_role("path \"/\"; tr$0")), ["trust"]);
    assert_eq!(labels(&in_role("/// documented\n    $0")), fields);
    assert_eq!(labels(&in_role("trust $0")), ["service", "aws", "federated"]);
    assert_eq!(labels(&in_role("attach $0")), ["head_node"]);
}

#[test]
fn a_trust_block_offers_conditions_their_operators_and_keys_and_session_actions() {
    assert_eq!(labels(&in_role("trust aws \"*\" {\n        $0")), ["condition", "action"]);
    assert_eq!(labels(&in_role("trust aws \"*\" { condition StringEquals \"k\" \"v\"; $0")), ["condition", "action"]);
    // one `action` a block; its entries are the session actions, any case
    assert_eq!(labels(&in_role("trust aws \"*\" { action sts:TagSession; $0")), ["condition"]);
    assert_eq!(labels(&in_role("trust aws \"*\" { a$0")), ["action"]);
    let session = ["sts:SetContext", "sts:SetSourceIdentity", "sts:TagSession"];
    assert_eq!(labels(&in_role("trust service \"pods.eks.amazonaws.com\" { action $0")), session);
    assert_eq!(labels(&in_role("trust aws \"*\" { action [sts:TagSession, STS:set$0")), session[..2]);
    assert_eq!(labels(&in_role("trust aws \"*\" { action [@$0")), ["s3_read"]);
    let operators = labels(&in_role("trust aws \"*\" { condition StringEq$0"));
    assert!(operators.iter().any(|o| o == "StringEquals"), "{operators:?}");
    let keys = labels(&in_role("trust aws \"*\" { condition StringEquals \"aws:PrincipalOrg$0"));
    assert!(keys.iter().any(|k| k == "aws:PrincipalOrgID"), "{keys:?}");
    // after the block, the role's fields again
    assert_eq!(labels(&in_role("trust aws \"*\" { condition Bool \"k\" \"v\"; }\n    attach $0")), ["head_node"]);
}

#[test]
fn a_body_offers_its_entries_and_item_keywords_only_outside_every_item() {
    let body = ["allow", "deny", "include", "with", "expect"];
    let policy: Vec<&str> = body.iter().copied().chain(["name", "description"]).collect();
    assert_eq!(labels(&in_policy("$0")), policy);
    // in column 0, inside the policy's braces: still its body
    assert_eq!(labels(&BASE.replacen("    allow \"S3\"", "$0\n    allow \"S3\"", 1)), policy);
    assert_eq!(labels(&format!("{BASE}permset p {{\n    $0")), body);
    assert_eq!(labels(&in_policy("with condition Bool \"aws:SecureTransport\" \"true\" {\n        $0")), body);
    // after a statement, an `expect`, a block
    assert_eq!(labels(&in_policy("allow { action s3:GetObject; resource \"*\"; } $0")), policy);
    assert_eq!(labels(&in_policy("expect W0509 \"kept\"\n    $0")), policy);
    assert_eq!(
        labels(&in_policy("with condition Bool \"aws:SecureTransport\" \"true\" { }\n    de$0")),
        ["deny", "description"]
    );
    assert_eq!(labels(&in_policy("with $0")), ["condition"]);
    assert_eq!(labels(&in_policy("include $0")), ["shared"]);
    // outside every item: the item keywords, after any item
    let items = ["param", "feature", "constraint", "permset", "actionset", "valueset", "policy", "role", "expect"];
    assert_eq!(labels(&format!("{BASE}$0")), items);
    assert_eq!(labels(&format!("$0{BASE}")), items);
    assert_eq!(labels(&format!("{BASE}  $0")), items);
    assert_eq!(labels(&format!("{BASE}expect W0509 \"kept\"\nper$0")), ["permset"]);
    // inside an item's header or declaration, none
    assert!(labels(&format!("{BASE}param p: $0")).is_empty());
    assert!(labels(&format!("{BASE}policy p $0")).is_empty());
}

#[test]
fn a_set_after_at_is_of_the_list_kind() {
    assert_eq!(labels(&in_policy("allow { action [@$0]; resource \"*\"; }")), ["s3_read"]);
    assert_eq!(labels(&in_policy("allow { action [ec2:DescribeInstances, @$0")), ["s3_read"]);
    assert_eq!(labels(&in_policy("allow { action s3:GetObject; resource [@$0")), ["objects"]);
    assert_eq!(labels(&in_policy("allow { action s3:GetObject; notresource @$0")), ["objects"]);
    let condition = "allow { action s3:GetObject; resource \"*\"; condition ArnLike \"aws:SourceArn\" [@$0";
    assert_eq!(labels(&in_policy(condition)), ["objects"]);
    assert_eq!(labels(&in_role("trust service [@$0")), ["objects"]);
    assert_eq!(labels(&in_role("managed [@$0")), ["objects"]);
    assert_eq!(labels(&format!("{BASE}actionset more = [@$0")), ["s3_read"]);
    assert_eq!(labels(&format!("{BASE}valueset more = [\"a\", @$0")), ["objects"]);
    // nowhere else
    assert!(labels(&in_policy("allow { @$0")).is_empty());
}

#[test]
fn a_guard_offers_features_and_scalar_params() {
    // what may stand alone first, an enum feature (compared) last; never
    // the list `buckets`
    let guard = ["fsx", "on_slurm", "partition", "prefix", "scheduler"];
    assert_eq!(labels(&format!("{BASE}policy p when $0")), guard);
    assert_eq!(labels(&in_policy("allow when fsx and $0")), guard);
    assert_eq!(labels(&in_policy("include shared when not ($0")), guard);
    assert_eq!(labels(&in_role("inline head_node when b$0")), Vec::<String>::new(), "`buckets` is a list");
    assert_eq!(labels(&in_policy("allow { action [s3:GetObject when p$0")), ["partition", "prefix"]);
    // a derived feature's expression reads no other derived feature
    assert_eq!(labels(&format!("{BASE}feature other = on$0")), Vec::<String>::new());
    assert_eq!(labels(&format!("{BASE}feature other = not f$0")), ["fsx"]);
    assert_eq!(labels(&format!("{BASE}constraint c: not (fsx and $0")).len(), 5);
    assert!(labels(&format!("{BASE}constraint c: fsx else \"not with $0")).is_empty());
    assert_eq!(labels(&in_policy("allow when scheduler != $0")), ["slurm", "awsbatch"]);
    assert_eq!(labels(&in_policy("allow when fsx == t$0")), ["true"]);
}

#[test]
fn prose_and_literal_strings_offer_nothing() {
    for text in [
        in_role("description \"Used when $0"),
        in_role("description \"Send mail to ops@$0"),
        in_policy("description \"ec2:$0"),
        in_policy("allow \"Sid when $0"),
        in_policy("expect W0509 \"kept when $0"),
        format!("{BASE}/// The role used when $0"),
        format!("{BASE}constraint c: fsx else \"use @$0"),
        format!("{BASE}param other: string placeholder \"${{$0"),
        in_policy("allow when prefix == \"${$0"),
        in_policy("allow { action s3:GetObject; resource \"arn:aws:s3:::$0"),
    ] {
        assert_eq!(labels(&text), Vec::<String>::new(), "{text}");
    }
    // a string that interpolates: its scalar params after `${`
    assert_eq!(labels(&in_role("description \"For ${$0")), ["partition", "prefix"]);
    assert_eq!(labels(&in_policy("name \"${p$0")), ["partition", "prefix"]);
    assert_eq!(labels(&in_role("trust service \"ec2.${partition.$0")), ["dns_suffix"]);
}

#[test]
fn operators_include_if_exists_and_set_forms() {
    let found = labels(&in_policy("allow { condition $0"));
    assert_eq!(found.first().map(String::as_str), Some("StringEquals"));
    for operator in ["StringLikeIfExists", "ForAnyValue:StringEquals", "ForAllValues:ArnLikeIfExists", "Null"] {
        assert!(found.iter().any(|o| o == operator), "{operator}: {found:?}");
    }
    assert!(!found.iter().any(|o| o == "NullIfExists"));
    let after_prefix = labels(&in_policy("allow { condition ForAnyValue:$0"));
    assert!(!after_prefix.is_empty() && after_prefix.iter().all(|o| o.starts_with("ForAnyValue:")), "{after_prefix:?}");
    assert_eq!(
        labels(&in_policy("allow { condition ForAllValues:StringNotLikeI$0")),
        ["ForAllValues:StringNotLikeIfExists"]
    );
    assert!(labels(&in_policy("with condition StringLikeIf$0")).contains(&"StringLikeIfExists".to_string()));
}

#[test]
fn condition_keys_complete_after_a_slash_and_insert_no_template() {
    let (found, offset, _) = complete(&in_policy("allow { condition StringEquals \"ec2:ResourceTag/$0"));
    let tag = found.iter().find(|c| c.label == "ec2:ResourceTag/${TagKey}").expect("the template, shown");
    assert_eq!(tag.insert, "ec2:ResourceTag/");
    assert_eq!(tag.replaces, offset - "ec2:ResourceTag/".len()..offset, "all of the key typed");
    // every key template inserts its literal start only
    let (found, _, _) = complete(&in_policy("with condition StringLike \"s3:$0"));
    assert!(found.iter().any(|c| c.label == "s3:ExistingObjectTag/<key>"), "{found:?}");
    assert!(found.iter().all(|c| !c.insert.contains(['$', '<'])), "{found:?}");
    let (found, _, _) = complete(&in_policy("allow { condition StringEquals \"aws:PrincipalTag$0"));
    let tag_key = found.iter().find(|c| c.label == "aws:PrincipalTag/tag-key").expect("the global template");
    assert_eq!(tag_key.insert, "aws:PrincipalTag/");
    // case-insensitively, as IAM compares keys; nothing in the values
    assert!(labels(&in_policy("allow { condition Bool \"AWS:secure$0")).contains(&"aws:SecureTransport".to_string()));
    assert!(labels(&in_policy("allow { condition Bool \"aws:SecureTransport\" \"aws:$0")).is_empty());
}

#[test]
fn a_condition_key_completes_params_after_an_interpolation_opens() {
    // an identity provider's host held in a param, a tag key in one
    assert_eq!(labels(&in_policy("allow { condition StringEquals \"aws:ResourceTag/${pre$0")), ["prefix"]);
    let (found, offset, _) = complete(&in_policy("with condition StringEquals \"${$0"));
    assert!(found.iter().any(|c| c.label == "partition" && c.replaces == (offset..offset)), "{found:?}");
    assert_eq!(labels(&in_policy("allow { condition StringEquals \"ec2.${partition.dns$0")), ["dns_suffix"]);
    // closed, the key is a key again: none starts with `${`
    assert!(complete(&in_policy("allow { condition StringEquals \"${prefix}:$0")).0.is_empty());
}

/// Each fixture is a whole file once the first item is accepted at `$0`:
/// it must bring no error (the review accepted list params in guards,
/// valuesets in action lists and key templates).
#[test]
fn accepting_the_first_item_brings_no_error() {
    let fixtures = [
        in_policy("allow { action [@$0]; resource \"*\"; }"),
        in_policy("allow { action s3:GetObject; resource [@$0]; }"),
        in_policy("allow { action s3:GetObj$0; resource \"*\"; }"),
        in_policy("allow when $0 { action s3:GetObject; resource \"*\"; }"),
        in_policy("allow when scheduler == $0 { action s3:GetObject; resource \"*\"; }"),
        format!("{BASE}feature other = $0;\n"),
        in_role("description \"For ${$0}\"; "),
        in_policy("allow { action s3:GetObject; resource \"*\"; condition $0 \"aws:SecureTransport\" \"true\"; }"),
        in_policy(
            "allow { action s3:GetObject; resource \"*\"; condition StringLike \"s3:ExistingObjectTag/$0Env\" \"a\"; }",
        ),
    ];
    for text in fixtures {
        let (found, _, clean) = complete(&text);
        let first = found.first().unwrap_or_else(|| panic!("an item: {text}"));
        let mut accepted = clean.clone();
        accepted.replace_range(first.replaces.clone(), &first.insert);
        let mut host = AnalysisHost::new();
        host.set_text(FILE, accepted.clone());
        let errors: Vec<_> = host
            .diagnostics(FILE)
            .into_iter()
            .filter(|d| d.severity() == pcl_semantics::Severity::Error)
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        assert!(errors.is_empty(), "{:?} accepted:\n{accepted}\n{errors:?}", first.label);
    }
}

/// Half-typed text never makes completion panic: the cursor at every
/// offset of a file that uses each construct (completion reads the text
/// before it, so each is a file typed that far), past its end too.
#[test]
fn completion_answers_at_every_offset() {
    let text = format!(
        "{BASE}{}",
        "/// doc\nexpect W0509 \"x\"\npolicy q splittable when not (fsx or scheduler != awsbatch) {\n    with condition ForAnyValue:StringLike \"aws:TagKeys\" [\"a${prefix}\", @objects] when fsx {\n        deny \"D\" { notaction [\"s3:*\" when fsx]; notresource \"*\"; }\n    }\n}\r\nrole r { trust federated \"é\\\"\"; boundary @objects; }\n"
    );
    let mut host = AnalysisHost::new();
    host.set_text(FILE, text.clone());
    for offset in 0..=text.len() + 1 {
        for c in host.completions(FILE, offset) {
            assert!(c.replaces.end <= text.len() && text.get(c.replaces.clone()).is_some(), "{offset}: {c:?}");
        }
    }
}

/// Where ARNs go (resources, a boundary, an `Arn*` condition's values),
/// `@` offers no valueset that holds something else, directly, through a
/// bare param of another type or through a set it splices (E0301, E0202);
/// elsewhere every valueset. (A review found `ec2_principal`, a service
/// principal, offered among a statement's resources.)
#[test]
fn sets_of_non_arns_are_not_offered_where_arns_go() {
    let file = format!(
        "{BASE}valueset principals = [\"ec2.amazonaws.com\"];\nvalueset via = [@principals];\n\
         valueset named = [prefix];\nvalueset templated = [\"arn:aws:s3:::${{b}}\" for b in buckets];\n"
    );
    let in_file =
        |entry: &str| labels(&file.replacen("    allow \"S3\"", &format!("    {entry}\n    allow \"S3\""), 1));
    assert_eq!(in_file("allow { action s3:GetObject; resource [@$0"), ["objects", "templated"]);
    let condition = "allow { action s3:GetObject; resource \"*\"; condition ForAnyValue:ArnLike \"aws:SourceArn\" @$0";
    assert_eq!(in_file(condition), ["objects", "templated"]);
    let strings = "allow { action s3:GetObject; resource \"*\"; condition StringEquals \"aws:SourceVpce\" @$0";
    assert_eq!(in_file(strings), ["objects", "principals", "via", "named", "templated"]);
    let role =
        |fields: &str| labels(&file.replacen("role head_node_role { ", &format!("role head_node_role {{ {fields}"), 1));
    assert_eq!(role("boundary @$0"), ["objects", "templated"]);
    assert_eq!(role("trust service [@$0"), ["objects", "principals", "via", "named", "templated"]);
}

/// After `${` in an ARN's partition, region or account field, only params
/// of that type (E0202), none in its service field; in its resource part
/// and outside ARNs, every scalar param.
#[test]
fn interpolation_offers_the_params_an_arn_field_takes() {
    let file = format!("{BASE}param account: account = \"123456789012\";\nparam region: region = \"us-east-1\";\n");
    let at = |string: &str| labels(&format!("{file}valueset v = [\"{string}"));
    assert_eq!(at("arn:${$0"), ["partition"]);
    assert_eq!(at("arn:${partition}:ec2:${$0"), ["region"]);
    assert_eq!(at("arn:${partition}:ec2:${region}:${$0"), ["account"]);
    assert_eq!(at("arn:aws:${$0"), Vec::<String>::new());
    assert_eq!(at("arn:aws:s3:::${prefix}-${$0"), ["partition", "prefix", "account", "region"]);
    assert_eq!(at("${$0"), ["partition", "prefix", "account", "region"]);
}
