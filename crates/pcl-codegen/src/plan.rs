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

/// Renders every policy and role of `program` for `config`.
pub fn render_all(program: &Program, config: &Config) -> Vec<Output> {
    let partition = match config.params.get("partition") {
        Some(ParamValue::One(p)) => p.clone(),
        _ => String::new(),
    };
    let mut out = Vec::new();
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
            let env = Env::new(program, &features, &config.params);
            let value = match kind {
                OutputKind::Policy => expand_policy(program, &item.name, &env).map(|p| crate::policy_document(&p)),
                OutputKind::Role => expand_role(program, &item.name, &env).map(|r| crate::role_properties(&r)),
            };
            let Some(value) = value else { continue };
            // Ordered as `deps` (declaration order), not alphabetically.
            let suffix: String = deps.iter().filter_map(|d| features.get(d).map(|v| format!(".{d}-{v}"))).collect();
            out.push(Output {
                item: item.name.clone(),
                kind,
                path: format!("{}/{}{suffix}.json", kind.as_str(), item.name),
                features,
                partition: partition.clone(),
                contents: pretty(&value),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The manifest: one entry per output, with its sha256.
pub fn index_json(outputs: &[Output]) -> String {
    let entries: Vec<Value> = outputs
        .iter()
        .map(|o| {
            let digest = Sha256::digest(o.contents.as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            json!({
                "item": o.item,
                "kind": o.kind.as_str(),
                "features": o.features,
                "partition": o.partition,
                "path": o.path,
                "sha256": hex,
            })
        })
        .collect();
    pretty(&json!({ "outputs": entries }))
}
