//! Values of params beyond the ones `pcl check` renders with. The check
//! renders each item with every param at its default or placeholder, so a
//! guard that compares a param (`when region == "cn-north-1"`, or
//! `feature regional = region and region != "*"`, false while `region` is
//! left at its placeholder) hid what it guards from every check: it was
//! found only by a build given such a value. Each item is also rendered,
//! for each param its guards compare, with each value that decides them
//! otherwise (the values they compare it with, and for a param left at its
//! placeholder, some value given in its place), and what only those
//! renderings show is reported with the value named (`when
//! region=cn-north-1`, `when region is given`).

use std::slice;

use super::tallies::{ANOTHER_VALUE, ANY_VALUE_GIVEN};
use super::tally::{Counted, tally};
use super::{Context, Finding, Pass};
use crate::config::{Config, check_param_value};
use crate::iam::refine::Refinement;
use crate::ir::{Cond, ParamValue, Program, ScalarType};

/// At most this many values beyond the checked ones per item: each is one
/// more pass over the item's configurations.
const MAX_ALTERNATIVES: usize = 16;

/// At most this many values tried per param: deciding whether one decides
/// the guards otherwise walks them all (a guard of thousands of literals).
const MAX_TRIED: usize = 64;

/// A value of a param, beyond the one the checked configurations hold, that
/// decides some guard of an item otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternative {
    pub param: String,
    pub value: String,
    /// How findings name it.
    pub named: Named,
    /// Another param's value it goes with (`stage == "prod" and tier ==
    /// "high"`: neither alone decides the guard).
    pub also: Option<Box<Alternative>>,
}

impl Alternative {
    /// The param and how findings name its value (`Tallies` describes it).
    fn named(&self) -> (&str, &str) {
        let value = match self.named {
            Named::Literal => self.value.as_str(),
            Named::Given => ANY_VALUE_GIVEN,
            Named::Other => ANOTHER_VALUE,
        };
        (self.param.as_str(), value)
    }
}

/// How the findings of a value beyond the checked ones name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// As written (a literal a guard compares the param with).
    Literal,
    /// `NAME is given`: any value given in place of a placeholder's
    /// `<...>`, or to an absent optional param
    /// (`ir::placeholders::some_other_value`).
    Given,
    /// `NAME has another value`: any but the one held (a default, a
    /// placeholder without `<...>`) and the literals.
    Other,
}

/// The values of params that an item's guards (`conds`, as
/// `variants::guard_vars_and_conds` walks them) compare and that decide them
/// otherwise than `base` (the first configuration checked) does, each valid
/// for its param (a build could be given it). Not the partition param
/// (every partition is checked), a list param, nor a param a constraint
/// reads (`constraint_params`: the assignments allowed are decided for the
/// checked values only).
pub(super) fn guard_alternatives(
    program: &Program,
    conds: &[&Cond],
    base: &Config,
    constraint_params: &[String],
) -> Vec<Alternative> {
    // each variable's literals, in the order first compared: one walk (a
    // walk per variable was quadratic in a guard of many)
    let mut compared: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut at: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut met: rustc_hash::FxHashSet<(&str, &str)> = Default::default();
    for cond in conds {
        cond.for_each_comparison(&mut |var, value| {
            let k = *at.entry(var).or_insert_with(|| {
                compared.push((var, Vec::new()));
                compared.len() - 1
            });
            if met.insert((var, value))
                && let Some((_, values)) = compared.get_mut(k)
            {
                values.push(value);
            }
        });
    }
    let partition_param = program.partition_param();
    let mut found = Vec::new();
    for (var, literals) in compared {
        if Some(var) == partition_param || constraint_params.binary_search_by(|p| p.as_str().cmp(var)).is_ok() {
            continue;
        }
        let (Some(param), Some(ParamValue::One(held))) = (program.param(var), base.params.get(var)) else {
            continue;
        };
        if param.ty.list {
            continue;
        }
        // what the param holds at a placeholder (or `<...>` compared with
        // one, `symbol_table::compared`) is no value to give; the words a
        // pattern allows (`string(pattern "read|write")`) are values too
        let mut candidates: Vec<&str> = literals;
        candidates.extend(pattern_words(&param.refinements));
        let mut tried: rustc_hash::FxHashSet<&str> = Default::default();
        candidates
            .retain(|value| !value.contains(crate::ir::placeholders::MARK) && value != held && tried.insert(value));
        // two values whose guards come out alike decide every guard alike:
        // one that decides them as the checked value does shows nothing new
        // of them; others are each rendered (their texts may differ), and a
        // value unlike all only when it decides them otherwise than all
        let decided = |value: &str| conds.iter().map(|cond| cond.with_value(var, value)).collect::<Vec<Cond>>();
        let checked = decided(held);
        let mut seen = Vec::new();
        for value in candidates.into_iter().take(MAX_TRIED) {
            let outcome = decided(value);
            if check_param_value(param, value).is_err() || outcome == checked {
                continue;
            }
            seen.push(outcome);
            found.push(Alternative {
                param: var.to_owned(),
                value: value.to_owned(),
                named: Named::Literal,
                also: None,
            });
            if found.len() == MAX_ALTERNATIVES {
                return found;
            }
        }
        // a guard that asks whether it was given (`when region`), or that
        // it is not its default (`region != "*"`): a value unlike all,
        // which the checks read as one to come (an example would be judged),
        // when the param's type and refinements allow one
        let unlike_all = crate::ir::placeholders::some_other_value(var, held);
        let outcome = decided(&unlike_all);
        if outcome != checked && !seen.contains(&outcome) && another_value_allowed(param, held, &tried) {
            let at_placeholder = held.contains(crate::ir::placeholders::MARK) || (param.optional && held.is_empty());
            let named = if at_placeholder { Named::Given } else { Named::Other };
            found.push(Alternative { param: var.to_owned(), value: unlike_all, named, also: None });
            if found.len() == MAX_ALTERNATIVES {
                return found;
            }
        }
    }
    with_pairs(conds, base, found)
}

