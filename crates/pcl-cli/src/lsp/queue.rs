//! Requests that a later message in the queue makes stale.

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
