//! A source file rewritten in place (`pcl fmt`, `pcl check --fix`): never
//! left half written, and never over an edit saved meanwhile.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Replaces the file at `path`, which held `read`, by `text`: written beside
/// it, with its permissions, owner and group, then renamed over it (a crash
/// leaves the old file or the new one, whole), unless the file no longer
/// holds `read` (an editor saved it meanwhile: that save is kept; a save in
/// the instant between that last look and the rename is not seen). A file
/// with other hard links, or with extended attributes (its ACLs are some),
/// is rewritten in place instead, after a backup beside it
/// (`rewrite_in_place`): a rename would leave the other names with the old
/// text, and give the new file no attributes. A symlink is followed: the
/// file it names is replaced, the link stays. A read-only file is left alone
/// (a rename would replace it all the same). `command` is what the user
/// runs again when the file changed meanwhile; `not_a_file`, what the
/// message of a FIFO or device adds.
///
/// SIGINT, SIGTERM and SIGHUP wait while the file and what is written
/// beside it are made (a review found a `.pcl-rewrite-*` left, half
/// written, by each Ctrl-C during the write of a large file): the caller
/// says what became of the file, then calls [`act_on_held_signal`].
pub fn replace(path: &Path, (read, text): (&str, &str), command: &str, not_a_file: &str) -> std::io::Result<()> {
    let real = path.canonicalize()?;
    let path = real.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let metadata = std::fs::metadata(path)?;
    // a FIFO or a device cannot be read again to see that it held `read`,
    // nor replaced by a rename without turning it into a file (found by
    // review: the second read of a FIFO waited for ever)
    if !metadata.is_file() {
        return Err(std::io::Error::other(format!("it is not a regular file{not_a_file}")));
    }
    let permissions = metadata.permissions();
    if permissions.readonly() {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "it is read-only"));
    }
    // the mode bits say nothing of who may write: a file this user may not
    // write is not replaced either (the rename needs the directory only)
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
        return Err(std::io::Error::new(e.kind(), format!("it is not writable: {e}")));
    }
    if has_other_links(&metadata) || has_extended_attributes(path) {
        return rewrite_in_place((path, &metadata), dir, (read, text), command);
    }
    // from the making of the file beside it to the rename: a signal waits
    deferred::during(|| write_aside_then_rename((path, &metadata), dir, (read, text), command))?
}

/// The default action of a signal that came while [`replace`] wrote (the
/// process ends, as the signal would have ended it); nothing otherwise.
pub fn act_on_held_signal() {
    deferred::deliver();
}

/// `write` (another file written beside its target and renamed over it:
/// `cargo xtask gen-corpus`) with SIGINT, SIGTERM and SIGHUP held back as
/// [`replace`] holds them; the caller then says what it wrote and calls
/// [`act_on_held_signal`].
pub fn with_signals_held<T>(write: impl FnOnce() -> T) -> std::io::Result<T> {
    deferred::during(write)
}

