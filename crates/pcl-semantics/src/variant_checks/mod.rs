//! The checks that need a configuration: every rendered variant of a policy
//! or role is expanded and checked for empty lists, empty documents and
//! duplicate Sids. Findings are relative to the item whose text holds them,
//! so the salsa query `db::variant_findings` can reuse them across edits of
//! unrelated items.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashSet as HashSet;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::ir::{ItemIr, Program, ProgramItem, ScalarType};
use crate::item_check::{ItemAnalysis, RefKind};
use crate::variants;

mod alternatives;
mod file_level;
mod given_regions;
mod known;
mod relative;
pub use known::forget_all as forget_kept_renderings;
mod roles;
mod shapes;
mod statement_memo;
mod statements;
mod tallies;
mod tally;

use alternatives::Alternative;
pub use file_level::{Assignments, FileLevel, check_configs, constraints_read, symbolic_config};
use file_level::{SYMBOLIC_PARTITION, Shared};

use shapes::empty_list;
use tally::{Counted, tally};

/// A diagnostic whose spans are relative to items: the primary span to
/// `origin`, each secondary label to the matching `secondary_origins` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    pub origin: String,
    pub diagnostic: Diagnostic,
    pub secondary_origins: Vec<String>,
}

/// Makes findings absolute with the offsets of `program`.
pub fn absolute(program: &Program, findings: Vec<Finding>) -> Vec<Diagnostic> {
    let offset = |name: &str| program.get(name).map_or(0, |i| i.offset);
    findings
        .into_iter()
        .map(|f| {
            let mut d = f.diagnostic;
            d.span = d.span.shift(offset(&f.origin));
            for (label, origin) in d.secondary.iter_mut().zip(&f.secondary_origins) {
                label.span = label.span.shift(offset(origin));
            }
            d
        })
        .collect()
}

/// What a policy's or role's per-configuration checks found, and the
/// variables (features and params) its guards read, over which they ran:
/// a role that inlines a policy reads the policy's (`db::inlined_guard_vars`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClosureFindings {
    pub findings: Vec<Finding>,
    pub vars: Vec<String>,
    /// Some finding shows a placeholder's stand-in (`ir::placeholders`):
    /// known once, so that the assembly of each analysis looks only at these.
    pub shows_stand_ins: bool,
}

/// One item of a policy's or role's closure, as the database knows it.
pub struct ClosureItem<'a> {
    pub name: &'a pcl_syntax::Name,
    /// Its analysis (with its name's span: read from here, not from its AST).
    /// A valueset's or actionset's places (its spans, its IR's, its
    /// diagnostics' and references') must not be read: a closure compares
    /// a set without them, so what is found from it is not found again
    /// after an edit that only moved them (see `db::closure::ClosureMember`).
    pub analysis: &'a ItemAnalysis,
}

