//! Code actions: the fixes a diagnostic suggests. A "did you mean `x`?"
//! replaces the name or action it is about; an unused item can be removed; a
//! warning can be acknowledged with `expect CODE "..."` before its item.

use pcl_semantics::{Code, Diagnostic, Severity};
use pcl_syntax::Span;

use crate::index::{FileIndex, TrustActions, TrustField};
use crate::repeat_fix::{Lists, Removals};

/// One fix: a title and the edits that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    /// The diagnostic it fixes (its code).
    pub code: Code,
    /// Where that diagnostic is (what `pcl check --fix` names the fix by:
    /// its edits may start before it, at a comma).
    pub at: Span,
    pub edits: Vec<(Span, String)>,
    /// The fix the diagnostic itself suggests (an editor may apply it at once).
    pub preferred: bool,
    pub applicability: Applicability,
}

/// Whether a fix may be applied unread (ruff's safe and unsafe fixes,
/// rustc's machine-applicable and maybe-incorrect suggestions): `pcl check
/// --fix` and an editor's fix-all on save apply only the safe ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Every configuration grants what it granted: an entry another
    /// already covers removed.
    Safe,
    /// A guess at what was meant (the nearest name), or a change of what
    /// is granted (a session action added): a person reads it first.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

impl Fix {
    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// The fixes for the diagnostics that touch `range`.
pub fn fixes(index: &FileIndex, diagnostics: &[Diagnostic], range: Span) -> Vec<Fix> {
    let touches = |s: Span| s.start <= range.end && range.start <= s.end;
    // once, not per warning: thousands of warnings may touch one range
    let newline = line_break_of(&index.text);
    let mut acknowledged: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut lists_by_item: std::collections::HashMap<u32, Lists<'_>> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for d in diagnostics.iter().filter(|d| touches(d.span)) {
        // W0512's copies are looked for in the item around the finding,
        // read once for all its findings
        let item = index.decl_around(d.span).map_or(Span::new(0, 0), |decl| decl.span);
        let lists = lists_by_item
            .entry(item.start)
            .or_insert_with(|| Lists::new(index.text.get(item.range()).unwrap_or_default(), item.start));
        out.extend(preferred_fix((&index.text, &index.trust_fields, lists), d));
        if matches!(d.code, Code::UnusedParam | Code::UnusedFeature | Code::UnusedSet)
            && let Some(decl) = index.decl_named_at(d.span)
        {
            out.push(Fix {
                title: format!("Remove the unused {} `{}`", decl.kind, decl.name),
                code: d.code,
                at: d.span,
                edits: vec![(with_line_end(index, decl.span), String::new())],
                preferred: false,
                // a param is set from outside (`--set`), a set may be meant for later
                applicability: Applicability::Unsafe,
            });
        }
        if d.severity() == Severity::Warning
            && d.code != Code::UnfulfilledExpect
            && let Some(decl) = index.decl_around(d.span)
        {
            let start = decl.span.start as usize;
            // the `expect` on a line of its own right before the item (an
            // item that does not start its line gets one)
            let before = if line_start(index, start) == start { "" } else { newline };
            let title = format!("Acknowledge {} on `{}` (`expect`, with a reason)", d.code.as_str(), decl.name);
            if acknowledged.insert(title.clone()) {
                out.push(Fix {
                    title,
                    code: d.code,
                    at: d.span,
                    edits: vec![(
                        Span::new(start, start),
                        format!("{before}expect {} \"TODO: why this is kept\"{newline}", d.code.as_str()),
                    )],
                    preferred: false,
                    // its reason is a person's to write
                    applicability: Applicability::Unsafe,
                });
            }
        }
    }
    out
}

/// The fix each of `diagnostics` (of `text`) suggests itself, in their
/// order: what `pcl check --format json` and `--format sarif` report. The
/// text is parsed again only when a fix needs its `trust` fields (W0513's).
pub fn preferred_fixes(text: &str, diagnostics: &[Diagnostic]) -> Vec<Option<Fix>> {
    // read from the parse alone, and only when a W0513 asks
    let trust_fields = match diagnostics.iter().any(|d| d.code == Code::SessionActionNotGranted) {
        true => TrustField::of_text(text),
        false => Vec::new(),
    };
    let lists = Lists::new(text, 0);
    diagnostics.iter().map(|d| preferred_fix((text, &trust_fields, &lists), d)).collect()
}

