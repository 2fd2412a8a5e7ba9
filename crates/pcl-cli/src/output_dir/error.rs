//! Why an output directory was not written ([`OutputError`], each
//! variant with its own text), and the safe points where a signal stops a
//! build (see `crate::interrupt`).

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::fs_error::FsError;
use super::ownership::Foreign;
use crate::interrupt::Signal;

/// Why an output directory was not written (or cannot be checked).
#[derive(Debug)]
pub enum OutputError {
    /// The directory holds something pcl did not write; `path` is relative.
    Foreign { path: String, why: Foreign },
    /// The directory is the source file's directory, or above it.
    HoldsSource { source: PathBuf },
    /// The directory is inside `outer`, the output of another pcl build
    /// (`index` is its index), whose next build would refuse what this one
    /// left there (see `nesting`). Both paths as the user would name them.
    InsideOutput { outer: PathBuf, index: PathBuf },
    /// Something that is not a directory is at the output path.
    NotADirectory,
    /// The output path is the current directory.
    CurrentDirectory,
    /// The current directory is inside the output (the shell would be left
    /// in a directory removed).
    HoldsCurrentDirectory,
    /// The output path has no final component (`/`, `..`).
    NoName,
    /// The output directory's name is not UTF-8 (its leftovers could not be
    /// told from another's).
    NonUtf8Name,
    /// Something not pcl's appeared in the directory while the build ran;
    /// the directory was put back as it was.
    ChangedDuringBuild(Box<OutputError>),
    /// The directory, missing when the build began, was created while it
    /// ran; it was left as it is.
    AppearedDuringBuild,
    /// A directory beside it named as an interrupted build's leftover holds
    /// `path` (relative to it), which no build writes: it was left as it is.
    ForeignLeftover { leftover: String, path: String },
    /// What an earlier build kept aside (`.pcl-kept-*`) still holds a file
    /// that was written into its previous output while it replaced it.
    KeptAside { leftover: String, path: String },
    /// A file-system operation failed: which, on which path, and why.
    Fs(FsError),
    /// A signal stopped the build before it replaced the directory; what it
    /// had made was removed.
    Interrupted(Signal),
    /// The directory's parent was removed each time this build locked it
    /// (by failed builds that had made it).
    ParentRemoved(PathBuf),
    /// Something not pcl's appeared in the directory while the build ran,
    /// and swapping the previous tree back failed: that tree is at `kept`.
    NotSwappedBack { changed: Box<OutputError>, error: FsError, kept: PathBuf },
    /// The build failed for a reason that is not the file system's (a
    /// thread that failed, a caller's own error); the text says what.
    Failed(String),
}

impl OutputError {
    /// A refusal protects the user's files; anything else is a failure.
    pub fn is_refusal(&self) -> bool {
        match self {
            OutputError::Foreign { .. }
            | OutputError::HoldsSource { .. }
            | OutputError::InsideOutput { .. }
            | OutputError::NotADirectory
            | OutputError::CurrentDirectory
            | OutputError::HoldsCurrentDirectory
            | OutputError::NoName
            | OutputError::NonUtf8Name
            | OutputError::ChangedDuringBuild(_)
            | OutputError::AppearedDuringBuild
            | OutputError::ForeignLeftover { .. }
            | OutputError::KeptAside { .. } => true,
            OutputError::Fs(_)
            | OutputError::Interrupted(_)
            | OutputError::ParentRemoved(_)
            | OutputError::NotSwappedBack { .. }
            | OutputError::Failed(_) => false,
        }
    }

    /// A line of help for the user, for the refusals that have one beyond
    /// their text.
    pub fn help(&self) -> Option<String> {
        match self {
            OutputError::InsideOutput { outer, .. } => {
                Some(format!("choose an output directory outside {} (beside it, for example)", outer.display()))
            }
            _ => None,
        }
    }

