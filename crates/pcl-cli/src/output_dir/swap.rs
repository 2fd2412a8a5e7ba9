//! The file-system steps of a replacement: the lock that serialises builds
//! into one place, the leftovers of interrupted builds, and the atomic swap.
//!
//! On Linux the new directory is swapped in with `renameat2(RENAME_EXCHANGE)`:
//! at every instant the output path names either the complete old tree or the
//! complete new one. Elsewhere (or on a file system without the exchange) it
//! is two renames, and between them the output path is briefly absent; the
//! old tree is then whole under `.pcl-old-<name>-*`, and the next build puts
//! it back before doing anything else.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Random characters after a leftover's prefix (tempfile's suffix).
const SUFFIX_LEN: usize = 6;

/// A temporary sibling named `prefix` + `SUFFIX_LEN` random characters.
pub fn sibling(prefix: &str, parent: &Path) -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(prefix).rand_bytes(SUFFIX_LEN).tempdir_in(parent)
}

/// Whether `entry` is a sibling made with `prefix`, and no other: the
/// staging directory of `a` must not be taken for that of `a-b`
/// (`.pcl-build-a-` is a prefix of `.pcl-build-a-b-Xy12Zq`).
fn made_with(entry: &str, prefix: &str) -> bool {
    entry
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == SUFFIX_LEN && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Prefix of the staging directory of a build into `name`; after an exchange
/// it holds the old tree until that is removed.
pub fn staging_prefix(name: &OsStr) -> String {
    format!(".pcl-build-{}-", tag(name))
}

/// How a leftover names its output: the name itself, or for a name so long
/// that the leftover's would pass the file system's limit (255 bytes), a
/// digest of it.
fn tag(name: &OsStr) -> String {
    let name = name.to_string_lossy();
    if name.len() <= 200 {
        return name.into_owned();
    }
    let digest = pcl_codegen::sha256_hex(name.as_bytes());
    format!("~{}", digest.get(..24).unwrap_or(&digest))
}

/// Prefix of the directory the old tree is moved to when no exchange is
/// possible.
pub fn backup_prefix(name: &OsStr) -> String {
    format!(".pcl-old-{}-", tag(name))
}

/// Holds an exclusive lock on `parent` (an advisory `flock`, released when
/// the value is dropped or the process dies), so that two builds into the
/// same place run one after the other. `on_wait` runs if the lock is taken.
pub struct ParentLock {
    _file: Option<File>,
}

impl ParentLock {
    #[cfg(unix)]
    pub fn acquire(parent: &Path, on_wait: &mut dyn FnMut()) -> io::Result<ParentLock> {
        if let Some(lock) = ParentLock::try_acquire(parent)? {
            return Ok(lock);
        }
        on_wait();
        let file = File::open(parent)?;
        file.lock()?;
        Ok(ParentLock { _file: Some(file) })
    }

    /// A directory cannot be opened as a file here: builds are not serialised
    /// (documented in docs/architecture.md).
    #[cfg(not(unix))]
    pub fn acquire(_parent: &Path, _on_wait: &mut dyn FnMut()) -> io::Result<ParentLock> {
        Ok(ParentLock { _file: None })
    }

    /// Whether the directory locked is still the one at `parent`: a failed
    /// build removes the parents it made once it releases the lock, so a
    /// build that waited for it may hold the lock of a directory gone.
    #[cfg(unix)]
    pub fn still_at(&self, parent: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Some(file) = &self._file else { return true };
        match (file.metadata(), std::fs::metadata(parent)) {
            (Ok(locked), Ok(there)) => locked.dev() == there.dev() && locked.ino() == there.ino(),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    pub fn still_at(&self, _parent: &Path) -> bool {
        true
    }

    /// The lock if no one holds it, `None` (without waiting) if someone does.
    #[cfg(unix)]
    pub fn try_acquire(parent: &Path) -> io::Result<Option<ParentLock>> {
        let file = File::open(parent)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ParentLock { _file: Some(file) })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    #[cfg(not(unix))]
    pub fn try_acquire(_parent: &Path) -> io::Result<Option<ParentLock>> {
        Ok(Some(ParentLock { _file: None }))
    }
}

/// Whether interrupted builds into `parent/name` left anything behind
/// (what `recover_leftovers` would restore or remove).
pub fn has_leftovers(parent: &Path, name: &OsStr) -> io::Result<bool> {
    let (staged, backups) = leftovers(parent, name)?;
    Ok(!staged.is_empty() || !backups.is_empty())
}

/// Restores or removes what interrupted builds into `parent/name` left
/// behind. Runs under the lock, so no running build owns them. If the
/// output is missing and the old tree survived a two-rename swap, it is put
/// back first: a build never ends with neither tree. A leftover that holds
/// anything a build does not write (a directory the user named so, files
/// written into an old tree after the swap) is neither restored nor
/// removed: `Err` names it and what it holds, and nothing is changed.
pub fn recover_leftovers(
    parent: &Path,
    name: &OsStr,
    manifests: &std::collections::BTreeSet<String>,
) -> Result<(), super::OutputError> {
    let (staged, mut backups) = leftovers(parent, name)?;
    for leftover in staged.iter().chain(&backups) {
        if let Some(found) = not_written_by_pcl(leftover)? {
            let leftover = leftover.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(super::OutputError::ForeignLeftover { leftover, path: found });
        }
    }
    // the old tree goes back only whole (a complete earlier output): one
    // whose removal was cut short is removed with the rest
    if !exists(&parent.join(name))?
        && let Some(old) = backups.pop()
    {
        match super::ownership::audit(&old, manifests, false, super::ownership::Indexes::default()) {
            Ok(_) => std::fs::rename(&old, parent.join(name))?,
            Err(_) => backups.push(old),
        }
    }
    for path in staged.iter().chain(&backups) {
        remove_tree(path)?;
    }
    Ok(())
}

/// The first path (relative to `leftover`) that no build writes: a build
/// writes directories and regular `.json` files only. `None` when it is all
/// pcl's. (Not its indexes' list: a build killed while staging, or while
/// removing an old tree, leaves files no index present lists, and an index
/// cut short; a review found such leftovers refused for good.)
pub(super) fn not_written_by_pcl(leftover: &Path) -> io::Result<Option<String>> {
    let mut todo = vec![leftover.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<io::Result<_>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let kind = entry.file_type()?;
            let json = entry.file_name().to_string_lossy().ends_with(".json");
            if kind.is_dir() {
                todo.push(entry.path());
            } else if !(kind.is_file() && json) {
                let relative = entry.path().strip_prefix(leftover).map(|p| p.display().to_string());
                return Ok(Some(relative.unwrap_or_default()));
            }
        }
    }
    Ok(None)
}

/// The old tree a two-rename swap into `parent/name` left beside it, which
/// the next build puts back when `name` is missing (the newest, if several).
pub fn restorable_backup(parent: &Path, name: &OsStr) -> io::Result<Option<PathBuf>> {
    Ok(leftovers(parent, name)?.1.pop())
}

/// The staging directories and the old trees interrupted builds into
/// `parent/name` left, in one pass over `parent`; the old trees oldest first
/// (tempfile's names carry no time: by modification time).
fn leftovers(parent: &Path, name: &OsStr) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (staging, backup) = (staging_prefix(name), backup_prefix(name));
    let (mut staged, mut backups) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        // a build leaves directories only: a file or a link so named is not one
        if !entry.file_type()?.is_dir() {
            continue;
        }
        // (a name that is not UTF-8 is no leftover of a UTF-8 output's,
        // whatever its lossy reading: `\u{fffd}` is a character of names too)
        let Some(entry_name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        if made_with(&entry_name, &staging) {
            staged.push(entry.path());
        } else if made_with(&entry_name, &backup) {
            backups.push(entry.path());
        }
    }
    backups.sort_by_key(|p| std::fs::symlink_metadata(p).and_then(|m| m.modified()).ok());
    Ok((staged, backups))
}

/// Swaps the directories at `a` and `b`; `Unsupported` where the platform or
/// the file system has no atomic exchange.
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    if super::fault::no_exchange() {
        return Err(io::ErrorKind::Unsupported.into());
    }
    exchange_impl(a, b)
}

