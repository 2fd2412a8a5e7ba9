//! Conditions grouped by the variables they share (union-find over the
//! variables each reads): what deciding constraints group by group starts
//! from. Nothing about domains; `constraint_groups` adds those.

use rustc_hash::{FxHashMap, FxHashSet};

use super::Cond;

/// Constraints grouped by the variables they share; nothing about domains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grouping {
    /// The constraints reading each variable (indices in the order given).
    of_var: FxHashMap<String, Vec<usize>>,
    /// The group of each constraint.
    group_of: Vec<usize>,
    /// Each group's constraints, in order.
    members: Vec<Vec<usize>>,
    /// Each group's variables, in the order its constraints first read them.
    vars: Vec<Vec<String>>,
}

impl Grouping {
    /// Groups `constraints` by shared variables, numbered in the order of
    /// their first constraint.
    pub fn build<'c>(constraints: impl IntoIterator<Item = &'c Cond>) -> Grouping {
        let own: Vec<Vec<String>> = constraints
            .into_iter()
            .map(|c| {
                let mut v = Vec::new();
                c.vars(&mut v);
                v
            })
            .collect();
        let mut of_var: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (at, vars) in own.iter().enumerate() {
            for v in vars {
                of_var.entry(v.clone()).or_default().push(at);
            }
        }
        let mut parent: Vec<usize> = (0..own.len()).collect();
        for readers in of_var.values() {
            if let Some((&first, rest)) = readers.split_first() {
                for &other in rest {
                    union(&mut parent, first, other);
                }
            }
        }
        let mut number: FxHashMap<usize, usize> = FxHashMap::default();
        let mut group_of = Vec::with_capacity(own.len());
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut vars: Vec<(Vec<String>, FxHashSet<String>)> = Vec::new();
        for (at, own_vars) in own.into_iter().enumerate() {
            let root = find(&mut parent, at);
            let next = members.len();
            let g = *number.entry(root).or_insert(next);
            if g == next {
                members.push(Vec::new());
                vars.push(Default::default());
            }
            if let (Some(m), Some((list, seen))) = (members.get_mut(g), vars.get_mut(g)) {
                m.push(at);
                for v in own_vars {
                    if seen.insert(v.clone()) {
                        list.push(v);
                    }
                }
            }
            group_of.push(g);
        }
        Grouping { of_var, group_of, members, vars: vars.into_iter().map(|(list, _)| list).collect() }
    }

    /// Whether a constraint reads `var`.
    pub fn is_constrained(&self, var: &str) -> bool {
        self.of_var.contains_key(var)
    }

    /// How many groups there are.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The group whose constraints read `var`.
    pub(crate) fn group_of_var(&self, var: &str) -> Option<usize> {
        self.group_of.get(*self.of_var.get(var)?.first()?).copied()
    }

    /// The groups that `vars` reach.
    pub(crate) fn reach<'v>(&self, vars: impl IntoIterator<Item = &'v str>) -> Reach {
        Reach { groups: vars.into_iter().filter_map(|v| self.group_of_var(v)).collect() }
    }

    /// The constraints of the groups reached (indices, in order).
    pub(crate) fn constraints(&self, reach: &Reach) -> Vec<usize> {
        let mut local: Vec<usize> =
            reach.groups.iter().filter_map(|&g| self.members.get(g)).flatten().copied().collect();
        local.sort_unstable();
        local
    }

    /// A group's constraints (indices, in order).
    pub(crate) fn members(&self, group: usize) -> &[usize] {
        self.members.get(group).map(Vec::as_slice).unwrap_or_default()
    }

    /// A group's variables.
    pub(crate) fn vars(&self, group: usize) -> &[String] {
        self.vars.get(group).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The groups of constraints some variables reach (see `Grouping::reach`).
pub(crate) struct Reach {
    groups: FxHashSet<usize>,
}

impl Reach {
    /// The groups reached.
    pub(crate) fn as_set(&self) -> &FxHashSet<usize> {
        &self.groups
    }

    /// The groups reached, in order.
    pub(crate) fn groups(&self) -> Vec<usize> {
        let mut groups: Vec<usize> = self.groups.iter().copied().collect();
        groups.sort_unstable();
        groups
    }
}

fn find(parent: &mut [usize], mut at: usize) -> usize {
    // iterative, with path halving: chains of constraints may be long
    while let Some(&up) = parent.get(at) {
        if up == at {
            break;
        }
        let grand = parent.get(up).copied().unwrap_or(up);
        if let Some(slot) = parent.get_mut(at) {
            *slot = grand;
        }
        at = grand;
    }
    at
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb
        && let Some(slot) = parent.get_mut(ra.max(rb))
    {
        *slot = ra.min(rb);
    }
}
