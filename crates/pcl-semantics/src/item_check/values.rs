//! Values: resources, condition values, valuesets and string templates.

use super::*;

impl Checker<'_> {
    pub(super) fn values(&mut self, list: &ast::ValueList<ValueItem>, use_: ValueUse) -> GList<Value> {
        self.guarded(list, !list.bracketed, |c, item| c.value(item, use_, true))
    }

    /// A valueset does not know where it is spliced, so its strings are
    /// checked as ARNs when they look like one.
    pub(super) fn valueset(&mut self, list: &ast::ValueList<ValueItem>) -> GList<Value> {
        self.guarded(list, false, |c, item| {
            let use_ = match item {
                ValueItem::Str(s) if s.display().starts_with("arn:") => ValueUse::Arn,
                _ => ValueUse::Text,
            };
            c.value(item, use_, true)
        })
    }

    /// A value: a bare param (spliced if it is a list and `list_ok`) or a string.
    pub(super) fn value(&mut self, item: &ValueItem, use_: ValueUse, list_ok: bool) -> Value {
        match item {
            ValueItem::Param(ident) => {
                // an unknown name's "did you mean" offers only a param that fits here
                let fits = |ty: &ParamType| {
                    let principal = matches!(ty.scalar, ScalarType::Account | ScalarType::Arn | ScalarType::String);
                    (list_ok || !ty.list)
                        && (use_ != ValueUse::Arn || matches!(ty.scalar, ScalarType::Arn))
                        && (use_ != ValueUse::AwsPrincipal || principal)
                };
                if let Some(ty) = self.param_type_where(ident, &fits) {
                    if ty.list && !list_ok {
                        self.list_for_scalar(ident, ty);
                    }
                    if use_ == ValueUse::Arn && !matches!(ty.scalar, ScalarType::Arn) {
                        self.emit(DiagnosticKind::ParamNotArn { name: ident.name.to_string(), ty }.at(ident.span));
                    }
                    if use_ == ValueUse::AwsPrincipal {
                        self.principal_param(ident, ty);
                    }
                }
                Value::Param(ident.name)
            }
            ValueItem::Str(s) => {
                self.check_policy_variables(s);
                Value::Text(self.template(s, use_))
            }
            ValueItem::Each(each) => {
                let pcl_syntax::ast::EachValue { template, var, list, .. } = &**each;
                // unknown when the list is not a param (already an error):
                // the template's checks then take its values as unknown
                let element = match self.param_type_where(list, &|ty| ty.list) {
                    Some(ty) if ty.list => Some(ty.scalar),
                    Some(ty) => {
                        let kind = DiagnosticKind::IamRule {
                            code: Code::WrongKind,
                            message: format!(
                                "`{}` is {} `{ty}`, but `for ... in` takes a list param",
                                list.name,
                                crate::diagnostic::a(&ty.to_string())
                            ),
                            label: Some("not a list".into()),
                            help: Some(format!("declare it as `list<{}>`", ty.scalar.name())),
                        };
                        self.emit(kind.at(list.span));
                        Some(ty.scalar)
                    }
                    None => None,
                };
                if !list_ok {
                    let scalar = element.unwrap_or(ScalarType::String);
                    self.list_for_scalar(list, ParamType { list: true, scalar });
                }
                let outer = self.each_var.replace((var.name, element));
                let template = self.template(template, use_);
                self.each_var = outer;
                Value::Each(Box::new(EachValue { list: list.name, var: var.name, template }))
            }
            ValueItem::SetRef(ident) => {
                self.resolve(ident, RefKind::Valueset);
                if !list_ok {
                    self.emit(DiagnosticKind::ValuesetForScalar { name: ident.name.to_string() }.at(ident.span));
                }
                Value::Set(ident.name)
            }
        }
    }

    pub(super) fn list_for_scalar(&mut self, ident: &ast::Ident, ty: ParamType) {
        self.emit(DiagnosticKind::ListParamForScalar { name: ident.name.to_string(), ty }.at(ident.span));
    }

    pub(super) fn template(&mut self, s: &StrLit, use_: ValueUse) -> Template {
        // one IR part per source part: sized once (the IR lives as long as the file)
        let mut parts = Vec::with_capacity(s.parts.len());
        let mut typed = Vec::new();
        for part in s.parts() {
            match part {
                StrPart::Text(t) => {
                    parts.push(TextPart::Lit(t.clone()));
                    typed.push(None);
                }
                StrPart::Interp(ident, Some(member)) => {
                    let ty = self.param_type(ident);
                    let is_partition = ty.is_some_and(|t| !t.list && t.scalar == ScalarType::Partition);
                    let known = pcl_iam::partitions::PARTITION_MEMBERS.contains(&member.name.as_str());
                    if ty.is_some() && !(is_partition && known) {
                        let kind = DiagnosticKind::NoSuchMember {
                            name: ident.name.to_string(),
                            ty,
                            member: member.name.to_string(),
                        };
                        self.emit(kind.at(member.span));
                    }
                    parts.push(TextPart::Member(Box::new((ident.name, member.name))));
                    // in an ARN, a member is text of its own (a DNS suffix is no partition)
                    typed.push(Some((Some(ScalarType::String), &**member)));
                }
                StrPart::Interp(ident, None) if self.each_var.as_ref().is_some_and(|(v, _)| *v == ident.name) => {
                    // the loop variable of `"..." for VAR in LIST`
                    let scalar = self.each_var.as_ref().and_then(|(_, s)| *s);
                    parts.push(TextPart::Param(ident.name));
                    typed.push(Some((scalar, ident)));
                }
                StrPart::Interp(ident, None) => {
                    // a list param is no text to interpolate: not suggested
                    let ty = self.param_type_where(ident, &|ty| !ty.list);
                    // an unknown name in a loop's template: most likely the
                    // loop variable, misspelt
                    if ty.is_none()
                        && let Some((var, _)) = self.each_var
                        && let Some(d) = self.diags.last_mut()
                        && d.span == ident.span
                        && d.code == crate::diagnostic::Code::UnknownName
                    {
                        d.help = Some(format!("the loop's variable is `{var}`: write `${{{var}}}`"));
                    }
                    if let Some(ty) = ty
                        && ty.list
                    {
                        self.emit(
                            DiagnosticKind::ListParamInterpolated { name: ident.name.to_string(), ty }.at(ident.span),
                        );
                    }
                    parts.push(TextPart::Param(ident.name));
                    typed.push(Some((ty.map(|t| t.scalar), ident)));
                }
            }
        }
        match use_ {
            ValueUse::Arn => self.check_arn_template(s, &parts, &typed),
            ValueUse::AwsPrincipal => self.check_principal_template(s, &parts, &typed),
            ValueUse::Text => {}
        }
        Template { parts }
    }
}

impl Checker<'_> {
    /// The IAM policy variables a string holds (`\${aws:username}`, written
    /// escaped) that name no key IAM knows: never replaced, the value then
    /// matches nothing (W0505, with the nearest key).
    fn check_policy_variables(&mut self, s: &pcl_syntax::ast::StrLit) {
        let catalog = iam::catalog::catalog();
        for (part, span) in s.parts.iter() {
            let pcl_syntax::ast::StrPart::Text(text) = part else { continue };
            for name in iam::policy_variables::unknown_policy_variables(text) {
                let kind = DiagnosticKind::IamRule {
                    code: Code::UnknownConditionKey,
                    message: format!("unknown policy variable `${{{name}}}`"),
                    label: Some("IAM never replaces it: the value matches nothing".into()),
                    help: catalog.nearest_key(name).map(|k| format!("did you mean `${{{k}}}`?")),
                };
                self.emit(kind.at(*span));
            }
        }
    }
}
