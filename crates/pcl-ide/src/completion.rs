//! Completion by context, read from the text before the cursor: names after
//! `@`, `${`, `when`/`and`/`or`/`not`, `inline`/`attach`; a feature's values
//! after `==`/`!=`; actions of a service after `service:`; service prefixes
//! in an action list; operators after `condition`; condition keys in its
//! string; keywords at the start of an item or statement.

use crate::index::FileIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Item,
    Value,
    Action,
    Service,
    Operator,
    ConditionKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// The bytes it replaces: the word typed so far (`s3:Get` for
    /// `s3:GetObject`), so that an editor whose idea of a word ends at the
    /// `:` does not insert `s3:s3:GetObject`.
    pub replaces: std::ops::Range<usize>,
}

fn item(label: &str, detail: &str, kind: CompletionKind) -> Completion {
    Completion { label: label.to_string(), kind, detail: Some(detail.to_string()), replaces: 0..0 }
}

/// How many bytes of `line` (up to the cursor) are the word being typed.
fn typed_word_len(line: &str) -> usize {
    // the word's characters are ASCII: as many bytes as characters
    line.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || "_:-*".contains(*c)).count()
}

const ITEM_KEYWORDS: [&str; 9] =
    ["param", "feature", "constraint", "permset", "actionset", "valueset", "policy", "role", "expect"];
const BODY_KEYWORDS: [&str; 4] = ["allow", "deny", "include", "expect"];
const OPERATORS: [&str; 14] = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotLike",
    "Bool",
    "NumericLessThan",
    "NumericGreaterThan",
    "DateGreaterThan",
    "DateLessThan",
    "IpAddress",
    "Null",
];

/// What may be typed at `offset`, each with the bytes it replaces.
pub fn completions(index: &FileIndex, offset: usize) -> Vec<Completion> {
    let before = index.text.get(..offset.min(index.text.len())).unwrap_or_default();
    // a lone `\r` breaks lines too (as in the syntax)
    let line = before.rsplit(['\n', '\r']).next().unwrap_or_default();
    let replaces = before.len() - typed_word_len(line)..before.len();
    let mut found = completions_after(index, before, line);
    for c in &mut found {
        c.replaces = replaces.clone();
    }
    found
}

/// `completions` at the end of `before`, whose last line is `line`.
fn completions_after(index: &FileIndex, before: &str, line: &str) -> Vec<Completion> {
    if comment_start(line).is_some() {
        return Vec::new(); // in a comment
    }
    // the word being typed
    let word_len = typed_word_len(line);
    let word = line.get(line.len() - word_len..).unwrap_or_default();
    let head = line.get(..line.len() - word_len).unwrap_or_default();
    let names = |kinds: &[&str]| -> Vec<Completion> {
        index
            .decls
            .iter()
            .filter(|d| kinds.contains(&d.kind) && d.name.starts_with(word))
            .map(|d| item(&d.name, d.kind, CompletionKind::Item))
            .collect()
    };
    if head.ends_with('@') {
        return names(&["actionset", "valueset"]);
    }
    if head.ends_with("${") {
        return names(&["param"]);
    }
    if let Some(param) = head.strip_suffix('.').and_then(|h| h.rsplit_once("${")).map(|(_, p)| p)
        && is_partition_param(index, param)
    {
        return pcl_iam::partitions::PARTITION_MEMBERS
            .iter()
            .filter(|m| m.starts_with(word))
            .map(|m| item(m, "the partition's DNS suffix (amazonaws.com, ...)", CompletionKind::Value))
            .collect();
    }
    if let Some(keys) = condition_key_context(head, word) {
        return keys;
    }
    let trimmed_head = head.trim_end();
    if trimmed_head.ends_with("==") || trimmed_head.ends_with("!=") {
        return feature_values(index, trimmed_head);
    }
    // the last word before the one being typed, on an earlier line if this
    // one has none (an expression may go on over lines)
    let before_word = before.get(..before.len() - word_len).unwrap_or_default();
    let (previous, previous_line) = previous_word(before_word);
    match previous {
        "when" | "and" | "or" | "not" | "(" => return names(&["feature", "param"]),
        "inline" | "attach" => return names(&["policy"]),
        "include" => return names(&["permset"]),
        "condition" => {
            return OPERATORS
                .iter()
                .filter(|o| o.starts_with(word))
                .map(|o| item(o, "condition operator", CompletionKind::Operator))
                .collect();
        }
        _ => {}
    }
    if let Some((prefix, name)) = word.split_once(':') {
        return actions(prefix, name);
    }
    if in_action_list(before.get(..before.len() - word.len()).unwrap_or_default()) {
        return services(word);
    }
    let trimmed = head.trim();
    // at the start of a line, and after a finished item (or its `expect`)
    let after_an_item =
        previous.is_empty() || previous.ends_with([';', '}']) || previous_line.trim_start().starts_with("expect ");
    if trimmed.is_empty() && !line.starts_with([' ', '\t']) && after_an_item {
        return ITEM_KEYWORDS
            .iter()
            .filter(|k| k.starts_with(word))
            .map(|k| item(k, "item", CompletionKind::Keyword))
            .collect();
    }
    if trimmed.is_empty() || trimmed.ends_with(['{', '}', ';']) {
        return BODY_KEYWORDS
            .iter()
            .filter(|k| k.starts_with(word))
            .map(|k| item(k, "statement", CompletionKind::Keyword))
            .collect();
    }
    Vec::new()
}

