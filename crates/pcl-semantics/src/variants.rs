//! Which configurations an item is rendered for: the features it depends on
//! (directly, through includes, actionsets and inline policies), enumerated
//! over their domains, pinned values fixed, constraint violations dropped.

use std::collections::BTreeMap;

use crate::MAX_INCLUDE_DEPTH;
use crate::ir::*;

/// The features `item` depends on, in declaration order.
pub fn feature_deps(program: &Program, item: &str) -> Vec<String> {
    let mut walker = Walker { program, vars: Vec::new(), visited: Vec::new() };
    walker.item(item, 0);
    program.features().map(|(n, _)| n.to_string()).filter(|n| walker.vars.contains(n)).collect()
}

/// Collects the guard variables reachable from an item.
struct Walker<'p> {
    program: &'p Program,
    vars: Vec<String>,
    /// Items already walked: each is walked once, so cycles terminate.
    visited: Vec<String>,
}

impl Walker<'_> {
    fn cond(&mut self, c: &Option<Cond>) {
        if let Some(c) = c {
            c.vars(&mut self.vars);
        }
    }

    /// The recursion is cut at the depth where expansion stops too (deeper
    /// chains are reported by the file checks).
    fn item(&mut self, name: &str, depth: usize) {
        if self.visited.iter().any(|v| v == name) || depth > MAX_INCLUDE_DEPTH {
            return;
        }
        self.visited.push(name.to_string());
        let program = self.program;
        let Some(item) = program.get(name) else { return };
        match &item.ir {
            ItemIr::Policy { when, entries } => {
                self.cond(when);
                self.entries(entries, depth);
            }
            ItemIr::Permset(entries) => self.entries(entries, depth),
            ItemIr::Actionset(list) => self.actions(list, depth),
            ItemIr::Valueset(list) => self.values(list, depth),
            ItemIr::Role { when, role } => {
                self.cond(when);
                for (_, list) in &role.trust {
                    self.values(list, depth);
                }
                for list in &role.managed {
                    self.values(list, depth);
                }
                for a in &role.attach {
                    self.cond(&a.when);
                    // only the attached policy's own guard, not its contents:
                    // the role references it by name
                    if let Some(ItemIr::Policy { when, .. }) = program.get(&a.policy).map(|i| &i.ir) {
                        self.cond(when);
                    }
                }
                for i in &role.inline {
                    self.cond(&i.when);
                    self.item(&i.policy, depth + 1);
                }
                if let Some(b) = &role.boundary {
                    self.cond(&b.when);
                    if let Value::Set(set) = &b.value {
                        self.item(set, depth + 1);
                    }
                }
            }
            ItemIr::Param(_) | ItemIr::Feature(_) | ItemIr::Constraint { .. } => {}
        }
    }

    fn actions(&mut self, list: &GList<ActionRef>, depth: usize) {
        for i in &list.items {
            self.cond(&i.when);
            if let ActionRef::Set(s) = &i.value {
                self.item(s, depth + 1);
            }
        }
    }

    fn values(&mut self, list: &GList<Value>, depth: usize) {
        for i in &list.items {
            self.cond(&i.when);
            if let Value::Set(s) = &i.value {
                self.item(s, depth + 1);
            }
        }
    }

    fn entries(&mut self, entries: &[Entry], depth: usize) {
        for e in entries {
            match e {
                Entry::Include { target, when, .. } => {
                    self.cond(when);
                    self.item(target, depth + 1);
                }
                Entry::Statement(s) => {
                    self.cond(&s.when);
                    self.actions(&s.actions, depth);
                    self.values(&s.resources, depth);
                    for c in &s.conditions {
                        self.cond(&c.when);
                        self.values(&c.values, depth);
                    }
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
