//! The constraints split, once per file (or configuration), into groups
//! that share no variable. A guard, or an assignment of some features, is
//! decided over the groups its variables reach, each through a table of
//! its assignments; the other groups matter only through whether they can
//! all hold, which each knows of itself. Deciding costs the size of the
//! groups reached, not the file's constraints: a file of a thousand
//! unrelated groups, or of thousands of constraints over a few features,
//! made every guard and every item walk and evaluate all of them.

mod projection;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::MAX_COMBINATIONS;
use crate::assignments::{Flow, Lookup};
use crate::ir::{Cond, Grouping, Reach};

pub(crate) use projection::Projection;

type Domain<'d, 'a> = &'a dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>;

/// More branching variables than this have more than `MAX_COMBINATIONS`
/// assignments (each has two values or more).
pub(crate) const MOST_BRANCHING: usize = MAX_COMBINATIONS.ilog2() as usize;

/// What the groups a guard does not reach amount to together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outside {
    /// There are none.
    pub empty: bool,
    /// One reads a variable of no known domain.
    pub unknown: bool,
    /// Their assignments together; `None` past `MAX_COMBINATIONS`.
    pub assignments: Option<usize>,
    /// Every one of them is satisfied by some assignment.
    pub satisfiable: bool,
}

impl Outside {
    /// No constraint outside (a plain list of constraints is all there is).
    pub const NONE: Outside = Outside { empty: true, unknown: false, assignments: Some(1), satisfiable: true };
}

/// What one group amounts to over some domains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupFacts {
    /// A variable of no known domain.
    unknown: bool,
    /// How many assignments its variables have; `None` past `MAX_COMBINATIONS`.
    assignments: Option<usize>,
    /// Whether one satisfies it; `None` when they cannot be tried.
    satisfiable: Option<bool>,
    /// Its variables with two values or more.
    branching_vars: usize,
    /// Which assignments satisfy it, when they can be tried.
    table: Option<Table>,
}

impl GroupFacts {
    /// Over `vars` with their `domains` (`None` when one has no known
    /// domain), `failing` saying which constraints fail in each assignment
    /// (see `Failing`); with no table unless `tabled`.
    pub(crate) fn new(
        vars: Vec<String>,
        domains: Option<Vec<Vec<String>>>,
        tabled: bool,
        failing: &mut dyn FnMut(Lookup<'_, '_>) -> Failing,
    ) -> GroupFacts {
        let Some(domains) = domains else {
            return GroupFacts { unknown: true, assignments: None, satisfiable: None, branching_vars: 0, table: None };
        };
        let branching_vars = domains.iter().filter(|d| d.len() > 1).count();
        let assignments = domains
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(d.len().max(1)))
            .filter(|n| *n <= MAX_COMBINATIONS);
        // as `assignments::jointly_satisfiable` says it; without a table,
        // tried until an assignment satisfies it
        let (table, satisfiable) = if tabled {
            let table = assignments.and_then(|_| Table::new(vars, domains, failing));
            let satisfiable = table.as_ref().map(|t| t.failing.contains(&Failing::NONE));
            (table, satisfiable)
        } else {
            let mut found = false;
            let complete = crate::assignments::for_each_assignment(&vars, &domains, &mut |lookup| {
                found = failing(lookup) == Failing::NONE;
                if found { Flow::Stop } else { Flow::Continue }
            });
            (None, complete.then_some(found))
        };
        GroupFacts { unknown: false, assignments, satisfiable, branching_vars, table }
    }

    /// Its variables with two values or more.
    pub(crate) fn branching_vars(&self) -> usize {
        self.branching_vars
    }

    pub(crate) fn table(&self) -> Option<&Table> {
        self.table.as_ref()
    }
}

/// What every group amounts to, with totals, so that the groups outside a
/// reach are summed up by subtraction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    groups: Vec<GroupFacts>,
    /// How many groups read a variable of no known domain.
    unknown: usize,
    /// How many groups no assignment satisfies.
    unsatisfiable: usize,
    /// The groups with more than one assignment, in order: past
    /// `MOST_BRANCHING` of them the assignments are too many.
    branching: Vec<usize>,
}

