//! The salsa database: the inputs are the `SourceFile`s and their items
//! (`ItemDef`), both kept by the driver (`files.rs`) from each file's text;
//! every other query is derived from them.

mod blocks;
mod closure;
mod configuring;
mod files;
mod findings;
#[cfg(test)]
mod header_tests;
mod item_key;
mod item_writes;
mod one_time;
mod parallel;
mod parsing;
mod patch;
mod root;
mod scope;
mod splice;
mod text_change;

use std::sync::Arc;

use pcl_syntax::ast;

use configuring::{check_configs, configuring_facts};
pub use item_key::ItemKey;
pub use item_writes::PolicyHead;
pub use parallel::{PARALLEL_FROM_BYTES, analyze_edited_file, analyze_file_parallel};
pub use parsing::{Chunk, Fragment, file_parse, parse, parse_chunk, parse_entry};
pub use root::{ExecutionLog, RootDatabase};
use scope::DbScope;
pub use text_change::{OutsideText, TextChange};

use crate::file_checks::FileAnalysis;
use crate::item_check::ItemAnalysis;
use crate::symbol_table::{Declaration, Symbols};

/// A source file: its path (for messages), its text, and its items as the
/// driver (`files.rs`) cut them. Made by [`SourceFile::open`] and changed by
/// [`SourceFile::replace_text`] only, which keep the items in step with the
/// text and give each field the durability it changes with (see `files.rs`).
#[salsa::input(debug, constructor = from_driver)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    /// The text and its parse (see `file_parse`): one field, so that an
    /// edit sets one (each write starts a revision). LOW: every edit
    /// changes it; only file-level queries read it.
    #[returns(ref)]
    source: (String, Arc<parsing::FileParse>),
    /// The items in file order, each an input of its own. HIGH: changed
    /// only when an item is added, removed, renamed or moved.
    #[returns(ref)]
    item_defs: Vec<ItemDef>,
    /// The names of the items that did not parse. HIGH, as `item_defs`.
    #[returns(ref)]
    unparsed_names: Vec<String>,
    /// What the driver keeps between edits (see `files.rs`). LOW; read by
    /// no query.
    #[returns(ref)]
    driver: files::DriverState,
    /// Whether an editor edits it (`SourceFile::open_to_edit`): its
    /// per-configuration checks then keep what they render across edits
    /// (`variant_checks/known.rs`). HIGH; set when the file is opened only.
    #[returns(ref)]
    pub editing: bool,
    /// Nothing, at LOW durability, never set again: a query that reads it
    /// is LOW from its first run (see `closure::inlined_guard_vars`). Salsa
    /// backdates an equal value only if it is as durable as before; a query
    /// whose inputs fall from MEDIUM to LOW at an item's first edit would
    /// otherwise make everything that reads it run again, equal or not.
    #[returns(copy)]
    low_floor: (),
    /// In a large file opened for one check, what the per-configuration
    /// checks of its policies and roles found, made as it was opened with
    /// no memo per item (`one_time/findings.rs`); `None` in any other file,
    /// and after an edit. LOW; read by `analyze_file` only. The driver
    /// empties it at every edit (`apply_change`): an input of the file or
    /// its items set any other way would leave it stale.
    #[returns(ref)]
    once_findings: Option<Arc<one_time::OnceFindings>>,
}

impl SourceFile {
    /// The file's text.
    pub fn text(self, db: &dyn Database) -> &String {
        &self.source(db).0
    }

    /// The names of the items that did not parse, in file order.
    pub fn broken_names(self, db: &dyn Database) -> &Vec<String> {
        self.unparsed_names(db)
    }
}

