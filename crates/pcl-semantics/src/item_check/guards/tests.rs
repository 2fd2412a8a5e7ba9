//! Deciding guards: by hand-picked cases, and over tables against every
//! constraint evaluated in every assignment.
#![allow(clippy::indexing_slicing, reason = "tests: each index is drawn below its length")]

use super::*;

fn is(var: &str, value: &str) -> Cond {
    Cond::Is(var.into(), value.into())
}

fn not(c: Cond) -> Cond {
    Cond::Not(Box::new(c))
}

fn domain(var: &str) -> Option<std::borrow::Cow<'static, [String]>> {
    match var {
        "fsx" | "batch" => Some(vec!["false".into(), "true".into()].into()),
        "scheduler" => Some(vec!["slurm".into(), "awsbatch".into(), "pbs".into()].into()),
        _ => None,
    }
}

#[test]
fn varying_guards_are_not_constant() {
    assert_eq!(constant_value(&is("fsx", "true"), &[], &[], &Outside::NONE, false, &domain), None);
}

#[test]
fn the_enclosing_guard_decides() {
    let fsx = is("fsx", "true");
    assert_eq!(constant_value(&fsx, std::slice::from_ref(&fsx), &[], &Outside::NONE, false, &domain), Some(true));
    assert_eq!(constant_value(&not(fsx.clone()), &[fsx], &[], &Outside::NONE, false, &domain), Some(false));
}

#[test]
fn constraints_decide() {
    // constraint: fsx implies scheduler == slurm
    let constraint = Cond::Or(Box::new(not(is("fsx", "true"))), Box::new(is("scheduler", "slurm")));
    let guard = is("scheduler", "awsbatch");
    assert_eq!(
        constant_value(&guard, &[is("fsx", "true")], &[&constraint], &Outside::NONE, false, &domain),
        Some(false)
    );
    assert_eq!(constant_value(&guard, &[], &[&constraint], &Outside::NONE, false, &domain), None);
}

#[test]
fn undecidable_or_explicit_guards_are_left_alone() {
    // an unknown variable, already reported elsewhere
    assert_eq!(constant_value(&is("nosuch", "x"), &[], &[], &Outside::NONE, false, &domain), None);
    // `when true`
    assert_eq!(constant_value(&Cond::Const(true), &[], &[], &Outside::NONE, false, &domain), None);
    // no configuration is relevant: the context is contradictory
    let fsx = is("fsx", "true");
    assert_eq!(
        constant_value(&is("batch", "true"), &[fsx.clone(), not(fsx)], &[], &Outside::NONE, false, &domain),
        None
    );
}

#[test]
fn constraints_reach_a_guard_through_shared_variables() {
    // batch -> fsx, and fsx -> slurm: under `batch`, awsbatch is excluded
    let batch_needs_fsx = Cond::Or(Box::new(not(is("batch", "true"))), Box::new(is("fsx", "true")));
    let fsx_needs_slurm = Cond::Or(Box::new(not(is("fsx", "true"))), Box::new(is("scheduler", "slurm")));
    let guard = is("scheduler", "awsbatch");
    let both = [&batch_needs_fsx, &fsx_needs_slurm];
    assert_eq!(constant_value(&guard, &[is("batch", "true")], &both, &Outside::NONE, false, &domain), Some(false));
}

#[test]
fn unrelated_constraints_matter_only_when_they_exclude_everything() {
    let fsx = is("fsx", "true");
    // a satisfiable constraint on `batch` says nothing about `fsx`
    let batch = is("batch", "true");
    assert_eq!(constant_value(&fsx, std::slice::from_ref(&fsx), &[&batch], &Outside::NONE, false, &domain), Some(true));
    assert_eq!(constant_value(&fsx, &[], &[&batch], &Outside::NONE, false, &domain), None);
    // one that nothing satisfies leaves no configuration to speak of
    let never = Cond::And(Box::new(batch.clone()), Box::new(not(batch)));
    assert_eq!(constant_value(&fsx, std::slice::from_ref(&fsx), &[&never], &Outside::NONE, false, &domain), None);
}

