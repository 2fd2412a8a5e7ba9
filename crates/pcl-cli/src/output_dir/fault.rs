//! Test-only fault injection, compiled into debug builds only: the suite
//! kills a build at each step (`PCL_TEST_FAULT_AT=<step>` aborts the process
//! there, like `kill -9`: no destructor runs), plays a user who writes a
//! file while the build runs (`PCL_TEST_INTRUDE_AT=<step>` writes the file
//! `PCL_TEST_INTRUDER`, or `PCL_TEST_INTRUDER_IN`, relative to a directory
//! the step names, such as the old tree once swapped out), forces the two-rename fallback
//! (`PCL_TEST_NO_EXCHANGE=1`), and pauses a build for a signal to reach it
//! there (`PCL_TEST_PAUSE_AT=<step>`: it creates the file `PCL_TEST_PAUSED`,
//! then waits, for a minute at most, until a signal asked the build to stop
//! at a safe point; at a step before the build changes anything, it stands
//! for work that never looks at the signal, a long analysis, and waits on:
//! only the process's own ending stops it there). Release builds ignore all
//! of them.

/// How long a build paused by `PCL_TEST_PAUSE_AT` waits for a signal.
const PAUSE_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Aborts the process if `PCL_TEST_FAULT_AT` names `step`; writes the
/// intruder file if `PCL_TEST_INTRUDE_AT` does; pauses if
/// `PCL_TEST_PAUSE_AT` does.
pub fn point(step: &str) {
    if !cfg!(debug_assertions) {
        return;
    }
    if std::env::var("PCL_TEST_FAULT_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
    if std::env::var("PCL_TEST_PAUSE_AT").is_ok_and(|s| s == step) {
        if let Some(paused) = std::env::var_os("PCL_TEST_PAUSED") {
            let _ = std::fs::write(paused, step);
        }
        let started = std::time::Instant::now();
        while !(crate::interrupt::armed() && crate::interrupt::received().is_some()) && started.elapsed() < PAUSE_FOR {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    if std::env::var("PCL_TEST_INTRUDE_AT").is_ok_and(|s| s == step)
        && let Some(path) = std::env::var_os("PCL_TEST_INTRUDER")
    {
        let _ = std::fs::write(path, "written by the user during the build");
    }
}

/// Pauses as `point` does where `PCL_TEST_PAUSE_AT` names `step`, until
/// `done` (a signal the step holds back came) or the minute is over.
pub fn pause_until(step: &str, done: impl Fn() -> bool) {
    if cfg!(debug_assertions) && std::env::var("PCL_TEST_PAUSE_AT").is_ok_and(|s| s == step) {
        if let Some(paused) = std::env::var_os("PCL_TEST_PAUSED") {
            let _ = std::fs::write(paused, step);
        }
        let started = std::time::Instant::now();
        while !done() && started.elapsed() < PAUSE_FOR {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// `point`, and writes the intruder file `PCL_TEST_INTRUDER_IN` (relative)
/// inside `dir` if `PCL_TEST_INTRUDE_AT` names `step`: a user whose process
/// is still inside the old tree as the build removes it.
pub fn point_inside(step: &str, dir: &std::path::Path) {
    point(step);
    if cfg!(debug_assertions)
        && std::env::var("PCL_TEST_INTRUDE_AT").is_ok_and(|s| s == step)
        && let Some(path) = std::env::var_os("PCL_TEST_INTRUDER_IN")
    {
        let _ = std::fs::write(dir.join(path), "written by the user during the build");
    }
}

/// Whether the atomic exchange is to be treated as unsupported.
pub fn no_exchange() -> bool {
    cfg!(debug_assertions) && std::env::var_os("PCL_TEST_NO_EXCHANGE").is_some()
}
