//! The tokens of a text, for highlighting: comments, strings (split around
//! their `${param}` interpolations), words, `@set` references and
//! punctuation, with byte spans. A lexer, not the parser: it accepts any text
//! (an editor highlights a file while it is broken), is one linear pass, and
//! never panics. Words are classified by `pcl-ide`, which knows the names.

use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `// ...` (and `//// ...`).
    Comment,
    /// `/// ...`: documents the next item.
    DocComment,
    /// A piece of a string literal: the quotes, text and `${`/`}` around an
    /// interpolation. A string with interpolations is several pieces.
    String,
    /// The param's name inside `${...}` in a string.
    Interpolation,
    /// The member after the `.` of `${param.member}`.
    Member,
    /// A run of letters, digits and `_ - * ? .`, and `:` between two such: a keyword, a name, an
    /// action (`ec2:Describe*`), an operator (`ForAnyValue:StringLike`) or a
    /// diagnostic code (`W0509`).
    Word,
    /// The name after `@`.
    SetRef,
    /// `==` or `!=`.
    Comparison,
    /// Any other character that is not white space.
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'*' | b'?' | b'.')
}

/// Where the word starting at `from` ends: a `:` joins two runs written
/// without space (`ec2:Describe*`, `ForAnyValue:StringLike`), but not a name
/// and its type (`p: string`).
fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    loop {
        while bytes.get(i).is_some_and(|&b| is_word_byte(b)) {
            i += 1;
        }
        if bytes.get(i) == Some(&b':') && bytes.get(i + 1).is_some_and(|&b| is_word_byte(b)) {
            i += 1;
        } else {
            return i;
        }
    }
}

/// Every token of `text`, in order; white space is not a token. Each token
/// lies on one line.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let push = |out: &mut Vec<Token>, kind, start: usize, end: usize| {
        if start < end {
            out.push(Token { kind, span: Span::new(start, end) });
        }
    };
    let line_end =
        |from: usize| bytes.iter().skip(from).position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |n| from + n);
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = line_end(i);
                let doc = bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/');
                push(&mut out, if doc { TokenKind::DocComment } else { TokenKind::Comment }, start, end);
                i = end;
            }
            b'"' => i = string(bytes, i, &mut out),
            b'@' => {
                let end = word_end(bytes, i + 1);
                push(&mut out, TokenKind::Punct, i, i + 1);
                push(&mut out, TokenKind::SetRef, i + 1, end);
                i = end;
            }
            b'=' | b'!' if bytes.get(i + 1) == Some(&b'=') => {
                push(&mut out, TokenKind::Comparison, i, i + 2);
                i += 2;
            }
            _ if is_word_byte(b) => {
                let end = word_end(bytes, i);
                push(&mut out, TokenKind::Word, i, end);
                i = end;
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                // one character, whole (a non-ASCII one is several bytes)
                let len = text.get(i..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
                push(&mut out, TokenKind::Punct, i, i + len);
                i += len;
            }
        }
    }
    out
}

/// The string starting at the quote at `open`: pieces and interpolations up
/// to the closing quote or the end of the line. Returns where it ends.
fn string(bytes: &[u8], open: usize, out: &mut Vec<Token>) -> usize {
    let mut piece = open;
    let mut i = open + 1;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if from < to {
            out.push(Token { kind: TokenKind::String, span: Span::new(from, to) });
        }
    };
    while let Some(&b) = bytes.get(i) {
        match b {
            // an escape, but never of a line break: strings end at the line
            b'\\' if !matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => i += 2,
            b'"' => {
                flush(out, piece, i + 1);
                return i + 1;
            }
            b'\n' | b'\r' => break,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let name_start = i + 2;
                let name_end = bytes
                    .iter()
                    .skip(name_start)
                    .position(|&b| !is_word_byte(b))
                    .map_or(bytes.len(), |n| name_start + n);
                if bytes.get(name_end) == Some(&b'}') && name_start < name_end {
                    flush(out, piece, name_start);
                    let dot = bytes.get(name_start..name_end).and_then(|n| n.iter().position(|&b| b == b'.'));
                    // never an empty token (`${.x}`, `${p.}`)
                    let mut push = |kind, from: usize, to: usize| {
                        if from < to {
                            out.push(Token { kind, span: Span::new(from, to) });
                        }
                    };
                    match dot {
                        Some(d) => {
                            let (param_end, member_start) = (name_start + d, name_start + d + 1);
                            push(TokenKind::Interpolation, name_start, param_end);
                            push(TokenKind::String, param_end, member_start);
                            push(TokenKind::Member, member_start, name_end);
                        }
                        None => push(TokenKind::Interpolation, name_start, name_end),
                    }
                    piece = name_end;
                    i = name_end + 1;
                } else {
                    i += 2;
                }
            }
            _ => i += 1,
        }
    }
    // unterminated: the string runs to the end of the line
    let end = i.min(bytes.len());
    flush(out, piece, end);
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> Vec<(TokenKind, &str)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.kind, text.get(t.span.start as usize..t.span.end as usize).unwrap_or("?")))
            .collect()
    }

    #[test]
    fn splits_strings_around_interpolations() {
        use TokenKind::*;
        assert_eq!(
            show("resource \"arn:${partition}:s3:::${b}/*\"; // c\n/// d\n//// e\n\"ec2.${p.dns_suffix}\""),
            vec![
                (Word, "resource"),
                (String, "\"arn:${"),
                (Interpolation, "partition"),
                (String, "}:s3:::${"),
                (Interpolation, "b"),
                (String, "}/*\""),
                (Punct, ";"),
                (Comment, "// c"),
                (DocComment, "/// d"),
                (Comment, "//// e"),
                (String, "\"ec2.${"),
                (Interpolation, "p"),
                (String, "."),
                (Member, "dns_suffix"),
                (String, "}\""),
            ]
        );
        assert_eq!(
            show("param p: string; when f != x { action [@reads, ec2:Describe*]; }"),
            vec![
                (Word, "param"),
                (Word, "p"),
                (Punct, ":"),
                (Word, "string"),
                (Punct, ";"),
                (Word, "when"),
                (Word, "f"),
                (Comparison, "!="),
                (Word, "x"),
                (Punct, "{"),
                (Word, "action"),
                (Punct, "["),
                (Punct, "@"),
                (SetRef, "reads"),
                (Punct, ","),
                (Word, "ec2:Describe*"),
                (Punct, "]"),
                (Punct, ";"),
                (Punct, "}"),
            ]
        );
    }

    #[test]
    fn any_text_lexes_without_panicking_and_tokens_stay_on_one_line() {
        for text in [
            "\"open\nnext",
            "\"${",
            "\"${x",
            "\"${.x}\"",
            "\"${p.}\"",
            "\"a\\",
            "\"a\\\nb\"",
            "€ \"€${é}\"",
            "@",
            "\r\"x\ry\"",
            "=",
            "!",
        ] {
            for t in tokens(text) {
                let piece = text.get(t.span.start as usize..t.span.end as usize);
                assert!(piece.is_some_and(|p| !p.is_empty() && !p.contains(['\n', '\r'])), "{text:?}: {t:?}");
            }
        }
    }
}
