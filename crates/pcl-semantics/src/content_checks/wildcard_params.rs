//! The params a W0512's covering pattern owes its wildcards to:
//! `"arn:${partition}:ec2:${region}:*:instance/*"` with `region = "*"`
//! covers `"arn:${partition}:ec2:us-east-1:*:instance/*"`, and with any
//! other region would not, which the finding must say. Found only for a
//! list that has a pattern's finding: the list is rendered again with each
//! param whose value holds a wildcard given a value that no pattern but
//! `*` matches, and the entry is compared with the list's patterns again
//! (another pattern may cover it whatever the param's value).

use std::collections::BTreeMap;

use pcl_iam::repeats::{ListKind, covers_entry};
use pcl_syntax::Name;

use crate::diagnostic::Diagnostic;
use crate::expand::Env;
use crate::ir::placeholders::MARK;
use crate::ir::{GList, ParamValue, Value};

/// A resource list's values rendered with each of its wildcard params in
/// turn given another value, made once for all the list's findings.
pub(super) struct WildcardParams {
    /// One per param the list renders whose value holds a `*` or `?`.
    each: Vec<OtherValue>,
}

/// A resource list rendered with one param's wildcard values replaced.
struct OtherValue {
    param: Name,
    values: Vec<String>,
    /// The places of the values that hold a wildcard.
    patterns: Vec<usize>,
}

impl OtherValue {
    /// Whether a pattern of the list (not a copy of it) still covers the
    /// value at `entry`.
    fn still_covers(&self, entry: usize) -> bool {
        // not the rendering expected: nothing to say
        let Some(e) = self.values.get(entry) else { return true };
        let patterns = self.patterns.iter().filter_map(|&p| self.values.get(p));
        patterns.filter(|p| *p != e).any(|p| covers_entry(ListKind::Resources, p, e))
    }
}

/// A param's value that nothing but a `*` matches, and no other param's:
/// a placeholder's form (`pcl_iam::repeats` reads `<...>` as a value to
/// come) with two marks, which no stand-in has. `k` tells the values of a
/// list apart.
fn other_value(param: &str, k: usize) -> String {
    format!("<{MARK}{MARK}{param}{MARK}{k}>")
}

fn has_wildcard(value: &str) -> bool {
    value.contains(['*', '?'])
}

impl WildcardParams {
    /// The renderings of `list` under `env` that `behind` compares.
    pub(super) fn of(env: &Env<'_>, list: &GList<Value>) -> WildcardParams {
        // the params the list renders: only those can bring its wildcards
        let reads = std::cell::RefCell::new(Vec::new());
        let noting = Env {
            program: env.program,
            features: env.features,
            params: env.params,
            shape_only: false,
            restoring: env.restoring,
            reads: Some(&reads),
            fixed: None,
        };
        let _ = noting.values(list);
        let reads = reads.into_inner();
        let read: BTreeMap<String, ParamValue> = (reads.iter())
            .filter_map(|name| Some((name.as_str().to_string(), env.params.get(name.as_str())?.clone())))
            .collect();
        let wildcard = |value: &ParamValue| match value {
            ParamValue::One(v) => has_wildcard(v),
            ParamValue::Many(vs) => vs.iter().any(|v| has_wildcard(v)),
        };
        let each = (reads.into_iter())
            .filter(|name| read.get(name.as_str()).is_some_and(wildcard))
            .map(|param| {
                let values = rendered_with_others(env, list, &read, &param);
                let patterns = (values.iter().enumerate()).filter(|(_, v)| has_wildcard(v)).map(|(at, _)| at).collect();
                OtherValue { param, values, patterns }
            })
            .collect();
        WildcardParams { each }
    }

    /// The params without whose values the value at `entry` of the list
    /// (its place in `value_origins`) would be covered by no pattern of
    /// the list. Each is tried alone: its other value, a placeholder, is
    /// matched only by a `*` or by the same placeholder, which the entry
    /// holds only where it reads the param too, so params never make a
    /// cover together that none makes alone.
    pub(super) fn behind(&self, entry: usize) -> Vec<Name> {
        self.each.iter().filter(|other| !other.still_covers(entry)).map(|other| other.param).collect()
    }
}

/// The values of `list`, guards decided under `env`, rendered with the
/// params `read` (those the list renders) but the param `changed` given
/// values no pattern but `*` matches in place of its wildcard ones.
fn rendered_with_others(
    env: &Env<'_>,
    list: &GList<Value>,
    read: &BTreeMap<String, ParamValue>,
    changed: &str,
) -> Vec<String> {
    let mut params = read.clone();
    let other = |(k, v): (usize, &String)| if has_wildcard(v) { other_value(changed, k) } else { v.clone() };
    if let Some(value) = params.get_mut(changed) {
        *value = match value {
            ParamValue::One(v) => ParamValue::One(other((0, v))),
            ParamValue::Many(vs) => ParamValue::Many(vs.iter().enumerate().map(other).collect()),
        };
    }
    // stand-ins kept (the other value is none to restore): the pattern and
    // the entry are compared as rendered here, not with the texts shown
    let render = Env {
        program: env.program,
        features: env.features,
        params: &params,
        shape_only: false,
        restoring: false,
        reads: None,
        // (other params than the configuration's guards were decided for)
        fixed: None,
    };
    env.value_origins_rendered_by(list, &render).into_iter().map(|origin| origin.value).collect()
}

/// Says in W0512 `d` that its pattern `by` covers `entry` only with the
/// values `names` hold: the message names them (` (with region = "*")`),
/// and the help keeps the entry for other values rather than removing it.
pub(super) fn say_params(d: &mut Diagnostic, env: &Env<'_>, names: &[Name], (by, entry): (&str, &str)) {
    let values = described(env, names);
    d.message.push_str(&format!(" (with {values})"));
    d.help = Some(match (guard_against(env, names), names) {
        (Some(guard), [name]) => format!(
            "`{by}` covers `{entry}` only while {values}: guard the entry with `{guard}`, or remove it if {name} keeps that value"
        ),
        (_, [name]) => format!(
            "`{by}` covers `{entry}` only with this value of {name}: keep the entry if {name} may be set otherwise, or remove it"
        ),
        _ => format!(
            "`{by}` covers `{entry}` only with these values of {}: keep the entry if they may be set otherwise, or remove it",
            names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" and ")
        ),
    });
}

/// The values `names` hold under `env`, as a finding says them:
/// `region = "*"`, and of a list the values with wildcards,
/// `"*" in buckets`.
fn described(env: &Env<'_>, names: &[Name]) -> String {
    let each = names.iter().filter_map(|name| match env.params.get(name.as_str())? {
        ParamValue::One(v) => Some(format!("{name} = \"{v}\"")),
        ParamValue::Many(vs) => {
            let wild: Vec<String> = vs.iter().filter(|v| has_wildcard(v)).map(|v| format!("\"{v}\"")).collect();
            Some(format!("{} in {name}", wild.join(", ")))
        }
    });
    each.collect::<Vec<_>>().join(", ")
}

/// The guard that keeps an entry only where a scalar param's value makes
/// no pattern cover it: `when region != "*"` (none for a list param, or
/// for several params).
fn guard_against(env: &Env<'_>, names: &[Name]) -> Option<String> {
    let [name] = names else { return None };
    match env.params.get(name.as_str())? {
        ParamValue::One(v) => Some(format!("when {name} != \"{v}\"")),
        ParamValue::Many(_) => None,
    }
}
