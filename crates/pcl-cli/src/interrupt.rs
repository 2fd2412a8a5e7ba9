//! Ctrl-C (SIGINT) and SIGTERM during a build that writes an output.
//!
//! A command that writes one (`pcl build`, `cargo xtask build-policies`)
//! calls [`enable`] first, which installs the handler (`signal_hook`: the
//! signal only sets flags and wakes a watching thread) for each signal the
//! process does not ignore: one it was started ignoring stays ignored. What a signal then
//! does depends on how far the build got, held in one atomic (`PHASE`):
//!
//! - Before the build changes anything on disk (its analysis, an audit that
//!   only reads, `build-policies`' rendering in memory), the watching thread
//!   ends the process at once, with the command's one-line note (nothing was
//!   written) and 128 + the signal's number (130, 143): waiting for a long
//!   analysis to reach a safe point would keep the user waiting for nothing.
//! - From [`arm`], called by `output_dir` just before its first change (the
//!   output's parents, the leftovers it recovers, its staging directory),
//!   the build sees the flag at its next safe point (before each file it
//!   stages, before the swap, while it waits for another build's lock),
//!   removes what it had made and stops; after its swap it finishes. The
//!   command says so in one line ([`finish`]) and exits with 130 or 143.
//!
//! The switch between the two is a compare-and-swap on `PHASE`: either the
//! watcher claims the process before the build arms (the build then never
//! changes anything: [`arm`] waits for the exit), or the build arms first
//! and the watcher leaves the signal to the safe points. A second signal
//! ends the process at once, as without the handler: the next build
//! recovers what it left (see `output_dir`).
//!
//! Every other command (`pcl check`, `render`, `diff`, `lsp`, ...) keeps
//! the default action: it has nothing to clean up, and a process ended by
//! the signal itself is what lets a calling shell script stop too (a shell
//! reports it as 130 or 143 all the same).

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

/// A signal that stops a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 + the signal's number, as a shell reports a process it ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    fn number(self) -> usize {
        match self {
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
        }
    }
}

/// Nothing changed on disk yet: a signal ends the process (the watcher).
const READING: u8 = 0;
/// The build may have changed something: a signal stops it at a safe point.
const CHANGING: u8 = 1;
/// A signal came while `READING`: the watcher is ending the process.
const ENDING: u8 = 2;
/// The command's work is done, having changed nothing: it ends as it would.
const DONE: u8 = 3;

/// Where the build is (see the module's doc).
static PHASE: AtomicU8 = AtomicU8::new(READING);
/// Whether the handler is installed ([`enable`], on Unix).
static INSTALLED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();
/// The number of the last signal received since then, 0 for none.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal: a second one takes its default action.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once) for a command that writes an output: a
/// signal then ends it with `note(signal)` on stderr while it has changed
/// nothing, and stops it at a safe point once [`arm`]ed (see the module's
/// doc). `note` says what became of the output (nothing was written).
pub fn enable(note: impl Fn(Signal) -> String + Send + 'static) {
    INSTALL.call_once(|| {
        // should a registration fail (it cannot for these two signals), the
        // signal keeps its default action: the build is killed, and the next
        // one recovers what it left, as before
        INSTALLED.store(install(Box::new(note)).is_ok(), Ordering::SeqCst);
    });
}

/// Called before the first change a build makes (the output's parents, the
/// leftovers it recovers, its staging directory): from now on a signal
/// stops the build at a safe point, where it removes what it made. Never
/// returns if a signal already claimed the process (the watcher is ending
/// it): the build must not begin to change anything.
pub fn arm() {
    if PHASE.compare_exchange(READING, CHANGING, Ordering::SeqCst, Ordering::SeqCst) == Err(ENDING) {
        wait_for_the_end();
    }
}

/// Whether a signal stops this process's build at its next safe point
/// (rather than ending the process, or not being caught at all).
pub fn armed() -> bool {
    INSTALLED.load(Ordering::SeqCst) && PHASE.load(Ordering::SeqCst) == CHANGING
}

/// How a signal met the command, once its work is done ([`finish`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Before it changed anything: nothing was written.
    Early(Signal),
    /// Once it had begun to change the file system: it stopped at a safe
    /// point, or finished (its exit code tells which).
    Late(Signal),
}

