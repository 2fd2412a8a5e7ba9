//! A hand-written parser for clean input: the fast path in front of pest.
//!
//! pest's generated parser was half of a cold `pcl check` of `policies.pcl`
//! (about 420 instructions a byte). This parser reads the same grammar,
//! rule by rule, straight into the AST, at about 60. It is not a
//! second definition of the language: `pcl.pest` stays the definition and
//! pest the parser of every input that is not clean. This one gives up
//! (`None`) on anything a whole parse would report, a syntax error, a
//! keyword used as a name, a bad escape or interpolation, nesting past the
//! limits, and the caller then parses with pest, so every error is pest's
//! and the lowering's, exactly as before.
//!
//! Where it succeeds, its AST equals pest's, span for span. It therefore
//! copies pest's ways, quirks included: implicit whitespace and comments
//! between the elements of a non-atomic rule (not inside atomic ones); a
//! literal such as `"{"` needs no word break after it, where an atomic
//! keyword rule (`kw`) does (a keyword the grammar writes as a literal,
//! `"include"`, is guarded by the `glued_keyword` look-ahead, which the fast
//! path mirrors by giving such a chunk to pest); ordered choice with backtracking; and a rule
//! whose last elements are optional or repeated ends after the whitespace it
//! skipped before them (so a guarded list element's span reaches the next
//! `,`). The differential tests (`fast_tests.rs`) hold it to pest on real
//! files, generated corpora and mutations of them.
//!
//! Where pest would try alternatives in turn, this parser often picks one
//! by the next byte (an item by its keyword's first letter, a list by its
//! `[`): sound because today's alternatives start with different tokens. A
//! grammar change that lets two alternatives share a first token must undo
//! that shortcut (and add a corner case with that token to the differential
//! tests, which then fail while the shortcut stays).
//!
//! Layout: this module holds the cursor and the entry points; `items` the
//! declarations and roles, `bodies` statements and lists, `exprs` guards.

mod bodies;
mod exprs;
mod items;

use crate::Span;
use crate::ast::{BodyEntry, Ident, Item, StrLit};
use crate::lower::{KEYWORDS, Lowerer};

/// The items of a chunk (`file = SOI ~ item* ~ EOI`), each with where it
/// starts and spans relative to that start; `None` unless the chunk is clean.
pub(crate) fn file(text: &str) -> Option<Vec<(usize, Item)>> {
    let mut p = Fast::new(text);
    p.skip();
    let items = p.repeat(|p| {
        let start = p.pos;
        p.item().map(|item| (start, item))
    });
    p.skip();
    // an item that does not parse stops the repetition short of the end
    (p.at_end() && !p.bailed).then_some(items)
}

/// One body entry on its own (`body_entry_only = SOI ~ body_entry ~ EOI`),
/// spans relative to the text's start; `None` unless it is clean.
pub(crate) fn body_entry_only(text: &str) -> Option<Vec<BodyEntry>> {
    let mut p = Fast::new(text);
    p.skip();
    let entry = p.body_entry()?;
    p.skip();
    (p.at_end() && !p.bailed).then(|| vec![entry])
}

/// An item's doc comments and `expect`s alone (`(doc | expect_attr)*`,
/// then what `skip` skips), spans relative to the text's start: `None`
/// unless they are all the text holds, cleanly.
pub(crate) fn prelude(text: &str) -> Option<(Vec<String>, Vec<crate::ast::Expect>)> {
    let mut p = Fast::new(text);
    // what a chunk skips before its item (`////` lines, blank lines): the
    // item would start later
    p.skip();
    if p.pos != 0 {
        return None;
    }
    let found = p.docs_and_expects();
    p.skip();
    (p.at_end() && !p.bailed).then_some(found)
}

/// The cursor. Rules are methods that start at `pos` (after any whitespace
/// the enclosing rule skipped) and return `None` when they do not match;
/// a caller that tries another alternative puts `pos` back first.
struct Fast<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Where the current item starts: spans are relative to it.
    base: usize,
    /// Lowers string literals (escapes, interpolations) as pest's path does;
    /// any error it records makes the parse give up.
    strings: Lowerer,
    /// Something pest's path would report (or that this parser does not
    /// handle) was met: the whole parse fails, whatever backtracking follows.
    /// The entry points check it at the end; the checks inside rules only
    /// stop early.
    bailed: bool,
    /// `with condition` blocks open around the current entry.
    block_depth: usize,
    /// Parentheses and `not`s open around the current expression.
    nesting: usize,
}

