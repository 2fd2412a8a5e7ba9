//! W0512's fix: an entry that adds nothing removed from its list together
//! with every other copy of it written there, so that an entry listed five
//! times, or covered by a pattern and listed again, goes in one fix, not
//! one a pass. The lists are read from the text's tokens (`pcl_syntax::
//! tokens`: strings and comments are tokens of their own, so a `[` or `,`
//! inside them is not punctuation), made once for all the findings.

use std::cell::OnceCell;

use pcl_syntax::Span;
use pcl_syntax::tokens::{Token, TokenKind};

/// The bracketed lists of a text (or of one item of it, at `base`), read
/// when a fix first asks.
pub(crate) struct Lists<'t> {
    text: &'t str,
    base: u32,
    read: OnceCell<Read>,
    /// Each list asked about, by the index of its `[`, read once: a list
    /// of thousands of entries may have thousands of findings.
    entries: std::cell::RefCell<std::collections::HashMap<(usize, bool), std::rc::Rc<ListEntries>>>,
}

/// Every token, and for each the `[` of the innermost list around it.
struct Read {
    tokens: Vec<Token>,
    /// By token: the index of the `[` it is inside, if any.
    inside: Vec<Option<usize>>,
    /// By the index of a `[`: the index of its `]`.
    closing: std::collections::HashMap<usize, usize>,
}

/// One entry of a list: its code's first and last byte (comments left
/// out), whether it is one token (an action or a string, unguarded), and
/// where what follows its comma starts (the next entry, or a comment
/// after the comma), if a comma follows it with no comment before it.
#[derive(Clone, Copy)]
struct Entry {
    span: Span,
    single: bool,
    after_comma: Option<u32>,
}

/// What W0512's fix removes: the spans, how many copies, and whether the
/// copy the finding underlines is among them (a copy whose removal would
/// take a comment stays, the underlined one too).
pub(crate) struct Removals {
    pub spans: Vec<Span>,
    pub count: usize,
    pub underlined: bool,
}

/// A list's entries, the places of the one-token entries by what they
/// render (`rendered_key`), and the comments among them (in order).
struct ListEntries {
    entries: Vec<Entry>,
    by_key: std::collections::HashMap<String, Vec<usize>>,
    comments: Vec<Span>,
}

/// What a one-token entry renders, as its list compares it: an action
/// whether quoted or not, ignoring ASCII case (as IAM does); a resource
/// as written (a string with an escape, as written, in either).
fn rendered_key(written: &str, actions: bool) -> String {
    if !actions {
        return written.to_string();
    }
    let bare = match written.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => inner,
        _ => written,
    };
    bare.to_ascii_lowercase()
}

impl<'t> Lists<'t> {
    /// The lists of `text`, which starts at `base` in the file.
    pub(crate) fn new(text: &'t str, base: u32) -> Self {
        Lists { text, base, read: OnceCell::new(), entries: std::cell::RefCell::default() }
    }

    fn read(&self) -> &Read {
        self.read.get_or_init(|| {
            let tokens = pcl_syntax::tokens::tokens(self.text);
            let mut inside = Vec::with_capacity(tokens.len());
            let mut closing = std::collections::HashMap::new();
            let mut open: Vec<usize> = Vec::new();
            for (at, token) in tokens.iter().enumerate() {
                match punct(self.text, token) {
                    Some("]") => {
                        if let Some(start) = open.pop() {
                            closing.insert(start, at);
                        }
                        inside.push(open.last().copied());
                    }
                    Some("[") => {
                        inside.push(open.last().copied());
                        open.push(at);
                    }
                    _ => inside.push(open.last().copied()),
                }
            }
            Read { tokens, inside, closing }
        })
    }

