//! A source file's text from its bytes. pcl reads UTF-8 only; a file that is
//! not gets an E0001 at its first bad byte, located in a lossy copy of the
//! text (the bytes before it are unchanged there, so offsets, lines and
//! columns are the file's own).

use pcl_syntax::Span;

use crate::{Diagnostic, DiagnosticKind};

/// A file that is not UTF-8: the text to show it with (each invalid
/// sequence replaced by U+FFFD) and the diagnostic that says where.
#[derive(Debug)]
pub struct NotUtf8 {
    pub text: String,
    pub diagnostic: Diagnostic,
    /// Where the text's U+FFFDs stand in the file.
    pub replacements: Replacements,
}

/// Each invalid sequence a lossy text replaced by U+FFFD: its offset in the
/// text, its offset in the file and its length there (1 to 3 bytes), in
/// order. Empty for a text that is the file's own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replacements(Vec<(usize, usize, usize)>);

impl Replacements {
    /// The file's byte offset of offset `at` of the text (inside a U+FFFD:
    /// as far into the sequence it replaced, at most its end).
    pub fn file_offset(&self, at: usize) -> usize {
        let before = self.0.partition_point(|&(in_text, _, _)| in_text <= at);
        let Some(&(in_text, in_file, len)) = before.checked_sub(1).and_then(|i| self.0.get(i)) else { return at };
        let past = at - in_text;
        let replacement = '\u{FFFD}'.len_utf8();
        if past < replacement { in_file + past.min(len) } else { in_file + len + (past - replacement) }
    }
}

pub fn decode(bytes: Vec<u8>) -> Result<String, Box<NotUtf8>> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let first = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // the lossy text (as `String::from_utf8_lossy` makes it) and
            // where each U+FFFD in it stands in the file, in one pass
            let mut text = String::with_capacity(bytes.len());
            let mut replaced = Vec::new();
            let mut in_file = 0;
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                in_file += chunk.valid().len();
                if !chunk.invalid().is_empty() {
                    replaced.push((text.len(), in_file, chunk.invalid().len()));
                    text.push('\u{FFFD}');
                    in_file += chunk.invalid().len();
                }
            }
            let invalid = replaced.len();
            let more = match invalid {
                0 | 1 => String::new(),
                2 => " (1 more invalid sequence follows)".to_string(),
                n => format!(" ({} more invalid sequences follow)", n - 1),
            };
            let diagnostic = DiagnosticKind::Syntax {
                too_deep: false,
                message: format!("the file is not UTF-8: byte {first} starts no UTF-8 character{more}"),
                label: Some("not UTF-8 (shown as \u{FFFD})".into()),
                help: Some("pcl reads UTF-8 only; save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)".into()),
            }
            .at(Span::new(first, first + '\u{FFFD}'.len_utf8()));
            Err(Box::new(NotUtf8 { text, diagnostic, replacements: Replacements(replaced) }))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, reason = "tests")]

    use super::*;

    /// A two-byte file that starts a four-byte character: the replacement
    /// ends at the file's end, not past it.
    #[test]
    fn a_truncated_character_ends_at_the_file_end() {
        let Err(e) = decode(b"\xf0\x9f".to_vec()) else { panic!("not UTF-8") };
        assert_eq!(e.replacements.file_offset(e.diagnostic.span.end as usize), 2);
    }

    #[test]
    fn utf8_passes_through() {
        assert_eq!(
            decode(b"param a: string = \"\xc3\xa9\";".to_vec()).ok().as_deref(),
            Some("param a: string = \"é\";")
        );
    }

    #[test]
    fn the_first_bad_byte_is_located_and_the_rest_counted() {
        let Err(e) = decode(b"ab\ncd\xffe\xfe".to_vec()) else { panic!("not UTF-8") };
        assert_eq!(e.text, "ab\ncd\u{FFFD}e\u{FFFD}");
        assert_eq!((e.diagnostic.span.start, e.diagnostic.span.end), (5, 8));
        // in the file: the bad byte is one byte, and what follows moves back by two
        let file = |at| e.replacements.file_offset(at);
        assert_eq!([file(0), file(5), file(6), file(8), file(9), file(12)], [0, 5, 6, 6, 7, 8]);
        assert_eq!(e.diagnostic.code, crate::Code::Syntax);
        assert!(
            e.diagnostic.message.contains("byte 5") && e.diagnostic.message.contains("1 more invalid sequence follows"),
            "{}",
            e.diagnostic.message
        );
    }
}
