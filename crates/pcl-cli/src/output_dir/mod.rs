//! Writes an output directory so that nothing is ever lost:
//!
//! - a directory is replaced only if everything in it, at every depth, is a
//!   file an earlier build wrote and listed in an `index.json`, unchanged
//!   (`ownership`); the source's own directory, or one above it, never is;
//! - the new tree is written aside and swapped in atomically (`swap`), so an
//!   interrupted build leaves the old tree or the new one, complete;
//! - builds into one place take a lock and run one after the other;
//! - `--check` audits with the very same rule (`inspect`), so it is never
//!   green where the build would refuse.

mod early;
mod error;
mod fault;
mod fs_error;
mod index_check;
mod leftover_check;
mod lock;
mod nesting;
mod ownership;
mod staging;
mod swap;
mod target;
mod unchanged;

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use error::stop_point;
use target::{Target, normalized};

pub use early::{DeferredPrepare, EarlyPrepare, PreparingReplace};
pub use error::OutputError;
pub use fs_error::{FsError, FsOp};
pub use ownership::{Foreign, Tree};
pub use staging::Staging;

/// The debug-only test hook (see `fault.rs`) at a command's own step, such
/// as `loaded` (the source read and parsed; nothing changed yet).
pub fn test_point(step: &str) {
    fault::point(step);
}

/// The debug-only test hook's pause at a step that holds signals back
/// (see `fault.rs`): it waits until `done`.
pub fn test_pause_until(step: &str, done: impl Fn() -> bool) {
    fault::pause_until(step, done);
}

