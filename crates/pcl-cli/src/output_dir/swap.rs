//! The file-system steps of a replacement: the staging directory's place,
//! the leftovers of interrupted builds, and the atomic swap (the lock that
//! serialises builds into one place is `lock.rs`).
//!
//! On Linux the new directory is swapped in with `renameat2(RENAME_EXCHANGE)`:
//! at every instant the output path names either the complete old tree or the
//! complete new one. Elsewhere (or on a file system without the exchange) it
//! is two renames, and between them the output path is briefly absent; the
//! old tree is then whole under `.pcl-old-<name>-*`, and the next build puts
//! it back before doing anything else.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

use super::OutputError;
use super::fs_error::{FsError, FsOp, at};

/// How the names of a staging directory, an old tree moved aside and what
/// stayed of one begin (then the output's name, `-` and the suffix).
const STAGING_START: &str = ".pcl-build-";
const BACKUP_START: &str = ".pcl-old-";
const KEPT_START: &str = ".pcl-kept-";

/// Random characters after a leftover's prefix.
const SUFFIX_LEN: usize = 6;

/// A directory made beside the output, named `prefix` and `SUFFIX_LEN`
/// random characters: removed with what is in it when dropped, unless kept.
/// (Made here rather than by `tempfile`, whose errors name the path in a
/// text of their own.)
pub struct Sibling {
    path: PathBuf,
    kept: bool,
}

