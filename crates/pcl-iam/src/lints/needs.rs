//! What a finding says an action acts on: its resource types and their
//! ARN formats, the closest to the statement's resources first.

use std::cell::RefCell;
use std::rc::Rc;

use crate::catalog::{Action, ResourceType, catalog};

/// The resource types `action` of service `prefix` acts on, each with its
/// ARN formats, as a finding names them: made once per thread and action
/// (by its address in the catalog), not for every statement and
/// configuration that names it (an edit of `s3_read` in policies.pcl
/// formatted them 14 times).
fn needs(prefix: &str, action: &'static Action) -> Vec<String> {
    thread_local! {
        static NEEDS: crate::memo::KeyedTable<usize, Rc<[String]>> = RefCell::default();
    }
    let at = std::ptr::from_ref(action) as usize;
    let found = crate::memo::remembered_by(&NEEDS, crate::memo::ADDRESS_CAPACITY, at, |_| {
        let service = catalog().service(prefix);
        action
            .resource_types()
            .map(|(rt, _)| match service.and_then(|s| s.resource_type(rt)) {
                Some(r) => format!("{rt} (`{}`)", r.arn_formats().collect::<Vec<_>>().join("` or `")),
                None => rt.to_string(),
            })
            .collect()
    });
    found.to_vec()
}

