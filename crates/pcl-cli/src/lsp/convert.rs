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
    /// How each line's columns are counted (see `Columns`), known once a
    /// position on it is asked for: most requests ask of one line.
    columns: Vec<std::cell::OnceCell<Columns>>,
    encoding: Encoding,
}

/// A line's columns: for a line of ASCII only a column is a byte count;
/// for any other, the column at the first character boundary of each
/// `MARK_BYTES` of it, so that a position costs a search and a walk over at
/// most that many bytes. Walking from the line's start made the semantic
/// tokens of one long line with a single `é` quadratic (80,000 strings on
/// one line: 25 s).
enum Columns {
    Ascii,
    /// (byte offset in the line, column there), from (0, 0), increasing.
    Marks(Vec<(usize, u32)>),
}

const MARK_BYTES: usize = 64;

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
        let columns = std::iter::repeat_with(std::cell::OnceCell::new).take(starts.len()).collect();
        LineIndex { text, starts, columns, encoding }
    }

    /// How line `line` (in range) counts its columns.
    fn columns(&self, line: usize) -> &Columns {
        static NONE: Columns = Columns::Marks(Vec::new());
        let Some(known) = self.columns.get(line) else { return &NONE };
        known.get_or_init(|| {
            let (start, end) = Self::bounds(self.text, &self.starts, line);
            let content = self.text.get(start..end).unwrap_or_default();
            if content.is_ascii() {
                return Columns::Ascii;
            }
            let mut marks = Vec::with_capacity(content.len() / MARK_BYTES + 1);
            let (mut units, mut next) = (0u32, 0usize);
            for (i, c) in content.char_indices() {
                if i >= next {
                    marks.push((i, units));
                    next = i + MARK_BYTES;
                }
                units += self.units(c);
            }
            Columns::Marks(marks)
        })
    }

    /// How many columns a character takes.
    fn units(&self, c: char) -> u32 {
        match self.encoding {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
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
        let Columns::Marks(marks) = self.columns(line) else {
            return (start + position.character as usize).min(end);
        };
        // from the last mark at or before the column
        let mark = marks.partition_point(|&(_, units)| units <= position.character).saturating_sub(1);
        let (from, mut units) = marks.get(mark).copied().unwrap_or((0, 0));
        let text = self.text.get(start + from..end).unwrap_or_default();
        for (i, c) in text.char_indices() {
            if units >= position.character {
                return start + from + i;
            }
            units += self.units(c);
        }
        end
    }

    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        // inside a character: where it starts
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // between a CR and its LF: the line's end, before the CR (the line
        // has no column there: a review found a range ending one past it)
        if self.between_cr_and_lf(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let Columns::Marks(marks) = self.columns(line) else {
            return Position { line: line as u32, character: (offset - start) as u32 };
        };
        // from the last mark at or before the offset
        let mark = marks.partition_point(|&(at, _)| start + at <= offset).saturating_sub(1);
        let (from, units) = marks.get(mark).copied().unwrap_or((0, 0));
        let before = self.text.get(start + from..offset).unwrap_or_default();
        let character = units + before.chars().map(|c| self.units(c)).sum::<u32>();
        Position { line: line as u32, character }
    }

    /// A span's range; one that ends between a CR and its LF (a syntax
    /// error at the CR) ends at the next line's start, so it stays as wide.
    pub fn range(&self, span: Span) -> Range {
        let end = span.end as usize;
        let end = if self.between_cr_and_lf(end) { end + 1 } else { end };
        Range { start: self.position(span.start as usize), end: self.position(end) }
    }

    fn between_cr_and_lf(&self, offset: usize) -> bool {
        let bytes = self.text.as_bytes();
        offset > 0 && bytes.get(offset - 1) == Some(&b'\r') && bytes.get(offset) == Some(&b'\n')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_position_falls_between_a_cr_and_its_lf() {
        let text = "ab\r\ncd\r\n";
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let index = LineIndex::new(text, encoding);
            assert_eq!(index.position(3), Position { line: 0, character: 2 });
            let cr = index.range(Span::new(2, 3));
            assert_eq!((cr.start, cr.end), (Position { line: 0, character: 2 }, Position { line: 1, character: 0 }));
            assert_eq!(index.range(Span::new(7, 8)).end, Position { line: 2, character: 0 });
        }
    }

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

    /// Long lines mixing ASCII, 2-, 3- and 4-byte characters (past many
    /// marks): every byte offset and every column agree with a walk from the
    /// line's start, in both encodings (an offset inside a character counts
    /// as its start).
    #[test]
    fn long_lines_agree_with_a_walk_from_the_line_start() {
        let pieces = ["a", "é", "€", "😀", "bc", "\r\n", "\n", "xyz"];
        let mut seed = 7u64;
        let mut text = String::new();
        for _ in 0..3_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let pick = (seed >> 33) as usize % (pieces.len() * 8);
            // mostly on one line: line breaks are rare
            text.push_str(
                pieces
                    .get(pick % pieces.len())
                    .filter(|p| pick < pieces.len() * 2 || !p.contains('\n'))
                    .unwrap_or(&"q"),
            );
        }
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let lines = LineIndex::new(&text, encoding);
            let units = |s: &str| s.chars().map(|c| lines.units(c)).sum::<u32>();
            for offset in 0..=text.len() {
                let mut at = offset;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                let (line_start, at) = if text[..at].ends_with('\r') && text[at..].starts_with('\n') {
                    // between CR and LF: the end of the line that CR ends
                    (text[..at - 1].rfind(['\n', '\r']).map_or(0, |i| i + 1), at - 1)
                } else {
                    (line_start, at)
                };
                let expected = units(&text[line_start..at]);
                assert_eq!(lines.position(offset).character, expected, "{encoding:?} at {offset}");
            }
            for (line, &start) in lines.starts.iter().enumerate() {
                let (_, end) = LineIndex::bounds(&text, &lines.starts, line);
                let content = &text[start..end];
                let mut boundaries: Vec<(u32, usize)> = vec![(0, start)];
                let mut walked = 0;
                for (i, c) in content.char_indices() {
                    walked += lines.units(c);
                    boundaries.push((walked, start + i + c.len_utf8()));
                }
                for character in 0..=walked + 3 {
                    let expected = boundaries.iter().find(|(u, _)| *u >= character).map_or(end, |(_, at)| *at);
                    let position = Position { line: line as u32, character };
                    assert_eq!(lines.offset(position), expected, "{encoding:?} {line}:{character}");
                }
            }
        }
    }
}