/// [`replace`] by a rename, signals held back.
fn write_aside_then_rename(
    (path, metadata): (&Path, &std::fs::Metadata),
    dir: &Path,
    (read, text): (&str, &str),
    command: &str,
) -> std::io::Result<()> {
    let permissions = metadata.permissions();
    let mut aside = tempfile::Builder::new().prefix(".pcl-rewrite-").tempfile_in(dir)?;
    aside.write_all(text.as_bytes())?;
    crate::output_dir::test_pause_until("rewriting", deferred::held);
    aside.as_file().sync_all()?;
    // the owner first: a change of owner clears the set-id bits
    keep_owner(aside.as_file(), metadata)?;
    aside.as_file().set_permissions(permissions)?;
    if std::fs::read(path)? != read.as_bytes() {
        return Err(std::io::Error::other(format!("it changed while pcl was rewriting it; run {command} again")));
    }
    aside.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file with other hard links or extended attributes, rewritten in
/// place (as gofmt does): its
/// old text first written to a backup beside it (`.NAME.pcl-backup-*`,
/// with the file's mode, owner and group), then the new text over the old,
/// and the backup removed. Every name of the file sees the new text, and
/// the file keeps its inode, so its mode, owner, ACLs and extended
/// attributes too. SIGINT, SIGTERM and SIGHUP wait while the file is
/// written (`deferred`, as in `replace`): a signal never leaves it torn. A write that fails
/// puts the old text back; should that fail too, or the process be killed
/// outright, the backup stays, whole (said: `CutShort`).
fn rewrite_in_place(
    file: (&Path, &std::fs::Metadata),
    dir: &Path,
    texts: (&str, &str),
    command: &str,
) -> std::io::Result<()> {
    // from the backup's making to its removal: a signal waits
    deferred::during(|| rewrite_in_place_now(file, dir, texts, command))?
}

/// [`rewrite_in_place`], signals held back.
fn rewrite_in_place_now(
    (path, metadata): (&Path, &std::fs::Metadata),
    dir: &Path,
    (read, text): (&str, &str),
    command: &str,
) -> std::io::Result<()> {
    // named for its file, short enough for any file system (255 bytes a name)
    let name: String = path.file_name().map(|n| n.to_string_lossy().chars().take(64).collect()).unwrap_or_default();
    let mut backup = tempfile::Builder::new().prefix(&format!(".{name}.pcl-backup-")).tempfile_in(dir)?;
    backup.write_all(read.as_bytes())?;
    // the file's owner and group where this process may give them (root);
    // else its own, which refuses nothing: the file keeps its inode and owner
    let _ = keep_owner(backup.as_file(), metadata);
    backup.as_file().set_permissions(metadata.permissions())?;
    backup.as_file().sync_all()?;
    // the backup's name made durable too, before the file is touched
    std::fs::File::open(dir)?.sync_all()?;
    crate::output_dir::test_pause_until("rewriting", deferred::held);
    let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    let mut now = Vec::new();
    file.read_to_end(&mut now)?;
    if now != read.as_bytes() {
        return Err(std::io::Error::other(format!("it changed while pcl was rewriting it; run {command} again")));
    }
    // the new text over the old, then cut to its length: the file is never
    // empty on the way, and a shorter text leaves no tail
    let overwrite = |file: &mut std::fs::File, with: &str| -> std::io::Result<()> {
        file.seek(SeekFrom::Start(0))?;
        file.write_all(with.as_bytes())?;
        file.set_len(with.len() as u64)?;
        file.sync_all()
    };
    let written = match overwrite(&mut file, text) {
        Ok(()) => Ok(()),
        Err(failed) => match overwrite(&mut file, read) {
            Ok(()) => Err((failed, true)),
            Err(_) => Err((failed, false)),
        },
    };
    // the backup removed, or kept when the file may be cut short
    match written {
        // (a backup that cannot be removed is no reason to say the write failed)
        Ok(()) => {
            drop(backup);
            Ok(())
        }
        Err((failed, true)) => {
            drop(backup);
            Err(failed)
        }
        Err((cause, false)) => match backup.keep() {
            Ok((_, kept)) => Err(std::io::Error::other(CutShort { backup: kept, cause })),
            Err(e) => Err(e.error),
        },
    }
}

/// A rewrite in place that failed, and failed again to put the old text
/// back: the file may be cut short, and its old text is in `backup`.
#[derive(Debug)]
pub struct CutShort {
    pub backup: std::path::PathBuf,
    pub cause: std::io::Error,
}

impl std::fmt::Display for CutShort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; it may be left cut short: its old text is in {}", self.cause, self.backup.display())
    }
}

impl std::error::Error for CutShort {}

/// Whether a failed [`replace`] left the file as it was (all but
/// [`CutShort`]).
pub fn left_as_it_was(e: &std::io::Error) -> bool {
    !e.get_ref().is_some_and(|inner| inner.is::<CutShort>())
}

/// SIGINT, SIGTERM and SIGHUP held back while a file is written in place:
/// each that the process does not ignore keeps its default action outside
/// [`during`] (a handler that runs it, installed once), and inside it is
/// noted, then acted on by [`deliver`]; a second one acts at once (a write
/// that hangs can still be stopped). Process-wide: a signal any thread
/// takes waits too. A signal the process ignores (`nohup`, a script's
/// background job) gets no handler, and stays ignored.
#[cfg(unix)]
mod deferred {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Outside a write: a signal takes its default action at once.
    pub(super) static OUTSIDE: AtomicBool = AtomicBool::new(true);
    /// A signal came during this write: the next takes its default action.
    static HELD: AtomicBool = AtomicBool::new(false);
    /// The signal that came during a write (0: none).
    pub(super) static PENDING: AtomicUsize = AtomicUsize::new(0);

