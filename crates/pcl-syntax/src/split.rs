//! Parsing a large policy or permset entry by entry. An editor's edit lands
//! inside one statement; re-parsing the whole item around it cost more than
//! every other part of a re-analysis. Here the item's top-level body entries
//! (statements, `with condition` blocks, includes, with their doc comments
//! and `expect`s) are found by a scan of tokens, each is parsed on its own
//! (the caller memoizes those parses by their text), and the item's header
//! is parsed with its entries left out. A `with condition` block is split
//! the same way, one level deep: its shell (the block with its entries left
//! out) and each of its entries are parsed on their own, so that an edit
//! inside a large block re-parses one statement, not the block.
//!
//! The result is the value `parse_chunk` returns, or nothing: whenever any
//! part does not parse cleanly (a syntax error, a keyword used as a name) or
//! the chunk is not laid out as expected, the caller parses the whole chunk,
//! so errors are always reported exactly as a whole parse reports them.

use crate::Span;
use crate::ast::{BodyEntry, Item, ItemKind, Permset, Policy};
use crate::grammar::Rule;
use crate::lower::Lowerer;
use crate::outline::{BlockOutline, Kind, Scanner, after_preamble, block_outline, outline};
use crate::parser::{ParsedChunk, ParsedItem};
use crate::shift::ShiftSpans;

/// Chunks shorter than this are parsed whole: one parse of a small item
/// costs less than the bookkeeping of its entries.
pub const SPLIT_FROM_BYTES: usize = 1024;

/// One body entry parsed on its own, spans relative to its start; `None`
/// when it does not parse cleanly (the whole chunk is parsed then).
pub fn parse_entry(text: &str) -> Option<Vec<BodyEntry>> {
    crate::fast::body_entry_only(text).or_else(|| parse_entry_with_pest(text))
}

/// `parse_entry` by pest and the lowering alone.
pub fn parse_entry_with_pest(text: &str) -> Option<Vec<BodyEntry>> {
    let mut pairs = crate::nesting::pest_parse_within_nesting(Rule::body_entry_only, text)?;
    let only = pairs.next()?;
    let mut lowerer = Lowerer::new(0, 0);
    let entries = lowerer.body(only.into_inner().filter(|p| p.as_rule() == Rule::body_entry)).ok()?;
    (lowerer.errors.is_empty() && !lowerer.keyword_misused).then_some(entries)
}

/// The header of a large item: the item with its body entries left out,
/// and where the item starts in its chunk.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    pub item_start: usize,
    pub item: Item,
}

/// A chunk's text with its body entries left out, parsed; `None` unless it
/// is one policy or permset, with no entries, that parses cleanly.
pub fn parse_header(text: &str) -> Option<Header> {
    if let Some(items) = crate::fast::file(text) {
        let [(item_start, item)] = <[_; 1]>::try_from(items).ok()?;
        return header_of(item_start, item);
    }
    let mut pairs = crate::nesting::pest_parse_within_nesting(Rule::file, text)?;
    let mut items = pairs.next()?.into_inner().filter(|p| p.as_rule() == Rule::item);
    let pair = items.next()?;
    if items.next().is_some() {
        return None;
    }
    let item_start = pair.as_span().start();
    let mut lowerer = Lowerer::new(0, item_start);
    let item = lowerer.item(pair).ok()?;
    if !lowerer.errors.is_empty() || lowerer.keyword_misused {
        return None;
    }
    header_of(item_start, item)
}

/// A header, if `item` is a policy or permset with no entries.
fn header_of(item_start: usize, item: Item) -> Option<Header> {
    match &item.kind {
        ItemKind::Policy(Policy { entries, .. }) | ItemKind::Permset(Permset { entries, .. }) if entries.is_empty() => {
            Some(Header { item_start, item })
        }
        _ => None,
    }
}

