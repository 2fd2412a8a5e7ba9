//! A file opened for one check (`SourceFile::open`, as `pcl check`, `pcl
//! build` and `cargo xtask build-policies` open theirs): its chunks parsed
//! outside the `parse_chunk` memo (a large item's entries are still parsed
//! through `parse_entry`, and kept there), every item checked as the file
//! is opened, and the bodies of its policies, permsets and sets not kept
//! once checked.
//!
//! Why: the ASTs were the largest part of a check's memory (about 55 MB of
//! the 10 MB corpus's heap), kept for the edits, hover and completion that
//! such a file never gets (a file opened to edit, the language server's,
//! keeps them all). What stays of an item is what the symbol table and the
//! file-wide checks read: its name, doc comments, `expect`s, span and
//! kind, a policy's or role's guard and a policy's naming fields
//! (`ast::Item::hollow`); a param, feature or constraint whole (small); and
//! whole any item whose text mentions `expect` (the acknowledgements walk
//! its statements).
//!
//! The check is `check_item`'s own: the same function (`item_check::check`,
//! which equals the entry-by-entry check of a large item) under the same
//! scope (the symbol table itself, `DbScope::Whole`), kept in the item's
//! input (`ItemBody::checked`), which `check_item` then returns. So the
//! analysis is the one a file opened to edit gets (`tests/one_time.rs`).
//! The queries that read the analyses of such a file's items read them
//! from the inputs (`analysis_of`), with no `check_item` memo each. An
//! edit of such a file parses and checks it again whole (`files.rs`).

mod batches;
pub(super) mod findings;
mod stream;
mod watched;

pub use findings::OnceFindings;

use std::sync::{Arc, Mutex, PoisonError};

use pcl_syntax::ParsedItem;

use super::RootDatabase;
use super::parallel::{PARALLEL_FROM_BYTES, parse_chunks, share_of};
use super::parsing::{FileParse, parse_text_from};
use super::scope::DbScope;
use crate::item_check::ItemAnalysis;
use crate::symbol_table::Symbols;

/// An item's analysis: in a file opened for one check (`one_time`), the
/// one made as it was opened, read from its input; else `check_item`'s.
/// Read from the input, a one-time file's items need no `check_item` memo
/// each (on the 10 MB corpus, 40,000 memos and their tables held 3.3 MB,
/// and running the query for each item only to return what it holds cost
/// salsa's bookkeeping). In a file opened to edit it reads `check_item`
/// alone: a memo that read the body too would depend on every edit of it,
/// not only on those that change its analysis.
pub(crate) fn analysis_of(db: &dyn super::Database, item: super::ItemDef, one_time: bool) -> &Arc<ItemAnalysis> {
    if one_time && let Some(checked) = &item.body(db).checked {
        return checked;
    }
    super::check_item(db, item)
}

/// The parse of a file opened for one check, its items checked (a large
/// text's, when `threads` is above 1, on every thread of rayon's pool)
/// and their bodies let go (see the module): chunk by chunk as they are
/// parsed (`stream`), or, in the rare file where that cannot be made right
/// (the scan missed or misread a param or constraint, so that what the
/// table says of the optional and absent params or of the constraints
/// differs), the whole file parsed first and then checked.
pub(super) fn parse_and_check(db: &RootDatabase, text: &str, threads: usize) -> FileParse {
    match stream::parse_and_check_streamed(db, text, threads) {
        Some(parse) => parse,
        None => parse_then_check(db, text, threads),
    }
}

/// `parse_and_check` the whole-file way: every chunk parsed, then the
/// symbol table built from the parse, then every item checked.
fn parse_then_check(db: &RootDatabase, text: &str, threads: usize) -> FileParse {
    let mut parse = parse_text_from(db, text, parse_chunks(db, text, threads));
    // what an edit would re-parse from, and the chunks' owners of the ASTs
    parse.chunks = Vec::new();
    let symbols = Symbols::of_parsed(&parse.parsed);
    let parallel = (threads > 1 && text.len() >= PARALLEL_FROM_BYTES).then_some(text.len());
    parse.checked = check_items(&mut parse, &symbols, parallel);
    parse.symbols = Some(Arc::new(symbols));
    parse
}

