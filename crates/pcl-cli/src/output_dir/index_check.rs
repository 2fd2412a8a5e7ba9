//! Whether an `index.json` is one pcl wrote, and the files it vouches for.
//! An index as pcl lays it out is checked piece by piece (`IndexLayout`),
//! so that the index of a large build (tens of megabytes) is never held as
//! one JSON value; anything else is parsed whole, for its error message.

use std::collections::BTreeSet;

/// Why an index that parses is still not one pcl wrote.
const NOT_PCLS_LAYOUT: &str = "it is not laid out as pcl writes it (edited by hand?)";

/// `(path, sha256)` of every file an `index.json` lists. The file must be
/// exactly what pcl writes: the pretty-printed JSON of pcl's index (see
/// `pcl_codegen::INDEX_KEYS`), with pcl's keys in pcl's order, each file a
/// `policy/` or `role/` JSON file inside the directory, listed once, and
/// every configuration pointing at a listed file. An index edited by hand
/// could otherwise vouch for files pcl never wrote.
pub(super) fn parse_index(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    // An index as pcl writes it is checked piece by piece (the header, then
    // each file and configuration), holding one entry at a time: the index
    // of a large build is tens of megabytes, and as one JSON value several
    // times that. Anything else is parsed whole, for its error message.
    match std::str::from_utf8(bytes).ok().and_then(IndexLayout::of) {
        Some(layout) => layout.parse(),
        None => parse_whole_index(bytes),
    }
}

/// An `index.json` cut where pcl's layout puts its lists: each piece still
/// to be proven pretty-printed JSON with pcl's keys.
struct IndexLayout<'a> {
    /// `{` and the members before `files`, each followed by `,\n`.
    header: &'a str,
    /// The entries of `files` and of `configurations`, as written, joined by `,\n`.
    files: &'a str,
    configurations: &'a str,
}

impl<'a> IndexLayout<'a> {
    fn of(text: &'a str) -> Option<IndexLayout<'a>> {
        const FILES: &str = "  \"files\": [";
        const CONFIGURATIONS: &str = "  \"configurations\": [";
        // a line that starts with two spaces and a key is a top-level member
        // (JSON strings hold no raw line break)
        let files_at = text.find(&format!("\n{FILES}"))? + 1;
        let header = text.get(..files_at)?;
        let rest = text.get(files_at + FILES.len()..)?;
        // a list pcl writes is `[]` or holds an entry (never a blank line)
        let (files, rest) = match rest.strip_prefix("],\n") {
            Some(rest) => ("", rest),
            None => rest.strip_prefix('\n')?.split_once("\n  ],\n").filter(|(files, _)| !files.is_empty())?,
        };
        let rest = rest.strip_prefix(CONFIGURATIONS)?;
        let configurations = match rest {
            "]\n}\n" => "",
            _ => rest.strip_prefix('\n')?.strip_suffix("\n  ]\n}\n").filter(|c| !c.is_empty())?,
        };
        Some(IndexLayout { header, files, configurations })
    }

    fn parse(&self) -> Result<Vec<(String, String)>, String> {
        let members = self.header.strip_suffix(",\n").ok_or(NOT_PCLS_LAYOUT)?;
        let header = pretty_value(&format!("{members}\n}}"), "")?;
        let keys = object_keys(&header);
        let head = pcl_codegen::INDEX_KEYS.get(..keys.len()).unwrap_or_default();
        if keys.len() + 2 != pcl_codegen::INDEX_KEYS.len() || keys != head {
            let mut all = keys;
            all.extend(["files".to_string(), "configurations".to_string()]);
            return Err(format!("it has the keys {all:?}, not pcl's"));
        }
        if header.get("format").and_then(|f| f.as_str()) != Some(pcl_codegen::INDEX_FORMAT) {
            return Err(format!("its format is not `{}`", pcl_codegen::INDEX_FORMAT));
        }
        let mut listed = Vec::new();
        let mut seen = BTreeSet::new();
        for entry in entries(self.files) {
            let (path, sha) = file_entry(&pretty_value(entry?, "    ")?)?;
            if !seen.insert(path.clone()) {
                return Err(format!("it lists `{path}` twice"));
            }
            listed.push((path, sha));
        }
        for entry in entries(self.configurations) {
            configuration_entry(&pretty_value(entry?, "    ")?, |p| seen.contains(p))?;
        }
        Ok(listed)
    }
}

/// The entries of a list as pcl writes it: objects indented by four spaces,
/// joined by `,\n` (a line `    },` closes one; deeper lines are indented more).
fn entries(list: &str) -> impl Iterator<Item = Result<&str, String>> {
    let mut rest = (!list.is_empty()).then_some(list);
    std::iter::from_fn(move || {
        let text = rest?;
        let (entry, next) = match text.split_once("\n    },\n") {
            Some((head, next)) => (text.get(..head.len() + "\n    }".len()), Some(next)),
            None => (Some(text), None),
        };
        rest = next;
        Some(entry.ok_or_else(|| NOT_PCLS_LAYOUT.to_string()))
    })
}

/// `text` as JSON, if it is exactly how pcl pretty-prints it, each line
/// after the first indented by `indent` and the first too.
fn pretty_value(text: &str, indent: &str) -> Result<serde_json::Value, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
    let laid_out = format!("{indent}{}", pretty.replace('\n', &format!("\n{indent}")));
    if laid_out != text {
        return Err(NOT_PCLS_LAYOUT.into());
    }
    Ok(value)
}