/// The preferred fixes of `fixes` put together, each one whose edits
/// overlap none of those taken before it (in the order of their first
/// edit; two edits at one point overlap, and so does an edit off a
/// character boundary: a later one waits for another pass, once the text
/// holds the first): the text with them applied, and those taken, in the
/// text's order. `None` when none applies.
pub fn applied<'f>(text: &str, fixes: &'f [Fix]) -> Option<(String, Vec<&'f Fix>)> {
    let mut preferred: Vec<&Fix> = fixes.iter().filter(|f| f.preferred && !f.edits.is_empty()).collect();
    preferred.sort_by_key(|f| f.edits.iter().map(|(span, _)| (span.start, span.end)).min());
    // the spans taken, by start: a span's neighbours on each side say
    // whether it overlaps any (a scan of all was quadratic in the fixes)
    let mut taken: std::collections::BTreeMap<u32, (u32, &str)> = std::collections::BTreeMap::new();
    let clashes = |taken: &std::collections::BTreeMap<u32, (u32, &str)>, span: &Span| {
        let neighbour =
            |(start, (end, _)): (&u32, &(u32, &str))| overlap(span, &Span::new(*start as usize, *end as usize));
        let before = taken.range(..=span.start).next_back().is_some_and(neighbour);
        let after = taken.range(span.start..).next().is_some_and(neighbour);
        let off_boundary = !text.is_char_boundary(span.start as usize) || !text.is_char_boundary(span.end as usize);
        before || after || off_boundary || span.end as usize > text.len() || span.start > span.end
    };
    let mut used = Vec::new();
    for fix in preferred {
        let spans_overlap =
            fix.edits.iter().enumerate().any(|(i, (a, _))| fix.edits.iter().skip(i + 1).any(|(b, _)| overlap(a, b)));
        if spans_overlap || fix.edits.iter().any(|(span, _)| clashes(&taken, span)) {
            continue;
        }
        for (span, replacement) in &fix.edits {
            taken.insert(span.start, (span.end, replacement.as_str()));
        }
        used.push(fix);
    }
    if used.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, (end, replacement)) in taken {
        out.push_str(text.get(at..start as usize)?);
        out.push_str(replacement);
        at = end as usize;
    }
    out.push_str(text.get(at..)?);
    Some((out, used))
}

/// Whether two edits' spans overlap, or both start at one point (their
/// order would decide the text).
fn overlap(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end || a.start == b.start
}

/// [`applied`], unless the result has a syntax error `text` has not (two
/// fixes that meant one place): the fixes never break what parsed. Syntax
/// errors are compared by code and message, each counted.
pub fn applied_safely<'f>(text: &str, fixes: &'f [Fix]) -> Option<(String, Vec<&'f Fix>)> {
    let (fixed, used) = applied(text, fixes)?;
    let syntax = |text: &str| {
        let mut found: Vec<(Code, String)> =
            pcl_semantics::file_checks::syntax_diagnostics(&pcl_syntax::parse_file(text))
                .into_iter()
                .map(|d| (d.code, d.message))
                .collect();
        found.sort();
        found
    };
    let (was, now) = (syntax(text), syntax(&fixed));
    // each error of the fixed text matched with one of the text's
    let mut left = was.as_slice();
    for error in &now {
        let at = left.iter().position(|w| w == error)?;
        left = left.get(at + 1..)?;
    }
    Some((fixed, used))
}

/// The fix a diagnostic suggests itself (`Fix::preferred`), if any: a "did
/// you mean", W0512's removal of a repeat (with its other copies in
/// `lists`), W0513's grant (in one of `trust_fields`).
pub(crate) fn preferred_fix(
    (text, trust_fields, lists): (&str, &[TrustField], &Lists<'_>),
    d: &Diagnostic,
) -> Option<Fix> {
    // no key template, no replacement of a text by itself
    if let Some((span, suggestion)) = suggested_edit(text, d) {
        // a guess, even when only the letter case differs: names and values
        // are case-sensitive, and the nearest may be another item than the
        // one written (`inline Admin`, a permset, for the policy `admin`)
        // or one of two spelt alike (`PREFIX` and `prefix`)
        return Some(Fix {
            title: format!("Replace with `{suggestion}`"),
            code: d.code,
            at: d.span,
            edits: vec![(span, suggestion)],
            preferred: true,
            applicability: Applicability::Unsafe,
        });
    }
    if let Some((Removals { spans, count, underlined }, entry)) = removed_repeat(text, d, lists) {
        // what it granted, another entry grants in every configuration
        return Some(Fix {
            title: match (count, underlined) {
                (1, true) => format!("Remove this `{entry}`"),
                // the underlined copy stays, for a comment in the way (found by review)
                (1, false) => format!("Remove another copy of `{entry}`"),
                _ => format!("Remove {count} copies of `{entry}`"),
            },
            code: d.code,
            at: d.span,
            edits: spans.into_iter().map(|span| (span, String::new())).collect(),
            preferred: true,
            applicability: Applicability::Safe,
        });
    }
    let (edit, action) = granted_session_action((text, trust_fields), d, line_break_of(text))?;
    // a trust policy that grants more than it did
    Some(Fix {
        title: format!("Grant `{action}` in this trust block"),
        code: d.code,
        at: d.span,
        edits: vec![edit],
        preferred: true,
        applicability: Applicability::Unsafe,
    })
}

/// W0512's fix: the entry it underlines (a copy, or an entry a pattern
/// matches) removed, with every other copy of it written in its list but
/// the one the secondary label points at (`repeat_fix::Lists::removals`:
/// each with the comma that parts it from the next entry, or the previous
/// one). Only when both that entry and the one that makes it redundant
/// (the secondary label) are written out as they render: an action, or a
/// string without `${`, unguarded (not a set's splice, which brings others
/// too, nor a param, a `for` template or a guarded entry, whose values or
/// presence change with the configuration), and only for a finding that
/// holds in every configuration. A finding that names the param values it
/// holds with (`(with region = "*")`) never gets one: its pattern renders
/// the param, so it is not written out. What goes, and the entry.
fn removed_repeat<'a>(text: &'a str, d: &Diagnostic, lists: &Lists<'_>) -> Option<(Removals, &'a str)> {
    // the checks add ` when f=v` or ` in N of M configurations` after the
    // message's last quoted name when the finding does not hold everywhere
    let tail = d.message.rsplit('`').next().unwrap_or_default();
    if d.code != Code::RepeatedEntry || tail.contains(" when ") || tail.ends_with(" configurations") {
        return None;
    }
    let written_at = |span: Span| text.get(span.start as usize..span.end as usize).filter(|entry| written_out(entry));
    let [other] = d.secondary.as_slice() else { return None };
    written_at(other.span)?;
    let entry = written_at(d.span)?;
    let removals = lists.removals(d.span, other.span)?;
    Some((removals, entry))
}

