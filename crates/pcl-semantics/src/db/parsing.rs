//! Parsing in the database: a file is cut into chunks (one item each), and
//! a large policy or permset into its entries, each parsed once per text.

use std::sync::Arc;

use super::splice::{flatten, spliced};
use super::text_change::TextChange;
use super::{Database, SourceFile};
use pcl_syntax::ast;

/// The text of one chunk of a file (an item, with its doc comments), interned:
/// a chunk whose text is unchanged after an edit is the same `Chunk`, and its
/// parse is reused. Looked up by `&str`, so an unchanged chunk costs a hash
/// and a comparison, not a copy.
#[salsa::interned(debug)]
pub struct Chunk<'db> {
    #[returns(ref)]
    pub text: String,
    /// It ends the file (an unfinished item there runs into the end).
    pub last: bool,
}

/// One chunk parsed; spans relative to the chunk. Re-runs only when a chunk
/// of new text appears: an edit inside one item re-parses that item only,
/// and inside a large policy or permset only the edited entry (its header's
/// and other entries' parses are reused by their text, see `Fragment`).
#[salsa::tracked(returns(ref))]
pub fn parse_chunk<'db>(db: &'db dyn Database, chunk: Chunk<'db>) -> Arc<ChunkParse> {
    parse_chunk_text(db, chunk.text(db), *chunk.last(db))
}

/// What `parse_chunk` makes of a chunk's text, not memoized: the parse of a
/// file opened for one check (`parallel::parse_chunks`, `one_time.rs`),
/// which is never edited chunk by chunk, and where an interned copy of each
/// chunk's text would only be kept (the 10 MB corpus: its text no longer
/// held twice, 10 MB, nor 41,000 chunks interned with their memos). The
/// entries of a large item are still parsed through `parse_entry`, their
/// texts interned.
pub(super) fn parse_chunk_text(db: &dyn Database, text: &str, last: bool) -> Arc<ChunkParse> {
    let mut parts = FragmentParses { db, entries: Vec::new() };
    let (parsed, entries) = match pcl_syntax::split::parse_split(text, &mut parts) {
        Some(parsed) => (parsed, Entries::from(parts.entries)),
        None => (pcl_syntax::parse_chunk(text, last), no_entries()),
    };
    let mentions_expect = crate::acknowledge::items_mentioning_expect(&parsed.items, text);
    Arc::new(ChunkParse { parsed, entries, mentions_expect })
}

/// A chunk's parse, and, when it was parsed entry by entry (one large
/// policy or permset), each entry's text and offset in the item.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ChunkParse {
    pub parsed: pcl_syntax::ParsedChunk,
    /// Each entry's offset in the item and its text (the text its
    /// `Fragment` interns: the item's `check_item` finds it by that).
    pub entries: Entries,
    /// Which of its items may hold an `expect` (see `FileParse::mentions_expect`).
    pub mentions_expect: Vec<bool>,
}

/// The entries of an item not parsed entry by entry: one shared empty list
/// (an empty `Arc` slice is still an allocation: one a chunk, 41,000 on the
/// 10 MB corpus).
pub(super) fn no_entries() -> Entries {
    static NONE: std::sync::LazyLock<Entries> = std::sync::LazyLock::new(|| Entries::from([]));
    Arc::clone(&NONE)
}

/// A large item's entries as they were parsed (its top-level entries, and
/// for a `with condition` block of statements its shell then its
/// entries), each with its offset in the item and its text (the text its
/// `Fragment` interns): shared, not copied, by the file's parse and the
/// item's input.
pub type Entries = Arc<[EntryText]>;

/// One entry of a large item as its parse was asked for: its offset in the
/// item, its text, and for the shell of a `with condition` block (its
/// entries left out), how many of the entries that follow are the block's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntryText {
    pub offset: u32,
    pub text: Arc<str>,
    pub inner: u32,
}

