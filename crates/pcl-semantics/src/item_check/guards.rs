//! Guards: expressions lowered to `Cond`, and guards that are always true
//! or false (`tautology`, over `constant_value`).

use super::*;

impl Checker<'_> {
    pub(super) fn guard(&mut self, when: Option<&Expr>) -> Guard {
        let expr = when?;
        let errors_before = self.diags.len();
        let cond = self.expr(expr);
        // A guard that is already wrong is not also called always-false.
        if self.diags.len() == errors_before {
            self.tautology(&cond, expr.span());
        }
        Some(Box::new(cond))
    }

    pub(super) fn expr(&mut self, e: &Expr) -> Cond {
        match e {
            Expr::Bool(b, _) => Cond::Const(*b),
            Expr::Var(ident) if self.symbols.presence(&ident.name).is_some() => {
                // `when boundary_arn`: the param has a value (given or a default)
                self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Param, span: ident.span });
                let cond = self.symbols.presence(&ident.name).unwrap_or(Cond::Const(true));
                if cond == Cond::Const(true) {
                    // a default: the test can only hold
                    self.emit(DiagnosticKind::AlwaysTrue { because: Vec::new() }.at(ident.span));
                }
                cond
            }
            Expr::Var(ident) if matches!(self.symbols.get(&ident.name), Some(Symbol::Derived(_))) => {
                self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Feature, span: ident.span });
                if self.in_derived {
                    let kind = DiagnosticKind::WrongKind {
                        name: ident.name.to_string(),
                        is: "derived feature",
                        expected: "feature or param",
                        suggestion: Some("a derived feature cannot use another: write its expression out".into()),
                    };
                    self.emit(kind.at(ident.span));
                    return Cond::Const(false);
                }
                match self.symbols.get(&ident.name) {
                    Some(Symbol::Derived(cond)) => cond.clone(),
                    _ => Cond::Const(false),
                }
            }
            Expr::Var(ident) => {
                match self.symbols.get(&ident.name) {
                    Some(Symbol::Feature { is_bool: true, .. }) => {
                        self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Feature, span: ident.span });
                    }
                    Some(Symbol::Feature { domain, .. }) => {
                        self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Feature, span: ident.span });
                        let kind =
                            DiagnosticKind::NotBoolFeature { name: ident.name.to_string(), domain: domain.clone() };
                        self.emit(kind.at(ident.span));
                    }
                    _ => {
                        self.resolve(ident, RefKind::Feature);
                    }
                }
                Cond::Is(ident.name.clone(), "true".into())
            }
            Expr::Compare { var, negated, value, .. } => {
                let domain = match self.symbols.get(&var.name) {
                    Some(Symbol::Param(Some(ParamType { list: false, scalar: ScalarType::Partition }))) => {
                        self.refs.push(Ref { name: var.name.clone(), kind: RefKind::Param, span: var.span });
                        self.symbols.domain(&var.name)
                    }
                    // A scalar param is a build-time constant: comparing it
                    // decides a guard per build and never adds variants.
                    Some(Symbol::Param(Some(ty @ ParamType { list: false, .. }))) => {
                        self.refs.push(Ref { name: var.name.clone(), kind: RefKind::Param, span: var.span });
                        // `""` is how an absent value compares; anything else must fit the type
                        if !value.text.is_empty()
                            && let Err(p) = iam::check_scalar_value(ty.scalar, &value.text)
                        {
                            let kind = DiagnosticKind::IamRule {
                                code: Code::ValueOutsideDomain,
                                message: format!("`{}` can never equal `{}`: {}", var.name, value.text, p.message),
                                label: Some(format!("not a valid `{}`", ty.scalar.name())),
                                help: p.help,
                            };
                            self.emit(kind.at(value.span));
                        }
                        None
                    }
                    Some(Symbol::Param(_)) => {
                        self.refs.push(Ref { name: var.name.clone(), kind: RefKind::Param, span: var.span });
                        self.emit(DiagnosticKind::ParamNotComparable { name: var.name.to_string() }.at(var.span));
                        None
                    }
                    _ => {
                        self.resolve(var, RefKind::Feature);
                        self.symbols.domain(&var.name)
                    }
                };
                if let Some(domain) = domain
                    && !domain.iter().any(|d| *d == value.text)
                {
                    let suggestion = suggest(&value.text, domain.iter().map(String::as_str));
                    let kind = DiagnosticKind::NeverEqual {
                        var: var.name.to_string(),
                        value: value.text.to_string(),
                        domain: domain.into_owned(),
                        suggestion,
                    };
                    self.emit(kind.at(value.span));
                }
                let is = Cond::Is(var.name.clone(), value.text.clone());
                if *negated { Cond::Not(Box::new(is)) } else { is }
            }
            Expr::Not(inner, _) => Cond::Not(Box::new(self.expr(inner))),
            Expr::And(a, b) => Cond::And(Box::new(self.expr(a)), Box::new(self.expr(b))),
            Expr::Or(a, b) => Cond::Or(Box::new(self.expr(a)), Box::new(self.expr(b))),
        }
    }

    /// Warns about a guard that is constant over every configuration that
    /// satisfies the constraints and the enclosing guards.
    pub(super) fn tautology(&mut self, cond: &Cond, span: Span) {
        let mut vars = Vec::new();
        cond.vars(&mut vars);
        for c in &self.context {
            c.vars(&mut vars);
        }
        // only the groups of constraints the guard's features reach can
        // decide it, each through its table of assignments; the others count
        // as one summary (see `ConstraintGroups`)
        let groups = self.symbols.constraint_groups();
        let reach = groups.reach(&vars);
        let Some(tables) = groups.tables(&reach) else { return };
        let outside = groups.outside(&reach);
        let symbols = self.symbols;
        let domain = |v: &str| symbols.domain(v);
        let known = symbols.constraints_satisfiable();
        let Some(value) = constant_over_tables(cond, &self.context, &tables, &outside, known, &domain) else { return };
        let reached = groups.constraints(&reach);
        // the constraints without which the guard would not be constant (one
        // the guard does not reach never is: without it, the others still hold)
        let because: Vec<String> = if known {
            // each is one that alone excludes an assignment where the guard
            // has the other value: read from the tables, once for all
            let alone = alone_excluding(cond, !value, &self.context, &tables, &domain);
            reached
                .iter()
                .filter(|at| alone.contains(at))
                .filter_map(|&at| symbols.named_constraint(at))
                .map(|(name, _)| name.to_string())
                .collect()
        } else {
            // whether the others still hold together depends on which one is
            // left out: each is tried (files whose constraints are not known
            // to hold together are rare, and already warned about)
            let local: Vec<(&str, &Cond)> = reached.iter().filter_map(|&at| symbols.named_constraint(at)).collect();
            let constraints: Vec<&Cond> = local.iter().map(|(_, c)| *c).collect();
            local
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    let others: Vec<&Cond> =
                        constraints.iter().enumerate().filter(|(j, _)| j != i).map(|(_, c)| *c).collect();
                    constant_value(cond, &self.context, &others, &outside, known, &domain) != Some(value)
                })
                .map(|(_, (name, _))| name.to_string())
                .collect()
        };
        let kind = if value { DiagnosticKind::AlwaysTrue { because } } else { DiagnosticKind::AlwaysFalse { because } };
        self.emit(kind.at(span));
    }
}

