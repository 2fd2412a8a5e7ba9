//! An item that does not parse, read again without its broken parts, so
//! that the rest of it is checked too: a syntax error in one statement hid
//! every other finding of its item. A policy's or permset's body entries
//! are found by the outline (`outline.rs`), a role's fields by its own
//! (`role_outline`); each that does not parse alone is blanked out byte
//! for byte (every span stays where it is), and the chunk is parsed again.
//! Inside a `with condition` block whose other lines parse, only its broken
//! entries are blanked. Only parts that add to an item are left out:
//! statements, blocks and includes; a role's `managed`, `inline`, `attach`
//! and `boundary` fields. Without its `name`, `path` or `trust`, an item
//! would be deployed otherwise or be reported for lacking it, so an item
//! with one of those broken is not recovered.

use crate::ast::Item;
use crate::error::SyntaxError;
use crate::grammar::Rule;
use crate::nesting::pest_parse_within_nesting;

/// The items of a chunk read without their broken entries, and the errors
/// their lowering found in what is left.
pub(crate) struct Recovered {
    /// Each item with its offset in the chunk.
    pub items: Vec<(u32, Item)>,
    pub errors: Vec<SyntaxError>,
}

/// `chunk` (which does not parse) without its broken parts, when what is
/// left parses; `None` when the error is not inside such a part (the item's
/// header, its naming fields, a role's `trust`) or the body cannot be
/// outlined.
pub(crate) fn without_broken_entries(chunk: &str) -> Option<Recovered> {
    let of = |keyword| crate::outline::after_preamble(chunk, 0, chunk.len(), keyword).is_some();
    let blanks = match of("role") {
        true => broken_role_fields(chunk)?,
        false if of("policy") || of("permset") => broken_body_entries(chunk)?,
        false => return None,
    };
    if blanks.is_empty() {
        return None;
    }
    let text = blanked(chunk, &blanks);
    // what is left is clean, as a rule: the fast path reads it (pest took
    // four times as long as the rest of a large policy's recovery)
    let (mut items, errors) = match crate::fast::file(&text) {
        Some(items) => {
            let items = items.into_iter().map(|(start, item)| (u32::try_from(start).unwrap_or(u32::MAX), item));
            (items.collect(), Vec::new())
        }
        None => {
            // (an item that misuses a keyword is dropped, as in a whole parse)
            let lowered = crate::lower::lower_file(pest_parse_within_nesting(Rule::file, &text)?);
            (lowered.items, lowered.errors)
        }
    };
    for (_, item) in &mut items {
        item.recovered = true;
    }
    Some(Recovered { items, errors })
}

/// The broken body entries of a policy or permset, each a statement, block
/// or include (an entry that starts otherwise may hold the item's `name`
/// or `description`: the outline runs a doc comment above `name` into one
/// entry with it, and the item read without them would be deployed under
/// another name; found by review).
fn broken_body_entries(chunk: &str) -> Option<Vec<(usize, usize)>> {
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    for (start, end) in crate::outline::outline(chunk)? {
        if parses_alone(chunk, (start, end)) {
            continue;
        }
        if !starts_with_one_of(chunk, (start, end), &["allow", "deny", "with", "include"]) {
            return None;
        }
        match broken_inside_block(chunk, (start, end)) {
            Some(broken) => blanks.extend(broken),
            None => blanks.push((start, end)),
        }
    }
    Some(blanks)
}

/// The broken fields of a role, each one that only adds to it.
fn broken_role_fields(chunk: &str) -> Option<Vec<(usize, usize)>> {
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    for (start, end) in crate::outline::role_outline(chunk)? {
        let text = chunk.get(start..end)?;
        if pest_parse_within_nesting(Rule::role_field_only, text).is_some() {
            continue;
        }
        if !starts_with_one_of(chunk, (start, end), &["managed", "inline", "attach", "boundary"]) {
            return None;
        }
        // A field ends at its `;`: one without it (or whose `;` an unclosed
        // string took) runs into the next, which may be the role's `trust`
        // or `path`, and would be blanked with it (found by review: a false
        // "no trust" and a false E0101).
        if field_keywords(chunk, (start, end)) > 1 {
            return None;
        }
        blanks.push((start, end));
    }
    Some(blanks)
}

