//! Parsing with recovery: the file is cut into chunks at lines that start a
//! top-level item, and each chunk is parsed on its own, so one broken item
//! costs one error and the rest of the file is still analysed.

use pest::Parser;

use crate::Span;
use crate::ast::Item;
use crate::chunker::{chunks, is_blank_or_comment};
pub use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::grammar::{PclParser, Rule};
pub use crate::nesting::MAX_NESTING;
use crate::nesting::nesting_past;

/// One top-level item; its AST's spans are relative to `offset`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParsedItem {
    pub offset: u32,
    /// Shared with the database's per-item inputs (never copied).
    pub item: std::sync::Arc<Item>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParsedFile {
    pub items: Vec<ParsedItem>,
    pub errors: Vec<SyntaxError>,
    /// Names of items that failed to parse (`policy x {` ...), so that uses
    /// of them are not reported a second time as unknown names.
    pub broken_names: Vec<String>,
}

/// Parses a whole file, recovering at each top-level item.
pub fn parse_file(text: &str) -> ParsedFile {
    let mut out = ParsedFile::default();
    let mut parse = |start: usize, end: usize| parse_chunk(text.get(start..end).unwrap_or(""), end == text.len());
    for (start, chunk) in parse_cut(&chunk_ranges(text), &mut parse, |p| p.errors.is_empty()) {
        out.push_chunk(start, &chunk);
    }
    out
}

/// How many chunks after a broken one `parse_cut` tries to join to it.
pub const JOIN_AT_MOST: usize = 3;

/// Parses the chunks of `ranges` with `parse` (by byte range), each with
/// its start. A chunk that does not parse (`clean` is false) but does
/// together with the next one or few was cut in the wrong place: the
/// chunker cuts before every line that starts an item, but the grammar
/// also lets an item's `expect` or doc comment end the line above it
/// (`}expect W0509 "why"`). Those chunks are parsed as one, as the grammar
/// reads the whole file; any other broken chunk is kept as it parsed, with
/// its errors. Only a broken chunk costs the extra parses.
pub fn parse_cut<T>(
    ranges: &[(usize, usize)],
    parse: &mut dyn FnMut(usize, usize) -> T,
    clean: impl Fn(&T) -> bool,
) -> Vec<(usize, T)> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut at = 0;
    while let Some(&(start, end)) = ranges.get(at) {
        let alone = parse(start, end);
        at += 1;
        if clean(&alone) {
            out.push((start, alone));
            continue;
        }
        let joined = (at..ranges.len().min(at + JOIN_AT_MOST)).find_map(|last| {
            let (_, joined_end) = *ranges.get(last)?;
            let joined = parse(start, joined_end);
            clean(&joined).then_some((last, joined))
        });
        match joined {
            Some((last, joined)) => {
                out.push((start, joined));
                at = last + 1;
            }
            None => out.push((start, alone)),
        }
    }
    out
}

/// One chunk of a file parsed on its own: what `parse_file` makes of it,
/// with offsets and spans relative to the chunk's start, so that a chunk
/// whose text did not change parses to the same value wherever it moved
/// (the database memoizes it by its text).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParsedChunk {
    pub items: Vec<ParsedItem>,
    pub errors: Vec<SyntaxError>,
    pub broken_names: Vec<String>,
}

impl ParsedFile {
    /// Appends a chunk that starts at byte `start` of the file.
    pub fn push_chunk(&mut self, start: usize, chunk: &ParsedChunk) {
        let shift = u32::try_from(start).unwrap_or(u32::MAX);
        self.items.extend(
            chunk.items.iter().map(|p| ParsedItem { offset: p.offset.saturating_add(shift), item: p.item.clone() }),
        );
        self.errors.extend(chunk.errors.iter().map(|e| SyntaxError { span: e.span.shift(shift), ..e.clone() }));
        self.broken_names.extend(chunk.broken_names.iter().cloned());
    }
}

