//! Guards simplified for one configuration: what a walk in each of its
//! assignments evaluates instead of the guard as written. A guard's
//! comparisons of params (and of names no assignment gives) hold alike in
//! every assignment of a configuration; a guard made of many (a derived
//! feature over 40 params, inlined into each of 40 statements) was
//! evaluated whole for every statement in every assignment (4,096
//! assignments, 41 configurations: 11 s).

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;

use crate::ir::{Cond, Program};

/// The guards met so far in one configuration, by address, each with what
/// is left of it once its fixed comparisons are decided (`None`: it has
/// none, and is evaluated as written).
#[derive(Default)]
pub struct FixedGuards {
    by_address: RefCell<HashMap<usize, Option<Rc<Cond>>>>,
}

impl FixedGuards {
    /// `guard` as it holds in this configuration's assignments, when it
    /// compares a variable that is no feature of `program` (whose value
    /// `lookup` gives, the same in every assignment); `None` when it
    /// compares features only. The first call for a guard decides its
    /// fixed comparisons: the configuration must stay the same for the
    /// table's life.
    pub(super) fn simplified<'v>(
        &self,
        guard: &Cond,
        program: &Program,
        lookup: &dyn Fn(&str) -> Option<&'v str>,
    ) -> Option<Rc<Cond>> {
        let address = std::ptr::from_ref(guard) as usize;
        if let Some(known) = self.by_address.borrow().get(&address) {
            return known.clone();
        }
        let mut fixed_any = false;
        let simplified = guard.with_values(&mut |var| {
            // (a feature's value is each assignment's)
            if program.feature(var).is_some() {
                return None;
            }
            fixed_any = true;
            Some(lookup(var))
        });
        let kept = fixed_any.then(|| Rc::new(simplified));
        self.by_address.borrow_mut().insert(address, kept.clone());
        kept
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::*;
    use pcl_syntax::Name;

    fn is(var: &str, value: &str) -> Cond {
        Cond::Is(Name::new(var), Name::new(value))
    }

    /// A guard with its params decided holds as the guard does, in every
    /// assignment of the features, for every value of the params.
    #[test]
    fn a_guard_with_its_params_decided_holds_as_written() {
        let and = |a, b| Cond::And(Box::new(a), Box::new(b));
        let or = |a, b| Cond::Or(Box::new(a), Box::new(b));
        let not = |a| Cond::Not(Box::new(a));
        let guard = or(
            and(is("f", "true"), not(is("p", "a"))),
            or(and(is("q", "b"), is("g", "x")), and(not(is("f", "true")), is("p", "b"))),
        );
        let params = [None, Some("a"), Some("b")];
        for p in params {
            for q in params {
                let fixed_value = |var: &str| match var {
                    "p" => Some(p),
                    "q" => Some(q),
                    _ => None,
                };
                let simplified = guard.with_values(&mut |var| fixed_value(var));
                for f in ["true", "false"] {
                    for g in ["x", "y"] {
                        let lookup = |var: &str| match var {
                            "f" => Some(f),
                            "g" => Some(g),
                            other => fixed_value(other).flatten(),
                        };
                        assert_eq!(simplified.holds(&lookup), guard.holds(&lookup), "p={p:?} q={q:?} f={f} g={g}");
                    }
                }
                // what is left compares features only
                let mut vars = Vec::new();
                simplified.vars(&mut vars);
                assert!(vars.iter().all(|v| v == "f" || v == "g"), "{vars:?}");
            }
        }
    }
}
