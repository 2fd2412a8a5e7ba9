//! Which configurations an item is rendered for: the features it depends on
//! (directly, through includes, actionsets and inline policies), enumerated
//! over their domains, pinned values fixed, constraint violations dropped.

use std::collections::BTreeMap;

use crate::ir::*;

use crate::assignments::{Flow, Vars, any_assignment, for_each_assignment, vars_of};
pub use crate::config_constraints::{ConstraintFacts, constraint_facts};
use crate::config_constraints::{domain, free_vars, holds_all, satisfiable_in};

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
    Walker::new(program, vec![item], false).finish()
}

/// [`guard_vars`], and every guard it walks, in the order met (repeats
/// included), in one walk.
pub fn guard_vars_and_conds<'p>(program: &'p Program, item: &'p str) -> (Vec<String>, Vec<&'p Cond>) {
    let mut walker = Walker::new(program, vec![item], false);
    walker.conds = Some(Vec::new());
    walker.walk_todo();
    let conds = walker.conds.take().unwrap_or_default();
    (walker.vars.into_list(), conds)
}

/// The variables a role's own rendering without its inline policies
/// (`expand::expand_role_shallow`) reads, but for the guards of the
/// policies it attaches whole (not splittable): of those it reads only
/// whether each holds (`attached_guards`), which many assignments of
/// their features share (`user_role` of `policies.pcl`: 20 assignments,
/// 12 distinct renderings).
pub fn role_own_vars(program: &Program, role: &str) -> Vec<String> {
    Walker::new(program, vec![role], true).finish()
}

/// The guards of the policies `role` attaches whole (not splittable), in
/// order: with `role_own_vars`, all its shallow rendering reads of the
/// features.
pub fn attached_guards<'p>(program: &'p Program, role: &ItemIr) -> Vec<&'p Guard> {
    let ItemIr::Role { role, .. } = role else { return Vec::new() };
    let whole = |name: &str| match program.get(name).map(|i| &*i.ir) {
        Some(ItemIr::Policy { when, splittable: false, .. }) => Some(when),
        _ => None,
    };
    role.attach.iter().filter_map(|a| whole(&a.policy)).collect()
}

/// Every variable (feature or param) read by a guard of a statement or of
/// what it uses, with the blocks around it: the guards of the statement, of
/// its lists and conditions, of the blocks' values, and of the sets they
/// use. Not the params its texts interpolate: two renderings under the same
/// params whose values agree on these variables are equal.
pub fn statement_vars(program: &Program, statement: &Statement, blocks: &[&ConditionEntry]) -> Vec<String> {
    Walker::of_statement(program, statement, blocks).finish()
}

/// Of a rendering's variables, those an assignment gives (features, not
/// params): under one configuration a param's value is fixed, so a key of
/// renderings by every variable's value compared each param's absence from
/// the assignment at every lookup (40 params in one guard, 4,096
/// assignments: 20 s of `BTreeMap` lookups).
pub fn assigned_vars(program: &Program, mut vars: Vec<String>) -> Vec<String> {
    vars.retain(|v| program.param(v).is_none());
    vars
}

/// [`statement_vars`], and the names of the items the statement reads (the
/// sets and valuesets its lists and the blocks' values use, transitively),
/// whether the program holds them or not: a rendering of the statement is a
/// function of the statement, the blocks, those items, the params and the
/// values of those variables.
pub fn statement_reads<'p>(
    program: &'p Program,
    statement: &'p Statement,
    blocks: &[&'p ConditionEntry],
) -> (Vec<String>, Vec<&'p str>) {
    let mut walker = Walker::of_statement(program, statement, blocks);
    walker.walk_todo();
    (walker.vars.into_list(), walker.visited.into_iter().collect())
}

/// Collects the guard variables reachable from an item.
struct Walker<'p> {
    program: &'p Program,
    vars: Vars,
    /// Items already walked: each is walked once, so cycles terminate (a
    /// set: a policy that includes thousands of sets searched a list). Names
    /// borrowed from the program: a walk after an edit allocated one per item.
    visited: rustc_hash::FxHashSet<&'p str>,
    /// Items referenced but not walked yet.
    todo: Vec<&'p str>,
    /// For a role's own rendering (`role_own_vars`): the guards of the
    /// policies it attaches whole, and its inline policies, left out.
    presence_only: bool,
    /// The guards met, when asked for (`guard_vars_and_conds`).
    conds: Option<Vec<&'p Cond>>,
}

