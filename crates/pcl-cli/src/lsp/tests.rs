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

/// A request whose id lsp-server cannot hold (beyond 32 bits) is cancelled
/// by a cancellation naming that id, as read from the wire (a review found
/// such requests never cancelled).
#[test]
#[allow(clippy::panic, reason = "tests")]
fn a_cancellation_finds_a_request_with_a_large_id() {
    let frame = |body: Value| {
        let body = body.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    };
    let big = 2_147_483_653_i64;
    let wire = frame(
        serde_json::json!({"jsonrpc": "2.0", "id": big, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///a.pcl"}, "position": {"line": 0, "character": 0}}}),
    ) + &frame(serde_json::json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": big}}))
        + &frame(serde_json::json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": big + 1}}));
    let mut input = std::io::Cursor::new(wire.into_bytes());
    let mut next = || match super::transport::read(&mut input) {
        Ok(super::transport::Read::Message(m)) => m,
        _ => panic!("a message"),
    };
    let Message::Request(request) = next() else { panic!("the request") };
    let (cancel, other) = (next(), next());
    assert!(matches!(stale(&request, &[cancel].into()), Some(ErrorCode::RequestCanceled)));
    assert!(stale(&request, &[other].into()).is_none(), "another id");
}

/// Edits queued behind one another are all applied, and only the last is
/// analysed and published (a held backspace: the diagnostics of each
/// keystroke came a second after the last one). Every message is queued
/// before the server starts, so the queue is as a burst leaves it.
#[test]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
fn a_burst_of_edits_publishes_the_last_one_only() {
    let (server_side, client) = Connection::memory();
    let uri = "file:///a.pcl";
    let send = |m: Message| client.sender.send(m).unwrap();
    send(Message::Request(Request::new(
        RequestId::from(1),
        "initialize".into(),
        serde_json::json!({"capabilities": {}}),
    )));
    let text = "policy p { allow { action s3:GetObject; resource \"*\"; } }\n";
    send(note(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": uri, "languageId": "pcl", "version": 1, "text": text}}),
    ));
    // `s3:GetObject` -> `s3:GetObjectXXXXXXXXXXXXXXXXXXXX`, a key at a time: unknown
    let at = text.find("GetObject").unwrap() + "GetObject".len();
    for n in 0..20 {
        let character = at + n;
        send(note(
            "textDocument/didChange",
            serde_json::json!({"textDocument": {"uri": uri, "version": 2 + n}, "contentChanges": [
                {"range": {"start": {"line": 0, "character": character}, "end": {"line": 0, "character": character}}, "text": "X"}]}),
        ));
    }
    send(Message::Request(Request::new(RequestId::from(2), "shutdown".into(), Value::Null)));
    send(note("exit", Value::Null));
    serve(&server_side).unwrap();
    let published: Vec<Notification> = client
        .receiver
        .try_iter()
        .filter_map(|m| match m {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(published.len(), 2, "the open and the last edit: {published:?}");
    let last = &published[1].params["diagnostics"];
    assert_eq!(last[0]["code"], "E0311", "{last}");
    assert!(last[0]["message"].as_str().unwrap().contains("GetObjectXXXXXXXXXXXXXXXXXXXX"), "{last}");
}

/// An edit is published when the edit queued after it cannot be read (it
/// will be dropped): its diagnostics were never sent (found by review).
#[test]
fn an_edit_before_an_unreadable_one_is_published() {
    let change = |version: Value| {
        Notification::new(
            "textDocument/didChange".into(),
            serde_json::json!({"textDocument": {"uri": "file:///a.pcl", "version": version}, "contentChanges": []}),
        )
    };
    let queued = |n: Notification| -> std::collections::VecDeque<Message> { [Message::Notification(n)].into() };
    assert!(super::queue::superseded(&change(serde_json::json!(2)), &queued(change(serde_json::json!(3)))));
    assert!(!super::queue::superseded(&change(serde_json::json!(2)), &queued(change(Value::Null))));
}
