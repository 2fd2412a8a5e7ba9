//! With no `--set` values, `policies.pcl` must render every policy and the
//! managed policy list of every role exactly as the seed documents in
//! `tests/reference/page` (the AWS ParallelCluster documentation page),
//! compared semantically, in each of the three partitions. `tests/seed_map.json`
//! says which output (item and feature values) reproduces which seed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use pcl_codegen::{Output, OutputKind, render_all};
use pcl_semantics::FileAnalysis;
use pcl_semantics::ir::Program;
use pcl_suite::{config, policies, root, seed_dir};
use serde_json::{Map, Value, json};

const PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];
/// Files of the seed directory that are not policy documents.
const NOT_SEEDS: [&str; 3] = ["FIXES.md", "managed-policies.json", "page.txt"];
const MANAGED_POLICIES: &str = "managed-policies.json";

// --- tests/seed_map.json --------------------------------------------------------

/// One entry of `tests/seed_map.json`.
#[derive(Debug)]
struct SeedEntry {
    /// What the output is compared with.
    target: Target,
    item: String,
    features: BTreeMap<String, String>,
}

#[derive(Debug)]
enum Target {
    /// A seed policy document (or, with `fragment`, a single statement).
    Document { file: String, fragment: bool },
    /// A key of `managed-policies.json`: the role's `ManagedPolicyArns`.
    Managed { key: String },
}

impl SeedEntry {
    fn label(&self) -> String {
        let target = match &self.target {
            Target::Document { file, .. } => file.clone(),
            Target::Managed { key } => format!("{MANAGED_POLICIES}[{key}]"),
        };
        format!("{target} vs {} {:?}", self.item, self.features)
    }
}

fn str_field<'a>(entry: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    entry.get(key).map(|v| v.as_str().unwrap_or_else(|| panic!("seed_map.json: `{key}` is not a string in {entry:?}")))
}

fn seed_map() -> Vec<SeedEntry> {
    let text = std::fs::read_to_string(root().join("tests/seed_map.json")).expect("read tests/seed_map.json");
    let entries: Vec<Map<String, Value>> =
        serde_json::from_str(&text).expect("tests/seed_map.json is a list of objects");
    entries
        .iter()
        .map(|e| {
            for key in e.keys() {
                assert!(
                    ["seed", "managed", "item", "features", "fragment"].contains(&key.as_str()),
                    "seed_map.json: unknown key `{key}` in {e:?}"
                );
            }
            let fragment = match e.get("fragment") {
                None => false,
                Some(v) => v.as_bool().expect("seed_map.json: `fragment` is a bool"),
            };
            let target = match (str_field(e, "seed"), str_field(e, "managed")) {
                (Some(file), None) => Target::Document { file: file.to_string(), fragment },
                (None, Some(key)) if !fragment => Target::Managed { key: key.to_string() },
                _ => panic!("seed_map.json: need exactly one of `seed` and `managed`: {e:?}"),
            };
            let features = e
                .get("features")
                .and_then(Value::as_object)
                .expect("seed_map.json: `features` is an object")
                .iter()
                .map(|(k, v)| {
                    let v = v.as_str().expect("seed_map.json: feature values are strings");
                    (k.clone(), v.to_string())
                })
                .collect();
            SeedEntry { target, item: str_field(e, "item").expect("seed_map.json: `item`").to_string(), features }
        })
        .collect()
}

// --- seeds and rendering ----------------------------------------------------------

