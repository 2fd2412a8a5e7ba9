//! The statements of a policy's renderings, as the per-configuration checks
//! see them: each rendered once per distinct value of the features its
//! guards read (`StatementCache`), its renderings kept across items and
//! edits (`known`), its findings remembered by their content
//! (`remembered_statement_findings`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use pcl_syntax::{SmolStr, Span};

use super::known::{self, KnownRenderings, KnownStatements};
use super::{Pass, SYMBOLIC_PARTITION};
use crate::diagnostic::Diagnostic;
use crate::expand::Env;
use crate::ir::{ConditionEntry, ItemIr, ParamValue, Program, Statement};
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
/// read (`variants::statement_reads`). Everything else a rendering reads
/// (the params of its texts, the partition, whether texts are rendered at
/// all) is the configuration's and the pass's, fixed for the cache's life.
/// What it renders is kept for later items and edits too (`KnownRenderings`).
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
    /// Whether renderings are kept across items and edits (in a file
    /// opened to edit: `SourceFile::open_to_edit`).
    keeps: bool,
    /// This configuration's renderings kept across items and edits, found
    /// on the first lookup.
    known: Option<Rc<RefCell<KnownStatements>>>,
    /// The items of the program (the closure of the item whose statements
    /// these are), held by every rendering kept from here (made for the
    /// first one).
    held: Option<Rc<[Arc<ItemIr>]>>,
}

struct StatementRenderings<'f> {
    /// The addresses of the blocks around the statement.
    blocks: Vec<usize>,
    /// The variables its rendering reads.
    vars: Rc<[String]>,
    /// What is known of it across items and edits (its summaries by the
    /// values of `vars`), when renderings are kept.
    known: Option<Rc<KnownRenderings>>,
    /// Its summaries found in this pass, by borrowed values: most lookups
    /// hit here, with no key of their own (`known` needs owned ones).
    by_values: HashMap<Vec<Option<&'f str>>, Rc<StatementSummary>>,
}

impl<'p, 'f> StatementCache<'p, 'f> {
    pub fn new(
        program: &'p Program,
        params: &'f BTreeMap<String, ParamValue>,
        (pass, partition): (Pass, &'f str),
        keeps: bool,
    ) -> Self {
        StatementCache {
            program,
            params,
            pass,
            partition,
            entries: HashMap::default(),
            values: Vec::new(),
            keeps,
            known: None,
            held: None,
        }
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
        let address = std::ptr::from_ref(s) as usize;
        if !self.entries.get(&address).is_some_and(|reached| reached.iter().any(same_blocks)) {
            let (vars, known) = match self.keeps {
                true => {
                    let known = self.known_renderings(s, blocks);
                    (Rc::clone(&known.vars), Some(known))
                }
                false => (variants::statement_vars(program, s, blocks).into(), None),
            };
            let blocks = addresses().collect();
            let renderings = StatementRenderings { blocks, vars, known, by_values: HashMap::default() };
            self.entries.entry(address).or_default().push(renderings);
        }
        let render = || Rc::new(summarize(program, s, blocks, env, (pass, partition)));
        let reached = self.entries.entry(address).or_default();
        let Some(renderings) = reached.iter_mut().find(|r| same_blocks(r)) else { return render() };
        // params are the configuration's: only the features vary (the
        // values are gathered in a buffer kept for the next lookup: most
        // lookups find a rendering, and need no key of their own)
        self.values.clear();
        self.values.extend(renderings.vars.iter().map(|v| features.get(v).map(String::as_str)));
        if let Some(summary) = renderings.by_values.get(self.values.as_slice()) {
            return Rc::clone(summary);
        }
        let summary = match &renderings.known {
            Some(known) => {
                let owned: Vec<Option<SmolStr>> = self.values.iter().map(|v| v.map(SmolStr::new)).collect();
                known.summary(&owned).unwrap_or_else(|| {
                    let summary = render();
                    known.keep(owned, Rc::clone(&summary));
                    summary
                })
            }
            None => render(),
        };
        renderings.by_values.insert(self.values.clone(), Rc::clone(&summary));
        summary
    }

    /// What is known of `s` inside `blocks` under this configuration: kept
    /// from an earlier item or edit when every item it read is still the
    /// program's (the same IR, at the same address), else found now.
    fn known_renderings(&mut self, s: &'p Statement, blocks: &[&'p ConditionEntry]) -> Rc<KnownRenderings> {
        let program = self.program;
        let key = (std::ptr::from_ref(s) as usize, blocks.iter().map(|b| std::ptr::from_ref(*b) as usize).collect());
        let (params, pass, partition) = (self.params, self.pass, self.partition);
        let known = Rc::clone(self.known.get_or_insert_with(|| known::for_configuration(params, pass, partition)));
        if let Some(found) = known.borrow().valid(&key, program) {
            return found;
        }
        let held = Rc::clone(self.held.get_or_insert_with(|| known::held(program)));
        let found = Rc::new(KnownRenderings::new(program, s, blocks, held));
        known::insert(&known, key, Rc::clone(&found));
        found
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
