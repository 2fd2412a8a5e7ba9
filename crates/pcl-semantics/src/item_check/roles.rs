//! Roles: path, trust, managed, inline and attached policies, boundary.

use super::*;

impl Checker<'_> {
    pub(super) fn role(&mut self, r: &ast::Role) -> Role {
        let fields = r.fields.iter().filter_map(|f| match f {
            ast::RoleField::Item(field) => Some(field),
            _ => None,
        });
        let mut role = Role {
            naming: self.naming(fields, "role"),
            path: None,
            trust: Vec::new(),
            trust_conditions: Vec::new(),
            trust_actions: Vec::new(),
            managed: Vec::new(),
            inline: Vec::new(),
            attach: Vec::new(),
            boundary: None,
        };
        let mut path_span = None;
        let mut boundary_span = None;
        // the first span of each policy inlined and attached, by name (a
        // search of the list so far was quadratic in a role's policies)
        let mut inlined: rustc_hash::FxHashMap<Name, Span> = Default::default();
        let mut attached: rustc_hash::FxHashMap<Name, Span> = Default::default();
        for field in &r.fields {
            match field {
                ast::RoleField::Item(_) => {} // read above
                ast::RoleField::Path(s, span) => {
                    if let Some(first) = path_span {
                        self.duplicate_role_field("path", *span, first);
                        continue;
                    }
                    path_span = Some(*span);
                    let t = self.template(s, ValueUse::Text);
                    let shape = written_shape(s);
                    if let Err(p) = crate::iam::check_iam_path(&shape) {
                        let message = p.message.replace(&shape, &s.display());
                        self.emit(DiagnosticKind::RolePath { message, help: p.help }.at(s.span));
                    }
                    role.path = Some(t);
                }
                ast::RoleField::Trust { kind, values, conditions, actions, .. } => {
                    let (kind, use_) = match kind {
                        ast::PrincipalKind::Service => (PrincipalKind::Service, ValueUse::Text),
                        ast::PrincipalKind::Aws => (PrincipalKind::Aws, ValueUse::AwsPrincipal),
                        ast::PrincipalKind::Federated => (PrincipalKind::Federated, ValueUse::Text),
                    };
                    let list = self.values(values, use_);
                    if !conditions.is_empty() {
                        let mut given = super::statements::KeysGiven::written(conditions.iter());
                        let conditions = conditions.iter().map(|c| self.condition(c, &mut given)).collect();
                        role.trust_conditions.push((role.trust.len(), conditions));
                    }
                    if let Some(actions) = self.trust_actions(actions) {
                        role.trust_actions.push((role.trust.len(), actions));
                    }
                    role.trust.push((kind, list));
                }
                ast::RoleField::Managed { values, .. } => {
                    let list = self.managed(values);
                    role.managed.push(list);
                }
                ast::RoleField::Inline { policy, when, span } | ast::RoleField::Attach { policy, when, span } => {
                    self.resolve(policy, RefKind::Policy);
                    let when = self.guard(when.as_deref());
                    let r = PolicyRef { policy: policy.name, when, span: *span };
                    let inline = matches!(field, ast::RoleField::Inline { .. });
                    let (verb, earlier) = if inline { ("inline", &mut inlined) } else { ("attach", &mut attached) };
                    if let Some(first) = earlier.get(&policy.name) {
                        let kind = DiagnosticKind::DuplicateRolePolicy {
                            verb,
                            policy: policy.name.to_string(),
                            first: *first,
                        };
                        self.emit(kind.at(*span));
                        continue;
                    }
                    earlier.insert(policy.name, *span);
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
                    let when = self.guard(when.as_deref());
                    self.push_context(&when);
                    let value_ir = self.value(value, ValueUse::Arn, false);
                    self.pop_context(&when);
                    // at the value: what the role's checks find of it is placed there
                    role.boundary = Some(GuardedItem { when, value: value_ir, span: value.span() });
                }
            }
        }
        if role.trust.is_empty() {
            self.emit(DiagnosticKind::MissingTrust { role: r.name.name.to_string() }.at(r.name.span));
        }
        // kept as long as the file is open: no spare capacity (a role's one
        // trust entry took the room of four)
        role.trust.shrink_to_fit();
        role.managed.shrink_to_fit();
        role.inline.shrink_to_fit();
        role.attach.shrink_to_fit();
        role
    }

    /// The `action` field of a `trust` block, lowered (its actions are
    /// judged against the principals' kind in each configuration, as
    /// rendered: `content_checks::trust`); `None` without one.
    fn trust_actions(&mut self, fields: &[ast::ActionsField]) -> Option<GList<ActionRef>> {
        let (first, later) = fields.split_first()?;
        for field in later {
            self.emit(
                DiagnosticKind::DuplicateRoleField { item: "trust block", field: "action", first: first.span }
                    .at(field.span),
            );
        }
        if first.negated {
            let kind = DiagnosticKind::IamRule {
                code: Code::TrustAction,
                message: "a trust block grants actions: `notaction` has no place in it".into(),
                label: Some("it would grant every action but these".into()),
                help: Some("write `action` and the actions to grant, such as `sts:TagSession`".into()),
            };
            self.emit(kind.at(first.span));
        }
        if first.list.items.is_empty() {
            let kind = DiagnosticKind::IamRule {
                code: Code::EmptyList,
                message: "the trust block's `action` list is empty".into(),
                label: Some("it grants nothing".into()),
                help: Some("list the session actions to grant, such as `sts:TagSession`, or remove the field".into()),
            };
            self.emit(kind.at(first.span));
        }
        Some(self.actions(&first.list))
    }

    pub(super) fn duplicate_role_field(&mut self, field: &'static str, span: Span, first: Span) {
        self.emit(DiagnosticKind::DuplicateRoleField { item: "role", field, first }.at(span));
    }

    /// A policy's or role's `name` and `description`: each given once, the
    /// written text of each within IAM's rules (what params bring in is
    /// checked once rendered).
    pub(super) fn naming<'f>(
        &mut self,
        fields: impl Iterator<Item = &'f ast::ItemField>,
        item: &'static str,
    ) -> Naming {
        let mut naming = Naming::default();
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for field in fields {
            let keyword = field.keyword();
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == keyword) {
                self.emit(DiagnosticKind::DuplicateRoleField { item, field: keyword, first: *first }.at(field.span()));
                continue;
            }
            seen.push((keyword, field.span()));
            match field {
                ast::ItemField::Name(s, span) => {
                    let t = self.template(s, ValueUse::Text);
                    if let Err(p) = crate::iam::check_iam_name(&written_shape(s), item) {
                        let message = p.message.replace(&written_shape(s), &s.display());
                        self.emit(DiagnosticKind::InvalidName { message, help: p.help }.at(s.span));
                    }
                    naming.name = Some(t);
                    naming.name_span = Some(*span);
                }
                ast::ItemField::Description(s, _) => {
                    let t = self.template(s, ValueUse::Text);
                    if let Err(p) = crate::iam::check_description(&written_shape(s)) {
                        self.emit(DiagnosticKind::InvalidName { message: p.message, help: p.help }.at(s.span));
                    }
                    naming.description = Some(t);
                }
            }
        }
        naming
    }

    /// `partition` and `account` are built into ARNs by name (the issue's
    /// convention): they must exist with their own types.
    pub(super) fn require_param(&mut self, name: &str, span: Span, why: &str) {
        let want = if name == "account" { ScalarType::Account } else { ScalarType::Partition };
        match self.symbols.get(name) {
            Some(Symbol::Unparsed) => {}
            Some(Symbol::Param(ty)) => {
                self.refs.push(Ref { name: name.into(), kind: RefKind::Param, span });
                if let Some(ty) = ty
                    && (ty.list || ty.scalar != want)
                {
                    let kind = DiagnosticKind::BuiltinParamType {
                        why: why.to_string(),
                        name: name.to_string(),
                        ty: *ty,
                        want,
                    };
                    self.emit(kind.at(span));
                }
            }
            _ => self.emit(
                DiagnosticKind::MissingBuiltinParam { why: why.to_string(), name: name.to_string(), want }.at(span),
            ),
        }
    }

    /// Managed policy entries: a bare name is an AWS managed policy.
    pub(super) fn managed(&mut self, values: &ast::ValueList<ValueItem>) -> GList<Value> {
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
            // a set may hold AWS managed policy names, rendered with the
            // partition param: it is used, whatever else the set holds
            // (its type is checked with the set's values, `valuesets_as_arns`)
            ValueItem::SetRef(ident) => {
                if matches!(c.symbols.get("partition"), Some(Symbol::Param(_))) {
                    c.refs.push(Ref { name: "partition".into(), kind: RefKind::Param, span: ident.span });
                }
                c.value(item, ValueUse::Arn, true)
            }
            other => c.value(other, ValueUse::Arn, true),
        })
    }
}

/// A string with each interpolated param as `x`: a value to come (checked
/// once rendered), so that only the written text is judged.
fn written_shape(s: &ast::StrLit) -> String {
    s.parts()
        .map(|p| match p {
            ast::StrPart::Text(t) => t.as_str(),
            // a character every rule accepts: the value is checked once rendered
            ast::StrPart::Interp(..) => "x",
        })
        .collect()
}
