//! `pcl fmt`: a file's layout made regular, and nothing else. Each line is
//! indented by the braces around it (four spaces a level, one more level for
//! a line that continues a statement or a list), the spaces between tokens
//! are made one or none, trailing white space goes, blank lines are at most
//! one (and none at the start or end of a block or of the file), and the file
//! ends with one line end, in the style most of its lines used (`\n` or
//! `\r\n`). Line breaks,
//! comments and every token stay as written: the result is lexed again and
//! must hold the very tokens of the input, or nothing is returned.

use crate::tokens::{Token, TokenKind, tokens};

/// Spaces per level of indentation.
pub const INDENT: usize = 4;

/// Why a text was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The layout would have changed a token (a bug of the formatter's: the
    /// text is left as it is). `line` is the first line of the input that differs.
    WouldChangeTokens { line: usize },
    /// The layout would parse to another item (the `item`-th, 1-based) than
    /// the text (a bug of the formatter's: the text is left as it is).
    WouldChangeParse { item: usize },
    /// Formatted again, the layout would change (a bug of the formatter's).
    NotStable,
}

impl FormatError {
    pub fn message(&self) -> String {
        match self {
            FormatError::WouldChangeTokens { line } => {
                format!(
                    "formatting would change the tokens near line {line} (a bug in pcl fmt); the file is left as it is"
                )
            }
            FormatError::WouldChangeParse { item } => {
                format!(
                    "formatting would change what item {item} parses to (a bug in pcl fmt); the file is left as it is"
                )
            }
            FormatError::NotStable => {
                "formatting the result again would change it (a bug in pcl fmt); the file is left as it is".to_string()
            }
        }
    }
}

/// `text` formatted (see the module's documentation), proven three ways
/// before it is returned: it holds the tokens of `text`; formatted again it
/// is unchanged; and if `text` parses, it parses to the same items, spans
/// aside.
pub fn format(text: &str) -> Result<String, FormatError> {
    // A carriage return that ends no line (`\r` not followed by `\n`) ends a
    // line for the lexer and the parser, so it does for the layout: it
    // becomes the file's line end (pcl check took such a file that pcl fmt
    // refused, found by fuzzing).
    let with_line_ends;
    let text = match lone_carriage_returns(text) {
        true => {
            let bytes = text.as_bytes();
            let lone = |at: usize| bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) != Some(&b'\n');
            // `\r` is ASCII: each one replaced by `\n` keeps the text UTF-8
            with_line_ends = text.char_indices().map(|(at, c)| if lone(at) { '\n' } else { c }).collect::<String>();
            with_line_ends.as_str()
        }
        false => text,
    };
    // a byte order mark is kept where it is, outside the layout
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let out = format!("{bom}{}", layout(body));
    let all = tokens(text);
    let before: Vec<(TokenKind, &str)> = all.iter().map(|t| piece(text, t)).collect();
    let after_tokens = tokens(&out);
    let after: Vec<(TokenKind, &str)> = after_tokens.iter().map(|t| piece(&out, t)).collect();
    if before != after {
        let differs = before.iter().zip(&after).position(|(a, b)| a != b).unwrap_or(before.len().min(after.len()));
        let at = all.get(differs).map_or(text.len(), |t| t.span.start as usize);
        return Err(FormatError::WouldChangeTokens { line: line_of(text, at) });
    }
    let out_body = out.strip_prefix(bom).unwrap_or(&out);
    if layout(out_body) != out_body {
        return Err(FormatError::NotStable);
    }
    if let Some(item) = first_item_parsed_otherwise(body, out_body) {
        return Err(FormatError::WouldChangeParse { item });
    }
    Ok(out)
}

/// Whether `text` holds a `\r` not followed by `\n`.
fn lone_carriage_returns(text: &str) -> bool {
    memchr::memchr_iter(b'\r', text.as_bytes()).any(|at| text.as_bytes().get(at + 1) != Some(&b'\n'))
}

/// The layout of a text without a byte order mark (see the module's
/// documentation); unchecked.
fn layout(text: &str) -> String {
    // the line end most lines have: one `\r\n` among `\n`s is a slip
    let line_ends = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    let crlf = 2 * text.matches("\r\n").count() > line_ends;
    let all = tokens(text);
    let mut next_token = 0;
    let mut layout = Layout::default();
    let mut lines: Vec<String> = Vec::new();
    let mut line_start = 0;
    for raw in text.split('\n') {
        let line_end = line_start + raw.len();
        let first = next_token;
        while all.get(next_token).is_some_and(|t| (t.span.start as usize) < line_end) {
            next_token += 1;
        }
        let on_line = all.get(first..next_token).unwrap_or_default();
        lines.push(layout.line(text, on_line));
        line_start = line_end + 1;
    }
    join(&lines, if crlf { "\r\n" } else { "\n" })
}

