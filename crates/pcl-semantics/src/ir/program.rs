//! The IR of a whole file: its items in source order, looked up by name,
//! with the params, features and constraints kept apart.

use pcl_syntax::Span;

use super::{Cond, Feature, ItemIr, Param, ScalarType};

/// One item of a checked file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProgramItem {
    /// Shared with the AST's (a count, not a copy, after every edit).
    pub name: pcl_syntax::Name,
    pub offset: u32,
    pub name_span: Span,
    /// Shared with the per-item analysis that produced it (never copied).
    pub ir: std::sync::Arc<ItemIr>,
}

/// A whole checked file, in source order; names are unique (duplicates are
/// reported and dropped). Built with `push`, which also keeps the positions
/// of params, features and constraints, so that iterating over them costs
/// their number, not the file's.
#[derive(Clone, Debug, Default)]
pub struct Program {
    items: Vec<ProgramItem>,
    /// Positions in `items`, hashed by the item's name: the names are not
    /// copied again (this is built for every item after every edit).
    index: hashbrown::HashTable<u32>,
    /// The doc comments of the params and features that have one, by their
    /// place in `items` (shared with the AST): what `index.json` shows. Kept
    /// apart, not in every item (16 bytes an item, 0.7 MB on 10 MB).
    docs: Vec<(u32, std::sync::Arc<[String]>)>,
    params: Vec<u32>,
    features: Vec<u32>,
    constraints: Vec<u32>,
    /// How many policies and roles it holds (what sizes the table of
    /// deployed names, `deployed_names::name_clashes`).
    deployables: usize,
    /// The params, features and sets (what may go unused), with what each
    /// is: the unused-item warnings read these instead of every item's IR
    /// (on a large file, one cache miss an item after every edit).
    /// (Places as `u32` and kinds as a byte: 8 bytes an entry, where
    /// `(usize, &str)` took 24, a megabyte of a 10 MB check.)
    usable: Vec<(u32, Usable)>,
    /// The constraints grouped by the variables they share, made on first
    /// use (what deciding an assignment of some features reads).
    grouping: crate::lazy::Lazy<super::Grouping>,
}

/// A large program's items are freed on another thread (`drop_aside`):
/// after an edit, the old program goes as the new one is checked.
impl Drop for Program {
    fn drop(&mut self) {
        if self.items.len() >= crate::drop_aside::ASIDE_FROM {
            crate::drop_aside::drop_aside(std::mem::take(&mut self.items));
        }
    }
}

/// Equal items (and doc comments) make equal programs (the index is built
/// from them).
impl PartialEq for Program {
    fn eq(&self, other: &Program) -> bool {
        self.items == other.items && self.docs == other.docs
    }
}

impl Eq for Program {}

/// What an item that may go unused is (`Program::usable`).
#[derive(Clone, Copy, Debug)]
enum Usable {
    Param,
    Feature,
    Permset,
    Actionset,
    Valueset,
}

impl Usable {
    fn name(self) -> &'static str {
        match self {
            Usable::Param => "param",
            Usable::Feature => "feature",
            Usable::Permset => "permset",
            Usable::Actionset => "actionset",
            Usable::Valueset => "valueset",
        }
    }
}

fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

impl Program {
    /// An empty program with room for `items` items.
    pub fn with_capacity(items: usize) -> Program {
        let mut program = Program::default();
        program.items.reserve_exact(items);
        program.index.reserve(items, |_| 0);
        // params, features and sets are most of a large file's items: grown
        // push by push, this list was copied again and again after every edit
        program.usable.reserve_exact(items);
        program
    }

    /// A program of `items` in this order; a name already present is skipped
    /// (its first definition wins).
    pub fn from_items(items: impl IntoIterator<Item = ProgramItem>) -> Program {
        let items = items.into_iter();
        // sized first (a policy's closure after each edit grew it push by push)
        let mut program = Program::with_capacity(items.size_hint().0);
        for item in items {
            program.push(item);
        }
        program
    }

    /// `push`, with the item's doc comment (kept for a param or feature).
    pub fn push_documented(&mut self, item: ProgramItem, docs: &std::sync::Arc<[String]>) -> bool {
        let documented = !docs.is_empty() && matches!(*item.ir, ItemIr::Param(_) | ItemIr::Feature(_));
        let at = u32::try_from(self.items.len()).ok();
        let added = self.push(item);
        if let Some(at) = at.filter(|_| added && documented) {
            self.docs.push((at, std::sync::Arc::clone(docs)));
        }
        added
    }

    /// The doc comment of the param or feature named `name` (none for
    /// any other item).
    pub fn docs(&self, name: &str) -> &[String] {
        let Some(at) = self.position(name).and_then(|at| u32::try_from(at).ok()) else { return &[] };
        // pushed in the order of their places
        let found = self.docs.binary_search_by_key(&at, |(place, _)| *place).ok();
        found.and_then(|i| self.docs.get(i)).map_or(&[], |(_, docs)| &**docs)
    }

