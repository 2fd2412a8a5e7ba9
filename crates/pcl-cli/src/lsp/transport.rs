//! The base protocol's framing (`Content-Length` headers around JSON-RPC
//! bodies), read and written here rather than by lsp-server, whose reader
//! ends the connection on a bad frame, allocates whatever size a header
//! announces, and cannot carry a request id that is not a 32-bit integer.
//!
//! Reading never gives up on the stream: a header line that is not one
//! (the rest of a body shorter or longer than announced) is skipped until a
//! line holds `Content-Length:` again, so one bad frame costs that frame
//! only; a body of more than `MAX_BODY_BYTES` is refused before anything is
//! allocated for it. An id lsp-server cannot hold (2^31, 1.5) is carried as
//! a string with a prefix no client sends, and written back as it came.

use std::io::{self, BufRead, Read as _, Write};

use lsp_server::{Message, RequestId};
use serde_json::Value;

/// The largest body accepted: a document of tens of megabytes still fits.
pub const MAX_BODY_BYTES: usize = 256 << 20;
/// A header line longer than this is not one: it is skipped.
const MAX_HEADER_LINE: usize = 4096;
/// Marks an id that lsp-server could not hold, kept as its JSON text.
const FOREIGN_ID: &str = "\u{0}pcl-id:";
/// Where `write` splices such an id's text (no message holds it: a NUL).
const ID_SLOT: &str = "\u{0}pcl-id-slot";

/// What one read from the client gave.
pub enum Read {
    Message(Message),
    /// A frame that was not a JSON-RPC message, and why; the stream goes on.
    Skipped(String),
    /// A body that was no message, and the error response it gets
    /// (JSON-RPC: a parse error or an invalid request, with the request's id
    /// when it can be read, else `null`).
    Refused {
        why: String,
        reply: Message,
    },
    /// The client closed its end.
    End,
}

/// Reads the next frame.
pub fn read(input: &mut impl BufRead) -> io::Result<Read> {
    let size = match content_length(input)? {
        Ok(Some(size)) => size,
        Ok(None) => return Ok(Read::End),
        Err(why) => return Ok(Read::Skipped(why)),
    };
    let mut body = Vec::new();
    // at most `size` bytes, however many the client actually sends
    let read = input.by_ref().take(size as u64).read_to_end(&mut body)?;
    if read < size {
        return Ok(Read::End);
    }
    Ok(parse(&body))
}

/// The body size of the next frame, after its headers; `Ok(None)` at the
/// end of the stream, `Err` (inside) for a frame whose size is refused.
fn content_length(input: &mut impl BufRead) -> io::Result<Result<Option<usize>, String>> {
    let mut size: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut *input).take(MAX_HEADER_LINE as u64).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(Ok(None));
        }
        if line.last() != Some(&b'\n') && n == MAX_HEADER_LINE {
            // no header is this long: drop the rest of the line
            skip_line(input)?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            match size {
                Some(Ok(size)) => return Ok(Ok(Some(size))),
                Some(Err(why)) => return Ok(Err(why)),
                // blank lines between frames
                None => continue,
            }
        }
        // found anywhere in the line: after a body shorter than its
        // header said, the next header follows the rest of it
        if let Some(at) = find_ignore_case(text, "content-length:") {
            let value = text.get(at + "content-length:".len()..).unwrap_or_default().trim();
            size = Some(match value.parse::<usize>() {
                Ok(n) if n <= MAX_BODY_BYTES => Ok(n),
                Ok(n) => Err(format!("a body of {n} bytes is over the limit of {MAX_BODY_BYTES}")),
                Err(_) => Err(format!("Content-Length `{value}` is not a size")),
            });
        }
        // any other header (Content-Type) is ignored; so is a line that is
        // not one, until a Content-Length comes
    }
}

fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(at) => {
                input.consume(at + 1);
                return Ok(());
            }
            None => {
                let all = buf.len();
                input.consume(all);
            }
        }
    }
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A body as a message; an id lsp-server cannot hold is carried as a
/// marked string (see `write`). A body that is none is refused: why, and
/// the error response it gets.
fn parse(body: &[u8]) -> Read {
    // the id by its text (`null` when there is none)
    let refuse = |why: String, code: i32, id: Option<String>| {
        let id = marked(id.as_deref().unwrap_or("null"));
        let reply = lsp_server::Response::new_err(id, code, why.clone());
        Read::Refused { why, reply: Message::Response(reply) }
    };
    let mut value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            // not UTF-8 (the base protocol's only charset), or not JSON: a
            // parse error, with the id when the text read lossily has one
            let text = String::from_utf8_lossy(body);
            let lossy = serde_json::from_str::<Value>(&text).ok();
            let why = match lossy {
                Some(_) => "the message is not UTF-8".to_string(),
                None => format!("not JSON: {e}"),
            };
            // a lone surrogate (`\ud800`) is no character: read as U+FFFD,
            // only to find the id
            let lossy = lossy.or_else(|| serde_json::from_str::<Value>(&without_lone_surrogates(&text)).ok());
            let id = lossy.as_ref().and_then(|v| v.get("id")).filter(|id| is_id(id)).map(Value::to_string);
            // a number serde cannot read (`1E400`) fails the whole body: the
            // id's text still is its id (found by review)
            let id = id.or_else(|| {
                raw_ids(body).0.filter(|raw| raw.starts_with(|c: char| c == '-' || c == '"' || c.is_ascii_digit()))
            });
            return refuse(why, PARSE_ERROR, id);
        }
    };
    // A number is marked by its text as written: one serde reads as a float
    // (2^64, `1e2`, `-0`) is given back in its own digits (found by review).
    // The body is read for that text only then: every message's body read
    // twice would double the cost of a large `didChange`.
    let mark = |id: &mut Value, raw: &dyn Fn() -> Option<String>| {
        let written = match &*id {
            Value::Number(n) if n.as_i64().is_none_or(|n| i32::try_from(n).is_err()) => {
                raw().unwrap_or_else(|| id.to_string())
            }
            // a string a client sent that looks marked is marked too, so that
            // `write` gives it back as it came
            Value::String(s) if s.starts_with(FOREIGN_ID) => id.to_string(),
            _ => return,
        };
        *id = Value::String(format!("{FOREIGN_ID}{written}"));
    };
    // a request's id must be an integer or a string (LSP): `null` or any
    // other value is an invalid request, answered with `null`
    if let Some(id) = value.get("id")
        && !is_id(id)
    {
        return refuse(format!("invalid request: the id `{id}` is not an integer or a string"), INVALID_REQUEST, None);
    }
    if let Some(id) = value.get_mut("id") {
        mark(id, &|| raw_ids(body).0);
    }
    // a cancellation names such an id as its request carries it (marked),
    // or it would never match (`queue::stale`)
    if value.get("method").and_then(Value::as_str) == Some("$/cancelRequest")
        && let Some(id) = value.pointer_mut("/params/id")
    {
        mark(id, &|| raw_ids(body).1);
    }
    let id = value.get("id").cloned();
    match serde_json::from_value(value) {
        Ok(message) => Read::Message(message),
        Err(_) => {
            let why = "not a JSON-RPC message: a request needs an id and a string `method`, a notification a `method`, a response an id and a `result` or an `error`".to_string();
            // the id is already marked if it had to be
            let id = id.map(|id| serde_json::from_value::<RequestId>(id).unwrap_or_else(|_| marked("null")));
            let reply =
                lsp_server::Response::new_err(id.unwrap_or_else(|| marked("null")), INVALID_REQUEST, why.clone());
            Read::Refused { why, reply: Message::Response(reply) }
        }
    }
}

