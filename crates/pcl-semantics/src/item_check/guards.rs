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
                self.refs.push(Ref { name: ident.name, kind: RefKind::Param, span: ident.span });
                let cond = self.symbols.presence(&ident.name).unwrap_or(Cond::Const(true));
                if cond == Cond::Const(true) {
                    // a default: the test can only hold
                    self.emit(DiagnosticKind::AlwaysTrue { because: Vec::new() }.at(ident.span));
                }
                cond
            }
            Expr::Var(ident) if matches!(self.symbols.get(&ident.name), Some(Symbol::Derived(_))) => {
                self.refs.push(Ref { name: ident.name, kind: RefKind::Feature, span: ident.span });
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
                        self.refs.push(Ref { name: ident.name, kind: RefKind::Feature, span: ident.span });
                    }
                    Some(Symbol::Feature { domain, .. }) => {
                        self.refs.push(Ref { name: ident.name, kind: RefKind::Feature, span: ident.span });
                        let kind =
                            DiagnosticKind::NotBoolFeature { name: ident.name.to_string(), domain: domain.clone() };
                        self.emit(kind.at(ident.span));
                    }
                    // a list has no single value to test (it was "is a
                    // param, not a feature", though a scalar param may be)
                    Some(Symbol::Param(Some(ty))) if ty.list => {
                        self.refs.push(Ref { name: ident.name, kind: RefKind::Param, span: ident.span });
                        self.emit(DiagnosticKind::ListParamAsGuard { name: ident.name.to_string() }.at(ident.span));
                    }
                    _ => {
                        self.resolve(ident, RefKind::Feature);
                    }
                }
                Cond::Is(ident.name, "true".into())
            }
            Expr::Compare { var, negated, value, .. } => {
                // a literal with `<...>`s compared with a param left at its
                // placeholder (asked only then, so that other comparisons
                // read no presence): see `symbol_table::compared`
                let absent = match value.text.contains('<') {
                    true => self
                        .symbols
                        .presence(&var.name)
                        .and_then(|p| crate::symbol_table::absent_value(&p).map(str::to_owned)),
                    false => None,
                };
                let (is, stands_for_placeholder) =
                    crate::symbol_table::compared(var.name, absent.as_deref(), value.text);
                let domain = match self.symbols.get(&var.name) {
                    Some(Symbol::Param(Some(ParamType { list: false, scalar: ScalarType::Partition }))) => {
                        self.refs.push(Ref { name: var.name, kind: RefKind::Param, span: var.span });
                        self.symbols.domain(&var.name)
                    }
                    // A scalar param is a build-time constant: comparing it
                    // decides a guard per build and never adds variants.
                    Some(Symbol::Param(Some(ty @ ParamType { list: false, .. }))) => {
                        self.refs.push(Ref { name: var.name, kind: RefKind::Param, span: var.span });
                        // `""` is how an absent value compares; anything else must fit the type
                        if !value.text.is_empty()
                            && !stands_for_placeholder
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
                        self.refs.push(Ref { name: var.name, kind: RefKind::Param, span: var.span });
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
        // a guard that reads no variable (`when true`) is explicit, not an accident
        let Some(guard) = InContext::new(cond, &self.context) else { return };
        // only the groups of constraints the guard's features reach can
        // decide it, each through its table of assignments; the others count
        // as one summary (see `ConstraintGroups`)
        let symbols = self.symbols;
        let constraint_facts = symbols.constraints();
        let groups = constraint_facts.groups();
        let reach = groups.reach(&guard.vars);
        let Some(tables) = groups.tables(&reach, &guard.vars) else { return };
        let outside = groups.outside(&reach);
        let domain = |v: &str| symbols.domain(v);
        let known = constraint_facts.satisfiable();
        let Some(value) = constant_over_tables(&guard, &tables, &outside, known, &domain) else { return };
        // the constraints without which the guard would not be constant (one
        // the guard does not reach never is: without it, the others still
        // hold), by index, in the order of their names
        let mut named: Vec<usize> = if known {
            // each is one that alone excludes an assignment where the guard
            // has the other value: read from the tables, once for all
            alone_excluding(&guard, !value, &tables, &domain).into_iter().collect()
        } else {
            let reached: Vec<(usize, &Cond)> = groups
                .constraints(&reach)
                .into_iter()
                .filter_map(|at| constraint_facts.at(at).map(|(_, c)| (at, c)))
                .collect();
            because_not_known(&guard, value, &tables, &reached, &outside, &domain)
        };
        named.sort_unstable();
        let because =
            named.into_iter().filter_map(|at| constraint_facts.at(at)).map(|(name, _)| name.to_string()).collect();
        let kind = if value { DiagnosticKind::AlwaysTrue { because } } else { DiagnosticKind::AlwaysFalse { because } };
        self.emit(kind.at(span));
    }
}

/// A guard inside its enclosing guards, with the variables they read: what
/// deciding it over the tables reads, gathered once.
struct InContext<'g> {
    cond: &'g Cond,
    context: &'g [Cond],
    /// The variables of `cond`, then of `context`, each once.
    vars: Vec<String>,
}

