//! A group's table seen through a few of its variables: what a guard that
//! reads those few needs of it. Enumerating every assignment of the group's
//! variables instead made a guard cost the size of its group, and a chain
//! of a thousand constraints over single-valued features cost a thousand
//! guards a thousand variables each.

use super::{Failing, Table};
use crate::assignments::Lookup;

/// For each assignment of the variables looked at (a "key"): whether some
/// assignment of the table's other variables completes it into one that
/// satisfies the group, and which constraints alone fail in some completion.
pub(crate) struct Projection<'t> {
    table: &'t Table,
    /// Each variable looked at that the table has: its place in the table
    /// and its stride in a key.
    places: Vec<(usize, usize)>,
    /// By key: some completion satisfies the group.
    allowed: Vec<bool>,
    /// By key: the constraints that alone fail in some completion (kept
    /// only when asked for), each once.
    alone: Vec<Vec<usize>>,
    /// How many completions each key has: the assignments of the table's
    /// variables not looked at.
    completions: usize,
}

impl Table {
    /// The table seen through `vars` (each once; those it does not have are
    /// ignored), with the constraints that alone fail by key when
    /// `with_alone`. Costs the table's rows times the variables looked at.
    pub(crate) fn projection(&self, vars: &[String], with_alone: bool) -> Projection<'_> {
        let mut places = Vec::new();
        // a key is a part of a row: there are no more keys than rows
        let mut keys = 1usize;
        for var in vars {
            if let Some(&place) = self.positions.get(var) {
                places.push((place, keys));
                keys = keys.saturating_mul(self.size(place));
            }
        }
        let rows = self.failing.len();
        let mut allowed = vec![false; keys];
        let mut alone: Vec<Vec<usize>> = if with_alone { vec![Vec::new(); keys] } else { Vec::new() };
        for (row, failing) in self.failing.iter().enumerate() {
            let key = self.key_of_row(&places, row);
            if *failing == Failing::NONE {
                if let Some(slot) = allowed.get_mut(key) {
                    *slot = true;
                }
            } else if let (Some(at), Some(list)) = (failing.single(), alone.get_mut(key))
                && !list.contains(&at)
            {
                list.push(at);
            }
        }
        Projection { table: self, places, allowed, alone, completions: rows / keys.max(1) }
    }

    /// How many values the variable at `place` takes in `failing`'s order.
    fn size(&self, place: usize) -> usize {
        self.domains.get(place).map_or(1, |d| d.len().max(1))
    }

    fn key_of_row(&self, places: &[(usize, usize)], row: usize) -> usize {
        places
            .iter()
            .map(|&(place, key_stride)| {
                let stride = self.strides.get(place).copied().unwrap_or(1).max(1);
                (row / stride % self.size(place)) * key_stride
            })
            .sum()
    }
}

impl Projection<'_> {
    /// The key of the assignment `lookup` gives the variables looked at;
    /// `None` where a value is not in its variable's domain here (no row
    /// agrees with it). A variable of no value has none in a lookup, as
    /// when the rows were made.
    fn key(&self, lookup: Lookup<'_, '_>) -> Option<usize> {
        let mut key = 0;
        for &(place, key_stride) in &self.places {
            let domain = self.table.domains.get(place)?;
            if domain.is_empty() {
                continue;
            }
            let value = lookup(self.table.vars.get(place)?)?;
            key += domain.iter().position(|d| d == value)? * key_stride;
        }
        Some(key)
    }

    /// Whether some completion of the assignment `lookup` gives satisfies
    /// the group.
    pub(crate) fn allows(&self, lookup: Lookup<'_, '_>) -> bool {
        self.key(lookup).and_then(|k| self.allowed.get(k).copied()).unwrap_or(false)
    }

    /// The constraints that alone fail in some completion of the assignment
    /// `lookup` gives (empty unless asked for).
    pub(crate) fn alone(&self, lookup: Lookup<'_, '_>) -> &[usize] {
        self.key(lookup).and_then(|k| self.alone.get(k)).map_or(&[], Vec::as_slice)
    }

    /// How many assignments of the table's variables complete each
    /// assignment of those looked at.
    pub(crate) fn completions(&self) -> usize {
        self.completions
    }
}