/// The last word of `text` outside comments, and the line it is on; empty
/// when there is none.
fn previous_word(text: &str) -> (&str, &str) {
    for line in text.rsplit(['\n', '\r']) {
        let code = line.get(..comment_start(line).unwrap_or(line.len())).unwrap_or_default();
        if let Some(word) = code.split_whitespace().last() {
            return (word, code);
        }
    }
    ("", "")
}

/// Where a `//` comment starts in `line`: not inside a string
/// (`"https://..."`), where a `\` escapes the character after it.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let (mut at, mut in_string) = (0, false);
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\\' if in_string => at += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(at + 1) == Some(&b'/') => return Some(at),
            _ => {}
        }
        at += 1;
    }
    None
}

/// The values of the feature compared in `head` (`when scheduler == `,
/// `scheduler==`).
fn feature_values(index: &FileIndex, head: &str) -> Vec<Completion> {
    let head = head.trim_end().trim_end_matches("==").trim_end_matches("!=").trim_end();
    let feature: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let Some(decl) = index.decl(&feature) else { return Vec::new() };
    // the declaration itself, after its doc comments
    let text = index.text.get(decl.name_span.start as usize..decl.span.end as usize).unwrap_or_default();
    let ty = text.split_once(':').map_or("", |(_, rest)| rest).trim_start();
    let values: Vec<&str> = if ty.starts_with("bool") {
        vec!["true", "false"]
    } else {
        match ty.split_once('{').and_then(|(_, rest)| rest.split_once('}')) {
            Some((domain, _)) => domain.split(',').map(str::trim).filter(|v| !v.is_empty()).collect(),
            None => Vec::new(),
        }
    };
    values.into_iter().map(|v| item(v, &format!("a value of `{feature}`"), CompletionKind::Value)).collect()
}

/// Inside an action list: the nearest field before the cursor is `action`
/// (or `notaction`, or an `actionset NAME = [`), and not finished by `;`.
fn in_action_list(before: &str) -> bool {
    let keyword_at = |k: &str| {
        before
            .match_indices(k)
            .filter(|(i, _)| {
                let prev = before.get(..*i).and_then(|b| b.chars().next_back());
                let next = before.get(i + k.len()..).and_then(|a| a.chars().next());
                !prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .map(|(i, _)| i)
            .last()
    };
    let actions = ["action", "notaction", "actionset"].iter().filter_map(|k| keyword_at(k)).max();
    let others = ["resource", "notresource", "condition", "valueset", "trust", "managed"]
        .iter()
        .filter_map(|k| keyword_at(k))
        .max();
    match actions {
        Some(a) if others.is_none_or(|o| o < a) => !before.get(a..).unwrap_or_default().contains(';'),
        _ => false,
    }
}

fn services(word: &str) -> Vec<Completion> {
    let catalog = pcl_iam::catalog::catalog();
    catalog
        .prefixes()
        .filter(|p| p.starts_with(word))
        .map(|p| {
            let name = catalog.service(p).map(|s| s.name).unwrap_or_default();
            item(&format!("{p}:"), name, CompletionKind::Service)
        })
        .collect()
}

fn actions(prefix: &str, name: &str) -> Vec<Completion> {
    let Some(service) = pcl_iam::catalog::catalog().service(prefix) else { return Vec::new() };
    let lower = name.to_ascii_lowercase();
    service
        .actions
        .iter()
        .filter(|a| a.name.to_ascii_lowercase().starts_with(&lower))
        .map(|a| item(&format!("{}:{}", service.prefix, a.name), a.access_level(), CompletionKind::Action))
        .collect()
}

/// Inside the key string of `condition OP "`: global keys, and the keys of
/// the service typed so far.
fn condition_key_context(head: &str, word: &str) -> Option<Vec<Completion>> {
    let at = head.rfind("condition ")?;
    let rest = head.get(at..)?;
    if rest.matches('"').count() != 1 || !rest.ends_with('"') && !rest.trim_end().ends_with('"') {
        return None;
    }
    let catalog = pcl_iam::catalog::catalog();
    let mut out: Vec<Completion> = catalog
        .global_keys()
        .iter()
        .filter(|k| k.key.starts_with(word))
        .map(|k| item(k.key, k.ty, CompletionKind::ConditionKey))
        .collect();
    if let Some((prefix, _)) = word.split_once(':')
        && let Some(service) = catalog.service(prefix)
    {
        out.extend(
            service
                .condition_keys
                .iter()
                .filter(|k| k.key.starts_with(word))
                .map(|k| item(k.key, k.ty, CompletionKind::ConditionKey)),
        );
    }
    Some(out)
}

/// Whether `name` is declared as a param of type `partition`.
fn is_partition_param(index: &FileIndex, name: &str) -> bool {
    index.decls.iter().any(|d| {
        d.kind == "param" && d.name == name && {
            let after = index.text.get(d.name_span.end as usize..d.span.end as usize).unwrap_or_default();
            after.trim_start().strip_prefix(':').is_some_and(|t| t.trim_start().starts_with("partition"))
        }
    })
}
