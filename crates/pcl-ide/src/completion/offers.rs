//! What each place offers: keywords as the grammar (`pcl.pest`) has them
//! there, declared names of the kind that fits, and IAM's services,
//! actions, operators and condition keys from `pcl-iam`.

use super::context::Place;
use super::{Completion, CompletionKind};
use crate::index::{Decl, FileIndex};

/// `body_entry` and a policy's `item_field`.
const BODY_KEYWORDS: [(&str, &str); 5] = [
    ("allow", "statement"),
    ("deny", "statement"),
    ("include", "a permset's statements"),
    ("with", "a condition on the statements inside"),
    ("expect", "acknowledges a warning"),
];
const POLICY_FIELDS: [(&str, &str); 2] = [("name", "deployed name"), ("description", "deployed description")];
/// `stmt_field`.
const ACTION_FIELDS: [&str; 2] = ["action", "notaction"];
const RESOURCE_FIELDS: [&str; 2] = ["resource", "notresource"];
/// `role_field`.
const ROLE_FIELDS: [(&str, &str); 8] = [
    ("name", "deployed name"),
    ("description", "deployed description"),
    ("path", "IAM path"),
    ("trust", "trust policy principals"),
    ("managed", "managed policies"),
    ("inline", "a policy, embedded"),
    ("attach", "a policy, attached"),
    ("boundary", "permissions boundary"),
];
/// `principal_kind`.
const PRINCIPAL_KINDS: [&str; 3] = ["service", "aws", "federated"];

pub(super) fn offers(index: &FileIndex, place: Place<'_>, typed: &str) -> Vec<Completion> {
    match place {
        Place::Nothing => Vec::new(),
        Place::ItemStart => {
            let items = pcl_syntax::ITEM_KEYWORDS.iter().map(|k| (*k, "item"));
            keywords(items.chain([("expect", "acknowledges a warning")]), typed)
        }
        Place::BodyEntry { policy } => {
            let fields = POLICY_FIELDS.iter().filter(|_| policy);
            keywords(BODY_KEYWORDS.iter().chain(fields).copied(), typed)
        }
        Place::StatementField { has_action, has_resource } => {
            let actions = ACTION_FIELDS.iter().filter(|_| !has_action);
            let resources = RESOURCE_FIELDS.iter().filter(|_| !has_resource);
            let fields = actions.chain(resources).chain(&["condition"]).map(|f| (*f, "field"));
            keywords(fields, typed)
        }
        Place::RoleField => keywords(ROLE_FIELDS.iter().copied(), typed),
        Place::WithCondition => keywords([("condition", "condition on the block")], typed),
        Place::TrustEntry { has_action } => {
            let action = (!has_action).then_some(("action", "actions granted besides the principals' own"));
            keywords([("condition", "condition on these principals")].into_iter().chain(action), typed)
        }
        // (the principals' own action pcl writes itself)
        Place::TrustAction => session_actions(typed),
        Place::PrincipalKind => keywords(PRINCIPAL_KINDS.iter().map(|k| (*k, "principal")), typed),
        Place::Operator => operators(typed),
        Place::ConditionKey => condition_keys(typed),
        Place::Guard { in_derived_feature } => {
            // a derived feature reads no other (E0102)
            let feature = |d: &Decl| d.kind == "feature" && !(in_derived_feature && is_derived_feature(index, d));
            // what a guard may test alone first (an enum feature is only
            // compared: E0102 alone); a list param has no single value to
            // test (E0102)
            let mut found = names(index, typed, |d| feature(d) && !is_enum_feature(index, d));
            found.extend(names(index, typed, |d| d.kind == "param" && !is_list_param(index, d)));
            found.extend(names(index, typed, |d| feature(d) && is_enum_feature(index, d)));
            found
        }
        Place::FeatureValue(feature) => feature_values(index, feature, typed),
        Place::Permset => names(index, typed, |d| d.kind == "permset"),
        Place::Policy => names(index, typed, |d| d.kind == "policy"),
        Place::ActionSet => names(index, typed, |d| d.kind == "actionset"),
        // where ARNs go, not a set holding something else (E0301)
        Place::ValueSet { arns } => {
            names(index, typed, |d| d.kind == "valueset" && !(arns && index.values.not_arns.contains(&d.name)))
        }
        // a list is interpolated nowhere (E0200); an ARN's partition, region
        // and account fields take a param of that type (E0202)
        Place::Interpolation(want) => names(index, typed, |d| {
            d.kind == "param"
                && index.values.params.get(&d.name).is_some_and(|(ty, list)| !list && want.is_none_or(|w| *ty == w))
        }),
        Place::Member(param) if is_partition_param(index, param) => pcl_iam::partitions::PARTITION_MEMBERS
            .iter()
            .filter(|m| m.starts_with(typed))
            .map(|m| offer(m, "the partition's DNS suffix (amazonaws.com, ...)", CompletionKind::Value))
            .collect(),
        Place::Member(_) => Vec::new(),
        Place::Action => match typed.split_once(':') {
            Some((prefix, name)) => actions(prefix, name),
            None => services(typed),
        },
    }
}

fn offer(label: &str, detail: &str, kind: CompletionKind) -> Completion {
    Completion {
        label: label.to_string(),
        insert: label.to_string(),
        kind,
        detail: Some(detail.to_string()),
        replaces: 0..0,
    }
}

fn keywords<'k>(words: impl IntoIterator<Item = (&'k str, &'k str)>, typed: &str) -> Vec<Completion> {
    words
        .into_iter()
        .filter(|(word, _)| word.starts_with(typed))
        .map(|(word, detail)| offer(word, detail, CompletionKind::Keyword))
        .collect()
}

