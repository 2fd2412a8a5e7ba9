//! Walks over the references between items (includes, actionsets,
//! valuesets): chain heights and cycles, without recursion.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet as HashSet};

use pcl_syntax::Span;

/// References between items: referring item -> (target, span).
pub(crate) type Graph<'a> = BTreeMap<&'a str, Vec<(&'a str, Span)>>;

pub(crate) struct Walk<'a> {
    pub(crate) height: FxHashMap<&'a str, usize>,
    pub(crate) cycles: Vec<(Span, Vec<&'a str>)>,
}

/// The longest chain of references below each node (cycles cut), and the
/// cycles, each once, as the reference that closes it and its members.
/// Iterative post-order, so neither long chains nor cycles overflow the stack.
pub(crate) fn walk<'a>(edges: &Graph<'a>) -> Walk<'a> {
    let mut height: FxHashMap<&str, usize> = FxHashMap::default();
    let mut cycles = Vec::new();
    let mut reported: HashSet<BTreeSet<&str>> = HashSet::default();
    for &start in edges.keys() {
        if height.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        // each node on the stack and its place there: searching the stack
        // for each reference made a chain of N sets cost N² (25,600: 1.5 s)
        let mut on_stack: FxHashMap<&str, usize> = FxHashMap::default();
        on_stack.insert(start, 0);
        while let Some((node, idx)) = stack.last().copied() {
            let next = edges.get(node).and_then(|e| e.get(idx)).copied();
            let Some((target, span)) = next else {
                let below = edges.get(node).into_iter().flatten().filter_map(|(t, _)| height.get(t)).max();
                height.insert(node, below.map_or(0, |h| h + 1));
                stack.pop();
                on_stack.remove(node);
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if let Some(&pos) = on_stack.get(target) {
                let members: Vec<&str> = stack.iter().skip(pos).map(|(n, _)| *n).collect();
                if reported.insert(members.iter().copied().collect()) {
                    cycles.push((span, members));
                }
            } else if !height.contains_key(target) {
                on_stack.insert(target, stack.len());
                stack.push((target, 0));
            }
        }
    }
    Walk { height, cycles }
}
