//! A file opened for one check, each item checked as soon as its chunk is
//! parsed and its body let go at once, so that the ASTs of the whole file
//! are never held together (on the 10 MB corpus they were about 60 MB at
//! their peak, and the room they left was mostly not reused: the peak was
//! 140 MiB for a heap of 94 MiB).
//!
//! An item's check needs the symbol table, which needs every item. So the
//! table the checks use is built first from what each chunk declares by a
//! scan of its first item line (`pcl_syntax::chunk_declares`), with the params,
//! features and constraints (and any chunk the scan cannot read) parsed.
//! Once the file is put together, what its parse declares is compared with
//! what the scan said: the same (every chunk parsed as it looked), the table
//! is the file's, and each check the one it gives, since a check reads
//! nothing else of the file. Not the same (a broken item, two items on one
//! line), the file's table is built, and a chunk is checked again under it
//! when its checks read a name whose symbol differs, or weighed "did you
//! mean" suggestions (`watched.rs` notes what each chunk's checks read).
//! Only when the tables differ in their params' or constraints' facts (a
//! param the scan did not see) does the caller parse and check the whole
//! file again.

use std::sync::{Arc, Mutex, PoisonError};

use super::super::RootDatabase;
use super::super::parallel::{PARALLEL_FROM_BYTES, PreParsed, each_chunk};
use super::super::parsing::{ChunkParse, FileParse, parse_chunk_text, parse_text_from};
use super::super::scope::DbScope;
use super::check_one;
use super::watched::{Reads, Watched};
use crate::item_check::ItemAnalysis;
use crate::symbol_table::{Declaration, OtherKind, Symbols};

/// The parse of `text` with every item checked, or `None` when the table
/// its checks used differs from the file's in more than names (see the
/// module).
pub(super) fn parse_and_check_streamed(db: &RootDatabase, text: &str, threads: usize) -> Option<FileParse> {
    let ranges = pcl_syntax::chunk_ranges(text);
    let (early, declared) = declarations(db, text, &ranges);
    let table = Symbols::build(declared.items.iter().map(|(name, d)| (*name, d)), &declared.broken);
    let parallel = threads > 1 && text.len() >= PARALLEL_FROM_BYTES;
    let streamed = parse_and_check_chunks(db, text, &ranges, early, &table, parallel);
    // the chunks as parsed: a batch of small items is one
    let (ranges, parses) = streamed.iter().map(|s| ((s.start, s.end), Some(Arc::clone(&s.parse)))).unzip();
    let mut parse = parse_text_from(db, text, PreParsed { ranges, parses });
    // the table is the file's when it was built from what the file's parse
    // declares (`Symbols::of_parsed` builds the file's from that); else the
    // checks that read what differs are made again under the file's
    let (table, differing) = match declared.are_those_of(&parse.parsed) {
        true => (table, None),
        false => {
            let file_table = Symbols::of_parsed(&parse.parsed);
            let names = file_table.names_differing_from(&table)?;
            // none (a duplicate the scan missed, shadowed): the same table
            let differing = (!names.is_empty()).then(|| Reads::of_names(&names));
            (file_table, differing)
        }
    };
    drop(declared);
    parse.checked = analyses_in_order(db, text, &mut parse, streamed, (&table, differing))?;
    // what an edit would re-parse from, and the chunks' owners of the ASTs
    parse.chunks = Vec::new();
    parse.symbols = Some(Arc::new(table));
    Some(parse)
}

/// What a file's chunks declare, in file order (a chunk's as scanned, or
/// its items' when it was parsed), and the names of the broken items of
/// the chunks parsed.
struct Declared<'t> {
    items: Vec<(&'t str, Declaration)>,
    broken: Vec<String>,
}

impl Declared<'_> {
    /// Whether these are what `parsed` declares: its items' names and
    /// declarations in order, and its broken names.
    fn are_those_of(&self, parsed: &pcl_syntax::ParsedFile) -> bool {
        self.items.len() == parsed.items.len()
            && self.broken == parsed.broken_names
            && self.items.iter().zip(&parsed.items).all(|((name, declaration), p)| {
                *name == p.item.name().name.as_str() && *declaration == Declaration::of(&p.item)
            })
    }
}

