//! JSON written straight from what is rendered, by serde_json's own
//! serializer (`to_string_pretty`, and `to_string` for sizes), without
//! building `serde_json::Value`s: copying every string of a document into a
//! value tree before printing it was most of a build's rendering. The tests
//! hold the output to the printing of the same tree as values.

use serde::ser::{SerializeMap, SerializeSeq};

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
        // Only strings, arrays and objects keyed by strings, into memory:
        // serde_json has no error to report for them.
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// As `serde_json::to_string` prints it.
    pub fn compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The recursion follows the shape of a document pcl renders (a role's
/// inline policy's condition values: six levels), not user input.
impl serde::Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Str(text) => serializer.serialize_str(text),
            Json::Arr(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Obj(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
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