/// The byte ranges of a file's chunks (a leading byte-order mark is not
/// part of the source). Cheap: one pass over the lines.
pub fn chunk_ranges(text: &str) -> Vec<(usize, usize)> {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    // cut after the mark: a first line of doc comments or `expect`s then
    // starts with them, and stays with the item below it
    let body = text.get(bom..).unwrap_or_default();
    let (ranges, _) = chunks(body, 0, &mut |_| false);
    ranges.into_iter().map(|(start, end)| (start + bom, end + bom)).filter(|(s, e)| s < e).collect()
}

/// `chunk_ranges` of the part of `text` from `from`, a place where `text`
/// starts a chunk (the chunker's state there is known: no doc run
/// waiting), up to the
/// first cut `stop` accepts: the ranges, and whether `stop` ended them
/// (otherwise they run to the end of the text). What the driver re-cuts of
/// an edited text, between chunks it keeps.
pub fn chunk_ranges_from(text: &str, from: usize, stop: &mut dyn FnMut(usize) -> bool) -> (Vec<(usize, usize)>, bool) {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = text.get(bom..).unwrap_or_default();
    let (ranges, stopped) = chunks(body, from.saturating_sub(bom), &mut |cut| stop(cut + bom));
    (ranges.into_iter().map(|(start, end)| (start + bom, end + bom)).filter(|(s, e)| s < e).collect(), stopped)
}

/// Parses one chunk; `last` when it ends the file (an unfinished item there
/// runs into the end, not into the next item).
pub fn parse_chunk(chunk: &str, last: bool) -> ParsedChunk {
    // clean input (nearly every chunk) takes the hand-written fast path
    if let Some(items) = crate::fast::file(chunk) {
        let mut items: Vec<ParsedItem> = items
            .into_iter()
            .map(|(start, item)| ParsedItem {
                offset: u32::try_from(start).unwrap_or(u32::MAX),
                item: std::sync::Arc::new(item),
            })
            .collect();
        // the collect reuses the buffer of the (much larger) parsed items
        items.shrink_to_fit();
        return ParsedChunk { items, errors: Vec::new(), broken_names: Vec::new() };
    }
    parse_chunk_with_pest(chunk, last)
}

/// `parse_chunk` by pest and the lowering alone: the definition the fast
/// path is held to, and the path of every chunk that is not clean.
pub fn parse_chunk_with_pest(chunk: &str, last: bool) -> ParsedChunk {
    let mut out = ParsedChunk::default();
    match pest_parse(Rule::file, chunk) {
        Ok(pairs) => {
            let lowered = crate::lower::lower_file(pairs);
            let items = lowered.items.into_iter();
            out.items = items.map(|(offset, item)| ParsedItem { offset, item: std::sync::Arc::new(item) }).collect();
            out.errors = lowered.errors;
            out.broken_names = lowered.keyword_misused;
        }
        Err(e) => {
            let first = chunk_error(&e, chunk, 0, last);
            // the entries after the one that broke, each parsed alone: every
            // broken statement of an item is reported, not only the first
            let later = later_entry_errors(chunk, first.span.end as usize);
            out.errors.push(first);
            out.errors.extend(later);
            // the item without its broken entries, so that its other entries
            // are checked too (`recover`); still counted as broken
            if let Some(mut recovered) = crate::recover::without_broken_entries(chunk) {
                let items = recovered.items.into_iter();
                out.items.extend(items.map(|(offset, item)| ParsedItem { offset, item: std::sync::Arc::new(item) }));
                out.errors.append(&mut recovered.errors);
            }
            out.broken_names.extend(crate::broken_names::declared_names(chunk));
        }
    }
    out
}

