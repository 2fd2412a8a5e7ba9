//! A chunk's parse after an edit, made from its old parse where that is
//! sure to give the same value as parsing it again (`parse_chunk`): the
//! old parse itself for a chunk the edit did not reach, and for an edit
//! strictly inside one entry of a large item (split by
//! `pcl_syntax::split`), the old item with that entry parsed again in
//! place. Splitting the item again meant scanning all of it and looking
//! up every entry's parse by its text: inside `user_base` (5 KB), 120k of
//! an edit's 640k instructions, where that one entry's parse is 5k.

use std::sync::Arc;

use pcl_syntax::split::EntryPlace;

use super::Database;
use super::parsing::{ChunkParse, ChunkRecord, EntryText, Fragment, parse_entry};

/// What `reparse` knows of an edit: the old text's chunks, and the bytes
/// it changed (`prefix..old_end` of the old text became
/// `prefix..old_end + delta` of the new one).
pub(super) struct Edit<'o> {
    pub old: &'o [ChunkRecord],
    pub prefix: usize,
    pub old_end: usize,
    pub delta: isize,
}

impl Edit<'_> {
    /// The parse of the new text's chunk `start..end` from the old chunk
    /// that starts there, or `None` (then it is parsed).
    pub fn parse(&self, db: &dyn Database, text: &str, (start, end): (usize, usize)) -> Option<Arc<ChunkParse>> {
        if let Some(kept) = self.unchanged(text, (start, end)) {
            return Some(kept);
        }
        let old = self.old.get(self.old.binary_search_by_key(&start, |c| c.start).ok()?)?;
        let clean = old.parse.parsed.errors.is_empty();
        let moved_end = old.end.checked_add_signed(self.delta)?;
        if moved_end != end || self.prefix <= start || self.old_end >= old.end || !clean {
            return None;
        }
        let chunk = text.get(start..end)?;
        let changed = (self.prefix - start, self.old_end - start);
        let patch = patched(db, &old.parse, chunk, changed, self.delta);
        patch.or_else(|| prelude_patched(&old.parse, chunk, changed, self.delta)).map(Arc::new)
    }

    /// The old parse of a chunk the edit left as it was: all its bytes
    /// before the edit, or all of them and the byte before them after it
    /// (the same text, moved by `delta`). Cleanly parsed and not the last
    /// only (the last is parsed as one: its errors' places may change).
    fn unchanged(&self, text: &str, (start, end): (usize, usize)) -> Option<Arc<ChunkParse>> {
        let moved_by = if end <= self.prefix {
            0
        } else if start > self.old_end.checked_add_signed(self.delta)? {
            self.delta
        } else {
            return None;
        };
        let old_start = start.checked_add_signed(moved_by.checked_neg()?)?;
        let old = self.old.get(self.old.binary_search_by_key(&old_start, |c| c.start).ok()?)?;
        let same = old.end.checked_add_signed(moved_by) == Some(end);
        (same && end < text.len() && old.parse.parsed.errors.is_empty()).then(|| Arc::clone(&old.parse))
    }
}

/// `old` (a chunk parsed entry by entry) after an edit of the lines above
/// its item's name (its doc comment, its `expect`s) that changed `changed`
/// (chunk offsets, in the old text) and moved what follows by `delta`, now
/// `chunk`: when the edit starts after the item's first byte and ends
/// before the line break that ends the line above the name's, that line
/// holds only the keyword before the name, and what is left above is doc
/// comments, `expect`s, blank lines and comments
/// (`prelude::replace_prelude`). A doc comment edited in `user_base` cut
/// the whole item again from its 99 entries.
fn prelude_patched(old: &ChunkParse, chunk: &str, (first, end): (usize, usize), delta: isize) -> Option<ChunkParse> {
    let [item] = old.parsed.items.as_slice() else { return None };
    if old.entries.is_empty() || chunk.len() < pcl_syntax::split::SPLIT_FROM_BYTES {
        return None;
    }
    let item_start = usize::try_from(item.offset).ok()?;
    let name_start = item_start + usize::try_from(item.item.name().span.start).ok()?;
    if first <= item_start || end >= name_start {
        return None;
    }
    // the line break before the name's line, in the new text: one the edit
    // left where it was (it is past the edit's end in the old text)
    let new_name_start = name_start.checked_add_signed(delta)?;
    let line_break = chunk.get(..new_name_start)?.rfind('\n')?;
    if line_break.checked_add_signed(-delta)? < end {
        return None;
    }
    // the name's line holds the keyword and the name, nothing else before
    // them (an `expect` there would be left out of the prelude)
    let keyword = chunk.get(line_break + 1..new_name_start)?.trim();
    if keyword != "policy" && keyword != "permset" {
        return None;
    }
    let prelude = chunk.get(item_start..line_break + 1)?;
    let by = delta as u32;
    let new_item = pcl_syntax::prelude::replace_prelude(&item.item, prelude, by)?;
    let entries: Vec<EntryText> =
        old.entries.iter().map(|e| EntryText { offset: e.offset.wrapping_add(by), ..e.clone() }).collect();
    #[cfg(test)]
    PRELUDE_PATCHED.with(|n| n.set(n.get() + 1));
    Some(one_item_chunk(pcl_syntax::ParsedItem { offset: item.offset, item: Arc::new(new_item) }, entries, chunk))
}

