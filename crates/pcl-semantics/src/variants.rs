//! Which configurations an item is rendered for: the features it depends on
//! (directly, through includes, actionsets and inline policies), enumerated
//! over their domains, pinned values fixed, constraint violations dropped.

use std::collections::BTreeMap;

use crate::MAX_COMBINATIONS;
use crate::ir::*;

/// The features `item` depends on, in declaration order.
pub fn feature_deps(program: &Program, item: &str) -> Vec<String> {
    features_among(program, &guard_vars(program, item))
}

/// The features among `vars` (an item's `guard_vars`), in declaration order.
/// Cost: the item's variables, not the file's features.
pub fn features_among(program: &Program, vars: &[String]) -> Vec<String> {
    let mut found: Vec<(usize, &String)> = vars
        .iter()
        .filter(|v| program.feature(v).is_some())
        .filter_map(|v| program.position(v).map(|at| (at, v)))
        .collect();
    found.sort_unstable();
    found.dedup();
    found.into_iter().map(|(_, v)| v.clone()).collect()
}

/// Every variable (feature or param) read by a guard of `item` or of what it
/// uses, in the order first met.
pub fn guard_vars(program: &Program, item: &str) -> Vec<String> {
    let walker = Walker { program, vars: Vars::default(), visited: Default::default(), todo: vec![item.to_string()] };
    walker.finish()
}

/// Every variable (feature or param) read by a guard of a statement or of
/// what it uses, with the blocks around it: the guards of the statement, of
/// its lists and conditions, of the blocks' values, and of the sets they
/// use. Not the params its texts interpolate: two renderings under the same
/// params whose values agree on these variables are equal.
pub fn statement_vars(program: &Program, statement: &Statement, blocks: &[&ConditionEntry]) -> Vec<String> {
    let mut walker = Walker { program, vars: Vars::default(), visited: Default::default(), todo: Vec::new() };
    walker.statement(statement);
    for block in blocks {
        walker.values(&block.values);
    }
    walker.finish()
}

/// Collects the guard variables reachable from an item.
struct Walker<'p> {
    program: &'p Program,
    vars: Vars,
    /// Items already walked: each is walked once, so cycles terminate (a
    /// set: a policy that includes thousands of sets searched a list).
    visited: rustc_hash::FxHashSet<String>,
    /// Items referenced but not walked yet.
    todo: Vec<String>,
}

