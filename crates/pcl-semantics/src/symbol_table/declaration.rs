//! What the symbol table reads of each item (`Declaration`), kept by the
//! database as an input of the item, so that an edit that leaves it the
//! same builds no table again.

use pcl_syntax::ast::{self, ItemKind};

use super::Symbol;

/// What the symbol table needs of one item besides its name. A param,
/// feature or constraint keeps its AST (item-relative spans); any other item
/// only its kind, so that an edit inside a policy's body leaves its
/// declaration equal, and the table is not built again. (The name is the
/// item's identity in the database: kept here too, it would be one more
/// copy made and compared for every item after every edit.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Declaration {
    Configuring(std::sync::Arc<ast::Item>),
    Other { kind: OtherKind },
}

/// The kind of an item the symbol table knows only by its kind: a byte,
/// where a `Symbol` takes 40 (every item's input holds its declaration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherKind {
    Permset,
    Actionset,
    Valueset,
    Policy,
    Role,
}

impl OtherKind {
    /// The kind that starts with `keyword`, if it is one of these.
    pub fn of_keyword(keyword: &str) -> Option<OtherKind> {
        Some(match keyword {
            "permset" => OtherKind::Permset,
            "actionset" => OtherKind::Actionset,
            "valueset" => OtherKind::Valueset,
            "policy" => OtherKind::Policy,
            "role" => OtherKind::Role,
            _ => return None,
        })
    }

    pub(super) fn symbol(self) -> Symbol {
        match self {
            OtherKind::Permset => Symbol::Permset,
            OtherKind::Actionset => Symbol::Actionset,
            OtherKind::Valueset => Symbol::Valueset,
            OtherKind::Policy => Symbol::Policy,
            OtherKind::Role => Symbol::Role,
        }
    }
}

impl Declaration {
    pub fn of(item: &std::sync::Arc<ast::Item>) -> Self {
        match other_kind(&item.kind) {
            Some(kind) => Declaration::Other { kind },
            None => Declaration::Configuring(std::sync::Arc::clone(item)),
        }
    }

    /// Whether the symbol table reads the same of both: their kinds (with
    /// their item-relative spans), not a configuring item's doc comments,
    /// expectations and extent as such, nor a constraint's message (the last
    /// thing in it: editing it moves no span). The driver keeps a declaration
    /// an edit leaves the same, and `symbols` does not run (a constraint's
    /// message edited in `policies.pcl`: 94k instructions fewer, 0.8 % of a
    /// cold analysis).
    pub fn declares_same(&self, other: &Declaration) -> bool {
        match (self, other) {
            (Declaration::Configuring(mine), Declaration::Configuring(theirs)) => match (&mine.kind, &theirs.kind) {
                // destructured: a field added is compared unless left out here
                (ItemKind::Constraint(mine), ItemKind::Constraint(theirs)) => {
                    let ast::Constraint { name, expr, message: _ } = &**mine;
                    *name == theirs.name && *expr == theirs.expr
                }
                // a placeholder as the table holds it: an opaque one's text
                // is not read (its stand-in is), nor is where it ends; of a
                // default, only that there is one (its value is the
                // configurations', read from the body: `prefix`'s default
                // edited in `policies.pcl` ran `symbols` again, 96k
                // instructions, 0.8 % of a cold analysis)
                (ItemKind::Param(mine), ItemKind::Param(theirs)) => {
                    let ast::Param { name, ty, default, placeholder: _ } = &**mine;
                    *name == theirs.name
                        && *ty == theirs.ty
                        && default.is_some() == theirs.default.is_some()
                        && held_placeholder(mine) == held_placeholder(theirs)
                }
                (mine, theirs) => mine == theirs,
            },
            (mine, theirs) => mine == theirs,
        }
    }

    /// A policy or role: an item rendered per configuration.
    pub fn renders(&self) -> bool {
        matches!(self, Declaration::Other { kind: OtherKind::Policy | OtherKind::Role })
    }

    pub(super) fn configuring(&self) -> Option<&ItemKind> {
        match self {
            Declaration::Configuring(item) => Some(&item.kind),
            Declaration::Other { .. } => None,
        }
    }
}

/// What a configuration holds for a param left at its placeholder: the
/// text with stand-ins for what is inside its `<...>`s (`ir::placeholders`).
pub(super) fn held_placeholder(param: &ast::Param) -> Option<String> {
    let scalar = crate::ir::ScalarType::parse(&param.ty.scalar.name);
    let text = param.placeholder.as_ref()?.display();
    Some(crate::ir::placeholders::value_at_placeholder(&param.name.name, scalar, &text))
}

/// The kind of an item whose kind is all the table knows of it (a set,
/// policy or role); `None` for a param, feature or constraint.
pub(super) fn other_kind(kind: &ItemKind) -> Option<OtherKind> {
    match kind {
        ItemKind::Param(_) | ItemKind::Feature(_) | ItemKind::Constraint(_) => None,
        ItemKind::Permset(_) => Some(OtherKind::Permset),
        ItemKind::Actionset(_) => Some(OtherKind::Actionset),
        ItemKind::Valueset(_) => Some(OtherKind::Valueset),
        ItemKind::Policy(_) => Some(OtherKind::Policy),
        ItemKind::Role(_) => Some(OtherKind::Role),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, reason = "tests")]

    use super::Declaration;
    use crate::symbol_table::Symbols;

    const SOURCE: &str = r#"
/// The account.
param account: account placeholder "<AWS ACCOUNT ID>";
feature fsx: bool = false;
feature batch: bool = false;
/// Not both.
constraint one: not (fsx and batch) else "fsx or batch";
"#;

    fn declarations(text: &str) -> (Vec<Declaration>, Symbols) {
        let parsed = pcl_syntax::parse_file(text);
        (parsed.items.iter().map(|p| Declaration::of(&p.item)).collect(), Symbols::of_parsed(&parsed))
    }

    /// What `declares_same` leaves out builds the same table; what it
    /// compares is told apart.
    #[test]
    fn declarations_the_same_build_the_same_table() {
        let (before, table) = declarations(SOURCE);
        let same = [
            SOURCE.replace("\"fsx or batch\"", "\"not both, ever\""),
            // as long as before: the spans after it, which are compared, stay
            SOURCE.replace("/// Not both.", "/// Nor both."),
            // an opaque placeholder: the table holds its stand-in
            SOURCE.replace("<AWS ACCOUNT ID>", "<ACCOUNT>"),
        ];
        for text in same {
            let (after, their_table) = declarations(&text);
            assert!(before.iter().zip(&after).all(|(mine, theirs)| mine.declares_same(theirs)), "{text}");
            assert!(table == their_table, "{text}");
        }
        let other = [
            SOURCE.replace("<AWS ACCOUNT ID>", "account-<ID>"),
            SOURCE.replace("not (fsx and batch)", "not (fsx or batch)"),
            SOURCE.replace("batch: bool = false", "batch: bool = true"),
        ];
        for text in other {
            let (after, _) = declarations(&text);
            assert!(!before.iter().zip(&after).all(|(mine, theirs)| mine.declares_same(theirs)), "{text}");
        }
    }
}