/// Each item's check, in file order; each body that may go, gone. A large
/// text's items are checked on every thread of rayon's pool, each thread
/// those of the share of the text it parsed (`parallel::share_of`).
fn check_items(parse: &mut FileParse, symbols: &Symbols, parallel: Option<usize>) -> Vec<Arc<ItemAnalysis>> {
    let FileParse { parsed, mentions_expect, .. } = parse;
    let mentions_expect = &*mentions_expect;
    let run = |first: usize, items: &mut [ParsedItem]| -> Vec<Arc<ItemAnalysis>> {
        let scope = DbScope::Whole(symbols);
        let whole = |at: usize| mentions_expect.get(first + at) != Some(&false);
        items.iter_mut().enumerate().map(|(at, item)| check_one(item, whole(at), &scope)).collect()
    };
    let Some(len) = parallel else { return run(0, &mut parsed.items) };
    // the items in shares, each with the place of its first item
    let threads = rayon::current_num_threads();
    let mut shares = Vec::with_capacity(threads);
    let (mut rest, mut first) = (parsed.items.as_mut_slice(), 0);
    for index in 0..threads {
        let end = share_of(len, index, threads).end;
        let count = rest.partition_point(|item| (item.offset as usize) < end);
        let (mine, after) = std::mem::take(&mut rest).split_at_mut(count);
        shares.push(Mutex::new(Some((first, mine))));
        (rest, first) = (after, first + count);
    }
    let checked: Vec<Option<Vec<Arc<ItemAnalysis>>>> = rayon::broadcast(|thread| {
        let share = shares.get(thread.index()).and_then(|share| share.lock().ok()?.take());
        share.map(|(first, items)| run(first, items))
    });
    // in order; a share no thread took (none, unless the pool changed size)
    // checked here, so that each analysis stays beside its item
    let mut all = Vec::with_capacity(first);
    for (share, checked) in shares.into_iter().zip(checked.into_iter().chain(std::iter::repeat(None))) {
        let left = share.into_inner().unwrap_or_else(PoisonError::into_inner);
        match (checked, left) {
            (Some(checked), _) => all.extend(checked),
            (None, Some((first, items))) => all.extend(run(first, items)),
            (None, None) => {}
        }
    }
    all
}

/// One item's check; its body let go unless `keep_whole`.
fn check_one(item: &mut ParsedItem, keep_whole: bool, scope: &dyn crate::symbol_table::Scope) -> Arc<ItemAnalysis> {
    let analysis = Arc::new(crate::item_check::check(&item.item, scope));
    if !keep_whole && let Some(hollow) = item.item.hollow() {
        item.item = Arc::new(hollow);
    }
    analysis
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::super::{RootDatabase, SourceFile, file_items, file_parse};

    /// A one-time file's parse and its items' inputs share each item's
    /// check (one `Arc`, not two equal ones), as opened and after an edit,
    /// where an item found unchanged keeps its old check in both.
    #[test]
    fn the_parse_and_the_inputs_share_each_check() {
        let text = include_str!("../../../../../policies.pcl");
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "policies.pcl".into(), text.into());
        let shared = |db: &RootDatabase| {
            let checked = &file_parse(db, file).checked;
            let items = file_items(db, file);
            assert_eq!(checked.len(), items.len());
            checked
                .iter()
                .zip(items)
                .all(|(c, item)| std::sync::Arc::ptr_eq(c, item.body(db).checked.as_ref().unwrap()))
        };
        assert!(shared(&db));
        let before = file_items(&db, file)[0].body(&db).checked.clone().unwrap();
        file.replace_text(&mut db, text.replacen("policy head_node {", "policy head_node {\n", 1));
        assert!(shared(&db));
        assert!(std::sync::Arc::ptr_eq(&before, file_items(&db, file)[0].body(&db).checked.as_ref().unwrap()));
    }
}
