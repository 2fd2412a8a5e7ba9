//! `expect CODE "reason"`: a warning the maintainer has looked at and keeps
//! on purpose, in the spirit of Rust's `#[expect(lint, reason = "...")]`.
//! An expectation covers the item, statement or include it precedes (the
//! include line itself: a permset's statements are acknowledged in the
//! permset, once for every policy that includes it); the warnings of that
//! code there are not reported, the innermost expectation taking them. One that covers nothing
//! is itself a warning (W0510), so acknowledgements cannot go stale; one
//! for an error, for an unknown code or without a reason is an error (E0308).

use pcl_syntax::ast::{BodyEntry, Expect, ItemKind};
use pcl_syntax::{ParsedFile, Span};

use crate::diagnostic::{Code, Diagnostic, DiagnosticKind, Severity, suggest};

/// An expectation with the absolute span it covers.
struct Site<'a> {
    expect: &'a Expect,
    offset: u32,
    covers: Span,
    code: Option<Code>,
    used: bool,
}

/// Which `items` (parsed from `text`, offsets relative to it) may hold an
/// `expect`: those whose range, from their offset to the next item's (or to
/// the end of `text`), mentions the keyword. An item's offset is where its
/// doc comments and `expect`s start (the grammar's `item = (doc | expect)*
/// decl`, and every parser takes the offset there), and everything in it
/// ends before the next item, so its `expect`s are in that range; the
/// keyword is only ever the bytes `expect`. Computed once per chunk
/// (`db::parse_chunk`), so an edit scans the edited chunk only.
pub(crate) fn items_mentioning_expect(items: &[pcl_syntax::ParsedItem], text: &str) -> Vec<bool> {
    // built once: run per chunk, building the searcher each time cost more
    // than the search
    static EXPECT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"expect"));
    let mut mentions = EXPECT.find_iter(text.as_bytes()).peekable();
    let ends = items.iter().skip(1).map(|next| next.offset as usize).chain([usize::MAX]);
    items
        .iter()
        .zip(ends)
        .map(|(item, end)| {
            while mentions.next_if(|m| *m < item.offset as usize).is_some() {}
            mentions.peek().is_some_and(|m| *m < end)
        })
        .collect()
}

/// Removes the diagnostics that an `expect` covers, and reports the
/// expectations that are malformed or cover nothing.
/// `may_expect` says which items may hold an `expect`
/// (`items_mentioning_expect`); only those are walked, and an item it does
/// not cover is walked.
pub(crate) fn acknowledge<'a>(
    parsed: &'a ParsedFile,
    may_expect: &[bool],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(Code, Span)> {
    let mut sites: Vec<(&Expect, u32, Span)> = Vec::new();
    for (at, p) in parsed.items.iter().enumerate() {
        if may_expect.get(at) == Some(&false) {
            continue;
        }
        let item = &*p.item;
        let mut add = |expects: &'a [Expect], covers: Span| {
            for e in expects {
                sites.push((e, p.offset, covers));
            }
        };
        add(&item.expects, item.span);
        let body = match &item.kind {
            ItemKind::Policy(policy) => &policy.entries[..],
            ItemKind::Permset(permset) => &permset.entries[..],
            _ => &[],
        };
        let mut todo: Vec<&[BodyEntry]> = vec![body];
        while let Some(entries) = todo.pop() {
            for entry in entries {
                match entry {
                    BodyEntry::Statement(st) => add(&st.expects, st.span),
                    BodyEntry::Include(inc) => add(&inc.expects, inc.span),
                    BodyEntry::Block(block) => {
                        add(&block.expects, block.span);
                        todo.push(&block.entries);
                    }
                }
            }
        }
    }
    if sites.is_empty() {
        return Vec::new();
    }
    let mut checked: Vec<Site<'_>> = Vec::with_capacity(sites.len());
    for (expect, offset, covers) in sites {
        let code = Code::from_code(&expect.code);
        let problem = match code {
            None => Some((
                format!("`{}` is not a diagnostic code", expect.code),
                suggest(&expect.code, Code::ALL.iter().map(|c| c.as_str())),
            )),
            Some(c) if c.severity() == Severity::Error => Some((
                format!("error {} cannot be acknowledged", expect.code),
                Some("fix the error; only warnings may be expected".to_string()),
            )),
            Some(_) if lacks_reason(&expect.reason) => Some((
                format!("`expect {}` needs a reason", expect.code),
                Some("say why the warning is kept, e.g. `expect W0509 \"the page grants it\"`".to_string()),
            )),
            Some(_) => None,
        };
        if let Some((message, help)) = problem {
            let kind = DiagnosticKind::IamRule {
                code: Code::BadExpect,
                message,
                label: Some("an acknowledgement names one warning code and why it is kept".into()),
                help,
            };
            diagnostics.push(kind.at(expect.code_span.shift(offset)));
            continue;
        }
        checked.push(Site { expect, offset, covers: covers.shift(offset), code, used: false });
    }
    let index = Covering::new(checked.iter().map(|s| (s.code, s.covers)));
    diagnostics.retain(|d| {
        // the innermost acknowledgement (a statement's before its policy's)
        match index.innermost(d.code, d.span).and_then(|at| checked.get_mut(at)) {
            Some(site) => {
                site.used = true;
                false
            }
            None => true,
        }
    });
    // With errors in the file, the meaning-level checks of the items they
    // touch do not run: an acknowledgement may be unfulfilled only for now.
    let errors = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    for site in checked.iter().filter(|s| !s.used && !errors) {
        let kind = DiagnosticKind::IamRule {
            code: Code::UnfulfilledExpect,
            message: format!("`expect {}` matches no diagnostic", site.expect.code),
            label: Some("nothing here is reported with this code any more".into()),
            help: Some("remove the acknowledgement".into()),
        };
        diagnostics.push(kind.at(site.expect.span.shift(site.offset)));
    }
    crate::diagnostic::sort(diagnostics);
    checked.iter().filter_map(|s| Some((s.code?, s.covers))).collect()
}