/// The parses of a chunk's parts, as the caller keeps them (memoized by
/// their text): its header's and each body entry's.
pub trait Parts<'a> {
    fn header(&mut self, text: &str) -> Option<&'a Header>;
    /// `offset`: where the entry starts in its item. `inner`: for the shell
    /// of a `with condition` block (its entries left out), how many entries
    /// of the block follow, each asked for on its own; 0 for any other entry.
    fn entry(&mut self, text: &str, offset: u32, inner: u32) -> Option<&'a [BodyEntry]>;
}

/// `chunk` parsed entry by entry, with the parses of its parts from
/// `parts`. `None` when the chunk is small, is not one policy or permset,
/// or any part of it does not parse cleanly.
pub fn parse_split<'a>(chunk: &str, parts: &mut dyn Parts<'a>) -> Option<ParsedChunk> {
    if chunk.len() < SPLIT_FROM_BYTES {
        return None;
    }
    let outline = outline(chunk)?;
    let (first, _) = *outline.first()?;
    let (_, last) = *outline.last()?;
    let Header { item_start, item } = parts.header(&format!("{}{}", chunk.get(..first)?, chunk.get(last..)?))?;
    let mut item = item.clone();
    let entries = match &mut item.kind {
        ItemKind::Policy(policy) => &mut policy.entries,
        ItemKind::Permset(permset) => &mut permset.entries,
        _ => return None,
    };
    for &(start, end) in &outline {
        match block_outline(chunk, start, end) {
            Some(block) => entries.push(split_block(chunk, (start, end), &block, *item_start, parts)?),
            None => place_entry(chunk, (start, end), *item_start, parts, entries)?,
        }
    }
    entries.shrink_to_fit();
    // the item's span ends after the entries left out of the header
    item.span = Span::new(item.span.start as usize, item.span.end as usize + (last - first));
    let offset = u32::try_from(*item_start).ok()?;
    Some(ParsedChunk {
        items: vec![ParsedItem { offset, item: std::sync::Arc::new(item) }],
        errors: Vec::new(),
        broken_names: Vec::new(),
    })
}

/// Where an entry of a chunk split by `parse_split` sits in its item's
/// body: a top-level entry, or an entry of the top-level `with condition`
/// block at `block`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryPlace {
    Top(usize),
    InBlock { block: usize, at: usize },
}

/// Whether `text`, the new text of an entry of a chunk split by
/// `parse_split` after an edit strictly inside it, is still one entry,
/// split the same way: scanned as the split scans a body, it starts an
/// entry and ends where the text ends, and it is (at the top) not a block
/// to split or (in a block) not a block at all. The scanner keeps no state
/// between entries, so the rest of the chunk splits as before.
pub fn still_one_entry(text: &str, in_block: bool) -> bool {
    let mut scan = Scanner { bytes: text.as_bytes(), at: 0 };
    let Some(first) = scan.next() else { return false };
    let word = text.get(first.start..first.end).unwrap_or_default();
    let starts_entry = first.kind == Kind::Doc
        || (first.kind == Kind::Word && matches!(word, "allow" | "deny" | "with" | "include" | "expect"));
    if !starts_entry || first.start != 0 {
        return false;
    }
    let mut depth = 0usize;
    let mut token = first;
    let end = loop {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => match depth.checked_sub(1) {
                Some(0) => break token.end,
                Some(d) => depth = d,
                None => return false,
            },
            Kind::Semicolon if depth == 0 => break token.end,
            _ => {}
        }
        match scan.next_structural() {
            Some(t) => token = t,
            None => return false,
        }
    };
    end == text.len()
        && match in_block {
            true => after_preamble(text, 0, text.len(), "with").is_none(),
            false => block_outline(text, 0, text.len()).is_none(),
        }
}

