//! The sets a walk has expanded: what cuts cycles and too deep chains, and
//! what makes a set used twice in one context add nothing the second time.

use pcl_syntax::Name;

/// The sets being expanded (to cut cycles and deep chains) and those already
/// expanded into the current document or list: a set used twice in one
/// context adds nothing the second time, and diamonds of sets stay linear
/// instead of exponential. A permset's context is the blocks around its
/// include: included under two different conditions (or under one and
/// under none), it renders in each, as written.
#[derive(Default)]
pub(super) struct Trail {
    /// As deep as `MAX_INCLUDE_DEPTH`: searched in place. Each with its
    /// context.
    stack: Vec<(String, ContextId)>,
    /// As many as the sets used: found by hash (a policy including
    /// thousands of permsets searched this list for each).
    done: rustc_hash::FxHashSet<(String, ContextId)>,
    /// The contexts met, each by the one around it and its innermost
    /// block's condition: a context is named once, when its block is
    /// entered, not rendered whole at every include inside it (12 nested
    /// blocks, 4,096 includes, in each of 256 assignments: 5 s).
    contexts: rustc_hash::FxHashMap<(ContextId, RenderedCondition), ContextId>,
    /// The sets expanded, in any context: `done` holds them by context, and
    /// a repeat is found here with one lookup rather than a scan of it.
    expanded: rustc_hash::FxHashSet<String>,
    /// How many expansions were repeats of a set in another context.
    repeats: usize,
    /// More than `MAX_REPEATED_EXPANSIONS` repeats were cut.
    pub(super) cut: bool,
}

/// The conditions of the blocks around an include, as they render
/// (operator, key, values), named by a number: two blocks of one condition
/// are one context (and so are two lists of blocks whose conditions render
/// alike, in order). An actionset's or valueset's is empty (`EMPTY`): they
/// hold no blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct ContextId(u32);

/// A block's condition as it renders: operator, key and values.
pub(super) type RenderedCondition = (Name, Name, Vec<String>);

impl ContextId {
    /// The context of no block.
    pub(super) const EMPTY: ContextId = ContextId(0);
}

/// How many times one document expands sets again in another context
/// before the rest is cut (and reported, E0002): permsets that each
/// include the next under two conditions render 2^depth statements,
/// more than any policy can hold long before.
pub const MAX_REPEATED_EXPANSIONS: usize = 10_000;

impl Trail {
    /// A trail that starts in policy `name`.
    pub(super) fn from(name: &str) -> Self {
        Trail { stack: vec![(name.to_string(), ContextId::EMPTY)], ..Trail::default() }
    }

    pub(super) fn enter(&mut self, set: &str, limit: usize) -> bool {
        self.enter_in(set, ContextId::EMPTY, limit)
    }

    /// The context of a block of `condition` inside `around`.
    pub(super) fn context_within(&mut self, around: ContextId, condition: RenderedCondition) -> ContextId {
        let next = ContextId(u32::try_from(self.contexts.len() + 1).unwrap_or(u32::MAX));
        *self.contexts.entry((around, condition)).or_insert(next)
    }

    /// Enters `set` in `context` unless it is being expanded (a cycle), was
    /// expanded in that context, lies deeper than `limit` or is one repeat
    /// too many.
    pub(super) fn enter_in(&mut self, set: &str, context: ContextId, limit: usize) -> bool {
        if self.stack.iter().any(|(s, _)| s == set) || self.stack.len() >= limit {
            return false;
        }
        let key = (set.to_string(), context);
        if self.done.contains(&key) {
            return false;
        }
        // the first expansion of each set is bounded by the file's sets; a
        // repeat, in another context, by the count
        // (looked up by name first: a repeat copies no name)
        if self.expanded.contains(set) {
            self.repeats += 1;
            if self.repeats > MAX_REPEATED_EXPANSIONS {
                self.cut = true;
                return false;
            }
        } else {
            self.expanded.insert(set.to_string());
        }
        self.stack.push(key);
        true
    }

    pub(super) fn leave(&mut self) {
        if let Some(entry) = self.stack.pop() {
            self.done.insert(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use crate::expand::{Env, expand_policy};
    use crate::{RootDatabase, SourceFile, analyze_file};

    /// The conditions of each statement `p` renders with the defaults: one
    /// list of `key=values` per statement.
    fn rendered_conditions(text: &str) -> Vec<Vec<String>> {
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "t.pcl".into(), text.into());
        let analysis = analyze_file(&db, file);
        let program = &analysis.program;
        let config = crate::config::configure(program, &[]).unwrap();
        let features = Default::default();
        let env = Env::new(program, &features, &config.params);
        let policy = expand_policy(program, "p", &env).unwrap();
        let condition = |c: &crate::expand::ExpandedCondition| format!("{}={}", c.key, c.values.values.join(","));
        policy.statements.iter().map(|s| s.conditions.iter().map(condition).collect()).collect()
    }

    /// A permset included under a block and again with none, or under two
    /// blocks of different conditions, renders in each context (it was
    /// expanded once, in the first, and the unconditional Deny was lost);
    /// under two blocks of one condition, or twice with none, once.
    #[test]
    fn a_permset_renders_once_per_context() {
        let permset = r#"permset no_terminate { deny { action ec2:TerminateInstances; resource "*"; } }"#;
        let region = r#"with condition StringEquals "aws:RequestedRegion" ["us-east-1"]"#;
        let team = r#"with condition StringEquals "aws:PrincipalTag/team" ["ops"]"#;
        let of = |body: String| rendered_conditions(&format!("{permset}\npolicy p {{ {body} }}\n"));
        let in_region = vec!["aws:RequestedRegion=us-east-1".to_string()];
        let for_team = vec!["aws:PrincipalTag/team=ops".to_string()];
        let blocked = format!("{region} {{ include no_terminate; }} include no_terminate;");
        assert_eq!(of(blocked), [in_region.clone(), vec![]]);
        let plain_first = format!("include no_terminate; {region} {{ include no_terminate; }}");
        assert_eq!(of(plain_first), [vec![], in_region.clone()]);
        let two = format!("{region} {{ include no_terminate; }} {team} {{ include no_terminate; }}");
        assert_eq!(of(two), [in_region.clone(), for_team]);
        let same = format!("{region} {{ include no_terminate; }} {region} {{ include no_terminate; }}");
        assert_eq!(of(same), [in_region]);
        assert_eq!(of("include no_terminate; include no_terminate;".into()), [Vec::<String>::new()]);
    }

    /// Permsets that each include the next under two conditions would
    /// render 2^depth statements: past `MAX_REPEATED_EXPANSIONS` repeats
    /// the walk stops, and the policy gets E0002 (no hang, no silent cut).
    #[test]
    fn repeats_past_the_limit_are_cut_and_reported() {
        let mut text = String::from("permset s0 { allow { action s3:GetObject; resource \"*\"; } }\n");
        for level in 1..=20 {
            let below = level - 1;
            text.push_str(&format!(
                "permset s{level} {{ with condition StringEquals \"aws:RequestedRegion\" [\"a{level}\"] {{ include s{below}; }} \
                 with condition StringEquals \"aws:RequestedRegion\" [\"b{level}\"] {{ include s{below}; }} }}\n"
            ));
        }
        text.push_str("policy p { include s20; }\n");
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "t.pcl".into(), text);
        let analysis = analyze_file(&db, file);
        let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&"E0002"), "{codes:?}");
    }
}
