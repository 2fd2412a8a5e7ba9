//! Checks that need the whole file: duplicate names, include cycles, unused
//! items, satisfiable constraints, and the per-configuration checks (empty
//! lists, duplicate Sids) run on every variant of every policy.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use pcl_syntax::{ParsedFile, ParsedItem, Span, SyntaxErrorKind};

use crate::config;
use crate::db::FileAnalysis;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::expand::{Env, expand_policy, expand_role};
use crate::ir::{ItemIr, Program, ProgramItem};
use crate::item_check::{ItemAnalysis, RefKind};
use crate::variants;

pub fn analyze(parsed: &ParsedFile, analyses: &[(&ParsedItem, &ItemAnalysis)]) -> FileAnalysis {
    let mut diags: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| {
            let code = if e.kind == SyntaxErrorKind::TooDeep { Code::TooDeep } else { Code::Syntax };
            Diagnostic::new(code, e.span, e.message.clone()).with_help_opt(e.help.clone())
        })
        .collect();

    let mut program = Program::default();
    let mut item_errors: HashSet<String> = HashSet::new();
    for (parsed_item, analysis) in analyses {
        let name = parsed_item.item.name();
        let offset = parsed_item.offset;
        for d in &analysis.diagnostics {
            if d.severity() == Severity::Error {
                item_errors.insert(name.name.clone());
            }
            diags.push(d.clone().shifted(offset));
        }
        if let Some(first) = program.get(&name.name) {
            let first_span = first.name_span.shift(first.offset);
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    name.span.shift(offset),
                    format!("`{}` is defined twice", name.name),
                )
                .with_label("redefined here")
                .with_secondary(first_span, "first defined here")
                .with_help("names share one namespace across params, features, sets, policies and roles; rename one"),
            );
            continue;
        }
        program.index.insert(name.name.clone(), program.items.len());
        program.items.push(ProgramItem {
            name: name.name.clone(),
            offset,
            name_span: name.span,
            docs: parsed_item.item.docs.clone(),
            ir: analysis.ir.clone(),
        });
    }

    // Unused-item warnings after a syntax error would only be noise: the
    // uses may sit in the text that did not parse.
    if parsed.errors.is_empty() {
        unused(&program, analyses, &mut diags);
    }
    includes(&program, analyses, &mut diags);
    let constraints_ok = program.constraints().all(|(item, _, _)| !item_errors.contains(&item.name));
    if constraints_ok {
        constraints(&program, &mut diags);
    }
    if let Ok(cfg) = config::configure(&program, &[]) {
        variant_checks(&program, &cfg, analyses, &item_errors, &mut diags);
    }

    diags.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diags.dedup();
    FileAnalysis { program, diagnostics: diags }
}

fn unused(program: &Program, analyses: &[(&ParsedItem, &ItemAnalysis)], diags: &mut Vec<Diagnostic>) {
    let mut used: HashSet<&str> = HashSet::new();
    for (p, a) in analyses {
        for r in &a.refs {
            if r.name != p.item.name().name {
                used.insert(&r.name);
            }
        }
    }
    // A misspelt use (`acount`) is already an error; do not also call the
    // intended item (`account`) unused.
    let unknown: Vec<&str> = used.iter().copied().filter(|n| program.get(n).is_none()).collect();
    for item in &program.items {
        let (code, what) = match item.ir {
            ItemIr::Param(_) => (Code::UnusedParam, "param"),
            ItemIr::Feature(_) => (Code::UnusedFeature, "feature"),
            ItemIr::Permset(_) => (Code::UnusedSet, "permset"),
            ItemIr::Actionset(_) => (Code::UnusedSet, "actionset"),
            ItemIr::Valueset(_) => (Code::UnusedSet, "valueset"),
            _ => continue,
        };
        let misspelt = unknown.iter().any(|u| strsim::jaro_winkler(u, &item.name) > 0.8);
        if !used.contains(item.name.as_str()) && !misspelt {
            diags.push(
                Diagnostic::new(
                    code,
                    item.name_span.shift(item.offset),
                    format!("{what} `{}` is never used", item.name),
                )
                .with_label("declared here")
                .with_help(format!("remove it, or use it; nothing renders differently because of this {what}")),
            );
        }
    }
}

