//! The statements of a policy's renderings, as the per-configuration checks
//! see them: each rendered once per distinct value of the features its
//! guards read (`StatementCache`), its renderings kept across items and
//! edits (`known`), its findings remembered by their content
//! (`statement_memo.rs`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use pcl_syntax::{Name, Span};

use super::Pass;
use super::known::{self, KnownRenderings, KnownStatements};
use super::relative;
use crate::diagnostic::Diagnostic;
use crate::expand::Env;
use crate::ir::{ConditionEntry, Entry, ItemIr, ParamValue, Program, Statement};
use crate::variants;

/// A statement of one rendering of a policy: where it is written, and what
/// the checks need of its rendering.
pub(super) struct RenderedStatement<'p> {
    pub statement: &'p Statement,
    /// The item whose text holds it.
    pub origin: &'p str,
    pub summary: Rc<StatementSummary>,
}

/// A finding of a rendered statement about a block another item's text
/// holds (a policy's `with condition` around an included permset's
/// statement), with its places in the items that hold them.
#[derive(Clone)]
pub(super) enum Apart {
    Finding(super::Finding),
    /// A condition rendered with no values: its key, span and item.
    EmptyCondition(Name, Span, String),
}

/// What the per-configuration checks read of a rendered statement.
pub(super) struct StatementSummary {
    pub actions_empty: bool,
    pub resources_empty: bool,
    /// The key and span of each condition rendered with no values.
    pub empty_conditions: Vec<(Name, Span)>,
    /// Its own findings (the catalog's checks, ARNs, condition values),
    /// spans relative to its origin; none in a `Pass::Shapes`.
    pub findings: Vec<Diagnostic>,
    /// Its ARN findings read the types of the params it reads (which
    /// regions they bring, `given_regions`): not kept across edits, whose
    /// kept renderings know those params by value only (a review found one
    /// stale after a param's type changed). Rare: only with an E0316.
    pub reads_param_types: bool,
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
    /// Under which name renderings are kept across items and edits (in a
    /// file opened to edit, and for an item rendered with values beyond the
    /// checked ones, `tally`); `None`: not kept.
    kept_under: Option<&'f str>,
    /// This configuration's renderings kept across items and edits, found
    /// on the first lookup.
    known: Option<Rc<RefCell<KnownStatements>>>,
    /// The items of the program (the closure of the item whose statements
    /// these are), held by every rendering kept from here (made for the
    /// first one).
    held: Option<Rc<[Arc<ItemIr>]>>,
    /// Where the statements and blocks of the items held by renderings
    /// kept earlier are (see `rendered_from`).
    locations: Option<(Rc<[Arc<ItemIr>]>, relative::Locations)>,
    /// The summaries of statements some of whose blocks another item holds
    /// (`summarize_apart`), by the statement's and its blocks' addresses:
    /// a permset included under other conditions at every level of a chain
    /// is reached under thousands of block lists, in every assignment.
    apart: HashMap<(usize, Vec<usize>), ApartRenderings<'f>>,
}

/// One statement's summaries inside one list of blocks that another item
/// holds, with what they find of those blocks, by the values of the
/// variables they read (within one configuration, not kept beyond it).
struct ApartRenderings<'f> {
    vars: Vec<String>,
    by_values: HashMap<Vec<Option<&'f str>>, SummaryApart>,
}

