//! Two policies, or two roles, deployed under one name in one configuration:
//! IAM names are unique in an account, compared case-insensitively. A
//! policy is deployed under its `name` field or its item name; a role under
//! its `name` field (without one, CloudFormation names it). Names interpolate
//! params only, so a build gives each item one name; two items clash when
//! their names are equal and their guards can hold together (under the
//! constraints). A `splittable` policy deployed as `NAME` deploys its
//! parts as `NAME-2`, `NAME-3`, ... (`pcl_codegen::split`): how many is
//! known only once rendered, so every such name is its own, and a policy
//! deployed under one clashes with it.
//!
//! What the check needs of each item is a `Deployed` record, made from its
//! IR once: in a file read by blocks (24 items or more) they are memoized a
//! block of items at a time (`db::blocks::block_deployed`, a policy's from
//! its header), so an edit that changes no deployed name does not look at
//! every policy and role again.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::expand::Env;
use crate::ir::{Cond, ItemIr, Program};
use crate::variants;

/// One deployed policy or role: what the clash check reads of it (borrowed
/// from its IR where it can be, owned when memoized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed<'a> {
    pub kind: &'static str,
    /// The name it is deployed under, and that name lower-cased.
    pub name: Cow<'a, str>,
    pub folded: Cow<'a, str>,
    pub when: Option<Cow<'a, Cond>>,
    /// The item's name, and its place among the file's parsed items.
    pub item: Cow<'a, str>,
    pub place: u32,
    /// The `name` field's span, or the item name's, relative to the item's
    /// name (see `relative_to_name`).
    pub name_span: pcl_syntax::Span,
    /// A `splittable` policy, whose parts take its name with `-2`, `-3`, ...
    pub splittable: bool,
}

impl Deployed<'_> {
    /// Made relative to the item's name, which starts at `name_start` in
    /// the item: a policy's header is (`db::PolicyHead`), so an edit before
    /// a policy's name (its doc comment) changes no deployed record.
    pub fn relative_to_name(mut self, name_start: u32) -> Self {
        self.name_span = self.name_span.relative_to(name_start);
        self
    }

    pub fn into_owned(self) -> Deployed<'static> {
        let Deployed { kind, name, folded, when, item, place, name_span, splittable } = self;
        Deployed {
            kind,
            name: Cow::Owned(name.into_owned()),
            folded: Cow::Owned(folded.into_owned()),
            when: when.map(|c| Cow::Owned(c.into_owned())),
            item: Cow::Owned(item.into_owned()),
            place,
            name_span,
            splittable,
        }
    }
}

/// A later deployed item, and the first it clashes with.
pub type Clash = (Deployed<'static>, Deployed<'static>);

/// The deployed name of a policy or role under `params` (`None` for any
/// other item, and for a role without a `name` field).
pub fn deployed<'p>(
    program: &Program,
    params: &BTreeMap<String, crate::ir::ParamValue>,
    (item, place, item_name_span): (&'p pcl_syntax::Name, u32, pcl_syntax::Span),
    ir: &'p ItemIr,
) -> Option<Deployed<'p>> {
    let empty = BTreeMap::new();
    let env = Env { program, features: &empty, params, shape_only: false, restoring: false, reads: None, fixed: None };
    let (kind, name, when, naming, splittable) = match ir {
        ItemIr::Policy { when, naming, splittable, .. } => {
            let name = naming.name.as_ref().map_or(Cow::Borrowed(item.as_str()), |t| Cow::Owned(env.text(t)));
            ("policy", name, when, &**naming, *splittable)
        }
        ItemIr::Role { when, role } => {
            ("role", Cow::Owned(env.text(role.naming.name.as_ref()?)), when, &role.naming, false)
        }
        _ => return None,
    };
    // runs for every policy and role after every edit of a small file: a
    // name already lower case is not copied (a stand-in keeps its param's
    // name: two params are two values to come)
    let folded = match name.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(crate::ir::placeholders::ascii_lowercase_outside_stand_ins(&name)),
        false => name.clone(),
    };
    Some(Deployed {
        kind,
        name,
        folded,
        when: when.as_deref().map(Cow::Borrowed),
        item: Cow::Borrowed(item.as_str()),
        place,
        name_span: naming.name_span.unwrap_or(item_name_span),
        splittable,
    })
}

/// `NAME` and `k` when `folded` is the name of part `k` of a policy
/// deployed as `NAME` (`k` ≥ 2, written as the splitter writes it).
fn part_of(folded: &str) -> Option<(&str, u32)> {
    let (base, k) = folded.rsplit_once('-')?;
    let written = !k.is_empty() && !k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit());
    let k: u32 = k.parse().ok().filter(|k| written && *k >= 2)?;
    Some((base, k))
}

