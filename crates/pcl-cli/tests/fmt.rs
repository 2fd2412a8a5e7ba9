//! End-to-end tests of `pcl fmt`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use std::process::Command;
use support::*;

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

/// Found by review: `pcl fmt` on a FIFO read it, then waited for ever to
/// read it again; it is refused (exit 2), and stays a FIFO. A later review
/// found it waiting for a writer to read it the first time: it is refused
/// before it is read. (Should that come back, the test feeds the FIFO after
/// a while so that it fails instead of hanging.)
#[test]
fn fmt_refuses_to_replace_a_fifo() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("p.pcl");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["fmt", fifo.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            pipe.write_all(b"policy p { allow { action s3:GetObject; resource \"*\"; } }\n").unwrap();
            drop(pipe);
            let _ = child.kill();
            panic!("pcl fmt waited on the FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file; format it through standard input"), "{}", stderr(&o));
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&std::fs::metadata(&fifo).unwrap().file_type()));
}

/// A file with an extended attribute (an ACL is one): `pcl fmt` and `pcl
/// check --fix` rewrite it in place, so it keeps its attributes (a file
/// renamed into its place had none) and its inode, with no backup left.
#[cfg(target_os = "linux")]
#[test]
#[allow(clippy::print_stderr, reason = "says why it skipped")]
fn a_file_with_extended_attributes_keeps_them() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let path =
        write(tmp.path(), "p.pcl", "policy p{\nallow { action [s3:GetObject, s3:GetObject] ;resource \"*\"; }\n}\n");
    let (name, value) = ("user.pcl-test", b"kept".as_slice());
    match rustix::fs::setxattr(&path, name, value, rustix::fs::XattrFlags::empty()) {
        Ok(()) => {}
        // a file system without user attributes: nothing to keep there
        Err(e) if e == rustix::io::Errno::NOTSUP || e == rustix::io::Errno::PERM => {
            eprintln!("skipped: no user extended attributes here ({e})");
            return;
        }
        Err(e) => panic!("setxattr: {e}"),
    }
    let inode = std::fs::metadata(&path).unwrap().ino();
    let attribute = |path: &std::path::Path| {
        let mut buffer = vec![0; 64];
        let len = rustix::fs::getxattr(path, name, &mut buffer[..]).unwrap();
        buffer.truncate(len);
        buffer
    };
    for (args, want) in [
        (&["fmt"][..], "policy p {\n    allow { action [s3:GetObject, s3:GetObject]; resource \"*\"; }\n}\n"),
        (
            &["check", "--fix", "--color", "never"][..],
            "policy p {\n    allow { action [s3:GetObject]; resource \"*\"; }\n}\n",
        ),
    ] {
        let run = pcl(&[args, &[path.to_str().unwrap()]].concat());
        assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), want, "{args:?}");
        assert_eq!(attribute(&path), value, "{args:?}");
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode, "{args:?}");
        assert_eq!(listing(tmp.path()).len(), 1, "no backup left: {:?}", listing(tmp.path()));
    }
}

/// A file with two names (a hard link): `pcl fmt` and `pcl check --fix`
/// rewrite it in place, so that both names see the new text (a rename
/// would leave the other with the old), its inode and mode kept, and no
/// backup left beside it; a shorter text leaves no tail of the old.
#[test]
fn a_hard_linked_file_is_rewritten_in_place() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let messy = "policy p{\nallow { action s3:GetObject ;resource \"*\"; }   \n\n\n\n\n}\n";
    let laid_out = "policy p {\n    allow { action s3:GetObject; resource \"*\"; }\n}\n";
    let path = write(tmp.path(), "p.pcl", messy);
    let other = tmp.path().join("other-name.pcl");
    std::fs::hard_link(&path, &other).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();

    let fmt = pcl(&["fmt", path.to_str().unwrap()]);
    assert_eq!(fmt.status.code(), Some(0), "{}", stderr(&fmt));
    for name in [&path, &other] {
        assert_eq!(std::fs::read_to_string(name).unwrap(), laid_out, "{}", name.display());
        let metadata = std::fs::metadata(name).unwrap();
        assert_eq!((metadata.ino(), metadata.nlink()), (inode, 2));
    }
    assert_eq!(listing(tmp.path()).len(), 2, "no backup left: {:?}", listing(tmp.path()));

    // `--fix` through the other name
    std::fs::write(&path, "policy p { allow { action [s3:GetObject, s3:GetObject]; resource \"*\"; } }\n").unwrap();
    let fixed = pcl(&["check", other.to_str().unwrap(), "--fix", "--color", "never"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    let want = "policy p { allow { action [s3:GetObject]; resource \"*\"; } }\n";
    assert_eq!(std::fs::read_to_string(&path).unwrap(), want);
    assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode);
    assert_eq!(listing(tmp.path()).len(), 2, "no backup left: {:?}", listing(tmp.path()));
}
