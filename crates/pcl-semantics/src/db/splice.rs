//! A file's parse put together from its chunks' parses: all of them
//! (`flatten`, for a whole parse), or, after an edit, the old parse's with
//! the chunks the edit reached parsed again (`spliced`).

use std::sync::Arc;

use super::parsing::{ChunkRecord, FileParse, ItemWindow};

/// A file's parse from its chunks.
pub(super) fn flatten(chunks: Vec<ChunkRecord>) -> FileParse {
    let count: usize = chunks.iter().map(|c| c.parse.parsed.items.len()).sum();
    let mut parsed = pcl_syntax::ParsedFile::default();
    // sized once, not grown (and copied) item by item after every edit
    parsed.items.reserve_exact(count);
    let mut out = FileParse {
        parsed,
        entries: Vec::with_capacity(count),
        mentions_expect: Vec::with_capacity(count),
        chunks: Vec::new(),
        checked: Vec::new(),
        symbols: None,
    };
    for chunk in &chunks {
        out.parsed.push_chunk(chunk.start, &chunk.parse.parsed);
        out.entries.extend(chunk.parse.parsed.items.iter().map(|_| chunk.parse.entries.clone()));
        out.mentions_expect.extend(&chunk.parse.mentions_expect);
    }
    out.chunks = chunks;
    out
}

/// The old parse with its chunks `first..kept` replaced by `window`, the
/// chunks from `kept` on moved by `shift`.
pub(super) fn spliced(
    old: &FileParse,
    first: usize,
    kept: usize,
    window: Vec<ChunkRecord>,
    shift: Option<&dyn Fn(usize) -> Option<usize>>,
) -> (FileParse, ItemWindow) {
    let before = old.chunks.get(..first).unwrap_or_default();
    let replaced = old.chunks.get(first..kept).unwrap_or_default();
    let mut chunks = Vec::with_capacity(old.chunks.len() - replaced.len() + window.len());
    chunks.extend_from_slice(before);
    let window_chunks = chunks.len()..chunks.len() + window.len();
    chunks.extend(window);
    if let Some(shift) = shift {
        chunks.extend(old.chunks.get(kept..).unwrap_or_default().iter().map(|c| ChunkRecord {
            start: shift(c.start).unwrap_or(c.start),
            end: shift(c.end).unwrap_or(c.end),
            parse: Arc::clone(&c.parse),
        }));
    }
    if old.parsed.errors.is_empty() && old.parsed.broken_names.is_empty() {
        let kept_from = old.chunks.get(kept).map(|c| c.start);
        return from_old_items(old, (first, kept_from), (chunks, window_chunks), shift);
    }
    let items = |chunks: &[ChunkRecord]| chunks.iter().map(|c| c.parse.parsed.items.len()).sum::<usize>();
    let start = items(before);
    let window_items = chunks.get(window_chunks).map_or(0, items);
    let item_window = ItemWindow { start, old_end: start + items(replaced), new_end: start + window_items };
    (flatten(chunks), item_window)
}

/// `spliced` for an old parse with no error: its items before and after the
/// window are taken from its own lists (the ones after moved by `shift`),
/// not from their chunks, each of which is one more allocation to read
/// (on a 10 MB file, 5 first-level cache misses an item after every edit).
/// Without errors, no old chunk adds an error or a broken name.
fn from_old_items(
    old: &FileParse,
    (first, kept_from): (usize, Option<usize>),
    (chunks, window_chunks): (Vec<ChunkRecord>, std::ops::Range<usize>),
    shift: Option<&dyn Fn(usize) -> Option<usize>>,
) -> (FileParse, ItemWindow) {
    // the items of a chunk lie in it, in file order
    let items_before = |at: usize| old.parsed.items.partition_point(|p| (p.offset as usize) < at);
    let start = old.chunks.get(first).map_or(old.parsed.items.len(), |c| items_before(c.start));
    let old_end = kept_from.map_or(old.parsed.items.len(), items_before);
    let window = chunks.get(window_chunks).unwrap_or_default();
    let window_items: usize = window.iter().map(|c| c.parse.parsed.items.len()).sum();
    let count = start + window_items + (old.parsed.items.len() - old_end);
    let mut out = FileParse {
        parsed: pcl_syntax::ParsedFile::default(),
        entries: Vec::with_capacity(count),
        mentions_expect: Vec::with_capacity(count),
        chunks: Vec::new(),
        checked: Vec::new(),
        symbols: None,
    };
    out.parsed.items.reserve_exact(count);
    let (before, after) = (..start, old_end..);
    out.parsed.items.extend_from_slice(old.parsed.items.get(before).unwrap_or_default());
    out.entries.extend_from_slice(old.entries.get(before).unwrap_or_default());
    out.mentions_expect.extend_from_slice(old.mentions_expect.get(before).unwrap_or_default());
    for chunk in window {
        out.parsed.push_chunk(chunk.start, &chunk.parse.parsed);
        out.entries.extend(chunk.parse.parsed.items.iter().map(|_| chunk.parse.entries.clone()));
        out.mentions_expect.extend(&chunk.parse.mentions_expect);
    }
    if let Some(shift) = shift {
        let moved = |offset: u32| shift(offset as usize).and_then(|at| u32::try_from(at).ok()).unwrap_or(offset);
        let items = old.parsed.items.get(after.clone()).unwrap_or_default();
        out.parsed.items.extend(
            items.iter().map(|p| pcl_syntax::ParsedItem { offset: moved(p.offset), item: Arc::clone(&p.item) }),
        );
        out.entries.extend_from_slice(old.entries.get(after.clone()).unwrap_or_default());
        out.mentions_expect.extend_from_slice(old.mentions_expect.get(after).unwrap_or_default());
    }
    out.chunks = chunks;
    let item_window = ItemWindow { start, old_end, new_end: start + window_items };
    (out, item_window)
}
