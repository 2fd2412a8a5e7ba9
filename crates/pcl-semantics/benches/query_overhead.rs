//! What salsa's per-query machinery costs: every item parsed and checked
//! twice, once through the database as the language server opens a file
//! (`SourceFile::open_to_edit`, on one thread, then the `check_item` query
//! of every item, which reads names through `name_facts`) and once by plain
//! calls (`pcl_syntax::parse_file`, `Symbols::of_parsed`, `check_item_ast`),
//! which compute the same analyses. (A file opened for one check,
//! `SourceFile::open`, is checked as it is opened, by those plain calls.)
//! Each path runs in a process of its own, with the allocator the `pcl`
//! binary uses (mimalloc), `RUNS` times: the median time of its parse and
//! of its checks, and the memory its results keep (resident set size after,
//! less before: the allocator's own overhead counted, as in `pcl check`'s
//! peak).
//!
//! ```sh
//! cargo bench -p pcl-semantics --bench query_overhead [-- 1MB 10MB]
//! ```
//!
//! Prints numbers and asserts nothing but that both paths found the same
//! diagnostics. One thread each: what is weighed is the work, not the cores.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark: it prints its numbers, and its own child's output is trusted"
)]

use std::time::{Duration, Instant};

use pcl_semantics::{RootDatabase, SourceFile, Symbols, check_item, check_item_ast, file_items};

/// The allocator the pcl binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 3;

/// One path's figures in one process: parse, then check every item, the
/// bytes its results keep, and what it found.
struct Figures {
    parse: Duration,
    check: Duration,
    kept: u64,
    diagnostics: usize,
    /// The input's size (the child made the input).
    bytes: usize,
}

/// The resident set size of this process, in bytes (Linux; 0 elsewhere).
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// Parsed and checked by plain calls.
fn plain(text: &str) -> Figures {
    let before = resident();
    let started = Instant::now();
    let parsed = pcl_syntax::parse_file(text);
    let parse = started.elapsed();
    let started = Instant::now();
    let symbols = Symbols::of_parsed(&parsed);
    let analyses: Vec<_> = parsed.items.iter().map(|p| check_item_ast(&p.item, &symbols)).collect();
    let check = started.elapsed();
    let kept = resident().saturating_sub(before);
    let diagnostics = analyses.iter().map(|a| a.diagnostics.len()).sum();
    std::mem::forget((analyses, symbols, parsed));
    Figures { parse, check, kept, diagnostics, bytes: text.len() }
}

/// Parsed and checked through the database's inputs and queries.
fn through_salsa(text: &str) -> Figures {
    // the copy of the text the database holds is made before counting: it
    // is not the plain path's to keep
    let copy = text.to_string();
    let before = resident();
    let started = Instant::now();
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "corpus.pcl".into(), copy);
    let parse = started.elapsed();
    let started = Instant::now();
    let diagnostics = file_items(&db, file).iter().map(|item| check_item(&db, *item).diagnostics.len()).sum();
    let check = started.elapsed();
    let kept = resident().saturating_sub(before);
    std::mem::forget(db);
    Figures { parse, check, kept, diagnostics, bytes: text.len() }
}

/// The input named `name`: `policies.pcl`, or a corpus of a size such as `10MB`.
fn input(name: &str) -> String {
    if name == "policies.pcl" {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        return std::fs::read_to_string(root.join("policies.pcl")).unwrap();
    }
    let megabytes: u64 = name.trim_end_matches("MB").parse().expect("a size such as 10MB");
    pcl_corpus::generate(megabytes * 1_000_000, 7, false)
}

/// In a child process: one path over one input, its figures printed on one line.
fn child(path: &str, name: &str) {
    let text = input(name);
    // the catalog's services and the IAM memo tables, made before counting
    plain(&text);
    let f = if path == "plain" { plain(&text) } else { through_salsa(&text) };
    println!("{} {} {} {} {}", f.parse.as_nanos(), f.check.as_nanos(), f.kept, f.diagnostics, f.bytes);
}

/// One path over one input, in a process of its own.
fn run(path: &str, name: &str) -> Figures {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe).args(["--child", path, name]).output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let n: Vec<u64> = line.split_whitespace().map(|w| w.parse().unwrap()).collect();
    Figures {
        parse: Duration::from_nanos(n[0]),
        check: Duration::from_nanos(n[1]),
        kept: n[2],
        diagnostics: n[3] as usize,
        bytes: n[4] as usize,
    }
}

fn median<T: Ord + Copy>(mut samples: Vec<T>) -> T {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if let [flag, path, name] = args.as_slice()
        && flag == "--child"
    {
        child(path, name);
        return;
    }
    let sizes = if args.is_empty() { vec!["1MB".to_string()] } else { args };
    println!("input            bytes |  plain: parse   check    kept |  salsa: parse   check    kept | time  kept");
    for name in std::iter::once("policies.pcl".to_string()).chain(sizes) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            a.push(run("plain", &name));
            b.push(run("salsa", &name));
        }
        assert!(a.iter().chain(&b).all(|f| f.diagnostics == a[0].diagnostics), "{name}: both paths check alike");
        let figures = |f: &[Figures]| {
            (
                median(f.iter().map(|f| f.parse).collect()),
                median(f.iter().map(|f| f.check).collect()),
                median(f.iter().map(|f| f.kept).collect()),
            )
        };
        let ((a_parse, a_check, a_kept), (b_parse, b_check, b_kept)) = (figures(&a), figures(&b));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mb = |n: u64| n as f64 / 1e6;
        println!(
            "{name:<13} {:>8} | {:>8.1}ms {:>6.1}ms {:>6.1}MB | {:>8.1}ms {:>6.1}ms {:>6.1}MB | {:.2}x {:.2}x",
            a[0].bytes,
            ms(a_parse),
            ms(a_check),
            mb(a_kept),
            ms(b_parse),
            ms(b_check),
            mb(b_kept),
            (b_parse + b_check).as_secs_f64() / (a_parse + a_check).as_secs_f64().max(1e-9),
            b_kept as f64 / a_kept.max(1) as f64,
        );
    }
}
