//! For each of a list of guarded entries (in file order), the first earlier
//! one it can be present with in one configuration: what the E0101 checks
//! report (two items deployed under one name, a policy attached on two
//! paths). Deciding a pair enumerates the assignments of its guards'
//! features, so comparing every pair was O(k²·assignments): 1,024 items of
//! one name, each under its own combination of 12 bool features, took
//! 148 s. Most such lists are variants of one thing, each under its own
//! values of the same features (`scheduler == slurm`, `scheduler ==
//! awsbatch`): entries that pin a feature to different values can never be
//! present together, so each entry is compared only with the earlier ones
//! that pin the same values (or do not pin them). Pairs are still decided
//! by the caller's `together`, so what is reported does not change.

use rustc_hash::FxHashMap;

use crate::ir::{Cond, Program};

/// The values an entry's guards pin, `var == value` at the top of their
/// conjunctions (a bool feature's `not f` pins it to `false`). Anything
/// else in a guard only narrows it further, so leaving it out is sound:
/// two entries whose pins differ on one variable are never together.
fn pins<'c>(program: &Program, guards: &[&'c Cond]) -> FxHashMap<&'c str, &'c str> {
    let mut out = FxHashMap::default();
    let mut todo: Vec<&Cond> = guards.to_vec();
    while let Some(cond) = todo.pop() {
        match cond {
            Cond::And(a, b) => todo.extend([&**a, &**b]),
            Cond::Is(var, value) => {
                out.entry(var.as_str()).or_insert(value.as_str());
            }
            Cond::Not(inner) => {
                if let Cond::Is(var, value) = &**inner
                    && program.feature(var).is_some_and(|f| f.is_bool)
                {
                    let other = match value.as_str() {
                        "true" => "false",
                        "false" => "true",
                        _ => continue,
                    };
                    out.entry(var.as_str()).or_insert(other);
                }
            }
            Cond::Const(_) | Cond::Or(..) => {}
        }
    }
    out
}

/// For each entry, the index of the first earlier entry `together` accepts
/// among those `eligible` for it, trying them in file order; `guards` gives
/// an entry's guards (all must hold for it to be present).
pub(crate) fn first_together<'c, T>(
    program: &Program,
    entries: &'c [T],
    guards: impl Fn(&'c T) -> Vec<&'c Cond>,
    eligible: impl Fn(&T, &T) -> bool,
    together: impl Fn(&T, &T) -> bool,
) -> Vec<Option<usize>> {
    let pinned: Vec<FxHashMap<&'c str, &'c str>> = entries.iter().map(|e| pins(program, &guards(e))).collect();
    // the key: the variables that at least half the entries that pin
    // something pin (one entry pinning fewer must not make every pair
    // compared again: it is compared with all, and all with it); else the
    // one pinned most often. Entries that do not pin them all are compared
    // with every earlier one.
    let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
    for var in pinned.iter().flat_map(|p| p.keys()) {
        *counts.entry(var).or_default() += 1;
    }
    let pinning = pinned.iter().filter(|p| !p.is_empty()).count();
    let mut key_vars: Vec<&str> = counts.iter().filter(|&(_, &n)| 2 * n >= pinning).map(|(&var, _)| var).collect();
    if key_vars.is_empty() {
        key_vars.extend(counts.into_iter().max_by_key(|&(var, n)| (n, std::cmp::Reverse(var))).map(|(var, _)| var));
    }
    key_vars.sort_unstable();
    let keys: Vec<Option<Vec<&'c str>>> =
        pinned.iter().map(|p| key_vars.iter().map(|v| p.get(v).copied()).collect()).collect();
    let mut by_key: FxHashMap<&[&str], Vec<usize>> = FxHashMap::default();
    let mut unkeyed: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(entries.len());
    for (j, (later, later_key)) in entries.iter().zip(&keys).enumerate() {
        let accepts = |i: usize| entries.get(i).is_some_and(|first| eligible(first, later) && together(first, later));
        let found = match later_key {
            // every earlier entry may be present with it
            None => (0..j).find(|&i| accepts(i)),
            // those of its key and the unkeyed, merged in file order
            Some(k) => {
                let same: &[usize] = by_key.get(k.as_slice()).map_or(&[], Vec::as_slice);
                merged(same, &unkeyed).find(|&i| accepts(i))
            }
        };
        out.push(found);
        match later_key {
            Some(k) => by_key.entry(k.as_slice()).or_default().push(j),
            None => unkeyed.push(j),
        }
    }
    out
}

