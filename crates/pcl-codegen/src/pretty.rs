//! JSON written straight from what is rendered, in serde_json's layout byte
//! for byte (`to_string_pretty`, and `to_string` for sizes), without
//! building `serde_json::Value`s: copying every string of a document into a
//! value tree and printing it was most of a build's rendering. The tests
//! hold the writer to serde_json's own printer.

/// A JSON value that borrows its strings. Objects keep their members in the
/// order given, as serde_json's `preserve_order` does; unlike its map, a
/// key given twice would be printed twice (the builders in `json` look a
/// key up before adding it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Json<'a> {
    Str(&'a str),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(&'a str, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// As `serde_json::to_string_pretty` prints it, then a line break.
    pub fn pretty(&self) -> String {
        let mut out = String::with_capacity(1024);
        self.write(&mut out, Some(0));
        out.push('\n');
        out
    }

    /// As `serde_json::to_string` prints it.
    pub fn compact(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write(&mut out, None);
        out
    }

    /// `level` is the indentation depth when pretty, `None` when compact.
    /// The recursion follows the shape of a document pcl renders (a role's
    /// inline policy's condition values: six levels), not user input.
    fn write(&self, out: &mut String, level: Option<usize>) {
        match self {
            Json::Str(text) => escaped(text, out),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Obj(members) if members.is_empty() => out.push_str("{}"),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    separate(out, i, level);
                    item.write(out, level.map(|l| l + 1));
                }
                close(out, level, ']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    separate(out, i, level);
                    escaped(key, out);
                    out.push_str(if level.is_some() { ": " } else { ":" });
                    value.write(out, level.map(|l| l + 1));
                }
                close(out, level, '}');
            }
        }
    }
}

/// Before the `i`th element of a list or object at `level`.
fn separate(out: &mut String, i: usize, level: Option<usize>) {
    if i > 0 {
        out.push(',');
    }
    if let Some(level) = level {
        out.push('\n');
        indent(out, level + 1);
    }
}

fn close(out: &mut String, level: Option<usize>, bracket: char) {
    if let Some(level) = level {
        out.push('\n');
        indent(out, level);
    }
    out.push(bracket);
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// `text` as a JSON string, escaped as serde_json escapes it: `"` and `\`,
/// the short escapes of five controls, `\u00xx` (lower-case hex) for the
/// other characters below U+0020, everything else as it is.
fn escaped(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Nearly every string needs no escape: one pass without an early exit,
    // which the compiler vectorizes, says so, and the text is copied whole.
    let needs_escape = text.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if !needs_escape {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut plain_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // `byte` is ASCII: `at` is a character boundary
        out.push_str(text.get(plain_from..at).unwrap_or_default());
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(byte & 0xf)).copied().unwrap_or(b'0')));
        } else {
            out.push_str(short);
        }
        plain_from = at + 1;
    }
    out.push_str(text.get(plain_from..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use serde_json::Value;

    fn value(json: &Json<'_>) -> Value {
        match json {
            Json::Str(s) => Value::String(s.to_string()),
            Json::Arr(items) => Value::Array(items.iter().map(value).collect()),
            Json::Obj(members) => Value::Object(members.iter().map(|(k, v)| (k.to_string(), value(v))).collect()),
        }
    }

    #[test]
    fn prints_as_serde_json_prints() {
        // every byte below 0x80, and characters serde_json leaves alone
        let all_ascii: String = (0u8..0x80).map(char::from).collect();
        let strings = ["", "plain", "quote \" and \\ backslash", "é ü 🦀 \u{2028} \u{7f}", all_ascii.as_str()];
        for text in strings {
            let docs = [
                Json::Str(text),
                Json::Arr(vec![]),
                Json::Obj(vec![]),
                Json::Arr(vec![Json::Str(text), Json::Arr(vec![]), Json::Obj(vec![(text, Json::Str(text))])]),
                Json::Obj(vec![
                    ("Version", Json::Str("2012-10-17")),
                    ("Statement", Json::Arr(vec![Json::Obj(vec![(text, Json::Arr(vec![Json::Str(text)]))])])),
                    ("Empty", Json::Obj(vec![])),
                ]),
            ];
            for doc in docs {
                let v = value(&doc);
                assert_eq!(doc.pretty(), serde_json::to_string_pretty(&v).unwrap() + "\n", "{text:?}");
                assert_eq!(doc.compact(), serde_json::to_string(&v).unwrap(), "{text:?}");
            }
        }
    }
}
