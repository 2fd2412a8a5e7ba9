//! pest's errors in pcl's words: where the mistake is (a missing `;` at
//! the end of the line, not the next line's first word; a string left open),
//! what was expected (names for character classes), and a help line when the
//! fix can be guessed.

use pest::error::InputLocation;

use rapidfuzz::distance::jaro_winkler;

use crate::Span;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::grammar::Rule;

mod describe;
use describe::describe;

/// `e`, an error of a parse of `chunk` by `rule`, in pcl's words; its
/// span shifted by `offset`.
pub(crate) fn convert_error(e: &pest::error::Error<Rule>, rule: Rule, chunk: &str, offset: usize) -> SyntaxError {
    let (mut start, mut end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, t)) => (s, t),
    };
    if let pest::error::ErrorVariant::CustomError { message: m } = &e.variant {
        // pest's stack guard and call limit report themselves this way.
        let kind = if m.contains("limit") { SyntaxErrorKind::TooDeep } else { SyntaxErrorKind::Parse };
        return SyntaxError {
            kind,
            span: Span::new(offset + start, offset + end.max(start)),
            message: format!("input nested too deeply to parse ({m})"),
            label: Some("the nesting goes past the limit here".into()),
            help: Some("split the nesting up; pcl never needs this much".into()),
        };
    }
    let (mut message, rules_named) = rules_expected(e);
    let (mut expected, max_position) = tokens_expected(e, chunk, start, rules_named);
    if !expected.is_empty() {
        start = max_position;
        end = start;
        message = format!("expected {}", one_of(&expected));
    }
    // Inside a string, pest lists the characters a string may hold; the
    // mistake is the string left open (strings end on their line).
    if let Some((open, line_end)) = open_string_before(chunk, start) {
        return SyntaxError {
            kind: SyntaxErrorKind::Parse,
            span: Span::new(offset + open, offset + line_end.max(open + 1)),
            message: "syntax error: this string is not closed on its line".into(),
            label: Some("the string starts here and runs to the end of the line".into()),
            help: Some(
                "close it with `\"`; a string cannot span lines, and a `\\` escapes the character after it".into(),
            ),
        };
    }
    // Point at the offending token, not at an empty position.
    let rest = chunk.get(start..).unwrap_or("");
    // a doc comment is one token, whatever follows its slashes
    let token_len = if rest.starts_with("///") { 3 } else { token_len(rest) };
    end = end.max(start + token_len);
    // the grammar's white space only: other white space (a no-break space,
    // a form feed) is what it found, and is named
    let found_text = chunk.get(start..end).unwrap_or("").trim_matches([' ', '\t', '\r', '\n']);
    let stray = stray_space(found_text);
    // white space the grammar takes, mid-line: `@ x`, `arn(iam policy)`
    // (at the end of the file, the end of input)
    let found_space = found_text.is_empty() && chunk.get(start..).is_some_and(|rest| !rest.trim().is_empty());
    let space_name = match chunk.get(start..).and_then(|rest| rest.chars().next()) {
        Some('\t') => "a tab",
        Some('\n') => "a line break",
        Some('\r') => "a carriage return",
        _ => "a space",
    };
    let found = match stray {
        _ if found_space => space_name.to_string(),
        _ if found_text.is_empty() => "end of input".to_string(),
        Some(c) => format!("U+{:04X} (white space the grammar does not take)", u32::from(c)),
        None => code(found_text),
    };
    // A word where pest listed no token: a keyword glued to more letters
    // (`inlined`, `includes`, `whenx`), which the grammar's
    // `!glued_keyword` look-ahead refused before the alternatives after it
    // were tried (pest listed only what came before it: `///` or `}` in a
    // role), or one an atomic keyword rule (`actions`) took in part, past
    // where the rules' names reach (`splittablex`: `when` or `splittable`,
    // and no `{`). What was expected there is what a parse with a
    // character no rule takes in the word's place expects.
    if found_text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && (expected.is_empty() || crate::lower::glued_keyword(found_text).is_some())
        && let Some(full) = expected_in_place_of(rule, chunk, start, end)
    {
        message = format!("expected {}", one_of(&full));
        expected = full;
    }
    let expects = |token: &str| expected.iter().any(|t| t == token);
    // A missing `;` at the end of a line: point at the end of the line, where
    // it goes, not at the next line's first word.
    let before = chunk.get(..start).unwrap_or("");
    let previous_end = before.trim_end().len();
    // (At the end of a chunk, `chunk_error` says the item runs into the next.)
    if expects("`;`")
        && !found_text.is_empty()
        && before.get(previous_end..).is_some_and(|gap| gap.contains(['\n', '\r']))
        && previous_end > 0
    {
        let last = before.get(..previous_end).and_then(|b| b.char_indices().last()).map_or(0, |(i, _)| i);
        let previous = previous_token(before.get(..previous_end).unwrap_or(""));
        return SyntaxError {
            kind: SyntaxErrorKind::Parse,
            span: Span::new(offset + last, offset + previous_end),
            message: format!("syntax error: expected `;` after {}, found {found} on the next line", code(previous)),
            label: Some("the `;` goes here".into()),
            help: Some(format!("insert `;` after {}", code(previous))),
        };
    }
    let help = if let Some((word, name)) = glued_to_expected(found_text, &expected) {
        // `inlinehead_node;`: a missing space, when the text reads on with
        // one; `inlined head_node;`, `paths "/";`: a misspelt keyword
        Some(if reads_on_as_two_words(rule, chunk, start, end, &word) {
            format!("a keyword and the name after it are two words: `{word} {name}`")
        } else {
            format!("did you mean `{word}`?")
        })
    } else if let Some(keyword) = misspelt_keyword(found_text, &expected) {
        Some(format!("did you mean `{keyword}`?"))
    } else if found_text == "=" && expects("`==`") {
        Some("did you mean `==`? A guard compares with `==` or `!=`".into())
    } else if found_text == "*" && expects("`\"`") {
        Some("quote it: `\"*\"`".into())
    } else if stray.is_some() {
        Some("replace it with a plain space (or a line break)".into())
    } else {
        guess_help(chunk, start)
    };
    SyntaxError {
        kind: SyntaxErrorKind::Parse,
        span: Span::new(offset + start, offset + end),
        message: format!("syntax error: {message}, found {found}"),
        label: Some(match stray {
            _ if found_space => format!("unexpected {}", space_name.trim_start_matches("a ")),
            _ if found_text.is_empty() => "the file ends here".into(),
            Some(c) => format!("unexpected U+{:04X}", u32::from(c)),
            None => format!("unexpected {found}"),
        }),
        help,
    }
}

