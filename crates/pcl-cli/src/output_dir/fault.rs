//! Test-only fault injection, compiled into debug builds only: the suite
//! kills a build at each step (`PCL_TEST_FAULT_AT=<step>` aborts the process
//! there, like `kill -9`: no destructor runs) and forces the two-rename
//! fallback (`PCL_TEST_NO_EXCHANGE=1`). Release builds ignore both.

/// Aborts the process if `PCL_TEST_FAULT_AT` names `step`.
pub fn point(step: &str) {
    if cfg!(debug_assertions) && std::env::var("PCL_TEST_FAULT_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

/// Whether the atomic exchange is to be treated as unsupported.
pub fn no_exchange() -> bool {
    cfg!(debug_assertions) && std::env::var_os("PCL_TEST_NO_EXCHANGE").is_some()
}
