//! The shape of one rendering of a policy: empty lists and documents, and
//! duplicate Sids.

use std::collections::BTreeMap;

use pcl_syntax::Span;

use super::statements::{Apart, RenderedStatement};
use super::{Finding, here};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::ir::ProgramItem;

/// Empty lists and documents, and duplicate Sids, of one rendering of a policy.
pub(super) fn policy_shape_findings(
    (rendered, apart): (&[RenderedStatement<'_>], &[Apart]),
    item: &ProgramItem,
    report_empty: bool,
    note: &mut dyn FnMut(Finding),
) {
    if report_empty && rendered.is_empty() {
        let d = DiagnosticKind::EmptyPolicy { policy: item.name.as_str().to_owned() }.at(item.name_span);
        note(here(d, &item.name));
    }
    let mut sids: BTreeMap<&str, (Span, &str)> = BTreeMap::new();
    for r in rendered {
        let (st, origin, shape) = (r.statement, r.origin, &r.summary);
        if report_empty {
            if shape.actions_empty {
                let what = if st.not_action { "NotAction" } else { "Action" };
                note(here(empty_list(what, st.actions.span, &item.name), origin));
            }
            if shape.resources_empty {
                let what = if st.not_resource { "NotResource" } else { "Resource" };
                note(here(empty_list(what, st.resources.span, &item.name), origin));
            }
            for (key, span) in &shape.empty_conditions {
                let what = format!("the values of condition `{key}`");
                note(here(empty_list(&what, *span, &item.name), origin));
            }
        }
        let Some((sid, sid_span)) = &st.sid else { continue };
        match sids.get(sid.as_str()) {
            Some((first, first_origin)) => {
                let kind = DiagnosticKind::DuplicateSid {
                    sid: sid.as_str().to_owned(),
                    policy: item.name.as_str().to_owned(),
                    first: *first,
                };
                let d = kind.at(*sid_span);
                note(Finding {
                    origin: origin.to_string(),
                    diagnostic: d,
                    secondary_origins: vec![first_origin.to_string()],
                });
            }
            None => {
                sids.insert(sid, (*sid_span, origin));
            }
        }
    }
    // the empty conditions of blocks another item's text holds, in it
    for found in apart.iter().filter(|_| report_empty) {
        if let Apart::EmptyCondition(key, span, block_origin) = found {
            let what = format!("the values of condition `{key}`");
            note(here(empty_list(&what, *span, &item.name), block_origin));
        }
    }
}

pub(super) fn empty_list(what: &str, span: Span, policy: &str) -> Diagnostic {
    DiagnosticKind::EmptyList { what: what.to_string(), policy: policy.to_string() }.at(span)
}