    fn install() -> std::io::Result<()> {
        static INSTALLED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
        let installed = INSTALLED.get_or_init(|| {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            // (elsewhere than Linux none is known: the signals are deferred,
            // as the default action would end the process)
            let ignored = crate::interrupt::ignored_signals();
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                if ignored.contains(&signal) {
                    continue;
                }
                // in this order: the default action when outside a write or
                // held already, then the signal noted
                signal_hook::flag::register_conditional_default(signal, &OUTSIDE).map_err(|e| e.to_string())?;
                signal_hook::flag::register_conditional_default(signal, &HELD).map_err(|e| e.to_string())?;
                let number = usize::try_from(signal).unwrap_or_default();
                signal_hook::flag::register_usize(signal, &PENDING, number).map_err(|e| e.to_string())?;
                signal_hook::flag::register(signal, &HELD).map_err(|e| e.to_string())?;
            }
            Ok(())
        });
        installed.clone().map_err(std::io::Error::other)
    }

    /// `write`, with the signals held back.
    pub(super) fn during<T>(write: impl FnOnce() -> T) -> std::io::Result<T> {
        install()?;
        OUTSIDE.store(false, Ordering::SeqCst);
        let out = write();
        OUTSIDE.store(true, Ordering::SeqCst);
        HELD.store(false, Ordering::SeqCst);
        Ok(out)
    }

    /// Whether a signal came during this write.
    pub(super) fn held() -> bool {
        PENDING.load(Ordering::SeqCst) != 0
    }

    /// The default action of a signal that came during a write (the
    /// process ends, as the signal would have ended it).
    pub(super) fn deliver() {
        let pending = PENDING.swap(0, Ordering::SeqCst);
        if let Ok(signal) = i32::try_from(pending)
            && signal != 0
        {
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    }
}

/// No signals to hold back.
#[cfg(not(unix))]
mod deferred {
    pub(super) fn during<T>(write: impl FnOnce() -> T) -> std::io::Result<T> {
        Ok(write())
    }

    pub(super) fn held() -> bool {
        false
    }

    pub(super) fn deliver() {}
}

/// Whether the file has names other than the one being rewritten.
#[cfg(unix)]
fn has_other_links(metadata: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(metadata) > 1
}

#[cfg(not(unix))]
fn has_other_links(_: &std::fs::Metadata) -> bool {
    false
}

/// Whether the file has extended attributes (its ACLs, a user's own) that
/// a file renamed into its place would not have. SELinux's label is left
/// out: every file has one where SELinux runs, and the file renamed into
/// place has the label its directory gives (the old file's, unless someone
/// changed that); counting it would rewrite every file in place there,
/// without the rename's safety. (A file whose attributes
/// cannot be listed is taken to have none.)
#[cfg(target_os = "linux")]
fn has_extended_attributes(path: &Path) -> bool {
    const SELINUX_LABEL: &[u8] = b"security.selinux";
    let Ok(size) = rustix::fs::listxattr_query(path) else { return false };
    if size == 0 || size > SELINUX_LABEL.len() + 1 {
        return size > 0;
    }
    let mut names = vec![0; size];
    match rustix::fs::listxattr(path, &mut names[..]) {
        Ok(len) => names.get(..len).unwrap_or_default().split(|&b| b == 0).any(|n| !n.is_empty() && n != SELINUX_LABEL),
        // grown meanwhile: more than the label
        Err(_) => true,
    }
}

#[cfg(not(target_os = "linux"))]
fn has_extended_attributes(_: &Path) -> bool {
    false
}

/// The new file given the old one's owner and group, when they are not the
/// process's (root fixing another user's file); a process that may not give
/// them (another user's group-writable file) writes nothing rather than
/// take the file over.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))
        .map_err(|e| std::io::Error::new(e.kind(), format!("its owner and group could not be kept ({e})")))
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    /// A signal raised while a file is written in place waits: the process
    /// lives on, and the signal is noted for `deliver` (not called here: it
    /// would end the test's process). (One the test's process does not
    /// ignore: an ignored one gets no handler.)
    #[test]
    fn a_signal_during_an_in_place_write_waits() {
        use std::sync::atomic::Ordering;
        let ignored = crate::interrupt::ignored_signals();
        let candidates = [signal_hook::consts::SIGHUP, signal_hook::consts::SIGTERM];
        let Some(signal) = candidates.into_iter().find(|s| !ignored.contains(s)) else { return };
        let raised = super::deferred::during(|| signal_hook::low_level::raise(signal)).unwrap();
        assert!(raised.is_ok());
        let pending = super::deferred::PENDING.swap(0, Ordering::SeqCst);
        assert_eq!(pending, usize::try_from(signal).unwrap());
        assert!(super::deferred::OUTSIDE.load(Ordering::SeqCst));
    }
}
