//! Where a file is cut into chunks, each parsed on its own: at each item
//! keyword in column 0, with the doc comments and `expect` lines above the
//! item (indented or not). One pass over the line breaks after every edit.

use crate::lower::ITEM_KEYWORDS;

/// `expect W0509 "..."` at the start of a line: an acknowledgement, which
/// belongs to the item below like a doc comment (a line that merely starts
/// with the word, such as `expect == off) ...` in an expression, does not).
pub(crate) fn is_expect_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("expect") else { return false };
    let trimmed = rest.trim_start_matches([' ', '\t']);
    if trimmed.len() == rest.len() {
        return false; // no blank after the word
    }
    let code: String = trimmed.chars().take_while(char::is_ascii_alphanumeric).collect();
    code.len() == 5 && code.starts_with(['E', 'W']) && code.chars().skip(1).all(|c| c.is_ascii_digit())
}

/// Byte ranges of the chunks: a chunk starts at a line that begins (in column
/// 0) with an item keyword, or with `///` doc lines directly above one.
///
/// After every edit the whole file is cut again, so this is one pass over
/// the line breaks (memchr finds them several bytes at a time) in which most
/// lines cost one byte's test: an indented line or a closing brace neither
/// starts an item nor documents one.
pub(crate) fn chunks(text: &str, from: usize, stop: &mut dyn FnMut(usize) -> bool) -> (Vec<(usize, usize)>, bool) {
    let bytes = text.as_bytes();
    let starts_item = |l: &str| {
        ITEM_KEYWORDS.iter().any(|k| {
            l.strip_prefix(k)
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_')))
        })
    };
    // doc comments and `expect` lines belong to the item below them
    let is_doc = |l: &str| match l.as_bytes().first() {
        Some(b'/') => l.starts_with("///") && !l.starts_with("////"),
        Some(b'e') => is_expect_line(l),
        _ => false,
    };
    let from = from.min(bytes.len());
    let mut cuts = vec![from];
    let ranges = |cuts: &mut Vec<usize>| -> Vec<(usize, usize)> {
        cuts.dedup();
        cuts.windows(2).filter_map(|w| Some((*w.first()?, *w.get(1)?))).collect()
    };
    // A run of doc lines waiting for the item below: where it starts, and
    // whether it is past its doc lines (in blank and comment lines, which
    // may stand between docs and their item).
    let mut docs: Option<(usize, bool)> = None;
    let mut breaks = memchr::memchr_iter(b'\n', bytes.get(from..).unwrap_or_default()).map(|i| i + from);
    let mut start = from;
    while start < bytes.len() {
        let end = breaks.next().map_or(bytes.len(), |i| i + 1);
        let line_start = std::mem::replace(&mut start, end);
        let first = bytes.get(line_start).copied().unwrap_or(b'\n');
        if docs.is_none() && !(first.is_ascii_lowercase() || first == b'/') {
            continue;
        }
        let line = text.get(line_start..end).unwrap_or("");
        if let Some((doc_start, past_docs)) = docs {
            if !past_docs && is_doc(line) {
                continue;
            }
            if is_blank_or_comment(line) {
                docs = Some((doc_start, true));
                continue;
            }
            docs = None;
            if starts_item(line) {
                // indented doc lines right above the run belong to it too
                let floor = cuts.last().copied().unwrap_or(from);
                let doc_start = docs_above(text, floor, doc_start, false);
                cuts.push(doc_start);
                // the chunk before the cut is complete: the caller may stop here
                if doc_start > from && stop(doc_start) {
                    return (ranges(&mut cuts), true);
                }
                continue;
            }
            // not documented after all: the line stands on its own
        }
        if is_doc(line) {
            docs = Some((line_start, false));
        } else if starts_item(line) {
            // indented doc lines (and `expect`s) above it, which the test of
            // each line's first byte passed over, are its own
            let floor = cuts.last().copied().unwrap_or(from);
            let cut = docs_above(text, floor, line_start, true);
            cuts.push(cut);
            if cut > from && stop(cut) {
                return (ranges(&mut cuts), true);
            }
        }
    }
    // A doc run followed by nothing also starts a chunk, so that a stray doc
    // comment is reported on its own and does not take the item above it
    // down with it.
    if let Some((doc_start, _)) = docs {
        cuts.push(doc_start);
    }
    cuts.push(text.len());
    (ranges(&mut cuts), false)
}

/// Where the doc lines and `expect` lines right above `at` (the start of an
/// item's line, or of its doc run) start, however indented; `at` when there
/// are none. `blanks`: blank and comment lines may stand between them and
/// `at` (as between a doc run and its item). Never before `floor`, the
/// last cut. Walks back over those lines only: each is read at most once
/// more.
fn docs_above(text: &str, floor: usize, at: usize, blanks: bool) -> usize {
    let mut cut = at;
    let mut line_end = at;
    let mut seen_doc = false;
    while line_end > floor {
        let before = text.get(floor..line_end.saturating_sub(1)).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(floor, |i| floor + i + 1);
        let line = text.get(line_start..line_end).unwrap_or_default();
        let indented = line.trim_start_matches([' ', '\t']);
        if (indented.starts_with("///") && !indented.starts_with("////")) || is_expect_line(indented) {
            cut = line_start;
            seen_doc = true;
        } else if seen_doc || !blanks || !is_blank_or_comment(line) {
            // a doc comment may end the line above (`a = 1; /// doc of b`)
            if let Some(doc) = trailing_doc(line) {
                cut = line_start + doc;
            }
            break;
        }
        line_end = line_start;
    }
    cut
}

/// Where a doc comment that ends `line` after some code starts (outside
/// its strings, and not inside a plain `//` comment): read with the
/// outline's scanner, which lexes strings and comments as the grammar does.
fn trailing_doc(line: &str) -> Option<usize> {
    use crate::outline::{Kind, Scanner};
    // most lines hold none: not lexed at all (lexing each line above an
    // item cost a cold analysis of `policies.pcl` 23k instructions)
    if !line.contains("///") {
        return None;
    }
    let mut scan = Scanner { bytes: line.as_bytes(), at: 0 };
    let mut code_before = false;
    while let Some(token) = scan.next() {
        match token.kind {
            Kind::Doc => return code_before.then_some(token.start),
            Kind::Comment => return None,
            _ => code_before = true,
        }
    }
    None
}

pub(crate) fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with("////") || t.starts_with("//") && !t.starts_with("///")
}