/// One top-level item: an input the driver keeps (see `files.rs`). Its
/// identity is its name (plus occurrence, for duplicates), not its position:
/// inserting an item above it keeps it, and edits inside it change its
/// `body` only.
#[salsa::input(debug, constructor = from_driver)]
pub struct ItemDef {
    /// Its file, name, kind of name and occurrence (`ItemKey`): one field
    /// (HIGH), as they rarely change, and then with the item's body (a
    /// rename, a param made a policy, a duplicate added above it), which
    /// its checks read anyway. Four fields cost a revision and a
    /// durability each in every item's input: on the 10 MB corpus, 1.3 MB.
    #[returns(ref)]
    pub key: ItemKey,
    /// The AST and, for a large item, its entries (see `ItemBody`): one
    /// field, so that a query reading both (`check_item`) has one
    /// dependency to verify after each edit, not two. MEDIUM until the item is
    /// edited, then LOW (see `files.rs`).
    #[returns(ref)]
    pub body: ItemBody,
    /// What the symbol table needs of the item: equal after an edit inside
    /// a policy's, role's or set's body, and then not set, so `symbols` is
    /// not built again. HIGH.
    #[returns(ref)]
    pub declaration: Declaration,
    /// What a role that attaches the policy reads of it (see
    /// `policy_header`): equal after an edit inside its statements, and then
    /// not set. HIGH, so the role's checks, which read it, stay HIGH too
    /// after such an edit (were it read from `body`, the first edit would
    /// lower their durability, and salsa would check the role again).
    #[returns(ref)]
    pub header: Option<Arc<PolicyHead>>,
}

/// What an item is made of: its AST, with spans relative to the item's
/// start, and a large policy's or permset's entries as they were parsed
/// (`parsing::EntryText`: top-level ones, and a block's shell and entries),
/// each with its offset in the item and its text, when it was parsed entry
/// by entry (see `check_item`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemBody {
    pub ast: Arc<ast::Item>,
    pub entries: parsing::Entries,
    /// In a file opened for one check, the item's check, made as it was
    /// opened (`one_time.rs`; `ast` is then hollow); else `None`.
    pub checked: Option<Arc<ItemAnalysis>>,
}

impl ItemDef {
    /// The AST, with spans relative to the item's start (hollow for a
    /// policy, permset or set opened for one check: `ItemBody::checked`).
    pub fn ast(self, db: &dyn Database) -> &Arc<ast::Item> {
        &self.body(db).ast
    }

    /// A large item's entries as parsed (see [`ItemBody`]); empty otherwise.
    pub fn entries(self, db: &dyn Database) -> &[parsing::EntryText] {
        &self.body(db).entries
    }
}

#[salsa::db]
pub trait Database: salsa::Database {}

#[salsa::db]
impl<T: salsa::Database> Database for T {}

/// The file's items, in file order (kept by the driver, `files.rs`).
pub fn file_items(db: &dyn Database, file: SourceFile) -> &Vec<ItemDef> {
    file.item_defs(db)
}

/// The symbol table, from the items' declarations: an edit inside a body
/// leaves every `declaration` as it was (HIGH): this is not even verified.
/// A file opened for one check has it from its parse (`one_time.rs`).
#[salsa::tracked(returns(ref))]
pub fn symbols(db: &dyn Database, file: SourceFile) -> Arc<Symbols> {
    if file.opened_once(db)
        && let Some(table) = &parsing::file_parse(db, file).symbols
    {
        return Arc::clone(table);
    }
    let declarations: Vec<(&str, &Declaration)> =
        file_items(db, file).iter().map(|item| (item.name(db).as_str(), item.declaration(db))).collect();
    Arc::new(Symbols::build(declarations, file.broken_names(db)))
}