/// The clean parse of `chunk`, which holds `item` alone, parsed entry by
/// entry as `entries`. Inlined: called, it cost a first edit inside
/// `head_node` 0.7k instructions (the value moved out of it).
#[inline]
fn one_item_chunk(item: pcl_syntax::ParsedItem, entries: Vec<EntryText>, chunk: &str) -> ChunkParse {
    let items = vec![item];
    let mentions_expect = crate::acknowledge::items_mentioning_expect(&items, chunk);
    let parsed = pcl_syntax::ParsedChunk { items, errors: Vec::new(), broken_names: Vec::new() };
    ChunkParse { parsed, entries: entries.into(), mentions_expect }
}

/// `old` (a chunk parsed entry by entry) after an edit that changed
/// `changed` (chunk offsets, in the old text) and moved what follows by
/// `delta`, now `chunk`: when the edit lies strictly inside one entry (not
/// a block's shell), and that entry's new text is still one entry, split
/// alike, that parses cleanly.
fn patched(
    db: &dyn Database,
    old: &ChunkParse,
    chunk: &str,
    (first, end): (usize, usize),
    delta: isize,
) -> Option<ChunkParse> {
    let [item] = old.parsed.items.as_slice() else { return None };
    if old.entries.is_empty() || chunk.len() < pcl_syntax::split::SPLIT_FROM_BYTES {
        return None;
    }
    let item_start = usize::try_from(item.offset).ok()?;
    if !one_body_entry_each(&old.entries, &item.item) {
        return None;
    }
    let (at, place) = edited_entry(&old.entries, item_start, (first, end))?;
    let in_block = matches!(place, EntryPlace::InBlock { .. });
    let entry = old.entries.get(at)?;
    let entry_start = item_start + usize::try_from(entry.offset).ok()?;
    let new_end = (entry_start + entry.text.len()).checked_add_signed(delta)?;
    let text = chunk.get(entry_start..new_end)?;
    if !pcl_syntax::split::still_one_entry(text, in_block) {
        return None;
    }
    let [parsed] = parse_entry(db, Fragment::new(db, text)).as_deref()? else { return None };
    // a wrapping move: back by `-delta` is forth by its two's complement
    let by = delta as u32;
    let new_item = pcl_syntax::split::replace_entry(&item.item, place, parsed, entry.offset, by)?;
    let entries: Vec<EntryText> = (old.entries.iter().enumerate())
        .map(|(i, e)| match i {
            _ if i == at => EntryText { offset: e.offset, text: Arc::from(text), inner: 0 },
            _ if i > at => EntryText { offset: e.offset.wrapping_add(by), ..e.clone() },
            _ => e.clone(),
        })
        .collect();
    #[cfg(test)]
    PATCHED.with(|n| n.set(n.get() + 1));
    Some(one_item_chunk(pcl_syntax::ParsedItem { offset: item.offset, item: Arc::new(new_item) }, entries, chunk))
}

