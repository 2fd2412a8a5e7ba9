//! Unified diffs that `patch` applies: lines end at `\n` alone (a lone CR
//! is part of its line, as `patch` reads it; similar's own line split ends
//! a line there too, and printed the line without a break), a missing
//! final line break marked, and names quoted where `patch` would misread
//! them.

use std::borrow::Cow;
use std::fmt::Write as _;

use similar::TextDiff;

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
    for group in diff.grouped_ops(radius) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        if out.is_empty() {
            let label = label.map(|label| format!(" ({label})")).unwrap_or_default();
            let _ = writeln!(out, "--- {}\n+++ {}{label}", quoted_name(old_name), quoted_name(new_name));
        }
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let _ = writeln!(out, "@@ -{} +{} @@", hunk_range(old_range), hunk_range(new_range));
        for change in group.iter().flat_map(|op| diff.iter_changes(op)) {
            let sign = match change.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
            };
            let line = change.value();
            out.push(sign);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
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

    #[test]
    fn names_patch_would_misread_are_quoted() {
        assert_eq!(quoted_name("dir/a.pcl"), "dir/a.pcl");
        assert_eq!(quoted_name("é/a.pcl"), "é/a.pcl");
        assert_eq!(quoted_name("a dir/f x.pcl"), "\"a dir/f x.pcl\"");
        assert_eq!(quoted_name("a\"b\\c\td\u{1}"), "\"a\\\"b\\\\c\\td\\001\"");
    }
}
