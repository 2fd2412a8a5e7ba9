//! `pcl check --format sarif` writes logs that the SARIF 2.1.0 JSON schema
//! (kept in `tests/data`, with its source) accepts: for every fixture (each
//! diagnostic code, secondary labels, fixes), for several files in one run,
//! and for a clean file. A broken log is rejected, so the check can fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn schema() -> (boon::Schemas, boon::SchemaIndex) {
    let text = include_str!("data/sarif-schema-2.1.0.json");
    let value: Value = serde_json::from_str(text).unwrap();
    let mut compiler = boon::Compiler::new();
    // `uri`, `uri-reference` and `date-time` are checked, not only noted
    compiler.enable_format_assertions();
    let url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    compiler.add_resource(url, value).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(url, &mut schemas).unwrap();
    (schemas, index)
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcl"))
        .collect();
    files.sort();
    files
}

fn sarif(files: &[&Path]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .arg("check")
        .args(files)
        .args(["--format", "sarif"])
        .output()
        .expect("run pcl");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_valid(schemas: &boon::Schemas, index: boon::SchemaIndex, log: &Value, what: &str) {
    if let Err(e) = schemas.validate(log, index) {
        panic!("{what}: not valid SARIF 2.1.0:\n{e:#}");
    }
}

#[test]
fn every_fixture_gives_a_valid_sarif_log() {
    let (schemas, index) = schema();
    let fixtures = fixtures();
    assert!(fixtures.len() > 40, "{} fixtures", fixtures.len());
    let mut results = 0;
    for fixture in &fixtures {
        let log = sarif(&[fixture]);
        assert_valid(&schemas, index, &log, &fixture.display().to_string());
        results += log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    }
    assert!(results > fixtures.len(), "{results} results");
    // several files in one log, one of them clean
    let all: Vec<&Path> = fixtures.iter().map(PathBuf::as_path).collect();
    let log = sarif(&all);
    assert_valid(&schemas, index, &log, "all fixtures at once");
    let clean = sarif(&[&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/clean.pcl")]);
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));
    assert_valid(&schemas, index, &clean, "clean.pcl");
}

#[test]
fn the_schema_rejects_a_broken_log() {
    let (schemas, index) = schema();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/E0311_unknown_action.pcl");
    let mut log = sarif(&[&fixture]);
    assert_valid(&schemas, index, &log, "E0311");
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(schemas.validate(&log, index).is_err(), "an unknown level must be refused");
    let mut log = sarif(&[&fixture]);
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(schemas.validate(&log, index).is_err(), "lines start at 1");
}

/// A file that is not UTF-8 is one located E0001 in every format, beside
/// the other files of the run.
#[test]
fn a_file_that_is_not_utf8_is_a_located_result() {
    let (schemas, index) = schema();
    let tmp = tempfile::tempdir().unwrap();
    let latin1 = tmp.path().join("latin1.pcl");
    std::fs::write(&latin1, b"param a: string = \"x\";\nparam b: string = \"\xe9t\xe9\";\n").unwrap();
    let clean = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/clean.pcl");
    let log = sarif(&[&latin1, &clean]);
    assert_valid(&schemas, index, &log, "latin1.pcl");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["ruleId"], "E0001");
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(2), Some(20)), "{region}");

    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_pcl"))
            .args(["check", latin1.to_str().unwrap(), "--color", "never", "--format", format])
            .output()
            .unwrap()
    };
    let json = run("json");
    assert_eq!(json.status.code(), Some(1));
    let line: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(line["code"], "E0001");
    assert_eq!(line["range"]["start"], serde_json::json!({"line": 2, "column": 20}));
    let human = run("human");
    assert_eq!(human.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&human.stderr);
    assert!(
        stderr.contains("[E0001]") && stderr.contains("latin1.pcl:2:20") && stderr.contains("not UTF-8"),
        "{stderr}"
    );
}