impl Sibling {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its path, no longer removed when dropped.
    pub fn keep(mut self) -> PathBuf {
        self.kept = true;
        std::mem::take(&mut self.path)
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A new [`Sibling`] in `parent`.
pub fn sibling(prefix: &str, parent: &Path) -> Result<Sibling, FsError> {
    // a name taken is tried again with others, as tempfile does
    const ATTEMPTS: usize = 64;
    for _ in 0..ATTEMPTS {
        let mut name = prefix.to_string();
        name.extend(std::iter::repeat_with(fastrand::alphanumeric).take(SUFFIX_LEN));
        let path = parent.join(name);
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(Sibling { path, kept: false }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(FsError::new(FsOp::CreateDir, path, e)),
        }
    }
    let taken = io::Error::new(io::ErrorKind::AlreadyExists, "every name tried was taken");
    Err(FsError::new(FsOp::CreateDir, parent.join(format!("{prefix}*")), taken))
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
    format!("{STAGING_START}{}-", tag(name))
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
    format!("{BACKUP_START}{}-", tag(name))
}

/// Prefix of what stayed of an old tree after its removal: files a process
/// still inside it wrote there meanwhile (see `keep_what_stayed`).
fn kept_prefix(name: &OsStr) -> String {
    format!("{KEPT_START}{}-", tag(name))
}

/// Renames what stayed at `old` (a staging or backup name) after the
/// removal of its files to the kept name of the same suffix, which no
/// build removes while it holds a file: its files are not pcl's, and
/// under its old name they would be taken for an interrupted build's.
/// Best effort: left as it is if the rename fails (`None`).
pub fn keep_what_stayed(old: &Path) -> Option<PathBuf> {
    let name = old.file_name().and_then(OsStr::to_str)?;
    let rest = name.strip_prefix(STAGING_START).or_else(|| name.strip_prefix(BACKUP_START))?;
    let kept = old.with_file_name(format!("{KEPT_START}{rest}"));
    rename_new(old, &kept).ok().map(|()| kept)
}

/// Whether interrupted builds into `parent/name` left anything behind
/// (what `recover_leftovers` would restore or remove).
pub fn has_leftovers(parent: &Path, name: &OsStr) -> Result<bool, FsError> {
    let Leftovers { staged, backups, kept } = leftovers(parent, name)?;
    Ok(!staged.is_empty() || !backups.is_empty() || !kept.is_empty())
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
) -> Result<(), OutputError> {
    let found = leftovers(parent, name)?;
    let mut judged = refuse_foreign(&found, manifests)?;
    // the old tree goes back only whole (a complete earlier output): one
    // whose removal was cut short is removed with the rest
    if !exists(&parent.join(name))?
        && let Some(old) = found.backups.last()
        && super::ownership::audit(old, manifests, false, super::ownership::Indexes::default()).is_ok()
    {
        rename(old, &parent.join(name))?;
        judged.retain(|(leftover, _)| leftover != old);
    }
    // only the files judged pcl's, then the directories left empty: a file
    // written into a leftover since it was judged stays, to be judged by
    // the next build (a review found one removed with the rest)
    for (leftover, files) in judged {
        make_removable(&leftover);
        remove_files(&leftover, files.iter());
        remove_empty_dirs(&leftover);
    }
    Ok(())
}

/// Refuses, naming it, the first leftover of a build into `parent/name`
/// that holds what pcl did not write, as `recover_leftovers` does (for
/// `--check`, which changes nothing).
pub fn refuse_foreign_leftovers(
    parent: &Path,
    name: &OsStr,
    manifests: &std::collections::BTreeSet<String>,
) -> Result<(), OutputError> {
    refuse_foreign(&leftovers(parent, name)?, manifests).map(|_| ())
}

/// Each leftover and the files in it that pcl wrote, or the refusal of
/// the first that holds a file pcl did not write.
fn refuse_foreign(
    found: &Leftovers,
    manifests: &std::collections::BTreeSet<String>,
) -> Result<Vec<(PathBuf, Vec<String>)>, OutputError> {
    let named = |leftover: &Path| leftover.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut judged = Vec::new();
    for leftover in found.staged.iter().chain(&found.backups) {
        let verdict = super::leftover_check::judge(leftover, manifests)?;
        if let Some(path) = verdict.foreign {
            return Err(OutputError::ForeignLeftover { leftover: named(leftover), path });
        }
        judged.push((leftover.clone(), verdict.pcls));
    }
    for leftover in &found.kept {
        let verdict = super::leftover_check::judge_kept(leftover, manifests)?;
        if let Some(path) = verdict.foreign {
            return Err(OutputError::KeptAside { leftover: named(leftover), path });
        }
        judged.push((leftover.clone(), verdict.pcls));
    }
    Ok(judged)
}

/// The old tree a two-rename swap into `parent/name` left beside it, which
/// the next build puts back when `name` is missing (the newest, if several).
pub fn restorable_backup(parent: &Path, name: &OsStr) -> Result<Option<PathBuf>, FsError> {
    Ok(leftovers(parent, name)?.backups.pop())
}

/// What interrupted builds into one output left beside it.
struct Leftovers {
    /// Staging directories (after an exchange, old trees being removed).
    staged: Vec<PathBuf>,
    /// Old trees a two-rename swap moved aside, oldest first.
    backups: Vec<PathBuf>,
    /// What stayed of old trees after their removal.
    kept: Vec<PathBuf>,
}

/// The staging directories and the old trees interrupted builds into
/// `parent/name` left, in one pass over `parent`; the old trees oldest first
/// (tempfile's names carry no time: by modification time).
fn leftovers(parent: &Path, name: &OsStr) -> Result<Leftovers, FsError> {
    let (staging, backup, kept_as) = (staging_prefix(name), backup_prefix(name), kept_prefix(name));
    let (mut staged, mut backups, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for entry in std::fs::read_dir(parent).map_err(at(FsOp::List, parent))? {
        let entry = entry.map_err(at(FsOp::List, parent))?;
        // a build leaves directories only: a file or a link so named is not one
        if !entry.file_type().map_err(|e| FsError::new(FsOp::Inspect, entry.path(), e))?.is_dir() {
            continue;
        }
        // (a name that is not UTF-8 is no leftover of a UTF-8 output's,
        // whatever its lossy reading: `\u{fffd}` is a character of names too)
        let Some(entry_name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        if made_with(&entry_name, &staging) {
            staged.push(entry.path());
        } else if made_with(&entry_name, &backup) {
            backups.push(entry.path());
        } else if made_with(&entry_name, &kept_as) {
            kept.push(entry.path());
        }
    }
    backups.sort_by_key(|p| std::fs::symlink_metadata(p).and_then(|m| m.modified()).ok());
    kept.sort();
    Ok(Leftovers { staged, backups, kept })
}

/// Swaps the directories at `a` and `b`; `Unsupported` where the platform or
/// the file system has no atomic exchange.
pub fn exchange(a: &Path, b: &Path) -> Result<(), FsError> {
    let result = if super::fault::no_exchange() { Err(io::ErrorKind::Unsupported.into()) } else { exchange_impl(a, b) };
    result.map_err(at(FsOp::Exchange { with: b.to_path_buf() }, a))
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
pub fn rename_new(from: &Path, to: &Path) -> Result<(), FsError> {
    rename_new_impl(from, to).map_err(at(FsOp::Rename { to: to.to_path_buf() }, from))
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

/// `std::fs::rename`, its error naming both paths.
pub fn rename(from: &Path, to: &Path) -> Result<(), FsError> {
    std::fs::rename(from, to).map_err(at(FsOp::Rename { to: to.to_path_buf() }, from))
}

/// Replaces `target` by `staged` with two renames (the old tree goes to a
/// `.pcl-old-*` sibling first); on failure the old tree is put back.
/// Returns the path of the old tree, for the caller to remove.
pub fn two_step_replace(parent: &Path, name: &OsStr, staged: &Path, target: &Path) -> Result<PathBuf, FsError> {
    let backup_guard = sibling(&backup_prefix(name), parent)?;
    let backup = backup_guard.keep();
    // rename needs a free target name
    std::fs::remove_dir(&backup).map_err(at(FsOp::Remove, &backup))?;
    rename(target, &backup)?;
    super::fault::point("moved-aside");
    if let Err(e) = rename(staged, target) {
        rename(&backup, target)?;
        return Err(e);
    }
    Ok(backup)
}

/// Whether anything (even a dangling symlink) is at `path`. Nothing is
/// where a component of the path is a file (`ENOTDIR`): the step that
/// makes or lists that component names it.
pub fn exists(path: &Path) -> Result<bool, FsError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => Ok(false),
        Err(e) => Err(FsError::new(FsOp::Inspect, path, e)),
    }
}

/// Removes `files` (relative to `root`, as an audit listed them): best
/// effort, and never a file the list does not name.
pub fn remove_files<'f>(root: &Path, files: impl Iterator<Item = &'f String>) {
    for file in files {
        let _ = std::fs::remove_file(root.join(file));
    }
}

/// Removes the directories under `root` that hold nothing, deepest first,
/// then `root` if it is left empty; one that holds anything stays (a
/// removal that is refused is no error).
pub fn remove_empty_dirs(root: &Path) {
    let mut dirs = vec![root.to_path_buf()];
    let mut at = 0;
    while let Some(dir) = dirs.get(at).cloned() {
        at += 1;
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.path());
            }
        }
    }
    // a directory comes after its parent: reversed, before it
    for dir in dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
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
        remove_files(&root, [String::from("policy/aws/p.json")].iter());
        remove_empty_dirs(&root);
        assert!(!root.exists());
    }
}
