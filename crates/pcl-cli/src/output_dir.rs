//! Writes a directory atomically: render into a temporary sibling, then swap
//! it in with renames, so a failure leaves the previous content untouched.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

/// Replaces `dir` by a directory holding exactly `files` (relative,
/// `/`-separated paths). `ours` names the top-level entries a build of this
/// kind may write, beyond those in `files`; anything else already in `dir`
/// makes it refuse, so that `--out .` or `--out src` can never delete work.
pub fn replace_dir(dir: &Path, files: &[(String, String)], ours: &[&str]) -> io::Result<()> {
    let exists = dir.exists();
    if exists && !dir.is_dir() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, "it exists and is not a directory"));
    }
    let mut allowed: BTreeSet<&str> = files.iter().filter_map(|(rel, _)| rel.split('/').next()).collect();
    allowed.extend(ours);
    if exists {
        refuse_foreign_content(dir, &allowed)?;
    }
    // `.` or `a/..` cannot be renamed: work on the real path.
    let dir = if exists { dir.canonicalize()? } else { dir.to_path_buf() };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        Some(_) => std::path::PathBuf::from("."),
        None => return Err(io::Error::new(io::ErrorKind::InvalidInput, "cannot replace the root directory")),
    };
    std::fs::create_dir_all(&parent)?;
    // Removed on drop, so every early return below cleans up after itself.
    let staging = tempfile::Builder::new().prefix(".pcl-build-").tempdir_in(&parent)?;
    for (rel, contents) in files {
        let path = staging.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, contents)?;
    }
    if !exists {
        return std::fs::rename(staging.path(), &dir);
    }
    let backup_guard = tempfile::Builder::new().prefix(".pcl-old-").tempdir_in(&parent)?;
    let backup = backup_guard.path().to_path_buf();
    // rename needs a free target name; the guard's (empty) directory goes
    std::fs::remove_dir(&backup)?;
    std::fs::rename(&dir, &backup)?;
    if let Err(e) = std::fs::rename(staging.path(), &dir) {
        // Never let the guard delete the old content: put it back, and if
        // even that fails, leave it where it is.
        let _ = backup_guard.keep();
        std::fs::rename(&backup, &dir)?;
        return Err(e);
    }
    // The new content is in place; the guard removes the old one on drop
    // (best effort: a leftover `.pcl-old-*` directory loses nothing).
    drop(backup_guard);
    Ok(())
}

fn refuse_foreign_content(dir: &Path, allowed: &BTreeSet<&str>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !allowed.contains(name.as_str()) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "refusing to replace it: it holds `{name}`, which pcl does not write; remove it or choose another directory"
                ),
            ));
        }
    }
    Ok(())
}