/// When `before` parses cleanly: the number (1-based) of the first item that
/// `after` does not parse to alike (spans aside), or 1 past the last when
/// `after` has another number of items or any syntax error. The tokens
/// agreeing is not enough: the grammar reads some runs of characters as
/// one token that the highlighting lexer cuts (`a::b`).
fn first_item_parsed_otherwise(before: &str, after: &str) -> Option<usize> {
    let before = crate::parse_file(before);
    if !before.errors.is_empty() {
        return None;
    }
    let after = crate::parse_file(after);
    let differs = before
        .items
        .iter()
        .zip(&after.items)
        .position(|(b, a)| without_spans(&format!("{:?}", b.item)) != without_spans(&format!("{:?}", a.item)));
    match differs {
        Some(at) => Some(at + 1),
        None if !after.errors.is_empty() || after.items.len() != before.items.len() => Some(before.items.len() + 1),
        None => None,
    }
}

/// A `Debug` rendering with every `Span { start: .., end: .. }` left out.
fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at..).unwrap_or_default();
        let close = after.find('}').map_or(after.len(), |c| c + 1);
        out.push_str("Span");
        rest = after.get(close..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The 1-based line of byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes().iter().take(at).filter(|&&b| b == b'\n').count() + 1
}

/// A token's kind and text; a comment's without the white space that ends
/// its line (the formatter drops it).
fn piece<'t>(text: &'t str, token: &Token) -> (TokenKind, &'t str) {
    let piece = text.get(token.span.start as usize..token.span.end as usize).unwrap_or_default();
    match token.kind {
        TokenKind::Comment | TokenKind::DocComment => (token.kind, piece.trim_end()),
        _ => (token.kind, piece),
    }
}

fn is_punct(text: &str, token: &Token, what: &str) -> bool {
    token.kind == TokenKind::Punct && piece(text, token).1 == what
}

/// What the lines before tell of the next one.
#[derive(Default)]
struct Layout {
    /// Open `{`.
    braces: usize,
    /// Open `[` and `(`.
    brackets: usize,
    /// The last line with code left a statement unfinished (it ended with
    /// neither `;`, `{` nor `}`, nor with the reason of an `expect`).
    open_statement: bool,
    /// Inside an `expect CODE "reason"` whose reason has not come yet.
    in_expect: bool,
}

impl Layout {
    /// One line, laid out (empty for a blank one); updates what it tells of
    /// the next.
    fn line(&mut self, text: &str, on_line: &[Token]) -> String {
        let Some(first) = on_line.first() else { return String::new() };
        let code: Vec<&Token> =
            on_line.iter().filter(|t| !matches!(t.kind, TokenKind::Comment | TokenKind::DocComment)).collect();
        let closes_first = is_punct(text, first, "}");
        let level = self.braces.saturating_sub(usize::from(closes_first));
        // a `]` or `)` that starts its line lines up with the line that
        // opened it; a comment inside a statement with the code around it
        let closes_bracket = code.first().is_some_and(|t| is_punct(text, t, "]") || is_punct(text, t, ")"));
        let continues = match closes_bracket {
            true => self.brackets > 1,
            false => self.brackets > 0 || (self.open_statement && !closes_first),
        };
        let indent = INDENT * (level + usize::from(continues));
        let mut out = " ".repeat(indent);
        let mut previous: Option<&Token> = None;
        for (at, token) in on_line.iter().enumerate() {
            if let Some(before) = previous
                && space_between(text, before, token, on_line.get(at + 1))
            {
                out.push(' ');
            }
            out.push_str(piece(text, token).1);
            previous = Some(token);
        }
        for token in &code {
            match piece(text, token) {
                (TokenKind::Punct, "{") => self.braces += 1,
                (TokenKind::Punct, "}") => self.braces = self.braces.saturating_sub(1),
                (TokenKind::Punct, "[" | "(") => self.brackets += 1,
                (TokenKind::Punct, "]" | ")") => self.brackets = self.brackets.saturating_sub(1),
                _ => {}
            }
        }
        if let Some(last) = code.last() {
            // (a `,` directly inside braces ends an enum's value)
            let ends = match piece(text, last) {
                (TokenKind::Punct, ";" | "{" | "}") => true,
                (TokenKind::Punct, ",") => self.brackets == 0 && self.braces > 0,
                _ => false,
            };
            // `expect CODE "reason"` ends at its reason, on this line or a later one
            if !self.open_statement && code.first().is_some_and(|t| piece(text, t) == (TokenKind::Word, "expect")) {
                self.in_expect = true;
            }
            let reason_given = self.in_expect && code.iter().any(|t| t.kind == TokenKind::String);
            if reason_given {
                self.in_expect = false;
            }
            let ends_with_reason = reason_given && last.kind == TokenKind::String;
            self.open_statement = !(ends || ends_with_reason);
        }
        out
    }
}