/// A seed file's JSON, with every `arn:aws:` moved to `partition`.
fn seed_json(file: &str, partition: &str) -> Value {
    let path = seed_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read seed {}: {e}", path.display()));
    let text = text.replace("arn:aws:", &format!("arn:{partition}:"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("seed {file} is not JSON: {e}"))
}

/// Every output of `policies.pcl` for `partition` (no other values).
fn render(analysis: &FileAnalysis, partition: &str) -> Vec<Output> {
    render_all(&analysis.program, &config(analysis, &[&format!("partition={partition}")]))
}

/// The one output of `item` whose feature values are `features`, with every
/// feature not listed at its default (so adding a defaulted feature to
/// `policies.pcl` needs no edit of `tests/seed_map.json`).
fn find_output<'a>(
    program: &Program,
    outputs: &'a [Output],
    item: &str,
    features: &BTreeMap<String, String>,
) -> Result<&'a Output, String> {
    let wanted = |name: &str| -> Option<String> {
        features
            .get(name)
            .cloned()
            .or_else(|| program.features().find(|(n, _)| *n == name).map(|(_, f)| f.default.clone()))
    };
    let of_item: Vec<&Output> = outputs.iter().filter(|o| o.item == item).collect();
    if let Some(extra) = features.keys().find(|f| of_item.iter().all(|o| !o.features.contains_key(*f))) {
        return Err(format!("`{item}` does not depend on `{extra}`: remove it from its tests/seed_map.json entry"));
    }
    let found: Vec<&&Output> =
        of_item.iter().filter(|o| o.features.iter().all(|(k, v)| wanted(k).as_ref() == Some(v))).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let variants: Vec<String> = of_item.iter().map(|o| format!("  {:?}", o.features)).collect();
            Err(format!(
                "no output of `{item}` has the features {features:?} (others at their defaults); its outputs:\n{}",
                variants.join("\n")
            ))
        }
        many => Err(format!("{} outputs of `{item}` match", many.len())),
    }
}

fn parse_output(o: &Output) -> Value {
    serde_json::from_str(&o.contents).unwrap_or_else(|e| panic!("{} is not JSON: {e}", o.path))
}

// --- semantic normal form -------------------------------------------------------

/// A statement up to order, string-vs-list and action case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Statement {
    sid: Option<String>,
    effect: String,
    /// `(true, ..)` for NotAction; lower-cased.
    action: (bool, BTreeSet<String>),
    /// `(true, ..)` for NotResource.
    resource: (bool, BTreeSet<String>),
    /// Operator -> key -> values.
    condition: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl Statement {
    /// A compact, readable form for diffs.
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(sid) = &self.sid {
            m.insert("Sid".into(), json!(sid));
        }
        m.insert("Effect".into(), json!(self.effect));
        let name = |not: bool, base: &str| {
            if not { format!("Not{base}") } else { base.into() }
        };
        m.insert(name(self.action.0, "Action"), json!(self.action.1));
        m.insert(name(self.resource.0, "Resource"), json!(self.resource.1));
        if !self.condition.is_empty() {
            m.insert("Condition".into(), json!(self.condition));
        }
        Value::Object(m)
    }
}

/// A string, or a list of strings, as a set.
fn string_set(v: &Value, what: &str) -> BTreeSet<String> {
    let as_str = |v: &Value| v.as_str().unwrap_or_else(|| panic!("{what}: expected a string, got {v}")).to_string();
    match v {
        Value::Array(items) => items.iter().map(as_str).collect(),
        other => BTreeSet::from([as_str(other)]),
    }
}

fn object<'a>(v: &'a Value, what: &str) -> &'a Map<String, Value> {
    v.as_object().unwrap_or_else(|| panic!("{what}: expected an object, got {v}"))
}

/// Exactly one of the keys `base` and `Not{base}`.
fn either(st: &Map<String, Value>, base: &str) -> (bool, BTreeSet<String>) {
    let not = format!("Not{base}");
    match (st.get(base), st.get(&not)) {
        (Some(v), None) => (false, string_set(v, base)),
        (None, Some(v)) => (true, string_set(v, &not)),
        _ => panic!("statement needs exactly one of {base} and {not}: {st:?}"),
    }
}