/// Include and actionset references between items, with absolute spans.
fn include_edges<'a>(
    program: &Program,
    analyses: &'a [(&ParsedItem, &ItemAnalysis)],
) -> BTreeMap<&'a str, Vec<(&'a str, Span)>> {
    let mut edges: BTreeMap<&str, Vec<(&str, Span)>> = BTreeMap::new();
    for (p, a) in analyses {
        let from = p.item.name().name.as_str();
        if program.get(from).map(|i| i.offset) != Some(p.offset) {
            continue; // a duplicate, already reported
        }
        for r in &a.refs {
            if matches!(r.kind, RefKind::Include | RefKind::Actionset | RefKind::Valueset)
                && program.get(&r.name).is_some()
            {
                edges.entry(from).or_default().push((r.name.as_str(), r.span.shift(p.offset)));
            }
        }
    }
    edges
}

/// Include cycles, each reported once at the reference that closes it, and
/// include chains deeper than expansion follows. Iterative post-order, so
/// neither long chains nor cycles can overflow the stack.
fn includes(program: &Program, analyses: &[(&ParsedItem, &ItemAnalysis)], diags: &mut Vec<Diagnostic>) {
    let edges = include_edges(program, analyses);
    // height[n]: the longest include chain below n (cycles cut).
    let mut height: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reported: HashSet<BTreeSet<&str>> = HashSet::new();
    for &start in edges.keys() {
        if height.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some((node, idx)) = stack.last().copied() {
            let next = edges.get(node).and_then(|e| e.get(idx)).copied();
            let Some((target, span)) = next else {
                let h = edges
                    .get(node)
                    .map(|es| es.iter().filter_map(|(t, _)| height.get(t)).map(|h| h + 1).max().unwrap_or(0))
                    .unwrap_or(0);
                height.insert(node, h);
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if let Some(pos) = stack.iter().position(|(n, _)| *n == target) {
                let members: Vec<&str> = stack.iter().skip(pos).map(|(n, _)| *n).collect();
                if reported.insert(members.iter().copied().collect()) {
                    let mut chain: Vec<String> = members.iter().map(|m| format!("`{m}`")).collect();
                    chain.push(format!("`{target}`"));
                    diags.push(
                        Diagnostic::new(
                            Code::CyclicInclude,
                            span,
                            format!("`{target}` includes itself: {}", chain.join(" -> ")),
                        )
                        .with_label("this reference closes the cycle")
                        .with_help("remove one of the includes; a set cannot contain itself"),
                    );
                }
            } else if !height.contains_key(target) {
                stack.push((target, 0));
            }
        }
    }
    // Report each reference that reaches past the depth expansion follows.
    for (from, es) in &edges {
        for (target, span) in es {
            let below = height.get(target).copied().unwrap_or(0);
            if below + 1 == crate::MAX_INCLUDE_DEPTH
                && height.get(from).copied().unwrap_or(0) >= crate::MAX_INCLUDE_DEPTH
            {
                diags.push(
                    Diagnostic::new(
                        Code::TooDeep,
                        *span,
                        format!("includes nested more than {} levels deep", crate::MAX_INCLUDE_DEPTH),
                    )
                    .with_label(format!("`{target}` starts a chain of {} includes", below + 1))
                    .with_help("flatten the chain of permsets or actionsets; deeper statements would not be rendered"),
                );
            }
        }
    }
}

fn constraints(program: &Program, diags: &mut Vec<Diagnostic>) {
    let all: Vec<_> = program.constraints().collect();
    let Some((first, _, _)) = all.first() else { return };
    let empty = BTreeMap::new();
    // The partition is free here: `--set partition=...` may satisfy them.
    let mut params = config::configure(program, &[]).map(|c| c.params).unwrap_or_default();
    params.retain(|name, _| !is_partition_param(program, name));
    if variants::satisfiable(program, &empty, &empty, &params) == Some(false) {
        let mut d = Diagnostic::new(
            Code::Unsatisfiable,
            first.name_span.shift(first.offset),
            "no configuration satisfies the constraints",
        )
        .with_label("these constraints exclude every configuration together")
        .with_help("relax one of the constraints");
        for (item, _, _) in all.iter().skip(1) {
            d = d.with_secondary(item.name_span.shift(item.offset), "and this one");
        }
        diags.push(d);
    }
}

fn is_partition_param(program: &Program, name: &str) -> bool {
    matches!(program.get(name).map(|i| &i.ir), Some(ItemIr::Param(p)) if !p.ty.list && p.ty.scalar == crate::ir::ScalarType::Partition)
}

/// The checks that depend on a configuration (empty lists, duplicate Sids,
/// violated constraints), for a `--set` configuration of an error-free file.
pub fn check_configuration(program: &Program, cfg: &config::Config) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (item, cond, message) in program.constraints() {
        let mut vars = Vec::new();
        cond.vars(&mut vars);
        let lookup = |v: &str| {
            cfg.pins.get(v).cloned().or_else(|| match cfg.params.get(v) {
                Some(crate::ir::ParamValue::One(x)) => Some(x.clone()),
                _ => None,
            })
        };
        if vars.iter().all(|v| lookup(v).is_some()) && !cond.eval(&lookup) {
            let set: Vec<String> = vars.iter().filter_map(|v| lookup(v).map(|x| format!("{v}={x}"))).collect();
            diags.push(
                Diagnostic::new(
                    Code::ConstraintViolated,
                    item.name_span.shift(item.offset),
                    format!("the configuration {} violates constraint `{}`", set.join(", "), item.name),
                )
                .with_label(message.to_string())
                .with_help("change one of the `--set` values"),
            );
        }
    }
    if diags.is_empty()
        && variants::satisfiable(program, &cfg.pins, &cfg.pins, &cfg.params) == Some(false)
        && let Some((item, _, _)) = program.constraints().next()
    {
        diags.push(
            Diagnostic::new(
                Code::ConstraintViolated,
                item.name_span.shift(item.offset),
                "the `--set` values leave no configuration that satisfies the constraints",
            )
            .with_help("change one of the `--set` values"),
        );
    }
    if diags.is_empty() {
        variant_checks(program, cfg, &[], &HashSet::new(), &mut diags);
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diags
}

/// A problem found in some configurations of an item.
struct Finding {
    diagnostic: Diagnostic,
    /// The configurations it occurs in (first one kept for the message).
    first: BTreeMap<String, String>,
    count: usize,
}

fn variant_checks(
    program: &Program,
    cfg: &config::Config,
    analyses: &[(&ParsedItem, &ItemAnalysis)],
    item_errors: &HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let refs: BTreeMap<&str, Vec<&str>> = analyses
        .iter()
        .map(|(p, a)| (p.item.name().name.as_str(), a.refs.iter().map(|r| r.name.as_str()).collect()))
        .collect();
    let offset = |name: &str| program.get(name).map_or(0, |i| i.offset);
    for item in &program.items {
        let is_policy = matches!(item.ir, ItemIr::Policy { .. });
        let is_role = matches!(item.ir, ItemIr::Role { .. });
        if !(is_policy || is_role) || closure_has_errors(&item.name, &refs, item_errors) {
            continue;
        }
        let deps = variants::feature_deps(program, &item.name);
        let Some(configs) = variants::configurations(program, &deps, &cfg.pins, &cfg.params) else {
            diags.push(
                Diagnostic::new(
                    Code::TooManyConfigurations,
                    item.name_span.shift(item.offset),
                    format!("`{}` depends on {} features: too many configurations to render", item.name, deps.len()),
                )
                .with_label(format!("more than {} combinations of {}", crate::MAX_COMBINATIONS, deps.join(", ")))
                .with_help("pin some features with `--set`, or split the item"),
            );
            continue;
        };
        let mut findings: Vec<Finding> = Vec::new();
        let mut note = |d: Diagnostic, features: &BTreeMap<String, String>| match findings
            .iter_mut()
            .find(|f| f.diagnostic.code == d.code && f.diagnostic.span == d.span)
        {
            Some(f) => f.count += 1,
            None => findings.push(Finding { diagnostic: d, first: features.clone(), count: 1 }),
        };
        for features in &configs {
            let env = Env { program, features, params: &cfg.params };
            let policies = if is_policy {
                expand_policy(program, &item.name, &env).into_iter().collect::<Vec<_>>()
            } else {
                let Some(role) = expand_role(program, &item.name, &env) else { continue };
                if let ItemIr::Role { role: ir, .. } = &item.ir {
                    for ((_, rendered), (_, list)) in role.trust.iter().zip(&ir.trust) {
                        if rendered.values.is_empty() {
                            note(empty_list("the trust principal", list.span.shift(item.offset), &item.name), features);
                        }
                    }
                }
                role.inline
            };
            for policy in &policies {
                let mut sids: BTreeMap<&str, Span> = BTreeMap::new();
                for st in &policy.statements {
                    let base = offset(&st.origin);
                    if st.actions.values.is_empty() {
                        let what = if st.not_action { "NotAction" } else { "Action" };
                        note(empty_list(what, st.action_span.shift(base), &policy.name), features);
                    }
                    if st.resources.values.is_empty() {
                        let what = if st.not_resource { "NotResource" } else { "Resource" };
                        note(empty_list(what, st.resource_span.shift(base), &policy.name), features);
                    }
                    for c in &st.conditions {
                        if c.values.values.is_empty() {
                            note(
                                empty_list(
                                    &format!("the values of condition `{}`", c.key),
                                    c.span.shift(base),
                                    &policy.name,
                                ),
                                features,
                            );
                        }
                    }
                    if let Some((sid, sid_span)) = &st.sid {
                        let abs = sid_span.shift(base);
                        match sids.get(sid.as_str()) {
                            Some(first) => note(
                                Diagnostic::new(
                                    Code::DuplicateSid,
                                    abs,
                                    format!("Sid `{sid}` appears twice in policy `{}`", policy.name),
                                )
                                .with_label("second statement with this Sid")
                                .with_secondary(*first, "first statement with this Sid")
                                .with_help("Sids must be unique within a policy document; rename one"),
                                features,
                            ),
                            None => {
                                sids.insert(sid, abs);
                            }
                        }
                    }
                }
            }
        }
        for f in findings {
            let mut d = f.diagnostic;
            d.message = if f.count == configs.len() {
                if configs.len() > 1 { format!("{} in every configuration", d.message) } else { d.message }
            } else {
                format!("{} when {}", d.message, describe(&f.first))
            };
            diags.push(d);
        }
    }
}

fn empty_list(what: &str, span: Span, policy: &str) -> Diagnostic {
    Diagnostic::new(Code::EmptyList, span, format!("{what} {} empty", if what.starts_with("the values") { "are" } else { "is" }))
        .with_label(format!("renders as an empty list in `{policy}`"))
        .with_help("IAM rejects an empty list: give the list an unguarded item, guard the whole statement like its items, or give the param a value")
}

fn closure_has_errors(start: &str, refs: &BTreeMap<&str, Vec<&str>>, errors: &HashSet<String>) -> bool {
    let mut todo = vec![start];
    let mut seen = HashSet::new();
    while let Some(n) = todo.pop() {
        if !seen.insert(n) {
            continue;
        }
        if errors.contains(n) {
            return true;
        }
        if let Some(next) = refs.get(n) {
            todo.extend(next.iter().copied());
        }
    }
    false
}

fn describe(features: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = features.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(", ")
}