    /// The edits that remove `entry` (a copy the finding underlines) and
    /// every other one-token entry of its list that renders as it does
    /// (`rendered_key`: in an action list, `s3:GetObject`,
    /// `"s3:GetObject"` and `s3:getobject` alike), but the copy at `kept`
    /// (the first copy, which the finding's secondary label points at).
    /// Each removal takes the comma after the entry and the blanks up to
    /// what follows (the next entry takes its place); the list's last
    /// entries go from the end of the entry before them (a trailing comma
    /// kept). No comment is removed: a copy whose removal would take one
    /// (or with a comment before its comma) stays. With the number of
    /// copies removed; `None` when the entry is not in a list, or no copy
    /// can go, or nothing would be left of the list.
    pub(crate) fn removals(&self, entry: Span, kept: Span) -> Option<Removals> {
        let read = self.read();
        let local = |span: Span| span.relative_to(self.base);
        let (entry, kept) = (local(entry), local(kept));
        let at = read.tokens.binary_search_by_key(&entry.start, |t| t.span.start).ok()?;
        let open = (*read.inside.get(at)?)?;
        // the field the list is the value of (found by review: read from
        // the finding's message, a resource that quoted its words was taken
        // for an action)
        let field = read.tokens.get(..open)?.iter().rev().find(|t| !matches!(t.kind, TokenKind::Comment));
        let actions = match field.and_then(|t| self.text.get(t.span.range())) {
            Some("action" | "notaction") => true,
            Some("resource" | "notresource") => false,
            _ => return None,
        };
        let list = self.list(read, open, actions)?;
        let key = rendered_key(self.text.get(entry.range())?, actions);
        let copies: Vec<usize> = (list.by_key.get(&key)?.iter().copied())
            .filter(|&at| list.entries.get(at).is_some_and(|e| e.span != kept))
            .collect();
        // the last entry kept (the copies are few: this looks at them only)
        let mut last_kept = list.entries.len().checked_sub(1)?;
        for &at in copies.iter().rev() {
            if at != last_kept {
                break;
            }
            last_kept = last_kept.checked_sub(1)?;
        }
        // the comments are in order: the first that ends after a span starts
        let holds_comment = |span: &Span| {
            let first = list.comments.partition_point(|c| c.end <= span.start);
            list.comments.get(first).is_some_and(|c| c.start < span.end)
        };
        let mut spans = Vec::new();
        let (mut count, mut underlined) = (0, false);
        for e in copies.iter().filter(|&&at| at < last_kept).filter_map(|&at| list.entries.get(at)) {
            let Some(next) = e.after_comma else { continue };
            let span = Span::new(e.span.start as usize, next as usize);
            if !holds_comment(&span) {
                spans.push(span);
                count += 1;
                underlined |= e.span == entry;
            }
        }
        // the list's last entries, all copies, with the comma before them
        if let (Some(before), Some(last)) = (list.entries.get(last_kept), list.entries.last())
            && last_kept + 1 < list.entries.len()
        {
            let span = Span::new(before.span.end as usize, last.span.end as usize);
            if !holds_comment(&span) {
                spans.push(span);
                count += list.entries.len() - 1 - last_kept;
                underlined |= entry.start >= before.span.end;
            }
        }
        if spans.is_empty() {
            return None;
        }
        let spans = spans.into_iter().map(|span| span.shift(self.base)).collect();
        Some(Removals { spans, count, underlined })
    }

    /// The entries of the list opened by the token at `open`, read once.
    /// (Keyed by `actions` too: what an entry renders is compared as its
    /// list compares it.)
    fn list(&self, read: &Read, open: usize, actions: bool) -> Option<std::rc::Rc<ListEntries>> {
        if let Some(list) = self.entries.borrow().get(&(open, actions)) {
            return Some(std::rc::Rc::clone(list));
        }
        let close = *read.closing.get(&open)?;
        let list = std::rc::Rc::new(entries(self.text, read.tokens.get(open + 1..close)?, actions));
        self.entries.borrow_mut().insert((open, actions), std::rc::Rc::clone(&list));
        Some(list)
    }
}

/// The text of a punctuation token.
fn punct<'a>(text: &'a str, token: &Token) -> Option<&'a str> {
    (token.kind == TokenKind::Punct).then(|| text.get(token.span.range())).flatten()
}

