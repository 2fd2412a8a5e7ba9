//! Completions as the protocol has them.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, Range, TextEdit};
use pcl_ide::{Completion, CompletionKind};
use serde_json::Value;

use super::LineIndex;

/// The list an editor shows, complete (`isIncomplete` false: typing on
/// filters it, with no new request). Each item's edit replaces the whole
/// word typed so far, whatever the editor takes a word to be (`s3:Get` by
/// `s3:GetObject`; an editor whose word ends at `:` would otherwise insert
/// `s3:s3:GetObject`). A client that takes a default edit range
/// (`itemDefaults.editRange`) gets that range once, not on each item (after
/// `ec2:`, 826 of them: 188 KB of JSON); an item then has an edit of its
/// own only where it inserts other text than its label (a key template).
pub fn list(completions: Vec<Completion>, lines: &LineIndex<'_>, default_range: bool) -> serde_json::Result<Value> {
    let shared = completions.first().map(|c| c.replaces.clone());
    let shared = shared.filter(|r| default_range && completions.iter().all(|c| c.replaces == *r));
    let Some(shared) = shared else {
        let items = completions.into_iter().enumerate().map(|(at, c)| item(c, at, lines, true)).collect();
        return serde_json::to_value(CompletionList { is_incomplete: false, items });
    };
    let items = completions.into_iter().enumerate().map(|(at, c)| item(c, at, lines, false)).collect();
    let mut list = serde_json::to_value(CompletionList { is_incomplete: false, items })?;
    let range = serde_json::to_value(lines.range(pcl_syntax::Span::new(shared.start, shared.end)))?;
    if let Some(fields) = list.as_object_mut() {
        let defaults = serde_json::Map::from_iter([("editRange".to_string(), range)]);
        fields.insert("itemDefaults".into(), Value::Object(defaults));
    }
    Ok(list)
}

/// `c`, the `at`-th, as an item; with its edit when `own_edit`, or when it
/// inserts other text than its label. Its `sortText` keeps pcl's order (the
/// grammar's, what may stand alone before what must be compared) among the
/// items an editor's filter scores alike (VS Code sorts those by label
/// otherwise).
fn item(c: Completion, at: usize, lines: &LineIndex<'_>, own_edit: bool) -> CompletionItem {
    let text_edit = (own_edit || c.insert != c.label).then(|| {
        let range = Range { start: lines.position(c.replaces.start), end: lines.position(c.replaces.end) };
        CompletionTextEdit::Edit(TextEdit { range, new_text: c.insert })
    });
    CompletionItem {
        text_edit,
        label: c.label,
        kind: Some(match c.kind {
            CompletionKind::Keyword => CompletionItemKind::KEYWORD,
            CompletionKind::Item => CompletionItemKind::REFERENCE,
            CompletionKind::Value => CompletionItemKind::ENUM_MEMBER,
            CompletionKind::Action => CompletionItemKind::FUNCTION,
            CompletionKind::Service => CompletionItemKind::MODULE,
            CompletionKind::Operator => CompletionItemKind::OPERATOR,
            CompletionKind::ConditionKey => CompletionItemKind::PROPERTY,
        }),
        detail: c.detail,
        sort_text: Some(format!("{at:05}")),
        ..CompletionItem::default()
    }
}
