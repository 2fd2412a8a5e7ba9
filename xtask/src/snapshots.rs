//! `cargo xtask snapshots`: accept new and changed insta snapshots into the
//! working tree for review with git, without installing `cargo-insta`.
//!
//! It runs the test suite with `INSTA_UPDATE=always INSTA_FORCE_PASS=1`, so
//! every snapshot assertion writes what the code produces today, then lists
//! the snapshot files that differ from the last commit. Nothing is
//! committed: the maintainer reviews `git diff` and commits what is right.

use std::path::Path;
use std::process::Command;

#[derive(clap::Args)]
#[command(
    about = "Write every new or changed snapshot into the working tree, then list them for review",
    after_help = "Review with `git diff -- '*.snap'`; keep with `git add`, discard with `git checkout -- '*.snap'`.\nCI never writes snapshots: it runs the tests with INSTA_UPDATE=no."
)]
pub struct Args {
    /// Only this test target of the suite (e.g. `diagnostics`); default: the whole workspace.
    #[arg(long)]
    pub test: Option<String>,
}

pub fn run(args: &Args, root: &Path) -> u8 {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut test = Command::new(&cargo);
    test.current_dir(root).args(["test", "--locked", "--quiet"]);
    match &args.test {
        Some(target) => test.args(["-p", "pcl-suite", "--test", target]),
        None => test.arg("--workspace"),
    };
    test.env("INSTA_UPDATE", "always").env("INSTA_FORCE_PASS", "1");
    let tests_passed = match test.status() {
        Ok(status) => status.success(),
        Err(e) => {
            eprintln!("error: cannot run `{cargo} test`: {e}");
            return crate::EXIT_USAGE;
        }
    };
    let changed = match Command::new("git")
        .current_dir(root)
        .args(["status", "--porcelain", "--untracked-files=all", "--", "*.snap"])
        .output()
    {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => {
            eprintln!("error: `git status` failed; review the snapshot files under tests/snapshots by hand");
            return crate::EXIT_USAGE;
        }
    };
    if changed.trim().is_empty() {
        eprintln!("snapshots: every snapshot is what the code produces");
    } else {
        eprintln!("snapshots: new or changed (not committed):\n{changed}");
        eprintln!("review: git diff -- '*.snap'   (new files: git status)");
        eprintln!("keep:   git add -- '*.snap'    discard: git checkout -- '*.snap'");
    }
    if tests_passed {
        crate::EXIT_OK
    } else {
        eprintln!("error: tests other than snapshot assertions failed (see above)");
        crate::EXIT_ERRORS
    }
}
