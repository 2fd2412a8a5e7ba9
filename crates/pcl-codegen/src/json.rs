//! JSON shapes, as `pretty::Json` trees that borrow what was rendered.
//! Keys are in IAM's order: Sid, Effect, Action, Resource, Condition.

use pcl_semantics::expand::{ExpandedCondition, ExpandedPolicy, ExpandedRole, ExpandedStatement, Rendered};
use pcl_semantics::ir::{Effect, PrincipalKind};
use serde_json::Value;

use crate::pretty::Json;

pub const POLICY_VERSION: &str = "2012-10-17";

fn list(r: &Rendered) -> Json<'_> {
    match r.values.as_slice() {
        [one] if r.scalar => Json::Str(one),
        values => Json::Arr(values.iter().map(|v| Json::Str(v)).collect()),
    }
}

/// The object member `key` of `members`, added (as `empty`) if missing.
fn member<'m, 'a>(
    members: &'m mut Vec<(&'a str, Json<'a>)>,
    key: &'a str,
    empty: Json<'a>,
) -> Option<&'m mut Json<'a>> {
    if !members.iter().any(|(k, _)| *k == key) {
        members.push((key, empty));
    }
    members.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// `values` appended to `existing`, which becomes a list if it was one value.
fn merge<'a>(existing: &mut Json<'a>, values: impl Iterator<Item = Json<'a>>) {
    let mut merged = match std::mem::replace(existing, Json::Arr(Vec::new())) {
        Json::Arr(items) => items,
        other => vec![other],
    };
    merged.extend(values);
    *existing = Json::Arr(merged);
}

fn statement(st: &ExpandedStatement) -> Json<'_> {
    let mut m = Vec::with_capacity(5);
    if let Some((sid, _)) = &st.sid {
        m.push(("Sid", Json::Str(sid)));
    }
    m.push(("Effect", Json::Str(if st.effect == Effect::Allow { "Allow" } else { "Deny" })));
    m.push((if st.not_action { "NotAction" } else { "Action" }, list(&st.actions)));
    m.push((if st.not_resource { "NotResource" } else { "Resource" }, list(&st.resources)));
    if !st.conditions.is_empty() {
        m.push(("Condition", condition_block(&st.conditions)));
    }
    Json::Obj(m)
}

/// A statement's `Condition` object: each operator's keys, in the order
/// written, the values of a key given twice under one operator merged.
fn condition_block(conditions: &[ExpandedCondition]) -> Json<'_> {
    let mut ops: Vec<(&str, Json<'_>)> = Vec::new();
    // where each (operator, key) is in its block, by hash: a search of the
    // block for each condition was quadratic in a statement's conditions
    let mut key_at: rustc_hash::FxHashMap<(&str, &str), usize> = rustc_hash::FxHashMap::default();
    for c in conditions {
        let Some(Json::Obj(block)) = member(&mut ops, &c.operator, Json::Obj(Vec::new())) else { continue };
        match key_at.get(&(c.operator.as_str(), c.key.as_str())).and_then(|at| block.get_mut(*at)) {
            // The same key twice under one operator: merge the values.
            Some((_, existing)) => merge(existing, c.values.values.iter().map(|v| Json::Str(v))),
            None => {
                key_at.insert((c.operator.as_str(), c.key.as_str()), block.len());
                block.push((&c.key, list(&c.values)));
            }
        }
    }
    Json::Obj(ops)
}

/// An IAM policy document.
pub(crate) fn policy_document(p: &ExpandedPolicy) -> Json<'_> {
    Json::Obj(vec![
        ("Version", Json::Str(POLICY_VERSION)),
        ("Statement", Json::Arr(p.statements.iter().map(statement).collect())),
    ])
}

fn principal_key(kind: &PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::Service => "Service",
        PrincipalKind::Aws => "AWS",
        PrincipalKind::Federated => "Federated",
    }
}