/// `item`, parsed by `parse_split`, with the entry at `place` replaced by
/// `entry` (spans relative to its own start, which is `offset` in the
/// item) and everything after it moved by `delta` bytes (a wrapping
/// `u32`: a move back is its two's complement). `None` if `place` is not
/// in the item.
pub fn replace_entry(item: &Item, place: EntryPlace, entry: &BodyEntry, offset: u32, delta: u32) -> Option<Item> {
    let old = match &item.kind {
        ItemKind::Policy(policy) => &policy.entries,
        ItemKind::Permset(permset) => &permset.entries,
        _ => return None,
    };
    let top = match place {
        EntryPlace::Top(at) | EntryPlace::InBlock { block: at, .. } => at,
    };
    let mut placed = entry.clone();
    placed.shift_spans(offset);
    // the entries copied once each (the one replaced is not), those after
    // it moved as they are copied
    let mut entries = Vec::with_capacity(old.len());
    entries.extend(old.get(..top)?.iter().cloned());
    match place {
        EntryPlace::Top(_) => entries.push(placed),
        EntryPlace::InBlock { at, .. } => {
            let mut shell = old.get(top)?.clone();
            let BodyEntry::Block(outer) = &mut shell else { return None };
            *outer.entries.get_mut(at)? = placed;
            outer.entries.get_mut(at + 1..)?.shift_spans(delta);
            outer.span.end = outer.span.end.wrapping_add(delta);
            entries.push(shell);
        }
    }
    entries.extend(old.get(top + 1..)?.iter().map(|e| {
        let mut moved = e.clone();
        moved.shift_spans(delta);
        moved
    }));
    let kind = match &item.kind {
        ItemKind::Policy(policy) => ItemKind::Policy(policy.with_entries(entries)),
        ItemKind::Permset(permset) => ItemKind::Permset(Permset { name: permset.name.clone(), entries }),
        _ => return None,
    };
    let span = Span { start: item.span.start, end: item.span.end.wrapping_add(delta) };
    Some(Item { docs: item.docs.clone(), expects: item.expects.clone(), kind, span, recovered: false })
}

/// Appends to `into` the entries of `chunk[start..end]` (not a block's
/// shell), parsed, with spans from the item's start.
fn place_entry<'a>(
    chunk: &str,
    (start, end): (usize, usize),
    item_start: usize,
    parts: &mut dyn Parts<'a>,
    into: &mut Vec<BodyEntry>,
) -> Option<()> {
    let by = u32::try_from(start.checked_sub(item_start)?).ok()?;
    into.extend(parts.entry(chunk.get(start..end)?, by, 0)?.iter().map(|parsed| {
        let mut placed = parsed.clone();
        placed.shift_spans(by);
        placed
    }));
    Some(())
}

/// A `with condition` block, `chunk[start..end]`, parsed as its shell (the
/// block with its entries left out: one block with no entries) and each of
/// its entries on its own, put together.
fn split_block<'a>(
    chunk: &str,
    (start, end): (usize, usize),
    block: &BlockOutline,
    item_start: usize,
    parts: &mut dyn Parts<'a>,
) -> Option<BodyEntry> {
    let shell = format!("{}{}", chunk.get(start..block.open_end)?, chunk.get(block.close_start..end)?);
    let by = u32::try_from(start.checked_sub(item_start)?).ok()?;
    let inner = u32::try_from(block.entries.len()).ok()?;
    let [shell_entry @ BodyEntry::Block(_)] = parts.entry(&shell, by, inner)? else { return None };
    let mut placed = shell_entry.clone();
    placed.shift_spans(by);
    let BodyEntry::Block(placed_block) = &mut placed else { return None };
    if !placed_block.entries.is_empty() {
        return None;
    }
    for &range in &block.entries {
        place_entry(chunk, range, item_start, parts, &mut placed_block.entries)?;
    }
    placed_block.entries.shrink_to_fit();
    // the block's span ends after the entries left out of the shell
    let left_out = u32::try_from(block.close_start.checked_sub(block.open_end)?).ok()?;
    placed_block.span = Span { start: placed_block.span.start, end: placed_block.span.end.checked_add(left_out)? };
    Some(placed)
}