/// The pairs of `deployed` (in file order, `count` of them) that clash:
/// each later one with the first it can be deployed with, under `config`'s
/// pins and params and `program`'s constraints.
pub fn clashes<'d, 'a: 'd>(
    (deployed, count): (impl Iterator<Item = &'d Deployed<'a>>, usize),
    program: &Program,
    config: &Config,
) -> Vec<(&'d Deployed<'a>, &'d Deployed<'a>)> {
    // grouped in a hash map (each group keeps the file's order; the callers
    // sort the findings by position), sized at once: grown insert by insert,
    // a large file's table was rehashed some twenty times (on 100 MB, 30x
    // the time of 10 MB)
    let mut by_name: FxHashMap<(&'static str, &str), Vec<&Deployed<'a>>> =
        FxHashMap::with_capacity_and_hasher(count, Default::default());
    let mut parts: Vec<&Deployed<'a>> = Vec::new();
    for d in deployed {
        by_name.entry((d.kind, &*d.folded)).or_default().push(d);
        if d.kind == "policy" && part_of(&d.folded).is_some() {
            parts.push(d);
        }
    }
    let mut out = Vec::new();
    for same in by_name.values().filter(|v| v.len() > 1) {
        let firsts = crate::first_together::first_together(
            program,
            same,
            |d| d.when.iter().map(|c| &**c).collect(),
            |_, _| true,
            |first, later| together(program, config, first, later),
        );
        for (later, first) in same.iter().zip(firsts) {
            if let Some(first) = first.and_then(|i| same.get(i)) {
                out.push((*later, *first));
            }
        }
    }
    // a policy deployed as a splittable one's part: reported at it, wherever
    // it is in the file (the splittable policy's part is the one pcl names)
    for d in parts {
        let Some(same) = part_of(&d.folded).and_then(|(base, _)| by_name.get(&("policy", base))) else { continue };
        if let Some(split) = same.iter().find(|s| s.splittable && together(program, config, s, d)) {
            out.push((d, *split));
        }
    }
    out
}

/// The finding of `later` clashing with `first`; `offset` gives where an
/// item's name starts in the file, by the item's place.
pub fn clash_diagnostic(later: &Deployed<'_>, first: &Deployed<'_>, offset: &dyn Fn(u32) -> u32) -> Diagnostic {
    let at = later.name_span.shift(offset(later.place));
    // names that differ beyond case: `later` takes the name of a part of `first`
    if let Some((_, part)) = part_of(&later.folded).filter(|_| later.folded != first.folded) {
        return DiagnosticKind::DeployedPartClash {
            name: later.name.to_string(),
            item: later.item.to_string(),
            part_name: format!("{}-{part}", first.name),
            part,
            split: first.item.to_string(),
            first: first.name_span.shift(offset(first.place)),
        }
        .at(at);
    }
    DiagnosticKind::DeployedNameClash {
        kind: later.kind,
        name: later.name.to_string(),
        first_name: first.name.to_string(),
        first_item: first.item.to_string(),
        item: later.item.to_string(),
        first: first.name_span.shift(offset(first.place)),
    }
    .at(at)
}

/// The clashes of `program` built with `config`'s params.
///
/// Two passes, so that a large file keeps records of the few items that
/// may clash only: the first keeps a hash of each deployed name (16 bytes
/// an item), the second makes the records of the items whose hash is
/// shared. Keeping every item's record and a table of them all was 3 MiB of
/// the 10 MB corpus's peak.
pub fn name_clashes(program: &Program, config: &Config) -> Vec<Diagnostic> {
    use std::hash::BuildHasher;
    let items = program.items();
    let record = |at: usize| -> Option<Deployed<'_>> {
        let item = items.get(at)?;
        let place = u32::try_from(at).ok()?;
        let found = deployed(program, &config.params, (&item.name, place, item.name_span), &item.ir)?;
        Some(found.relative_to_name(item.name_span.start))
    };
    let mut hashed: Vec<(u64, u32)> = Vec::with_capacity(program.deployables());
    for at in 0..items.len() {
        if let Some(found) = record(at) {
            let hash = rustc_hash::FxBuildHasher.hash_one((found.kind, &*found.folded));
            hashed.push((hash, found.place));
            // beside the policy whose part's name it may take
            if let Some((base, _)) = part_of(&found.folded).filter(|_| found.kind == "policy") {
                hashed.push((rustc_hash::FxBuildHasher.hash_one((found.kind, base)), found.place));
            }
        }
    }
    hashed.sort_unstable_by_key(|(hash, _)| *hash);
    let mut candidates: Vec<u32> = Vec::new();
    for run in hashed.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        candidates.extend(run.iter().map(|(_, place)| *place));
    }
    drop(hashed);
    // in file order, as `clashes` takes them (each once)
    candidates.sort_unstable();
    candidates.dedup();
    let all: Vec<Deployed<'_>> =
        candidates.iter().filter_map(|place| usize::try_from(*place).ok().and_then(record)).collect();
    let offset = |place: u32| {
        let item = usize::try_from(place).ok().and_then(|at| items.get(at));
        item.map_or(0, |item| item.offset.saturating_add(item.name_span.start))
    };
    clashes((all.iter(), all.len()), program, config)
        .into_iter()
        .map(|(later, first)| clash_diagnostic(later, first, &offset))
        .collect()
}

/// Whether both items can be deployed in one configuration.
fn together(program: &Program, config: &Config, a: &Deployed<'_>, b: &Deployed<'_>) -> bool {
    let guards: Vec<&Cond> = a.when.iter().chain(&b.when).map(|c| &**c).collect();
    // too many combinations to decide: say nothing rather than something wrong
    variants::satisfiable_with(program, &config.pins, &config.pins, &config.params, &guards) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::part_of;

    #[test]
    fn the_names_parts_take() {
        assert_eq!(part_of("cluster-2"), Some(("cluster", 2)));
        assert_eq!(part_of("a-b-12"), Some(("a-b", 12)));
        // part 1 keeps the policy's name, and the splitter writes no zeros
        assert_eq!(part_of("cluster-1"), None);
        assert_eq!(part_of("cluster-02"), None);
        assert_eq!(part_of("cluster-"), None);
        assert_eq!(part_of("cluster-2x"), None);
        assert_eq!(part_of("cluster-99999999999999999999"), None);
    }
}
