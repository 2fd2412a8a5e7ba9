//! Ctrl-C (SIGINT) and SIGTERM during a build that writes an output.
//!
//! A command that writes one (`pcl build`, `cargo xtask build-policies`)
//! calls [`enable`]. Nothing changes until the build is about to change the
//! file system: `output_dir` then calls [`arm`], which installs the handler
//! (`signal_hook::flag`: the signal only sets a flag). From there a signal
//! no longer ends the process: the build sees the flag at its next safe
//! point (before each file it stages, before the swap, while it waits for
//! another build's lock), removes what it had made and stops, and the
//! command says so and exits with 128 + the signal's number (130, 143), as
//! a shell reports a process a signal ended. A second signal ends the
//! process at once, as without the handler: the next build recovers what it
//! left (see `output_dir`). Before the build changes anything, and in every
//! other command (`pcl check`, `pcl lsp`, ...), a signal ends the process
//! as it always did: there is nothing to clean up.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// Whether this process's command writes an output ([`enable`]).
static WANTED: AtomicBool = AtomicBool::new(false);
/// Whether the handler is installed ([`arm`]).
static ARMED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();
/// The number of the last signal received since then, 0 for none.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal: a second one takes its default action.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Lets the build this process runs stop cleanly on SIGINT or SIGTERM once
/// it has begun to change the file system (see the module's doc). For the
/// commands that write an output only.
pub fn enable() {
    WANTED.store(true, Ordering::SeqCst);
}

/// Installs the handler, once, if [`enable`] was called: what the build
/// does from now on must be undone when it is interrupted. Called before
/// the first change a build makes (the output's parents, the leftovers it
/// recovers, its staging directory).
pub fn arm() {
    if !WANTED.load(Ordering::SeqCst) {
        return;
    }
    INSTALL.call_once(|| {
        // should a registration fail (it cannot for these two signals), the
        // signal keeps its default action: the build is killed, and the next
        // one recovers what it left, as before
        ARMED.store(install().is_ok(), Ordering::SeqCst);
    });
}

/// Whether a signal stops this process's build at its next safe point
/// instead of ending the process.
pub fn armed() -> bool {
    ARMED.load(Ordering::SeqCst)
}

#[cfg(unix)]
fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for (number, signal) in [(SIGINT, Signal::Interrupt), (SIGTERM, Signal::Terminate)] {
        // in this order: the default action only from the second signal on
        signal_hook::flag::register_conditional_default(number, &STOPPING)?;
        signal_hook::flag::register_usize(number, &RECEIVED, signal.number())?;
        signal_hook::flag::register(number, &STOPPING)?;
    }
    Ok(())
}

/// Elsewhere a signal keeps its default action (documented in
/// docs/architecture.md).
#[cfg(not(unix))]
fn install() -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
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
