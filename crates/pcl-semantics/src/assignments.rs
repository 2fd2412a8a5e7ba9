//! Assignments of values to guard variables: enumerating them over their
//! domains (bounded by `MAX_COMBINATIONS`), and whether some satisfies a
//! set of conditions. What deciding guards, constraints and variants share.

use crate::MAX_COMBINATIONS;
use crate::ir::Cond;

/// Whether some assignment of `vars` over `domains` makes `holds` true;
/// `None` when there were too many to try (see `for_each_assignment`) and
/// none was found.
pub(crate) fn any_assignment<'d, D: AsRef<[String]>>(
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

/// Variables, each once, in the order first read, with a set beside the
/// list. (`Cond::vars` looks for each in the list so far: gathered over a
/// chain of 512 constraints, 262,000 comparisons per guard.)
#[derive(Default)]
pub(crate) struct Vars {
    list: Vec<String>,
    seen: rustc_hash::FxHashSet<String>,
}

impl Vars {
    pub(crate) fn add(&mut self, c: &Cond) {
        // read borrowed: a name already seen costs a lookup, not a copy
        // (walking the guards of every statement after each edit)
        c.for_each_var(&mut |v| {
            if !self.seen.contains(v) {
                self.seen.insert(v.to_owned());
                self.list.push(v.to_owned());
            }
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The variables, in the order first read.
    pub(crate) fn into_list(self) -> Vec<String> {
        self.list
    }
}

/// The variables of `conds`, each once, in the order first read.
pub(crate) fn vars_of<'c>(conds: impl Iterator<Item = &'c Cond>) -> Vec<String> {
    let mut vars = Vars::default();
    conds.for_each(|c| vars.add(c));
    vars.into_list()
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
    // many variables are found by hash (a lookup per variable read, for
    // each of a guard's thousand single-valued features, was quadratic)
    let by_name: Option<rustc_hash::FxHashMap<&str, usize>> =
        (vars.len() > 8).then(|| vars.iter().enumerate().map(|(i, v)| (v.as_str(), i)).collect());
    loop {
        let lookup = |name: &str| {
            let i = match &by_name {
                Some(by_name) => *by_name.get(name)?,
                None => vars.iter().position(|v| v == name)?,
            };
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
