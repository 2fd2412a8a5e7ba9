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

/// The keys that say which AWS principal calls (its organization,
/// account, ARN or unique id), or which third party (`sts:ExternalId`):
/// conditions on them narrow a trust of `*`. Not the caller's tags: any
/// account may tag its own principals alike.
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

/// The claims that name an identity (or the application it signed in to)
/// of each web identity provider, by the provider's domain: a condition on
/// one narrows a trust of the provider. GitHub's tokens also carry claims
/// that any repository's workflow meets (`ref`, `environment`,
/// `event_name`, its audience `sts.amazonaws.com`): only those that name
/// the repository, its owner, the workflow's file or the user narrow it.
/// A provider not listed (an EKS cluster, any other OIDC provider) is
/// narrowed by its subject, `sub`. Sources: the IAM User Guide,
/// "Available keys for AWS OIDC federation"; GitHub's "OpenID Connect
/// reference".
const IDENTITY_CLAIMS: [(&str, &[&str]); 5] = [
    (
        "token.actions.githubusercontent.com",
        &[
            "sub",
            "repository",
            "repository_id",
            "repository_owner",
            "repository_owner_id",
            "job_workflow_ref",
            "workflow_ref",
            "actor",
            "actor_id",
            "enterprise",
            "enterprise_id",
        ],
    ),
    // the identity pool, and the user in it
    ("cognito-identity.amazonaws.com", &["aud", "sub"]),
    // the application's client id, and the user
    ("accounts.google.com", &["aud", "sub"]),
    ("graph.facebook.com", &["app_id", "id"]),
    ("www.amazon.com", &["app_id", "user_id"]),
];

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
        true => {
            CALLER_KEYS.iter().any(|k| k.eq_ignore_ascii_case(c.key)) && c.values.iter().all(|v| names_caller(c.key, v))
        }
        false => names_identity(principal, c) && c.values.iter().all(|v| names_repository(c.key, v)),
    })
}

/// Whether the condition holds for some requests only: a positive
/// operator (not `...Not...`, not `...IfExists`, not `Null`, not
/// `ForAllValues:`, which holds when the key is missing) with a value that
/// is not wildcards alone (a value still to come counts: it will be given).
fn restricts(c: &TrustCondition<'_>) -> bool {
    let (set, operator) = c.operator.rsplit_once(':').unwrap_or(("", c.operator));
    let positive = !operator.contains("Not")
        && !operator.ends_with("IfExists")
        && operator != "Null"
        && !set.eq_ignore_ascii_case("ForAllValues");
    positive && !c.values.is_empty() && c.values.iter().all(|v| literal_in(v))
}

/// Whether `text` holds more than wildcards (or a value still to come).
fn literal_in(text: &str) -> bool {
    text.contains(STAND_IN_MARK) || text.chars().any(|ch| ch != '*' && ch != '?')
}

/// Whether `value` of a caller key names callers of some accounts only:
/// an ARN of `aws:PrincipalArn` whose account is not wildcards alone
/// (`arn:aws:iam::*:role/deployer` is any account's `deployer`).
fn names_caller(key: &str, value: &str) -> bool {
    if !key.eq_ignore_ascii_case("aws:PrincipalArn") {
        return true;
    }
    value.split(':').nth(4).is_some_and(literal_in)
}

/// Whether the condition's key is a claim of `principal`'s tokens that
/// names the identity (`token.actions.githubusercontent.com:sub`; see
/// `IDENTITY_CLAIMS`).
fn names_identity(principal: &str, c: &TrustCondition<'_>) -> bool {
    let provider = provider_url(principal);
    let Some((host, claim)) = c.key.rsplit_once(':') else { return false };
    if !host.eq_ignore_ascii_case(provider) {
        return false;
    }
    let claims =
        IDENTITY_CLAIMS.iter().find(|(p, _)| p.eq_ignore_ascii_case(provider)).map_or(&["sub"][..], |(_, c)| c);
    claims.iter().any(|known| known.eq_ignore_ascii_case(claim))
}

