//! What every policy's and role's per-configuration checks read of the
//! params, features and constraints, computed once per file from
//! `configuring_items`: the facts about them, their program, the
//! configurations, and the feature assignments of each set of features.

use std::sync::Arc;

use super::{ConfiguringItem, Database, SourceFile, configuring_items};
use crate::config::Config;
use crate::ir::{ItemIr, Program};
use crate::item_check::ItemAnalysis;

/// What every policy's and role's per-configuration checks need to know of
/// all the params, features and constraints, computed once per file: an
/// item's checks then read only the ones it names.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ConfiguringFacts {
    /// Each one's place in `configuring_items`, by name.
    pub(super) configuring_at: rustc_hash::FxHashMap<String, usize>,
    pub(super) partition_param: Option<String>,
    pub(super) constraints_read_partition: bool,
    /// Some param, feature or constraint has an error.
    pub(super) configuring_errors: bool,
}

#[salsa::tracked(returns(ref))]
pub fn configuring_facts(db: &dyn Database, file: SourceFile) -> ConfiguringFacts {
    let configuring = configuring_items(db, file);
    let mut configuring_at = rustc_hash::FxHashMap::default();
    for (at, c) in configuring.iter().enumerate() {
        configuring_at.entry(c.name.as_str().to_owned()).or_insert(at);
    }
    let program = &assigning_program(db, file).program;
    let partition_param = program.partition_param().map(str::to_owned);
    let constraints_read_partition =
        partition_param.as_deref().is_some_and(|p| crate::variant_checks::constraints_read(program, p));
    let configuring_errors =
        configuring.iter().any(|c| c.analysis.diagnostics.iter().any(|d| d.severity() == crate::Severity::Error));
    ConfiguringFacts { configuring_at, partition_param, constraints_read_partition, configuring_errors }
}

/// The params, features and constraints as a program of their own: what
/// the configurations and the constraints' verdicts read (the feature
/// assignments read it as `assigning_program`).
#[salsa::tracked(returns(ref))]
pub fn configuring_program(db: &dyn Database, file: SourceFile) -> Arc<Program> {
    Arc::new(Program::from_items(configuring_items(db, file).iter().map(|c| crate::ir::ProgramItem {
        name: c.name,
        offset: 0,
        name_span: c.analysis.name_span,
        ir: c.analysis.ir.clone(),
    })))
}

/// `configuring_program` as some of its readers see it: equal to another
/// that differs only in what they do not read (`Ignored`), so that such an
/// edit re-runs none of them. Shared, not copied.
#[derive(Clone, Debug, salsa::SalsaValue)]
pub struct ProgramView {
    pub(super) program: Arc<Program>,
    ignored: Ignored,
}

impl PartialEq for ProgramView {
    fn eq(&self, other: &Self) -> bool {
        self.ignored == other.ignored && same_but(&self.program, &other.program, self.ignored)
    }
}

impl Eq for ProgramView {}

/// The program as what decides the feature assignments, the constraints'
/// facts and `configuring_facts` reads it: not a param's default or
/// placeholder (a param's value comes from the configuration), nor a
/// constraint's message.
#[salsa::tracked(returns(ref))]
pub fn assigning_program(db: &dyn Database, file: SourceFile) -> ProgramView {
    ProgramView { program: Arc::clone(configuring_program(db, file)), ignored: Ignored::ValuesAndMessages }
}

/// The program as the configurations and the deployed names read it: not
/// a constraint's message, which only the constraints' verdicts read
/// (`policies.pcl`, a character typed in a constraint's message:
/// `check_configs` was 103k instructions of its 920k), nor the text inside
/// a placeholder's `<...>`s, which a configuration holds as stand-ins
/// (`ir::placeholders`; `region`'s placeholder: 110k instructions of
/// `check_configs` and 22k of `default_config` of a 700k edit).
#[salsa::tracked(returns(ref))]
pub fn messageless_program(db: &dyn Database, file: SourceFile) -> ProgramView {
    ProgramView { program: Arc::clone(configuring_program(db, file)), ignored: Ignored::Messages }
}

/// What a view of the params, features and constraints does not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ignored {
    /// Constraints' messages, and the texts inside placeholders' `<...>`s.
    Messages,
    /// Those, and params' defaults and placeholders.
    ValuesAndMessages,
}

