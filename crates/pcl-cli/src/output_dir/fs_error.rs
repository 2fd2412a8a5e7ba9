//! An I/O error of the output's file system, with what was being done and
//! to which path: "Permission denied (os error 13)" alone does not say
//! which of a build's files or directories the user must look at.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What a build was doing to a path when the file system refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsOp {
    /// Reading an entry's type and metadata.
    Inspect,
    /// Resolving the path's symbolic links.
    Resolve,
    /// Making a directory.
    CreateDir,
    /// Making a new file.
    Create,
    /// Writing a file's content.
    Write,
    /// Reading a file's content.
    Read,
    /// Listing a directory.
    List,
    /// Opening a file or directory.
    Open,
    /// Taking the lock that serialises builds into one place.
    Lock,
    /// Copying the file at `from` to the path.
    Copy { from: PathBuf },
    /// Moving the path to `to`.
    Rename { to: PathBuf },
    /// Swapping the path and the directory `with`.
    Exchange { with: PathBuf },
    /// Removing the path (a directory with its content).
    Remove,
    /// Using a file with no name in the directory, for what a build sets
    /// aside while it writes.
    Scratch,
}

impl FsOp {
    /// What could not be done, to `path`.
    fn describe(&self, path: &Path) -> String {
        let path = path.display();
        match self {
            FsOp::Inspect => format!("cannot read the metadata of {path}"),
            FsOp::Resolve => format!("cannot resolve {path}"),
            FsOp::CreateDir => format!("cannot create the directory {path}"),
            FsOp::Create => format!("cannot create {path}"),
            FsOp::Write => format!("cannot write {path}"),
            FsOp::Read => format!("cannot read {path}"),
            FsOp::List => format!("cannot list the directory {path}"),
            FsOp::Open => format!("cannot open {path}"),
            FsOp::Lock => format!("cannot lock {path}"),
            FsOp::Copy { from } => format!("cannot copy {} to {path}", from.display()),
            FsOp::Rename { to } => format!("cannot rename {path} to {}", to.display()),
            FsOp::Exchange { with } => format!("cannot swap {path} and {}", with.display()),
            FsOp::Remove => format!("cannot remove {path}"),
            FsOp::Scratch => format!("cannot write a scratch file in {path}"),
        }
    }
}

/// An I/O error, with the operation and the path it concerned.
#[derive(Debug)]
pub struct FsError {
    pub op: FsOp,
    pub path: PathBuf,
    pub error: io::Error,
}

impl FsError {
    pub fn new(op: FsOp, path: impl Into<PathBuf>, error: io::Error) -> FsError {
        FsError { op, path: path.into(), error }
    }

    /// The kind of the underlying error.
    pub fn kind(&self) -> io::ErrorKind {
        self.error.kind()
    }

    /// `error` as an `FsError`: kept as it is when it is one already (passed
    /// on as an [`io::Error`], see `From<FsError>`), else done by `op` to `path`.
    pub fn of(op: FsOp, path: &Path, error: io::Error) -> FsError {
        match FsError::inside(error) {
            Ok(found) => found,
            Err(error) => FsError::new(op, path, error),
        }
    }

    /// The `FsError` an [`io::Error`] carries, or the error as it was.
    pub fn inside(error: io::Error) -> Result<FsError, io::Error> {
        if !error.get_ref().is_some_and(|inner| inner.is::<FsError>()) {
            return Err(error);
        }
        let kind = error.kind();
        match error.into_inner().map(|inner| inner.downcast::<FsError>()) {
            Some(Ok(found)) => Ok(*found),
            // (not reached: the inner error was checked to be one)
            Some(Err(other)) => Err(io::Error::new(kind, other)),
            None => Err(kind.into()),
        }
    }
}

/// `map_err`'s argument for an operation `op` on `path` (an error that is
/// an [`FsError`] already is kept as it is).
pub fn at(op: FsOp, path: &Path) -> impl FnOnce(io::Error) -> FsError + '_ {
    move |error| FsError::of(op, path, error)
}

/// [`at`], for a function that returns an [`io::Error`] (what a build's
/// writing closure returns): the error carries the `FsError`.
pub fn io_at(op: FsOp, path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |error| FsError::of(op, path, error).into()
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op.describe(&self.path), self.error)
    }
}

impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Passed on through code that returns [`io::Error`]s (a build's writing
/// closure), with its kind; [`FsError::inside`] takes it out again.
impl From<FsError> for io::Error {
    fn from(e: FsError) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn an_error_names_its_operation_and_path_and_survives_an_io_error() {
        let denied = io::Error::from_raw_os_error(13);
        let e = FsError::new(FsOp::Create, "/x/y/policy/a.json", denied);
        let shown = e.to_string();
        assert!(shown.starts_with("cannot create /x/y/policy/a.json: "), "{shown}");
        let passed_on: io::Error = e.into();
        assert_eq!(passed_on.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(passed_on.to_string(), shown);
        // named once: an outer operation does not rename it
        let again = FsError::of(FsOp::Write, Path::new("/elsewhere"), passed_on);
        assert_eq!(again.to_string(), shown);
        let plain = FsError::inside(io::Error::other("not one"));
        assert_eq!(plain.unwrap_err().to_string(), "not one");
    }
}
