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

/// Which part of a condition's value names who calls, and must then be
/// written out (no wildcard; a value still to come counts, it will be
/// given): `o-*` is every organization's, `arn:aws:iam::*:role/deployer`
/// every account's `deployer`, `repo:*/infra:*` every owner's `infra`.
#[derive(Clone, Copy)]
enum Names {
    /// The whole value (an account, an organization, an id).
    Whole,
    /// What comes before the first `/` (an organization's path, a
    /// repository `OWNER/REPO`, a workflow `OWNER/REPO/.github/...@REF`).
    FirstSegment,
    /// What comes before the first `:` (`aws:userid`, `UNIQUE-ID:SESSION`).
    BeforeColon,
    /// An ARN's account, or, without one, its resource (an S3 bucket).
    ArnAccount,
    /// GitHub's `sub`, `repo:OWNER/REPO:...`: its owner.
    RepositoryOwner,
    /// An EKS cluster's `sub`, `system:serviceaccount:NAMESPACE:NAME`: its
    /// namespace (the cluster is the provider's own).
    Namespace,
    /// Any other provider's `sub` (GitLab's `project_path:GROUP/...`,
    /// Terraform Cloud's `organization:ORG:...`, CircleCI's
    /// `org/ID/project/ID/...`, a GitHub template of ids): written out up to
    /// a wildcard that follows at least two whole `:`/`/` segments, or one
    /// that is an id rather than a claim's name (`{uuid}:*`);
    /// `project_path:*` and `project_path:group*` narrow nothing.
    Subject,
}

/// The keys that say which AWS principal calls (its organization,
/// account, ARN or unique id): conditions on them narrow a trust of `*`.
/// Not the caller's tags, which any account may give its own principals,
/// nor `sts:ExternalId`, which the caller supplies (it is for a trust of a
/// third party's account, not of `*`).
const CALLER_KEYS: [(&str, Names); 9] = [
    ("aws:PrincipalOrgID", Names::Whole),
    ("aws:PrincipalOrgPaths", Names::FirstSegment),
    ("aws:PrincipalAccount", Names::Whole),
    ("aws:PrincipalArn", Names::ArnAccount),
    ("aws:SourceAccount", Names::Whole),
    ("aws:SourceArn", Names::ArnAccount),
    ("aws:SourceOrgID", Names::Whole),
    ("aws:SourceOrgPaths", Names::FirstSegment),
    ("aws:userid", Names::BeforeColon),
];

/// The claims that name an identity (or the application it signed in to)
/// of each web identity provider, by the provider's domain (GitHub's, with
/// an enterprise's issuer path after it too): a condition on one narrows a
/// trust of the provider. GitHub's tokens also carry claims that any
/// repository's workflow meets (`ref`, `environment`, `event_name`, the
/// `actor` of a shared bot, its audience `sts.amazonaws.com`): only those
/// that name the repository, its owner or the workflow's file narrow it. A
/// provider not listed (an EKS cluster, any other OIDC provider) is
/// narrowed by its subject, `sub`. Sources: the IAM User Guide, "Available
/// keys for AWS OIDC federation"; GitHub's "OpenID Connect reference".
const IDENTITY_CLAIMS: [(&str, &[(&str, Names)]); 5] = [
    (
        "token.actions.githubusercontent.com",
        &[
            ("sub", Names::RepositoryOwner),
            ("repository", Names::FirstSegment),
            ("repository_id", Names::Whole),
            ("repository_owner", Names::Whole),
            ("repository_owner_id", Names::Whole),
            ("job_workflow_ref", Names::FirstSegment),
            ("workflow_ref", Names::FirstSegment),
            ("enterprise", Names::Whole),
            ("enterprise_id", Names::Whole),
        ],
    ),
    // the identity pool, and the user in it
    ("cognito-identity.amazonaws.com", &[("aud", Names::Whole), ("sub", Names::Whole)]),
    // the application's client id, and the user
    ("accounts.google.com", &[("aud", Names::Whole), ("sub", Names::Whole)]),
    ("graph.facebook.com", &[("app_id", Names::Whole), ("id", Names::Whole)]),
    ("www.amazon.com", &[("app_id", Names::Whole), ("user_id", Names::Whole)]),
];