/// Two increasing lists of indices as one, in increasing order.
fn merged<'a>(a: &'a [usize], b: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
    let (mut a, mut b) = (a.iter().copied().peekable(), b.iter().copied().peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(&x), Some(&y)) if x <= y => a.next(),
        (Some(_), Some(_)) | (None, Some(_)) => b.next(),
        (Some(_), None) => a.next(),
        (None, None) => None,
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use pcl_syntax::Name;

    use super::{first_together, merged};
    use crate::ir::{Cond, Program};

    fn program_of(text: &str) -> Program {
        let mut db = crate::RootDatabase::default();
        let file = crate::SourceFile::open(&mut db, "p.pcl".into(), text.into());
        (*crate::analyze_file(&db, file).program).clone()
    }

    /// `f0 and not f1 and ...`: the combination numbered `bits` of `n` bools.
    fn combination(bits: usize, n: usize) -> Cond {
        let is = |i: usize| {
            let pinned = Cond::Is(Name::new(format!("f{i}")), Name::new("true"));
            if bits >> i & 1 == 1 { pinned } else { Cond::Not(Box::new(pinned)) }
        };
        (1..n).fold(is(0), |acc, i| Cond::And(Box::new(acc), Box::new(is(i))))
    }

    #[test]
    fn merged_keeps_file_order() {
        assert_eq!(merged(&[0, 3, 4], &[1, 2, 5]).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
        assert_eq!(merged(&[], &[1]).collect::<Vec<_>>(), [1]);
        assert_eq!(merged(&[2], &[]).collect::<Vec<_>>(), [2]);
    }

    /// Entries under distinct combinations of the same features are never
    /// compared (the probe's 1,024 items of one name took 148 s); those
    /// that share one, and those with no guard, are, in file order.
    #[test]
    fn entries_pinned_apart_are_not_compared() {
        let n = 6;
        let features: String = (0..n).map(|i| format!("feature f{i}: bool = false;\n")).collect();
        let program = program_of(&features);
        let apart: Vec<Option<Cond>> = (0..1usize << n).map(|bits| Some(combination(bits, n))).collect();
        let asked = Cell::new(0);
        let together = |a: &Option<Cond>, b: &Option<Cond>| {
            asked.set(asked.get() + 1);
            // by brute force: the same combination, or no guard
            a.is_none() || b.is_none() || a == b
        };
        let firsts = first_together(&program, &apart, |e| e.iter().collect(), |_, _| true, together);
        assert_eq!(asked.get(), 0);
        assert!(firsts.iter().all(Option::is_none));
        // a repeat of combination 5, then an entry with no guard
        let mut entries = apart.clone();
        entries.push(Some(combination(5, n)));
        entries.push(None);
        asked.set(0);
        let firsts = first_together(&program, &entries, |e| e.iter().collect(), |_, _| true, together);
        assert_eq!(firsts.get(64), Some(&Some(5)));
        assert_eq!(firsts.get(65), Some(&Some(0)));
        // the repeat is compared with combination 5 only; the unguarded
        // entry finds the first entry at once
        assert_eq!(asked.get(), 2);
        // found by review: one entry that pins fewer features (`f0` only)
        // is compared with every other, not every pair with each other
        let mut fewer = apart.clone();
        fewer.insert(1, Some(Cond::Is(Name::new("f0"), Name::new("true"))));
        asked.set(0);
        first_together(&program, &fewer, |e| e.iter().collect(), |_, _| true, together);
        assert!(asked.get() <= fewer.len(), "{} pairs asked", asked.get());
    }
}
