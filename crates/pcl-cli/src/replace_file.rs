//! A source file rewritten in place (`pcl fmt`, `pcl check --fix`): never
//! left half written, and never over an edit saved meanwhile.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Replaces the file at `path`, which held `read`, by `text`: written beside
/// it, with its permissions, owner and group, then renamed over it (a crash
/// leaves the old file or the new one, whole), unless the file no longer
/// holds `read` (an editor saved it meanwhile: that save is kept; a save in
/// the instant between that last look and the rename is not seen). Its
/// ACLs and extended attributes are not carried over. A file with other
/// hard links is rewritten in place instead, after a backup beside it
/// (`rewrite_linked`): a rename would leave the other names with the old
/// text. A symlink is followed: the
/// file it names is replaced, the link stays. A read-only file is left alone
/// (a rename would replace it all the same). `command` is what the user
/// runs again when the file changed meanwhile; `not_a_file`, what the
/// message of a FIFO or device adds.
pub fn replace(path: &Path, (read, text): (&str, &str), command: &str, not_a_file: &str) -> std::io::Result<()> {
    let real = path.canonicalize()?;
    let path = real.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let metadata = std::fs::metadata(path)?;
    // a FIFO or a device cannot be read again to see that it held `read`,
    // nor replaced by a rename without turning it into a file (found by
    // review: the second read of a FIFO waited for ever)
    if !metadata.is_file() {
        return Err(std::io::Error::other(format!("it is not a regular file{not_a_file}")));
    }
    let permissions = metadata.permissions();
    if permissions.readonly() {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "it is read-only"));
    }
    // the mode bits say nothing of who may write: a file this user may not
    // write is not replaced either (the rename needs the directory only)
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
        return Err(std::io::Error::new(e.kind(), format!("it is not writable: {e}")));
    }
    if has_other_links(&metadata) {
        return rewrite_linked(path, dir, (read, text), command);
    }
    let mut aside = tempfile::Builder::new().prefix(".pcl-rewrite-").tempfile_in(dir)?;
    aside.write_all(text.as_bytes())?;
    aside.as_file().sync_all()?;
    // the owner first: a change of owner clears the set-id bits
    keep_owner(aside.as_file(), &metadata)?;
    aside.as_file().set_permissions(permissions)?;
    if std::fs::read(path)? != read.as_bytes() {
        return Err(std::io::Error::other(format!("it changed while pcl was rewriting it; run {command} again")));
    }
    aside.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file with other hard links, rewritten in place (as gofmt does): its
/// old text first written to a backup beside it (`.pcl-backup-*`), then the
/// new text over the old, and the backup removed. Every name of the file
/// sees the new text, and the file keeps its inode, so its mode, owner,
/// ACLs and extended attributes too. A write that fails puts the old text
/// back; a process killed while writing leaves the backup, whole, beside
/// the file (which may then be cut short).
fn rewrite_linked(path: &Path, dir: &Path, (read, text): (&str, &str), command: &str) -> std::io::Result<()> {
    let mut backup = tempfile::Builder::new().prefix(".pcl-backup-").tempfile_in(dir)?;
    backup.write_all(read.as_bytes())?;
    backup.as_file().sync_all()?;
    let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    let mut now = Vec::new();
    file.read_to_end(&mut now)?;
    if now != read.as_bytes() {
        return Err(std::io::Error::other(format!("it changed while pcl was rewriting it; run {command} again")));
    }
    // the new text over the old, then cut to its length: the file is never
    // empty on the way, and a shorter text leaves no tail
    let overwrite = |file: &mut std::fs::File, with: &str| -> std::io::Result<()> {
        file.seek(SeekFrom::Start(0))?;
        file.write_all(with.as_bytes())?;
        file.set_len(with.len() as u64)?;
        file.sync_all()
    };
    let Err(failed) = overwrite(&mut file, text) else { return Ok(()) };
    if overwrite(&mut file, read).is_ok() {
        return Err(failed);
    }
    let (_, kept) = backup.keep().map_err(|e| e.error)?;
    Err(std::io::Error::other(format!("{failed}; it may be left cut short: its old text is in {}", kept.display())))
}

/// Whether the file has names other than the one being rewritten.
#[cfg(unix)]
fn has_other_links(metadata: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(metadata) > 1
}

#[cfg(not(unix))]
fn has_other_links(_: &std::fs::Metadata) -> bool {
    false
}

/// The new file given the old one's owner and group, when they are not the
/// process's (root fixing another user's file); a process that may not give
/// them (another user's group-writable file) writes nothing rather than
/// take the file over.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))
        .map_err(|e| std::io::Error::new(e.kind(), format!("its owner and group could not be kept ({e})")))
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}
