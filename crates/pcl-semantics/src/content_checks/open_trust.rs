//! W0509 on a role's trust: a principal that lets far more than meant
//! assume the role.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, DiagnosticKind};
use crate::expand::ExpandedCondition;
use crate::ir::{ParamValue, PrincipalKind};
use pcl_iam::trust_conditions::{TrustCondition, conditions_narrow_trust, provider_url, suggested_condition};

/// W0509 for a trust principal that lets far more than meant assume the
/// role: every AWS principal (`*`), or a web identity provider, whose
/// tokens any of its users hold, unless the conditions of its `trust`
/// field narrow it (`pcl_iam::trust_conditions`: the caller's organization,
/// account or ARN; the token's identity claims). `params`: the values of
/// the configuration.
pub(super) fn open_trust(
    (params, role): (&BTreeMap<String, ParamValue>, &str),
    kind: &PrincipalKind,
    principal: &str,
    conditions: &[ExpandedCondition],
) -> Option<DiagnosticKind> {
    let narrowed = |aws: bool| {
        let conditions: Vec<TrustCondition<'_>> = conditions
            .iter()
            .map(|c| TrustCondition { operator: &c.operator, key: &c.key, values: &c.values.values })
            .collect();
        conditions_narrow_trust(principal, aws, &conditions)
    };
    // a provider still to come is judged only where a key can name it: its
    // URL a param's whole value, which `"${PARAM}:sub"` renders alike (not
    // a principal wholly to come, which may be a SAML provider, nor one of a
    // `for` template's values; an account to come is no matter: the
    // provider's tokens are as open in any account). `None`: not judged.
    let judged = || {
        let host = provider_url(principal);
        if !host.contains(pcl_iam::STAND_IN_MARK) {
            return Some((host, None));
        }
        // (an OIDC provider's ARN: its URL is the principal's end)
        let param = (host.len() < principal.len()).then(|| url_param(params, host)).flatten()?;
        Some((host, Some(param)))
    };
    let (message, label, help) = match kind {
        PrincipalKind::Aws if principal == "*" && !narrowed(true) => (
            format!("role `{role}` trusts every AWS principal (`*`): anyone with AWS credentials may assume it"),
            "every account, user and role",
            "trust the accounts or roles meant (`arn:${partition}:iam::ACCOUNT:root`), or narrow `*` with a condition on the caller: `trust aws \"*\" { condition StringEquals \"aws:PrincipalOrgID\" \"o-...\"; }` (or `sts:ExternalId` for a third party)".to_string(),
        ),
        PrincipalKind::Federated if pcl_iam::federated_action(principal) == "sts:AssumeRoleWithWebIdentity" => {
            let (host, url_param) = judged().filter(|_| !narrowed(false))?;
            let provider = pcl_iam::values::any_partition(principal);
            let (operator, key, value) = suggested_condition(host);
            // a URL to come is written as its param in the key, and a DNS
            // suffix a check of every partition left as its param's member
            let key = match url_param {
                Some(param) => key.replacen(host, &format!("${{{param}}}"), 1),
                None => key,
            };
            let key = pcl_iam::values::any_partition(&key).into_owned();
            (
                format!(
                    "role `{role}` trusts web identity provider `{provider}` with no condition on its tokens' identity: any identity it issues may assume the role"
                ),
                "every identity of the provider",
                format!(
                    "narrow it in a block after the principal: `{{ condition {operator} ...; }}` on the token's `{key}` (e.g. `{value}`)"
                ),
            )
        }
        _ => return None,
    };
    Some(DiagnosticKind::IamRule { code: Code::LeastPrivilege, message, label: Some(label.into()), help: Some(help) })
}

/// The param whose whole value `url` (an OIDC provider's URL) is, its
/// placeholder's values still to come: a scalar param, so that a key
/// interpolating it renders the same text.
fn url_param<'u>(params: &BTreeMap<String, ParamValue>, url: &'u str) -> Option<&'u str> {
    // the param is the one the first value to come is of
    let at = url.find(pcl_iam::STAND_IN_MARK)?;
    let start = url.get(..at)?.rfind('<')?;
    let end = at + url.get(at..)?.find('>')? + 1;
    let name = crate::ir::placeholders::param_of_stand_in(url.get(start..end)?)?;
    matches!(params.get(name), Some(ParamValue::One(value)) if value == url).then_some(name)
}
