//! Whether the constraints allow an assignment of some features, decided
//! group by group (see `constraint_groups`) under one configuration's pins
//! and params. What each group amounts to there is made once per
//! configuration (`constraint_facts`); an item's assignment then costs the
//! groups its features reach. Before, every item evaluated every constraint
//! of the file for each assignment it asked about (items × constraints).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::MAX_COMBINATIONS;
use crate::assignments::Lookup;
use crate::constraint_groups::{Facts, Failing, GroupFacts, MOST_BRANCHING, Table};
use crate::ir::{Cond, ItemIr, ParamValue, Program};

/// What a program's constraints amount to under one configuration's pins
/// and params, group by group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConstraintFacts(Facts);

/// The constraints' facts under `pins` and `params` (every other variable
/// free): O(constraints × the assignments of each group), once per
/// configuration.
pub fn constraint_facts(
    program: &Program,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
) -> ConstraintFacts {
    let grouping = program.constraint_grouping();
    let no_fixed = BTreeMap::new();
    // each group: its constraints, free variables and their domains
    type Free<'p> = (Vec<&'p Cond>, Vec<String>, Vec<Vec<String>>);
    let free: Vec<Free<'_>> = (0..grouping.len())
        .map(|g| {
            let own = group_constraints(program, g);
            let (free, domains) = free_vars(program, grouping.vars(g), &no_fixed, pins, params, &own);
            (own, free, domains)
        })
        .collect();
    let tabled = crate::constraint_groups::worth_tables(free.iter().map(|(_, _, d)| Some(d.as_slice())));
    let groups = free
        .into_iter()
        .map(|(own, free, domains)| {
            GroupFacts::new(free, Some(domains), tabled, &mut |lookup| {
                if holds_all(&own, &no_fixed, params, lookup) { Failing::NONE } else { Failing::SEVERAL }
            })
        })
        .collect();
    ConstraintFacts(Facts::new(groups))
}

/// `variants::satisfiable` (the features in `fixed` fixed) from `facts`,
/// made under the same `pins` and `params`: the same answer, `None` when
/// there are too many assignments to try.
pub(crate) fn satisfiable_in(
    program: &Program,
    fixed: &BTreeMap<String, String>,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
    facts: &ConstraintFacts,
) -> Option<bool> {
    let grouping = program.constraint_grouping();
    let reach = grouping.reach(fixed.keys().map(String::as_str));
    let outside = facts.0.outside(&reach);
    let mut total = outside.assignments?;
    let mut satisfiable = outside.satisfiable;
    // the fixed variables of each group, once (asked of every fixed
    // variable for each group, thousands of groups cost their square)
    let mut fixed_in: FxHashMap<usize, Vec<String>> = FxHashMap::default();
    for var in fixed.keys() {
        if let Some(g) = grouping.group_of_var(var) {
            fixed_in.entry(g).or_default().push(var.clone());
        }
    }
    for g in reach.groups() {
        let group = facts.0.group(g)?;
        let fixed_here = fixed_in.get(&g).map(Vec::as_slice).unwrap_or_default();
        // fixing a variable takes at most one branching variable away: past
        // the limit even so, there are too many (a chain of thousands of
        // constraints is not walked for each item)
        if group.branching_vars() > MOST_BRANCHING + fixed_here.len() {
            return None;
        }
        let (assignments, allowed) = match group.table().and_then(|t| from_table(t, fixed_here, fixed)) {
            Some(decided) => decided,
            None => evaluated(program, g, fixed, pins, params)?,
        };
        total = total.checked_mul(assignments).filter(|n| *n <= MAX_COMBINATIONS)?;
        satisfiable &= allowed;
    }
    Some(satisfiable)
}