/// What pest's rules expected, in words (`describe`), as a message, and
/// whether it named rules at all (not only literal tokens).
fn rules_expected(e: &pest::error::Error<Rule>) -> (String, bool) {
    // the grammar's rules by what they are, not by their names (two rules
    // may be the same thing to the reader: each is named once)
    match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut described: Vec<String> = Vec::new();
            for text in positives.iter().flat_map(describe) {
                if !described.iter().any(|d| d == text) {
                    described.push(text.to_string());
                }
            }
            (format!("expected {}", one_of(&described)), true)
        }
        variant => (variant.message().to_string(), false),
    }
}

/// The tokens pest tried where it failed (quoted, sorted, each once), and
/// where that was; none when they say less than the rules (`rules_named`)
/// or lie before `start`, where the error is.
fn tokens_expected(e: &pest::error::Error<Rule>, chunk: &str, start: usize, rules_named: bool) -> (Vec<String>, usize) {
    let Some(attempts) = e.parse_attempts() else { return (Vec::new(), start) };
    let mut expected: Vec<String> = attempts
        .expected_tokens()
        .iter()
        .map(|t| t.to_string())
        .filter(|t| !t.trim().is_empty() && t != "//" && t != "////")
        .map(|t| match t.as_str() {
            "A..Z" | "a..z" | "_" | "0..9" => "a name".to_string(),
            _ => format!("`{t}`"),
        })
        .collect();
    expected.sort();
    expected.dedup();
    // `"..." for b in list` may follow any string: naming `for` after
    // every string would only distract from what is missing there
    if expected.len() > 1 {
        expected.retain(|t| t != "`for`");
    }
    if attempts.max_position < start {
        expected.clear();
    }
    // a misplaced `///` where pest's rules say what was expected and the
    // tokens are the characters a token may start with: the rules name
    // it better ("an action", not `"`, `*`, `-`, `.`, ...)
    let at_doc = chunk.get(start..).is_some_and(|rest| rest.starts_with("///"));
    if at_doc && attempts.max_position == start && expected.len() > 5 && rules_named {
        expected.clear();
    }
    (expected, attempts.max_position)
}

