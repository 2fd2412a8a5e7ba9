//! `pcl diff OLD_DIR NEW_DIR`: what changed between two builds, per item in
//! IAM terms; the report `cargo xtask build-policies --check` prints.

use std::path::PathBuf;

use clap::Args;
use pcl_cli::diff::{Detail, diff_trees, read_tree};
use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Show what changed between two build directories, in IAM terms",
    after_help = "Examples:\n  pcl build --out /tmp/new && pcl diff dist /tmp/new\n  pcl diff old/ new/ --diff full     # with unified diffs\n\nExit status: 0 the same, 1 different, 2 a directory cannot be read (or lacks a file its\nindex.json lists), or the two are not laid out alike."
)]
pub struct DiffArgs {
    /// The earlier build.
    pub old: PathBuf,
    /// The later build.
    pub new: PathBuf,
    /// `summary`: changes per item, grouped; `full`: also a unified diff of every changed file.
    #[arg(long = "diff", value_enum, default_value_t = Detail::Summary)]
    pub detail: Detail,
}

pub fn run(args: &DiffArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    let read = |dir: &PathBuf| {
        read_tree(dir).map_err(|e| {
            reporter.plain_error(&format!("cannot read {}: {e}", dir.display()));
            crate::EXIT_USAGE
        })
    };
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let report = diff_trees(&old, &new, args.detail, &args.old.display().to_string(), &args.new.display().to_string());
    if !report.problems.is_empty() {
        // a report of what could be compared would read as the whole story
        for problem in &report.problems {
            let help = problem.help.as_ref().map(|help| format!("\n  help: {help}")).unwrap_or_default();
            reporter.plain_error(&format!("{}{help}", problem.message));
        }
        return crate::EXIT_USAGE;
    }
    if report.is_empty() {
        reporter.note(&format!("{} and {} are the same", args.old.display(), args.new.display()));
        return crate::EXIT_OK;
    }
    print!("{}", report.text);
    crate::EXIT_ERRORS
}