impl Stopped {
    /// The signal, and whether the build finished all the same (its exit
    /// code `code` is 0 only then).
    pub fn signal_and_done(self, code: u8) -> (Signal, bool) {
        match self {
            Stopped::Early(signal) => (signal, false),
            Stopped::Late(signal) => (signal, code == crate::EXIT_OK),
        }
    }
}

/// Called by the command once its work is done: the signal that stopped
/// it, if one did, for its last line and exit code. From here a signal that
/// finds nothing changed no longer ends the process (it is ending anyway).
/// Never returns if the watcher is ending the process (it says so itself).
pub fn finish() -> Option<Stopped> {
    match PHASE.compare_exchange(READING, DONE, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => received().map(Stopped::Early),
        Err(ENDING) => wait_for_the_end(),
        Err(_) => received().map(Stopped::Late),
    }
}

/// The watcher is ending the process: this thread waits for it.
fn wait_for_the_end() -> ! {
    loop {
        std::thread::park();
    }
}

#[cfg(unix)]
fn install(note: Box<dyn Fn(Signal) -> String + Send>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    // A signal the process ignores (`nohup`, a script's background job)
    // stays ignored: a Ctrl-C meant for the calling script must not stop
    // the build (a review found `build-policies ... &` stopped by one).
    let ignored = ignored_signals();
    let caught: Vec<_> = [(SIGINT, Signal::Interrupt), (SIGTERM, Signal::Terminate)]
        .into_iter()
        .filter(|(number, _)| !ignored.contains(number))
        .collect();
    if caught.is_empty() {
        return Ok(());
    }
    let (wake, woken) = std::os::unix::net::UnixStream::pair()?;
    // the watcher first: without it, a signal caught before the build arms
    // would end nothing
    std::thread::Builder::new().name("signals".into()).spawn(move || watch(woken, &*note))?;
    for (number, signal) in caught {
        // in this order: the default action only from the second signal on;
        // the signal noted before the watcher is woken
        signal_hook::flag::register_conditional_default(number, &STOPPING)?;
        signal_hook::flag::register_usize(number, &RECEIVED, signal.number())?;
        signal_hook::low_level::pipe::register(number, wake.try_clone()?)?;
        signal_hook::flag::register(number, &STOPPING)?;
    }
    Ok(())
}

/// The signals the process ignores, from `/proc/self/status`'s `SigIgn`
/// mask (Linux; elsewhere none is known, and every signal is caught).
#[cfg(unix)]
pub(crate) fn ignored_signals() -> Vec<i32> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    (1..64).filter(|n| mask & (1 << (n - 1)) != 0).collect()
}

/// Elsewhere a signal keeps its default action (documented in
/// docs/architecture.md).
#[cfg(not(unix))]
fn install(_note: Box<dyn Fn(Signal) -> String + Send>) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The watching thread: at the first signal, ends the process with `note`
/// if the build has changed nothing yet; else leaves it to the safe points.
#[cfg(unix)]
fn watch(mut woken: std::os::unix::net::UnixStream, note: &dyn Fn(Signal) -> String) {
    use std::io::{Read, Write};
    let mut byte = [0u8; 1];
    loop {
        match woken.read(&mut byte) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
        let Some(signal) = received() else { continue };
        if PHASE.compare_exchange(READING, ENDING, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            // Stderr stays locked to the end: the command's own output (its
            // diagnostics, printed while it reads) must not follow the note,
            // which is the last line (CI saw a warning printed after it).
            // (a stderr that cannot be written must not keep the process up)
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{}", note(signal));
            std::process::exit(i32::from(signal.exit_code()));
        }
        return;
    }
}

/// The signal that asked the build to stop, if one did.
pub fn received() -> Option<Signal> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n if n == Signal::Terminate.number() => Some(Signal::Terminate),
        _ => Some(Signal::Interrupt),
    }
}

/// The one line a command prints when a signal stopped it: `state` says
/// what became of its output.
pub fn note(signal: Signal, state: &str) -> String {
    format!("interrupted by {}: {state}", signal.name())
}

/// What became of the output `out` (shown as `shown`) of a build a signal
/// stopped: `done` once it finished (a signal after its swap), else nothing
/// was written.
pub fn output_state(out: &std::path::Path, shown: &str, done: bool) -> String {
    if done {
        format!("the build was done before it could stop: {shown} holds its output")
    } else if out.exists() {
        format!("nothing written to {shown}; its previous content is kept")
    } else {
        // (missing when the build began: there is no previous content)
        format!("nothing written to {shown}")
    }
}
