//! What syntax errors say: what was expected, where, and the help.
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
    let e = first_error("role r { trust /// d\n service \"e\"; }\n");
    assert_eq!(e.message, "syntax error: expected one of `aws`, `federated`, or `service`, found `///`");
    let e = first_error("policy p { allow { action /// d\n s3:GetObject; resource \"*\"; } }\n");
    assert_eq!(e.message, "syntax error: expected an action (`service:Action` or `@actionset`), found `///`");
}

const ROLE_FIELDS: &str = "one of `///`, `attach`, `boundary`, `description`, `inline`, `managed`, `name`, `path`,";
const BODY_ENTRIES: &str =
    "expected one of `///`, `allow`, `deny`, `description`, `expect`, `include`, `name`, `with`, or `}`";

/// A keyword glued to more letters (`inlined`) is refused by the
/// grammar's `!glued_keyword` look-ahead before the alternatives after
/// it are tried: pest listed only what came before it ("expected `///`
/// or `}`" in a role). What was expected there is every alternative;
/// the help tells a misspelt keyword from a missing space by whether
/// the text reads on with the space.
#[test]
fn a_keyword_glued_to_more_letters_is_told_what_was_expected() {
    let role = format!("syntax error: expected {ROLE_FIELDS} `trust`, or `}}`");
    for (text, found, help) in [
        ("role r { trust service \"e\"; inlined p; }\n", "inlined", "did you mean `inline`?"),
        ("role r { trust service \"e\"; attachh p; }\n", "attachh", "did you mean `attach`?"),
        ("role r { trustt service \"e\"; }\n", "trustt", "did you mean `trust`?"),
        ("role r { paths \"/\"; }\n", "paths", "did you mean `path`?"),
        ("role r { managedd [\"a\"]; }\n", "managedd", "did you mean `managed`?"),
        ("role r { boundarys \"a\"; }\n", "boundarys", "did you mean `boundary`?"),
        (
            "role r { trust service \"e\"; inlinehead_node; }\n",
            "inlinehead_node",
            "a keyword and the name after it are two words: `inline head_node`",
        ),
        (
            "role r { trustservice \"e\"; }\n",
            "trustservice",
            "a keyword and the name after it are two words: `trust service`",
        ),
        ("role r { managedarns; }\n", "managedarns", "a keyword and the name after it are two words: `managed arns`"),
    ] {
        let e = first_error(text);
        assert_eq!(e.message, format!("{role}, found `{found}`"), "{text}");
        assert_eq!(e.help.as_deref(), Some(help), "{text}");
        let start = text.find(found).unwrap();
        assert_eq!((e.span.start as usize, e.span.end as usize), (start, start + found.len()), "{text}");
    }
    // a role's later field, parsed alone (`role_field_only`)
    let errors = crate::parse_file("role r {\n    trustt service \"e\";\n    inlined p;\n}\n").errors;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[1].message, format!("syntax error: expected {ROLE_FIELDS} or `trust`, found `inlined`"));
    assert_eq!(errors[1].help.as_deref(), Some("did you mean `inline`?"));
    // a policy's body, a statement's, a block's, an item's start
    for (text, message, help) in [
        ("policy p { includes s; }\n", format!("{BODY_ENTRIES}, found `includes`"), "did you mean `include`?"),
        (
            "permset p { includes; }\n",
            "expected one of `///`, `allow`, `deny`, `expect`, `include`, `with`, or `}`, found `includes`".into(),
            "a keyword and the name after it are two words: `include s`",
        ),
        (
            "policy p { with conditions StringEquals \"k\" [\"v\"] { } }\n",
            "expected `condition`, found `conditions`".into(),
            "did you mean `condition`?",
        ),
        (
            "policy p { withcondition StringEquals \"k\" [\"v\"] { } }\n",
            format!("{BODY_ENTRIES}, found `withcondition`"),
            "a keyword and the name after it are two words: `with condition`",
        ),
        (
            "policy p { allow { actions s3:GetObject; resource \"*\"; } }\n",
            "expected one of `action`, `condition`, `notaction`, `notresource`, `resource`, or `}`, found `actions`"
                .into(),
            "did you mean `action`?",
        ),
        (
            "policy p splittablex { }\n",
            "expected one of `splittable`, `when`, or `{`, found `splittablex`".into(),
            "did you mean `splittable`?",
        ),
        (
            "policy p { allowfor { action [s3:GetObject]; resource \"*\"; } }\n",
            format!("{BODY_ENTRIES}, found `allowfor`"),
            "did you mean `allow`?",
        ),
        (
            "policys p { }\n",
            "expected one of `///`, `actionset`, `constraint`, `expect`, `feature`, `param`, `permset`, \
             `policy`, `role`, or `valueset`, found `policys`"
                .into(),
            "did you mean `policy`?",
        ),
    ] {
        let e = first_error(text);
        assert_eq!(e.message, format!("syntax error: {message}"), "{text}");
        assert_eq!(e.help.as_deref(), Some(help), "{text}");
    }
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

