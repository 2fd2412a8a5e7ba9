//! The per-configuration checks of one policy or role over its closure:
//! the body of the `variant_findings` query, and of the one-time path that
//! runs it with no memo per item (`one_time/findings.rs`).

use std::sync::Arc;

use super::closure::{self, ClosureMember};
use super::configuring::{AssignmentsKey, check_configs, configuring_facts, feature_assignments};
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
    let closure: Vec<ClosureItem<'_>> = members.into_iter().map(ClosureMember::item).collect();
    // keyed by the configuration's place, not its values: a configuration
    // holds every param and feature, and copying and hashing it for every
    // item made a file's checks grow as items × params
    let assignments = |deps: &[String], _: &crate::config::Config, slot: usize| {
        let key = AssignmentsKey::new(db, file, deps.to_vec(), slot);
        feature_assignments(db, key).as_deref().map(std::borrow::Cow::Borrowed)
    };
    let file_level = FileLevel {
        configs: check_configs(db, file),
        assignments: &assignments,
        partition_param: facts.partition_param.as_deref(),
        constraints_read_partition: facts.constraints_read_partition,
        symbolic: facts.symbolic.as_ref(),
        configuring_errors: facts.configuring_errors,
        keeps_renderings: *file.editing(db),
    };
    crate::variant_checks::closure_findings(item.name(db), (&closure, &inlined), &file_level)
}
