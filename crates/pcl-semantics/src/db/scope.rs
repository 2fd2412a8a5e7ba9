//! What an item's check reads of the symbol table: the params, features and
//! constraints as one value (`configuring_scope`: nearly every item reads
//! some of them, and they change seldom), and any other name one at a time,
//! each a query of its own (`name_facts`). So a check depends on the sets,
//! policies and roles it names, not on the whole table: an edit that adds,
//! removes or renames one of those changes the table, every `name_facts`
//! memo is computed again (one per name, cheap) and found equal but for the
//! names that changed, and only the checks that read those run again. (A
//! change to a param, feature or constraint re-checks every item.)

use std::cell::RefCell;

use pcl_syntax::SmolStr;

use super::{Database, SourceFile, symbols};
use crate::ir::Cond;
use crate::symbol_table::{ConfiguringScope, ConstraintFacts, NameFacts, Scope, SuggestFrom, Symbol};

/// A name as the items of one file use it.
#[salsa::interned(debug)]
pub struct NameInFile<'db> {
    pub file: SourceFile,
    #[returns(ref)]
    pub name: SmolStr,
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
pub struct DbScope<'db> {
    db: &'db dyn Database,
    file: SourceFile,
    configuring: &'db ConfiguringScope,
    fetched: RefCell<rustc_hash::FxHashMap<SmolStr, &'db NameFacts>>,
}

impl<'db> DbScope<'db> {
    pub fn new(db: &'db dyn Database, file: SourceFile) -> Self {
        DbScope { db, file, configuring: configuring_scope(db, file), fetched: Default::default() }
    }

    fn facts(&self, name: &str) -> &'db NameFacts {
        if let Some(facts) = self.configuring.names.get(name) {
            return facts;
        }
        if let Some(facts) = self.fetched.borrow().get(name) {
            return facts;
        }
        let name = SmolStr::from(name);
        let facts = name_facts(self.db, NameInFile::new(self.db, self.file, name.clone()));
        self.fetched.borrow_mut().insert(name, facts);
        facts
    }
}

impl Scope for DbScope<'_> {
    fn get(&self, name: &str) -> Option<&Symbol> {
        self.facts(name).symbol.as_ref()
    }

    fn is_optional(&self, name: &str) -> bool {
        self.facts(name).optional
    }

    fn presence(&self, name: &str) -> Option<Cond> {
        self.facts(name).presence.clone()
    }

    fn constraints(&self) -> &ConstraintFacts {
        &self.configuring.constraints
    }

    fn suggestion_candidates(&self, name: &str, from: SuggestFrom) -> Vec<&str> {
        symbols(self.db, self.file).suggestion_candidates(name, from)
    }
}
