//! Which configurations an item is rendered for: the features it depends on
//! (directly, through includes, actionsets and inline policies), enumerated
//! over their domains, pinned values fixed, constraint violations dropped.

use std::collections::BTreeMap;

use crate::MAX_INCLUDE_DEPTH;
use crate::ir::*;

/// The features `item` depends on, in declaration order.
pub fn feature_deps(program: &Program, item: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut visited = Vec::new();
    collect(program, item, 0, &mut vars, &mut visited);
    program.features().map(|(n, _)| n.to_string()).filter(|n| vars.contains(n)).collect()
}

fn cond_vars(c: &Option<Cond>, out: &mut Vec<String>) {
    if let Some(c) = c {
        c.vars(out);
    }
}

fn list_vars<T>(l: &GList<T>, out: &mut Vec<String>) {
    for i in &l.items {
        cond_vars(&i.when, out);
    }
}

fn collect(program: &Program, name: &str, depth: usize, out: &mut Vec<String>, visited: &mut Vec<String>) {
    // `visited` only grows, so each item is walked once; the recursion is cut
    // at the depth where expansion stops too (deeper chains are errors).
    if visited.iter().any(|v| v == name) || depth > MAX_INCLUDE_DEPTH {
        return;
    }
    visited.push(name.to_string());
    let Some(item) = program.get(name) else {
        return;
    };
    match &item.ir {
        ItemIr::Policy { when, entries } => {
            cond_vars(when, out);
            entries_vars(program, entries, depth, out, visited);
        }
        ItemIr::Permset(entries) => entries_vars(program, entries, depth, out, visited),
        ItemIr::Actionset(list) => actions_vars(program, list, depth, out, visited),
        ItemIr::Role { when, role } => {
            cond_vars(when, out);
            for (_, l) in &role.trust {
                list_vars(l, out);
            }
            for l in &role.managed {
                list_vars(l, out);
            }
            for a in &role.attach {
                cond_vars(&a.when, out);
                // only the attached policy's own guard, not its contents:
                // the role references it by name
                if let Some(ItemIr::Policy { when, .. }) = program.get(&a.policy).map(|i| &i.ir) {
                    cond_vars(when, out);
                }
            }
            for i in &role.inline {
                cond_vars(&i.when, out);
                collect(program, &i.policy, depth + 1, out, visited);
            }
            if let Some(b) = &role.boundary {
                cond_vars(&b.when, out);
            }
        }
        ItemIr::Param(_) | ItemIr::Feature(_) | ItemIr::Constraint { .. } => {}
    }
}

fn actions_vars(
    program: &Program,
    list: &GList<ActionRef>,
    depth: usize,
    out: &mut Vec<String>,
    visited: &mut Vec<String>,
) {
    for i in &list.items {
        cond_vars(&i.when, out);
        if let ActionRef::Set(s) = &i.value {
            collect(program, s, depth + 1, out, visited);
        }
    }
}

fn entries_vars(program: &Program, entries: &[Entry], depth: usize, out: &mut Vec<String>, visited: &mut Vec<String>) {
    for e in entries {
        match e {
            Entry::Include { target, when, .. } => {
                cond_vars(when, out);
                collect(program, target, depth + 1, out, visited);
            }
            Entry::Statement(s) => {
                cond_vars(&s.when, out);
                actions_vars(program, &s.actions, depth, out, visited);
                list_vars(&s.resources, out);
                for c in &s.conditions {
                    cond_vars(&c.when, out);
                    list_vars(&c.values, out);
                }
            }
        }
    }
}

/// The domain of each feature, restricted to its pinned value if any.
fn domain<'a>(program: &'a Program, feature: &str, pins: &'a BTreeMap<String, String>) -> Vec<String> {
    if let Some(v) = pins.get(feature) {
        return vec![v.clone()];
    }
    program.features().find(|(n, _)| *n == feature).map(|(_, f)| f.domain.clone()).unwrap_or_default()
}

/// Whether some assignment of the features not in `fixed` satisfies every
/// constraint. `None` when there are too many combinations to decide.
pub fn satisfiable(
    program: &Program,
    fixed: &BTreeMap<String, String>,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
) -> Option<bool> {
    let constraints: Vec<&Cond> = program.constraints().map(|(_, c, _)| c).collect();
    if constraints.is_empty() {
        return Some(true);
    }
    let mut free = Vec::new();
    for c in &constraints {
        c.vars(&mut free);
    }
    // Free: features not fixed, and a `partition` param without a value.
    let is_partition = |v: &str| matches!(program.get(v).map(|i| &i.ir), Some(ItemIr::Param(p)) if !p.ty.list && p.ty.scalar == ScalarType::Partition);
    free.retain(|v| {
        !fixed.contains_key(v)
            && (program.features().any(|(n, _)| n == v) || is_partition(v) && !params.contains_key(v))
    });
    let domains: Vec<Vec<String>> = free
        .iter()
        .map(|v| {
            if is_partition(v) {
                crate::iam::PARTITIONS.iter().map(|p| p.to_string()).collect()
            } else {
                domain(program, v, pins)
            }
        })
        .collect();
    let mut found = false;
    let complete = crate::item_check::for_each_assignment(&free, &domains, &mut |lookup| {
        if found {
            return;
        }
        let get = |v: &str| {
            fixed.get(v).cloned().or_else(|| lookup(v)).or_else(|| match params.get(v) {
                Some(ParamValue::One(x)) => Some(x.clone()),
                _ => None,
            })
        };
        if constraints.iter().all(|c| c.eval(&get)) {
            found = true;
        }
    });
    if found {
        Some(true)
    } else if complete {
        Some(false)
    } else {
        None
    }
}

/// Every assignment of `deps` (pinned ones fixed) that the constraints
/// allow; `None` when there are more than `MAX_COMBINATIONS` to enumerate.
pub fn configurations(
    program: &Program,
    deps: &[String],
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
) -> Option<Vec<BTreeMap<String, String>>> {
    let domains: Vec<Vec<String>> = deps.iter().map(|d| domain(program, d, pins)).collect();
    let mut out = Vec::new();
    let complete = crate::item_check::for_each_assignment(deps, &domains, &mut |lookup| {
        let assignment: BTreeMap<String, String> =
            deps.iter().filter_map(|d| lookup(d).map(|v| (d.clone(), v))).collect();
        if satisfiable(program, &assignment, pins, params) != Some(false) {
            out.push(assignment);
        }
    });
    complete.then_some(out)
}