impl Facts {
    pub(crate) fn new(groups: Vec<GroupFacts>) -> Facts {
        Facts {
            unknown: groups.iter().filter(|g| g.unknown).count(),
            unsatisfiable: groups.iter().filter(|g| g.satisfiable == Some(false)).count(),
            branching: groups.iter().enumerate().filter(|(_, g)| g.assignments != Some(1)).map(|(i, _)| i).collect(),
            groups,
        }
    }

    pub(crate) fn group(&self, group: usize) -> Option<&GroupFacts> {
        self.groups.get(group)
    }

    /// The table of each group reached; `None` when one has none (a
    /// variable of no known domain, or too many assignments).
    pub(crate) fn tables(&self, reach: &Reach) -> Option<Vec<&Table>> {
        reach.groups().into_iter().map(|g| self.groups.get(g)?.table.as_ref()).collect()
    }

    /// What the groups not reached amount to together.
    pub(crate) fn outside(&self, reach: &Reach) -> Outside {
        self.outside_of(reach.as_set())
    }

    /// Every group together.
    pub(crate) fn all(&self) -> Outside {
        self.outside_of(&FxHashSet::default())
    }

    fn outside_of(&self, reached: &FxHashSet<usize>) -> Outside {
        let count =
            |flag: fn(&GroupFacts) -> bool| reached.iter().filter(|&&g| self.groups.get(g).is_some_and(flag)).count();
        let unknown = self.unknown > count(|g| g.unknown);
        let satisfiable = self.unsatisfiable == count(|g| g.satisfiable == Some(false));
        // past `MOST_BRANCHING` branching groups outside, they are too many;
        // below that, the list holds at most that many more than `reached`
        let branching_outside = self.branching.len() - count(|g| g.assignments != Some(1));
        let assignments = if branching_outside > MOST_BRANCHING {
            None
        } else {
            self.branching
                .iter()
                .filter(|g| !reached.contains(g))
                .try_fold(1usize, |acc, &g| acc.checked_mul(self.groups.get(g)?.assignments?))
                .filter(|n| *n <= MAX_COMBINATIONS)
        };
        Outside { empty: reached.len() == self.groups.len(), unknown, assignments, satisfiable }
    }
}

/// The assignments of a group's variables, each marked with whether it
/// satisfies the group: a check looks its assignment up here instead of
/// evaluating every constraint of the group again (a group of thousands of
/// constraints over a few features made each guard cost thousands of
/// evaluations per assignment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Table {
    vars: Vec<String>,
    /// Each variable's place in `vars` (a group may read thousands).
    positions: FxHashMap<String, usize>,
    domains: Vec<Vec<String>>,
    /// How far apart in `failing` two assignments are that differ by one in
    /// each variable's value (what `failing` and `projection` compute
    /// indices with).
    strides: Vec<usize>,
    /// Which constraints fail, by assignment, the first variable varying fastest.
    failing: Vec<Failing>,
}

/// Which constraints of a group fail in an assignment: none (it satisfies
/// the group), exactly one (which one, when known: a guard's warning names
/// the constraints it is constant because of), or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failing(u32);

impl Failing {
    pub(crate) const NONE: Failing = Failing(0);
    pub(crate) const SEVERAL: Failing = Failing(u32::MAX);

    /// Exactly constraint `at` (its index in the constraints grouped).
    pub(crate) fn only(at: usize) -> Failing {
        u32::try_from(at)
            .ok()
            .and_then(|at| at.checked_add(1))
            .filter(|n| *n < u32::MAX)
            .map_or(Failing::SEVERAL, Failing)
    }

    /// Which constraints of `constraints` (each with its index) fail where
    /// `lookup` gives the values.
    pub(crate) fn of(constraints: &[(usize, &Cond)], lookup: Lookup<'_, '_>) -> Failing {
        let mut failing = constraints.iter().filter(|(_, c)| !c.holds(lookup));
        match (failing.next(), failing.next()) {
            (None, _) => Failing::NONE,
            (Some((at, _)), None) => Failing::only(*at),
            _ => Failing::SEVERAL,
        }
    }

