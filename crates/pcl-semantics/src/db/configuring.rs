//! What every policy's and role's per-configuration checks read of the
//! params, features and constraints, computed once per file from
//! `configuring_items`: the facts about them, their program, the
//! configurations, and the feature assignments of each set of features.

use super::{Database, SourceFile, configuring_items};

/// What every policy's and role's per-configuration checks need to know of
/// all the params, features and constraints, computed once per file: an
/// item's checks then read only the ones it names.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ConfiguringFacts {
    /// Each one's place in `configuring_items`, by name.
    pub(super) configuring_at: rustc_hash::FxHashMap<String, usize>,
    pub(super) partition_param: Option<String>,
    pub(super) constraints_read_partition: bool,
    /// The first configuration with the partition left symbolic.
    pub(super) symbolic: Option<crate::config::Config>,
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
    let program = configuring_program(db, file);
    let partition_param = program.partition_param().map(str::to_owned);
    let constraints_read_partition =
        partition_param.as_deref().is_some_and(|p| crate::variant_checks::constraints_read(program, p));
    let symbolic =
        partition_param.as_deref().and_then(|p| crate::variant_checks::symbolic_config(check_configs(db, file), p));
    let configuring_errors =
        configuring.iter().any(|c| c.analysis.diagnostics.iter().any(|d| d.severity() == crate::Severity::Error));
    ConfiguringFacts { configuring_at, partition_param, constraints_read_partition, symbolic, configuring_errors }
}

/// The params, features and constraints as a program of their own: what
/// the configurations and feature assignments of every item read.
#[salsa::tracked(returns(ref))]
pub fn configuring_program(db: &dyn Database, file: SourceFile) -> crate::ir::Program {
    crate::ir::Program::from_items(configuring_items(db, file).iter().map(|c| crate::ir::ProgramItem {
        name: c.name.clone(),
        offset: 0,
        name_span: c.analysis.name_span,
        docs: Vec::new(),
        ir: c.analysis.ir.clone(),
    }))
}

/// The configurations `pcl check` checks every policy and role in
/// (`variant_checks::check_configs`), once per file.
#[salsa::tracked(returns(ref))]
pub fn check_configs(db: &dyn Database, file: SourceFile) -> Vec<crate::config::Config> {
    crate::variant_checks::check_configs(configuring_program(db, file))
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
    let cfg = check_configs(db, file).get(slot)?;
    let facts = constraint_facts(db, ConfigSlot::new(db, file, slot)).as_ref()?;
    crate::variants::configurations_in(configuring_program(db, file), key.deps(db), &cfg.pins, &cfg.params, facts)
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
    let cfg = check_configs(db, file).get(*slot.slot(db))?;
    Some(crate::variants::constraint_facts(configuring_program(db, file), &cfg.pins, &cfg.params))
}
