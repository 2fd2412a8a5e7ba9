//! The actions a trust policy grants: the one each principal assumes a
//! role with (`federated_action`; `sts:AssumeRole` for a service or an AWS
//! principal), and those a `trust` block adds for the session
//! (`action sts:TagSession;`: EKS Pod Identity, session tags, a source
//! identity, context keys).

use crate::catalog::wildcard_match;
use crate::rules::{Problem, problem_owned};

/// The actions a principal assumes a role with, as IAM spells them.
pub const ASSUME_ACTIONS: [&str; 3] = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/// The actions a `trust` block may add to its principals' own, as IAM
/// spells them.
pub const SESSION_ACTIONS: [&str; 3] = ["sts:SetContext", "sts:SetSourceIdentity", "sts:TagSession"];

/// Every action of a trust policy, in the order pcl renders them.
pub const TRUST_ACTIONS: [&str; 6] = [
    ASSUME_ACTIONS[0],
    ASSUME_ACTIONS[1],
    ASSUME_ACTIONS[2],
    SESSION_ACTIONS[0],
    SESSION_ACTIONS[1],
    SESSION_ACTIONS[2],
];

/// `action` as IAM spells it, when it is an action of a trust policy
/// (action names ignore case).
pub fn trust_action(action: &str) -> Option<&'static str> {
    TRUST_ACTIONS.into_iter().find(|known| known.eq_ignore_ascii_case(action))
}

/// Where `action` falls in [`TRUST_ACTIONS`] (the rendering's order); an
/// action of no trust policy last.
pub fn trust_action_rank(action: &str) -> usize {
    TRUST_ACTIONS.iter().position(|known| known.eq_ignore_ascii_case(action)).unwrap_or(TRUST_ACTIONS.len())
}

/// The actions principals may assume a role with: `sts:AssumeRole` for
/// service and AWS principals, each identity provider's own for federated
/// ones (`federated_action`), either provider's (never `sts:AssumeRole`)
/// for a federated principal whose kind is still to come.
pub fn assume_actions<'p>(federated: bool, principals: impl IntoIterator<Item = &'p str>) -> Vec<&'static str> {
    let [assume_role, with_saml, with_web_identity] = ASSUME_ACTIONS;
    if !federated {
        return vec![assume_role];
    }
    let mut own = Vec::new();
    for principal in principals {
        match crate::federated_action_if_known(principal) {
            Some(action) if !own.contains(&action) => own.push(action),
            Some(_) => {}
            None => return vec![with_saml, with_web_identity],
        }
    }
    own
}

/// The session action without which no request to assume a role holds
/// condition key `key`: session tags (`aws:RequestTag/...`, `aws:TagKeys`,
/// `sts:TransitiveTagKeys`) come only with `sts:TagSession`, a source
/// identity (`sts:SourceIdentity`, set by the caller or carried from its
/// own session) only with `sts:SetSourceIdentity`, context
/// (`sts:RequestContext/...`, `sts:RequestContextProviders`) only with
/// `sts:SetContext`; `None` for any other key.
pub fn session_action_of_key(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let [set_context, set_source_identity, tag_session] = SESSION_ACTIONS;
    if lower.starts_with("aws:requesttag/") || lower == "aws:tagkeys" || lower == "sts:transitivetagkeys" {
        Some(tag_session)
    } else if lower == "sts:sourceidentity" {
        Some(set_source_identity)
    } else if lower.starts_with("sts:requestcontext/") || lower == "sts:requestcontextproviders" {
        Some(set_context)
    } else {
        None
    }
}

/// A service that asks for a session action each time it assumes a role,
/// so that a trust policy granting it only `sts:AssumeRole` is never used.
pub struct AskingService {
    /// Its service principal's name before the partition's DNS suffix.
    pub principal: &'static str,
    /// What it is called in AWS's documentation.
    pub name: &'static str,
    /// The session action it asks for.
    pub action: &'static str,
    /// What it needs the action for.
    pub why: &'static str,
}

/// The services that ask for a session action. Source: Amazon EKS User
/// Guide, "Create an IAM role for EKS Pod Identity" (the trust policy
/// allows `pods.eks.amazonaws.com` both `sts:AssumeRole` and
/// `sts:TagSession`; the agent tags every session).
const ASKING_SERVICES: [AskingService; 1] = [AskingService {
    principal: "pods.eks",
    name: "EKS Pod Identity",
    action: "sts:TagSession",
    why: "it tags every session with the pod's cluster, namespace and service account",
}];