/// A finding's list of the resource types `action` acts on, for the
/// statement's `resources`: all of them, each with its ARN formats, when
/// there are few; else the closest ones first (those whose resource field
/// can match one of the resources: `image/*` against EC2's `image` type),
/// each saying which of its fields cannot match, then the others counted
/// and a few named. `ec2:CreateTags` acts on about a hundred types: listed
/// whole, the label ran to 11 KB and hid the one that mattered.
pub(super) fn needs_for(prefix: &str, action: &'static Action, resources: &[String]) -> Vec<String> {
    const LISTED_WHOLE: usize = 4;
    const CLOSEST: usize = 2;
    const OTHERS_NAMED: usize = 5;
    let all = needs(prefix, action);
    let service = catalog().service(prefix);
    let type_of = |name: &str| service.and_then(|s| s.resource_type(name));
    let near = |name: &'static str| type_of(name).and_then(|rt| near_miss(name, rt, resources));
    if all.len() <= LISTED_WHOLE {
        // each type as listed, or, when a resource of its service misses it
        // by one field other than its resource field (`arn:aws:iam:::role/r`),
        // saying which; with what its formats hold that their text does not
        // show, for a resource of their service
        return action
            .resource_types()
            .zip(all)
            .map(|((name, _), listed)| {
                let Some(rt) = type_of(name) else { return listed };
                let near = near_miss(name, rt, resources).filter(|(misses, _)| *misses == 1);
                let notes = notes_for(rt, resources);
                let described = near.map_or(listed, |(_, described)| described);
                match notes.is_empty() {
                    true => described,
                    false => format!("{described}; {}", notes.join("; ")),
                }
            })
            .collect();
    }
    let mut close: Vec<(usize, &'static str, String)> = action
        .resource_types()
        .filter_map(|(name, _)| near(name).map(|(misses, described)| (misses, name, described)))
        .collect();
    close.sort_by_key(|(misses, name, _)| (*misses, *name));
    close.truncate(CLOSEST);
    let mut out: Vec<String> = close.iter().map(|(_, _, described)| described.clone()).collect();
    let others: Vec<&'static str> =
        action.resource_types().map(|(name, _)| name).filter(|name| !close.iter().any(|(_, c, _)| c == name)).collect();
    let named: Vec<&str> = others.iter().take(OTHERS_NAMED).copied().collect();
    let more = if others.len() > OTHERS_NAMED { ", ..." } else { "" };
    let lead = if out.is_empty() { "" } else { "and " };
    out.push(format!("{lead}{} other resource types ({}{more})", others.len(), named.join(", ")));
    out
}

/// What the formats of `rt` hold that their text does not show
/// (`arn_match::format_note`), when one of `resources` is of their service:
/// a secret's suffix is news for a Secrets Manager ARN, not for a bucket.
fn notes_for(rt: &'static ResourceType, resources: &[String]) -> Vec<&'static str> {
    fn service_of(text: &str) -> Option<&str> {
        crate::arn_match::arn_fields(text).and_then(|fields| fields.get(crate::arn_match::SERVICE).copied())
    }
    rt.arn_formats()
        .filter(|format| resources.iter().any(|r| service_of(r).is_some_and(|s| Some(s) == service_of(format))))
        .filter_map(crate::arn_match::format_note)
        .collect()
}

/// The format of type `name` that one of `resources` misses by the fewest
/// fields, if its resource field is not among them: how many, and the type
/// described with the fields that differ.
fn near_miss(name: &str, rt: &'static ResourceType, resources: &[String]) -> Option<(usize, String)> {
    let (fields, format, resource) = rt
        .arn_formats()
        .flat_map(|format| {
            resources.iter().filter_map(move |r| Some((crate::arn_match::mismatched_fields(r, format)?, format, r)))
        })
        .filter(|(fields, _, _)| {
            !fields.contains(&crate::arn_match::RESOURCE) && !fields.contains(&crate::arn_match::SERVICE)
        })
        .min_by_key(|(fields, _, _)| fields.len())?;
    let why: Vec<String> = fields.iter().map(|&i| field_difference(i, resource, format)).collect();
    let why = if why.is_empty() { String::new() } else { format!(": {}", why.join("; ")) };
    Some((fields.len(), format!("{name} (`{format}`{why})")))
}

/// How field `i` of `resource` differs from that of `format`, in words.
fn field_difference(i: usize, resource: &str, format: &str) -> String {
    // split as the match splits (a policy variable's `:` is not a field's end)
    let field = |text| crate::arn_match::arn_fields(text).and_then(|f| f.get(i).copied()).unwrap_or_default();
    let name = crate::arn_match::ARN_FIELD_NAMES.get(i).copied().unwrap_or("a");
    match (field(format), field(resource)) {
        ("", here) => format!("its {name} field is empty, here `{here}`"),
        (theirs, "") => format!("its {name} field is `{theirs}`, here empty"),
        (theirs, here) => format!("its {name} field is `{theirs}`, here `{here}`"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn action(prefix: &str, name: &str) -> &'static Action {
        catalog().service(prefix).unwrap().actions.iter().find(|a| a.name == name).unwrap()
    }

    /// `ec2:CreateTags` acts on about a hundred types: the one whose
    /// resource field matches comes first, with the field that does not,
    /// and the rest are counted (the label was 11 KB).
    #[test]
    fn many_types_closest_first_and_counted() {
        let resources = ["arn:aws:ec2:*:123456789012:image/*".to_string()];
        let needs = needs_for("ec2", action("ec2", "CreateTags"), &resources);
        let first = needs.first().unwrap();
        assert!(first.starts_with("image (`arn:${Partition}:ec2:${Region}::image/${ImageId}`"), "{needs:?}");
        assert!(first.ends_with(": its account field is empty, here `123456789012`)"), "{needs:?}");
        let last = needs.last().unwrap();
        assert!(
            last.starts_with("and ") && last.contains(" other resource types (") && last.ends_with(", ...)"),
            "{needs:?}"
        );
        assert!(needs.join(", ").len() < 400, "{needs:?}");
    }

    /// A few types are all listed, as before.
    #[test]
    fn few_types_listed_whole() {
        let resources = ["arn:aws:s3:::bucket".to_string()];
        let needs = needs_for("s3", action("s3", "GetObject"), &resources);
        assert_eq!(needs, super::needs("s3", action("s3", "GetObject")));
        assert!(needs.iter().any(|n| n.starts_with("object (")), "{needs:?}");
    }
}
