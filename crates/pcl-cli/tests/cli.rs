//! End-to-end tests of the `pcl` binary: exit codes, colour, help, hostile
//! inputs, `check`'s formats and `explain`. `pcl build` has `build.rs`,
//! `render` and `diff` have `review.rs`, `fmt` has `fmt.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use std::process::Command;
use support::*;

#[test]
fn check_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.pcl", GOOD);
    let o = pcl(&["check", good.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let warn = write(tmp.path(), "warn.pcl", &format!("{GOOD}\nparam unused: string = \"x\";\n"));
    let o = pcl(&["check", warn.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("W0502"), "{}", stderr(&o));

    let bad = write(tmp.path(), "bad.pcl", &GOOD.replace("ec2:Describe*", "ec2*:Describe"));
    let o = pcl(&["check", bad.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("E0300") && err.contains("bad.pcl:9:"), "{err}");

    let o = pcl(&["check", tmp.path().join("missing.pcl").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = pcl(&["check", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    // several files: the worst exit code wins, every file is reported
    let o = pcl(&["check", good.to_str().unwrap(), bad.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn colour_follows_flag_and_no_color() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = write(tmp.path(), "bad.pcl", "policy p { allow { action x; resource \"*\"; } }");
    let always = pcl(&["check", bad.to_str().unwrap(), "--color", "always"]);
    assert!(stderr(&always).contains('\u{1b}'));
    let never = pcl(&["check", bad.to_str().unwrap(), "--color", "never"]);
    assert!(!stderr(&never).contains('\u{1b}'));
    let auto_no_color = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["check", bad.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stderr(&auto_no_color).contains('\u{1b}'));
}

/// Every exit status of `pcl`: 0 success (warnings allowed), 1 errors in the
/// input, 2 usage or I/O errors (the README's promise).
#[test]
fn every_exit_status() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.pcl", GOOD);
    let warn = write(tmp.path(), "warn.pcl", &format!("{GOOD}\nparam unused: string = \"x\";\n"));
    let bad = write(tmp.path(), "bad.pcl", &GOOD.replace("ec2:Describe*", "ec2*:Describe"));
    let latin1 = tmp.path().join("latin1.pcl");
    std::fs::write(&latin1, b"param p: string = \"caf\xe9\";").unwrap();
    // empty in one configuration only: an input error even with `--set`
    let empty_when = write(
        tmp.path(),
        "empty_when.pcl",
        "feature f: bool = false;\npolicy p { allow { action [s3:GetObject when not f]; resource \"*\"; } }\n",
    );
    let not_a_dir = write(tmp.path(), "file", "");
    let (good, warn, bad) = (good.to_str().unwrap(), warn.to_str().unwrap(), bad.to_str().unwrap());
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["check", good], 0),
        (vec!["check", warn], 0),
        (vec!["check", bad], 1),
        (vec!["check", good, bad], 1),
        (vec!["check", latin1.to_str().unwrap()], 1),
        (vec!["check", "/nonexistent/x.pcl"], 2),
        (vec!["check", "--no-such-flag"], 2),
        (vec!["build", good, "--out", out], 0),
        (vec!["build", warn, "--out", out], 0),
        (vec!["build", bad, "--out", out], 1),
        (vec!["build", empty_when.to_str().unwrap(), "--out", out, "--set", "f=true"], 1),
        (vec!["build", good, "--out", out, "--set", "nosuch=1"], 2),
        (vec!["build", good, "--out", out, "--set", "noeq"], 2),
        (vec!["build", good, "--out", not_a_dir.to_str().unwrap()], 2),
        (vec!["build", "/nonexistent/x.pcl", "--out", out], 2),
        (vec!["build", good], 2),
        (vec!["render", "user", good], 0),
        (vec!["render", "nosuch", good], 2),
        (vec!["render", "user", bad], 1),
        (vec!["explain", "E0305"], 0),
        (vec!["explain"], 0),
        (vec!["explain", "E9999"], 2),
        (vec!["--help"], 0),
        (vec!["--version"], 0),
        (vec![], 2),
        (vec!["frobnicate"], 2),
    ];
    for (args, status) in cases {
        let o = pcl(&[&args[..], &["--color", "never"]].concat());
        assert_eq!(o.status.code(), Some(status), "pcl {args:?}: {}", stderr(&o));
    }
}

#[test]
fn help_has_examples() {
    for sub in ["check", "build", "explain", "render", "fmt"] {
        let o = pcl(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Examples:"), "{sub}: {text}");
    }
}

#[test]
fn hostile_inputs_never_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let deep_parens = format!("constraint c: {}true{} else \"m\";", "(".repeat(100_000), ")".repeat(100_000));
    let deep_nots = format!("feature f: bool = false; constraint c: {}f else \"m\";", "not ".repeat(100_000));
    let long_chain: String = (0..2000).map(|i| format!("permset s{i} {{ include s{}; }}\n", i + 1)).collect();
    let cycle: String = (0..500).map(|i| format!("permset s{i} {{ include s{}; }}\n", (i + 1) % 500)).collect();
    // each set used twice at each of 40 levels: 2^40 paths, expanded once each
    let diamond: String = (0..40)
        .map(|i| {
            format!(
                "permset p{i} {{ allow {{ action s3:A{i}; resource \"*\"; }} include p{}; include p{}; }}\n",
                i + 1,
                i + 1
            )
        })
        .chain(["permset p40 { allow { action s3:Last; resource \"*\"; } }\npolicy x { include p0; }\n".to_string()])
        .collect();
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("binary", vec![0, 159, 146, 150, 255, b'{']),
        ("unterminated_string", b"param x: string = \"abc".to_vec()),
        ("unterminated_interp", b"param x: string placeholder \"${abc\";".to_vec()),
        ("only_docs", b"/// doc\n/// doc".to_vec()),
        ("bom", b"\xef\xbb\xbfparam p: string = \"a\";\n".to_vec()),
        // an unfinished item whose last line ends inside a multi-byte character's span
        (
            "unfinished_non_ascii",
            "feature f: bool = false;\npolicy p { allow { action s3:Get*; resource \"*\"; } // café\n\nfeature g: bool = false;\n"
                .as_bytes()
                .to_vec(),
        ),
        ("deep_parens", deep_parens.into_bytes()),
        ("deep_nots", deep_nots.into_bytes()),
        ("long_chain", long_chain.into_bytes()),
        ("cycle", cycle.into_bytes()),
        ("diamond", diamond.into_bytes()),
        (
            "unicode",
            "policy p { allow \"é\" { action \"s3:Gét\"; resource \"arn:aws:s3:::bücket\"; } }".as_bytes().to_vec(),
        ),
    ];
    for (name, bytes) in inputs {
        let path = tmp.path().join(format!("{name}.pcl"));
        std::fs::write(&path, bytes).unwrap();
        let o = pcl(&["check", path.to_str().unwrap(), "--color", "never"]);
        let code = o.status.code();
        assert!(matches!(code, Some(0 | 1)), "{name}: exit {code:?}: {}", stderr(&o));
    }
}

/// Output grows with the number of diagnostics, not with the length of lines:
/// each diagnostic shows a window of its line, and quoted values are cut.
#[test]
fn diagnostics_on_a_one_megabyte_line_stay_small() {
    let tmp = tempfile::tempdir().unwrap();
    let mut line = String::from("policy p { ");
    let mut bad_columns = Vec::new();
    let mut i = 0;
    while line.len() < 1_000_000 {
        let action = if [10, 6000, 12000, 18000].contains(&i) { "ec2*:Describe" } else { "s3:GetObject" };
        let statement = format!("allow \"S{i}\" {{ action {action}; resource \"*\"; }} ");
        if action.starts_with("ec2") {
            bad_columns.push(line.len() + statement.find("ec2").unwrap() + 1);
        }
        line.push_str(&statement);
        i += 1;
    }
    // and a 100 KB value quoted by its diagnostic's message
    line.push_str(&format!(
        "allow \"Long\" {{ action s3:GetObject; resource \"arn:aws:s3:{}\"; }} }}\n",
        "x".repeat(100_000)
    ));
    let path = write(tmp.path(), "long.pcl", &line);
    let o = pcl(&["check", path.to_str().unwrap(), "--color", "never"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.matches("[E0300]").count(), 4, "{err}");
    assert_eq!(err.matches("[E0301]").count(), 1, "{err}");
    assert!(err.len() < 8 * 1024, "{} bytes of diagnostics for a 1 MB line", err.len());
    for column in bad_columns {
        assert!(err.contains(&format!("long.pcl:1:{column} ]")), "no header at column {column}: {err}");
    }
    assert!(err.lines().all(|l| l.chars().count() < 400), "{err}");
}

/// `pcl explain CODE` prints the explanation with both examples, indented.
#[test]
fn explain_prints_the_examples() {
    let out = pcl(&["explain", "e0305"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("E0305 (error): "), "{text}");
    assert!(text.contains("Wrong:\n") && text.contains("Fixed:\n"), "{text}");
    assert!(text.contains("        allow \"FSx\" when fsx {"), "examples are indented: {text}");
    assert!(!text.contains("```"), "{text}");
    let unknown = pcl(&["explain", "E9999"]);
    assert_eq!(unknown.status.code(), Some(2));
}

/// A byte order mark at the start of a file is no column, in the terminal
/// and in JSON alike (editors do not show it; found by review).
#[test]
fn a_byte_order_mark_is_no_column() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "bom.pcl", "\u{feff}param x: string = \"a\";\n");
    let src = src.to_str().unwrap();
    let o = pcl(&["check", src, "--color", "never"]);
    assert!(stderr(&o).contains("bom.pcl:1:7 ]"), "{}", stderr(&o));
    let o = pcl(&["check", src, "--format", "json"]);
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 1, "column": 7}));
    assert_eq!(d["range"]["bytes"]["start"], 9, "byte offsets are the file's own");
}

/// The terminal names the place JSON names, for an error at the very end
/// of a file whose last line ends, with a byte order mark and `\r\n`s too
/// (found by review: `2:63` against `3:1`).
#[test]
fn the_terminal_and_json_name_one_place_at_the_end_of_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let body = "policy p {\n    allow \"A\" { action ec2:DescribeInstances; resource \"*\"; }\n";
    // (and in colour; and a carriage return alone ends a line, as for JSON)
    let files = [
        ("lf.pcl", body.to_string()),
        ("bom.pcl", format!("\u{feff}{}", body.replace('\n', "\r\n"))),
        ("cr.pcl", body.replace('\n', "\r")),
    ];
    for (name, text) in files {
        let src = write(tmp.path(), name, &text);
        let src = src.to_str().unwrap();
        for color in ["never", "always"] {
            let o = pcl(&["check", src, "--color", color]);
            assert!(stderr(&o).contains(&format!("{name}:3:1")), "{color}: {}", stderr(&o));
        }
        let o = pcl(&["check", src, "--format", "json"]);
        let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(d["range"]["start"], serde_json::json!({"line": 3, "column": 1}), "{name}");
    }
}

/// `--format json` prints one object per diagnostic (with the fix a
/// did-you-mean suggests); `--format sarif` a SARIF 2.1.0 log with a rule
/// per code and a result per diagnostic. Exit codes are as for `human`.
#[test]
fn machine_readable_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", "policy p {\n    allow { action [s3:GetObjet]; resource \"*\"; }\n}\n");
    let o = pcl(&["check", src.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let d = &lines[0];
    assert_eq!(d["code"], "E0311");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 2, "column": 21}));
    assert_eq!(d["fix"]["replacement"], "s3:GetObject");
    assert!(o.stderr.is_empty(), "json goes to stdout only: {}", stderr(&o));

    let o = pcl(&["check", src.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "E0311"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0311");
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], "E0311");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
}