/// The service `principal` names when it asks for a session action as it
/// assumes a role: `pods.eks.amazonaws.com` in any partition (its DNS
/// suffix written, or still `${partition}`'s); `None` for any other.
pub fn asking_service(principal: &str) -> Option<&'static AskingService> {
    ASKING_SERVICES.iter().find(|service| {
        let head = principal.get(..service.principal.len()).is_some_and(|h| h.eq_ignore_ascii_case(service.principal));
        // the rest is `.` and a partition's DNS suffix, or one still to come
        // (not a longer service name: `pods.eks-x.amazonaws.com`)
        let suffix = principal.get(service.principal.len()..).and_then(|rest| rest.strip_prefix('.'));
        head && suffix.is_some_and(|suffix| suffix.starts_with("${") || is_dns_suffix(suffix))
    })
}

/// Whether service principals `a` and `b` may name the same service in
/// the partition built: equal, or one ending in the partition's DNS suffix
/// still to come (`${partition}.dns_suffix`, a rendering for every
/// partition) where the other ends in some partition's suffix after the
/// same name (`pods.eks.amazonaws.com` is `pods.eks.${partition}.dns_suffix`
/// in `aws`).
pub fn service_principals_may_equal(a: &str, b: &str) -> bool {
    const SYMBOLIC: &str = "${partition}.dns_suffix";
    let ends_in_a_suffix = |rest: &str| rest == SYMBOLIC || is_dns_suffix(rest);
    let one_way = |symbolic: &str, other: &str| {
        symbolic.strip_suffix(SYMBOLIC).is_some_and(|head| {
            other.get(..head.len()).is_some_and(|h| h.eq_ignore_ascii_case(head))
                && other.get(head.len()..).is_some_and(ends_in_a_suffix)
        })
    };
    a.eq_ignore_ascii_case(b) || one_way(a, b) || one_way(b, a)
}

/// Whether `text` is some partition's DNS suffix (`amazonaws.com.cn`).
fn is_dns_suffix(text: &str) -> bool {
    crate::partitions::ALL.iter().any(|p| p.dns_suffix.eq_ignore_ascii_case(text))
}

const SESSION_HELP: &str = "a trust block grants `sts:TagSession`, `sts:SetSourceIdentity` or `sts:SetContext` besides the action its principals assume the role with";