/// The entry (not a block's shell) whose text holds `first..end` (chunk
/// offsets) with a byte to spare at each end, and its place in the item's
/// body. `None` if no entry does.
fn edited_entry(entries: &[EntryText], item_start: usize, (first, end): (usize, usize)) -> Option<(usize, EntryPlace)> {
    let mut top = 0;
    // the block being walked: its place, how many of its entries are left,
    // and the next one's place in it
    let mut block: Option<(usize, u32, usize)> = None;
    for (i, e) in entries.iter().enumerate() {
        let place = match &mut block {
            Some((at_top, left, next)) => {
                let place = EntryPlace::InBlock { block: *at_top, at: *next };
                *next += 1;
                *left -= 1;
                if *left == 0 {
                    block = None;
                }
                place
            }
            None => {
                top += 1;
                if e.inner > 0 {
                    block = Some((top - 1, e.inner, 0));
                    continue;
                }
                EntryPlace::Top(top - 1)
            }
        };
        let start = item_start + usize::try_from(e.offset).ok()?;
        if start < first && end < start + e.text.len() {
            return Some((i, place));
        }
    }
    None
}

/// Whether the item's body holds one entry per top-level text of
/// `entries`, and each split block one per text of its own: what
/// `parse_split` makes when each text parses to one body entry, and what
/// `edited_entry`'s places assume.
fn one_body_entry_each(entries: &[EntryText], item: &pcl_syntax::ast::Item) -> bool {
    let body = match &item.kind {
        pcl_syntax::ast::ItemKind::Policy(policy) => &policy.entries,
        pcl_syntax::ast::ItemKind::Permset(permset) => &permset.entries,
        _ => return false,
    };
    let mut top = 0;
    let mut texts = entries.iter();
    while let Some(e) = texts.next() {
        if e.inner > 0 {
            let held = match body.get(top) {
                Some(pcl_syntax::ast::BodyEntry::Block(block)) => block.entries.len(),
                _ => return false,
            };
            if usize::try_from(e.inner).ok() != Some(held) || texts.by_ref().take(held).count() != held {
                return false;
            }
        }
        top += 1;
    }
    top == body.len()
}