/// Name resolution, types and local checks of one item, and its lowering.
/// A large policy's or permset's entries are checked one by one
/// (`check_entry`): an edit inside one entry re-checks that entry only.
/// Shared (`Arc`): the per-configuration checks of every policy and role
/// whose closure holds the item keep it too (cloned, the analyses were a
/// fifth of the heap of a 10 MB check).
#[salsa::tracked(returns(ref))]
pub fn check_item(db: &dyn Database, item: ItemDef) -> Arc<ItemAnalysis> {
    if let Some(checked) = &item.body(db).checked {
        return Arc::clone(checked);
    }
    let file = item.file(db);
    let scope = DbScope::to_edit(db, file);
    let entries = item.entries(db);
    if entries.is_empty() {
        return Arc::new(crate::item_check::check(item.ast(db), &scope));
    }
    let parts = |context: Option<&crate::ir::Cond>| {
        // each text's fragment as the parse interned it (a lookup)
        let fragments: Box<[Fragment<'_>]> = entries.iter().map(|entry| Fragment::new(db, &*entry.text)).collect();
        let checked = check_entries(db, EntriesCheck::new(db, file, fragments, context.cloned()));
        (entries.iter().zip(checked))
            .map(|(entry, analysis)| crate::item_check::CheckedPart {
                offset: entry.offset,
                inner: entry.inner,
                analysis,
            })
            .collect()
    };
    Arc::new(crate::item_check::check_with_parts(item.ast(db), &scope, Some(&parts)))
}

/// The entries of a large item to check, as one key: what `check_entries`
/// reads (see it).
#[salsa::interned(debug)]
pub struct EntriesCheck<'db> {
    pub file: SourceFile,
    #[returns(ref)]
    pub fragments: Box<[Fragment<'db>]>,
    #[returns(ref)]
    pub context: Option<crate::ir::Cond>,
}

/// Each entry of a large item checked (`check_entry`), in order. It reads
/// interned texts and the symbol table only, so its memo is as durable as
/// the table (HIGH), while the item's `check_item` reads the item's body,
/// whose durability falls at the item's first edit; salsa then verifies
/// every such `check_item` again, through each of its dependencies: one
/// here instead of one per entry (`policies.pcl`, a first edit of
/// `head_node`: 57 fewer).
#[salsa::tracked(returns(ref))]
pub fn check_entries<'db>(
    db: &'db dyn Database,
    entries: EntriesCheck<'db>,
) -> Vec<Arc<crate::item_check::EntryAnalysis>> {
    let (file, context) = (*entries.file(db), entries.context(db));
    let check = |fragment: &Fragment<'db>| Arc::clone(check_entry(db, EntryCheck::new(db, file, *fragment, context)));
    entries.fragments(db).iter().map(check).collect()
}

/// One entry of a large item to check (top-level, or a block's shell or one
/// of its entries: all are checked in the item's context): its text, in a
/// file (for the names it may use), inside its item's guard.
#[salsa::interned(debug)]
pub struct EntryCheck<'db> {
    pub file: SourceFile,
    pub fragment: Fragment<'db>,
    #[returns(ref)]
    pub context: Option<crate::ir::Cond>,
}

/// One entry checked on its own, spans relative to its text.
#[salsa::tracked(returns(ref))]
pub fn check_entry<'db>(db: &'db dyn Database, entry: EntryCheck<'db>) -> Arc<crate::item_check::EntryAnalysis> {
    let Some(entries) = parse_entry(db, *entry.fragment(db)) else { return Default::default() };
    let scope = DbScope::to_edit(db, *entry.file(db));
    Arc::new(crate::item_check::check_entries(entries, entry.context(db).as_ref(), &scope))
}

/// Every diagnostic of a file and its program: the file-wide checks
/// (`file_wide_checks`) and every policy's and role's per-configuration findings.
/// Not compared with its previous value (`no_eq`): nearly every edit moves
/// some span, and comparing the whole program and every diagnostic would
/// cost more than it could save.
#[salsa::tracked(returns(ref), no_eq)]
pub fn analyze_file(db: &dyn Database, file: SourceFile) -> FileAnalysis {
    let parsing = file_parse(db, file);
    let parsed = &parsing.parsed;
    let items = file_items(db, file);
    let may_expect = &parsing.mentions_expect;
    // first, as before the per-configuration checks: run cold, the item
    // checks are done there at a shallow depth of salsa's stack
    let wide = file_wide_checks(db, file);
    // in a large file, the first definitions of policies and roles whose
    // per-configuration checks found something: as the file was opened,
    // if opened for one check (`one_time/findings.rs`), else a block at a
    // time (see `blocks.rs`)
    let once = file.once_findings(db).as_deref();
    let found: Option<Vec<usize>> = match once {
        Some(once) => Some(once.places()),
        None if blocks::by_blocks(db, file) => Some({
            let mut found: Vec<usize> = blocks::item_blocks(db, file)
                .iter()
                .flat_map(|block| blocks::block_findings(db, *block))
                .copied()
                .collect();
            found.sort_unstable();
            found
        }),
        None => None,
    };
    crate::file_checks::with_findings(parsed, may_expect, wide, found.as_deref(), &|at| {
        // only for the first definition of a name (duplicates are dropped),
        // and only for policies and roles: the query of any other item is
        // empty, and each memo fetched costs a verification after an edit
        // (`with_findings` asks for first definitions only; the parse says
        // which render without reading an input per item)
        let wanted = match &found {
            // only those places are asked
            Some(_) => true,
            None => parsed.items.get(at).is_some_and(|p| p.item.kind.renders()),
        };
        match items.get(at) {
            Some(_) if let Some(once) = once => (once.at(at), true),
            Some(def) if wanted => {
                let found = variant_findings(db, *def);
                (found.findings.as_slice(), found.shows_stand_ins)
            }
            _ => (&[], false),
        }
    })
}

