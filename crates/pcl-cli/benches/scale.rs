//! Scaling benchmark: `cargo bench -p pcl-cli --bench scale [-- --quick | --sizes 1MB,10MB]`.
//!
//! For `policies.pcl` and generated corpora (`pcl_corpus`, 100 KB to 100 MB,
//! plus the same sizes with an error per 1,000 items) it reports, in
//! process: parse, cold analysis, re-analysis after a one-item edit, and
//! rendering of every document (one partition); and as a whole process:
//! `pcl check` (wall time and peak RSS) and, up to 1 MB, `pcl build`; then
//! a build of 81,921 files (513 with `--quick`) with its peak RSS. It
//! prints numbers and asserts nothing; `--quick` (what CI runs) keeps the
//! sizes small so that the harness cannot rot.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    reason = "bench"
)]

use std::path::{Path, PathBuf};

/// In-process figures with the allocator the pcl binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pcl_semantics::config::configure;
use pcl_semantics::{RootDatabase, SourceFile, analyze_file};

struct Input {
    name: String,
    text: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let sizes: Vec<u64> = match args.iter().position(|a| a == "--sizes").and_then(|i| args.get(i + 1)) {
        Some(list) => list.split(',').map(|s| pcl_corpus::parse_size(s).unwrap()).collect(),
        None if quick => vec![100_000],
        None => vec![100_000, 1_000_000, 10_000_000, 100_000_000],
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let policies = std::fs::read_to_string(root.join("policies.pcl")).unwrap();
    let mut inputs = vec![Input { name: "policies.pcl".into(), text: policies }];
    for &size in &sizes {
        for errors in [false, true] {
            let suffix = if errors { " +errors" } else { "" };
            inputs
                .push(Input { name: format!("{}{suffix}", human(size)), text: pcl_corpus::generate(size, 1, errors) });
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    compare_with_jsonnet(&root, tmp.path());
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>10} {:>6} {:>9} {:>9} {:>11} {:>9} {:>9} {:>8}",
        "input",
        "bytes",
        "parse",
        "analyze",
        "re-analyze",
        "re/an",
        "1st edit",
        "render",
        "pcl check",
        "MB/s",
        "peak RSS",
        "build"
    );
    for input in &inputs {
        let runs = if input.text.len() < 1_000_000 { 10 } else { 1 };
        let parse = median(runs, || {
            std::hint::black_box(pcl_syntax::parse_file(&input.text).items.len());
        });
        // each on a thread of its own: a cold analysis must not find what
        // the previous one left in the per-thread memos
        let analyze = median(runs, || {
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    let mut db = RootDatabase::default();
                    let file = SourceFile::open(&mut db, "input.pcl".into(), input.text.clone());
                    std::hint::black_box(analyze_file(&db, file).diagnostics.len());
                });
            });
        });
        let (first_edit, reanalyze) = reanalyze_after_edit(&input.text, runs);
        let render = render_one_partition(&input.text);
        let path = tmp.path().join("input.pcl");
        std::fs::write(&path, &input.text).unwrap();
        let (check, rss) = whole_process(&["check", path.to_str().unwrap()], runs.min(5));
        let build = if input.text.len() <= 1_000_000 {
            let out = tmp.path().join("out");
            let (t, _) = whole_process(&["build", path.to_str().unwrap(), "--out", out.to_str().unwrap()], runs.min(5));
            ms(t)
        } else {
            "-".into()
        };
        let mb_per_s = input.text.len() as f64 / 1e6 / check.as_secs_f64();
        println!(
            "{:<16} {:>9} {:>9} {:>9} {:>10} {:>5.1}% {:>9} {:>9} {:>11} {:>9.1} {:>8.1}M {:>8}",
            input.name,
            input.text.len(),
            ms(parse),
            ms(analyze),
            ms(reanalyze),
            reanalyze.as_secs_f64() / analyze.as_secs_f64() * 100.0,
            ms(first_edit),
            render.map_or("-".into(), ms),
            ms(check),
            mb_per_s,
            rss as f64 / 1024.0,
            build
        );
    }
    edits_in_every_policy(&inputs[0].text);
    let (policies, features) = if quick { (2, 8) } else { (20, 12) };
    wide_build(tmp.path(), policies, features);
}

