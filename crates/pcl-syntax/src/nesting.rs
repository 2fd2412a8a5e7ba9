//! How deep brackets nest in a text, bounded before pest parses it: pest's
//! own guard stops where the native stack ends, which moves from run to run.

use pest::Parser;

use crate::grammar::{PclParser, Rule};

/// A parse by pest whose failure needs no explanation (a part of a chunk:
/// `None` sends the caller to the chunk's own parse); `None` too past
/// `MAX_NESTING`, where pest would not answer the same on every stack.
pub(crate) fn pest_parse_within_nesting(rule: Rule, text: &str) -> Option<pest::iterators::Pairs<'_, Rule>> {
    if nesting_past(text, MAX_NESTING).is_some() {
        return None;
    }
    PclParser::parse(rule, text).ok()
}

/// `(` and `{` nested deeper than this are refused before pest parses a text.
/// pest's own guard stops where the native stack ends, which moves from run
/// to run (and with the thread's stack size): the same file got a different
/// error, or none, from one run to the next. No pcl file needs as much (an
/// expression nests at most 64 levels, `with condition` blocks 16), and pest
/// parses this depth in well under a thread's 2 MiB of stack.
pub const MAX_NESTING: usize = 256;

/// Where brackets outside strings and comments first nest deeper than
/// `limit`: the opening one, by its byte offset. Only `(` and `{` count:
/// the grammar nests into nothing else (a `[` inside a list is an error
/// pest reports at once, and more precisely). A string ends
/// at its closing quote or at the line's end, as in the grammar; counting
/// past an unterminated one can only count more, never less, than pest
/// would nest.
pub(crate) fn nesting_past(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                at += 1;
                while let Some(&inner) = bytes.get(at) {
                    match inner {
                        b'\\' => at += 2,
                        b'"' | b'\n' => break,
                        _ => at += 1,
                    }
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = memchr::memchr(b'\n', bytes.get(at..).unwrap_or_default()).map_or(bytes.len(), |n| at + n);
            }
            b'(' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(at);
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    None
}
