//! Findings about one value of a rendered list, placed at the item of the
//! list that renders it. A rendering keeps no span per value: the checks
//! report such a finding at the whole list, and the list is rendered again,
//! item by item (`Env::value_origins`, `Env::action_origins`), only for a
//! statement that has one.

use pcl_iam::repeats::{ListKind, Why, repeats};

use super::any_partition;
use super::wildcard_params::{WildcardParams, say_params};
use crate::diagnostic::{Code, Diagnostic};
use crate::expand::{Env, ValueOrigin};

/// Places the findings of `s` rendered under `env` for `partition` that
/// are about one value of its action or resource list (E0316, W0512).
pub fn place_list_findings(
    s: &crate::ir::Statement,
    env: &Env<'_>,
    partition: (&str, &[String]),
    findings: &mut [Diagnostic],
) {
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
    (partition, given): (&str, &[String]),
    findings: &mut [Diagnostic],
) {
    let at_list = |d: &Diagnostic| d.code == Code::ArnPartition && d.span == s.resources.span;
    if !findings.iter().any(at_list) {
        return;
    }
    // the findings follow the rendered values' order, one per ARN found wrong
    let mut wrong = env.value_origins(&s.resources).into_iter().filter_map(|origin| {
        Some((pcl_iam::values::check_arn_in_partition_given(&origin.value, partition, given)?, origin))
    });
    for d in findings.iter_mut().filter(|d| at_list(d)) {
        let Some((message, origin)) = wrong.next() else { return };
        if message != d.message {
            return; // not the rendering the findings were made from: left as they are
        }
        d.span = origin.item;
        if let Some(label) = d.label.as_mut() {
            push_from_set(label, &origin, ListKind::Resources);
        }
        // a param's value: `${partition}` is no help there (a default cannot
        // interpolate, E0202); the value is given per partition instead
        if origin.sets.is_empty()
            && let Some(crate::ir::Value::Param(name)) =
                s.resources.items.iter().find(|i| i.span == origin.item).map(|i| &i.value)
        {
            d.help = Some(format!(
                "the ARN is the value of `{name}` (its default or `--set`), which names one partition and cannot \
                 interpolate `${{partition}}`: give `{name}` a placeholder rather than a default, and `--set \
                 {name}=arn:<partition>:...` for each partition built"
            ));
        }
    }
}

/// Places each W0512 that `statement_findings` reported at the whole action
/// or resource list of `s`: an entry listed twice at its second copy, with
/// the first as a secondary label; an entry a pattern matches at the entry,
/// with the pattern as a secondary label, and the params whose values make
/// the pattern a wildcard that covers it named. Each list's findings follow
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
        // each value's places among the origins, looked up once (a scan per
        // finding was quadratic in a list of thousands of repeats)
        let key = |value: &str| match list {
            ListKind::Actions => value.to_ascii_lowercase(),
            ListKind::Resources => value.to_string(),
        };
        let mut by_value: rustc_hash::FxHashMap<String, Vec<usize>> = rustc_hash::FxHashMap::default();
        for (at, origin) in origins.iter().enumerate() {
            by_value.entry(key(&origin.value)).or_default().push(at);
        }
        let places = |value: &str| by_value.get(&key(value)).map_or(&[][..], Vec::as_slice);
        // rendered again with other param values at the first pattern's finding
        let mut wildcards: Option<WildcardParams> = None;
        for d in findings.iter_mut().filter(|d| at_list(d)) {
            let Some(repeat) = found.next() else { break };
            let entry = any_partition(&repeat.entry);
            if !d.message.starts_with(&format!("`{entry}`")) {
                break;
            }
            let mut copies = places(&repeat.entry).iter().filter_map(|&at| Some((at, origins.get(at)?)));
            let Some((first_at, first)) = copies.next() else { break };
            match &repeat.why {
                Why::Listed { .. } => match copies.clone().find(|(_, o)| o.item != first.item) {
                    Some((_, second)) => {
                        let mut first_listed = String::from("first listed here");
                        push_from_set(&mut first_listed, first, list);
                        place(d, second, list, Some((first, first_listed)));
                    }
                    None => {
                        place(d, first, list, None);
                        // copies of one item from two sets nested in it: the other named
                        // too, inside the parenthesis `place` closed
                        if !first.sets.is_empty()
                            && let Some((_, again)) = copies.find(|(_, o)| o.sets != first.sets)
                            && let Some(label) = d.label.as_mut()
                        {
                            label.pop();
                            label.push_str("; again from ");
                            push_set_path(label, again, list);
                            label.push(')');
                        }
                    }
                },
                Why::Matched { by } => {
                    let pattern = places(by).first().and_then(|&at| origins.get(at));
                    let listed = pattern.filter(|p| p.item != first.item).map(|p| {
                        let mut listed = format!("`{}` is listed here", any_partition(by));
                        push_from_set(&mut listed, p, list);
                        (p, listed)
                    });
                    place(d, first, list, listed);
                    if list != ListKind::Resources {
                        continue;
                    }
                    let wildcards = wildcards.get_or_insert_with(|| WildcardParams::of(env, &s.resources));
                    let names = wildcards.behind(first_at);
                    if !names.is_empty() {
                        say_params(d, env, &names, (&any_partition(by), &entry));
                    }
                }
            }
        }
    }
}

/// Moves `d` to `primary`'s item, its label naming the set `primary`
/// comes from, with `other` (the first copy, or the pattern) as a
/// secondary label.
fn place(d: &mut Diagnostic, primary: &ValueOrigin, list: ListKind, other: Option<(&ValueOrigin, String)>) {
    d.span = primary.item;
    if let Some(label) = d.label.as_mut() {
        push_from_set(label, primary, list);
    }
    if let Some((other, message)) = other {
        d.secondary.push(crate::diagnostic::Label { span: other.item, message });
    }
}

/// ` (from actionset `reads`)` onto `out` when the value comes from a
/// splice, naming the set it is written in (` (from actionset `inner`, via
/// `outer`)`).
pub(super) fn push_from_set(out: &mut String, origin: &ValueOrigin, list: ListKind) {
    if !origin.sets.is_empty() {
        out.push_str(" (from ");
        push_set_path(out, origin, list);
        out.push(')');
    }
}

/// `actionset `inner`, via `outer`` onto `out`: the set `origin` is
/// written in, and the sets that bring that one into the list, outermost
/// first (`via `a`, `b` and `c``).
fn push_set_path(out: &mut String, origin: &ValueOrigin, list: ListKind) {
    let Some((written_in, via)) = origin.sets.split_last() else { return };
    out.push_str(match list {
        ListKind::Actions => "actionset `",
        ListKind::Resources => "valueset `",
    });
    out.push_str(written_in);
    out.push('`');
    for (at, set) in via.iter().enumerate() {
        out.push_str(match at {
            0 => ", via `",
            _ if at + 1 == via.len() => " and `",
            _ => ", `",
        });
        out.push_str(set);
        out.push('`');
    }
}
