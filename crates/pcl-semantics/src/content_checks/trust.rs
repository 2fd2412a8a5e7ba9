//! A rendered role's trust statements' own findings: the actions a `trust`
//! block grants (E0318, W0512), and the conditions on keys that some of a
//! statement's principals never bring into their requests (W0506: an
//! identity provider's keys, a session's tags, source identity or context
//! without the action that sets them).

use pcl_syntax::Span;

use super::roles::{RoleFinding, RoleValue};
use crate::diagnostic::{Code, Diagnostic, DiagnosticKind};
use crate::expand::{ExpandedCondition, ExpandedRole};
use crate::ir::PrincipalKind;
use pcl_iam::trust_conditions::{TrustCondition, TrustPrincipal, principals_without_key};

/// W0506 for a condition of `role`'s `field`th `trust` field on a key that
/// a request holds only when the trust policy grants the caller a session
/// action (`aws:RequestTag/...` with `sts:TagSession`,
/// `pcl_iam::trust_actions::session_action_of_key`): under an operator that
/// needs the key, the condition never holds for a principal of the field
/// that no trust statement of the role grants it (IAM checks the action for
/// the caller, in any statement).
pub(super) fn keys_without_session_action(
    role: &ExpandedRole,
    field: usize,
    conditions: &[ExpandedCondition],
    out: &mut Vec<Diagnostic>,
) {
    let Some((kind, principals)) = role.trust.get(field) else { return };
    let granted = |principal: &str, action: &str| grants(role, kind, principal, action);
    for c in conditions {
        let Some(action) = pcl_iam::trust_actions::session_action_of_key(&c.key) else { continue };
        if !pcl_iam::trust_conditions::needs_key(&c.operator, &c.values.values) {
            continue;
        }
        let missing: Vec<String> = principals
            .values
            .iter()
            .filter(|p| !granted(p, action))
            .map(|p| format!("`{}`", pcl_iam::values::any_partition(p)))
            .collect();
        let consequence = match (missing.len() == principals.values.len(), missing.len()) {
            (_, 0) => continue,
            (true, _) => "these principals: the statement never lets them assume the role".to_string(),
            (false, 1) => format!("{}: the statement never lets it assume the role", missing.join(", ")),
            (false, _) => format!("{}: the statement never lets them assume the role", missing.join(", ")),
        };
        out.push(
            DiagnosticKind::IamRule {
                code: Code::KeyNotApplicable,
                message: format!(
                    "condition key `{}` is in a request only with `{action}`, which the role's trust policy does not grant {consequence}",
                    c.key
                ),
                label: Some(format!("set only when the caller may call `{action}`")),
                help: Some(format!("grant it in this trust block (`action {action};`), or condition on another key")),
            }
            .at(c.span),
        );
    }
}

/// Whether a trust statement of `role` grants `action` to `principal` (of
/// `kind`): one of its principals lets `principal` call its actions, an AWS
/// principal by its account or `*` too (`pcl_iam::aws_principal_covers`),
/// a service written with the partition's DNS suffix or one still to come
/// alike (`service_principals_may_equal`), any other as written. IAM checks
/// the action for the caller, in any statement.
fn grants(role: &ExpandedRole, kind: &PrincipalKind, principal: &str, action: &str) -> bool {
    let covers = |granted: &str| match kind {
        PrincipalKind::Aws => pcl_iam::aws_principal_covers(granted, principal),
        PrincipalKind::Service => pcl_iam::trust_actions::service_principals_may_equal(granted, principal),
        PrincipalKind::Federated => granted == principal,
    };
    role.trust_actions.iter().any(|(field, actions)| {
        actions.iter().any(|(a, _)| a.eq_ignore_ascii_case(action))
            && role.trust.get(*field).is_some_and(|(k, theirs)| k == kind && theirs.values.iter().any(|p| covers(p)))
    })
}

/// W0513 for a trusted service that asks for a session action each time it
/// assumes a role (`pcl_iam::trust_actions::asking_service`: EKS Pod
/// Identity's `sts:TagSession`) when no trust statement of `role` grants
/// it that action: the service never assumes the role. About the
/// principal's first place (`span` is the role's name until placed).
pub(super) fn services_not_granted_what_they_ask(role: &ExpandedRole, span: Span, out: &mut Vec<RoleFinding>) {
    let mut reported: Vec<&str> = Vec::new();
    for (list, (kind, principals)) in role.trust.iter().enumerate() {
        if !matches!(kind, PrincipalKind::Service) {
            continue;
        }
        for (at, principal) in principals.values.iter().enumerate() {
            let Some(service) = pcl_iam::trust_actions::asking_service(principal) else { continue };
            if reported.contains(&principal.as_str()) || grants(role, kind, principal, service.action) {
                continue;
            }
            reported.push(principal);
            let action = service.action;
            let shown = pcl_iam::values::any_partition(principal);
            let kind = DiagnosticKind::IamRule {
                code: Code::SessionActionNotGranted,
                message: format!(
                    "role `{}` trusts `{shown}` ({}) without granting it `{action}`, which it asks for whenever it assumes a role: it never assumes this one",
                    role.name, service.name
                ),
                label: Some(format!("not granted `{action}`: {}", service.why)),
                help: Some(format!(
                    "grant it in the principal's trust block: `trust service ... {{ action {action}; }}`, its principals as they are (a block with an `action` list: add it there)"
                )),
            };
            out.push(RoleFinding {
                diagnostic: kind.at(span),
                value: Some(RoleValue::Trust { list, at }),
                first: None,
            });
        }
    }
}

