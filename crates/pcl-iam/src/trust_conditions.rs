//! What a trust policy's conditions mean for its principals.
//!
//! Whether they narrow who of an open principal may assume a role: every
//! AWS principal (`*`), or a web identity provider, whose tokens any of its
//! users hold. IAM's guidance: trust `*` only with a condition on the
//! caller's organization, account or ARN (or a third party's external id);
//! a web identity provider only with a condition on the claims that name
//! the identity (`sub`; for GitHub also `repository`, `job_workflow_ref`,
//! ...). A condition that every request meets narrows nothing: a negated
//! or `IfExists` operator, or values of wildcards alone.
//!
//! Whether a condition's key is ever in the request: an identity
//! provider's key (`saml:sub`, `token.actions.githubusercontent.com:sub`)
//! is set only when that provider's users assume the role, so a condition
//! on it shuts out every other principal of its trust statement.

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
    let provider = provider_url(principal);
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

/// A principal of a trust statement, as rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustPrincipal<'a> {
    /// A service or AWS principal (`sts:AssumeRole`).
    ServiceOrAws,
    /// A federated principal: an identity provider's ARN or a web identity
    /// provider's domain.
    Federated(&'a str),
}

/// The principals among `principals` that never bring `key` into their
/// request, for a condition of `operator` that then fails (a positive
/// operator, not `...IfExists` or `Null`): `key` is an identity provider's
/// (SAML's, or a web identity provider's claim) and the principal is not
/// that provider. Empty for any other key (its presence is not judged)
/// and for a principal still to come.
pub fn principals_without_key<'p>(
    operator: &str,
    key: &str,
    principals: &[TrustPrincipal<'p>],
) -> Vec<TrustPrincipal<'p>> {
    let plain = operator.rsplit(':').next().unwrap_or(operator);
    if plain.contains("Not") || plain.ends_with("IfExists") || plain == "Null" {
        return Vec::new();
    }
    let Some((prefix, claim)) = key.rsplit_once(':') else { return Vec::new() };
    let saml = prefix.eq_ignore_ascii_case("saml");
    let host = prefix.contains('.');
    if claim.is_empty() || !(saml || host) {
        return Vec::new();
    }
    let sets = |principal: &TrustPrincipal<'_>| match principal {
        TrustPrincipal::ServiceOrAws => false,
        TrustPrincipal::Federated(p) if p.contains(STAND_IN_MARK) => true,
        TrustPrincipal::Federated(p) if crate::federated_action(p) == "sts:AssumeRoleWithSAML" => saml,
        TrustPrincipal::Federated(p) => host && provider_url(p).eq_ignore_ascii_case(prefix),
    };
    principals.iter().filter(|p| !sets(p)).copied().collect()
}

/// What names a web identity provider in its keys: an OIDC provider ARN's
/// URL, or the provider's domain.
pub fn provider_url(principal: &str) -> &str {
    principal.split_once(":oidc-provider/").map_or(principal, |(_, url)| url)
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
    fn a_provider_key_is_set_for_its_provider_alone() {
        use TrustPrincipal::*;
        let saml = Federated("arn:aws:iam::1:saml-provider/okta");
        let github = Federated(GITHUB);
        let cognito = Federated("cognito-identity.amazonaws.com");
        fn missing<'p>(operator: &str, key: &str, principals: &[TrustPrincipal<'p>]) -> Vec<TrustPrincipal<'p>> {
            principals_without_key(operator, key, principals)
        }
        let sub = "token.actions.githubusercontent.com:sub";
        assert_eq!(missing("StringLike", sub, &[github]), []);
        assert_eq!(missing("StringLike", sub, &[ServiceOrAws, github, cognito]), [ServiceOrAws, cognito]);
        assert_eq!(missing("StringEquals", "saml:aud", &[saml, github]), [github]);
        assert_eq!(missing("StringEquals", "SAML:aud", &[ServiceOrAws]), [ServiceOrAws]);
        // absent, a negated, IfExists or Null condition holds; other keys are not judged
        assert_eq!(missing("StringNotLike", sub, &[ServiceOrAws]), []);
        assert_eq!(missing("StringLikeIfExists", sub, &[ServiceOrAws]), []);
        assert_eq!(missing("Null", sub, &[ServiceOrAws]), []);
        assert_eq!(missing("StringEquals", "aws:PrincipalOrgID", &[ServiceOrAws, github]), []);
        assert_eq!(missing("StringEquals", "sts:ExternalId", &[ServiceOrAws]), []);
        // a provider still to come may be any
        assert_eq!(missing("StringLike", sub, &[Federated("arn:aws:iam::1:oidc-provider/\u{1}x\u{1}")]), []);
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
