//! A file opened for one check, each item checked as soon as its chunk is
//! parsed and its body let go at once, so that the ASTs of the whole file
//! are never held together (on the 10 MB corpus they were about 60 MB at
//! their peak, and the room they left was mostly not reused: the peak was
//! 140 MiB for a heap of 94 MiB).
//!
//! An item's check needs the symbol table, which needs every item. So the
//! table the checks use is built first from what each chunk declares by a
//! scan of its first line (`pcl_syntax::chunk_declares`), with the params,
//! features and constraints (and any chunk the scan cannot read) parsed.
//! Once the file is put together, that table is compared with the one its
//! parse gives: the same (every chunk parsed as it looked), each check is
//! the one the real table gives, since a check reads nothing else of the
//! file; not the same (a broken item, say), the caller parses and checks
//! the file again the whole-file way.

use std::sync::{Arc, Mutex, PoisonError};

use super::super::RootDatabase;
use super::super::parallel::{PARALLEL_FROM_BYTES, PreParsed, share_of};
use super::super::parsing::{ChunkParse, FileParse, parse_chunk_text, parse_text_from};
use super::super::scope::DbScope;
use super::check_one;
use crate::item_check::ItemAnalysis;
use crate::symbol_table::{Declaration, Symbol, Symbols};

/// The parse of `text` with every item checked, or `None` when the table
/// its checks used turned out not to be the file's (see the module).
pub(super) fn parse_and_check_streamed(db: &RootDatabase, text: &str, threads: usize) -> Option<FileParse> {
    let ranges = pcl_syntax::chunk_ranges(text);
    let (early, declared) = declarations(db, text, &ranges);
    let table = Symbols::build(declared.items.iter().map(|(name, d)| (*name, d)), &declared.broken);
    let parallel = threads > 1 && text.len() >= PARALLEL_FROM_BYTES;
    let streamed = parse_and_check_chunks(db, text, &ranges, early, &table, parallel);
    let parses = streamed.iter().map(|(parse, _)| Some(Arc::clone(parse))).collect();
    let mut parse = parse_text_from(db, text, PreParsed { ranges, parses });
    // the table is the file's when it was built from what the file's parse
    // declares (`Symbols::of_parsed` builds the file's from that)
    if !declared.are_those_of(&parse.parsed) {
        return None;
    }
    drop(declared);
    parse.checked = analyses_in_order(&mut parse, streamed, &table);
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
        if let Some((name, kind)) = pcl_syntax::chunk_declares(chunk).and_then(|(k, name)| Some((name, symbol_of(k)?)))
        {
            declared.items.push((name, Declaration::Other { kind }));
            early.push(Mutex::new(None));
            continue;
        }
        // as `parse_chunks` parses it (see `parsing::parse_ranges`); its
        // items' names are the parse's, so the text's too (`Name`s live on)
        let parse = parse_chunk_text(db, chunk, false);
        let items = parse.parsed.items.iter();
        declared.items.extend(items.map(|p| (p.item.name().name.as_str(), Declaration::of(&p.item))));
        declared.broken.extend(parse.parsed.broken_names.iter().cloned());
        early.push(Mutex::new(Some(parse)));
    }
    (early, declared)
}

/// The symbol of an item that starts with `keyword`, when the table needs
/// nothing else of it (not a param, feature or constraint).
fn symbol_of(keyword: &str) -> Option<Symbol> {
    Some(match keyword {
        "permset" => Symbol::Permset,
        "actionset" => Symbol::Actionset,
        "valueset" => Symbol::Valueset,
        "policy" => Symbol::Policy,
        "role" => Symbol::Role,
        _ => return None,
    })
}

/// A chunk's parse, and when it parsed cleanly, its items' checks (their
/// bodies let go).
type Streamed = (Arc<ChunkParse>, Option<Vec<Arc<ItemAnalysis>>>);