/// A part of a large policy or permset, parsed on its own: one top-level
/// body entry (a statement, a `with condition` block or an include), a
/// block's shell (the block with its entries left out) or one of its
/// entries, or the item with its entries left out. Interned by its text,
/// like `Chunk`.
#[salsa::interned(debug)]
pub struct Fragment<'db> {
    #[returns(ref)]
    pub text: String,
}

/// One body entry parsed on its own, spans relative to its start; `None`
/// when it does not parse cleanly (its chunk is then parsed whole).
#[salsa::tracked(returns(ref))]
pub fn parse_entry<'db>(db: &'db dyn Database, entry: Fragment<'db>) -> Option<Vec<ast::BodyEntry>> {
    pcl_syntax::split::parse_entry(entry.text(db))
}

/// A large item's header (the item with its entries left out), parsed.
#[salsa::tracked(returns(ref))]
pub fn parse_header<'db>(db: &'db dyn Database, header: Fragment<'db>) -> Option<pcl_syntax::split::Header> {
    pcl_syntax::split::parse_header(header.text(db))
}

/// The memoized parses of the parts of a chunk, and the entries asked for.
struct FragmentParses<'db> {
    db: &'db dyn Database,
    entries: Vec<EntryText>,
}

impl<'db> pcl_syntax::split::Parts<'db> for FragmentParses<'db> {
    fn header(&mut self, text: &str) -> Option<&'db pcl_syntax::split::Header> {
        parse_header(self.db, Fragment::new(self.db, text)).as_ref()
    }

    fn entry(&mut self, text: &str, offset: u32, inner: u32) -> Option<&'db [ast::BodyEntry]> {
        let fragment = Fragment::new(self.db, text);
        self.entries.push(EntryText { offset, text: std::sync::Arc::from(text), inner });
        parse_entry(self.db, fragment).as_deref()
    }
}

/// The whole file parsed (see `file_parse`: in a file opened for one check,
/// the bodies of its policies, permsets and sets are gone once checked).
pub fn parse(db: &dyn Database, file: SourceFile) -> &pcl_syntax::ParsedFile {
    &file_parse(db, file).parsed
}

/// The whole file parsed: its chunks (one cheap pass over the lines), each
/// parsed by `parse_chunk` (outside its memo in a file opened for one
/// check, `parse_chunk_text`), placed at its offset; and for each item parsed
/// entry by entry, its entries (see `ChunkParse`), an empty list for every
/// other item. Made by the driver (`files.rs`) with the text, as an input.
/// In a file opened for one check, the policies, permsets and sets are
/// hollow once checked (`one_time.rs`): their checks are in `checked`.
pub fn file_parse(db: &dyn Database, file: SourceFile) -> &FileParse {
    &file.source(db).1
}

/// `file_parse` of a text, from the memoized chunk parses.
pub(super) fn parse_text(db: &dyn Database, text: &str) -> FileParse {
    let ranges = pcl_syntax::chunk_ranges(text);
    flatten(parse_ranges(db, text, &ranges, (&[], None)))
}

/// `parse_text`, given the chunks parsed already (see `PreParsed`).
pub(super) fn parse_text_from(db: &dyn Database, text: &str, pre: super::parallel::PreParsed) -> FileParse {
    flatten(parse_ranges(db, text, &pre.ranges, (&pre.parses, None)))
}

