//! The writes of one item's input (see `files.rs`, the driver): which of
//! its fields changed, and the durability each is set with.

use std::sync::Arc;

use pcl_syntax::{Name, ast};
use salsa::{Durability, Setter};

use super::parsing::FileParse;
use super::{ItemBody, ItemDef, RootDatabase, SourceFile};
use crate::symbol_table::Declaration;

/// An item as a text cuts it.
pub(super) struct Cut {
    pub(super) name: Name,
    pub(super) configures: bool,
    pub(super) occurrence: u32,
    pub(super) body: ItemBody,
    pub(super) declaration: Declaration,
    pub(super) header: Option<std::sync::Arc<PolicyHead>>,
}

impl Cut {
    /// The `at`-th item of a parse, with its occurrence.
    pub(super) fn of(parse: &FileParse, at: usize, p: &pcl_syntax::ParsedItem, occurrence: u32) -> Cut {
        let entries = parse.entries.get(at).map_or_else(super::parsing::no_entries, std::sync::Arc::clone);
        let checked = parse.checked.get(at).cloned();
        Cut {
            name: p.item.name().name,
            configures: p.item.kind.configures(),
            occurrence,
            body: ItemBody { ast: std::sync::Arc::clone(&p.item), entries, checked },
            declaration: Declaration::of(&p.item),
            header: PolicyHead::of(&p.item),
        }
    }
}

/// The durability of a body not edited (or no longer: see `files.rs`,
/// `EDITED_AT_MOST`): HIGH for a param, feature or constraint, edited or
/// not (see `update_item`); MEDIUM for any other item. The first edit of a policy then
/// leaves every memo that read only params, features and constraints
/// (their checks, the configurations, the feature assignments, the blocks
/// of them at the top of a file) as valid in one comparison, unvisited.
pub(super) fn unedited_body(declaration: &Declaration) -> Durability {
    match declaration {
        Declaration::Configuring(_) => Durability::HIGH,
        Declaration::Other { .. } => Durability::MEDIUM,
    }
}

/// In a file of fewer items, a valueset's or actionset's body not yet
/// edited stays MEDIUM when an edit changes its doc comments only. What the
/// policies that splice a set read of it (`closure_members`, which compares
/// a set without its places) is then equal, but salsa backdates an equal
/// value only if its durability did not fall: lowered to LOW, the set had
/// every policy that splices it checked again (`policies.pcl`, a word typed
/// in the doc comment of `parallelcluster_roles`: 8.3 % of a cold
/// analysis). Kept MEDIUM, such an edit verifies every MEDIUM memo, as the
/// first edit of any item does: cheap in a small file. In a large file, and
/// at an edit of its values, the set's body falls to LOW as any other's.
/// (Two other ways cost more: a set's reading made LOW from its first run
/// taxed every edit of every item 0.1-0.4 % of a cold analysis, and a set
/// kept MEDIUM at every edit made each edit of its values verify every
/// MEDIUM memo, 0.7 % more.)
pub(super) const SETS_STAY_MEDIUM_BELOW_ITEMS: usize = 256;

/// An edit of a valueset's or actionset's doc comments only (see
/// `SETS_STAY_MEDIUM_BELOW_ITEMS`).
fn docs_only(db: &RootDatabase, def: ItemDef, cut: &Cut) -> bool {
    cut.body.ast.same_set_but_docs(&def.body(db).ast)
}

/// Which fields of a kept item differ from its new cut.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Changes {
    body: bool,
    configures: bool,
    declaration: bool,
    header: bool,
}

impl Changes {
    pub(super) fn of(db: &RootDatabase, def: ItemDef, cut: &Cut) -> Changes {
        Changes {
            body: !same_parse(def.body(db), &cut.body),
            configures: def.configures(db) != cut.configures,
            declaration: !def.declaration(db).declares_same(&cut.declaration),
            header: *def.header(db) != cut.header,
        }
    }

    /// Whether setting them writes a MEDIUM or HIGH input (a body not yet
    /// LOW, or any other field).
    pub(super) fn is_high_write(self, edited_before: bool) -> bool {
        self.configures || self.declaration || self.header || (self.body && !edited_before)
    }
}

