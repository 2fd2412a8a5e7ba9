//! Positions: the protocol counts lines and, within a line, UTF-16 code
//! units (or bytes, when the client accepts `utf-8`); pcl counts bytes.
//! A line ends at `\n`, `\r\n` or a lone `\r`, as the protocol says.

use lsp_types::{Position, Range};
use pcl_syntax::Span;

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where each line of a text starts.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// Lines of ASCII only, where a column is a byte count (so that many
    /// positions on one long line cost O(1) each, not O(line)), each known
    /// once a position on it is asked for: most requests ask of one line.
    ascii: Vec<std::cell::OnceCell<bool>>,
    encoding: Encoding,
}

impl<'t> LineIndex<'t> {
    /// Built for every request and change: the line breaks are found by
    /// `memchr` (a byte loop and a per-line ASCII table took most of a
    /// one-character edit's 15 ms on a 1 MB file); whether a line is ASCII
    /// is asked of the one line a position is on.
    pub fn new(text: &'t str, encoding: Encoding) -> LineIndex<'t> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let ends_line = bytes.get(i) == Some(&b'\n') || bytes.get(i + 1) != Some(&b'\n');
            if ends_line {
                starts.push(i + 1);
            }
        }
        let ascii = vec![std::cell::OnceCell::new(); starts.len()];
        LineIndex { text, starts, ascii, encoding }
    }

    /// Whether line `line` (in range) holds ASCII only.
    fn is_ascii(&self, line: usize) -> bool {
        let Some(known) = self.ascii.get(line) else { return false };
        *known.get_or_init(|| {
            let (start, end) = Self::bounds(self.text, &self.starts, line);
            self.text.get(start..end).is_some_and(str::is_ascii)
        })
    }

    /// Where line `line`'s text starts and ends, without its line break.
    fn bounds(text: &str, starts: &[usize], line: usize) -> (usize, usize) {
        let start = starts.get(line).copied().unwrap_or(text.len());
        let next = starts.get(line + 1).copied().unwrap_or(text.len());
        let with_break = text.get(start..next).unwrap_or_default();
        let content = with_break.strip_suffix('\n').unwrap_or(with_break);
        let content = content.strip_suffix('\r').unwrap_or(content);
        (start, start + content.len())
    }

    /// The byte offset of a position; one outside the text is clamped to
    /// the nearest place in it (never an error, never a panic).
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return self.text.len();
        }
        let (start, end) = Self::bounds(self.text, &self.starts, line);
        if self.is_ascii(line) {
            return (start + position.character as usize).min(end);
        }
        let text = self.text.get(start..end).unwrap_or_default();
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            if units >= position.character {
                return start + i;
            }
            units += match self.encoding {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
            };
        }
        end
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        if self.is_ascii(line) {
            return Position { line: line as u32, character: (offset - start) as u32 };
        }
        let before = self.text.get(start..offset).unwrap_or_default();
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start as usize), end: self.position(span.end as usize) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "a\n€x\n";
        let u16 = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(u16.position(5), Position { line: 1, character: 1 }); // after `€` (3 bytes, 1 unit)
        assert_eq!(u16.offset(Position { line: 1, character: 1 }), 5);
        let u8 = LineIndex::new(text, Encoding::Utf8);
        assert_eq!(u8.position(5), Position { line: 1, character: 3 });
        // outside the text: clamped
        assert_eq!(u16.offset(Position { line: 99, character: 0 }), text.len());
        assert_eq!(u16.offset(Position { line: 0, character: 99 }), 1);
    }

    #[test]
    fn lines_end_at_lf_crlf_and_a_lone_cr() {
        let text = "ab\rcd\r\nef\ngh";
        let lines = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(lines.position(3), Position { line: 1, character: 0 }); // `c`, after a lone CR
        assert_eq!(lines.position(7), Position { line: 2, character: 0 }); // `e`, after CRLF
        assert_eq!(lines.position(10), Position { line: 3, character: 0 }); // `g`
        assert_eq!(lines.offset(Position { line: 1, character: 1 }), 4);
        // past a line's end: its end, before the line break
        assert_eq!(lines.offset(Position { line: 1, character: 9 }), 5);
        assert_eq!(lines.offset(Position { line: 0, character: 9 }), 2);
        assert_eq!(lines.offset(Position { line: 3, character: 9 }), text.len());
    }

    /// Every character boundary of mixed texts maps to the position a walk
    /// over the characters finds, and back, in both encodings.
    #[test]
    fn positions_agree_with_a_walk_over_the_characters() {
        for text in ["", "\r", "\n\n", "a\r\n€\rb\n😀x\r\n", "ascii\nonly\r\nlines\r", "é\n\n\rz😀"] {
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let lines = LineIndex::new(text, encoding);
                let (mut line, mut character) = (0u32, 0u32);
                let mut chars = text.char_indices().peekable();
                let mut inside_crlf = false;
                loop {
                    let offset = chars.peek().map_or(text.len(), |(i, _)| *i);
                    // (between the two characters of a CRLF is no place of the line's)
                    if !inside_crlf {
                        assert_eq!(lines.position(offset), Position { line, character }, "{text:?} at {offset}");
                        assert_eq!(
                            lines.offset(Position { line, character }),
                            offset,
                            "{text:?} at {line}:{character}"
                        );
                    }
                    let Some((_, c)) = chars.next() else { break };
                    inside_crlf = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
                    if c == '\n' || c == '\r' && !inside_crlf {
                        (line, character) = (line + 1, 0);
                    } else if !inside_crlf {
                        character += match encoding {
                            Encoding::Utf8 => c.len_utf8() as u32,
                            Encoding::Utf16 => c.len_utf16() as u32,
                        };
                    }
                }
            }
        }
    }
}
