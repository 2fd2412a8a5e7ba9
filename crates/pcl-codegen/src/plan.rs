//! What to render: every policy and role, once per configuration of the
//! features it depends on; configurations that render the same bytes share
//! one file.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use pcl_semantics::config::Config;
use pcl_semantics::expand::Env;
use pcl_semantics::ir::{ItemIr, ParamValue, Program};
use pcl_semantics::variants::{ConstraintFacts, configurations_in, constraint_facts, feature_deps};

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

/// Every rendering of one item in one partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub item: String,
    pub kind: OutputKind,
    pub partition: String,
    /// The files to write, each once, sorted by path.
    pub files: Vec<File>,
    /// Every configuration, in enumeration order, with the file it renders to.
    pub configurations: Vec<Configuration>,
    /// Its `name` and `description` fields, rendered (names and descriptions
    /// interpolate params only: one per build).
    pub naming: (Option<String>, Option<String>),
    /// The params whose values its files render (a text's, a list's) or
    /// whose values decide what renders (a guard's), sorted: a param left at
    /// its placeholder among them leaves the placeholder in a file, or
    /// decides the file by it (`--deployable`).
    pub params_read: Vec<String>,
}

/// One file of a build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative path, `/`-separated: `policy/head_node.scheduler-awsbatch.json`.
    pub path: String,
    pub contents: String,
    /// What the quota checks read of a role's document (its trust policy's
    /// and inline policies' sizes, its managed policies), kept from its
    /// rendering: parsing the text back cost more than rendering it. `None`
    /// for a policy, whose quota is measured on the text.
    pub role: Option<crate::RoleFacts>,
    /// The sha256 of `contents`, taken once: the index lists it, and a
    /// build compares it with the file it may replace.
    pub sha256: [u8; 32],
}

impl File {
    pub fn new(path: String, contents: String, role: Option<crate::RoleFacts>) -> File {
        let sha256 = <sha2::Sha256 as sha2::Digest>::digest(contents.as_bytes()).into();
        File { path, contents, role, sha256 }
    }
}

/// One configuration of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configuration {
    /// The value of every feature the item depends on.
    pub features: BTreeMap<String, String>,
    /// Every one of those features has its declared default.
    pub default: bool,
    /// The file it renders to (shared with every configuration that renders the same bytes).
    pub path: String,
    /// A split policy's parts, in order (the first is `path`); empty otherwise.
    pub parts: Vec<String>,
}

/// One configuration of an item with its document: a [`Rendered`] seen one
/// configuration at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub item: String,
    pub kind: OutputKind,
    pub features: BTreeMap<String, String>,
    pub partition: String,
    pub path: String,
    pub contents: String,
}

/// Every configuration of every policy and role of `program` for `config`,
/// in item order.
pub fn render_all(program: &Program, config: &Config) -> Vec<Output> {
    let mut out = Vec::new();
    for rendered in render_items(program, config) {
        for c in &rendered.configurations {
            let Some(file) = rendered.files.iter().find(|f| f.path == c.path) else { continue };
            out.push(Output {
                item: rendered.item.clone(),
                kind: rendered.kind,
                features: c.features.clone(),
                partition: rendered.partition.clone(),
                path: c.path.clone(),
                contents: file.contents.clone(),
            });
        }
    }
    out
}

