//! What changed between two builds, for a reviewer: per item, in IAM terms
//! (statements, actions, resources, conditions added or removed), with the
//! configurations and partitions each change affects grouped; renamed files
//! found by content; `index.json` summarised, never dumped; unified diffs
//! only on request. Used by `pcl diff` and `cargo xtask build-policies --check`.

mod configurations;
mod documents;
mod index;
mod layout;
mod tree;
mod unified;

pub use tree::read_tree;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// `old` against `new` as a unified diff (two lines of context) on
/// standard output, headed `path` and `path (label)`: what `pcl fmt
/// --check` and `pcl check --fix --diff` print. A closed pipe ends it
/// quietly (their exit code says a file would change either way).
pub fn print_unified(path: &str, (old, new): (&str, &str), label: &str) {
    let text = unified::unified(old, new, (path, path, Some(label)), 2);
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
}

use index::{ConfigKey, Index, show_key};
use layout::Layout;

/// A build's files: relative path -> contents.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// How much a report shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Detail {
    /// Changes in IAM terms, grouped.
    #[default]
    Summary,
    /// The summary, then a unified diff of every changed file.
    Full,
}

/// The differences between two builds.
#[derive(Debug, Default)]
pub struct Report {
    /// Readable text, empty when the builds are the same.
    pub text: String,
    pub items_changed: usize,
    /// Paths added, removed or changed.
    pub files_changed: usize,
    /// Why the builds could not be wholly compared: the text, if any,
    /// leaves these out.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.problems.is_empty()
    }
}

/// A build that cannot be compared: a file its index lists is missing, or
/// the two builds are laid out unalike.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub message: String,
    pub help: Option<String>,
}

/// The two builds and how messages name them.
struct Builds<'a> {
    old: &'a Tree,
    new: &'a Tree,
    old_name: &'a str,
    new_name: &'a str,
}

/// Which configurations, in which partitions (`""` when the build has no
/// partition directories), a change affects.
type Affected = BTreeMap<String, BTreeSet<ConfigKey>>;

/// Everything found, before it is written out.
#[derive(Default)]
struct Findings {
    /// `(item, kind)` -> change -> where.
    items: BTreeMap<(String, String), BTreeMap<String, Affected>>,
    /// `(item, kind)` -> partition -> every configuration in the new build.
    all_configs: BTreeMap<(String, String), Affected>,
    /// A line about files or the index -> the partitions it holds in.
    files: BTreeMap<String, BTreeSet<String>>,
    index: BTreeMap<String, BTreeSet<String>>,
    /// Changed files for `--diff full`: (path, old, new).
    changed: Vec<(String, Vec<u8>, Vec<u8>)>,
    /// Paths added, removed or changed.
    files_differing: usize,
    /// Their paths: reported as such when no IAM change explains them (the
    /// same statements in another order, another layout).
    differing: Vec<String>,
    problems: BTreeSet<Problem>,
    /// The paths of files an index lists and its build lacks.
    missing: BTreeSet<String>,
}

impl Findings {
    /// The file `path` of the build under `root` whose index lists it. A
    /// missing one is a problem: taken for unchanged, it hid its loss.
    fn listed<'t>(&mut self, tree: &'t Tree, name: &str, root: &str, path: &str) -> Option<&'t [u8]> {
        let full = format!("{root}{path}");
        let bytes = tree.get(&full).map(Vec::as_slice);
        if bytes.is_none() {
            let name = name.trim_end_matches('/');
            self.problems.insert(Problem {
                message: format!("{name}/{full} is missing, though {name}/{root}index.json lists it"),
                help: Some(format!("a diff compares whole builds: restore the file, or build {name} again")),
            });
            self.missing.insert(full);
        }
        bytes
    }
}

