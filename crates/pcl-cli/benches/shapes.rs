//! Shapes of input that once took time as the square of their size, timed
//! at N and 4N as whole processes: `cargo bench -p pcl-cli --bench shapes
//! [-- --quick]`. Linear work takes about 4x as long at 4N; a path that
//! searches a list for each element of it takes 16x. It prints the ratios
//! and asserts nothing (a timing is no test on a shared machine);
//! `--quick` (what CI runs) keeps N small so that the harness cannot rot.
//!
//! Each shape was found by fuzzing `pcl` with mutated and generated files
//! (2026-12-05) and made linear: docs/performance-log.md lists them with the
//! seventeen found before.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::print_stdout, reason = "bench")]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One shape: its name, the `pcl` arguments (the file's path appended),
/// and the file for a given N.
struct Shape {
    name: &'static str,
    command: &'static [&'static str],
    text: fn(usize) -> String,
}

const SHAPES: &[Shape] = &[
    Shape {
        // each value was looked for among those before it
        name: "an enum feature of N values",
        command: &["check"],
        text: |n| {
            let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
            format!("feature f: enum {{ {} }} = v0;\n", values.join(", "))
        },
    },
    Shape {
        // each guard variable of the inlined policy was looked for among
        // those before it, and among the role's closure
        name: "a role inlining a policy guarded by N features",
        command: &["check"],
        text: |n| {
            let mut text: String = (0..n).map(|i| format!("feature f{i}: bool = false;\n")).collect();
            let guard: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
            text += &format!(
                "policy p when {} {{ allow {{ action ec2:RunInstances; resource \"*\"; }} }}\n",
                guard.join(" and ")
            );
            text + "role r { trust service \"ec2.amazonaws.com\"; inline p; }\n"
        },
    },
    Shape {
        // Myers' diff of N lines that all changed; now bounded in time
        name: "`fmt --check` of N lines, each re-indented",
        command: &["fmt", "--check"],
        text: |n| (0..n).map(|i| format!(" feature f{i}: bool = false;\n")).collect(),
    },
    Shape {
        // each blank line looked for the next line that is not (found by a
        // review, 2026-12-06: 200,000 blank lines took 22 s)
        name: "`fmt --check` of N blank lines between two items",
        command: &["fmt", "--check"],
        text: |n| format!("param a: string = \"x\";\n{}param b: string = \"y\";\n", "\n".repeat(n)),
    },
];

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 4_000 } else { 20_000 };
    let dir = tempfile::tempdir().unwrap();
    println!("{:<50} {:>10} {:>10} {:>7}", "shape", format!("N={n}"), format!("4N={}", 4 * n), "ratio");
    for shape in SHAPES {
        let times: Vec<Duration> = [n, 4 * n]
            .iter()
            .map(|&size| {
                let path = dir.path().join("shape.pcl");
                std::fs::write(&path, (shape.text)(size)).unwrap();
                median_run(shape.command, &path)
            })
            .collect();
        let (small, large) = (times[0], times[1]);
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        println!("{:<50} {:>10.3?} {:>10.3?} {ratio:>6.1}x", shape.name, small, large);
    }
}

/// The median of three runs of `pcl COMMAND PATH`, its output discarded.
fn median_run(command: &[&str], path: &std::path::Path) -> Duration {
    let pcl = PathBuf::from(env!("CARGO_BIN_EXE_pcl"));
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let started = Instant::now();
            Command::new(&pcl)
                .args(command)
                .arg(path)
                .args(["--color", "never"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}
