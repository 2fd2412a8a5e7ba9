//! Two policies, or two roles, deployed under one name in one configuration:
//! IAM names are unique in an account, compared case-insensitively. A
//! policy is deployed under its `name` field or its item name; a role under
//! its `name` field (without one, CloudFormation names it). Names interpolate
//! params only, so a build gives each item one name; two items clash when
//! their names are equal and their guards can hold together (under the
//! constraints).

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::expand::Env;
use crate::ir::{Cond, ItemIr, Program, ProgramItem};
use crate::variants;

/// One deployed item: its kind, name, guard and where to point.
struct Deployed<'p> {
    kind: &'static str,
    name: Cow<'p, str>,
    when: Option<&'p Cond>,
    item: &'p ProgramItem,
}

/// The clashes of `program` built with `config`'s params.
pub fn name_clashes(program: &Program, config: &Config) -> Vec<Diagnostic> {
    let empty = BTreeMap::new();
    let env = Env { program, features: &empty, params: &config.params, shape_only: false };
    // Runs after every edit: names are borrowed where they can be, and
    // grouped in a hash map (each group keeps the program's order; the
    // callers sort the findings by position).
    // sized at once: grown insert by insert, a large file's table was
    // rehashed some twenty times (on 100 MB, 30x the time of 10 MB)
    let mut by_name: FxHashMap<(&'static str, Cow<'_, str>), Vec<Deployed<'_>>> =
        FxHashMap::with_capacity_and_hasher(program.deployables(), Default::default());
    for item in program.items() {
        let deployed = match &*item.ir {
            ItemIr::Policy { when, naming, .. } => Deployed {
                kind: "policy",
                name: naming.name.as_ref().map_or(Cow::Borrowed(item.name.as_str()), |t| Cow::Owned(env.text(t))),
                when: when.as_deref(),
                item,
            },
            ItemIr::Role { when, role } => match &role.naming.name {
                Some(t) => Deployed { kind: "role", name: Cow::Owned(env.text(t)), when: when.as_deref(), item },
                None => continue,
            },
            _ => continue,
        };
        let folded = if deployed.name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(deployed.name.to_ascii_lowercase())
        } else {
            deployed.name.clone()
        };
        by_name.entry((deployed.kind, folded)).or_default().push(deployed);
    }
    let mut out = Vec::new();
    for same in by_name.values().filter(|v| v.len() > 1) {
        for (i, later) in same.iter().enumerate().skip(1) {
            let Some(first) = same.iter().take(i).find(|first| together(program, config, first, later)) else {
                continue;
            };
            out.push(
                DiagnosticKind::DeployedNameClash {
                    kind: later.kind,
                    name: later.name.to_string(),
                    first_name: first.name.to_string(),
                    first_item: first.item.name.as_str().to_owned(),
                    item: later.item.name.as_str().to_owned(),
                    first: name_span(first),
                }
                .at(name_span(later)),
            );
        }
    }
    out
}

/// Whether both items can be deployed in one configuration.
fn together(program: &Program, config: &Config, a: &Deployed<'_>, b: &Deployed<'_>) -> bool {
    let guards: Vec<&Cond> = a.when.into_iter().chain(b.when).collect();
    // too many combinations to decide: say nothing rather than something wrong
    variants::satisfiable_with(program, &config.pins, &config.pins, &config.params, &guards) == Some(true)
}

/// The `name` field, or the item's name when it has none.
fn name_span(d: &Deployed<'_>) -> pcl_syntax::Span {
    let naming = match &*d.item.ir {
        ItemIr::Policy { naming, .. } => Some(naming),
        ItemIr::Role { role, .. } => Some(&role.naming),
        _ => None,
    };
    naming.and_then(|n| n.name_span).unwrap_or(d.item.name_span).shift(d.item.offset)
}
