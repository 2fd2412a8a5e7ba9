//! The per-configuration checks of a large file opened for one check, run
//! as it is opened, outside any query: each policy's and role's findings
//! are `variant_findings`'s (the same function, `closure_findings_of`),
//! but no memo is kept per item, nor the reads each memo would record.
//!
//! Why: those memos and their dependency lists were the largest part of
//! what the analysis added to the peak of a check (about 11 MB of the 10 MB
//! corpus's heap), kept for the edits such a file never gets. What is kept
//! is the findings of the items that found something (`OnceFindings`, a
//! field of the file), which `analyze_file` reads instead of each item's
//! query. An edit of the file empties the field (`files.rs`), and the
//! queries run again as for any other file.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::super::closure::inlined_guard_vars;
use super::super::findings::closure_findings_of;
use super::super::parallel::share_out_map;
use super::super::{ItemDef, RootDatabase, SourceFile, blocks::reports_findings, file_items};
use crate::symbol_table::{Declaration, OtherKind};
use crate::variant_checks::Finding;

/// What the per-configuration checks of a file's policies and roles found:
/// the items that found something, by their places in the file
/// (`file_items`), in order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OnceFindings {
    found: Vec<(usize, Vec<Finding>)>,
}

impl OnceFindings {
    /// The places of the items that found something, in order.
    pub(in crate::db) fn places(&self) -> Vec<usize> {
        self.found.iter().map(|(at, _)| *at).collect()
    }

    /// What the item at `at` found (nothing, for any item that found
    /// nothing or does not render).
    pub(in crate::db) fn at(&self, at: usize) -> &[Finding] {
        let found = self.found.binary_search_by_key(&at, |(place, _)| *place).ok();
        found.and_then(|i| self.found.get(i)).map_or(&[], |(_, findings)| findings.as_slice())
    }
}

/// An item and its place in the file.
type Placed<'i> = (usize, &'i ItemDef);

/// Runs the checks of every policy and role that is the first of its name
/// (the items `analyze_file` reports findings of), as `threads` tasks on
/// rayon's pool. The policies go first: a role that inlines a policy reads
/// the variables its guards read, which the policy's checks found.
pub(in crate::db) fn run(db: &RootDatabase, file: SourceFile, threads: usize) -> OnceFindings {
    let items = file_items(db, file);
    let kind = |item: ItemDef| match item.declaration(db) {
        Declaration::Other { kind } => Some(*kind),
        Declaration::Configuring(_) => None,
    };
    let reporting = items.iter().enumerate().filter(|(_, item)| reports_findings(db, **item));
    let (policies, roles): (Vec<Placed<'_>>, Vec<Placed<'_>>) =
        reporting.partition(|(_, item)| kind(**item) == Some(OtherKind::Policy));
    // a policy inlines nothing: no variables are asked of another
    let none = |_: ItemDef| -> Arc<[String]> { Arc::from(Vec::new()) };
    let checked_policies = share_out_map(db, threads, &policies, |db, (_, item)| {
        let found = closure_findings_of(db, **item, &none);
        (found.findings, Arc::<[String]>::from(found.vars))
    });
    let vars: FxHashMap<ItemDef, &Arc<[String]>> =
        policies.iter().zip(&checked_policies).map(|((_, item), (_, vars))| (**item, vars)).collect();
    let checked_roles = share_out_map(db, threads, &roles, |db, (_, item)| {
        // a role inlines the first policy of a name, checked above; any
        // other (none, unless the index and this list disagree) asked of
        // the query
        let inlined = |policy: ItemDef| match vars.get(&policy) {
            Some(vars) => Arc::clone(vars),
            None => Arc::clone(inlined_guard_vars(db, policy)),
        };
        closure_findings_of(db, **item, &inlined).findings
    });
    let policies_found = policies.iter().zip(checked_policies.into_iter().map(|(found, _)| found));
    let roles_found = roles.iter().zip(checked_roles);
    let mut found: Vec<(usize, Vec<Finding>)> = policies_found
        .chain(roles_found)
        .filter(|(_, findings)| !findings.is_empty())
        .map(|((at, _), findings)| (*at, findings))
        .collect();
    found.sort_unstable_by_key(|(at, _)| *at);
    OnceFindings { found }
}
