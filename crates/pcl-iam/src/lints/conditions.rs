//! W0506: condition keys that IAM never sets for some, or all, of a
//! statement's actions. A service's own keys (`ec2:ResourceTag/...`) are
//! judged by the keys the catalog lists for each action and its resource
//! types. Of the global `aws:` keys only the tag keys are: `aws:SourceIp`
//! and the like are set for every request, but `aws:ResourceTag/...`,
//! `aws:RequestTag/...` and `aws:TagKeys` only where the service supports
//! tags on that resource or in that request, which the catalog lists per
//! action and resource type just as it lists a service's keys.

use std::cell::RefCell;

use super::{Lint, Named, StatementView, is_known_key};
use crate::catalog::{Action, catalog, key_matches};

/// Operators that hold (or may hold) when the key is absent: `...IfExists`,
/// negated ones, `ForAllValues:` (vacuously true) and `Null`.
fn absent_key_matches(operator: &str) -> bool {
    operator.ends_with("IfExists")
        || operator.contains("Not")
        || operator.starts_with("ForAllValues:")
        || operator.starts_with("Null")
}

/// The global tag keys, as the catalog's `G` lines write them, each with
/// the text that starts every key of its kind in a service's lists
/// (`aws:ResourceTag/${TagKey}`), lower case.
const TAG_KEYS: [(&str, &str); 3] = [
    ("aws:ResourceTag/tag-key", "aws:resourcetag/"),
    ("aws:RequestTag/tag-key", "aws:requesttag/"),
    ("aws:TagKeys", "aws:tagkeys"),
];

/// Whether the key some service lists, `listed`, is of the kind whose
/// keys start with `head` (lower case).
fn of_kind(listed: &str, head: &str) -> bool {
    listed.get(..head.len()).is_some_and(|h| h.eq_ignore_ascii_case(head))
}

/// Whether the service `prefix` lists a tag key of the kind `head` for one
/// of its actions or resource types. One that lists none is not judged on
/// that kind: the catalog may just not say (`route53` lists no tag key at
/// all; `applicationinsights` names `aws:ResourceTag` among its keys but
/// for no action or resource type). Remembered per thread by service and
/// kind: it scans the service.
fn service_lists(prefix: &str, head: &'static str) -> bool {
    thread_local! {
        static LISTS: crate::memo::KeyedTable<(usize, usize), bool> = RefCell::default();
    }
    let Some(service) = catalog().service(prefix) else { return false };
    let at = (std::ptr::from_ref(service) as usize, head.as_ptr() as usize);
    crate::memo::remembered_by(&LISTS, crate::memo::ADDRESS_CAPACITY, at, |_| {
        let listed = |k: &str| of_kind(k, head);
        service.actions.iter().any(|a| a.condition_keys().any(listed))
            || service.resource_types.iter().any(|r| r.condition_keys().any(listed))
    })
}

/// Which condition keys W0506 judges, for `key`: a key of a service
/// (`Judged::All`), a global tag key (`Judged::Tag`, the text that starts
/// the keys of its kind), or none (`None`: another global key, set for
/// every action, or a key IAM does not know, W0505's concern).
enum Judged {
    All,
    Tag(&'static str),
}

fn judged(key: &str) -> Option<Judged> {
    // an identity provider's key is in the request of a federated session,
    // whatever the action: which provider sends which claim is not known
    if !is_known_key(key) || crate::identity_keys::is_identity_provider_key(key) {
        return None;
    }
    match catalog().global_key(key) {
        None => Some(Judged::All),
        Some(global) => {
            TAG_KEYS.iter().find(|(template, _)| *template == global.key).map(|(_, head)| Judged::Tag(head))
        }
    }
}

/// Whether the condition key `key` applies to `action`, remembered per
/// thread by key and action: an edited statement is linted again whole, and
/// most of its actions and keys are the ones it had.
fn key_applies(prefix: &str, action: &'static Action, key: &str) -> bool {
    thread_local! {
        /// Answers by the action's address in the catalog, then key.
        static SEEN: crate::memo::PairTable<usize, bool> = RefCell::default();
    }
    let at = std::ptr::from_ref(action) as usize;
    crate::memo::remembered_pair(&SEEN, at, key, || key_applies_uncached(prefix, action, key))
}

/// Whether `key` is among the action's keys or those of its resource types.
fn key_applies_uncached(prefix: &str, action: &Action, key: &str) -> bool {
    if action.condition_keys().any(|k| key_matches(k, key)) {
        return true;
    }
    let Some(service) = catalog().service(prefix) else { return true };
    action
        .resource_types()
        .any(|(rt, _)| service.resource_type(rt).is_some_and(|r| r.condition_keys().any(|k| key_matches(k, key))))
}

pub(super) fn conditions(st: &StatementView<'_>, named: &[Named<'_>], out: &mut Vec<Lint>) {
    if st.actions.iter().any(|a| a == "*") || named.iter().any(|n| n.actions.is_empty()) {
        return; // `*` or an unknown action: nothing sure to say
    }
    for (index, (operator, key)) in st.conditions.iter().enumerate() {
        let Some(judged) = judged(key) else { continue };
        if absent_key_matches(operator) {
            // the condition holds where the key is absent: never a dead grant
            continue;
        }
        // an action of a service that lists no tag key of this kind may
        // still have it: it counts as one the key applies to
        let applies = |prefix: &str, a: &'static Action| match judged {
            Judged::All => key_applies(prefix, a, key),
            Judged::Tag(head) => !service_lists(prefix, head) || key_applies(prefix, a, key),
        };
        let any = named.iter().any(|n| n.actions.iter().any(|a| applies(n.prefix, a)));
        if !any {
            out.push(Lint::KeyAppliesToNone { index, key: key.to_string() });
            continue;
        }
        let missing: Vec<String> = named
            .iter()
            .filter(|n| !n.pattern && n.actions.iter().all(|a| !applies(n.prefix, a)))
            .map(|n| n.written.clone())
            .collect();
        if !missing.is_empty() {
            out.push(Lint::KeyMissingFor { index, key: key.to_string(), actions: missing });
        }
    }
}

