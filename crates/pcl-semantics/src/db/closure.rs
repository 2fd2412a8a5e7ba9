//! What a policy's or role's per-configuration checks read of the file:
//! the firewall (`closure_members`) between `variant_findings` and the
//! file's index, which every added, removed or renamed item changes.

use super::configuring::closure_configuring;
use super::one_time::analysis_of;
use super::{Database, ItemDef, configuring_facts, item_index, policy_header};
use crate::item_check::ItemAnalysis;

/// An item that a policy's or role's per-configuration checks read, and
/// the analysis of it they read (its `check_item`, the
/// `closure_configuring` copy of a param's, feature's or constraint's, or
/// the `policy_header` of a policy a role attaches or inlines).
/// Held here, not fetched again by `variant_findings`: one dependency
/// to verify after an edit, not one per member.
#[derive(Clone, Debug, salsa::SalsaValue)]
pub struct ClosureMember {
    /// Its name, held here: read from its input, it would be one more
    /// dependency of `variant_findings` per member to verify after an edit.
    pub(super) name: pcl_syntax::Name,
    /// A set's places are not part of the member's equality: see it.
    pub(super) analysis: std::sync::Arc<ItemAnalysis>,
    /// Its place among the file's items (the closure is in that order).
    pub(super) position: usize,
}

/// Two members are equal when they hold the same item and the same
/// analysis of it, a valueset's or actionset's compared without its places
/// (`ItemAnalysis::set_placeless`): the per-configuration checks place what
/// they find at the splice, in the policy or permset that splices the set,
/// never in the set. A closure whose sets only moved (a word typed in a
/// set's doc comment) is then equal, salsa backdates it, and no policy that
/// splices the set is checked again. (The first such edit would lower the
/// set's body to LOW, and salsa backdates an equal value only if its
/// durability did not fall: in a small file the driver keeps it MEDIUM,
/// see `item_writes::SETS_STAY_MEDIUM_BELOW_ITEMS`.)
impl PartialEq for ClosureMember {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.position == other.position && same_reading(&self.analysis, &other.analysis)
    }
}

impl Eq for ClosureMember {}

/// What the per-configuration checks read of an item is the same in both
/// analyses (see `ClosureMember`'s equality).
fn same_reading(mine: &std::sync::Arc<ItemAnalysis>, theirs: &std::sync::Arc<ItemAnalysis>) -> bool {
    if std::sync::Arc::ptr_eq(mine, theirs) {
        return true;
    }
    match (mine.set_placeless(), theirs.set_placeless()) {
        (Some(mine), Some(theirs)) => mine == theirs,
        (None, None) => mine == theirs,
        _ => false,
    }
}

impl ClosureMember {
    /// The member as `variant_checks` reads it.
    pub(super) fn item(&self) -> crate::variant_checks::ClosureItem<'_> {
        crate::variant_checks::ClosureItem { name: &self.name, analysis: &self.analysis }
    }
}

/// The items a policy's or role's per-configuration checks read
/// (`closure_members`), and the policies a role inlines whose bodies'
/// guards it reads (`inlined_members`).
#[derive(Clone, Debug, Default, PartialEq, Eq, salsa::SalsaValue)]
pub struct Closure {
    pub(super) members: Vec<ClosureMember>,
    /// The policies the item (a role) inlines by their headers, in the
    /// closure's order.
    pub(super) inlined: Vec<ItemDef>,
}

/// The items a policy's or role's per-configuration checks read, in
/// declaration order (all those checks need of their positions): the item,
/// the partition param and what they reference transitively, found by name
/// through the file's index; empty for any other item. The firewall between those checks and the
/// file's index: adding, removing or renaming an item changes the index
/// (and every position after it), but leaves this list equal, and salsa
/// backdates it, for every item whose closure it is not in. Not what the
/// bodies of a role's inline policies read (`inlined_members`).
#[salsa::tracked(returns(ref))]
pub fn closure_members(db: &dyn Database, item: ItemDef) -> Closure {
    closure_of(db, item, false)
}

/// The closure a policy's or role's checks read: kept (`closure_members`)
/// in a file an editor edits, the firewall between an edit and those checks;
/// made and dropped in a file opened for one check (`SourceFile::open`),
/// where no edit is to be compared against and a memo per policy and role
/// would only be kept (on the 10 MB corpus, 22,000 of them held 6.6 MB).
pub(super) fn for_checks(db: &dyn Database, item: ItemDef) -> std::borrow::Cow<'_, Closure> {
    match item.file(db).opened_once(db) {
        false => std::borrow::Cow::Borrowed(closure_members(db, item)),
        true => std::borrow::Cow::Owned(closure_of(db, item, true)),
    }
}