    /// The constraint that alone fails, if one does.
    pub(crate) fn single(self) -> Option<usize> {
        (self != Failing::NONE && self != Failing::SEVERAL).then(|| self.0 as usize - 1)
    }
}

impl Table {
    fn new(
        vars: Vec<String>,
        domains: Vec<Vec<String>>,
        failing: &mut dyn FnMut(Lookup<'_, '_>) -> Failing,
    ) -> Option<Table> {
        let mut rows = Vec::new();
        let complete = crate::assignments::for_each_assignment(&vars, &domains, &mut |lookup| {
            rows.push(failing(lookup));
            Flow::Continue
        });
        let positions = vars.iter().enumerate().map(|(at, v)| (v.clone(), at)).collect();
        let strides = domains
            .iter()
            .scan(1usize, |stride, domain| {
                let this = *stride;
                *stride = stride.saturating_mul(domain.len().max(1));
                Some(this)
            })
            .collect();
        complete.then_some(Table { vars, positions, domains, strides, failing: rows })
    }

    /// The values `var` ranges over here.
    pub(crate) fn domain(&self, var: &str) -> Option<&[String]> {
        self.domains.get(*self.positions.get(var)?).map(Vec::as_slice)
    }
}

/// The named constraints of a file grouped over the symbol table's domains:
/// what deciding a guard reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConstraintGroups {
    grouping: Grouping,
    facts: Facts,
    /// The groups again with each param ranging over absence (`""`), the
    /// values its group compares it with and one unlike them, as an
    /// optional param's use tries them (`Checker::require_present`); made
    /// only when a group reads a variable the symbol table gives no domain.
    with_params: Option<Facts>,
}

impl ConstraintGroups {
    /// Groups `constraints` (in the order of `Symbols::named_constraints`)
    /// over `domain`.
    pub fn build<'d>(constraints: &[&Cond], domain: Domain<'d, '_>) -> Self {
        let grouping = Grouping::build(constraints.iter().copied());
        let domains: Vec<Option<Vec<Vec<String>>>> = (0..grouping.len())
            .map(|g| grouping.vars(g).iter().map(|v| domain(v).map(std::borrow::Cow::into_owned)).collect())
            .collect();
        let tabled = worth_tables(domains.iter().map(Option::as_deref));
        let groups = (0..grouping.len())
            .zip(domains)
            .map(|(g, domains)| {
                let own = own_constraints(&grouping, constraints, g);
                GroupFacts::new(grouping.vars(g).to_vec(), domains, tabled, &mut |lookup| Failing::of(&own, lookup))
            })
            .collect();
        ConstraintGroups { grouping, facts: Facts::new(groups), with_params: None }
    }

    /// Adds what each group amounts to with its params (`is_param`) ranging
    /// over `""`, the values the group compares them with and
    /// `\u{0}other`, when some group reads a variable of no known domain.
    /// A param a group reads is read by no other group, so those values are
    /// all the file's constraints compare it with.
    pub fn with_param_facts<'d>(
        mut self,
        constraints: &[&Cond],
        domain: Domain<'d, '_>,
        is_param: &dyn Fn(&str) -> bool,
    ) -> Self {
        if self.facts.unknown == 0 {
            return self;
        }
        let groups = (0..self.grouping.len())
            .map(|g| {
                let own = own_constraints(&self.grouping, constraints, g);
                let domains: Option<Vec<Vec<String>>> = self
                    .grouping
                    .vars(g)
                    .iter()
                    .map(|v| {
                        domain(v)
                            .map(std::borrow::Cow::into_owned)
                            .or_else(|| is_param(v).then(|| crate::ir::values_tried(own.iter().map(|(_, c)| *c), v)))
                    })
                    .collect();
                GroupFacts::new(self.grouping.vars(g).to_vec(), domains, false, &mut |lookup| Failing::of(&own, lookup))
            })
            .collect();
        self.with_params = Some(Facts::new(groups));
        self
    }

    /// What the groups not reached amount to with params ranging as
    /// `with_param_facts` says; `None` when no group needed it.
    pub(crate) fn outside_with_params(&self, reach: &Reach) -> Option<Outside> {
        self.with_params.as_ref().map(|facts| facts.outside(reach))
    }

    /// The groups that `vars` reach.
    pub(crate) fn reach(&self, vars: &[String]) -> Reach {
        self.grouping.reach(vars.iter().map(String::as_str))
    }

    /// The constraints of the groups reached (indices, in order).
    pub(crate) fn constraints(&self, reach: &Reach) -> Vec<usize> {
        self.grouping.constraints(reach)
    }

    /// See `Facts::tables`: `None` when no guard reaching them can be
    /// decided. Each table comes with the variables of `vars` (those
    /// `reach` was made from) that it reads, so that a guard over thousands
    /// of groups does not look each of its variables up in every table.
    pub(crate) fn tables(&self, reach: &Reach, vars: &[String]) -> Option<Vec<(&Table, Vec<String>)>> {
        let mut by_group: FxHashMap<usize, Vec<String>> = FxHashMap::default();
        for v in vars {
            if let Some(g) = self.grouping.group_of_var(v) {
                by_group.entry(g).or_default().push(v.clone());
            }
        }
        let tables = self.facts.tables(reach)?;
        Some(
            reach.groups().into_iter().zip(tables).map(|(g, t)| (t, by_group.remove(&g).unwrap_or_default())).collect(),
        )
    }

    pub(crate) fn outside(&self, reach: &Reach) -> Outside {
        self.facts.outside(reach)
    }

    /// The constraints of the groups that `vars` reach (indices, in order),
    /// and what the other groups amount to.
    #[cfg(test)]
    pub(crate) fn split(&self, vars: &[String]) -> (Vec<usize>, Outside) {
        let reach = self.reach(vars);
        (self.constraints(&reach), self.outside(&reach))
    }

    /// Every group together (what `split` leaves outside a guard that reaches none).
    pub(crate) fn all(&self) -> Outside {
        self.facts.all()
    }
}