/// The entries of a list from the tokens between its brackets: split at
/// the commas outside parentheses and inner brackets; and its comments.
fn entries(text: &str, tokens: &[Token], actions: bool) -> ListEntries {
    let mut list = ListEntries { entries: Vec::new(), by_key: std::collections::HashMap::new(), comments: Vec::new() };
    // the entry being read (its span and tokens), and the one whose comma
    // was just read (what follows it starts where the next token does)
    let mut current: Option<(Span, usize)> = None;
    let mut after_comma_of: Option<usize> = None;
    let mut comment_since_entry = false;
    let mut depth = 0usize;
    for token in tokens {
        if let Some(at) = after_comma_of.take()
            && let Some(entry) = list.entries.get_mut(at)
        {
            entry.after_comma = Some(token.span.start);
        }
        if matches!(token.kind, TokenKind::Comment | TokenKind::DocComment) {
            list.comments.push(token.span);
            comment_since_entry = true;
            continue;
        }
        match punct(text, token) {
            Some(",") if depth == 0 => {
                if let Some((span, count)) = current.take() {
                    list.entries.push(Entry { span, single: count == 1, after_comma: None });
                    // a comment between an entry and its comma: its comma is not taken
                    if !comment_since_entry {
                        after_comma_of = Some(list.entries.len() - 1);
                    }
                }
                continue;
            }
            Some("(" | "[") => depth += 1,
            Some(")" | "]") => depth = depth.saturating_sub(1),
            _ => {}
        }
        comment_since_entry = false;
        current = Some(match current {
            Some((span, count)) => (span.to(token.span), count + 1),
            None => (token.span, 1),
        });
    }
    if let Some((span, count)) = current {
        list.entries.push(Entry { span, single: count == 1, after_comma: None });
    }
    for (at, entry) in list.entries.iter().enumerate().filter(|(_, e)| e.single) {
        if let Some(written) = text.get(entry.span.range()) {
            list.by_key.entry(rendered_key(written, actions)).or_default().push(at);
        }
    }
    list
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::Lists;
    use pcl_syntax::Span;

    /// `text` with the copies of the entry at the `n`th `X` removed, the
    /// first `X` (or the one at `kept`) kept.
    fn fixed(text: &str, entry: &str, kept: Option<&str>) -> Option<String> {
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(start, start + entry.len())
        };
        let entry_span = Span::new(text.rfind(entry).unwrap(), text.rfind(entry).unwrap() + entry.len());
        let kept = kept.map_or(Span::new(0, 0), at);
        let field = if entry.starts_with('"') { "resource " } else { "action " };
        let text = format!("{field}{text}");
        let shift = |span: Span| Span::new(span.start as usize + field.len(), span.end as usize + field.len());
        let (entry_span, kept) = (shift(entry_span), if kept == Span::new(0, 0) { kept } else { shift(kept) });
        let spans = Lists::new(&text, 0).removals(entry_span, kept)?.spans;
        let mut out = text.clone();
        for span in spans.iter().rev() {
            out.replace_range(span.range(), "");
        }
        Some(out[field.len()..].to_string())
    }

    #[test]
    fn every_copy_goes_in_one_fix() {
        // covered by a pattern: every copy
        assert_eq!(fixed("[s3:*, x:Y, x:Y, x:Y]", "x:Y", None).unwrap(), "[s3:*]");
        assert_eq!(fixed("[x:Y, s3:*, x:Y,]", "x:Y", None).unwrap(), "[s3:*,]");
        // listed again: the first kept
        assert_eq!(fixed("[x:Y, a:B, x:Y, x:Y]", "x:Y", Some("x:Y")).unwrap(), "[x:Y, a:B]");
        assert_eq!(fixed("[a:B, x:Y, x:Y, c:D, x:Y]", "x:Y", Some("x:Y")).unwrap(), "[a:B, x:Y, c:D]");
        // on lines of their own, with comments, which stay
        let text = "[\n    a:B,\n    x:Y, // first\n    x:Y, // again\n    c:D,\n    x:Y,\n]";
        let want = "[\n    a:B,\n    x:Y, // first\n    // again\n    c:D,\n]";
        assert_eq!(fixed(text, "x:Y", Some("x:Y")).unwrap(), want);
        // a guarded copy: left; another case, or quoted: the same action
        let text = "[x:Y, x:Y when f, X:y, \"x:Y\", x:Y, \"x:\\Y\"]";
        assert_eq!(fixed(text, "x:Y", Some("x:Y")).unwrap(), "[x:Y, x:Y when f, \"x:\\Y\"]");
        // brackets and commas inside strings and comments are no list's
        let text = "[\"a,[b\", \"r\", \"/* ] ,\", \"r\"]";
        assert_eq!(fixed(text, "\"r\"", Some("\"r\"")).unwrap(), "[\"a,[b\", \"r\", \"/* ] ,\"]");
        // a removal that would take a comment: that copy stays, the others go
        assert_eq!(fixed("[x:Y, // c\n x:Y]", "x:Y", Some("x:Y")), None);
        assert_eq!(fixed("[x:Y, x:Y // c\n, a:B]", "x:Y", Some("x:Y")), None);
        let text = "[x:Y, a:B, x:Y, x:Y // why\n , c:D, x:Y]";
        assert_eq!(fixed(text, "x:Y", Some("x:Y")).unwrap(), "[x:Y, a:B, x:Y // why\n , c:D]");
        // the underlined copy kept for its comment: said
        let text = "action [x:Y, x:Y // why\n , a:B, x:Y]";
        let underlined = Span::new(text.find("x:Y //").unwrap(), text.find("x:Y //").unwrap() + 3);
        let removals = Lists::new(text, 0).removals(underlined, Span::new(8, 11)).unwrap();
        assert_eq!((removals.count, removals.underlined), (1, false));
        // a list that is no statement field's: none
        assert!(Lists::new("x = [x:Y, x:Y]", 0).removals(Span::new(10, 13), Span::new(5, 8)).is_none());
        // resources compare as written
        let text = "[\"arn:aws:s3:::b\", \"arn:aws:s3:::B\", \"arn:aws:s3:::b\"]";
        assert_eq!(
            fixed(text, "\"arn:aws:s3:::b\"", Some("\"arn:aws:s3:::b\"")).unwrap(),
            "[\"arn:aws:s3:::b\", \"arn:aws:s3:::B\"]"
        );
        // nothing would be left, or not in a list
        assert_eq!(fixed("[x:Y, x:Y]", "x:Y", None), None);
        assert_eq!(fixed("action x:Y;", "x:Y", None), None);
    }
}