/// Replaces `dir` by a directory holding exactly the files produced by
/// `write` one at a time (so a build holds one document in memory, not all
/// of them; relative, `/`-separated paths, with `index.json`s listing
/// them). `manifests` are the paths of the `index.json` files it will
/// write (a policy named `index` is `policy/index.json`, no manifest).
/// `source` is the file compiled. `on_wait` runs if another build holds the
/// lock.
pub fn replace_dir_with(
    dir: &Path,
    manifests: &BTreeSet<String>,
    source: &Path,
    on_wait: &mut dyn FnMut(),
    write: &mut dyn FnMut(&mut Staging<'_>) -> io::Result<()>,
) -> Result<Replaced, OutputError> {
    prepare_replace(dir, manifests, source, on_wait)?.replace_with(write)
}

/// The first half of [`replace_dir_with`], which reads no output of the
/// build: the output resolved (its missing parents made), the lock taken,
/// leftovers of interrupted builds recovered and the directory audited.
/// Dropped, the result releases the lock, having changed nothing but the
/// parents and the leftovers. [`PreparingReplace`] does what of it only
/// reads beside the build's analysis.
pub fn prepare_replace(
    dir: &Path,
    manifests: &BTreeSet<String>,
    source: &Path,
    on_wait: &mut dyn FnMut(),
) -> Result<PreparedReplace, OutputError> {
    let dir = &normalized(dir)?;
    // before anything is made (its parents)
    nesting::refuse_nested(dir)?;
    // From here on, the build may change the file system: a signal stops
    // it at a safe point, where it removes what it made.
    crate::interrupt::arm();
    // A failed build removes the parents it made once it releases the
    // lock: a build that waited for it then holds the lock of a directory
    // gone (a review found the waiting build failing), and starts over.
    let mut parent = PathBuf::new();
    for _ in 0..PARENT_ATTEMPTS {
        let target = Target::resolve(dir, true)?;
        // from here, a failure removes the parents just made
        let mut hold = Hold { lock: None, created: target.created.clone(), kept: false };
        target.guard_source(source)?;
        let lock = lock::ParentLock::acquire(&target.parent, on_wait)?;
        if !lock.still_at(&target.parent) {
            parent = target.parent;
            continue;
        }
        hold.lock = Some(lock);
        fault::point("locked");
        stop_point()?;
        swap::recover_leftovers(&target.parent, &target.name, manifests)?;
        fault::point("recovered");
        stop_point()?;
        return PreparedReplace::audited(target, hold, manifests);
    }
    Err(OutputError::ParentRemoved(parent))
}

/// Removes the old tree a swap put at `old`, audited once more as
/// `old_files`: each file only if still as that audit found it, looked at
/// right before its removal (a file written since through the old tree, by
/// a process still inside it, is kept: a review found one removed), the
/// documents first, the indexes (`manifests`) last, then the directories
/// left empty, read-only or not. Anything else that stays is set aside
/// (`set_aside`) and said: the next build refuses to go on until it is
/// moved away.
fn remove_old_tree(old: &Path, old_files: &ownership::Audited, manifests: &BTreeSet<String>) -> Option<KeptAside> {
    fault::point_inside("old-tree-audited", old);
    swap::make_removable(old);
    let (indexes, documents): (Vec<_>, Vec<_>) = old_files.iter().partition(|(rel, _)| manifests.contains(*rel));
    // a document written since that is one file with the new output's (an
    // unchanged file is staged as a hard link to the old one)
    let mut shared = None;
    for (rel, file) in documents {
        if !remove_if_unchanged(&old.join(rel), file) && links(&old.join(rel)) > 1 {
            shared.get_or_insert_with(|| rel.clone());
        }
    }
    // as long as a file stays, the index that lists it stays too, and
    // proves it pcl's should the removal be cut short
    let index_names: BTreeSet<String> = indexes.iter().map(|(rel, _)| (*rel).clone()).collect();
    if leftover_check::first_other(old, &index_names).map_or(true, |other| other.is_some()) {
        return Some(set_aside(old, &indexes, shared));
    }
    for (rel, file) in &indexes {
        remove_if_unchanged(&old.join(rel), file);
    }
    swap::remove_empty_dirs(old);
    // (written meanwhile)
    swap::exists(old).unwrap_or(true).then(|| set_aside(old, &[], shared))
}

/// Removes a new tree swapped back out (the old one, now back at `output`,
/// changed during the build): the files pcl wrote in it. A file written
/// into it while it was the output stays, set aside as `.pcl-kept-*` (a
/// review found it removed with the tree), which the next build names; a
/// file that is one with the output's (staged as a hard link to it, and
/// edited there) is the output's, not set aside (found by review). A tree
/// that cannot be judged is set aside whole.
fn drop_new_tree(staging: swap::Sibling, output: &Path, manifests: &BTreeSet<String>) {
    let verdict = match leftover_check::judge(staging.path(), manifests) {
        Ok(verdict) if verdict.foreign.is_none() => return, // dropped whole
        Ok(verdict) => verdict,
        Err(_) => {
            swap::keep_what_stayed(&staging.keep());
            return;
        }
    };
    let new = staging.keep();
    swap::remove_files(&new, verdict.pcls.iter());
    // the output's own files, under a second name
    let same_file =
        |rel: &String| match (std::fs::symlink_metadata(new.join(rel)), std::fs::symlink_metadata(output.join(rel))) {
            (Ok(a), Ok(b)) => same_inode(&a, &b),
            _ => false,
        };
    let listed = leftover_check::all_files(&new).unwrap_or_default();
    swap::remove_files(&new, listed.iter().filter(|rel| same_file(rel)));
    swap::remove_empty_dirs(&new);
    if swap::exists(&new).unwrap_or(true) {
        swap::keep_what_stayed(&new);
    }
}

/// Whether two files are one (the same inode on the same device).
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Removes the file at `path` if its stamp is still `file`'s; whether it did.
fn remove_if_unchanged(path: &Path, file: &ownership::AuditedFile) -> bool {
    let same = std::fs::symlink_metadata(path).is_ok_and(|m| unchanged::Stamp::of(&m) == file.stamp);
    same && std::fs::remove_file(path).is_ok()
}

/// How many names the file at `path` has (1 where that cannot be told).
fn links(path: &Path) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path).map_or(1, |m| m.nlink())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        1
    }
}

/// Renames what stayed at `old` to `.pcl-kept-*`, then removes the indexes
/// still as audited and the directories left empty in it: what is left is
/// what was written into the old tree during the build.
fn set_aside(old: &Path, indexes: &[(&String, &ownership::AuditedFile)], shared: Option<String>) -> KeptAside {
    let kept = swap::keep_what_stayed(old);
    let at = kept.as_deref().unwrap_or(old);
    fault::point("set-aside");
    for (rel, file) in indexes {
        remove_if_unchanged(&at.join(rel), file);
    }
    swap::remove_empty_dirs(at);
    let file = leftover_check::first_other(at, &BTreeSet::new()).ok().flatten().unwrap_or_default();
    let dir = at.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    KeptAside { dir, file, shared }
}

/// A file that was written into the old output while a build replaced it:
/// kept, in the directory `dir` beside the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAside {
    pub dir: String,
    pub file: String,
    /// A file written through the old tree that was the new output's too
    /// (staged as a hard link): the output's copy holds what was written.
    pub shared: Option<String>,
}

