//! Writes a directory atomically: render into a temporary sibling, then swap
//! it in with renames, so a failure leaves the previous content untouched.

use std::io;
use std::path::Path;

pub fn replace_dir(dir: &Path, files: &[(String, String)]) -> io::Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    if dir.exists() && !dir.is_dir() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, "it exists and is not a directory"));
    }
    refuse_foreign_content(dir, files)?;
    let staging = tempfile::Builder::new().prefix(".pcl-build-").tempdir_in(&parent)?;
    for (rel, contents) in files {
        let path = staging.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, contents)?;
    }
    let staged = staging.keep();
    if dir.exists() {
        let backup = tempfile::Builder::new().prefix(".pcl-old-").tempdir_in(&parent)?.keep();
        std::fs::remove_dir(&backup)?;
        std::fs::rename(dir, &backup)?;
        if let Err(e) = std::fs::rename(&staged, dir) {
            // put the old content back before reporting
            let _ = std::fs::rename(&backup, dir);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        std::fs::remove_dir_all(&backup)?;
    } else if let Err(e) = std::fs::rename(&staged, dir) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    Ok(())
}

/// The directory is replaced as a whole, so it may only hold what a build
/// writes at its top level: `--out .` or `--out src` must never delete work.
fn refuse_foreign_content(dir: &Path, files: &[(String, String)]) -> io::Result<()> {
    let ours: std::collections::BTreeSet<&str> = files.iter().filter_map(|(rel, _)| rel.split('/').next()).collect();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !ours.contains(name.as_str()) {
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