/// The syntax errors of the body entries of `chunk` (an item that does not
/// parse) that start after `after` (the end of its first error), each
/// entry parsed on its own: a policy's or permset's statements, includes
/// and blocks, the later entries of the block the first error is in, a
/// role's fields. None when the item's body cannot be outlined (its braces
/// do not balance: what follows the first error is then not known to be
/// entries).
fn later_entry_errors(chunk: &str, after: usize) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut check = |rule: Rule, (start, end): (usize, usize)| {
        let Some(text) = chunk.get(start..end) else { return };
        if let Err(e) = pest_parse(rule, text) {
            errors.push(crate::pest_errors::convert_error(&e, rule, text, start));
        }
    };
    // a role's fields, each to its `;`
    if let Some(fields) = crate::outline::role_outline(chunk) {
        for field in fields.into_iter().filter(|(start, _)| *start >= after) {
            check(Rule::role_field_only, field);
        }
        return errors;
    }
    let Some(entries) = crate::outline::outline(chunk) else { return errors };
    for (start, end) in entries {
        if start >= after {
            check(Rule::body_entry_only, (start, end));
        } else if end > after
            && let Some(block) = crate::outline::block_outline(chunk, start, end)
        {
            // the block the first error is in: its later entries, each alone
            for entry in block.entries.into_iter().filter(|(start, _)| *start >= after) {
                check(Rule::body_entry_only, entry);
            }
        }
    }
    errors
}

/// Explains a chunk that does not parse, with two common cases made clear.
fn chunk_error(e: &pest::error::Error<Rule>, chunk: &str, start: usize, last: bool) -> SyntaxError {
    let meaningful: Vec<&str> = chunk.lines().map(str::trim).filter(|l| !is_blank_or_comment(l)).collect();
    if !meaningful.is_empty() && meaningful.iter().all(|l| l.starts_with("///")) {
        let len = chunk.trim_end().len();
        return SyntaxError {
            kind: SyntaxErrorKind::Parse,
            span: Span::new(start, start + len),
            message: "doc comment is not followed by an item".into(),
            label: Some("documents nothing".into()),
            help: Some("document an item by putting `///` right above it, or write `//` for a plain comment".into()),
        };
    }
    let mut err = crate::pest_errors::convert_error(e, Rule::file, chunk, start);
    // the grammar's white space only: a form feed at the end is what it found
    let trimmed = chunk.trim_end_matches([' ', '\t', '\r', '\n']).len();
    if err.span.start as usize >= start + trimmed && !last {
        // The parser ran into the next item: the unfinished one is above.
        // the last character (whole: a span inside one put byte ranges
        // inside an emoji, found by fuzzing)
        let last_char = chunk.trim_end().char_indices().next_back().map_or((0, 1), |(i, c)| (i, c.len_utf8()));
        err.span = Span::new(start + last_char.0, start + last_char.0 + last_char.1);
        err.message = err.message.replace(", found end of input", " before the next item");
        err.label = Some("the item is unfinished here".into());
        err.help = Some("this item is not finished: items end with `;` or `}`".into());
    }
    err
}

