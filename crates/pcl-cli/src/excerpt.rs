//! Windows of long lines for diagnostics. ariadne prints every line it
//! labels in full, so one diagnostic on a 1 MB line would print megabytes.
//! When a diagnostic's lines include one longer than `MAX_LINE_CHARS`, it is
//! rendered from an *excerpt* instead: the lines it spans, with each long
//! line cut to windows around the labels (`…` marks every cut), and label
//! positions mapped into it. Output then grows with the number of
//! diagnostics, not with the length of lines.

use std::ops::Range;

/// Lines up to this many characters are shown whole.
pub const MAX_LINE_CHARS: usize = 120;
/// Characters shown before a label on a cut line.
const BEFORE: usize = 40;
/// A label longer than this many characters is cut (after `AFTER` more of
/// it); its underline runs to the cut.
const LABEL: usize = 60;
/// Characters shown after a label.
const AFTER: usize = 20;
const CUT: &str = "…";

/// Byte offsets of the start of every line, built once per file.
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts, len: text.len() }
    }

    /// The line (from 0) that holds byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Where `line` starts.
    pub fn start_of(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The bytes of `line` without its `\n`.
    fn content(&self, line: usize) -> Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let end = self.starts.get(line + 1).map_or(self.len, |next| next - 1);
        start..end.max(start)
    }
}

/// A part of the excerpt copied from the text.
struct Piece {
    /// Where it is in the text.
    text: Range<usize>,
    /// Where it starts in the excerpt.
    at: usize,
}

/// The text a diagnostic is rendered from when a line is too long: the
/// lines `first..first + lines` of the file, cut.
pub struct Excerpt {
    pub text: String,
    pieces: Vec<Piece>,
    /// The file's line (from 0) the excerpt's first line is.
    pub first: usize,
    /// How many lines it has.
    pub lines: usize,
}

impl Excerpt {
    /// Maps a byte offset of the text into the excerpt; an offset that was
    /// cut out maps to the end of the piece before it.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.text.start <= offset);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(p) => p.at + offset.min(p.text.end) - p.text.start,
            None => 0,
        }
    }

    /// The column (from 1, in characters) of `offset` in its line of `text`,
    /// as ariadne prints it in a header.
    pub fn column(text: &str, offset: usize) -> usize {
        let before = text.get(..offset).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before.get(line_start..).map_or(0, |s| s.chars().count()) + 1
    }
}

