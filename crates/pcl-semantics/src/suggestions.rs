//! The names a "did you mean" weighs. Weighing every name of a file for
//! every unknown one costs O(errors × names): a file with an error per
//! thousand items checked in 1.8x the time of a clean one at 100 MB. A typo
//! keeps either the start or the end of a name, so among many names only
//! those next to it in sorted order, or next to it when names are read
//! backwards, are weighed.
//!
//! The names are indexed per class (the params, the features, ...; see
//! `SuggestFrom`): one index over all names, filtered by kind at each
//! lookup, walked past up to a thousand names of other kinds for every
//! unknown feature of a file that has none (2.4M instructions each; 16,000
//! such uses took 3.5 s).

use pcl_syntax::Name;

/// Names on each side of a name's place in either order.
const WINDOW: usize = 64;

/// Up to this many names, all of them are weighed (the result is then
/// exactly the best match among all names).
const WEIGH_ALL_UP_TO: usize = 4 * WINDOW;

/// The names of one class, in sorted order and read backwards.
#[derive(Clone, Debug, Default)]
pub(crate) struct Neighbours {
    sorted: Vec<Name>,
    /// Each name read backwards, sorted, with its place in `sorted`.
    backwards: Vec<(String, usize)>,
}

impl Neighbours {
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut sorted: Vec<Name> = names.into_iter().map(Name::from).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut backwards: Vec<(String, usize)> =
            sorted.iter().enumerate().map(|(at, name)| (reversed(name), at)).collect();
        backwards.sort_unstable();
        Neighbours { sorted, backwards }
    }

    /// The names worth weighing as suggestions for `name`: all of them when
    /// there are few, else up to `WINDOW` neighbours of `name` on each side
    /// in sorted order and in backwards order.
    pub(crate) fn candidates(&self, name: &str) -> Vec<&str> {
        if self.sorted.len() <= WEIGH_ALL_UP_TO {
            return self.sorted.iter().map(Name::as_str).collect();
        }
        let mut out: Vec<&str> = Vec::with_capacity(4 * WINDOW);
        let at = self.sorted.partition_point(|n| n.as_str() < name);
        let around = at.saturating_sub(WINDOW)..(at + WINDOW).min(self.sorted.len());
        out.extend(self.sorted.get(around).unwrap_or_default().iter().map(Name::as_str));
        let back = reversed(name);
        let at = self.backwards.partition_point(|(r, _)| r.as_str() < back.as_str());
        let around = at.saturating_sub(WINDOW)..(at + WINDOW).min(self.backwards.len());
        let in_sorted = |&(_, i): &(String, usize)| self.sorted.get(i).map(Name::as_str);
        out.extend(self.backwards.get(around).unwrap_or_default().iter().filter_map(in_sorted));
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn reversed(name: &str) -> String {
    name.chars().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Neighbours {
        let names: Vec<String> = (0..n).map(|i| format!("policy_{i:05}")).collect();
        Neighbours::new(names.iter().map(String::as_str))
    }

    #[test]
    fn few_names_are_all_weighed() {
        assert_eq!(names(10).candidates("polcy_00003").len(), 10);
    }

    #[test]
    fn among_many_names_a_typo_at_either_end_still_finds_its_name() {
        let many = names(10_000);
        // a typo near the end: the start sorts it next to its name
        let near_end = many.candidates("policy_04321x");
        assert!(near_end.contains(&"policy_04321"), "{near_end:?}");
        // a typo at the start: read backwards, it sorts next to its name
        let near_start = many.candidates("qolicy_04321");
        assert!(near_start.contains(&"policy_04321"), "{near_start:?}");
        assert!(near_start.len() <= 4 * WINDOW);
        // before the first name and after the last
        assert!(many.candidates("a").contains(&"policy_00000"));
        assert!(many.candidates("z").contains(&"policy_09999"));
    }
}
