//! What an item's check reads of the symbol table (`Scope`): a name's
//! facts, the params', features' and constraints' as one value, and the
//! constraints together. The database answers through queries
//! (`db::scope::DbScope`), `Symbols` from itself.

use pcl_syntax::Name;

use super::{SuggestFrom, Symbol, Symbols};
use crate::ir::{Cond, ParamType, ScalarType};

/// What an item's check reads of the symbol table, name by name and the
/// constraints: the database answers each name with a query of its own
/// (`name_facts`), so an item's check depends on the names it used, and an
/// edit that adds or renames another item leaves it alone. `Symbols`
/// answers from itself (for checks outside the database).
pub trait Scope {
    fn get(&self, name: &str) -> Option<&Symbol>;

    /// Whether `name` is a param declared optional (`arn?`).
    fn is_optional(&self, name: &str) -> bool;

    /// `when NAME` for a scalar param (see [`Symbols::presence`]).
    fn presence(&self, name: &str) -> Option<Cond>;

    fn constraints(&self) -> &ConstraintFacts;

    /// The names of class `from` worth weighing as a suggestion for `name`
    /// (the whole table: asked only for a name it does not know, or of
    /// another kind).
    fn suggestion_candidates(&self, name: &str, from: SuggestFrom) -> Vec<&str>;

    /// The values a guard variable ranges over (see [`Symbols::domain`]).
    fn domain(&self, var: &str) -> Option<std::borrow::Cow<'_, [String]>> {
        domain_of(self.get(var)?)
    }
}

impl Scope for Symbols {
    fn get(&self, name: &str) -> Option<&Symbol> {
        Symbols::get(self, name)
    }

    fn is_optional(&self, name: &str) -> bool {
        Symbols::is_optional(self, name)
    }

    fn presence(&self, name: &str) -> Option<Cond> {
        Symbols::presence(self, name)
    }

    fn constraints(&self) -> &ConstraintFacts {
        &self.constraints
    }

    fn suggestion_candidates(&self, name: &str, from: SuggestFrom) -> Vec<&str> {
        Symbols::suggestion_candidates(self, name, from)
    }

    fn domain(&self, var: &str) -> Option<std::borrow::Cow<'_, [String]>> {
        Symbols::domain(self, var)
    }
}

/// What the symbol table says of one name: equal after an edit that adds,
/// removes or renames another item, so the checks that read it are reused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameFacts {
    pub symbol: Option<Symbol>,
    pub optional: bool,
    pub presence: Option<Cond>,
}

/// What the table says of every param, feature and constraint, by name,
/// and of the constraints together: what nearly every item's check reads,
/// as one value (see `db::scope`). Without their `presence`: a param with
/// a placeholder only is present when its value is not that placeholder,
/// and with it here, an edit of the placeholder re-checked every item
/// (`policies.pcl`, `secret_name`'s: 54 `check_item`s run again). Without
/// the derived features, whose conditions may test such a presence
/// (`region`'s placeholder: every item).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfiguringScope {
    pub names: rustc_hash::FxHashMap<Name, NameFacts>,
    pub constraints: ConstraintFacts,
}

/// The constraints, in the order of their names, grouped by the features
/// they share, and whether they hold together: equal while no param,
/// feature or constraint changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConstraintFacts {
    pub(super) named: Vec<(String, Cond)>,
    pub(super) groups: crate::constraint_groups::ConstraintGroups,
    pub(super) satisfiable: bool,
}

impl ConstraintFacts {
    /// Whether some configuration is known to satisfy every constraint.
    pub fn satisfiable(&self) -> bool {
        self.satisfiable
    }

    /// The constraints grouped by the features they share, numbered in the
    /// order of `named`.
    pub(crate) fn groups(&self) -> &crate::constraint_groups::ConstraintGroups {
        &self.groups
    }

    /// The constraints with their names, in the order of their names.
    pub fn named(&self) -> impl Iterator<Item = (&str, &Cond)> {
        self.named.iter().map(|(name, c)| (name.as_str(), c))
    }

    /// The constraint at `at` in the order of `named`.
    pub(crate) fn at(&self, at: usize) -> Option<(&str, &Cond)> {
        self.named.get(at).map(|(name, c)| (name.as_str(), c))
    }
}

/// A symbol's domain as a guard variable (see [`Symbols::domain`]).
pub(super) fn domain_of(symbol: &Symbol) -> Option<std::borrow::Cow<'_, [String]>> {
    match symbol {
        Symbol::Feature { domain, .. } => Some(std::borrow::Cow::Borrowed(domain)),
        Symbol::Param(Some(ParamType { list: false, scalar: ScalarType::Partition })) => {
            Some(std::borrow::Cow::Owned(crate::iam::PARTITIONS.iter().map(|s| s.to_string()).collect()))
        }
        _ => None,
    }
}
