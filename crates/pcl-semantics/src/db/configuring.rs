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
        name: c.name,
        offset: 0,
        name_span: c.analysis.name_span,
        ir: c.analysis.ir.clone(),
    }))
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