/// `pcl build` of `policies` policies, each with a statement per feature of
/// `features` bool features (2^features configurations each): a build whose
/// output (and `index.json`) dwarfs its input. Fresh, then over its own
/// output (the earlier build's index is audited first). Memory must grow
/// with the largest document, not with the output.
fn wide_build(tmp: &Path, policies: usize, features: usize) {
    let mut text = String::from("param partition: partition = \"aws\";\n");
    for f in 0..features {
        text.push_str(&format!("feature g{f}: bool = false;\n"));
    }
    for p in 0..policies {
        text.push_str(&format!("policy w_{p} {{\n"));
        for f in 0..features {
            text.push_str(&format!(
                "    allow \"S{p}x{f}\" when g{f} {{ action [s3:GetObject]; resource \"arn:${{partition}}:s3:::b{p}-{f}/*\"; }}\n"
            ));
        }
        text.push_str("    allow \"Base\" { action [s3:ListAllMyBuckets]; resource \"*\"; }\n}\n");
    }
    let path = tmp.join("wide.pcl");
    std::fs::write(&path, text).unwrap();
    let out = tmp.join("wide-out");
    let args = ["build", path.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let (fresh, fresh_rss) = whole_process(&args, 1);
    let (again, again_rss) = whole_process(&args, 1);
    let files = policies * (1 << features) + 1;
    let index = std::fs::metadata(out.join("index.json")).map_or(0, |m| m.len());
    println!(
        "wide build: {policies} policies x {} configurations ({files} files, index.json {}): {} at {:.1}M peak RSS; again over its output {} at {:.1}M",
        1 << features,
        human(index),
        ms(fresh),
        fresh_rss as f64 / 1024.0,
        ms(again),
        again_rss as f64 / 1024.0
    );
}

/// `pcl build policies.pcl` (77 documents of one partition, written to
/// disk) against jsonnet rendering two of the page's documents, as whole
/// processes, when `jsonnet` is installed. Both are timed alike (spawned
/// and waited for, nothing else running: `whole_process`'s memory poller
/// would take a core from pcl's two threads), in pairs, A B A B, so that
/// a drift of the machine's speed moves both; the ratio is the median of
/// the pairs'. pcl builds once into a new directory each run, and once
/// into the directory it built before (its files found up to date).
fn compare_with_jsonnet(root: &Path, tmp: &Path) {
    let workload = root.join("benches/data/pcluster.jsonnet");
    let mut jsonnet = Command::new("jsonnet");
    jsonnet.arg(&workload);
    if !quiet(&mut jsonnet).status().is_ok_and(|s| s.success()) {
        println!("jsonnet not installed: no side-by-side comparison");
        return;
    }
    let pcl = PathBuf::from(env!("CARGO_BIN_EXE_pcl"));
    let policies = root.join("policies.pcl");
    let build = |out: &Path| {
        let mut command = Command::new(&pcl);
        command.arg("build").arg(&policies).arg("--out").arg(out);
        command
    };
    let runs = 15;
    let up_to_date = tmp.join("jsonnet-cmp");
    let _ = quiet(&mut build(&up_to_date)).status();
    for (case, fresh) in [("into a new directory", true), ("up to date", false)] {
        let (mut pcl_times, mut jsonnet_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            let out = if fresh { tmp.join(format!("jsonnet-cmp-{run}")) } else { up_to_date.clone() };
            let pcl_time = time_once(&mut build(&out));
            let jsonnet_time = time_once(&mut jsonnet);
            ratios.push(jsonnet_time.as_secs_f64() / pcl_time.as_secs_f64());
            pcl_times.push(pcl_time);
            jsonnet_times.push(jsonnet_time);
        }
        // `middle` sorts what it is given: the ratios' first and last are then their least and greatest
        println!(
            "pcl build policies.pcl, {case} (77 documents in 55 distinct files) {}, jsonnet pcluster.jsonnet (2 documents) {}: pcl {:.1}x faster (median of {runs} pairs; {:.1}x to {:.1}x)",
            ms(middle(&mut pcl_times)),
            ms(middle(&mut jsonnet_times)),
            middle(&mut ratios),
            ratios.first().copied().unwrap_or(0.0),
            ratios.last().copied().unwrap_or(0.0),
        );
    }
}

/// `command` with no input and its output thrown away.
fn quiet(command: &mut Command) -> &mut Command {
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null())
}

/// One run of `command`, from its spawn to its exit.
fn time_once(command: &mut Command) -> Duration {
    let started = Instant::now();
    let _ = quiet(command).status();
    started.elapsed()
}

/// The middle of `values`, which it sorts.
fn middle<T: PartialOrd + Copy>(values: &mut [T]) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

fn human(size: u64) -> String {
    match size {
        s if s >= 1_000_000 && s % 1_000_000 == 0 => format!("{}MB", s / 1_000_000),
        s if s >= 1_000 && s % 1_000 == 0 => format!("{}KB", s / 1_000),
        s => format!("{s}B"),
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.1}s", ms / 1e3)
    }
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

/// Edits one action list inside one item in the middle of the file, adding
/// another action each time (each edit makes text not seen before: an edit
/// undone would find its earlier parse remembered), and re-analyses as the
/// language server does: the first edit's time, and the median of the next
/// ones (typing: the item's body is a LOW input by then, see
/// `pcl-semantics/src/db/files.rs`).
fn reanalyze_after_edit(text: &str, runs: usize) -> (Duration, Duration) {
    const ACTIONS: [&str; 10] = [
        "s3:GetObjectAcl",
        "s3:GetObjectTagging",
        "s3:PutObjectAcl",
        "s3:ListBucket",
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "sqs:SendMessage",
        "sns:Publish",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
    ];
    let at = text[text.len() / 2..].find("action [").map(|i| i + text.len() / 2 + "action [".len()).unwrap_or(0);
    let mut db = RootDatabase::default();
    // as the language server opens a document
    let file = SourceFile::open_to_edit(&mut db, "input.pcl".into(), text.to_string());
    analyze_file(&db, file);
    let mut edit = 0;
    let mut one_edit = || {
        let typed = format!("{}, ", ACTIONS[edit % ACTIONS.len()]);
        edit += 1;
        // spliced, as the language server passes an edit
        file.splice_text(&mut db, at..at, &typed).unwrap();
        std::hint::black_box(pcl_semantics::analyze_edited_file(&db, file).diagnostics.len());
    };
    let first = median(1, &mut one_edit);
    (first, median(runs.clamp(3, ACTIONS.len() - 1), one_edit))
}