impl std::fmt::Display for KeptAside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` was written into the previous output while this build replaced it: it is kept in `{}` beside \
             the output; move it away (the next build refuses to go on until then)",
            self.file, self.dir
        )?;
        match &self.shared {
            // the next build finds it changed, and refuses to write over it
            Some(shared) => write!(
                f,
                "; `{shared}` in the output was linked to the previous output's, unchanged, so it holds what was \
                 written too"
            ),
            None => Ok(()),
        }
    }
}

/// How many times a build starts over when the parent it locked was
/// removed meanwhile (by failed builds that had made it).
const PARENT_ATTEMPTS: usize = 16;

/// The lock a build holds, and the parents it made for its output. Dropped
/// before being `kept` (the build failed, or never wrote), it releases the
/// lock, then removes those parents again, deepest first, each only if
/// still empty: a failed build leaves nothing behind.
struct Hold {
    lock: Option<lock::ParentLock>,
    created: Vec<PathBuf>,
    kept: bool,
}

impl Hold {
    /// The lock of a build that made no parent.
    fn locked(lock: lock::ParentLock) -> Hold {
        Hold { lock: Some(lock), created: Vec::new(), kept: false }
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.lock.take();
        if !self.kept {
            for dir in &self.created {
                if std::fs::remove_dir(dir).is_err() {
                    break; // not empty (or not ours to remove): its parents are not either
                }
            }
        }
    }
}

/// What a replacement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replaced {
    /// The new tree is in place; what was written into the old one during
    /// the build, if anything, was kept aside.
    Written { kept: Option<KeptAside> },
    /// The directory already held exactly the build's files, byte for byte,
    /// and was left as it is.
    Unchanged,
}

/// An output directory ready to be replaced, holding the lock (see
/// [`prepare_replace`]).
pub struct PreparedReplace {
    target: Target,
    hold: Hold,
    manifests: BTreeSet<String>,
    /// The audit of the directory in place, with the indexes it read;
    /// `None` when there is none.
    previous: Option<(ownership::Audited, ownership::Indexes)>,
    /// When the audit began.
    audited_at: std::time::SystemTime,
}

impl PreparedReplace {
    /// The last step of the first half, once the lock is held and nothing
    /// is left to recover: the directory in place (if any) audited.
    fn audited(target: Target, hold: Hold, manifests: &BTreeSet<String>) -> Result<Self, OutputError> {
        let audited_at = std::time::SystemTime::now();
        let previous = if swap::exists(&target.dir)? {
            Some(ownership::audit(&target.dir, manifests, false, ownership::Indexes::default())?)
        } else {
            None
        };
        Ok(PreparedReplace { target, hold, manifests: manifests.clone(), previous, audited_at })
    }

    /// The second half of [`replace_dir_with`]: the files `write` produces,
    /// staged, then swapped in (the lock is held until it returns).
    pub fn replace_with(
        self,
        write: &mut dyn FnMut(&mut Staging<'_>) -> io::Result<()>,
    ) -> Result<Replaced, OutputError> {
        let PreparedReplace { target, mut hold, manifests, previous, audited_at } = self;
        // (prepared early, it changed nothing until now)
        crate::interrupt::arm();
        let replaced = Self::staged_and_swapped(target, &manifests, (previous, audited_at), write);
        // the parents it made stay with the tree in them
        hold.kept = replaced.is_ok();
        replaced
    }

    /// `replace_with`'s work, under the lock its caller holds.
    fn staged_and_swapped(
        target: Target,
        manifests: &BTreeSet<String>,
        (previous, audited_at): (Option<(ownership::Audited, ownership::Indexes)>, std::time::SystemTime),
        write: &mut dyn FnMut(&mut Staging<'_>) -> io::Result<()>,
    ) -> Result<Replaced, OutputError> {
        let exists = previous.is_some();
        let (previous, indexes) = match previous {
            Some((files, indexes)) => (Some((target.dir.as_path(), files)), indexes),
            None => (None, ownership::Indexes::default()),
        };
        stop_point()?;
        let mut staging = Staging::new(&target.parent, swap::staging_prefix(&target.name), previous);
        write(&mut staging).map_err(OutputError::of_writing)?;
        let staging = match staging.finish()? {
            // Nothing is moved or removed, so nothing written into the
            // directory since its audit can be lost.
            staging::Staged::SameAsPrevious(files) => {
                // as a build that writes audits the old tree again after
                // its swap: something changed or added meanwhile is
                // reported, not taken for this build's output
                return match unchanged::unchanged_since(&target.dir, &files, audited_at) {
                    Ok(()) => Ok(Replaced::Unchanged),
                    Err(changed) => Err(OutputError::ChangedDuringBuild(Box::new(changed))),
                };
            }
            staging::Staged::Tree(staging) => staging,
        };
        fault::point("staged");
        // the last safe point: the staged tree is removed (dropped), the
        // directory is as it was
        stop_point()?;

        if !exists {
            // created meanwhile (by hand: builds hold the lock), even empty, it is kept
            if let Err(e) = swap::rename_new(staging.path(), &target.dir) {
                return Err(match e.kind() {
                    io::ErrorKind::AlreadyExists => OutputError::AppearedDuringBuild,
                    _ => e.into(),
                });
            }
            let _ = staging.keep();
            fault::point("renamed");
            return Ok(Replaced::Written { kept: None });
        }
        // the new tree takes the old one's mode and group (a directory the
        // user made private, or setgid, stays so)
        swap::copy_mode_and_group(&target.dir, staging.path());
        match swap::exchange(staging.path(), &target.dir) {
            Ok(()) => {
                fault::point("swapped");
                // The staging path now holds the old tree. Something may have
                // been added to DIR while the build ran: audit it again before
                // removing it, and if it is no longer all pcl's, swap it back.
                let old_files = match ownership::audit(staging.path(), manifests, false, indexes) {
                    Ok((files, _)) => files,
                    Err(changed) => {
                        if let Err(error) = swap::exchange(staging.path(), &target.dir) {
                            let kept = staging.keep();
                            return Err(OutputError::NotSwappedBack { changed: Box::new(changed), error, kept });
                        }
                        drop_new_tree(staging, &target.dir, manifests);
                        return Err(OutputError::ChangedDuringBuild(Box::new(changed)));
                    }
                };
                let kept = remove_old_tree(&staging.keep(), &old_files, manifests);
                Ok(Replaced::Written { kept })
            }
            Err(e) if e.kind() == io::ErrorKind::Unsupported => {
                let old = swap::two_step_replace(&target.parent, &target.name, staging.path(), &target.dir)?;
                fault::point("replaced");
                let old_files = match ownership::audit(&old, manifests, false, indexes) {
                    Ok((files, _)) => files,
                    Err(changed) => {
                        // put the old tree back; the new one returns to staging
                        swap::rename(&target.dir, staging.path())?;
                        swap::rename(&old, &target.dir)?;
                        drop_new_tree(staging, &target.dir, manifests);
                        return Err(OutputError::ChangedDuringBuild(Box::new(changed)));
                    }
                };
                let _ = staging.keep();
                let kept = remove_old_tree(&old, &old_files, manifests);
                Ok(Replaced::Written { kept })
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// What `replace_dir_with` would find in `dir`, without writing anything:
/// `None` if it does not exist, else every file with its content. Fails
/// exactly where `replace_dir_with` with the same `manifests` would refuse.
pub fn inspect(dir: &Path, manifests: &BTreeSet<String>, source: &Path) -> Result<Option<Tree>, OutputError> {
    let dir = &normalized(dir)?;
    nesting::refuse_nested(dir)?;
    let target = Target::resolve(dir, false)?;
    target.guard_source(source)?;
    // a parent still to make holds nothing (nor any leftover)
    if !swap::exists(&target.parent)? {
        return Ok(None);
    }
    // where the build would refuse to touch a leftover
    swap::refuse_foreign_leftovers(&target.parent, &target.name, manifests)?;
    let (audited, backup) = if swap::exists(&target.dir)? {
        (target.dir.clone(), false)
    } else {
        // the build would first put back the old tree an interrupted build
        // left beside it: judge that one
        match swap::restorable_backup(&target.parent, &target.name)? {
            Some(backup) => (backup, true),
            None => return Ok(None),
        }
    };
    let (found, _) = match ownership::audit(&audited, manifests, true, ownership::Indexes::default()) {
        // not whole: the build removes it and writes anew
        Err(OutputError::Foreign { .. }) if backup => return Ok(None),
        audit => audit?,
    };
    Ok(Some(found.into_iter().map(|(rel, file)| (rel, file.bytes)).collect()))
}