impl Walker<'_> {
    /// Walks the items referenced and not walked yet; the variables met.
    /// A worklist, not recursion: chains of sets are only as deep as the file
    /// is long, and each item is walked once.
    fn finish(mut self) -> Vec<String> {
        while let Some(next) = self.todo.pop() {
            self.item(&next);
        }
        self.vars.list
    }

    fn cond(&mut self, c: &Guard) {
        if let Some(c) = c {
            self.vars.add(c);
        }
    }

    fn item(&mut self, name: &str) {
        if !self.visited.insert(name.to_string()) {
            return;
        }
        let program = self.program;
        let Some(item) = program.get(name) else { return };
        match &*item.ir {
            ItemIr::Policy { when, entries, .. } => {
                self.cond(when);
                self.entries(entries);
            }
            ItemIr::Permset(entries) => self.entries(entries),
            ItemIr::Actionset(list) => self.actions(list),
            ItemIr::Valueset(list) => self.values(list),
            ItemIr::Role { when, role } => {
                self.cond(when);
                for (_, list) in &role.trust {
                    self.values(list);
                }
                for list in &role.managed {
                    self.values(list);
                }
                for a in &role.attach {
                    self.cond(&a.when);
                    // only the attached policy's own guard, not its contents:
                    // the role references it by name; but a splittable
                    // policy's contents decide how many parts it attaches
                    if let Some(ItemIr::Policy { when, splittable, .. }) = program.get(&a.policy).map(|i| &*i.ir) {
                        self.cond(when);
                        if *splittable {
                            self.todo.push(a.policy.to_string());
                        }
                    }
                }
                for i in &role.inline {
                    self.cond(&i.when);
                    self.todo.push(i.policy.to_string());
                }
                if let Some(b) = &role.boundary {
                    self.cond(&b.when);
                    if let Value::Set(set) = &b.value {
                        self.todo.push(set.to_string());
                    }
                }
            }
            ItemIr::Param(_) | ItemIr::Feature(_) | ItemIr::Constraint { .. } | ItemIr::Derived(_) => {}
        }
    }

    fn actions(&mut self, list: &GList<ActionRef>) {
        for i in &list.items {
            self.cond(&i.when);
            if let ActionRef::Set(s) = &i.value {
                self.todo.push(s.to_string());
            }
        }
    }

    fn values(&mut self, list: &GList<Value>) {
        for i in &list.items {
            self.cond(&i.when);
            if let Value::Set(s) = &i.value {
                self.todo.push(s.to_string());
            }
        }
    }

    fn statement(&mut self, s: &Statement) {
        self.cond(&s.when);
        self.actions(&s.actions);
        self.values(&s.resources);
        for c in &s.conditions {
            self.cond(&c.when);
            self.values(&c.values);
        }
    }

    fn entries(&mut self, entries: &[Entry]) {
        for e in entries {
            match e {
                Entry::Include { target, when, .. } => {
                    self.cond(when);
                    self.todo.push(target.to_string());
                }
                Entry::Statement(s) => self.statement(s),
                Entry::Block { condition, entries } => {
                    self.cond(&condition.when);
                    self.values(&condition.values);
                    self.entries(entries);
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
    program.feature(feature).map(|f| f.domain.clone()).unwrap_or_default()
}

/// A param's value unlike every literal it is compared with (no command line
/// can hold a NUL, and no file compares with one).
const OTHER_VALUE: &str = "\u{0}other";

/// Whether some assignment of the features not in `fixed` satisfies every
/// constraint. `None` when there are too many combinations to decide.
pub fn satisfiable(
    program: &Program,
    fixed: &BTreeMap<String, String>,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
) -> Option<bool> {
    satisfiable_with(program, fixed, pins, params, &[])
}

/// Like [`satisfiable`], with `extra` conditions (guards) to hold as well.
pub fn satisfiable_with(
    program: &Program,
    fixed: &BTreeMap<String, String>,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
    extra: &[&Cond],
) -> Option<bool> {
    let mut constraints: Vec<&Cond> = program.constraints().map(|(_, c, _)| c).collect();
    constraints.extend_from_slice(extra);
    if constraints.is_empty() {
        return Some(true);
    }
    let mut free = vars_of(constraints.iter().copied());
    // Free: features not fixed, and params without a value (a `partition`
    // ranges over the partitions; another param over the values the
    // conditions compare it with, and one value none of them is).
    let is_param = |v: &str| matches!(program.get(v).map(|i| &*i.ir), Some(ItemIr::Param(p)) if !p.ty.list);
    free.retain(|v| !fixed.contains_key(v) && (program.feature(v).is_some() || is_param(v) && !params.contains_key(v)));
    let domains: Vec<Vec<String>> = free
        .iter()
        .map(|v| {
            if program.is_partition_param(v) {
                crate::iam::PARTITIONS.iter().map(|p| p.to_string()).collect()
            } else if is_param(v) {
                let mut values = Vec::new();
                for c in &constraints {
                    c.compared_values(v, &mut values);
                }
                values.push(OTHER_VALUE.to_string());
                values
            } else {
                domain(program, v, pins)
            }
        })
        .collect();
    any_assignment(&free, &domains, &mut |lookup| {
        let get = |v: &str| {
            fixed.get(v).map(String::as_str).or_else(|| lookup(v)).or_else(|| match params.get(v) {
                Some(ParamValue::One(x)) => Some(x.as_str()),
                _ => None,
            })
        };
        constraints.iter().all(|c| c.holds(&get))
    })
}

/// Whether some assignment of `vars` over `domains` makes `holds` true;
/// `None` when there were too many to try (see `for_each_assignment`) and
/// none was found.
fn any_assignment<'d, D: AsRef<[String]>>(
    vars: &[String],
    domains: &'d [D],
    holds: &mut dyn FnMut(Lookup<'_, 'd>) -> bool,
) -> Option<bool> {
    let mut found = false;
    let complete = for_each_assignment(vars, domains, &mut |lookup| {
        found = holds(lookup);
        if found { Flow::Stop } else { Flow::Continue }
    });
    (complete || found).then_some(found)
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
    // Only the dependencies that constraints mention decide satisfiability:
    // decide it once per combination of those, not once per assignment.
    let constrained: rustc_hash::FxHashSet<String> =
        vars_of(program.constraints().map(|(_, c, _)| c)).into_iter().collect();
    let mut decided: BTreeMap<Vec<(String, String)>, bool> = BTreeMap::new();
    let mut out = Vec::new();
    let complete = for_each_assignment(deps, &domains, &mut |lookup| {
        let assignment: BTreeMap<String, String> =
            deps.iter().filter_map(|d| lookup(d).map(|v| (d.clone(), v.to_string()))).collect();
        let key: Vec<(String, String)> =
            assignment.iter().filter(|(k, _)| constrained.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let allowed = *decided.entry(key).or_insert_with_key(|key| {
            let fixed: BTreeMap<String, String> = key.iter().cloned().collect();
            satisfiable(program, &fixed, pins, params) != Some(false)
        });
        if allowed {
            out.push(assignment);
        }
        Flow::Continue
    });
    complete.then_some(out)
}

/// Variables, each once, in the order first read, with a set beside the
/// list. (`Cond::vars` looks for each in the list so far: gathered over a
/// chain of 512 constraints, 262,000 comparisons per guard.)
#[derive(Default)]
struct Vars {
    list: Vec<String>,
    seen: rustc_hash::FxHashSet<String>,
}

impl Vars {
    fn add(&mut self, c: &Cond) {
        let mut own = Vec::new();
        c.vars(&mut own);
        for v in own {
            if !self.seen.contains(&v) {
                self.seen.insert(v.clone());
                self.list.push(v);
            }
        }
    }
}

/// The variables of `conds`, each once, in the order first read.
fn vars_of<'c>(conds: impl Iterator<Item = &'c Cond>) -> Vec<String> {
    let mut vars = Vars::default();
    conds.for_each(|c| vars.add(c));
    vars.list
}

/// Looks up a guard variable's value in one assignment (borrowed from the
/// domains: deciding guards over every assignment must not copy a string
/// per variable read).
pub(crate) type Lookup<'a, 'd> = &'a dyn Fn(&str) -> Option<&'d str>;

/// Whether `for_each_assignment` goes on.
pub(crate) enum Flow {
    Continue,
    Stop,
}

/// Calls `f` with a lookup for every assignment of `domains` to `vars`,
/// until it answers `Flow::Stop`. Returns false, calling nothing, when there
/// are more than `MAX_COMBINATIONS` assignments.
pub(crate) fn for_each_assignment<'d, D: AsRef<[String]>>(
    vars: &[String],
    domains: &'d [D],
    f: &mut dyn FnMut(Lookup<'_, 'd>) -> Flow,
) -> bool {
    let total = domains.iter().try_fold(1usize, |acc, d| acc.checked_mul(d.as_ref().len().max(1)));
    match total {
        Some(n) if n <= MAX_COMBINATIONS => {}
        _ => return false,
    }
    let mut index = vec![0usize; vars.len()];
    loop {
        let lookup = |name: &str| {
            let i = vars.iter().position(|v| v == name)?;
            domains.get(i)?.as_ref().get(*index.get(i)?).map(String::as_str)
        };
        if let Flow::Stop = f(&lookup) {
            return true;
        }
        // advance the odometer
        let mut pos = 0;
        loop {
            let Some(slot) = index.get_mut(pos) else { return true };
            *slot += 1;
            if *slot < domains.get(pos).map_or(0, |d| d.as_ref().len()) {
                break;
            }
            *slot = 0;
            pos += 1;
        }
    }
}

/// Whether some assignment satisfies every one of `constraints`; `None`
/// when a variable has no known domain or there are too many to try.
pub(crate) fn jointly_satisfiable<'d>(
    constraints: &[&Cond],
    domain: &dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>,
) -> Option<bool> {
    let vars = vars_of(constraints.iter().copied());
    let domains: Vec<std::borrow::Cow<'d, [String]>> = vars.iter().map(|v| domain(v)).collect::<Option<_>>()?;
    any_assignment(&vars, &domains, &mut |lookup| constraints.iter().all(|c| c.holds(lookup)))
}