    /// What a build's writing closure returned: a file-system error as it
    /// names it, an interruption, or another error of the caller's.
    pub(super) fn of_writing(e: io::Error) -> OutputError {
        if let Some(StoppedBy(signal)) = e.get_ref().and_then(|inner| inner.downcast_ref::<StoppedBy>()) {
            return OutputError::Interrupted(*signal);
        }
        match FsError::inside(e) {
            Ok(fs) => OutputError::Fs(fs),
            Err(other) => OutputError::Failed(other.to_string()),
        }
    }
}

/// `Err` once a signal asked the build to stop (see [`crate::interrupt`]):
/// a safe point, where the build can stop and remove what it made.
pub(super) fn stop_point() -> Result<(), OutputError> {
    match crate::interrupt::received() {
        Some(signal) => Err(OutputError::Interrupted(signal)),
        None => Ok(()),
    }
}

/// What [`Staging`] returns, as an [`io::Error`] through the build's writing
/// closure, once a signal asked the build to stop.
#[derive(Debug)]
struct StoppedBy(Signal);

impl fmt::Display for StoppedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}", self.0.name())
    }
}

impl std::error::Error for StoppedBy {}

/// [`stop_point`] for [`Staging`]'s writes.
pub(super) fn stop_point_io() -> io::Result<()> {
    match crate::interrupt::received() {
        Some(signal) => Err(io::Error::other(StoppedBy(signal))),
        None => Ok(()),
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Foreign { path, why } => {
                write!(f, "{}; remove it or choose another directory", why.describe(path))
            }
            OutputError::HoldsSource { source } => write!(
                f,
                "it holds the source file {}; choose an output directory outside the source's directory",
                source.display()
            ),
            OutputError::InsideOutput { outer, index } => write!(
                f,
                "it is inside {}, the output of another pcl build ({}): files written there would make that \
                 build refuse to replace it next time",
                outer.display(),
                index.display()
            ),
            OutputError::NotADirectory => f.write_str("it exists and is not a directory"),
            OutputError::CurrentDirectory => {
                f.write_str("it is the current directory, which a build replaces as a whole; name a directory in it")
            }
            OutputError::HoldsCurrentDirectory => f.write_str(
                "the current directory is inside it, and a build replaces it as a whole; run pcl from outside it",
            ),
            OutputError::NoName => f.write_str("it has no name of its own (`/` or `..`); name the directory"),
            OutputError::NonUtf8Name => f.write_str("its name is not UTF-8; choose a UTF-8 name"),
            OutputError::ChangedDuringBuild(inner) => {
                write!(f, "it changed while pcl was building, so it was left as it is now: {inner}")
            }
            OutputError::KeptAside { leftover, path } => write!(
                f,
                "`{leftover}` beside it holds `{path}`, written into the output while an earlier build replaced \
                 it, and kept; move it away (pcl removes only what it wrote)"
            ),
            OutputError::ForeignLeftover { leftover, path } => write!(
                f,
                "`{leftover}` beside it, named as an interrupted build's leftover, holds `{path}`, which pcl did not \
                 write; move it away (pcl removes only what it wrote)"
            ),
            OutputError::AppearedDuringBuild => {
                f.write_str("it was created while pcl was building, so it was left as it is; build again to replace it")
            }
            OutputError::Fs(e) => write!(f, "{e}"),
            OutputError::Interrupted(signal) => write!(f, "interrupted by {}", signal.name()),
            OutputError::ParentRemoved(parent) => write!(
                f,
                "its parent directory {} was removed each time this build got its lock; build again",
                parent.display()
            ),
            OutputError::NotSwappedBack { changed, error, kept } => write!(
                f,
                "it changed during the build ({changed}), and swapping it back failed ({error}): its previous content \
                 is in {}",
                kept.display()
            ),
            OutputError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<FsError> for OutputError {
    fn from(e: FsError) -> Self {
        OutputError::Fs(e)
    }
}
