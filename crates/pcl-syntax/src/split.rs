//! Parsing a large policy or permset entry by entry. An editor's edit lands
//! inside one statement; re-parsing the whole item around it cost more than
//! every other part of a re-analysis. Here the item's top-level body entries
//! (statements, `with condition` blocks, includes, with their doc comments
//! and `expect`s) are found by a scan of tokens, each is parsed on its own
//! (the caller memoizes those parses by their text), and the item's header
//! is parsed with its entries left out.
//!
//! The result is the value `parse_chunk` returns, or nothing: whenever any
//! part does not parse cleanly (a syntax error, a keyword used as a name) or
//! the chunk is not laid out as expected, the caller parses the whole chunk,
//! so errors are always reported exactly as a whole parse reports them.

use pest::Parser;

use crate::Span;
use crate::ast::{BodyEntry, ItemKind};
use crate::grammar::{PclParser, Rule};
use crate::lower::Lowerer;
use crate::parser::{ParsedChunk, ParsedItem};
use crate::shift::ShiftSpans;
use crate::tokens::{Token, TokenKind};

/// Chunks shorter than this are parsed whole: one parse of a small item
/// costs less than the bookkeeping of its entries.
pub const SPLIT_FROM_BYTES: usize = 1024;

/// One body entry parsed on its own, spans relative to its start; `None`
/// when it does not parse cleanly (the whole chunk is parsed then).
pub fn parse_entry(text: &str) -> Option<Vec<BodyEntry>> {
    let mut pairs = PclParser::parse(Rule::body_entry_only, text).ok()?;
    let only = pairs.next()?;
    let mut lowerer = Lowerer::new(0, 0);
    let entries = lowerer.body_entries(only.into_inner().filter(|p| p.as_rule() == Rule::body_entry)).ok()?;
    (lowerer.errors.is_empty() && !lowerer.keyword_misused).then_some(entries)
}

/// `chunk` parsed entry by entry, each entry's parse obtained from `entry`
/// (given the entry's text). `None` when the chunk is small, is not one
/// policy or permset, or any part of it does not parse cleanly.
pub fn parse_split<'a>(chunk: &str, entry: &mut dyn FnMut(&str) -> Option<&'a [BodyEntry]>) -> Option<ParsedChunk> {
    if chunk.len() < SPLIT_FROM_BYTES {
        return None;
    }
    let outline = outline(chunk)?;
    let (first, _) = *outline.first()?;
    let (_, last) = *outline.last()?;
    let header = format!("{}{}", chunk.get(..first)?, chunk.get(last..)?);
    let mut pairs = PclParser::parse(Rule::file, &header).ok()?;
    let mut items = pairs.next()?.into_inner().filter(|p| p.as_rule() == Rule::item);
    let pair = items.next()?;
    if items.next().is_some() {
        return None;
    }
    let item_start = pair.as_span().start();
    let mut lowerer = Lowerer::new(0, item_start);
    let mut item = lowerer.item(pair).ok()?;
    if !lowerer.errors.is_empty() || lowerer.keyword_misused {
        return None;
    }
    let entries = match &mut item.kind {
        ItemKind::Policy(policy) => &mut policy.entries,
        ItemKind::Permset(permset) => &mut permset.entries,
        _ => return None,
    };
    if !entries.is_empty() {
        return None;
    }
    for &(start, end) in &outline {
        let by = u32::try_from(start.checked_sub(item_start)?).ok()?;
        entries.extend(entry(chunk.get(start..end)?)?.iter().map(|parsed| {
            let mut placed = parsed.clone();
            placed.shift_spans(by);
            placed
        }));
    }
    entries.shrink_to_fit();
    // the item's span ends after the entries left out of the header
    item.span = Span::new(item.span.start as usize, item.span.end as usize + (last - first));
    let offset = u32::try_from(item_start).ok()?;
    Some(ParsedChunk {
        items: vec![ParsedItem { offset, item: std::sync::Arc::new(item) }],
        errors: Vec::new(),
        broken_names: Vec::new(),
    })
}

/// The byte ranges of the top-level body entries of the one item in
/// `chunk`, when its body holds entries and, before them only, `name` and
/// `description` fields, and nothing but comments follows the body.
fn outline(chunk: &str) -> Option<Vec<(usize, usize)>> {
    let tokens = crate::tokens::tokens(chunk);
    let text = |t: &Token| chunk.get(t.span.range()).unwrap_or_default();
    let is = |t: &Token, punct: &str| t.kind == TokenKind::Punct && text(t) == punct;
    let mut it = tokens.iter();
    // the header, up to the body's opening brace
    loop {
        let t = it.next()?;
        if is(t, "{") {
            break;
        }
        if is(t, "}") || is(t, ";") {
            return None;
        }
    }
    let mut entries: Vec<(usize, usize)> = Vec::new();
    loop {
        let t = it.next()?;
        let starts_entry = match t.kind {
            TokenKind::Comment => continue,
            TokenKind::DocComment => true,
            TokenKind::Punct if is(t, "}") => break,
            TokenKind::Word => match text(t) {
                "allow" | "deny" | "with" | "include" | "expect" => true,
                "name" | "description" if entries.is_empty() => false,
                _ => return None,
            },
            _ => return None,
        };
        // an entry (or a field) runs to a `;` or to the brace that closes it
        let start = t.span.start as usize;
        let mut depth = 0usize;
        let mut token = t;
        let end = loop {
            if is(token, "{") {
                depth += 1;
            } else if is(token, "}") {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    break token.span.end as usize;
                }
            } else if is(token, ";") && depth == 0 {
                break token.span.end as usize;
            }
            token = it.next()?;
        };
        if starts_entry {
            entries.push((start, end));
        } else if depth != 0 || text(token) != ";" {
            return None;
        }
    }
    // after the body, comments only
    if it.any(|t| t.kind != TokenKind::Comment) {
        return None;
    }
    (!entries.is_empty()).then_some(entries)
}