/// Each chunk parsed now (by index) when the scan could not tell what it
/// declares, or when it declares a param, feature or constraint (whose
/// declaration is its AST); and what every chunk declares.
fn declarations<'t>(
    db: &RootDatabase,
    text: &'t str,
    ranges: &[(usize, usize)],
) -> (Vec<Mutex<Option<Arc<ChunkParse>>>>, Declared<'t>) {
    let mut early = Vec::with_capacity(ranges.len());
    let mut declared = Declared { items: Vec::with_capacity(ranges.len()), broken: Vec::new() };
    for &(start, end) in ranges {
        let chunk = text.get(start..end).unwrap_or_default();
        let scanned = pcl_syntax::chunk_declares(chunk);
        if let Some((name, kind)) = scanned.and_then(|(keyword, name)| Some((name, OtherKind::of_keyword(keyword)?))) {
            declared.items.push((name, Declaration::Other { kind }));
            early.push(Mutex::new(None));
            continue;
        }
        // as `parse_chunks` parses it (see `parsing::parse_ranges`); its
        // items' names borrow nothing of the parse (`Name::as_str` is
        // `'static`), so they outlive it as the scanned ones do
        let parse = parse_chunk_text(db, chunk, false);
        let items = parse.parsed.items.iter();
        declared.items.extend(items.map(|p| (p.item.name().name.as_str(), Declaration::of(&p.item))));
        declared.broken.extend(parse.parsed.broken_names.iter().cloned());
        early.push(Mutex::new(Some(parse)));
    }
    (early, declared)
}

/// A chunk (or a batch of small ones, `batches.rs`) as parsed: where it
/// starts and ends, how many of `chunk_ranges`' chunks it covers, its parse,
/// and when it parsed cleanly, its items' checks (their bodies let go) and
/// what each read of the table (an item's own: a batch's together set most
/// of the 64 bits, and any broken item then had nearly every batch checked
/// again).
pub(super) struct Streamed {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) covers: usize,
    pub(super) parse: Arc<ChunkParse>,
    pub(super) checked: Option<(Vec<Arc<ItemAnalysis>>, Vec<Reads>)>,
}

/// Every chunk parsed (or taken from `early`) and, when clean, its items
/// checked under `table` at once: a large text's on every thread of rayon's
/// pool, each its share (`parallel::each_chunk`). Runs of small chunks are
/// parsed and checked as batches (`batches.rs`).
fn parse_and_check_chunks(
    db: &RootDatabase,
    text: &str,
    ranges: &[(usize, usize)],
    early: Vec<Mutex<Option<Arc<ChunkParse>>>>,
    table: &Symbols,
    parallel: bool,
) -> Vec<Streamed> {
    let single = |db: &RootDatabase, at: usize| -> Option<Streamed> {
        let &(start, end) = ranges.get(at)?;
        let taken = early.get(at).and_then(|slot| slot.lock().unwrap_or_else(PoisonError::into_inner).take());
        let mut parse = taken.unwrap_or_else(|| parse_chunk_text(db, text.get(start..end).unwrap_or_default(), false));
        let checked = match Arc::get_mut(&mut parse) {
            Some(parse) if parse.parsed.errors.is_empty() => Some(check_chunk_watched(parse, table)),
            _ => None,
        };
        Some(Streamed { start, end, covers: 1, parse, checked })
    };
    let parsed_early = |at: usize| early.get(at).is_some_and(|slot| slot.lock().is_ok_and(|parse| parse.is_some()));
    let batches = super::batches::of(ranges, parsed_early);
    let spans: Vec<(usize, usize)> = batches.iter().map(|b| super::batches::span(ranges, b)).collect();
    // the chunks of `batch` as one, if they parse as each does alone; else one by one
    let run = |db: &RootDatabase, batch: std::ops::Range<usize>| -> Vec<Streamed> {
        let group = ranges.get(batch.clone()).unwrap_or_default();
        if group.len() > 1
            && let Some(made) = super::batches::parse_and_check(text, group, table)
        {
            return vec![made];
        }
        batch.filter_map(|at| single(db, at)).collect()
    };
    let one = |db: &RootDatabase, at: usize, _: &(usize, usize)| -> Vec<Streamed> {
        batches.get(at).map_or_else(Vec::new, |batch| run(db, batch.clone()))
    };
    let made = each_chunk(db, text.len(), &spans, parallel, one);
    super::batches::split_after_broken(batches.into_iter().zip(made), |at| single(db, at), |batch| run(db, batch))
}

