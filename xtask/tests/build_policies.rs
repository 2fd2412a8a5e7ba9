//! `cargo xtask build-policies --check` applies exactly the build's rule: a
//! CI gate on `--check` is never green where the build would fail, and it
//! never opens anything but regular files.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SOURCE: &str = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature scheduler: enum { slurm, awsbatch } = slurm;
policy user {
    allow "EC2Read" { action ec2:Describe*; resource "*"; }
    allow "Batch" when scheduler == awsbatch { action "batch:*"; resource "arn:${partition}:batch:*:${account}:*"; }
}
"#;

/// Runs xtask in `root`, killing it (a test failure) after 60 s.
fn xtask(root: &Path, args: &[&str]) -> Output {
    xtask_with(root, args, &[])
}

/// `xtask` with extra environment variables.
fn xtask_with(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = if args.contains(&"--out") { &[][..] } else { &["--out", "dist"][..] };
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(root)
        .arg("build-policies")
        .args(["--file", "policies.pcl"])
        .args(out)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("xtask {args:?} did not finish (it opened a FIFO or a device?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A project with `policies.pcl`, its output in `dist/` (built if `built`).
fn project(built: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("policies.pcl"), SOURCE).unwrap();
    if built {
        let o = xtask(tmp.path(), &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    tmp
}

/// Every path under `dir`, sorted (without opening anything).
fn names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_agrees_with_the_build() {
    type Setup = fn(&Path);
    // (state of dist/, whether it is built first, what the check must say, the exit status of --check)
    let cases: [(&str, bool, Setup, &str, i32); 13] = [
        ("missing", false, |_| {}, "does not exist", 1),
        ("up to date", true, |_| {}, "is up to date", 0),
        (
            "stale, written by an earlier build",
            true,
            |root| std::fs::write(root.join("policies.pcl"), SOURCE.replace("Describe*", "Get*")).unwrap(),
            "is out of date",
            1,
        ),
        (
            // not "the same IAM content in other bytes"
            "a file the index lists, deleted",
            true,
            |root| std::fs::remove_file(root.join("dist/aws/policy/user.json")).unwrap(),
            "dist/aws/policy/user.json is missing, though dist/aws/index.json lists it",
            1,
        ),
        (
            "nested foreign file",
            true,
            |root| std::fs::write(root.join("dist/aws/policy/x.md"), "").unwrap(),
            "aws/policy/x.md",
            2,
        ),
        (
            "empty foreign directory",
            true,
            |root| std::fs::create_dir(root.join("dist/empty")).unwrap(),
            "directory `empty`",
            2,
        ),
        (
            "hand-edited output",
            true,
            |root| std::fs::write(root.join("dist/aws-cn/policy/user.json"), "{}\n").unwrap(),
            "was changed after pcl wrote it",
            2,
        ),
        (
            "FIFO",
            true,
            |root| assert!(Command::new("mkfifo").arg(root.join("dist/aws/fifo")).status().unwrap().success()),
            "`aws/fifo` is not a regular file",
            2,
        ),
        (
            "symlink to /dev/zero",
            true,
            |root| std::os::unix::fs::symlink("/dev/zero", root.join("dist/aws/policy/zero.json")).unwrap(),
            "is a symbolic link",
            2,
        ),
        (
            "foreign directory without index.json",
            false,
            |root| {
                std::fs::create_dir_all(root.join("dist/aws")).unwrap();
                std::fs::write(root.join("dist/aws/notes.txt"), "").unwrap();
            },
            "has no index.json",
            2,
        ),
        ("output above the source", false, |_| {}, "holds the source file", 2),
        (
            "a build killed between its two renames, its backup then edited",
            true,
            |root| {
                // one file missing, so that the build has a tree to swap in
                // (one that would leave the output as it is stages nothing)
                let mut policies: Vec<_> =
                    std::fs::read_dir(root.join("dist/aws/policy")).unwrap().map(|e| e.unwrap().path()).collect();
                policies.sort();
                std::fs::remove_file(policies.first().unwrap()).unwrap();
                let o = xtask_with(root, &[], &[("PCL_TEST_NO_EXCHANGE", "1"), ("PCL_TEST_FAULT_AT", "moved-aside")]);
                assert_eq!(o.status.code(), None, "the fault hook did not fire");
                assert!(!root.join("dist").exists());
                let backup = std::fs::read_dir(root)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(".pcl-old-dist-"))
                    .unwrap();
                std::fs::write(backup.join("NOTES.txt"), "mine").unwrap();
            },
            "interrupted build's leftover, holds `NOTES.txt`",
            2,
        ),
        (
            "what stayed of an old tree, a user's file in it",
            true,
            |root| {
                let kept = root.join(".pcl-kept-dist-Ab12Cd/aws/policy");
                std::fs::create_dir_all(&kept).unwrap();
                std::fs::write(kept.join("notes.json"), "{\n  \"mine\": true\n}\n").unwrap();
            },
            "beside it holds `aws/policy/notes.json`, written into the output while an earlier build replaced it",
            2,
        ),
    ];
    for (what, built, setup, needle, check_status) in cases {
        let extra: &[&str] = if what == "output above the source" { &["--out", "."] } else { &[] };
        let p = project(built);
        setup(p.path());
        let before = names(p.path());
        let check = xtask(p.path(), &[&["--check"], extra].concat());
        assert_eq!(check.status.code(), Some(check_status), "{what}: {}", stderr(&check));
        assert!(stderr(&check).contains(needle), "{what}: expected `{needle}` in {}", stderr(&check));
        assert_eq!(names(p.path()), before, "{what}: --check wrote something");

        let build = xtask(p.path(), extra);
        let build_status = if check_status == 2 { 2 } else { 0 };
        assert_eq!(build.status.code(), Some(build_status), "{what}: {}", stderr(&build));
        if check_status == 2 {
            // the same reason, in the same words
            let reason = |o: &Output| {
                let err = stderr(o);
                let after = err.split("refusing to replace ").nth(1).unwrap_or_default();
                after.split_once(": ").map(|(_, r)| r.trim().to_string()).unwrap_or_default()
            };
            let (c, b) = (reason(&check), reason(&build));
            assert!(!c.is_empty() && c == b, "{what}: check says `{c}`, build says `{b}`");
        } else {
            let after = xtask(p.path(), &["--check"]);
            assert_eq!(after.status.code(), Some(0), "{what}: {}", stderr(&after));
        }
    }
}

/// Every exit status of `cargo xtask`: 0 success, 1 errors in the source or
/// an out-of-date output, 2 usage or I/O errors.
#[test]
fn every_exit_status() {
    let raw = |root: &Path, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask")).current_dir(root).args(args).output().unwrap()
    };
    let p = project(false);
    let root = p.path();
    std::fs::write(root.join("bad.pcl"), SOURCE.replace("ec2:Describe*", "ec2*:Describe")).unwrap();
    std::fs::write(root.join("other.pcl"), SOURCE.replace("Describe*", "Get*")).unwrap();
    std::fs::write(root.join("a-file"), "").unwrap();
    let build = ["build-policies", "--file", "policies.pcl", "--out", "dist"];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (build.to_vec(), 0),
        ([&build[..], &["--check"]].concat(), 0),
        (vec!["build-policies", "--file", "other.pcl", "--out", "dist", "--check"], 1),
        (vec!["build-policies", "--file", "bad.pcl", "--out", "dist"], 1),
        (vec!["build-policies", "--file", "bad.pcl", "--out", "dist", "--check"], 1),
        (vec!["build-policies", "--file", "policies.pcl", "--out", "missing", "--check"], 1),
        (vec!["build-policies", "--file", "policies.pcl", "--out", "a-file"], 2),
        (vec!["build-policies", "--file", "policies.pcl", "--out", "."], 2),
        (vec!["build-policies", "--file", "nonexistent.pcl", "--out", "dist"], 2),
        (vec!["build-policies", "--no-such-flag"], 2),
        (vec!["no-such-task"], 2),
        (vec![], 2),
        (vec!["--help"], 0),
        (vec!["build-policies", "--help"], 0),
    ];
    for (args, status) in cases {
        let o = raw(root, &args);
        assert_eq!(o.status.code(), Some(status), "cargo xtask {args:?}: {}", stderr(&o));
    }
}