impl<'g> InContext<'g> {
    /// `None` when `cond` reads no variable.
    fn new(cond: &'g Cond, context: &'g [Cond]) -> Option<Self> {
        let mut all = crate::assignments::Vars::default();
        all.add(cond);
        if all.is_empty() {
            return None;
        }
        for c in context {
            all.add(c);
        }
        Some(InContext { cond, context, vars: all.into_list() })
    }

    /// Whether the enclosing guards hold where `lookup` gives the values.
    fn context_holds(&self, lookup: crate::assignments::Lookup<'_, '_>) -> bool {
        self.context.iter().all(|c| c.holds(lookup))
    }
}

type DomainOf<'d, 'a> = &'a dyn Fn(&str) -> Option<std::borrow::Cow<'d, [String]>>;

/// The constraints of `reached` (by index) without which a guard of constant
/// `value` would not be constant, when the file's constraints are not known
/// to hold together (a file with E0403). Leaving one out may then also cut
/// others off from the guard, and those count only if they hold together
/// with the groups `outside`. So one counts if it alone excludes an
/// assignment where the guard has the other value (read from the tables),
/// or if what leaving it out cuts off does not hold together with the
/// groups outside: what deciding the guard again without each one in turn
/// finds, at the cost of one walk (deciding it again per constraint made
/// 200 constraints and guards take 21 s).
fn because_not_known(
    guard: &InContext<'_>,
    value: bool,
    tables: &[(&Table, Vec<String>)],
    reached: &[(usize, &Cond)],
    outside: &Outside,
    domain: DomainOf<'_, '_>,
) -> Vec<usize> {
    let conds: Vec<&Cond> = reached.iter().map(|(_, c)| *c).collect();
    let alone = alone_excluding(guard, !value, tables, domain);
    let cut_off = crate::ir::cut_off_by_each(&conds, &guard.vars);
    reached
        .iter()
        .zip(&cut_off)
        .filter(|((at, _), cut)| {
            alone.contains(at)
                || !cut.is_empty() && {
                    let separated: Vec<&Cond> = cut.iter().filter_map(|&i| conds.get(i).copied()).collect();
                    !crate::constraint_groups::hold_together(&separated, outside, domain)
                }
        })
        .map(|((at, _), _)| *at)
        .collect()
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
    domain: DomainOf<'d, '_>,
) -> Option<bool> {
    let InContext { mut vars, .. } = InContext::new(cond, context)?;
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
    let domains = domains_of(&vars, domain)?;
    decide(cond, &vars, &domains, &|lookup| {
        context.iter().all(|c| c.holds(lookup)) && connected.iter().all(|c| c.holds(lookup))
    })
}