/// Compares the build `old` with the build `new`.
pub fn diff_trees(old: &Tree, new: &Tree, detail: Detail, old_name: &str, new_name: &str) -> Report {
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let differing: Vec<String> = paths.into_iter().filter(|p| old.get(*p) != new.get(*p)).cloned().collect();
    let mut found = Findings { files_differing: differing.len(), differing, ..Findings::default() };
    let roots: BTreeSet<&str> = old
        .keys()
        .chain(new.keys())
        .filter_map(|p| p.strip_suffix("index.json"))
        .filter(|r| r.is_empty() || r.ends_with('/'))
        // `policy/index.json` is a policy named `index`, not another build
        .filter(|r| !r.trim_end_matches('/').rsplit('/').next().is_some_and(holds_documents))
        .collect();
    let idx = |tree: &Tree, root: &str| tree.get(&format!("{root}index.json")).and_then(|b| index::parse(b));
    let indexes: Vec<(&str, Option<Index>, Option<Index>)> =
        roots.iter().map(|root| (*root, idx(old, root), idx(new, root))).collect();
    let layouts = (layout_of(old, &indexes, |i| &i.1), layout_of(new, &indexes, |i| &i.2));
    if let Some(problem) = layout::mismatch((&layouts.0, old_name), (&layouts.1, new_name)) {
        return Report { problems: vec![problem], ..Report::default() };
    }
    let builds = Builds { old, new, old_name, new_name };
    let mut covered: BTreeSet<String> = BTreeSet::new();
    for (root, old_index, new_index) in &indexes {
        // builds of two partitions in one place (`--set partition=...`):
        // what is gone was the old one's, what is new the new one's
        let partitions = (
            old_index.as_ref().and_then(|i| i.partition.clone()),
            new_index.as_ref().and_then(|i| i.partition.clone()),
        );
        let partition = match partitions {
            (Some(was), Some(is)) if was != is => format!("{was} -> {is}"),
            (was, is) => is.or(was).unwrap_or_else(|| root.trim_end_matches('/').to_string()),
        };
        // every file an index lists is there, or the report says it is not
        for (tree, index, name) in [(old, old_index, old_name), (new, new_index, new_name)] {
            for path in index.iter().flat_map(|i| &i.listed) {
                found.listed(tree, name, root, path);
            }
        }
        if let (Some(o), Some(n)) = (old_index, new_index) {
            configurations::compare(&builds, root, &partition, (o, n), &mut found, &mut covered);
            compare_indexes(o, n, &partition, &mut found);
        } else if old.get(&format!("{root}index.json")) != new.get(&format!("{root}index.json")) {
            let has = |tree: &Tree| tree.contains_key(&format!("{root}index.json"));
            let what = match (old_index, new_index) {
                (None, Some(_)) if !has(old) => "the old build has no index.json: files compared by path",
                (Some(_), None) if !has(new) => "the new build has no index.json: files compared by path",
                (None, Some(_)) => "the old index.json is not one this pcl reads: files compared by path",
                (Some(_), None) => "the new index.json is not one this pcl reads: files compared by path",
                _ => "changed (not an index this pcl reads): files compared by path",
            };
            found.index.entry(what.into()).or_default().insert(partition.clone());
        }
        covered.insert(format!("{root}index.json"));
        compare_files(old, new, root, &partition, &covered, &mut found);
    }
    if roots.is_empty() {
        compare_files(old, new, "", "", &covered, &mut found);
    }
    write_report(found, detail, old_name, new_name)
}

