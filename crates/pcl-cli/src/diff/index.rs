//! The parts of a build's `index.json` a diff needs. An index of another
//! layout (an older pcl's) reads as `None`: the diff then compares files by
//! path only.

use std::collections::BTreeMap;

use serde_json::Value;

/// One configuration, named by the features away from their defaults (so
/// that adding a defaulted feature keeps every name).
pub type ConfigKey = Vec<(String, String)>;

pub struct Index {
    pub partition: Option<String>,
    /// `(item, kind)` -> configuration -> file path.
    pub configurations: BTreeMap<(String, String), BTreeMap<ConfigKey, String>>,
    /// Declared features: name -> (type, default, values), as JSON text.
    pub features: BTreeMap<String, (String, String, String)>,
    /// Params: name -> (value, given), as JSON text.
    pub params: BTreeMap<String, (String, bool)>,
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
    let defaults = value.get("default_configuration")?.as_object()?;
    let mut configurations: BTreeMap<(String, String), BTreeMap<ConfigKey, String>> = BTreeMap::new();
    for c in value.get("configurations")?.as_array()? {
        let item = c.get("item")?.as_str()?.to_string();
        let kind = c.get("kind")?.as_str()?.to_string();
        let mut key: ConfigKey = c
            .get("features")?
            .as_object()?
            .iter()
            .filter(|(name, v)| defaults.get(*name) != Some(v))
            .map(|(name, v)| (name.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect();
        // matched across versions whatever the declaration order
        key.sort();
        let path = c.get("path")?.as_str()?.to_string();
        configurations.entry((item, kind)).or_default().insert(key, path);
    }
    let partition = value.get("partition").and_then(Value::as_str).map(str::to_string);
    Some(Index { partition, configurations, features, params })
}

/// `scheduler=awsbatch, fsx=true`, or `defaults` for the default configuration.
pub fn show_key(key: &ConfigKey) -> String {
    if key.is_empty() {
        return "defaults".into();
    }
    key.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}
