//! The per-configuration checks of one policy or role over its closure:
//! the body of the `variant_findings` query, and of the one-time path that
//! runs it with no memo per item (`one_time/findings.rs`).

use std::sync::Arc;

use super::closure::{self, ClosureMember};
use super::configuring::{
    AssignmentsKey, ParamsRead, check_configs, configs_over, configuring_facts, feature_assignments, symbolic_config,
};
use super::{Database, ItemDef};
use crate::variant_checks::{ClosureFindings, ClosureItem, FileLevel};

/// The checks of `item` (see `variant_findings`). A role that inlines
/// policies reads, of each, the variables its body's guards read:
/// `inlined_vars` says what they are (the `inlined_guard_vars` query, or
/// what a one-time pass found of the policy already).
pub(super) fn closure_findings_of(
    db: &dyn Database,
    item: ItemDef,
    inlined_vars: &dyn Fn(ItemDef) -> Arc<[String]>,
) -> ClosureFindings {
    let file = item.file(db);
    let own = &*closure::for_checks(db, item);
    if own.members.is_empty() {
        return ClosureFindings::default();
    }
    // a role that inlines policies: what their bodies' guards read, and the
    // params and features among those
    let (inlined, extra) = match own.inlined.is_empty() {
        true => Default::default(),
        false => closure::inlined_members(db, item, own, inlined_vars),
    };
    let facts = configuring_facts(db, file);
    let mut members: Vec<&ClosureMember> = own.members.iter().chain(&extra).collect();
    if !extra.is_empty() {
        members.sort_by_key(|member| member.position);
    }
    // a file an editor edits: the configurations as the params of the
    // closure see them, so that an edit of another param's default or
    // placeholder leaves these checks as they are (a file opened for one
    // check is not edited: the configurations themselves)
    let (configs, symbolic): (&[crate::config::Config], _) = match file.opened_once(db) {
        true => (check_configs(db, file), symbolic_config(db, file).as_deref()),
        false => {
            let params = members.iter().filter(|m| matches!(*m.analysis.ir, crate::ir::ItemIr::Param(_)));
            let mut names: Vec<String> = params.map(|m| m.name.as_str().to_owned()).collect();
            names.sort();
            let over = configs_over(db, ParamsRead::new(db, file, names));
            (&over.configs, over.symbolic.as_deref())
        }
    };
    let closure: Vec<ClosureItem<'_>> = members.into_iter().map(ClosureMember::item).collect();
    // keyed by the configuration's place, not its values: a configuration
    // holds every param and feature, and copying and hashing it for every
    // item made a file's checks grow as items × params
    let assignments = |deps: &[String], _: &crate::config::Config, slot: usize| {
        let key = AssignmentsKey::new(db, file, deps.to_vec(), slot);
        feature_assignments(db, key).as_deref().map(std::borrow::Cow::Borrowed)
    };
    let file_level = FileLevel {
        configs,
        assignments: &assignments,
        partition_param: facts.partition_param.as_deref(),
        constraints_read_partition: facts.constraints_read_partition,
        constraint_params: super::configuring::constraint_params(db, file),
        symbolic,
        configuring_errors: facts.configuring_errors,
        keeps_renderings: *file.editing(db),
    };
    crate::variant_checks::closure_findings(item.name(db), (&closure, &inlined), &file_level)
}
