//! Checks that need the whole file: duplicate names, include cycles, unused
//! items, satisfiable constraints, and the per-configuration checks (empty
//! lists, duplicate Sids) run on every variant of every policy.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use pcl_syntax::{ParsedFile, ParsedItem, Span, SyntaxErrorKind};

use crate::config;
use crate::db::FileAnalysis;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::expand::{Env, expand_policy};
use crate::ir::{ItemIr, Program, ProgramItem};
use crate::item_check::{ItemAnalysis, RefKind};
use crate::variants;

pub fn analyze(parsed: &ParsedFile, analyses: &[(&ParsedItem, &ItemAnalysis)]) -> FileAnalysis {
    let mut diags: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| {
            let code = if e.kind == SyntaxErrorKind::TooDeep {
                Code::TooDeep
            } else {
                Code::Syntax
            };
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
                Diagnostic::new(Code::DuplicateName, name.span.shift(offset), format!("`{}` is defined twice", name.name))
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

    unused(&program, analyses, &mut diags);
    cycles(&program, analyses, &mut diags);
    constraints(&program, &mut diags);
    if let Ok(cfg) = config::configure(&program, &[]) {
        variant_checks(&program, &cfg, analyses, &item_errors, &mut diags);
    }

    diags.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diags.dedup();
    FileAnalysis {
        program,
        diagnostics: diags,
    }
}

fn unused(
    program: &Program,
    analyses: &[(&ParsedItem, &ItemAnalysis)],
    diags: &mut Vec<Diagnostic>,
) {
    let mut used: HashSet<&str> = HashSet::new();
    for (p, a) in analyses {
        for r in &a.refs {
            if r.name != p.item.name().name {
                used.insert(&r.name);
            }
        }
    }
    for item in &program.items {
        let (code, what) = match item.ir {
            ItemIr::Param(_) => (Code::UnusedParam, "param"),
            ItemIr::Feature(_) => (Code::UnusedFeature, "feature"),
            ItemIr::Permset(_) => (Code::UnusedSet, "permset"),
            ItemIr::Actionset(_) => (Code::UnusedSet, "actionset"),
            _ => continue,
        };
        if !used.contains(item.name.as_str()) {
            diags.push(
                Diagnostic::new(
                    code,
                    item.name_span.shift(item.offset),
                    format!("{what} `{}` is never used", item.name),
                )
                .with_label("declared here")
                .with_help(format!(
                    "remove it, or use it; nothing renders differently because of this {what}"
                )),
            );
        }
    }
}

/// Include and actionset cycles, each reported once, at the reference that
/// closes it. Iterative, so deep chains cannot overflow the stack.
fn cycles(
    program: &Program,
    analyses: &[(&ParsedItem, &ItemAnalysis)],
    diags: &mut Vec<Diagnostic>,
) {
    let mut edges: BTreeMap<&str, Vec<(&str, Span)>> = BTreeMap::new();
    for (p, a) in analyses {
        let from = p.item.name().name.as_str();
        if program.get(from).map(|i| i.offset) != Some(p.offset) {
            continue; // a duplicate, already reported
        }
        for r in &a.refs {
            if matches!(r.kind, RefKind::Include | RefKind::Actionset)
                && program.get(&r.name).is_some()
            {
                edges
                    .entry(from)
                    .or_default()
                    .push((r.name.as_str(), r.span.shift(p.offset)));
            }
        }
    }
    let mut done: HashSet<&str> = HashSet::new();
    let mut reported: HashSet<BTreeSet<&str>> = HashSet::new();
    for &start in edges.keys() {
        if done.contains(start) {
            continue;
        }
        // stack of (node, next edge index); `path` mirrors it for cycle reports
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some((node, idx)) = stack.last().copied() {
            let next = edges.get(node).and_then(|e| e.get(idx)).copied();
            let Some((target, span)) = next else {
                done.insert(node);
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if let Some(pos) = stack.iter().position(|(n, _)| *n == target) {
                let members: Vec<&str> = stack.iter().skip(pos).map(|(n, _)| *n).collect();
                let key: BTreeSet<&str> = members.iter().copied().collect();
                if reported.insert(key) {
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
            } else if !done.contains(target) {
                if stack.len() >= crate::MAX_INCLUDE_DEPTH {
                    if reported.insert(BTreeSet::from([target, node])) {
                        diags.push(
                            Diagnostic::new(
                                Code::TooDeep,
                                span,
                                format!(
                                    "includes nested more than {} levels deep",
                                    crate::MAX_INCLUDE_DEPTH
                                ),
                            )
                            .with_label("this include is too deep")
                            .with_help("flatten the chain of permsets"),
                        );
                    }
                    continue;
                }
                stack.push((target, 0));
            }
        }
    }
}

fn constraints(program: &Program, diags: &mut Vec<Diagnostic>) {
    let Some((first, _, _)) = program.constraints().next() else {
        return;
    };
    let empty = BTreeMap::new();
    let params = config::configure(program, &[])
        .map(|c| c.params)
        .unwrap_or_default();
    if variants::satisfiable(program, &empty, &empty, &params) == Some(false) {
        diags.push(
            Diagnostic::new(
                Code::Unsatisfiable,
                first.name_span.shift(first.offset),
                "no configuration satisfies the constraints",
            )
            .with_label("together with the other constraints, this excludes everything")
            .with_help("relax one of the constraints"),
        );
    }
}

/// The checks that depend on a configuration (empty lists, duplicate Sids,
/// violated constraints), for a `--set` configuration of an error-free file.
pub fn check_configuration(program: &Program, cfg: &config::Config) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (item, cond, message) in program.constraints() {
        let mut vars = Vec::new();
        cond.vars(&mut vars);
        let lookup = |v: &str| {
            cfg.pins
                .get(v)
                .cloned()
                .or_else(|| match cfg.params.get(v) {
                    Some(crate::ir::ParamValue::One(x)) => Some(x.clone()),
                    _ => None,
                })
        };
        if vars.iter().all(|v| lookup(v).is_some()) && !cond.eval(&lookup) {
            let set: Vec<String> = vars
                .iter()
                .filter_map(|v| cfg.pins.get(v).map(|x| format!("{v}={x}")))
                .collect();
            diags.push(
                Diagnostic::new(
                    Code::ConstraintViolated,
                    item.name_span.shift(item.offset),
                    format!(
                        "the configuration {} violates constraint `{}`",
                        set.join(", "),
                        item.name
                    ),
                )
                .with_label(message.to_string())
                .with_help("change one of the `--set` values"),
            );
        }
    }
    if diags.is_empty()
        && variants::satisfiable(program, &cfg.pins, &cfg.pins, &cfg.params) == Some(false)
    {
        if let Some((item, _, _)) = program.constraints().next() {
            diags.push(
                Diagnostic::new(
                    Code::ConstraintViolated,
                    item.name_span.shift(item.offset),
                    "the `--set` values leave no configuration that satisfies the constraints",
                )
                .with_help("change one of the `--set` values"),
            );
        }
    }
    if diags.is_empty() {
        variant_checks(program, cfg, &[], &HashSet::new(), &mut diags);
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diags
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
        .map(|(p, a)| {
            (
                p.item.name().name.as_str(),
                a.refs.iter().map(|r| r.name.as_str()).collect(),
            )
        })
        .collect();
    let offset = |name: &str| program.get(name).map_or(0, |i| i.offset);
    let mut seen: HashSet<(Code, Span)> = HashSet::new();
    for item in &program.items {
        if !matches!(item.ir, ItemIr::Policy { .. })
            || closure_has_errors(&item.name, &refs, item_errors)
        {
            continue;
        }
        let deps = variants::feature_deps(program, &item.name);
        for features in variants::configurations(program, &deps, &cfg.pins, &cfg.params) {
            let env = Env {
                features: &features,
                params: &cfg.params,
            };
            let Some(policy) = expand_policy(program, &item.name, &env) else {
                continue;
            };
            let when = describe(&features);
            let mut sids: BTreeMap<&str, Span> = BTreeMap::new();
            for st in &policy.statements {
                let at = st.span.shift(offset(&st.origin));
                let mut empty = |what: &str, span: Span| {
                    if seen.insert((Code::EmptyList, span)) {
                        diags.push(
                            Diagnostic::new(Code::EmptyList, span, format!("{what} is empty {when}"))
                                .with_label(format!("in policy `{}`", item.name))
                                .with_help("IAM rejects an empty list: guard the statement with the same condition as its items, or add an unguarded item"),
                        );
                    }
                };
                if st.actions.values.is_empty() {
                    empty(if st.not_action { "NotAction" } else { "Action" }, at);
                }
                if st.resources.values.is_empty() {
                    empty(
                        if st.not_resource {
                            "NotResource"
                        } else {
                            "Resource"
                        },
                        at,
                    );
                }
                for c in &st.conditions {
                    if c.values.values.is_empty() {
                        empty(
                            &format!("the values of condition `{}`", c.key),
                            c.span.shift(offset(&st.origin)),
                        );
                    }
                }
                if let Some((sid, sid_span)) = &st.sid {
                    let abs = sid_span.shift(offset(&st.origin));
                    if let Some(first) = sids.get(sid.as_str()) {
                        if seen.insert((Code::DuplicateSid, abs)) {
                            diags.push(
                                Diagnostic::new(
                                    Code::DuplicateSid,
                                    abs,
                                    format!(
                                        "Sid `{sid}` appears twice in policy `{}` {when}",
                                        item.name
                                    ),
                                )
                                .with_label("second statement with this Sid")
                                .with_secondary(*first, "first statement with this Sid")
                                .with_help(
                                    "Sids must be unique within a policy document; rename one",
                                ),
                            );
                        }
                    } else {
                        sids.insert(sid, abs);
                    }
                }
            }
        }
    }
}

fn closure_has_errors(
    start: &str,
    refs: &BTreeMap<&str, Vec<&str>>,
    errors: &HashSet<String>,
) -> bool {
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
    if features.is_empty() {
        return "in every configuration".into();
    }
    let parts: Vec<String> = features.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("when {}", parts.join(", "))
}