/// The value `cond` has in every assignment of its variables (and of those
/// of `context` and `constraints`) where `context` and `constraints` hold:
/// `Some(true)` or `Some(false)` if it is constant there, `None` if it
/// varies, if no assignment is relevant, if a variable has no known domain,
/// if there are too many assignments to try, or if `cond` reads no variable
/// at all (`when true` is explicit, not an accident). `outside` sums up the
/// file's other constraints, which share no variable with these.
pub(crate) fn constant_value<'d>(
    cond: &Cond,
    context: &[Cond],
    constraints: &[&Cond],
    outside: &Outside,
    known_satisfiable: bool,
    domain: &dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>,
) -> Option<bool> {
    let mut vars = Vec::new();
    cond.vars(&mut vars);
    if vars.is_empty() {
        return None;
    }
    for c in context {
        c.vars(&mut vars);
    }
    // Only the constraints that share a variable with the guard, its context
    // or another such constraint can decide its value: the others only
    // multiply the assignments to try (by 48 for a file's five constrained
    // features), unless they exclude everything, which makes every guard
    // irrelevant (`None`), as when they are tried together. When all the
    // constraints are `known_satisfiable`, so are those.
    let (connected, independent) = connected_constraints(&mut vars, constraints);
    let nothing_else = independent.is_empty() && outside.empty;
    if !(known_satisfiable || nothing_else || crate::constraint_groups::hold_together(&independent, outside, domain)) {
        return None;
    }
    decide(cond, &vars, domain, &|lookup| {
        context.iter().all(|c| c.holds(lookup)) && connected.iter().all(|c| c.holds(lookup))
    })
}

/// `constant_value` over the groups of constraints a guard reaches, each
/// as its table: the same answer, at the cost of a lookup per assignment
/// instead of an evaluation of every constraint.
fn constant_over_tables<'d>(
    cond: &Cond,
    context: &[Cond],
    tables: &[&Table],
    outside: &Outside,
    known_satisfiable: bool,
    domain: &dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>,
) -> Option<bool> {
    let vars = vars_with_tables(cond, context, tables)?;
    if !(known_satisfiable || outside.empty || crate::constraint_groups::hold_together(&[], outside, domain)) {
        return None;
    }
    decide(cond, &vars, domain, &|lookup| {
        context.iter().all(|c| c.holds(lookup)) && tables.iter().all(|t| t.allows(lookup))
    })
}

