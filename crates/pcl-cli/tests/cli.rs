//! End-to-end tests of the `pcl` binary: exit codes, `--set` errors, colour,
//! and the output directory that a failed build must leave untouched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOOD: &str = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature scheduler: enum { slurm, awsbatch } = slurm;
feature iam_mode: enum { privileged, restricted } = privileged;
constraint no_batch_when_restricted: not (iam_mode == restricted and scheduler == awsbatch)
    else "restricted mode cannot manage AWS Batch clusters";
policy user {
    allow "EC2Read" { action ec2:Describe*; resource "*"; }
    allow "Batch" when scheduler == awsbatch { action "batch:*"; resource "*"; }
    allow "PassRole" when iam_mode == restricted {
        action iam:PassRole;
        resource "arn:${partition}:iam::${account}:role/parallelcluster/*";
    }
}
"#;

fn pcl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcl")).args(args).env_remove("NO_COLOR").output().expect("run pcl")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

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

#[test]
fn build_writes_outputs_and_index() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let out = tmp.path().join("out");
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files: Vec<String> = listing(&out).into_iter().map(|(p, _)| p).collect();
    // 3 configurations: restricted+awsbatch is excluded by the constraint
    assert_eq!(
        files,
        [
            "index.json",
            "policy/user.iam_mode-restricted.json",
            "policy/user.json",
            "policy/user.scheduler-awsbatch.json",
        ]
    );
    let restricted = std::fs::read_to_string(out.join("policy/user.iam_mode-restricted.json")).unwrap();
    assert!(restricted.contains("arn:aws:iam::123456789012:role/parallelcluster/*"), "{restricted}");
    // no staging or backup directories are left behind
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pcl-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // pinning a feature renders only the matching variants
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "scheduler=awsbatch"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&out).len(), 2);
}

#[test]
fn failed_build_leaves_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.pcl", GOOD);
    let bad = write(
        tmp.path(),
        "bad.pcl",
        &GOOD.replace("resource \"*\"; }\n    allow \"Batch\"", "resource \"*\" }\n    allow \"Batch\""),
    );
    let out = tmp.path().join("out");
    let o = pcl(&["build", good.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let before = listing(&out);

    let good = good.to_str().unwrap();
    // the arguments, the exit status, the code, and a piece of the message or help that must be there
    let cases: [(Vec<&str>, i32, &str, &str); 11] = [
        (vec![bad.to_str().unwrap()], 1, "E0001", "expected `;`"),
        (vec![good, "--set", "account=12345"], 2, "E0203", "not an AWS account id"),
        (vec![good, "--set", "scheduler=pbs"], 2, "E0201", "allowed: slurm, awsbatch"),
        (vec![good, "--set", "scheduler=Slurm"], 2, "E0201", "did you mean `slurm`? Values are case-sensitive"),
        (vec![good, "--set", "schedulr=slurm"], 2, "E0100", "did you mean `scheduler`?"),
        (vec![good, "--set", "nosuch=1"], 2, "E0100", "settable names: partition, account, scheduler, iam_mode"),
        (
            vec![good, "--set", "iam_mode=restricted", "--set", "scheduler=awsbatch"],
            2,
            "E0401",
            "restricted mode cannot manage AWS Batch clusters",
        ),
        (vec![good, "--set", "user=x"], 2, "E0102", "only params and features can be set"),
        // malformed: clap's value parser rejects it before anything is read
        (vec![good, "--set", "novalue"], 2, "invalid value 'novalue'", "not of the form NAME=VALUE"),
        (vec![good, "--set", "=x"], 2, "invalid value '=x'", "not of the form NAME=VALUE"),
        (vec![good, "--set", "scheduler=slurm", "--set", "scheduler=awsbatch"], 2, "E0203", "given twice"),
    ];
    for (args, status, code, text) in cases {
        let mut args = [&["build"][..], &args].concat();
        args.extend(["--out", out.to_str().unwrap(), "--color", "never"]);
        let o = pcl(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(status), "{args:?}: {err}");
        assert!(err.contains(code) && err.contains(text), "{args:?} should report {code} with `{text}`: {err}");
        assert!(err.contains("nothing written") || code.starts_with("invalid value"), "{err}");
        assert_eq!(listing(&out), before, "{args:?} changed the output directory");
    }
}

/// `--set` on a file that declares nothing settable says so, rather than
/// listing no names ("settable names: ").
#[test]
fn set_on_a_file_without_params_says_nothing_can_be_set() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "plain.pcl", "policy p {\n    allow { action s3:GetObject; resource \"*\"; }\n}\n");
    let out = tmp.path().join("out");
    let o = pcl(&["build", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "x=1", "--color", "never"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("E0100") && err.contains("the file declares no param or feature"), "{err}");
    assert!(!err.contains("settable names:"), "{err}");
}

