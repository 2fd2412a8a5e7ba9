//! `index.json`: what a build wrote, for tools. Once per file: every
//! feature's domain, default and doc comment, every param's type and value
//! (and whether the value was given), the default configuration. Then every
//! file with its sha256, and every configuration of every item with the file
//! it renders to.
//!
//! The text is exactly `serde_json::to_string_pretty` of that object (keys in
//! this order) plus a newline, but built one entry at a time: a build keeps a
//! few hundred bytes per configuration, never the documents.

use pcl_semantics::config::Config;
use pcl_semantics::ir::placeholders::restore_param_value;
use pcl_semantics::ir::{ParamValue, Program};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::plan::Rendered;

/// Names the layout; a tool checks it before reading the rest.
pub const INDEX_FORMAT: &str = "pcl-index/2";

/// The top-level keys of `index.json`, in the order pcl writes them.
pub const INDEX_KEYS: [&str; 7] =
    ["format", "partition", "features", "params", "default_configuration", "files", "configurations"];
/// The keys of one entry of `files`.
pub const FILE_KEYS: [&str; 2] = ["path", "sha256"];
/// The keys of one entry of `configurations`; a split policy's entry ends
/// with `parts` too (every part's path, the first being `path`).
pub const CONFIGURATION_KEYS: [&str; 5] = ["item", "kind", "features", "default", "path"];
/// Keys a configuration has only when they apply, in this order after
/// [`CONFIGURATION_KEYS`]: the parts of a split policy, the item's declared
/// deployed name and description.
pub const OPTIONAL_CONFIGURATION_KEYS: [&str; 3] = ["parts", "name", "description"];

/// Builds `index.json` from the items of one build, one at a time. The
/// configurations' entries, most of the index, go to `C` as they come (a
/// build spills them to a temporary file, so that its memory does not grow
/// with the index: 82,000 configurations make an index of 50 MB); the
/// files' paths and hashes are kept, to be sorted.
pub struct IndexBuilder<C: std::io::Write = Vec<u8>> {
    /// The members before `files`, already serialized.
    header: Vec<String>,
    /// Declared features by name: their place in declaration order, and
    /// whether their values are JSON booleans. A configuration's features
    /// are looked up here (each configuration walked every declared
    /// feature: 32,768 features and policies took 4.3 s to build).
    features: rustc_hash::FxHashMap<String, (usize, bool)>,
    /// `(path, sha256)`; sorted by path at the end.
    files: Vec<(String, [u8; 32])>,
    /// The configurations' entries, separated by `,\n`.
    configurations: C,
    configuration_count: usize,
}

impl IndexBuilder<Vec<u8>> {
    /// An index built in memory (see [`IndexBuilder::finish`]).
    pub fn new(program: &Program, config: &Config) -> IndexBuilder<Vec<u8>> {
        IndexBuilder::with_sink(program, config, Vec::new())
    }

    pub fn finish(self) -> String {
        let mut out = Vec::new();
        let written = self.write_to(&mut out, |configurations, out| out.write_all(&configurations));
        // writing to memory cannot fail, and every piece is UTF-8
        debug_assert!(written.is_ok());
        String::from_utf8(out).unwrap_or_default()
    }
}

