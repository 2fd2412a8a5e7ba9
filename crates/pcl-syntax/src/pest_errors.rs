//! pest's errors in pcl's words: where the mistake is (a missing `;` at
//! the end of the line, not the next line's first word; a string left open),
//! what was expected (names for character classes), and a help line when the
//! fix can be guessed.

use pest::error::InputLocation;

use rapidfuzz::distance::jaro_winkler;

use crate::Span;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::grammar::Rule;

pub(crate) fn convert_error(e: &pest::error::Error<Rule>, chunk: &str, offset: usize) -> SyntaxError {
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
    // the grammar's rules by what they are, not by their names (two rules
    // may be the same thing to the reader: each is named once)
    // (and whether pest named rules at all, not only literal tokens)
    let (mut message, rules_named) = match &e.variant {
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
    };
    let mut expected: Vec<String> = Vec::new();
    if let Some(attempts) = e.parse_attempts() {
        expected = attempts
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
        if !expected.is_empty() {
            start = attempts.max_position;
            end = start;
            message = format!("expected {}", one_of(&expected));
        }
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
    let found = match stray {
        _ if found_text.is_empty() => "end of input".to_string(),
        Some(c) => format!("U+{:04X} (white space the grammar does not take)", u32::from(c)),
        None => code(found_text),
    };
    let expects = |token: &str| expected.iter().any(|t| t == token);
    // A missing `;` at the end of a line: point at the end of the line, where
    // it goes, not at the next line's first word.
    let before = chunk.get(..start).unwrap_or("");
    let previous_end = before.trim_end().len();
    // (At the end of a chunk, `chunk_error` says the item runs into the next.)
    if expects("`;`")
        && !found_text.is_empty()
        && before.get(previous_end..).is_some_and(|gap| gap.contains('\n'))
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
    let help = if let Some((word, name)) = crate::lower::glued_keyword(found_text) {
        // `inlined head_node`: a misspelt keyword; `inlinehead_node`: a missing space
        let next_is_a_name = chunk
            .get(end..)
            .is_some_and(|after| after.trim_start().starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
        Some(if next_is_a_name {
            format!("did you mean `{word}`?")
        } else {
            format!("a keyword and the name after it are two words: `{word} {name}`")
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
            _ if found_text.is_empty() => "the file ends here".into(),
            Some(c) => format!("unexpected U+{:04X}", u32::from(c)),
            None => format!("unexpected {found}"),
        }),
        help,
    }
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
    let line_start = chunk.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = chunk.get(at..)?.find('\n').map_or(chunk.len(), |i| at + i);
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
    if after.starts_with("///") {
        return Some(
            "`///` starts a doc comment, on a line of its own above the item, statement or include it documents; \
             write `//` for a plain comment"
                .into(),
        );
    }
    None
}

/// A grammar rule as a message names what it expected there (pest names
/// the rules it tried when no literal token was expected).
fn describe(rule: &Rule) -> &'static [&'static str] {
    match rule {
        Rule::item
        | Rule::item_only
        | Rule::file
        | Rule::param_decl
        | Rule::feature_decl
        | Rule::constraint_decl
        | Rule::permset_decl
        | Rule::actionset_decl
        | Rule::valueset_decl
        | Rule::policy_decl
        | Rule::role_decl => &["an item (`param`, `feature`, `constraint`, a set, `policy` or `role`)"],
        Rule::stmt_field => &["a statement field (`action`, `notaction`, `resource`, `notresource` or `condition`)"],
        Rule::item_field => &["`name`", "`description`"],
        Rule::body_entry | Rule::body_entry_only => {
            &["a statement (`allow` or `deny`)", "`include`", "a `with condition` block"]
        }
        Rule::statement => &["a statement (`allow` or `deny`)"],
        Rule::effect => &["`allow`", "`deny`"],
        Rule::role_field | Rule::role_field_only => {
            &["a role field (`trust`, `managed`, `inline`, `attach`, `boundary`, `path`, `name` or `description`)"]
        }
        Rule::principal_kind => &["`service`", "`aws`", "`federated`"],
        Rule::when_clause => &["`when`"],
        Rule::splittable_kw => &["`splittable`"],
        Rule::for_kw => &["`for`"],
        Rule::in_kw => &["`in`"],
        Rule::with_kw => &["`with`"],
        Rule::optional_mark => &["`?`"],
        Rule::type_args | Rule::type_arg | Rule::star_arg | Rule::max_arg | Rule::pattern_arg => {
            &["type arguments in `(...)`"]
        }
        Rule::resource_type_arg => &["a resource type (`service:type`)"],
        Rule::max_kw => &["`max`"],
        Rule::pattern_kw => &["`pattern`"],
        Rule::bool_type => &["`bool`"],
        Rule::enum_type => &["`enum`"],
        Rule::type_expr | Rule::scalar_type | Rule::list_type => &["a type"],
        Rule::or_op => &["`or`"],
        Rule::and_op => &["`and`"],
        Rule::not_op => &["`not`"],
        Rule::cmp_op => &["a comparison (`==` or `!=`)"],
        Rule::expr | Rule::and_expr | Rule::unary | Rule::primary | Rule::paren | Rule::comparison => &["a guard"],
        Rule::cmp_value | Rule::feature_value | Rule::bool_lit => &["a value (a name, `true`, `false` or a string)"],
        Rule::number => &["a number"],
        Rule::values | Rule::value_list | Rule::guarded_value | Rule::value_item | Rule::each_item => {
            &["a value (a string, a param's name or `@valueset`)"]
        }
        Rule::action_list | Rule::guarded_action | Rule::action_item | Rule::action_name => {
            &["an action (`service:Action` or `@actionset`)"]
        }
        Rule::string | Rule::literal | Rule::string_list | Rule::str_inner => &["a string"],
        Rule::ident | Rule::keyword | Rule::glued_keyword | Rule::ident_char => &["a name"],
        Rule::name_field | Rule::name_kw => &["`name`"],
        Rule::description_field | Rule::description_kw => &["`description`"],
        Rule::condition_block => &["a `with condition` block"],
        Rule::include_entry => &["`include`"],
        Rule::action_field | Rule::action_kw => &["`action`"],
        Rule::resource_field | Rule::resource_kw => &["`resource`"],
        Rule::condition_field => &["`condition`"],
        Rule::role_path => &["`path`"],
        Rule::role_trust => &["`trust`"],
        Rule::role_managed => &["`managed`"],
        Rule::role_inline => &["`inline`"],
        Rule::role_attach => &["`attach`"],
        Rule::role_boundary => &["`boundary`"],
        Rule::set_ref => &["`@name`"],
        Rule::cond_op => &["a condition operator (`StringEquals`, `ArnLike`, ...)"],
        Rule::diag_code => &["a diagnostic code (`W0509`)"],
        Rule::expect_attr | Rule::expect_kw => &["`expect`"],
        Rule::doc | Rule::doc_text => &["`///`"],
        Rule::EOI => &["the end of the input"],
        // silent: pest never reports them (the match names every rule, so
        // a rule added to the grammar cannot reach a message by its name)
        Rule::WHITESPACE | Rule::COMMENT | Rule::line_char => &["a blank or a comment"],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    fn first_error(text: &str) -> crate::SyntaxError {
        crate::parse_file(text).errors.into_iter().next().unwrap()
    }

    /// A `///` glued to a name at the end of an item's first line is
    /// reported at the `///`, with what could come there: pest's furthest
    /// attempt used to stop two bytes into it, inside the comment rule, and
    /// the error fell back to the item's start ("expected an item, found
    /// `param`").
    #[test]
    fn a_misplaced_doc_comment_is_reported_where_it_is() {
        let e = first_error("param region/// d\n: string;\n");
        assert_eq!(e.message, "syntax error: expected `:` or a name, found `///`");
        assert_eq!((e.span.start, e.span.end), (12, 15));
        let e = first_error("/// Read.\npermset p/// d\n{ }\n");
        assert_eq!(e.message, "syntax error: expected `{` or a name, found `///`");
        let e = first_error("policy p/// d\n{ }\n");
        assert_eq!(e.message, "syntax error: expected one of `splittable`, `when`, `{`, or a name, found `///`");
        // where the tokens would be the characters an action may start with,
        // the rule says it better
        let e = first_error("policy p { allow { action /// x\n [s3:GetObject]; resource \"*\"; } }\n");
        assert_eq!(e.message, "syntax error: expected an action (`service:Action` or `@actionset`), found `///`");
    }

    /// A rule that stands for several alternatives lists them in the one
    /// list, not as a list inside it ("one of ..., or `allow` or `deny`").
    #[test]
    fn alternatives_are_one_flat_list() {
        let e = first_error("role r { trust servicec2.amazonaws.com\"; }\n");
        assert_eq!(e.message, "syntax error: expected one of `service`, `aws`, or `federated`, found `servicec2`");
        let e = first_error("policy p { allowfor { action [s3:GetObject]; resource \"*\"; } }\n");
        assert_eq!(
            e.message,
            "syntax error: expected one of `name`, `description`, a statement (`allow` or `deny`), `include`, \
             or a `with condition` block, found `allowfor`"
        );
    }

    /// A doc comment that ends a body documents nothing: so says its help
    /// (a review found "statement and role fields end with `;`", the words
    /// of the comment taken for an unfinished field).
    #[test]
    fn a_doc_comment_ending_a_body_is_named() {
        for text in [
            "policy p {\n    allow { action s3:GetObject; resource \"*\"; }\n    /// dangling\n}\n",
            "role r {\n    trust service \"ec2.amazonaws.com\";\n    /// dangling\n}\n",
        ] {
            let e = first_error(text);
            assert!(e.help.as_deref().is_some_and(|h| h.starts_with("`///` documents")), "{e:?}");
        }
        // a field without its `;` keeps its help
        let e = first_error("role r {\n    trust service \"ec2.amazonaws.com\"\n}\n");
        assert!(e.help.as_deref().is_some_and(|h| h.contains("`;`")), "{e:?}");
    }

    /// A found token holding a backquote is quoted with two.
    #[test]
    fn a_backquote_is_quoted_with_two() {
        let e = first_error("`*` as a resource\n");
        assert!(e.message.ends_with("found `` ` ``"), "{}", e.message);
    }
}
