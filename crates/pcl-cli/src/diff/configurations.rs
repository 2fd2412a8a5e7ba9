//! Configurations of both builds of one root, matched by their features
//! (`index::Keys`): what each one's document gained or lost, those new or
//! gone, and the files renamed.

use std::collections::{BTreeMap, BTreeSet};

use super::index::{ConfigKey, Index, Keys};
use super::{Builds, Findings, documents};

/// Notes every change of every item's configurations under `root`, and
/// the files they account for in `covered`.
pub(super) fn compare(
    builds: &Builds,
    root: &str,
    partition: &str,
    (old_index, new_index): (&Index, &Index),
    found: &mut Findings,
    covered: &mut BTreeSet<String>,
) {
    let keys = Keys::new(old_index, new_index);
    let keyed = |index: &Index, item| -> BTreeMap<ConfigKey, String> {
        let configurations = index.configurations.get(item).into_iter().flatten();
        configurations.map(|(features, path)| (keys.key(features), path.clone())).collect()
    };
    let items: BTreeSet<&(String, String)> =
        old_index.configurations.keys().chain(new_index.configurations.keys()).collect();
    for item in items {
        let (before, after) = (keyed(old_index, item), keyed(new_index, item));
        if !after.is_empty() {
            found
                .all_configs
                .entry(item.clone())
                .or_default()
                .insert(partition.into(), after.keys().cloned().collect());
        }
        let note = |found: &mut Findings, change: String, key: &ConfigKey| {
            let changes = found.items.entry(item.clone()).or_default();
            changes.entry(change).or_default().entry(partition.to_string()).or_default().insert(key.clone());
        };
        for (key, old_path) in &before {
            covered.insert(format!("{root}{old_path}"));
            let Some(new_path) = after.get(key) else {
                note(found, "- configuration".into(), key);
                continue;
            };
            covered.insert(format!("{root}{new_path}"));
            let a = found.listed(builds.old, builds.old_name, root, old_path);
            let b = found.listed(builds.new, builds.new_name, root, new_path);
            // a file the index lists and the build lacks is a problem of
            // the report (`Findings::listed`), never "unchanged"
            let (Some(a), Some(b)) = (a, b) else { continue };
            if renamed(builds, root, old_path, new_path, a) {
                let line = format!("renamed `{old_path}` -> `{new_path}`");
                found.files.entry(line).or_default().insert(partition.to_string());
            }
            if a != b {
                for change in documents::changes(a, b) {
                    note(found, change.text(), key);
                }
            }
        }
        for (key, path) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
            covered.insert(format!("{root}{path}"));
            note(found, "+ configuration".into(), key);
            // what a configuration of a new feature adds: compared with the
            // old configuration it extends (an item new as a whole: with
            // nothing)
            let base: ConfigKey = key.iter().filter(|(f, _)| old_index.features.contains_key(f)).cloned().collect();
            let base_contents = if before.is_empty() {
                Some(b"{}".as_slice())
            } else if base.len() == key.len() {
                None
            } else if let Some(base_path) = before.get(&base) {
                // a missing file is a problem `listed` notes
                let Some(bytes) = found.listed(builds.old, builds.old_name, root, base_path) else { continue };
                Some(bytes)
            } else {
                None
            };
            let Some(b) = found.listed(builds.new, builds.new_name, root, path) else { continue };
            if let Some(a) = base_contents {
                for change in documents::changes(a, b) {
                    note(found, change.text(), key);
                }
            }
        }
    }
}

/// Whether a configuration's file was renamed: its path changed and the
/// old path no longer holds its document (a new default swaps the names of
/// two files; a configuration that stops sharing a file another keeps was
/// not renamed).
fn renamed(builds: &Builds, root: &str, old_path: &str, new_path: &str, document: &[u8]) -> bool {
    old_path != new_path && builds.new.get(&format!("{root}{old_path}")).map(Vec::as_slice) != Some(document)
}