/// Whether one space goes between two tokens of a line: none where the
/// input had none (that keeps `arn(iam:role)`, `@set` and a string's pieces
/// whole), none inside brackets and before `;` and `,`; one after them,
/// around braces and wherever the input had white space. A `:` followed by
/// white space (`name: type`) takes none before it and one after; any other
/// stays as written (`a :b` would become one word, `a::b` is one action).
fn space_between(text: &str, before: &Token, token: &Token, next: Option<&Token>) -> bool {
    let (before_kind, before_text) = piece(text, before);
    let (kind, this) = piece(text, token);
    let glued = before.span.end == token.span.start;
    if kind == TokenKind::Punct && this == ":" {
        let spaced_after = next.is_none_or(|n| n.span.start > token.span.end);
        return !spaced_after && !glued;
    }
    if before_kind == TokenKind::Punct && before_text == ":" {
        return !glued;
    }
    if kind == TokenKind::Punct && matches!(this, ";" | "," | ")" | "]") {
        return false;
    }
    if before_kind == TokenKind::Punct && matches!(before_text, "(" | "[") {
        return false;
    }
    if matches!(kind, TokenKind::Comment | TokenKind::DocComment) {
        return true;
    }
    if before_kind == TokenKind::Punct && matches!(before_text, "," | ";" | "{") {
        return true;
    }
    if kind == TokenKind::Punct && matches!(this, "{" | "}") {
        return true;
    }
    if before_kind == TokenKind::Punct && before_text == "}" {
        return !glued || kind != TokenKind::Punct;
    }
    !glued
}