impl<C: std::io::Write> IndexBuilder<C> {
    /// An index whose configurations go to `sink` until [`IndexBuilder::write_to`].
    pub fn with_sink(program: &Program, config: &Config, sink: C) -> IndexBuilder<C> {
        let features = program.features().enumerate().map(|(at, (n, f))| (n.to_string(), (at, f.is_bool))).collect();
        let described: Vec<Value> = program
            .features()
            .map(|(name, f)| {
                let docs = Some(program.docs(name).join("\n")).filter(|d| !d.is_empty());
                let typed = |v: &String| typed_value(f.is_bool, v);
                json!({
                    "name": name,
                    "type": if f.is_bool { "bool" } else { "enum" },
                    "values": f.domain.iter().map(typed).collect::<Vec<_>>(),
                    "default": typed(&f.default),
                    "doc": docs,
                })
            })
            .collect();
        let params: Vec<Value> = program
            .params()
            .map(|(name, p)| {
                let docs = Some(program.docs(name).join("\n")).filter(|d| !d.is_empty());
                // a placeholder's text, not its stand-in (`ir::placeholders`)
                let value = match config.params.get(name).map(|v| restore_param_value(program, v)) {
                    // an optional param that was not given has no value
                    Some(ParamValue::One(v)) if p.optional && v.is_empty() => Value::Null,
                    Some(ParamValue::One(v)) => json!(v),
                    Some(ParamValue::Many(vs)) => json!(vs),
                    None => Value::Null,
                };
                json!({
                    "name": name,
                    "type": p.ty.to_string(),
                    "given": config.given.contains(name),
                    "value": value,
                    "placeholder": p.placeholder,
                    "doc": docs,
                })
            })
            .collect();
        let defaults: Map<String, Value> =
            program.features().map(|(n, f)| (n.to_string(), typed_value(f.is_bool, &f.default))).collect();
        let partition = match config.params.get("partition") {
            Some(ParamValue::One(p)) => json!(p),
            _ => Value::Null,
        };
        let header = vec![
            member("format", &json!(INDEX_FORMAT)),
            member("partition", &partition),
            member("features", &Value::Array(described)),
            member("params", &Value::Array(params)),
            member("default_configuration", &Value::Object(defaults)),
        ];
        IndexBuilder { header, features, files: Vec::new(), configurations: sink, configuration_count: 0 }
    }

    /// Lists the files and configurations of one item.
    pub fn add(&mut self, rendered: &Rendered) -> std::io::Result<()> {
        for file in &rendered.files {
            self.files.push((file.path.clone(), file.sha256));
        }
        for c in &rendered.configurations {
            // declaration order, typed
            let mut declared: Vec<(usize, bool, &String, &String)> = c
                .features
                .iter()
                .filter_map(|(name, v)| self.features.get(name).map(|(at, is_bool)| (*at, *is_bool, name, v)))
                .collect();
            declared.sort_unstable_by_key(|(at, ..)| *at);
            let features: Map<String, Value> =
                declared.into_iter().map(|(_, is_bool, name, v)| (name.clone(), typed_value(is_bool, v))).collect();
            let mut entry = json!({
                "item": rendered.item,
                "kind": rendered.kind.as_str(),
                "features": features,
                "default": c.default,
                "path": c.path,
            });
            if let Some(object) = entry.as_object_mut() {
                if !c.parts.is_empty() {
                    object.insert("parts".into(), json!(c.parts));
                }
                if let Some(name) = &rendered.naming.0 {
                    object.insert("name".into(), json!(name));
                }
                if let Some(description) = &rendered.naming.1 {
                    object.insert("description".into(), json!(description));
                }
            }
            if self.configuration_count > 0 {
                self.configurations.write_all(b",\n")?;
            }
            self.configurations.write_all(element(&entry).as_bytes())?;
            self.configuration_count += 1;
        }
        Ok(())
    }

