//! Ctrl-C (SIGINT) or SIGTERM during `pcl build`: before the build changes
//! anything on disk (its analysis, an audit that only reads), the process
//! ends at once, says that nothing was written and exits with 128 + the
//! signal's number. A build that has begun to change the file system stops
//! at its next safe point, removes what it made (its staging directory, the
//! parents it made), leaves the previous output byte for byte as it was,
//! says so in one line and exits the same way. Interrupted after its swap,
//! it finishes (its output is the new one, whole). Commands that write no
//! output end by the signal itself, as they always did.
//!
//! The build is paused at a step by the debug-only hook
//! `PCL_TEST_PAUSE_AT=<step>` (it creates `PCL_TEST_PAUSED`, then waits for
//! a signal; before any change it waits on, as a long analysis would), and
//! the signal is sent with `kill`.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use std::io::BufRead;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{OLD, listing, staging_leftovers, stderr};

/// A project: `old.pcl`, and `new.pcl`, which differs in every file it writes.
struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// Where the paused build says it is paused (outside `root`, which the
    /// tests compare).
    paused: PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap().join("project");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("old.pcl"), OLD).unwrap();
        std::fs::write(root.join("new.pcl"), OLD.replace("ec2:Describe*", "ec2:Get*")).unwrap();
        let paused = tmp.path().join("paused");
        Project { _tmp: tmp, root, paused }
    }

    fn build(&self, source: &str, out: &str) -> Output {
        let o = self.command(source, out).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o
    }

    fn command(&self, source: &str, out: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcl"));
        cmd.current_dir(&self.root).args(["build", source, "--out", out, "--color", "never"]);
        cmd
    }

    /// `pcl build source --out out`, paused at `step` once it got there.
    fn paused_build(&self, source: &str, out: &str, step: &str) -> Child {
        self.paused(self.command(source, out), step)
    }

    /// `command` run, paused at `step` once it got there.
    fn paused(&self, mut command: Command, step: &str) -> Child {
        let _ = std::fs::remove_file(&self.paused);
        let mut child = command
            .env("PCL_TEST_PAUSE_AT", step)
            .env("PCL_TEST_PAUSED", &self.paused)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !self.paused.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{command:?} ended ({status}) before it paused at `{step}`");
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{command:?} never paused at `{step}`");
            std::thread::sleep(Duration::from_millis(10));
        }
        child
    }
}

/// Sends `signal` (`INT`, `TERM`) to `child`, as a user or a CI runner does.
fn kill(signal: &str, child: &Child) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
}

/// What `child` did, once it ended (a test failure if it does not end).
fn ended(mut child: Child) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the process did not end after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Mid-staging (after the first file, and once every file is staged): the
/// staging directory is removed, the old output is byte for byte as it was,
/// and the exit code is 130 for SIGINT, 143 for SIGTERM.
#[test]
fn an_interrupted_build_removes_its_staging_and_keeps_the_old_output() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        for step in ["writing", "staged"] {
            let p = Project::new();
            p.build("old.pcl", "out");
            let before = listing(&p.root);
            let child = p.paused_build("new.pcl", "out", step);
            assert_eq!(staging_leftovers(&p.root).len(), 1, "{step}: the build has staged something");
            kill(signal, &child);
            let o = ended(child);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(code), "SIG{signal} at `{step}`: {err}");
            let note = format!("interrupted by SIG{signal}: nothing written to out; its previous content is kept\n");
            assert!(err.ends_with(&note), "SIG{signal} at `{step}`: {err}");
            assert_eq!(err.matches("interrupted").count(), 1, "one line: {err}");
            assert!(staging_leftovers(&p.root).is_empty(), "SIG{signal} at `{step}`: {:?}", staging_leftovers(&p.root));
            assert_eq!(listing(&p.root), before, "SIG{signal} at `{step}`: the project changed");
            // and the next build writes as ever
            p.build("new.pcl", "out");
        }
    }
}

/// A build started with SIGINT ignored (`nohup`, a script's background
/// job) keeps it ignored: a Ctrl-C meant for the calling script does not
/// stop it (a review found `build-policies ... &` stopped by one). SIGTERM,
/// not ignored, still stops it.
#[test]
fn a_signal_the_build_was_started_ignoring_stays_ignored() {
    let p = Project::new();
    p.build("old.pcl", "out");
    let before = listing(&p.root);
    let mut ignoring = Command::new("sh");
    ignoring.current_dir(&p.root).args(["-c", "trap '' INT; exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_pcl")]);
    ignoring.args(["build", "new.pcl", "--out", "out", "--color", "never"]);
    let child = p.paused(ignoring, "writing");
    kill("INT", &child);
    std::thread::sleep(Duration::from_millis(200));
    assert!(p.paused.exists());
    kill("TERM", &child);
    let o = ended(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted by SIGTERM") && !err.contains("SIGINT"), "{err}");
    assert_eq!(listing(&p.root), before);
}

