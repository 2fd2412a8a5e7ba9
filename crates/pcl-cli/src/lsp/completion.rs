//! Completions as the protocol has them.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};
use pcl_ide::{Completion, CompletionKind};

use super::LineIndex;

/// Each completion as an item whose edit replaces the whole word typed so
/// far, whatever the editor takes a word to be (`s3:Get` by `s3:GetObject`;
/// an editor whose word ends at `:` would otherwise insert `s3:s3:GetObject`).
pub fn items(completions: Vec<Completion>, lines: &LineIndex<'_>) -> Vec<CompletionItem> {
    completions
        .into_iter()
        .map(|c| CompletionItem {
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: Range { start: lines.position(c.replaces.start), end: lines.position(c.replaces.end) },
                new_text: c.insert,
            })),
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
            ..CompletionItem::default()
        })
        .collect()
}