/// W0513's fix: the session action the service asks for (the label's
/// first quoted name), granted in the block of the `trust` field whose
/// principals hold the diagnostic: a block made of the field's `;`, an
/// `action` field first in its block, or, for a block that grants actions
/// already (a second `action` field is E0307), added to its list.
fn granted_session_action(
    (text, trust_fields): (&str, &[TrustField]),
    d: &Diagnostic,
    newline: &str,
) -> Option<((Span, String), String)> {
    if d.code != Code::SessionActionNotGranted {
        return None;
    }
    let action = d.label.as_deref()?.split('`').nth(1)?.to_string();
    let field = TrustField::around(trust_fields, d.span)?;
    if let Some(actions) = &field.actions {
        return added_to_actions(text, actions, action);
    }
    let end = field.span.end as usize;
    if !field.block {
        return Some(((Span::new(end - 1, end), format!(" {{ action {action}; }}")), action));
    }
    let brace = block_opening(text, field.values.end as usize, end)?;
    let after = text.get(brace + 1..)?;
    let line_ends_here = after.trim_start_matches([' ', '\t']).starts_with(['\n', '\r']);
    let inserted = match line_ends_here {
        // on a line of its own, indented as the block's next line
        true => {
            let next = after.trim_start_matches([' ', '\t']).trim_start_matches(['\n', '\r']);
            let indent = next.get(..next.len() - next.trim_start_matches([' ', '\t']).len()).unwrap_or_default();
            format!("{newline}{indent}action {action};")
        }
        // an empty block's `}` keeps a space before it
        false if after.starts_with('}') => format!(" action {action}; "),
        false => format!(" action {action};"),
    };
    Some(((Span::new(brace + 1, brace + 1), inserted), action))
}

/// W0513's fix for a block that grants actions already: the session action
/// added to its list (`action X;` -> `action [X, A];`, `[X, Y]` -> `[X, Y,
/// A]`, after a guard too, before a comment after the last entry). None
/// when the list names the action already (under a guard, or in another
/// case: a second copy would be W0512's), or splices a set (`@s`), whose
/// actions may hold it under a guard.
fn added_to_actions(text: &str, actions: &TrustActions, action: String) -> Option<((Span, String), String)> {
    if actions.splices_set || actions.names.contains(&action.to_ascii_lowercase()) {
        return None;
    }
    let written = text.get(actions.list.start as usize..actions.list.end as usize)?;
    let edit = match (actions.bracketed, actions.last_entry_end) {
        (true, Some(end)) => (Span::new(end as usize, end as usize), format!(", {action}")),
        // `[]`: inside the brackets
        (true, None) => {
            let inside = actions.list.start as usize + 1;
            (Span::new(inside, inside), action.clone())
        }
        (false, _) => (actions.list, format!("[{written}, {action}]")),
    };
    Some((edit, action))
}

/// Where the block of a field opens: the first `{` from `from` to `to`
/// outside a comment.
fn block_opening(text: &str, from: usize, to: usize) -> Option<usize> {
    let mut at = from;
    while at < to {
        let rest = text.get(at..to)?;
        if rest.starts_with("//") {
            at += rest.find(['\n', '\r']).unwrap_or(rest.len());
        } else if rest.starts_with('{') {
            return Some(at);
        } else {
            at += rest.chars().next()?.len_utf8();
        }
    }
    None
}

