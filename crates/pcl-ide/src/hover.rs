//! Hover: what the text under the cursor is. An item's declaration and doc
//! comment (and what a set expands to); an action's entry in the IAM
//! catalog; a condition key's type.

use pcl_semantics::ir::{ActionRef, ItemIr, Program};
use pcl_syntax::Span;

use crate::index::FileIndex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about.
    pub span: Span,
    pub markdown: String,
    /// The same without Markdown's marks (for a client that shows none):
    /// made beside it, not stripped from it, since what the user wrote
    /// (`a**b`, `s3:Get**`) may hold such marks (found by review).
    pub plain: String,
}

impl Hover {
    /// A hover whose first line is `title`, bold in Markdown.
    fn titled(span: Span, title: &str, rest: &str) -> Hover {
        Hover { span, markdown: format!("**{title}**{rest}"), plain: format!("{title}{rest}") }
    }
}

pub fn hover(index: &FileIndex, program: &Program, offset: usize) -> Option<Hover> {
    if let Some((name, span)) = index.name_at(offset) {
        return item_hover(index, program, name, span);
    }
    if let Some(h) = member_hover(&index.text, offset) {
        return Some(h);
    }
    let (token, span) = token_at(&index.text, offset)?;
    if let Some(h) = action_hover(&token, span) {
        return Some(h);
    }
    key_hover(&token, span)
}

fn item_hover(index: &FileIndex, program: &Program, name: &str, span: Span) -> Option<Hover> {
    let decl = index.decl(name)?;
    // the declaration's first line, up to its body
    let source = index.text.get(decl.name_span.start as usize..decl.span.end as usize).unwrap_or_default();
    let head: String = source.split(['\n', '\r']).next().unwrap_or_default().trim_end_matches(['{', ' ']).to_string();
    let code = format!("{} {head}", decl.kind);
    let mut md = String::new();
    if !decl.docs.is_empty() {
        md.push_str("\n\n");
        md.push_str(&decl.docs.iter().map(|d| d.trim()).collect::<Vec<_>>().join("\n"));
    }
    match program.get(name).map(|i| &*i.ir) {
        Some(ItemIr::Actionset(list)) => {
            let actions: Vec<String> = list
                .items
                .iter()
                .map(|i| match &i.value {
                    ActionRef::Name(n) => format!("`{n}`"),
                    ActionRef::Set(s) => format!("`@{s}`"),
                })
                .collect();
            md.push_str(&format!("\n\nExpands to {}.", actions.join(", ")));
        }
        Some(ItemIr::Valueset(_)) => {
            md.push_str(&format!("\n\nValues: {}", index_values(index, decl)));
        }
        Some(ItemIr::Feature(f)) => {
            md.push_str(&format!("\n\nValues: {}; default `{}`.", f.domain.join(", "), f.default));
            // the policies and roles whose rendering reads it: whether they
            // render at all (their own `when`), or what they render (not
            // "once per value": an item guarded `when fsx` renders once)
            let users: Vec<String> = program
                .items()
                .iter()
                .filter(|i| matches!(*i.ir, ItemIr::Policy { .. } | ItemIr::Role { .. }))
                .filter(|i| pcl_semantics::variants::feature_deps(program, &i.name).iter().any(|d| d == name))
                .map(|i| format!("`{}`", i.name))
                .collect();
            if users.is_empty() {
                md.push_str("\n\nNo policy or role depends on it.");
            } else {
                md.push_str(&format!(
                    "\n\nWhat these render, or whether they render, depends on it: {}.",
                    users.join(", ")
                ));
            }
        }
        _ => {}
    }
    Some(Hover { span, markdown: format!("```pcl\n{code}\n```{md}"), plain: format!("{code}{md}") })
}

/// A valueset's values as written: after its name's `=` (its doc comment,
/// before the name, may say `valueset` and hold an `=` of its own).
fn index_values(index: &FileIndex, decl: &crate::index::Decl) -> String {
    let after_name = index.text.get(decl.name_span.end as usize..decl.span.end as usize).unwrap_or_default();
    let body = after_name.split_once('=').map_or(after_name, |(_, b)| b).trim().trim_end_matches(';');
    body.to_string()
}

