//! What salsa's per-query machinery costs: every item parsed and checked
//! twice, once through the database (`SourceFile::open`, then the
//! `check_item` query of every item, which reads names through `name_facts`)
//! and once by plain calls (`pcl_syntax::parse_file`, `Symbols::of_parsed`,
//! `check_item_ast`), which compute the same analyses. Reports the time of
//! each (median of `RUNS`) and the bytes each keeps (its results, plus for
//! the database its inputs, memos, interned keys and dependency lists).
//!
//! ```sh
//! cargo bench -p pcl-semantics --bench query_overhead [-- 1MB 10MB]
//! ```
//!
//! Prints numbers and asserts nothing but that both paths found the same
//! diagnostics. One thread each: what is weighed is the work, not the cores.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, reason = "a benchmark prints its numbers")]

use std::time::{Duration, Instant};

use pcl_semantics::{RootDatabase, SourceFile, Symbols, check_item, check_item_ast, file_items};

/// Counts the bytes live when a profiler runs (the memory pass); forwards
/// to the system allocator, for both paths alike, when none does (the timed runs).
#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const RUNS: usize = 3;

/// One path's figures: parse, then check every item; the bytes its results
/// keep (counted in the memory pass only).
struct Figures {
    parse: Duration,
    check: Duration,
    /// Bytes kept by the parse (for the database, its inputs too), then by the checks.
    kept: (u64, u64),
    diagnostics: usize,
}

/// Bytes live now, when `counting` (a profiler runs); 0 otherwise.
fn live(counting: bool) -> u64 {
    if counting { dhat::HeapStats::get().curr_bytes as u64 } else { 0 }
}

/// Parsed and checked by plain calls.
fn plain(text: &str, counting: bool) -> Figures {
    let before = live(counting);
    let started = Instant::now();
    let parsed = pcl_syntax::parse_file(text);
    let parse = started.elapsed();
    let parsed_kept = live(counting).saturating_sub(before);
    let started = Instant::now();
    let symbols = Symbols::of_parsed(&parsed);
    let analyses: Vec<_> = parsed.items.iter().map(|p| check_item_ast(&p.item, &symbols)).collect();
    let check = started.elapsed();
    let kept = (parsed_kept, live(counting).saturating_sub(before + parsed_kept));
    let diagnostics = analyses.iter().map(|a| a.diagnostics.len()).sum();
    drop((analyses, symbols, parsed));
    Figures { parse, check, kept, diagnostics }
}

/// Parsed and checked through the database's inputs and queries.
fn through_salsa(text: &str, counting: bool) -> Figures {
    let before = live(counting);
    let started = Instant::now();
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "corpus.pcl".into(), text.to_string());
    let parse = started.elapsed();
    // the text the database holds is not the plain path's to keep
    let parsed_kept = live(counting).saturating_sub(before + text.len() as u64);
    let started = Instant::now();
    let diagnostics = file_items(&db, file).iter().map(|item| check_item(&db, *item).diagnostics.len()).sum();
    let check = started.elapsed();
    let kept = (parsed_kept, live(counting).saturating_sub(before + text.len() as u64 + parsed_kept));
    drop(db);
    Figures { parse, check, kept, diagnostics }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut inputs = vec![("policies.pcl".to_string(), std::fs::read_to_string(root.join("policies.pcl")).unwrap())];
    let sizes: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let sizes = if sizes.is_empty() { vec!["1MB".to_string()] } else { sizes };
    for size in sizes {
        let bytes = size.trim_end_matches("MB").parse::<usize>().expect("a size such as 10MB") * 1_000_000;
        inputs.push((size, pcl_corpus::generate(bytes as u64, 7, false)));
    }
    println!(
        "input            bytes |  plain: parse   check  kept by parse, checks |  salsa: parse   check  kept by parse, checks | time  kept"
    );
    for (name, text) in &inputs {
        // the catalog's services and the IAM memo tables, made once
        plain(text, false);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            a.push(plain(text, false));
            b.push(through_salsa(text, false));
        }
        let (pa, pb) = {
            let _profiler = dhat::Profiler::builder().testing().build();
            (plain(text, true), through_salsa(text, true))
        };
        assert_eq!(pa.diagnostics, pb.diagnostics, "{name}: both paths check alike");
        let pick = |f: &[Figures], g: fn(&Figures) -> Duration| median(f.iter().map(g).collect());
        let (a_parse, a_check) = (pick(&a, |f| f.parse), pick(&a, |f| f.check));
        let (b_parse, b_check) = (pick(&b, |f| f.parse), pick(&b, |f| f.check));
        let total = |f: &Figures| f.kept.0 + f.kept.1;
        let (a_kept, b_kept) = (total(&pa).max(1), total(&pb));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mb = |n: u64| n as f64 / 1e6;
        println!(
            "{name:<13} {:>8} | {:>8.1}ms {:>6.1}ms {:>6.1}MB + {:>6.1}MB | {:>8.1}ms {:>6.1}ms {:>6.1}MB + {:>6.1}MB | {:.2}x {:.2}x",
            text.len(),
            ms(a_parse),
            ms(a_check),
            mb(pa.kept.0),
            mb(pa.kept.1),
            ms(b_parse),
            ms(b_check),
            mb(pb.kept.0),
            mb(pb.kept.1),
            (b_parse + b_check).as_secs_f64() / (a_parse + a_check).as_secs_f64().max(1e-9),
            b_kept as f64 / a_kept as f64,
        );
    }
}
