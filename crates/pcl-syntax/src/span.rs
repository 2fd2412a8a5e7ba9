/// A byte range. Spans inside an item's AST are relative to the item's start
/// so that editing one item leaves the ASTs of the others equal (this is what
/// lets salsa reuse their analyses); `ParsedItem::offset` makes them absolute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start: saturate(start), end: saturate(end.max(start)) }
    }

    pub fn shift(self, by: u32) -> Self {
        Span { start: self.start.saturating_add(by), end: self.end.saturating_add(by) }
    }

    /// The span relative to `origin` (a place at or before it).
    pub fn relative_to(self, origin: u32) -> Self {
        Span { start: self.start.saturating_sub(origin), end: self.end.saturating_sub(origin) }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The length of `text` up to the end of its code: its last byte that is
/// neither blank nor in a `//` comment (a string's contents are code). pest
/// skips the blanks and comments after `a` in `a ~ b?` and `a ~ (b)*` even
/// when nothing follows, so a rule's span can run over them: a guard's
/// expression is such a rule.
pub fn code_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut at, mut end) = (0, 0);
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at += 1;
                while let Some(&inside) = bytes.get(at) {
                    at += if inside == b'\\' { 2 } else { 1 };
                    if inside == b'"' {
                        break;
                    }
                }
                at = at.min(bytes.len());
                end = at;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                let rest = bytes.get(at..).unwrap_or_default();
                at += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
            }
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            _ => {
                at += 1;
                end = at;
            }
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::code_end;

    #[test]
    fn code_ends_before_trailing_blanks_and_comments() {
        for (text, code) in [
            ("a:B when f // f\n  ", "a:B when f"),
            ("x when (a or b)\r\n// c\n", "x when (a or b)"),
            ("\"a // b\" // c", "\"a // b\""),
            ("\"a \\\" // b\"\t", "\"a \\\" // b\""),
            ("\"\\\\\" // c", "\"\\\\\""),
            ("é ", "é"),
            ("", ""),
            (" // only", ""),
        ] {
            assert_eq!(&text[..code_end(text)], code, "{text:?}");
        }
    }
}