/// Group `g`'s constraints, each with its index in `constraints`.
fn own_constraints<'c>(grouping: &Grouping, constraints: &[&'c Cond], g: usize) -> Vec<(usize, &'c Cond)> {
    grouping.members(g).iter().filter_map(|&at| Some((at, *constraints.get(at)?))).collect()
}

/// Whether the groups of these domains (`None`: a variable of no known
/// domain) are worth a table each. Past twice `MOST_BRANCHING` groups of
/// more than one assignment, no guard can be decided over them: those it
/// reaches, or those it leaves outside, have more than `MAX_COMBINATIONS`
/// assignments together (and an assignment of fixed features falls back
/// to evaluating the groups it reaches). 2,000 groups of 4,096 assignments
/// each took 0.7 s and 70 MB for nothing.
pub(crate) fn worth_tables<'a>(groups: impl Iterator<Item = Option<&'a [Vec<String>]>>) -> bool {
    groups.filter(|d| d.is_none_or(|d| d.iter().any(|values| values.len() > 1))).count() <= 2 * MOST_BRANCHING
}

/// Whether `local` (constraints that share no variable with those
/// `outside` sums up) and the outside ones hold together in some
/// assignment, as `assignments::jointly_satisfiable` over all of them says
/// it: false when a variable has no known domain or they have more than
/// `MAX_COMBINATIONS` assignments together.
pub(crate) fn hold_together<'d>(local: &[&Cond], outside: &Outside, domain: Domain<'d, '_>) -> bool {
    if outside.unknown {
        return false;
    }
    let Some(outside_assignments) = outside.assignments else { return false };
    // each once, found by hash (a list searched for each variable made
    // thousands of constraints cost millions of comparisons per guard)
    let vars = crate::assignments::vars_of(local.iter().copied());
    let Some(domains) = vars.iter().map(|v| domain(v)).collect::<Option<Vec<_>>>() else { return false };
    let together = domains.iter().try_fold(outside_assignments, |acc, d| acc.checked_mul(d.len().max(1)));
    if together.is_none_or(|n| n > MAX_COMBINATIONS) {
        return false;
    }
    outside.satisfiable && crate::assignments::jointly_satisfiable(local, domain) == Some(true)
}

#[cfg(test)]
mod tests;
