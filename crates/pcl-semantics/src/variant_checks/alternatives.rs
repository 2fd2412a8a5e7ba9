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

use super::tallies::ANY_VALUE_GIVEN;
use super::tally::{Counted, tally};
use super::{Context, Finding, Pass};
use crate::config::{Config, check_param_value};
use crate::ir::{Cond, ParamValue, Program, ScalarType};
use crate::variants;

/// At most this many values beyond the checked ones per item: each is one
/// more pass over the item's configurations.
const MAX_ALTERNATIVES: usize = 16;

/// At most this many values tried per item: deciding whether one decides
/// the guards otherwise walks them all (a guard of thousands of literals).
const MAX_TRIED: usize = 64;

/// A value of a param, beyond the one the checked configurations hold, that
/// decides some guard of an item otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternative {
    pub param: String,
    pub value: String,
    /// A value given in place of the param's placeholder, which stands
    /// for any (`ir::placeholders::given_at_placeholder`).
    pub given: bool,
}

/// The values of params that `item`'s guards compare and that decide them
/// otherwise than `base` (the first configuration checked) does, each valid
/// for its param (a build could be given it). Not the partition param
/// (every partition is checked), a list param, nor a param a constraint
/// reads (`constraint_params`: the assignments allowed are decided for the
/// checked values only).
pub(super) fn guard_alternatives(
    program: &Program,
    item: &str,
    base: &Config,
    constraint_params: &[String],
) -> Vec<Alternative> {
    let conds = variants::guard_conds(program, item);
    // each variable's literals, in the order first compared: one walk (a
    // walk per variable was quadratic in a guard of many)
    let mut compared: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut at: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut met: rustc_hash::FxHashSet<(&str, &str)> = Default::default();
    for cond in &conds {
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
    // each candidate costs a pass over the guards: bounded
    let mut tried = 0;
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
        // a literal with `<...>` stands for the placeholder (see
        // `symbol_table::compared`): the checked value already decides it
        let mut candidates: Vec<String> =
            literals.into_iter().filter(|value| !value.contains('<') && value != held).map(str::to_owned).collect();
        // a guard that asks whether it was given (`when region`): some
        // value given in its place, which the checks read as the
        // placeholder, a value to come (an example would be judged)
        let given = crate::ir::placeholders::given_at_placeholder(held);
        candidates.extend(given.clone());
        // two values whose guards come out alike decide every guard alike
        let decided = |value: &str| conds.iter().map(|cond| cond.with_value(var, value)).collect::<Vec<Cond>>();
        let mut seen = vec![decided(held)];
        for value in candidates {
            if tried == MAX_TRIED {
                return found;
            }
            tried += 1;
            let is_given = given.as_deref() == Some(value.as_str());
            if !is_given && check_param_value(param, &value).is_err() {
                continue;
            }
            let outcome = decided(&value);
            if seen.contains(&outcome) {
                continue;
            }
            seen.push(outcome);
            found.push(Alternative { param: var.to_owned(), value, given: is_given });
            if found.len() == MAX_ALTERNATIVES {
                return found;
            }
        }
    }
    found
}

/// The findings of `context`'s item under each of `alternatives` that the
/// configurations checked (`checked`, among `configs`; counted in `base`,
/// each standing for `repeat`) did not show, each naming the value.
pub(super) fn findings_beyond(
    context: &Context<'_, '_>,
    alternatives: &[Alternative],
    (checked, configs): (&[Config], &[Config]),
    checks: (bool, Pass),
    (base, repeat): (&Counted, usize),
) -> Vec<Finding> {
    let mut counted = Counted::default();
    for alternative in alternatives {
        let Some((config, slot)) = rendered_with(context, alternative, checked, configs) else { continue };
        let mut config = config.clone();
        config.params.insert(alternative.param.clone(), ParamValue::One(alternative.value.clone()));
        config.given.insert(alternative.param.clone());
        let named = if alternative.given { ANY_VALUE_GIVEN } else { alternative.value.as_str() };
        let extra = Some((alternative.param.as_str(), named));
        // too many configurations: the checked ones have said so
        let _ = tally(context, (slice::from_ref(&config), slot), checks, extra, &mut counted);
    }
    let total = base.total * repeat + counted.total;
    counted.tallies.into_findings_beyond(&base.tallies, total, context.deps)
}

/// The checked configuration (and its place) that `alternative` changes: a
/// value that names a partition (an ARN's partition field, or a region when
/// the item is rendered in each partition) in that partition's configuration
/// (none: not rendered: in another, an ARN given would be its own E0316);
/// else the one rendering that stands for every partition, or the first.
fn rendered_with<'c>(
    context: &Context<'_, '_>,
    alternative: &Alternative,
    checked: &'c [Config],
    configs: &'c [Config],
) -> Option<(&'c Config, usize)> {
    let value = alternative.value.as_str();
    let named = match context.program.param(&alternative.param).map(|p| p.ty.scalar) {
        Some(ScalarType::Arn) => value
            .strip_prefix("arn:")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(partition, _)| pcl_iam::partitions::partition(partition)),
        Some(ScalarType::Region) if checked.len() > 1 => pcl_iam::partitions::region_partition(value),
        _ => None,
    };
    match (named, context.partition_param) {
        (Some(named), Some(partition_param)) => {
            configs.iter().enumerate().find_map(|(slot, config)| match config.params.get(partition_param) {
                Some(ParamValue::One(name)) if name == named.name => Some((config, slot)),
                _ => None,
            })
        }
        _ => match checked {
            [one] => Some((one, 0)),
            _ => configs.first().map(|first| (first, 0)),
        },
    }
}
