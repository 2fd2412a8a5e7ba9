//! Whether two builds are laid out alike: `cargo xtask build-policies`
//! writes one build per partition directory, `pcl build` one build at the
//! top. Compared file by file, one of each only shows every file added and
//! removed, and each side "without an index".

use super::Problem;

/// How a build is laid out, from the indexes it holds.
pub(super) enum Layout {
    /// An index at the top: one `pcl build` (of this partition).
    Single(Option<String>),
    /// Indexes in these top-level directories, none at the top.
    Partitions(Vec<String>),
    /// Neither (no index pcl reads).
    Other,
}

/// The problem of comparing `old` with `new`, if they are laid out unalike.
pub(super) fn mismatch(old: (&Layout, &str), new: (&Layout, &str)) -> Option<Problem> {
    let (single, partitions, single_is_old) = match (old.0, new.0) {
        (Layout::Single(p), Layout::Partitions(dirs)) => ((p, old.1), (dirs, new.1), true),
        (Layout::Partitions(dirs), Layout::Single(p)) => ((p, new.1), (dirs, old.1), false),
        _ => return None,
    };
    let ((partition, single_name), (dirs, multi_name)) = (single, partitions);
    let of = partition.as_ref().map(|p| format!(" (partition {p})")).unwrap_or_default();
    let message = format!(
        "{multi_name} holds one build per partition ({}), as `cargo xtask build-policies` writes, and \
         {single_name} a single `pcl build`{of}: they are not laid out alike",
        dirs.join(", ")
    );
    // the same partition if the other build has it
    let pick = partition.as_ref().filter(|p| dirs.contains(p)).or(dirs.first());
    let help = pick.map(|dir| {
        let inner = format!("{}/{dir}", multi_name.trim_end_matches('/'));
        let (a, b) = if single_is_old { (single_name, inner.as_str()) } else { (inner.as_str(), single_name) };
        format!("compare one partition with it: `pcl diff {a} {b}`")
    });
    Some(Problem { message, help })
}
