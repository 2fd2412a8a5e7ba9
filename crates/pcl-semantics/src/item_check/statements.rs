//! Statements and includes: fields, Sids, actions and conditions.

use super::*;

impl Checker<'_> {
    pub(super) fn entries(&mut self, entries: &[BodyEntry]) -> Vec<Entry> {
        entries
            .iter()
            .map(|e| match e {
                BodyEntry::Include(inc) => {
                    self.resolve(&inc.target, RefKind::Include);
                    let when = self.guard(inc.when.as_deref());
                    Entry::Include { target: inc.target.name, when, span: inc.span }
                }
                BodyEntry::Statement(s) => Entry::Statement(self.statement(s)),
                BodyEntry::Block(b) => {
                    let condition = self.condition(&b.condition, &mut KeysGiven::none());
                    Entry::Block { condition, entries: self.entries(&b.entries) }
                }
            })
            .collect()
    }

    pub(super) fn statement(&mut self, s: &ast::Statement) -> Statement {
        let sid = s.sid.as_ref().map(|sid| {
            let text = self.plain(sid, "a Sid");
            if sid.as_plain().is_none() {
                // One error for the interpolation; its params still count as used.
                for part in sid.parts() {
                    if let StrPart::Interp(ident, _) = part {
                        self.refs.push(Ref { name: ident.name, kind: RefKind::Param, span: ident.span });
                    }
                }
            } else if let Err(p) = iam::check_sid(&text) {
                let kind = DiagnosticKind::IamRule {
                    code: Code::InvalidSid,
                    message: p.message,
                    label: Some("IAM allows only A-Z, a-z and 0-9 in a Sid".into()),
                    help: p.help,
                };
                self.emit(kind.at(sid.span));
            }
            (text, sid.span)
        });
        let when = self.guard(s.when.as_deref());
        self.push_context(&when);
        let mut action: Option<(bool, GList<ActionRef>, Span)> = None;
        let mut resource: Option<(bool, GList<Value>, Span)> = None;
        let mut conditions = Vec::new();
        let mut given = KeysGiven::written(s.fields.iter().filter_map(|f| match f {
            StmtField::Condition(c) => Some(&**c),
            _ => None,
        }));
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
                StmtField::Condition(c) => conditions.push(self.condition(c, &mut given)),
            }
        }
        self.pop_context(&when);
        let (not_action, actions) = match action {
            Some((n, l, _)) => (n, l),
            None => {
                self.missing_field("action", s.effect_span);
                (false, GList { items: Box::new([]), scalar: false, span: s.span })
            }
        };
        let (not_resource, resources) = match resource {
            Some((n, l, _)) => (n, l),
            None => {
                self.missing_field("resource", s.effect_span);
                (false, GList { items: Box::new([]), scalar: false, span: s.span })
            }
        };
        let effect = match s.effect {
            ast::Effect::Allow => Effect::Allow,
            ast::Effect::Deny => Effect::Deny,
        };
        Statement {
            sid: sid.map(|(text, span)| (text.into(), span)),
            effect,
            when,
            not_action,
            actions,
            not_resource,
            resources,
            // exact: the IR is kept as long as the file is open
            conditions: conditions.into_boxed_slice(),
            span: s.effect_span,
        }
    }

    pub(super) fn duplicate_field(&mut self, field: &'static str, negated: &'static str, span: Span, first: Span) {
        self.emit(DiagnosticKind::DuplicateStatementField { field, negated, first }.at(span));
    }

    pub(super) fn missing_field(&mut self, field: &'static str, span: Span) {
        self.emit(DiagnosticKind::MissingStatementField { field }.at(span));
    }

    /// Lowers a list item by item, checking each item's guard.
    pub(super) fn guarded<T: Written, U>(
        &mut self,
        list: &ast::ValueList<T>,
        scalar: bool,
        mut lower: impl FnMut(&mut Self, &T) -> U,
    ) -> GList<U> {
        let mut items = Vec::with_capacity(list.items.len());
        for g in &list.items {
            // the item's own guard is around it (an optional param needs it)
            let when = self.guard(g.when.as_deref());
            self.push_context(&when);
            let value = lower(self, &g.item);
            self.pop_context(&when);
            // the item as written, its guard included: the parse's span of a
            // list item runs on over the white space and comments after it
            // (`"a"` and the line break before a `]` on the next line)
            let end = g.when.as_deref().map_or_else(|| g.item.end(), |when| when.span().end);
            let span = Span { start: g.span.start, end: end.clamp(g.span.start, g.span.end) };
            items.push(GuardedItem { when, value, span });
        }
        GList { items: items.into_boxed_slice(), scalar, span: list.span }
    }

    pub(super) fn actions(&mut self, list: &ast::ValueList<ActionItem>) -> GList<ActionRef> {
        self.guarded(list, !list.bracketed, |c, item| match item {
            ActionItem::SetRef(ident) => {
                c.resolve(ident, RefKind::Actionset);
                ActionRef::Set(ident.name)
            }
            ActionItem::Name(name, span) => {
                if let Err(p) = iam::check_action(name) {
                    let kind = DiagnosticKind::IamRule {
                        code: Code::MalformedAction,
                        message: p.message,
                        label: Some("an action is `service:ActionName`".into()),
                        help: p.help,
                    };
                    c.emit(kind.at(*span));
                } else if let Err((why, p)) = iam::catalog::check_known_action(name) {
                    let (code, label) = match why {
                        iam::catalog::UnknownAction::Service => (Code::UnknownService, "not a service prefix"),
                        iam::catalog::UnknownAction::Action => (Code::UnknownAction, "not in the IAM catalog"),
                        iam::catalog::UnknownAction::NoMatch => (Code::PatternMatchesNothing, "grants nothing"),
                    };
                    let kind =
                        DiagnosticKind::IamRule { code, message: p.message, label: Some(label.into()), help: p.help };
                    c.emit(kind.at(*span));
                }
                ActionRef::Name(*name)
            }
        })
    }

    /// A condition, in a statement or trust field whose conditions give
    /// the keys `given` (see `not_suggesting_a_key_given`).
    pub(super) fn condition(&mut self, c: &ast::Condition, given: &mut KeysGiven) -> ConditionEntry {
        if let Err(p) = iam::check_operator(&c.operator.name) {
            let kind = DiagnosticKind::IamRule {
                code: Code::UnknownOperator,
                message: p.message,
                label: Some("not an IAM condition operator".into()),
                help: p.help,
            };
            self.emit(kind.at(c.operator.span));
        }
        let plain = c.key.as_plain();
        if let Some((problem, suggested)) = plain.as_deref().and_then(crate::content_checks::condition_key_problem) {
            self.emit(not_suggesting_a_key_given(problem, suggested, c, given).at(c.key.span));
        }
        let when = self.guard(c.when.as_deref());
        // inside the guard: an optional param in the key needs it, as in the values
        self.push_context(&when);
        let key = match plain {
            Some(key) => ConditionKey::Plain(key.into()),
            // judged as rendered, in each configuration (`content_checks`)
            None => ConditionKey::Interpolated(Box::new(self.template(&c.key, ValueUse::Text))),
        };
        let use_ = if iam::is_arn_operator(&c.operator.name) { ValueUse::Arn } else { ValueUse::Text };
        let values = self.values(&c.values, use_);
        self.pop_context(&when);
        ConditionEntry { operator: c.operator.name, key, values, when, span: c.span }
    }
}

