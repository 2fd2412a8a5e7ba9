//! The scope a streamed check reads (`stream.rs`): the table built from what
//! the chunks declare, noting which names the checks look up (as bits of a
//! 64-bit filter) and whether they weigh suggestions (which read the whole
//! table). Should that table turn out not to be the file's (a broken item),
//! only the chunks whose checks read a name whose symbol differs, or
//! weighed suggestions, are checked again, not the whole file.

use std::borrow::Cow;
use std::cell::Cell;
use std::hash::BuildHasher;

use crate::ir::Cond;
use crate::symbol_table::{ConstraintFacts, Scope, SuggestFrom, Symbol, Symbols};

/// What the checks of a chunk read of the table, beyond its params',
/// features' and constraints' facts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Reads {
    /// The names looked up, each as one bit (`bit`).
    names: u64,
    /// Whether a "did you mean" weighed the names of the whole table.
    suggestions: bool,
}

impl Reads {
    /// The reads of these names.
    pub(super) fn of_names(names: &[pcl_syntax::Name]) -> Reads {
        Reads { names: names.iter().fold(0, |bits, name| bits | bit(name.as_str())), suggestions: false }
    }

    /// Whether checks that read `self` may read differently where the
    /// names of `differing` changed (a false yes costs a check again).
    pub(super) fn meet(self, differing: Reads) -> bool {
        self.suggestions || self.names & differing.names != 0
    }
}

/// A name's bit: one of 64, by the top bits of its hash.
fn bit(name: &str) -> u64 {
    1 << (rustc_hash::FxBuildHasher.hash_one(name) >> 58)
}

/// `table`, with the reads of the checks since the last `take`.
pub(super) struct Watched<'t> {
    table: &'t Symbols,
    reads: Cell<Reads>,
}

impl<'t> Watched<'t> {
    pub(super) fn new(table: &'t Symbols) -> Self {
        Watched { table, reads: Cell::default() }
    }

    /// The reads so far, and none from here on.
    pub(super) fn take(&self) -> Reads {
        self.reads.take()
    }

    fn note(&self, name: &str) {
        let reads = self.reads.get();
        self.reads.set(Reads { names: reads.names | bit(name), ..reads });
    }
}

impl Scope for Watched<'_> {
    fn get(&self, name: &str) -> Option<&Symbol> {
        self.note(name);
        self.table.get(name)
    }

    fn is_optional(&self, name: &str) -> bool {
        self.note(name);
        self.table.is_optional(name)
    }

    fn presence(&self, name: &str) -> Option<Cond> {
        self.note(name);
        self.table.presence(name)
    }

    fn constraints(&self) -> &ConstraintFacts {
        Scope::constraints(self.table)
    }

    fn suggestion_candidates(&self, name: &str, from: SuggestFrom) -> Vec<&str> {
        self.reads.set(Reads { suggestions: true, ..self.reads.get() });
        self.table.suggestion_candidates(name, from)
    }

    fn domain(&self, var: &str) -> Option<Cow<'_, [String]>> {
        self.note(var);
        self.table.domain(var)
    }
}
