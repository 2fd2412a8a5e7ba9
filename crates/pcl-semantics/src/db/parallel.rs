//! A cold analysis on every core: the per-chunk parses and the per-item
//! checks computed on several threads first, each with its own handle on
//! the database, then `analyze_file` over the memoized results.
//!
//! Every parallel phase (here and in `one_time.rs`) runs as tasks on
//! rayon's pool, whose threads outlive the phases. Threads started for
//! each phase and ended with it left the free room of their allocator's
//! pages to no one (mimalloc abandons a finished thread's pages until
//! another thread happens to reclaim them): the 10 MB corpus's check
//! peaked at 164–180 MiB, on the pool at 142–144 MiB, in the same time.

use super::{FileAnalysis, ItemDef, RootDatabase, SourceFile};
use super::{
    analyze_file, check_configs, check_item, file_items, file_parse, file_wide_checks, item_index,
    parsing::parse_chunk_text, symbols, variant_findings,
};

/// Files smaller than this are analysed on one thread (starting threads
/// would cost more than they save).
pub const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// `analyze_file`, with the per-item checks first computed as `threads`
/// tasks on rayon's pool (the per-chunk parses were, by
/// `SourceFile::open_on`; a file opened for one check had its items
/// checked then too, and skips this phase), each with its own handle on
/// the database (salsa memoizes them once, whichever thread ran them). The
/// result is the same value `analyze_file` returns; only a cold analysis
/// gets faster (10 MB corpus on 2 cores: 4.3 s -> 2.9 s when it was
/// introduced). Beside the per-configuration checks, the file-wide checks
/// run as one more task: they are short, and the merge waits for both.
///
/// The queries that read every item (`file_parse`, `symbols`, ..., and for
/// a large file `file_wide_checks`) run on a handle of their own. Salsa keeps one frame of reads per depth of its
/// query stack and clears it, whole, each time a query at that depth ends:
/// once a query that read every item has run at some depth, every later
/// query there clears a table as large as the file. Run from `analyze_file`,
/// `file_parse` sits at the depth of every `check_item`, and clearing its
/// frame was 5.5 % of a cold analysis of 1 MB on one thread.
pub fn analyze_file_parallel(db: &RootDatabase, file: SourceFile, threads: usize) -> &FileAnalysis {
    // a large file opened for one check had its per-configuration checks
    // (and the file-wide ones beside them) run as it was opened
    if file.once_findings(db).is_some() {
        return analyze_file(db, file);
    }
    let parallel = threads > 1 && file.text(db).len() >= PARALLEL_FROM_BYTES;
    let aside = wide_queries_aside(db, file, parallel);
    let items = file_items(db, file).clone();
    // what `analyze_file` fetches: every item's checks, the file-wide checks,
    // and the per-configuration findings of the first definition of each
    // policy and role
    let variants = |db: &RootDatabase, item: &ItemDef| {
        if super::blocks::reports_findings(db, *item) {
            variant_findings(db, *item);
        }
    };
    // a file opened for one check had its items checked as it was opened
    let one_time = file.opened_once(db);
    let checks = |db: &RootDatabase, item: &ItemDef| {
        check_item(db, *item);
    };
    if parallel {
        if !one_time {
            share_out(db, threads, &items, checks);
        }
        let items = &items;
        beside_file_wide_checks(db, file, aside, move |handle| share_out(handle, threads, items, variants));
    } else {
        // item by item (in two passes, `pcl check policies.pcl` touched 34
        // more pages and took about 8 % longer); `file_wide_checks` runs
        // inside `analyze_file`, after every other query
        drop(aside);
        items.iter().for_each(|item| {
            if !one_time {
                checks(db, item);
            }
            variants(db, item);
        });
    }
    analyze_file(db, file)
}

/// The per-configuration findings of a large file opened for one check
/// (`one_time/findings.rs`), made as it is opened, with its file-wide
/// checks run beside them as `analyze_file_parallel` runs them beside the
/// per-configuration checks of any other file.
pub(super) fn once_findings(db: &RootDatabase, file: SourceFile, threads: usize) -> super::one_time::OnceFindings {
    if threads <= 1 {
        return super::one_time::findings::run(db, file, 1);
    }
    let aside = wide_queries_aside(db, file, true);
    beside_file_wide_checks(db, file, aside, |handle| super::one_time::findings::run(handle, file, threads))
}

/// `work` on a handle of its own, with the file-wide checks as one more task
/// beside it on `aside`: both read every item's checks, neither the other's
/// results.
fn beside_file_wide_checks<R: Send>(
    db: &RootDatabase,
    file: SourceFile,
    aside: RootDatabase,
    work: impl FnOnce(&RootDatabase) -> R + Send,
) -> R {
    let wide = move || {
        file_wide_checks(&aside, file);
    };
    let handle = db.clone();
    rayon::join(wide, move || work(&handle)).1
}