/// A secondary label far from its diagnostic (`first defined here`, 80
/// lines up) is a note with its position, not a snippet of every line
/// between: thousands of duplicates of one name render in linear time.
#[test]
fn a_far_secondary_label_is_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let filler: String = (0..80).map(|i| format!("param q{i}: string = \"x\";\n")).collect();
    let uses: String = (0..80).map(|i| format!("${{q{i}}}")).collect();
    let text = format!(
        "param p: string = \"x\";\n{filler}param p: string = \"y\";\nparam near: string = \"x\";\nparam near: string = \"{uses}${{p}}${{near}}\";\n"
    );
    let file = write(tmp.path(), "far.pcl", &text);
    let out = pcl(&["check", "--color", "never", file.to_str().unwrap()]);
    let err = stderr(&out);
    // the far one: its first definition is named in a note
    assert!(err.contains(&format!("Note: first defined here: {}:1:7", file.display())), "{err}");
    // the near one keeps both labels in its snippet
    let near = err.split("`near` is defined twice").nth(1).unwrap_or_default();
    assert!(near.contains("first defined here") && !near.contains("Note: first defined"), "{err}");
}

/// A file that is not UTF-8: the machine formats' byte ranges are the
/// file's (the text shown holds a 3-byte U+FFFD for each bad sequence), never
/// past its end.
#[test]
fn byte_ranges_of_a_file_that_is_not_utf8_are_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    for (bytes, range) in [(&b"\xf0\x9f"[..], (0, 2)), (&b"ab\ncd\xffe\xfe x\n"[..], (5, 6))] {
        let path = tmp.path().join("latin.pcl");
        std::fs::write(&path, bytes).unwrap();
        let o = pcl(&["check", "--format", "json", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let line: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let found = &line["range"]["bytes"];
        assert_eq!((found["start"].as_u64(), found["end"].as_u64()), (Some(range.0), Some(range.1)), "{line}");
        let o = pcl(&["check", "--format", "sarif", path.to_str().unwrap()]);
        let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["byteOffset"].as_u64(), Some(range.0), "{region}");
        assert_eq!(region["byteLength"].as_u64(), Some(range.1 - range.0), "{region}");
    }
}