/// A statement left open before the next one: the help names the `{` to
/// close, whether a doc comment or the statement comes next (the help told
/// to write `//` for the `///`, which fixed nothing).
#[test]
fn an_unclosed_statement_before_the_next_is_named() {
    let text = "policy p {\n    allow \"A\" {\n        action s3:GetObject;\n        resource \"*\";\n    /// Writes.\n    allow \"B\" {\n        action s3:PutObject;\n        resource \"*\";\n    }\n}\n";
    let e = first_error(text);
    assert_eq!(e.help.as_deref(), Some("the `{` of `allow \"A\" {` is not closed: add `}` above this line"));
    let e = first_error(&text.replace("    /// Writes.\n", ""));
    assert_eq!(e.help.as_deref(), Some("the `{` of `allow \"A\" {` is not closed: add `}` above this line"));
    // in a role or a body, an entry keyword is another slip (`include`
    // meant `inline`): no such help there (found by review)
    let e = first_error("role r {\n    path \"/\";\n    include p;\n}\n");
    assert!(e.help.as_deref().is_none_or(|h| !h.contains("is not closed")), "{:?}", e.help);
    let e = first_error(
        "policy p {\n    allow {\n        action s3:GetObject;\n        resource \"*\";\n        expect W0500 \"x\";\n    }\n}\n",
    );
    assert!(e.help.as_deref().is_none_or(|h| !h.contains("is not closed")), "{:?}", e.help);
    // (an item left open before the next item is the chunker's: "this
    // item is not finished", at its last token)
}

/// An IAM policy variable written as an interpolation: the help gives the
/// escape that puts it in the document (it told to interpolate a param).
#[test]
fn a_policy_variable_gets_the_escape() {
    let text = "policy p { allow { action s3:GetObject; resource \"arn:aws:s3:::home/${aws:username}/*\"; } }\n";
    let e = first_error(text);
    assert_eq!(e.message, "`${aws:username}` does not name a param");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "IAM policy variables are written with `\\${`: `\\${aws:username}` puts `${aws:username}` in the document"
        )
    );
    assert!(crate::parse_file(&text.replace("${aws", "\\${aws")).errors.is_empty());
}

/// Found by fuzzing: white space mid-line where a token goes on (`@ x`,
/// `arn(iam policy)`) was "found end of input", "the file ends here"; a
/// lone `\r` in a string listed the grammar's character ranges.
#[test]
fn white_space_mid_line_is_named_and_a_lone_cr_ends_a_string() {
    let e = first_error("actionset a = [@ x];\n");
    assert_eq!(e.message, "syntax error: expected a name, found a space");
    assert_eq!(e.label.as_deref(), Some("unexpected space"));
    assert_eq!(e.span.start, 16);
    let e = first_error("param b: arn(iam\tpolicy);\n");
    assert!(e.message.ends_with("found a tab"), "{}", e.message);
    let e = first_error("policy p { allow { action s3:GetObject; resource \"*\r\"; } }\n");
    assert_eq!(e.message, "syntax error: this string is not closed on its line");
    assert_eq!((e.span.start, e.span.end), (49, 51));
    // at the end of the file, still the end of input
    let e = first_error("actionset a = [@");
    assert!(e.message.ends_with("found end of input"), "{}", e.message);
}

/// A `;` missing at the end of a line that ends in a lone `\r` goes where
/// it does at the end of one that ends in `\n` (the error was at the next
/// line's `}`).
#[test]
fn a_missing_semicolon_before_a_lone_cr_is_at_the_line_end() {
    for end in ["\n", "\r\n", "\r"] {
        let text = format!("policy p {{{end}    allow {{ action s3:Get{end}}}{end}");
        let e = first_error(&text);
        assert!(e.message.ends_with("found `}` on the next line"), "{end:?}: {}", e.message);
        assert_eq!(e.label.as_deref(), Some("the `;` goes here"), "{end:?}");
    }
}