fn normalize_statement(v: &Value) -> Statement {
    let st = object(v, "statement");
    for key in st.keys() {
        assert!(
            ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"].contains(&key.as_str()),
            "unexpected statement key `{key}` in {v}"
        );
    }
    let text = |key: &str| st.get(key).map(|s| string_set(s, key).into_iter().collect());
    let (not_action, actions) = either(st, "Action");
    let condition = st
        .get("Condition")
        .map(|c| {
            object(c, "Condition")
                .iter()
                .map(|(op, block)| {
                    let block =
                        object(block, op).iter().map(|(key, values)| (key.clone(), string_set(values, key))).collect();
                    (op.clone(), block)
                })
                .collect()
        })
        .unwrap_or_default();
    Statement {
        sid: text("Sid"),
        effect: text("Effect").expect("statement without Effect"),
        action: (not_action, actions.iter().map(|a| a.to_lowercase()).collect()),
        resource: either(st, "Resource"),
        condition,
    }
}

/// The statements of a policy document, sorted (a multiset).
fn normalize_document(doc: &Value) -> Vec<Statement> {
    let doc = object(doc, "policy document");
    for key in doc.keys() {
        assert!(key == "Version" || key == "Statement", "unexpected document key `{key}`");
    }
    assert_eq!(doc.get("Version"), Some(&json!("2012-10-17")), "policy document version");
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().map(normalize_statement).collect(),
        Some(one @ Value::Object(_)) => vec![normalize_statement(one)],
        other => panic!("policy document: bad Statement {other:?}"),
    };
    sorted(statements)
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// `a` minus `b`, as multisets (both sorted).
fn multiset_minus<'a>(a: &'a [Statement], b: &[Statement]) -> Vec<&'a Statement> {
    let mut rest: Vec<&Statement> = b.iter().collect();
    a.iter()
        .filter(|s| match rest.iter().position(|r| r == s) {
            Some(i) => {
                rest.remove(i);
                false
            }
            None => true,
        })
        .collect()
}

/// `None` if equal, else which statements are missing from and extra in the
/// rendered output.
fn statement_diff(expected: &[Statement], rendered: &[Statement]) -> Option<String> {
    if expected == rendered {
        return None;
    }
    let mut out = String::new();
    for (title, list) in [
        ("missing (in the seed, not rendered)", multiset_minus(expected, rendered)),
        ("extra (rendered, not in the seed)", multiset_minus(rendered, expected)),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "  {title}:");
            for st in list {
                let _ = writeln!(out, "    {}", st.to_json());
            }
        }
    }
    Some(out)
}

fn set_diff(expected: &BTreeSet<String>, rendered: &BTreeSet<String>) -> Option<String> {
    (expected != rendered).then(|| {
        format!(
            "  missing: {:?}\n  extra: {:?}\n",
            expected.difference(rendered).collect::<Vec<_>>(),
            rendered.difference(expected).collect::<Vec<_>>()
        )
    })
}

// --- comparisons ------------------------------------------------------------------

/// The role's `ManagedPolicyArns` (absent: none).
fn managed_arns(role: &Value) -> BTreeSet<String> {
    role.get("ManagedPolicyArns").map(|v| string_set(v, "ManagedPolicyArns")).unwrap_or_default()
}

/// The role's inline policy documents.
fn inline_documents(role: &Value) -> Vec<&Value> {
    match role.get("Policies") {
        None => Vec::new(),
        Some(Value::Array(list)) => {
            list.iter().map(|p| p.get("PolicyDocument").expect("inline policy document")).collect()
        }
        Some(other) => panic!("Policies is not a list: {other}"),
    }
}