/// `singles` and, up to `MAX_ALTERNATIVES` in all, each pair of two params'
/// values whose guards together come out otherwise than with either alone
/// and than with any pair before (`stage == "prod" and tier == "high"`).
fn with_pairs(conds: &[&Cond], base: &Config, singles: Vec<Alternative>) -> Vec<Alternative> {
    let held = |param: &str| match base.params.get(param) {
        Some(ParamValue::One(value)) => value.as_str(),
        _ => "",
    };
    let both = |(p, v): (&str, &str), (q, w): (&str, &str)| {
        conds.iter().map(|cond| cond.with_value(p, v).with_value(q, w)).collect::<Vec<Cond>>()
    };
    let mut found = singles.clone();
    let mut seen = Vec::new();
    for (k, a) in singles.iter().enumerate() {
        for b in singles.iter().skip(k + 1).filter(|b| b.param != a.param) {
            if found.len() >= MAX_ALTERNATIVES {
                return found;
            }
            let (a_at, b_at) = ((a.param.as_str(), a.value.as_str()), (b.param.as_str(), b.value.as_str()));
            let (a_held, b_held) = ((a_at.0, held(&a.param)), (b_at.0, held(&b.param)));
            let outcome = both(a_at, b_at);
            let alone = [both(a_held, b_held), both(a_at, b_held), both(a_held, b_at)];
            if alone.contains(&outcome) || seen.contains(&outcome) {
                continue;
            }
            seen.push(outcome);
            found.push(Alternative { also: Some(Box::new(b.clone())), ..a.clone() });
        }
    }
    found
}

/// The plain words a pattern refinement is an alternation of (`read|write`,
/// `^(a|b)$`): values it allows that no guard need name.
fn pattern_words(refinements: &[Refinement]) -> Vec<&str> {
    let word = |w: &&str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    let mut words = Vec::new();
    for refinement in refinements {
        if let Refinement::Pattern(pattern) = refinement {
            let bare = pattern.trim_start_matches('^').trim_end_matches('$');
            let bare = bare.strip_prefix('(').and_then(|b| b.strip_suffix(')')).unwrap_or(bare);
            let alternatives: Vec<&str> = bare.split('|').collect();
            if alternatives.iter().all(word) {
                words.extend(alternatives);
            }
        }
    }
    words
}

