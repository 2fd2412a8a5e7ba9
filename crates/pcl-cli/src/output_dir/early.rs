//! The first half of replacing an output (`prepare_replace`), begun beside
//! the build's analysis as far as it goes without changing anything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{OutputError, PreparedReplace, Target, fault, prepare_replace, swap};

/// [`prepare_replace`] started early, beside the work that produces the
/// files (a build's analysis), on a thread of its own, as far as it can go
/// without changing anything or waiting: the output is resolved and
/// audited there only if its parent exists, no other build holds the lock
/// and no interrupted build left anything to recover. Otherwise (and if
/// the build fails first, whose thread then ends with the process, having
/// only read) the whole first half runs in [`DeferredPrepare::prepare`],
/// which the caller calls once it knows it will write: a build that fails
/// makes no parent directory, recovers nothing and waits for no one.
pub struct PreparingReplace {
    thread: std::thread::JoinHandle<Result<Option<PreparedReplace>, OutputError>>,
    rest: DeferredPrepare,
}

/// What [`PreparingReplace`] found on its thread.
pub enum EarlyPrepare {
    /// The output resolved, locked and audited.
    Ready(PreparedReplace),
    /// The first half is still to run, and may change the file system or
    /// wait for another build: run it only once the build will write.
    Deferred(DeferredPrepare),
}

/// [`prepare_replace`]'s arguments, for [`DeferredPrepare::prepare`].
pub struct DeferredPrepare {
    dir: PathBuf,
    manifests: BTreeSet<String>,
    source: PathBuf,
}

impl DeferredPrepare {
    /// [`prepare_replace`] now; `on_wait` runs if another build holds the lock.
    pub fn prepare(self, on_wait: &mut dyn FnMut()) -> Result<PreparedReplace, OutputError> {
        prepare_replace(&self.dir, &self.manifests, &self.source, on_wait)
    }
}

impl PreparingReplace {
    /// Starts preparing to replace `dir` (see [`prepare_replace`]).
    pub fn start(dir: PathBuf, manifests: BTreeSet<String>, source: PathBuf) -> PreparingReplace {
        let rest = DeferredPrepare { dir, manifests, source };
        let thread = {
            let (dir, manifests, source) = (rest.dir.clone(), rest.manifests.clone(), rest.source.clone());
            std::thread::spawn(move || prepare_without_changes(&dir, &manifests, &source))
        };
        PreparingReplace { thread, rest }
    }

    /// The prepared output: the thread's, or prepared now (`on_wait` runs
    /// if another build holds the lock), for a caller that already knows it
    /// will write.
    pub fn finish(self, on_wait: &mut dyn FnMut()) -> Result<PreparedReplace, OutputError> {
        match self.join()? {
            EarlyPrepare::Ready(prepared) => Ok(prepared),
            EarlyPrepare::Deferred(rest) => rest.prepare(on_wait),
        }
    }

    /// Waits for the thread (an audit it found failing is a refusal, as in
    /// [`prepare_replace`]).
    pub fn join(self) -> Result<EarlyPrepare, OutputError> {
        let early =
            self.thread.join().unwrap_or_else(|_| Err(OutputError::Failed("auditing the output failed".into())))?;
        Ok(match early {
            Some(prepared) => EarlyPrepare::Ready(prepared),
            None => EarlyPrepare::Deferred(self.rest),
        })
    }
}

/// [`prepare_replace`] if it can be done without creating, moving or
/// removing anything and without waiting for the lock; `None` when it cannot.
fn prepare_without_changes(
    dir: &Path,
    manifests: &BTreeSet<String>,
    source: &Path,
) -> Result<Option<PreparedReplace>, OutputError> {
    let dir = &super::normalized(dir)?;
    // refused here even when the rest must wait (its parent missing), so
    // the build says so without making anything
    super::nesting::refuse_nested(dir)?;
    let parent_exists = dir.parent().is_none_or(|p| p.as_os_str().is_empty() || p.is_dir());
    if !parent_exists {
        return Ok(None);
    }
    let target = Target::resolve(dir, false)?;
    target.guard_source(source)?;
    let Some(lock) = super::lock::ParentLock::try_acquire(&target.parent)? else { return Ok(None) };
    fault::point("locked");
    if swap::has_leftovers(&target.parent, &target.name)? {
        return Ok(None);
    }
    fault::point("recovered");
    PreparedReplace::audited(target, super::Hold::locked(lock), manifests).map(Some)
}
