//! The names a chunk that does not parse declares, so that what uses them
//! is not reported as unknown too (the item itself is lost to the error).

use crate::lower::ITEM_KEYWORDS;

/// The names a chunk that did not parse declares: `keyword name` at the
/// start of a line, also after one stray word (`x param partition`) and
/// with the keyword misspelt (`pram account`): each such item is lost to
/// the error, and what uses its name is not reported as unknown (one typo
/// at the top of `policies.pcl` gave 57 errors, 56 of them "unknown param";
/// found by review).
pub(crate) fn declared_names(chunk: &str) -> Vec<String> {
    chunk
        .lines()
        .filter_map(|l| {
            let code = l.trim_start();
            if code.starts_with("//") {
                return None;
            }
            let mut words = code
                .split(|c: char| c.is_whitespace() || c == ':' || c == '{' || c == '=' || c == ';')
                .filter(|w| !w.is_empty());
            let first = words.next()?;
            let name = match item_keyword(first) {
                Some(_) => words.next()?,
                None => {
                    item_keyword(words.next()?)?;
                    words.next()?
                }
            };
            let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            ok.then(|| name.to_string())
        })
        .collect()
}

/// The item keyword `word` is, or is a misspelling of (`pram`, `polcy`).
fn item_keyword(word: &str) -> Option<&'static str> {
    if let Some(k) = ITEM_KEYWORDS.iter().find(|k| **k == word) {
        return Some(k);
    }
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    ITEM_KEYWORDS
        .iter()
        .map(|k| (rapidfuzz::distance::jaro_winkler::similarity(word.chars(), k.chars()), *k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use crate::parse_file;

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
    }
}
