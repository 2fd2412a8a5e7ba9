//! An item that does not parse, read again without its broken body
//! entries, so that its other statements are checked too: a syntax error
//! in one statement hid every other finding of its item. The entries are
//! found by the outline (`outline.rs`); each that does not parse alone is
//! blanked out byte for byte (every span stays where it is), and the chunk
//! is parsed again. Inside a `with condition` block whose other lines
//! parse, only its broken entries are blanked. Policies and permsets only:
//! a role's fields are required, and a role read without its broken field
//! would be reported for lacking it.

use crate::ast::Item;
use crate::error::SyntaxError;
use crate::grammar::Rule;
use crate::lower::Lowerer;
use crate::nesting::pest_parse_within_nesting;

/// The items of a chunk read without their broken entries, and the errors
/// their lowering found in what is left.
pub(crate) struct Recovered {
    /// Each item with its offset in the chunk.
    pub items: Vec<(u32, Item)>,
    pub errors: Vec<SyntaxError>,
}

/// `chunk` (which does not parse) without its broken body entries, when
/// what is left parses; `None` when the error is not inside an entry (the
/// item's header, its naming fields) or the body cannot be outlined.
pub(crate) fn without_broken_entries(chunk: &str) -> Option<Recovered> {
    let of = |keyword| crate::outline::after_preamble(chunk, 0, chunk.len(), keyword).is_some();
    if !of("policy") && !of("permset") {
        return None;
    }
    let entries = crate::outline::outline(chunk)?;
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    for (start, end) in entries {
        if parses_alone(chunk, (start, end)) {
            continue;
        }
        // a statement, block or include only: an entry that starts otherwise
        // may hold the item's `name` or `description` (the outline runs a
        // doc comment above `name` into one entry with it), and the item
        // read without them would be deployed under another name (found by
        // review)
        if !["allow", "deny", "with", "include"]
            .into_iter()
            .any(|keyword| crate::outline::after_preamble(chunk, start, end, keyword).is_some())
        {
            return None;
        }
        match broken_inside_block(chunk, (start, end)) {
            Some(broken) => blanks.extend(broken),
            None => blanks.push((start, end)),
        }
    }
    if blanks.is_empty() {
        return None;
    }
    let text = blanked(chunk, &blanks);
    // what is left is clean, as a rule: the fast path reads it (pest took
    // four times as long as the rest of a large policy's recovery)
    if let Some(items) = crate::fast::file(&text) {
        let items = items.into_iter().map(|(start, mut item)| {
            item.recovered = true;
            (u32::try_from(start).unwrap_or(u32::MAX), item)
        });
        return Some(Recovered { items: items.collect(), errors: Vec::new() });
    }
    let pairs = pest_parse_within_nesting(Rule::file, &text)?;
    let mut recovered = Recovered { items: Vec::new(), errors: Vec::new() };
    for pair in pairs.flat_map(|file| file.into_inner()).filter(|pair| pair.as_rule() == Rule::item) {
        let item_start = pair.as_span().start();
        let mut lowerer = Lowerer::new(0, item_start);
        let item = lowerer.item(pair);
        recovered.errors.append(&mut lowerer.errors);
        // (an item that misuses a keyword is dropped, as in a whole parse)
        if let Ok(mut item) = item
            && !lowerer.keyword_misused
        {
            item.recovered = true;
            let offset = u32::try_from(item_start).unwrap_or(u32::MAX);
            recovered.items.push((offset, item));
        }
    }
    Some(recovered)
}

/// Whether the body entry `chunk[start..end]` parses on its own.
fn parses_alone(chunk: &str, (start, end): (usize, usize)) -> bool {
    let parses = |text| {
        crate::fast::body_entry_only(text).is_some() || pest_parse_within_nesting(Rule::body_entry_only, text).is_some()
    };
    chunk.get(start..end).is_some_and(parses)
}

