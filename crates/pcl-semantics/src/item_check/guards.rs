//! Guards: expressions lowered to `Cond`, and guards that are always true
//! or false (`tautology`, over `constant_value`).

use super::*;

impl Checker<'_> {
    pub(super) fn guard(&mut self, when: Option<&Expr>) -> Option<Cond> {
        let expr = when?;
        let errors_before = self.diags.len();
        let cond = self.expr(expr);
        // A guard that is already wrong is not also called always-false.
        if self.diags.len() == errors_before {
            self.tautology(&cond, expr.span());
        }
        Some(cond)
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
                        name: ident.name.clone(),
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
                        let kind = DiagnosticKind::NotBoolFeature { name: ident.name.clone(), domain: domain.clone() };
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
                        self.emit(DiagnosticKind::ParamNotComparable { name: var.name.clone() }.at(var.span));
                        None
                    }
                    _ => {
                        self.resolve(var, RefKind::Feature);
                        self.symbols.domain(&var.name)
                    }
                };
                if let Some(domain) = domain
                    && !domain.contains(&value.text)
                {
                    let suggestion = suggest(&value.text, domain.iter().map(String::as_str));
                    let kind = DiagnosticKind::NeverEqual {
                        var: var.name.clone(),
                        value: value.text.clone(),
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
        let named: Vec<(&str, &Cond)> = self.symbols.named_constraints().collect();
        let constraints: Vec<&Cond> = named.iter().map(|(_, c)| *c).collect();
        let symbols = self.symbols;
        let domain = |v: &str| symbols.domain(v);
        let Some(value) = constant_value(cond, &self.context, &constraints, &domain) else { return };
        // the constraints without which the guard would not be constant
        let because: Vec<String> = named
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                let others: Vec<&Cond> =
                    constraints.iter().enumerate().filter(|(j, _)| j != i).map(|(_, c)| *c).collect();
                constant_value(cond, &self.context, &others, &domain) != Some(value)
            })
            .map(|(_, (name, _))| name.to_string())
            .collect();
        let kind = if value { DiagnosticKind::AlwaysTrue { because } } else { DiagnosticKind::AlwaysFalse { because } };
        self.emit(kind.at(span));
    }
}

/// The value `cond` has in every assignment of its variables (and of those
/// of `context` and `constraints`) where `context` and `constraints` hold:
/// `Some(true)` or `Some(false)` if it is constant there, `None` if it
/// varies, if no assignment is relevant, if a variable has no known domain,
/// if there are too many assignments to try, or if `cond` reads no variable
/// at all (`when true` is explicit, not an accident).
pub(crate) fn constant_value<'d>(
    cond: &Cond,
    context: &[Cond],
    constraints: &[&Cond],
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
    for c in constraints {
        c.vars(&mut vars);
    }
    let domains: Vec<std::borrow::Cow<'d, [String]>> = vars.iter().map(|v| domain(v)).collect::<Option<_>>()?;
    let (mut seen_true, mut seen_false, mut relevant) = (false, false, false);
    let complete = crate::variants::for_each_assignment(&vars, &domains, &mut |lookup| {
        let holds = |c: &Cond| c.holds(lookup);
        if context.iter().all(holds) && constraints.iter().all(|c| holds(c)) {
            relevant = true;
            if holds(cond) { seen_true = true } else { seen_false = true }
        }
        if seen_true && seen_false { Flow::Stop } else { Flow::Continue }
    });
    match (complete && relevant, seen_true, seen_false) {
        (true, true, false) => Some(true),
        (true, false, true) => Some(false),
        _ => None,
    }
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
        assert_eq!(constant_value(&is("fsx", "true"), &[], &[], &domain), None);
    }

    #[test]
    fn the_enclosing_guard_decides() {
        let fsx = is("fsx", "true");
        assert_eq!(constant_value(&fsx, std::slice::from_ref(&fsx), &[], &domain), Some(true));
        assert_eq!(constant_value(&not(fsx.clone()), &[fsx], &[], &domain), Some(false));
    }

    #[test]
    fn constraints_decide() {
        // constraint: fsx implies scheduler == slurm
        let constraint = Cond::Or(Box::new(not(is("fsx", "true"))), Box::new(is("scheduler", "slurm")));
        let guard = is("scheduler", "awsbatch");
        assert_eq!(constant_value(&guard, &[is("fsx", "true")], &[&constraint], &domain), Some(false));
        assert_eq!(constant_value(&guard, &[], &[&constraint], &domain), None);
    }

    #[test]
    fn undecidable_or_explicit_guards_are_left_alone() {
        // an unknown variable, already reported elsewhere
        assert_eq!(constant_value(&is("nosuch", "x"), &[], &[], &domain), None);
        // `when true`
        assert_eq!(constant_value(&Cond::Const(true), &[], &[], &domain), None);
        // no configuration is relevant: the context is contradictory
        let fsx = is("fsx", "true");
        assert_eq!(constant_value(&is("batch", "true"), &[fsx.clone(), not(fsx)], &[], &domain), None);
    }
}