/// `analyze_file` after an edit (what the language server calls): the
/// queries that read every item first run, if they must, on a handle of
/// their own (see `analyze_file_parallel`); after an edit inside an item
/// they are valid and this costs four lookups. Adding an item to the 1 MB
/// corpus: 157M -> 88M instructions, renaming one 170M -> 100M (run
/// inside `analyze_file`, `symbols` left a frame of 8,500 reads that every
/// later query at its depth cleared).
///
/// In a large file, after a change that wrote a MEDIUM or HIGH input (an
/// item's first edit, a param's, an add or a rename: salsa then verifies
/// every memo that read one), the per-configuration findings of its blocks
/// are fetched on every thread of rayon's pool, a block at a time, beside
/// the file-wide checks: after an edit that reaches most policies (a param
/// every policy reads, such as `region`), their checks run again on every
/// core instead of one. After a next edit inside the same item the work is
/// small: shared out, it took as long or longer (10 MB, an edit inside an
/// item: 13.6-15.3 ms, on one thread 9.6-15.7 ms).
pub fn analyze_edited_file(db: &RootDatabase, file: SourceFile) -> &FileAnalysis {
    let aside = wide_queries_aside(db, file, false);
    let threads = rayon::current_num_threads();
    let large = file.text(db).len() >= PARALLEL_FROM_BYTES && super::blocks::by_blocks(db, file);
    let wide = file.driver(db).last_change_was_wide();
    if threads > 1 && large && wide && file.once_findings(db).is_none() {
        let blocks = super::blocks::item_blocks(db, file).clone();
        let findings = |db: &RootDatabase, block: &super::blocks::ItemBlock<'_>| {
            super::blocks::block_findings(db, *block);
        };
        beside_file_wide_checks(db, file, aside, |handle| share_out_in(handle, threads, &blocks, 1, findings));
    } else {
        drop(aside);
    }
    analyze_file(db, file)
}

/// A handle on the database on which the queries that read every item have
/// run (salsa memoizes them for every handle). In `parallel`, the item
/// index is built as a task of its own beside the symbol table: each is a
/// hash table over every item, and on 100 MB (400,000 items) the two took
/// 0.3 s one after the other, while the other core waited.
fn wide_queries_aside(db: &RootDatabase, file: SourceFile, parallel: bool) -> RootDatabase {
    let aside = db.clone();
    let wide = move || {
        file_parse(&aside, file);
        symbols(&aside, file);
        aside
    };
    let aside = if parallel {
        let beside = db.clone();
        rayon::join(
            move || {
                item_index(&beside, file);
            },
            wide,
        )
        .1
    } else {
        wide()
    };
    item_index(&aside, file);
    check_configs(&aside, file);
    aside
}

/// Parses a text's chunks outside the `parse_chunk` memo (see
/// `parse_chunk_text`), a large text's on every thread of rayon's pool,
/// each its share of the text (`share_of`): the ranges cut and each one's
/// parse (`SourceFile::open_on` cuts the text into items from these parses
/// next). A file opened for one check then checks each share's items on
/// the thread that parsed them (`one_time::check_items`).
pub(super) fn parse_chunks(db: &RootDatabase, text: &str, threads: usize) -> PreParsed {
    let ranges = pcl_syntax::chunk_ranges(text);
    let parse = |db: &RootDatabase, (start, end): &(usize, usize)| {
        // as `parsing::parse_ranges` asks first, but not interned (see `parse_chunk_text`)
        parse_chunk_text(db, text.get(*start..*end).unwrap_or_default(), false)
    };
    let parallel = threads > 1 && text.len() >= PARALLEL_FROM_BYTES;
    let parses = each_chunk(db, text.len(), &ranges, parallel, |db, _, range| Some(parse(db, range)));
    PreParsed { ranges, parses }
}