/// Whether a value of GitHub's `sub` names an owner: `repo:OWNER/...`
/// (or `repo:OWNER/REPO:...`) with an owner that is not wildcards alone;
/// `repo:*` is every repository's. Any other key's value is judged by
/// `restricts` alone.
fn names_repository(key: &str, value: &str) -> bool {
    let Some((host, claim)) = key.rsplit_once(':') else { return true };
    if !host.eq_ignore_ascii_case("token.actions.githubusercontent.com") || !claim.eq_ignore_ascii_case("sub") {
        return true;
    }
    let owner = value.strip_prefix("repo:").map_or(value, |rest| rest.split(['/', ':']).next().unwrap_or(rest));
    literal_in(owner)
}

/// A condition that narrows a trust of the web identity provider
/// `provider` (its domain, or its OIDC provider's URL) to one identity or
/// application, as `(operator, key, value)`: for GitHub, a repository; for
/// Cognito, the identity pool; for Google, Facebook and Login with Amazon,
/// the application; else the subject.
pub fn suggested_condition(provider: &str) -> (&'static str, String, &'static str) {
    let (operator, claim, value) = match provider.to_ascii_lowercase().as_str() {
        "token.actions.githubusercontent.com" => ("StringLike", "sub", "repo:ORG/REPO:*"),
        "cognito-identity.amazonaws.com" => ("StringEquals", "aud", "IDENTITY-POOL-ID"),
        "accounts.google.com" => ("StringEquals", "aud", "CLIENT-ID"),
        "graph.facebook.com" | "www.amazon.com" => ("StringEquals", "app_id", "APPLICATION-ID"),
        _ => ("StringEquals", "sub", "SUBJECT"),
    };
    (operator, format!("{provider}:{claim}"), value)
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
    fn github_claims_that_any_repository_meets_narrow_nothing() {
        // found by review: `ref`, `environment`, `event_name` are met by an
        // attacker's repository as well; `repo:*` is every repository's
        for (claim, value) in [("ref", "refs/heads/main"), ("environment", "production"), ("event_name", "push")] {
            let key = format!("token.actions.githubusercontent.com:{claim}");
            assert!(!narrows(GITHUB, false, "StringEquals", &key, &[value]), "{claim}");
        }
        assert!(!narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:*"]));
        assert!(!narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:*/x:*"]));
        assert!(narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:my-org/*"]));
        assert!(narrows(
            GITHUB,
            false,
            "StringEquals",
            "token.actions.githubusercontent.com:repository_owner",
            &["my-org"]
        ));
        assert!(narrows(
            GITHUB,
            false,
            "StringLike",
            "token.actions.githubusercontent.com:sub",
            &["repo:\u{1}x\u{1}:*"]
        ));
    }

    #[test]
    fn facebook_and_amazon_name_their_application_by_app_id() {
        // found by review: neither sends an `aud`
        for provider in ["graph.facebook.com", "www.amazon.com"] {
            let key = |claim: &str| format!("{provider}:{claim}");
            assert!(!narrows(provider, false, "StringEquals", &key("aud"), &["x"]), "{provider}");
            assert!(narrows(provider, false, "StringEquals", &key("app_id"), &["x"]), "{provider}");
            assert_eq!(suggested_condition(provider).1, key("app_id"));
        }
        assert_eq!(suggested_condition("accounts.google.com").1, "accounts.google.com:aud");
        let eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
        assert_eq!(suggested_condition(eks).1, format!("{eks}:sub"));
    }

    #[test]
    fn conditions_any_account_meets_do_not_narrow_every_principal() {
        // found by review: tags any account can give its own roles, an ARN
        // of any account, ForAllValues: (true without the key)
        assert!(!narrows("*", true, "StringEquals", "aws:PrincipalTag/team", &["admin"]));
        assert!(!narrows("*", true, "ArnLike", "aws:PrincipalArn", &["arn:aws:iam::*:role/deployer"]));
        assert!(narrows("*", true, "ArnLike", "aws:PrincipalArn", &["arn:aws:iam::123456789012:role/*"]));
        assert!(!narrows("*", true, "ForAllValues:StringEquals", "aws:PrincipalOrgID", &["o-abc"]));
        assert!(narrows("*", true, "ForAnyValue:StringEquals", "aws:PrincipalOrgID", &["o-abc"]));
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
        assert!(!narrows("*", true, "Bool", "aws:SecureTransport", &["true"]));
        assert!(!narrows("*", true, "StringLike", "aws:PrincipalArn", &["*"]));
        assert!(!narrows("*", true, "Null", "aws:PrincipalOrgID", &["false"]));
        assert!(!conditions_narrow_trust("*", true, &[]));
    }
}