/// The broken entries of the `with condition` block `chunk[start..end]`,
/// when the block parses without them and keeps at least one entry; `None`
/// otherwise (the whole block is blanked then).
fn broken_inside_block(chunk: &str, (start, end): (usize, usize)) -> Option<Vec<(usize, usize)>> {
    let block = crate::outline::block_outline(chunk, start, end)?;
    let broken: Vec<(usize, usize)> = block.entries.iter().copied().filter(|&e| !parses_alone(chunk, e)).collect();
    if broken.is_empty() || broken.len() == block.entries.len() {
        return None;
    }
    // the block alone, its broken entries blanked (not the chunk up to it:
    // a chunk of many such blocks was copied once per block)
    let inside: Vec<(usize, usize)> =
        broken.iter().map(|&(s, e)| (s.saturating_sub(start), e.saturating_sub(start))).collect();
    let shell = blanked(chunk.get(start..end)?, &inside);
    parses_alone(&shell, (0, shell.len())).then_some(broken)
}

/// `text` with each of `ranges` made blank: every byte but a line end
/// becomes a space (a character of several bytes, as many spaces), so
/// that lines, columns and byte offsets all stay where they were.
fn blanked(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in ranges {
        for byte in bytes.iter_mut().take(end).skip(start) {
            if !matches!(*byte, b'\n' | b'\r') {
                *byte = b' ';
            }
        }
    }
    // whole characters were replaced (ranges start and end on character
    // boundaries, and each byte inside became ASCII): still UTF-8
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;

    /// The number of entries of the one policy `chunk` holds, recovered.
    fn entries_recovered(chunk: &str) -> usize {
        let recovered = without_broken_entries(chunk).unwrap();
        assert_eq!(recovered.items.len(), 1);
        match &recovered.items[0].1.kind {
            crate::ast::ItemKind::Policy(p) => p.entries.len(),
            _ => usize::MAX,
        }
    }

    #[test]
    fn a_broken_statement_is_left_out_and_the_others_kept_in_place() {
        let chunk = "policy p {\n    allow \"A\" { action ec2:Describe*; resource \"*\"; }\n    allow \"B\" { action [ec2:Describe*; resource \"*\"; }\n    allow \"C\" { action s3:GetObject; resource \"*\"; }\n}\n";
        assert!(crate::parse_chunk_with_pest(chunk, true).errors.len() == 1);
        assert_eq!(entries_recovered(chunk), 2);
        let recovered = without_broken_entries(chunk).unwrap();
        // the third statement is where it is written
        let text = format!("{:?}", recovered.items[0].1);
        let at = chunk.find("s3:GetObject").unwrap();
        assert!(text.contains(&format!("start: {at}")), "{text}");
    }

    #[test]
    fn inside_a_block_only_the_broken_entry_is_left_out() {
        let chunk = "policy p {\n    with condition StringEquals \"aws:RequestedRegion\" [\"us-east-1\"] {\n        allow { action ec2:Describe*; resource \"*\"; }\n        allow { action [; resource \"*\"; }\n    }\n}\n";
        let recovered = without_broken_entries(chunk).unwrap();
        let text = format!("{:?}", recovered.items[0].1);
        assert!(text.contains("Describe"), "{text}");
    }

    #[test]
    fn a_broken_header_or_a_role_is_not_recovered() {
        assert!(without_broken_entries("policy p when { allow { action a:B; resource \"*\"; } }\n").is_none());
        assert!(without_broken_entries("role r { trust service [; }\n").is_none());
        assert!(without_broken_entries("policy p { allow { action a:B; resource \"*\"; }\n").is_none());
        // found by review: a doc comment above `name` is one entry with it
        let named = "policy p {\n    /// doc\n    name \"Shared\";\n    allow \"A\" { action s3:GetObject; resource \"*\"; }\n}\n";
        assert!(crate::parse_chunk_with_pest(named, true).errors.len() == 1);
        assert!(without_broken_entries(named).is_none());
    }

    #[test]
    fn blanking_keeps_every_offset_and_stays_utf8() {
        let text = "ab🦀cd\nef";
        let out = blanked(text, &[(1, 7), (7, 10)]);
        assert_eq!(out.len(), text.len());
        assert_eq!(out, "a       \n f");
    }
}