/// `one_time`: the item's file is opened for one check (see `analysis_of`).
fn closure_of(db: &dyn Database, item: ItemDef, one_time: bool) -> Closure {
    // the item's own kind, from its declaration: reading the symbol table
    // would make every item's checks depend on every name in the file
    if !item.declaration(db).renders() {
        return Closure::default();
    }
    // A role reads of a policy it attaches or inlines only the header (and
    // of one it inlines, the variables its body's guards read:
    // `inlined_members`): an edit inside that policy's statements leaves
    // the role's findings as they are, and they are not computed again. (A
    // role's own checks do not expand its inline policies: each is checked
    // as a policy itself.)
    let policies = role_policies(analysis_of(db, item, one_time));
    let mut walk = ClosureWalk::new(db, item, policies, one_time);
    walk.todo.push(*item.name(db));
    walk.todo.extend(walk.facts.partition_param.as_deref().map(pcl_syntax::Name::new));
    walk.run();
    let mut inlined: Vec<(usize, ItemDef)> = walk.inlined;
    inlined.sort_by_key(|(position, _)| *position);
    Closure { members: sorted(walk.found), inlined: inlined.into_iter().map(|(_, def)| def).collect() }
}

/// What a role reads of the bodies of the policies it inlines by their
/// headers (`closure.inlined`): the variables their guards read
/// (`inlined_guard_vars`, in the closure's order of the policies), which
/// its renderings vary with, and the params and features among them, with
/// what they reference, that its own closure (`closure.members`) does not
/// hold. Read by the role's `variant_findings` itself, not by
/// `closure_members`: see `inlined_guard_vars`.
pub(super) fn inlined_members(
    db: &dyn Database,
    role: ItemDef,
    closure: &Closure,
    inlined_vars: &dyn Fn(ItemDef) -> std::sync::Arc<[String]>,
) -> (Vec<String>, Vec<ClosureMember>) {
    // each once, in order; by hash, not a search of the list per variable
    // (a policy guarded by 80,000 features took 15 s)
    let mut vars: Vec<String> = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    let read: Vec<std::sync::Arc<[String]>> = closure.inlined.iter().map(|policy| inlined_vars(*policy)).collect();
    for var in read.iter().flat_map(|vars| vars.iter()) {
        if seen.insert(var.as_str()) {
            vars.push(var.clone());
        }
    }
    // the params and features the bodies' guards read, which their headers
    // do not reference (a name that is none of those is left out, as the
    // body's own checks report it); most are in the role's closure already,
    // and then nothing more is read (each read is one more dependency to
    // verify after a first edit, for every such role of the file)
    let facts = configuring_facts(db, role.file(db));
    let members: rustc_hash::FxHashSet<&str> = closure.members.iter().map(|m| m.name.as_str()).collect();
    let in_closure = |var: &str| members.contains(var);
    if !vars.iter().any(|var| facts.configuring_at.contains_key(var.as_str()) && !in_closure(var)) {
        return (vars, Vec::new());
    }
    // it reaches params, features and constraints (read from
    // `closure_configuring`), and other items only through a wrong reference
    // (a derived feature that names a policy); `variant_findings` reads the
    // file's mode anyway (`for_checks`)
    let one_time = role.file(db).opened_once(db);
    let mut walk = ClosureWalk::new(db, role, Default::default(), one_time);
    walk.seen.extend(closure.members.iter().map(|m| m.name));
    let (facts, configuring) = (walk.facts, walk.configuring);
    let named = vars.iter().filter_map(|var| configuring.get(*facts.configuring_at.get(var.as_str())?));
    walk.todo.extend(named.map(|c| c.name).filter(|name| !walk.seen.contains(name)));
    walk.run();
    (vars, walk.found)
}

/// Members found, in declaration order.
fn sorted(mut found: Vec<ClosureMember>) -> Vec<ClosureMember> {
    found.sort_by_key(|member| member.position);
    found
}

/// A walk by name over what items reference, from the file's index.
struct ClosureWalk<'db> {
    db: &'db dyn Database,
    index: &'db super::ItemIndex,
    configuring: &'db [super::ConfiguringItem],
    facts: &'db super::configuring::ConfiguringFacts,
    /// The policies the walk's item (a role) attaches or inlines, each with
    /// whether it inlines it.
    policies: rustc_hash::FxHashMap<&'db str, bool>,
    /// Names, as the references hold them: turned back into a `Name` for
    /// each member found, the text of every name was interned again (on
    /// 100 MB, 3.9 % of a check).
    todo: Vec<pcl_syntax::Name>,
    seen: rustc_hash::FxHashSet<pcl_syntax::Name>,
    found: Vec<ClosureMember>,
    /// The policies inlined by their headers, with their positions.
    inlined: Vec<(usize, ItemDef)>,
    /// The file is opened for one check (see `analysis_of`).
    one_time: bool,
}

