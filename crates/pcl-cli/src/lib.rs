//! Library part of the CLI: diagnostic rendering and the atomic output
//! directory, shared by the `pcl` binary, xtask and the test suite.

pub mod output_dir;
pub mod report;