/// A build into a directory whose parents it made removes them too: the
/// project is as it was.
#[test]
fn an_interrupted_build_removes_the_parents_it_made() {
    let p = Project::new();
    let before = listing(&p.root);
    let child = p.paused_build("old.pcl", "made/for/out", "writing");
    assert!(p.root.join("made/for").is_dir());
    kill("INT", &child);
    let o = ended(child);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).ends_with("interrupted by SIGINT: nothing written to made/for/out\n"), "{}", stderr(&o));
    assert!(!p.root.join("made").exists());
    assert_eq!(listing(&p.root), before);
}

/// Once the new tree is swapped in, the build finishes (it removes the old
/// tree) before it stops: the output is the new one, whole, and nothing is
/// left beside it.
#[test]
fn a_build_interrupted_after_its_swap_finishes() {
    let p = Project::new();
    p.build("new.pcl", "reference");
    p.build("old.pcl", "out");
    let child = p.paused_build("new.pcl", "out", "swapped");
    kill("INT", &child);
    let o = ended(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("wrote ") && err.contains(" files to out\n"), "{err}");
    let note = "interrupted by SIGINT: the build was done before it could stop: out holds its output\n";
    assert!(err.ends_with(note), "{err}");
    assert_eq!(listing(&p.root.join("out")), listing(&p.root.join("reference")));
    assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
}

/// A build waiting for another build's lock stops too (a waiting `flock`
/// is restarted after a signal's handler: the build asks for the lock again
/// and again instead), having changed nothing.
#[test]
fn a_build_waiting_for_the_lock_stops() {
    let p = Project::new();
    p.build("old.pcl", "out");
    let before = listing(&p.root);
    let held = std::fs::File::open(&p.root).unwrap();
    held.lock().unwrap();
    let mut child = p.command("new.pcl", "out").stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let waiting = lines.by_ref().map_while(Result::ok).find(|line| line.starts_with("waiting: another build"));
    assert!(waiting.is_some(), "the build did not wait for the lock");
    kill("INT", &child);
    let status = {
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("the build waiting for the lock did not stop");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert_eq!(rest, ["interrupted by SIGINT: nothing written to out; its previous content is kept"]);
    drop(held);
    assert_eq!(listing(&p.root), before);
}

/// How long a paused build waits (`PAUSE_FOR` in `fault.rs`): a build that
/// ends well before it did not wait for its work to reach a safe point.
const PAUSED_FOR: Duration = Duration::from_secs(60);

/// Before a build changes anything (paused once the source is read and
/// parsed, and where it audits the output beside the analysis, only
/// reading), a signal ends it at once, without waiting for the paused work
/// (which stands for a long analysis and never looks at the signal): one
/// line says nothing was written, the exit code is 130 or 143, and the
/// project is byte for byte as it was.
#[test]
fn a_signal_before_any_change_ends_the_build_at_once() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        for step in ["loaded", "locked"] {
            let p = Project::new();
            p.build("old.pcl", "out");
            let before = listing(&p.root);
            let child = p.paused_build("new.pcl", "out", step);
            let sent = Instant::now();
            kill(signal, &child);
            let o = ended(child);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(code), "SIG{signal} at `{step}`: {:?}: {err}", o.status);
            assert!(sent.elapsed() < PAUSED_FOR / 4, "SIG{signal} at `{step}`: waited {:?}", sent.elapsed());
            let note = format!("interrupted by SIG{signal}: nothing written to out; its previous content is kept\n");
            assert!(err.ends_with(&note), "SIG{signal} at `{step}`: {err}");
            assert_eq!(err.matches("interrupted").count(), 1, "one line: {err}");
            assert_eq!(listing(&p.root), before, "SIG{signal} at `{step}`: the project changed");
            assert!(staging_leftovers(&p.root).is_empty(), "{:?}", staging_leftovers(&p.root));
        }
    }
}

/// A build into a directory that does not exist yet, its parents missing
/// too, stopped before any change: nothing is made.
#[test]
fn a_signal_before_any_change_makes_nothing() {
    let p = Project::new();
    let before = listing(&p.root);
    let child = p.paused_build("old.pcl", "made/for/out", "loaded");
    kill("TERM", &child);
    let o = ended(child);
    assert_eq!(o.status.code(), Some(143), "{:?}: {}", o.status, stderr(&o));
    assert_eq!(stderr(&o), "interrupted by SIGTERM: nothing written to made/for/out\n");
    assert!(!p.root.join("made").exists());
    assert_eq!(listing(&p.root), before);
}