/// The texts of a body's `id` and `params.id`, as written (`None` where
/// there is none, or the body is not an object holding them so).
fn raw_ids(body: &[u8]) -> (Option<String>, Option<String>) {
    #[derive(serde::Deserialize)]
    struct Id<'a> {
        #[serde(borrow, default)]
        id: Option<&'a serde_json::value::RawValue>,
    }
    #[derive(serde::Deserialize)]
    struct Ids<'a> {
        #[serde(borrow, default)]
        id: Option<&'a serde_json::value::RawValue>,
        #[serde(borrow, default)]
        params: Option<&'a serde_json::value::RawValue>,
    }
    let Ok(ids) = serde_json::from_slice::<Ids<'_>>(body) else { return (None, None) };
    let cancelled = ids.params.and_then(|p| serde_json::from_str::<Id<'_>>(p.get()).ok()).and_then(|p| p.id);
    (ids.id.map(|raw| raw.get().to_string()), cancelled.map(|raw| raw.get().to_string()))
}

/// `text` with each `\uD800`-`\uDFFF` escape written `\uFFFD`: JSON that
/// serde refuses for a lone surrogate then reads (a pair is read as two
/// U+FFFD, which is as good for finding the id).
fn without_lone_surrogates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\u") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let surrogate = from.get(2..4).is_some_and(|h| {
            matches!(h.to_ascii_lowercase().as_str(), "d8" | "d9" | "da" | "db" | "dc" | "dd" | "de" | "df")
        }) && from.get(4..6).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match surrogate {
            true => {
                out.push_str("\\uFFFD");
                rest = from.get(6..).unwrap_or_default();
            }
            false => {
                out.push_str(from.get(..2).unwrap_or_default());
                rest = from.get(2..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON-RPC's codes for a body that is not JSON, and for JSON that is no
/// request.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// Whether `raw` is one JSON value, even one serde cannot read as a value
/// (`1E400`, past a float's range).
fn is_json(raw: &str) -> bool {
    serde_json::from_str::<&serde_json::value::RawValue>(raw).is_ok()
}

/// Whether `id` can be a request's id: an integer or a string.
fn is_id(id: &Value) -> bool {
    id.is_string() || id.is_number()
}

/// An id's JSON text as a request id `write` gives back as it is (`null`
/// included).
fn marked(text: &str) -> RequestId {
    RequestId::from(format!("{FOREIGN_ID}{text}"))
}

/// The method of the notification that carries a refused body's reply
/// from the reading thread to the server, which sends it: the reader holds
/// no sender to the writer, which could then never end. No client sends it
/// (a NUL starts it); the server sends its params back as they are.
pub const REPLY: &str = "\u{0}pcl/reply";

/// `reply` as the notification that carries it to the server (`REPLY`).
pub fn carried(reply: &Message) -> Message {
    let params = serde_json::to_value(reply).unwrap_or(Value::Null);
    Message::Notification(lsp_server::Notification { method: REPLY.into(), params })
}

/// The reply a `REPLY` notification carries.
pub fn carried_reply(params: Value) -> Option<Message> {
    serde_json::from_value(params).ok()
}

/// Writes one message: lsp-server's writer, but for a response to an id
/// marked by `parse`, which is written back as it came.
pub fn write(output: &mut impl Write, message: &Message) -> io::Result<()> {
    let foreign = match message {
        Message::Response(response) => match serde_json::to_value(&response.id)? {
            Value::String(id) => id.strip_prefix(FOREIGN_ID).filter(|raw| is_json(raw)).map(str::to_string),
            _ => None,
        },
        Message::Request(_) | Message::Notification(_) => None,
    };
    let Some(id) = foreign else { return message.write(output) };
    let mut value = serde_json::to_value(message)?;
    // the id spliced in as its text: parsed and printed again, a number
    // beyond 64 bits came back as a float
    let slot = serde_json::to_string(ID_SLOT)?;
    if let Value::Object(fields) = &mut value {
        fields.insert("jsonrpc".into(), "2.0".into());
        fields.insert("id".into(), ID_SLOT.into());
    }
    let text = serde_json::to_string(&value)?.replacen(&slot, &id, 1);
    write!(output, "Content-Length: {}\r\n\r\n", text.len())?;
    output.write_all(text.as_bytes())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &str) -> Vec<String> {
        let mut input = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            match read(&mut input).unwrap() {
                Read::Message(Message::Request(r)) => out.push(format!("request {} {}", r.id, r.method)),
                Read::Message(Message::Notification(n)) => out.push(format!("notification {}", n.method)),
                Read::Message(Message::Response(r)) => out.push(format!("response {}", r.id)),
                Read::Skipped(why) | Read::Refused { why, .. } => out.push(format!("skipped: {why}")),
                Read::End => return out,
            }
        }
    }

    const HOVER: &str = r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}"#;

    #[test]
    fn a_short_or_long_content_length_costs_one_frame() {
        let short = format!("Content-Length: {}\r\n\r\n{HOVER}", HOVER.len() - 10);
        let read = read_all(&format!("{short}{}", frame(HOVER)));
        assert_eq!(read.len(), 2, "{read:?}");
        assert!(read[0].starts_with("skipped: not JSON"), "{read:?}");
        assert_eq!(read[1], "request 1 textDocument/hover");
        // a body announced 5 bytes longer eats the start of the next header
        let long = format!("Content-Length: {}\r\n\r\n{HOVER}", HOVER.len() + 5);
        let read = read_all(&format!("{long}{}{}", frame(HOVER), frame(HOVER)));
        assert_eq!(read.last().map(String::as_str), Some("request 1 textDocument/hover"), "{read:?}");
    }

    #[test]
    fn a_huge_content_length_is_refused_without_allocating() {
        for size in ["99999999999999", "18446744073709551615", "184467440737095516150", "-1", "x"] {
            let read = read_all(&format!("Content-Length: {size}\r\n\r\n{HOVER}{}", frame(HOVER)));
            assert!(read[0].starts_with("skipped"), "{size}: {read:?}");
            assert_eq!(read.last().map(String::as_str), Some("request 1 textDocument/hover"), "{size}: {read:?}");
        }
    }

    #[test]
    fn garbage_and_headers_without_content_length_are_skipped() {
        let junk = "hello\r\nContent-Type: x\r\n\r\n{}\r\n".to_string() + &"y".repeat(10_000) + "\n";
        let read = read_all(&format!("{junk}{}", frame(HOVER)));
        assert_eq!(read.last().map(String::as_str), Some("request 1 textDocument/hover"), "{read:?}");
        assert_eq!(read_all("Content-Length: 10\r\n\r\nabc"), Vec::<String>::new(), "the stream ended inside the body");
    }

    #[test]
    fn ids_lsp_server_cannot_hold_are_written_back_as_they_came() {
        // (past 64 bits, an exponent and a negative zero are read as floats
        // by serde, and were given back as `1.8446744073709552e19`, `100.0`,
        // `-0.0`: found by review)
        for id in ["2147483648", "9007199254740992", "1.5", "-2147483649", "18446744073709551616", "1e2", "-0", "100.0"]
        {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"m"}}"#);
            let Read::Message(Message::Request(request)) =
                read(&mut io::BufReader::new(frame(&body).as_bytes())).unwrap()
            else {
                panic!("{id}: not a request")
            };
            let response = lsp_server::Response::new_err(request.id, -32601, "no".into());
            let mut out = Vec::new();
            write(&mut out, &Message::Response(response)).unwrap();
            let out = String::from_utf8(out).unwrap();
            let json: Value = serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap()).unwrap();
            assert!(out.contains(&format!(r#""id":{id},"#)), "{out}");
            assert_eq!(json["jsonrpc"], "2.0");
        }
        // and a cancellation names it as its request does
        let body = r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":18446744073709551616}}"#;
        let Read::Message(Message::Notification(cancel)) =
            read(&mut io::BufReader::new(frame(body).as_bytes())).unwrap()
        else {
            panic!("not a notification")
        };
        assert_eq!(cancel.params["id"], Value::String(format!("{FOREIGN_ID}18446744073709551616")));
        // an ordinary id is untouched
        let Read::Message(Message::Request(request)) = read(&mut io::BufReader::new(frame(HOVER).as_bytes())).unwrap()
        else {
            panic!("not a request")
        };
        assert_eq!(request.id, lsp_server::RequestId::from(1));
    }

    /// A body serde cannot read for a number past a float's range (`1E400`)
    /// gets its parse error with its id, as written, wherever that number is
    /// (found by review: the id was `null`, and the client never heard back).
    #[test]
    fn an_id_past_a_floats_range_comes_back_with_the_parse_error() {
        for (body, id) in [
            (r#"{"jsonrpc":"2.0","id":1E400,"method":"shutdown"}"#, "1E400"),
            (r#"{"jsonrpc":"2.0","id":"a","method":"textDocument/hover","params":{"x":1E400}}"#, r#""a""#),
        ] {
            let Read::Refused { reply, .. } = read(&mut io::BufReader::new(frame(body).as_bytes())).unwrap() else {
                panic!("not refused")
            };
            let mut out = Vec::new();
            write(&mut out, &reply).unwrap();
            let out = String::from_utf8(out).unwrap();
            assert!(out.contains(&format!(r#""id":{id},"#)) && out.contains("-32700"), "{out}");
        }
    }

    /// The error response a refused body gets, as written: its id and code.
    fn refused(body: &[u8]) -> (Value, i64) {
        let mut input = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        input.extend_from_slice(body);
        let Read::Refused { reply, .. } = read(&mut io::BufReader::new(&input[..])).unwrap() else {
            panic!("{}: not refused", String::from_utf8_lossy(body))
        };
        let mut out = Vec::new();
        write(&mut out, &reply).unwrap();
        let out = String::from_utf8(out).unwrap();
        let json: Value = serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        (json["id"].clone(), json["error"]["code"].as_i64().unwrap())
    }

    /// JSON-RPC: a body that is not JSON gets a parse error, JSON that is
    /// no message an invalid request, each with the request's id when it
    /// can be read (else `null`). The review's requests got no answer, and
    /// the client waited for ever.
    #[test]
    fn a_malformed_request_gets_an_error_response_with_its_id() {
        let symbol = |params: &[u8]| {
            [&br#"{"jsonrpc":"2.0","id":701,"method":"workspace/symbol","params":{"query":""#[..], params, b"\"}}"]
                .concat()
        };
        assert_eq!(refused(&symbol(b"\xff")), (Value::from(701), -32700));
        assert_eq!(refused(&symbol(br"\ud800")), (Value::from(701), -32700));
        assert_eq!(refused(br#"{"jsonrpc":"2.0","id":703,"method":42,"params":{}}"#), (Value::from(703), -32600));
        assert_eq!(refused(br#"{"jsonrpc":"2.0","id":null,"method":"m"}"#), (Value::Null, -32600));
        assert_eq!(refused(br#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#), (Value::Null, -32600));
        assert_eq!(refused(b"{not json"), (Value::Null, -32700));
    }

    /// A client's string id that starts as the server's mark of a foreign
    /// id does is given back as it came (it was answered as the number 42).
    #[test]
    fn a_string_id_like_the_mark_is_given_back_as_it_came() {
        let body = r#"{"jsonrpc":"2.0","id":"\u0000pcl-id:42","method":"m"}"#;
        let Read::Message(Message::Request(request)) = read(&mut io::BufReader::new(frame(body).as_bytes())).unwrap()
        else {
            panic!("not a request")
        };
        let mut out = Vec::new();
        write(&mut out, &Message::Response(lsp_server::Response::new_err(request.id, -32601, "no".into()))).unwrap();
        let out = String::from_utf8(out).unwrap();
        let json: Value = serde_json::from_str(out.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(json["id"], Value::from("\u{0}pcl-id:42"), "{out}");
    }
}
