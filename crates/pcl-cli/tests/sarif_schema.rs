//! `pcl check --format sarif` writes logs that the SARIF 2.1.0 JSON schema
//! (kept in `tests/data`, with its source) accepts: for every fixture (each
//! diagnostic code, secondary labels, fixes), for several files in one run,
//! and for a clean file. A broken log is rejected, so the check can fail.
//!
//! The fix `--format json` and `--format sarif` give a diagnostic (the one
//! it suggests itself: a "did you mean", W0512's removal of a repeat,
//! W0513's grant of a session action) fixes it: applied alone to its
//! fixture, the file no longer reports it (a list that held an entry four
//! times holds it three times: the message says so). The two formats give
//! the same fixes.

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
    // lines end as pcl counts them: a lone CR ends one too
    let run = &sarif(&[&fixtures[0]])["runs"][0];
    assert_eq!(run["newlineSequences"], serde_json::json!(["\r\n", "\n", "\r"]), "{run}");
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

fn check(file: &Path, format: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["check", "--format", format])
        .arg(file)
        .output()
        .expect("run pcl");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn diagnostics(file: &Path) -> Vec<Value> {
    let out = check(file, "json");
    out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
}

/// Whether `diagnostics` report `d` (its code and message).
fn reported(diagnostics: &[Value], d: &Value) -> bool {
    diagnostics.iter().any(|other| other["code"] == d["code"] && other["message"] == d["message"])
}

#[test]
fn every_fix_fixes_its_diagnostic_and_both_formats_give_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut fixed_codes: Vec<String> = Vec::new();
    let mut applicabilities = Vec::new();
    for fixture in fixtures() {
        let text = std::fs::read_to_string(&fixture).unwrap();
        let found = diagnostics(&fixture);
        for d in found.iter().filter(|d| !d["fix"].is_null()) {
            let (code, fix) = (d["code"].as_str().unwrap(), &d["fix"]);
            let start = fix["range"]["bytes"]["start"].as_u64().unwrap() as usize;
            let end = fix["range"]["bytes"]["end"].as_u64().unwrap() as usize;
            let replacement = fix["replacement"].as_str().unwrap();
            assert!(fix["title"].as_str().is_some_and(|t| !t.is_empty()), "{fix}");
            // safe: a repeat removed; a guess or a grant is not
            let applicability = if code == "W0512" { "safe" } else { "unsafe" };
            assert_eq!(fix["applicability"], applicability, "{}: {d}", fixture.display());
            applicabilities.push(applicability);
            let fixed = format!("{}{replacement}{}", &text[..start], &text[end..]);
            let path = tmp.path().join(fixture.file_name().unwrap());
            std::fs::write(&path, &fixed).unwrap();
            let after = diagnostics(&path);
            assert!(!reported(&after, d), "{}: the fix {fix} left {d}:\n{fixed}", fixture.display());
            fixed_codes.push(code.to_string());
        }
        // the SARIF log: a fix for the same results, the same change (a
        // fix of several edits is one in JSON, the text between them kept)
        let applied_json = |d: &Value| {
            let start = d["fix"]["range"]["bytes"]["start"].as_u64().unwrap() as usize;
            let end = d["fix"]["range"]["bytes"]["end"].as_u64().unwrap() as usize;
            format!("{}{}{}", &text[..start], d["fix"]["replacement"].as_str().unwrap(), &text[end..])
        };
        let log = sarif(&[&fixture]);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), found.len(), "{}", fixture.display());
        for (result, d) in results.iter().zip(&found) {
            let fix = &result["fixes"][0];
            assert_eq!(fix.is_null(), d["fix"].is_null(), "{}: {result}", fixture.display());
            if fix.is_null() {
                continue;
            }
            assert_eq!(fix["description"]["text"], d["fix"]["title"]);
            assert_eq!(fix["properties"]["applicability"], d["fix"]["applicability"]);
            let mut replacements: Vec<(usize, usize, &str)> = fix["artifactChanges"][0]["replacements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let at = r["deletedRegion"]["byteOffset"].as_u64().unwrap() as usize;
                    let len = r["deletedRegion"]["byteLength"].as_u64().unwrap() as usize;
                    (at, at + len, r["insertedContent"]["text"].as_str().unwrap())
                })
                .collect();
            replacements.sort();
            let mut applied_sarif = text.clone();
            for (start, end, inserted) in replacements.iter().rev() {
                applied_sarif.replace_range(start..end, inserted);
            }
            assert_eq!(applied_sarif, applied_json(d), "{}: {result}", fixture.display());
        }
    }
    // each kind of fix was tried: a "did you mean", W0512's, W0513's
    for code in ["E0311", "W0512", "W0513"] {
        assert!(fixed_codes.iter().any(|c| c == code), "no {code} fix among {fixed_codes:?}");
    }
    assert!(["safe", "unsafe"].iter().all(|a| applicabilities.contains(a)), "{applicabilities:?}");
}