/// Spans that acknowledge a code, sorted by code and start with the
/// furthest end so far: a diagnostic looks back from its own start only
/// while an earlier span may still reach over it. (Each diagnostic against
/// every `expect` was quadratic: 32,768 nested `expect`s took 2.6 s.)
struct Covering {
    /// `(code, start, end, place in the caller's list)`.
    sorted: Vec<(Code, u32, u32, usize)>,
    /// The furthest end among `sorted[..=i]` of the same code.
    furthest: Vec<u32>,
}

impl Covering {
    fn new(spans: impl Iterator<Item = (Option<Code>, Span)>) -> Self {
        let mut sorted: Vec<(Code, u32, u32, usize)> =
            spans.enumerate().filter_map(|(at, (code, span))| Some((code?, span.start, span.end, at))).collect();
        sorted.sort_unstable();
        let mut furthest = Vec::with_capacity(sorted.len());
        let mut reach: Option<(Code, u32)> = None;
        for (code, _, end, _) in &sorted {
            let far = match reach {
                Some((c, r)) if c == *code => r.max(*end),
                _ => *end,
            };
            reach = Some((*code, far));
            furthest.push(far);
        }
        Covering { sorted, furthest }
    }

    /// The place of the narrowest span of `code` that covers `span` (the
    /// first of equally narrow ones).
    fn innermost(&self, code: Code, span: Span) -> Option<usize> {
        let upto = self.sorted.partition_point(|(c, start, _, _)| (*c, *start) <= (code, span.start));
        let mut best: Option<(u32, usize)> = None;
        for at in (0..upto).rev() {
            let (Some((c, start, end, place)), Some(reach)) = (self.sorted.get(at), self.furthest.get(at)) else {
                break;
            };
            if *c != code || *reach < span.end {
                break;
            }
            if span.end <= *end {
                let width = end - start;
                if best.is_none_or(|(w, p)| (width, *place) < (w, p)) {
                    best = Some((width, *place));
                }
            }
        }
        best.map(|(_, place)| place)
    }
}

/// Removes from `diagnostics` the warnings that an acknowledgement covers.
pub(crate) fn apply(acknowledged: &[(Code, Span)], diagnostics: &mut Vec<Diagnostic>) {
    if acknowledged.is_empty() {
        return;
    }
    let index = Covering::new(acknowledged.iter().map(|(code, span)| (Some(*code), *span)));
    diagnostics.retain(|d| index.innermost(d.code, d.span).is_none());
}

/// Whether an `expect`'s reason says nothing: blank, or interpolated (a
/// reason is plain text). Asked of every `expect` after every edit: read
/// in place, not copied into a `String`.
fn lacks_reason(reason: &pcl_syntax::ast::StrLit) -> bool {
    use pcl_syntax::ast::StrPart;
    let interpolated = reason.parts().any(|p| matches!(p, StrPart::Interp(..)));
    interpolated || reason.parts().all(|p| matches!(p, StrPart::Text(t) if t.trim().is_empty()))
}