/// ariadne's rendering of `excerpt` with its gutter numbered as the file's
/// lines: each line number `n` becomes `n + excerpt.first`, and the gutter
/// widens to the widest of those (ariadne sizes it by the last line's
/// number). The gutter is what starts every line but the first: a margin
/// (` ` and, coloured or not, the number or blanks right-aligned, ` │`),
/// the header's or a note's indent, or the closing `─…╯`.
pub fn renumber_gutter(rendered: String, excerpt: &Excerpt) -> String {
    if excerpt.first == 0 {
        return rendered;
    }
    let digits = |n: usize| n.to_string().len();
    let (narrow, wide) = (digits(excerpt.lines), digits(excerpt.first + excerpt.lines));
    let widen = wide - narrow;
    let mut out = String::with_capacity(rendered.len() + 8 * widen);
    for (i, line) in rendered.split_inclusive('\n').enumerate() {
        if i > 0 {
            renumber_line(line, excerpt.first, narrow, wide, &mut out);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// One line of `renumber_gutter`.
fn renumber_line(line: &str, first: usize, narrow: usize, wide: usize, out: &mut String) {
    // an escape sequence (colour) that may open the margin
    let escape_len = |s: &str| match s.strip_prefix("\u{1b}[") {
        Some(rest) => rest.find('m').map_or(0, |m| m + 3),
        None => 0,
    };
    // ` ` [escape] (number or blanks, `narrow` wide) ` │` or ` ┆`
    if let Some(rest) = line.strip_prefix(' ') {
        let escape = escape_len(rest);
        let (colour, rest) = rest.split_at(escape);
        if let Some(field) = rest.get(..narrow)
            && field.bytes().all(|b| b == b' ' || b.is_ascii_digit())
            && let Some(after) = rest.get(narrow..)
            && (after.starts_with(" │") || after.starts_with(" ┆"))
        {
            out.push(' ');
            out.push_str(colour);
            match field.trim_start().parse::<usize>() {
                Ok(n) => out.push_str(&format!("{:>wide$}", n + first)),
                Err(_) => out.push_str(&" ".repeat(wide)),
            }
            out.push_str(after);
            return;
        }
    }
    // the header's and notes' indent: blanks, `narrow + 2` of them
    let blanks = line.len() - line.trim_start_matches(' ').len();
    if blanks >= narrow + 2 {
        out.push_str(&" ".repeat(wide - narrow));
        out.push_str(line);
        return;
    }
    // [escape] `─` × (narrow + 2) `╯`
    let escape = escape_len(line);
    let (colour, rest) = line.split_at(escape);
    let rule = "─".repeat(narrow + 2);
    if let Some(after) = rest.strip_prefix(rule.as_str())
        && after.starts_with('╯')
    {
        out.push_str(colour);
        out.push_str(&"─".repeat(wide + 2));
        out.push_str(after);
        return;
    }
    out.push_str(line);
}

/// `text` with every `code span` longer than `MAX_QUOTE_CHARS` shortened
/// to its two ends around `…`: messages quote the user's values, which may be
/// as long as a line. Control characters other than `\n` are shown
/// escaped (`\t`, `\u{1b}`): a quoted value must not move the cursor or
/// colour the terminal. A quote is measured as shown, escapes included.
pub fn shorten_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && c != '\n';
    if text.len() <= MAX_QUOTE_CHARS && !text.contains(hidden) {
        return text.into();
    }
    // a character as shown, and its width there
    let show = |out: &mut String, c: char| {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    };
    let width = |c: &char| if hidden(*c) { c.escape_default().count() } else { 1 };
    let mut out = String::with_capacity(text.len().min(4 * MAX_LINE_CHARS));
    let mut changed = false;
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        changed |= part.contains(hidden);
        let quoted = i % 2 == 1;
        if quoted && part.chars().map(|c| width(&c)).sum::<usize>() > MAX_QUOTE_CHARS {
            // cut between characters, never inside an escape
            let keep = MAX_QUOTE_CHARS / 2 - 1;
            let within = |shown: &mut usize, c: &char| {
                *shown += width(c);
                *shown <= keep
            };
            let (mut head, mut tail) = (0, 0);
            let start: Vec<char> = part.chars().take_while(|c| within(&mut head, c)).collect();
            let mut end: Vec<char> = part.chars().rev().take_while(|c| within(&mut tail, c)).collect();
            end.reverse();
            start.into_iter().for_each(|c| show(&mut out, c));
            out.push_str(CUT);
            end.into_iter().for_each(|c| show(&mut out, c));
            changed = true;
        } else {
            part.chars().for_each(|c| show(&mut out, c));
        }
    }
    if changed { out.into() } else { text.into() }
}

/// A quoted value longer than this many characters is shortened.
const MAX_QUOTE_CHARS: usize = 80;

/// An excerpt for labels at `ranges` (clamped to `text`, on character
/// boundaries), or `None` when every line they span is short enough to be
/// shown whole.
pub fn excerpt(text: &str, index: &LineIndex, ranges: &[Range<usize>]) -> Option<Excerpt> {
    let first = ranges.iter().map(|r| index.line_of(r.start)).min()?;
    let last = ranges.iter().map(|r| index.line_of(r.end.saturating_sub(1).max(r.start))).max()?;
    let is_long = |line: usize| {
        let bytes = index.content(line);
        bytes.len() > MAX_LINE_CHARS
            && text.get(bytes).is_some_and(|s| s.chars().take(MAX_LINE_CHARS + 1).count() > MAX_LINE_CHARS)
    };
    if !(first..=last).any(is_long) {
        return None;
    }
    // ariadne 0.6 numbers the gutter from the source's own first line (its
    // `with_display_line_offset` moves only the header): `renumber_gutter`
    // puts the file's numbers in. (The lines before it, kept empty, made
    // each diagnostic cost as many lines as stood above it.)
    let mut out = Excerpt { text: String::new(), pieces: Vec::new(), first, lines: last - first + 1 };
    for line in first..=last {
        let bytes = index.content(line);
        if is_long(line) {
            let windows = windows(text, bytes.clone(), ranges);
            for (i, w) in windows.iter().enumerate() {
                if (i == 0 && w.start > bytes.start) || i > 0 {
                    out.text.push_str(CUT);
                }
                out.pieces.push(Piece { text: w.clone(), at: out.text.len() });
                out.text.push_str(text.get(w.clone()).unwrap_or_default());
            }
            if windows.last().is_none_or(|w| w.end < bytes.end) {
                out.text.push_str(CUT);
            }
        } else {
            out.pieces.push(Piece { text: bytes.clone(), at: out.text.len() });
            out.text.push_str(text.get(bytes.clone()).unwrap_or_default());
        }
        if line < last {
            // the newline itself, so that offsets at a line's end map
            out.pieces.push(Piece { text: bytes.end..bytes.end + 1, at: out.text.len() });
            out.text.push('\n');
        }
    }
    Some(out)
}

/// The windows of the long line `line` (byte range, without `\n`) around the
/// labels that start or end in it, merged where they overlap, in order.
fn windows(text: &str, line: Range<usize>, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut wanted: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        let starts_here = line.contains(&r.start) || (r.start == line.end);
        let ends_here = r.end > line.start && r.end <= line.end && !starts_here;
        if starts_here {
            let label_end = advance(text, r.start, LABEL, line.end).min(r.end.max(r.start));
            wanted.push(back(text, r.start, BEFORE, line.start)..advance(text, label_end, AFTER, line.end));
        } else if ends_here {
            let label_start = back(text, r.end, LABEL, line.start);
            wanted.push(back(text, label_start, BEFORE, line.start)..advance(text, r.end, AFTER, line.end));
        }
    }
    if wanted.is_empty() {
        // a line inside a multi-line label: its beginning
        wanted.push(line.start..advance(text, line.start, MAX_LINE_CHARS, line.end));
    }
    wanted.sort_by_key(|w| w.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for w in wanted {
        match merged.last_mut() {
            Some(m) if w.start <= m.end => m.end = m.end.max(w.end),
            _ => merged.push(w),
        }
    }
    merged
}

/// The offset `n` characters after `from`, at most `limit`.
fn advance(text: &str, from: usize, n: usize, limit: usize) -> usize {
    match text.get(from..limit) {
        Some(rest) => rest.char_indices().nth(n).map_or(limit, |(i, _)| from + i),
        None => limit,
    }
}

/// The offset `n` characters before `from`, at least `limit`.
fn back(text: &str, from: usize, n: usize, limit: usize) -> usize {
    match text.get(limit..from) {
        Some(before) => before.char_indices().rev().nth(n.saturating_sub(1)).map_or(limit, |(i, _)| limit + i),
        None => limit,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::single_range_in_vec_init, reason = "tests")]
    use super::*;

    #[test]
    fn long_quotes_are_shortened() {
        assert_eq!(shorten_quotes("`ab` is fine"), "`ab` is fine");
        // control characters are shown, not sent to the terminal
        assert_eq!(shorten_quotes("`a\tb\u{1b}[31m` is odd"), "`a\\tb\\u{1b}[31m` is odd");
        assert_eq!(shorten_quotes("two\nlines"), "two\nlines");
        // measured as shown: eighty escapes are cut like any long quote
        let escapes = shorten_quotes(&format!("`{}`", "\u{1b}".repeat(80))).into_owned();
        assert!(escapes.chars().count() < 90, "{escapes}");
        let long = format!("`{}` is not an ARN; `{}`", "x".repeat(500), "y".repeat(90));
        let short = shorten_quotes(&long);
        assert_eq!(short, format!("`{x}…{x}` is not an ARN; `{y}…{y}`", x = "x".repeat(39), y = "y".repeat(39)));
    }

    #[test]
    fn short_lines_need_no_excerpt() {
        let text = "a\nbb\nccc\n";
        assert!(excerpt(text, &LineIndex::new(text), &[2..4]).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_its_label() {
        let text = format!("{}TARGET{}\nnext", "x".repeat(5000), "y".repeat(5000));
        let index = LineIndex::new(&text);
        let e = excerpt(&text, &index, &[5000..5006]).unwrap();
        assert_eq!(e.text, format!("…{}TARGET{}…", "x".repeat(BEFORE), "y".repeat(AFTER)));
        let (s, t) = (e.map(5000), e.map(5006));
        assert_eq!(&e.text[s..t], "TARGET");
        assert_eq!(Excerpt::column(&text, 5000), 5001);
    }

    #[test]
    fn labels_far_apart_on_one_line_get_a_window_each() {
        let text = format!("A{}B{}", "-".repeat(3000), "-".repeat(3000));
        let e = excerpt(&text, &LineIndex::new(&text), &[0..1, 3001..3002]).unwrap();
        assert_eq!(e.text.matches(CUT).count(), 2, "{}", e.text);
        assert_eq!(&e.text[e.map(0)..e.map(1)], "A");
        assert_eq!(&e.text[e.map(3001)..e.map(3002)], "B");
        assert!(e.text.chars().count() < 2 * (BEFORE + LABEL + AFTER));
    }

    #[test]
    fn a_long_label_is_cut_and_cuts_keep_characters_whole() {
        let text = "é".repeat(4000);
        let index = LineIndex::new(&text);
        let e = excerpt(&text, &index, &[2000..6000]).unwrap();
        let (s, t) = (e.map(2000), e.map(6000));
        assert_eq!(e.text[s..t].chars().count(), LABEL + AFTER);
        assert_eq!(&e.text[t..], CUT);
        assert_eq!(Excerpt::column(&text, 2000), 1001);
    }

    #[test]
    fn lines_keep_their_numbers_and_multi_line_labels_map() {
        let long = "z".repeat(500);
        let text = format!("one\ntwo {long}\nthree\nfour");
        let index = LineIndex::new(&text);
        let start = text.find("two").unwrap();
        let end = text.find("three").unwrap() + 5;
        let e = excerpt(&text, &index, &[start..end]).unwrap();
        // the excerpt starts at its first line; `first` says which it is
        assert!(e.text.starts_with("two "), "{}", e.text);
        assert_eq!((e.first, e.lines), (1, 2));
        assert_eq!(e.text.lines().count(), 2);
        assert!(e.text.ends_with("\nthree"), "{}", e.text);
        assert_eq!(&e.text[e.map(start)..e.map(start + 3)], "two");
        assert_eq!(e.map(end), e.text.len());
    }
}