/// One build's layout, from the indexes it holds (`side` picks its own of
/// each root's pair).
fn layout_of<'i>(
    tree: &Tree,
    indexes: &'i [(&str, Option<Index>, Option<Index>)],
    side: impl Fn(&'i (&str, Option<Index>, Option<Index>)) -> &'i Option<Index>,
) -> Layout {
    if tree.contains_key("index.json") {
        let top = indexes.iter().find(|i| i.0.is_empty()).and_then(|i| side(i).as_ref());
        return top.map_or(Layout::Other, |i| Layout::Single(i.partition.clone()));
    }
    let mut dirs: Vec<String> = indexes
        .iter()
        .filter(|i| side(i).is_some())
        .filter_map(|i| i.0.strip_suffix('/'))
        .filter(|dir| !dir.contains('/'))
        .map(str::to_string)
        .collect();
    // `aws` before `aws-cn` (the roots sort by `aws/`)
    dirs.sort();
    if dirs.is_empty() { Layout::Other } else { Layout::Partitions(dirs) }
}

/// Features and params declared differently.
fn compare_indexes(old: &Index, new: &Index, partition: &str, found: &mut Findings) {
    let mut note = |line: String| {
        found.index.entry(line).or_default().insert(partition.to_string());
    };
    for (name, (ty, default, values)) in &new.features {
        match old.features.get(name) {
            None => note(format!("+ feature `{name}` ({ty}, default {default})")),
            Some((_, old_default, old_values)) => {
                if old_default != default {
                    note(format!("feature `{name}`: default {old_default} -> {default}"));
                }
                if old_values != values {
                    note(format!("feature `{name}`: values {old_values} -> {values}"));
                }
            }
        }
    }
    for name in old.features.keys().filter(|n| !new.features.contains_key(*n)) {
        note(format!("- feature `{name}`"));
    }
    for (name, (value, given)) in &new.params {
        match old.params.get(name) {
            None => note(format!("+ param `{name}` = {value}")),
            Some((old_value, _)) if old_value != value => note(format!("param `{name}`: {old_value} -> {value}")),
            // the same value, given with `--set` in one build and not the other
            Some((_, old_given)) if old_given != given => {
                let how = |given: &bool| if *given { "given with --set" } else { "from its default" };
                note(format!("param `{name}`: {value}, {} -> {}", how(old_given), how(given)))
            }
            Some(_) => {}
        }
    }
    for name in old.params.keys().filter(|n| !new.params.contains_key(*n)) {
        note(format!("- param `{name}`"));
    }
}

/// Files under `root` no configuration accounts for: renames by content,
/// then additions, removals and changes by path.
fn compare_files(
    old: &Tree,
    new: &Tree,
    root: &str,
    partition: &str,
    covered: &BTreeSet<String>,
    found: &mut Findings,
) {
    let under = |tree: &'_ Tree| -> BTreeMap<String, Vec<u8>> {
        tree.iter()
            .filter(|(p, _)| p.starts_with(root) && !covered.contains(*p))
            // a nested build root is compared on its own
            .filter(|(p, _)| {
                !p.get(root.len()..).is_some_and(|rest| rest.contains('/') && is_nested_root(tree, root, rest))
            })
            .map(|(p, b)| (p.get(root.len()..).unwrap_or_default().to_string(), b.clone()))
            .collect()
    };
    let (before, after) = (under(old), under(new));
    let mut gone: Vec<&String> = before.keys().filter(|p| !after.contains_key(*p)).collect();
    for (path, bytes) in after.iter().filter(|(p, _)| !before.contains_key(*p)) {
        let line = match gone.iter().position(|g| before.get(*g) == Some(bytes)) {
            Some(k) => format!("renamed `{}` -> `{path}` (same content)", gone.remove(k)),
            None => format!("+ `{path}`"),
        };
        found.files.entry(line).or_default().insert(partition.to_string());
    }
    for path in gone {
        found.files.entry(format!("- `{path}`")).or_default().insert(partition.to_string());
    }
    for (path, bytes) in &after {
        if let Some(old_bytes) = before.get(path).filter(|b| *b != bytes) {
            let what: Vec<String> = documents::changes(old_bytes, bytes).into_iter().map(|c| c.what).collect();
            found.files.entry(format!("`{path}`: {}", what.join("; "))).or_default().insert(partition.to_string());
            found.changed.push((format!("{root}{path}"), old_bytes.clone(), bytes.clone()));
        }
    }
    // configurations' changed files, for --diff full
    for (path, bytes) in new.iter().filter(|(p, _)| p.starts_with(root) && covered.contains(*p)) {
        if let Some(old_bytes) = old.get(path).filter(|b| *b != bytes) {
            found.changed.push((path.clone(), old_bytes.clone(), bytes.clone()));
        }
    }
}

