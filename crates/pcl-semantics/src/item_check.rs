//! Checks and lowers one item against the symbol table: names, kinds, types,
//! actions, ARNs, operators, Sids, and guards that are always true or false.
//! All spans produced here are relative to the item.

use pcl_syntax::Span;
use pcl_syntax::ast::{
    self, ActionItem, BodyEntry, Expr, FeatureDomain, ItemKind, StmtField, StrLit, StrPart, ValueItem,
};

use crate::diagnostic::{Code, Diagnostic, suggest};
use crate::iam::{self, Field};
use crate::ir::*;
use crate::symbol_table::{Symbol, Symbols};
use crate::variants::Flow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    Param,
    Feature,
    Include,
    Actionset,
    Valueset,
    Policy,
}

/// A use of another item's name, for unused-item warnings and cycles.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ref {
    pub name: String,
    pub kind: RefKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemAnalysis {
    pub ir: std::sync::Arc<ItemIr>,
    pub diagnostics: Vec<Diagnostic>,
    pub refs: Vec<Ref>,
}

pub fn check(item: &ast::Item, symbols: &Symbols) -> ItemAnalysis {
    let mut c = Checker { symbols, diags: Vec::new(), refs: Vec::new(), context: Vec::new() };
    let ir = match &item.kind {
        ItemKind::Param(p) => ItemIr::Param(c.param(p)),
        ItemKind::Feature(f) => ItemIr::Feature(c.feature(f)),
        ItemKind::Constraint(k) => {
            let cond = c.expr(&k.expr);
            let message = c.plain(&k.message, "a constraint message");
            ItemIr::Constraint { cond, message }
        }
        ItemKind::Permset(p) => ItemIr::Permset(c.entries(&p.entries)),
        ItemKind::Actionset(a) => ItemIr::Actionset(c.actions(&a.actions)),
        ItemKind::Valueset(v) => ItemIr::Valueset(c.valueset(&v.values)),
        ItemKind::Policy(p) => {
            let when = c.guard(p.when.as_ref());
            c.push_context(&when);
            let entries = c.entries(&p.entries);
            c.pop_context(&when);
            ItemIr::Policy { when, entries }
        }
        ItemKind::Role(r) => {
            let when = c.guard(r.when.as_ref());
            c.push_context(&when);
            let role = c.role(r);
            c.pop_context(&when);
            ItemIr::Role { when, role }
        }
    };
    ItemAnalysis { ir: std::sync::Arc::new(ir), diagnostics: c.diags, refs: c.refs }
}

struct Checker<'a> {
    symbols: &'a Symbols,
    diags: Vec<Diagnostic>,
    refs: Vec<Ref>,
    /// Guards enclosing the current position.
    context: Vec<Cond>,
}

