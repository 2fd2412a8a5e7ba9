//! Answers remembered per thread, keyed by the text asked about: a file
//! asks about the same actions, keys and ARNs many times over its statements
//! and configurations. Bounded: a long-lived process (the language server)
//! forgets everything and starts over rather than grow without end.

use std::cell::RefCell;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// A per-thread table of answers by question text.
pub(crate) type Table<V> = RefCell<FxHashMap<String, V>>;

/// Entries a table holds before it is cleared.
const CAPACITY: usize = 16_384;

/// The answer to `key` from `table`, computed by `compute` the first time.
pub(crate) fn remembered<V: Clone + 'static>(
    table: &'static LocalKey<Table<V>>,
    key: &str,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(known) = table.with(|t| t.borrow().get(key).cloned()) {
        return known;
    }
    // computed with the table unborrowed: `compute` may ask other tables
    let answer = compute();
    table.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() >= CAPACITY {
            t.clear();
        }
        t.insert(key.to_string(), answer.clone());
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