impl<'p> Walker<'p> {
    /// A walker with `todo` to walk, nothing walked yet.
    fn new(program: &'p Program, todo: Vec<&'p str>, presence_only: bool) -> Walker<'p> {
        Walker { program, vars: Vars::default(), visited: Default::default(), todo, presence_only, conds: None }
    }

    /// A walker that has walked a statement and the values of the blocks
    /// around it, not yet the items they reference.
    fn of_statement(program: &'p Program, statement: &'p Statement, blocks: &[&'p ConditionEntry]) -> Walker<'p> {
        let mut walker = Walker::new(program, Vec::new(), false);
        walker.statement(statement);
        for block in blocks {
            walker.values(&block.values);
        }
        walker
    }

    /// Walks the items referenced and not walked yet; the variables met.
    fn finish(mut self) -> Vec<String> {
        self.walk_todo();
        self.vars.into_list()
    }

    /// Walks the items referenced and not walked yet. A worklist, not
    /// recursion: chains of sets are only as deep as the file is long, and
    /// each item is walked once.
    fn walk_todo(&mut self) {
        while let Some(next) = self.todo.pop() {
            self.item(next);
        }
    }

    fn cond(&mut self, c: &'p Guard) {
        if let Some(c) = c {
            self.vars.add(c);
            if let Some(conds) = &mut self.conds {
                conds.push(c);
            }
        }
    }

    fn item(&mut self, name: &'p str) {
        if !self.visited.insert(name) {
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
                for c in role.trust_conditions.iter().flat_map(|(_, conditions)| conditions) {
                    self.cond(&c.when);
                    self.values(&c.values);
                }
                for (_, list) in &role.trust_actions {
                    self.actions(list);
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
                        if *splittable || !self.presence_only {
                            self.cond(when);
                        }
                        if *splittable {
                            self.todo.push(&a.policy);
                        }
                    }
                }
                if !self.presence_only {
                    for i in &role.inline {
                        self.cond(&i.when);
                        self.todo.push(&i.policy);
                    }
                }
                if let Some(b) = &role.boundary {
                    self.cond(&b.when);
                    if let Value::Set(set) = &b.value {
                        self.todo.push(set);
                    }
                }
            }
            ItemIr::Param(_) | ItemIr::Feature(_) | ItemIr::Constraint { .. } | ItemIr::Derived(_) => {}
        }
    }

    fn actions(&mut self, list: &'p GList<ActionRef>) {
        for i in &list.items {
            self.cond(&i.when);
            if let ActionRef::Set(s) = &i.value {
                self.todo.push(s);
            }
        }
    }

    fn values(&mut self, list: &'p GList<Value>) {
        for i in &list.items {
            self.cond(&i.when);
            if let Value::Set(s) = &i.value {
                self.todo.push(s);
            }
        }
    }

    fn statement(&mut self, s: &'p Statement) {
        self.cond(&s.when);
        self.actions(&s.actions);
        self.values(&s.resources);
        for c in &s.conditions {
            self.cond(&c.when);
            self.values(&c.values);
        }
    }

    fn entries(&mut self, entries: &'p [Entry]) {
        for e in entries {
            match e {
                Entry::Include { target, when, .. } => {
                    self.cond(when);
                    self.todo.push(target);
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
    let (free, domains) = free_vars(program, &vars_of(constraints.iter().copied()), fixed, pins, params, &constraints);
    any_assignment(&free, &domains, &mut |lookup| holds_all(&constraints, fixed, params, lookup))
}

/// Every assignment of `deps` (pinned ones fixed) that the constraints
/// allow; `None` when there are more than `MAX_COMBINATIONS` to enumerate.
pub fn configurations(
    program: &Program,
    deps: &[String],
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
) -> Option<Vec<BTreeMap<String, String>>> {
    configurations_in(program, deps, pins, params, &constraint_facts(program, pins, params))
}

/// [`configurations`] with the constraints' `facts` under these pins and
/// params made once (by [`constraint_facts`]) for every item: deciding an
/// assignment then costs the constraints it reaches, not the file's.
pub fn configurations_in(
    program: &Program,
    deps: &[String],
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
    facts: &ConstraintFacts,
) -> Option<Vec<BTreeMap<String, String>>> {
    let domains: Vec<Vec<String>> = deps.iter().map(|d| domain(program, d, pins)).collect();
    // Only the dependencies that constraints mention decide satisfiability:
    // decide it once per combination of those, not once per assignment.
    let grouping = program.constraint_grouping();
    let mut decided: BTreeMap<Vec<(String, String)>, bool> = BTreeMap::new();
    let mut out = Vec::new();
    let complete = for_each_assignment(deps, &domains, &mut |lookup| {
        let assignment: BTreeMap<String, String> =
            deps.iter().filter_map(|d| lookup(d).map(|v| (d.clone(), v.to_string()))).collect();
        let key: Vec<(String, String)> = assignment
            .iter()
            .filter(|(k, _)| grouping.is_constrained(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let allowed = *decided.entry(key).or_insert_with_key(|key| {
            let fixed: BTreeMap<String, String> = key.iter().cloned().collect();
            satisfiable_in(program, &fixed, pins, params, facts) != Some(false)
        });
        if allowed {
            out.push(assignment);
        }
        Flow::Continue
    });
    complete.then_some(out)
}