fn is_nested_root(tree: &Tree, root: &str, rest: &str) -> bool {
    let first = rest.split('/').next().unwrap_or_default();
    !holds_documents(first) && tree.contains_key(&format!("{root}{first}/index.json"))
}

/// Whether a directory of that name holds a build's documents (an
/// `index.json` there is a policy or role named `index`).
fn holds_documents(name: &str) -> bool {
    matches!(name, "policy" | "role")
}

/// What the configurations a line names are to the change: those it
/// affects, or those the new build adds or no longer has.
#[derive(Clone, Copy)]
enum Configurations {
    Affected,
    New,
    Gone,
}

impl Configurations {
    /// `configuration`, `new configurations`, `configuration gone`, ...
    fn noun(self, count: usize) -> String {
        let noun = if count == 1 { "configuration" } else { "configurations" };
        match self {
            Configurations::Affected => noun.to_string(),
            Configurations::New => format!("new {noun}"),
            Configurations::Gone => format!("{noun} gone"),
        }
    }
}

/// `8 configurations × 3 partitions`, `every configuration in aws`,
/// `1 configuration gone (defaults) in aws-cn; 2 configurations gone in
/// aws-us-gov`, ...
fn describe(affected: &Affected, all: Option<&Affected>, partitions: usize, what: Configurations) -> String {
    let sets: BTreeSet<&BTreeSet<ConfigKey>> = affected.values().collect();
    let where_ = |names: Vec<&String>| -> String {
        if names.len() == partitions && partitions > 1 {
            format!(" × {partitions} partitions")
        } else if names.iter().all(|n| n.is_empty()) {
            String::new()
        } else {
            format!(" in {}", names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", "))
        }
    };
    let one = |keys: &BTreeSet<ConfigKey>, partition: &String| -> String {
        let every = all.and_then(|a| a.get(partition)).is_some_and(|a| a == keys);
        if every && keys.len() > 1 {
            return format!("every {} ({})", what.noun(1), keys.len());
        }
        if keys.len() == 1 {
            return keys.iter().next().map(|k| format!("1 {} ({})", what.noun(1), show_key(k))).unwrap_or_default();
        }
        // what the configurations have in common
        let mut common: Option<BTreeSet<&(String, String)>> = None;
        for key in keys {
            let here: BTreeSet<&(String, String)> = key.iter().collect();
            common = Some(match common {
                None => here,
                Some(c) => c.intersection(&here).copied().collect(),
            });
        }
        let common: Vec<String> = common.unwrap_or_default().iter().map(|(k, v)| format!("{k}={v}")).collect();
        let with = if common.is_empty() { String::new() } else { format!(" (all {})", common.join(", ")) };
        format!("{} {}{with}", keys.len(), what.noun(keys.len()))
    };
    if sets.len() == 1 {
        let names: Vec<&String> = affected.keys().collect();
        let first = names.first().copied().cloned().unwrap_or_default();
        let keys = affected.get(&first).cloned().unwrap_or_default();
        return format!("{}{}", one(&keys, &first), where_(names));
    }
    affected.iter().map(|(p, keys)| format!("{} in {p}", one(keys, p))).collect::<Vec<_>>().join("; ")
}

