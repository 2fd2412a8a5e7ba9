//! A configuration: features pinned to one value and params given values
//! (the CLI's `--set NAME=VALUE`, parsed there). Every value is checked
//! against the feature's domain or the param's type. Messages name the
//! value, not the command line: the CLI says where it came from.

use std::collections::BTreeMap;

use crate::diagnostic::{DiagnosticKind, suggest};
use crate::iam;
use crate::ir::{ItemIr, ParamValue, Program};

/// A problem with one assignment: an ordinary diagnostic kind, with the
/// declaration it concerns (where the CLI shows it) instead of a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetError {
    pub kind: DiagnosticKind,
    /// The item the value was meant for, if it exists.
    pub item: Option<String>,
    /// Which of the assignments it is about.
    pub assignment: usize,
}

/// A checked configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Features fixed to one value.
    pub pins: BTreeMap<String, String>,
    /// Every param's value: given, else default, else placeholder (with
    /// stand-ins for the text inside its `<...>`s: `ir::placeholders`).
    pub params: BTreeMap<String, ParamValue>,
    /// The params given a value by the assignments (not by a default or placeholder).
    pub given: std::collections::BTreeSet<String>,
}

/// Checks `assignments` (`(name, value)` pairs; a list param's value is
/// comma-separated) against `program`.
pub fn configure(program: &Program, assignments: &[(String, String)]) -> Result<Config, Vec<SetError>> {
    let mut errors = Vec::new();
    let mut pins = BTreeMap::new();
    let mut given: BTreeMap<String, ParamValue> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for (assignment, (name, value)) in assignments.iter().enumerate() {
        let (name, value) = (name.trim(), value.trim());
        if !seen.insert(name.to_string()) {
            errors.push(SetError {
                kind: DiagnosticKind::AssignedTwice { name: name.to_string() },
                item: Some(name.to_string()),
                assignment,
            });
            continue;
        }
        let err = |kind| SetError { kind, item: Some(name.to_string()), assignment };
        match program.get(name).map(|i| &*i.ir) {
            Some(ItemIr::Feature(f)) => {
                if f.domain.iter().any(|d| d == value) {
                    pins.insert(name.to_string(), value.to_string());
                } else {
                    errors.push(err(DiagnosticKind::AssignedOutsideDomain {
                        value: value.to_string(),
                        feature: name.to_string(),
                        domain: f.domain.clone(),
                    }));
                }
            }
            Some(ItemIr::Param(p)) => {
                // `NAME=` is the empty list; an empty value inside one
                // (`a,,b`, `a,`, `,`) is a slip, not a way to write it
                let values: Vec<&str> = match (p.ty.list, value.is_empty()) {
                    (true, true) => Vec::new(),
                    (true, false) => value.split(',').map(str::trim).collect(),
                    (false, _) => vec![value],
                };
                if p.ty.list && values.iter().any(|v| v.is_empty()) {
                    errors.push(err(DiagnosticKind::AssignedInvalidValue {
                        name: name.to_string(),
                        ty: p.ty,
                        message: "a value of the list is empty".to_string(),
                        help: Some(format!("separate values with single commas; `{name}=` is the empty list")),
                    }));
                    continue;
                }
                let mut ok = true;
                for v in &values {
                    if let Err(problem) = check_param_value(p, v) {
                        ok = false;
                        errors.push(err(DiagnosticKind::AssignedInvalidValue {
                            name: name.to_string(),
                            ty: p.ty,
                            message: problem.message,
                            help: problem.help,
                        }));
                    }
                }
                if ok {
                    let pv = if p.ty.list {
                        ParamValue::Many(values.iter().map(|v| v.to_string()).collect())
                    } else {
                        ParamValue::One(value.to_string())
                    };
                    given.insert(name.to_string(), pv);
                }
            }
            Some(other) => {
                let kind = match other {
                    ItemIr::Policy { .. } => "a policy",
                    ItemIr::Role { .. } => "a role",
                    ItemIr::Permset(_) => "a permset",
                    ItemIr::Actionset(_) => "an actionset",
                    ItemIr::Valueset(_) => "a valueset",
                    ItemIr::Derived(_) => "a derived feature (it follows from others)",
                    _ => "a constraint",
                };
                errors.push(err(DiagnosticKind::AssignedWrongKind { name: name.to_string(), kind }));
            }
            None => {
                let names = program
                    .items()
                    .iter()
                    .filter(|i| matches!(*i.ir, ItemIr::Param(_) | ItemIr::Feature(_)))
                    .map(|i| i.name.as_str());
                let all: Vec<&str> = names.collect();
                errors.push(SetError {
                    kind: DiagnosticKind::AssignedUnknownName {
                        name: name.to_string(),
                        suggestion: suggest(name, all.iter().copied()),
                        settable: all.iter().map(|n| n.to_string()).collect(),
                    },
                    item: None,
                    assignment,
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let given_names = given.keys().cloned().collect();
    let mut params = BTreeMap::new();
    for (name, p) in program.params() {
        let value = given.remove(name).or_else(|| p.default.clone()).or_else(|| {
            if p.optional {
                // absent: compares as `""`; the checks make sure it is never rendered
                return Some(ParamValue::One(String::new()));
            }
            // a stand-in where the checks would not read the text
            // (`ir::placeholders`): the renderer puts the text back
            p.placeholder.as_ref().map(|ph| {
                let value = crate::ir::placeholders::value_at_placeholder(name, Some(p.ty.scalar), ph);
                if p.ty.list { ParamValue::Many(vec![value]) } else { ParamValue::One(value) }
            })
        });
        if let Some(v) = value {
            params.insert(name.to_string(), v);
        }
    }
    let foreign_regions = crate::other_partition::set_errors(program, assignments, &params);
    if !foreign_regions.is_empty() {
        let error = |(assignment, param, kind)| SetError { kind, item: Some(param), assignment };
        return Err(foreign_regions.into_iter().map(error).collect());
    }
    Ok(Config { pins, params, given: given_names })
}

/// Whether `value` is one the param `p` may be given (one value of a list):
/// of its type, within its refinements, and not what a param left at its
/// placeholder holds.
pub(crate) fn check_param_value(p: &crate::ir::Param, value: &str) -> Result<(), iam::Problem> {
    if value.contains(crate::ir::placeholders::MARK) {
        // what a param left at its placeholder holds
        Err(iam::Problem::new("a value may not hold the control character U+0001"))
    } else if iam::refine::star_allowed(value, &p.refinements) {
        Ok(())
    } else {
        iam::check_scalar_value(p.ty.scalar, value).and_then(|()| iam::refine::check_refined(value, &p.refinements))
    }
}
