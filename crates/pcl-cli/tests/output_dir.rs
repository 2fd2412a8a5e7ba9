//! `pcl build --out DIR` never deletes anything it did not write, and an
//! interrupted build leaves the old output or the new one, complete.
//!
//! Interruptions are simulated with the debug-only fault hook
//! (`PCL_TEST_FAULT_AT=<step>` aborts the process at that step, as `kill -9`
//! would: no destructor runs, nothing is cleaned up).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{OLD, staging_leftovers, stderr};

/// Differs from `OLD` in every file it writes.
fn new_source() -> String {
    OLD.replace("ec2:Describe*", "ec2:Get*")
}

fn pcl_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcl"));
    cmd.current_dir(cwd).args(args).arg("--color").arg("never");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run pcl")
}

/// `(relative path, content)` of every entry under a directory, sorted.
type Listing = Vec<(String, String)>;

/// Every entry under `dir` (files with content, symlinks, directories), sorted.
fn snapshot(dir: &Path) -> Listing {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.file_type().is_symlink() {
                out.push((rel, format!("-> {}", std::fs::read_link(&p).unwrap().display())));
            } else if meta.is_dir() {
                out.push((format!("{rel}/"), String::new()));
                todo.push(p);
            } else if meta.is_file() {
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_else(|_| "<binary>".into())));
            } else {
                out.push((rel, "<special>".into()));
            }
        }
    }
    out.sort();
    out
}

struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::write(root.join("old.pcl"), OLD).unwrap();
        std::fs::write(root.join("new.pcl"), new_source()).unwrap();
        Project { _tmp: tmp, root }
    }

    fn build(&self, source: &str, out: &str, env: &[(&str, &str)]) -> Output {
        pcl_in(&self.root, &["build", source, "--out", out], env)
    }

    fn out(&self) -> PathBuf {
        self.root.join("out")
    }

    /// The listings of `out` after a clean build of `old.pcl` and of `new.pcl`.
    fn reference_listings(&self) -> (Listing, Listing) {
        let o = self.build("old.pcl", "ref-old", &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let o = self.build("new.pcl", "ref-new", &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let listings = (snapshot(&self.root.join("ref-old")), snapshot(&self.root.join("ref-new")));
        assert_ne!(listings.0, listings.1);
        listings
    }
}

/// Asserts that a refused build exits 2, names `needle`, and changed nothing.
fn assert_refused(p: &Project, source: &str, out: &str, needle: &str) {
    let dir = p.root.join(out);
    let before = snapshot(&p.root);
    let o = p.build(source, out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing to replace") && err.contains(needle), "expected `{needle}` in: {err}");
    assert_eq!(snapshot(&p.root), before, "a refused build changed {}", dir.display());
}

#[test]
fn out_dot_above_the_source_is_refused() {
    // the reported case: `cd proj && pcl build policy/main.pcl --out .`
    let p = Project::new();
    std::fs::create_dir(p.root.join("policy")).unwrap();
    std::fs::write(p.root.join("policy/main.pcl"), OLD).unwrap();
    std::fs::write(p.root.join("policy/NOTES.md"), "notes").unwrap();
    assert_refused(&p, "policy/main.pcl", ".", "holds the source file");
    // the source's own directory, and an ancestor named by a longer path
    assert_refused(&p, "policy/main.pcl", "policy", "holds the source file");
    assert_refused(&p, "policy/main.pcl", "policy/..", "holds the source file");
    assert!(p.root.join("policy/main.pcl").exists() && p.root.join("policy/NOTES.md").exists());
    // the current directory, the source elsewhere: replaced, it would leave
    // the shell in a directory removed
    std::fs::create_dir(p.root.join("here")).unwrap();
    let o = pcl_in(&p.root.join("here"), &["build", "../old.pcl", "--out", "."], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("it is the current directory"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(p.root.join("here")).unwrap().count(), 0);
}

#[test]
fn source_inside_the_output_is_refused() {
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    std::fs::write(p.out().join("policy/src.pcl"), OLD).unwrap();
    assert_refused(&p, "out/policy/src.pcl", "out", "holds the source file");
}

#[test]
fn foreign_content_at_any_depth_is_refused() {
    type Setup = fn(&Path);
    let cases: [(&str, Setup, &str); 7] = [
        ("nested foreign file", |out| std::fs::write(out.join("policy/NOTES.md"), "mine").unwrap(), "policy/NOTES.md"),
        ("foreign file at the top", |out| std::fs::write(out.join("README"), "mine").unwrap(), "README"),
        (
            "hand-edited output",
            |out| {
                let path = out.join("policy/user.json");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text.replace("EC2Read", "EC2ReadEdited")).unwrap();
            },
            "`policy/user.json` was changed after pcl wrote it",
        ),
        (
            "symlink inside",
            |out| std::os::unix::fs::symlink("/etc/passwd", out.join("policy/link.json")).unwrap(),
            "`policy/link.json` is a symbolic link",
        ),
        (
            "empty foreign directory",
            |out| std::fs::create_dir(out.join("keep")).unwrap(),
            "it holds the directory `keep`",
        ),
        (
            "nested empty foreign directory",
            |out| std::fs::create_dir(out.join("role/drafts")).unwrap(),
            "it holds the directory `role/drafts`",
        ),
        (
            "FIFO",
            |out| assert!(Command::new("mkfifo").arg(out.join("policy/pipe")).status().unwrap().success()),
            "`policy/pipe` is not a regular file",
        ),
    ];
    for (what, setup, needle) in cases {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0), "{what}");
        setup(&p.out());
        assert_refused(&p, "new.pcl", "out", needle);
    }
}

