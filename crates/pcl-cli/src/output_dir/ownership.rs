//! Which files of an existing output directory pcl wrote: every `index.json`
//! of a build lists its files with their sha256, and a directory may be
//! replaced only if everything in it, at every depth, is such a file,
//! unchanged. The walk never opens anything but regular files, so a FIFO or a
//! symlink to `/dev/zero` cannot make it hang.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::OutputError;
use super::fs_error::{FsError, FsOp, at};

/// Why an entry of the directory is not pcl's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Foreign {
    /// A file that no `index.json` lists.
    UnknownFile,
    /// The directory has no `index.json` of an earlier build, yet is not empty.
    NoIndex,
    /// A listed file whose content no longer has the listed sha256.
    Edited,
    /// A symbolic link (pcl never writes one).
    Symlink,
    /// A FIFO, socket or device (pcl never writes one).
    NotRegular,
    /// A directory that holds no file pcl wrote.
    UnknownDir,
    /// An `index.json`, or a directory holding one, where this build writes
    /// none: another build's output (another layout, other partitions).
    OtherBuild,
    /// An `index.json` pcl cannot have written; the detail says why.
    BadIndex(String),
    /// A file the audit found is gone (removed while the build ran).
    Removed,
}

impl Foreign {
    /// The reason, for an entry at `path` (relative to the directory).
    pub fn describe(&self, path: &str) -> String {
        match self {
            Foreign::UnknownFile => format!("it holds `{path}`, which pcl did not write"),
            Foreign::NoIndex => {
                format!("it is not empty and has no index.json of an earlier pcl build (it holds `{path}`)")
            }
            Foreign::Edited => {
                format!("`{path}` was changed after pcl wrote it (its sha256 is not the one index.json lists)")
            }
            Foreign::Symlink => format!("`{path}` is a symbolic link, which pcl never writes"),
            Foreign::NotRegular => format!("`{path}` is not a regular file (a FIFO, socket or device)"),
            Foreign::UnknownDir => format!("it holds the directory `{path}`, which pcl did not write"),
            Foreign::OtherBuild => format!(
                "it holds `{path}`, which a pcl build of another layout or of other partitions wrote \
                 (`pcl build` writes `index.json`, `build-policies` `<partition>/index.json`)"
            ),
            Foreign::BadIndex(detail) => format!("`{path}` is not an index.json written by pcl: {detail}"),
            Foreign::Removed => format!("`{path}` was removed"),
        }
    }
}

/// The files of an audited directory, by `/`-separated relative path, with
/// their content when it was asked for (`--check` compares it).
pub type Tree = BTreeMap<String, Vec<u8>>;

/// What an audit found: every file, by relative path.
pub type Audited = BTreeMap<String, AuditedFile>;

/// A file as an audit read it.
#[derive(Debug, Clone)]
pub struct AuditedFile {
    pub sha: String,
    /// Its bytes, when the audit was asked to keep them.
    pub bytes: Vec<u8>,
    /// Its metadata when it was opened (see `unchanged::Stamp`).
    pub stamp: super::unchanged::Stamp,
}

/// The `index.json`s an audit read, by relative path: each one's sha256
/// and the `(path, sha256)` of the files it lists. An audit of the same
/// directory again takes an index whose sha256 is unchanged from here
/// instead of parsing it again (checking an index entry by entry was most
/// of the audit a build repeats after its swap).
#[derive(Debug, Default)]
pub struct Indexes(BTreeMap<String, (String, Vec<(String, String)>)>);