#[cfg(target_os = "linux")]
fn exchange_impl(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            Err(io::ErrorKind::Unsupported.into())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange_impl(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Renames `from` to `to`, which must not exist: `AlreadyExists` if
/// something appeared there (an empty directory would otherwise be replaced
/// silently). Where the platform cannot promise it, a plain rename after a
/// check (a narrower race).
pub fn rename_new(from: &Path, to: &Path) -> io::Result<()> {
    rename_new_impl(from, to)
}

#[cfg(target_os = "linux")]
fn rename_new_impl(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => rename_checked(from, to),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_new_impl(from: &Path, to: &Path) -> io::Result<()> {
    rename_checked(from, to)
}

/// `rename`, refused if `to` exists when it is checked.
fn rename_checked(from: &Path, to: &Path) -> io::Result<()> {
    if exists(to)? {
        return Err(io::ErrorKind::AlreadyExists.into());
    }
    std::fs::rename(from, to)
}

/// Replaces `target` by `staged` with two renames (the old tree goes to a
/// `.pcl-old-*` sibling first); on failure the old tree is put back.
/// Returns the path of the old tree, for the caller to remove.
pub fn two_step_replace(parent: &Path, name: &OsStr, staged: &Path, target: &Path) -> io::Result<PathBuf> {
    let backup_guard = sibling(&backup_prefix(name), parent)?;
    let backup = backup_guard.keep();
    // rename needs a free target name
    std::fs::remove_dir(&backup)?;
    std::fs::rename(target, &backup)?;
    super::fault::point("moved-aside");
    if let Err(e) = std::fs::rename(staged, target) {
        std::fs::rename(&backup, target)?;
        return Err(e);
    }
    Ok(backup)
}

/// Whether anything (even a dangling symlink) is at `path`.
pub fn exists(path: &Path) -> io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes a leftover directory (or a stray file of that name).
fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            make_removable(path);
            std::fs::remove_dir_all(path)
        }
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes `files` (relative to `root`, as an audit listed them), then every
/// directory of `root` left empty, deepest first, `root` last: best effort,
/// and never a file the list does not name.
pub fn remove_files_then_empty_dirs<'f>(root: &Path, files: impl Iterator<Item = &'f String>) {
    let mut dirs = std::collections::BTreeSet::new();
    for file in files {
        let path = root.join(file);
        let _ = std::fs::remove_file(&path);
        let mut parent = path.parent();
        while let Some(dir) = parent.filter(|d| d.starts_with(root) && *d != root) {
            if !dirs.insert(dir.to_path_buf()) {
                break;
            }
            parent = dir.parent();
        }
    }
    // deepest first: a longer path sorts after its parent
    for dir in dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
    let _ = std::fs::remove_dir(root);
}

/// Gives directory `to` the mode (setgid included) and group of directory
/// `from`; when `from` is setgid, everything in `to` that group too, and
/// its directories the setgid bit, as a setgid directory gives what is made
/// in it: best effort (the group only where the user may give it).
pub fn copy_mode_and_group(from: &Path, to: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        const SETGID: u32 = 0o2000;
        let Ok(meta) = std::fs::metadata(from) else { return };
        let (gid, setgid) = (meta.gid(), meta.permissions().mode() & SETGID != 0);
        if setgid {
            // the staged tree, made in the parent, has the user's group
            let mut todo = vec![to.to_path_buf()];
            while let Some(dir) = todo.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else { continue };
                for entry in entries.flatten() {
                    let Ok(kind) = entry.file_type() else { continue };
                    if kind.is_symlink() {
                        continue;
                    }
                    let _ = std::os::unix::fs::chown(entry.path(), None, Some(gid));
                    if kind.is_dir() {
                        if let Ok(m) = entry.metadata() {
                            let mode = m.permissions().mode() | SETGID;
                            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode));
                        }
                        todo.push(entry.path());
                    }
                }
            }
        }
        if std::fs::metadata(to).is_ok_and(|m| m.gid() != gid) {
            let _ = std::os::unix::fs::chown(to, None, Some(gid));
        }
        let _ = std::fs::set_permissions(to, std::fs::Permissions::from_mode(meta.permissions().mode() & 0o7777));
    }
    #[cfg(not(unix))]
    let _ = (from, to);
}

