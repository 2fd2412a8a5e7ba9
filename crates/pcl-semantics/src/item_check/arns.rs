//! ARNs written as templates: each of the six fields checked where it is
//! written.

use super::*;
use crate::iam::ArnField;

impl Checker<'_> {
    pub(super) fn check_arn_template(
        &mut self,
        s: &StrLit,
        parts: &[TextPart],
        typed: &[Option<(Option<ScalarType>, &ast::Ident)>],
    ) {
        self.check_arn_template_as(s, parts, typed, false);
    }

    /// [`Self::check_arn_template`], of a `trust aws` principal's ARN when
    /// `principal`: its malformed account is said to be a principal's, whose
    /// help offers no wildcard, `aws` or empty field (the generic one does).
    pub(super) fn check_arn_template_as(
        &mut self,
        s: &StrLit,
        parts: &[TextPart],
        typed: &[Option<(Option<ScalarType>, &ast::Ident)>],
        principal: bool,
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
        // an ARN param and more (`${bucket}/*`): an ARN with a suffix, whose
        // fields the param holds
        if let Some(Some((Some(ScalarType::Arn), _))) = typed.first() {
            return;
        }
        // a name of unknown type (unknown, or a loop over no list param) is
        // an error already: what it would render is not known
        if typed.iter().flatten().any(|(ty, _)| ty.is_none()) {
            return;
        }
        let ArnFields { fields, spans } = split_fields(parts, typed, s.parts.iter().map(|(_, span)| *span));
        if fields.len() < 6 {
            self.emit(DiagnosticKind::NotAnArn { shown: s.display(), fields: fields.len() }.at(s.span));
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
        // every field's problem, not only the first's
        for p in iam::field_problems(arn_text, &field(1), &field(2), &field(3), &field(4), resource_empty) {
            let code = if p.type_mismatch { Code::InterpolationType } else { Code::MalformedArn };
            let field_span = p.field.and_then(|f| spans.get(f.index()).copied().flatten()).unwrap_or(s.span);
            // a missing resource part is the ARN's problem as a whole
            let label = match p.field {
                Some(ArnField::Resource) | None => "in this ARN",
                Some(f) => f.label(),
            };
            let (message, help) = match principal && p.field == Some(ArnField::Account) && !p.type_mismatch {
                true => (
                    p.message.replace(" in ARN", " in the ARN of a principal"),
                    Some(pcl_iam::PRINCIPAL_ACCOUNT_HELP.into()),
                ),
                false => (p.message, p.help),
            };
            self.emit(DiagnosticKind::IamRule { code, message, label: Some(label.into()), help }.at(field_span));
        }
    }
}

/// A piece of one ARN field: literal text, or a param and its type.
type FieldPart<'a> = (Option<&'a str>, Option<(Option<ScalarType>, &'a str)>);

/// An ARN template cut into its `:`-separated fields, each with the source
/// span it was written at (`None` for an empty field that has no `:` of its
/// own to point at). Fields past the sixth belong to the resource.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ArnFields<'a> {
    fields: Vec<Vec<FieldPart<'a>>>,
    pub(super) spans: Vec<Option<Span>>,
}

/// Splits `parts` (with the type of each interpolated param, and the source
/// span of each part) into fields. A param's `${...}` never contains `:`;
/// an escaped policy variable's may. A literal
/// written with escapes has source and text of different lengths: its pieces
/// then all get the whole part's span, the best there is.
pub(super) fn split_fields<'a>(
    parts: &'a [TextPart],
    typed: &[Option<(Option<ScalarType>, &'a ast::Ident)>],
    part_spans: impl Iterator<Item = Span>,
) -> ArnFields<'a> {
    let mut fields: Vec<Vec<FieldPart<'_>>> = vec![Vec::new()];
    let mut spans: Vec<Option<Span>> = vec![None];
    let widen = |spans: &mut Vec<Option<Span>>, add: Span| {
        if let Some(last) = spans.last_mut() {
            *last = Some(last.map_or(add, |s| s.to(add)));
        }
    };
    for ((part, ty), source) in parts.iter().zip(typed).zip(part_spans) {
        match (part, ty) {
            (TextPart::Lit(t), _) => {
                let linear = t.len() == source.range().len();
                let mut offset = 0;
                // (a policy variable, `${aws:PrincipalAccount}`, is one field)
                for (n, piece) in pcl_iam::arn_split(t).enumerate() {
                    if n > 0 {
                        fields.push(Vec::new());
                        spans.push(None);
                    }
                    let at = source.start as usize + offset;
                    let piece_span = if linear { Span::new(at, at + piece.len()) } else { source };
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
            (TextPart::Param(_) | TextPart::Member(..), Some((ty, ident))) => {
                if let Some(f) = fields.last_mut() {
                    f.push((None, Some((*ty, ident.name.as_str()))));
                }
                widen(&mut spans, source);
            }
            (TextPart::Param(_) | TextPart::Member(..), None) => {}
        }
    }
    ArnFields { fields, spans }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;

    fn ident(name: &str) -> ast::Ident {
        ast::Ident { name: name.into(), span: Span::new(0, 0) }
    }

    #[test]
    fn fields_and_their_spans() {
        // "arn:aws:s3:::b/*" written at offset 10
        let parts = [TextPart::Lit("arn:aws:s3:::b/*".into())];
        let split = split_fields(&parts, &[None], [Span::new(10, 26)].into_iter());
        let texts: Vec<Vec<&str>> = split.fields.iter().map(|f| f.iter().filter_map(|(t, _)| *t).collect()).collect();
        assert_eq!(texts, [vec!["arn"], vec!["aws"], vec!["s3"], vec![], vec![], vec!["b/*"]]);
        assert_eq!(split.spans[ArnField::Partition.index()], Some(Span::new(14, 17)));
        // an empty region points at the `:` that opens it
        assert_eq!(split.spans[ArnField::Region.index()], Some(Span::new(20, 21)));
        assert_eq!(split.spans[ArnField::Resource.index()], Some(Span::new(23, 26)));
    }

    #[test]
    fn params_fill_their_field() {
        // "arn:${p}:iam::${a}:role/x" with the params typed
        let parts = [
            TextPart::Lit("arn:".into()),
            TextPart::Param("p".into()),
            TextPart::Lit(":iam::".into()),
            TextPart::Param("a".into()),
            TextPart::Lit(":role/x".into()),
        ];
        let (p, a) = (ident("p"), ident("a"));
        let typed = [None, Some((Some(ScalarType::Partition), &p)), None, Some((Some(ScalarType::Account), &a)), None];
        let spans = [Span::new(0, 4), Span::new(4, 8), Span::new(8, 14), Span::new(14, 18), Span::new(18, 25)];
        let split = split_fields(&parts, &typed, spans.into_iter());
        assert_eq!(split.fields.len(), 6);
        assert_eq!(split.fields[ArnField::Partition.index()], [(None, Some((Some(ScalarType::Partition), "p")))]);
        assert_eq!(split.fields[ArnField::Account.index()], [(None, Some((Some(ScalarType::Account), "a")))]);
        // from the `:` that opens the field to the end of the param
        assert_eq!(split.spans[ArnField::Account.index()], Some(Span::new(13, 18)));
    }

    #[test]
    fn escaped_literals_point_at_the_whole_part() {
        // the source is longer than the text: `arn:aws:s3:::a\"b` (an escape)
        let parts = [TextPart::Lit("arn:aws:s3:::a\"b".into())];
        let split = split_fields(&parts, &[None], [Span::new(0, 18)].into_iter());
        assert_eq!(split.spans[ArnField::Service.index()], Some(Span::new(0, 18)));
    }
}