/// A build into a directory inside another build's output (`out/policy/x`)
/// is refused before it makes anything, naming both: it would leave in
/// `out` files `out/index.json` does not list, and the next build into
/// `out` would refuse them (it did: the nested build succeeded, then that
/// one refused). Whether the nested directory exists, its parents are
/// missing, or a symlink leads into `out`.
#[test]
fn an_output_inside_another_output_is_refused() {
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    std::os::unix::fs::symlink("out/policy", p.root.join("link")).unwrap();
    let real_out = p.out().display().to_string();
    let cases = [
        ("out/policy/x", "out"),
        ("out/x/y/z", "out"),
        ("out/policy", "out"),
        ("./out/../out/role/x", "./out/../out"),
        ("link/x", real_out.as_str()),
    ];
    for (nested, outer) in cases {
        let before = snapshot(&p.root);
        let o = p.build("new.pcl", nested, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{nested}: {err}");
        let says = format!(
            "error: cannot build into {nested}: it is inside {outer}, the output of another pcl build \
             ({outer}/index.json): files written there would make that build refuse to replace it next time; \
             nothing was written\n  help: choose an output directory outside {outer}"
        );
        assert!(err.contains(&says), "{nested}: {err}");
        assert_eq!(snapshot(&p.root), before, "{nested}: the project changed");
        assert!(staging_leftovers(&p.root).is_empty(), "{nested}");
    }
    // from inside the output too, where only its real path names it
    let o = pcl_in(&p.out().join("policy"), &["build", "../../old.pcl", "--out", "x"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("it is inside {real_out}, the output")), "{}", stderr(&o));
    // and the output itself is built as ever
    std::fs::remove_file(p.root.join("link")).unwrap();
    let o = p.build("new.pcl", "out", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The reverse: a build into a directory that holds another build's output
/// below it is refused by the audit, naming that output, before it writes
/// anything (so it claims and removes nothing); `--out .` is the current
/// directory, refused too.
#[test]
fn an_output_holding_another_output_is_refused() {
    let p = Project::new();
    std::fs::create_dir(p.root.join("proj")).unwrap();
    assert_eq!(p.build("old.pcl", "proj/out", &[]).status.code(), Some(0));
    assert_refused(&p, "new.pcl", "proj", "it holds `out`, which a pcl build");
    let before = snapshot(&p.root);
    let o = pcl_in(&p.root.join("proj"), &["build", "../new.pcl", "--out", "."], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to replace .: it is the current directory"), "{}", stderr(&o));
    assert_eq!(snapshot(&p.root), before);
}

/// Builds `new.pcl` over the output of `old.pcl` while "the user" writes
/// `intruder` mid-build (with the two-rename fallback if `no_exchange`):
/// the build must refuse (exit 2) and leave nothing beside the output.
fn build_with_intruder(p: &Project, intruder: &Path, no_exchange: bool) -> String {
    let mut env = vec![("PCL_TEST_INTRUDE_AT", "staged"), ("PCL_TEST_INTRUDER", intruder.to_str().unwrap())];
    if no_exchange {
        env.push(("PCL_TEST_NO_EXCHANGE", "1"));
    }
    let o = p.build("new.pcl", "out", &env);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("changed while pcl was building"), "{err}");
    assert!(staging_leftovers(&p.root).is_empty(), "no_exchange: {no_exchange}: {:?}", staging_leftovers(&p.root));
    err
}

#[test]
fn a_file_written_during_the_build_is_kept() {
    for no_exchange in [false, true] {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let old = snapshot(&p.out());
        let err = build_with_intruder(&p, &p.out().join("policy/NOTES.md"), no_exchange);
        assert!(err.contains("policy/NOTES.md"), "{err}");
        let mut expected = old.clone();
        expected.push(("policy/NOTES.md".into(), "written by the user during the build".into()));
        expected.sort();
        assert_eq!(snapshot(&p.out()), expected, "no_exchange: {no_exchange}");
    }
}

/// The audit after the swap takes the index it read before the build only
/// if its bytes are the same: one rewritten meanwhile is judged again.
#[test]
fn an_index_rewritten_during_the_build_is_kept() {
    for no_exchange in [false, true] {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let index = p.out().join("index.json");
        let err = build_with_intruder(&p, &index, no_exchange);
        assert!(err.contains("index.json"), "{err}");
        assert_eq!(std::fs::read_to_string(&index).unwrap(), "written by the user during the build");
    }
}

#[test]
fn an_index_edited_by_hand_vouches_for_nothing() {
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let index_path = p.out().join("index.json");
    let index = std::fs::read_to_string(&index_path).unwrap();
    // a file of the user's, added to the index with its true hash
    std::fs::write(p.out().join("mine.txt"), "mine").unwrap();
    let sha = "0d8fd3ca9c47a1e6b6a2b2e4a0ea2d4a44a17a29ee7c07bb1dc9eb2cd8d9a6e5";
    let forged = index.replacen(
        "\"files\": [\n",
        &format!("\"files\": [\n    {{\n      \"path\": \"mine.txt\",\n      \"sha256\": \"{sha}\"\n    }},\n"),
        1,
    );
    assert_ne!(forged, index);
    std::fs::write(&index_path, forged).unwrap();
    assert_refused(&p, "new.pcl", "out", "is not an index.json written by pcl");
    // notes added to the index itself
    std::fs::remove_file(p.out().join("mine.txt")).unwrap();
    std::fs::write(&index_path, index.replacen("{\n", "{\n  \"notes\": \"release 3.2\",\n", 1)).unwrap();
    assert_refused(&p, "new.pcl", "out", "is not an index.json written by pcl");
}

#[test]
fn an_output_name_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let p = Project::new();
    let name = std::ffi::OsStr::from_bytes(b"out\xff");
    let o = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .current_dir(&p.root)
        .arg("build")
        .arg("old.pcl")
        .arg("--out")
        .arg(name)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
    assert!(!p.root.join(name).exists());
    // U+FFFD is a character of UTF-8 names like any other (a review found
    // `rep\u{fffd}lace` refused as not UTF-8), and a leftover whose name is
    // not UTF-8 is no leftover of it
    std::fs::create_dir(p.root.join(std::ffi::OsStr::from_bytes(b".pcl-build-rep\xfflace-Ab12Cd"))).unwrap();
    let o = p.build("old.pcl", "rep\u{fffd}lace", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(p.root.join("rep\u{fffd}lace/index.json").exists());
    assert!(p.root.join(std::ffi::OsStr::from_bytes(b".pcl-build-rep\xfflace-Ab12Cd")).exists());
}

#[test]
fn a_directory_without_index_is_replaced_only_when_empty() {
    let p = Project::new();
    std::fs::create_dir_all(p.root.join("out/policy")).unwrap();
    std::fs::write(p.root.join("out/policy/user.json"), "{}").unwrap();
    assert_refused(&p, "old.pcl", "out", "has no index.json of an earlier pcl build");
    // a foreign index.json proves nothing
    std::fs::remove_dir_all(p.root.join("out/policy")).unwrap();
    std::fs::write(p.root.join("out/index.json"), "{\"outputs\": [{\"path\": \"../old.pcl\", \"sha256\": \"x\"}]}")
        .unwrap();
    assert_refused(&p, "old.pcl", "out", "is not an index.json written by pcl");
    std::fs::remove_file(p.root.join("out/index.json")).unwrap();
    let o = p.build("old.pcl", "out", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn earlier_outputs_are_replaced_and_stale_ones_removed() {
    let p = Project::new();
    let (_, new) = p.reference_listings();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    // a configuration with fewer files, then the full one again
    let o = pcl_in(&p.root, &["build", "old.pcl", "--out", "out", "--set", "scheduler=awsbatch"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!p.out().join("policy/user.json").exists());
    assert_eq!(p.build("new.pcl", "out", &[]).status.code(), Some(0));
    assert_eq!(snapshot(&p.out()), new);
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
}

#[test]
fn an_interrupted_build_leaves_the_old_or_the_new_output() {
    for no_exchange in [false, true] {
        let steps: &[&str] = if no_exchange {
            &["locked", "recovered", "writing", "staged", "moved-aside", "replaced"]
        } else {
            &["locked", "recovered", "writing", "staged", "swapped"]
        };
        for step in steps {
            let p = Project::new();
            let (old, new) = p.reference_listings();
            assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
            let mut env = vec![("PCL_TEST_FAULT_AT", *step)];
            if no_exchange {
                env.push(("PCL_TEST_NO_EXCHANGE", "1"));
            }
            let o = p.build("new.pcl", "out", &env);
            assert_eq!(o.status.code(), None, "{step}: the fault hook did not fire: {}", stderr(&o));
            let what = format!("killed at `{step}` (no_exchange: {no_exchange})");
            if p.out().exists() {
                let now = snapshot(&p.out());
                assert!(now == old || now == new, "{what}: the output is neither the old nor the new one: {now:?}");
            } else {
                // only between the two renames of the fallback; the old tree is whole beside it
                assert_eq!(*step, "moved-aside", "{what}: the output is gone");
                let backup = staging_leftovers(&p.root).into_iter().find(|n| n.starts_with(".pcl-old-out-")).unwrap();
                assert_eq!(snapshot(&p.root.join(backup)), old, "{what}");
            }
            // the next build recovers, cleans up, and succeeds
            let o = p.build("new.pcl", "out", &[]);
            assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
            assert_eq!(snapshot(&p.out()), new, "{what}");
            assert!(staging_leftovers(&p.root).is_empty(), "{what}: {:?}", staging_leftovers(&p.root));
        }
    }
}

#[test]
fn unchanged_files_are_linked_not_rewritten() {
    use std::os::unix::fs::MetadataExt;
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let inode = |rel: &str| std::fs::metadata(p.out().join(rel)).unwrap().ino();
    let role = "role/user_role.json";
    let policy = "policy/user.json";
    let (role_before, policy_before) = (inode(role), inode(policy));
    // a change to the policy only: the role file renders the same
    std::fs::write(p.root.join("changed.pcl"), OLD.replace("\"EC2Read\"", "\"EC2ReadAll\"")).unwrap();
    let o = p.build("changed.pcl", "out", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(inode(role), role_before, "the unchanged file is the same file");
    assert_ne!(inode(policy), policy_before, "the changed file is a new one");
    assert!(std::fs::read_to_string(p.out().join(policy)).unwrap().contains("EC2ReadAll"));
    assert_eq!(std::fs::metadata(p.out().join(role)).unwrap().nlink(), 1, "the old tree is gone");
}

/// A build whose files are all already in the output, byte for byte (and
/// nothing else is), stages nothing and leaves every file as it is: same
/// inode, same modification time.
#[test]
fn a_build_that_changes_nothing_touches_nothing() {
    use std::os::unix::fs::MetadataExt;
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let stamps = |dir: &Path| -> Vec<(String, u64, i64, i64)> {
        let mut all: Vec<_> = snapshot(dir)
            .into_iter()
            .map(|(rel, _)| {
                let m = std::fs::symlink_metadata(dir.join(rel.trim_end_matches('/'))).unwrap();
                (rel, m.ino(), m.mtime(), m.mtime_nsec())
            })
            .collect();
        all.sort();
        all
    };
    let (before, listing) = (stamps(&p.out()), snapshot(&p.out()));
    // the fault hook at `staged` proves no tree was staged: it would abort
    let o = p.build("old.pcl", "out", &[("PCL_TEST_FAULT_AT", "staged")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to write"), "{}", stderr(&o));
    assert_eq!(stamps(&p.out()), before);
    assert_eq!(snapshot(&p.out()), listing);
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
    // one file missing: the same build writes again
    std::fs::remove_file(p.out().join("policy/user.json")).unwrap();
    let o = p.build("old.pcl", "out", &[]);
    assert!(stderr(&o).contains("wrote"), "{}", stderr(&o));
    assert_eq!(snapshot(&p.out()), listing);
}

/// What the user writes into the output while a build that changes
/// nothing runs (a new file, or an edit of one pcl wrote) is kept, and
/// reported as a build that writes reports it: the output is not the
/// build's, so the build does not say it is.
#[test]
fn a_change_made_during_a_build_that_changes_nothing_is_kept_and_reported() {
    for (intruder, edits) in [("policy/NOTES.md", false), ("policy/user.json", true)] {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let before = snapshot(&p.out());
        let path = p.out().join(intruder);
        let env = [("PCL_TEST_INTRUDE_AT", "writing"), ("PCL_TEST_INTRUDER", path.to_str().unwrap())];
        let o = p.build("old.pcl", "out", &env);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{intruder}: {err}");
        assert!(err.contains("changed while pcl was building") && err.contains(intruder), "{intruder}: {err}");
        let mut expected: Listing = before.into_iter().filter(|(rel, _)| rel != intruder).collect();
        expected.push((intruder.into(), "written by the user during the build".into()));
        expected.sort();
        assert_eq!(snapshot(&p.out()), expected, "{intruder}");
        assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
        if edits {
            // the next build refuses the edited file, as ever
            let o = p.build("old.pcl", "out", &[]);
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        }
    }
}

#[test]
fn a_build_killed_before_the_first_write_leaves_no_output() {
    let p = Project::new();
    let o = p.build("old.pcl", "out", &[("PCL_TEST_FAULT_AT", "staged")]);
    assert_eq!(o.status.code(), None);
    assert!(!p.out().exists());
    assert_eq!(staging_leftovers(&p.root).len(), 1, "the staging directory stays until the next build");
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    assert!(staging_leftovers(&p.root).is_empty());
}

#[test]
fn leftovers_of_other_outputs_are_not_touched() {
    let p = Project::new();
    std::fs::create_dir(p.root.join(".pcl-build-other-Xy12Zq")).unwrap();
    // `out-b` is another output whose name starts like `out`: its backup must
    // not be taken for (and restored as) `out`
    std::fs::create_dir(p.root.join(".pcl-old-out-b-Ab12Cd")).unwrap();
    std::fs::write(p.root.join(".pcl-old-out-b-Ab12Cd/keep"), "out-b's old output").unwrap();
    std::fs::create_dir(p.root.join(".pcl-build-out-Xy12Zq")).unwrap();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    assert_eq!(staging_leftovers(&p.root), [".pcl-build-other-Xy12Zq", ".pcl-old-out-b-Ab12Cd"]);
    assert!(!p.out().join("keep").exists());
}

#[test]
fn parallel_builds_into_one_directory_all_succeed() {
    let p = Project::new();
    let (_, new) = p.reference_listings();
    let children: Vec<_> = (0..12)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_pcl"))
                .current_dir(&p.root)
                .args(["build", "new.pcl", "--out", "fresh/out", "--color", "never"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(snapshot(&p.root.join("fresh/out")), new);
    assert!(staging_leftovers(&p.root.join("fresh")).is_empty());
}

/// The output is audited beside the analysis, on a thread that only reads:
/// a build that fails makes no directory (not even the output's missing
/// parents), writes nothing, and leaves no staging directory behind.
#[test]
fn a_build_that_fails_after_the_audit_began_changes_nothing() {
    let p = Project::new();
    broken(&p);
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let before = snapshot(&p.root);
    for out in ["out", "missing/parent/out"] {
        let o = p.build("broken.pcl", out, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("nothing written"), "{}", stderr(&o));
        assert_eq!(snapshot(&p.root), before, "a failed build into {out} changed the project");
    }
}

/// `broken.pcl`: `old.pcl` with a syntax error (a missing `;`).
fn broken(p: &Project) {
    std::fs::write(p.root.join("broken.pcl"), OLD.replace("resource \"*\"; }", "resource \"*\" }")).unwrap();
}

/// A source whose constraint `--set scheduler=awsbatch --set partition=aws-cn`
/// breaks: found by the configuration's own checks, which run beside the
/// rendering.
fn constrained(p: &Project) -> &'static [&'static str] {
    let source = format!(
        "{OLD}\nconstraint batch_in_aws: scheduler != awsbatch or partition == aws else \"AWS Batch needs the aws partition\";\n"
    );
    std::fs::write(p.root.join("constrained.pcl"), source).unwrap();
    &["--set", "scheduler=awsbatch", "--set", "partition=aws-cn"]
}

/// When the configuration's checks fail, the staged tree is dropped before
/// the swap; and where the output's parent is missing, it is not made.
#[test]
fn a_configuration_that_breaks_a_constraint_writes_nothing() {
    let p = Project::new();
    let breaking = constrained(&p);
    assert_eq!(p.build("constrained.pcl", "out", &[]).status.code(), Some(0));
    let before = snapshot(&p.root);
    for out in ["out", "missing/parent/out"] {
        let args = [&["build", "constrained.pcl", "--out", out][..], breaking].concat();
        let o = pcl_in(&p.root, &args, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("E0401") && err.contains("nothing written"), "{err}");
        assert_eq!(snapshot(&p.root), before, "a build into {out} changed the project");
    }
}

/// A build that fails does not wait for another build to finish, nor say it
/// does: the early audit takes the lock only if it is free.
#[test]
fn a_failing_build_does_not_wait_for_the_lock() {
    let p = Project::new();
    let breaking = constrained(&p);
    broken(&p);
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let held = std::fs::File::open(&p.root).unwrap();
    held.lock().unwrap();
    let runs: [(Vec<&str>, i32); 2] = [
        (vec!["build", "broken.pcl", "--out", "out"], 1),
        ([&["build", "constrained.pcl", "--out", "out"][..], breaking].concat(), 2),
    ];
    for (args, status) in runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pcl"))
            .current_dir(&p.root)
            .args(&args)
            .args(["--color", "never"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("`pcl {}` waited for the lock", args.join(" "));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(status), "{err}");
        assert!(!err.contains("waiting"), "{err}");
    }
    drop(held);
}

/// What interrupted builds left is recovered only by a build that writes.
#[test]
fn a_failing_build_leaves_the_leftovers_of_interrupted_ones() {
    let p = Project::new();
    let breaking = constrained(&p);
    broken(&p);
    // the old tree a build killed between its two renames left, `out` gone,
    // and the staging directory of another killed build
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    std::fs::rename(p.out(), p.root.join(".pcl-old-out-Ab12Cd")).unwrap();
    std::fs::create_dir(p.root.join(".pcl-build-out-Xy12Zq")).unwrap();
    let before = snapshot(&p.root);
    let o = p.build("broken.pcl", "out", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(snapshot(&p.root), before);
    // this one fails only once the early preparation has been joined
    let o = pcl_in(&p.root, &[&["build", "constrained.pcl", "--out", "out"][..], breaking].concat(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&p.root), before);
    // a build that writes recovers them first (the old tree is put back,
    // then replaced)
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    assert!(staging_leftovers(&p.root).is_empty());
}

/// An output missing when the build began but created before it renames its
/// tree into place is kept as it is, even an empty directory.
#[test]
fn an_output_created_during_the_build_is_kept() {
    let p = Project::new();
    let intruder = p.out().display().to_string();
    let o = p.build("old.pcl", "out", &[("PCL_TEST_INTRUDE_AT", "staged"), ("PCL_TEST_INTRUDER", &intruder)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("created while pcl was building"), "{err}");
    assert_eq!(std::fs::read_to_string(p.out()).unwrap(), "written by the user during the build");
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
}

/// A build that fails after its output's missing parents were made (a
/// placeholder left under `--deployable`) removes them again; one that
/// succeeds keeps them. A parent that held something already is kept
/// (a review found `a/b` left behind by a failed build into `a/b/out`).
#[test]
fn a_failed_build_removes_the_parents_it_made() {
    let p = Project::new();
    std::fs::create_dir(p.root.join("kept")).unwrap();
    let before = snapshot(&p.root);
    for out in ["a/b/out", "kept/c/out"] {
        let o = pcl_in(&p.root, &["build", "old.pcl", "--out", out, "--deployable"], &[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(!p.root.join("a").exists() && !p.root.join("kept/c").exists(), "{out}");
        assert_eq!(snapshot(&p.root), before, "{out}");
    }
    let o = p.build("old.pcl", "a/b/out", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(p.root.join("a/b/out/index.json").exists());
}

/// A file written into the old tree once the build has audited it again
/// (by a process still inside the output as the build swaps it out) is
/// not removed with it: the build succeeds, the leftover keeps the file, and
/// the next build refuses to go on until it is moved away, naming it. A
/// directory the user named as a leftover is not touched either, nor is a
/// file of such a name (a build leaves directories only). (A review found
/// all three deleted, or renamed into place, by the next build.)
#[test]
fn a_leftover_holding_what_pcl_did_not_write_is_kept_and_refused() {
    for no_exchange in [false, true] {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let mut env = vec![("PCL_TEST_INTRUDE_AT", "old-tree-audited"), ("PCL_TEST_INTRUDER_IN", "policy/NOTES.md")];
        if no_exchange {
            env.push(("PCL_TEST_NO_EXCHANGE", "1"));
        }
        let o = p.build("new.pcl", "out", &env);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let [left] = staging_leftovers(&p.root).try_into().unwrap();
        let notes = p.root.join(&left).join("policy/NOTES.md");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "written by the user during the build");
        // only the user's file is left in it: every file of the old tree went
        assert_eq!(snapshot(&p.root.join(&left)).len(), 2, "policy/ and the notes");
        let before = snapshot(&p.root);
        let o = p.build("old.pcl", "out", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&left) && err.contains("policy/NOTES.md"), "{err}");
        assert_eq!(snapshot(&p.root), before, "nothing changed");
    }
    let p = Project::new();
    std::fs::create_dir(p.root.join(".pcl-build-out-backup")).unwrap();
    std::fs::write(p.root.join(".pcl-build-out-backup/notes.txt"), "precious").unwrap();
    std::fs::write(p.root.join(".pcl-build-out-Notes1"), "mine").unwrap();
    let o = p.build("old.pcl", "out", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`.pcl-build-out-backup`"), "{}", stderr(&o));
    std::fs::rename(p.root.join(".pcl-build-out-backup"), p.root.join("backup")).unwrap();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(p.root.join("backup/notes.txt")).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(p.root.join(".pcl-build-out-Notes1")).unwrap(), "mine");
    // the old tree of a two-rename swap is put back only if it is pcl's
    std::fs::create_dir(p.root.join(".pcl-old-elsewhere-backup")).unwrap();
    std::fs::write(p.root.join(".pcl-old-elsewhere-backup/notes.txt"), "mine").unwrap();
    let o = p.build("old.pcl", "elsewhere", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!p.root.join("elsewhere").exists());
}

/// A replaced output keeps its mode (a review found a private `chmod 700`
/// output made world-readable) and its setgid bit.
#[test]
fn a_replaced_output_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    for mode in [0o700, 0o2750] {
        std::fs::set_permissions(p.out(), std::fs::Permissions::from_mode(mode)).unwrap();
        let source = if mode == 0o700 { "new.pcl" } else { "old.pcl" };
        let o = p.build(source, "out", &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stderr(&o).contains("wrote"), "{}", stderr(&o));
        assert_eq!(std::fs::metadata(p.out()).unwrap().permissions().mode() & 0o7777, mode);
    }
    // what is in a setgid output is setgid too, as made in it
    let policy = std::fs::metadata(p.out().join("policy")).unwrap();
    assert_eq!(policy.permissions().mode() & 0o2000, 0o2000);
}

/// A build whose last note cannot be written (stderr a full device) has
/// replaced its output all the same: it exits 0, not 2 as a failed one.
#[test]
fn a_build_that_cannot_say_it_wrote_still_succeeds() {
    let p = Project::new();
    // no warning to print before the output is written (one that cannot be
    // printed fails the build, and nothing is written)
    std::fs::write(p.root.join("clean.pcl"), OLD.replace("allow \"Batch\"", "deny \"Batch\"")).unwrap();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else { return }; // no such device here
    let o = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .current_dir(&p.root)
        .args(["build", "clean.pcl", "--out", "out", "--color", "never"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(p.out().join("index.json").exists());
}

/// What a build killed at any moment leaves is recovered by the next one:
/// a staged tree whose `index.json` was cut short, or whose indexes list
/// only some of its files (a partition staged after the first's index, an
/// old tree half removed). A review found such leftovers refused for good.
#[test]
fn a_leftover_cut_short_anywhere_is_recovered() {
    for (name, files) in [
        ("Ab12Cd", &[("index.json", "{\"version\": 1, \"fil"), ("policy/user.json", "{}")][..]),
        ("Ef34Gh", &[("aws/index.json", "{}"), ("aws-cn/policy/user.json", "{\"Version\"")][..]),
    ] {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let leftover = p.root.join(format!(".pcl-build-out-{name}"));
        for (path, text) in files {
            let path = leftover.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let o = p.build("new.pcl", "out", &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
    }
}

/// An I/O error names the path it concerns and what was being done to it
/// (a review found "Not a directory (os error 20)" alone): here the
/// output's parent cannot be made, a regular file standing where a
/// directory of its path should be (which fails for root too).
#[test]
fn an_output_whose_parent_cannot_be_made_names_it() {
    let p = Project::new();
    std::fs::write(p.root.join("notes"), "a file, not a directory").unwrap();
    let before = snapshot(&p.root);
    for (out, needle) in [
        ("notes/sub/out", "cannot create the directory notes/sub: ".to_string()),
        ("notes/out", format!("cannot list the directory {}: ", p.root.join("notes").display())),
    ] {
        let o = p.build("old.pcl", out, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("error: cannot write {out}: {needle}")), "expected `{needle}` in: {err}");
        assert!(err.contains("(os error 20); nothing was written"), "{err}");
        assert_eq!(snapshot(&p.root), before, "{out}");
    }
}

/// A staged file that cannot be written is named, with the staging
/// directory it is in, and the build leaves nothing beside the output it
/// keeps. (Its size past the process's file-size limit: the write fails
/// with EFBIG, for root too, once SIGXFSZ is ignored.)
#[test]
fn a_staged_file_that_cannot_be_written_is_named() {
    let p = Project::new();
    let statements: String = (0..40)
        .map(|i| format!("    allow \"Read{i}\" {{ action ec2:DescribeInstances; resource \"*\"; }}\n"))
        .collect();
    let source = format!("param partition: partition = \"aws\";\npolicy big {{\n{statements}}}\n");
    std::fs::write(p.root.join("big.pcl"), source).unwrap();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let before = snapshot(&p.root);
    // `ulimit -f 1`: 512 or 1024 bytes, as the shell counts; the policy is 5 KB
    let o = Command::new("sh")
        .current_dir(&p.root)
        .args(["-c", "ulimit -f 1 && trap '' XFSZ && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_pcl"))
        .args(["build", "big.pcl", "--out", "out", "--color", "never"])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let staged = format!("error: cannot write out: cannot write {}/.pcl-build-out-", p.root.display());
    let at = err.find(&staged).unwrap_or_else(|| panic!("expected `{staged}` in: {err}"));
    let rest = &err[at + staged.len()..];
    // the six random characters of the staging directory's name, then the file
    assert!(rest.get(6..).is_some_and(|r| r.starts_with("/policy/big.json: ") && r.contains("(os error 27)")), "{err}");
    assert!(err.contains("its previous content is kept"), "{err}");
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
    assert_eq!(snapshot(&p.root), before);
}