fn object_keys(v: &serde_json::Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// One entry of `files`: its path and sha256.
fn file_entry(entry: &serde_json::Value) -> Result<(String, String), String> {
    if object_keys(entry) != pcl_codegen::FILE_KEYS {
        return Err(format!("a file has the keys {:?}, not pcl's", object_keys(entry)));
    }
    let path = entry.get("path").and_then(|p| p.as_str()).ok_or("a file has no `path`")?;
    let sha = entry.get("sha256").and_then(|s| s.as_str()).ok_or("a file has no `sha256`")?;
    check_listed_path(path)?;
    Ok((path.to_string(), sha.to_string()))
}

/// One entry of `configurations`: pcl's keys, and files that `listed`.
fn configuration_entry(entry: &serde_json::Value, listed: impl Fn(&str) -> bool) -> Result<(), String> {
    let entry_keys = object_keys(entry);
    // pcl's keys, then optional ones, each at most once and in their order
    let required = entry_keys.get(..pcl_codegen::CONFIGURATION_KEYS.len());
    let mut optional = pcl_codegen::OPTIONAL_CONFIGURATION_KEYS.iter();
    let rest_in_order = entry_keys
        .get(pcl_codegen::CONFIGURATION_KEYS.len()..)
        .unwrap_or_default()
        .iter()
        .all(|k| optional.any(|o| o == k));
    if required != Some(&pcl_codegen::CONFIGURATION_KEYS.map(String::from)[..]) || !rest_in_order {
        return Err(format!("a configuration has the keys {entry_keys:?}, not pcl's"));
    }
    // and values of pcl's shapes: nothing nested deeper than a feature's
    // value, so an entry checked alone cannot pass where the whole index
    // would be too deep to parse
    use serde_json::Value;
    let strings = |keys: &[&str]| keys.iter().all(|k| entry.get(k).is_none_or(Value::is_string));
    let shaped = strings(&["item", "kind", "path", "name", "description"])
        && entry.get("default").is_some_and(Value::is_boolean)
        && entry
            .get("features")
            .and_then(Value::as_object)
            .is_some_and(|f| f.values().all(|v| v.is_string() || v.is_boolean()))
        && entry.get("parts").is_none_or(|p| p.as_array().is_some_and(|a| a.iter().all(Value::is_string)));
    if !shaped {
        return Err("a configuration's values are not of the types pcl writes".into());
    }
    let path = entry.get("path").and_then(|p| p.as_str()).unwrap_or_default();
    let parts = entry.get("parts").and_then(|p| p.as_array()).into_iter().flatten();
    for file in std::iter::once(path).chain(parts.map(|p| p.as_str().unwrap_or_default())) {
        if !listed(file) {
            return Err(format!("a configuration renders to `{file}`, which it does not list"));
        }
    }
    Ok(())
}

/// [`parse_index`] of an index not laid out as pcl writes its lists (pcl
/// 0.1's, or one edited by hand): parsed whole, for the reason it is not pcl's.
fn parse_whole_index(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    let rewritten = serde_json::to_string_pretty(&value).map(|s| s + "\n").unwrap_or_default();
    if rewritten.as_bytes() != bytes {
        return Err(NOT_PCLS_LAYOUT.into());
    }
    if object_keys(&value) == ["outputs"] {
        return parse_index_v1(&value);
    }
    if object_keys(&value) != pcl_codegen::INDEX_KEYS {
        return Err(format!("it has the keys {:?}, not pcl's", object_keys(&value)));
    }
    if value.get("format").and_then(|f| f.as_str()) != Some(pcl_codegen::INDEX_FORMAT) {
        return Err(format!("its format is not `{}`", pcl_codegen::INDEX_FORMAT));
    }
    let list = |key: &str| value.get(key).and_then(|o| o.as_array()).ok_or(format!("it has no `{key}` list"));
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in list("files")? {
        let (path, sha) = file_entry(entry)?;
        if !seen.insert(path.clone()) {
            return Err(format!("it lists `{path}` twice"));
        }
        listed.push((path, sha));
    }
    for entry in list("configurations")? {
        configuration_entry(entry, |p| seen.contains(p))?;
    }
    Ok(listed)
}

/// The keys of one entry of pcl 0.1's `index.json`, `{"outputs": [...]}`.
const V1_ENTRY_KEYS: [&str; 6] = ["item", "kind", "features", "partition", "path", "sha256"];

/// pcl 0.1's index (one entry per file) still vouches for its files, so that
/// a build over an older build's directory replaces it.
fn parse_index_v1(value: &serde_json::Value) -> Result<Vec<(String, String)>, String> {
    let outputs = value.get("outputs").and_then(|o| o.as_array()).ok_or("it has no `outputs` list")?;
    let mut listed = Vec::with_capacity(outputs.len());
    let mut seen = BTreeSet::new();
    for entry in outputs {
        let keys: Vec<&str> = entry.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        if keys != V1_ENTRY_KEYS {
            return Err(format!("an output has the keys {keys:?}, not pcl's"));
        }
        let path = entry.get("path").and_then(|p| p.as_str()).ok_or("an output has no `path`")?;
        let sha = entry.get("sha256").and_then(|s| s.as_str()).ok_or("an output has no `sha256`")?;
        check_listed_path(path)?;
        if !seen.insert(path) {
            return Err(format!("it lists `{path}` twice"));
        }
        listed.push((path.to_string(), sha.to_string()));
    }
    Ok(listed)
}

/// A listed file must be a `policy/` or `role/` JSON file inside the directory.
fn check_listed_path(path: &str) -> Result<(), String> {
    let inside = !path.starts_with('/') && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
    let shaped = (path.starts_with("policy/") || path.starts_with("role/")) && path.ends_with(".json");
    if inside && shaped { Ok(()) } else { Err(format!("the output path `{path}` is not one pcl writes")) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use serde_json::{Value, json};

    fn index(files: &[&str], configurations: &[&str]) -> Value {
        json!({
            "format": pcl_codegen::INDEX_FORMAT,
            "partition": "aws",
            "features": [],
            "params": [],
            "default_configuration": {},
            "files": files.iter().map(|p| json!({"path": p, "sha256": "ab"})).collect::<Vec<_>>(),
            "configurations": configurations.iter()
                .map(|p| json!({"item": "p", "kind": "policy", "features": {}, "default": true, "path": p}))
                .collect::<Vec<_>>(),
        })
    }

    fn pretty(v: &Value) -> Vec<u8> {
        (serde_json::to_string_pretty(v).unwrap() + "\n").into_bytes()
    }

    #[test]
    fn only_an_index_as_pcl_writes_it_vouches_for_files() {
        let good = pretty(&index(&["policy/p.json"], &["policy/p.json", "policy/p.json"]));
        assert_eq!(parse_index(&good).unwrap(), [("policy/p.json".to_string(), "ab".to_string())]);
        for bad in [
            "../x.json",
            "/etc/passwd",
            "policy/../../b.json",
            "",
            "policy//b.json",
            "./policy/a.json",
            "mine.txt",
            "policy/a.txt",
        ] {
            assert!(parse_index(&pretty(&index(&[bad], &[]))).is_err(), "{bad}");
        }
        // edited by hand: compact, an extra key, a duplicate, missing keys,
        // a configuration pointing elsewhere, another format
        let compact = index(&["policy/p.json"], &[]).to_string().into_bytes();
        assert!(parse_index(&compact).is_err());
        let mut extra = index(&[], &[]);
        extra["notes"] = json!("mine");
        assert!(parse_index(&pretty(&extra)).is_err());
        assert!(parse_index(&pretty(&index(&["policy/p.json", "policy/p.json"], &[]))).is_err());
        assert!(parse_index(&pretty(&index(&[], &["policy/p.json"]))).is_err());
        let mut short = index(&[], &[]);
        short["files"] = json!([{"path": "policy/p.json"}]);
        assert!(parse_index(&pretty(&short)).is_err());
        let mut old = index(&["policy/p.json"], &[]);
        old["format"] = json!("pcl-index/1");
        assert!(parse_index(&pretty(&old)).is_err());
        // pcl 0.1's layout still vouches for its files; edited, it does not
        let v1 = |keys: Value| pretty(&json!({"outputs": [keys]}));
        let v1_entry = json!({"item": "p", "kind": "policy", "features": {}, "partition": "aws", "path": "policy/p.json", "sha256": "ab"});
        assert_eq!(parse_index(&v1(v1_entry.clone())).unwrap().len(), 1);
        let mut v1_bad = v1_entry;
        v1_bad["path"] = json!("../p.json");
        assert!(parse_index(&v1(v1_bad)).is_err());
        assert!(parse_index(&v1(json!({"path": "policy/p.json", "sha256": "ab"}))).is_err());
        assert!(parse_index(b"[]\n").is_err());
        assert!(parse_index(b"{not json").is_err());
    }

    /// The piecewise check of pcl's layout (`IndexLayout`) accepts exactly
    /// what parsing the whole index accepts, with the same files: compared
    /// on every one-byte deletion, duplication and replacement of an index.
    #[test]
    fn the_piecewise_check_agrees_with_the_whole_parse() {
        let mut good = index(&["policy/a.json", "policy/b.json", "role/r.json"], &["policy/a.json", "role/r.json"]);
        good["configurations"][1]["parts"] = json!(["role/r.json", "policy/b.json"]);
        good["features"] = json!([{"name": "fsx", "values": [false, true]}]);
        let good = pretty(&good);
        assert!(std::str::from_utf8(&good).ok().and_then(IndexLayout::of).is_some());
        assert_eq!(parse_index(&good).unwrap().len(), 3);
        let mut variants: Vec<Vec<u8>> = vec![pretty(&index(&["policy/a.json"], &[]))];
        // lists written with a blank line inside; a value nested too deep to
        // parse as part of the whole index
        let empty = pretty(&index(&[], &[]));
        let text = String::from_utf8(empty.clone()).unwrap();
        variants.push(text.replace("\"files\": []", "\"files\": [\n\n  ]").into_bytes());
        variants.push(text.replace("\"configurations\": []", "\"configurations\": [\n\n  ]").into_bytes());
        let mut deep = index(&["policy/a.json"], &["policy/a.json"]);
        let mut nested = json!("x");
        for _ in 0..126 {
            nested = json!([nested]);
        }
        deep["configurations"][0]["features"] = json!({ "fsx": nested });
        variants.push(serde_json::to_string_pretty(&deep).map(|t| t + "\n").unwrap_or_default().into_bytes());
        for base in [good.clone(), empty] {
            for at in 0..base.len() {
                let mut deleted = base.clone();
                deleted.remove(at);
                let mut doubled = base.clone();
                doubled.insert(at, base[at]);
                variants.extend([deleted, doubled]);
            }
        }
        for at in 0..good.len() {
            for byte in [b' ', b'\n', b',', b'}', b'"'] {
                let mut replaced = good.clone();
                replaced[at] = byte;
                variants.push(replaced);
            }
        }
        for v in &variants {
            assert_eq!(parse_index(v).ok(), parse_whole_index(v).ok(), "{}", String::from_utf8_lossy(v));
        }
    }
}