    /// Writes the index to `out`; `copy_configurations` copies what went to
    /// the sink (in order) to `out`, where the configurations' list goes.
    pub fn write_to(
        mut self,
        out: &mut dyn std::io::Write,
        copy_configurations: impl FnOnce(C, &mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        out.write_all(b"{\n")?;
        for member in &self.header {
            out.write_all(member.as_bytes())?;
            out.write_all(b",\n")?;
        }
        let files = &self.files;
        write_list(out, "files", files.is_empty(), ",\n", |out| {
            for (at, (path, sha)) in files.iter().enumerate() {
                if at > 0 {
                    out.write_all(b",\n")?;
                }
                let entry = json!({ "path": path, "sha256": hex(sha) });
                out.write_all(element(&entry).as_bytes())?;
            }
            Ok(())
        })?;
        let mut configurations = self.configurations;
        write_list(out, "configurations", self.configuration_count == 0, "", |out| {
            configurations.flush()?;
            copy_configurations(configurations, out)
        })?;
        out.write_all(b"\n}\n")
    }
}

/// Writes the member `"key": [...]` as serde_json's pretty printer lays it
/// out at the top level: `[]` when `empty`, else what `elements` writes
/// (separated by `,\n`) between `[\n` and `\n  ]`; `then` follows.
fn write_list(
    out: &mut dyn std::io::Write,
    key: &str,
    empty: bool,
    then: &str,
    elements: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if empty {
        return write!(out, "  \"{key}\": []{then}");
    }
    writeln!(out, "  \"{key}\": [")?;
    elements(out)?;
    write!(out, "\n  ]{then}")
}

/// The index of `items`, rendered with `config`.
pub fn index_json(program: &Program, config: &Config, items: &[Rendered]) -> String {
    let mut index = IndexBuilder::new(program, config);
    for item in items {
        // writing to memory cannot fail
        let added = index.add(item);
        debug_assert!(added.is_ok());
    }
    index.finish()
}

fn typed_value(is_bool: bool, value: &str) -> Value {
    match (is_bool, value) {
        (true, "true") => Value::Bool(true),
        (true, "false") => Value::Bool(false),
        _ => json!(value),
    }
}

/// `  "key": value` at the top level of the index.
fn member(key: &str, value: &Value) -> String {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    format!("  {}: {}", json!(key), pretty.replace('\n', "\n  "))
}

/// An element of a top-level list: indented two levels.
fn element(value: &Value) -> String {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    format!("    {}", pretty.replace('\n', "\n    "))
}

/// The sha256 of `bytes` in lowercase hex, as `index.json` lists it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes in lowercase hex (two digits a byte, without a `format!` each: a
/// build hashes every file it writes and every file of the tree it replaces).
pub fn hex(bytes: &[u8]) -> String {
    let digit = |d: u8| char::from_digit(u32::from(d), 16).unwrap_or('0');
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 0xf));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use crate::plan::{Configuration, File, OutputKind};

    fn program(text: &str) -> Program {
        let mut db = pcl_semantics::RootDatabase::default();
        let file = pcl_semantics::SourceFile::open(&mut db, "t.pcl".into(), text.into());
        let analysis = pcl_semantics::analyze_file(&db, file);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        Program::clone(&analysis.program)
    }

    /// The streamed index is the pretty-printed JSON value, byte for byte,
    /// with keys in pcl's order.
    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(&[0, 9, 10, 255]), "00090aff");
    }

    #[test]
    fn index_is_pretty_json_in_pcl_order() {
        let program = program(
            "/// which scheduler\nfeature scheduler: enum { slurm, awsbatch } = slurm;\nfeature fsx: bool = false;\nparam region: region placeholder \"<REGION>\";\npolicy p { allow { action [s3:ListBucket]; resource \"*\"; } allow when scheduler == slurm and not fsx { action [s3:GetObject]; resource \"arn:aws:s3:${region}::b\"; } }\n",
        );
        let config = pcl_semantics::config::configure(&program, &[("region".into(), "us-east-1".into())]).unwrap();
        let features = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let rendered = Rendered {
            item: "p".into(),
            kind: OutputKind::Policy,
            partition: String::new(),
            files: vec![
                File::new("policy/p.json".into(), "{}\n".into(), None),
                File::new("policy/p.fsx-true.json".into(), "[]\n".into(), None),
            ],
            configurations: vec![
                Configuration {
                    features: features(&[("fsx", "false"), ("scheduler", "slurm")]),
                    default: true,
                    path: "policy/p.json".into(),
                    parts: Vec::new(),
                },
                Configuration {
                    features: features(&[("fsx", "true"), ("scheduler", "slurm")]),
                    default: false,
                    path: "policy/p.fsx-true.json".into(),
                    parts: Vec::new(),
                },
            ],
            naming: (None, None),
            params_read: Vec::new(),
        };
        for items in [vec![], vec![rendered]] {
            let text = index_json(&program, &config, &items);
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(text, serde_json::to_string_pretty(&value).unwrap() + "\n");
            let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, INDEX_KEYS);
            assert_eq!(value["features"][1]["default"], json!(false));
            assert_eq!(value["features"][0]["doc"], json!("which scheduler"));
            assert_eq!(value["params"][0]["given"], json!(true));
            assert_eq!(value["default_configuration"], json!({"scheduler": "slurm", "fsx": false}));
            if !items.is_empty() {
                // sorted by path; features in declaration order, typed
                assert_eq!(value["files"][0]["path"], json!("policy/p.fsx-true.json"));
                let c = &value["configurations"][1];
                let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys, CONFIGURATION_KEYS);
                let order: Vec<&str> = c["features"].as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(order, ["scheduler", "fsx"]);
                assert_eq!(c["features"]["fsx"], json!(true));
            }
        }
    }
}
