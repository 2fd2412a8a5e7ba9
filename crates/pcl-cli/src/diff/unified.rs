//! Unified diffs that `patch` applies: lines end at `\n` alone (a lone CR
//! is part of its line, as `patch` reads it; similar's own line split ends
//! a line there too, and printed the line without a break), a missing
//! final line break marked, and names quoted where `patch` would misread
//! them.

use std::borrow::Cow;
use std::fmt::Write as _;

use similar::{DiffOp, DiffTag, TextDiff};

/// How long Myers' diff may look for the fewest changed lines: it takes
/// time as the lines times the changes (50,000 lines each re-indented took
/// 13 s); past this the rest is shown as lines removed and added. A file of
/// a few thousand lines never comes near it.
const DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// The unified diff from `old` to `new` with `radius` lines of context,
/// headed `--- old_name` and `+++ new_name` (each as [`quoted_name`] gives
/// it, then `label` after the new one: `+++ a.pcl (fixed)`); empty when
/// the texts are equal.
pub fn unified(old: &str, new: &str, (old_name, new_name, label): (&str, &str, Option<&str>), radius: usize) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let diff = TextDiff::configure().timeout(DIFF_TIMEOUT).diff_slices(&old_lines, &new_lines);
    let mut out = String::new();
    for group in similar::group_diff_ops(counted(diff.ops()), radius) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        if out.is_empty() {
            let label = label.map(|label| format!(" ({label})")).unwrap_or_default();
            let _ = writeln!(out, "--- {}\n+++ {}{label}", quoted_name(old_name), quoted_name(new_name));
        }
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let _ = writeln!(out, "@@ -{} +{} @@", hunk_range(old_range), hunk_range(new_range));
        for op in &group {
            // context, or the old lines then the new (a deletion or an
            // insertion has none of one side)
            let old = lines_in(&old_lines, op.old_range());
            let signed: Vec<(char, &&str)> = match op.tag() {
                DiffTag::Equal => old.iter().map(|l| (' ', l)).collect(),
                _ => old
                    .iter()
                    .map(|l| ('-', l))
                    .chain(lines_in(&new_lines, op.new_range()).iter().map(|l| ('+', l)))
                    .collect(),
            };
            for (sign, line) in signed {
                out.push(sign);
                out.push_str(line);
                if !line.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

/// The diff's operations with their places in both texts counted again
/// from their lengths: similar 2.7 leaves a wrong new-text place on some
/// deletions and a wrong old-text place on some insertions (those its
/// clean-up moved), which gave hunks at a file's first or last line wrong
/// headers that `patch` refused (found by review).
fn counted(ops: &[DiffOp]) -> Vec<DiffOp> {
    let (mut old_index, mut new_index) = (0, 0);
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let (old_len, new_len) = (op.old_range().len(), op.new_range().len());
        out.push(match op.tag() {
            DiffTag::Equal => DiffOp::Equal { old_index, new_index, len: old_len },
            DiffTag::Delete => DiffOp::Delete { old_index, old_len, new_index },
            DiffTag::Insert => DiffOp::Insert { old_index, new_index, new_len },
            DiffTag::Replace => DiffOp::Replace { old_index, old_len, new_index, new_len },
        });
        old_index += old_len;
        new_index += new_len;
    }
    out
}

/// The lines of `range` (none outside `lines`).
fn lines_in<'a, 'l>(lines: &'l [&'a str], range: std::ops::Range<usize>) -> &'l [&'a str] {
    lines.get(range).unwrap_or_default()
}

/// A hunk's range as unified diffs write it: `start,count` from line 1, the
/// count left out when it is 1, and an empty range at the line before it.
fn hunk_range(lines: std::ops::Range<usize>) -> String {
    match lines.len() {
        1 => format!("{}", lines.start + 1),
        0 => format!("{},0", lines.start),
        count => format!("{},{count}", lines.start + 1),
    }
}