/// The findings of `item` (a policy or role) on a small `Program` of what it
/// reads: `closure`, in declaration order (it orders feature names as the
/// whole program does): itself, what it references transitively, and the
/// `configuring` items (params, features, constraints) it names, and the
/// partition param (`db::closure_members` gathers them). Cost: the size of
/// that closure, not of the file (what it needs to know of all the params,
/// features and constraints is in `file_level`, computed once per file).
/// Empty lists are reported only when the closure has no errors, no unknown
/// names, no cycles and no too deep chains: each of those can make a list
/// look empty. Reads no param outside `closure`: in a file opened to edit,
/// the configurations are compared (and in a debug build hold) only the
/// closure's params (`db::configs_over`).
pub fn closure_findings<'a>(
    item: &str,
    (closure, inlined_vars): (&[ClosureItem<'a>], &[String]),
    file_level: &FileLevel<'a>,
) -> ClosureFindings {
    let members: HashSet<&str> = closure.iter().map(|c| c.name.as_str()).collect();
    // an error in a param, feature or constraint may leave any list of the
    // file looking empty (its configurations are then not what was meant)
    let mut report_empty = !file_level.configuring_errors;
    // an item read without its broken entries may look emptier than written:
    // its texts are checked, its lists and documents not reported empty
    let mut recovered = false;
    let mut graph: crate::graph::Graph<'_> = BTreeMap::new();
    for member in closure {
        let analysis = member.analysis;
        recovered |= analysis.recovered;
        if analysis.diagnostics.iter().any(|d| d.severity() == crate::Severity::Error) {
            report_empty = false;
        }
        for r in &analysis.refs {
            // an unknown or unparsed name: what it stands for looks empty
            if !members.contains(r.name.as_str()) {
                report_empty = false;
            }
            if matches!(r.kind, RefKind::Include | RefKind::Actionset | RefKind::Valueset) {
                graph.entry(member.name.as_str()).or_default().push((r.name.as_str(), r.span));
            }
        }
    }
    let program = Program::from_items(closure.iter().map(|member| ProgramItem {
        name: *member.name,
        offset: 0,
        name_span: member.analysis.name_span,
        ir: member.analysis.ir.clone(),
    }));
    // cut cycles and too deep chains also leave lists looking empty
    let walk = crate::graph::walk(&graph);
    if !walk.cycles.is_empty() || walk.height.values().any(|h| *h >= crate::MAX_INCLUDE_DEPTH) {
        report_empty = false;
    }
    let Some(this) = program.get(item) else { return ClosureFindings::default() };
    // an item whose guards (and the constraints) do not read the partition
    // is checked in one partition that stands for all: build only that one
    let partition_param = program.partition_param();
    let (mut vars, conds) = variants::guard_vars_and_conds(&program, item);
    // what the item's own checks read (for a role, not its inline policies'
    // bodies, of which the closure holds the headers only: its renderings
    // vary with those, its findings do not), and the two names a role's
    // rendering looks up as they are (the ARNs of the policies it attaches:
    // `expand::expand_role_shallow`), should features hold them
    // (a policy's findings read every variable: none kept apart)
    // (the guards of the policies it attaches whole are read apart, as
    // whether each holds: `tally`)
    let own = match &*this.ir {
        ItemIr::Role { .. } => {
            let own = variants::role_own_vars(&program, item);
            own.into_iter().chain(["partition", "account"].map(String::from)).collect()
        }
        _ => Vec::new(),
    };
    // by hash: a list searched for each variable was quadratic in them
    let mut known: HashSet<String> = vars.iter().cloned().collect();
    for var in inlined_vars {
        if known.insert(var.clone()) {
            vars.push(var.clone());
        }
    }
    let partition_read =
        partition_param.is_some_and(|p| vars.iter().any(|v| v == p) || file_level.constraints_read_partition);
    let first_only = partition_param.is_some() && !partition_read;
    let configs = match first_only {
        true => file_level.configs.get(..1).unwrap_or_default(),
        false => file_level.configs,
    };
    let count = if first_only { crate::iam::PARTITIONS.len() } else { configs.len() };
    let reads = GuardReads { vars: &vars, own: &own, partition: partition_read };
    let alternatives = match configs.first() {
        Some(base) => alternatives::guard_alternatives(&program, &conds, base, file_level.constraint_params),
        None => Vec::new(),
    };
    let shared = Shared {
        assignments: file_level.assignments,
        symbolic: file_level.symbolic,
        // an item rendered again with values beyond the checked ones keeps
        // its renderings: most statements read none of those params, and
        // are found kept (a one-time check keeps them for such items alone)
        keeps: file_level.keeps_renderings || !alternatives.is_empty(),
        alternatives: &alternatives,
        file_configs: file_level.configs,
    };
    // a role's own empty lists are its trust lists, which recovery never
    // leaves out (a broken `trust` is not recovered): only a policy's
    // statements may look emptier than written
    let recovered = recovered && !matches!(&*this.ir, ItemIr::Role { .. });
    let checks = Checks { texts: report_empty, report_empty: report_empty && !recovered };
    let mut findings = item_findings_counted(&program, this, (configs, count), reads, checks, shared);
    suffix_by_param_name(&mut findings, partition_param.unwrap_or("partition"));
    let shows_stand_ins = findings.iter().any(|f| crate::ir::placeholders::holds_stand_in(&f.diagnostic));
    ClosureFindings { findings, vars, shows_stand_ins }
}

/// The findings' words with a DNS suffix to come named by the file's
/// partition param `param` (`${part.dns_suffix}`): the checks write it as
/// `pcl_iam::values::DNS_SUFFIX_SHOWN` (`any_partition`), knowing no
/// param's name.
fn suffix_by_param_name(findings: &mut [Finding], param: &str) {
    let rename = |text: &mut String| {
        if let Some(named) = pcl_iam::values::dns_suffix_named(text, param) {
            *text = named;
        }
    };
    for finding in findings {
        let d = &mut finding.diagnostic;
        rename(&mut d.message);
        d.label.iter_mut().chain(d.help.iter_mut()).for_each(rename);
        d.secondary.iter_mut().for_each(|label| rename(&mut label.message));
    }
}

/// Whether an item's guards (their variables: `vars`), or a constraint,
/// read the partition param `p`.
fn reads_partition(program: &Program, vars: &[String], p: &str) -> bool {
    vars.iter().any(|v| v == p) || constraints_read(program, p)
}

/// What an item's guards read: their variables (`variants::guard_vars`,
/// walked once per item, with the variables the bodies of a role's inline
/// policies read), and whether they or a constraint read the partition
/// param (`reads_partition`).
struct GuardReads<'v> {
    vars: &'v [String],
    /// All that a role's own findings read: in `closure_findings`, the
    /// variables of its own guards and of what it uses, without its inline
    /// policies and the guards of the policies it attaches whole
    /// (`variants::role_own_vars`); in `item_findings`, every variable
    /// (`vars`).
    /// Not read for a policy.
    own: &'v [String],
    partition: bool,
}