    /// Appends `item`; false (and nothing added) if its name is taken.
    pub fn push(&mut self, item: ProgramItem) -> bool {
        let Ok(at) = u32::try_from(self.items.len()) else { return false };
        let items = &self.items;
        match self.index.entry(
            name_hash(&item.name),
            |i| items.get(*i as usize).is_some_and(|it| it.name == item.name),
            |i| items.get(*i as usize).map_or(0, |it| name_hash(&it.name)),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => return false,
            hashbrown::hash_table::Entry::Vacant(slot) => slot.insert(at),
        };
        let kind = match *item.ir {
            ItemIr::Param(_) => {
                self.params.push(at);
                Some(Usable::Param)
            }
            ItemIr::Feature(_) => {
                self.features.push(at);
                Some(Usable::Feature)
            }
            ItemIr::Derived(_) => Some(Usable::Feature),
            ItemIr::Permset(_) => Some(Usable::Permset),
            ItemIr::Actionset(_) => Some(Usable::Actionset),
            ItemIr::Valueset(_) => Some(Usable::Valueset),
            ItemIr::Constraint { .. } => {
                self.constraints.push(at);
                // made from the constraints: made again if asked for
                self.grouping = Default::default();
                None
            }
            ItemIr::Policy { .. } | ItemIr::Role { .. } => {
                self.deployables += 1;
                None
            }
        };
        self.usable.extend(kind.map(|kind| (at, kind)));
        self.items.push(item);
        true
    }

    /// How many policies and roles it holds.
    pub fn deployables(&self) -> usize {
        self.deployables
    }

    /// The params, features (derived too) and sets, each with its place in
    /// `items()` and what it is ("param", "feature", "permset", ...).
    pub fn usable(&self) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        self.usable.iter().map(|&(at, kind)| (at as usize, kind.name()))
    }

    pub fn items(&self) -> &[ProgramItem] {
        &self.items
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Where the item named `name` is in `items()`.
    pub fn position(&self, name: &str) -> Option<usize> {
        let found = self.index.find(name_hash(name), |i| self.items.get(*i as usize).is_some_and(|it| it.name == name));
        found.map(|i| *i as usize)
    }

    pub fn get(&self, name: &str) -> Option<&ProgramItem> {
        self.position(name).and_then(|i| self.items.get(i))
    }

    fn at(&self, positions: &[u32]) -> impl Iterator<Item = &ProgramItem> {
        positions.iter().filter_map(|i| self.items.get(*i as usize))
    }

    /// The feature named `name` (by hash: names are unique in a program).
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        match self.get(name).map(|it| &*it.ir) {
            Some(ItemIr::Feature(f)) => Some(f),
            _ => None,
        }
    }

    /// The param named `name` (by hash, as `feature`).
    pub fn param(&self, name: &str) -> Option<&Param> {
        match self.get(name).map(|it| &*it.ir) {
            Some(ItemIr::Param(p)) => Some(p),
            _ => None,
        }
    }

    pub fn features(&self) -> impl Iterator<Item = (&str, &Feature)> {
        self.at(&self.features).filter_map(|it| match &*it.ir {
            ItemIr::Feature(f) => Some((it.name.as_str(), &**f)),
            _ => None,
        })
    }

    /// A scalar param of type `partition`: the one param guards may compare.
    /// The first param of type `partition` (what the per-configuration
    /// checks vary, once per partition), if there is one.
    pub fn partition_param(&self) -> Option<&str> {
        self.params().map(|(n, _)| n).find(|n| self.is_partition_param(n))
    }

    pub fn is_partition_param(&self, name: &str) -> bool {
        matches!(self.get(name).map(|i| &*i.ir), Some(ItemIr::Param(p)) if !p.ty.list && p.ty.scalar == ScalarType::Partition)
    }

    pub fn params(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.at(&self.params).filter_map(|it| match &*it.ir {
            ItemIr::Param(p) => Some((it.name.as_str(), &**p)),
            _ => None,
        })
    }

    /// The constraint at `at` in the order of `constraints`.
    pub fn constraint(&self, at: usize) -> Option<&Cond> {
        match &*self.items.get(*self.constraints.get(at)? as usize)?.ir {
            ItemIr::Constraint { cond, .. } => Some(cond),
            _ => None,
        }
    }

    /// The constraints grouped by the variables they share, numbered in the
    /// order of `constraints`.
    pub(crate) fn constraint_grouping(&self) -> &super::Grouping {
        self.grouping.get_or_init(|| super::Grouping::build(self.constraints().map(|(_, c, _)| c)))
    }

    pub fn constraints(&self) -> impl Iterator<Item = (&ProgramItem, &Cond, &str)> {
        self.at(&self.constraints).filter_map(|it| match &*it.ir {
            ItemIr::Constraint { cond, message } => Some((it, cond, &**message)),
            _ => None,
        })
    }
}
