//! A statement as it reads wherever it stands: its content, with its spans
//! and those of the blocks around it taken from the statement's start. An
//! edit inside a policy makes all of its IR new, at new addresses, and
//! moves the statements after the edit; their renderings, kept by address
//! (`known.rs`), are found again by a hash of this content, checked equal
//! to the statement they were rendered from (held, at its old address, by
//! the renderings: `Locations` finds it), and moved with it.

use std::hash::{Hash, Hasher};

use pcl_syntax::Span;
use rustc_hash::FxHashMap as HashMap;

use crate::ir::{ConditionEntry, Entry, GList, GuardedItem, ItemIr, Statement};

/// `span`, of a statement that started at `from`, for the same statement
/// starting at `to` (a block's spans may come before the statement's: the
/// arithmetic wraps, and moving back by the same amount is exact).
pub(super) fn moved(span: Span, from: u32, to: u32) -> Span {
    let by = to.wrapping_sub(from);
    Span { start: span.start.wrapping_add(by), end: span.end.wrapping_add(by) }
}

/// A hash of `s` inside `blocks`, spans from the statement's start.
pub(super) fn content_hash(s: &Statement, blocks: &[&ConditionEntry]) -> u64 {
    let mut hashing = HashContent { hasher: rustc_hash::FxHasher::default(), base: s.span.start };
    walk(&mut hashing, (s, s), (blocks, blocks));
    hashing.hasher.finish()
}

/// Whether two statements, each inside its blocks, have the same content,
/// each one's spans from its own start.
pub(super) fn same_content(a: (&Statement, &[&ConditionEntry]), b: (&Statement, &[&ConditionEntry])) -> bool {
    let mut same = SameContent { bases: (a.0.span.start, b.0.span.start) };
    walk(&mut same, (a.0, b.0), (a.1, b.1))
}

/// Where the statements and blocks of a program's policies and permsets
/// are, by their addresses: the item's place and the entries' indices down
/// to it (blocks nest at most `pcl_syntax::MAX_BLOCK_DEPTH` deep).
#[derive(Default)]
pub(super) struct Locations {
    at: HashMap<usize, (usize, Vec<u32>)>,
}

impl Locations {
    pub fn of(items: &[std::sync::Arc<ItemIr>]) -> Self {
        let mut locations = Locations::default();
        for (place, ir) in items.iter().enumerate() {
            if let ItemIr::Policy { entries, .. } | ItemIr::Permset(entries) = &**ir {
                locations.add(place, entries, &mut Vec::new());
            }
        }
        locations
    }

    fn add(&mut self, place: usize, entries: &[Entry], path: &mut Vec<u32>) {
        for (at, entry) in entries.iter().enumerate() {
            path.push(u32::try_from(at).unwrap_or(u32::MAX));
            match entry {
                Entry::Statement(s) => _ = self.at.insert(std::ptr::from_ref(s) as usize, (place, path.clone())),
                Entry::Block { condition, entries } => {
                    self.at.insert(std::ptr::from_ref(condition) as usize, (place, path.clone()));
                    self.add(place, entries, path);
                }
                Entry::Include { .. } => {}
            }
            path.pop();
        }
    }

    /// The entry at `address` among `items` (those these were found in).
    pub fn entry<'i>(&self, items: &'i [std::sync::Arc<ItemIr>], address: usize) -> Option<&'i Entry> {
        let (place, path) = self.at.get(&address)?;
        let (ItemIr::Policy { entries, .. } | ItemIr::Permset(entries)) = &**items.get(*place)? else { return None };
        let (last, down) = path.split_last()?;
        let mut entries = entries.as_slice();
        for at in down {
            let Some(Entry::Block { entries: inner, .. }) = entries.get(*at as usize) else { return None };
            entries = inner;
        }
        entries.get(*last as usize)
    }
}

/// What `walk` does with each pair of parts of two statements it walks
/// side by side: whether they are alike so far (a hash, walking a
/// statement beside itself, hashes the first of each pair and goes on).
trait Pairs {
    fn content<T: Hash + PartialEq>(&mut self, a: &T, b: &T) -> bool;
    fn span(&mut self, a: Span, b: Span) -> bool;
}

/// Compares two statements' contents, each one's spans from its own base.
struct SameContent {
    bases: (u32, u32),
}

impl Pairs for SameContent {
    fn content<T: Hash + PartialEq>(&mut self, a: &T, b: &T) -> bool {
        a == b
    }

    fn span(&mut self, a: Span, b: Span) -> bool {
        moved(a, self.bases.0, 0) == moved(b, self.bases.1, 0)
    }
}

/// Hashes a statement's content, spans from `base`.
struct HashContent {
    hasher: rustc_hash::FxHasher,
    base: u32,
}

impl Pairs for HashContent {
    fn content<T: Hash + PartialEq>(&mut self, a: &T, _: &T) -> bool {
        a.hash(&mut self.hasher);
        true
    }

    fn span(&mut self, a: Span, _: Span) -> bool {
        moved(a, self.base, 0).hash(&mut self.hasher);
        true
    }
}

