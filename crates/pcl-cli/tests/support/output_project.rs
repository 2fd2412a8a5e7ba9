//! A project to build into an output directory (`old.pcl`, `new.pcl`), and
//! what the output-directory tests read of it: a listing of every entry,
//! a build as a process, a refusal checked to change nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::{OLD, stderr};

/// Differs from `OLD` in every file it writes.
pub fn new_source() -> String {
    OLD.replace("ec2:Describe*", "ec2:Get*")
}

pub fn pcl_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcl"));
    cmd.current_dir(cwd).args(args).arg("--color").arg("never");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run pcl")
}

/// `(relative path, content)` of every entry under a directory, sorted.
pub type Listing = Vec<(String, String)>;

/// Every entry under `dir` (files with content, symlinks, directories), sorted.
pub fn snapshot(dir: &Path) -> Listing {
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

pub struct Project {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Project {
    pub fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::write(root.join("old.pcl"), OLD).unwrap();
        std::fs::write(root.join("new.pcl"), new_source()).unwrap();
        Project { _tmp: tmp, root }
    }

    pub fn build(&self, source: &str, out: &str, env: &[(&str, &str)]) -> Output {
        pcl_in(&self.root, &["build", source, "--out", out], env)
    }

    pub fn out(&self) -> PathBuf {
        self.root.join("out")
    }

    /// The listings of `out` after a clean build of `old.pcl` and of `new.pcl`.
    pub fn reference_listings(&self) -> (Listing, Listing) {
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
pub fn assert_refused(p: &Project, source: &str, out: &str, needle: &str) {
    let dir = p.root.join(out);
    let before = snapshot(&p.root);
    let o = p.build(source, out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing to replace") && err.contains(needle), "expected `{needle}` in: {err}");
    assert_eq!(snapshot(&p.root), before, "a refused build changed {}", dir.display());
}
