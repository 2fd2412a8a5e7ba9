//! What IAM accepts as an AWS principal of a trust policy (`"Principal":
//! {"AWS": ...}`): `*`, an account id, or the ARN of an IAM principal (an
//! account's `root`, a user, a role, an assumed-role session, a federated
//! user). IAM allows no wildcard inside a principal: only `*` alone.
//! A service principal is a service's DNS name (`ec2.amazonaws.com`); a
//! federated one an identity provider: the ARN of an account's SAML or
//! OIDC provider, or a web identity provider's domain
//! (`cognito-identity.amazonaws.com`), each assumed with its own action.
//!
//! A field holding a stand-in (`STAND_IN_MARK`: a param's value to come) is
//! not judged, except the region, which a principal's ARN never has.

use crate::rules::{ArnField, Problem, is_account, problem};
use crate::{PARTITIONS, STAND_IN_MARK};

const HELP: &str = "an AWS principal is an account id (12 digits) or the ARN of an IAM principal: `arn:${partition}:iam::${account}:root`, `...:role/NAME`, `...:user/NAME`, `arn:${partition}:sts::${account}:assumed-role/ROLE/SESSION`";

/// The help of a malformed account in a principal's ARN.
pub const ACCOUNT_HELP: &str = "a principal's account is 12 digits or `${account}`, never a wildcard";

/// Whether `value` is an AWS principal IAM accepts (see the module).
/// A rendered text's partition may be `${partition}`: one rendering that
/// stands for every partition (a partition of its own is judged elsewhere).
pub fn check_aws_principal(value: &str) -> Result<(), Problem> {
    if value == "*" || is_account(value) || to_come(value) && !value.starts_with("arn:") {
        return Ok(());
    }
    // cut without allocating: every principal of every role's rendering comes here
    let mut fields = value.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(problem(format!("`{value}` is not an AWS principal"), Some(HELP)));
    };
    let in_field = |field, p: Problem| Err(Problem { field: Some(field), ..p });
    if !(PARTITIONS.contains(&partition) || partition == "${partition}" || to_come(partition)) {
        let message = format!("invalid partition `{partition}` in the ARN of a principal");
        return in_field(ArnField::Partition, problem(message, Some("use `${partition}`")));
    }
    if !matches!(service, "iam" | "sts") && !to_come(service) {
        let message = format!("`{service}` is not a service of IAM principals");
        let help = "a principal's ARN is of `iam` (root, users, roles) or `sts` (assumed-role sessions)";
        return in_field(ArnField::Service, problem(message, Some(help)));
    }
    if !region.is_empty() {
        let message = "the ARN of a principal has no region".to_string();
        return in_field(
            ArnField::Region,
            problem(message, Some("leave the region empty: `arn:${partition}:iam::...`")),
        );
    }
    if !(is_account(account) || to_come(account)) {
        let message = format!("invalid account `{account}` in the ARN of a principal");
        return in_field(ArnField::Account, problem(message, Some(ACCOUNT_HELP)));
    }
    if to_come(resource) {
        return Ok(());
    }
    if resource.contains(['*', '?']) {
        let message = format!("`{resource}`: IAM allows no wildcard in a principal");
        let help = "name the principal, or trust the account (`...:root`) and narrow it with conditions";
        return in_field(ArnField::Resource, problem(message, Some(help)));
    }
    let named = |kind: &str, parts: usize| {
        resource
            .strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| rest.split('/').filter(|p| !p.is_empty()).count() >= parts)
    };
    let known = match service {
        "iam" => resource == "root" || named("user", 1) || named("role", 1),
        _ => named("assumed-role", 2) || named("federated-user", 1),
    };
    if known {
        return Ok(());
    }
    let message = format!("`{resource}` is not an IAM principal of `{service}`");
    in_field(ArnField::Resource, problem(message, Some(HELP)))
}

