//! Requests that a later message in the queue makes stale, and edits whose
//! diagnostics a later edit of the same document makes moot.

use lsp_server::{ErrorCode, Message, Request};
use lsp_types::notification::{self, Notification as _};
use serde_json::Value;

/// Why `request` should not be answered, given the messages queued after it.
pub(super) fn stale(request: &Request, later: &std::collections::VecDeque<Message>) -> Option<ErrorCode> {
    let uri = request.params.pointer("/textDocument/uri").and_then(Value::as_str);
    for message in later {
        let Message::Notification(n) = message else { continue };
        if n.method == notification::Cancel::METHOD
            && n.params.get("id").is_some_and(|id| serde_json::to_value(&request.id).ok().as_ref() == Some(id))
        {
            return Some(ErrorCode::RequestCanceled);
        }
        if n.method == notification::DidChangeTextDocument::METHOD
            && uri.is_some()
            && n.params.pointer("/textDocument/uri").and_then(Value::as_str) == uri
        {
            return Some(ErrorCode::ContentModified);
        }
    }
    None
}

/// Whether `change` (a `didChange`) is followed in the queue by another
/// change of the same document: its edit is applied, but its diagnostics,
/// out of date before they arrive, are not analysed and published (a held
/// backspace sent 60 edits; publishing each, the last diagnostics came a
/// second after the last key). A request between the two still gets the
/// text as edited so far.
pub(super) fn superseded(change: &lsp_server::Notification, later: &std::collections::VecDeque<Message>) -> bool {
    if change.method != notification::DidChangeTextDocument::METHOD {
        return false;
    }
    let uri = change.params.pointer("/textDocument/uri").and_then(Value::as_str);
    uri.is_some()
        && later.iter().any(|message| {
            // a later change that cannot be read (it would be dropped)
            // does not stand for this one (found by review)
            matches!(message, Message::Notification(n)
                if n.params.pointer("/textDocument/uri").and_then(Value::as_str) == uri
                    && (n.method == notification::DidCloseTextDocument::METHOD
                        || n.method == notification::DidChangeTextDocument::METHOD
                            && serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params.clone())
                                .is_ok()))
        })
}
