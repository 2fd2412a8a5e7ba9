//! The language server as an editor sees it: `pcl lsp` driven over stdio.
//! For `policies.pcl` and a generated 1 MB file: open to first diagnostics,
//! a one-character edit inside an item to its diagnostics, a character typed
//! into the name of a new item (each one an item renamed) to its
//! diagnostics, a character typed into the last param's placeholder (every
//! item that reads the param checked again) to its diagnostics, hover and
//! completion latency (medians of several edits/requests).
//!
//! `cargo bench -p pcl-cli --bench lsp` (`-- --quick`: policies.pcl only;
//! `-- --large`: a 10 MB corpus too). `PCL_BIN=path` drives another build of
//! `pcl` (to compare two, side by side).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    reason = "a benchmark"
)]

#[path = "../tests/support/lsp_client.rs"]
#[allow(dead_code, reason = "the shared test client has helpers this benchmark does not use")]
mod lsp_client;

use std::time::{Duration, Instant};

use lsp_client::Client;
use serde_json::{Value, json};

const URI: &str = "file:///bench/policies.pcl";

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// `text` inserted at `(line, character)` as the next version of the
/// document: the time until its diagnostics arrive.
fn typed(c: &mut Client, version: &mut usize, (line, character): (u32, usize), text: &str) -> Duration {
    *version += 1;
    let at = json!({"line": line, "character": character});
    let change = json!({"range": {"start": at, "end": at}, "text": text});
    let start = Instant::now();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": *version}, "contentChanges": [change]}),
    );
    let _ = c.diagnostics();
    start.elapsed()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// (open, edit, name typed, placeholder typed, hover, completion) latencies.
fn measure(text: &str, edits: usize) -> [Duration; 6] {
    let pcl = std::env::var("PCL_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_pcl").to_string());
    let mut c = Client::start(&pcl);
    c.request("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    let start = Instant::now();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "pcl", "version": 1, "text": text}}),
    );
    let _ = c.diagnostics();
    let open = start.elapsed();
    // a one-character edit inside the last item, typed again and again: each
    // edit makes text the server has not seen (an edit undone would find its
    // earlier parse still remembered, and measure less than typing does)
    let lines = text.lines().count() as u32;
    let line = lines.saturating_sub(2);
    let mut version = 1;
    let edit_times: Vec<_> = (0..edits).map(|_| typed(&mut c, &mut version, (line, 0), " ")).collect();
    // a new policy after the last line, then its name typed on, a character
    // at a time: each edit renames an item (a new name, a new identity)
    typed(&mut c, &mut version, (lines, 0), "policy typed { allow { action s3:GetObject; resource \"*\"; } }\n");
    let name_times: Vec<_> =
        (0..edits).map(|i| typed(&mut c, &mut version, (lines, "policy typed".len() + i), "x")).collect();
    // the last param with a placeholder, a character typed inside its
    // placeholder's text again and again (`policies.pcl`: a param two items
    // read; the corpus: `region`, which every policy reads)
    let placeholder = text.lines().enumerate().filter(|(_, l)| l.starts_with("param ")).filter_map(|(n, l)| {
        let quote = "placeholder \"";
        l.find(quote).map(|at| (n as u32, at + quote.len() + 1))
    });
    let placeholder_times: Vec<_> = match placeholder.last() {
        Some(at) => (0..edits).map(|_| typed(&mut c, &mut version, at, "x")).collect(),
        None => Vec::new(),
    };
    let position = json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 8}});
    let timed = |c: &mut Client, method: &str, params: &Value| {
        let mut times = Vec::new();
        for _ in 0..edits.max(3) {
            let start = Instant::now();
            let _ = c.request(method, params.clone());
            times.push(start.elapsed());
        }
        median(times)
    };
    let hover = timed(&mut c, "textDocument/hover", &position);
    let completion = timed(&mut c, "textDocument/completion", &position);
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let _ = c.child.wait();
    let placeholder = if placeholder_times.is_empty() { Duration::ZERO } else { median(placeholder_times) };
    [open, median(edit_times), median(name_times), placeholder, hover, completion]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let policies = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap();
    let mut inputs = vec![("policies.pcl".to_string(), policies)];
    if !quick {
        inputs.push(("1MB corpus".to_string(), pcl_corpus::generate(1_000_000, 1, false)));
    }
    if std::env::args().any(|a| a == "--large") {
        inputs.push(("10MB corpus".to_string(), pcl_corpus::generate(10_000_000, 1, false)));
    }
    println!(
        "{:<14} {:>10} {:>14} {:>14} {:>14} {:>10} {:>12}",
        "input", "open", "edit->diags", "name->diags", "param->diags", "hover", "completion"
    );
    for (name, text) in &inputs {
        let [open, edit, typed, placeholder, hover, completion] = measure(text, if quick { 5 } else { 21 });
        println!(
            "{name:<14} {:>10} {:>14} {:>14} {:>14} {:>10} {:>12}",
            ms(open),
            ms(edit),
            ms(typed),
            ms(placeholder),
            ms(hover),
            ms(completion)
        );
    }
}
