//! Runs of small chunks parsed and checked together. `chunk_ranges` cuts a
//! file into one chunk per item (what an edit re-parses); a file opened for
//! one check is never edited chunk by chunk, and a parse of its own for each
//! item cost a parse record, an item list and a list of checks an item: on
//! the 10 MB corpus, 41,000 of each, freed once the file was put together,
//! their room then mostly not reused (about 6 MB of the peak).
//!
//! A batch stands for its chunks only when it parses as they do: cleanly,
//! one item in each chunk. Otherwise its chunks are parsed one by one, as
//! is any chunk that may be parsed entry by entry (`SPLIT_FROM_BYTES`) or
//! was parsed early. A broken chunk is joined with up to `JOIN_AT_MOST`
//! chunks after it (`parse_cut`), so those are never batched.

use std::ops::Range;
use std::sync::Arc;

use pcl_syntax::split::SPLIT_FROM_BYTES;

use super::super::parsing::{ChunkParse, no_entries};
use super::stream::{Streamed, check_chunk_watched};
use crate::symbol_table::Symbols;

/// How many chunks a batch holds at most: enough that the per-batch
/// records are few, few enough that a batch is a small share of a thread's
/// work.
const BATCH_CHUNKS: usize = 64;

/// `ranges` (by index) grouped into batches: runs of chunks that are small
/// and were not parsed early, `BATCH_CHUNKS` at most; every other chunk a
/// batch of its own.
pub(super) fn of(ranges: &[(usize, usize)], parsed_early: impl Fn(usize) -> bool) -> Vec<Range<usize>> {
    let mut batches = Vec::with_capacity(ranges.len() / BATCH_CHUNKS + 1);
    let mut run: Option<Range<usize>> = None;
    for (at, &(start, end)) in ranges.iter().enumerate() {
        let small = end.saturating_sub(start) < SPLIT_FROM_BYTES && !parsed_early(at);
        match &mut run {
            Some(open) if small && open.len() < BATCH_CHUNKS => open.end = at + 1,
            _ => {
                batches.extend(run.take());
                match small {
                    true => run = Some(at..at + 1),
                    false => batches.push(at..at + 1),
                }
            }
        }
    }
    batches.extend(run);
    batches
}

/// The bytes a batch covers.
pub(super) fn span(ranges: &[(usize, usize)], batch: &Range<usize>) -> (usize, usize) {
    let start = ranges.get(batch.start).map_or(0, |r| r.0);
    let end = batch.end.checked_sub(1).and_then(|last| ranges.get(last)).map_or(start, |r| r.1);
    (start, end)
}

/// The chunks of `group` parsed as one and checked under `table`, if they
/// parse as each does alone: cleanly, each chunk's item in that chunk.
pub(super) fn parse_and_check(text: &str, group: &[(usize, usize)], table: &Symbols) -> Option<Streamed> {
    let (&(start, _), &(_, end)) = (group.first()?, group.last()?);
    let chunk = text.get(start..end)?;
    let parsed = pcl_syntax::parse_chunk(chunk, false);
    // each item starts and ends in its chunk (its spans are relative to its offset)
    let within = |item: &pcl_syntax::ParsedItem, (s, e): (usize, usize)| {
        let from = item.offset as usize;
        (s - start..e - start).contains(&from) && from.saturating_add(item.item.span.end as usize) <= e - start
    };
    let each_in_its_chunk =
        parsed.items.len() == group.len() && parsed.items.iter().zip(group).all(|(item, range)| within(item, *range));
    if !parsed.errors.is_empty() || !parsed.broken_names.is_empty() || !each_in_its_chunk {
        return None;
    }
    // as each chunk's own parse finds them: from its item to the chunk's end
    let mentions_expect = parsed
        .items
        .iter()
        .zip(group)
        .map(|(item, &(_, e))| {
            let rest = chunk.get(item.offset as usize..e - start).unwrap_or_default();
            memchr::memmem::find(rest.as_bytes(), b"expect").is_some()
        })
        .collect();
    let mut parse = ChunkParse { parsed, entries: no_entries(), mentions_expect };
    let checked = Some(check_chunk_watched(&mut parse, table));
    Some(Streamed { start, end, covers: group.len(), parse: Arc::new(parse), checked })
}

/// A batch's text parsed again as it was (its items' `expect` mentions as
/// they were found then).
pub(super) fn plain_parse(chunk: &str, mentions_expect: &[bool]) -> ChunkParse {
    ChunkParse {
        parsed: pcl_syntax::parse_chunk(chunk, false),
        entries: no_entries(),
        mentions_expect: mentions_expect.to_vec(),
    }
}