/// What `rule` expects at `start` of `chunk`, with the token at
/// `start..end` replaced by a character no rule takes (`#`), so that
/// every alternative there is tried: none when that parse fails
/// elsewhere. Only to explain an error (a second parse of the chunk).
fn expected_in_place_of(rule: Rule, chunk: &str, start: usize, end: usize) -> Option<Vec<String>> {
    let masked = format!("{}#{}", chunk.get(..start)?, chunk.get(end..)?);
    let e = crate::grammar::parse_with_detail(rule, &masked).err()?;
    let (expected, max_position) = tokens_expected(&e, &masked, start, rules_expected(&e).1);
    (max_position == start && !expected.is_empty()).then_some(expected)
}

/// Whether `chunk` with a space after the keyword `word` that starts the
/// token at `start..end` parses past the token that follows it: then the
/// two words were meant (`inlinehead_node;`), otherwise the keyword was
/// misspelt (`inlined head_node;` stops at `head_node`, `paths "/";` at
/// `s`).
fn reads_on_as_two_words(rule: Rule, chunk: &str, start: usize, end: usize, word: &str) -> bool {
    let (Some(before), Some(name), Some(after)) =
        (chunk.get(..start), chunk.get(start + word.len()..end), chunk.get(end..))
    else {
        return false;
    };
    let split = format!("{before}{word} {name}{after}");
    // where the token after it starts in the split text
    let next = split.len() - after.trim_start_matches([' ', '\t', '\r', '\n']).len();
    match <crate::grammar::PclParser as pest::Parser<Rule>>::parse(rule, &split) {
        Ok(_) => true,
        Err(e) => match e.location {
            InputLocation::Pos(p) | InputLocation::Span((p, _)) => p > next,
        },
    }
}

/// The expected keyword that `found` starts with, glued to more letters
/// (`inlinehead_node`, `inlined`), and those letters.
fn glued_to_expected<'f>(found: &'f str, expected: &[String]) -> Option<(String, &'f str)> {
    expected
        .iter()
        .filter_map(|token| token.strip_prefix('`')?.strip_suffix('`'))
        .filter(|keyword| keyword.bytes().all(|b| b.is_ascii_lowercase()))
        .filter_map(|keyword| {
            let rest = found.strip_prefix(keyword)?;
            rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_').then_some((keyword, rest))
        })
        // the longest: `notactionx` glues `notaction`, not `not`
        .max_by_key(|(keyword, _)| keyword.len())
        .map(|(keyword, rest)| {
            let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (keyword.to_string(), rest.get(..name_end).unwrap_or(rest))
        })
}

/// The expected keyword that `found` most likely misspells (`actoin` for
/// `action`), when one is close enough.
fn misspelt_keyword<'e>(found: &str, expected: &'e [String]) -> Option<&'e str> {
    if !found.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') || found.len() < 3 {
        return None;
    }
    expected
        .iter()
        .filter_map(|token| token.strip_prefix('`')?.strip_suffix('`'))
        .filter(|keyword| keyword.len() >= 3 && keyword.bytes().all(|b| b.is_ascii_lowercase()))
        .map(|keyword| (jaro_winkler::similarity(found.chars(), keyword.chars()), keyword))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, keyword)| keyword)
}

/// The string literal left open on the line of byte `at` (no closing `"`
/// before the line ends), if it opens at or before `at`: its opening
/// quote and the end of the line (without its line break).
fn open_string_before(chunk: &str, at: usize) -> Option<(usize, usize)> {
    let at = at.min(chunk.len());
    // a lone `\r` ends a line too (as the syntax has it), and a string
    let line_start = chunk.get(..at)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = chunk.get(at..)?.find(['\n', '\r']).map_or(chunk.len(), |i| at + i);
    let line = chunk.get(line_start..line_end)?;
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match open {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(_) if c == '"' => open = None,
            Some(_) => {}
            None if c == '"' => open = Some(line_start + i),
            None if line.get(i..).is_some_and(|rest| rest.starts_with("//")) => break,
            None => {}
        }
    }
    let content_end = line_start + line.trim_end_matches('\r').len();
    open.filter(|o| *o <= at).map(|o| (o, content_end))
}