#[cfg(test)]
thread_local! {
    /// Parses made by `patched` on this thread (the test below counts them).
    static PATCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Parses made by `prelude_patched` on this thread.
    static PRELUDE_PATCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use std::cell::Cell;
    use std::thread::LocalKey;

    use super::{PATCHED, PRELUDE_PATCHED};
    use crate::RootDatabase;
    use crate::db::parsing::{FileParse, below_seeded, parse_text, reparse};
    use crate::db::text_change::TextChange;

    /// Where in a range an edit goes, given the walk's random numbers.
    type Place = dyn Fn((usize, usize), &mut dyn FnMut(usize) -> usize) -> usize;

    /// A seeded walk of 600 edits of `original`, each inserting one of
    /// `snippets` (or nothing) at a place `place` picks in one of the
    /// ranges `ranges` finds in the current parse, and removing up to 11
    /// bytes after it; every 50th edit goes back to `original`. After each
    /// edit the re-parse must equal a parse of the whole text. Returns how
    /// many edits (not calls: `reparse` may try a patch more than once for
    /// one edit) moved `counter`.
    fn walk_edits(
        (original, seed): (&str, u64),
        snippets: &[&str],
        ranges: &dyn Fn(&FileParse) -> Vec<(usize, usize)>,
        place: &Place,
        counter: &'static LocalKey<Cell<usize>>,
    ) -> usize {
        let mut next = below_seeded(seed);
        let db = RootDatabase::default();
        let mut text = original.to_string();
        let mut parse = parse_text(&db, &text);
        let mut edits_patched = 0;
        for step in 0..600 {
            let found = ranges(&parse);
            let new = if found.is_empty() || step % 50 == 49 {
                original.to_string()
            } else {
                let (start, end) = found[next(found.len())];
                let mut at = place((start, end), &mut next);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut cut = if next(3) == 0 { (at + next(12)).min(end - 1) } else { at };
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                let snippet = if next(4) == 0 { "" } else { snippets[next(snippets.len())] };
                format!("{}{snippet}{}", &text[..at], &text[cut.max(at)..])
            };
            let before = counter.with(Cell::get);
            let (re, _) = reparse(&db, &parse, text.len(), &new, TextChange::between(&text, &new));
            edits_patched += usize::from(counter.with(Cell::get) > before);
            assert!(re == parse_text(&db, &new), "step {step}: the re-parse differs from a whole parse");
            text = new;
            parse = re;
        }
        edits_patched
    }

    /// An edit inside one entry of a large item, patched into its old
    /// parse, gives what parsing the new text whole gives: along a seeded
    /// walk of edits of policies.pcl, each inside an entry of a split item
    /// (a top-level one or a block's), inserting or removing bytes, some of
    /// which end the entry early, open a string, a comment or a block, or
    /// make it a block. At least 130 of the 600 edits must take the patch.
    #[test]
    fn an_edit_inside_an_entry_patched_equals_a_parse_of_the_whole_text() {
        const SNIPPETS: [&str; 14] = [
            "s3:GetObjectAcl, ",
            "x",
            " ",
            "\n",
            "}",
            "{",
            ";",
            "\"",
            "// note\n",
            "/// doc\n",
            "@s3_read, ",
            "with condition StringEquals \"k\" [\"v\"] { ",
            "allow { action [s3:GetObject]; resource \"*\"; }\n",
            "\u{e9}",
        ];
        // the entries of the split items, as offsets in the file
        let entries = |parse: &FileParse| {
            let mut entries = Vec::new();
            for chunk in &parse.chunks {
                let Some(item) = chunk.parse.parsed.items.first() else { continue };
                for e in chunk.parse.entries.iter().filter(|e| e.inner == 0) {
                    let start = chunk.start + item.offset as usize + e.offset as usize;
                    entries.push((start, start + e.text.len()));
                }
            }
            entries
        };
        let inside =
            |(start, end): (usize, usize), next: &mut dyn FnMut(usize) -> usize| start + 1 + next(end - start - 1);
        let original = include_str!("../../../../policies.pcl");
        let patched = walk_edits((original, 0x9e37_79b9_7f4a_7c15), &SNIPPETS, &entries, &inside, &PATCHED);
        // 141 in this walk; the rest (the resets to the original, edits that
        // end the entry or open a block, a string or a comment, edits of a
        // chunk left with an error) are parsed whole
        assert!(patched >= 130, "{patched} of 600 edits patched");
    }

    /// An edit of the lines above a large item's name (its doc comment,
    /// its `expect`s), patched into its old parse, gives what parsing the
    /// new text whole gives: along a seeded walk of edits of policies.pcl
    /// whose large policies and permset are given doc comments and
    /// `expect`s, inserting or removing bytes there, some of which make a
    /// doc line a comment, a blank line or code, open a string, or join a
    /// line to the name's. At least 150 of the 600 edits must take the patch.
    #[test]
    fn an_edit_above_a_large_items_name_patched_equals_a_parse_of_the_whole_text() {
        const SNIPPETS: [&str; 15] = [
            "x",
            " ",
            "\n",
            "/",
            "//",
            "/// doc\n",
            "//// not a doc\n",
            "// note\n",
            "expect W0509 \"kept\"\n",
            "expect W0509 \"kept\" ",
            "\"",
            "policy p { allow { action s3:GetObject; resource \"*\"; } }\n",
            "\n\n",
            "\u{e9}",
            "permset ",
        ];
        // the lines above the names of the split items: item start to name
        let preludes = |parse: &FileParse| {
            let split = parse.chunks.iter().filter(|c| !c.parse.entries.is_empty());
            let items = split.filter_map(|c| Some((c.start, c.parse.parsed.items.first()?)));
            let starts =
                items.map(|(chunk, item)| (chunk + item.offset as usize, item.item.name().span.start as usize));
            starts.map(|(start, name)| (start, start + name)).collect()
        };
        // now and then right after the first `///` (a `/` there makes the
        // line a comment, and the item start later)
        let above = |(start, end): (usize, usize), next: &mut dyn FnMut(usize) -> usize| match next(8) {
            0 => start + 3,
            _ => start + 1 + next(end - start - 1),
        };
        let original = include_str!("../../../../policies.pcl")
            .replace("\npolicy ", "\n/// A large one.\nexpect W0509 \"kept\"\n///   more.\npolicy ")
            .replace("\npermset ", "\n/// A set.\n/// Two lines.\npermset ");
        let seeded = (original.as_str(), 0x2545_f491_4f6c_dd1d);
        let patched = walk_edits(seeded, &SNIPPETS, &preludes, &above, &PRELUDE_PATCHED);
        assert!(patched >= 150, "{patched} of 600 edits patched");
    }
}