/// Proves that every entry of `dir` is a file a pcl build wrote, unchanged.
/// `manifests` are the relative paths at which a build writes an
/// `index.json` (`index.json`, or `aws/index.json`, ...). Entries are
/// visited in sorted order, so the path named in a refusal is stable.
/// `known` holds indexes an earlier audit of `dir` read (see [`Indexes`]);
/// the indexes this one read are returned with what it found.
pub fn audit(
    dir: &Path,
    manifests: &BTreeSet<String>,
    keep_contents: bool,
    mut known: Indexes,
) -> Result<(Audited, Indexes), OutputError> {
    let mut owned: BTreeMap<String, String> = BTreeMap::new();
    let mut read = Indexes::default();
    let mut any_index = false;
    for manifest in manifests {
        let path = dir.join(manifest);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {
                any_index = true;
                let (index_sha, bytes, _) = match read_regular(&path, true)? {
                    Some(found) => found,
                    None => return Err(foreign(manifest, Foreign::NotRegular)),
                };
                // the same bytes (by sha256) parse the same
                let listed = match known.0.remove(manifest) {
                    Some((sha, listed)) if sha == index_sha => listed,
                    _ => {
                        super::index_check::parse_index(&bytes).map_err(|d| foreign(manifest, Foreign::BadIndex(d)))?
                    }
                };
                let base = manifest.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
                for (rel, sha) in &listed {
                    owned.insert(format!("{base}{rel}"), sha.clone());
                }
                read.0.insert(manifest.clone(), (index_sha, listed));
            }
            // a symlink, FIFO or directory at an index.json path is found by the walk
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(FsError::new(FsOp::Inspect, path, e).into()),
        }
    }
    // Directories that hold (or may hold) files pcl writes.
    let mut owned_dirs: BTreeSet<&str> = BTreeSet::new();
    for path in owned.keys().chain(manifests.iter()) {
        let mut p = path.as_str();
        while let Some((d, _)) = p.rsplit_once('/') {
            owned_dirs.insert(d);
            p = d;
        }
    }

    let mut tree = Audited::new();
    // Depth-first, iterative (a deep tree cannot overflow the stack).
    let mut todo: Vec<String> = vec![String::new()];
    while let Some(rel_dir) = todo.pop() {
        let entries = sorted_entries(dir, &rel_dir)?;
        let mut subdirs = Vec::new();
        for (rel, file_type) in entries {
            if file_type.is_symlink() {
                return Err(foreign(&rel, Foreign::Symlink));
            }
            if file_type.is_dir() {
                if !owned_dirs.contains(rel.as_str()) {
                    let why = if dir.join(&rel).join("index.json").is_file() {
                        Foreign::OtherBuild
                    } else if any_index {
                        Foreign::UnknownDir
                    } else {
                        Foreign::NoIndex
                    };
                    return Err(foreign(&rel, why));
                }
                subdirs.push(rel);
                continue;
            }
            if !file_type.is_file() {
                return Err(foreign(&rel, Foreign::NotRegular));
            }
            let is_manifest = manifests.contains(&rel);
            let expected = owned.get(&rel);
            if !is_manifest && expected.is_none() {
                let why = if any_index {
                    Foreign::UnknownFile
                } else if rel.rsplit('/').next() == Some("index.json") {
                    Foreign::OtherBuild
                } else {
                    Foreign::NoIndex
                };
                return Err(foreign(&rel, why));
            }
            // the type `readdir` gave may be stale: the open checks again
            let Some((sha, bytes, stamp)) = read_regular(&dir.join(&rel), keep_contents)? else {
                return Err(foreign(&rel, Foreign::NotRegular));
            };
            if expected.is_some_and(|e| *e != sha) {
                return Err(foreign(&rel, Foreign::Edited));
            }
            tree.insert(rel, AuditedFile { sha, bytes, stamp });
        }
        // reversed, so that the stack pops them in sorted order
        todo.extend(subdirs.into_iter().rev());
    }
    Ok((tree, read))
}

