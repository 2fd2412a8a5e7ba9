//! Answers remembered per thread: a file asks about the same actions, keys
//! and ARNs (and renders the same statements) many times over its
//! statements and configurations. Bounded: a long-lived process (the
//! language server) forgets everything and starts over rather than grow
//! without end.

use std::cell::RefCell;
use std::hash::Hash;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// A per-thread table of answers by question.
pub type KeyedTable<K, V> = RefCell<FxHashMap<K, V>>;

/// A per-thread table of answers by question text.
pub type Table<V> = KeyedTable<String, V>;

/// Entries a text-keyed table holds before it is cleared.
const CAPACITY: usize = 16_384;

/// Entries a table keyed by a catalog entry's address holds before it is
/// cleared: more than the catalog's actions, so in practice never.
pub const ADDRESS_CAPACITY: usize = 32_768;

/// The answer to `key` from `table`, computed by `compute` the first time.
pub fn remembered<V: Clone + 'static>(table: &'static LocalKey<Table<V>>, key: &str, compute: impl FnOnce() -> V) -> V {
    remembered_within(table, CAPACITY, key, compute)
}

/// [`remembered`], with a table of at most `capacity` answers (large ones,
/// such as compiled patterns).
pub fn remembered_within<V: Clone + 'static>(
    table: &'static LocalKey<Table<V>>,
    capacity: usize,
    key: &str,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(known) = table.with(|t| t.borrow().get(key).cloned()) {
        return known;
    }
    remember(table, capacity, key.to_string(), compute())
}

/// [`remembered`] for any key, owned (it is stored on a miss without a
/// copy); `compute` gets the key. `capacity` bounds the table.
pub fn remembered_by<K: Hash + Eq + 'static, V: Clone + 'static>(
    table: &'static LocalKey<KeyedTable<K, V>>,
    capacity: usize,
    key: K,
    compute: impl FnOnce(&K) -> V,
) -> V {
    if let Some(known) = table.with(|t| t.borrow().get(&key).cloned()) {
        return known;
    }
    let answer = compute(&key);
    remember(table, capacity, key, answer)
}

/// Stores `answer` (computed with the table unborrowed: computing may ask
/// other tables), clearing the table first when it is full.
fn remember<K: Hash + Eq + 'static, V: Clone + 'static>(
    table: &'static LocalKey<KeyedTable<K, V>>,
    capacity: usize,
    key: K,
    answer: V,
) -> V {
    table.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() >= capacity {
            t.clear();
        }
        t.insert(key, answer.clone());
    });
    answer
}

/// A per-thread table of answers by a key the caller holds (a catalog
/// string, an action's address), then by question text: looked up without
/// allocating. The count says how many answers it holds.
pub type PairTable<K, V> = RefCell<(FxHashMap<K, FxHashMap<String, V>>, usize)>;

/// Answers a pair table holds before it is cleared (the ARN table of
/// `arn_match` and the key table of `lints`): at 65,536 the ARN tables of a
/// 10 MB check's three threads held 7.8 MB at its peak, its resources
/// being nearly all distinct.
const PAIR_CAPACITY: usize = 8_192;

/// The answer for `(first, text)` from `table`, computed by `compute` the
/// first time; the text is copied only when the answer is stored.
pub fn remembered_pair<K: Hash + Eq + Copy + 'static, V: Copy + 'static>(
    table: &'static LocalKey<PairTable<K, V>>,
    first: K,
    text: &str,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(known) = table.with(|t| t.borrow().0.get(&first).and_then(|by_text| by_text.get(text)).copied()) {
        return known;
    }
    let answer = compute();
    table.with(|t| {
        let (by_first, count) = &mut *t.borrow_mut();
        if *count >= PAIR_CAPACITY {
            by_first.clear();
            *count = 0;
        }
        *count += 1;
        by_first.entry(first).or_default().insert(text.to_string(), answer);
    });
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SQUARES: Table<usize> = RefCell::default();
    }

    #[test]
    fn computes_once_then_remembers_and_stays_bounded() {
        let mut calls = 0;
        assert_eq!(
            remembered(&SQUARES, "3", || {
                calls += 1;
                9
            }),
            9
        );
        assert_eq!(
            remembered(&SQUARES, "3", || {
                calls += 1;
                0
            }),
            9
        );
        assert_eq!(calls, 1);
        for i in 0..CAPACITY + 10 {
            remembered(&SQUARES, &i.to_string(), || i * i);
        }
        assert!(SQUARES.with(|t| t.borrow().len()) <= CAPACITY);
    }
}
