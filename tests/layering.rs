//! Structural rules of the code base, checked on its sources: no file-level
//! import cycles inside a crate (module `a` uses `crate::b` and `b` uses
//! `crate::a`, directly or through others), and no source file over 500
//! lines without a reason stated at its top.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`item_check/guards.rs` → `item_check`).
fn module_of(rel: &str) -> String {
    rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs").to_string()
}

/// The crate modules a file's code (tests excluded) refers to as `crate::m`.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(stripped) = rest.strip_prefix('{') {
            for part in stripped.split('}').next().unwrap_or("").split(',') {
                out.insert(part.trim().split("::").next().unwrap_or("").to_string());
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            out.insert(name);
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

#[test]
fn no_import_cycles_between_modules() {
    let root = pcl_suite::root().join("crates");
    let mut problems = Vec::new();
    for krate in std::fs::read_dir(&root).unwrap() {
        let src = krate.unwrap().path().join("src");
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (rel, text) in sources(&src) {
            let module = module_of(&rel);
            if module == "lib" || module == "main" {
                continue;
            }
            let deps = graph.entry(module.clone()).or_default();
            deps.extend(uses(&text).into_iter().filter(|d| *d != module));
        }
        // a module that reaches itself through its uses is on a cycle
        for start in graph.keys() {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<&String> = graph[start].iter().collect();
            while let Some(m) = todo.pop() {
                if m == start {
                    problems.push(format!("{}: `{start}` imports itself through other modules", src.display()));
                    break;
                }
                if seen.insert(m.clone()) {
                    todo.extend(graph.get(m).into_iter().flatten());
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn long_files_say_why() {
    let root = pcl_suite::root();
    let mut problems = Vec::new();
    for dir in ["crates", "xtask"] {
        for (rel, text) in sources(&root.join(dir)) {
            if !rel.contains("/src/") && !rel.starts_with("src/") {
                continue;
            }
            let lines = text.lines().count();
            let head: String = text.lines().take_while(|l| l.starts_with("//!")).collect::<Vec<_>>().join("\n");
            if lines > 500 && !head.contains("Longer than 500 lines") {
                problems.push(format!("{dir}/{rel}: {lines} lines, and its header does not say why"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
