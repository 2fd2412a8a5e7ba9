//! Params and features: types, defaults, placeholders, domains.

use super::*;

impl Checker<'_> {
    pub(super) fn param(&mut self, p: &ast::Param) -> Param {
        let scalar = match ScalarType::parse(&p.ty.scalar.name) {
            Some(s) => s,
            None => {
                let names = ScalarType::ALL.map(ScalarType::name);
                let kind = DiagnosticKind::UnknownType {
                    name: p.ty.scalar.name.to_string(),
                    suggestion: suggest(&p.ty.scalar.name, names),
                    types: names.to_vec(),
                };
                self.emit(kind.at(p.ty.scalar.span));
                ScalarType::String
            }
        };
        let ty = ParamType { list: p.ty.list, scalar };
        let refinements = self.refinements(&p.ty.args, scalar);
        let default = p.default.as_ref().and_then(|lit| self.literal(lit, ty, &refinements));
        if let (Some(default), Some(lit)) = (&default, &p.default) {
            let values = match default {
                ParamValue::One(v) => std::slice::from_ref(v),
                ParamValue::Many(vs) => &vs[..],
            };
            for v in values {
                if let Err(problem) = iam::refine::check_refined(v, &refinements) {
                    let kind = DiagnosticKind::IamRule {
                        code: Code::InvalidValue,
                        message: problem.message,
                        label: Some("the param's type does not allow it".into()),
                        help: problem.help,
                    };
                    self.emit(kind.at(lit.span()));
                }
            }
        }
        let placeholder = p.placeholder.as_ref().map(|s| self.plain(s, "a placeholder"));
        let optional = p.ty.optional;
        if optional && (ty.list || placeholder.is_some() || ty.scalar == ScalarType::Partition) {
            let message = if ty.list {
                "a list param cannot be optional: without values it is the empty list".to_string()
            } else if ty.scalar == ScalarType::Partition {
                "a partition param cannot be optional: every document is in a partition".to_string()
            } else {
                format!("optional param `{}` cannot have a placeholder: without a value it is absent", p.name.name)
            };
            // only an optional scalar param with a placeholder has the choice
            let help = match placeholder.is_some() && !ty.list && ty.scalar != ScalarType::Partition {
                true => "remove the `?` or the placeholder",
                false => "remove the `?`",
            };
            let kind = DiagnosticKind::IamRule {
                code: Code::InvalidValue,
                message,
                label: Some("`?` makes the param optional".into()),
                help: Some(help.into()),
            };
            self.emit(kind.at(p.ty.span));
        }
        if !optional && default.is_none() && placeholder.is_none() && p.default.is_none() {
            self.emit(DiagnosticKind::MissingValue { param: p.name.name.to_string() }.at(p.name.span));
        }
        Param { ty, optional, refinements, default, placeholder }
    }

    /// A type's refinements: each kind once, each for the type it fits
    /// (`service:type` for `arn`, `max` and `pattern` for `string`), each valid.
    fn refinements(&mut self, args: &[ast::TypeArg], scalar: ScalarType) -> Vec<iam::refine::Refinement> {
        use iam::refine::Refinement;
        let mut out: Vec<Refinement> = Vec::new();
        let mut seen: Vec<std::mem::Discriminant<Refinement>> = Vec::new();
        for arg in args {
            let (refinement, span, fits) = match arg {
                ast::TypeArg::ResourceType { service, resource, span } => (
                    iam::refine::check_resource_type(service, resource)
                        .map(|()| Refinement::ResourceType { service: service.clone(), resource: resource.clone() }),
                    *span,
                    scalar == ScalarType::Arn,
                ),
                ast::TypeArg::Star(span) => (Ok(Refinement::AllowStar), *span, scalar == ScalarType::Arn),
                ast::TypeArg::Max(n, span) => (
                    n.map(Refinement::MaxLength).ok_or_else(|| {
                        let mut problem = iam::Problem::new("`max` takes a number of characters that fits in 64 bits");
                        problem.help = Some("give a number such as `max 64`".into());
                        problem
                    }),
                    *span,
                    scalar == ScalarType::String,
                ),
                ast::TypeArg::Pattern(s, span) => {
                    let pattern = self.plain(s, "a pattern");
                    (
                        iam::refine::check_pattern(&pattern).map(|()| Refinement::Pattern(pattern)),
                        *span,
                        scalar == ScalarType::String,
                    )
                }
            };
            let problem = match refinement {
                Ok(_) if !fits => {
                    let name = scalar.name();
                    Some(iam::Problem::new(format!(
                        "{} `{name}` param takes no such refinement",
                        crate::diagnostic::a(name)
                    )))
                }
                Ok(r) if seen.contains(&std::mem::discriminant(&r)) => {
                    Some(iam::Problem::new("this refinement is given twice"))
                }
                Ok(r) => {
                    seen.push(std::mem::discriminant(&r));
                    out.push(r);
                    None
                }
                Err(p) => Some(p),
            };
            if let Some(p) = problem {
                let kind = DiagnosticKind::IamRule {
                    code: Code::UnknownType,
                    message: p.message,
                    // a refinement of another type, or one given twice or
                    // invalid, is not one this type takes
                    label: Some(match fits {
                        true => "not a valid refinement".into(),
                        false => "not a refinement of this type".into(),
                    }),
                    help: p.help.or_else(|| {
                        Some(
                            "`arn(service:resource-type)`, e.g. `arn(iam:policy)`; `string(max N, pattern \"regex\")`"
                                .into(),
                        )
                    }),
                };
                self.emit(kind.at(span));
            }
        }
        out
    }

    /// A param's default (`*` passes when its refined type accepts it).
    pub(super) fn literal(
        &mut self,
        lit: &ast::Literal,
        ty: ParamType,
        refinements: &[iam::refine::Refinement],
    ) -> Option<ParamValue> {
        let star_ok = |v: &str| iam::refine::star_allowed(v, refinements);
        match (lit, ty.list) {
            // (an interpolation in a default is its error, E0202: its text
            // is not checked as a value too, whose `${...}` it would report)
            (ast::Literal::Str(s), false) => {
                let v = self.plain(s, "a default");
                let valid = s.as_plain().is_some() && (star_ok(&v) || self.check_value(&v, ty.scalar, s.span));
                valid.then_some(ParamValue::One(v))
            }
            (ast::Literal::List(items, _), true) => {
                let mut out = Vec::new();
                for s in items {
                    let v = self.plain(s, "a default");
                    if s.as_plain().is_some() && (star_ok(&v) || self.check_value(&v, ty.scalar, s.span)) {
                        out.push(v);
                    }
                }
                Some(ParamValue::Many(out))
            }
            (ast::Literal::List(_, span), false) => {
                self.emit(DiagnosticKind::ListDefaultForScalar { ty }.at(*span));
                None
            }
            (ast::Literal::Str(s), true) => {
                self.emit(DiagnosticKind::ListDefaultRequired { ty }.at(s.span));
                None
            }
        }
    }

    pub(super) fn check_value(&mut self, value: &str, ty: ScalarType, span: Span) -> bool {
        match iam::check_scalar_value(ty, value) {
            Ok(()) => true,
            Err(p) => {
                let kind = DiagnosticKind::IamRule {
                    code: Code::InvalidValue,
                    message: p.message,
                    label: Some(expected_form(ty)),
                    help: p.help,
                };
                self.emit(kind.at(span));
                false
            }
        }
    }

    /// A string that may not interpolate.
    pub(super) fn plain(&mut self, s: &StrLit, what: &str) -> String {
        match s.as_plain() {
            Some(v) => v,
            None => {
                self.emit(DiagnosticKind::CannotInterpolate { what: what.to_string() }.at(s.span));
                s.display()
            }
        }
    }

    pub(super) fn feature(&mut self, f: &ast::Feature) -> Feature {
        let (domain, is_bool) = match &f.domain {
            // checked as an expression by `check` (never here)
            FeatureDomain::Bool(_) | FeatureDomain::Derived(_) => (vec!["false".to_string(), "true".to_string()], true),
            FeatureDomain::Enum(values) => {
                let mut domain: Vec<String> = Vec::new();
                // by hash, not a search of the list per value (quadratic)
                let mut seen = rustc_hash::FxHashSet::default();
                for v in values {
                    if !seen.insert(v.name.as_str()) {
                        self.emit(DiagnosticKind::DuplicateDomainValue { value: v.name.to_string() }.at(v.span));
                    } else {
                        domain.push(v.name.as_str().to_owned());
                    }
                }
                (domain, false)
            }
        };
        if !domain.iter().any(|d| *d == f.default.name) {
            let kind = DiagnosticKind::DefaultOutsideDomain {
                value: f.default.name.to_string(),
                feature: f.name.name.to_string(),
                domain: domain.clone(),
                suggestion: suggest(&f.default.name, domain.iter().map(String::as_str)),
            };
            self.emit(kind.at(f.default.span));
        }
        Feature { default: f.default.name.to_string(), domain, is_bool }
    }
}

/// What a valid value of `ty` looks like, for the underline.
fn expected_form(ty: ScalarType) -> String {
    match ty {
        ScalarType::String => "expected a string".into(),
        ScalarType::Account => "an account id is 12 digits".into(),
        ScalarType::Region => "a region looks like `us-east-1`".into(),
        ScalarType::Partition => format!("the partitions are {}", crate::iam::PARTITIONS.join(", ")),
        ScalarType::Arn => "an ARN is `arn:partition:service:region:account:resource`".into(),
    }
}
