//! A `didChange`'s edits, applied in order. One edit is spliced into the
//! text (a line index, then a copy); several go through a rope, where each
//! costs O(log n) and its own size instead of a scan and a copy of the whole
//! text: 4,000 edits in one message to a 5.6 MB document took 3.1 s.
//! Positions are read as `LineIndex::offset` reads them: a line ends at LF,
//! CRLF or a lone CR, a column past its end is its end, one inside a
//! character is the next character.

use lsp_types::{Position, TextDocumentContentChangeEvent};
use ropey::Rope;

use super::{Encoding, LineIndex};

/// A `didChange` read against the text it edits.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// One edit: the bytes `range` of the text become `inserted` (the
    /// database splices it into its own text, knowing where it changed).
    Splice { range: std::ops::Range<usize>, inserted: String },
    /// The whole new text.
    Whole(String),
}

impl Applied {
    /// The text after the change (the splice made here, at a character:
    /// `LineIndex::offset` gives nothing else).
    #[cfg(test)]
    fn text_after(&self, text: &str) -> String {
        match self {
            Applied::Splice { range, inserted } => {
                let mut edited = text.to_string();
                edited.replace_range(range.clone(), inserted);
                edited
            }
            Applied::Whole(text) => text.clone(),
        }
    }
}

/// Splices `inserted` at `range` of the open document `key`. The range is
/// `LineIndex::offset`'s, at characters of the text the host holds, so it
/// fits; should it not, the document is left as it was and the refusal is
/// logged (on stderr, the server's log), not hidden: the editor's text and
/// the server's would differ until the next whole-text change.
pub fn splice_or_log(host: &mut pcl_ide::AnalysisHost, key: &str, range: std::ops::Range<usize>, inserted: &str) {
    if let Err(refused) = host.splice_text(key, range.clone(), inserted) {
        eprintln!("pcl lsp: an edit of {key} at bytes {range:?} was not applied: {refused}");
    }
}

/// `changes` applied to `text`: one edit as a splice, several (or a whole
/// text) as the new text.
pub fn apply(text: &str, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) -> Applied {
    if let [change] = changes.as_slice() {
        return match change.range {
            Some(range) => {
                let lines = LineIndex::new(text, encoding);
                let (start, end) = (lines.offset(range.start), lines.offset(range.end));
                let (start, end) = (start.min(end), start.max(end));
                Applied::Splice { range: start..end, inserted: change.text.clone() }
            }
            None => Applied::Whole(change.text.clone()),
        };
    }
    let mut rope = Rope::from_str(text);
    for change in changes {
        match change.range {
            Some(range) => {
                let (start, end) = (char_at(&rope, range.start, encoding), char_at(&rope, range.end, encoding));
                let (start, end) = (start.min(end), start.max(end));
                // both are places in the rope: neither can fail
                let _ = rope.try_remove(start..end);
                let _ = rope.try_insert(start, &change.text);
            }
            None => rope = Rope::from_str(&change.text),
        }
    }
    Applied::Whole(rope.to_string())
}

/// The char index of `position` in `rope`; one outside it is clamped to the
/// nearest place in it.
fn char_at(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let end_of_text = rope.len_chars();
    let line = position.line as usize;
    let (Ok(start), Ok(next)) = (rope.try_line_to_char(line), rope.try_line_to_char(line + 1)) else {
        return end_of_text;
    };
    // the line's end, before its break (LF, CRLF or CR)
    let mut end = next;
    for strip in ['\n', '\r'] {
        if end > start && rope.get_char(end - 1) == Some(strip) {
            end -= 1;
        }
    }
    let units = |at: usize| match encoding {
        Encoding::Utf8 => rope.try_char_to_byte(at),
        Encoding::Utf16 => rope.try_char_to_utf16_cu(at),
    };
    let (Ok(base), Ok(limit)) = (units(start), units(end)) else { return end };
    let target = base.saturating_add(position.character as usize);
    if target >= limit {
        return end;
    }
    // the character that holds unit `target`; the next one when it starts before
    let found = match encoding {
        Encoding::Utf8 => rope.try_byte_to_char(target),
        Encoding::Utf16 => rope.try_utf16_cu_to_char(target),
    };
    let Ok(at) = found else { return end };
    if units(at).is_ok_and(|u| u < target) { (at + 1).min(end) } else { at }
}