/// The checks of a clean chunk's items under `table`, their bodies let go
/// (unless the item mentions `expect`: the acknowledgements walk its
/// statements), with what each item's check read of the table.
pub(super) fn check_chunk_watched(parse: &mut ChunkParse, table: &Symbols) -> (Vec<Arc<ItemAnalysis>>, Vec<Reads>) {
    let ChunkParse { parsed, mentions_expect, .. } = parse;
    let whole = |at: usize| mentions_expect.get(at) != Some(&false);
    let watched = Watched::new(table);
    let mut reads = Vec::with_capacity(parsed.items.len());
    let mut checks = Vec::with_capacity(parsed.items.len());
    for (at, item) in parsed.items.iter_mut().enumerate() {
        checks.push(check_one(item, whole(at), &watched));
        reads.push(watched.take());
    }
    (checks, reads)
}

/// Every item's check in file order: a streamed chunk's as it was made,
/// unless an item's check read what `differing` says the table got wrong
/// (then the chunk's text is parsed again, and that item checked again
/// under `table`, the file's); the items of a chunk put together again when
/// the file was (a broken chunk joined with the next, or the file's last
/// one) checked now.
fn analyses_in_order(
    db: &RootDatabase,
    text: &str,
    parse: &mut FileParse,
    streamed: Vec<Streamed>,
    (table, differing): (&Symbols, Option<Reads>),
) -> Option<Vec<Arc<ItemAnalysis>>> {
    let scope = DbScope::Whole(table);
    // in file order, as the file's chunks are; a chunk joined into the one
    // before it is passed over
    let mut streamed = streamed.into_iter().peekable();
    let mut checked = Vec::with_capacity(parse.parsed.items.len());
    let (items, mentions_expect) = (&mut parse.parsed.items, &parse.mentions_expect);
    let mut first = 0;
    for record in &parse.chunks {
        let count = record.parse.parsed.items.len();
        while streamed.next_if(|s| s.start < record.start).is_some() {}
        let same = |s: &Streamed| s.start == record.start && Arc::ptr_eq(&s.parse, &record.parse);
        let made = streamed.next_if(same).and_then(|s| s.checked);
        match made.filter(|(made, reads)| made.len() == count && reads.len() == count) {
            Some((made, reads)) if !differing.is_some_and(|d| reads.iter().any(|r| r.meet(d))) => checked.extend(made),
            Some((mut made, reads)) => {
                // as it was parsed (cleanly, so the same items), the items
                // that read what differs now checked under the file's table
                let chunk = text.get(record.start..record.end).unwrap_or_default();
                // a batch again as a batch (only one large item is parsed
                // entry by entry, and then has entries)
                let mut again = match record.parse.entries.is_empty() {
                    true => super::batches::plain_parse(chunk, &record.parse.mentions_expect),
                    false => Arc::unwrap_or_clone(parse_chunk_text(db, chunk, false)),
                };
                // cannot differ (the same text, parsed the same way); were it
                // to, the analyses would stand beside the wrong items
                if again.parsed.items.len() != count {
                    return None;
                }
                let whole = |at: usize| again.mentions_expect.get(at) != Some(&false);
                let items = again.parsed.items.iter_mut().zip(made.iter_mut().zip(&reads)).enumerate();
                for (at, (item, (made, reads))) in items {
                    if differing.is_some_and(|d| reads.meet(d)) {
                        *made = check_one(item, whole(at), &scope);
                    }
                }
                checked.extend(made);
            }
            None => {
                let whole = |at: usize| mentions_expect.get(at) != Some(&false);
                let mine = items.get_mut(first..first + count).unwrap_or_default();
                checked
                    .extend(mine.iter_mut().enumerate().map(|(at, item)| check_one(item, whole(first + at), &scope)));
            }
        }
        first += count;
    }
    Some(checked)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    const CLEAN: &str = "param partition: partition = \"aws\";\nfeature fsx: bool = false;\n\
        /// Docs.\nactionset reads = [s3:GetObject];\npolicy p when fsx {\n    allow { action [@reads]; resource \"*\"; }\n}\n\
        role r { trust service [\"ec2.amazonaws.com\"]; inline p; }\n";

    fn streamed(text: &str) -> Option<FileParse> {
        parse_and_check_streamed(&RootDatabase::default(), text, 1)
    }

    /// A clean file is checked as it is parsed, every item once, its
    /// policy's body let go, under the file's own table, which is kept.
    #[test]
    fn a_clean_file_is_checked_chunk_by_chunk() {
        let parse = streamed(CLEAN).unwrap();
        assert_eq!(parse.checked.len(), parse.parsed.items.len());
        assert_eq!(parse.parsed.items.len(), 5);
        assert!(parse.chunks.is_empty());
        let policy = parse.parsed.items.iter().find(|p| p.item.name().name.as_str() == "p").unwrap();
        assert!(matches!(&policy.item.kind, pcl_syntax::ast::ItemKind::Policy(p) if p.entries.is_empty()));
        assert_eq!(parse.symbols.as_deref(), Some(&Symbols::of_parsed(&parse.parsed)));
    }

    /// A file whose chunks do not all parse as they look: the checks that
    /// read what the scan got wrong are made again, and every one is the
    /// whole-file way's; but a param the scan did not see (the params'
    /// facts differ) leaves the whole file to that way.
    #[test]
    fn chunks_that_do_not_parse_as_they_look_are_checked_again() {
        for odd in [
            CLEAN.replace("allow {", "alow {"),
            CLEAN
                .replace("actionset reads = [s3:GetObject];", "actionset more = [s3:PutObject]; actionset reads = [];"),
            CLEAN.replace("policy p when", "policy policy when"),
            CLEAN.replace("inline p;", "inline q;"),
        ] {
            let made = streamed(&odd);
            assert!(made.is_some(), "{odd}");
            let made = made.unwrap();
            let whole = super::super::parse_then_check(&RootDatabase::default(), &odd, 1);
            assert_eq!(made.checked, whole.checked, "{odd}");
            assert_eq!(made.parsed, whole.parsed, "{odd}");
            assert_eq!(made.symbols, whole.symbols, "{odd}");
        }
        let hidden_param = CLEAN.replace("/// Docs.\n", "valueset x = []; param region: string?;\n");
        assert!(streamed(&hidden_param).is_none());
    }

    /// The reads of a check meet the names it looked up, and only those
    /// (but for a shared bit).
    #[test]
    fn a_check_reads_the_names_it_looks_up() {
        let parse = pcl_syntax::parse_file(CLEAN);
        let table = Symbols::of_parsed(&parse);
        let role = parse.items.iter().find(|p| p.item.name().name.as_str() == "r").unwrap();
        let watched = Watched::new(&table);
        crate::item_check::check(&role.item, &watched);
        let reads = watched.take();
        let of = |name: &str| Reads::of_names(&[pcl_syntax::Name::new(name)]);
        assert!(reads.meet(of("p")));
        let unread = (0..64).map(|n| format!("n{n}")).find(|n| !reads.meet(of(n)));
        assert!(unread.is_some(), "{reads:?}");
        assert_eq!(watched.take(), Reads::default());
    }
}