/// E0318 for an action of a `trust` block that its principals cannot be
/// granted, at the action (or the `@set` that brings it). An action the
/// catalog does not know is E0311 where it is written, not this too.
pub(super) fn trust_action_findings(role: &ExpandedRole, out: &mut Vec<RoleFinding>) {
    for (field, actions) in &role.trust_actions {
        let Some((kind, principals)) = role.trust.get(*field) else { continue };
        let federated = matches!(kind, PrincipalKind::Federated);
        let own = pcl_iam::trust_actions::assume_actions(federated, principals.values.iter().map(String::as_str));
        // the canonical names seen, each with its count and where it was
        // written a second time: the statement lists each once
        let mut seen: Vec<(&str, usize, Option<Span>)> = Vec::new();
        for (action, at) in actions {
            // (empty: a rendering of shapes only)
            if action.is_empty() || pcl_iam::catalog::check_known_action(action).is_err() {
                continue;
            }
            if let Some(known) = pcl_iam::trust_actions::trust_action(action) {
                match seen.iter_mut().find(|(name, _, _)| *name == known) {
                    Some((_, count, second)) => {
                        *count += 1;
                        second.get_or_insert(*at);
                        continue;
                    }
                    None => seen.push((known, 1, None)),
                }
            }
            if let Err(problem) = pcl_iam::trust_actions::check_trust_action(action, &own) {
                let kind = DiagnosticKind::IamRule {
                    code: Code::TrustAction,
                    message: problem.message,
                    label: Some("not for these principals' trust statement".into()),
                    help: problem.help,
                };
                out.push(RoleFinding { diagnostic: kind.at(*at), value: None, first: None });
            }
        }
        for (known, count, second) in seen {
            let Some(second) = second else { continue };
            let times = if count == 2 { "twice".to_string() } else { format!("{count} times") };
            let kind = DiagnosticKind::IamRule {
                code: Code::RepeatedEntry,
                message: format!("`{known}` is granted {times} in this trust block"),
                label: Some("the trust statement lists it once".into()),
                help: Some("list it once".into()),
            };
            out.push(RoleFinding { diagnostic: kind.at(second), value: None, first: None });
        }
    }
}

/// W0506 for a condition on an identity provider's key (`saml:sub`,
/// `token.actions.githubusercontent.com:sub`) in a trust statement some of
/// whose principals (`kind`, `principals`) are not that provider: their
/// requests never hold the key, so the condition fails and the statement
/// never lets them assume the role.
pub(super) fn keys_never_set(
    kind: &PrincipalKind,
    principals: &[String],
    conditions: &[ExpandedCondition],
    out: &mut Vec<Diagnostic>,
) {
    let trusted: Vec<TrustPrincipal<'_>> = principals
        .iter()
        .map(|p| match kind {
            PrincipalKind::Federated => TrustPrincipal::Federated(p),
            PrincipalKind::Service | PrincipalKind::Aws => TrustPrincipal::ServiceOrAws,
        })
        .collect();
    for c in conditions {
        let condition = TrustCondition { operator: &c.operator, key: &c.key, values: &c.values.values };
        let missing = principals_without_key(&condition, &trusted);
        if missing.is_empty() {
            continue;
        }
        let who: Vec<String> = principals
            .iter()
            .zip(&trusted)
            .filter(|(_, t)| missing.contains(t))
            .map(|(p, _)| format!("`{}`", pcl_iam::values::any_partition(p)))
            .collect();
        let (consequence, help) = match (missing.len() == trusted.len(), who.len()) {
            (true, _) => (
                "no principal of this trust statement may assume the role".to_string(),
                "condition on a key of the principals trusted, or trust the provider whose key it is".to_string(),
            ),
            (false, 1) => (
                "this trust statement never lets it assume the role".to_string(),
                format!("trust {} in a `trust` field of its own, with conditions on its own keys", who.join(", ")),
            ),
            (false, _) => (
                "this trust statement never lets them assume the role".to_string(),
                "trust them in `trust` fields of their own, with conditions on their own keys".to_string(),
            ),
        };
        out.push(
            DiagnosticKind::IamRule {
                code: Code::KeyNotApplicable,
                message: format!(
                    "condition key `{}` is never in the request of {}: {consequence}",
                    c.key,
                    who.join(", ")
                ),
                label: Some("set only when its identity provider's users assume the role".into()),
                help: Some(help),
            }
            .at(c.span),
        );
    }
}
