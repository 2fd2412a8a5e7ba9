//! The names a "did you mean" weighs. Weighing every name of a file for
//! every unknown one costs O(errors × names): a file with an error per
//! thousand items checked in 1.8x the time of a clean one at 100 MB. A typo
//! keeps either the start or the end of a name, so among many names only
//! those next to it in sorted order, or next to it when names are read
//! backwards, are weighed.

use std::collections::BTreeSet;
use std::ops::Bound;

/// Names on each side of a name's place in either order.
const WINDOW: usize = 64;

/// Up to this many names, all of them are weighed (the result is then
/// exactly the best match among all names).
const WEIGH_ALL_UP_TO: usize = 4 * WINDOW;

/// Names read backwards, sorted: the second order in which neighbours are
/// looked for (the first is the names' own sorted order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Backwards(Vec<String>);

impl Backwards {
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut reversed: Vec<String> = names.into_iter().map(reversed).collect();
        reversed.sort_unstable();
        reversed.dedup();
        Backwards(reversed)
    }
}

/// A value derived from the names, made on first use: most files need no
/// suggestion, and sorting every name (forwards for `LazySorted`, backwards
/// for `LazyBackwards`) on each edit would cost a re-analysis as much as
/// building the symbol table. Derived from the names alone, so it takes no
/// part in comparing two symbol tables (always equal).
#[derive(Clone, Debug, Default)]
pub(crate) struct Lazy<T>(std::sync::OnceLock<T>);

impl<T> Lazy<T> {
    fn get_or_init(&self, make: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(make)
    }
}

impl<T> PartialEq for Lazy<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Lazy<T> {}

/// The names backwards, sorted, made on first use.
pub(crate) type LazyBackwards = Lazy<Backwards>;

impl LazyBackwards {
    pub(crate) fn get<'a>(&self, names: impl FnOnce() -> Vec<&'a str>) -> &Backwards {
        self.get_or_init(|| Backwards::new(names()))
    }
}

/// The names in sorted order, made on first use (the symbol table looks
/// names up by hash).
pub(crate) type LazySorted = Lazy<BTreeSet<String>>;

impl LazySorted {
    pub(crate) fn get<'a>(&self, names: impl FnOnce() -> Vec<&'a str>) -> &BTreeSet<String> {
        self.get_or_init(|| names().into_iter().map(String::from).collect())
    }
}

fn reversed(name: &str) -> String {
    name.chars().rev().collect()
}

/// Names looked at on each side before giving up on finding `WINDOW` of
/// the wanted kind (names of other kinds may sit in between).
const SCAN: usize = 16 * WINDOW;

/// The names of `sorted` that `accept` takes worth weighing as
/// suggestions for `name`: every accepted one when there are few names,
/// else up to `WINDOW` accepted neighbours of `name` on each side in sorted
/// order and in `backwards` order (looking at no more than `SCAN` names on
/// each side).
pub(crate) fn candidates<'a>(
    name: &str,
    sorted: &'a BTreeSet<String>,
    backwards: &Backwards,
    accept: impl Fn(&str) -> bool,
) -> Vec<&'a str> {
    if sorted.len() <= WEIGH_ALL_UP_TO {
        return sorted.iter().map(String::as_str).filter(|k| accept(k)).collect();
    }
    let mut out: Vec<&str> = Vec::with_capacity(4 * WINDOW);
    let before = (Bound::Unbounded, Bound::Excluded(name));
    let after = (Bound::Included(name), Bound::Unbounded);
    let wanted = |k: &'a String| accept(k).then_some(k.as_str());
    out.extend(sorted.range::<str, _>(before).rev().take(SCAN).filter_map(wanted).take(WINDOW));
    out.extend(sorted.range::<str, _>(after).take(SCAN).filter_map(wanted).take(WINDOW));
    let back = reversed(name);
    let at = backwards.0.partition_point(|r| r.as_str() < back.as_str());
    let in_file = |r: &String| sorted.get(reversed(r).as_str()).and_then(wanted);
    let (lower, upper) = backwards.0.split_at(at.min(backwards.0.len()));
    out.extend(lower.iter().rev().take(SCAN).filter_map(in_file).take(WINDOW));
    out.extend(upper.iter().take(SCAN).filter_map(in_file).take(WINDOW));
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> BTreeSet<String> {
        (0..n).map(|i| format!("policy_{i:05}")).collect()
    }

    #[test]
    fn few_names_are_all_weighed() {
        let map = names(10);
        let back = Backwards::new(map.iter().map(String::as_str));
        assert_eq!(candidates("polcy_00003", &map, &back, |_| true).len(), 10);
    }

    #[test]
    fn among_many_names_a_typo_at_either_end_still_finds_its_name() {
        let map = names(10_000);
        let back = Backwards::new(map.iter().map(String::as_str));
        // a typo near the end: the start sorts it next to its name
        let near_end = candidates("policy_04321x", &map, &back, |_| true);
        assert!(near_end.contains(&"policy_04321"), "{near_end:?}");
        // a typo at the start: read backwards, it sorts next to its name
        let near_start = candidates("qolicy_04321", &map, &back, |_| true);
        assert!(near_start.contains(&"policy_04321"), "{near_start:?}");
        assert!(near_start.len() <= 4 * WINDOW);
    }

    #[test]
    fn names_of_other_kinds_in_between_do_not_hide_the_wanted_one() {
        // 10,000 policies, and one feature whose name sorts among them
        let mut map: BTreeSet<String> = (0..10_000).map(|i| format!("pro_{i:05}")).collect();
        map.insert("prod".into());
        let back = Backwards::new(map.iter().map(String::as_str));
        assert_eq!(candidates("prdo", &map, &back, |name| name == "prod"), ["prod"]);
    }
}