/// The token under the cursor: letters, digits and `:*?-_/.$` (an action or
/// a condition key), without quotes.
fn token_at(text: &str, offset: usize) -> Option<(String, Span)> {
    let is_token = |c: char| c.is_ascii_alphanumeric() || ":*?-_/.${}".contains(c);
    let before = text.get(..offset.min(text.len()))?;
    let start = before.char_indices().rev().take_while(|(_, c)| is_token(*c)).last().map_or(offset, |(i, _)| i);
    let after = text.get(start..)?;
    let len = after.char_indices().find(|(_, c)| !is_token(*c)).map_or(after.len(), |(i, _)| i);
    let token = after.get(..len)?;
    if token.is_empty() {
        return None;
    }
    Some((token.to_string(), Span::new(start, start + len)))
}

/// `dns_suffix` in `${partition.dns_suffix}`: its value in each partition.
fn member_hover(text: &str, offset: usize) -> Option<Hover> {
    let before = text.get(..offset)?;
    let open = before.rfind("${")?;
    let line_end = text.get(open..)?.find(['\n', '\r']).map_or(text.len(), |n| open + n);
    let close = open + text.get(open..line_end)?.find('}')?;
    let dot = open + text.get(open..close)?.find('.')?;
    if offset <= dot || offset > close {
        return None;
    }
    let member = text.get(dot + 1..close)?;
    let rows: Vec<String> = pcl_iam::partitions::ALL
        .iter()
        .filter_map(|p| {
            pcl_iam::partitions::partition_member(p.name, member).map(|v| format!("| `{}` | `{v}` |", p.name))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let rest = format!(
        " of a partition: the end of its endpoints and of some service principals (CloudFormation's `AWS::URLSuffix`)\n\n| partition | {member} |\n|---|---|\n{}",
        rows.join("\n")
    );
    Some(Hover::titled(Span::new(dot + 1, close), member, &rest))
}

fn action_hover(token: &str, span: Span) -> Option<Hover> {
    let (prefix, name) = token.split_once(':')?;
    let service = pcl_iam::catalog::catalog().service(prefix)?;
    if name.contains(['*', '?']) {
        let matched: Vec<&str> = service.matching(name).map(|a| a.name).collect();
        let shown: Vec<String> = matched.iter().take(12).map(|n| format!("`{prefix}:{n}`")).collect();
        let more = if matched.len() > 12 { format!(", and {} more", matched.len() - 12) } else { String::new() };
        let rest = format!(": {} actions of {}\n\n{}{more}", matched.len(), service.name, shown.join(", "));
        return Some(Hover::titled(span, token, &rest));
    }
    let action = service.action(name)?;
    let types: Vec<String> = action
        .resource_types()
        .map(|(rt, required)| format!("`{rt}`{}", if required { " (required)" } else { "" }))
        .collect();
    let keys: Vec<String> = action.condition_keys().map(|k| format!("`{k}`")).collect();
    let rest = format!(
        " ({}, {})\n\n{}\n\nResource types: {}\n\nCondition keys: {}",
        service.name,
        action.access_level(),
        action.description(),
        if types.is_empty() { "`*` only".to_string() } else { types.join(", ") },
        if keys.is_empty() { "none of its own".to_string() } else { keys.join(", ") },
    );
    Some(Hover::titled(span, &format!("{prefix}:{}", action.name), &rest))
}

fn key_hover(token: &str, span: Span) -> Option<Hover> {
    let catalog = pcl_iam::catalog::catalog();
    let ty = catalog.key_type(token)?;
    let description = token
        .split_once(':')
        .and_then(|(p, _)| catalog.service(p))
        .and_then(|s| s.condition_key(token))
        .map(|k| k.description)
        .unwrap_or("a global condition key");
    Some(Hover::titled(span, token, &format!(" (condition key, `{ty}`)\n\n{description}")))
}