/// The file-wide checks over every item's checks (`file_checks::analyze`):
/// the program and its diagnostics, and whether the constraints are
/// decidable. A query of its own so that a cold analysis can run it beside
/// the per-configuration checks (`analyze_file_parallel`); `no_eq` as
/// `analyze_file`.
#[salsa::tracked(returns(ref), no_eq)]
pub fn file_wide_checks(db: &dyn Database, file: SourceFile) -> (FileAnalysis, bool) {
    let parsed = parse(db, file);
    let defaults = blocks::default_config(db, file).as_ref();
    let verdicts = || configuring::constraint_verdicts(db, file);
    // a file opened for one check reads its items whole: blocks, and their
    // memos, serve the edits it never gets
    let one_time = file.opened_once(db);
    if blocks::by_blocks(db, file) && !one_time {
        let blocks = blocks::item_blocks(db, file);
        let checks = blocks.iter().flat_map(|block| blocks::block_checks(db, *block));
        // sized first: collected from a `flat_map`, it grew by doubling (a
        // tenth of the instructions of an edit of a 10 MB file)
        let mut analyses = Vec::with_capacity(parsed.items.len());
        analyses.extend(checks.map(|analysis| &**analysis));
        let uses: Vec<&crate::uses::Uses> = blocks.iter().map(|block| blocks::block_uses(db, *block)).collect();
        let clashes = Some(blocks::deployed_clashes(db, file).as_slice());
        crate::file_checks::analyze(parsed, &analyses, symbols(db, file), &uses, (defaults, clashes), &verdicts)
    } else {
        // a one-time file's checks from its parse, where they are kept too:
        // read from each item's input, they were one dependency each of this
        // query to record (on 100 MB, 415,000 of them)
        let kept = &file_parse(db, file).checked;
        let read: Vec<Arc<ItemAnalysis>>;
        let analyses: &[Arc<ItemAnalysis>] = match one_time && kept.len() == parsed.items.len() {
            true => kept,
            false => {
                let items = file_items(db, file).iter();
                read = items.map(|item| Arc::clone(one_time::analysis_of(db, *item, one_time))).collect();
                &read
            }
        };
        let uses = blocks::whole_file_uses(db, file, (&parsed.items, analyses));
        crate::file_checks::analyze(parsed, analyses, symbols(db, file), &[&uses], (defaults, None), &verdicts)
    }
}

/// The program and the file-wide checks' diagnostics, without the
/// per-configuration checks of each policy and role (`analyze_file` adds
/// those): what a build needs to start rendering while they run.
pub fn file_wide_analysis(db: &dyn Database, file: SourceFile) -> &FileAnalysis {
    &file_wide_checks(db, file).0
}

/// File-level facts that every per-item query shares, computed once per file
/// (O(items)): which definition a name denotes, its position, and the items
/// that configure every other one. It holds no spans and no bodies, so it
/// stays equal (and salsa backdates it) when an item's body changes.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ItemIndex {
    /// The first definition of each name, and its position among the items.
    by_name: rustc_hash::FxHashMap<pcl_syntax::Name, (ItemDef, usize)>,
    /// Params, features and constraints, in declaration order, with their
    /// names and positions (read by the queries over them from here, not
    /// from each input: one dependency to verify after an edit, not one per
    /// item).
    configuring: Vec<(ItemDef, pcl_syntax::Name, usize)>,
}

impl ItemIndex {
    pub fn get(&self, name: &str) -> Option<ItemDef> {
        self.by_name.get(name).map(|(def, _)| *def)
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).map(|(_, at)| *at)
    }
}