#[test]
fn only_connected_constraints_count_against_the_combination_limit() {
    // thirteen two-valued features, each constrained on its own: 8,192
    // assignments with the guard's, past `MAX_COMBINATIONS`, but none of
    // them touches `fsx`, so its guard is decided over two
    let names: Vec<String> = (0..13).map(|i| format!("v{i}")).collect();
    let constraints: Vec<Cond> = names.iter().map(|n| is(n, "true")).collect();
    let refs: Vec<&Cond> = constraints.iter().collect();
    let two = |var: &str| {
        (var == "fsx" || names.iter().any(|n| n == var))
            .then(|| std::borrow::Cow::Owned(vec!["false".to_string(), "true".to_string()]))
    };
    let fsx = is("fsx", "true");
    assert_eq!(constant_value(&fsx, std::slice::from_ref(&fsx), &refs, &Outside::NONE, true, &two), Some(true));
    // not known to hold together: trying them is past the limit, and
    // nothing is said (as before, when every variable was tried at once)
    assert_eq!(constant_value(&fsx, std::slice::from_ref(&fsx), &refs, &Outside::NONE, false, &two), None);
}

/// xorshift: the same cases on every run, with no dependency.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const VARS: [&str; 7] = ["a", "b", "c", "s", "one", "none", "unknown"];

/// Two-valued, three-valued, single-valued, valueless and unknown variables.
fn mixed_domain(var: &str) -> Option<std::borrow::Cow<'static, [String]>> {
    let values: &[&str] = match var {
        "a" | "b" | "c" => &["false", "true"],
        "s" => &["slurm", "awsbatch", "pbs"],
        "one" => &["only"],
        "none" => &[],
        _ => return None,
    };
    Some(values.iter().map(|v| v.to_string()).collect::<Vec<_>>().into())
}

fn random_cond(r: &mut Seeded, depth: usize) -> Cond {
    if depth >= 2 || r.below(3) == 0 {
        // the unknown variable rarely: it leaves its group undecidable
        let var = VARS[if r.below(20) == 0 { 6 } else { r.below(6) }];
        let values = mixed_domain(var).map(|d| d.into_owned()).unwrap_or_default();
        let value =
            if values.is_empty() || r.below(10) == 0 { "x".to_string() } else { values[r.below(values.len())].clone() };
        return is(var, &value);
    }
    match r.below(3) {
        0 => Cond::And(Box::new(random_cond(r, depth + 1)), Box::new(random_cond(r, depth + 1))),
        1 => Cond::Or(Box::new(random_cond(r, depth + 1)), Box::new(random_cond(r, depth + 1))),
        _ => not(random_cond(r, depth + 1)),
    }
}

/// Over tables seen through the guard's variables, a guard gets the value,
/// and its `because` list the constraints, that evaluating every constraint
/// in every assignment of every variable gives.
#[test]
fn tables_decide_as_every_constraint_evaluated() {
    let mut r = Seeded(0x9e37_79b9_7f4a_7c15);
    let (mut decided, mut with_because) = (0, 0);
    for _ in 0..4000 {
        let constraints: Vec<Cond> = (0..r.below(6)).map(|_| random_cond(&mut r, 0)).collect();
        let refs: Vec<&Cond> = constraints.iter().collect();
        let groups = crate::constraint_groups::ConstraintGroups::build(&refs, &mixed_domain);
        let known = crate::constraint_groups::hold_together(&[], &groups.all(), &mixed_domain);
        let cond = random_cond(&mut r, 0);
        let context: Vec<Cond> = (0..r.below(3)).map(|_| random_cond(&mut r, 1)).collect();
        let expected = constant_value(&cond, &context, &refs, &Outside::NONE, known, &mixed_domain);
        // a guard of no variable is not decided
        let Some(guard) = InContext::new(&cond, &context) else {
            assert_eq!(expected, None, "{cond:?} under {context:?} given {constraints:?}");
            continue;
        };
        let reach = groups.reach(&guard.vars);
        let Some(tables) = groups.tables(&reach, &guard.vars) else {
            assert_eq!(expected, None, "{cond:?} under {context:?} given {constraints:?}");
            continue;
        };
        let outside = groups.outside(&reach);
        let got = constant_over_tables(&guard, &tables, &outside, known, &mixed_domain);
        assert_eq!(got, expected, "{cond:?} under {context:?} given {constraints:?}");
        let (Some(value), true) = (got, known) else { continue };
        decided += 1;
        let mut because: Vec<usize> = alone_excluding(&guard, !value, &tables, &mixed_domain).into_iter().collect();
        because.sort_unstable();
        // each reached constraint left out in turn (the path of a file whose
        // constraints are not known to hold together)
        let reached = groups.constraints(&reach);
        let each_left_out: Vec<usize> = reached
            .iter()
            .copied()
            .filter(|&left| {
                let others: Vec<&Cond> =
                    reached.iter().filter(|&&at| at != left).filter_map(|&at| refs.get(at).copied()).collect();
                constant_value(&cond, &context, &others, &outside, known, &mixed_domain) != Some(value)
            })
            .collect();
        assert_eq!(because, each_left_out, "{cond:?} under {context:?} given {constraints:?}");
        with_because += usize::from(!because.is_empty());
    }
    // the cases reach what they are meant to test
    assert!(decided > 300 && with_because > 50, "{decided} decided, {with_because} with constraints named");
}

