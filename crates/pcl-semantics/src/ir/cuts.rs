//! Which conditions only one condition connects to some variables: what
//! leaving each one out cuts off. Conditions and variables make a graph
//! (a condition is joined to each variable it reads, the given variables to
//! a root), and a condition that is a cut vertex of it cuts off the
//! subtrees below it that reach no higher (Tarjan's articulation points,
//! one depth-first walk, without recursion: the graph is user input).
//! Leaving each condition out and grouping the rest again cost a guard the
//! square of its constraints.

use rustc_hash::FxHashMap;

use super::Cond;

/// For each of `conds`, the positions of the others that share a variable
/// with `roots` (directly or through other conditions) only through it.
/// Costs the conditions and their variables, plus what is cut off.
pub(crate) fn cut_off_by_each(conds: &[&Cond], roots: &[String]) -> Vec<Vec<usize>> {
    let graph = Graph::new(conds, roots);
    let mut cut_off = vec![Vec::new(); conds.len()];
    graph.walk(&mut |cut, cut_nodes| {
        if let Some(list) = cut_off.get_mut(cut) {
            list.extend(cut_nodes.iter().copied().filter(|&n| n < conds.len()));
        }
    });
    for list in &mut cut_off {
        list.sort_unstable();
    }
    cut_off
}

/// Nodes: the conditions (`0..conds`), then their variables, then the root.
struct Graph {
    conds: usize,
    adjacent: Vec<Vec<usize>>,
}