/// A build with no `--set` renders a configuration `pcl check` may not have
/// checked: here the partition param holds its placeholder, which none of
/// the guards names, so the list is empty in the build alone.
#[test]
fn build_without_values_checks_its_own_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let guarded: Vec<String> = pcl_semantics::iam::PARTITIONS
        .iter()
        .map(|p| format!("\"arn:${{partition}}:s3:::b/*\" when partition == \"{p}\""))
        .collect();
    let text = format!(
        "param partition: partition placeholder \"<PARTITION>\";\npolicy p {{\n    allow {{ action s3:GetObject; resource [{}]; }}\n}}\n",
        guarded.join(", ")
    );
    let file = write(tmp.path(), "placeholder.pcl", &text);
    let check = pcl(&["check", file.to_str().unwrap(), "--color", "never"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let out = tmp.path().join("out");
    let build = pcl(&["build", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--color", "never"]);
    let err = stderr(&build);
    assert_eq!(build.status.code(), Some(1), "{err}");
    assert!(err.contains("E0305") && err.contains("nothing written"), "{err}");
    assert!(!out.exists(), "a failed build wrote {}", out.display());
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
fn build_refuses_to_replace_foreign_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let out = tmp.path().join("src");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("main.rs"), "fn main() {}").unwrap();
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to replace"), "{}", stderr(&o));
    assert_eq!(listing(&out), [("main.rs".to_string(), b"fn main() {}".to_vec())]);
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

/// `pcl render` prints exactly the file a build writes for the configuration
/// it names, and says why when it cannot.
#[test]
fn render_prints_one_document_of_the_build() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let src = src.to_str().unwrap();
    let out = tmp.path().join("out");
    let o = pcl(&["build", src, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let render = |args: &[&str]| pcl(&[&["render"], args, &[src, "--color", "never"]].concat());

    // the default configuration, and a pinned one, equal the built files
    let o = render(&["user"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let built = std::fs::read(out.join("policy/user.json")).unwrap();
    assert_eq!(o.stdout, built);
    let o = render(&["user", "--set", "iam_mode=restricted"]);
    let built = std::fs::read(out.join("policy/user.iam_mode-restricted.json")).unwrap();
    assert_eq!(o.stdout, built);

    // --variants lists the configurations the build writes, the default marked
    let o = render(&["user", "--variants"]);
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut files: Vec<String> = std::fs::read_dir(out.join("policy"))
        .unwrap()
        .map(|e| format!("policy/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let mut shown: Vec<String> = listed.lines().map(|l| l.split("  ").nth(1).unwrap_or_default().to_string()).collect();
    shown.sort();
    assert_eq!(shown, files, "{listed}");
    assert_eq!(listed.matches("(default)").count(), 1, "{listed}");

    // what it cannot do, and why
    let cases: [(&[&str], i32, &str); 5] = [
        (&["usr"], 2, "did you mean `user`?"),
        (&["partition"], 2, "not a policy or a role"),
        (&["user", "--set", "iam_mode=restricted", "--set", "scheduler=awsbatch"], 2, "E0401"),
        (
            &["user", "--set", "iam_mode=restricted", "--deployable"],
            1,
            "placeholders remain for `account` (<AWS ACCOUNT ID>)",
        ),
        (&["user", "--set", "nosuch=1"], 2, "no param or feature is named `nosuch`"),
    ];
    for (args, status, needle) in cases {
        let o = render(args);
        assert_eq!(o.status.code(), Some(status), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: expected `{needle}` in {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} printed a document");
    }
    let o = render(&["user", "--set", "iam_mode=restricted", "--deployable", "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("arn:aws:iam::123456789012:role/parallelcluster/*"));
    // the default configuration uses no placeholder: it is deployable as it is
    assert_eq!(render(&["user", "--deployable"]).status.code(), Some(0));
}

#[test]
fn render_warns_about_pins_that_change_nothing_and_unrendered_items() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{GOOD}\npolicy batch when scheduler == awsbatch {{ allow {{ action batch:ListJobs; resource \"*\"; }} }}\n"
    );
    let src = write(tmp.path(), "p.pcl", &text);
    let src = src.to_str().unwrap();
    let o = pcl(&["render", "batch", src, "--set", "iam_mode=restricted", "--color", "never"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("`--set iam_mode` makes no difference to `batch`, which depends on scheduler"), "{err}");
    assert!(err.contains("`batch` is not rendered when scheduler=slurm"), "{err}");
    let o = pcl(&["render", "batch", src, "--set", "scheduler=awsbatch", "--color", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("batch:ListJobs"));
}

#[test]
fn build_deployable_writes_nothing_while_placeholders_remain() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let src = src.to_str().unwrap();
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    let o = pcl(&["build", src, "--out", out, "--deployable", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("placeholders remain for `account` (<AWS ACCOUNT ID>)") && err.contains("--set account=..."),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert!(!tmp.path().join("out").exists());
    let leftovers = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".pcl-"));
    assert_eq!(leftovers.count(), 0);
    let o = pcl(&["build", src, "--out", out, "--deployable", "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `pcl diff` reports per item what changed, in IAM terms; exit 0 when the
/// builds are the same, 1 when they differ, 2 when one cannot be read.
#[test]
fn diff_shows_changes_per_item() {
    let tmp = tempfile::tempdir().unwrap();
    let old = write(tmp.path(), "old.pcl", GOOD);
    let new = write(
        tmp.path(),
        "new.pcl",
        &GOOD.replace("action ec2:Describe*;", "action [ec2:Describe*, ec2:GetConsoleOutput];"),
    );
    assert_ne!(std::fs::read(&old).unwrap(), std::fs::read(&new).unwrap(), "the edit applies to GOOD");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (src, out) in [(&old, &a), (&new, &b)] {
        let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let same = pcl(&["diff", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let o = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains("policy `user`:\n  + action `ec2:GetConsoleOutput` in Sid `EC2Read`: every configuration (3)"),
        "{report}"
    );
    assert!(!report.contains("@@"), "no unified diff unless asked: {report}");
    let full = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--diff", "full"]);
    assert!(
        String::from_utf8_lossy(&full.stdout).contains("+        \"ec2:GetConsoleOutput\""),
        "{}",
        String::from_utf8_lossy(&full.stdout)
    );
    let missing = pcl(&["diff", a.to_str().unwrap(), tmp.path().join("nope").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
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

/// A splittable policy over the managed-policy limit is written as the
/// fewest parts that fit, each under the limit, and its role attaches every
/// part; a statement too big on its own is an error and nothing is written.
#[test]
fn splittable_policies_split_into_parts() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let src = fixtures.join("split_three_parts.pcl");
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let parts = ["policy/cluster_nodes.json", "policy/cluster_nodes-2.json", "policy/cluster_nodes-3.json"];
    let mut statements = 0;
    for part in parts {
        let text = std::fs::read_to_string(out.join(part)).unwrap();
        let size = text.chars().filter(|c| !c.is_whitespace()).count();
        assert!(size <= 6144, "{part}: {size} characters");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        statements += doc["Statement"].as_array().unwrap().len();
    }
    assert_eq!(statements, 75, "every statement, once, in order");
    assert!(!out.join("policy/cluster_nodes-4.json").exists(), "the fewest parts");
    let role: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("role/node_role.json")).unwrap()).unwrap();
    let arns: Vec<&str> = role["ManagedPolicyArns"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(arns.len(), 3);
    assert!(arns[1].ends_with(":policy/cluster_nodes-2") && arns[2].ends_with(":policy/cluster_nodes-3"), "{arns:?}");
    let index = std::fs::read_to_string(out.join("index.json")).unwrap();
    assert!(index.contains("\"parts\": ["), "{index}");

    let too_big = fixtures.join("split_statement_too_big.pcl");
    let out2 = tmp.path().join("out2");
    let o = pcl(&["build", too_big.to_str().unwrap(), "--out", out2.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[E0317]") && stderr(&o).contains("a statement cannot be split"), "{}", stderr(&o));
    assert!(!out2.exists());
}

/// Warnings that only a `--set` value causes are reported by `pcl build`,
/// and `--deny warnings` makes them fail it (nothing written).
#[test]
fn deny_warnings_covers_set_values() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(
        tmp.path(),
        "s.pcl",
        "param partition: partition = \"aws\";\nparam account: account placeholder \"<ACCOUNT>\";\nparam arns: list<arn> placeholder \"<FSX ARN>\";\npolicy p { allow \"A\" { action [fsx:DeleteFileSystem]; resource arns; } }\nrole r { path \"/\"; trust aws [\"arn:${partition}:iam::${account}:root\"]; attach p; }\n",
    );
    let out = tmp.path().join("out");
    let args = |deny: bool| {
        let mut a = vec!["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--color", "never"];
        a.extend(["--set", "arns=arn:aws:s3:::bucket"]);
        if deny {
            a.extend(["-D", "warnings"]);
        }
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |deny: bool| {
        let a = args(deny);
        pcl(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run(true);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("[W0507]") && stderr(&o).contains("denied"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = run(false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("[W0507]"), "{}", stderr(&o));
}

/// `pcl render` of a split policy prints the part asked for and says how
/// many there are; `--variants` lists every part's file.
#[test]
fn render_prints_parts() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let src = fixtures.join("split_three_parts.pcl");
    let src = src.to_str().unwrap();
    let o = pcl(&["render", "cluster_nodes", src, "--part", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("split into 3 parts"), "{}", stderr(&o));
    let o = pcl(&["render", "cluster_nodes", src, "--part", "4"]);
    assert_eq!(o.status.code(), Some(2));
    let o = pcl(&["render", "cluster_nodes", src, "--variants"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("policy/cluster_nodes-3.json"));
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

/// A role path that interpolates a param is checked once the param has its
/// value: a `--set` value that makes it no IAM path fails the build, which
/// writes nothing.
#[test]
fn a_set_value_that_breaks_a_role_path() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(
        tmp.path(),
        "p.pcl",
        "param prefix: string = \"team\";\nrole r {\n    path \"/${prefix}/\";\n    trust service \"ec2.amazonaws.com\";\n}\n",
    );
    let out = tmp.path().join("out");
    let (src, out_s) = (src.to_str().unwrap(), out.to_str().unwrap());
    let o = pcl(&["build", src, "--out", out_s, "--set", "prefix=a/b", "--color", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pcl(&["build", src, "--out", out_s, "--set", "prefix=a b", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0203") && stderr(&o).contains("path `/a b/` holds ' '"), "{}", stderr(&o));
    let written = std::fs::read_to_string(out.join("role/r.json")).unwrap();
    assert!(written.contains("\"/a/b/\""), "the earlier build is kept: {written}");
}

/// A refined param type rejects a `--set` value that does not fit, with the
/// expected form in the message (a usage error, exit 2); one that fits builds.
#[test]
fn refined_param_types_check_set_values() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(
        tmp.path(),
        "p.pcl",
        "param partition: partition = \"aws\";\nparam account: account placeholder \"<AWS ACCOUNT ID>\";\nparam boundary_arn: arn(iam:policy) placeholder \"<BOUNDARY>\";\nparam prefix: string(max 10, pattern \"[a-z0-9-]*\") = \"pc\";\nrole r {\n    name \"${prefix}-node\";\n    trust service \"ec2.amazonaws.com\";\n    boundary boundary_arn;\n}\n",
    );
    let out = tmp.path().join("out");
    let (src, out_s) = (src.to_str().unwrap(), out.to_str().unwrap());
    let build = |sets: &[&str]| {
        let mut args = vec!["build", src, "--out", out_s, "--color", "never"];
        for s in sets {
            args.extend(["--set", s]);
        }
        pcl(&args)
    };
    let o = build(&["boundary_arn=arn:aws:iam::123456789012:policy/boundary", "prefix=team-1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (set, expected) in [
        ("boundary_arn=arn:aws:iam::123456789012:role/boundary", "expected `arn:${Partition}:iam::${Account}:policy/"),
        ("prefix=Team", "does not match the pattern `[a-z0-9-]*`"),
        ("prefix=abcdefghijk", "more than the 10 allowed"),
    ] {
        let o = build(&[set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains("E0203") && stderr(&o).contains(expected), "{set}: {}", stderr(&o));
    }
}

/// The same statements in another order are no IAM change, but the bytes
/// differ: `pcl diff` still reports the files (a published build is
/// byte-stable, and a reviewer commits what the build writes).
#[test]
fn diff_reports_a_reordering() {
    let tmp = tempfile::tempdir().unwrap();
    let two = "policy p {\n    allow \"A\" { action s3:ListAllMyBuckets; resource \"*\"; }\n    allow \"B\" { action ec2:DescribeRegions; resource \"*\"; }\n}\n";
    let swapped = "policy p {\n    allow \"B\" { action ec2:DescribeRegions; resource \"*\"; }\n    allow \"A\" { action s3:ListAllMyBuckets; resource \"*\"; }\n}\n";
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (name, text, out) in [("one.pcl", two, &a), ("two.pcl", swapped, &b)] {
        let src = write(tmp.path(), name, text);
        let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("same IAM content in other bytes") && report.contains("~ policy/p.json"), "{report}");
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

/// Output that cannot be written (a full disk here; a closed pipe alike)
/// ends pcl with exit 2, without a panic.
#[test]
fn unwritable_output_is_exit_2_not_a_panic() {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pcl")).args(["explain", "E0001"]).stdout(full()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "bad.pcl", "param p: string = 1;\n");
    let out = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["check", file.to_str().unwrap()])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
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

/// `pcl fmt`: in place (permissions kept, nothing else in the directory),
/// `--check` changes nothing and prints a diff, `-` filters, and a file that
/// does not parse is left as it is.
#[test]
fn fmt_lays_out_in_place_checks_and_refuses_broken_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let messy = "policy p{\nallow { action s3:GetObject ;resource \"*\"; }   \n\n\n}\n";
    let laid_out = "policy p {\n    allow { action s3:GetObject; resource \"*\"; }\n}\n";
    let path = write(tmp.path(), "p.pcl", messy);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let p = path.to_str().unwrap();

    let check = pcl(&["fmt", "--check", p]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let diff = String::from_utf8_lossy(&check.stdout);
    assert!(diff.contains("-policy p{") && diff.contains("+policy p {"), "{diff}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), messy, "--check changed the file");

    let fmt = pcl(&["fmt", p]);
    assert_eq!(fmt.status.code(), Some(0), "{}", stderr(&fmt));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), laid_out);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(listing(tmp.path()).len(), 1, "only the file itself: {:?}", listing(tmp.path()));
    assert_eq!(pcl(&["fmt", "--check", p]).status.code(), Some(0));

    let filtered = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["fmt", "-"])
        .stdin(std::fs::File::open(write(tmp.path(), "in.txt", messy)).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&filtered.stdout), laid_out);

    // through a symlink: the file it names is formatted, the link stays
    let target = write(tmp.path(), "target.pcl", messy);
    let link = tmp.path().join("link.pcl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(pcl(&["fmt", link.to_str().unwrap()]).status.code(), Some(0));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), laid_out);

    // a read-only file is left alone (exit 2)
    let read_only = write(tmp.path(), "ro.pcl", messy);
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = pcl(&["fmt", read_only.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&read_only).unwrap(), messy);

    let broken_text = "policy p {\n  allow { action s3:GetObject\n";
    let broken = write(tmp.path(), "broken.pcl", broken_text);
    let refused = pcl(&["fmt", broken.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("does not parse"), "{}", stderr(&refused));
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), broken_text);
}

/// An error only the per-configuration checks find (a list empty in one
/// partition): the build renders while they run, and then writes nothing.
#[test]
fn an_error_found_while_rendering_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.pcl", GOOD);
    let out = tmp.path().join("out");
    assert_eq!(pcl(&["build", good.to_str().unwrap(), "--out", out.to_str().unwrap()]).status.code(), Some(0));
    let before = listing(&out);
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/partition_only_empty.pcl");
    let o = pcl(&["build", fixture, "--out", out.to_str().unwrap(), "--color", "never"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("aws-cn") && err.contains("nothing written"), "{err}");
    assert_eq!(listing(&out), before, "the output directory changed");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pcl-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Printing to a closed stderr ends pcl with exit 2, quietly; the build
/// that renders while it finishes its analysis stops too (it once waited
/// forever for a verdict that the panicking thread would never send).
#[test]
fn a_closed_stderr_ends_a_build_that_renders_beside_its_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    // a warning to print, and no error: the rendering starts early
    let source = write(
        tmp.path(),
        "w.pcl",
        "param partition: partition = \"aws\";\npolicy p { allow \"Wide\" { action [\"s3:*\"]; resource \"*\"; } }\n",
    );
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["build", source.to_str().unwrap(), "--out", tmp.path().join("out").to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("pcl build still running after 20 s with a closed stderr");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(2));
}