impl Checker<'_> {
    fn emit(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn push_context(&mut self, when: &Option<Cond>) {
        if let Some(c) = when {
            self.context.push(c.clone());
        }
    }

    fn pop_context(&mut self, when: &Option<Cond>) {
        if when.is_some() {
            self.context.pop();
        }
    }

    /// Resolves a name that must be of one kind; reports unknown names with a
    /// suggestion and names of the wrong kind.
    fn resolve(&mut self, ident: &ast::Ident, kind: RefKind) -> Option<&Symbol> {
        let symbols = self.symbols;
        let want = |s: &Symbol| match kind {
            RefKind::Param => matches!(s, Symbol::Param(_)),
            RefKind::Feature => matches!(s, Symbol::Feature { .. }),
            RefKind::Include => matches!(s, Symbol::Permset),
            RefKind::Actionset => matches!(s, Symbol::Actionset),
            RefKind::Valueset => matches!(s, Symbol::Valueset),
            RefKind::Policy => matches!(s, Symbol::Policy),
        };
        let kind_name = match kind {
            RefKind::Param => "param",
            RefKind::Feature => "feature",
            RefKind::Include => "permset",
            RefKind::Actionset => "actionset",
            RefKind::Valueset => "valueset",
            RefKind::Policy => "policy",
        };
        self.refs.push(Ref { name: ident.name.clone(), kind, span: ident.span });
        match symbols.get(&ident.name) {
            Some(sym) if want(sym) => Some(sym),
            Some(Symbol::Unparsed) => None,
            Some(sym) => {
                self.emit(
                    Diagnostic::new(
                        Code::WrongKind,
                        ident.span,
                        format!("`{}` is a {}, not a {kind_name}", ident.name, sym.kind_name()),
                    )
                    .with_label(format!("expected a {kind_name}"))
                    .with_help_opt(suggest(&ident.name, symbols.names_where(want))),
                );
                None
            }
            None => {
                let help = suggest(&ident.name, symbols.names_where(want))
                    .or_else(|| Some(format!("declare it with `{kind_name} {} ...`", ident.name)));
                self.emit(
                    Diagnostic::new(Code::UnknownName, ident.span, format!("unknown {kind_name} `{}`", ident.name))
                        .with_label("not defined in this file")
                        .with_help_opt(help),
                );
                None
            }
        }
    }

    fn param_type(&mut self, ident: &ast::Ident) -> Option<ParamType> {
        match self.resolve(ident, RefKind::Param)? {
            Symbol::Param(ty) => *ty,
            _ => None,
        }
    }

    // --- params and features -------------------------------------------------

    fn param(&mut self, p: &ast::Param) -> Param {
        let scalar = match ScalarType::parse(&p.ty.scalar.name) {
            Some(s) => s,
            None => {
                let names = ScalarType::ALL.map(ScalarType::name);
                self.emit(
                    Diagnostic::new(
                        Code::UnknownType,
                        p.ty.scalar.span,
                        format!("unknown type `{}`", p.ty.scalar.name),
                    )
                    .with_help_opt(
                        suggest(&p.ty.scalar.name, names)
                            .or_else(|| Some(format!("the types are {}, and list<T>", names.join(", ")))),
                    ),
                );
                ScalarType::String
            }
        };
        let ty = ParamType { list: p.ty.list, scalar };
        let default = p.default.as_ref().and_then(|lit| self.literal(lit, ty));
        let placeholder = p.placeholder.as_ref().map(|s| self.plain(s, "a placeholder"));
        if default.is_none() && placeholder.is_none() && p.default.is_none() {
            self.emit(
                Diagnostic::new(
                    Code::MissingValue,
                    p.name.span,
                    format!("param `{}` has neither a default nor a placeholder", p.name.name),
                )
                .with_help(format!(
                    "add `placeholder \"<{}>\"` to render it when no value is given",
                    p.name.name.to_uppercase()
                )),
            );
        }
        Param { ty, default, placeholder }
    }

    fn literal(&mut self, lit: &ast::Literal, ty: ParamType) -> Option<ParamValue> {
        match (lit, ty.list) {
            (ast::Literal::Str(s), false) => {
                let v = self.plain(s, "a default");
                self.check_value(&v, ty.scalar, s.span).then_some(ParamValue::One(v))
            }
            (ast::Literal::List(items, _), true) => {
                let mut out = Vec::new();
                for s in items {
                    let v = self.plain(s, "a default");
                    if self.check_value(&v, ty.scalar, s.span) {
                        out.push(v);
                    }
                }
                Some(ParamValue::Many(out))
            }
            (ast::Literal::List(_, span), false) => {
                self.emit(
                    Diagnostic::new(Code::ListForScalar, *span, format!("a list is not a `{ty}`"))
                        .with_label("expected a single value")
                        .with_help(format!("declare the param as `list<{}>`, or give one value", ty.scalar.name())),
                );
                None
            }
            (ast::Literal::Str(s), true) => {
                self.emit(
                    Diagnostic::new(Code::InvalidValue, s.span, format!("the default of a `{ty}` must be a list"))
                        .with_help("write it in brackets: `[\"...\"]`"),
                );
                None
            }
        }
    }

    fn check_value(&mut self, value: &str, ty: ScalarType, span: Span) -> bool {
        match iam::check_scalar_value(ty, value) {
            Ok(()) => true,
            Err(p) => {
                self.emit(Diagnostic::new(Code::InvalidValue, span, p.message).with_help_opt(p.help));
                false
            }
        }
    }

    /// A string that may not interpolate.
    fn plain(&mut self, s: &StrLit, what: &str) -> String {
        match s.as_plain() {
            Some(v) => v,
            None => {
                self.emit(
                    Diagnostic::new(Code::InterpolationType, s.span, format!("{what} cannot interpolate params"))
                        .with_help("write the text literally, or `\\${` for a literal `${`"),
                );
                s.display()
            }
        }
    }

    fn feature(&mut self, f: &ast::Feature) -> Feature {
        let (domain, is_bool) = match &f.domain {
            FeatureDomain::Bool(_) => (vec!["false".to_string(), "true".to_string()], true),
            FeatureDomain::Enum(values) => {
                let mut domain: Vec<String> = Vec::new();
                for v in values {
                    if domain.contains(&v.name) {
                        self.emit(
                            Diagnostic::new(Code::DuplicateName, v.span, format!("`{}` is listed twice", v.name))
                                .with_help("remove the repeated value"),
                        );
                    } else {
                        domain.push(v.name.clone());
                    }
                }
                (domain, false)
            }
        };
        if !domain.contains(&f.default.name) {
            self.emit(
                Diagnostic::new(
                    Code::ValueOutsideDomain,
                    f.default.span,
                    format!("`{}` is not a value of feature `{}`", f.default.name, f.name.name),
                )
                .with_label(format!("expected one of {}", domain.join(", ")))
                .with_help_opt(suggest(&f.default.name, domain.iter().map(String::as_str))),
            );
        }
        Feature { default: f.default.name.clone(), domain, is_bool }
    }

    // --- expressions and guards ----------------------------------------------

    fn guard(&mut self, when: Option<&Expr>) -> Option<Cond> {
        let expr = when?;
        let errors_before = self.diags.len();
        let cond = self.expr(expr);
        // A guard that is already wrong is not also called always-false.
        if self.diags.len() == errors_before {
            self.tautology(&cond, expr.span());
        }
        Some(cond)
    }

    fn expr(&mut self, e: &Expr) -> Cond {
        match e {
            Expr::Bool(b, _) => Cond::Const(*b),
            Expr::Var(ident) => {
                match self.symbols.get(&ident.name) {
                    Some(Symbol::Feature { is_bool: true, .. }) => {
                        self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Feature, span: ident.span });
                    }
                    Some(Symbol::Feature { domain, .. }) => {
                        let first = domain.first().cloned().unwrap_or_default();
                        self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Feature, span: ident.span });
                        self.emit(
                            Diagnostic::new(
                                Code::WrongKind,
                                ident.span,
                                format!("`{}` is not a bool feature", ident.name),
                            )
                            .with_label(format!("it takes one of {}", domain.join(", ")))
                            .with_help(format!("compare it with a value: `{} == {first}`", ident.name)),
                        );
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
                    Some(Symbol::Param(_)) => {
                        self.refs.push(Ref { name: var.name.clone(), kind: RefKind::Param, span: var.span });
                        self.emit(
                            Diagnostic::new(
                                Code::WrongKind,
                                var.span,
                                format!("param `{}` cannot be compared", var.name),
                            )
                            .with_label("only features and the `partition` param have a known value")
                            .with_help("guard on a feature instead"),
                        );
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
                    self.emit(
                        Diagnostic::new(
                            Code::ValueOutsideDomain,
                            value.span,
                            format!("`{}` can never equal `{}`", var.name, value.text),
                        )
                        .with_label(format!("`{}` is one of {}", var.name, domain.join(", ")))
                        .with_help_opt(
                            suggest(&value.text, domain.iter().map(String::as_str))
                                .or_else(|| Some(format!("compare with one of {}", domain.join(", ")))),
                        ),
                    );
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
    fn tautology(&mut self, cond: &Cond, span: Span) {
        let mut vars = Vec::new();
        cond.vars(&mut vars);
        if vars.is_empty() {
            return; // `when true` is explicit, not an accident
        }
        for c in &self.context {
            c.vars(&mut vars);
        }
        let constraints: Vec<&Cond> = self.symbols.constraints().collect();
        for c in &constraints {
            c.vars(&mut vars);
        }
        let mut domains = Vec::new();
        for v in &vars {
            match self.symbols.domain(v) {
                Some(d) => domains.push(d),
                None => return, // an unknown name, already reported
            }
        }
        let (mut seen_true, mut seen_false, mut relevant) = (false, false, false);
        let ok = crate::variants::for_each_assignment(&vars, &domains, &mut |lookup| {
            let holds = |c: &Cond| c.eval(lookup);
            if self.context.iter().all(holds) && constraints.iter().all(|c| holds(c)) {
                relevant = true;
                if holds(cond) { seen_true = true } else { seen_false = true }
            }
            if seen_true && seen_false { Flow::Stop } else { Flow::Continue }
        });
        if !ok || !relevant {
            return;
        }
        if !seen_false {
            self.emit(
                Diagnostic::new(Code::AlwaysTrue, span, "this guard is always true")
                    .with_label("true in every configuration where it is evaluated")
                    .with_help("remove the `when` clause, or check the enclosing guards and constraints"),
            );
        } else if !seen_true {
            self.emit(
                Diagnostic::new(Code::AlwaysFalse, span, "this guard is always false")
                    .with_label("false in every configuration where it is evaluated")
                    .with_help("what it guards is never rendered; remove it or fix the condition"),
            );
        }
    }

    // --- statements ------------------------------------------------------------

    fn entries(&mut self, entries: &[BodyEntry]) -> Vec<Entry> {
        entries
            .iter()
            .map(|e| match e {
                BodyEntry::Include(inc) => {
                    self.resolve(&inc.target, RefKind::Include);
                    let when = self.guard(inc.when.as_ref());
                    Entry::Include { target: inc.target.name.clone(), when, span: inc.span }
                }
                BodyEntry::Statement(s) => Entry::Statement(self.statement(s)),
            })
            .collect()
    }

    fn statement(&mut self, s: &ast::Statement) -> Statement {
        let sid = s.sid.as_ref().map(|sid| {
            let text = self.plain(sid, "a Sid");
            if sid.as_plain().is_none() {
                // One error for the interpolation; its params still count as used.
                for part in &sid.parts {
                    if let StrPart::Interp(ident) = part {
                        self.refs.push(Ref { name: ident.name.clone(), kind: RefKind::Param, span: ident.span });
                    }
                }
            } else if let Err(p) = iam::check_sid(&text) {
                self.emit(Diagnostic::new(Code::InvalidSid, sid.span, p.message).with_help_opt(p.help));
            }
            (text, sid.span)
        });
        let when = self.guard(s.when.as_ref());
        self.push_context(&when);
        let mut action: Option<(bool, GList<ActionRef>, Span)> = None;
        let mut resource: Option<(bool, GList<Value>, Span)> = None;
        let mut conditions = Vec::new();
        for field in &s.fields {
            match field {
                StmtField::Action { negated, list, span } => {
                    let lowered = self.actions(list);
                    if let Some((_, _, first)) = &action {
                        let first = *first;
                        self.duplicate_field("action", "notaction", *span, first);
                    } else {
                        action = Some((*negated, lowered, *span));
                    }
                }
                StmtField::Resource { negated, list, span } => {
                    let lowered = self.values(list, ValueUse::Arn);
                    if let Some((_, _, first)) = &resource {
                        let first = *first;
                        self.duplicate_field("resource", "notresource", *span, first);
                    } else {
                        resource = Some((*negated, lowered, *span));
                    }
                }
                StmtField::Condition(c) => conditions.push(self.condition(c)),
            }
        }
        self.pop_context(&when);
        let (not_action, actions) = match action {
            Some((n, l, _)) => (n, l),
            None => {
                self.missing_field("action", s.effect_span);
                (false, GList { items: Vec::new(), scalar: false, span: s.span })
            }
        };
        let (not_resource, resources) = match resource {
            Some((n, l, _)) => (n, l),
            None => {
                self.missing_field("resource", s.effect_span);
                (false, GList { items: Vec::new(), scalar: false, span: s.span })
            }
        };
        let effect = match s.effect {
            ast::Effect::Allow => Effect::Allow,
            ast::Effect::Deny => Effect::Deny,
        };
        Statement { sid, effect, when, not_action, actions, not_resource, resources, conditions, span: s.effect_span }
    }

    fn duplicate_field(&mut self, field: &str, negated: &str, span: Span, first: Span) {
        self.emit(
            Diagnostic::new(Code::DuplicateField, span, format!("a statement has one `{field}` or `{negated}`"))
                .with_label("second one here")
                .with_secondary(first, "first one here")
                .with_help(format!("merge the lists; a statement cannot have both `{field}` and `{negated}`")),
        );
    }

    fn missing_field(&mut self, field: &str, span: Span) {
        let example = if field == "action" { "action [service:Action];" } else { "resource \"*\";" };
        self.emit(
            Diagnostic::new(Code::MissingField, span, format!("statement has no `{field}`"))
                .with_help(format!("add e.g. `{example}` (or `not{field}`)")),
        );
    }

    /// Lowers a list item by item, checking each item's guard.
    fn guarded<T, U>(
        &mut self,
        list: &ast::ValueList<T>,
        scalar: bool,
        mut lower: impl FnMut(&mut Self, &T) -> U,
    ) -> GList<U> {
        let mut items = Vec::new();
        for g in &list.items {
            let value = lower(self, &g.item);
            let when = self.guard(g.when.as_ref());
            items.push(GuardedItem { when, value, span: g.span });
        }
        GList { items, scalar, span: list.span }
    }

    fn actions(&mut self, list: &ast::ValueList<ActionItem>) -> GList<ActionRef> {
        self.guarded(list, !list.bracketed, |c, item| match item {
            ActionItem::SetRef(ident) => {
                c.resolve(ident, RefKind::Actionset);
                ActionRef::Set(ident.name.clone())
            }
            ActionItem::Name(name, span) => {
                if let Err(p) = iam::check_action(name) {
                    c.emit(Diagnostic::new(Code::MalformedAction, *span, p.message).with_help_opt(p.help));
                }
                ActionRef::Name(name.clone())
            }
        })
    }

    fn condition(&mut self, c: &ast::Condition) -> ConditionEntry {
        if let Err(p) = iam::check_operator(&c.operator.name) {
            self.emit(
                Diagnostic::new(Code::UnknownOperator, c.operator.span, p.message)
                    .with_label("not an IAM condition operator")
                    .with_help_opt(p.help),
            );
        }
        let key = self.plain(&c.key, "a condition key");
        let when = self.guard(c.when.as_ref());
        self.push_context(&when);
        let use_ = if iam::is_arn_operator(&c.operator.name) { ValueUse::Arn } else { ValueUse::Text };
        let values = self.values(&c.values, use_);
        self.pop_context(&when);
        ConditionEntry { operator: c.operator.name.clone(), key, values, when, span: c.span }
    }

    fn values(&mut self, list: &ast::ValueList<ValueItem>, use_: ValueUse) -> GList<Value> {
        self.guarded(list, !list.bracketed, |c, item| c.value(item, use_, true))
    }

    /// A valueset does not know where it is spliced, so its strings are
    /// checked as ARNs when they look like one.
    fn valueset(&mut self, list: &ast::ValueList<ValueItem>) -> GList<Value> {
        self.guarded(list, false, |c, item| {
            let use_ = match item {
                ValueItem::Str(s) if s.display().starts_with("arn:") => ValueUse::Arn,
                _ => ValueUse::Text,
            };
            c.value(item, use_, true)
        })
    }

    /// A value: a bare param (spliced if it is a list and `list_ok`) or a string.
    fn value(&mut self, item: &ValueItem, use_: ValueUse, list_ok: bool) -> Value {
        match item {
            ValueItem::Param(ident) => {
                if let Some(ty) = self.param_type(ident) {
                    if ty.list && !list_ok {
                        self.list_for_scalar(ident, ty);
                    }
                    if use_ == ValueUse::Arn && !matches!(ty.scalar, ScalarType::Arn) {
                        self.emit(
                            Diagnostic::new(
                                Code::InterpolationType,
                                ident.span,
                                format!("`{}` is of type `{ty}`, but an ARN is expected here", ident.name),
                            )
                            .with_help("declare the param with type `arn`, or write the ARN as a string"),
                        );
                    }
                }
                Value::Param(ident.name.clone())
            }
            ValueItem::Str(s) => Value::Text(self.template(s, use_)),
            ValueItem::SetRef(ident) => {
                self.resolve(ident, RefKind::Valueset);
                if !list_ok {
                    self.emit(
                        Diagnostic::new(
                            Code::ListForScalar,
                            ident.span,
                            format!("valueset `{}` is a list, but one value is expected here", ident.name),
                        )
                        .with_help("use a single string or a param of type `arn`"),
                    );
                }
                Value::Set(ident.name.clone())
            }
        }
    }

    fn list_for_scalar(&mut self, ident: &ast::Ident, ty: ParamType) {
        self.emit(
            Diagnostic::new(
                Code::ListForScalar,
                ident.span,
                format!("`{}` is a list (`{ty}`), but one value is expected here", ident.name),
            )
            .with_label("a list where a single value is expected")
            .with_help(format!("declare it as `{}`, or use it where a list is allowed", ty.scalar.name())),
        );
    }

    fn template(&mut self, s: &StrLit, use_: ValueUse) -> Template {
        let mut parts = Vec::new();
        let mut typed = Vec::new();
        for part in &s.parts {
            match part {
                StrPart::Text(t) => {
                    parts.push(TextPart::Lit(t.clone()));
                    typed.push(None);
                }
                StrPart::Interp(ident) => {
                    let ty = self.param_type(ident);
                    if let Some(ty) = ty
                        && ty.list
                    {
                        self.emit(
                            Diagnostic::new(
                                Code::ListForScalar,
                                ident.span,
                                format!("list param `{}` cannot be interpolated into a string", ident.name),
                            )
                            .with_label(format!("`{}` is a `{ty}`", ident.name))
                            .with_help(format!(
                                "write `{}` as a list item of its own to splice its values",
                                ident.name
                            )),
                        );
                    }
                    parts.push(TextPart::Param(ident.name.clone()));
                    typed.push(Some((ty.map(|t| t.scalar), ident)));
                }
            }
        }
        if use_ == ValueUse::Arn {
            self.check_arn_template(s, &parts, &typed);
        }
        Template { parts }
    }

    fn check_arn_template(
        &mut self,
        s: &StrLit,
        parts: &[TextPart],
        typed: &[Option<(Option<ScalarType>, &ast::Ident)>],
    ) {
        // `*`, or exactly one interpolated ARN param.
        if let [TextPart::Lit(t)] = parts
            && t == "*"
        {
            return;
        }
        if let [Some((ty, _))] = typed
            && matches!(ty, Some(ScalarType::Arn) | None)
        {
            return;
        }
        // Split into the six fields; `${...}` never contains `:`. Each field
        // keeps its source span, so that a problem points at the field.
        let mut fields: Vec<Vec<FieldPart<'_>>> = vec![Vec::new()];
        let mut spans: Vec<Option<Span>> = vec![None];
        let widen = |spans: &mut Vec<Option<Span>>, add: Span| {
            if let Some(last) = spans.last_mut() {
                *last = Some(last.map_or(add, |s| s.to(add)));
            }
        };
        for ((part, ty), source) in parts.iter().zip(typed).zip(&s.part_spans) {
            match (part, ty) {
                (TextPart::Lit(t), _) => {
                    // escapes make source and text lengths differ: then the
                    // whole part is the best span we have
                    let linear = t.len() == source.range().len();
                    let mut offset = 0;
                    for (n, piece) in t.split(':').enumerate() {
                        if n > 0 {
                            fields.push(Vec::new());
                            spans.push(None);
                        }
                        let at = source.start as usize + offset;
                        let piece_span = if linear { Span::new(at, at + piece.len()) } else { *source };
                        if !piece.is_empty() {
                            if let Some(f) = fields.last_mut() {
                                f.push((Some(piece), None));
                            }
                            widen(&mut spans, piece_span);
                        } else if n > 0 && linear {
                            // an empty field: point at the `:` that opens it
                            widen(&mut spans, Span::new(at.saturating_sub(1), at));
                        }
                        offset += piece.len() + 1;
                    }
                }
                (TextPart::Param(_), Some((ty, ident))) => {
                    if let Some(f) = fields.last_mut() {
                        f.push((None, Some((*ty, ident.name.as_str()))));
                    }
                    widen(&mut spans, *source);
                }
                (TextPart::Param(_), None) => {}
            }
        }
        if fields.len() < 6 {
            let shown = s.display();
            self.emit(
                Diagnostic::new(Code::MalformedArn, s.span, format!("`{shown}` is not an ARN"))
                    .with_label(if shown.starts_with("arn:") {
                        format!("{} fields, expected 6: `arn:partition:service:region:account:resource`", fields.len())
                    } else {
                        "expected an ARN or `*`".to_string()
                    })
                    .with_help(if shown.starts_with("arn:") {
                        "an ARN has six `:`-separated fields; empty region or account fields are written `::`"
                    } else {
                        "resources are ARNs, `*`, or params of type `arn`"
                    }),
            );
            return;
        }
        if fields.iter().take(5).flatten().any(|(_, p)| matches!(p, Some((None, _)))) {
            return; // a param of unknown type, already reported
        }
        let field = |idx: usize| -> Field<'_> {
            match fields.get(idx).map(Vec::as_slice).unwrap_or(&[]) {
                [] => Field::Text(""),
                [(Some(t), None)] => Field::Text(t),
                [(None, Some((Some(ty), name)))] => Field::Param(*ty, name),
                _ => Field::Mixed,
            }
        };
        let arn_text = match field(0) {
            Field::Text(t) => t,
            _ => "",
        };
        let resource_empty = fields.iter().skip(5).all(Vec::is_empty);
        if let Err(p) = iam::check_fields(arn_text, &field(1), &field(2), &field(3), &field(4), resource_empty) {
            let code = if p.type_mismatch { Code::InterpolationType } else { Code::MalformedArn };
            let field_span = p.field.and_then(|f| spans.get(f).copied().flatten()).unwrap_or(s.span);
            let label = match p.field {
                Some(0) => "the ARN prefix",
                Some(1) => "the partition field",
                Some(2) => "the service field",
                Some(3) => "the region field",
                Some(4) => "the account field",
                _ => "in this ARN",
            };
            self.emit(Diagnostic::new(code, field_span, p.message).with_label(label).with_help_opt(p.help));
        }
    }

    // --- roles -------------------------------------------------------------------

    fn role(&mut self, r: &ast::Role) -> Role {
        let mut role = Role {
            path: None,
            trust: Vec::new(),
            managed: Vec::new(),
            inline: Vec::new(),
            attach: Vec::new(),
            boundary: None,
        };
        let mut path_span = None;
        let mut boundary_span = None;
        for field in &r.fields {
            match field {
                ast::RoleField::Path(s, span) => {
                    if let Some(first) = path_span {
                        self.duplicate_role_field("path", *span, first);
                        continue;
                    }
                    path_span = Some(*span);
                    let t = self.template(s, ValueUse::Text);
                    let shown = s.display();
                    if !(shown.starts_with('/') && shown.ends_with('/')) {
                        self.emit(
                            Diagnostic::new(
                                Code::InvalidValue,
                                s.span,
                                format!("role path `{shown}` must start and end with `/`"),
                            )
                            .with_help("e.g. `/parallelcluster/`"),
                        );
                    }
                    role.path = Some(t);
                }
                ast::RoleField::Trust { kind, values, .. } => {
                    let kind = match kind {
                        ast::PrincipalKind::Service => PrincipalKind::Service,
                        ast::PrincipalKind::Aws => PrincipalKind::Aws,
                        ast::PrincipalKind::Federated => PrincipalKind::Federated,
                    };
                    let list = self.values(values, ValueUse::Text);
                    role.trust.push((kind, list));
                }
                ast::RoleField::Managed { values, .. } => {
                    let list = self.managed(values);
                    role.managed.push(list);
                }
                ast::RoleField::Inline { policy, when, span } | ast::RoleField::Attach { policy, when, span } => {
                    self.resolve(policy, RefKind::Policy);
                    let when = self.guard(when.as_ref());
                    let r = PolicyRef { policy: policy.name.clone(), when, span: *span };
                    let inline = matches!(field, ast::RoleField::Inline { .. });
                    let (verb, earlier) = if inline { ("inline", &role.inline) } else { ("attach", &role.attach) };
                    if let Some(first) = earlier.iter().find(|e| e.policy == policy.name) {
                        let first = first.span;
                        self.emit(
                            Diagnostic::new(
                                Code::DuplicateField,
                                *span,
                                format!("`{verb} {}` is given twice", policy.name),
                            )
                            .with_label("second one here")
                            .with_secondary(first, "first one here")
                            .with_help("a role lists each policy once; guard one entry with both conditions instead"),
                        );
                        continue;
                    }
                    if inline {
                        role.inline.push(r);
                    } else {
                        self.require_param("partition", policy.span, "`attach` builds a policy ARN");
                        self.require_param("account", policy.span, "`attach` builds a policy ARN");
                        role.attach.push(r);
                    }
                }
                ast::RoleField::Boundary { value, when, span } => {
                    if let Some(first) = boundary_span {
                        self.duplicate_role_field("boundary", *span, first);
                        continue;
                    }
                    boundary_span = Some(*span);
                    let value_ir = self.value(value, ValueUse::Arn, false);
                    let when = self.guard(when.as_ref());
                    role.boundary = Some(GuardedItem { when, value: value_ir, span: *span });
                }
            }
        }
        if role.trust.is_empty() {
            self.emit(
                Diagnostic::new(
                    Code::MissingField,
                    r.name.span,
                    format!("role `{}` has no `trust` principal", r.name.name),
                )
                .with_help("add e.g. `trust service \"ec2.amazonaws.com\";`"),
            );
        }
        role
    }

    fn duplicate_role_field(&mut self, field: &str, span: Span, first: Span) {
        self.emit(
            Diagnostic::new(Code::DuplicateField, span, format!("a role has one `{field}`"))
                .with_label("second one here")
                .with_secondary(first, "first one here")
                .with_help("remove one of them"),
        );
    }

    /// `partition` and `account` are built into ARNs by name (the issue's
    /// convention): they must exist with their own types.
    fn require_param(&mut self, name: &str, span: Span, why: &str) {
        let want = if name == "account" { ScalarType::Account } else { ScalarType::Partition };
        match self.symbols.get(name) {
            Some(Symbol::Unparsed) => {}
            Some(Symbol::Param(ty)) => {
                self.refs.push(Ref { name: name.to_string(), kind: RefKind::Param, span });
                if let Some(ty) = ty
                    && (ty.list || ty.scalar != want)
                {
                    self.emit(
                        Diagnostic::new(
                            Code::InterpolationType,
                            span,
                            format!("{why} with param `{name}` of type `{ty}`; it must be of type `{}`", want.name()),
                        )
                        .with_help(format!("declare `param {name}: {} ...;`", want.name())),
                    );
                }
            }
            _ => self.emit(
                Diagnostic::new(Code::UnknownName, span, format!("{why}, which needs a param named `{name}`"))
                    .with_help(format!("declare `param {name}: {} ...;`", want.name())),
            ),
        }
    }

    /// Managed policy entries: a bare name is an AWS managed policy.
    fn managed(&mut self, values: &ast::ValueList<ValueItem>) -> GList<Value> {
        self.guarded(values, false, |c, item| match item {
            // a plain name (no interpolation, no `arn:`) is an AWS managed policy
            ValueItem::Str(s) if s.as_plain().is_some_and(|t| !t.starts_with("arn:")) => {
                c.require_param("partition", s.span, "an AWS managed policy name becomes an ARN");
                let mut parts = vec![
                    TextPart::Lit("arn:".into()),
                    TextPart::Param("partition".into()),
                    TextPart::Lit(":iam::aws:policy/".into()),
                ];
                parts.extend(c.template(s, ValueUse::Text).parts);
                Value::Text(Template { parts })
            }
            other => c.value(other, ValueUse::Arn, true),
        })
    }
}

/// A piece of one ARN field: literal text, or a param and its type.
type FieldPart<'a> = (Option<&'a str>, Option<(Option<ScalarType>, &'a str)>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueUse {
    Text,
    Arn,
}