/// The chunks of `ranges`, parsed, a broken one joined with those after it
/// when together they parse (`pcl_syntax::parse_cut`).
/// `parsed[i]`, when given, is the parse of `ranges[i]` as one chunk.
fn parse_ranges(
    db: &dyn Database,
    text: &str,
    ranges: &[(usize, usize)],
    (parsed, edit): (&[Option<Arc<ChunkParse>>], Option<&super::patch::Edit<'_>>),
) -> Vec<ChunkRecord> {
    let mut parse = |start: usize, end: usize| {
        let given = ranges.binary_search(&(start, end)).ok().and_then(|at| parsed.get(at)?.as_ref());
        if let Some(parse) = given.filter(|p| end != text.len() || p.parsed.errors.is_empty()) {
            return (end, Arc::clone(parse));
        }
        if let Some(parse) = edit.and_then(|edit| edit.parse(db, text, (start, end))) {
            return (end, parse);
        }
        let chunk_text = text.get(start..end).unwrap_or_default();
        // parsed as if more followed: a chunk that parses cleanly parses the
        // same either way, and the last item keeps its parse when one is
        // added after it; only a broken last chunk is parsed again, for its
        // errors' places
        let parse = parse_chunk(db, Chunk::new(db, chunk_text, false));
        let parse = match end == text.len() && !parse.parsed.errors.is_empty() {
            true => parse_chunk(db, Chunk::new(db, chunk_text, true)),
            false => parse,
        };
        (end, Arc::clone(parse))
    };
    pcl_syntax::parse_cut(ranges, &mut parse, |(_, p)| p.parsed.errors.is_empty())
        .into_iter()
        .map(|(start, (end, parse))| ChunkRecord { start, end, parse })
        .collect()
}

/// The items of a re-parsed text that may differ from the old text's: the
/// `start` first items and those after `old_end` (in the old parse) and
/// `new_end` (in the new one) are the same items, parsed alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ItemWindow {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

/// `parse_text(new)`, made from `old` (the parse of a text of `old_len`
/// bytes, which `change` made into `new`: the caller says where, and it
/// must hold) by cutting and parsing again only the chunks between those
/// the edit cannot have changed: before the first changed byte, back past
/// any broken chunk that could have been joined with the edited ones, and
/// after the last changed byte, from the first cut the new text makes where
/// the old one made one. Whole-file work left: placing the chunks' items at
/// their offsets.
pub(super) fn reparse(
    db: &dyn Database,
    old: &FileParse,
    old_len: usize,
    new: &str,
    change: TextChange,
) -> (FileParse, ItemWindow) {
    debug_assert_eq!(old_len - change.old_end, new.len() - change.new_end, "{change:?}: the texts end alike");
    let prefix = change.start;
    let suffix = old_len - change.old_end;
    let records = &old.chunks;
    let unchanged_from = old_len - suffix;
    let edit = super::patch::Edit {
        old: records,
        prefix,
        old_end: unchanged_from,
        delta: new.len() as isize - old_len as isize,
    };
    // the whole text cut again, the chunks before and after the edit taken
    // from the old parse, not looked up in the memo by their texts
    let whole = |db| {
        let parse = flatten(parse_ranges(db, new, &pcl_syntax::chunk_ranges(new), (&[], Some(&edit))));
        let window = ItemWindow { start: 0, old_end: old.parsed.items.len(), new_end: parse.parsed.items.len() };
        (parse, window)
    };
    // the first chunk the edit reaches, and back one more (its end is the
    // start of that one's item line) and past any broken chunk that could
    // join the chunks after it
    // (an edit at the very end reaches the last chunk: text added after a
    // stray doc comment, or after an item line with no line break, can
    // undo the cut at its start)
    let reached = records.partition_point(|c| c.end <= prefix).min(records.len().saturating_sub(1));
    let mut first = reached.saturating_sub(1);
    while let Some(broken) =
        (first.saturating_sub(pcl_syntax::JOIN_AT_MOST)..first).rev().find(|&i| is_broken(records.get(i)))
    {
        first = broken;
    }
    let Some(restart) = records.get(first).map(|c| c.start) else { return whole(db) };
    if restart > prefix {
        return whole(db);
    }
    // old chunks whose start and text lie in the unchanged end (the byte
    // before the start too: it makes the start a line's)
    let shift = |at: usize| (at + new.len()).checked_sub(old_len);
    let kept_from = records.partition_point(|c| c.start <= unchanged_from);
    // Cut again from the restart, up to the `reach`-th cut that lands on a
    // kept chunk's start. The joins of the chunks cut again agree with a
    // whole parse's up to the first chunk that did not parse and had fewer
    // than JOIN_AT_MOST chunks after it to try; a kept start before that,
    // where a chunk begins, is where the old chunks take over.
    for reach in 1..=2 * pcl_syntax::JOIN_AT_MOST + 1 {
        let mut landed: Vec<(usize, usize)> = Vec::new();
        let mut stop = |cut: usize| {
            let Some(at) = records.get(kept_from..).and_then(|kept| {
                kept.binary_search_by_key(&cut, |c| shift(c.start).unwrap_or(0)).ok().map(|i| i + kept_from)
            }) else {
                return false;
            };
            landed.push((cut, at));
            landed.len() >= reach
        };
        let (ranges, stopped) = pcl_syntax::chunk_ranges_from(new, restart, &mut stop);
        let window = parse_ranges(db, new, &ranges, (&[], Some(&edit)));
        if !stopped {
            // cut to the end of the file
            return spliced(old, first, records.len(), window, None);
        }
        let truncated = window
            .iter()
            .filter(|w| is_broken(Some(w)))
            .filter_map(|w| ranges.iter().position(|r| r.0 == w.start))
            .find(|&at| ranges.len() - at <= pcl_syntax::JOIN_AT_MOST)
            .and_then(|at| ranges.get(at))
            .map_or(usize::MAX, |r| r.0);
        let window_end = ranges.last().map_or(restart, |r| r.1);
        let kept = landed
            .iter()
            .find(|(cut, _)| *cut <= truncated && (*cut == window_end || window.iter().any(|w| w.start == *cut)));
        if let Some(&(cut, kept)) = kept {
            let window: Vec<ChunkRecord> = window.into_iter().take_while(|w| w.start < cut).collect();
            return spliced(old, first, kept, window, Some(&shift));
        }
    }
    whole(db)
}

fn is_broken(chunk: Option<&ChunkRecord>) -> bool {
    chunk.is_some_and(|c| !c.parse.parsed.errors.is_empty())
}

/// A file's parse, with the entries of the items parsed entry by entry
/// (aligned with `parsed.items`).
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct FileParse {
    pub parsed: pcl_syntax::ParsedFile,
    pub entries: Vec<Entries>,
    /// Which items may hold an `expect` (their text mentions it), aligned
    /// with `parsed.items`: the acknowledgements walk only those.
    pub mentions_expect: Vec<bool>,
    /// The chunks the text was cut into (after joining), in file order:
    /// what `reparse` keeps of it (none in a file opened for one check).
    pub chunks: Vec<ChunkRecord>,
    /// In a file opened for one check, each item's check, aligned with
    /// `parsed.items`: shared with the items' inputs (`ItemBody::checked`),
    /// where the per-item queries read them; the file-wide checks read them
    /// here, with no read of each item's input. Always empty in a file
    /// opened to edit (see `one_time.rs`).
    pub checked: Vec<Arc<crate::item_check::ItemAnalysis>>,
    /// In a file opened for one check, the symbol table its items were
    /// checked under, the file's own: what `symbols` returns for it, not
    /// built again. `None` in a file opened to edit.
    pub symbols: Option<Arc<crate::symbol_table::Symbols>>,
}

/// One chunk of a file opened to edit: where it lies and its parse (shared
/// with `parse_chunk`'s memo; an edit takes it from here for every chunk it
/// does not reach, `patch::Edit`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkRecord {
    pub start: usize,
    pub end: usize,
    pub parse: Arc<ChunkParse>,
}