/// `constant_value` over the groups of constraints a guard reaches, each
/// as its table: the same answer, at the cost of a lookup per assignment of
/// the guard's (and its context's) variables instead of an evaluation of
/// every constraint in every assignment of every variable they reach.
fn constant_over_tables(
    guard: &InContext<'_>,
    tables: &[(&Table, Vec<String>)],
    outside: &Outside,
    known_satisfiable: bool,
    domain: DomainOf<'_, '_>,
) -> Option<bool> {
    if !(known_satisfiable || outside.empty || crate::constraint_groups::hold_together(&[], outside, domain)) {
        return None;
    }
    let domains = domains_of(&guard.vars, domain)?;
    let projections: Vec<Projection<'_>> = tables.iter().map(|(t, vars)| t.projection(vars, false)).collect();
    if !within_limit(&domains, &projections) {
        return None;
    }
    decide(guard.cond, &guard.vars, &domains, &|lookup| {
        guard.context_holds(lookup) && projections.iter().all(|p| p.allows(lookup))
    })
}

/// Each variable's domain; `None` when one has no known domain.
fn domains_of<'d>(vars: &[String], domain: DomainOf<'d, '_>) -> Option<Vec<std::borrow::Cow<'d, [String]>>> {
    vars.iter().map(|v| domain(v)).collect()
}

/// Whether the assignments of the guard's variables (their `domains`) and
/// of the tables' other variables together are few enough to try
/// (`MAX_COMBINATIONS`), as when they were all enumerated.
fn within_limit(domains: &[std::borrow::Cow<'_, [String]>], projections: &[Projection<'_>]) -> bool {
    domains
        .iter()
        .map(|d| d.len().max(1))
        .chain(projections.iter().map(Projection::completions))
        .try_fold(1usize, |total, n| total.checked_mul(n))
        .is_some_and(|n| n <= crate::MAX_COMBINATIONS)
}

/// The value `cond` has in every assignment of `vars` (over `domains`) that
/// is `relevant`: `None` if it varies, if none is, or if there are too many
/// to try.
fn decide(
    cond: &Cond,
    vars: &[String],
    domains: &[std::borrow::Cow<'_, [String]>],
    relevant: &dyn Fn(crate::assignments::Lookup<'_, '_>) -> bool,
) -> Option<bool> {
    let (mut seen_true, mut seen_false, mut any) = (false, false, false);
    let complete = crate::assignments::for_each_assignment(vars, domains, &mut |lookup| {
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

/// The constraints that alone exclude an assignment where the guard's
/// context holds and the guard is `other`: when every constraint is known
/// to hold with the others, leaving out exactly these makes a constant
/// guard vary (the rest still hold together, and the assignments to try
/// are no more). One excludes such an assignment alone when a completion
/// of it in its table fails that constraint only, and every other table
/// has a completion that satisfies its group (the tables share no variable).
fn alone_excluding(
    guard: &InContext<'_>,
    other: bool,
    tables: &[(&Table, Vec<String>)],
    domain: DomainOf<'_, '_>,
) -> rustc_hash::FxHashSet<usize> {
    let mut alone = rustc_hash::FxHashSet::default();
    let Some(domains) = domains_of(&guard.vars, domain) else { return alone };
    let projections: Vec<Projection<'_>> = tables.iter().map(|(t, vars)| t.projection(vars, true)).collect();
    let mut allows = Vec::with_capacity(projections.len());
    crate::assignments::for_each_assignment(&guard.vars, &domains, &mut |lookup| {
        if guard.context_holds(lookup) && guard.cond.holds(lookup) == other {
            allows.clear();
            allows.extend(projections.iter().map(|p| p.allows(lookup)));
            let barred = allows.iter().filter(|a| !**a).count();
            for (p, allowed) in projections.iter().zip(&allows) {
                // every other table has a satisfying completion
                if barred == usize::from(!*allowed) {
                    alone.extend(p.alone(lookup).iter().copied());
                }
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
mod tests;