/// Checks every configuration of `item` (a policy or role) under each of
/// `configs`, with the constraints' `facts` under each (`variants::
/// constraint_facts`, made once per configuration for every item). Empty
/// lists are only reported when `report_empty`: when the item or what it
/// uses has errors, an unresolved reference would look empty.
pub fn item_findings(
    program: &Program,
    item: &ProgramItem,
    configs: &[Config],
    facts: &[variants::ConstraintFacts],
    report_empty: bool,
) -> Vec<Finding> {
    let assignments = |deps: &[String], cfg: &Config, slot: usize| match facts.get(slot) {
        Some(facts) => variants::configurations_in(program, deps, &cfg.pins, &cfg.params, facts).map(Cow::Owned),
        None => variants::configurations(program, deps, &cfg.pins, &cfg.params).map(Cow::Owned),
    };
    if !matches!(*item.ir, ItemIr::Policy { .. } | ItemIr::Role { .. }) {
        return Vec::new(); // nothing renders: no guard to walk
    }
    let vars = variants::guard_vars(program, &item.name);
    // asked only where it can matter: one configuration has no shortcut to take
    let partition_param = program.partition_param();
    let partition_read = configs.len() <= 1 || partition_param.is_some_and(|p| reads_partition(program, &vars, p));
    let reads = GuardReads { vars: &vars, own: &vars, partition: partition_read };
    let shared =
        Shared { assignments: &assignments, symbolic: None, keeps: false, alternatives: &[], file_configs: configs };
    let checks = Checks { texts: report_empty, report_empty };
    item_findings_counted(program, item, (configs, configs.len()), reads, checks, shared)
}