/// Judges `action`, written in the `trust` block of principals that may
/// assume the role with `own` (`assume_actions`).
pub fn check_trust_action(action: &str, own: &[&str]) -> Result<(), Problem> {
    if action.contains(['*', '?']) {
        let message = format!("`{action}` is a pattern, and a trust block grants actions by name");
        let matched: Vec<String> = SESSION_ACTIONS
            .into_iter()
            .filter(|known| wildcard_match(action, known))
            .map(|known| format!("`{known}`"))
            .collect();
        let help = match matched.as_slice() {
            [] => SESSION_HELP.to_string(),
            some => format!("name the session actions the principals need: {}", some.join(", ")),
        };
        return Err(problem_owned(message, Some(help)));
    }
    match trust_action(action) {
        Some(known) if SESSION_ACTIONS.contains(&known) => Ok(()),
        Some(known) if own.contains(&known) => Ok(()),
        Some(known) => {
            let theirs = own.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(" or ");
            let message = format!("these principals assume the role with {theirs}, not `{known}`");
            let help = "remove it: pcl grants each principal the action it assumes the role with".to_string();
            Err(problem_owned(message, Some(help)))
        }
        None => {
            // (a misspelt one is not in the catalog, and said so with a suggestion)
            let message = format!("`{action}` is not an action of a trust policy");
            Err(problem_owned(message, Some(SESSION_HELP.to_string())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_actions_are_granted_to_any_principal() {
        for action in SESSION_ACTIONS {
            assert!(check_trust_action(action, &["sts:AssumeRole"]).is_ok());
            assert!(check_trust_action(&action.to_ascii_lowercase(), &["sts:AssumeRoleWithSAML"]).is_ok());
        }
    }

    #[test]
    fn an_assume_action_must_be_the_principals_own() {
        assert!(check_trust_action("sts:AssumeRole", &["sts:AssumeRole"]).is_ok());
        let to_come = assume_actions(true, ["<IDENTITY PROVIDER ARN>"]);
        assert!(check_trust_action("sts:assumerolewithsaml", &to_come).is_ok());
        let p = check_trust_action("sts:AssumeRole", &to_come).err();
        assert!(p.is_some_and(|p| p.message == "these principals assume the role with `sts:AssumeRoleWithSAML` or `sts:AssumeRoleWithWebIdentity`, not `sts:AssumeRole`"));
        let p = check_trust_action("sts:AssumeRoleWithSAML", &["sts:AssumeRole"]).err();
        assert!(p.is_some_and(
            |p| p.message == "these principals assume the role with `sts:AssumeRole`, not `sts:AssumeRoleWithSAML`"
        ));
    }

    #[test]
    fn other_actions_and_wildcards_are_refused_with_a_suggestion() {
        let p = check_trust_action("s3:GetObject", &["sts:AssumeRole"]).err();
        assert!(p.is_some_and(|p| p.message == "`s3:GetObject` is not an action of a trust policy"));
        let p = check_trust_action("sts:Tag*", &["sts:AssumeRole"]).err();
        assert!(p.is_some_and(
            |p| p.help.as_deref() == Some("name the session actions the principals need: `sts:TagSession`")
        ));
        let p = check_trust_action("STS:Set*", &["sts:AssumeRole"]).err();
        assert!(p.is_some_and(|p| p.help.as_deref()
            == Some("name the session actions the principals need: `sts:SetContext`, `sts:SetSourceIdentity`")));
        let p = check_trust_action("sts:Get*", &["sts:AssumeRole"]).err();
        assert!(p.is_some_and(|p| p.help.as_deref() == Some(SESSION_HELP)));
    }

    #[test]
    fn principals_assume_a_role_with_their_own_action() {
        assert_eq!(assume_actions(false, ["ec2.amazonaws.com"]), ["sts:AssumeRole"]);
        let saml = "arn:aws:iam::123456789012:saml-provider/corp";
        assert_eq!(
            assume_actions(true, [saml, "cognito-identity.amazonaws.com", saml]),
            ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]
        );
        assert_eq!(assume_actions(true, ["arn:aws:iam::<ACCOUNT>:saml-provider/<NAME>"]), ["sts:AssumeRoleWithSAML"]);
        let either = ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];
        assert_eq!(assume_actions(true, ["<IDENTITY PROVIDER ARN>"]), either);
        let saml = "arn:aws:iam::123456789012:saml-provider/corp";
        assert_eq!(assume_actions(true, [saml, "arn:aws:iam::<ACCOUNT>:<PROVIDER>"]), either);
    }

    #[test]
    fn session_keys_come_with_their_action() {
        assert_eq!(session_action_of_key("aws:RequestTag/kubernetes-namespace"), Some("sts:TagSession"));
        assert_eq!(session_action_of_key("AWS:TagKeys"), Some("sts:TagSession"));
        assert_eq!(session_action_of_key("sts:SourceIdentity"), Some("sts:SetSourceIdentity"));
        assert_eq!(session_action_of_key("sts:RequestContext/identitycenter:UserId"), Some("sts:SetContext"));
        assert_eq!(session_action_of_key("aws:ResourceTag/x"), None);
        assert_eq!(session_action_of_key("sts:ExternalId"), None);
    }

    #[test]
    fn an_account_covers_its_principals() {
        let role = "arn:aws:iam::123456789012:role/ci";
        assert!(crate::aws_principal_covers("*", role));
        assert!(crate::aws_principal_covers("123456789012", role));
        assert!(crate::aws_principal_covers("arn:aws:iam::123456789012:root", "123456789012"));
        assert!(crate::aws_principal_covers(role, role));
        assert!(!crate::aws_principal_covers("210987654321", role));
        assert!(!crate::aws_principal_covers(role, "123456789012"));
        assert!(!crate::aws_principal_covers("arn:aws:iam::123456789012:role/other", role));
    }

    #[test]
    fn the_rendering_order_is_the_table_s() {
        assert_eq!(trust_action("STS:TAGSESSION"), Some("sts:TagSession"));
        assert!(trust_action_rank("sts:AssumeRole") < trust_action_rank("sts:tagsession"));
        assert_eq!(trust_action_rank("s3:GetObject"), TRUST_ACTIONS.len());
    }

    #[test]
    fn eks_pod_identity_asks_for_tag_session_in_every_partition() {
        for principal in [
            "pods.eks.amazonaws.com",
            "pods.eks.amazonaws.com.cn",
            "Pods.EKS.amazonaws.com",
            "pods.eks.${partition}.dns_suffix",
        ] {
            assert_eq!(asking_service(principal).map(|s| s.action), Some("sts:TagSession"), "{principal}");
        }
        for other in ["eks.amazonaws.com", "pods.eks-x.amazonaws.com", "pods.eks.example.com", "pods.eks", "pods.eks."]
        {
            assert!(asking_service(other).is_none(), "{other}");
        }
    }

    #[test]
    fn a_service_written_with_the_partition_s_suffix_to_come_may_be_either() {
        let symbolic = "pods.eks.${partition}.dns_suffix";
        assert!(service_principals_may_equal(symbolic, "pods.eks.amazonaws.com"));
        assert!(service_principals_may_equal("pods.eks.amazonaws.com.cn", symbolic));
        assert!(service_principals_may_equal("Pods.EKS.amazonaws.com", "pods.eks.amazonaws.com"));
        assert!(!service_principals_may_equal(symbolic, "pods.eks.example.com"));
        assert!(!service_principals_may_equal(symbolic, "ec2.amazonaws.com"));
        assert!(!service_principals_may_equal("pods.eks.amazonaws.com", "pods.eks.amazonaws.com.cn"));
    }
}