#[salsa::tracked(returns(ref))]
pub fn item_index(db: &dyn Database, file: SourceFile) -> ItemIndex {
    let items = file_items(db, file);
    let mut by_name = rustc_hash::FxHashMap::with_capacity_and_hasher(items.len(), Default::default());
    let mut configuring = Vec::new();
    for (at, def) in items.iter().enumerate() {
        // one lookup an item, and the input's name shared, not copied
        let name = def.name(db);
        let std::collections::hash_map::Entry::Vacant(slot) = by_name.entry(*name) else { continue };
        slot.insert((*def, at));
        if def.configures(db) {
            configuring.push((*def, *name, at));
        }
    }
    ItemIndex { by_name, configuring }
}

/// The params, features and constraints, each with its checked analysis:
/// what every policy's and role's per-configuration checks read. One value,
/// so that each `variant_findings` depends on it once instead of on each of
/// these items (salsa verifies every dependency of every memo after an edit).
/// Backdated while none of them changes but for its places: each analysis
/// is held `placeless` (`policies.pcl`, a word typed in a param's doc
/// comment: 2.4M instructions, a fifth of a cold analysis, when its moved
/// spans ran every policy's per-configuration checks again).
#[salsa::tracked(returns(ref))]
pub fn configuring_items(db: &dyn Database, file: SourceFile) -> Vec<ConfiguringItem> {
    let (index, one_time) = (item_index(db, file), file.opened_once(db));
    index
        .configuring
        .iter()
        .map(|(def, name, position)| ConfiguringItem {
            def: *def,
            name: *name,
            position: *position,
            analysis: Arc::new(one_time::analysis_of(db, *def, one_time).placeless()),
        })
        .collect()
}

/// A param, feature or constraint, as `configuring_items` holds it.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ConfiguringItem {
    def: ItemDef,
    name: pcl_syntax::Name,
    position: usize,
    analysis: Arc<ItemAnalysis>,
}

/// The per-configuration checks of one policy or role. It reads the items
/// of its closure (`closure_members`), each one's checked analysis, and
/// what `configuring_facts` says of all the params, features and
/// constraints, so an edit elsewhere does not re-run it, nor does adding,
/// removing or renaming an item it does not read. Cost: the size of its
/// closure, whatever the number of params and features in the file.
#[salsa::tracked(returns(ref))]
pub fn variant_findings(db: &dyn Database, item: ItemDef) -> crate::variant_checks::ClosureFindings {
    findings::closure_findings_of(db, item, &|policy| Arc::clone(closure::inlined_guard_vars(db, policy)))
}

/// What a role that attaches a policy reads of it: its guard, its deployed
/// name and description, with no statements, and the diagnostics and
/// references of those parts (an error there, such as an unknown param in
/// the name, mutes the role's checks of what it builds from them, as it
/// mutes the policy's own): what `check_item` makes of them, checked from
/// the item's `header` alone, so that no edit inside the statements reaches
/// it. `None` for a splittable policy and for any other item.
#[salsa::tracked(returns(ref))]
pub fn policy_header(db: &dyn Database, item: ItemDef) -> Option<PolicyHeader> {
    header_analysis(db, item).map(|analysis| PolicyHeader { analysis: Arc::new(analysis) })
}

/// `policy_header`'s analysis, made anew (a file opened for one check asks
/// each once, and keeps no memo of it).
fn header_analysis(db: &dyn Database, item: ItemDef) -> Option<ItemAnalysis> {
    let head = item.header(db).as_deref()?;
    let scope = DbScope::new(db, item.file(db));
    let analysis = crate::item_check::check_policy_header(&head.name, head.when.as_deref(), &head.fields, &scope);
    Some(ItemAnalysis { recovered: head.recovered, ..analysis })
}

/// A policy as a role that attaches it sees it (see `policy_header`).
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct PolicyHeader {
    analysis: Arc<ItemAnalysis>,
}

impl PolicyHeader {
    /// The header's analysis: the policy's with its statements left out.
    pub(super) fn analysis(&self) -> &Arc<ItemAnalysis> {
        &self.analysis
    }
}
