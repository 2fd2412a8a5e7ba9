//! An item without its body: what a one-time check keeps of an item once
//! it is lowered (see `pcl-semantics`' `db/one_time/`).

use crate::ast::{Actionset, BodyEntry, Item, ItemKind, Permset, Policy, Role, ValueList, Valueset};

impl Item {
    /// The item with the statements, includes and blocks of a policy or
    /// permset, the values of a set, or a role's fields left out; its name,
    /// doc comments, `expect`s, span, kind and a policy's or role's guard (and
    /// a policy's naming fields) kept. `None` for a param, feature or
    /// constraint (small, and read whole by the symbol table or the file's
    /// checks).
    pub fn hollow(&self) -> Option<Item> {
        let kind = match &self.kind {
            ItemKind::Policy(p) => ItemKind::Policy(p.with_entries(Vec::new())),
            ItemKind::Permset(p) => ItemKind::Permset(Permset { name: p.name.clone(), entries: Vec::new() }),
            ItemKind::Actionset(a) => {
                ItemKind::Actionset(Actionset { name: a.name.clone(), actions: empty_like(&a.actions) })
            }
            ItemKind::Valueset(v) => {
                ItemKind::Valueset(Valueset { name: v.name.clone(), values: empty_like(&v.values) })
            }
            // its fields are read by its check only (the per-configuration
            // checks read its IR); its name and guard by the symbol table
            ItemKind::Role(r) => {
                ItemKind::Role(Role { name: r.name.clone(), when: r.when.clone(), fields: Vec::new() })
            }
            ItemKind::Param(_) | ItemKind::Feature(_) | ItemKind::Constraint(_) => return None,
        };
        Some(Item {
            docs: self.docs.clone(),
            expects: self.expects.clone(),
            kind,
            span: self.span,
            recovered: self.recovered,
        })
    }
}

impl Policy {
    /// The same policy (name, guard, naming fields) with other entries.
    pub fn with_entries(&self, entries: Vec<BodyEntry>) -> Policy {
        Policy {
            name: self.name.clone(),
            splittable: self.splittable,
            when: self.when.clone(),
            fields: self.fields.clone(),
            entries,
        }
    }
}

fn empty_like<T>(list: &ValueList<T>) -> ValueList<T> {
    ValueList { items: Vec::new(), bracketed: list.bracketed, span: list.span }
}
