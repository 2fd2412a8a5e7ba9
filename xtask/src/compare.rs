//! `--check`: compare rendered files with an existing directory, and show
//! the differences as unified diffs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use similar::TextDiff;

/// Unified diffs are shown for this many changed files; all are listed.
const MAX_DIFFS: usize = 3;
/// Each shown diff is cut after this many lines.
const MAX_DIFF_LINES: usize = 80;

#[derive(Debug, Default)]
pub struct Mismatch {
    /// Expected but not on disk.
    pub missing: Vec<String>,
    /// On disk but not expected.
    pub extra: Vec<String>,
    /// On both, different: (path, on disk, expected).
    pub changed: Vec<(String, String, String)>,
}

impl Mismatch {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

/// The differences between `on_disk` and the `expected` files.
pub fn compare(on_disk: &BTreeMap<String, Vec<u8>>, expected: &[(String, String)]) -> Mismatch {
    let mut m = Mismatch::default();
    let mut seen = std::collections::BTreeSet::new();
    for (path, contents) in expected {
        seen.insert(path.as_str());
        match on_disk.get(path) {
            None => m.missing.push(path.clone()),
            Some(bytes) if bytes.as_slice() != contents.as_bytes() => {
                m.changed.push((path.clone(), String::from_utf8_lossy(bytes).into_owned(), contents.clone()))
            }
            Some(_) => {}
        }
    }
    m.extra = on_disk.keys().filter(|p| !seen.contains(p.as_str())).cloned().collect();
    m.missing.sort();
    m.changed.sort_by(|a, b| a.0.cmp(&b.0));
    m
}

/// A readable report: unified diffs of the first few changed files (the
/// manifests, whose diffs are only checksums, last), then every path.
pub fn describe(m: &Mismatch, dir_shown: &str, source_shown: &str) -> String {
    let mut out = String::new();
    let mut shown: Vec<&(String, String, String)> = m.changed.iter().collect();
    shown.sort_by_key(|(p, _, _)| (p.ends_with("index.json"), p.clone()));
    for (path, old, new) in shown.iter().take(MAX_DIFFS) {
        let old_name = format!("{dir_shown}/{path} (on disk)");
        let new_name = format!("{dir_shown}/{path} (from {source_shown})");
        let diff = TextDiff::from_lines(old.as_str(), new.as_str());
        let text = diff.unified_diff().context_radius(3).header(&old_name, &new_name).to_string();
        let total = text.lines().count();
        for line in text.lines().take(MAX_DIFF_LINES) {
            let _ = writeln!(out, "{line}");
        }
        if total > MAX_DIFF_LINES {
            let _ = writeln!(out, "... ({} more diff lines)", total - MAX_DIFF_LINES);
        }
        out.push('\n');
    }
    if m.changed.len() > MAX_DIFFS {
        let _ = writeln!(out, "(diffs shown for {MAX_DIFFS} of {} changed files)\n", m.changed.len());
    }
    let mut list = |title: &str, paths: &mut dyn Iterator<Item = &String>| {
        let paths: Vec<&String> = paths.collect();
        if !paths.is_empty() {
            let _ = writeln!(out, "{title} ({}):", paths.len());
            for p in paths {
                let _ = writeln!(out, "  {dir_shown}/{p}");
            }
        }
    };
    list("changed", &mut m.changed.iter().map(|(p, _, _)| p));
    list("missing (would be written by build-policies)", &mut m.missing.iter());
    list("extra (written by an earlier build; build-policies would remove them)", &mut m.extra.iter());
    out
}