/// Every chunk parsed (or taken from `early`) and, when clean, its items
/// checked under `table` at once: a large text's on every thread of rayon's
/// pool, each its share (`share_of`), as `parse_chunks` does.
fn parse_and_check_chunks(
    db: &RootDatabase,
    text: &str,
    ranges: &[(usize, usize)],
    early: Vec<Mutex<Option<Arc<ChunkParse>>>>,
    table: &Symbols,
    parallel: bool,
) -> Vec<Streamed> {
    let one = |db: &RootDatabase, at: usize, &(start, end): &(usize, usize)| -> Streamed {
        let taken = early.get(at).and_then(|slot| slot.lock().unwrap_or_else(PoisonError::into_inner).take());
        let mut parse = taken.unwrap_or_else(|| parse_chunk_text(db, text.get(start..end).unwrap_or_default(), false));
        let checked = match Arc::get_mut(&mut parse) {
            Some(parse) if parse.parsed.errors.is_empty() => Some(check_chunk(parse, &DbScope::Whole(table))),
            _ => None,
        };
        (parse, checked)
    };
    if !parallel {
        return ranges.iter().enumerate().map(|(at, range)| one(db, at, range)).collect();
    }
    let handles: Vec<Mutex<Option<RootDatabase>>> =
        (0..rayon::current_num_threads()).map(|_| Mutex::new(Some(db.clone()))).collect();
    let shares: Vec<Vec<(usize, Streamed)>> = rayon::broadcast(|thread| {
        let handle = handles.get(thread.index()).and_then(|handle| handle.lock().ok()?.take());
        let Some(db) = handle else { return Vec::new() };
        let share = share_of(text.len(), thread.index(), thread.num_threads());
        let mine = ranges.iter().enumerate().filter(|(_, (start, _))| share.contains(start));
        mine.map(|(at, range)| (at, one(&db, at, range))).collect()
    });
    // in order; a chunk no thread took (none, unless the pool changed size) done here
    let mut done: Vec<Option<Streamed>> = (0..ranges.len()).map(|_| None).collect();
    for (at, streamed) in shares.into_iter().flatten() {
        if let Some(slot) = done.get_mut(at) {
            *slot = Some(streamed);
        }
    }
    let rest = done.into_iter().zip(ranges).enumerate();
    rest.map(|(at, (streamed, range))| streamed.unwrap_or_else(|| one(db, at, range))).collect()
}

/// The checks of a clean chunk's items, their bodies let go (unless the
/// item mentions `expect`: the acknowledgements walk its statements).
fn check_chunk(parse: &mut ChunkParse, scope: &DbScope<'_>) -> Vec<Arc<ItemAnalysis>> {
    let ChunkParse { parsed, mentions_expect, .. } = parse;
    let whole = |at: usize| mentions_expect.get(at) != Some(&false);
    parsed.items.iter_mut().enumerate().map(|(at, item)| check_one(item, whole(at), scope)).collect()
}

/// Every item's check in file order: a streamed chunk's as it was made; the
/// items of a chunk put together again when the file was (a broken chunk
/// joined with the next, or the file's last one) checked now.
fn analyses_in_order(parse: &mut FileParse, streamed: Vec<Streamed>, symbols: &Symbols) -> Vec<Arc<ItemAnalysis>> {
    let scope = DbScope::Whole(symbols);
    // by the address of the parse they were made of (the file's chunks share it)
    let mut made: rustc_hash::FxHashMap<*const ChunkParse, Vec<Arc<ItemAnalysis>>> =
        streamed.into_iter().filter_map(|(parse, checked)| Some((Arc::as_ptr(&parse), checked?))).collect();
    let mut checked = Vec::with_capacity(parse.parsed.items.len());
    let (items, mentions_expect) = (&mut parse.parsed.items, &parse.mentions_expect);
    let mut first = 0;
    for record in &parse.chunks {
        let count = record.parse.parsed.items.len();
        match made.remove(&Arc::as_ptr(&record.parse)).filter(|made| made.len() == count) {
            Some(made) => checked.extend(made),
            None => {
                let whole = |at: usize| mentions_expect.get(at) != Some(&false);
                let mine = items.get_mut(first..first + count).unwrap_or_default();
                checked
                    .extend(mine.iter_mut().enumerate().map(|(at, item)| check_one(item, whole(first + at), &scope)));
            }
        }
        first += count;
    }
    checked
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
    /// policy's body let go; one whose chunks do not parse as they look is
    /// left to the whole-file way (the analyses are compared in
    /// `tests/one_time.rs`).
    #[test]
    fn a_clean_file_is_checked_chunk_by_chunk_and_another_is_declined() {
        let parse = streamed(CLEAN).unwrap();
        assert_eq!(parse.checked.len(), parse.parsed.items.len());
        assert_eq!(parse.parsed.items.len(), 5);
        assert!(parse.chunks.is_empty());
        // the table the items were checked under is the file's, and kept for `symbols`
        assert_eq!(parse.symbols.as_deref(), Some(&Symbols::of_parsed(&parse.parsed)));
        let policy = parse.parsed.items.iter().find(|p| p.item.name().name.as_str() == "p").unwrap();
        assert!(matches!(&policy.item.kind, pcl_syntax::ast::ItemKind::Policy(p) if p.entries.is_empty()));
        for declined in [
            CLEAN.replace("allow {", "alow {"),
            CLEAN
                .replace("actionset reads = [s3:GetObject];", "actionset reads = [s3:GetObject]; actionset more = [];"),
            CLEAN.replace("policy p when", "policy policy when"),
        ] {
            assert!(streamed(&declined).is_none(), "{declined}");
        }
    }
}