/// Sets the fields of a kept item that changed; an edited body is LOW, a
/// param's, feature's or constraint's HIGH: LOW, it lowered
/// `configuring_items`, which salsa then did not backdate, equal or not, and
/// every policy was checked again (MEDIUM, it would verify nearly every memo
/// as HIGH does). Such a write verifies every memo: about 4 % of a cold
/// analysis of `policies.pcl`, what an edit of a constraint's message costs.
/// In a `small` file a MEDIUM valueset's or actionset's stays MEDIUM when
/// only its doc comments changed, for the same reason (see
/// `SETS_STAY_MEDIUM_BELOW_ITEMS`).
pub(super) fn update_item(
    db: &mut RootDatabase,
    def: ItemDef,
    cut: Cut,
    changes: Changes,
    edited: &mut Vec<ItemDef>,
    small: bool,
) {
    if changes.body {
        let durability = match cut.declaration {
            Declaration::Configuring(_) => unedited_body(&cut.declaration),
            Declaration::Other { .. } if small && !edited.contains(&def) && docs_only(db, def, &cut) => {
                Durability::MEDIUM
            }
            Declaration::Other { .. } => Durability::LOW,
        };
        def.set_body(db).with_durability(durability).to(cut.body);
        if durability == Durability::LOW && !edited.contains(&def) {
            edited.push(def);
        }
    }
    if changes.configures {
        let key = super::ItemKey { configures: cut.configures, ..def.key(db).clone() };
        def.set_key(db).to(key);
    }
    if changes.declaration {
        def.set_declaration(db).to(cut.declaration);
    }
    if changes.header {
        def.set_header(db).to(cut.header);
    }
}

/// Whether two bodies are equal: the same parse (a chunk's text unchanged,
/// its parse shared), or a chunk parsed again alike (only the blank lines
/// after the item changed, as when an item is added below it). An item
/// whose extent changed (nearly every edit inside it) is not compared:
/// its AST differs, and a whole comparison can walk most of it.
fn same_parse(old: &ItemBody, new: &ItemBody) -> bool {
    if std::sync::Arc::ptr_eq(&old.ast, &new.ast) && std::sync::Arc::ptr_eq(&old.entries, &new.entries) {
        return true;
    }
    let extent = |body: &ItemBody| body.ast.span.end.saturating_sub(body.ast.span.start);
    extent(old) == extent(new) && old == new
}

/// A new item's input, every field HIGH.
pub(super) fn new_item(db: &RootDatabase, file: SourceFile, cut: Cut) -> ItemDef {
    let body_durability = unedited_body(&cut.declaration);
    let key = super::ItemKey { file, name: cut.name, configures: cut.configures, occurrence: cut.occurrence };
    ItemDef::builder(key, cut.body, cut.declaration, cut.header)
        .durability(Durability::HIGH)
        .body_durability(body_durability)
        .new(db)
}

/// An input of an item gone, given to a new item: every field that differs
/// set (each write starts a revision), HIGH.
pub(super) fn reuse_item(db: &mut RootDatabase, def: ItemDef, cut: Cut) -> ItemDef {
    let key = super::ItemKey { name: cut.name, configures: cut.configures, occurrence: cut.occurrence, ..*def.key(db) };
    if *def.key(db) != key {
        def.set_key(db).with_durability(Durability::HIGH).to(key);
    }
    // set even if equal: it may be LOW
    def.set_body(db).with_durability(unedited_body(&cut.declaration)).to(cut.body);
    if *def.declaration(db) != cut.declaration {
        def.set_declaration(db).with_durability(Durability::HIGH).to(cut.declaration);
    }
    if *def.header(db) != cut.header {
        def.set_header(db).with_durability(Durability::HIGH).to(cut.header);
    }
    def
}

/// The parts of a policy's AST outside its statements, spans relative to
/// the policy's name (`ast::Policy::head_from_name`: an edit of its doc
/// comment leaves the head equal, and the roles that read it unvisited):
/// `None` for a splittable policy (its statements decide how many parts a
/// role attaches) and for any other item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyHead {
    pub name: ast::Ident,
    pub when: Option<Box<ast::Expr>>,
    pub fields: Vec<ast::ItemField>,
    /// The policy was read without its broken statements
    /// (`ast::Item::recovered`): a role that inlines it reads its guards'
    /// variables as found without them, so it reports no empty list.
    pub recovered: bool,
}

impl PolicyHead {
    pub fn of(item: &ast::Item) -> Option<Arc<PolicyHead>> {
        let ast::ItemKind::Policy(policy) = &item.kind else { return None };
        if policy.splittable {
            return None;
        }
        let (name, when, fields) = policy.head_from_name();
        let head = PolicyHead { name, when, fields, recovered: item.recovered };
        Some(Arc::new(head))
    }
}