impl Ignored {
    /// `ir` without what is ignored, or `None` when it holds none of it:
    /// what each view compares, and what the closures hold.
    fn strip(self, ir: &ItemIr) -> Option<ItemIr> {
        match ir {
            ItemIr::Constraint { cond, message } if !message.is_empty() => {
                Some(ItemIr::Constraint { cond: cond.clone(), message: Box::default() })
            }
            // what a configuration holds of it is the same whatever the
            // text inside its `<...>`s (`ir::placeholders`)
            ItemIr::Param(p) if self == Ignored::Messages && p.ty.scalar != crate::ir::ScalarType::Partition => {
                let placeholder = Some(crate::ir::placeholders::emptied(p.placeholder.as_deref()?)?);
                Some(ItemIr::Param(Box::new(crate::ir::Param { placeholder, ..(**p).clone() })))
            }
            ItemIr::Param(p)
                if self == Ignored::ValuesAndMessages && (p.default.is_some() || p.placeholder.is_some()) =>
            {
                // destructured: a field added is kept unless left out here
                let crate::ir::Param { ty, optional, refinements, default: _, placeholder: _ } = &**p;
                let (ty, optional, refinements) = (*ty, *optional, refinements.clone());
                Some(ItemIr::Param(Box::new(crate::ir::Param {
                    ty,
                    optional,
                    refinements,
                    default: None,
                    placeholder: None,
                })))
            }
            _ => None,
        }
    }
}

/// Whether two programs of params, features and constraints are the same
/// but for what is `ignored` (an item's IR shared by both, as that of every
/// item an edit left alone, is not stripped to be compared).
fn same_but(mine: &Program, theirs: &Program, ignored: Ignored) -> bool {
    fn stripped(ir: &ItemIr, ignored: Ignored) -> std::borrow::Cow<'_, ItemIr> {
        ignored.strip(ir).map_or(std::borrow::Cow::Borrowed(ir), std::borrow::Cow::Owned)
    }
    let (mine, theirs) = (mine.items(), theirs.items());
    mine.len() == theirs.len()
        && mine.iter().zip(theirs).all(|(mine, theirs)| {
            mine.name == theirs.name
                && mine.offset == theirs.offset
                && mine.name_span == theirs.name_span
                && (Arc::ptr_eq(&mine.ir, &theirs.ir) || stripped(&mine.ir, ignored) == stripped(&theirs.ir, ignored))
        })
}

/// `configuring_items` as the closure walks read them (`closure.rs`), and
/// so the per-configuration checks: without what `assigning_program`
/// ignores, a param's default and placeholder (a check reads a param's
/// value from the configuration, `configs_over`; only `config::configure`
/// reads those fields, and never on a closure's program) and a
/// constraint's message (only the constraints' verdicts read it). An edit
/// of either then leaves this equal, and no closure is walked again
/// (`policies.pcl`: 17 of them, 173k instructions of an edit of a
/// placeholder). (A derived feature or guard that tests a param's presence
/// still holds its placeholder in its condition.) One item for each of
/// `configuring_items`, in its order: `configuring_facts` places them by
/// name.
#[salsa::tracked(returns(ref))]
pub fn closure_configuring(db: &dyn Database, file: SourceFile) -> Vec<ConfiguringItem> {
    let as_walked = |c: &ConfiguringItem| match Ignored::ValuesAndMessages.strip(&c.analysis.ir) {
        Some(ir) => {
            let analysis = Arc::new(ItemAnalysis { ir: Arc::new(ir), ..(*c.analysis).clone() });
            ConfiguringItem { analysis, ..c.clone() }
        }
        None => c.clone(),
    };
    configuring_items(db, file).iter().map(as_walked).collect()
}

/// The params that the constraints read (sorted): all that deciding the
/// feature assignments reads of a configuration's params.
#[salsa::tracked(returns(ref))]
pub fn constraint_params(db: &dyn Database, file: SourceFile) -> Vec<String> {
    let program = &assigning_program(db, file).program;
    let params: rustc_hash::FxHashSet<&str> = program.params().map(|(name, _)| name).collect();
    // each constraint's variables apart: gathered in one list, each
    // constraint's would be told apart from all those before it
    let mut read = Vec::new();
    let mut vars = Vec::new();
    for (_, cond, _) in program.constraints() {
        vars.clear();
        cond.vars(&mut vars);
        read.extend(vars.drain(..).filter(|var| params.contains(var.as_str())));
    }
    read.sort();
    read.dedup();
    read
}