/// `--fix` says where each fix is as the diagnostics do: in characters
/// from 1, a byte order mark no column (found by review: it counted one),
/// several fixes on one line each at its own place.
#[test]
fn check_fix_says_each_fix_where_its_diagnostic_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}policy p { allow { action [s3:GetObject, s3:GetObject]; resource [\"arn:aws:s3:::é\", \"arn:aws:s3:::é\"]; } }\n";
    let path = write(dir.path(), "p.pcl", text);
    let file = path.to_str().unwrap();
    let json = pcl(&["check", file, "--format", "json"]);
    let columns: Vec<u64> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| d["code"] == "W0512")
        .map(|d| d["range"]["start"]["column"].as_u64().unwrap())
        .collect();
    assert_eq!(columns.len(), 2, "{}", String::from_utf8_lossy(&json.stdout));
    let fixed = pcl(&["check", file, "--fix", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    for column in columns {
        assert!(stderr.contains(&format!("{file}:1:{column}: Remove this")), "column {column}: {stderr}");
    }
}

/// `pcl check --fix` applies the safe fixes the diagnostics suggest
/// themselves, pass after pass, writes the file by a rename, says how many,
/// and reports what is left; run again it changes nothing. The unsafe ones
/// (a guessed name, a grant) it counts, and applies with `--unsafe-fixes`.
/// A file it cannot write is left as it was (exit 2).
#[test]
fn check_fix_applies_the_suggested_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let text = "param partition: partition = \"aws\";\npolicy p {\n    allow \"S3\" { action [s3:GetObjet, s3:ListBucket, s3:ListBucket, s3:ListBucket]; resource \"arn:${partition}:s3:::b/*\"; }\n    allow \"Wide\" { action s3:PutObject; resource \"*\"; }\n}\nrole r {\n    trust service \"pods.eks.amazonaws.com\";\n    inline p;\n}\n";
    let path = write(dir.path(), "p.pcl", text);
    let file = path.to_str().unwrap();
    let before = pcl(&["check", file, "--format", "json"]);
    let codes = |out: &std::process::Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].as_str().unwrap().to_string())
            .collect()
    };
    // (W0512 waits for the error's fix: a policy with an error is checked
    // per configuration for duplicate Sids only)
    assert_eq!(codes(&before), ["E0311", "W0513"]);
    // both are unsafe: a guess at the action, a wider trust policy
    let safe_only = pcl(&["check", file, "--fix", "--format", "json", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&safe_only.stderr);
    assert!(stderr.contains("2 unsafe fixes not applied") && stderr.contains("--unsafe-fixes"), "{stderr}");
    assert!(!stderr.contains("applied 1") && !stderr.contains("applied 2"), "{stderr}");
    assert_eq!(codes(&safe_only), ["E0311", "W0513"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "nothing safe to apply: the file is as it was");
    let fixed = pcl(&["check", file, "--fix", "--unsafe-fixes", "--format", "json", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    // a typo and a session action, then the copies the next pass finds
    // (both extra copies of the entry listed three times, in one fix)
    assert!(stderr.contains(&format!("applied 3 suggested fixes to {file}")), "{stderr}");
    assert!(stderr.contains("Remove 2 copies of `s3:ListBucket`"), "{stderr}");
    let left = codes(&fixed);
    assert!(left.iter().all(|c| !["E0311", "W0512", "W0513"].contains(&c.as_str())), "{left:?}");
    assert_eq!(fixed.status.code(), Some(0), "warnings only are left: {left:?}");
    let now = std::fs::read_to_string(&path).unwrap();
    assert!(now.contains("action [s3:GetObject, s3:ListBucket];"), "{now}");
    assert!(now.contains("trust service \"pods.eks.amazonaws.com\" { action sts:TagSession; }"), "{now}");
    assert_eq!(now.lines().count(), text.lines().count(), "nothing else moved:\n{now}");
    // nothing is left to fix: the file is not written again
    let again = pcl(&["check", file, "--fix", "--unsafe-fixes", "--color", "never"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("applied"), "{:?}", again);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), now);
    // no temporary file is left beside it
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["p.pcl"], "{names:?}");

    // an error the fixed typo held back (the policy's per-configuration
    // checks wait for its errors) is reported, not taken for the fix's
    let latent = write(
        dir.path(),
        "latent.pcl",
        "param partition: partition = \"aws\";\npolicy q {\n    allow { action [s3:GetObjet]; resource \"arn:aws:s3:::b/*\"; }\n}\n",
    );
    let after =
        pcl(&["check", latent.to_str().unwrap(), "--fix", "--unsafe-fixes", "--format", "json", "--color", "never"]);
    assert!(String::from_utf8_lossy(&after.stderr).contains("applied 1 suggested fix to"), "{after:?}");
    assert!(codes(&after).contains(&"E0316".to_string()), "{after:?}");
    assert_eq!(after.status.code(), Some(1));
    assert!(std::fs::read_to_string(&latent).unwrap().contains("s3:GetObject]"));

    // safe fixes alone: the copies of an entry, in one fix; the session
    // action (a wider grant) is counted, not applied
    let safe = write(
        dir.path(),
        "safe.pcl",
        "policy s {\n    allow { action [s3:GetObject, s3:ListBucket, s3:ListBucket, s3:ListBucket]; resource \"*\"; }\n}\nrole pods {\n    trust service \"pods.eks.amazonaws.com\";\n    inline s;\n}\n",
    );
    let fixed = pcl(&["check", safe.to_str().unwrap(), "--fix", "--format", "json", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert!(stderr.contains("applied 1 suggested fix to"), "{stderr}");
    assert!(stderr.contains("1 unsafe fix not applied") && !stderr.contains("[unsafe]"), "{stderr}");
    assert_eq!(codes(&fixed), ["W0513"]);
    let now = std::fs::read_to_string(&safe).unwrap();
    assert!(now.contains("action [s3:GetObject, s3:ListBucket];") && now.contains("amazonaws.com\";"), "{now}");
    // applied with --unsafe-fixes, and marked for review
    let fixed = pcl(&["check", safe.to_str().unwrap(), "--fix", "--unsafe-fixes", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    // named where its diagnostic is, the principal (the grant goes after it)
    assert!(stderr.contains(":5:19: Grant `sts:TagSession` in this trust block [unsafe]"), "{stderr}");
    // --unsafe-fixes without --fix is a usage error
    assert_eq!(pcl(&["check", safe.to_str().unwrap(), "--unsafe-fixes"]).status.code(), Some(2));

    // a read-only file is left as it is, and said so
    let locked = write(dir.path(), "locked.pcl", text);
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&locked, permissions).unwrap();
    let refused = pcl(&["check", locked.to_str().unwrap(), "--fix", "--unsafe-fixes", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it is read-only") && stderr.contains("left as it was"), "{stderr}");
    assert!(stderr.contains("E0311"), "its diagnostics are reported: {stderr}");
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), text);

    // a FIFO is refused at once, not read (reading would wait for a writer)
    let fifo = dir.path().join("fifo.pcl");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let refused = pcl(&["check", fifo.to_str().unwrap(), "--fix", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it is not a regular file"), "{stderr}");
}

/// `pcl check --fix --diff` writes nothing: it prints what `--fix` would
/// change as a unified diff, reports the file as it is, and exits 1 when
/// there is a change (0 when none); with a machine format, whose output it
/// would share, it is a usage error.
#[test]
fn check_fix_diff_prints_what_it_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let text = "policy p {\n    allow { action [s3:GetObject, s3:ListBucket, s3:ListBucket]; resource \"*\"; }\n}\n";
    let path = write(dir.path(), "p.pcl", text);
    let file = path.to_str().unwrap();
    let o = pcl(&["check", file, "--fix", "--diff", "--color", "never"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains(&format!("+++ {file} (fixed)")), "{stdout}");
    assert!(
        stdout.contains("-    allow { action [s3:GetObject, s3:ListBucket, s3:ListBucket]; resource \"*\"; }"),
        "{stdout}"
    );
    assert!(stdout.contains("+    allow { action [s3:GetObject, s3:ListBucket]; resource \"*\"; }"), "{stdout}");
    assert!(stderr.contains("would apply 1 suggested fix") && stderr.contains("W0512"), "the file as it is: {stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "nothing written");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["p.pcl"], "{names:?}");
    // one file named twice is fixed once: one diff
    let dotted = dir.path().join(".").join("p.pcl");
    let twice = pcl(&["check", file, dotted.to_str().unwrap(), "--fix", "--diff", "--color", "never"]);
    let stdout = String::from_utf8_lossy(&twice.stdout);
    assert_eq!(stdout.matches("+++ ").count(), 1, "{stdout}");
    assert!(String::from_utf8_lossy(&twice.stderr).contains("named twice"), "{twice:?}");
    // nothing to fix: no diff, exit 0
    let clean = write(dir.path(), "clean.pcl", "policy c { allow { action s3:GetObject; resource \"*\"; } }\n");
    let o = pcl(&["check", clean.to_str().unwrap(), "--fix", "--diff"]);
    assert_eq!((o.status.code(), o.stdout.is_empty()), (Some(0), true), "{o:?}");
    assert_eq!(pcl(&["check", file, "--fix", "--diff", "--format", "json"]).status.code(), Some(2));
    assert_eq!(pcl(&["check", file, "--diff"]).status.code(), Some(2), "--diff needs --fix");
}
