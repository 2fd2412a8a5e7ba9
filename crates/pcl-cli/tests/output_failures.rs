//! A build that fails or is interrupted leaves the old output or the new
//! one, complete, and the leftovers of others as they were; the next build
//! recovers what an interrupted one left. (What a build refuses and what it
//! replaces: `output_dir.rs`.)
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

use std::process::Command;

use project::{Project, new_source, pcl_in, snapshot};
use support::{OLD, staging_leftovers, stderr};

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
fn a_build_killed_before_the_first_write_leaves_no_output() {
    let p = Project::new();
    let o = p.build("old.pcl", "out", &[("PCL_TEST_FAULT_AT", "staged")]);
    assert_eq!(o.status.code(), None);
    assert!(!p.out().exists());
    assert_eq!(staging_leftovers(&p.root).len(), 1, "the staging directory stays until the next build");
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    assert!(staging_leftovers(&p.root).is_empty());
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

/// A `..` after a missing directory takes it back instead of making it:
/// `a/b/../../out` is `out`, and a build leaves neither `a` nor `a/b`
/// behind (a fuzzer found both made and kept, empty, as `mkdir -p` would).
#[test]
fn a_missing_parent_undone_by_dot_dot_is_not_made() {
    let p = Project::new();
    std::fs::create_dir(p.root.join("kept")).unwrap();
    for (out, built) in [
        ("a/b/../../out", "out"),
        ("nx/../n6", "n6"),
        ("kept/x/../y/out", "kept/y/out"),
        ("kept/x/../../top", "top"),
        ("./c/./d/../e", "c/e"),
    ] {
        let o = p.build("old.pcl", out, &[]);
        assert_eq!(o.status.code(), Some(0), "{out}: {}", stderr(&o));
        assert!(p.root.join(built).join("index.json").exists(), "{out}");
    }
    let outputs = |path: &String| path.contains("policy/") || path.contains("role/");
    let dirs: Vec<String> =
        snapshot(&p.root).into_iter().map(|(path, _)| path).filter(|p| p.ends_with('/') && !outputs(p)).collect();
    assert_eq!(dirs, ["c/", "c/e/", "kept/", "kept/y/", "kept/y/out/", "n6/", "out/", "top/"]);
    // a `..` after a dangling symlink or a file is the system's error, not
    // a directory elsewhere; and one after a missing name is judged where
    // it leads: inside another output (found by review)
    std::os::unix::fs::symlink("nowhere/sub", p.root.join("link")).unwrap();
    std::fs::write(p.root.join("file.txt"), "a file").unwrap();
    let before = snapshot(&p.root);
    for (out, says) in [
        ("link/../out9", "cannot resolve link: No such file or directory"),
        ("file.txt/../out9", "cannot resolve file.txt/..: Not a directory"),
        ("zz/../out/policy/x", "it is inside out, the output of another pcl build"),
    ] {
        let o = p.build("old.pcl", out, &[]);
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{out}: {}", stderr(&o));
        assert_eq!(snapshot(&p.root), before, "{out}");
    }
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
    // reviews found removed: a `.json` file (any `.json` passed), a file the
    // old tree had, written again after its last audit, and its index (the
    // next build took it for pcl's)
    let cases = [
        (false, "policy/NOTES.md"),
        (true, "policy/NOTES.md"),
        (false, "policy/notes.json"),
        (false, "policy/user.json"),
        (false, "index.json"),
    ];
    for (no_exchange, intruder) in cases {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let mut env = vec![("PCL_TEST_INTRUDE_AT", "old-tree-audited"), ("PCL_TEST_INTRUDER_IN", intruder)];
        if no_exchange {
            env.push(("PCL_TEST_NO_EXCHANGE", "1"));
        }
        let o = p.build("new.pcl", "out", &env);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let [left] = staging_leftovers(&p.root).try_into().unwrap();
        assert!(left.starts_with(".pcl-kept-out-"), "{left}");
        // said (found by review: it was kept without a word)
        let warned = format!(
            "warning: `{intruder}` was written into the previous output while this build replaced it: it is kept in `{left}`"
        );
        assert!(stderr(&o).contains(&warned), "{}", stderr(&o));
        let notes = p.root.join(&left).join(intruder);
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "written by the user during the build");
        // only the user's file is left in it: every file of the old tree went
        assert_eq!(
            snapshot(&p.root.join(&left)).len(),
            intruder.matches('/').count() + 1,
            "the notes, and their directory"
        );
        let before = snapshot(&p.root);
        let o = p.build("old.pcl", "out", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("`{left}` beside it holds `{intruder}`, written into the output")), "{err}");
        assert_eq!(snapshot(&p.root), before, "nothing changed");
        // moved away, what stayed is removed
        std::fs::rename(&notes, p.root.join("mine")).unwrap();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        assert!(staging_leftovers(&p.root).is_empty());
    }
    // leftovers that pcl would have written differently: a `.json` file
    // that is no JSON pcl writes, and one in an old tree that its index,
    // still there, does not list
    let p = Project::new();
    assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
    let old_tree = p.root.join(".pcl-old-out-Zz99Yy");
    std::fs::create_dir(&old_tree).unwrap();
    for file in ["index.json", "policy/user.json"] {
        std::fs::create_dir_all(old_tree.join(file).parent().unwrap()).unwrap();
        std::fs::copy(p.out().join(file), old_tree.join(file)).unwrap();
    }
    for (leftover, file, text) in [
        (".pcl-build-out-abc123", "policy/notes.json", "{\"mine\": true}"),
        // (pretty-printed as pcl prints, but with no key pcl's documents begin with)
        (".pcl-build-out-abc123", "policy/notes.json", "{\n  \"mine\": true\n}\n"),
        (".pcl-old-out-Zz99Yy", "policy/extra.json", "{\n  \"Version\": \"2012-10-17\"\n}\n"),
    ] {
        std::fs::create_dir_all(p.root.join(leftover).join(file).parent().unwrap()).unwrap();
        std::fs::write(p.root.join(leftover).join(file), text).unwrap();
        let before = snapshot(&p.root);
        let o = p.build("new.pcl", "out", &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{leftover}: {err}");
        assert!(err.contains(&format!("`{leftover}` beside it")) && err.contains(file), "{err}");
        assert_eq!(snapshot(&p.root), before, "{leftover}: nothing changed");
        std::fs::remove_file(p.root.join(leftover).join(file)).unwrap();
    }
    // without them, both are pcl's: removed
    assert_eq!(p.build("new.pcl", "out", &[]).status.code(), Some(0));
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
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

/// What a build killed at any moment leaves is recovered by the next one:
/// a staged tree whose `index.json` was cut short, or whose indexes list
/// only some of its files (a partition staged after the first's index, an
/// old tree half removed). A review found such leftovers refused for good.
#[test]
fn a_leftover_cut_short_anywhere_is_recovered() {
    for (name, files) in [
        ("Ab12Cd", &[("index.json", "{\n  \"format\": \"pcl-ind"), ("policy/user.json", "{\n  \"Version\": \"20")][..]),
        ("Ef34Gh", &[("index.json", "{\n  \"fo"), ("role/user_role.json", "{\n")][..]),
        ("Ij56Kl", &[("policy/user.json", "")][..]),
        // killed between the link to the previous file and its move (found by review)
        (
            "Mn78Op",
            &[(".index.json.link", "{\n  \"format\": \"pcl-index/2\""), ("policy/.user.json.link", "{\n  \"V")][..],
        ),
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
        ("notes/out", "cannot create the directory notes/out: ".to_string()),
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

/// A policy named `index` (`policy/index.json`) is a document, not an
/// index: removed with the old tree, it is not what a kept leftover is
/// judged by (a review found such a leftover refused for good).
#[test]
fn a_policy_named_index_is_no_index() {
    let p = Project::new();
    std::fs::write(
        p.root.join("index.pcl"),
        OLD.replace("policy user {", "policy index {").replace("attach user", "attach index"),
    )
    .unwrap();
    std::fs::write(
        p.root.join("index2.pcl"),
        new_source().replace("policy user {", "policy index {").replace("attach user", "attach index"),
    )
    .unwrap();
    assert_eq!(p.build("index.pcl", "out", &[]).status.code(), Some(0));
    assert!(p.out().join("policy/index.json").exists());
    // killed once what stayed is set aside, before its indexes go
    let env = [
        ("PCL_TEST_INTRUDE_AT", "old-tree-audited"),
        ("PCL_TEST_INTRUDER_IN", "policy/notes.json"),
        ("PCL_TEST_FAULT_AT", "set-aside"),
    ];
    let o = p.build("index2.pcl", "out", &env);
    assert_eq!(o.status.code(), None, "the fault hook did not fire: {}", stderr(&o));
    let [kept] = staging_leftovers(&p.root).try_into().unwrap();
    let names: Vec<String> = snapshot(&p.root.join(&kept)).into_iter().map(|(path, _)| path).collect();
    assert_eq!(
        names,
        ["index.json", "policy/", "policy/notes.json", "role/"],
        "the old policy/index.json went with the tree"
    );
    let refused = p.build("index.pcl", "out", &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("holds `policy/notes.json`"), "{}", stderr(&refused));
    std::fs::rename(p.root.join(&kept).join("policy/notes.json"), p.root.join("notes.json")).unwrap();
    assert_eq!(p.build("index.pcl", "out", &[]).status.code(), Some(0));
    assert!(staging_leftovers(&p.root).is_empty());
}

/// An output file edited in place during a build that then swaps its new
/// tree back out: the new tree's copy of an unchanged file is a hard link
/// to it, so the edit shows there too; it is the output's file, not one
/// written into the new tree, and nothing is set aside (a review found a
/// `.pcl-kept-*` left that every later build refused).
#[test]
fn an_output_file_edited_during_a_build_is_not_set_aside() {
    for no_exchange in [false, true] {
        let p = Project::new();
        assert_eq!(p.build("old.pcl", "out", &[]).status.code(), Some(0));
        let mut env = vec![("PCL_TEST_INTRUDE_AT", "staged"), ("PCL_TEST_INTRUDER", "out/role/user_role.json")];
        if no_exchange {
            env.push(("PCL_TEST_NO_EXCHANGE", "1"));
        }
        let o = pcl_in(&p.root, &["build", "old.pcl", "--out", "out", "--set", "scheduler=awsbatch"], &env);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("`role/user_role.json` was changed"), "{}", stderr(&o));
        assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
        let edited = std::fs::read_to_string(p.out().join("role/user_role.json")).unwrap();
        assert_eq!(edited, "written by the user during the build");
    }
}