/// A build over an output that already holds its files says so, and
/// writes nothing (the files keep their inodes).
#[test]
fn a_build_that_changes_nothing_says_so() {
    use std::os::unix::fs::MetadataExt;
    let p = project(true);
    let index = p.path().join("dist/aws/index.json");
    let inode = std::fs::metadata(&index).unwrap().ino();
    let o = xtask(p.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("dist unchanged, nothing to write"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&index).unwrap().ino(), inode);
}

/// A partition whose checks fail is reported after the file's analysis, in
/// the partitions' order, and nothing is written: the documents rendered
/// beside the analysis are dropped, and the earlier output is kept. An
/// error in the file's analysis stops the build before any partition.
#[test]
fn a_partition_that_fails_writes_nothing() {
    let p = project(true);
    let root = p.path();
    let before = names(&root.join("dist"));
    let index = std::fs::read(root.join("dist/aws/index.json")).unwrap();
    // valid for the file's analysis, an error with `partition=aws-cn` only
    let source = format!("{SOURCE}\nconstraint no_cn: not (partition == \"aws-cn\") else \"not in China\";\n");
    std::fs::write(root.join("policies.pcl"), source).unwrap();
    let o = xtask(root, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("with `--set partition=aws-cn`:\n"), "{err}");
    assert!(err.contains("[E0401]") && err.contains("not in China"), "{err}");
    assert!(err.contains("has errors (or denied warnings) with `--set partition=aws-cn`"), "{err}");
    assert!(!err.contains("partition=aws-us-gov`"), "a partition that passed is not reported: {err}");
    assert!(err.contains("nothing written to dist"), "{err}");
    assert_eq!(names(&root.join("dist")), before);
    assert_eq!(std::fs::read(root.join("dist/aws/index.json")).unwrap(), index);

    std::fs::write(root.join("policies.pcl"), SOURCE.replace("ec2:Describe*", "ec2*:Describe")).unwrap();
    let o = xtask(root, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("with `--set"), "{}", stderr(&o));
    assert_eq!(names(&root.join("dist")), before);
}

