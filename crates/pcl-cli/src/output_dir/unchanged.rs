//! Whether an output directory is still as its audit found it: what a build
//! whose files are all in it already checks before it says so and leaves it
//! as it is (`staging::Staged::SameAsPrevious`). A build that writes checks
//! the same by auditing the old tree again after its swap.

use std::fs::Metadata;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::OutputError;
use super::fs_error::{FsOp, at};
use super::ownership::{Audited, Foreign, foreign, read_regular, sorted_entries};

/// What a file's metadata says of its content: a file whose stamp is the one
/// the audit saw has the content it hashed, unless it changed too close to
/// the audit for its times to tell (`RACY`, git's "racily clean" rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// The inode and the status change time (which no user can set).
    #[cfg(unix)]
    inode: (u64, u64),
    #[cfg(unix)]
    changed: (i64, i64),
}

/// A file whose times are this close to the audit (or later) is hashed
/// again: a file system keeps times at a coarse grain (a scheduler tick, or
/// seconds), and a change made in the same grain after the audit read the
/// file would leave them as they were.
const RACY: Duration = Duration::from_secs(2);

impl Stamp {
    pub fn of(metadata: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: (metadata.dev(), metadata.ino()),
            #[cfg(unix)]
            changed: (metadata.ctime(), metadata.ctime_nsec()),
        }
    }

    /// Whether the file may have changed after `audited_at` without its
    /// times showing it: its latest time (status change or modification)
    /// is within `RACY` of the audit, or later, or unknown.
    fn racy(&self, audited_at: SystemTime) -> bool {
        let since = audited_at.checked_sub(RACY).unwrap_or(SystemTime::UNIX_EPOCH);
        self.latest().is_none_or(|t| t >= since)
    }

    fn latest(&self) -> Option<SystemTime> {
        #[cfg(unix)]
        let changed = u64::try_from(self.changed.0)
            .ok()
            .zip(u32::try_from(self.changed.1).ok())
            .map(|(secs, nanos)| SystemTime::UNIX_EPOCH + Duration::new(secs, nanos));
        #[cfg(not(unix))]
        let changed: Option<SystemTime> = None;
        changed.max(self.modified)
    }
}

/// Proves that `dir` holds exactly the files of `audited`, each with the
/// content the audit hashed at `audited_at`, and nothing else: a file
/// whose stamp changed or is racy is hashed again. Fails with what is no
/// longer so (a file added, edited, removed or replaced by something else).
pub fn unchanged_since(dir: &Path, audited: &Audited, audited_at: SystemTime) -> Result<(), OutputError> {
    let mut seen = 0;
    // Depth-first, iterative (a deep tree cannot overflow the stack).
    let mut todo: Vec<String> = vec![String::new()];
    while let Some(rel_dir) = todo.pop() {
        for (rel, file_type) in sorted_entries(dir, &rel_dir)? {
            if file_type.is_dir() {
                // a directory of the audited tree holds one of its files
                let inside = format!("{rel}/");
                if !audited.range(inside.clone()..).next().is_some_and(|(k, _)| k.starts_with(&inside)) {
                    return Err(foreign(&rel, Foreign::UnknownDir));
                }
                todo.push(rel);
                continue;
            }
            let Some(file) = audited.get(&rel) else {
                let why = if file_type.is_symlink() { Foreign::Symlink } else { Foreign::UnknownFile };
                return Err(foreign(&rel, why));
            };
            if file_type.is_symlink() {
                return Err(foreign(&rel, Foreign::Symlink));
            }
            let path = dir.join(&rel);
            let now = Stamp::of(&std::fs::symlink_metadata(&path).map_err(at(FsOp::Inspect, &path))?);
            if now != file.stamp || now.racy(audited_at) {
                match read_regular(&path, false)? {
                    Some((sha, _, _)) if sha == file.sha => {}
                    Some(_) => return Err(foreign(&rel, Foreign::Edited)),
                    None => return Err(foreign(&rel, Foreign::NotRegular)),
                }
            }
            seen += 1;
        }
    }
    if seen != audited.len() {
        let gone = audited.keys().find(|rel| std::fs::symlink_metadata(dir.join(rel)).is_err());
        return Err(foreign(gone.map_or("", String::as_str), Foreign::Removed));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]
    use super::*;
    use crate::output_dir::ownership::AuditedFile;

    /// The audit of every file under `dir` (its sha256 and stamp).
    fn audit(dir: &Path, rels: &[&str]) -> Audited {
        rels.iter()
            .map(|rel| {
                let path = dir.join(rel);
                let (sha, bytes, stamp) = read_regular(&path, false).unwrap().unwrap();
                (rel.to_string(), AuditedFile { sha, bytes, stamp })
            })
            .collect()
    }

    fn why(result: Result<(), OutputError>) -> Option<(String, Foreign)> {
        match result {
            Ok(()) => None,
            Err(OutputError::Foreign { path, why }) => Some((path, why)),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn any_change_since_the_audit_is_found_racy_or_not() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir(dir.join("policy")).unwrap();
        std::fs::write(dir.join("index.json"), "{}").unwrap();
        std::fs::write(dir.join("policy/a.json"), "one").unwrap();
        let audited = audit(dir, &["index.json", "policy/a.json"]);
        let now = SystemTime::now();
        // just written: racy, so hashed again; and long after the audit:
        // compared by stamp alone
        for audited_at in [now, now + Duration::from_secs(60)] {
            assert_eq!(why(unchanged_since(dir, &audited, audited_at)), None);
        }
        // the same length, another content: the stamp changed (or the file
        // is racy), and its hash tells
        std::fs::write(dir.join("policy/a.json"), "two").unwrap();
        for audited_at in [now, now + Duration::from_secs(60)] {
            let found = why(unchanged_since(dir, &audited, audited_at));
            assert_eq!(found, Some(("policy/a.json".into(), Foreign::Edited)));
        }
        // the same content again: nothing changed that matters
        std::fs::write(dir.join("policy/a.json"), "one").unwrap();
        assert_eq!(why(unchanged_since(dir, &audited, now)), None);
        std::fs::write(dir.join("policy/b.json"), "new").unwrap();
        assert_eq!(why(unchanged_since(dir, &audited, now)), Some(("policy/b.json".into(), Foreign::UnknownFile)));
        std::fs::remove_file(dir.join("policy/b.json")).unwrap();
        std::fs::create_dir(dir.join("role")).unwrap();
        assert_eq!(why(unchanged_since(dir, &audited, now)), Some(("role".into(), Foreign::UnknownDir)));
        std::fs::remove_dir(dir.join("role")).unwrap();
        std::fs::remove_file(dir.join("policy/a.json")).unwrap();
        assert_eq!(why(unchanged_since(dir, &audited, now)), Some(("policy/a.json".into(), Foreign::Removed)));
    }

    #[test]
    fn a_stamp_is_racy_near_the_audit_only() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("f"), "x").unwrap();
        let stamp = Stamp::of(&std::fs::metadata(tmp.path().join("f")).unwrap());
        let now = SystemTime::now();
        assert!(stamp.racy(now));
        assert!(!stamp.racy(now + Duration::from_secs(60)));
    }
}