/// The keys a statement's (or trust field's) conditions give, by operator:
/// those written out, then each key a "did you mean" suggests
/// (`not_suggesting_a_key_given`), and whether it was suggested.
pub(super) struct KeysGiven(Vec<(String, String, bool)>);

impl KeysGiven {
    /// The keys written out in `conditions`.
    pub(super) fn written<'c>(conditions: impl Iterator<Item = &'c ast::Condition>) -> KeysGiven {
        KeysGiven(conditions.filter_map(|c| Some((c.operator.name.to_string(), c.key.as_plain()?, false))).collect())
    }

    /// None: a `with condition` block's, which is judged alone.
    pub(super) fn none() -> KeysGiven {
        KeysGiven(Vec::new())
    }

    /// The operator `key` is given under, if it is under `operator`, and
    /// whether only as a suggestion. An operator IAM does not know may be
    /// fixed into any other (E0302's suggestion, taken in the same `--fix`
    /// pass: a review found two keys made one so), so it matches every
    /// operator.
    fn holds(&self, operator: &str, key: &str) -> Option<(&str, bool)> {
        let unknown = |o: &str| iam::check_operator(o).is_err();
        let same = |o: &str| o.eq_ignore_ascii_case(operator) || unknown(o) || unknown(operator);
        let mut found = self.0.iter().filter(|(o, k, _)| same(o) && k.eq_ignore_ascii_case(key));
        let first = found.next()?;
        Some((first.0.as_str(), first.2 && found.all(|(_, _, suggested)| *suggested)))
    }
}

/// `problem` (of `c`'s key), but for its "did you mean" (`suggested`) when
/// that names a key `given` under the same operator (written beside it, or
/// suggested for another key before it): taken, the suggestion would make
/// E0315 (a review found `check --fix --unsafe-fixes` turn a passing file
/// into a failing one so), so it is named without being suggested. A
/// suggestion made is added to `given`. Within one statement or trust
/// field only: a key a `with condition` block around it gives, or an
/// includer's, is not seen.
fn not_suggesting_a_key_given(
    problem: DiagnosticKind,
    suggested: Option<&str>,
    c: &ast::Condition,
    given: &mut KeysGiven,
) -> DiagnosticKind {
    let Some(key) = suggested else { return problem };
    let operator = &c.operator.name;
    let taken = crate::content_checks::given_twice_is_an_error(operator).then(|| given.holds(operator, key)).flatten();
    let help = match taken {
        Some((under, false)) => format!(
            "the nearest key IAM knows, `{key}`, is given under `{under}` here already: name another key, or write its values in that condition"
        ),
        Some((under, true)) => format!(
            "the nearest key IAM knows, `{key}`, is the one suggested for another key under `{under}` here: name the key meant"
        ),
        None => {
            given.0.push((operator.to_string(), key.to_string(), true));
            return problem;
        }
    };
    match problem {
        DiagnosticKind::IamRule { code, message, label, .. } => {
            DiagnosticKind::IamRule { code, message, label, help: Some(help) }
        }
        other => other,
    }
}

/// Where a list item, as written, ends: what findings about one value
/// point at (E0316, W0512).
pub(super) trait Written {
    fn end(&self) -> u32;
}

impl Written for ValueItem {
    fn end(&self) -> u32 {
        self.span().end
    }
}

impl Written for ActionItem {
    fn end(&self) -> u32 {
        match self {
            ActionItem::SetRef(ident) => ident.span.end,
            ActionItem::Name(_, span) => span.end,
        }
    }
}