impl Graph {
    fn new(conds: &[&Cond], roots: &[String]) -> Graph {
        let mut var_node: FxHashMap<String, usize> = FxHashMap::default();
        let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); conds.len()];
        for (at, cond) in conds.iter().enumerate() {
            let mut vars = Vec::new();
            cond.vars(&mut vars);
            // each variable once: one edge each
            vars.sort_unstable();
            vars.dedup();
            for var in vars {
                let next = adjacent.len();
                let node = *var_node.entry(var).or_insert(next);
                if node == next {
                    adjacent.push(Vec::new());
                }
                if let Some(edges) = adjacent.get_mut(at) {
                    edges.push(node);
                }
                if let Some(edges) = adjacent.get_mut(node) {
                    edges.push(at);
                }
            }
        }
        let root = adjacent.len();
        let mut root_edges = Vec::new();
        for var in roots {
            if let Some(&node) = var_node.get(var)
                && !root_edges.contains(&node)
            {
                root_edges.push(node);
                if let Some(edges) = adjacent.get_mut(node) {
                    edges.push(root);
                }
            }
        }
        adjacent.push(root_edges);
        Graph { conds: conds.len(), adjacent }
    }

    /// Walks depth-first from the root, calling `cut(c, nodes)` for each
    /// condition `c` and the nodes of a subtree below it that only it joins
    /// to the rest.
    fn walk(&self, cut: &mut dyn FnMut(usize, &[usize])) {
        const UNSEEN: usize = usize::MAX;
        let nodes = self.adjacent.len();
        let root = nodes - 1;
        let mut discovered = vec![UNSEEN; nodes];
        let mut low = vec![0usize; nodes];
        let mut preorder: Vec<usize> = Vec::with_capacity(nodes);
        // (node, its parent, the next of its edges to follow)
        let mut stack: Vec<(usize, usize, usize)> = vec![(root, UNSEEN, 0)];
        if let Some(d) = discovered.get_mut(root) {
            *d = 0;
        }
        preorder.push(root);
        while let Some(top) = stack.last_mut() {
            let (node, parent, next) = *top;
            let edges = self.adjacent.get(node).map_or(&[][..], Vec::as_slice);
            if let Some(&other) = edges.get(next) {
                top.2 += 1;
                let seen = discovered.get(other).copied().unwrap_or(0);
                if seen == UNSEEN {
                    let at = preorder.len();
                    if let (Some(d), Some(l)) = (discovered.get_mut(other), low.get_mut(other)) {
                        (*d, *l) = (at, at);
                    }
                    preorder.push(other);
                    stack.push((other, node, 0));
                } else if other != parent
                    && let Some(l) = low.get_mut(node)
                {
                    *l = (*l).min(seen);
                }
                continue;
            }
            stack.pop();
            let (Some(&start), Some(&node_low)) = (discovered.get(node), low.get(node)) else { continue };
            let Some(&(above, _, _)) = stack.last() else { continue };
            if let Some(l) = low.get_mut(above) {
                *l = (*l).min(node_low);
            }
            // the subtree below `above` rooted here reaches no higher than it
            let above_start = discovered.get(above).copied().unwrap_or(0);
            if above < self.conds && node_low >= above_start {
                // a node's subtree is what was discovered while it was on the stack
                cut(above, preorder.get(start..).unwrap_or_default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(var: &str) -> Cond {
        Cond::Is(var.into(), "true".into())
    }

    fn both(a: &str, b: &str) -> Cond {
        Cond::And(Box::new(is(a)), Box::new(is(b)))
    }

    /// What leaving each out disconnects, found by grouping the rest again.
    fn by_regrouping(conds: &[&Cond], roots: &[String]) -> Vec<Vec<usize>> {
        let reached = |without: Option<usize>| -> Vec<usize> {
            let kept: Vec<(usize, &Cond)> =
                conds.iter().enumerate().filter(|(i, _)| Some(*i) != without).map(|(i, c)| (i, *c)).collect();
            let grouping = crate::ir::Grouping::build(kept.iter().map(|(_, c)| *c));
            let reach = grouping.reach(roots.iter().map(String::as_str));
            grouping.constraints(&reach).into_iter().filter_map(|at| kept.get(at).map(|(i, _)| *i)).collect()
        };
        let all = reached(None);
        (0..conds.len())
            .map(|left| {
                let still = reached(Some(left));
                all.iter().copied().filter(|c| *c != left && !still.contains(c)).collect()
            })
            .collect()
    }

    #[test]
    fn cuts_agree_with_grouping_again_without_each() {
        let cases: Vec<(Vec<Cond>, Vec<&str>)> = vec![
            // a chain from the root: each cuts off the rest of the chain
            (vec![both("a", "b"), both("b", "c"), both("c", "d"), is("d")], vec!["a"]),
            // parallel conditions: none cuts anything off
            (vec![both("a", "b"), both("a", "b"), is("b")], vec!["a"]),
            // a cycle with a tail
            (vec![both("a", "b"), both("b", "c"), both("c", "a"), both("c", "d"), is("d")], vec!["a"]),
            // two roots, one on each side of a bridge
            (vec![both("a", "b"), both("b", "c"), both("c", "d")], vec!["a", "d"]),
            // unreached conditions are cut off by none
            (vec![is("a"), both("x", "y")], vec!["a"]),
            // a condition of no variable
            (vec![Cond::Const(true), is("a")], vec!["a"]),
        ];
        for (conds, roots) in &cases {
            let refs: Vec<&Cond> = conds.iter().collect();
            let roots: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
            assert_eq!(cut_off_by_each(&refs, &roots), by_regrouping(&refs, &roots), "{conds:?} from {roots:?}");
        }
    }

    #[test]
    fn a_long_chain_needs_no_deep_stack() {
        let conds: Vec<Cond> = (0..100_000).map(|i| both(&format!("v{i}"), &format!("v{}", i + 1))).collect();
        let refs: Vec<&Cond> = conds.iter().collect();
        let cut = cut_off_by_each(refs.get(..1000).unwrap_or_default(), &["v0".to_string()]);
        assert_eq!(cut.first().map(Vec::len), Some(999));
        // the whole chain walked: no recursion to overflow
        let graph = Graph::new(&refs, &["v0".to_string()]);
        let mut cuts = 0;
        graph.walk(&mut |_, _| cuts += 1);
        assert_eq!(cuts, 100_000);
    }
}