/// The actions a trust statement allows its principals (`fields`, `trust`
/// fields of a role): services and AWS principals assume the role
/// (`sts:AssumeRole`), a SAML provider's users with
/// `sts:AssumeRoleWithSAML`, an OIDC or web identity provider's with
/// `sts:AssumeRoleWithWebIdentity` (`pcl_iam::federated_action`); in that
/// order, each once.
fn trust_actions(fields: &[&(PrincipalKind, Rendered)]) -> Vec<&'static str> {
    let federated = || fields.iter().filter(|(k, _)| *k == PrincipalKind::Federated).flat_map(|(_, v)| &v.values);
    let needs = |action: &str| federated().any(|v| pcl_iam::federated_action(v) == action);
    // (and a role that trusts no provider at all, as before any `trust`)
    let assume_role = fields.iter().any(|(k, _)| *k != PrincipalKind::Federated) || federated().next().is_none();
    [
        ("sts:AssumeRole", assume_role),
        ("sts:AssumeRoleWithSAML", needs("sts:AssumeRoleWithSAML")),
        ("sts:AssumeRoleWithWebIdentity", needs("sts:AssumeRoleWithWebIdentity")),
    ]
    .into_iter()
    .filter_map(|(action, needed)| needed.then_some(action))
    .collect()
}

/// One statement of a trust policy: the `trust` fields it holds, and their
/// conditions.
pub(crate) type TrustStatement<'r> = (Vec<&'r (PrincipalKind, Rendered)>, &'r [ExpandedCondition]);

/// The trust statements of a role, each with the `trust` fields it holds
/// and their conditions: first every field without conditions together
/// (the only statement of a role without trust conditions), then each
/// field with conditions that hold, on its own, so that they narrow its
/// principals alone.
pub(crate) fn trust_statements(r: &ExpandedRole) -> Vec<TrustStatement<'_>> {
    let conditioned = |field: usize| r.trust_conditions.iter().any(|(f, _)| *f == field);
    let open: Vec<_> = r.trust.iter().enumerate().filter(|(field, _)| !conditioned(*field)).map(|(_, t)| t).collect();
    let mut statements = Vec::with_capacity(1 + r.trust_conditions.len());
    if !open.is_empty() || r.trust_conditions.is_empty() {
        statements.push((open, &[][..]));
    }
    for (field, conditions) in &r.trust_conditions {
        if let Some(trust) = r.trust.get(*field) {
            statements.push((vec![trust], conditions.as_slice()));
        }
    }
    statements
}

/// One statement of a trust policy (see `trust_statements`).
fn trust_statement<'r>(fields: &[&'r (PrincipalKind, Rendered)], conditions: &'r [ExpandedCondition]) -> Json<'r> {
    let mut principal = Vec::new();
    for (kind, values) in fields.iter().copied() {
        let key = principal_key(kind);
        match principal.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => merge(existing, values.values.iter().map(|v| Json::Str(v))),
            None => principal.push((key, list(values))),
        }
    }
    let action = match trust_actions(fields).as_slice() {
        [one] => Json::Str(one),
        several => Json::Arr(several.iter().map(|a| Json::Str(a)).collect()),
    };
    let mut m = vec![("Effect", Json::Str("Allow")), ("Principal", Json::Obj(principal)), ("Action", action)];
    if !conditions.is_empty() {
        m.push(("Condition", condition_block(conditions)));
    }
    Json::Obj(m)
}

/// The trust policy of a role.
fn trust_policy(r: &ExpandedRole) -> Json<'_> {
    let statements = trust_statements(r).into_iter().map(|(fields, conditions)| trust_statement(&fields, conditions));
    Json::Obj(vec![("Version", Json::Str(POLICY_VERSION)), ("Statement", Json::Arr(statements.collect()))])
}

