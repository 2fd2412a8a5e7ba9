//! The parts of a build's `index.json` a diff needs. An index of another
//! layout (an older pcl's) reads as `None`: the diff then compares files by
//! path only.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// One configuration as two builds share it: its features, but those at a
/// default both builds agree on (see [`Keys`]).
pub type ConfigKey = Vec<(String, String)>;

/// Every feature of one configuration with its value, sorted by name (so
/// that configurations match whatever the declaration order).
pub type Features = Vec<(String, String)>;

pub struct Index {
    pub partition: Option<String>,
    /// `(item, kind)` -> configuration -> file path.
    pub configurations: BTreeMap<(String, String), BTreeMap<Features, String>>,
    /// Declared features: name -> (type, default, values), as JSON text.
    pub features: BTreeMap<String, (String, String, String)>,
    /// Declared features: name -> default, as configurations spell values.
    pub defaults: BTreeMap<String, String>,
    /// Params: name -> (value, given), as JSON text.
    pub params: BTreeMap<String, (String, bool)>,
    /// Every path the index lists (files, configurations' paths and parts).
    pub listed: BTreeSet<String>,
}

pub fn parse(bytes: &[u8]) -> Option<Index> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    if value.get("format")?.as_str()? != pcl_codegen::INDEX_FORMAT {
        return None;
    }
    let text = |v: Option<&Value>| v.map(Value::to_string).unwrap_or_default();
    let mut features = BTreeMap::new();
    for f in value.get("features")?.as_array()? {
        let name = f.get("name")?.as_str()?.to_string();
        let ty = f.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
        features.insert(name, (ty, text(f.get("default")), text(f.get("values"))));
    }
    let mut params = BTreeMap::new();
    for p in value.get("params")?.as_array()? {
        let name = p.get("name")?.as_str()?.to_string();
        params.insert(name, (text(p.get("value")), p.get("given").and_then(Value::as_bool).unwrap_or(false)));
    }
    let defaults: BTreeMap<String, String> =
        value.get("default_configuration")?.as_object()?.iter().map(|(n, v)| (n.clone(), plain(v))).collect();
    let mut listed = BTreeSet::new();
    for f in value.get("files")?.as_array()? {
        listed.insert(f.get("path")?.as_str()?.to_string());
    }
    let mut configurations: BTreeMap<(String, String), BTreeMap<Features, String>> = BTreeMap::new();
    for c in value.get("configurations")?.as_array()? {
        let item = c.get("item")?.as_str()?.to_string();
        let kind = c.get("kind")?.as_str()?.to_string();
        // every feature the item depends on, those at their default too: a
        // file's name leaves them out, so a new default renames files, but
        // the configuration is the same
        let mut features: Features =
            c.get("features")?.as_object()?.iter().map(|(n, v)| (n.clone(), plain(v))).collect();
        features.sort();
        let path = c.get("path")?.as_str()?.to_string();
        for part in c.get("parts").and_then(Value::as_array).into_iter().flatten() {
            listed.insert(part.as_str()?.to_string());
        }
        listed.insert(path.clone());
        configurations.entry((item, kind)).or_default().insert(features, path);
    }
    let partition = value.get("partition").and_then(Value::as_str).map(str::to_string);
    Some(Index { partition, configurations, features, defaults, params, listed })
}

/// `slurm`, `true`: a feature's value as a configuration's key holds it.
fn plain(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}

/// Names the configurations of two builds alike. A feature at a default
/// both builds agree on is left out of the key, so that a feature added
/// (or removed) at its default matches the configurations that lacked it;
/// a feature whose default changed is kept whatever its value, so that a
/// new default matches each configuration with itself and not with the one
/// that now renders under the old name.
pub struct Keys {
    /// Feature -> the default both builds agree on (or the one build that
    /// declares it has).
    agreed: BTreeMap<String, String>,
}

impl Keys {
    pub fn new(old: &Index, new: &Index) -> Keys {
        let mut agreed = BTreeMap::new();
        for name in old.defaults.keys().chain(new.defaults.keys()) {
            match (old.defaults.get(name), new.defaults.get(name)) {
                (Some(was), Some(is)) if was != is => {}
                (Some(d), _) | (None, Some(d)) => {
                    agreed.insert(name.clone(), d.clone());
                }
                (None, None) => {}
            }
        }
        Keys { agreed }
    }

    pub fn key(&self, features: &Features) -> ConfigKey {
        features.iter().filter(|(name, v)| self.agreed.get(name) != Some(v)).cloned().collect()
    }
}

/// `scheduler=awsbatch, fsx=true`, or `defaults` for the default configuration.
pub fn show_key(key: &ConfigKey) -> String {
    if key.is_empty() {
        return "defaults".into();
    }
    key.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}