/// Where `old` and `new` differ, as one span: the byte where they start to
/// differ, and where the difference ends in `old` and in `new` (their common
/// start and end left out, each cut at a character boundary, and never
/// between the two bytes of a CRLF: a position there is past its line's
/// end, which a client reads as the line's end, and the CR stayed (found by
/// review, on a file of mixed line ends). An editor given only that span
/// keeps the rest of the document, and its cursor.
pub fn changed_middle(old: &str, new: &str) -> (usize, usize, usize) {
    let splits = |text: &str, at: usize| {
        !text.is_char_boundary(at) || (at > 0 && text.as_bytes().get(at - 1..=at) == Some(b"\r\n"))
    };
    let mut start = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while splits(old, start) || splits(new, start) {
        start -= 1;
    }
    let room = old.len().min(new.len()) - start;
    let mut common_end = old.bytes().rev().zip(new.bytes().rev()).take(room).take_while(|(a, b)| a == b).count();
    while splits(old, old.len() - common_end) || splits(new, new.len() - common_end) {
        common_end -= 1;
    }
    (start, old.len() - common_end, new.len() - common_end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range;

    fn edit(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l0, c0), (l1, c1))| Range {
                start: Position { line: l0, character: c0 },
                end: Position { line: l1, character: c1 },
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    /// Every position of mixed texts, in and out of range, is the place
    /// `LineIndex::offset` finds, in both encodings.
    #[test]
    fn positions_are_read_as_the_line_index_reads_them() {
        let texts = ["", "\r", "\n\n", "a\r\n€\rb\n😀x\r\n", "ascii\nonly\r\nlines\r", "é\n\n\rz😀", "x😀😀y\r\n\r\n"];
        for text in texts {
            let rope = Rope::from_str(text);
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let lines = LineIndex::new(text, encoding);
                for line in 0..7 {
                    for character in 0..12 {
                        let position = Position { line, character };
                        let expected = lines.offset(position);
                        let got = rope.char_to_byte(char_at(&rope, position, encoding));
                        assert_eq!(got, expected, "{text:?} {encoding:?} {line}:{character}");
                    }
                }
            }
        }
    }

    /// Several edits in one message give what applying them one by one
    /// gives, including edits that join or split a CRLF.
    #[test]
    fn several_edits_are_each_applied_in_turn() {
        let text = "ab\r\ncd\n€f\rgh😀i\n";
        let changes = [
            edit(Some(((0, 2), (0, 2))), "X\r"),
            edit(Some(((1, 0), (1, 0))), "\n"),
            edit(Some(((3, 1), (4, 3))), "é"),
            edit(Some(((9, 0), (9, 9))), "end"),
            edit(Some(((2, 9), (0, 1))), ""),
            edit(Some(((0, 0), (0, 0))), "😀\r\n"),
            edit(Some(((1, 1), (1, 2))), "y"),
        ];
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let mut one_by_one = text.to_string();
            for change in &changes {
                let applied = apply(&one_by_one, vec![change.clone()], encoding);
                // one edit is a splice, at characters of the text
                let at_characters = |range: &std::ops::Range<usize>| {
                    one_by_one.is_char_boundary(range.start) && one_by_one.is_char_boundary(range.end)
                };
                assert!(matches!(&applied, Applied::Splice { range, .. } if at_characters(range)), "{applied:?}");
                one_by_one = applied.text_after(&one_by_one);
            }
            assert_eq!(apply(text, changes.to_vec(), encoding), Applied::Whole(one_by_one), "{encoding:?}");
        }
        // the whole text replaced, then edited
        let whole = vec![edit(None, "new\ntext"), edit(Some(((1, 0), (1, 4))), "line")];
        assert_eq!(apply(text, whole, Encoding::Utf16), Applied::Whole("new\nline".to_string()));
    }

    #[test]
    fn the_changed_middle_leaves_out_the_common_start_and_end() {
        use super::changed_middle;
        assert_eq!(changed_middle("a  b;\nc\n", "a b;\nc\n"), (2, 3, 2));
        assert_eq!(changed_middle("same", "same"), (4, 4, 4));
        assert_eq!(changed_middle("", "x\n"), (0, 0, 2));
        // never inside a character: "é" and "è" share their first byte
        assert_eq!(changed_middle("é", "è"), (0, 2, 2));
        // the common end does not overlap the common start
        assert_eq!(changed_middle("aa", "aaa"), (2, 2, 3));
        // nor between a CR and its LF: the review's case, where `pcl fmt`
        // makes the file's lines end with LF as most of them do
        assert_eq!(changed_middle("a;\nb;\r\n", "a;\nb;\n"), (5, 7, 6));
        assert_eq!(changed_middle("x\r\n", "x\r\r\n"), (1, 1, 2));
        assert_eq!(changed_middle("\r\ny", "\ny"), (0, 2, 1));
    }
}