/// A list entry that renders as written: a bare action, or a quoted string
/// without interpolation, with no guard or template after it.
fn written_out(entry: &str) -> bool {
    let bare_action = entry.contains(':') && !entry.contains(char::is_whitespace) && !entry.contains(['@', '"', '/']);
    let plain_string = entry.len() >= 2
        && entry.starts_with('"')
        && entry.ends_with('"')
        && !entry.contains("${")
        && entry.matches('"').count() == 2;
    bare_action || plain_string
}

/// The replacement a diagnostic suggests ("did you mean `x`?"), as an edit
/// of `text`: what `pcl check --format json` reports as its fix.
pub fn suggested_edit(text: &str, d: &Diagnostic) -> Option<(Span, String)> {
    let suggestion = suggested(d.help.as_deref()?)?;
    // a key template (`iam:ResourceTag/${TagKey}`, `.../<key>`,
    // `.../tag-key`) is a hint to the reader, not text to insert
    if pcl_iam::catalog::key_template_head(&suggestion).is_some() {
        return None;
    }
    let span = replaced_span(text, d, &suggestion);
    // replacing a text with itself fixes nothing
    (text.get(span.start as usize..span.end as usize) != Some(suggestion.as_str())).then_some((span, suggestion))
}

/// `did you mean `x`?` -> `x`.
fn suggested(help: &str) -> Option<String> {
    let rest = help.split("did you mean `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// What a suggestion replaces: the diagnostic's span, inside the quotes of
/// a quoted name (a condition key, a quoted action), and narrowed to one
/// side of the colon when the suggestion has none: the service prefix
/// (`ec3:X` -> `ec2`) for an unknown service, else the name after it (an
/// unknown resource type, `iam:polcy` -> `policy`).
fn replaced_span(text: &str, d: &Diagnostic, suggestion: &str) -> Span {
    let mut span = d.span;
    let mut replaced = text.get(span.start as usize..span.end as usize).unwrap_or_default();
    if replaced.len() >= 2 && replaced.starts_with('"') && replaced.ends_with('"') && !suggestion.starts_with('"') {
        span = Span::new(span.start as usize + 1, span.end as usize - 1);
        replaced = replaced.get(1..replaced.len() - 1).unwrap_or_default();
    }
    if !suggestion.contains(':')
        && let Some(colon) = replaced.find(':')
    {
        return if d.code == Code::UnknownService {
            Span::new(span.start as usize, span.start as usize + colon)
        } else {
            Span::new(span.start as usize + colon + 1, span.end as usize)
        };
    }
    span
}

/// The line break the text uses (its first one): `\r\n`, a lone `\r`
/// (which the syntax and `pcl check` take as a line break too) or `\n`.
fn line_break_of(text: &str) -> &'static str {
    match text.find(['\r', '\n']).map(|at| &text[at..]) {
        Some(rest) if rest.starts_with("\r\n") => "\r\n",
        Some(rest) if rest.starts_with('\r') => "\r",
        _ => "\n",
    }
}

/// Where the line holding `offset` starts (after `\n`, `\r\n` or a lone `\r`).
fn line_start(index: &FileIndex, offset: usize) -> usize {
    index.text.get(..offset).and_then(|t| t.rfind(['\n', '\r'])).map_or(0, |i| i + 1)
}

/// A span extended over the line break (`\n`, `\r\n` or `\r`) that ends it.
fn with_line_end(index: &FileIndex, span: Span) -> Span {
    let end = span.end as usize;
    let rest = index.text.get(end..).unwrap_or_default();
    let extra = if rest.starts_with("\r\n") { 2 } else { usize::from(rest.starts_with(['\n', '\r'])) };
    Span::new(span.start as usize, end + extra)
}

/// The lengths, in bytes, of the longest common prefix and suffix of two
/// texts (not overlapping, on character boundaries).
pub(crate) fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let mut prefix: usize = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    // never between the two bytes of a CRLF (an editor would misplace it)
    let splits_crlf = |text: &str, at: usize| at > 0 && text.get(at - 1..=at) == Some("\r\n");
    if splits_crlf(a, prefix) || splits_crlf(b, prefix) {
        prefix -= 1;
    }
    let (a_rest, b_rest) = (a.get(prefix..).unwrap_or_default(), b.get(prefix..).unwrap_or_default());
    let mut suffix: usize =
        a_rest.chars().rev().zip(b_rest.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    if suffix > 0 && (splits_crlf(a, a.len() - suffix) || splits_crlf(b, b.len() - suffix)) {
        suffix -= 1;
    }
    (prefix, suffix)
}
