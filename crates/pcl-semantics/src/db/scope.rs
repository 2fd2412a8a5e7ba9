//! What an item's check reads of the symbol table: the params, features and
//! constraints as one value (`configuring_scope`: nearly every item reads
//! some of them, and they change seldom), and any other name one at a time,
//! each a query of its own (`name_facts`). So a check depends on the sets,
//! policies and roles it names, not on the whole table: an edit that adds,
//! removes or renames one of those changes the table, every `name_facts`
//! memo is computed again (one per name, cheap) and found equal but for the
//! names that changed, and only the checks that read those run again. (A
//! change to a param's, feature's or constraint's signature re-checks
//! every item; a param's placeholder or default, only the param and the
//! checks that test whether it has a value, which read that by name, as
//! they read a derived feature.)
//!
//! A file opened for one check (`SourceFile::open`, not `open_to_edit`) is
//! never edited by its opener: its checks read the symbol table itself, and
//! no name is interned nor memoized on its own (on the 10 MB corpus those
//! memos and interned names were 8.6 MB of a 194 MB heap). Should such a
//! file be edited after all, the checks are still right: they depend on the
//! whole table, and run again whenever it changes.

use std::cell::RefCell;

use pcl_syntax::Name;

use super::{Database, SourceFile, symbols};
use crate::ir::{Cond, ParamType};
use crate::symbol_table::{ConfiguringScope, ConstraintFacts, NameFacts, Scope, SuggestFrom, Symbol, Symbols};

/// A name as the items of one file use it.
#[salsa::interned(debug)]
pub struct NameInFile<'db> {
    pub file: SourceFile,
    #[returns(ref)]
    pub name: Name,
}

/// What the file's symbol table says of one name.
#[salsa::tracked(returns(ref))]
pub fn name_facts<'db>(db: &'db dyn Database, name: NameInFile<'db>) -> NameFacts {
    symbols(db, *name.file(db)).facts(name.name(db))
}

/// What the file's symbol table says of its params, features and
/// constraints: equal while none of them changes.
#[salsa::tracked(returns(ref))]
pub fn configuring_scope(db: &dyn Database, file: SourceFile) -> ConfiguringScope {
    symbols(db, file).configuring_scope()
}

/// The symbol table as one check reads it: through `name_facts`, each name
/// fetched once per check (a guard's check asks for a variable's domain once
/// per assignment it weighs).
pub enum DbScope<'db> {
    /// A file an editor edits: each name through its own query.
    ByName(ByName<'db>),
    /// A file opened for one check: the symbol table itself.
    Whole(&'db Symbols),
}

/// The scope of a file an editor edits (see `DbScope`).
pub struct ByName<'db> {
    db: &'db dyn Database,
    file: SourceFile,
    configuring: &'db ConfiguringScope,
    fetched: RefCell<rustc_hash::FxHashMap<Name, &'db NameFacts>>,
}

impl<'db> DbScope<'db> {
    pub fn new(db: &'db dyn Database, file: SourceFile) -> Self {
        if file.opened_once(db) {
            return DbScope::Whole(symbols(db, file));
        }
        DbScope::to_edit(db, file)
    }

    /// The scope of a file opened to edit, its mode not read: what
    /// `check_item` takes for an item with no check made as it was opened
    /// (a file opened for one check has one for every item, `one_time.rs`),
    /// and `check_entry` for an entry of such an item. Reading the mode would
    /// be one more dependency of every check, to verify after every first
    /// edit (`head_node`'s: 2.8k instructions).
    pub fn to_edit(db: &'db dyn Database, file: SourceFile) -> Self {
        let configuring = configuring_scope(db, file);
        DbScope::ByName(ByName { db, file, configuring, fetched: Default::default() })
    }
}

impl<'db> ByName<'db> {
    fn facts(&self, name: &str) -> &'db NameFacts {
        match self.configuring.names.get(name) {
            Some(facts) => facts,
            None => self.fetch(name),
        }
    }

    /// A param's presence, which `ConfiguringScope` leaves out, through the
    /// param's own query: read by the guards that test it only. Any other
    /// name has none, and is not fetched (one more dependency of every
    /// guard's check to verify).
    fn presence(&self, name: &str) -> Option<Cond> {
        match self.configuring.names.get(name) {
            Some(NameFacts { symbol: Some(Symbol::Param(Some(ParamType { list: false, .. }))), .. }) => {
                self.fetch(name).presence.clone()
            }
            _ => None,
        }
    }

    /// `name`'s facts through its own query.
    fn fetch(&self, name: &str) -> &'db NameFacts {
        if let Some(facts) = self.fetched.borrow().get(name) {
            return facts;
        }
        let name = Name::from(name);
        let facts = name_facts(self.db, NameInFile::new(self.db, self.file, name));
        self.fetched.borrow_mut().insert(name, facts);
        facts
    }
}

impl Scope for DbScope<'_> {
    fn get(&self, name: &str) -> Option<&Symbol> {
        match self {
            DbScope::ByName(scope) => scope.facts(name).symbol.as_ref(),
            DbScope::Whole(symbols) => symbols.get(name),
        }
    }

    fn is_optional(&self, name: &str) -> bool {
        match self {
            DbScope::ByName(scope) => scope.facts(name).optional,
            DbScope::Whole(symbols) => symbols.is_optional(name),
        }
    }

    fn presence(&self, name: &str) -> Option<Cond> {
        match self {
            DbScope::ByName(scope) => scope.presence(name),
            DbScope::Whole(symbols) => symbols.presence(name),
        }
    }

    fn constraints(&self) -> &ConstraintFacts {
        match self {
            DbScope::ByName(scope) => &scope.configuring.constraints,
            DbScope::Whole(symbols) => Scope::constraints(*symbols),
        }
    }

    fn suggestion_candidates(&self, name: &str, from: SuggestFrom) -> Vec<&str> {
        match self {
            DbScope::ByName(scope) => symbols(scope.db, scope.file).suggestion_candidates(name, from),
            DbScope::Whole(symbols) => symbols.suggestion_candidates(name, from),
        }
    }
}