/// The page's three partitions by default; `--partition P` (repeatable)
/// builds exactly those asked for, in every partition AWS has, with the
/// service principal that ends with each one's DNS suffix; an unknown
/// partition is a usage error with a suggestion.
#[test]
fn partitions_to_build() {
    let p = project(false);
    let root = p.path();
    let source = format!("{SOURCE}\nrole node {{ path \"/\"; trust service [\"ec2.${{partition.dns_suffix}}\"]; }}\n");
    std::fs::write(root.join("policies.pcl"), source).unwrap();
    let o = xtask(root, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let top: Vec<String> = names(&root.join("dist")).into_iter().filter(|n| !n.contains('/')).collect();
    assert_eq!(top, ["aws", "aws-cn", "aws-us-gov"]);

    let o =
        xtask(root, &["--out", "iso", "--partition", "aws-iso", "--partition", "aws-eusc", "--partition", "aws-iso"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let top: Vec<String> = names(&root.join("iso")).into_iter().filter(|n| !n.contains('/')).collect();
    assert_eq!(top, ["aws-eusc", "aws-iso"]);
    for (partition, principal) in [("aws-iso", "ec2.c2s.ic.gov"), ("aws-eusc", "ec2.amazonaws.eu")] {
        let role = std::fs::read_to_string(root.join(format!("iso/{partition}/role/node.json"))).unwrap();
        assert!(role.contains(&format!("\"{principal}\"")), "{role}");
        assert!(!role.contains("amazonaws.com\""), "{role}");
    }
    let cn = std::fs::read_to_string(root.join("dist/aws-cn/role/node.json")).unwrap();
    assert!(cn.contains("\"ec2.amazonaws.com.cn\""), "{cn}");

    let o = xtask(root, &["--out", "x", "--partition", "aws-isob"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `aws-iso-b`?"), "{}", stderr(&o));
}

/// A policy named `index` (`aws/policy/index.json`) is no index of the
/// build's: `--check` agrees with the output the build just wrote (a review
/// found it refusing that output as "not an index.json written by pcl").
#[test]
fn a_policy_named_index_is_no_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("policies.pcl"), SOURCE.replace("policy user", "policy index")).unwrap();
    let o = xtask(tmp.path(), &["--allow-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(tmp.path().join("dist/aws/policy/index.json").exists());
    let o = xtask(tmp.path(), &["--allow-warnings", "--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// An output of another layout (a `pcl build`'s `index.json`) or of other
/// partitions (`aws-cn/` when only `aws` is built) is named as another
/// build's, not as a directory pcl did not write (found by review).
#[test]
fn another_builds_output_is_named_so() {
    let p = project(true);
    let o = xtask(p.path(), &["--partition", "aws"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("it holds `aws-cn`, which a pcl build of another layout or of other partitions wrote"),
        "{}",
        stderr(&o)
    );
    let pcl_build = p.path().join("single");
    std::fs::create_dir(&pcl_build).unwrap();
    std::fs::write(pcl_build.join("index.json"), "{}").unwrap();
    let o = xtask(p.path(), &["--out", pcl_build.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("it holds `index.json`, which a pcl build of another layout"), "{}", stderr(&o));
}

/// `--check` of a directory given with `--out` hints at rebuilding that
/// directory, not at the committed `dist/policies` (found by review).
#[test]
fn the_hint_names_the_directory_checked() {
    let p = project(false);
    let o = xtask(p.path(), &["--out", "elsewhere", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("hint: run `cargo xtask build-policies --out elsewhere`"), "{}", stderr(&o));
}

/// An I/O error names the path it concerns: here the output's parent,
/// which cannot be made where a regular file stands in its path.
#[test]
fn an_output_whose_parent_cannot_be_made_names_it() {
    let p = project(false);
    std::fs::write(p.path().join("notes"), "a file, not a directory").unwrap();
    let before = names(p.path());
    let o = xtask(p.path(), &["--out", "notes/sub/dist"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write notes/sub/dist: cannot create the directory notes/sub: "), "{err}");
    assert!(err.contains("(os error 20)"), "{err}");
    assert_eq!(names(p.path()), before);
}

/// A build stopped by SIGINT once it has staged a file (paused there by
/// the debug-only hook `PCL_TEST_PAUSE_AT`) removes its staging directory,
/// keeps the previous output byte for byte, and exits with 130.
#[test]
fn an_interrupted_build_keeps_the_previous_output() {
    let p = project(true);
    std::fs::write(p.path().join("policies.pcl"), SOURCE.replace("Describe*", "Get*")).unwrap();
    let files = |root: &Path| -> Vec<(String, Vec<u8>)> {
        names(root)
            .into_iter()
            .map(|name| {
                let path = root.join(&name);
                (name, if path.is_file() { std::fs::read(path).unwrap() } else { Vec::new() })
            })
            .collect()
    };
    let before = files(p.path());
    let (child, paused) = build_paused_at(p.path(), "writing");
    assert!(names(p.path()).iter().any(|n| n.starts_with(".pcl-build-dist-")), "the build has staged a file");
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    std::fs::remove_file(&paused).unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    let note = "build-policies: interrupted by SIGINT: nothing written to dist; its previous content is kept\n";
    assert!(err.ends_with(note), "{err}");
    assert_eq!(files(p.path()), before, "the project changed");
}

/// A signal before the build changes anything (paused where it audits the
/// output beside the analysis, only reading; the pause never looks at the
/// signal, as a long analysis would not) ends it at once: one line says
/// nothing was written, the exit code is 143, and the project is as it was.
#[test]
fn a_signal_before_any_change_ends_the_build_at_once() {
    let p = project(true);
    std::fs::write(p.path().join("policies.pcl"), SOURCE.replace("Describe*", "Get*")).unwrap();
    let before: Vec<(String, Vec<u8>)> = names(p.path())
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(p.path().join(&n)).unwrap_or_default()))
        .collect();
    let (child, paused) = build_paused_at(p.path(), "locked");
    let sent = Instant::now();
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    std::fs::remove_file(&paused).unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(143), "{:?}: {err}", o.status);
    // (the pause holds a minute)
    assert!(sent.elapsed() < Duration::from_secs(15), "waited {:?}", sent.elapsed());
    assert_eq!(err, "build-policies: interrupted by SIGTERM: nothing written to dist; its previous content is kept\n");
    let after: Vec<(String, Vec<u8>)> = names(p.path())
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(p.path().join(&n)).unwrap_or_default()))
        .collect();
    assert_eq!(after, before, "the project changed");
}

/// A build into a directory inside one partition of another build's output
/// is refused before it makes anything, naming both; `--check` refuses it
/// the same way.
#[test]
fn an_output_inside_another_output_is_refused() {
    let p = project(true);
    let before = names(p.path());
    let o = xtask(p.path(), &["--out", "dist/aws/x"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let says = "cannot build into dist/aws/x: it is inside dist/aws, the output of another pcl build \
                (dist/aws/index.json): files written there would make that build refuse to replace it next time; \
                nothing was written\n  help: choose an output directory outside dist/aws";
    assert!(err.contains(says), "{err}");
    assert_eq!(names(p.path()), before);
    let o = xtask(p.path(), &["--out", "dist/aws/x", "--check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to replace it: it is inside dist/aws, the output"), "{}", stderr(&o));
    assert_eq!(names(p.path()), before);
}

/// `build-policies` started in `project`, held at the step `at` (the debug
/// hook `PCL_TEST_PAUSE_AT`): the child, and the file that says it is
/// paused there (removed by the caller).
fn build_paused_at(project: &std::path::Path, at: &str) -> (std::process::Child, std::path::PathBuf) {
    let name = project.file_name().unwrap().to_string_lossy();
    let paused = project.join("..").join(format!("{name}.paused"));
    let child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(project)
        .args(["build-policies", "--file", "policies.pcl", "--out", "dist"])
        .env("PCL_TEST_PAUSE_AT", at)
        .env("PCL_TEST_PAUSED", &paused)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !paused.exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the build never paused");
        std::thread::sleep(Duration::from_millis(10));
    }
    (child, paused)
}