/// The group's assignments with `fixed` fixed (`fixed_here` are the
/// group's own), and whether one satisfies it, read from its table; `None`
/// when the table cannot say (a fixed variable of the group that is not
/// free in it, or a value outside its domain there). Costs the table's rows times the fixed variables, not
/// the group's variables (a chain of thousands of single-valued features
/// made every item walk all of them).
fn from_table(table: &Table, fixed_here: &[String], fixed: &BTreeMap<String, String>) -> Option<(usize, bool)> {
    for var in fixed_here {
        if !table.domain(var)?.contains(fixed.get(var)?) {
            return None;
        }
    }
    let projection = table.projection(fixed_here, false);
    let allowed = projection.allows(&|v| fixed.get(v).map(String::as_str));
    Some((projection.completions(), allowed))
}

/// The group's assignments with `fixed` fixed, and whether one satisfies
/// it, by evaluating its constraints; `None` past `MAX_COMBINATIONS`.
fn evaluated(
    program: &Program,
    group: usize,
    fixed: &BTreeMap<String, String>,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
) -> Option<(usize, bool)> {
    let own = group_constraints(program, group);
    let (free, domains) = free_vars(program, program.constraint_grouping().vars(group), fixed, pins, params, &own);
    let assignments = domains.iter().try_fold(1usize, |acc, d| acc.checked_mul(d.len().max(1)))?;
    let mut found = false;
    let complete = crate::assignments::for_each_assignment(&free, &domains, &mut |lookup| {
        found = holds_all(&own, fixed, params, lookup);
        if found { crate::assignments::Flow::Stop } else { crate::assignments::Flow::Continue }
    });
    complete.then_some((assignments, found))
}

fn group_constraints(program: &Program, group: usize) -> Vec<&Cond> {
    program.constraint_grouping().members(group).iter().filter_map(|&at| program.constraint(at)).collect()
}

/// The domain of each feature, restricted to its pinned value if any.
pub(crate) fn domain<'a>(program: &'a Program, feature: &str, pins: &'a BTreeMap<String, String>) -> Vec<String> {
    if let Some(v) = pins.get(feature) {
        return vec![v.clone()];
    }
    program.feature(feature).map(|f| f.domain.clone()).unwrap_or_default()
}

/// Of `vars` (those `constraints` read), the free ones and their domains:
/// features not fixed, and params without a value (a `partition` ranges
/// over the partitions; another param over the values `constraints`
/// compare it with, and one value none of them is).
pub(crate) fn free_vars(
    program: &Program,
    vars: &[String],
    fixed: &BTreeMap<String, String>,
    pins: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
    constraints: &[&Cond],
) -> (Vec<String>, Vec<Vec<String>>) {
    let is_param = |v: &str| matches!(program.get(v).map(|i| &*i.ir), Some(ItemIr::Param(p)) if !p.ty.list);
    let free: Vec<String> = vars
        .iter()
        .filter(|v| {
            !fixed.contains_key(*v) && (program.feature(v).is_some() || is_param(v) && !params.contains_key(*v))
        })
        .cloned()
        .collect();
    let domains = free
        .iter()
        .map(|v| {
            if program.is_partition_param(v) {
                crate::iam::PARTITIONS.iter().map(|p| p.to_string()).collect()
            } else if is_param(v) {
                let mut values = Vec::new();
                crate::ir::compared_values_in(constraints.iter().copied(), v, &mut values);
                values.push(crate::ir::OTHER_VALUE.to_string());
                values
            } else {
                domain(program, v, pins)
            }
        })
        .collect();
    (free, domains)
}

/// Whether every one of `constraints` holds where the free variables take
/// their values from `lookup`, the others from `fixed` or `params`.
pub(crate) fn holds_all(
    constraints: &[&Cond],
    fixed: &BTreeMap<String, String>,
    params: &BTreeMap<String, ParamValue>,
    lookup: Lookup<'_, '_>,
) -> bool {
    let get = |v: &str| {
        fixed.get(v).map(String::as_str).or_else(|| lookup(v)).or_else(|| match params.get(v) {
            Some(ParamValue::One(x)) => Some(x.as_str()),
            _ => None,
        })
    };
    constraints.iter().all(|c| c.holds(&get))
}