/// The action a trust policy allows a federated principal: a SAML
/// provider's sessions come with `sts:AssumeRoleWithSAML`, an OIDC or web
/// identity provider's with `sts:AssumeRoleWithWebIdentity`.
pub fn federated_action(value: &str) -> &'static str {
    if provider_arn(value).is_some_and(|(kind, _)| kind == "saml-provider") {
        "sts:AssumeRoleWithSAML"
    } else {
        "sts:AssumeRoleWithWebIdentity"
    }
}

/// `federated_action` of `value`, unless its kind is still to come (a
/// placeholder's value that names no provider's ARN).
pub fn federated_action_if_known(value: &str) -> Option<&'static str> {
    let to_come = value.contains(STAND_IN_MARK) || value.contains('<');
    (!to_come || provider_arn(value).is_some()).then(|| federated_action(value))
}

/// `(kind, name)` of an IAM identity provider's ARN
/// (`arn:PARTITION:iam::ACCOUNT:saml-provider/NAME`), else `None`.
fn provider_arn(value: &str) -> Option<(&str, &str)> {
    let mut fields = value.strip_prefix("arn:")?.splitn(5, ':');
    let (_partition, service, _region, _account, resource) =
        (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    if service != "iam" {
        return None;
    }
    resource.split_once('/').filter(|(kind, _)| matches!(*kind, "saml-provider" | "oidc-provider"))
}

const FEDERATED_HELP: &str = "a federated principal is an identity provider: `arn:${partition}:iam::${account}:saml-provider/NAME`, `...:oidc-provider/URL`, or a web identity provider such as `cognito-identity.amazonaws.com`";

/// What an AWS principal names, whichever way it is written: an account's
/// root (`arn:PARTITION:iam::ID:root`) is its id, as IAM stores it.
pub fn aws_principal_identity(principal: &str) -> &str {
    let mut fields = principal.splitn(6, ':');
    match (fields.next(), fields.nth(1), fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some("arn"), Some("iam"), Some(""), Some(account), Some("root"), None) => account,
        _ => principal,
    }
}

/// Whether a trust statement that names the AWS principal `granted` lets
/// the AWS principal `principal` call its actions: `*` covers every one,
/// an account (its id or root ARN) every principal of the account, and any
/// other principal itself (an account's id and root ARN are one).
pub fn aws_principal_covers(granted: &str, principal: &str) -> bool {
    let granted = aws_principal_identity(granted);
    let account = principal.split(':').nth(4).filter(|_| principal.starts_with("arn:"));
    granted == "*" || granted == aws_principal_identity(principal) || (is_account(granted) && account == Some(granted))
}

/// Whether `value` is a federated principal IAM accepts (see the module).
pub fn check_federated_principal(value: &str) -> Result<(), Problem> {
    if value.starts_with("arn:") {
        if to_come(value) || provider_arn(value).is_some_and(|(_, name)| !name.is_empty()) {
            return Ok(());
        }
        let message = format!("`{value}` is not the ARN of an identity provider");
        return Err(Problem { field: Some(ArnField::Resource), ..problem(message, Some(FEDERATED_HELP)) });
    }
    if to_come(value) || value.contains("${") || is_dns_name(value) {
        return Ok(());
    }
    Err(problem(format!("`{value}` is not a federated principal"), Some(FEDERATED_HELP)))
}

/// Whether `value` is a service principal IAM accepts: a service's DNS
/// name, never an ARN or a wildcard.
pub fn check_service_principal(value: &str) -> Result<(), Problem> {
    // (a rendering for every partition keeps `${partition}`'s members unsaid)
    if to_come(value) || !value.starts_with("arn:") && (value.contains("${") || is_dns_name(value)) {
        return Ok(());
    }
    let help = "a service principal is the service's DNS name, such as `ec2.amazonaws.com` or `ec2.${partition.dns_suffix}`; trust an account or role with `trust aws`";
    Err(problem(format!("`{value}` is not a service principal"), Some(help)))
}