/// The entries of `dir`'s subdirectory `rel_dir`, by relative path, sorted
/// (so that the path a refusal names is stable), with their types as the
/// listing gives them.
pub(super) fn sorted_entries(dir: &Path, rel_dir: &str) -> Result<Vec<(String, std::fs::FileType)>, FsError> {
    let mut entries = Vec::new();
    let listed = dir.join(rel_dir);
    for entry in std::fs::read_dir(&listed).map_err(at(FsOp::List, &listed))? {
        let entry = entry.map_err(at(FsOp::List, &listed))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if rel_dir.is_empty() { name } else { format!("{rel_dir}/{name}") };
        let file_type = entry.file_type().map_err(|e| FsError::new(FsOp::Inspect, entry.path(), e))?;
        entries.push((rel, file_type));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

pub(super) fn foreign(path: &str, why: Foreign) -> OutputError {
    OutputError::Foreign { path: path.to_string(), why }
}

/// The sha256 of a regular file (and its bytes, if `keep`) and its
/// metadata when opened, or `None` if `path` is not a regular file when it
/// is opened. The open neither follows a
/// symlink nor blocks on a FIFO, and the file is hashed as a stream: what the
/// directory listing said cannot be raced into a hang or a huge read.
pub(super) fn read_regular(
    path: &Path,
    keep: bool,
) -> Result<Option<(String, Vec<u8>, super::unchanged::Stamp)>, FsError> {
    use std::io::Read;
    let mut file = match open_no_follow(path) {
        Ok(f) => f,
        // a symlink (ELOOP) or something else that cannot be opened as a file
        Err(e) if e.kind() != io::ErrorKind::NotFound && e.kind() != io::ErrorKind::PermissionDenied => {
            return Ok(None);
        }
        Err(e) => return Err(FsError::new(FsOp::Open, path, e)),
    };
    let metadata = file.metadata().map_err(at(FsOp::Inspect, path))?;
    if !metadata.file_type().is_file() {
        return Ok(None);
    }
    let stamp = super::unchanged::Stamp::of(&metadata);
    if keep {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(at(FsOp::Read, path))?;
        return Ok(Some((pcl_codegen::sha256_hex(&bytes), bytes, stamp)));
    }
    // streamed through a small buffer on the stack: an audit reads every
    // file of the output, and a zeroed 64 KiB buffer for each was most of
    // the cost of reading a small one
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).map_err(at(FsOp::Read, path))?;
    Ok(Some((pcl_codegen::hex(&hasher.finalize()), Vec::new(), stamp)))
}

#[cfg(target_os = "linux")]
pub(super) fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    std::fs::OpenOptions::new().read(true).custom_flags(flags.bits() as i32).open(path)
}

#[cfg(not(target_os = "linux"))]
pub(super) fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    // elsewhere the type is checked just before opening (a narrower race)
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => std::fs::File::open(path),
        Ok(_) => Err(io::Error::other("not a regular file")),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// An index is taken from an earlier audit only when its sha256 is the
    /// one that audit read: here a made-up list stands for what the earlier
    /// audit parsed, which no parse of these bytes could give.
    #[test]
    fn an_index_with_the_sha256_an_earlier_audit_read_is_not_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"not an index pcl writes";
        std::fs::write(dir.path().join("index.json"), bytes).unwrap();
        std::fs::create_dir(dir.path().join("policy")).unwrap();
        std::fs::write(dir.path().join("policy/p.json"), "{}").unwrap();
        let manifests = BTreeSet::from(["index.json".to_string()]);
        let listed = vec![("policy/p.json".to_string(), pcl_codegen::sha256_hex(b"{}"))];
        let mut known = Indexes::default();
        known.0.insert("index.json".into(), (pcl_codegen::sha256_hex(bytes), listed.clone()));
        let (found, read) = audit(dir.path(), &manifests, false, known).unwrap();
        assert_eq!(found.keys().collect::<Vec<_>>(), ["index.json", "policy/p.json"]);
        assert_eq!(read.0.get("index.json").map(|(_, l)| l), Some(&listed));
        // other bytes: parsed, and refused
        let mut known = Indexes::default();
        known.0.insert("index.json".into(), (pcl_codegen::sha256_hex(b"other bytes"), listed));
        let refused = audit(dir.path(), &manifests, false, known);
        assert!(matches!(refused, Err(OutputError::Foreign { why: Foreign::BadIndex(_), .. })), "{refused:?}");
        assert!(audit(dir.path(), &manifests, false, Indexes::default()).is_err());
    }
}
