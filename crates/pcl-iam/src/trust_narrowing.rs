//! Whether a trust policy's conditions narrow who of an open principal may
//! assume a role: every AWS principal (`*`), or a web identity provider,
//! whose tokens any of its users hold. IAM's guidance: trust `*` only with
//! a condition on the caller's organization, account or ARN (or a third
//! party's external id); a web identity provider only with a condition on
//! the claims that name the identity (`sub`; for GitHub also
//! `repository`, `job_workflow_ref`, ...). A condition that every request
//! meets narrows nothing: a negated or `IfExists` operator, or values of
//! wildcards alone.

use crate::STAND_IN_MARK;

/// The keys that say which AWS principal calls (an organization, account,
/// ARN or tags of its own), or which third party (`sts:ExternalId`):
/// conditions on them narrow a trust of `*`.
const CALLER_KEYS: [&str; 10] = [
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:userid",
    "sts:ExternalId",
];

/// Claims that every identity of an OIDC provider may share: the
/// audience (GitHub's and EKS's is `sts.amazonaws.com` for every user),
/// how it authenticated, the original audience.
const SHARED_CLAIMS: [&str; 4] = ["aud", "amr", "oaud", "azp"];

/// Web identity providers whose audience is the application (a Cognito
/// identity pool, a Google, Facebook or Amazon app): `aud` narrows them.
const APPLICATION_AUDIENCES: [&str; 4] =
    ["cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"];

/// One condition of a trust statement, as rendered.
pub struct TrustCondition<'a> {
    pub operator: &'a str,
    pub key: &'a str,
    pub values: &'a [String],
}

/// Whether `conditions` narrow a trust of `principal`, which is `*` (an
/// AWS principal: `aws` true) or a web identity provider (its domain, or
/// its OIDC provider's ARN).
pub fn conditions_narrow_trust(principal: &str, aws: bool, conditions: &[TrustCondition<'_>]) -> bool {
    conditions.iter().filter(|c| restricts(c)).any(|c| match aws {
        true => CALLER_KEYS.iter().any(|k| k.eq_ignore_ascii_case(c.key)) || is_principal_tag(c.key),
        false => names_identity(principal, c.key),
    })
}

/// Whether the condition holds for some requests only: a positive
/// operator (not `...Not...`, not `...IfExists`, not `Null`) with a value
/// that is not wildcards alone (a value still to come counts: it will be
/// given).
fn restricts(c: &TrustCondition<'_>) -> bool {
    let operator = c.operator.rsplit(':').next().unwrap_or(c.operator);
    let positive = !operator.contains("Not") && !operator.ends_with("IfExists") && operator != "Null";
    let meaningful = |v: &String| v.contains(STAND_IN_MARK) || v.chars().any(|ch| ch != '*' && ch != '?');
    positive && !c.values.is_empty() && c.values.iter().all(meaningful)
}

fn is_principal_tag(key: &str) -> bool {
    key.get(..17).is_some_and(|head| head.eq_ignore_ascii_case("aws:PrincipalTag/"))
}

/// Whether `key` is a claim of `principal`'s tokens that names the
/// identity (`token.actions.githubusercontent.com:sub`).
fn names_identity(principal: &str, key: &str) -> bool {
    let provider = principal.split_once(":oidc-provider/").map_or(principal, |(_, url)| url);
    let Some((host, claim)) = key.rsplit_once(':') else { return false };
    if !host.eq_ignore_ascii_case(provider) || claim.is_empty() {
        return false;
    }
    let application = APPLICATION_AUDIENCES.iter().any(|a| a.eq_ignore_ascii_case(provider));
    !SHARED_CLAIMS.iter().any(|s| s.eq_ignore_ascii_case(claim)) || application && claim.eq_ignore_ascii_case("aud")
}

/// A condition that narrows a trust of the web identity provider
/// `provider` (its domain, or its OIDC provider's URL) to one identity or
/// application, as `(operator, key, value)`: for GitHub, a repository;
/// for a provider whose audience is the application, that application
/// (a Cognito identity pool); else the subject.
pub fn suggested_condition(provider: &str) -> (&'static str, String, &'static str) {
    let audience = APPLICATION_AUDIENCES.iter().any(|a| a.eq_ignore_ascii_case(provider));
    match provider {
        "token.actions.githubusercontent.com" => ("StringLike", format!("{provider}:sub"), "repo:ORG/REPO:*"),
        "cognito-identity.amazonaws.com" => ("StringEquals", format!("{provider}:aud"), "IDENTITY-POOL-ID"),
        _ if audience => ("StringEquals", format!("{provider}:aud"), "APPLICATION-ID"),
        _ => ("StringEquals", format!("{provider}:sub"), "SUBJECT"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn narrows(principal: &str, aws: bool, operator: &str, key: &str, values: &[&str]) -> bool {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        conditions_narrow_trust(principal, aws, &[TrustCondition { operator, key, values: &values }])
    }

    const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

    #[test]
    fn an_identity_claim_narrows_a_web_identity_trust_and_a_shared_one_does_not() {
        assert!(narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:o/r:*"]));
        assert!(narrows(GITHUB, false, "StringEquals", "token.actions.githubusercontent.com:repository", &["o/r"]));
        assert!(!narrows(
            GITHUB,
            false,
            "StringEquals",
            "token.actions.githubusercontent.com:aud",
            &["sts.amazonaws.com"]
        ));
        // another provider's claim, a wildcard, a negation, IfExists
        assert!(!narrows(GITHUB, false, "StringLike", "accounts.google.com:sub", &["x"]));
        assert!(!narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["*"]));
        assert!(!narrows(GITHUB, false, "StringNotEquals", "token.actions.githubusercontent.com:sub", &["x"]));
        assert!(!narrows(GITHUB, false, "StringLikeIfExists", "token.actions.githubusercontent.com:sub", &["x"]));
        // an OIDC provider's URL with a path names its keys whole
        let eks = "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
        assert!(narrows(eks, false, "StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub", &["system:x"]));
        // a Cognito identity pool is its audience
        let cognito = "cognito-identity.amazonaws.com";
        assert!(narrows(cognito, false, "StringEquals", "cognito-identity.amazonaws.com:aud", &["us-east-1:pool"]));
        assert!(!narrows(
            cognito,
            false,
            "ForAnyValue:StringLike",
            "cognito-identity.amazonaws.com:amr",
            &["authenticated"]
        ));
    }

    #[test]
    fn a_caller_key_narrows_a_trust_of_every_principal() {
        assert!(narrows("*", true, "StringEquals", "aws:PrincipalOrgID", &["o-abc"]));
        assert!(narrows("*", true, "StringEquals", "sts:ExternalId", &["\u{1}value\u{1}"]));
        assert!(narrows("*", true, "StringEquals", "aws:principaltag/team", &["a"]));
        assert!(!narrows("*", true, "Bool", "aws:SecureTransport", &["true"]));
        assert!(!narrows("*", true, "StringLike", "aws:PrincipalArn", &["*"]));
        assert!(!narrows("*", true, "Null", "aws:PrincipalOrgID", &["false"]));
        assert!(!conditions_narrow_trust("*", true, &[]));
    }
}
