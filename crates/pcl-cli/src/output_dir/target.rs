//! Where an output goes: the path given, resolved (`Target`), its missing
//! parents and how a `..` after one is read (`missing_parents`).

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use super::fs_error::{FsError, FsOp, at};
use super::{OutputError, swap};

/// Where the output goes, resolved to a real path.
pub(super) struct Target {
    /// The directory (symlinks resolved when it exists).
    pub(super) dir: PathBuf,
    pub(super) parent: PathBuf,
    pub(super) name: OsString,
    /// The parents `resolve` made, deepest first: a build that fails
    /// removes them again (see `Hold`).
    pub(super) created: Vec<PathBuf>,
}

impl Target {
    /// Resolves `dir`; creates its parent only if `create_parent`.
    pub(super) fn resolve(dir: &Path, create_parent: bool) -> Result<Target, OutputError> {
        let mut created = Vec::new();
        let dir = if swap::exists(dir)? {
            let real = dir.canonicalize().map_err(at(FsOp::Resolve, dir))?;
            if !real.is_dir() {
                return Err(OutputError::NotADirectory);
            }
            real
        } else {
            let name = match dir.file_name() {
                Some(n) => n.to_os_string(),
                None => return Err(OutputError::NoName),
            };
            let parent = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if create_parent {
                let missing = missing_parents(&parent)?;
                created = missing.make()?;
                missing.path().join(name)
            } else {
                match parent.canonicalize() {
                    Ok(p) => p.join(name),
                    // the parent is missing and was not to be created
                    Err(_) => dir.to_path_buf(),
                }
            }
        };
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            return Err(OutputError::NoName);
        };
        if name.to_str().is_none() {
            return Err(OutputError::NonUtf8Name);
        }
        Ok(Target { parent: parent.to_path_buf(), name: name.to_os_string(), dir: dir.clone(), created })
    }

    /// Refuses the source's directory and every directory above it, and
    /// the current directory and every directory that holds it.
    pub(super) fn guard_source(&self, source: &Path) -> Result<(), OutputError> {
        if let Ok(source) = source.canonicalize()
            && source.parent().is_some_and(|src_dir| src_dir.starts_with(&self.dir))
        {
            return Err(OutputError::HoldsSource { source });
        }
        // replaced, it would leave the shell that ran pcl in a directory
        // removed (found by review)
        if let Ok(cwd) = std::env::current_dir().and_then(|cwd| cwd.canonicalize()) {
            if cwd == self.dir {
                return Err(OutputError::CurrentDirectory);
            }
            // (found by review: `cd out/policy && pcl build ... --out ..`)
            if cwd.starts_with(&self.dir) {
                return Err(OutputError::HoldsCurrentDirectory);
            }
        }
        Ok(())
    }
}

/// Where an output's missing parents go: below `real`, the longest part of
/// the path given that exists, resolved; `written` is that part as the
/// user wrote it, to name a directory that cannot be made.
struct MissingParents {
    real: PathBuf,
    written: PathBuf,
    names: Vec<OsString>,
}

/// `path` as its longest part that exists and the names still to make
/// below it. A `..` after a missing name takes that name back instead of
/// making it (`a/b/../../out` with no `a` is `out`, and makes neither `a`
/// nor `a/b`: a review found both left behind): a missing name is no
/// symlink, so that is where the system's own resolution would lead once
/// they existed. Only a name that does not exist is missing: a `..` after
/// a dangling symlink or a file is an error, as the system makes it (a
/// review found such paths built elsewhere).
fn missing_parents(path: &Path) -> Result<MissingParents, FsError> {
    use std::path::Component;
    let mut components = path.components();
    let mut walked = PathBuf::new();
    let mut first_missing = None;
    for component in components.by_ref() {
        walked.push(component);
        match std::fs::symlink_metadata(&walked) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                first_missing = Some(component);
                break;
            }
            // (`notes/sub` where `notes` is a file: what making it would say)
            Err(e) if matches!(component, Component::Normal(_)) => {
                return Err(FsError::new(FsOp::CreateDir, walked, e));
            }
            Err(e) => return Err(FsError::new(FsOp::Resolve, walked, e)),
        }
    }
    let Some(first_missing) = first_missing else {
        let real = path.canonicalize().map_err(at(FsOp::Resolve, path))?;
        return Ok(MissingParents { real, written: path.to_path_buf(), names: Vec::new() });
    };
    let mut written = walked.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let mut real = written.canonicalize().map_err(at(FsOp::Resolve, &written))?;
    let mut names: Vec<OsString> = Vec::new();
    for component in std::iter::once(first_missing).chain(components) {
        match component {
            Component::Normal(name) => names.push(name.to_os_string()),
            Component::ParentDir => {
                if names.pop().is_none() {
                    real.pop();
                    written.clone_from(&real);
                }
            }
            // a root or a prefix comes first, and exists
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Ok(MissingParents { real, written, names })
}

/// The output path with each `..` after a missing directory taken back,
/// as the build will resolve it (`missing_parents`): what the checks that
/// come before its resolution (`nesting`) judge, so that `zz/../out/x`
/// is refused inside `out` as `out/x` is (found by review). A path that
/// exists is kept as given.
pub(super) fn normalized(dir: &Path) -> Result<PathBuf, OutputError> {
    if swap::exists(dir)? {
        return Ok(dir.to_path_buf());
    }
    let missing = missing_parents(dir)?;
    let below = missing.names.iter().collect::<PathBuf>();
    Ok(match missing.written == Path::new(".") {
        true => below,
        false => missing.written.join(below),
    })
}

impl MissingParents {
    /// The output's parent, resolved.
    fn path(&self) -> PathBuf {
        self.real.join(self.names.iter().collect::<PathBuf>())
    }

    /// Makes the missing directories one at a time from the outermost, each
    /// named if it cannot be made (a failure removes those made before it).
    /// Returns the ones made, deepest first.
    fn make(&self) -> Result<Vec<PathBuf>, OutputError> {
        let mut made: Vec<PathBuf> = Vec::new();
        let (mut dir, mut written) = (self.real.clone(), self.written.clone());
        for name in &self.names {
            dir.push(name);
            written.push(name);
            match std::fs::create_dir(&dir) {
                Ok(()) => made.insert(0, dir.clone()),
                // made meanwhile (by another build into the same place): not ours
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(e) => {
                    for ours in &made {
                        let _ = std::fs::remove_dir(ours);
                    }
                    let shown = written.strip_prefix(".").unwrap_or(&written);
                    return Err(FsError::new(FsOp::CreateDir, shown, e).into());
                }
            }
        }
        Ok(made)
    }
}