/// Compares one entry's output with its seed; `Err` holds a readable diff.
fn compare(program: &Program, entry: &SeedEntry, outputs: &[Output], partition: &str) -> Result<(), String> {
    let output = find_output(program, outputs, &entry.item, &entry.features)?;
    let rendered = parse_output(output);
    match &entry.target {
        Target::Document { file, fragment } => {
            assert_eq!(output.kind, OutputKind::Policy, "{} is not a policy", output.path);
            let seed = seed_json(file, partition);
            let expected = if *fragment { vec![normalize_statement(&seed)] } else { normalize_document(&seed) };
            match statement_diff(&expected, &normalize_document(&rendered)) {
                None => Ok(()),
                Some(diff) => Err(format!("{}:\n{diff}", output.path)),
            }
        }
        Target::Managed { key } => {
            assert_eq!(output.kind, OutputKind::Role, "{} is not a role", output.path);
            let all = seed_json(MANAGED_POLICIES, partition);
            let expected =
                string_set(all.get(key).unwrap_or_else(|| panic!("{MANAGED_POLICIES} has no key `{key}`")), key);
            let mut problems = String::new();
            if let Some(diff) = set_diff(&expected, &managed_arns(&rendered)) {
                let _ = write!(problems, "ManagedPolicyArns:\n{diff}");
            }
            // The key names the role's `<key>-inline.json` seed, if there is one.
            let inline_seed = format!("{key}-inline.json");
            if seed_dir().join(&inline_seed).exists() {
                let expected = normalize_document(&seed_json(&inline_seed, partition));
                match inline_documents(&rendered).as_slice() {
                    [doc] => {
                        if let Some(diff) = statement_diff(&expected, &normalize_document(doc)) {
                            let _ = write!(problems, "inline policy vs {inline_seed}:\n{diff}");
                        }
                    }
                    docs => {
                        let _ = writeln!(problems, "{} inline policies, expected 1", docs.len());
                    }
                }
            }
            if problems.is_empty() { Ok(()) } else { Err(format!("{}:\n{problems}", output.path)) }
        }
    }
}

