//! `trust aws` principals as written: `*`, an account id, or the ARN of an
//! IAM principal, as IAM accepts them (`pcl_iam::check_aws_principal`).
//! A param in one is a value to come of its type: what it renders is
//! checked with the role (`content_checks::roles`).

use super::arns::split_fields;
use super::*;

impl Checker<'_> {
    pub(super) fn check_principal_template(
        &mut self,
        s: &StrLit,
        parts: &[TextPart],
        typed: &[Option<(Option<ScalarType>, &ast::Ident)>],
    ) {
        // a name of unknown type is an error already
        if typed.iter().flatten().any(|(ty, _)| ty.is_none()) {
            return;
        }
        if let ([TextPart::Param(_)], [Some((Some(scalar), ident))]) = (parts, typed) {
            self.principal_param(ident, ParamType { list: false, scalar: *scalar });
            return;
        }
        let written_arn = matches!(parts.first(), Some(TextPart::Lit(t)) if t.starts_with("arn:"));
        if written_arn {
            let before = self.diags.len();
            self.check_arn_template_as(s, parts, typed, true);
            if self.diags.len() > before {
                return;
            }
        }
        // each param a value to come, which the rules do not judge
        let mut shape = String::new();
        for part in parts {
            match part {
                TextPart::Lit(t) => shape.push_str(t),
                TextPart::Param(name) => push_to_come(&mut shape, name),
                TextPart::Member(member) => push_to_come(&mut shape, &member.0),
            }
        }
        let Err(p) = pcl_iam::check_aws_principal(&shape) else { return };
        let span = match p.field.filter(|_| written_arn) {
            Some(field) => {
                let split = split_fields(parts, typed, s.parts.iter().map(|(_, span)| *span));
                split.spans.get(field.index()).copied().flatten().unwrap_or(s.span)
            }
            None => s.span,
        };
        let kind = DiagnosticKind::IamRule {
            code: Code::MalformedArn,
            message: p.message.replace(&format!("`{shape}`"), &format!("`{}`", s.display())),
            label: Some(p.field.map_or("not an AWS principal", |f| f.label()).into()),
            help: p.help,
        };
        self.emit(kind.at(span));
    }

    /// A param given as a `trust aws` principal: an account id, an ARN, or
    /// a string (each value checked once rendered); not a region or a
    /// partition.
    pub(super) fn principal_param(&mut self, ident: &ast::Ident, ty: ParamType) {
        if matches!(ty.scalar, ScalarType::Account | ScalarType::Arn | ScalarType::String) {
            return;
        }
        let kind = DiagnosticKind::IamRule {
            code: Code::InterpolationType,
            message: format!(
                "`{}` is of type `{ty}`, but an AWS principal (an account id or an ARN) is expected here",
                ident.name
            ),
            label: Some(format!("{} `{ty}` is no principal", crate::diagnostic::a(&ty.to_string()))),
            help: Some("use a param of type `account` or `arn`, or write the principal's ARN".into()),
        };
        self.emit(kind.at(ident.span));
    }
}

/// A value to come of `param`, as a stand-in (`ir::placeholders`).
fn push_to_come(shape: &mut String, param: &str) {
    shape.push('<');
    shape.push(pcl_iam::STAND_IN_MARK);
    shape.push_str(param);
    shape.push(pcl_iam::STAND_IN_MARK);
    shape.push_str("0>");
}
