//! The findings of one pass over an item's configurations, each with the
//! configurations it occurs in (`tally`): a finding is one problem, however
//! many renderings show it.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;

use super::Finding;
use super::statements::StatementSummary;

/// One problem, and in how many of the configurations it occurs.
struct Tally {
    finding: Finding,
    /// The feature values shared by every configuration it occurs in.
    common: BTreeMap<String, String>,
    count: usize,
    /// The partitions it occurs in, when the partition is varied.
    partitions: BTreeSet<String>,
    /// The last configuration (its number in the pass) it was counted in: a
    /// problem found twice in one rendering (a block's empty condition, on
    /// each statement of the block) occurs in one more configuration, not two.
    last_counted: usize,
}

/// The configuration being counted: its number in the pass, its feature
/// values and its partition.
pub(super) struct Counting<'c> {
    pub(super) number: usize,
    pub(super) features: &'c BTreeMap<String, String>,
    pub(super) partition: &'c str,
}

/// The findings of a pass so far, each counted once per configuration.
#[derive(Default)]
pub(super) struct Tallies {
    tallies: Vec<Tally>,
    /// Where each finding's tally is, found by a hash of what makes two
    /// findings the same, as `Program` finds its items (a search of the list
    /// was quadratic in the findings: 65,536 duplicate condition keys in one
    /// statement took 15 s).
    at: hashbrown::HashTable<usize>,
    /// The tallies of each statement summary's findings (by its address: the
    /// summary is kept here, so no other takes it), for a summary met again
    /// in a later configuration: its findings are counted again without
    /// copying, hashing and comparing each of them (most configurations
    /// render most statements alike).
    by_summary: HashMap<usize, (Rc<StatementSummary>, String, Vec<usize>)>,
}

/// A hash of what makes two findings one problem: code, span, message,
/// origin, and the secondary labels (W0512's first copy may be another
/// entry in another configuration: one finding would name the wrong one).
fn identity_hash(finding: &Finding) -> u64 {
    let d = &finding.diagnostic;
    std::hash::BuildHasher::hash_one(
        &rustc_hash::FxBuildHasher,
        (d.code, d.span, &d.message, &finding.origin, &d.secondary),
    )
}

/// Whether two findings are one problem (see `identity_hash`).
fn same_problem(f: &Finding, finding: &Finding) -> bool {
    f.diagnostic.code == finding.diagnostic.code
        && f.diagnostic.span == finding.diagnostic.span
        && f.diagnostic.message == finding.diagnostic.message
        && f.origin == finding.origin
        && f.diagnostic.secondary == finding.diagnostic.secondary
}

impl Tallies {
    /// Whether `finding` is counted here (as one problem).
    fn holds(&self, finding: &Finding) -> bool {
        let tallies = &self.tallies;
        let hash = identity_hash(finding);
        self.at.find(hash, |at| tallies.get(*at).is_some_and(|t| same_problem(&t.finding, finding))).is_some()
    }

    /// Counts `finding` in the configuration `counting`; its tally's place.
    pub(super) fn note(&mut self, finding: Finding, counting: &Counting<'_>) -> usize {
        let same = |f: &Finding| same_problem(f, &finding);
        let hash = identity_hash(&finding);
        let tallies = &self.tallies;
        match self.at.find(hash, |at| tallies.get(*at).is_some_and(|t| same(&t.finding))).copied() {
            Some(at) => {
                count_again(&mut self.tallies, at, counting);
                at
            }
            None => {
                let at = self.tallies.len();
                let rehash = |at: &usize| tallies.get(*at).map_or(0, |t| identity_hash(&t.finding));
                self.at.insert_unique(hash, at, rehash);
                self.tallies.push(Tally {
                    finding,
                    common: counting.features.clone(),
                    count: 1,
                    partitions: [counting.partition.to_string()].into(),
                    last_counted: counting.number,
                });
                at
            }
        }
    }