/// Every policy and role of `program` for `config`, in item order.
pub fn render_items(program: &Program, config: &Config) -> Vec<Rendered> {
    let mut out = Vec::new();
    let _ = render_each(program, config, &mut |r| {
        out.push(r);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// Renders every policy and role of `program` for `config`, handing each
/// item's renderings to `emit` as soon as they are made (in item order), so
/// that memory grows with the largest item, not with the whole output.
/// Stops at the first error of `emit`.
pub fn render_each<E>(
    program: &Program,
    config: &Config,
    emit: &mut dyn FnMut(Rendered) -> Result<(), E>,
) -> Result<(), E> {
    let partition = match config.params.get("partition") {
        Some(ParamValue::One(p)) => p.clone(),
        _ => String::new(),
    };
    // what the constraints say under this configuration, made once for
    // every item (each item's assignments then cost the constraints they reach)
    let facts = constraint_facts(program, &config.pins, &config.params);
    for item in program.items() {
        if let Some(rendered) = render_item_in(program, config, &item.name, &partition, &facts) {
            emit(rendered)?;
        }
    }
    Ok(())
}

/// Every configuration of one policy or role (`None` for another kind of
/// item, or when no configuration renders it).
pub fn render_item(program: &Program, config: &Config, item: &str, partition: &str) -> Option<Rendered> {
    let facts = constraint_facts(program, &config.pins, &config.params);
    render_item_in(program, config, item, partition, &facts)
}

/// `render_item` with the constraints' facts under `config` made already.
fn render_item_in(
    program: &Program,
    config: &Config,
    item: &str,
    partition: &str,
    facts: &ConstraintFacts,
) -> Option<Rendered> {
    let kind = match program.get(item).map(|i| &*i.ir) {
        Some(ItemIr::Policy { .. }) => OutputKind::Policy,
        Some(ItemIr::Role { .. }) => OutputKind::Role,
        _ => return None,
    };
    let deps = feature_deps(program, item);
    // Too many configurations is an error reported by the checks.
    let configs = configurations_in(program, &deps, &config.pins, &config.params, facts).unwrap_or_default();
    let mut documents: Vec<Document> = Vec::new();
    // A role's facts are measured and kept once per distinct text (by
    // hash): the quota checks read the ones of each file, and a role may
    // have thousands of configurations. A hash shared by two texts only
    // costs the second its facts, which the quota checks then read from its
    // text.
    let mut seen: rustc_hash::FxHashSet<u64> = rustc_hash::FxHashSet::default();
    let reads = std::cell::RefCell::new(Vec::new());
    for features in configs {
        if let Some((parts, role)) =
            crate::documents::render_documents(program, kind, item, &features, config, Some(&reads))
        {
            let facts = role
                .filter(|_| seen.insert(rustc_hash::FxBuildHasher.hash_one(&parts)))
                .map(|role| crate::RoleFacts::of_role(&role));
            documents.push((features, parts, facts));
        }
    }
    if documents.is_empty() {
        return None;
    }
    let naming = rendered_naming(program, item, config, documents.first().map(|(f, _, _)| f));
    let mut rendered = share_files(program, kind, item, partition, documents);
    rendered.naming = naming;
    rendered.params_read = crate::documents::names_of(reads.into_inner());
    Some(rendered)
}

/// An item's declared `name` and `description`, rendered with the build's params.
fn rendered_naming(
    program: &Program,
    item: &str,
    config: &Config,
    features: Option<&BTreeMap<String, String>>,
) -> (Option<String>, Option<String>) {
    let naming = match program.get(item).map(|i| &*i.ir) {
        Some(ItemIr::Policy { naming, .. }) => naming,
        Some(ItemIr::Role { role, .. }) => &role.naming,
        _ => return (None, None),
    };
    let empty = BTreeMap::new();
    let env = Env::new(program, features.unwrap_or(&empty), &config.params);
    (naming.name.as_ref().map(|t| env.text(t)), naming.description.as_ref().map(|t| env.text(t)))
}

/// One configuration of an item (its feature values), its parts' texts and,
/// for a role, its facts (see [`File::role`]).
type Document = (BTreeMap<String, String>, Vec<String>, Option<crate::RoleFacts>);

/// A group of configurations with one document, as `share_files` gathers it:
/// the rank and path of its best name, the member named so, its first member.
type Group = ((usize, String), usize, usize);

/// Groups the configurations of one item by their documents: each group is
/// one file (or one per part of a split policy), named after its member with
/// the fewest features away from their defaults (then the smallest name), so
/// that a file keeps its name when a feature is added whose default keeps
/// today's documents.
fn share_files(
    program: &Program,
    kind: OutputKind,
    item: &str,
    partition: &str,
    mut documents: Vec<Document>,
) -> Rendered {
    // each feature's default looked up by hash (a map of every feature's,
    // made for each item, grew as items × features)
    let off_default = |features: &BTreeMap<String, String>| {
        features.iter().filter(|(f, v)| program.feature(f).is_none_or(|feature| feature.default != **v)).count()
    };
    // documents -> (its best name so far, the member that has it, its
    // first member: the one that kept the role's facts, see `render_item`)
    let mut names: BTreeMap<&[String], Group> = BTreeMap::new();
    for (i, (features, parts, _)) in documents.iter().enumerate() {
        let rank = (off_default(features), output_path(program, kind, item, features));
        let best = names.entry(parts.as_slice()).or_insert_with(|| (rank.clone(), i, i));
        if rank < best.0 {
            (best.0, best.1) = (rank, i);
        }
    }
    let part_paths = |base: &str, count: usize| -> Vec<String> {
        if count <= 1 { Vec::new() } else { (1..=count).map(|k| part_path(kind, item, base, k)).collect() }
    };
    let path_of: BTreeMap<&[String], String> =
        names.iter().map(|(doc, ((_, path), _, _))| (*doc, path.clone())).collect();
    let configurations = documents
        .iter()
        .map(|(features, parts, _)| {
            let path = path_of.get(parts.as_slice()).cloned().unwrap_or_default();
            Configuration {
                default: off_default(features) == 0,
                parts: part_paths(&path, parts.len()),
                path,
                features: features.clone(),
            }
        })
        .collect();
    let owners: Vec<(usize, usize, String)> =
        names.into_values().map(|((_, path), owner, first)| (owner, first, path)).collect();
    // each file's document is moved out of `documents`, not copied
    let mut files: Vec<File> = Vec::with_capacity(owners.len());
    for (owner, first, base) in owners {
        let parts = documents.get_mut(owner).map(|d| std::mem::take(&mut d.1)).unwrap_or_default();
        let mut document = documents.get_mut(first).and_then(|d| d.2.take());
        let count = parts.len();
        for (k, contents) in parts.into_iter().enumerate() {
            let path = if count > 1 { part_path(kind, item, &base, k + 1) } else { base.clone() };
            files.push(File::new(path, contents, document.take()));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Rendered {
        item: item.to_string(),
        kind,
        partition: partition.to_string(),
        files,
        configurations,
        naming: (None, None),
        params_read: Vec::new(),
    }
}

/// The file of part `k` of a split policy: part 1 is the configuration's own
/// file, part k inserts `-k` after the item's name
/// (`policy/head_node-2.scheduler-awsbatch.json`).
fn part_path(kind: OutputKind, item: &str, base: &str, k: usize) -> String {
    if k <= 1 {
        return base.to_string();
    }
    let head = format!("{}/{item}", kind.as_str());
    let rest = base.strip_prefix(&head).unwrap_or(".json");
    format!("{head}-{k}{rest}")
}

/// The name of one configuration of an item: one `.<feature>-<value>` per
/// feature whose value is not its declared default, in declaration order.
/// The default configuration is `policy/<item>.json`; adding a feature never
/// renames a configuration that keeps it at its default.
pub fn output_path(program: &Program, kind: OutputKind, item: &str, features: &BTreeMap<String, String>) -> String {
    let mut name = format!("{}/{item}", kind.as_str());
    // the configuration's features away from their defaults, in declaration
    // order (walked from the configuration's few features, not the file's)
    let mut away: Vec<(usize, &str, &str)> = features
        .iter()
        .filter(|(f, v)| program.feature(f).is_some_and(|decl| decl.default != **v))
        .filter_map(|(f, v)| program.position(f).map(|at| (at, f.as_str(), v.as_str())))
        .collect();
    away.sort_unstable();
    for (_, feature, value) in away {
        name.push('.');
        name.push_str(feature);
        name.push('-');
        name.push_str(value);
    }
    name.push_str(".json");
    name
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
    use super::*;
    use crate::documents::{Expanded, expand_documents};
    use crate::json::{RoleFacts, by_value};

    /// `render_documents` as it was, through serde_json values.
    fn by_serde_json(
        program: &Program,
        kind: OutputKind,
        item: &str,
        features: &BTreeMap<String, String>,
        config: &Config,
    ) -> Option<(Vec<String>, Option<serde_json::Value>)> {
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap() + "\n";
        Some(match expand_documents(program, kind, item, features, config, None)? {
            Expanded::Policy(parts) => (parts.iter().map(|p| pretty(&by_value::policy_document(p))).collect(), None),
            Expanded::Role(role) => {
                let document = by_value::role_properties(&role);
                (vec![pretty(&document)], Some(document))
            }
        })
    }

    /// Every document of `source` in `partitions`, written directly and
    /// through serde_json: the same bytes, and a role's facts as read back
    /// from its JSON. Returns how many documents were compared.
    fn same_as_serde_json(source: &str, partitions: &[&str]) -> usize {
        let mut db = pcl_semantics::RootDatabase::default();
        let file = pcl_semantics::SourceFile::open(&mut db, "t.pcl".into(), source.into());
        let analysis = pcl_semantics::analyze_file(&db, file);
        if analysis.has_errors() {
            return 0;
        }
        let program = &analysis.program;
        let mut compared = 0;
        for partition in partitions {
            let set: Vec<(String, String)> = if partition.is_empty() {
                Vec::new()
            } else if program.params().any(|(name, _)| name == "partition") {
                vec![("partition".into(), partition.to_string())]
            } else {
                continue;
            };
            let Ok(config) = pcl_semantics::config::configure(program, &set) else { continue };
            for rendered in crate::render_items(program, &config) {
                for c in &rendered.configurations {
                    let (parts, value) =
                        by_serde_json(program, rendered.kind, &rendered.item, &c.features, &config).unwrap();
                    let paths = if c.parts.is_empty() { vec![c.path.clone()] } else { c.parts.clone() };
                    assert_eq!(paths.len(), parts.len(), "{} {:?}", rendered.item, c.features);
                    for (path, expected) in paths.iter().zip(&parts) {
                        let file = rendered.files.iter().find(|f| f.path == *path).unwrap();
                        assert_eq!(file.contents, *expected, "{path} in {partition}");
                        if let (Some(facts), Some(value)) = (&file.role, &value) {
                            assert_eq!(*facts, RoleFacts::of_value(value), "{path} in {partition}");
                        }
                        compared += 1;
                    }
                }
            }
        }
        compared
    }

    #[test]
    fn documents_are_written_as_serde_json_prints_them() {
        let policies = include_str!("../../../policies.pcl");
        let compared = same_as_serde_json(policies, &["aws", "aws-cn", "aws-us-gov"]);
        assert!(compared > 200, "{compared} documents");
        // every fixture that checks: split policies, merged conditions and
        // principals, federated trust, ...
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut from_fixtures = 0;
        for entry in std::fs::read_dir(fixtures).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "pcl") {
                from_fixtures += same_as_serde_json(&std::fs::read_to_string(&path).unwrap(), &[""]);
            }
        }
        assert!(from_fixtures > 30, "{from_fixtures} documents");
    }
}