/// How many words of `chunk[start..end]`, outside strings and comments,
/// are the keywords that start a role's fields (no name is one).
fn field_keywords(chunk: &str, (start, end): (usize, usize)) -> usize {
    const FIELDS: [&str; 8] = ["name", "description", "path", "trust", "managed", "inline", "attach", "boundary"];
    let Some(bytes) = chunk.as_bytes().get(..end) else { return usize::MAX };
    let mut scan = crate::outline::Scanner { bytes, at: start };
    std::iter::from_fn(|| scan.next())
        .filter(|t| t.kind == crate::outline::Kind::Word)
        .filter(|t| chunk.get(t.start..t.end).is_some_and(|word| FIELDS.contains(&word)))
        .count()
}

/// Whether the part `chunk[start..end]` starts, after its doc comments and
/// `expect`s, with one of `keywords`.
fn starts_with_one_of(chunk: &str, (start, end): (usize, usize), keywords: &[&str]) -> bool {
    keywords.iter().any(|keyword| crate::outline::after_preamble(chunk, start, end, keyword).is_some())
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
        // a role without its only trust, its name or path would be reported
        // for lacking it, or deployed otherwise
        assert!(without_broken_entries("role r { trust service [; }\n").is_none());
        assert!(without_broken_entries("role r { trust service [\"ec2.amazonaws.com\"]; path \"/x\" }\n").is_none());
        assert!(without_broken_entries("role r {\n    /// doc\n    name \"n\" \n}\n").is_none());
        // found by review: a field without its `;` runs into the next one
        for swallowed in [
            "role r {\n    attach p\n    trust service \"ec2.amazonaws.com\";\n}\n",
            "role r {\n    trust service [\"ec2.amazonaws.com\"];\n    attach q\n    path \"/a/\";\n    attach p;\n}\n",
            "role r {\n    managed [\"AmazonSSMManagedInstanceCore];\n    trust service \"ec2.amazonaws.com\";\n}\n",
        ] {
            assert!(without_broken_entries(swallowed).is_none(), "{swallowed}");
        }
        assert!(without_broken_entries("policy p { allow { action a:B; resource \"*\"; }\n").is_none());
        // found by review: a doc comment above `name` is one entry with it
        let named = "policy p {\n    /// doc\n    name \"Shared\";\n    allow \"A\" { action s3:GetObject; resource \"*\"; }\n}\n";
        assert!(crate::parse_chunk_with_pest(named, true).errors.len() == 1);
        assert!(without_broken_entries(named).is_none());
    }

    #[test]
    fn a_role_is_read_without_the_fields_that_only_add_to_it() {
        let chunk = "role r {\n    trust service [\"ec2.amazonaws.com\"];\n    attach p when;\n    inline q;\n    managed [\"arn:aws:iam::aws:policy/A\"\n}\n";
        let recovered = without_broken_entries(chunk).unwrap();
        assert_eq!(recovered.items.len(), 1);
        let item = &recovered.items[0].1;
        assert!(item.recovered);
        assert!(matches!(item.kind, crate::ast::ItemKind::Role(_)), "{item:?}");
        // the trust and `inline q` are kept; the broken `attach` and `managed` left out
        let text = format!("{:?}", item.kind);
        assert!(text.contains("ec2.amazonaws.com") && text.contains("\"q\""), "{text}");
        assert!(!text.contains("\"p\"") && !text.contains("policy/A"), "{text}");
    }

    #[test]
    fn a_trust_field_with_conditions_is_one_field_of_a_recovered_role() {
        let chunk = "role r {\n    trust aws \"*\" {\n        condition StringEquals \"aws:PrincipalOrgID\" \"o-1\";\n    }\n    attach p when;\n    inline q;\n}\n";
        let recovered = without_broken_entries(chunk).unwrap();
        let text = format!("{:?}", recovered.items[0].1.kind);
        assert!(text.contains("aws:PrincipalOrgID") && text.contains("\"q\""), "{text}");
        assert!(!text.contains("\"p\""), "{text}");
        // a broken condition breaks the trust field, which a role cannot do without
        let broken = "role r {\n    trust aws \"*\" { condition StringEquals; }\n    inline q;\n}\n";
        assert!(without_broken_entries(broken).is_none());
    }

    #[test]
    fn blanking_keeps_every_offset_and_stays_utf8() {
        let text = "ab🦀cd\nef";
        let out = blanked(text, &[(1, 7), (7, 10)]);
        assert_eq!(out.len(), text.len());
        assert_eq!(out, "a       \n f");
    }
}