/// The chunks in file order: each batch as made, except one that starts
/// within `JOIN_AT_MOST` chunks after a broken chunk: its first chunks up
/// to that many after it are made again one by one with `single`, and the
/// rest as a batch again with `run`, so that the broken chunk is offered
/// the chunks it would be offered alone. (No clean chunk is known to
/// complete a broken one; this makes the batches' parse the chunks' by
/// construction, not by that observation.)
pub(super) fn split_after_broken(
    made: impl IntoIterator<Item = (Range<usize>, Vec<Streamed>)>,
    single: impl Fn(usize) -> Option<Streamed>,
    run: impl Fn(Range<usize>) -> Vec<Streamed>,
) -> Vec<Streamed> {
    let mut out = Vec::new();
    // chunks still to be taken alone after the last broken one
    let mut alone = 0usize;
    let mut push = |s: Streamed, alone: &mut usize| {
        *alone = match s.parse.parsed.errors.is_empty() {
            true => alone.saturating_sub(s.covers),
            false => pcl_syntax::JOIN_AT_MOST,
        };
        out.push(s);
    };
    for (mut batch, streamed) in made {
        if !(alone > 0 && streamed.iter().any(|s| s.covers > 1)) {
            streamed.into_iter().for_each(|s| push(s, &mut alone));
            continue;
        }
        while alone > 0
            && let Some(s) = (batch.start < batch.end).then(|| single(batch.start)).flatten()
        {
            batch.start += 1;
            push(s, &mut alone);
        }
        if !batch.is_empty() {
            run(batch).into_iter().for_each(|s| push(s, &mut alone));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::super::super::RootDatabase;
    use super::*;

    /// Small chunks go in runs of at most `BATCH_CHUNKS`; a large one or
    /// one parsed early stands alone and ends the run.
    #[test]
    fn runs_of_small_chunks_are_batched() {
        let mut ranges: Vec<(usize, usize)> = (0..150).map(|i| (i * 10, i * 10 + 10)).collect();
        ranges.push((1500, 1500 + SPLIT_FROM_BYTES));
        ranges.extend((0..3).map(|i| (2600 + i * 10, 2610 + i * 10)));
        let batches = of(&ranges, |at| at == 100);
        assert_eq!(batches, vec![0..64, 64..100, 100..101, 101..150, 150..151, 151..154]);
        assert_eq!(span(&ranges, &(64..100)), (640, 1000));
    }

    /// A file parsed in batches is the file parsed chunk by chunk: a broken
    /// item is joined with the chunks after it as it would be alone, and an
    /// item's `expect` (and a mention of one in the doc comment of the item
    /// after it) keeps the same items whole.
    #[test]
    fn batches_parse_and_check_as_their_chunks_do() {
        let mut text = String::from("param partition: partition = \"aws\";\nfeature fsx: bool = false;\n");
        for i in 0..150 {
            let doc = if i % 40 == 7 { "/// see expect below\n" } else { "/// A set.\n" };
            let expect = if i % 50 == 9 { "expect W0502 \"kept for later\"\n" } else { "" };
            text.push_str(&format!("{doc}{expect}actionset a{i} = [s3:GetObject];\n"));
            text.push_str(&format!("policy p{i} when fsx {{\n    allow {{ action [@a{i}]; resource \"*\"; }}\n}}\n"));
        }
        let broken = [
            text.clone(),
            text.replacen("policy p70 when fsx {", "policy p70 when fsx {{", 1),
            text.replacen("policy p70 when fsx {\n    allow {", "policy p70 when fsx {\n    allow", 1),
            text.replacen("actionset a130 = [s3:GetObject];", "actionset a130 = [s3:GetObject;", 1),
            // a line the chunker takes for an item's start, in the last
            // chunk of the first batch (the params are parsed early): the
            // two halves, broken, are joined
            text.replacen("action [@a31];", "action [@a31,\nrole:GetThing];", 1),
        ];
        // the clean file's chunks after the params do make a batch
        let ranges = pcl_syntax::chunk_ranges(&text);
        let table = crate::symbol_table::Symbols::of_parsed(&pcl_syntax::parse_file(&text));
        let batch = parse_and_check(&text, ranges.get(2..66).unwrap(), &table).unwrap();
        assert_eq!((batch.covers, batch.parse.parsed.items.len()), (64, 64));
        assert_eq!(batch.checked.unwrap().0.len(), 64);
        for text in broken {
            let db = RootDatabase::default();
            let made = super::super::stream::parse_and_check_streamed(&db, &text, 1).unwrap();
            let whole = super::super::parse_then_check(&RootDatabase::default(), &text, 1);
            assert_eq!(made.parsed, whole.parsed);
            assert_eq!(made.checked, whole.checked);
            assert_eq!(made.mentions_expect, whole.mentions_expect);
            assert!(made.mentions_expect.iter().filter(|m| **m).count() >= 3);
        }
    }
}