impl<'db> ClosureWalk<'db> {
    /// A walk in `item`'s file; `policies` and `one_time`: see the fields.
    fn new(
        db: &'db dyn Database,
        item: ItemDef,
        policies: rustc_hash::FxHashMap<&'db str, bool>,
        one_time: bool,
    ) -> Self {
        let file = item.file(db);
        ClosureWalk {
            db,
            index: item_index(db, file),
            configuring: closure_configuring(db, file),
            facts: configuring_facts(db, file),
            policies,
            todo: Vec::new(),
            seen: Default::default(),
            found: Vec::new(),
            inlined: Vec::new(),
            one_time,
        }
    }

    /// Walks every name in `todo` and what it references, not yet seen. A
    /// name is marked seen as it is queued: an item's references repeat
    /// names (a param in every ARN), and each is then queued once, with one
    /// lookup (an edit of a set that six policies use: 88k instructions of
    /// walks, before).
    fn run(&mut self) {
        let mut todo = std::mem::take(&mut self.todo);
        todo.retain(|name| self.seen.insert(*name));
        while let Some(name) = todo.pop() {
            let Some((position, analysis)) = self.find(name) else { continue };
            for name in analysis.refs.iter().map(|r| r.name) {
                if self.seen.insert(name) {
                    todo.push(name);
                }
            }
            self.found.push(ClosureMember { name, analysis, position });
        }
    }

    /// The item of that name: its position and the analysis read of it.
    fn find(&mut self, name: pcl_syntax::Name) -> Option<(usize, std::sync::Arc<ItemAnalysis>)> {
        let (db, name) = (self.db, name.as_str());
        if let Some(c) = self.facts.configuring_at.get(name).and_then(|at| self.configuring.get(*at)) {
            return Some((c.position, std::sync::Arc::clone(&c.analysis)));
        }
        let def = self.index.get(name)?;
        let position = self.index.position(name).unwrap_or(usize::MAX);
        let inlined = self.policies.get(name).copied();
        Some(match inlined.and_then(|_| self.header(def)) {
            Some(header) => {
                if inlined == Some(true) {
                    self.inlined.push((position, def));
                }
                (position, header)
            }
            None => (position, std::sync::Arc::clone(analysis_of(db, def, self.one_time))),
        })
    }

    /// The analysis of a policy's header (`policy_header`): in a file
    /// opened for one check made anew, with no memo (a role reads each of
    /// its policies once).
    fn header(&self, policy: ItemDef) -> Option<std::sync::Arc<ItemAnalysis>> {
        match self.one_time {
            true => super::header_analysis(self.db, policy).map(std::sync::Arc::new),
            false => policy_header(self.db, policy).as_ref().map(|h| std::sync::Arc::clone(h.analysis())),
        }
    }
}

/// The files whose `inlined_guard_vars` are LOW from their first run have
/// fewer items than this (a file's item list is a HIGH input: a file that
/// crosses it is a HIGH write, which verifies every memo anyway).
const LOW_GUARD_VARS_BELOW_ITEMS: usize = 256;

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
/// guard: the roles' checks are then not run again.
///
/// In a small file, LOW from its first run (it reads `SourceFile::
/// low_floor`): a policy's first edit lowers its per-configuration checks
/// from MEDIUM to LOW, and salsa backdates an equal value only if its
/// durability did not fall. MEDIUM, this query would not be backdated
/// then, and every role that inlines the policy would be checked again
/// (80k instructions of a first edit inside `head_node`, 6 % of a cold
/// analysis of `policies.pcl`). Read by the role's `variant_findings` only,
/// not by `closure_members`: the LOW queries, which salsa verifies after
/// every edit, are those two (6-15k instructions an edit of
/// `policies.pcl`, whose 5 roles inline policies). In a large file, where
/// that would verify every role after every edit (the 10 MB corpus: 19M
/// -> 44M instructions a next edit), it stays MEDIUM, and a role runs
/// again at the first edit of a policy it inlines.
#[salsa::tracked(returns(ref))]
pub fn inlined_guard_vars(db: &dyn Database, policy: ItemDef) -> std::sync::Arc<[String]> {
    let file = policy.file(db);
    if super::file_items(db, file).len() < LOW_GUARD_VARS_BELOW_ITEMS {
        file.low_floor(db);
    }
    super::variant_findings(db, policy).vars.as_slice().into()
}