/// Gives the owner write and search permission on every directory of a
/// tree of pcl's that is about to be removed (an output the user made
/// read-only: its old tree could not be emptied, and the leftover then
/// stopped every later build). Symlinks are not followed; best effort (the
/// removal reports what still fails).
pub fn make_removable(root: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut todo = vec![root.to_path_buf()];
        while let Some(dir) = todo.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&dir) else { continue };
            if !meta.is_dir() {
                continue;
            }
            let mode = meta.permissions().mode();
            if mode & 0o700 != 0o700 {
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode | 0o700));
            }
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            todo.extend(entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
        }
    }
    #[cfg(not(unix))]
    let _ = root;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_one_output_are_not_those_of_another() {
        let a = staging_prefix(OsStr::new("a"));
        assert!(made_with(".pcl-build-a-Xy12Zq", &a));
        assert!(!made_with(".pcl-build-a-b-Xy12Zq", &a), "the staging directory of `a-b`");
        assert!(!made_with(".pcl-build-a-Xy12Z", &a));
        assert!(!made_with(".pcl-build-a-Xy1.Zq", &a));
        assert!(made_with(".pcl-build-a-b-Xy12Zq", &staging_prefix(OsStr::new("a-b"))));
    }

    /// An old output the user made read-only (files and directories) is
    /// made removable, and removed: a review found its tree left beside the
    /// output, which then stopped every later build. (Run as root, the
    /// removal would succeed anyway: the modes are what is checked.)
    #[cfg(unix)]
    #[test]
    #[allow(clippy::unwrap_used, reason = "tests")]
    fn a_read_only_tree_is_made_removable() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join(".pcl-build-out-Xy12Zq");
        std::fs::create_dir_all(root.join("policy/aws")).unwrap();
        std::fs::write(root.join("policy/aws/p.json"), "{}").unwrap();
        for dir in [root.join("policy/aws"), root.join("policy"), root.clone()] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        make_removable(&root);
        for dir in [root.join("policy/aws"), root.join("policy"), root.clone()] {
            assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o755, "{}", dir.display());
        }
        remove_tree(&root).unwrap();
        assert!(!root.exists());
    }

    /// A lock taken on a directory since removed (and made again) is not
    /// the directory's: the build that waited for it starts over.
    #[cfg(unix)]
    #[test]
    #[allow(clippy::unwrap_used, reason = "tests")]
    fn a_lock_on_a_removed_parent_is_not_its_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join("a");
        std::fs::create_dir(&parent).unwrap();
        let lock = ParentLock::acquire(&parent, &mut || {}).unwrap();
        assert!(lock.still_at(&parent));
        std::fs::remove_dir(&parent).unwrap();
        assert!(!lock.still_at(&parent));
        std::fs::create_dir(&parent).unwrap();
        assert!(!lock.still_at(&parent), "another directory of the same name");
    }
}