/// The declared items `wanted` keeps whose names start with `typed`.
fn names(index: &FileIndex, typed: &str, wanted: impl Fn(&Decl) -> bool) -> Vec<Completion> {
    index
        .decls
        .iter()
        .filter(|d| d.name.starts_with(typed) && wanted(d))
        .map(|d| offer(&d.name, d.kind, CompletionKind::Item))
        .collect()
}

/// A declaration's text after its name (`: list<arn> = [...];`), from its
/// first character that is not white space.
fn after_name<'i>(index: &'i FileIndex, d: &Decl) -> &'i str {
    index.text.get(d.name_span.end as usize..d.span.end as usize).unwrap_or_default().trim_start()
}

/// The type a param or feature is declared with (`list<arn>`, `partition`,
/// `enum { a, b }`).
fn param_type<'i>(index: &'i FileIndex, d: &Decl) -> &'i str {
    after_name(index, d).strip_prefix(':').unwrap_or_default().trim_start()
}

fn is_list_param(index: &FileIndex, d: &Decl) -> bool {
    d.kind == "param" && param_type(index, d).strip_prefix("list").is_some_and(|t| t.trim_start().starts_with('<'))
}

fn is_enum_feature(index: &FileIndex, d: &Decl) -> bool {
    d.kind == "feature" && param_type(index, d).starts_with("enum")
}

/// `feature NAME = EXPR;`, not `feature NAME: TYPE = VALUE;`.
fn is_derived_feature(index: &FileIndex, d: &Decl) -> bool {
    d.kind == "feature" && after_name(index, d).starts_with('=')
}

fn is_partition_param(index: &FileIndex, name: &str) -> bool {
    index.decls.iter().any(|d| {
        d.kind == "param"
            && d.name == name
            && param_type(index, d)
                .strip_prefix("partition")
                .is_some_and(|t| !t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// The values of `feature`: `true` and `false`, or its enum's.
fn feature_values(index: &FileIndex, feature: &str, typed: &str) -> Vec<Completion> {
    let Some(decl) = index.decl(feature).filter(|d| d.kind == "feature") else { return Vec::new() };
    let ty = after_name(index, decl).strip_prefix(':').unwrap_or_default().trim_start();
    let values: Vec<&str> = if ty.starts_with("bool") {
        vec!["true", "false"]
    } else {
        match ty.strip_prefix("enum").and_then(|t| t.split_once('{')).and_then(|(_, rest)| rest.split_once('}')) {
            Some((domain, _)) => domain.split(',').map(str::trim).filter(|v| !v.is_empty()).collect(),
            None => Vec::new(),
        }
    };
    let detail = format!("a value of `{feature}`");
    values.into_iter().filter(|v| v.starts_with(typed)).map(|v| offer(v, &detail, CompletionKind::Value)).collect()
}

/// Every operator IAM has, `IfExists` and set-prefixed forms too
/// (`ForAnyValue:StringLike`), from `pcl-iam`'s table.
fn operators(typed: &str) -> Vec<Completion> {
    pcl_iam::condition_operators()
        .filter(|o| o.starts_with(typed))
        .map(|o| offer(&o, "condition operator", CompletionKind::Operator))
        .collect()
}

fn services(typed: &str) -> Vec<Completion> {
    let catalog = pcl_iam::catalog::catalog();
    catalog
        .prefixes()
        .filter(|p| p.starts_with(typed))
        .map(|p| {
            let name = catalog.service(p).map(|s| s.name).unwrap_or_default();
            offer(&format!("{p}:"), name, CompletionKind::Service)
        })
        .collect()
}

/// The actions a `trust` block may grant whose names start with `typed`
/// (case ignored, as IAM compares actions), with the catalog's description.
fn session_actions(typed: &str) -> Vec<Completion> {
    let lower = typed.to_ascii_lowercase();
    pcl_iam::trust_actions::SESSION_ACTIONS
        .into_iter()
        .filter(|a| a.to_ascii_lowercase().starts_with(&lower))
        .map(|a| {
            let access = pcl_iam::catalog::catalog()
                .service("sts")
                .and_then(|s| s.actions.iter().find(|known| a.strip_prefix("sts:") == Some(known.name)))
                .map_or("", |known| known.access_level());
            offer(a, access, CompletionKind::Action)
        })
        .collect()
}

fn actions(prefix: &str, name: &str) -> Vec<Completion> {
    let Some(service) = pcl_iam::catalog::catalog().service(prefix) else { return Vec::new() };
    let lower = name.to_ascii_lowercase();
    service
        .actions
        .iter()
        .filter(|a| a.name.to_ascii_lowercase().starts_with(&lower))
        .map(|a| offer(&format!("{}:{}", service.prefix, a.name), a.access_level(), CompletionKind::Action))
        .collect()
}

/// The global keys, and the keys of the service typed so far, that start
/// with `typed` (case-insensitively, as IAM compares keys). A key with a
/// variable (`s3:BucketTag/${TagKey}`) is shown whole and inserts its
/// literal start (`s3:BucketTag/`): written out, the template is rejected.
fn condition_keys(typed: &str) -> Vec<Completion> {
    let catalog = pcl_iam::catalog::catalog();
    let globals = catalog.global_keys().iter().map(|k| (k.key, k.ty));
    let service = typed.split_once(':').and_then(|(prefix, _)| catalog.service(prefix));
    let own = service.into_iter().flat_map(|s| s.condition_keys.iter().map(|k| (k.key, k.ty)));
    globals
        .chain(own)
        .filter(|(key, _)| key.get(..typed.len()).is_some_and(|head| head.eq_ignore_ascii_case(typed)))
        .map(|(key, ty)| Completion {
            insert: pcl_iam::catalog::key_template_head(key).unwrap_or(key).to_string(),
            ..offer(key, ty, CompletionKind::ConditionKey)
        })
        .collect()
}
