//! The lock that serialises builds into one place: an advisory `flock` on
//! the output's parent directory.

use std::fs::File;
use std::path::Path;

use super::OutputError;
use super::error::stop_point;
use super::fs_error::{FsError, FsOp, at};

/// Holds an exclusive lock on `parent` (an advisory `flock`, released when
/// the value is dropped or the process dies), so that two builds into the
/// same place run one after the other. `on_wait` runs if the lock is taken.
pub struct ParentLock {
    _file: Option<File>,
}

impl ParentLock {
    /// The lock, once no other build holds it (`on_wait` runs first if one does).
    ///
    /// While a signal would stop the build (`crate::interrupt::armed`), the
    /// lock is asked for again every `LOCK_POLL` instead of waited for: a
    /// waiting `flock` is restarted after the signal's handler, so the
    /// build could not stop before the other one ended.
    #[cfg(unix)]
    pub fn acquire(parent: &Path, on_wait: &mut dyn FnMut()) -> Result<ParentLock, OutputError> {
        const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(10);
        if let Some(lock) = ParentLock::try_acquire(parent)? {
            return Ok(lock);
        }
        on_wait();
        let file = File::open(parent).map_err(at(FsOp::Open, parent))?;
        if !crate::interrupt::armed() {
            file.lock().map_err(at(FsOp::Lock, parent))?;
            return Ok(ParentLock { _file: Some(file) });
        }
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(ParentLock { _file: Some(file) }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    stop_point()?;
                    std::thread::sleep(LOCK_POLL);
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(FsError::new(FsOp::Lock, parent, e).into()),
            }
        }
    }

    /// A directory cannot be opened as a file here: builds are not serialised
    /// (documented in docs/architecture.md).
    #[cfg(not(unix))]
    pub fn acquire(_parent: &Path, _on_wait: &mut dyn FnMut()) -> Result<ParentLock, OutputError> {
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
    pub fn try_acquire(parent: &Path) -> Result<Option<ParentLock>, FsError> {
        let file = File::open(parent).map_err(at(FsOp::Open, parent))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ParentLock { _file: Some(file) })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(FsError::new(FsOp::Lock, parent, e)),
        }
    }

    #[cfg(not(unix))]
    pub fn try_acquire(_parent: &Path) -> Result<Option<ParentLock>, FsError> {
        Ok(Some(ParentLock { _file: None }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