/// The W0506 findings of a `NotAction` statement, which covers every action
/// its list does not name: a key of a service (`s3:prefix`) whose every
/// action the list excludes (`s3:*`) is never set for the actions it
/// covers, so the condition is never met. (What else it covers is every
/// other service's actions: nothing narrower is sure.)
pub(super) fn not_action_conditions(st: &StatementView<'_>, out: &mut Vec<Lint>) {
    if st.actions.iter().any(|a| a == "*") {
        return; // it covers nothing
    }
    for (index, (operator, key)) in st.conditions.iter().enumerate() {
        if !matches!(judged(key), Some(Judged::All)) || absent_key_matches(operator) {
            continue;
        }
        let Some((service, _)) = key.split_once(':') else { continue };
        let all_of = |a: &&String| {
            a.split_once(':').is_some_and(|(prefix, name)| prefix.eq_ignore_ascii_case(service) && name == "*")
        };
        if let Some(excluded) = st.actions.iter().find(all_of) {
            out.push(Lint::KeyOfExcludedService { index, key: key.to_string(), excluded: excluded.clone() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The W0506 findings of a statement of `actions` (a `NotAction` list
    /// when `not_action`) on `"*"` with one condition `operator key`.
    fn findings_of(not_action: bool, actions: &[&str], operator: &str, key: &str) -> Vec<Lint> {
        let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        let written = [(operator, key)];
        let st = StatementView {
            allow: true,
            not_action,
            actions: &actions,
            not_resource: false,
            resources: &["*".to_string()],
            kept_stars: 0,
            conditions: &written,
        };
        let mut out = Vec::new();
        match not_action {
            true => not_action_conditions(&st, &mut out),
            false => conditions(&st, &super::super::named_actions(&actions), &mut out),
        }
        out
    }

    fn findings(actions: &[&str], operator: &str, key: &str) -> Vec<Lint> {
        findings_of(false, actions, operator, key)
    }

    fn none(key: &str) -> Vec<Lint> {
        vec![Lint::KeyAppliesToNone { index: 0, key: key.to_string() }]
    }

    /// The global tag keys are judged like a service's keys, against the
    /// action's keys and those of its resource types: the review's
    /// `aws:ResourceTag/team` on `ec2:DescribeInstances` (which supports
    /// only `"*"` and `ec2:Region`) had no warning.
    #[test]
    fn global_tag_keys_are_judged_by_the_catalog() {
        let tag = "aws:ResourceTag/team";
        assert_eq!(findings(&["ec2:DescribeInstances"], "StringEquals", tag), none(tag));
        assert_eq!(
            findings(&["ec2:DescribeInstances"], "StringEquals", "aws:RequestTag/team"),
            none("aws:RequestTag/team")
        );
        assert_eq!(
            findings(&["ec2:DescribeInstances"], "ForAnyValue:StringEquals", "aws:TagKeys"),
            none("aws:TagKeys")
        );
        // any case, as IAM reads keys
        assert_eq!(
            findings(&["ec2:DescribeInstances"], "StringEquals", "AWS:resourcetag/team"),
            none("AWS:resourcetag/team")
        );
        // an object's resource type lists `aws:ResourceTag` (S3's tags of
        // its bucket), though `s3:GetObject`'s own keys do not
        assert_eq!(findings(&["s3:GetObject"], "StringEquals", tag), []);
        assert_eq!(findings(&["s3:GetObject"], "StringEquals", "aws:RequestTag/team"), none("aws:RequestTag/team"));
        // supported: an action's own keys, and a resource type's
        assert_eq!(findings(&["ec2:RunInstances"], "StringEquals", "aws:RequestTag/team"), []);
        assert_eq!(findings(&["ec2:TerminateInstances"], "StringEquals", tag), []);
        assert_eq!(findings(&["iam:PassRole"], "StringEquals", tag), []);
        // one action of two
        assert_eq!(
            findings(&["ec2:TerminateInstances", "ec2:DescribeInstances"], "StringEquals", tag),
            [Lint::KeyMissingFor { index: 0, key: tag.into(), actions: vec!["ec2:DescribeInstances".into()] }]
        );
        // an operator that holds without the key never makes a dead grant
        assert_eq!(findings(&["ec2:DescribeInstances"], "StringEqualsIfExists", tag), []);
        assert_eq!(findings(&["ec2:DescribeInstances"], "ForAllValues:StringEquals", "aws:TagKeys"), []);
    }

    /// A pattern is reported only when none of its actions takes the key
    /// (as for a service's keys), and other global keys, set for every
    /// action, never.
    #[test]
    fn patterns_and_other_global_keys() {
        let tag = "aws:ResourceTag/team";
        // `ec2:DescribeInstanceAttribute` acts on an instance, which has tags
        assert_eq!(findings(&["ec2:Describe*"], "StringEquals", tag), []);
        assert_eq!(findings(&["ec2:DescribeInstance*"], "StringEquals", tag), []);
        assert_eq!(findings(&["ec2:DescribeInstanceT*"], "StringEquals", tag), none(tag));
        assert_eq!(findings(&["ec2:DescribeInstances"], "IpAddress", "aws:SourceIp"), []);
        assert_eq!(findings(&["ec2:DescribeInstances"], "StringEquals", "aws:RequestedRegion"), []);
        assert_eq!(findings(&["ec2:DescribeInstances"], "StringEquals", "aws:PrincipalTag/team"), []);
    }

    /// A `NotAction` list that excludes every action of a key's service
    /// leaves the key unset for every action the statement covers.
    #[test]
    fn a_key_of_a_service_not_action_excludes_is_never_set() {
        let of = |actions: &[&str], operator: &str, key: &str| findings_of(true, actions, operator, key);
        let excluded = |key: &str, excluded: &str| {
            vec![Lint::KeyOfExcludedService { index: 0, key: key.into(), excluded: excluded.into() }]
        };
        assert_eq!(of(&["s3:*"], "StringLike", "s3:prefix"), excluded("s3:prefix", "s3:*"));
        assert_eq!(of(&["iam:*", "S3:*"], "StringEquals", "s3:x-amz-acl"), excluded("s3:x-amz-acl", "S3:*"));
        // some of the service's actions are still covered
        assert_eq!(of(&["s3:Get*"], "StringLike", "s3:prefix"), []);
        // a global key is set for every service's actions; an operator that
        // holds without the key is met
        assert_eq!(of(&["s3:*"], "StringEquals", "aws:RequestedRegion"), []);
        assert_eq!(of(&["s3:*"], "StringLikeIfExists", "s3:prefix"), []);
    }

    /// A service that lists no tag key of the kind for any action or
    /// resource type is not judged on it: the catalog may just not say.
    #[test]
    fn services_that_list_no_tag_key_are_not_judged() {
        assert!(!service_lists("route53", "aws:resourcetag/"));
        assert_eq!(findings(&["route53:ListHostedZones"], "StringEquals", "aws:ResourceTag/team"), []);
        // with an action that is judged, only that one is reported
        assert_eq!(
            findings(&["route53:ListHostedZones", "ec2:DescribeInstances"], "StringEquals", "aws:ResourceTag/team"),
            [Lint::KeyMissingFor {
                index: 0,
                key: "aws:ResourceTag/team".into(),
                actions: vec!["ec2:DescribeInstances".into()]
            }]
        );
        assert!(!service_lists("applicationinsights", "aws:resourcetag/"));
        assert!(service_lists("applicationinsights", "aws:requesttag/"));
        assert!(service_lists("ec2", "aws:tagkeys"));
    }
}
