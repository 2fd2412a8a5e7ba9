//! What the `pcl` binary's end-to-end tests share: a source that checks
//! cleanly, running the binary, and reading what it left in a directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A smaller source that checks cleanly: the build a test then replaces.
pub const OLD: &str = r#"
param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature scheduler: enum { slurm, awsbatch } = slurm;
policy user {
    allow "EC2Read" { action ec2:Describe*; resource "*"; }
    allow "Batch" when scheduler == awsbatch { action "batch:*"; resource "*"; }
}
role user_role { path "/"; trust service ["ec2.amazonaws.com"]; attach user; }
"#;

pub const GOOD: &str = r#"
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

pub fn pcl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcl")).args(args).env_remove("NO_COLOR").output().expect("run pcl")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir`, with its bytes, sorted.
pub fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
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

/// The names in `dir` a build leaves beside its output while it works
/// (`.pcl-build-*`, `.pcl-old-*`), sorted: none once it is done.
pub fn staging_leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pcl-"))
        .collect();
    names.sort();
    names
}