/// The variables of `cond`, then of `context` and `tables`, each once;
/// `None` when `cond` reads none.
fn vars_with_tables(cond: &Cond, context: &[Cond], tables: &[&Table]) -> Option<Vec<String>> {
    let mut vars = Vec::new();
    cond.vars(&mut vars);
    if vars.is_empty() {
        return None;
    }
    for c in context {
        c.vars(&mut vars);
    }
    // a group may read thousands of variables: found by hash
    let mut seen: rustc_hash::FxHashSet<String> = vars.iter().cloned().collect();
    for t in tables {
        for v in t.vars() {
            if seen.insert(v.clone()) {
                vars.push(v.clone());
            }
        }
    }
    Some(vars)
}

/// The value `cond` has in every assignment of `vars` that is `relevant`:
/// `None` if it varies, if none is, if a variable has no known domain or
/// there are too many to try.
fn decide<'d>(
    cond: &Cond,
    vars: &[String],
    domain: &dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>,
    relevant: &dyn Fn(crate::assignments::Lookup<'_, '_>) -> bool,
) -> Option<bool> {
    let domains: Vec<std::borrow::Cow<'d, [String]>> = vars.iter().map(|v| domain(v)).collect::<Option<_>>()?;
    let (mut seen_true, mut seen_false, mut any) = (false, false, false);
    let complete = crate::assignments::for_each_assignment(vars, &domains, &mut |lookup| {
        if relevant(lookup) {
            any = true;
            if cond.holds(lookup) { seen_true = true } else { seen_false = true }
        }
        if seen_true && seen_false { Flow::Stop } else { Flow::Continue }
    });
    match (complete && any, seen_true, seen_false) {
        (true, true, false) => Some(true),
        (true, false, true) => Some(false),
        _ => None,
    }
}

/// The constraints that alone exclude an assignment where `context` holds
/// and `cond` is `other`: when every constraint is known to hold with the
/// others, leaving out exactly these makes a constant guard vary (the rest
/// still hold together, and the assignments to try are no more).
fn alone_excluding<'d>(
    cond: &Cond,
    other: bool,
    context: &[Cond],
    tables: &[&Table],
    domain: &dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>,
) -> rustc_hash::FxHashSet<usize> {
    let mut alone = rustc_hash::FxHashSet::default();
    let Some(vars) = vars_with_tables(cond, context, tables) else { return alone };
    let Some(domains) = vars.iter().map(|v| domain(v)).collect::<Option<Vec<_>>>() else { return alone };
    crate::assignments::for_each_assignment(&vars, &domains, &mut |lookup| {
        let holds = |c: &Cond| c.holds(lookup);
        if context.iter().all(holds) && holds(cond) == other {
            let mut failing = tables.iter().map(|t| t.failing(lookup)).filter(|f| *f != Failing::NONE);
            if let (Some(only), None) = (failing.next(), failing.next())
                && let Some(at) = only.single()
            {
                alone.insert(at);
            }
        }
        Flow::Continue
    });
    alone
}

/// Splits `constraints` into those connected to `vars` (sharing a variable
/// with them, directly or through other connected constraints; their
/// variables are added to `vars`) and the rest, each in its given order:
/// the groups of `ir::Grouping` that `vars` reach, and the others.
fn connected_constraints<'c>(vars: &mut Vec<String>, constraints: &[&'c Cond]) -> (Vec<&'c Cond>, Vec<&'c Cond>) {
    let grouping = crate::ir::Grouping::build(constraints.iter().copied());
    let reach = grouping.reach(vars.iter().map(String::as_str));
    let mut seen: rustc_hash::FxHashSet<String> = vars.iter().cloned().collect();
    for g in reach.groups() {
        for v in grouping.vars(g) {
            if seen.insert(v.clone()) {
                vars.push(v.clone());
            }
        }
    }
    let mut taken = vec![false; constraints.len()];
    for at in grouping.constraints(&reach) {
        if let Some(slot) = taken.get_mut(at) {
            *slot = true;
        }
    }
    let (mut connected, mut independent) = (Vec::new(), Vec::new());
    for (c, taken) in constraints.iter().zip(taken) {
        if taken { connected.push(*c) } else { independent.push(*c) }
    }
    (connected, independent)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            constant_value(&fsx, std::slice::from_ref(&fsx), &[&batch], &Outside::NONE, false, &domain),
            Some(true)
        );
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
}
