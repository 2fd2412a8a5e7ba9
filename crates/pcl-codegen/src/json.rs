//! JSON shapes. serde_json's `preserve_order` keeps keys in insertion order,
//! which we fix here: Sid, Effect, Action, Resource, Condition.

use pcl_semantics::expand::{ExpandedPolicy, ExpandedRole, ExpandedStatement, Rendered};
use pcl_semantics::ir::{Effect, PrincipalKind};
use serde_json::{Map, Value, json};

pub const POLICY_VERSION: &str = "2012-10-17";

fn list(r: &Rendered) -> Value {
    match r.values.as_slice() {
        [one] if r.scalar => Value::String(one.clone()),
        values => Value::Array(values.iter().cloned().map(Value::String).collect()),
    }
}

fn statement(st: &ExpandedStatement) -> Value {
    let mut m = Map::new();
    if let Some((sid, _)) = &st.sid {
        m.insert("Sid".into(), json!(sid));
    }
    m.insert("Effect".into(), json!(if st.effect == Effect::Allow { "Allow" } else { "Deny" }));
    m.insert(if st.not_action { "NotAction" } else { "Action" }.into(), list(&st.actions));
    m.insert(if st.not_resource { "NotResource" } else { "Resource" }.into(), list(&st.resources));
    if !st.conditions.is_empty() {
        let mut ops: Map<String, Value> = Map::new();
        for c in &st.conditions {
            let block = ops.entry(c.operator.clone()).or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(block) = block else {
                continue;
            };
            match block.get_mut(&c.key) {
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
                    block.insert(c.key.clone(), list(&c.values));
                }
            }
        }
        m.insert("Condition".into(), Value::Object(ops));
    }
    Value::Object(m)
}

/// An IAM policy document.
pub fn policy_document(p: &ExpandedPolicy) -> Value {
    json!({
        "Version": POLICY_VERSION,
        "Statement": p.statements.iter().map(statement).collect::<Vec<_>>(),
    })
}

fn principal_key(kind: &PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::Service => "Service",
        PrincipalKind::Aws => "AWS",
        PrincipalKind::Federated => "Federated",
    }
}

/// The properties of an `AWS::IAM::Role`.
pub fn role_properties(r: &ExpandedRole) -> Value {
    let mut principal = Map::new();
    for (kind, values) in &r.trust {
        let key = principal_key(kind);
        match principal.get_mut(key) {
            Some(Value::Array(existing)) => existing.extend(values.values.iter().cloned().map(Value::String)),
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
    let action = if r.trust.iter().all(|(k, _)| *k == PrincipalKind::Federated) && !r.trust.is_empty() {
        "sts:AssumeRoleWithWebIdentity"
    } else {
        "sts:AssumeRole"
    };
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
            "Statement": [{ "Effect": "Allow", "Principal": principal, "Action": action }],
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