/// The properties of an `AWS::IAM::Role`.
pub(crate) fn role_properties(r: &ExpandedRole) -> Json<'_> {
    let mut m = Vec::with_capacity(7);
    if let Some(name) = &r.deployed_name {
        m.push(("RoleName", Json::Str(name)));
    }
    if let Some(description) = &r.description {
        m.push(("Description", Json::Str(description)));
    }
    if let Some(path) = &r.path {
        m.push(("Path", Json::Str(path)));
    }
    m.push(("AssumeRolePolicyDocument", trust_policy(r)));
    if !r.managed.is_empty() {
        m.push(("ManagedPolicyArns", Json::Arr(r.managed.iter().map(|a| Json::Str(a)).collect())));
    }
    if !r.inline.is_empty() {
        let policies = r
            .inline
            .iter()
            .map(|p| {
                Json::Obj(vec![("PolicyName", Json::Str(&p.deployed_name)), ("PolicyDocument", policy_document(p))])
            })
            .collect();
        m.push(("Policies", Json::Arr(policies)));
    }
    if let Some(b) = &r.boundary {
        m.push(("PermissionsBoundary", Json::Str(b)));
    }
    Json::Obj(m)
}

/// The size IAM counts of a part of a document: its characters without
/// whitespace, in its compact form.
pub(crate) fn iam_size(part: &Json<'_>) -> usize {
    pcl_iam::quotas::policy_size(&part.compact())
}

/// [`iam_size`] of a part of a document read back from its text.
pub(crate) fn value_size(part: &Value) -> usize {
    // `serde_json::to_string`, not `Value::to_string`: the `Display` path is slower
    serde_json::to_string(part).map(|text| pcl_iam::quotas::policy_size(&text)).unwrap_or(0)
}

/// What the quota checks read of a role's document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleFacts {
    /// `ManagedPolicyArns`.
    pub managed: Vec<String>,
    /// The size of `AssumeRolePolicyDocument`.
    pub trust: usize,
    /// Each inline policy's `PolicyName` and the size of its document.
    pub inline: Vec<(String, usize)>,
}

impl RoleFacts {
    /// The facts of the document [`role_properties`] makes of `r`.
    pub(crate) fn of_role(r: &ExpandedRole) -> RoleFacts {
        RoleFacts {
            managed: r.managed.clone(),
            trust: iam_size(&trust_policy(r)),
            inline: r.inline.iter().map(|p| (p.deployed_name.clone(), iam_size(&policy_document(p)))).collect(),
        }
    }

    /// The facts of a role document read back from its text (when they were
    /// not kept from its rendering).
    pub fn of_value(doc: &Value) -> RoleFacts {
        let managed = doc.get("ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten();
        let inline = doc.get("Policies").and_then(Value::as_array).into_iter().flatten();
        RoleFacts {
            managed: managed.filter_map(Value::as_str).map(String::from).collect(),
            trust: doc.get("AssumeRolePolicyDocument").map(value_size).unwrap_or(0),
            inline: inline
                .map(|p| {
                    let name = p.get("PolicyName").and_then(Value::as_str).unwrap_or("?").to_string();
                    (name, p.get("PolicyDocument").map(value_size).unwrap_or(0))
                })
                .collect(),
        }
    }
}

/// serde_json values, as the documents were built before `pretty`: what the
/// writer is held to (the tests of `plan` and of this module).
#[cfg(test)]
pub(crate) mod by_value {
    use super::*;
    use serde_json::{Map, json};

    fn list(r: &Rendered) -> Value {
        match r.values.as_slice() {
            [one] if r.scalar => Value::String(one.clone()),
            values => Value::Array(values.iter().cloned().map(Value::String).collect()),
        }
    }

    fn statement(st: &ExpandedStatement) -> Value {
        let mut m = Map::new();
        if let Some((sid, _)) = &st.sid {
            m.insert("Sid".into(), json!(sid.as_str()));
        }
        m.insert("Effect".into(), json!(if st.effect == Effect::Allow { "Allow" } else { "Deny" }));
        m.insert(if st.not_action { "NotAction" } else { "Action" }.into(), list(&st.actions));
        m.insert(if st.not_resource { "NotResource" } else { "Resource" }.into(), list(&st.resources));
        if !st.conditions.is_empty() {
            m.insert("Condition".into(), condition_block(&st.conditions));
        }
        Value::Object(m)
    }