/// `work` on every chunk of a text of `len` bytes (its index and range),
/// in order. When `parallel`, on every thread of rayon's pool, each the
/// chunks that start in its share (`share_of`), with a handle on the
/// database of its own; a chunk no thread took (none, unless the pool
/// changed size) is done on this thread.
pub(super) fn each_chunk<T: Send>(
    db: &RootDatabase,
    len: usize,
    ranges: &[(usize, usize)],
    parallel: bool,
    work: impl Fn(&RootDatabase, usize, &(usize, usize)) -> T + Sync,
) -> Vec<T> {
    if !parallel {
        return ranges.iter().enumerate().map(|(at, range)| work(db, at, range)).collect();
    }
    let handles: Vec<std::sync::Mutex<Option<RootDatabase>>> =
        (0..rayon::current_num_threads()).map(|_| std::sync::Mutex::new(Some(db.clone()))).collect();
    let shares: Vec<Vec<(usize, T)>> = rayon::broadcast(|thread| {
        let handle = handles.get(thread.index()).and_then(|handle| handle.lock().ok()?.take());
        let Some(db) = handle else { return Vec::new() };
        let share = share_of(len, thread.index(), thread.num_threads());
        let mine = ranges.iter().enumerate().filter(|(_, (start, _))| share.contains(start));
        mine.map(|(at, range)| (at, work(&db, at, range))).collect()
    });
    let mut done: Vec<Option<T>> = (0..ranges.len()).map(|_| None).collect();
    for (at, made) in shares.into_iter().flatten() {
        if let Some(slot) = done.get_mut(at) {
            *slot = Some(made);
        }
    }
    let rest = done.into_iter().zip(ranges).enumerate();
    rest.map(|(at, (made, range))| made.unwrap_or_else(|| work(db, at, range))).collect()
}

/// The bytes of a text that thread `index` of `threads` parses, and whose
/// items it checks: a chunk by its start, an item by its offset (the two
/// differ only for an item whose chunk starts in the share before).
/// Parsed and checked on one thread, the ASTs a check lets go are freed
/// where they were allocated, and their room is reused there: freed by
/// another thread, each went through mimalloc's list of delayed frees.
pub(super) fn share_of(len: usize, index: usize, threads: usize) -> std::ops::Range<usize> {
    let at = |k: usize| if k >= threads { usize::MAX } else { len / threads * k };
    at(index)..at(index + 1)
}

/// A text's chunk ranges and their parses, made on several threads: the
/// file's parse is put together from them without looking each chunk's
/// text up (hashing and comparing 100 MB once more, in a table of 400,000
/// chunks, was 0.2 s of a 100 MB check on one core).
pub(super) struct PreParsed {
    pub ranges: Vec<(usize, usize)>,
    pub parses: Vec<Option<std::sync::Arc<super::parsing::ChunkParse>>>,
}

/// How many elements a thread of `share_out` takes at a time.
const BATCH: usize = 64;

/// Runs `work` on every element of `all` as `threads` tasks on rayon's pool
/// (one thread a core), each with its own handle on the database. Tasks
/// take batches from a shared cursor as they finish, rather than fixed
/// halves: items differ in cost, and a thread
/// that waits for a query another one is computing must not leave a core idle
/// (fixed halves kept one core busy 40 % longer than the other on 10 MB).
fn share_out<T: Sync>(db: &RootDatabase, threads: usize, all: &[T], work: impl Fn(&RootDatabase, &T) + Sync) {
    share_out_in(db, threads, all, BATCH, work);
}

/// `share_out`, keeping what `work` makes of each element, in the order of
/// `all` (on this thread alone when `threads` is 1).
pub(super) fn share_out_map<T: Sync, R: Send>(
    db: &RootDatabase,
    threads: usize,
    all: &[T],
    work: impl Fn(&RootDatabase, &T) -> R + Sync,
) -> Vec<R> {
    share_out_in(db, threads, all, BATCH, work)
}

/// `share_out_map`, each thread taking `batch` elements at a time (one
/// block of 64 items at a time, the 66 blocks of a 1 MB file are shared;
/// 64 at a time, one thread took 64).
fn share_out_in<T: Sync, R: Send>(
    db: &RootDatabase,
    threads: usize,
    all: &[T],
    batch: usize,
    work: impl Fn(&RootDatabase, &T) -> R + Sync,
) -> Vec<R> {
    let batch = batch.max(1);
    if threads <= 1 {
        return all.iter().map(|element| work(db, element)).collect();
    }
    let cursor = std::sync::atomic::AtomicUsize::new(0);
    let done: std::sync::Mutex<Vec<(usize, Vec<R>)>> = std::sync::Mutex::default();
    let handles: Vec<RootDatabase> = (0..threads).map(|_| db.clone()).collect();
    let (cursor, work, done_ref) = (&cursor, &work, &done);
    rayon::scope(move |scope| {
        for db in handles {
            scope.spawn(move |_| {
                loop {
                    let start = cursor.fetch_add(batch, std::sync::atomic::Ordering::Relaxed);
                    let Some(taken) = all.get(start..(start + batch).min(all.len())) else { break };
                    if taken.is_empty() {
                        break;
                    }
                    let made: Vec<R> = taken.iter().map(|element| work(&db, element)).collect();
                    done_ref.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((start, made));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_unstable_by_key(|(start, _)| *start);
    done.into_iter().flat_map(|(_, made)| made).collect()
}
