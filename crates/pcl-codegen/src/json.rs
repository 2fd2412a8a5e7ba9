//! JSON shapes, as `pretty::Json` trees that borrow what was rendered.
//! Keys are in IAM's order: Sid, Effect, Action, Resource, Condition.

use pcl_semantics::expand::{ExpandedCondition, ExpandedPolicy, ExpandedRole, ExpandedStatement, Rendered};
use pcl_semantics::ir::{Effect, PrincipalKind};
use pcl_syntax::Span;
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
/// `sts:AssumeRoleWithWebIdentity` (`pcl_iam::federated_action`); then what
/// the field's block grants besides (`granted`: `sts:TagSession`, ...), as
/// IAM spells them; in `pcl_iam::trust_actions::TRUST_ACTIONS`' order, each once.
fn trust_actions<'r>(fields: &[&(PrincipalKind, Rendered)], granted: &'r [(String, Span)]) -> Vec<&'r str> {
    let federated = || fields.iter().filter(|(k, _)| *k == PrincipalKind::Federated).flat_map(|(_, v)| &v.values);
    // a provider whose kind is still to come assumes the role as its block
    // says, if it names a provider's action; else as an OIDC provider
    let [_, with_saml, with_web_identity] = pcl_iam::trust_actions::ASSUME_ACTIONS;
    let says_how =
        granted.iter().any(|(a, _)| [with_saml, with_web_identity].iter().any(|f| f.eq_ignore_ascii_case(a)));
    let needs = |action: &str| {
        federated().any(|v| match pcl_iam::federated_action_if_known(v) {
            Some(known) => known == action,
            None => !says_how && pcl_iam::federated_action(v) == action,
        })
    };
    // (and a role that trusts no provider at all, as before any `trust`)
    let assume_role = fields.iter().any(|(k, _)| *k != PrincipalKind::Federated) || federated().next().is_none();
    let mut actions: Vec<&'r str> = [
        ("sts:AssumeRole", assume_role),
        ("sts:AssumeRoleWithSAML", needs("sts:AssumeRoleWithSAML")),
        ("sts:AssumeRoleWithWebIdentity", needs("sts:AssumeRoleWithWebIdentity")),
    ]
    .into_iter()
    .filter_map(|(action, needed)| needed.then_some(action))
    .collect();
    if granted.is_empty() {
        return actions;
    }
    // (an action of no trust policy is an error, E0318, and last if rendered)
    actions.extend(granted.iter().map(|(a, _)| pcl_iam::trust_actions::trust_action(a).unwrap_or(a)));
    actions.sort_by_key(|a| pcl_iam::trust_actions::trust_action_rank(a));
    actions.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    actions
}

/// One statement of a trust policy: the `trust` fields it holds, and their
/// conditions.
pub(crate) type TrustStatement<'r> =
    (Vec<&'r (PrincipalKind, Rendered)>, &'r [ExpandedCondition], &'r [(String, Span)]);

/// The trust statements of a role, each with the `trust` fields it holds,
/// their conditions and the actions granted besides the principals' own:
/// first every field without a block that holds together (the only
/// statement of a role without trust blocks), then each field with
/// conditions or actions that hold, on its own, so that they concern its
/// principals alone.
pub(crate) fn trust_statements(r: &ExpandedRole) -> Vec<TrustStatement<'_>> {
    let open: Vec<_> =
        r.trust.iter().enumerate().filter(|(field, _)| !r.stands_alone(*field)).map(|(_, t)| t).collect();
    let mut statements = Vec::with_capacity(1 + r.trust_conditions.len() + r.trust_actions.len());
    let alone = (0..r.trust.len()).filter(|field| r.stands_alone(*field));
    if !open.is_empty() || alone.clone().next().is_none() {
        statements.push((open, &[][..], &[][..]));
    }
    for field in alone {
        if let Some(trust) = r.trust.get(field) {
            statements.push((vec![trust], r.conditions_of(field), r.actions_granted(field)));
        }
    }
    statements
}

/// One statement of a trust policy (see `trust_statements`).
fn trust_statement<'r>(
    fields: &[&'r (PrincipalKind, Rendered)],
    conditions: &'r [ExpandedCondition],
    granted: &'r [(String, Span)],
) -> Json<'r> {
    let mut principal = Vec::new();
    for (kind, values) in fields.iter().copied() {
        let key = principal_key(kind);
        match principal.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => merge(existing, values.values.iter().map(|v| Json::Str(v))),
            None => principal.push((key, list(values))),
        }
    }
    let action = match trust_actions(fields, granted).as_slice() {
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
    let statements = trust_statements(r)
        .into_iter()
        .map(|(fields, conditions, granted)| trust_statement(&fields, conditions, granted));
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

#[cfg(test)]
pub(crate) mod by_value;

#[cfg(test)]
mod tests;
