//! What to render: every policy and role, once per configuration of the
//! features it depends on.

use std::collections::BTreeMap;

use pcl_semantics::config::Config;
use pcl_semantics::expand::{Env, expand_policy, expand_role};
use pcl_semantics::ir::{ItemIr, ParamValue, Program};
use pcl_semantics::variants::{configurations, feature_deps};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutputKind {
    Policy,
    Role,
}

impl OutputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputKind::Policy => "policy",
            OutputKind::Role => "role",
        }
    }
}

/// One rendered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub item: String,
    pub kind: OutputKind,
    /// The value of every feature the item depends on.
    pub features: BTreeMap<String, String>,
    pub partition: String,
    /// Relative path, `/`-separated: `policy/head_node.scheduler-slurm.json`.
    pub path: String,
    pub contents: String,
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Renders every policy and role of `program` for `config`, sorted by path.
pub fn render_all(program: &Program, config: &Config) -> Vec<Output> {
    let mut out = Vec::new();
    let _ = render_each(program, config, &mut |o| {
        out.push(o);
        Ok::<(), std::convert::Infallible>(())
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Renders every policy and role of `program` for `config`, handing each
/// document to `emit` as soon as it is rendered (in item order), so that
/// memory grows with the largest document, not with the whole output. Stops
/// at the first error of `emit`.
pub fn render_each<E>(
    program: &Program,
    config: &Config,
    emit: &mut dyn FnMut(Output) -> Result<(), E>,
) -> Result<(), E> {
    let partition = match config.params.get("partition") {
        Some(ParamValue::One(p)) => p.clone(),
        _ => String::new(),
    };
    for item in program.items() {
        let kind = match *item.ir {
            ItemIr::Policy { .. } => OutputKind::Policy,
            ItemIr::Role { .. } => OutputKind::Role,
            _ => continue,
        };
        let deps = feature_deps(program, &item.name);
        // Too many configurations is an error reported by the checks.
        let configs = configurations(program, &deps, &config.pins, &config.params).unwrap_or_default();
        for features in configs {
            let Some(contents) = render_one(program, kind, &item.name, &features, config) else { continue };
            emit(Output {
                item: item.name.clone(),
                kind,
                path: output_path(kind, &item.name, &deps, &features),
                features,
                partition: partition.clone(),
                contents,
            })?;
        }
    }
    Ok(())
}

/// One document: `item` (a policy or role of `kind`) with these feature
/// values, as the JSON text a build writes; `None` when the item's own guard
/// is false there.
pub fn render_one(
    program: &Program,
    kind: OutputKind,
    item: &str,
    features: &BTreeMap<String, String>,
    config: &Config,
) -> Option<String> {
    let env = Env::new(program, features, &config.params);
    let value = match kind {
        OutputKind::Policy => crate::policy_document(&expand_policy(program, item, &env)?),
        OutputKind::Role => crate::role_properties(&expand_role(program, item, &env)?),
    };
    Some(pretty(&value))
}

/// Where a build writes one configuration of an item: one `.<feature>-<value>`
/// per feature it depends on, in declaration order (`deps`' order).
pub fn output_path(kind: OutputKind, item: &str, deps: &[String], features: &BTreeMap<String, String>) -> String {
    let suffix: String = deps.iter().filter_map(|d| features.get(d).map(|v| format!(".{d}-{v}"))).collect();
    format!("{}/{item}{suffix}.json", kind.as_str())
}

/// What `index.json` says of one output, already serialized: a build keeps
/// one of these per file (a few hundred bytes), never the file itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub path: String,
    /// The entry's JSON object, pretty-printed at the depth it has in the index.
    json: String,
}

impl Output {
    pub fn index_entry(&self) -> IndexEntry {
        let sha256 = sha256_hex(self.contents.as_bytes());
        let value = json!({
            "item": self.item,
            "kind": self.kind.as_str(),
            "features": self.features,
            "partition": self.partition,
            "path": self.path,
            "sha256": sha256,
        });
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        // inside `{ "outputs": [ ... ] }`: two levels of two spaces
        let json = pretty.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n");
        IndexEntry { path: self.path.clone(), json }
    }
}

/// The sha256 of `bytes` in lowercase hex, as `index.json` lists it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes in lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest: one entry per output, with its sha256.
pub fn index_json(outputs: &[Output]) -> String {
    index_json_of(outputs.iter().map(Output::index_entry).collect())
}

/// The manifest of `entries`, sorted by path; byte for byte what
/// `serde_json::to_string_pretty` gives for `{"outputs": [...]}`.
pub fn index_json_of(mut entries: Vec<IndexEntry>) -> String {
    if entries.is_empty() {
        return "{\n  \"outputs\": []\n}\n".to_string();
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let body: Vec<&str> = entries.iter().map(|e| e.json.as_str()).collect();
    format!("{{\n  \"outputs\": [\n{}\n  ]\n}}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn output(path: &str, features: &[(&str, &str)]) -> Output {
        Output {
            item: "p".into(),
            kind: OutputKind::Policy,
            features: features.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            partition: "aws".into(),
            path: path.into(),
            contents: "{}\n".into(),
        }
    }

    /// The streamed index is the pretty-printed JSON value, byte for byte.
    #[test]
    fn index_is_pretty_json() {
        for outputs in [
            vec![],
            vec![output("policy/p.json", &[])],
            vec![output("policy/p.b-x.json", &[("b", "x"), ("a", "y")]), output("policy/a.json", &[])],
        ] {
            let mut sorted = outputs.clone();
            sorted.sort_by(|a, b| a.path.cmp(&b.path));
            let values: Vec<Value> = sorted
                .iter()
                .map(|o| {
                    let sha = sha256_hex(o.contents.as_bytes());
                    json!({"item": o.item, "kind": o.kind.as_str(), "features": o.features,
                           "partition": o.partition, "path": o.path, "sha256": sha})
                })
                .collect();
            assert_eq!(index_json(&outputs), pretty(&json!({ "outputs": values })));
        }
    }
}
