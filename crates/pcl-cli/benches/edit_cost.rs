//! The cost of a re-analysis after a one-item edit, against a cold analysis,
//! for counting instructions under callgrind (timings on a shared 2-core
//! machine vary more than the changes they would measure):
//!
//! ```sh
//! cargo bench -p pcl-cli --bench edit_cost --no-run   # prints the binary's path
//! valgrind --tool=callgrind --toggle-collect='edit_cost::cold_phase' BIN policies.pcl cold
//! valgrind --tool=callgrind --toggle-collect='edit_cost::edit_phase' BIN policies.pcl
//! ```
//!
//! `cold_phase` is `SourceFile::open_to_edit` (the parse) and `analyze_file` on a
//! fresh database, in a fresh process: what opening a file costs, as the
//! edit's cost counts its re-parse;
//! `edit_phase` is `splice_text` (the language server's edit) and
//! `analyze_edited_file` (what the language server runs) after a first edit of the same item, as typing
//! does: the edit adds an action to the first action list after `AT` (an
//! environment variable; by default the middle of the file; `LIST` says
//! how the list starts, `action [` unless given; `TYPED`, the text
//! inserted, an action unless given). Every phase runs on one thread
//! (rayon's pool made of one), so that callgrind counts all of its
//! work. Run without
//! valgrind, it prints wall times (`EDITS=N`: N next edits, and their
//! median).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "bench"
)]

/// The allocator the pcl binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pcl_semantics::{RootDatabase, SourceFile, analyze_edited_file, analyze_file};

fn main() {
    // One thread: the language server's `analyze_edited_file` shares a large
    // file's blocks among rayon's threads, and callgrind, collecting inside
    // `edit_phase` only, would count this thread's share alone. What an edit
    // costs is every instruction of it, as a cold analysis counts.
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global().expect("the pool is made once");
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let path = args.first().map_or("policies.pcl", String::as_str);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(path).or_else(|_| std::fs::read_to_string(root.join(path))).unwrap();
    // `LOG=1`: the queries each next edit runs, printed after it (salsa's
    // `WillExecute` events: where an edit's cost is, before profiling it);
    let log = std::env::var_os("LOG").map(|_| pcl_semantics::ExecutionLog::default());
    // `LOG=validated`: and the memos it validates instead of running them
    let visits = std::env::var("LOG").is_ok_and(|v| v == "validated");
    let logging = if visits { RootDatabase::with_visit_log } else { RootDatabase::with_execution_log };
    let mut db = log.clone().map_or_else(RootDatabase::default, logging);
    let started = std::time::Instant::now();
    let (file, found) = cold_phase(&mut db, text.clone());
    eprintln!("cold analysis: {:?} ({found} diagnostics)", started.elapsed());
    if args.get(1).is_some_and(|mode| mode == "cold") {
        return;
    }
    let from = match std::env::var("AT") {
        Ok(pattern) => text.find(&pattern).expect("AT is in the file"),
        Err(_) => text.len() / 2,
    };
    // the list the edit adds to: by default a statement's, `LIST="= ["` for an actionset's
    let list = std::env::var("LIST").unwrap_or_else(|_| "action [".to_string());
    let at = from + text[from..].find(&list).expect("an action list after AT") + list.len();
    // `EDITS` next edits after the first (1 unless given): their median is
    // printed too (one edit's wall time varies a lot on a shared machine)
    let next_edits: usize = std::env::var("EDITS").ok().and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
    let mut next_times = Vec::new();
    // `TYPED`: the text each edit inserts instead (a valueset's values are
    // strings: `TYPED='"x", '`)
    let typed = std::env::var("TYPED").ok();
    // `TYPED_NEXT`: what the next edits insert instead of `TYPED` (a
    // value typed twice into a list is a repeat, W0512, whose placing the
    // edit then pays for: `TYPED='"x", ' TYPED_NEXT='"y", '` measures a value
    // added that repeats none)
    let typed_next = std::env::var("TYPED_NEXT").ok();
    for n in 0..=next_edits {
        let action = match (&typed, n) {
            (Some(_), 1..) if typed_next.is_some() => typed_next.as_deref().unwrap_or_default(),
            (Some(typed), _) => typed.as_str(),
            (None, 0) => "s3:GetObjectAcl, ",
            (None, _) => "s3:PutObjectAcl, ",
        };
        if let Some(log) = &log {
            log.lock().unwrap().clear();
        }
        let started = std::time::Instant::now();
        let found = if n == 0 { first_edit(&mut db, file, at, action) } else { edit_phase(&mut db, file, at, action) };
        let took = started.elapsed();
        eprintln!("edit {}: {took:?} ({found} diagnostics)", n + 1);
        if let Some(log) = log.as_ref().filter(|_| n > 0) {
            for query in log.lock().unwrap().iter() {
                eprintln!("  ran {query}");
            }
        }
        if n > 0 {
            next_times.push(took);
        }
    }
    next_times.sort();
    if let Some(median) = next_times.get(next_times.len() / 2) {
        eprintln!("next edits: median {median:?} of {}", next_times.len());
    }
}

#[inline(never)]
fn cold_phase(db: &mut RootDatabase, text: String) -> (SourceFile, usize) {
    // as the language server opens a document
    let file = SourceFile::open_to_edit(db, "input.pcl".into(), text);
    (file, analyze_file(db, file).diagnostics.len() + std::hint::black_box(0))
}

/// The first edit of the item (its body becomes a LOW input). It differs
/// from `edit_phase` only by the constant it hides from the optimizer:
/// identical functions would be merged into one, and callgrind could not
/// collect either alone.
#[inline(never)]
fn first_edit(db: &mut RootDatabase, file: SourceFile, at: usize, typed: &str) -> usize {
    file.splice_text(db, at..at, typed).unwrap();
    analyze_edited_file(db, file).diagnostics.len() + std::hint::black_box(1)
}

/// A next edit inside the same item: what typing costs.
#[inline(never)]
fn edit_phase(db: &mut RootDatabase, file: SourceFile, at: usize, typed: &str) -> usize {
    file.splice_text(db, at..at, typed).unwrap();
    analyze_edited_file(db, file).diagnostics.len() + std::hint::black_box(2)
}
