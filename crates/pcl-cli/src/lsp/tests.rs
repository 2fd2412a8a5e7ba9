//! Unit tests of the server's queue handling.
use super::queue::stale;
use super::*;

fn hover(id: i32, uri: &str) -> Request {
    Request::new(
        RequestId::from(id),
        "textDocument/hover".into(),
        serde_json::json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    )
}

fn note(method: &str, params: Value) -> Message {
    Message::Notification(Notification::new(method.into(), params))
}

#[test]
fn later_edits_and_cancellations_make_requests_stale() {
    let change = |uri: &str| {
        note(
            "textDocument/didChange",
            serde_json::json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": []}),
        )
    };
    let queue: std::collections::VecDeque<Message> = [change("file:///a.pcl")].into();
    assert!(matches!(stale(&hover(1, "file:///a.pcl"), &queue), Some(ErrorCode::ContentModified)));
    assert!(stale(&hover(1, "file:///b.pcl"), &queue).is_none(), "another document's edit");
    let cancel: std::collections::VecDeque<Message> = [note("$/cancelRequest", serde_json::json!({"id": 7}))].into();
    assert!(matches!(stale(&hover(7, "file:///a.pcl"), &cancel), Some(ErrorCode::RequestCanceled)));
    assert!(stale(&hover(8, "file:///a.pcl"), &cancel).is_none());
}
