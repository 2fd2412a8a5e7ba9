//! `cargo xtask gen-corpus --out FILE` replaces only a file it wrote, and
//! whole: a user's file at that path is refused and left as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;
use std::process::{Command, Output};

fn gen_corpus(dir: &Path, out: &str, size: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(dir)
        .args(["gen-corpus", "--size", size, "--out", out])
        .output()
        .unwrap()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_users_file_is_refused_and_a_generated_one_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("mine.pcl"), "my precious\n").unwrap();
    let refused = gen_corpus(tmp.path(), "mine.pcl", "2KB");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to replace mine.pcl"));
    assert_eq!(std::fs::read_to_string(tmp.path().join("mine.pcl")).unwrap(), "my precious\n");

    let first = gen_corpus(tmp.path(), "corpus.pcl", "2KB");
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let small = std::fs::read_to_string(tmp.path().join("corpus.pcl")).unwrap();
    assert!(small.starts_with(pcl_corpus::GENERATED_HEAD));
    let second = gen_corpus(tmp.path(), "corpus.pcl", "4KB");
    assert_eq!(second.status.code(), Some(0), "{}", String::from_utf8_lossy(&second.stderr));
    let larger = std::fs::read_to_string(tmp.path().join("corpus.pcl")).unwrap();
    assert!(larger.len() > small.len());
    // nothing left beside them
    assert_eq!(names(tmp.path()), ["corpus.pcl", "mine.pcl"]);
}

/// A symlink is followed (the link stays a link), and the replaced file's
/// mode is kept (a second review found the link replaced by a file, and a
/// 0600 file made 0644).
#[cfg(unix)]
#[test]
fn a_link_is_followed_and_a_mode_kept() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    assert!(gen_corpus(tmp.path(), "target.pcl", "2KB").status.success());
    // (0666: bits the umask would take off a new file)
    std::fs::set_permissions(tmp.path().join("target.pcl"), std::fs::Permissions::from_mode(0o666)).unwrap();
    std::os::unix::fs::symlink("target.pcl", tmp.path().join("link.pcl")).unwrap();
    let o = gen_corpus(tmp.path(), "link.pcl", "4KB");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::symlink_metadata(tmp.path().join("link.pcl")).unwrap().file_type().is_symlink());
    let target = std::fs::metadata(tmp.path().join("target.pcl")).unwrap();
    assert!(target.len() > 3_000);
    assert_eq!(target.permissions().mode() & 0o777, 0o666);
    assert_eq!(names(tmp.path()), ["link.pcl", "target.pcl"]);
}