/// Some of a file's params, by name (sorted): those one reader of the
/// configurations reads (`configs_over`).
#[salsa::interned(debug)]
pub struct ParamsRead<'db> {
    pub file: SourceFile,
    #[returns(ref)]
    pub names: Vec<String>,
}

/// `check_configs` and `symbolic_config` (shared, not copied) as a reader
/// of some params (`names`) sees them: equal to another in which only
/// other params' values differ.
#[derive(Clone, Debug, salsa::SalsaValue)]
pub struct ConfigsOver {
    pub(super) configs: Arc<[Config]>,
    pub(super) symbolic: Option<Arc<Config>>,
    names: Vec<String>,
}

impl ConfigsOver {
    /// Whether `mine` and `theirs` agree on everything but the values of
    /// params other than `names`. (Looked up at each comparison: what is
    /// compared, copied once per reader, cost a cold analysis of
    /// `policies.pcl` 150k instructions more, and its edits more too.)
    fn alike(&self, mine: &Config, theirs: &Config) -> bool {
        mine.pins == theirs.pins
            && mine.given == theirs.given
            && self.names.iter().all(|name| mine.params.get(name) == theirs.params.get(name))
    }
}

impl PartialEq for ConfigsOver {
    fn eq(&self, other: &Self) -> bool {
        let symbolic = match (&self.symbolic, &other.symbolic) {
            (Some(mine), Some(theirs)) => self.alike(mine, theirs),
            (mine, theirs) => mine.is_none() && theirs.is_none(),
        };
        self.names == other.names
            && symbolic
            && self.configs.len() == other.configs.len()
            && self.configs.iter().zip(other.configs.iter()).all(|(mine, theirs)| self.alike(mine, theirs))
    }
}

impl Eq for ConfigsOver {}

/// The configurations as a reader of the params `read` sees them (see
/// `ConfigsOver`): what reads this (a policy's or role's `variant_findings`
/// in a file an editor edits, the feature assignments) does not run again
/// after an edit of another param's default or placeholder (`policies.pcl`,
/// `secret_name`'s placeholder: 2 of 17 `variant_findings`). Sound as long
/// as the reader reads no other param (a policy's or role's checks read
/// those of its closure, `closure_members`).
#[salsa::tracked(returns(ref))]
pub fn configs_over<'db>(db: &'db dyn Database, read: ParamsRead<'db>) -> ConfigsOver {
    let file = *read.file(db);
    let names = read.names(db);
    let (configs, symbolic) = (Arc::clone(check_configs(db, file)), symbolic_config(db, file).clone());
    // A debug build (the tests) holds only those params: a reader that
    // reads another finds it absent, and the tests that compare a file
    // opened to edit with one opened for one check (which reads the
    // configurations whole) fail, instead of an edit leaving it stale.
    #[cfg(debug_assertions)]
    let (configs, symbolic) = (
        configs.iter().map(|cfg| with_only(cfg, names)).collect(),
        symbolic.map(|cfg| Arc::new(with_only(&cfg, names))),
    );
    ConfigsOver { configs, symbolic, names: names.clone() }
}

/// `cfg` with only the params `names` (sorted).
#[cfg(debug_assertions)]
fn with_only(cfg: &Config, names: &[String]) -> Config {
    let kept = |name: &String| names.binary_search(name).is_ok();
    Config {
        pins: cfg.pins.clone(),
        params: cfg.params.iter().filter(|(name, _)| kept(name)).map(|(k, v)| (k.clone(), v.clone())).collect(),
        given: cfg.given.iter().filter(|name| kept(name)).cloned().collect(),
    }
}

/// The first configuration with the partition left symbolic
/// (`variant_checks::symbolic_config`).
#[salsa::tracked(returns(ref))]
pub fn symbolic_config(db: &dyn Database, file: SourceFile) -> Option<Arc<Config>> {
    let partition = configuring_facts(db, file).partition_param.as_deref()?;
    let program = &messageless_program(db, file).program;
    crate::variant_checks::symbolic_config(program, check_configs(db, file), partition).map(Arc::new)
}

