//! Benchmark harness: `cargo bench -p pcl-suite`. Times each stage on
//! policies.pcl (median of many runs) and a cold and a warm salsa
//! re-analysis after a one-item edit. Prints numbers; asserts nothing.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark prints its numbers")]

use std::time::{Duration, Instant};

use pcl_semantics::config::configure;
use pcl_semantics::{RootDatabase, SourceFile, analyze_file};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    median(samples)
}

fn main() {
    let text = std::fs::read_to_string(pcl_suite::root().join("policies.pcl")).unwrap_or_default();
    let runs = 50;
    let parse = time(runs, || {
        std::hint::black_box(pcl_syntax::parse_file(&text));
    });
    let analyze = time(runs, || {
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "policies.pcl".into(), text.clone());
        std::hint::black_box(analyze_file(&db, file).diagnostics.len());
    });
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "policies.pcl".into(), text.clone());
    let program = analyze_file(&db, file).program.clone();
    let mut files = 0;
    let mut bytes = 0;
    let render = time(runs, || {
        for p in pcl_semantics::iam::PARTITIONS {
            if let Ok(cfg) = configure(&program, &[("partition".to_string(), p.to_string())]) {
                let outputs = pcl_codegen::render_all(&program, &cfg);
                files = outputs.len();
                bytes = outputs.iter().map(|o| o.contents.len()).sum::<usize>();
            }
        }
    });
    // incremental: edit one policy body and re-analyse (opened as an editor
    // opens it: a file opened for one check is parsed again whole)
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text.clone());
    analyze_file(&db, file);
    let mut flip = false;
    let reanalyze = time(runs, || {
        flip = !flip;
        let edited = if flip { text.replace("ec2:Describe*", "ec2:Describe*, ec2:Get*") } else { text.clone() };
        file.replace_text(&mut db, edited);
        std::hint::black_box(analyze_file(&db, file).diagnostics.len());
    });
    println!("policies.pcl: {} bytes, {} lines", text.len(), text.lines().count());
    println!("parse (syntax only)          median {parse:?}");
    println!("analyze (cold database)      median {analyze:?}");
    println!("re-analyze after 1-item edit median {reanalyze:?}");
    println!("render 3 partitions          median {render:?} ({files} files, {bytes} bytes per partition)");
}
