//! What identifies an item's input: its file, name, kind of name and
//! occurrence, one field of `ItemDef`.

use super::{Database, ItemDef, SourceFile};

/// What identifies an item (see `ItemDef`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemKey {
    pub file: SourceFile,
    pub name: pcl_syntax::Name,
    /// A param, feature or constraint (what configures every other item):
    /// kept here so that `item_index` reads it without depending on the
    /// item's AST.
    pub configures: bool,
    /// How many items of the same name come before it (0 for all but
    /// duplicates).
    pub occurrence: u32,
}

impl ItemDef {
    pub fn file(self, db: &dyn Database) -> SourceFile {
        self.key(db).file
    }

    pub fn name(self, db: &dyn Database) -> &pcl_syntax::Name {
        &self.key(db).name
    }

    /// A param, feature or constraint (see `ItemKey::configures`).
    pub fn configures(self, db: &dyn Database) -> bool {
        self.key(db).configures
    }

    /// How many items of the same name come before it.
    pub fn occurrence(self, db: &dyn Database) -> u32 {
        self.key(db).occurrence
    }
}
