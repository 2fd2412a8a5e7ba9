//! The names a chunk that does not parse declares, so that what uses them
//! is not reported as unknown too (the item itself is lost to the error).

use crate::lower::ITEM_KEYWORDS;

/// The names a chunk that did not parse declares: `keyword name` at the
/// start of a line and, on a line that is not indented (where items start,
/// not statements), also with the keyword misspelt (`pram account`) or
/// after one stray word (`x param partition`). Each such item is lost to
/// the error, and what uses its name is not reported as unknown (one typo
/// at the top of `policies.pcl` gave 57 errors, 56 of them "unknown param";
/// found by review). A body's lines declare nothing: `action` is close to
/// `actionset`, and `allow { action readers; ... }` hid the error of a
/// `readers` declared nowhere (found by the next review).
pub(crate) fn declared_names(chunk: &str) -> Vec<String> {
    chunk
        .lines()
        .filter_map(|l| {
            let code = l.trim_start();
            if code.starts_with("//") {
                return None;
            }
            let indented = code.len() < l.len();
            let mut words = code
                .split(|c: char| c.is_whitespace() || c == ':' || c == '{' || c == '=' || c == ';')
                .filter(|w| !w.is_empty());
            let first = words.next()?;
            // the keyword as written, misspelt, or after one stray word
            let keyword_read = ITEM_KEYWORDS.contains(&first)
                || !indented && (misspelt_item_keyword(first) || ITEM_KEYWORDS.contains(&words.next()?));
            if !keyword_read {
                return None;
            }
            let name = words.next()?;
            let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            ok.then(|| name.to_string())
        })
        .collect()
}

/// Every word of the grammar (`pcl.pest`'s literals): none is a misspelt
/// item keyword, however close (`action`, `actionset`).
const GRAMMAR_WORDS: [&str; 47] = [
    "action",
    "actionset",
    "allow",
    "and",
    "attach",
    "aws",
    "bool",
    "boundary",
    "condition",
    "constraint",
    "deny",
    "description",
    "else",
    "enum",
    "expect",
    "false",
    "feature",
    "federated",
    "for",
    "in",
    "include",
    "inline",
    "key",
    "list",
    "managed",
    "max",
    "name",
    "not",
    "notaction",
    "notresource",
    "or",
    "param",
    "path",
    "pattern",
    "permset",
    "placeholder",
    "policy",
    "reason",
    "resource",
    "role",
    "service",
    "splittable",
    "true",
    "trust",
    "valueset",
    "when",
    "with",
];

/// Whether `word` is a misspelt item keyword (`pram`, `polcy`): close to
/// one, and no word of the grammar itself.
fn misspelt_item_keyword(word: &str) -> bool {
    word.len() >= 3
        && word.bytes().all(|b| b.is_ascii_lowercase())
        && !GRAMMAR_WORDS.contains(&word)
        && ITEM_KEYWORDS.iter().any(|k| rapidfuzz::distance::jaro_winkler::similarity(word.chars(), k.chars()) > 0.85)
}

#[cfg(test)]
mod tests {
    use crate::parse_file;

    /// `GRAMMAR_WORDS` are the grammar's: every quoted lower-case word of
    /// `pcl.pest`.
    #[test]
    fn the_grammar_words_are_the_grammars() {
        let grammar = include_str!("pcl.pest");
        // each `"word"`: a quote, lower-case letters, a quote
        let mut words: Vec<&str> = grammar
            .match_indices('"')
            .filter_map(|(at, _)| {
                let rest = grammar.get(at + 1..)?;
                let len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
                (len > 0 && rest.as_bytes().get(len) == Some(&b'"')).then(|| rest.get(..len)).flatten()
            })
            .collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words, super::GRAMMAR_WORDS);
    }

    /// An item lost to a misspelt keyword or a stray word before it still
    /// declares its name: what uses it is not reported as unknown too.
    #[test]
    fn a_broken_line_still_declares_its_name() {
        let names = |text: &str| parse_file(text).broken_names;
        assert_eq!(names("param a: string = \"x\";\npram account: account;\n"), ["a", "account"]);
        assert_eq!(names("x param partition: partition = \"aws\";\n"), ["partition"]);
        assert_eq!(names("polcy p {\n    allow { action [s3:GetObject]; resource \"*\"; }\n}\n"), ["p"]);
        // a body's words declare nothing, nor do comments
        let body = "policy p {\n    // policy q here\n    allow { action [s3:GetObject] resource \"*\"; }\n}\n";
        assert_eq!(names(body), ["p"]);
        // not even a keyword close to an item keyword (`action`, `actionset`)
        let body = "policy p {\n    allow { action readers; resource \"*\"; } oops\n    include perm buckets;\n}\n";
        assert_eq!(names(body), ["p"]);
        assert_eq!(names("action readers oops\n"), Vec::<String>::new());
    }
}
