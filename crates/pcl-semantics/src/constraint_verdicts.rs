//! What the file-wide checks decide of the constraints alone: whether any
//! configuration satisfies them, and which the features' defaults break
//! (`file_checks::analyze` reports both), and which a configuration breaks
//! (`file_checks::check_configuration`). The verdicts read the params,
//! features and constraints only, so the database decides them once for
//! a program of those (`db::configuring::constraint_verdicts`), not after
//! every edit of another item.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::ir::Program;
use crate::variants;

/// What the params, features and constraints alone decide: whether any
/// configuration satisfies the constraints (params free: they are chosen
/// per build; `None` when too many combinations to decide), and which
/// constraints the features' defaults break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintVerdicts {
    pub satisfiable: Option<bool>,
    /// Each constraint the defaults make false: its place among the
    /// program's constraints, the values it read and its explanation.
    pub violated_by_defaults: Vec<(usize, String, String)>,
}

/// The verdicts of `program`'s constraints (see [`ConstraintVerdicts`]).
pub fn constraint_verdicts(program: &Program) -> ConstraintVerdicts {
    let empty = BTreeMap::new();
    let satisfiable = match program.constraints().next() {
        Some(_) => variants::satisfiable(program, &empty, &empty, &BTreeMap::new()),
        None => Some(true),
    };
    // only features: params such as the partition are chosen per build
    let defaults: BTreeMap<&str, &str> = program.features().map(|(n, f)| (n, f.default.as_str())).collect();
    let lookup = |v: &str| defaults.get(v).map(|d| d.to_string());
    ConstraintVerdicts { satisfiable, violated_by_defaults: violated(program, &lookup) }
}

/// E0401 for each constraint that `lookup` decides (it knows every variable
/// the constraint reads) and that is false; `kind` gets the values read, the
/// constraint's name and its explanation.
pub(crate) fn violations(
    program: &Program,
    lookup: &dyn Fn(&str) -> Option<String>,
    kind: impl Fn(String, String, String) -> DiagnosticKind,
) -> Vec<Diagnostic> {
    placed(program, &violated(program, lookup), kind)
}

/// `found` (as `violated` lists them) as diagnostics at the names of
/// `program`'s constraints; `kind` gets the values read, the constraint's
/// name and its explanation.
pub(crate) fn placed(
    program: &Program,
    found: &[(usize, String, String)],
    kind: impl Fn(String, String, String) -> DiagnosticKind,
) -> Vec<Diagnostic> {
    let constraints: Vec<_> = program.constraints().collect();
    let found = found.iter().filter_map(|(place, values, explanation)| {
        let (item, _, _) = constraints.get(*place)?;
        let kind = kind(values.clone(), item.name.as_str().to_owned(), explanation.clone());
        Some(kind.at(item.name_span.shift(item.offset)))
    });
    found.collect()
}

/// The constraints that `lookup` decides false, as `violated_by_defaults`
/// lists them.
fn violated(program: &Program, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (place, (_, cond, explanation)) in program.constraints().enumerate() {
        let mut vars = Vec::new();
        cond.vars(&mut vars);
        if vars.iter().all(|v| lookup(v).is_some()) && !cond.eval(lookup) {
            let values: Vec<String> = vars.iter().filter_map(|v| lookup(v).map(|x| format!("{v}={x}"))).collect();
            out.push((place, values.join(", "), explanation.to_string()));
        }
    }
    out
}

/// Reports constraints that exclude everything (as `verdicts` found);
/// false when they involve too many combinations to decide.
pub(crate) fn constraints(program: &Program, verdicts: &ConstraintVerdicts, diags: &mut Vec<Diagnostic>) -> bool {
    let all: Vec<_> = program.constraints().collect();
    let Some((first, _, _)) = all.first() else { return true };
    if verdicts.satisfiable.is_none() {
        diags.push(DiagnosticKind::ConstraintsTooLarge.at(first.name_span.shift(first.offset)));
        return false;
    }
    if verdicts.satisfiable == Some(false) {
        let others = all.iter().skip(1).map(|(item, _, _)| item.name_span.shift(item.offset)).collect();
        diags.push(DiagnosticKind::Unsatisfiable { others }.at(first.name_span.shift(first.offset)));
    }
    true
}