/// A summary, and what it finds of blocks another item holds.
type SummaryApart = (Rc<StatementSummary>, Rc<[Apart]>);

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
        kept_under: Option<&'f str>,
    ) -> Self {
        StatementCache {
            program,
            params,
            pass,
            partition,
            entries: HashMap::default(),
            values: Vec::new(),
            kept_under,
            known: None,
            held: None,
            locations: None,
            apart: HashMap::default(),
        }
    }

    /// [`summarize_apart`] of `s` (held by `origin`) inside `blocks` (held
    /// by `block_origins`) under `env`, whose features are `features`: once
    /// per distinct value of the features the statement and its blocks
    /// read. Its inputs are the statement, the blocks (an address is one
    /// item's, so their origins come with them), the configuration's
    /// params, the pass and partition (the cache's) and those values.
    pub fn summary_apart(
        &mut self,
        (s, origin): (&'p Statement, &str),
        (blocks, block_origins): (&[&'p ConditionEntry], &[&str]),
        env: &Env<'_>,
        features: &'f BTreeMap<String, String>,
    ) -> (Rc<StatementSummary>, Rc<[Apart]>) {
        debug_assert!(std::ptr::eq(env.features, features), "the features looked up are the rendering's");
        let program = self.program;
        let key = (std::ptr::from_ref(s) as usize, blocks.iter().map(|b| std::ptr::from_ref(*b) as usize).collect());
        let renderings = self.apart.entry(key).or_insert_with(|| ApartRenderings {
            vars: variants::assigned_vars(program, variants::statement_vars(program, s, blocks)),
            by_values: HashMap::default(),
        });
        let values: Vec<Option<&'f str>> =
            renderings.vars.iter().map(|v| features.get(v).map(String::as_str)).collect();
        let (pass, partition) = (self.pass, self.partition);
        let (summary, found) = renderings.by_values.entry(values).or_insert_with(|| {
            let (summary, found) =
                summarize_apart(program, (s, origin), (blocks, block_origins), env, (pass, partition));
            (Rc::new(summary), found.into())
        });
        (Rc::clone(summary), Rc::clone(found))
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
            let (vars, known) = match self.kept_under {
                Some(store) => {
                    let known = self.known_renderings(s, blocks, store);
                    (Rc::clone(&known.vars), Some(known))
                }
                None => (variants::assigned_vars(program, variants::statement_vars(program, s, blocks)).into(), None),
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
                let owned: Vec<Option<Name>> = self.values.iter().map(|v| v.map(Name::new)).collect();
                known.summary(&owned).unwrap_or_else(|| {
                    let summary = render();
                    if !summary.reads_param_types {
                        known.keep(owned, Rc::clone(&summary));
                    }
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
    fn known_renderings(
        &mut self,
        s: &'p Statement,
        blocks: &[&'p ConditionEntry],
        store: &str,
    ) -> Rc<KnownRenderings> {
        let program = self.program;
        let key = (std::ptr::from_ref(s) as usize, blocks.iter().map(|b| std::ptr::from_ref(*b) as usize).collect());
        let (params, pass) = (self.params, self.pass);
        let known = Rc::clone(self.known.get_or_insert_with(|| known::for_configuration(pass, store)));
        if let Some(found) = known.borrow().valid(&key, (program, params)) {
            return found;
        }
        let held = Rc::clone(self.held.get_or_insert_with(|| known::held(program)));
        let content = relative::content_hash(s, blocks);
        let place = known::Place { key, start: s.span.start, content };
        let earlier =
            known.borrow().moved(content, (program, params)).filter(|earlier| self.rendered_from(earlier, s, blocks));
        let (found, replaced) = match earlier {
            // the one it was found from is forgotten if it is another
            // program's, an old one's; one of this program (the same
            // statement twice in one closure, in a policy and a permset it
            // includes) is still in use, and is kept
            Some(earlier) => {
                let replaced = (!Rc::ptr_eq(earlier.held(), &held)).then(|| earlier.key().clone());
                (Rc::new(earlier.moved_to(held, place)), replaced)
            }
            None => (Rc::new(KnownRenderings::new(program, (s, blocks), (held, params), place)), None),
        };
        known::insert(&known, Rc::clone(&found), replaced.as_ref());
        found
    }
}

impl StatementSummary {
    /// This summary, of a statement that started at `from`, for the same
    /// statement starting at `to` (see `relative.rs`).
    pub fn moved(&self, from: u32, to: u32) -> StatementSummary {
        let move_span = |span| relative::moved(span, from, to);
        let empty_conditions = self.empty_conditions.iter().map(|(key, span)| (*key, move_span(*span))).collect();
        let findings = self.findings.iter().map(|finding| finding.clone().with_spans(move_span)).collect();
        StatementSummary { empty_conditions, findings, ..*self }
    }
}

impl StatementCache<'_, '_> {
    /// Whether `earlier` was rendered from a statement of the same content
    /// as `s` inside `blocks`: found, with its blocks, among the items it
    /// holds (where each statement and block is, is found once for each
    /// program they are from).
    fn rendered_from(&mut self, earlier: &KnownRenderings, s: &Statement, blocks: &[&ConditionEntry]) -> bool {
        let held = earlier.held();
        let fresh = !self.locations.as_ref().is_some_and(|(of, _)| Rc::ptr_eq(of, held));
        if fresh {
            self.locations = Some((Rc::clone(held), relative::Locations::of(held)));
        }
        let Some((_, locations)) = &self.locations else { return false };
        let (address, block_addresses) = earlier.key();
        let Some(Entry::Statement(was)) = locations.entry(held, *address) else { return false };
        let mut was_blocks = Vec::with_capacity(block_addresses.len());
        for address in block_addresses {
            let Some(Entry::Block { condition, .. }) = locations.entry(held, *address) else { return false };
            was_blocks.push(condition);
        }
        relative::same_content((was, &was_blocks), (s, blocks))
    }
}

/// `s` (inside `blocks`, held by the items `block_origins`; `s` by
/// `origin`) rendered under `env`, and summarized, for a statement some of
/// whose blocks another item's text holds: the summary keeps what is the
/// statement's item's, and what is another's is found apart, with its
/// item. Not kept across configurations (`StatementCache` knows a summary
/// as one item's): such statements are rendered in each, once per distinct
/// value of what they read (`StatementCache::summary_apart`).
pub(super) fn summarize_apart(
    program: &Program,
    (s, origin): (&Statement, &str),
    (blocks, block_origins): (&[&ConditionEntry], &[&str]),
    env: &Env<'_>,
    (pass, partition): (Pass, &str),
) -> (StatementSummary, Vec<Apart>) {
    let foreign = |k: usize| block_origins.get(k).is_some_and(|o| *o != origin);
    // a foreign block's condition at a span no text has (the k-th from the
    // end of the range), found again in what the checks report
    let unplaced = |k: usize| {
        let at = u32::MAX - 1 - u32::try_from(k).unwrap_or(0);
        Span { start: at, end: at }
    };
    let placed = |span: Span| -> Option<(Span, &str)> {
        let k = usize::try_from((u32::MAX - 1).checked_sub(span.start)?).ok()?;
        let block = blocks.get(k)?;
        (span.start == span.end && foreign(k)).then(|| (block.span, block_origins.get(k).copied().unwrap_or(origin)))
    };
    let render = || {
        let mut st = crate::expand::expand_statement(program, s, blocks, env);
        // the statement's own conditions come first, then the blocks', in order
        let own = st.conditions.len().saturating_sub(blocks.len());
        for (k, condition) in st.conditions.iter_mut().skip(own).enumerate() {
            if foreign(k) {
                condition.span = unplaced(k);
            }
        }
        st
    };
    let mut summary = summary_judging_given(program, (s, blocks), env, (pass, partition), &render);
    let mut apart = Vec::new();
    let empty_conditions = std::mem::take(&mut summary.empty_conditions);
    for (key, span) in empty_conditions {
        match placed(span) {
            Some((span, item)) => apart.push(Apart::EmptyCondition(key, span, item.to_string())),
            None => summary.empty_conditions.push((key, span)),
        }
    }
    for mut d in std::mem::take(&mut summary.findings) {
        let labels_placed: Vec<Option<(Span, &str)>> = d.secondary.iter().map(|l| placed(l.span)).collect();
        let primary = placed(d.span);
        if primary.is_none() && labels_placed.iter().all(Option::is_none) {
            summary.findings.push(d);
            continue;
        }
        let (span, item) = primary.unwrap_or((d.span, origin));
        d.span = span;
        let mut secondary_origins = Vec::with_capacity(d.secondary.len());
        for (label, placed) in d.secondary.iter_mut().zip(labels_placed) {
            let (span, item) = placed.unwrap_or((label.span, origin));
            label.span = span;
            secondary_origins.push(item.to_string());
        }
        apart.push(Apart::Finding(super::Finding { origin: item.to_string(), diagnostic: d, secondary_origins }));
    }
    (summary, apart)
}

/// `s` (inside `blocks`) rendered under `env`, and summarized.
fn summarize(
    program: &Program,
    s: &Statement,
    blocks: &[&ConditionEntry],
    env: &Env<'_>,
    (pass, partition): (Pass, &str),
) -> StatementSummary {
    #[cfg(test)]
    RENDERED.with(|n| n.set(n.get() + 1));

    let render = || crate::expand::expand_statement(program, s, blocks, env);
    summary_judging_given(program, (s, blocks), env, (pass, partition), &render)
}

/// The summary of what `render` renders of `s`, the regions that params'
/// values bring judged where they are given (`given_regions`): a first
/// summary judges every region; only one with an E0316, in a file with a
/// partition param, renders the statement again and judges it without
/// them (a rendering looked at first for such regions cost every
/// statement, and a cold analysis of `policies.pcl` 0.4 %).
fn summary_judging_given(
    program: &Program,
    (s, blocks): (&Statement, &[&ConditionEntry]),
    env: &Env<'_>,
    (pass, partition): (Pass, &str),
    render: &dyn Fn() -> crate::expand::ExpandedStatement,
) -> StatementSummary {
    let summary = summary_of(render(), (s, env), (pass, partition, &[]));
    let judged_a_region = summary.findings.iter().any(|d| d.code == crate::diagnostic::Code::ArnPartition);
    if partition.is_empty() || !judged_a_region {
        return summary;
    }
    let given = super::given_regions::given_regions(program, (s, blocks), env);
    let summary = match given.regions.is_empty() {
        true => summary,
        false => summary_of(render(), (s, env), (pass, partition, &given.regions)),
    };
    StatementSummary { reads_param_types: given.by_type, ..summary }
}

/// What the checks read of `st`, the rendering of `s` under `env`.
fn summary_of(
    st: crate::expand::ExpandedStatement,
    (s, env): (&Statement, &Env<'_>),
    (pass, partition, given): (Pass, &str, &[String]),
) -> StatementSummary {
    let (actions_empty, resources_empty) = (st.actions.values.is_empty(), st.resources.values.is_empty());
    let empty_conditions =
        st.conditions.iter().filter(|c| c.values.values.is_empty()).map(|c| (c.key, c.span)).collect();
    let mut findings = match pass {
        Pass::Shapes => Vec::new(),
        Pass::ShapesAndTexts => super::statement_memo::remembered_statement_findings(st, partition, given),
    };
    if !findings.is_empty() {
        crate::content_checks::place_list_findings(s, env, (partition, given), &mut findings);
    }
    StatementSummary { actions_empty, resources_empty, empty_conditions, findings, reads_param_types: false }
}

#[cfg(test)]
thread_local! {
    /// Statements rendered on this thread (`summarize`): the test below counts them.
    static RENDERED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests;