impl<'t> Fast<'t> {
    fn new(text: &'t str) -> Self {
        Fast {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            base: 0,
            strings: Lowerer::new(0, 0),
            bailed: false,
            block_depth: 0,
            nesting: 0,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Gives up on the whole parse; returns `None` for the caller's `?`.
    fn bail<T>(&mut self) -> Option<T> {
        self.bailed = true;
        None
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(start.saturating_sub(self.base), end.saturating_sub(self.base))
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }

    /// pest's implicit `skip`: `(WHITESPACE | COMMENT)*`, where a comment is
    /// `////...` or `//` not followed by `/`, to the end of the line.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'/') if self.is_comment() => self.pos = self.line_end(self.pos),
                _ => return,
            }
        }
    }

    fn is_comment(&self) -> bool {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        rest.starts_with(b"////") || (rest.starts_with(b"//") && rest.get(2) != Some(&b'/'))
    }

    /// The position of the next line break (`\n` or `\r`) from `from`, or
    /// the end: where `line_char*` stops.
    fn line_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        memchr::memchr2(b'\n', b'\r', rest).map_or(self.bytes.len(), |i| from + i)
    }

    /// A literal (`"{"`, `"include"`): no word break needed after it.
    fn lit(&mut self, s: &str) -> bool {
        if self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(s.as_bytes())) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// A literal the rule cannot do without.
    fn need(&mut self, s: &str) -> Option<()> {
        self.lit(s).then_some(())
    }

    /// An atomic keyword the rule cannot do without.
    fn need_kw(&mut self, s: &str) -> Option<()> {
        self.kw(s).then_some(())
    }

    /// A literal in the middle of a rule: it, then the white space after it.
    fn token(&mut self, s: &str) -> Option<()> {
        self.need(s)?;
        self.skip();
        Some(())
    }

    /// `glued_keyword`: one of the words that start an item, a guard, an
    /// include, a condition or a role field, glued to the name after it
    /// (`inlinehead_node`). Where the grammar looks ahead for it, it is
    /// always a syntax error: the fast path gives the chunk to pest.
    fn glued_keyword(&mut self) -> Option<()> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        // asked before every guard a list item may have: most often the next
        // byte is `,`, `]` or `;`, and no word is compared
        if !rest.first().is_some_and(u8::is_ascii_lowercase) {
            return Some(());
        }
        let word_len = rest.iter().take_while(|b| is_ident_char(**b)).count();
        let glued = crate::lower::glued_keyword(self.slice(self.pos, self.pos + word_len)).is_some();
        if glued { self.bail() } else { Some(()) }
    }

    /// An atomic keyword rule (`@{ "allow" ~ !ident_char }`).
    fn kw(&mut self, s: &str) -> bool {
        let end = self.pos + s.len();
        let matches = self.bytes.get(self.pos..end) == Some(s.as_bytes())
            && !self.bytes.get(end).copied().is_some_and(is_ident_char);
        if matches {
            self.pos = end;
        }
        matches
    }

    /// Consumes `class+`; the start and end, or `None` for no byte.
    fn run(&mut self, class: fn(u8) -> bool) -> Option<(usize, usize)> {
        let start = self.pos;
        while self.peek().is_some_and(class) {
            self.pos += 1;
        }
        (self.pos > start).then_some((start, self.pos))
    }

    /// `ident = @{ (ASCII_ALPHA | "_") ~ ident_char* }`: its extent.
    fn ident_extent(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if !self.peek().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_') {
            return None;
        }
        self.pos += 1;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Some((start, self.pos))
    }

    /// A name the lowering checks (`Lowerer::ident` of an `ident` pair):
    /// a keyword gives up.
    fn name(&mut self, start: usize, end: usize) -> Option<Ident> {
        let name = self.slice(start, end);
        if KEYWORDS.contains(&name) {
            return self.bail();
        }
        Some(Ident { name: name.into(), span: self.span(start, end) })
    }

    /// A name in a rule other than `ident` (a feature's value, a compared
    /// value, a condition operator): `true` and `false` are values there.
    fn value_name(&mut self, start: usize, end: usize) -> Option<Ident> {
        let text = self.slice(start, end);
        if matches!(text, "true" | "false") {
            return Some(Ident { name: text.into(), span: self.span(start, end) });
        }
        self.name(start, end)
    }

    /// An identifier in a place where the lowering checks it as a name.
    fn ident(&mut self) -> Option<Ident> {
        let (start, end) = self.ident_extent()?;
        self.name(start, end)
    }

    /// `string = ${ "\"" ~ str_inner ~ "\"" }`, lowered.
    fn string(&mut self) -> Option<StrLit> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        let mut at = start + 1;
        loop {
            match self.bytes.get(at) {
                Some(b'"') => break,
                // `"\\" ~ ANY`: an escaped byte, whatever it is (a multi-byte
                // character's other bytes are never `"` nor `\`)
                Some(b'\\') if at + 1 < self.bytes.len() => at += 2,
                Some(b'\\' | b'\n' | b'\r') | None => return None,
                Some(_) => at += 1,
            }
        }
        self.pos = at + 1;
        let raw = self.slice(start, self.pos);
        let span = self.span(start, self.pos);
        let lit = self.strings.string_at(raw, span);
        if !self.strings.errors.is_empty() {
            return self.bail();
        }
        Some(lit)
    }

    /// `doc = ${ "///" ~ doc_text }`: its text.
    fn doc(&mut self) -> Option<String> {
        if !self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(b"///")) {
            return None;
        }
        let end = self.line_end(self.pos);
        let text = crate::lower::doc_text_of(self.slice(self.pos, end));
        self.pos = end;
        Some(text)
    }

    /// Tries `rule`; on no match puts the cursor back.
    fn attempt<T>(&mut self, rule: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let save = self.pos;
        let result = rule(self);
        if result.is_none() {
            self.pos = save;
        }
        result
    }

    /// `rule*` as pest repeats: the first without a skip before it, every
    /// other after one; a failed attempt puts the cursor back before its skip.
    fn repeat<T>(&mut self, mut rule: impl FnMut(&mut Self) -> Option<T>) -> Vec<T> {
        let mut out = Vec::new();
        loop {
            let save = self.pos;
            if !out.is_empty() {
                self.skip();
            }
            match rule(self) {
                Some(value) if !self.bailed => out.push(value),
                _ => {
                    self.pos = save;
                    return out;
                }
            }
        }
    }
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
