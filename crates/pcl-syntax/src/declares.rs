//! What a chunk declares, by a scan of its first item line: its keyword and
//! name, without parsing it. A file opened for one check builds a first
//! symbol table from these, so that each item can be checked (and its AST
//! let go) as soon as its chunk is parsed, rather than once the whole file
//! is (the ASTs of the whole 10 MB corpus, held at once, left mimalloc
//! tens of megabytes of pages it could not give back). The scan may be
//! wrong for a chunk that does not parse as it looks: the caller compares
//! the table with the one the parse gives.

use crate::chunker::{is_blank_or_comment, is_expect_line};
use crate::lower::ITEM_KEYWORDS;

/// The item keyword and name of the first item line of `chunk` (after its
/// doc comments, `expect` lines, blank lines and comments), as in
/// `policy NAME`; `None` when that line does not look like one.
pub fn chunk_declares(chunk: &str) -> Option<(&'static str, &str)> {
    let line = chunk.split_inclusive('\n').find(|line| !is_preamble(line))?;
    let keyword = ITEM_KEYWORDS.iter().copied().find(|k| line.starts_with(k))?;
    let rest = line.get(keyword.len()..)?;
    let name_start = rest.trim_start_matches([' ', '\t']);
    if name_start.len() == rest.len() {
        return None; // no blank after the keyword
    }
    let len = name_start.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let name = name_start.get(..len).filter(|n| n.bytes().next().is_some_and(|b| !b.is_ascii_digit()))?;
    Some((keyword, name))
}

/// A line that may stand before an item in its chunk.
fn is_preamble(line: &str) -> bool {
    // doc and `expect` lines may be indented (`parser::docs_above`)
    let indented = line.trim_start_matches([' ', '\t']);
    (indented.starts_with("///") && !indented.starts_with("////"))
        || is_expect_line(indented)
        || is_blank_or_comment(line)
}

#[cfg(test)]
mod tests {
    use super::chunk_declares;

    #[test]
    fn reads_the_keyword_and_name_after_docs_and_expects() {
        let chunk = "\n/// The head node.\n// a note\nexpect W0509 \"wide on purpose\"\npolicy head_node when x {\n}\n";
        assert_eq!(chunk_declares(chunk), Some(("policy", "head_node")));
        assert_eq!(chunk_declares("valueset vs_0 = [\"a\"];\n"), Some(("valueset", "vs_0")));
        assert_eq!(chunk_declares("param\taccount: account;"), Some(("param", "account")));
    }

    #[test]
    fn declines_what_does_not_look_like_an_item() {
        for chunk in ["", "// only a comment\n", "policyx a {}", "policy {", "policy 9a {}", "  policy a {}", "poli"] {
            assert_eq!(chunk_declares(chunk), None, "{chunk:?}");
        }
    }
}