/// The lines joined: blank lines at most one in a row, none at the start or
/// end of the file or of a block, and one line end after the last.
fn join(lines: &[String], line_end: &str) -> String {
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    // the next line that is not blank, found once for a whole run of blank
    // lines (searched again for each, a long run took quadratic time)
    let mut next_at = 0;
    for (at, line) in lines.iter().enumerate() {
        if !line.is_empty() {
            kept.push(line);
            continue;
        }
        let after_open = kept.last().is_none_or(|l| l.is_empty() || l.ends_with('{'));
        if next_at <= at {
            next_at = at + 1;
            while lines.get(next_at).is_some_and(|l| l.is_empty()) {
                next_at += 1;
            }
        }
        let next = lines.get(next_at);
        let before_close = next.is_none_or(|l| l.trim_start().starts_with('}'));
        if !after_open && !before_close {
            kept.push("");
        }
    }
    let mut out = kept.join(line_end);
    if !out.is_empty() {
        out.push_str(line_end);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "tests")]

    use super::*;

    #[test]
    fn indents_by_braces_and_continuations() {
        let input = "policy p {\nallow \"S\" {\n  action [a:B,\nc:D];\n      resource \"*\" ;\n}\n}\n";
        let want = "policy p {\n    allow \"S\" {\n        action [a:B,\n            c:D];\n        resource \"*\";\n    }\n}\n";
        assert_eq!(format(input).as_deref(), Ok(want));
    }

    /// An enum's values one per line share one indent; a `]` that starts
    /// its line lines up with the line that opened it; a comment inside a
    /// statement is indented as the code around it.
    #[test]
    fn enums_closing_brackets_and_comments_in_statements() {
        let want = "feature scheduler: enum {\n    slurm,\n    awsbatch,\n    pbs,\n} = slurm;\npolicy p {\n    allow {\n        action [\n            s3:GetObject,\n        ];\n        condition StringEquals \"aws:RequestedRegion\"\n            // note\n            [\"us-east-1\"];\n        resource \"*\";\n    }\n}\n";
        let flat: String = want.lines().map(|l| format!("{}\n", l.trim_start())).collect();
        assert_eq!(format(&flat).as_deref(), Ok(want));
        assert_eq!(format(want).as_deref(), Ok(want));
    }

    /// The file's line end is the one most of its lines have.
    #[test]
    fn line_ends_follow_most_lines() {
        let mostly_lf = "param a: string = \"x\";\r\nparam b: string = \"y\";\nparam c: string = \"z\";\n";
        assert_eq!(format(mostly_lf).as_deref(), Ok(mostly_lf.replace("\r\n", "\n").as_str()));
        let mostly_crlf = mostly_lf.replace(";\n", ";\r\n").replacen(";\r\n", ";\n", 1);
        assert_eq!(format(&mostly_crlf).as_deref(), Ok(mostly_lf.replace(";\n", ";\r\n").as_str()));
    }

    #[test]
    fn spaces_between_tokens_become_one_or_none() {
        let input = "param  p :  list<arn(iam:role)>  placeholder \"a  b\";\npolicy q{allow{action [ @s ,x:Y ];resource \"*\";}}\n";
        let want = "param p: list<arn(iam:role)> placeholder \"a  b\";\npolicy q { allow { action [@s, x:Y]; resource \"*\"; } }\n";
        assert_eq!(format(input).as_deref(), Ok(want));
    }

    #[test]
    fn keeps_comments_line_breaks_and_expect_annotations() {
        let input = "// a comment   \n\n\n/// doc\npolicy p {\n\n    expect W0509 \"why\"\n    allow { action [s3:*]; resource \"*\"; } // trailing\n\n}\n\n";
        let want = "// a comment\n\n/// doc\npolicy p {\n    expect W0509 \"why\"\n    allow { action [s3:*]; resource \"*\"; } // trailing\n}\n";
        assert_eq!(format(input).as_deref(), Ok(want));
    }

    #[test]
    fn a_colon_glued_to_what_follows_stays_as_written() {
        // `p :x` would become the word `p:x`; `a::b` is one action name to the grammar
        for text in ["param p :string;\n", "policy p { allow { action a::b; resource \"*\"; } }\n"] {
            assert_eq!(format(text).as_deref(), Ok(text));
        }
    }

    #[test]
    fn keeps_a_byte_order_mark_and_lays_out_after_it() {
        let input = "\u{feff}/// doc\npolicy p {\nallow { action s3:GetObject; resource \"*\"; }\n}\n";
        let want = "\u{feff}/// doc\npolicy p {\n    allow { action s3:GetObject; resource \"*\"; }\n}\n";
        assert_eq!(format(input).as_deref(), Ok(want));
    }

    #[test]
    fn an_expect_ends_at_its_reason_on_a_later_line_too() {
        let input = "policy p {\nexpect W0509\n\"why\"\nallow { action s3:*; resource \"*\"; }\n}\n";
        let want = "policy p {\n    expect W0509\n        \"why\"\n    allow { action s3:*; resource \"*\"; }\n}\n";
        assert_eq!(format(input).as_deref(), Ok(want));
    }

    #[test]
    fn keeps_crlf_line_ends_and_makes_a_lone_carriage_return_one() {
        assert_eq!(
            format("param p: string;\r\n\r\n\r\nparam q: string;").as_deref(),
            Ok("param p: string;\r\n\r\nparam q: string;\r\n")
        );
        // a lone `\r` ends a line, as the parser has it: the file's line end
        assert_eq!(format("param p: string; // a\rb\n").as_deref(), Ok("param p: string; // a\nb\n"));
        assert_eq!(
            format("param a: string = \"x\";\rparam b: string = \"y\";\n").as_deref(),
            Ok("param a: string = \"x\";\nparam b: string = \"y\";\n")
        );
        assert_eq!(format("p;\r\nq;\r\nr;\rs;\r\n").as_deref(), Ok("p;\r\nq;\r\nr;\r\ns;\r\n"));
        assert_eq!(format("\r").as_deref(), Ok(""));
    }

    #[test]
    fn a_continued_statement_is_indented_once_more() {
        let input = "policy p {\nallow {\ncondition StringEquals \"k\"\n[\"v\"];\naction s3:GetObject;\n}\n}\n";
        let want = "policy p {\n    allow {\n        condition StringEquals \"k\"\n            [\"v\"];\n        action s3:GetObject;\n    }\n}\n";
        assert_eq!(format(input).as_deref(), Ok(want));
    }

    #[test]
    fn formatting_twice_changes_nothing_more() {
        for input in ["policy p{allow{action[a:B,\nc:D];resource\"*\";}}", "\n\n  feature f : bool = true ;\n\n\n", ""]
        {
            let once = format(input).expect("formats");
            assert_eq!(format(&once).as_deref(), Ok(once.as_str()), "{input:?}");
        }
    }
}
