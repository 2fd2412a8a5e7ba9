//! What a policy's or role's per-configuration checks read of the file:
//! the firewall (`closure_members`) between `variant_findings` and the
//! file's index, which every added, removed or renamed item changes.

use super::{Database, ItemDef, check_item, configuring_facts, configuring_items, item_index, policy_header};
use crate::item_check::ItemAnalysis;

/// An item that a policy's or role's per-configuration checks read, and
/// the analysis of it they read (its `check_item`, the
/// `configuring_items` copy of a param's, feature's or constraint's, or
/// the `policy_header` of a policy a role attaches or inlines).
/// Held here, not fetched again by `variant_findings`: one dependency
/// to verify after an edit, not one per member.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ClosureMember {
    /// Its name, held here: read from its input, it would be one more
    /// dependency of `variant_findings` per member to verify after an edit.
    pub(super) name: pcl_syntax::SmolStr,
    pub(super) analysis: std::sync::Arc<ItemAnalysis>,
    /// For a policy a role inlines, held by its header: the variables its
    /// body's guards read (`inlined_guard_vars`), which the role's
    /// renderings vary with.
    pub(super) body_vars: Option<std::sync::Arc<[String]>>,
}

impl ClosureMember {
    /// The member as `variant_checks` reads it.
    pub(super) fn item(&self) -> crate::variant_checks::ClosureItem<'_> {
        crate::variant_checks::ClosureItem {
            name: &self.name,
            analysis: &self.analysis,
            body_vars: self.body_vars.as_deref(),
        }
    }
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
    // A role reads of a policy it attaches or inlines only the header (and
    // of one it inlines, the variables its body's guards read): an edit
    // inside that policy's statements leaves the role's findings as they
    // are, and they are not computed again. (A role's own checks do not
    // expand its inline policies: each is checked as a policy itself.)
    let policies = role_policies(check_item(db, item));
    type Found<'db> = (usize, &'db std::sync::Arc<ItemAnalysis>, Option<&'db std::sync::Arc<[String]>>);
    let find = |name: &str| -> Option<Found<'db>> {
        if let Some(c) = facts.configuring_at.get(name).and_then(|at| configuring.get(*at)) {
            return Some((c.position, &c.analysis, None));
        }
        let def = index.get(name)?;
        let position = index.position(name).unwrap_or(usize::MAX);
        let inlined = policies.get(name).copied();
        Some(match inlined.and_then(|_| policy_header(db, def).as_ref()) {
            Some(h) => (position, &h.analysis, (inlined == Some(true)).then(|| inlined_guard_vars(db, def))),
            None => (position, check_item(db, def), None),
        })
    };
    let mut todo: Vec<&str> = vec![item.name(db).as_str()];
    todo.extend(facts.partition_param.as_deref());
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut found: Vec<(usize, ClosureMember)> = Vec::new();
    while let Some(name) = todo.pop() {
        if seen.contains(name) {
            continue;
        }
        let Some((position, analysis, body_vars)) = find(name) else { continue };
        seen.insert(name);
        todo.extend(analysis.refs.iter().map(|r| r.name.as_str()).filter(|n| !seen.contains(n)));
        // the params and features an inlined body's guards read, which its
        // header does not reference: the role's configurations vary over
        // them (a name that is none of those is left out, as the body's own
        // checks report it)
        let configuring_vars = body_vars.iter().flat_map(|vars| vars.iter()).map(String::as_str);
        todo.extend(configuring_vars.filter(|n| facts.configuring_at.contains_key(*n) && !seen.contains(n)));
        let body_vars = body_vars.cloned();
        let member = ClosureMember { name: name.into(), analysis: std::sync::Arc::clone(analysis), body_vars };
        found.push((position, member));
    }
    found.sort_by_key(|(position, _)| *position);
    found.into_iter().map(|(_, member)| member).collect()
}

/// The policies a role attaches or inlines, each with whether it inlines
/// it (empty for any other item).
fn role_policies(analysis: &ItemAnalysis) -> rustc_hash::FxHashMap<&str, bool> {
    let crate::ir::ItemIr::Role { role, .. } = &*analysis.ir else { return Default::default() };
    let attached = role.attach.iter().map(|r| (r.policy.as_str(), false));
    attached.chain(role.inline.iter().map(|r| (r.policy.as_str(), true))).collect()
}

/// The variables (features and params) read by the guards of a policy and
/// of what it uses: what a role that inlines it reads of its body, taken
/// from the policy's own per-configuration checks, which ran over them
/// (found once: walked here as well, they were 10k of an edit inside
/// `head_node`). Equal, and backdated, after an edit that changes no
/// guard: the role's checks are then not run again.
#[salsa::tracked(returns(ref))]
pub fn inlined_guard_vars(db: &dyn Database, policy: ItemDef) -> std::sync::Arc<[String]> {
    super::variant_findings(db, policy).vars.as_slice().into()
}
