//! Findings about one value of a rendered list, placed at the item of the
//! list that renders it. A rendering keeps no span per value: the checks
//! report such a finding at the whole list, and the list is rendered again,
//! item by item (`Env::value_origins`, `Env::action_origins`), only for a
//! statement that has one.

use pcl_iam::repeats::{ListKind, Why, repeats};

use super::any_partition;
use crate::diagnostic::{Code, Diagnostic};
use crate::expand::{Env, ValueOrigin};

/// Places the findings of `s` rendered under `env` for `partition` that
/// are about one value of its action or resource list (E0316, W0512).
pub fn place_list_findings(s: &crate::ir::Statement, env: &Env<'_>, partition: &str, findings: &mut [Diagnostic]) {
    place_resource_arn_findings(s, env, partition, findings);
    place_repeat_findings(s, env, findings);
}

/// Places the ARN findings (`E0316`) that `statement_findings` reported at
/// the whole resource list of `s` (it reads the rendering alone, which keeps
/// no span per value) at the resource that renders each ARN: a string, a
/// param, a `for` template, or a `@set` splice (its label names the set).
/// `findings` are those of `s` rendered under `env` for `partition`; the
/// list is rendered again only when one of them is such a finding.
fn place_resource_arn_findings(
    s: &crate::ir::Statement,
    env: &crate::expand::Env<'_>,
    partition: &str,
    findings: &mut [Diagnostic],
) {
    let at_list = |d: &Diagnostic| d.code == Code::ArnPartition && d.span == s.resources.span;
    if !findings.iter().any(at_list) {
        return;
    }
    // the findings follow the rendered values' order, one per ARN found wrong
    let mut wrong = env
        .value_origins(&s.resources)
        .into_iter()
        .filter_map(|origin| Some((pcl_iam::values::check_arn_in_partition(&origin.value, partition)?, origin)));
    for d in findings.iter_mut().filter(|d| at_list(d)) {
        let Some((message, origin)) = wrong.next() else { return };
        if message != d.message {
            return; // not the rendering the findings were made from: left as they are
        }
        d.span = origin.item;
        if let (Some(set), Some(label)) = (origin.set, d.label.as_mut()) {
            *label = format!("{label} (from valueset `{set}`)");
        }
    }
}

/// Places each W0512 that `statement_findings` reported at the whole action
/// or resource list of `s`: an entry listed twice at its second copy, with
/// the first as a secondary label; an entry a pattern matches at the entry,
/// with the pattern as a secondary label. Each list's findings follow
/// `pcl_iam::repeats`' order, which is found again from the origins; a
/// finding that does not name the entry expected (another rendering) is left
/// as it is.
fn place_repeat_findings(s: &crate::ir::Statement, env: &Env<'_>, findings: &mut [Diagnostic]) {
    let lists = [(ListKind::Actions, s.actions.span), (ListKind::Resources, s.resources.span)];
    for (list, span) in lists {
        let at_list = |d: &Diagnostic| d.code == Code::RepeatedEntry && d.span == span;
        if !findings.iter().any(at_list) {
            continue;
        }
        let origins = match list {
            ListKind::Actions => env.action_origins(&s.actions),
            ListKind::Resources => env.value_origins(&s.resources),
        };
        let values: Vec<String> = origins.iter().map(|o| o.value.clone()).collect();
        let kept = if list == ListKind::Resources { env.kept_stars(&s.resources) } else { 0 };
        let mut found = repeats(list, &values, usize::try_from(kept).unwrap_or(usize::MAX)).into_iter();
        // each value's origins, looked up once (a scan per finding was
        // quadratic in a list of thousands of repeats)
        let key = |value: &str| match list {
            ListKind::Actions => value.to_ascii_lowercase(),
            ListKind::Resources => value.to_string(),
        };
        let mut by_value: rustc_hash::FxHashMap<String, Vec<&ValueOrigin>> = rustc_hash::FxHashMap::default();
        for origin in &origins {
            by_value.entry(key(&origin.value)).or_default().push(origin);
        }
        let no_origins = Vec::new();
        for d in findings.iter_mut().filter(|d| at_list(d)) {
            let Some(repeat) = found.next() else { break };
            if !d.message.starts_with(&format!("`{}`", any_partition(&repeat.entry))) {
                break;
            }
            let mut copies = by_value.get(&key(&repeat.entry)).unwrap_or(&no_origins).iter().copied();
            let Some(first) = copies.next() else { break };
            let (primary, other, other_says) = match &repeat.why {
                Why::Listed { .. } => match copies.find(|o| o.item != first.item) {
                    Some(second) => (second, Some(first), "first listed here".to_string()),
                    None => (first, None, String::new()),
                },
                Why::Matched { by } => {
                    let pattern =
                        by_value.get(&key(by)).and_then(|o| o.first()).copied().filter(|o| o.item != first.item);
                    (first, pattern, format!("`{}` is listed here", any_partition(by)))
                }
            };
            d.span = primary.item;
            if let Some(label) = d.label.as_mut() {
                label.push_str(&from_set(primary, list));
            }
            if let Some(other) = other {
                d.secondary.push(crate::diagnostic::Label {
                    span: other.item,
                    message: format!("{other_says}{}", from_set(other, list)),
                });
            }
        }
    }
}

/// ` (from actionset `reads`)` when the value comes from a splice.
fn from_set(origin: &ValueOrigin, list: ListKind) -> String {
    let kind = match list {
        ListKind::Actions => "actionset",
        ListKind::Resources => "valueset",
    };
    origin.set.map_or_else(String::new, |set| format!(" (from {kind} `{set}`)"))
}