/// For the seeded edit walks of the tests: a xorshift generator of numbers
/// below the bound asked for (0 for a bound of 0).
#[cfg(test)]
pub(super) fn below_seeded(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % u64::try_from(below.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{TextChange, below_seeded, parse_text, reparse};
    use crate::RootDatabase;

    /// Text added at the very end can undo the cut at the last chunk's
    /// start (found by review: the re-parse kept `param a` in both).
    #[test]
    fn text_added_at_the_end_can_join_the_last_chunk_to_the_one_above() {
        let db = RootDatabase::default();
        for (old, new) in [
            ("param a: string = \"v\";\n/// doc\n", "param a: string = \"v\";\n/// doc\n  x\n"),
            ("param a: string = \"v\";\nrole", "param a: string = \"v\";\nroles"),
            ("policy p {}\n/// Doc.\n", "policy p {}\n/// Doc.\npolic"),
        ] {
            let (re, _) = reparse(&db, &parse_text(&db, old), old.len(), new, TextChange::between(old, new));
            assert!(re == parse_text(&db, new), "{old:?} -> {new:?}");
        }
    }

    /// `reparse` gives what parsing the new text whole gives, chunks and
    /// all, along a seeded walk of edits of policies.pcl (each a range
    /// replaced by a snippet that starts, ends or breaks items, doc
    /// comments, `expect` lines, braces, or a piece of the file, and told
    /// to `reparse` as an editor tells it, not always the least change),
    /// and the items outside its window are the old ones.
    #[test]
    fn a_reparse_equals_a_parse_of_the_whole_text() {
        const ORIGINAL: &str = include_str!("../../../../policies.pcl");
        const SNIPPETS: [&str; 12] = [
            "",
            "\n",
            "}",
            "{",
            "policy zz {",
            "\npolicy zz { allow { action [s3:GetObject]; resource \"*\"; } }\n",
            "/// a doc\n",
            "expect W0509 \"why\"\n",
            "\n\n/// stray\n",
            "allow \"X\" { action [s3:GetObject] resource \"*\"; }\n",
            "\u{feff}",
            "param p: string = \"x\";\n",
        ];
        let mut next = below_seeded(0x2545_f491_4f6c_dd1d);
        let db = RootDatabase::default();
        let mut text = ORIGINAL.to_string();
        let mut parse = parse_text(&db, &text);
        let (mut windows, mut whole) = (0, 0);
        for step in 0..400 {
            let closings: Vec<usize> = text.match_indices("}\n").map(|(i, _)| i + 1).collect();
            // the change as an editor reports it (not always the least:
            // the snippet may start or end as the text it replaces)
            let mut told = None;
            let new = if step % 25 == 24 {
                ORIGINAL.to_string()
            } else if step % 7 == 3 {
                // typed at the very end
                let snippet = SNIPPETS[next(SNIPPETS.len())];
                format!("{text}{}", snippet.get(..next(snippet.len() + 1)).unwrap_or(snippet))
            } else if step % 5 == 0 && !closings.is_empty() {
                // an `expect` at the end of an item's last line: it belongs
                // to the item below, and parses only joined with it
                let at = closings[next(closings.len())];
                format!("{}expect W0509 \"why\"{}", &text[..at], &text[at..])
            } else {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + next(40)).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let snippet = match next(SNIPPETS.len() + 1) {
                    i if i < SNIPPETS.len() => SNIPPETS[i].to_string(),
                    _ => {
                        let from = next(ORIGINAL.len());
                        ORIGINAL.get(from..(from + next(200)).min(ORIGINAL.len())).unwrap_or("").to_string()
                    }
                };
                told = Some(TextChange { start: at, old_end: end, new_end: at + snippet.len() });
                format!("{}{snippet}{}", &text[..at], &text[end..])
            };
            let change = told.unwrap_or_else(|| TextChange::between(&text, &new));
            let (re, window) = reparse(&db, &parse, text.len(), &new, change);
            let fresh = parse_text(&db, &new);
            assert!(re == fresh, "step {step}: the re-parse differs from a whole parse");
            let (old_items, new_items) = (&parse.parsed.items, &re.parsed.items);
            assert_eq!(old_items.len() - window.old_end, new_items.len() - window.new_end, "step {step}");
            for i in 0..window.start {
                assert!(std::sync::Arc::ptr_eq(&old_items[i].item, &new_items[i].item), "step {step}");
            }
            for (o, n) in old_items[window.old_end..].iter().zip(&new_items[window.new_end..]) {
                assert!(std::sync::Arc::ptr_eq(&o.item, &n.item), "step {step}");
            }
            if window.new_end - window.start < 4 {
                windows += 1;
            } else {
                whole += 1;
            }
            text = new;
            parse = re;
        }
        // most edits re-parse a few items, not the file
        assert!(windows > 300, "{windows} small windows, {whole} large");
    }
}