/// [`item_findings`] where `configs` may be the first of `count` partition
/// configurations (when the item does not read the partition, the first
/// stands for all, and findings are counted for all). `reads`: what the
/// item's guards read, which the caller has already asked.
fn item_findings_counted(
    program: &Program,
    item: &ProgramItem,
    (configs, count): (&[Config], usize),
    reads: GuardReads<'_>,
    Checks { texts, report_empty }: Checks,
    shared: Shared<'_, '_>,
) -> Vec<Finding> {
    let is_policy = matches!(*item.ir, ItemIr::Policy { .. });
    if !is_policy && !matches!(*item.ir, ItemIr::Role { .. }) {
        return Vec::new();
    }
    let deps = variants::features_among(program, reads.vars);
    let own_deps = if is_policy { Vec::new() } else { variants::features_among(program, reads.own) };
    let partition_param = program.partition_param();
    // The checks read guards and constraints, not texts: when neither the
    // item's guards nor any constraint reads the partition, every partition
    // has the same findings; check one and count it for all of them.
    let shortcut = match partition_param {
        Some(_) if count > 1 && !reads.partition => Some(configs.get(..1).unwrap_or_default()),
        _ => None,
    };
    // a guard that reads a region param may tie what it guards to one
    // partition's regions (`when region == "us-east-1"`, directly or through
    // a derived feature); a role's ARNs name no region but a param's
    let region = |v: &String| program.param(v).is_some_and(|p| p.ty.scalar == ScalarType::Region);
    let regions_allowed = !is_policy || reads.vars.iter().any(region);
    // guards that compare params are decided once per configuration
    // (`FixedGuards`); for the others the table would cost more than it spares
    let guards_read_params = reads.vars.iter().any(|v| program.param(v).is_some());
    let context = Context {
        program,
        item,
        is_policy,
        deps: &deps,
        own_deps: &own_deps,
        partition_param,
        assignments: shared.assignments,
        keeps: shared.keeps,
        regions_allowed,
        guards_read_params,
    };
    // Without texts, only shapes (duplicate Sids): they do not depend on
    // texts, so one partition stands for all when the guards do not read it.
    // With texts, shapes and texts come from one rendering of each
    // configuration; when no guard reads the partition, one rendering with
    // the partition left as `${partition}` stands for all of them: an ARN
    // that still names a partition there hard-codes it (the symbolic
    // configuration is made once per file by the database; else here).
    let pass = if texts { Pass::ShapesAndTexts } else { Pass::Shapes };
    let symbolic = match (texts, shortcut, partition_param) {
        (true, Some(one), Some(p)) => match shared.symbolic {
            Some(cfg) => Some(Cow::Borrowed(cfg)),
            None => symbolic_config(program, one, p).map(Cow::Owned),
        },
        _ => None,
    };
    let (checked, repeat): (&[Config], usize) = match (&symbolic, shortcut) {
        (Some(cfg), _) => (std::slice::from_ref(cfg.as_ref()), count),
        (None, Some(one)) if !texts => (one, count),
        _ => (configs, 1),
    };
    let mut counted = Counted::default();
    if let Err(found) = tally(&context, (checked, 0), (report_empty, pass), &[], &mut counted) {
        return found;
    }
    // what only the values of params the guards compare beyond the checked
    // ones show (`alternatives`)
    let beyond = match shared.alternatives.is_empty() {
        true => Vec::new(),
        false => alternatives::findings_beyond(
            &context,
            shared.alternatives,
            (checked, shared.file_configs),
            (report_empty, pass),
            &counted,
        ),
    };
    let mut findings = counted.tallies.into_findings((counted.total, repeat), &deps, (partition_param, checked.len()));
    findings.extend(beyond);
    findings
}

/// Which findings an item's passes report: its texts' (the catalog's
/// checks, ARNs, condition values), unless its closure has an error that
/// can garble them; and its empty lists and documents, unless that, or an
/// item of it read without its broken entries, can make one look empty.
#[derive(Clone, Copy)]
struct Checks {
    texts: bool,
    report_empty: bool,
}

/// Which checks a pass over the configurations runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// Empty lists, empty documents, duplicate Sids (texts left empty).
    Shapes,
    /// Those, and the catalog's checks and the shape of ARNs and condition
    /// values, on one rendering.
    ShapesAndTexts,
}

/// What one item's passes over its configurations read.
struct Context<'c, 'a> {
    program: &'c Program,
    item: &'c ProgramItem,
    is_policy: bool,
    deps: &'c [String],
    /// The features among `deps` that a role's own findings read, but
    /// for the guards of the policies it attaches whole (see `RoleKey`).
    own_deps: &'c [String],
    partition_param: Option<&'c str>,
    assignments: Assignments<'a>,
    /// See `Shared::keeps`.
    keeps: bool,
    /// Rendered for every partition, a region written out is not judged
    /// (`EVERY_PARTITION_REGIONS_ALLOWED`): the item's guards read a region
    /// param, or it is a role.
    regions_allowed: bool,
    /// Whether a guard the item reads compares a param (see `FixedGuards`).
    guards_read_params: bool,
}

pub(super) fn here(d: Diagnostic, origin: &str) -> Finding {
    Finding { origin: origin.to_string(), diagnostic: d, secondary_origins: Vec::new() }
}
