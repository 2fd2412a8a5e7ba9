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
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "it exists and is not a directory",
        ));
    }
    let staging = tempfile::Builder::new()
        .prefix(".pcl-build-")
        .tempdir_in(&parent)?;
    for (rel, contents) in files {
        let path = staging.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&path, contents)?;
    }
    let staged = staging.keep();
    if dir.exists() {
        let backup = tempfile::Builder::new()
            .prefix(".pcl-old-")
            .tempdir_in(&parent)?
            .keep();
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
