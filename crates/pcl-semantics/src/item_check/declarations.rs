//! Params and features: types, defaults, placeholders, domains.

use super::*;

impl Checker<'_> {
    pub(super) fn param(&mut self, p: &ast::Param) -> Param {
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

    pub(super) fn literal(&mut self, lit: &ast::Literal, ty: ParamType) -> Option<ParamValue> {
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

    pub(super) fn check_value(&mut self, value: &str, ty: ScalarType, span: Span) -> bool {
        match iam::check_scalar_value(ty, value) {
            Ok(()) => true,
            Err(p) => {
                self.emit(Diagnostic::new(Code::InvalidValue, span, p.message).with_help_opt(p.help));
                false
            }
        }
    }

    /// A string that may not interpolate.
    pub(super) fn plain(&mut self, s: &StrLit, what: &str) -> String {
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

    pub(super) fn feature(&mut self, f: &ast::Feature) -> Feature {
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
}