/// A DNS name: dot-separated labels of letters, digits and `-`.
fn is_dns_name(value: &str) -> bool {
    value.contains('.')
        && value
            .split('.')
            .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Whether `text` holds a value to come (a stand-in).
fn to_come(text: &str) -> bool {
    text.contains(STAND_IN_MARK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(value: &str) -> Option<Option<ArnField>> {
        check_aws_principal(value).err().map(|p| p.field)
    }

    #[test]
    fn principals_iam_accepts() {
        for ok in [
            "*",
            "123456789012",
            "arn:aws:iam::123456789012:root",
            "arn:aws-cn:iam::123456789012:role/parallelcluster/node",
            "arn:${partition}:iam::123456789012:user/alice",
            "arn:aws:sts::123456789012:assumed-role/admin/session",
            "arn:aws:sts::123456789012:federated-user/bob",
            "<\u{1}account\u{1}0>",
            "arn:aws:iam::<\u{1}account\u{1}0>:root",
        ] {
            assert!(check_aws_principal(ok).is_ok(), "{ok}");
        }
    }

    /// Found by review: a SAML provider was trusted with
    /// `sts:AssumeRoleWithWebIdentity`, and a role's ARN as a federated
    /// principal, an account's as a service principal, passed unchecked.
    #[test]
    fn federated_and_service_principals() {
        let saml = "arn:aws:iam::123456789012:saml-provider/okta";
        let oidc = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        assert_eq!(federated_action(saml), "sts:AssumeRoleWithSAML");
        assert_eq!(federated_action(oidc), "sts:AssumeRoleWithWebIdentity");
        assert_eq!(federated_action("cognito-identity.amazonaws.com"), "sts:AssumeRoleWithWebIdentity");
        for ok in [
            saml,
            oidc,
            "cognito-identity.amazonaws.com",
            "accounts.google.com",
            "arn:aws:iam::<\u{1}account\u{1}0>:saml-provider/x",
        ] {
            assert!(check_federated_principal(ok).is_ok(), "{ok}");
        }
        for bad in ["arn:aws:iam::123456789012:role/x", "arn:aws:iam::123456789012:saml-provider/", "*", "google"] {
            assert!(check_federated_principal(bad).is_err(), "{bad}");
        }
        for ok in ["ec2.amazonaws.com", "ec2.amazonaws.com.cn", "<\u{1}p\u{1}0>", "ec2.${partition}.dns_suffix"] {
            assert!(check_service_principal(ok).is_ok(), "{ok}");
        }
        for bad in ["arn:aws:iam::123456789012:root", "*", "ec2", "ec2.amazonaws.com/", "ec2..amazonaws.com"] {
            assert!(check_service_principal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_problem_in_its_field() {
        assert_eq!(field("notanarn"), Some(None));
        assert_eq!(field("12345"), Some(None));
        assert_eq!(field("arn:aws:iam::12345:root"), Some(Some(ArnField::Account)));
        assert_eq!(field("arn:aws:iam::*:root"), Some(Some(ArnField::Account)));
        assert_eq!(field("arn:aws:iam::aws:root"), Some(Some(ArnField::Account)));
        assert_eq!(field("arn:aws:s3:::bucket"), Some(Some(ArnField::Service)));
        assert_eq!(field("arn:aws:iam:us-east-1:123456789012:root"), Some(Some(ArnField::Region)));
        assert_eq!(field("arn:*:iam::123456789012:root"), Some(Some(ArnField::Partition)));
        assert_eq!(field("arn:aws:iam::123456789012:role/*"), Some(Some(ArnField::Resource)));
        assert_eq!(field("arn:aws:iam::123456789012:group/admins"), Some(Some(ArnField::Resource)));
        assert_eq!(field("arn:aws:sts::123456789012:assumed-role/admin"), Some(Some(ArnField::Resource)));
        assert_eq!(field("arn:aws:iam::123456789012"), Some(None));
    }
}