/// The last token of `text`: a whole string literal, or the last word.
fn previous_token(text: &str) -> &str {
    let start = match text.strip_suffix('"').and_then(|inner| inner.rfind('"')) {
        Some(open) => open,
        None => text.rfind(char::is_whitespace).map_or(0, |i| i + 1),
    };
    text.get(start..).unwrap_or(text)
}

/// `text`'s one character, when it is white space or a control character
/// the grammar does not take (shown by its code point: it is invisible).
fn stray_space(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let c = chars.next()?;
    (chars.next().is_none() && (c.is_whitespace() || c.is_control())).then_some(c)
}

/// `text` quoted as code: with one backquote, or with two when it holds
/// one, as in Markdown.
fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

fn one_of(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("one of {}, or {last}", init.join(", ")),
    }
}

fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, c)) if c.is_ascii_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == ':' || *c == '*'))
            .map_or(rest.len(), |(i, _)| i),
        Some((_, c)) => c.len_utf8(),
    }
}

/// A help line for the most common slips.
fn guess_help(chunk: &str, pos: usize) -> Option<String> {
    let before = chunk.get(..pos).unwrap_or("").trim_end();
    let after = chunk.get(pos..).unwrap_or("").trim_start();
    // a doc comment at the end of a body documents nothing (its words are
    // no unfinished field)
    let last_line = before.rsplit(['\n', '\r']).next().unwrap_or("").trim_start();
    if last_line.starts_with("///") && !last_line.starts_with("////") && (after.starts_with('}') || after.is_empty()) {
        return Some(
            "`///` documents the statement, include, block or field below it, and none follows: \
             remove it, or write `//` for a plain comment"
                .into(),
        );
    }
    if (after.starts_with('}') || after.is_empty() && !before.ends_with(';'))
        && (before.ends_with(']') || before.ends_with('"') || before.ends_with(|c: char| c.is_ascii_alphanumeric()))
    {
        return Some("statement and role fields end with `;`".into());
    }
    if after.is_empty() {
        return Some("an opening `{` or `[` is not closed".into());
    }
    if after.starts_with('\'') {
        return Some("strings are written in double quotes".into());
    }
    if let Some(head) = unclosed_before_next(before, after) {
        return Some(format!("the `{{` of {} is not closed: add `}}` above this line", code(&head)));
    }
    if after.starts_with("///") {
        return Some(
            "`///` starts a doc comment, on a line of its own above the item, statement or include it documents; \
             write `//` for a plain comment"
                .into(),
        );
    }
    None
}

/// When what follows the error (past doc comments) starts a statement or an
/// item, and what precedes it is complete (a field's `;`, a `}`), the slip
/// is most likely a `{` left open: the head of the innermost one (`allow
/// "A" {`), as written on its line. (Its `///` next, the error read "found
/// `///`" and the help told to write `//`, which fixed nothing.)
fn unclosed_before_next(before: &str, after: &str) -> Option<String> {
    // what starts a statement, an include or a block: a slip to close only
    // after a statement's `{`, where none of them may stand (in a role or a
    // body the slip is another: `include` meant `inline`)
    const ENTRIES: [&str; 4] = ["allow", "deny", "include", "with"];
    if !(before.ends_with(';') || before.ends_with('}')) {
        return None;
    }
    let next = after.lines().map(str::trim_start).find(|l| !l.starts_with("//") && !l.is_empty())?;
    let word = next.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next()?;
    if !ENTRIES.contains(&word) && !crate::lower::ITEM_KEYWORDS.contains(&word) {
        return None;
    }
    // the innermost `{` still open, read on the tokens (not in strings or comments)
    let mut open: Vec<usize> = Vec::new();
    for token in crate::tokens::tokens(before) {
        if token.kind != crate::tokens::TokenKind::Punct {
            continue;
        }
        match before.get(token.span.start as usize..token.span.end as usize) {
            Some("{") => open.push(token.span.start as usize),
            Some("}") => {
                open.pop();
            }
            _ => {}
        }
    }
    let brace = *open.last()?;
    let line_start = before.get(..brace)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let head = before.get(line_start..=brace)?.trim_start();
    let in_statement = head.starts_with("allow") || head.starts_with("deny");
    (in_statement || crate::lower::ITEM_KEYWORDS.contains(&word)).then(|| head.to_string())
}

#[cfg(test)]
mod tests;