/// What the params, features and constraints alone decide of the
/// constraints (`constraint_verdicts::constraint_verdicts`): decided once, not
/// after every edit of another item (`policies.pcl`, an edit inside
/// `head_node`: 5.5k instructions).
#[salsa::tracked(returns(ref))]
pub fn constraint_verdicts(db: &dyn Database, file: SourceFile) -> crate::constraint_verdicts::ConstraintVerdicts {
    crate::constraint_verdicts::constraint_verdicts(configuring_program(db, file))
}

/// The configurations `pcl check` checks every policy and role in
/// (`variant_checks::check_configs`), once per file.
#[salsa::tracked(returns(ref))]
pub fn check_configs(db: &dyn Database, file: SourceFile) -> Arc<[Config]> {
    crate::variant_checks::check_configs(&messageless_program(db, file).program).into()
}

/// Features whose assignments a configuration allows, in a file: the
/// configuration by its place in `check_configs`.
#[salsa::interned(debug)]
pub struct AssignmentsKey<'db> {
    pub file: SourceFile,
    #[returns(ref)]
    pub deps: Vec<String>,
    pub slot: usize,
}

/// The assignments of some features that a configuration allows
/// (`variants::configurations`): many items depend on the same features,
/// and deciding the constraints for each assignment is the costly part.
#[salsa::tracked(returns(ref))]
pub fn feature_assignments<'db>(
    db: &'db dyn Database,
    key: AssignmentsKey<'db>,
) -> Option<Vec<std::collections::BTreeMap<String, String>>> {
    let file = *key.file(db);
    let slot = *key.slot(db);
    let cfg = constraint_configs(db, file).get(slot)?;
    let facts = constraint_facts(db, ConfigSlot::new(db, file, slot)).as_ref()?;
    crate::variants::configurations_in(
        &assigning_program(db, file).program,
        key.deps(db),
        &cfg.pins,
        &cfg.params,
        facts,
    )
}

/// The configurations as the constraints read them (`configs_over` with
/// `constraint_params`): all that deciding the assignments reads of them.
fn constraint_configs(db: &dyn Database, file: SourceFile) -> &[Config] {
    &configs_over(db, *constraints_read(db, file)).configs
}

/// The params the constraints read, as a key of `configs_over`: made once
/// per file, not for each feature assignment.
#[salsa::tracked]
fn constraints_read(db: &dyn Database, file: SourceFile) -> ParamsRead<'_> {
    ParamsRead::new(db, file, constraint_params(db, file).clone())
}

/// A configuration of `check_configs`, by its place.
#[salsa::interned(debug)]
pub struct ConfigSlot<'db> {
    pub file: SourceFile,
    pub slot: usize,
}

/// What the constraints amount to under one of `check_configs`
/// (`variants::constraint_facts`): made once per configuration, so that
/// each item's assignments cost the constraints they reach, not the file's.
#[salsa::tracked(returns(ref))]
pub fn constraint_facts<'db>(db: &'db dyn Database, slot: ConfigSlot<'db>) -> Option<crate::variants::ConstraintFacts> {
    let file = *slot.file(db);
    let cfg = constraint_configs(db, file).get(*slot.slot(db))?;
    Some(crate::variants::constraint_facts(&assigning_program(db, file).program, &cfg.pins, &cfg.params))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use crate::db::{RootDatabase, SourceFile, analyze_file};

    /// The constraints' verdicts decided on the params, features and
    /// constraints alone are those of the whole program, for `policies.pcl`
    /// and every fixture.
    #[test]
    fn constraint_verdicts_of_the_configuring_items_are_the_whole_programs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut paths: Vec<_> =
            std::fs::read_dir(root.join("tests/fixtures")).unwrap().map(|e| e.unwrap().path()).collect();
        paths.retain(|p| p.extension().is_some_and(|e| e == "pcl"));
        paths.sort();
        paths.push(root.join("policies.pcl"));
        let mut with_constraints = 0;
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let mut db = RootDatabase::default();
            let file = SourceFile::open(&mut db, path.display().to_string(), text);
            let whole = crate::constraint_verdicts::constraint_verdicts(&analyze_file(&db, file).program);
            assert_eq!(*super::constraint_verdicts(&db, file), whole, "{}", path.display());
            with_constraints += usize::from(analyze_file(&db, file).program.constraints().next().is_some());
        }
        assert!(with_constraints >= 5, "only {with_constraints} files with constraints");
    }
}