/// Sixteen two-valued variables in two halves: constraints within each
/// half, guards over the first. Together they have more assignments than
/// are tried, so the constraints are not known to hold together, yet a
/// guard is decided over its half.
fn halves_domain(var: &str) -> Option<std::borrow::Cow<'static, [String]>> {
    let half = var.strip_prefix('a').or_else(|| var.strip_prefix('b'))?;
    let at: usize = half.parse().ok()?;
    (at < 8).then(|| vec!["false".to_string(), "true".to_string()].into())
}

fn random_half_cond(r: &mut Seeded, half: char, depth: usize) -> Cond {
    if depth >= 2 || r.below(3) == 0 {
        // a few variables per half, so that conditions share them
        return is(&format!("{half}{}", r.below(4)), if r.below(2) == 0 { "true" } else { "false" });
    }
    match r.below(3) {
        0 => Cond::And(Box::new(random_half_cond(r, half, depth + 1)), Box::new(random_half_cond(r, half, depth + 1))),
        1 => Cond::Or(Box::new(random_half_cond(r, half, depth + 1)), Box::new(random_half_cond(r, half, depth + 1))),
        _ => not(random_half_cond(r, half, depth + 1)),
    }
}

/// When the constraints are not known to hold together, the constraints a
/// constant guard names are those without which deciding it again does not
/// find it constant.
#[test]
fn constraints_not_known_to_hold_together_are_named_as_each_left_out_finds() {
    let mut r = Seeded(0x2545_f491_4f6c_dd1d);
    let (mut decided, mut named) = (0, 0);
    // eight variables per half, each read by some constraint
    let reading_all = |half: char| -> Vec<Cond> {
        (0..8).map(|i| Cond::Or(Box::new(is(&format!("{half}{i}"), "true")), Box::new(Cond::Const(true)))).collect()
    };
    for _ in 0..1500 {
        let mut constraints: Vec<Cond> = reading_all('a');
        constraints.extend(reading_all('b'));
        for _ in 0..r.below(8) {
            let half = if r.below(3) == 0 { 'b' } else { 'a' };
            constraints.push(random_half_cond(&mut r, half, 0));
        }
        let refs: Vec<&Cond> = constraints.iter().collect();
        let groups = crate::constraint_groups::ConstraintGroups::build(&refs, &halves_domain);
        let known = crate::constraint_groups::hold_together(&[], &groups.all(), &halves_domain);
        assert!(!known, "{constraints:?}");
        let cond = random_half_cond(&mut r, 'a', 0);
        let context: Vec<Cond> = (0..r.below(2)).map(|_| random_half_cond(&mut r, 'a', 1)).collect();
        let Some(guard) = InContext::new(&cond, &context) else { continue };
        let reach = groups.reach(&guard.vars);
        let Some(tables) = groups.tables(&reach, &guard.vars) else { continue };
        let outside = groups.outside(&reach);
        let Some(value) = constant_over_tables(&guard, &tables, &outside, known, &halves_domain) else {
            continue;
        };
        decided += 1;
        let reached: Vec<(usize, &Cond)> =
            groups.constraints(&reach).into_iter().filter_map(|at| Some((at, *refs.get(at)?))).collect();
        let got = because_not_known(&guard, value, &tables, &reached, &outside, &halves_domain);
        let each_left_out: Vec<usize> = reached
            .iter()
            .filter(|(left, _)| {
                let others: Vec<&Cond> = reached.iter().filter(|(at, _)| at != left).map(|(_, c)| *c).collect();
                constant_value(&cond, &context, &others, &outside, known, &halves_domain) != Some(value)
            })
            .map(|(at, _)| *at)
            .collect();
        assert_eq!(got, each_left_out, "{cond:?} under {context:?} given {constraints:?}");
        named += usize::from(!got.is_empty());
    }
    assert!(decided > 100 && named > 20, "{decided} decided, {named} naming constraints");
}