/// The table's edit is inside one large policy (the first action list
/// past the middle of the file); an edit's cost grows with the item it is
/// in. This edits each policy of `text` in turn (an action added to its
/// first action list, five times, as typing does) and prints the median
/// and the largest re-analysis, against a cold analysis on a fresh thread.
fn edits_in_every_policy(text: &str) {
    let cold = median(10, || {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                // opened as the edits' file is, as an editor opens it
                let mut db = RootDatabase::default();
                let file = SourceFile::open_to_edit(&mut db, "input.pcl".into(), text.to_string());
                std::hint::black_box(analyze_file(&db, file).diagnostics.len());
            });
        });
    });
    // each policy's chunk (the item with its doc comments), where it starts
    let policies = pcl_syntax::chunk_ranges(text).into_iter().filter_map(|(start, end)| {
        let chunk = &text[start..end];
        let head =
            chunk.match_indices("policy ").map(|(at, _)| at).find(|&at| at == 0 || chunk[..at].ends_with('\n'))?;
        Some((start + head, end))
    });
    let mut db = RootDatabase::default();
    // as the language server opens a document
    let file = SourceFile::open_to_edit(&mut db, "input.pcl".into(), text.to_string());
    analyze_file(&db, file);
    let mut by_policy: Vec<(Duration, &str)> = Vec::new();
    for (start, end) in policies {
        let Some(at) = text[start..end].find("action [").map(|i| start + i + "action [".len()) else { continue };
        let name = text[start + "policy ".len()..].split([' ', '{']).next().unwrap_or("?");
        let mut edit = 0;
        let typed = median(5, || {
            let typed = ["s3:GetObjectAcl, ", "sns:Publish, "][edit % 2];
            edit += 1;
            file.splice_text(&mut db, at..at, typed).unwrap();
            std::hint::black_box(pcl_semantics::analyze_edited_file(&db, file).diagnostics.len());
        });
        // back to the original text before the next policy's edits
        file.replace_text(&mut db, text.to_string());
        analyze_file(&db, file);
        by_policy.push((typed, name));
    }
    by_policy.sort();
    let (Some((median_edit, _)), Some((largest, largest_name))) =
        (by_policy.get(by_policy.len() / 2), by_policy.last())
    else {
        return;
    };
    let share = |d: &Duration| d.as_secs_f64() / cold.as_secs_f64() * 100.0;
    println!(
        "policies.pcl, an edit inside each of its {} policies with an action list: re-analysis median {} ({:.1}% of a cold {}), largest {} ({:.1}%, {largest_name})",
        by_policy.len(),
        ms(*median_edit),
        share(median_edit),
        ms(cold),
        ms(*largest),
        share(largest),
    );
}

/// Renders every document of one partition (`None` if the input has errors).
fn render_one_partition(text: &str) -> Option<Duration> {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "input.pcl".into(), text.to_string());
    let analysis = analyze_file(&db, file);
    if analysis.has_errors() {
        return None;
    }
    let cfg = configure(&analysis.program, &[]).ok()?;
    let t = Instant::now();
    let outputs = pcl_codegen::render_all(&analysis.program, &cfg);
    std::hint::black_box(outputs.len());
    Some(t.elapsed())
}

/// Runs `pcl ARGS` `runs` times: the median wall time and the largest peak
/// RSS (in KiB, from `/proc/PID/status` `VmHWM`, polled while it runs).
/// The time is taken by waiting for the child, and the polling runs on a
/// thread of its own: timed in the polling loop, each run was rounded up
/// to its 2 ms sleeps (a 7.8 ms build measured 8.6-9 ms).
fn whole_process(args: &[&str], runs: usize) -> (Duration, u64) {
    let pcl = PathBuf::from(env!("CARGO_BIN_EXE_pcl"));
    let mut peak = 0;
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let mut child = Command::new(&pcl)
            .args(args)
            .args(["--color", "never"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let status_path = format!("/proc/{}/status", child.id());
        let done = std::sync::atomic::AtomicBool::new(false);
        let polled = std::thread::scope(|scope| {
            let poller = scope.spawn(|| {
                let mut peak = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Ok(status) = std::fs::read_to_string(&status_path)
                        && let Some(kb) = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))
                    {
                        peak = kb.trim().trim_end_matches("kB").trim().parse().unwrap_or(0u64).max(peak);
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                peak
            });
            child.wait().unwrap();
            times.push(t.elapsed());
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            poller.join().unwrap()
        });
        peak = peak.max(polled);
    }
    times.sort();
    (times[times.len() / 2], peak)
}
