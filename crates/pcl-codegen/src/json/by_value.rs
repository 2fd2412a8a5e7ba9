//! serde_json values, as the documents were built before `pretty`: what the
//! writer is held to (the tests of `plan` and of this module).

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
        .map(|(fields, conditions, granted)| {
            let mut principal = Map::new();
            for (kind, values) in fields.iter().copied() {
                let key = principal_key_of(kind);
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
            let action = match super::trust_actions(&fields, granted).as_slice() {
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
