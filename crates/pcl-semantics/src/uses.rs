//! What some items use of the others, resolved to places once: the facts
//! that the unused-item warnings and the check of valuesets spliced as ARNs
//! read. A large file's are made a block of items at a time and memoized
//! (`db::blocks::block_uses`), so that after an edit the file-wide checks
//! re-resolve one block's references, not all of them: resolving every
//! reference of a 10 MB file by name was 31M of the 83M instructions of
//! an edit.

use pcl_syntax::Name;

use crate::ir::{Entry, GList, ItemIr, Value};
use crate::item_check::{ItemAnalysis, RefKind};

/// What a run of consecutive items uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// The places among the file's items of the first definitions used,
    /// sorted, without repeats. An item's use of its own name is left out
    /// (a set that only includes itself is still unused).
    pub items: Vec<u32>,
    /// Names used that no item defines (already errors where they are used).
    pub unknown: Vec<Name>,
    /// The valuesets that the first definitions among these items splice
    /// where ARNs go (resources, `Arn*` condition values, managed policies),
    /// each with the item that does and whether it is a role's managed
    /// policies (where a plain name is an AWS managed policy), in file order.
    pub arn_sets: Vec<(Name, Name, bool)>,
    /// The places of the sets (permsets, actionsets, valuesets) that name a
    /// set where a set goes (an include, an actionset, a valueset), in file
    /// order: the only ones the checks of cycles and chains among sets read.
    pub set_referrers: Vec<u32>,
    /// The valuesets first defined among these items that hold a value not
    /// plainly an ARN (a text that does not start with `arn:`, a param, an
    /// `each`, another set), sorted: spliced where ARNs go, only these can
    /// be wrong there, so the check reads no other set's values.
    pub arn_suspects: Vec<Name>,
}

/// One item as `of` reads it: its name, whether it is the first
/// definition of that name, and its checked analysis.
pub struct UsingItem<'a> {
    /// Its place among the file's items.
    pub place: usize,
    pub name: &'a Name,
    pub first: bool,
    pub analysis: &'a ItemAnalysis,
}

/// The uses of `items`; `position` says where the first definition of a
/// name is among the file's items.
pub fn of<'a>(items: impl IntoIterator<Item = UsingItem<'a>>, position: &dyn Fn(&str) -> Option<usize>) -> Uses {
    let mut uses = Uses::default();
    // the places used, as bits: a large file's references are ten times its
    // items, and listing each one to sort and deduplicate them afterwards
    // held a megabyte at a 10 MB check's peak
    let mut used: Vec<u64> = Vec::new();
    for item in items {
        let names_a_set =
            |r: &crate::item_check::Ref| matches!(r.kind, RefKind::Include | RefKind::Actionset | RefKind::Valueset);
        let is_a_set = matches!(*item.analysis.ir, ItemIr::Permset(_) | ItemIr::Actionset(_) | ItemIr::Valueset(_));
        if is_a_set
            && item.analysis.refs.iter().any(names_a_set)
            && let Ok(place) = u32::try_from(item.place)
        {
            uses.set_referrers.push(place);
        }
        for r in &item.analysis.refs {
            if r.name == *item.name {
                continue;
            }
            match position(&r.name) {
                Some(at) => {
                    let word = at / 64;
                    if word >= used.len() {
                        used.resize(word + 1, 0);
                    }
                    if let Some(bits) = used.get_mut(word) {
                        *bits |= 1 << (at % 64);
                    }
                }
                None => uses.unknown.push(r.name),
            }
        }
        if item.first {
            arn_sets(&item.analysis.ir, &mut |set, managed| uses.arn_sets.push((*set, *item.name, managed)));
            if let ItemIr::Valueset(list) = &*item.analysis.ir
                && list.items.iter().any(|v| !plainly_an_arn(&v.value))
            {
                uses.arn_suspects.push(*item.name);
            }
        }
    }
    uses.arn_suspects.sort_unstable();
    let count = used.iter().map(|bits| bits.count_ones() as usize).sum();
    uses.items.reserve_exact(count);
    for (word, bits) in used.iter().enumerate() {
        let mut bits = *bits;
        while bits != 0 {
            let place = word * 64 + bits.trailing_zeros() as usize;
            uses.items.extend(u32::try_from(place).ok());
            bits &= bits - 1;
        }
    }
    uses.unknown.sort_unstable();
    uses.unknown.dedup();
    uses
}

/// A value that is an ARN whatever the params and sets say: a text that
/// starts with `arn:` (or is `*` alone). The check of valuesets spliced as
/// ARNs passes these without looking further.
pub fn plainly_an_arn(value: &Value) -> bool {
    match value {
        Value::Text(t) => match t.parts.as_slice() {
            [crate::ir::TextPart::Lit(l), ..] => l.starts_with("arn:") || l == "*" && t.parts.len() == 1,
            _ => false,
        },
        Value::Set(_) | Value::Param(_) | Value::Each(_) => false,
    }
}

/// The valuesets an item splices where ARNs go, in the order of its text,
/// each with whether it is spliced into a role's managed policies.
fn arn_sets(ir: &ItemIr, found: &mut dyn FnMut(&Name, bool)) {
    let mut in_list = |list: &GList<Value>, managed: bool| {
        for v in &list.items {
            if let Value::Set(set) = &v.value {
                found(set, managed);
            }
        }
    };
    match ir {
        ItemIr::Policy { entries, .. } | ItemIr::Permset(entries) => Entry::walk(entries, &mut |entry| match entry {
            Entry::Statement(st) => {
                in_list(&st.resources, false);
                for c in st.conditions.iter().filter(|c| crate::iam::is_arn_operator(&c.operator)) {
                    in_list(&c.values, false);
                }
            }
            Entry::Block { condition, .. } if crate::iam::is_arn_operator(&condition.operator) => {
                in_list(&condition.values, false);
            }
            Entry::Block { .. } | Entry::Include { .. } => {}
        }),
        ItemIr::Role { role, .. } => role.managed.iter().for_each(|list| in_list(list, true)),
        _ => {}
    }
}
