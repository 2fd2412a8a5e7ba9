//! The statements of a policy's renderings, as the per-configuration checks
//! see them: each rendered once per distinct value of the features its
//! guards read (`StatementCache`), its findings remembered across items and
//! edits (`remembered_statement_findings`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;

use pcl_syntax::{SmolStr, Span};

use super::{Pass, SYMBOLIC_PARTITION};
use crate::diagnostic::Diagnostic;
use crate::expand::Env;
use crate::ir::{ConditionEntry, ParamValue, Program, Statement};
use crate::variants;

/// A statement of one rendering of a policy: where it is written, and what
/// the checks need of its rendering.
pub(super) struct RenderedStatement<'p> {
    pub statement: &'p Statement,
    /// The item whose text holds it.
    pub origin: &'p str,
    pub summary: Rc<StatementSummary>,
}

/// What the per-configuration checks read of a rendered statement.
pub(super) struct StatementSummary {
    pub actions_empty: bool,
    pub resources_empty: bool,
    /// The key and span of each condition rendered with no values.
    pub empty_conditions: Vec<(SmolStr, Span)>,
    /// Its own findings (the catalog's checks, ARNs, condition values),
    /// spans relative to its origin; none in a `Pass::Shapes`.
    pub findings: Vec<Diagnostic>,
}

/// The statements of one item rendered under one configuration, in one
/// pass, each summarized once per distinct value of the features its guards
/// read (`variants::statement_vars`). Everything else a rendering reads
/// (the params of its texts, the partition, whether texts are rendered at
/// all) is the configuration's and the pass's, fixed for the cache's life.
pub(super) struct StatementCache<'p, 'f> {
    program: &'p Program,
    /// The configuration's params, which every rendering must use.
    params: &'f BTreeMap<String, ParamValue>,
    pass: Pass,
    partition: &'f str,
    /// By statement (its address in the IR), the renderings of each set of
    /// blocks around it it was reached in (one, unless a permset is included
    /// inside different blocks).
    entries: HashMap<usize, Vec<StatementRenderings<'f>>>,
    /// The values of a lookup's variables.
    values: Vec<Option<&'f str>>,
}

struct StatementRenderings<'f> {
    /// The addresses of the blocks around the statement.
    blocks: Vec<usize>,
    /// The variables the rendering reads, and the summary for each of their values.
    vars: Vec<String>,
    by_values: HashMap<Vec<Option<&'f str>>, Rc<StatementSummary>>,
}

impl<'p, 'f> StatementCache<'p, 'f> {
    pub fn new(program: &'p Program, params: &'f BTreeMap<String, ParamValue>, pass: Pass, partition: &'f str) -> Self {
        StatementCache { program, params, pass, partition, entries: HashMap::default(), values: Vec::new() }
    }

    /// The summary of `s` (inside `blocks`) rendered under `env`, whose
    /// features are `features` and whose params and pass are the cache's.
    pub fn summary(
        &mut self,
        s: &'p Statement,
        blocks: &[&'p ConditionEntry],
        env: &Env<'_>,
        features: &'f BTreeMap<String, String>,
    ) -> Rc<StatementSummary> {
        debug_assert!(std::ptr::eq(env.features, features), "the features looked up are the rendering's");
        debug_assert!(std::ptr::eq(env.params, self.params), "a cache serves one configuration");
        debug_assert_eq!(env.shape_only, self.pass == Pass::Shapes, "a cache serves one pass");
        let (program, pass, partition) = (self.program, self.pass, self.partition);
        let addresses = || blocks.iter().map(|b| std::ptr::from_ref(*b) as usize);
        let same_blocks = |r: &StatementRenderings<'_>| r.blocks.iter().copied().eq(addresses());
        let reached = self.entries.entry(std::ptr::from_ref(s) as usize).or_default();
        if !reached.iter().any(same_blocks) {
            let vars = variants::statement_vars(program, s, blocks);
            reached.push(StatementRenderings { blocks: addresses().collect(), vars, by_values: HashMap::default() });
        }
        let render = || Rc::new(summarize(program, s, blocks, env, (pass, partition)));
        let Some(renderings) = reached.iter_mut().find(|r| same_blocks(r)) else { return render() };
        // params are the configuration's: only the features vary (the
        // values are gathered in a buffer kept for the next lookup: most
        // lookups find a rendering, and need no key of their own)
        self.values.clear();
        self.values.extend(renderings.vars.iter().map(|v| features.get(v).map(String::as_str)));
        if let Some(summary) = renderings.by_values.get(self.values.as_slice()) {
            return Rc::clone(summary);
        }
        let summary = render();
        renderings.by_values.insert(self.values.clone(), Rc::clone(&summary));
        summary
    }
}

/// `s` (inside `blocks`) rendered under `env`, and summarized.
fn summarize(
    program: &Program,
    s: &Statement,
    blocks: &[&ConditionEntry],
    env: &Env<'_>,
    (pass, partition): (Pass, &str),
) -> StatementSummary {
    let st = crate::expand::expand_statement(program, s, blocks, env);
    let (actions_empty, resources_empty) = (st.actions.values.is_empty(), st.resources.values.is_empty());
    let empty_conditions =
        st.conditions.iter().filter(|c| c.values.values.is_empty()).map(|c| (c.key.clone(), c.span)).collect();
    let findings = match pass {
        Pass::Shapes => Vec::new(),
        Pass::ShapesAndTexts => remembered_statement_findings(st, partition),
    };
    StatementSummary { actions_empty, resources_empty, empty_conditions, findings }
}

/// Entries the statement memo holds before it is cleared.
const STATEMENT_MEMO_CAPACITY: usize = 1_024;

thread_local! {
    /// Findings of statements already checked. Most configurations render
    /// most statements alike, and an edit leaves most statements of the
    /// edited policy as they were: each distinct statement is checked once.
    /// The findings are a function of the statement (spans relative to its
    /// item) and the partition alone, so the memo is valid across edits.
    static STATEMENT_MEMO: crate::iam::memo::KeyedTable<(crate::expand::ExpandedStatement, Cow<'static, str>), Vec<Diagnostic>> =
        std::cell::RefCell::default();
}

/// The statement's findings, remembered with its spans made relative to
/// its first one: a statement that only moved (an edit above it in its item)
/// is found again. The findings take their spans from the statement's, so
/// moving both by the same amount is exact.
fn remembered_statement_findings(mut st: crate::expand::ExpandedStatement, partition: &str) -> Vec<Diagnostic> {
    let mut base = u32::MAX;
    st.for_each_span(|span| base = base.min(span.start));
    st.for_each_span(|span| *span = Span { start: span.start - base, end: span.end - base });
    // a partition of the list (or the symbolic one) is keyed without a copy
    let partition_key = match crate::iam::PARTITIONS.iter().chain([&SYMBOLIC_PARTITION]).find(|p| **p == partition) {
        Some(known) => Cow::Borrowed(*known),
        None => Cow::Owned(partition.to_string()),
    };
    let found = crate::iam::memo::remembered_by(&STATEMENT_MEMO, STATEMENT_MEMO_CAPACITY, (st, partition_key), |key| {
        crate::content_checks::statement_findings(&key.0, partition)
    });
    found.into_iter().map(|d| d.shifted(base)).collect()
}