/// Whether the param may be given a value other than `held` and the
/// values `tried`: an ARN, region or account always (there are many); a
/// string when one of a few plain ones meets its refinements (`string(pattern
/// "read|write")` allows none but its words).
fn another_value_allowed(param: &crate::ir::Param, held: &str, tried: &rustc_hash::FxHashSet<&str>) -> bool {
    const SAMPLES: [&str; 6] = ["x", "a", "0", "example", "X", "x-1"];
    let refined = param.refinements.iter().any(|r| matches!(r, Refinement::Pattern(_) | Refinement::MaxLength(_)));
    !refined && param.ty.scalar != ScalarType::String
        || SAMPLES.iter().any(|s| *s != held && !tried.contains(s) && check_param_value(param, s).is_ok())
}

/// The findings of `context`'s item under each of `alternatives` that the
/// configurations checked (`checked`, among `configs`, the file's; counted
/// in `base`, each standing for `repeat`) did not show, each naming the
/// values it occurs at (`... when stage=prod or stage=qa`).
pub(super) fn findings_beyond(
    context: &Context<'_, '_>,
    alternatives: &[Alternative],
    (checked, configs): (&[Config], &[Config]),
    checks: (bool, Pass),
    base: &Counted,
) -> Vec<Finding> {
    let mut merged: Vec<(Finding, Vec<String>)> = Vec::new();
    let mut at: rustc_hash::FxHashMap<Finding, usize> = Default::default();
    // how many of `merged` the single values found (they come first): a
    // pair adds what they did not
    let mut by_singles = None;
    for alternative in alternatives {
        let values: Vec<&Alternative> = std::iter::once(alternative).chain(alternative.also.as_deref()).collect();
        let extra: Vec<(&str, &str)> = values.iter().map(|a| a.named()).collect();
        let mut counted = Counted::default();
        let rendered = rendered_with(context, alternative, checked, configs);
        for (config, slot) in &rendered {
            let mut config = (*config).clone();
            for a in &values {
                config.params.insert(a.param.clone(), ParamValue::One(a.value.clone()));
                config.given.insert(a.param.clone());
            }
            // too many configurations: the checked ones have said so
            let _ = tally(context, (slice::from_ref(&config), *slot), checks, &extra, &mut counted);
        }
        let pair = alternative.also.is_some();
        if pair && by_singles.is_none() {
            by_singles = Some(merged.len());
        }
        for (finding, described) in counted.tallies.beyond(&base.tallies, (context.partition_param, rendered.len())) {
            match at.get(&finding).copied() {
                Some(k) if by_singles.is_some_and(|singles| k < singles) => {}
                Some(k) => {
                    if let Some((_, where_)) = merged.get_mut(k) {
                        where_.push(described);
                    }
                }
                None => {
                    at.insert(finding.clone(), merged.len());
                    merged.push((finding, vec![described]));
                }
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut finding, where_)| {
            // in one order, whichever item's walk met the values first (a
            // permset's statement, found by each policy that includes it)
            let mut where_ = where_;
            where_.sort();
            where_.dedup();
            finding.diagnostic.message = format!("{} when {}", finding.diagnostic.message, where_.join(" or "));
            finding
        })
        .collect()
}

/// The configurations (and their places among the file's, `configs`) that
/// `alternative` changes: for a value that names a partition (an ARN's
/// partition field; a region, when the item is rendered in each partition),
/// that partition's (an ARN given in another would be its own E0316); else
/// each of those checked (the one that stands for every partition, or one
/// per partition).
fn rendered_with<'c>(
    context: &Context<'_, '_>,
    alternative: &Alternative,
    checked: &'c [Config],
    configs: &'c [Config],
) -> Vec<(&'c Config, usize)> {
    let value = alternative.value.as_str();
    let named = match context.program.param(&alternative.param).map(|p| p.ty.scalar) {
        Some(ScalarType::Arn) => pcl_iam::values::partition_field(value).and_then(pcl_iam::partitions::partition),
        Some(ScalarType::Region) if checked.len() > 1 => pcl_iam::partitions::region_partition(value),
        _ => None,
    };
    match (named, context.partition_param) {
        (Some(named), Some(partition_param)) => configs
            .iter()
            .enumerate()
            .filter(|(_, config)| {
                matches!(config.params.get(partition_param), Some(ParamValue::One(name)) if name == named.name)
            })
            .map(|(slot, config)| (config, slot))
            .collect(),
        _ => checked.iter().enumerate().map(|(slot, config)| (config, slot)).collect(),
    }
}