/// Commands that write no output (`pcl check`, `pcl lsp`) keep the
/// default action: the signal itself ends them (a shell reports 130), which
/// also lets a calling script stop.
#[test]
fn a_command_that_writes_nothing_ends_by_the_signal() {
    let p = Project::new();
    let _ = std::fs::remove_file(&p.paused);
    let mut check = Command::new(env!("CARGO_BIN_EXE_pcl"));
    check.current_dir(&p.root).args(["check", "old.pcl"]).env("PCL_TEST_PAUSE_AT", "loaded");
    let check = check.env("PCL_TEST_PAUSED", &p.paused).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while !p.paused.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the check never paused");
        std::thread::sleep(Duration::from_millis(10));
    }
    kill("INT", &check);
    let o = ended(check);
    assert_eq!(o.status.signal(), Some(2), "{:?}: {}", o.status, stderr(&o));

    let lsp = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // (the server waits for its client on stdin, which stays open)
    std::thread::sleep(Duration::from_millis(100));
    kill("INT", &lsp);
    let o = ended(lsp);
    assert_eq!(o.status.signal(), Some(2), "{:?}: {}", o.status, stderr(&o));
}

/// Ctrl-C or SIGTERM while `pcl fmt` or `pcl check --fix` writes the file
/// (beside it, to be renamed over it; or in place, for a hard-linked file)
/// waits for the write: the file is rewritten whole, nothing is left beside
/// it, what was done is said, and then the signal ends the process. (A
/// review found each such signal leaving a half-written `.pcl-rewrite-*`,
/// and the in-place rewrite saying nothing of what it had done.)
#[test]
fn a_signal_during_a_rewrite_waits_for_it() {
    let unformatted = "policy p {\nallow { action [s3:GetObject, s3:GetObject]; resource \"*\"; }\n}\n";
    let cases: [(&[&str], &str, &str); 2] = [
        (&["fmt"], "formatted", "policy p {\n    allow { action [s3:GetObject, s3:GetObject]; resource \"*\"; }\n}\n"),
        (
            &["check", "--fix"],
            "applied 1 suggested fix",
            "policy p {\nallow { action [s3:GetObject]; resource \"*\"; }\n}\n",
        ),
    ];
    for (signal, number) in [("INT", 2), ("TERM", 15)] {
        for (command, says, rewritten) in cases {
            for linked in [false, true] {
                let p = Project::new();
                let file = p.root.join("p.pcl");
                std::fs::write(&file, unformatted).unwrap();
                if linked {
                    std::fs::hard_link(&file, p.root.join("link.pcl")).unwrap();
                }
                let mut fix = Command::new(env!("CARGO_BIN_EXE_pcl"));
                fix.current_dir(&p.root).args(command).args(["p.pcl", "--color", "never"]);
                let child = p.paused(fix, "rewriting");
                kill(signal, &child);
                let o = ended(child);
                let case = format!("SIG{signal}, {command:?}, linked: {linked}");
                assert_eq!(o.status.signal(), Some(number), "{case}: {:?} {}", o.status, stderr(&o));
                assert!(stderr(&o).contains(says), "{case}: {}", stderr(&o));
                assert_eq!(std::fs::read_to_string(&file).unwrap(), rewritten, "{case}");
                let mut names: Vec<String> = std::fs::read_dir(&p.root)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect();
                names.sort();
                let expected: &[&str] = if linked {
                    &["link.pcl", "new.pcl", "old.pcl", "p.pcl"]
                } else {
                    &["new.pcl", "old.pcl", "p.pcl"]
                };
                assert_eq!(names, expected, "{case}: nothing left beside the file");
            }
        }
    }
}

/// A build whose old tree changed during the build swaps it back, and
/// removes the new tree: only what pcl wrote in it. A file written into the
/// new tree while it was the output is set aside and named by the next
/// build (a review found it removed with the new tree). The build is
/// paused right after its swap; the signal only ends the pause (after the
/// swap a build finishes).
#[test]
fn a_tree_swapped_back_keeps_what_was_written_into_it() {
    let p = Project::new();
    p.build("old.pcl", "out");
    let child = p.paused_build("new.pcl", "out", "swapped");
    let [old_tree] = staging_leftovers(&p.root).try_into().unwrap();
    std::fs::write(p.root.join(&old_tree).join("policy/first-notes.json"), "{\"mine\": 1}").unwrap();
    std::fs::write(p.root.join("out/policy/second-notes.json"), "{\"mine\": 2}").unwrap();
    kill("INT", &child);
    let o = ended(child);
    // (the signal's exit code, as the build stopped)
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("it holds `policy/first-notes.json`"), "{}", stderr(&o));
    assert!(p.root.join("out/policy/first-notes.json").exists(), "the old tree is back");
    let [kept] = staging_leftovers(&p.root).try_into().unwrap();
    assert!(kept.starts_with(".pcl-kept-out-"), "{kept}");
    let names: Vec<String> = listing(&p.root.join(&kept)).into_iter().map(|(path, _)| path).collect();
    assert_eq!(names, ["policy/second-notes.json"]);
    let next = p.command("old.pcl", "out").output().unwrap();
    assert_eq!(next.status.code(), Some(2), "{}", stderr(&next));
    assert!(
        stderr(&next).contains(&format!("`{kept}` beside it holds `policy/second-notes.json`")),
        "{}",
        stderr(&next)
    );
}