/// Compares every seed_map.json entry in `partition`; fails with all diffs.
fn check_partition(partition: &str) {
    let (_, analysis) = policies();
    let outputs = render(&analysis, partition);
    assert!(outputs.iter().all(|o| o.partition == partition));
    let failures: Vec<String> = seed_map()
        .iter()
        .filter_map(|e| {
            compare(&analysis.program, e, &outputs, partition)
                .err()
                .map(|diff| format!("== {} [{partition}]\n{diff}", e.label()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of the seed comparisons failed in partition {partition}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn default_render_matches_seeds() {
    // `partition` defaults to "aws": no value at all renders the same outputs.
    let (_, analysis) = policies();
    assert_eq!(render_all(&analysis.program, &config(&analysis, &[])), render(&analysis, "aws"));
    check_partition("aws");
}

#[test]
fn govcloud_render_matches_seeds() {
    check_partition("aws-us-gov");
}

#[test]
fn china_render_matches_seeds() {
    check_partition("aws-cn");
}

// --- trust policies ---------------------------------------------------------------

/// The service principals of a role's trust policy, `None` if it trusts
/// anything else.
fn trusted_services(role: &Value) -> Option<BTreeSet<String>> {
    let statements =
        role.pointer("/AssumeRolePolicyDocument/Statement").and_then(Value::as_array).expect("trust policy statements");
    let mut services = BTreeSet::new();
    for st in statements {
        assert_eq!(st.get("Effect"), Some(&json!("Allow")));
        assert_eq!(st.get("Action"), Some(&json!("sts:AssumeRole")));
        let principal = object(st.get("Principal").expect("Principal"), "Principal");
        if principal.keys().any(|k| k != "Service") {
            return None;
        }
        services.extend(string_set(principal.get("Service").expect("Service"), "Service"));
    }
    Some(services)
}

/// A service principal of the `aws` partition as `partition` spells it:
/// only EC2 has a China-specific principal.
fn principal_in(partition: &str, service: &str) -> String {
    match (partition, service) {
        ("aws-cn", "ec2.amazonaws.com") => "ec2.amazonaws.com.cn".into(),
        _ => service.to_string(),
    }
}

/// Every role that trusts a service trusts, in each partition, that
/// partition's spelling of the services it trusts in `aws`; in `aws` every
/// service principal is `<service>.amazonaws.com`. Which roles trust which
/// service comes from `policies.pcl` itself, so a new role needs no edit here.
#[test]
fn service_roles_trust_the_partition_principal() {
    let (_, analysis) = policies();
    let aws: Vec<Output> = render(&analysis, "aws");
    let aws_roles: Vec<&Output> = aws.iter().filter(|o| o.kind == OutputKind::Role).collect();
    let mut service_roles = 0;
    for role in &aws_roles {
        if let Some(services) = trusted_services(&parse_output(role)) {
            service_roles += 1;
            for s in &services {
                assert!(s.ends_with(".amazonaws.com") && !s.starts_with('.'), "{} trusts `{s}` in aws", role.path);
            }
        }
    }
    assert!(service_roles >= 2, "policies.pcl has roles that EC2 and Lambda assume");
    for partition in PARTITIONS {
        let outputs = render(&analysis, partition);
        for role in &aws_roles {
            let here = outputs
                .iter()
                .find(|o| o.item == role.item && o.features == role.features)
                .unwrap_or_else(|| panic!("{} has no rendering in {partition}", role.path));
            let expected = trusted_services(&parse_output(role))
                .map(|services| services.iter().map(|s| principal_in(partition, s)).collect::<BTreeSet<_>>());
            assert_eq!(trusted_services(&parse_output(here)), expected, "trust policy of {} [{partition}]", here.path);
        }
    }
}

// --- coverage ---------------------------------------------------------------------

#[test]
fn seed_map_covers_every_seed() {
    let in_dir: BTreeSet<String> = std::fs::read_dir(seed_dir())
        .expect("read the seed directory")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !NOT_SEEDS.contains(&name.as_str()))
        .collect();
    let mut documents = BTreeSet::new();
    let mut managed = BTreeSet::new();
    for e in seed_map() {
        let fresh = match e.target {
            Target::Document { file, .. } => documents.insert(file),
            Target::Managed { key } => managed.insert(key),
        };
        assert!(fresh, "seed_map.json maps a seed twice");
    }
    assert_eq!(set_diff(&in_dir, &documents), None, "seed files vs seed_map.json `seed` entries");
    let keys: BTreeSet<String> =
        object(&seed_json(MANAGED_POLICIES, "aws"), MANAGED_POLICIES).keys().cloned().collect();
    assert_eq!(set_diff(&keys, &managed), None, "{MANAGED_POLICIES} keys vs seed_map.json `managed` entries");
}

// --- given values ---------------------------------------------------------------

/// A value for every param but `partition`; list params get two values.
const VALUES: &[(&str, &str)] = &[
    ("account", "123456789012"),
    ("region", "us-east-1"),
    ("secret_name", "pcluster-directory-secret-AbCdEf"),
    ("secret_id", "pcluster-head-node-secret-??????"),
    ("s3_name", "my-fsx-data-bucket"),
    ("boundary_arn", "arn:aws:iam::123456789012:policy/pcluster-boundary"),
    ("custom_roles", "arn:aws:iam::123456789012:role/custom/head,arn:aws:iam::123456789012:role/custom/compute"),
    (
        "efs_arns",
        "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0,arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0fedcba9876543210",
    ),
    (
        "fsx_arns",
        "arn:aws:fsx:us-east-1:123456789012:file-system/fs-0123456789abcdef0,arn:aws:fsx:us-east-1:123456789012:file-system/fs-0fedcba9876543210",
    ),
    ("compute_role_arn", "arn:aws:iam::123456789012:role/custom/compute"),
    ("additional_policy_arns", "arn:aws:iam::123456789012:policy/extra-a,arn:aws:iam::123456789012:policy/extra-b"),
];

fn placeholder(analysis: &FileAnalysis, param: &str) -> Option<String> {
    analysis
        .program
        .params()
        .find(|(n, _)| *n == param)
        .unwrap_or_else(|| panic!("no param `{param}`"))
        .1
        .placeholder
        .clone()
}

/// Renders with `values`; no output may hold the placeholder of a param given
/// a value, and every value (each element of a list) must appear somewhere.
fn render_with(analysis: &FileAnalysis, values: &[(&str, &str)]) -> Vec<Output> {
    let sets: Vec<String> = values.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let outputs = render_all(&analysis.program, &config(analysis, &sets));
    for (name, value) in values {
        if let Some(ph) = placeholder(analysis, name) {
            for o in &outputs {
                assert!(
                    !o.contents.contains(&ph),
                    "{}: placeholder {ph} of `{name}` is rendered although {name}={value}",
                    o.path
                );
            }
        }
        for v in value.split(',') {
            assert!(outputs.iter().any(|o| o.contents.contains(v)), "value {v} of `{name}` appears in no output");
        }
    }
    outputs
}

#[test]
fn given_values_replace_placeholders() {
    let (_, analysis) = policies();
    // Every param of policies.pcl with a placeholder is in VALUES (the others,
    // `partition` and `prefix`, have defaults and render no placeholder).
    for (name, p) in analysis.program.params() {
        assert!(p.default.is_some() || VALUES.iter().any(|(n, _)| *n == name), "param `{name}` is missing from VALUES");
    }
    let outputs = render_with(&analysis, VALUES);
    // With every param given, nothing that looks like a placeholder is left.
    for o in &outputs {
        assert_eq!(
            placeholders_in(&o.contents),
            Vec::<&str>::new(),
            "{}: placeholders left although every param has a value",
            o.path
        );
    }
}

/// Every `<...>` in `text` (no quote, newline or `<` inside).
fn placeholders_in(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let tail = rest.get(start..).unwrap_or_default();
        let end = tail.char_indices().skip(1).find(|(_, c)| matches!(c, '<' | '>' | '"' | '\n'));
        match end {
            Some((i, '>')) => {
                found.push(tail.get(..=i).unwrap_or_default());
                rest = tail.get(i + 1..).unwrap_or_default();
            }
            Some((i, _)) => rest = tail.get(i..).unwrap_or_default(),
            None => break,
        }
    }
    found
}

#[test]
fn placeholders_are_found() {
    // The default render holds the placeholders of every param without a default.
    let (_, analysis) = policies();
    let outputs = render(&analysis, "aws");
    let found: BTreeSet<&str> = outputs.iter().flat_map(|o| placeholders_in(&o.contents)).collect();
    // a placeholder may be an ARN pattern holding a `<...>` part
    // (`arn:*:fsx:*:*:file-system/<FSX FILE SYSTEM ID>`): that part is found
    let placeholders: Vec<String> = analysis.program.params().filter_map(|(_, p)| p.placeholder.clone()).collect();
    let expected: BTreeSet<&str> = placeholders.iter().flat_map(|p| placeholders_in(p)).collect();
    assert_eq!(found, expected);
}

#[test]
fn some_values_replace_only_their_placeholders() {
    let (_, analysis) = policies();
    let (given, not_given) = VALUES.split_at(2); // account, region
    let outputs = render_with(&analysis, given);
    // The placeholders of the params not given are still rendered.
    for (name, _) in not_given {
        let ph = placeholder(&analysis, name).expect("placeholder");
        assert!(
            outputs.iter().any(|o| o.contents.contains(&ph)),
            "placeholder {ph} of `{name}` (no value given) is rendered nowhere"
        );
    }
}

#[test]
fn one_value_per_param_is_a_plain_substitution() {
    // With one value per param, rendering with values is the placeholder
    // rendering with each placeholder replaced by its value, byte for byte;
    // but a region (other than `*`) also limits the user policies' requests
    // to it (`regional`, as upstream's template): those conditions aside,
    // the documents are the substitution too (and the DynamoDB ARN names the
    // region, as upstream's does).
    let (_, analysis) = policies();
    let single: Vec<(&str, &str)> = VALUES.iter().map(|(n, v)| (*n, v.split(',').next().unwrap_or_default())).collect();
    let with_values = render_with(&analysis, &single);
    let placeholders = render(&analysis, "aws");
    assert_eq!(with_values.len(), placeholders.len());
    let mut limited = 0;
    for (o, p) in with_values.iter().zip(&placeholders) {
        assert_eq!(o.path, p.path);
        let expected = single
            .iter()
            .fold(p.contents.clone(), |text, (n, v)| text.replace(&placeholder(&analysis, n).expect("placeholder"), v));
        if o.contents == expected {
            continue;
        }
        let mut got: Value = serde_json::from_str(&o.contents).unwrap();
        for st in got.get_mut("Statement").and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(conditions) = st.get_mut("Condition").and_then(Value::as_object_mut) else { continue };
            let equals = conditions.get_mut("StringEquals").and_then(Value::as_object_mut);
            if equals.is_some_and(|e| e.remove("aws:RequestedRegion") == Some(json!(["us-east-1"]))) {
                limited += 1;
            }
            conditions.retain(|_, v| v.as_object().is_none_or(|o| !o.is_empty()));
            if conditions.is_empty() {
                st.as_object_mut().unwrap().remove("Condition");
            }
        }
        // and the DynamoDB tables' ARN names the region instead of `*`
        let got: Value =
            serde_json::from_str(&got.to_string().replace(":dynamodb:us-east-1:", ":dynamodb:*:")).unwrap();
        assert_eq!(got, serde_json::from_str::<Value>(&expected).unwrap(), "{}", o.path);
    }
    // user_base's six and user_batch's four statements, in every file that has them
    assert!(limited >= 10, "{limited} statements limited to the region");
}

// --- the comparison itself ----------------------------------------------------------

#[test]
fn comparison_ignores_only_form() {
    let base = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::b/*",
         "Condition": {"StringEquals": {"k": ["x", "y"]}}},
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": ["*"]},
    ]});
    let same = json!({"Version": "2012-10-17", "Statement": [
        {"Resource": ["*"], "Action": ["EC2:runinstances"], "Effect": "Allow"},
        {"Condition": {"StringEquals": {"k": ["y", "x"]}}, "Resource": ["arn:aws:s3:::b/*"],
         "Action": ["s3:PutObject", "S3:GetObject"], "Effect": "Allow", "Sid": "A"},
    ]});
    let base_n = normalize_document(&base);
    assert_eq!(statement_diff(&base_n, &normalize_document(&same)), None);
    // Each of these changes one thing that matters.
    let changes: [(&str, Value); 8] = [
        ("/Statement/0/Sid", json!("a")),
        ("/Statement/0/Effect", json!("Deny")),
        ("/Statement/0/Resource", json!("arn:aws:s3:::B/*")),
        ("/Statement/0/Action", json!(["s3:GetObject"])),
        ("/Statement/0/Condition/StringEquals/k", json!("x")),
        ("/Statement/0/Condition", json!({"StringLike": {"k": ["x", "y"]}})),
        ("/Statement/0/Condition", json!({"StringEquals": {"K": ["x", "y"]}})),
        ("/Statement/1/Resource", json!(["*", "arn:aws:s3:::b"])),
    ];
    for (pointer, value) in changes {
        let mut changed = base.clone();
        *changed.pointer_mut(pointer).expect("pointer") = value;
        assert!(statement_diff(&base_n, &normalize_document(&changed)).is_some(), "changing {pointer} went unnoticed");
    }
    // A missing Sid, NotAction for Action, and a duplicated statement matter too.
    let edit = |f: &dyn Fn(&mut Vec<Value>)| {
        let mut changed = base.clone();
        f(changed.pointer_mut("/Statement").and_then(Value::as_array_mut).expect("statements"));
        statement_diff(&base_n, &normalize_document(&changed))
    };
    fn statement(list: &mut [Value], i: usize) -> &mut Map<String, Value> {
        list.get_mut(i).and_then(Value::as_object_mut).expect("statement")
    }
    let without_sid = edit(&|list| {
        statement(list, 0).remove("Sid");
    });
    assert!(without_sid.is_some(), "a dropped Sid went unnoticed");
    let not_action = edit(&|list| {
        let st = statement(list, 1);
        let action = st.remove("Action").expect("Action");
        st.insert("NotAction".into(), action);
    });
    assert!(not_action.is_some(), "NotAction for Action went unnoticed");
    let duplicated = edit(&|list| {
        let st = statement(list, 1).clone();
        list.push(Value::Object(st));
    })
    .expect("a duplicated statement went unnoticed");
    assert!(duplicated.contains("extra") && !duplicated.contains("missing"), "{duplicated}");
}