/// Parses without pest's detailed error tracking (it costs about half the
/// parse time) and re-parses with it only to explain a failure
/// (`grammar::parse_with_detail`).
fn pest_parse(rule: Rule, text: &str) -> Result<pest::iterators::Pairs<'_, Rule>, Box<pest::error::Error<Rule>>> {
    if let Some(at) = nesting_past(text, MAX_NESTING)
        && let Some(position) = pest::Position::new(text, at)
    {
        let message = format!("nesting limit reached: `(` and `{{` more than {MAX_NESTING} levels deep");
        return Err(Box::new(pest::error::Error::new_from_pos(
            pest::error::ErrorVariant::CustomError { message },
            position,
        )));
    }
    match PclParser::parse(rule, text) {
        Ok(pairs) => Ok(pairs),
        Err(_) => crate::grammar::parse_with_detail(rule, text).map_err(Box::new),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use crate::lower::ITEM_KEYWORDS;

    /// The grammar's `glued_keyword` look-ahead knows every word that
    /// `lower::glued_keyword` (the fast path's and the error help's list) does.
    #[test]
    fn the_grammar_refuses_every_glued_word() {
        for word in ITEM_KEYWORDS.iter().chain(&crate::lower::GLUED_WORDS) {
            let glued = format!("{word}x");
            assert!(PclParser::parse(Rule::glued_keyword, &glued).is_ok(), "{glued}");
            assert!(crate::lower::glued_keyword(&glued).is_some(), "{glued}");
        }
    }

    #[test]
    fn a_string_may_not_hold_the_stand_ins_mark() {
        let parsed = parse_file("param p: string = \"<\u{1}q\u{1}0>\";\n");
        let error = parsed.errors.first().unwrap();
        assert_eq!(error.kind, crate::SyntaxErrorKind::ControlCharacter, "{error:?}");
        assert_eq!((error.span.start, error.span.end), (20, 21));
        assert_eq!(parsed.errors.len(), 2);
    }

    /// The words that start an item are reserved words too.
    #[test]
    fn item_keywords_are_reserved() {
        for k in ITEM_KEYWORDS {
            assert!(crate::KEYWORDS.contains(&k), "{k}");
        }
    }

    /// A keyword used as a name costs one error and its item, as when the
    /// grammar rejected it: no flood of errors, no follow-up errors.
    #[test]
    fn a_misused_keyword_drops_its_item_with_one_error() {
        let many = vec!["when"; 2000].join(", ");
        let text =
            format!("policy p {{ allow {{ action [{many}]; resource \"*\"; }} include when; }}\npolicy q {{}}\n");
        let parsed = parse_file(&text);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors.first());
        assert!(parsed.errors[0].message.contains("`when` is a keyword"));
        assert_eq!(parsed.broken_names, ["p"]);
        assert_eq!(parsed.items.len(), 1);
        // `true` and `false` stay values where values go
        let parsed = parse_file("feature f: bool = true;\nconstraint c: f == false else \"m\";\n");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        // a keyword as a compared value is an error
        let parsed = parse_file("feature f: bool = true;\nconstraint c: f == else else \"m\";\n");
        assert_eq!(parsed.errors.len(), 1);
    }

    /// Brackets in strings and comments do not nest; an escaped quote does
    /// not end a string; a string ends at its line's end.
    #[test]
    fn nesting_counts_code_brackets_only() {
        assert_eq!(nesting_past("((()))", 3), None);
        assert_eq!(nesting_past("(((())))", 3), Some(3));
        assert_eq!(nesting_past("[{(x)}]", 1), Some(2));
        assert_eq!(nesting_past("[[[[{x}]]]]", 1), None);
        assert_eq!(nesting_past("f(\"((((\") (x)", 1), None);
        assert_eq!(nesting_past("f(\"\\\"((\" (x)", 1), Some(9));
        assert_eq!(nesting_past("// ((((\n(x)", 1), None);
        assert_eq!(nesting_past("\"open\n((", 1), Some(7));
        assert_eq!(nesting_past("())))((", 1), Some(6));
    }

    /// An unfinished item ending in a character of several bytes is marked
    /// on that whole character, not on its last byte (found by fuzzing).
    #[test]
    fn an_unfinished_item_is_marked_on_a_whole_character() {
        for end in ["😀", "é", "x"] {
            let text = format!("param p // {end}\npolicy q {{ }}\n");
            let parsed = parse_file(&text);
            let error = parsed.errors.first().unwrap();
            let (start, stop) = (error.span.start as usize, error.span.end as usize);
            assert_eq!(&text[start..stop], end, "{:?}", error.span);
        }
    }

    /// White space the grammar does not take (a no-break space, a vertical
    /// tab, a form feed) is named by its code point, not taken for the end
    /// of the input or of the item (a review found all three so reported).
    #[test]
    fn stray_white_space_is_named() {
        for (text, point) in [
            ("param\u{a0}x: string = \"a\";\n", "U+00A0"),
            ("param x: string = \"a\";\u{b}\n", "U+000B"),
            ("param x: string = \"a\";\u{c}\nparam y: string = \"b\";\n", "U+000C"),
        ] {
            let parsed = crate::parse_file(text);
            assert_eq!(parsed.errors.len(), 1, "{text:?}: {:?}", parsed.errors);
            let error = &parsed.errors[0];
            assert!(error.message.contains(point), "{text:?}: {error:?}");
            assert_eq!(error.label.as_deref(), Some(format!("unexpected {point}").as_str()), "{text:?}");
            assert_eq!(&text[error.span.start as usize..error.span.end as usize].chars().count(), &1, "{text:?}");
        }
    }
}
