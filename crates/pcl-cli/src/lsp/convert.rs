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
    /// positions on one long line cost O(1) each, not O(line)).
    ascii: Vec<bool>,
    encoding: Encoding,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> LineIndex<'t> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
            if ends_line {
                starts.push(i + 1);
            }
        }
        let ascii = (0..starts.len())
            .map(|line| {
                let (start, end) = Self::bounds(text, &starts, line);
                text.get(start..end).is_some_and(|l| l.is_ascii())
            })
            .collect();
        LineIndex { text, starts, ascii, encoding }
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
        if self.ascii.get(line) == Some(&true) {
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
        if self.ascii.get(line) == Some(&true) {
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
}
