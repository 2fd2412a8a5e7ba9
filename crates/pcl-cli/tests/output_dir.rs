//! `pcl build --out DIR` never deletes anything it did not write: what it
//! refuses to replace, and how it replaces an output it wrote. (Failed and
//! interrupted builds: `output_failures.rs`.)
//!
//! Interruptions are simulated with the debug-only fault hook
//! (`PCL_TEST_FAULT_AT=<step>` aborts the process at that step, as `kill -9`
//! would: no destructor runs, nothing is cleaned up).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

#[path = "support/output_project.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod project;
#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use std::path::Path;
use std::process::Command;

use project::{Listing, Project, assert_refused, pcl_in, snapshot};
use support::{OLD, staging_leftovers, stderr};

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
    // or inside it (found by review)
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let before = snapshot(&p.root);
    let o = pcl_in(&p.root.join("out/policy"), &["build", "../../old.pcl", "--out", ".."], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("the current directory is inside it"), "{}", stderr(&o));
    assert_eq!(snapshot(&p.root), before);
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

/// A directory of the output that the user emptied goes with the old tree:
/// nothing is left beside the output (a review found an empty
/// `.pcl-kept-*` left).
#[test]
fn a_directory_emptied_by_the_user_leaves_nothing_behind() {
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    for entry in std::fs::read_dir(p.out().join("role")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let o = p.build("old.pcl", "out", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
    assert!(p.out().join("role").read_dir().unwrap().next().is_some());
}