    /// Counts the findings of a rendered statement's `summary`, written in
    /// `origin`, in the configuration `counting`.
    pub(super) fn note_summary(&mut self, summary: &Rc<StatementSummary>, origin: &str, counting: &Counting<'_>) {
        if summary.findings.is_empty() {
            return;
        }
        // the same summary is the same statement, rendered alike: its
        // findings are the ones noted before (a statement is in one item)
        let key = Rc::as_ptr(summary) as usize;
        if let Some((_, noted_in, places)) = self.by_summary.get(&key) {
            debug_assert_eq!(noted_in, origin, "a statement summary is one item's");
            for &at in places {
                count_again(&mut self.tallies, at, counting);
            }
            return;
        }
        let places = summary
            .findings
            .iter()
            .map(|d| {
                let secondary_origins = vec![origin.to_string(); d.secondary.len()];
                self.note(Finding { origin: origin.to_string(), diagnostic: d.clone(), secondary_origins }, counting)
            })
            .collect();
        self.by_summary.insert(key, (Rc::clone(summary), origin.to_string(), places));
    }

    /// The findings not in `checked` (those of the configurations `pcl
    /// check` renders), each with the configurations it occurs in described
    /// (`NAME=VALUE, ...`: these all hold a param's value beyond the checked
    /// one, named as a feature's): what only that value shows.
    pub(super) fn beyond(
        mut self,
        checked: &Tallies,
        (partition_param, configs): (Option<&str>, usize),
    ) -> Vec<(Finding, String)> {
        self.tallies.retain(|t| !checked.holds(&t.finding));
        self.tallies
            .into_iter()
            .map(|t| {
                let common = with_partition(t.common, &t.partitions, (partition_param, configs));
                (t.finding, describe(&common))
            })
            .collect()
    }

    /// Each finding, its message saying in which of the `total`
    /// configurations it occurs (each counted one standing for `repeat`
    /// identical ones); `deps`, the features varied, and `partition`, the
    /// partition param and how many configurations there were, to name the
    /// partition only when the problem depends on it.
    pub(super) fn into_findings(
        self,
        (total, repeat): (usize, usize),
        deps: &[String],
        (partition_param, configs): (Option<&str>, usize),
    ) -> Vec<Finding> {
        self.tallies
            .into_iter()
            .map(|t| {
                let mut f = t.finding;
                let first = with_partition(t.common, &t.partitions, (partition_param, configs));
                let (count, total) = (t.count * repeat, total * repeat);
                f.diagnostic.message = if count == total {
                    if !deps.is_empty() {
                        format!("{} in every configuration", f.diagnostic.message)
                    } else {
                        f.diagnostic.message
                    }
                } else if first.is_empty() {
                    format!("{} in {count} of {total} configurations", f.diagnostic.message)
                } else {
                    format!("{} when {}", f.diagnostic.message, describe(&first))
                };
                f
            })
            .collect()
    }
}

/// Counts the finding of the tally at `at` in the configuration `counting`.
fn count_again(tallies: &mut [Tally], at: usize, counting: &Counting<'_>) {
    let Some(t) = tallies.get_mut(at) else { return };
    if t.last_counted == counting.number {
        return;
    }
    t.last_counted = counting.number;
    t.count += 1;
    if !t.partitions.contains(counting.partition) {
        t.partitions.insert(counting.partition.to_string());
    }
    t.common.retain(|k, v| counting.features.get(k) == Some(v));
}

/// `common`, the feature values every configuration of a finding holds,
/// with the partition when it occurs in one of several (`partitions`).
fn with_partition(
    mut common: BTreeMap<String, String>,
    partitions: &BTreeSet<String>,
    (partition_param, configs): (Option<&str>, usize),
) -> BTreeMap<String, String> {
    // name the partition only when the problem depends on it
    if partitions.len() == 1
        && partitions.len() < configs
        && let (Some(p), Some(v)) = (partition_param, partitions.first())
    {
        common.insert(p.to_string(), v.clone());
    }
    common
}

/// What a configuration holds for a param given some value in place of its
/// placeholder, or another value than its default and every value compared
/// (`alternatives`): described as `NAME is given` and `NAME has another
/// value` (no value holds the mark).
pub(super) const ANY_VALUE_GIVEN: &str = "\u{1}given";
pub(super) const ANOTHER_VALUE: &str = "\u{1}another";

fn describe(features: &BTreeMap<String, String>) -> String {
    let part = |(k, v): (&String, &String)| match v.as_str() {
        ANY_VALUE_GIVEN => format!("{k} is given"),
        ANOTHER_VALUE => format!("{k} has another value"),
        v => format!("{k}={v}"),
    };
    let parts: Vec<String> = features.iter().map(part).collect();
    parts.join(", ")
}