fn write_report(found: Findings, detail: Detail, old_name: &str, new_name: &str) -> Report {
    let mut out = String::new();
    let partitions: BTreeSet<&String> =
        found.all_configs.values().flat_map(|a| a.keys()).chain(found.index.values().flatten()).collect();
    let count = partitions.len().max(1);
    let in_partitions = |set: &BTreeSet<String>| -> String {
        if set.len() == count && count > 1 {
            format!(" × {count} partitions")
        } else if set.iter().all(String::is_empty) {
            String::new()
        } else {
            format!(" in {}", set.iter().cloned().collect::<Vec<_>>().join(", "))
        }
    };
    for ((item, kind), changes) in &found.items {
        let _ = writeln!(out, "{kind} `{item}`:");
        let all = found.all_configs.get(&(item.clone(), kind.clone()));
        let mut changes: Vec<(&String, &Affected)> = changes.iter().collect();
        changes.sort_by_key(|(c, _)| !c.ends_with(" configuration"));
        for (change, affected) in changes {
            match change.as_str() {
                "+ configuration" => {
                    let _ = writeln!(out, "  + {}", describe(affected, None, count, Configurations::New));
                }
                "- configuration" => {
                    let _ = writeln!(out, "  - {}", describe(affected, None, count, Configurations::Gone));
                }
                _ => {
                    let _ = writeln!(out, "  {change}: {}", describe(affected, all, count, Configurations::Affected));
                }
            }
        }
    }
    if !found.files.is_empty() {
        let _ = writeln!(out, "files:");
        for (line, set) in &found.files {
            let _ = writeln!(out, "  {line}{}", in_partitions(set));
        }
    }
    if !found.index.is_empty() {
        let _ = writeln!(out, "index.json:");
        for (line, set) in &found.index {
            let _ = writeln!(out, "  {line}{}", in_partitions(set));
        }
    }
    // a missing file is a problem, not the same content in other bytes
    let differing: Vec<&String> = found.differing.iter().filter(|p| !found.missing.contains(*p)).collect();
    if out.is_empty() && !differing.is_empty() {
        // a published build is byte-stable: the same IAM content in other
        // bytes is still a change to review and commit
        let _ = writeln!(out, "files with the same IAM content in other bytes (statement order, layout):");
        for path in differing.iter().take(10) {
            let _ = writeln!(out, "  ~ {path}");
        }
        if differing.len() > 10 {
            let _ = writeln!(out, "  ... and {} more", differing.len() - 10);
        }
    }
    if detail == Detail::Full {
        for (path, a, b) in &found.changed {
            let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
            let header = (format!("{old_name}/{path}"), format!("{new_name}/{path}"));
            let _ = write!(out, "\n{}", unified::unified(a.as_ref(), b.as_ref(), (&header.0, &header.1, None), 3));
        }
    }
    let files_changed = found.files_differing;
    let problems = found.problems.into_iter().collect();
    Report { text: out, items_changed: found.items.len(), files_changed, problems }
}

#[cfg(test)]
mod tests {
    use super::{Affected, Configurations, describe};

    /// Each partition's part of a description is marked, not the first
    /// alone (found by review).
    #[test]
    fn every_partition_part_says_gone_or_new() {
        let key = |v: &str| vec![("mode".to_string(), v.to_string())];
        let affected: Affected =
            [("aws-cn".to_string(), [key("c")].into()), ("aws-us-gov".to_string(), [key("a"), key("b")].into())].into();
        assert_eq!(
            describe(&affected, None, 3, Configurations::Gone),
            "1 configuration gone (mode=c) in aws-cn; 2 configurations gone in aws-us-gov"
        );
        assert_eq!(
            describe(&affected, None, 3, Configurations::New),
            "1 new configuration (mode=c) in aws-cn; 2 new configurations in aws-us-gov"
        );
        let every: Affected =
            ["aws", "aws-cn", "aws-us-gov"].map(|p| (p.to_string(), [key("a"), key("b"), key("c")].into())).into();
        assert_eq!(
            describe(&every, Some(&every), 3, Configurations::Gone),
            "every configuration gone (3) × 3 partitions"
        );
    }
}