/// The claim any other provider is narrowed by.
const SUBJECT: [(&str, Names); 1] = [("sub", Names::Subject)];

/// An EKS cluster's provider (`oidc.eks.REGION.amazonaws.com/id/ID`) is
/// narrowed by its subject's namespace.
const EKS_SUBJECT: [(&str, Names); 1] = [("sub", Names::Namespace)];

/// One condition of a trust statement, as rendered.
pub struct TrustCondition<'a> {
    pub operator: &'a str,
    pub key: &'a str,
    pub values: &'a [String],
}

/// Whether `conditions` narrow a trust of `principal`, which is `*` (an
/// AWS principal: `aws` true) or a web identity provider (its domain, or
/// its OIDC provider's ARN), or shut it out: a condition on a key its
/// requests never hold (`principals_without_key`, W0506) lets it in never.
pub fn conditions_narrow_trust(principal: &str, aws: bool, conditions: &[TrustCondition<'_>]) -> bool {
    let trusted = if aws { TrustPrincipal::ServiceOrAws } else { TrustPrincipal::Federated(principal) };
    let shut_out = |c: &TrustCondition<'_>| !principals_without_key(c, &[trusted]).is_empty();
    conditions.iter().any(|c| {
        let names = match aws {
            true => CALLER_KEYS.iter().find(|(k, _)| k.eq_ignore_ascii_case(c.key)).map(|(_, n)| *n),
            false => identity_claim(principal, c.key),
        };
        // (an empty value matches no caller)
        let all_pinned = |n| c.values.iter().all(|v| v.is_empty() || pinned(n, c.operator, v));
        shut_out(c) || restricts(c) && names.is_some_and(all_pinned)
    })
}

/// Whether the condition holds for some requests only: an operator that
/// does not hold without its key (`holds_without_key`), with values.
fn restricts(c: &TrustCondition<'_>) -> bool {
    !holds_without_key(c.operator) && !c.values.is_empty()
}

/// Whether a condition of `operator` with `values` fails for a request
/// without its key: one that does not hold without it (`holds_without_key`),
/// or `Null` with `false` alone (which asks for the key).
pub fn needs_key(operator: &str, values: &[String]) -> bool {
    let asks_for_key = || !values.is_empty() && values.iter().all(|v| v.eq_ignore_ascii_case("false"));
    !holds_without_key(operator) || (operator.rsplit(':').next() == Some("Null") && asks_for_key())
}

/// Whether a condition of `operator` holds for a request without its key:
/// a negated one (`...Not...`), `...IfExists`, `Null` (which tests for it)
/// and `ForAllValues:` (every one of no values is among any list).
pub fn holds_without_key(operator: &str) -> bool {
    let (set, plain) = operator.rsplit_once(':').unwrap_or(("", operator));
    plain.contains("Not") || plain.ends_with("IfExists") || plain == "Null" || set.eq_ignore_ascii_case("ForAllValues")
}

/// Whether `provider` (a domain or an OIDC provider's URL) is `domain`'s,
/// itself or with a path after it (a GitHub Enterprise issuer,
/// `token.actions.githubusercontent.com/ENTERPRISE`).
fn is_provider(provider: &str, domain: &str) -> bool {
    let head = provider.get(..domain.len()).is_some_and(|d| d.eq_ignore_ascii_case(domain));
    head && provider.get(domain.len()..).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether the part of `value` that names who calls (`names`) is written
/// out: not empty, no wildcard (or a value still to come there). Under an
/// operator other than `Arn*`, whose wildcards stay within a field, a `*`
/// before an ARN's account may match the account and the colons around it
/// (`arn:aws:iam:*:role/x` under `StringLike` is any account's `x`).
fn pinned(names: Names, operator: &str, value: &str) -> bool {
    let first = |separators: &[char]| value.split(separators).next().unwrap_or_default();
    let part = match names {
        Names::Whole => value,
        Names::FirstSegment => first(&['/']),
        Names::BeforeColon => first(&[':']),
        Names::ArnAccount => {
            let fields: Vec<&str> = value.splitn(6, ':').collect();
            let per_field = operator.rsplit(':').next().is_some_and(|o| o.starts_with("Arn"));
            let spanning = !per_field && fields.iter().take(5).any(|f| f.contains(['*', '?']));
            match fields.as_slice() {
                // a whole ARN to come (a placeholder param's value)
                _ if fields.len() < 6 && value.contains(STAND_IN_MARK) => value,
                _ if spanning => "",
                [_, _, _, _, "", resource] => resource,
                [_, _, _, _, account, _] => account,
                _ => "",
            }
        }
        Names::RepositoryOwner => match value.strip_prefix("repo:") {
            Some(rest) => rest.split(['/', ':']).next().unwrap_or_default(),
            None => return subject_pinned(value),
        },
        // a Kubernetes service account's subject, whatever the provider
        // (one still to come may be an EKS cluster): by its namespace
        Names::Subject => match service_account_namespace(value) {
            Some(namespace) => namespace,
            None => return subject_pinned(value),
        },
        Names::Namespace => service_account_namespace(value).unwrap_or(value),
    };
    !part.is_empty() && (part.contains(STAND_IN_MARK) || !part.contains(['*', '?']))
}

/// The namespace of a Kubernetes service account's subject
/// (`system:serviceaccount:NAMESPACE:NAME`).
fn service_account_namespace(value: &str) -> Option<&str> {
    value.strip_prefix("system:serviceaccount:").map(|rest| rest.split(':').next().unwrap_or_default())
}

/// See [`Names::Subject`].
fn subject_pinned(value: &str) -> bool {
    if value.contains(STAND_IN_MARK) {
        return true;
    }
    let Some(wildcard) = value.find(['*', '?']) else { return !value.is_empty() };
    let before = value.get(..wildcard).unwrap_or_default();
    // the segments before the wildcard, but the one it is in
    let mut whole: Vec<&str> = before.split([':', '/']).collect();
    whole.pop();
    let claim_name = |segment: &&str| segment.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    match whole.as_slice() {
        [] => false,
        [one] => !one.is_empty() && !claim_name(one),
        segments => segments.iter().filter(|s| !s.is_empty()).count() >= 2,
    }
}

/// How a condition on `key` names an identity of `principal`'s tokens
/// (`token.actions.githubusercontent.com:sub`; see `IDENTITY_CLAIMS`),
/// if it does.
fn identity_claim(principal: &str, key: &str) -> Option<Names> {
    let (host, claim) = key.split_once(':')?;
    // a provider's key names it (the same values to come where its URL has
    // some); a URL with values to come may render the host a key writes
    // out, whose claims are then the key's
    let provider = provider_url(principal);
    let claims_of = match naming(host, provider) {
        Naming::Same => provider,
        Naming::Maybe if !host.contains(STAND_IN_MARK) => host,
        Naming::Maybe => provider,
        Naming::Unknown | Naming::Never => return None,
    };
    // (which provider a DNS suffix to come names is the same in all)
    let claims_of = as_aws_renders(claims_of);
    let claims_of = in_aws(&claims_of);
    let claims = match IDENTITY_CLAIMS.iter().find(|(domain, _)| is_provider(claims_of, domain)) {
        Some((_, claims)) => claims,
        None if is_eks(claims_of) => &EKS_SUBJECT[..],
        None => &SUBJECT[..],
    };
    claims.iter().find(|(known, _)| known.eq_ignore_ascii_case(claim)).map(|(_, names)| *names)
}

/// Cognito's domain (`cognito-identity.` and a partition's DNS suffix) as
/// the `aws` partition writes it, which `IDENTITY_CLAIMS` knows; any other
/// provider as it is.
fn in_aws(provider: &str) -> &str {
    const COGNITO: &str = "cognito-identity.amazonaws.com";
    const HEAD: &str = "cognito-identity.";
    let head = provider.get(..HEAD.len()).is_some_and(|head| head.eq_ignore_ascii_case(HEAD));
    let suffix = provider.get(HEAD.len()..).filter(|_| head);
    match suffix {
        Some(suffix) if crate::partitions::ALL.iter().any(|p| p.dns_suffix.eq_ignore_ascii_case(suffix)) => COGNITO,
        _ => provider,
    }
}

/// Whether `provider` is an EKS cluster's (`oidc.eks.REGION.amazonaws.com/id/ID`).
fn is_eks(provider: &str) -> bool {
    let lower = provider.to_ascii_lowercase();
    lower.starts_with("oidc.eks.") && (lower.contains(".amazonaws.com/id/") || lower.contains(".amazonaws.com.cn/id/"))
}

/// A condition that narrows a trust of the web identity provider
/// `provider` (its domain, or its OIDC provider's URL) to one identity or
/// application, as `(operator, key, value)`: for GitHub, a repository; for
/// Cognito, the identity pool; for Google, Facebook and Login with Amazon,
/// the application; else the subject.
pub fn suggested_condition(provider: &str) -> (&'static str, String, &'static str) {
    let lower = as_aws_renders(provider);
    let (operator, claim, value) = match in_aws(&lower) {
        _ if is_provider(&lower, "token.actions.githubusercontent.com") => ("StringLike", "sub", "repo:ORG/REPO:*"),
        "cognito-identity.amazonaws.com" => ("StringEquals", "aud", "IDENTITY-POOL-ID"),
        "accounts.google.com" => ("StringEquals", "aud", "CLIENT-ID"),
        "graph.facebook.com" | "www.amazon.com" => ("StringEquals", "app_id", "APPLICATION-ID"),
        _ if is_eks(&lower) => ("StringEquals", "sub", "system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT"),
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

/// The principals among `principals` that never bring the condition's key
/// into their request, when the condition then fails (its operator and
/// values need the key, `needs_key`: `Null` with `false` does): the key is
/// an identity provider's (SAML's, or a web identity provider's claim) and
/// the principal is not that provider. Empty for any other key (its
/// presence is not judged) and for a principal still to come.
pub fn principals_without_key<'p>(
    condition: &TrustCondition<'_>,
    principals: &[TrustPrincipal<'p>],
) -> Vec<TrustPrincipal<'p>> {
    let TrustCondition { operator, key, values } = *condition;
    if !needs_key(operator, values) {
        return Vec::new();
    }
    // the provider is before the first `:` (a tag key after `aws:...Tag/`
    // may hold `.` and `:`, and is no provider's)
    let Some((prefix, claim)) = key.split_once(':') else { return Vec::new() };
    let saml = prefix.eq_ignore_ascii_case("saml");
    let host = prefix.contains('.');
    if claim.is_empty() || !(saml || host) {
        return Vec::new();
    }
    // (an OIDC provider's URL or a domain sets a key whose host it may
    // render, values to come on either side included; a SAML provider to
    // come, or a principal wholly to come, may set any)
    let named = |p: &str| host && !matches!(naming(prefix, provider_url(p)), Naming::Never);
    let sets = |principal: &TrustPrincipal<'_>| match principal {
        TrustPrincipal::ServiceOrAws => false,
        TrustPrincipal::Federated(p) if provider_url(p).len() < p.len() => named(p),
        // (a SAML provider sets SAML's keys alone, whatever its name)
        TrustPrincipal::Federated(p) if crate::federated_action(p) == "sts:AssumeRoleWithSAML" => saml,
        TrustPrincipal::Federated(p) if provider_name(p).contains(STAND_IN_MARK) => true,
        TrustPrincipal::Federated(p) => named(p),
    };
    principals.iter().filter(|p| !sets(p)).copied().collect()
}

/// Whether a key's host names a provider (`url`: its OIDC URL or domain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Naming {
    /// The same text, values to come and all.
    Same,
    /// One side is written out, and the other's values to come may render
    /// it (each may render any text).
    Maybe,
    /// Both hold values to come, not the same: not known.
    Unknown,
    Never,
}

/// What a check of every partition renders for `${partition.dns_suffix}`
/// (`EVERY_PARTITION`, the value its partition param holds, and the
/// member's name).
pub const EVERY_DNS_SUFFIX: &str = "${partition}.dns_suffix";

/// `text` as hosts are compared, once for each partition's DNS suffix
/// where a check of every partition left `${partition}.dns_suffix` in it
/// (else once): in ASCII lower case but for its stand-ins (`${Team}` and
/// `${team}` are two params).
fn per_partition(text: &str) -> Vec<String> {
    let lower = crate::ascii_lowercase_outside_stand_ins(text);
    if !lower.contains(EVERY_DNS_SUFFIX) {
        return vec![lower];
    }
    let mut suffixes: Vec<&str> = crate::partitions::ALL.iter().map(|p| p.dns_suffix).collect();
    suffixes.sort_unstable();
    suffixes.dedup();
    suffixes.into_iter().map(|suffix| lower.replace(EVERY_DNS_SUFFIX, suffix)).collect()
}

/// `text` as `per_partition` compares it, with the `aws` partition's DNS
/// suffix for one to come.
fn as_aws_renders(text: &str) -> String {
    let lower = crate::ascii_lowercase_outside_stand_ins(text);
    match lower.contains(EVERY_DNS_SUFFIX) {
        true => lower.replace(EVERY_DNS_SUFFIX, "amazonaws.com"),
        false => lower,
    }
}

/// How a key's `host` names the provider at `url`: in every partition
/// alike where a DNS suffix is still to come, or maybe where in some
/// (never only where in none).
fn naming(host: &str, url: &str) -> Naming {
    // (nearly every pair: written out on both sides)
    if !host.contains([STAND_IN_MARK, '$']) && !url.contains([STAND_IN_MARK, '$']) {
        return if host.eq_ignore_ascii_case(url) { Naming::Same } else { Naming::Never };
    }
    let (hosts, urls) = (per_partition(host), per_partition(url));
    // side by side where both hold the suffix (one partition renders both)
    let each: Vec<Naming> = match (hosts.as_slice(), urls.as_slice()) {
        ([host], urls) => urls.iter().map(|url| naming_in_one(host, url)).collect(),
        (hosts, [url]) => hosts.iter().map(|host| naming_in_one(host, url)).collect(),
        (hosts, urls) => hosts.iter().zip(urls).map(|(host, url)| naming_in_one(host, url)).collect(),
    };
    if each.iter().all(|n| *n == Naming::Same) {
        Naming::Same
    } else if each.iter().any(|n| matches!(n, Naming::Same | Naming::Maybe)) {
        Naming::Maybe
    } else if each.iter().all(|n| *n == Naming::Never) {
        Naming::Never
    } else {
        Naming::Unknown
    }
}

/// [`naming`] of two texts of one partition, as `per_partition` makes them.
fn naming_in_one(host: &str, url: &str) -> Naming {
    if host == url {
        return Naming::Same;
    }
    let maybe = |written: &str, to_come: &str| if renders(written, to_come) { Naming::Maybe } else { Naming::Never };
    match (host.contains(STAND_IN_MARK), url.contains(STAND_IN_MARK)) {
        (false, false) => Naming::Never,
        (true, true) => Naming::Unknown,
        (false, true) => maybe(host, url),
        (true, false) => maybe(url, host),
    }
}

/// Whether `pattern`, whose stand-ins may each render any text, may render
/// `text`: its literal pieces in order, the first at the start, the last at
/// the end.
fn renders(text: &str, pattern: &str) -> bool {
    let pieces = crate::replace_stand_ins(pattern, |_, out| out.push('\u{0}'));
    let pieces: Vec<&str> = pieces.split('\u{0}').collect();
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else { return false };
    if pieces.len() == 1 {
        return text == *first;
    }
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    for middle in pieces.iter().skip(1).take(pieces.len() - 2) {
        let Some(at) = rest.find(middle) else { return false };
        rest = rest.get(at + middle.len()..).unwrap_or_default();
    }
    rest.ends_with(last)
}

/// What names an identity provider in its ARN (its SAML provider's name,
/// its OIDC provider's URL), or a web identity provider's domain.
fn provider_name(principal: &str) -> &str {
    let named = principal.split_once(":saml-provider/").or_else(|| principal.split_once(":oidc-provider/"));
    named.map_or(principal, |(_, name)| name)
}

/// What names a web identity provider in its keys: an OIDC provider ARN's
/// URL, or the provider's domain.
pub fn provider_url(principal: &str) -> &str {
    principal.split_once(":oidc-provider/").map_or(principal, |(_, url)| url)
}

#[cfg(test)]
mod tests;