    fn condition_block(conditions: &[ExpandedCondition]) -> Value {
        {
            let mut ops: Map<String, Value> = Map::new();
            for c in conditions {
                let block = ops.entry(c.operator).or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(block) = block else {
                    continue;
                };
                match block.get_mut(c.key.as_str()) {
                    // The same key twice under one operator: merge the values.
                    Some(existing) => {
                        let mut values: Vec<Value> = match existing.take() {
                            Value::Array(a) => a,
                            other => vec![other],
                        };
                        values.extend(c.values.values.iter().cloned().map(Value::String));
                        *existing = Value::Array(values);
                    }
                    None => {
                        block.insert(c.key.to_string(), list(&c.values));
                    }
                }
            }
            Value::Object(ops)
        }
    }

    /// An IAM policy document.
    pub(crate) fn policy_document(p: &ExpandedPolicy) -> Value {
        json!({
            "Version": POLICY_VERSION,
            "Statement": p.statements.iter().map(statement).collect::<Vec<_>>(),
        })
    }

    fn principal_key_of(kind: &PrincipalKind) -> &'static str {
        match kind {
            PrincipalKind::Service => "Service",
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Federated => "Federated",
        }
    }

    /// The properties of an `AWS::IAM::Role`.
    pub(crate) fn role_properties(r: &ExpandedRole) -> Value {
        let statements: Vec<Value> = super::trust_statements(r)
            .into_iter()
            .map(|(fields, conditions)| {
                let mut principal = Map::new();
                for (kind, values) in fields.iter().copied() {
                    let key = principal_key_of(kind);
                    match principal.get_mut(key) {
                        Some(Value::Array(existing)) => {
                            existing.extend(values.values.iter().cloned().map(Value::String))
                        }
                        Some(existing) => {
                            let mut merged = vec![existing.take()];
                            merged.extend(values.values.iter().cloned().map(Value::String));
                            *existing = Value::Array(merged);
                        }
                        None => {
                            principal.insert(key.into(), list(values));
                        }
                    }
                }
                let action = match super::trust_actions(&fields).as_slice() {
                    [one] => json!(one),
                    several => json!(several),
                };
                let mut statement = Map::new();
                statement.insert("Effect".into(), json!("Allow"));
                statement.insert("Principal".into(), Value::Object(principal));
                statement.insert("Action".into(), action);
                if !conditions.is_empty() {
                    statement.insert("Condition".into(), condition_block(conditions));
                }
                Value::Object(statement)
            })
            .collect();
        let mut m = Map::new();
        if let Some(name) = &r.deployed_name {
            m.insert("RoleName".into(), json!(name));
        }
        if let Some(description) = &r.description {
            m.insert("Description".into(), json!(description));
        }
        if let Some(path) = &r.path {
            m.insert("Path".into(), json!(path));
        }
        m.insert(
            "AssumeRolePolicyDocument".into(),
            json!({
                "Version": POLICY_VERSION,
                "Statement": statements,
            }),
        );
        if !r.managed.is_empty() {
            m.insert("ManagedPolicyArns".into(), json!(r.managed));
        }
        if !r.inline.is_empty() {
            let policies: Vec<Value> = r
                .inline
                .iter()
                .map(|p| json!({ "PolicyName": p.deployed_name, "PolicyDocument": policy_document(p) }))
                .collect();
            m.insert("Policies".into(), Value::Array(policies));
        }
        if let Some(b) = &r.boundary {
            m.insert("PermissionsBoundary".into(), json!(b));
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use pcl_semantics::expand::ExpandedCondition;
    use pcl_syntax::Span;

    fn rendered(values: &[&str], scalar: bool) -> Rendered {
        Rendered { values: values.iter().map(|v| v.to_string()).collect(), scalar }
    }

    fn condition(operator: &str, key: &str, values: &[&str], scalar: bool) -> ExpandedCondition {
        ExpandedCondition {
            operator: operator.into(),
            key: key.into(),
            key_interpolated: false,
            values: rendered(values, scalar),
            span: Span::new(0, 0),
        }
    }

    /// Shapes no checked source renders (a key twice under one operator is
    /// an error, E0315), which the writer must still print as the values did.
    #[test]
    fn merged_keys_and_principals_are_written_as_the_values_were() {
        let statement = ExpandedStatement {
            sid: Some(("Odd \"sid\"\t".into(), Span::new(0, 0))),
            effect: Effect::Deny,
            not_action: true,
            actions: rendered(&["s3:GetObject"], true),
            action_span: Span::new(0, 0),
            not_resource: false,
            resources: rendered(&[], false),
            kept_stars: 0,
            resource_span: Span::new(0, 0),
            conditions: vec![
                condition("StringEquals", "aws:SourceAccount", &["1"], true),
                condition("StringLike", "aws:SourceArn", &["a", "b"], false),
                condition("StringEquals", "aws:SourceAccount", &["2", "3"], false),
                condition("StringEquals", "aws:SourceAccount", &["4"], true),
                condition("StringLike", "aws:SourceArn", &[], false),
            ],
        };
        let policy = ExpandedPolicy {
            name: "p".into(),
            deployed_name: "P\u{1}".into(),
            description: None,
            statements: vec![statement.clone(), ExpandedStatement { conditions: Vec::new(), ..statement }],
        };
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap() + "\n";
        assert_eq!(policy_document(&policy).pretty(), pretty(&by_value::policy_document(&policy)));
        let role = |trust: Vec<(PrincipalKind, Rendered)>, inline: Vec<ExpandedPolicy>| ExpandedRole {
            trust_conditions: Vec::new(),
            name: "r".into(),
            deployed_name: Some("R".into()),
            description: Some("é \u{7f}".into()),
            path: Some("/".into()),
            path_interpolated: false,
            trust,
            managed: vec!["arn:aws:iam::aws:policy/A".into()],
            inline,
            boundary: Some("arn:aws:iam::1:policy/B".into()),
        };
        let roles = [
            role(
                vec![
                    (PrincipalKind::Service, rendered(&["ec2.amazonaws.com"], true)),
                    (PrincipalKind::Aws, rendered(&["arn:aws:iam::1:root"], false)),
                    (PrincipalKind::Service, rendered(&["lambda.amazonaws.com", "batch.amazonaws.com"], false)),
                    (PrincipalKind::Service, rendered(&["x"], true)),
                ],
                vec![policy.clone(), policy.clone()],
            ),
            role(vec![(PrincipalKind::Federated, rendered(&["cognito-identity.amazonaws.com"], true))], Vec::new()),
            role(Vec::new(), Vec::new()),
            // a field with conditions on its own, after those without
            ExpandedRole {
                trust_conditions: vec![(0, statement.conditions.clone())],
                ..role(
                    vec![
                        (PrincipalKind::Federated, rendered(&["arn:aws:iam::1:oidc-provider/x.com"], true)),
                        (PrincipalKind::Service, rendered(&["ec2.amazonaws.com"], true)),
                    ],
                    Vec::new(),
                )
            },
            // every field with conditions: no statement without them
            ExpandedRole {
                trust_conditions: vec![(0, statement.conditions.iter().take(1).cloned().collect())],
                ..role(vec![(PrincipalKind::Aws, rendered(&["*"], true))], Vec::new())
            },
        ];
        for r in &roles {
            let value = by_value::role_properties(r);
            assert_eq!(role_properties(r).pretty(), pretty(&value));
            assert_eq!(RoleFacts::of_role(r), RoleFacts::of_value(&value));
        }
    }
}