/// `name` as a diff's header names it: as it is, or in double quotes with
/// C escapes (as git writes it, and GNU patch reads it) when it holds a
/// blank, a quote, a backslash or a control character, where `patch` would
/// end the name or misread it.
pub fn quoted_name(name: &str) -> Cow<'_, str> {
    if !name.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\')) {
        return Cow::Borrowed(name);
    }
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for c in name.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\t' => quoted.push_str("\\t"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            // every byte of another control character in octal, as C has it
            c if c.is_control() => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    let _ = write!(quoted, "\\{byte:03o}");
                }
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    Cow::Owned(quoted)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{quoted_name, unified};

    #[test]
    fn lines_end_at_a_line_feed_alone() {
        // a file of lone CRs is one line to `patch`
        let diff = unified("a\rb\r", "a\rc\r", ("f.pcl", "f.pcl", Some("fixed")), 2);
        assert_eq!(
            diff,
            "--- f.pcl\n+++ f.pcl (fixed)\n@@ -1 +1 @@\n-a\rb\r\n\\ No newline at end of file\n+a\rc\r\n\\ No newline at end of file\n"
        );
        let diff = unified("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n", ("f", "f", None), 1);
        assert_eq!(diff, "--- f\n+++ f\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n");
    }

    #[test]
    fn a_missing_final_line_break_is_marked_on_its_side_only() {
        let diff = unified("a\nb", "a\nb\n", ("f", "f", None), 2);
        assert_eq!(diff, "--- f\n+++ f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
    }

    #[test]
    fn empty_ranges_and_equal_texts() {
        assert_eq!(unified("a\n", "a\n", ("f", "f", None), 2), "");
        assert_eq!(unified("", "a\n", ("f", "f", None), 2), "--- f\n+++ f\n@@ -0,0 +1 @@\n+a\n");
        assert_eq!(unified("a\n", "", ("f", "f", None), 2), "--- f\n+++ f\n@@ -1 +0,0 @@\n-a\n");
    }

    /// Every pair of texts of up to four lines drawn from three: the diff,
    /// applied hunk by hunk as `patch` reads it, turns the old text into
    /// the new (similar's own places made wrong headers for a change at
    /// the first or last line, found by review: `[a, b]` -> `[b, b]`).
    #[test]
    fn every_small_diff_applies() {
        let pool = ["a\n", "b\n", "c"];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts.iter().flat_map(|t| pool.iter().map(move |l| format!("{t}{l}"))).collect();
            texts.extend(longer);
        }
        // a line without a break ends its text
        texts.retain(|t| !t.trim_end_matches('c').contains('c'));
        texts.sort();
        texts.dedup();
        for old in &texts {
            for new in &texts {
                let diff = unified(old, new, ("f", "f", None), 1);
                assert_eq!(applied(old, &diff), *new, "{old:?} -> {new:?}:\n{diff}");
            }
        }
        assert!(unified("a\nb\n", "b\nb\n", ("f", "f", None), 2).contains("@@ -1,2 +1,2 @@"));
    }

    /// `old` with the unified diff `diff` applied, its headers checked
    /// against the lines each hunk holds.
    fn applied(old: &str, diff: &str) -> String {
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut out = String::new();
        let mut at = 0;
        let mut lines = diff.split_inclusive('\n').skip(2).peekable();
        while let Some(header) = lines.next() {
            let ranges = header.strip_prefix("@@ -").and_then(|h| h.strip_suffix(" @@\n")).unwrap();
            let (old_range, new_range) = ranges.split_once(" +").unwrap();
            let range = |r: &str| -> (usize, usize) {
                match r.split_once(',') {
                    Some((start, len)) => (start.parse().unwrap(), len.parse().unwrap()),
                    None => (r.parse().unwrap(), 1),
                }
            };
            let ((old_start, old_len), (_, new_len)) = (range(old_range), range(new_range));
            let first = if old_len == 0 { old_start } else { old_start - 1 };
            out.extend(old_lines[at..first].iter().copied());
            at = first;
            let (mut removed, mut added) = (0, 0);
            while let Some(line) = lines.next_if(|l| !l.starts_with("@@")) {
                let mut text = line[1..].to_string();
                if lines.next_if(|l| l.starts_with('\\')).is_some() {
                    text.pop();
                }
                match &line[..1] {
                    " " | "-" => {
                        assert_eq!(old_lines[at], text, "the old text at line {}", at + 1);
                        at += 1;
                        removed += 1;
                        if line.starts_with(' ') {
                            out.push_str(&text);
                            added += 1;
                        }
                    }
                    _ => {
                        out.push_str(&text);
                        added += 1;
                    }
                }
            }
            assert_eq!((removed, added), (old_len, new_len), "{header}");
        }
        out.extend(old_lines[at..].iter().copied());
        out
    }

    #[test]
    fn names_patch_would_misread_are_quoted() {
        assert_eq!(quoted_name("dir/a.pcl"), "dir/a.pcl");
        assert_eq!(quoted_name("é/a.pcl"), "é/a.pcl");
        assert_eq!(quoted_name("a dir/f x.pcl"), "\"a dir/f x.pcl\"");
        assert_eq!(quoted_name("a\"b\\c\td\u{1}"), "\"a\\\"b\\\\c\\td\\001\"");
    }
}
