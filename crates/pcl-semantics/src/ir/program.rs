//! The IR of a whole file: its items in source order, looked up by name,
//! with the params, features and constraints kept apart.

use rustc_hash::FxHashMap as HashMap;

use pcl_syntax::Span;

use super::{Cond, Feature, ItemIr, Param, ScalarType};

/// One item of a checked file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProgramItem {
    pub name: String,
    pub offset: u32,
    pub name_span: Span,
    /// The doc comment of a param, feature or constraint (empty for any
    /// other item: its docs are read from the AST where they are needed).
    pub docs: Vec<String>,
    /// Shared with the per-item analysis that produced it (never copied).
    pub ir: std::sync::Arc<ItemIr>,
}

/// A whole checked file, in source order; names are unique (duplicates are
/// reported and dropped). Built with `push`, which also keeps the positions
/// of params, features and constraints, so that iterating over them costs
/// their number, not the file's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    items: Vec<ProgramItem>,
    index: HashMap<String, usize>,
    params: Vec<usize>,
    features: Vec<usize>,
    constraints: Vec<usize>,
}

impl Program {
    /// An empty program with room for `items` items.
    pub fn with_capacity(items: usize) -> Program {
        Program {
            items: Vec::with_capacity(items),
            index: HashMap::with_capacity_and_hasher(items, Default::default()),
            ..Program::default()
        }
    }

    /// A program of `items` in this order; a name already present is skipped
    /// (its first definition wins).
    pub fn from_items(items: impl IntoIterator<Item = ProgramItem>) -> Program {
        let mut program = Program::default();
        for item in items {
            program.push(item);
        }
        program
    }

    /// Appends `item`; false (and nothing added) if its name is taken.
    pub fn push(&mut self, item: ProgramItem) -> bool {
        if self.index.contains_key(&item.name) {
            return false;
        }
        let at = self.items.len();
        match *item.ir {
            ItemIr::Param(_) => self.params.push(at),
            ItemIr::Feature(_) => self.features.push(at),
            ItemIr::Constraint { .. } => self.constraints.push(at),
            _ => {}
        }
        self.index.insert(item.name.clone(), at);
        self.items.push(item);
        true
    }

    pub fn items(&self) -> &[ProgramItem] {
        &self.items
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Where the item named `name` is in `items()`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn get(&self, name: &str) -> Option<&ProgramItem> {
        self.index.get(name).and_then(|i| self.items.get(*i))
    }

    fn at(&self, positions: &[usize]) -> impl Iterator<Item = &ProgramItem> {
        positions.iter().filter_map(|i| self.items.get(*i))
    }

    pub fn features(&self) -> impl Iterator<Item = (&str, &Feature)> {
        self.at(&self.features).filter_map(|it| match &*it.ir {
            ItemIr::Feature(f) => Some((it.name.as_str(), f)),
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
            ItemIr::Param(p) => Some((it.name.as_str(), p)),
            _ => None,
        })
    }

    pub fn constraints(&self) -> impl Iterator<Item = (&ProgramItem, &Cond, &str)> {
        self.at(&self.constraints).filter_map(|it| match &*it.ir {
            ItemIr::Constraint { cond, message } => Some((it, cond, message.as_str())),
            _ => None,
        })
    }
}