/// Walks two statements and the blocks around them side by side, part by
/// part, while `pairs` finds them alike. Each part is taken apart field by
/// field, so that a field added to the IR must be added here.
fn walk(
    pairs: &mut impl Pairs,
    (a, b): (&Statement, &Statement),
    (a_blocks, b_blocks): (&[&ConditionEntry], &[&ConditionEntry]),
) -> bool {
    let Statement { sid, effect, when, not_action, actions, not_resource, resources, conditions, span } = a;
    let Statement {
        sid: b_sid,
        effect: b_effect,
        when: b_when,
        not_action: b_not_action,
        actions: b_actions,
        not_resource: b_not_resource,
        resources: b_resources,
        conditions: b_conditions,
        span: b_span,
    } = b;
    let sids = match (sid, b_sid) {
        (Some((a, a_span)), Some((b, b_span))) => pairs.content(a, b) && pairs.span(*a_span, *b_span),
        (a, b) => pairs.content(&a.is_some(), &b.is_some()),
    };
    sids && pairs.content(&(effect, when, not_action, not_resource), &(b_effect, b_when, b_not_action, b_not_resource))
        && list(pairs, actions, b_actions)
        && list(pairs, resources, b_resources)
        && pairs.content(&conditions.len(), &b_conditions.len())
        && conditions.iter().zip(b_conditions).all(|(a, b)| condition(pairs, a, b))
        && pairs.span(*span, *b_span)
        && pairs.content(&a_blocks.len(), &b_blocks.len())
        && a_blocks.iter().zip(b_blocks).all(|(a, b)| condition(pairs, a, b))
}

fn condition(pairs: &mut impl Pairs, a: &ConditionEntry, b: &ConditionEntry) -> bool {
    let ConditionEntry { operator, key, values, when, span } = a;
    let ConditionEntry { operator: b_operator, key: b_key, values: b_values, when: b_when, span: b_span } = b;
    pairs.content(&(operator, key, when), &(b_operator, b_key, b_when))
        && list(pairs, values, b_values)
        && pairs.span(*span, *b_span)
}

fn list<T: Hash + PartialEq>(pairs: &mut impl Pairs, a: &GList<T>, b: &GList<T>) -> bool {
    let GList { items, scalar, span } = a;
    let GList { items: b_items, scalar: b_scalar, span: b_span } = b;
    pairs.content(&(items.len(), scalar), &(b_items.len(), b_scalar))
        && items.iter().zip(b_items).all(|(a, b)| {
            let GuardedItem { when, value, span } = a;
            let GuardedItem { when: b_when, value: b_value, span: b_span } = b;
            pairs.content(&(when, value), &(b_when, b_value)) && pairs.span(*span, *b_span)
        })
        && pairs.span(*span, *b_span)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

    use super::{Locations, content_hash, same_content};
    use crate::ir::{Entry, ItemIr};

    /// The statements of a policy, moved by an edit above them, have the
    /// same content and hash as before; any change inside one, a span's
    /// length included, changes its content.
    #[test]
    fn a_moved_statement_reads_the_same() {
        let policy = |text: &str| {
            let file = format!(
                "policy p {{\n{text}    allow \"A\" {{ action [s3:GetObject, s3:PutObject]; resource \"*\"; \
                 condition StringEquals \"aws:RequestedRegion\" [\"us-east-1\"]; }}\n}}\n"
            );
            let mut db = crate::RootDatabase::default();
            let file = crate::SourceFile::open(&mut db, "p.pcl".into(), file);
            let program = std::sync::Arc::clone(&crate::analyze_file(&db, file).program);
            let ir = std::sync::Arc::clone(&program.get("p").unwrap().ir);
            let ItemIr::Policy { entries, .. } = &*ir else { panic!("a policy") };
            let Some(Entry::Statement(last)) = entries.last() else { panic!("a statement") };
            let address = std::ptr::from_ref(last) as usize;
            (last.clone(), ir, address)
        };
        let (first, ..) = policy("");
        let (moved, ir, address) = policy("    allow { action s3:ListBucket; resource \"*\"; }\n");
        assert_ne!(first.span, moved.span);
        assert_eq!(content_hash(&first, &[]), content_hash(&moved, &[]));
        assert!(same_content((&first, &[]), (&moved, &[])));
        let mut changed = moved.clone();
        let mut fewer = changed.actions.items.into_vec();
        fewer.pop();
        changed.actions.items = fewer.into_boxed_slice();
        assert!(!same_content((&changed, &[]), (&moved, &[])));
        let mut widened = moved.clone();
        widened.actions.span.end += 1;
        assert!(!same_content((&widened, &[]), (&moved, &[])));
        assert_ne!(content_hash(&widened, &[]), content_hash(&moved, &[]));
        let mut in_block = moved.clone();
        in_block.conditions = Box::new([]);
        let block = &moved.conditions[0];
        assert!(!same_content((&in_block, &[block]), (&in_block, &[])));
        // found again by its address
        let items = [ir];
        let Some(Entry::Statement(found)) = Locations::of(&items).entry(&items, address) else { panic!("found") };
        assert!(std::ptr::from_ref(found) as usize == address && *found == moved);
    }
}
