//! Snapshots of every file `policies.pcl` renders, and of `index.json`, in
//! each partition with no other values; and the determinism of rendering.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test -p pcl-suite
//! --test render_snapshots`, then review the files in `tests/snapshots/render`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};

use pcl_codegen::{Output, OutputKind, index_json, render_all};
use pcl_semantics::FileAnalysis;
use pcl_suite::{config, policies, root};
use serde_json::{Value, json};

const PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];
const SNAPSHOT_DIR: &str = "snapshots/render";
const INDEX: &str = "index.json";

fn render(analysis: &FileAnalysis, partition: &str) -> Vec<Output> {
    render_all(&analysis.program, &config(analysis, &[&format!("partition={partition}")]))
}

/// `aws-cn` + `policy/x.json` -> `aws-cn__policy__x.json`.
fn snapshot_name(partition: &str, path: &str) -> String {
    format!("{partition}__{}", path.replace('/', "__"))
}

/// Every snapshot of `partition`: name -> contents.
fn snapshots(analysis: &FileAnalysis, partition: &str) -> BTreeMap<String, String> {
    let outputs = render(analysis, partition);
    let mut snaps: BTreeMap<String, String> =
        outputs.iter().map(|o| (snapshot_name(partition, &o.path), o.contents.clone())).collect();
    assert_eq!(snaps.len(), outputs.len(), "two outputs share a snapshot name");
    snaps.insert(snapshot_name(partition, INDEX), index_json(&outputs));
    snaps
}

fn assert_snapshots(partition: &str) {
    let (_, analysis) = policies();
    insta::with_settings!({snapshot_path => SNAPSHOT_DIR, prepend_module_to_snapshot => false}, {
        for (name, contents) in snapshots(&analysis, partition) {
            insta::assert_snapshot!(name, contents);
        }
    });
}

#[test]
fn snapshots_aws() {
    assert_snapshots("aws");
}

#[test]
fn snapshots_aws_us_gov() {
    assert_snapshots("aws-us-gov");
}

#[test]
fn snapshots_aws_cn() {
    assert_snapshots("aws-cn");
}

/// No snapshot file is left over from an output that is no longer rendered.
#[test]
fn no_stale_snapshots() {
    let (_, analysis) = policies();
    let expected: BTreeSet<String> = PARTITIONS
        .iter()
        .flat_map(|p| snapshots(&analysis, p).into_keys())
        .map(|name| format!("{name}.snap"))
        .collect();
    let dir = root().join("tests").join(SNAPSHOT_DIR);
    // No directory yet (before the first `INSTA_UPDATE=always` run): nothing is stale.
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let on_disk: BTreeSet<String> = entries
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".snap"))
        .collect();
    let stale: Vec<&String> = on_disk.difference(&expected).collect();
    assert!(stale.is_empty(), "stale snapshots in {}: {stale:?}", dir.display());
}

// --- determinism and index.json ---------------------------------------------------

#[test]
fn rendering_is_deterministic() {
    // Two separate analyses of the file, rendered twice each.
    let (_, first) = policies();
    let (_, second) = policies();
    for partition in PARTITIONS {
        let a = render(&first, partition);
        for again in [render(&first, partition), render(&second, partition)] {
            assert_eq!(a.len(), again.len());
            for (x, y) in a.iter().zip(&again) {
                assert_eq!(x, y, "{} [{partition}] differs between renders", x.path);
            }
            assert_eq!(index_json(&a), index_json(&again));
        }
    }
}

/// A single output with `contents`, for checking the digest.
fn output_with(contents: &str) -> Output {
    Output {
        item: "x".into(),
        kind: OutputKind::Policy,
        features: BTreeMap::new(),
        partition: "aws".into(),
        path: "policy/x.json".into(),
        contents: contents.into(),
    }
}

fn index_entries(index: &str) -> Vec<Value> {
    let index: Value = serde_json::from_str(index).expect("index.json is JSON");
    let Some(Value::Array(entries)) = index.get("outputs") else {
        panic!("index.json has no `outputs` list");
    };
    entries.clone()
}

#[test]
fn index_sha256_is_sha256_of_contents() {
    // Known SHA-256 test vectors (FIPS 180-2).
    for (contents, digest) in [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ] {
        let entries = index_entries(&index_json(&[output_with(contents)]));
        let sha = entries.first().and_then(|e| e.get("sha256"));
        assert_eq!(sha, Some(&json!(digest)), "sha256 of {contents:?}");
    }
}

#[test]
fn index_lists_every_output_once() {
    let (_, analysis) = policies();
    for partition in PARTITIONS {
        let outputs = render(&analysis, partition);
        let index = index_json(&outputs);
        let entries = index_entries(&index);
        let paths: Vec<&str> = entries.iter().map(|e| e.get("path").and_then(Value::as_str).expect("path")).collect();
        let output_paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(paths, output_paths, "[{partition}] index entries, in order");
        let mut seen = BTreeSet::new();
        for (entry, path) in entries.iter().zip(paths) {
            assert!(seen.insert(path), "[{partition}] {path} is listed twice");
            let matching: Vec<&Output> = outputs.iter().filter(|o| o.path == path).collect();
            let [output] = matching.as_slice() else {
                panic!("[{partition}] {path}: {} outputs, expected 1", matching.len());
            };
            let expected = json!({
                "item": output.item,
                "kind": output.kind.as_str(),
                "features": output.features,
                "partition": partition,
                "path": output.path,
            });
            let mut without_sha = entry.clone();
            let sha = without_sha.as_object_mut().and_then(|m| m.remove("sha256")).expect("sha256");
            assert_eq!(without_sha, expected, "[{partition}] index entry of {path}");
            // The digest is the digest of this output's contents alone.
            let own = index_entries(&index_json(std::slice::from_ref(*output)));
            assert_eq!(own.first().and_then(|e| e.get("sha256")), Some(&sha), "[{partition}] sha256 of {path}");
            let sha = sha.as_str().expect("sha256 is a string");
            assert!(
                sha.len() == 64 && sha.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
                "[{partition}] {path}: sha256 {sha} is not 64 lower-case hex digits"
            );
        }
        // Recomputed on the same outputs, the index is identical.
        assert_eq!(index, index_json(&outputs));
    }
}
