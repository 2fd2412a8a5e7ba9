//! What a policy's or role's per-configuration checks read of the file:
//! the firewall (`closure_members`) between `variant_findings` and the
//! file's index, which every added, removed or renamed item changes.

use super::{Database, ItemDef, check_item, configuring_facts, configuring_items, item_index, policy_header};
use crate::item_check::ItemAnalysis;

/// An item that a policy's or role's per-configuration checks read, and
/// the analysis of it they read (its `check_item`, the
/// `configuring_items` copy of a param's, feature's or constraint's, or
/// the `policy_header` of a policy a role attaches and does not inline).
/// Held here, not fetched again by `variant_findings`: one dependency
/// to verify after an edit, not one per member.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ClosureMember {
    pub(super) def: ItemDef,
    pub(super) analysis: std::sync::Arc<ItemAnalysis>,
}

/// The items a policy's or role's per-configuration checks read, in
/// declaration order (all those checks need of their positions): the item,
/// the partition param and what they reference transitively, found by name
/// through the file's index; empty for any other item. The firewall between those checks and the
/// file's index: adding, removing or renaming an item changes the index
/// (and every position after it), but leaves this list equal, and salsa
/// backdates it, for every item whose closure it is not in.
#[salsa::tracked(returns(ref))]
pub fn closure_members<'db>(db: &'db dyn Database, item: ItemDef) -> Vec<ClosureMember> {
    let file = item.file(db);
    // the item's own kind, from its declaration: reading the symbol table
    // would make every item's checks depend on every name in the file
    if !item.declaration(db).renders() {
        return Vec::new();
    }
    let index = item_index(db, file);
    let configuring = configuring_items(db, file);
    let facts = configuring_facts(db, file);
    // A role reads of a policy it attaches (and does not inline) only the
    // header: an edit inside that policy's statements leaves the role's
    // findings as they are, and they are not computed again.
    let attached_only = attached_only_policies(check_item(db, item));
    let find = |name: &str| -> Option<(ItemDef, usize, &'db std::sync::Arc<ItemAnalysis>)> {
        if let Some(c) = facts.configuring_at.get(name).and_then(|at| configuring.get(*at)) {
            return Some((c.def, c.position, &c.analysis));
        }
        let def = index.get(name)?;
        let position = index.position(name).unwrap_or(usize::MAX);
        let header = attached_only.contains(name).then(|| policy_header(db, def).as_ref()).flatten();
        Some((def, position, header.map_or_else(|| check_item(db, def), |h| &h.analysis)))
    };
    let mut todo: Vec<&str> = vec![item.name(db).as_str()];
    todo.extend(facts.partition_param.as_deref());
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut found: Vec<(usize, ClosureMember)> = Vec::new();
    while let Some(name) = todo.pop() {
        if seen.contains(name) {
            continue;
        }
        let Some((def, position, analysis)) = find(name) else { continue };
        seen.insert(name);
        todo.extend(analysis.refs.iter().map(|r| r.name.as_str()).filter(|n| !seen.contains(n)));
        found.push((position, ClosureMember { def, analysis: std::sync::Arc::clone(analysis) }));
    }
    found.sort_by_key(|(position, _)| *position);
    found.into_iter().map(|(_, member)| member).collect()
}

/// The policies a role attaches and does not inline (empty for any other item).
fn attached_only_policies(analysis: &ItemAnalysis) -> rustc_hash::FxHashSet<&str> {
    let crate::ir::ItemIr::Role { role, .. } = &*analysis.ir else { return Default::default() };
    let inlined: rustc_hash::FxHashSet<&str> = role.inline.iter().map(|r| r.policy.as_str()).collect();
    role.attach.iter().map(|r| r.policy.as_str()).filter(|p| !inlined.contains(p)).collect()
}
