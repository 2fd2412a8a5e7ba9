//! One policy attached on two paths in one configuration: `attach P`
//! references `P` at the attaching role's path
//! (`arn:${partition}:iam::${account}:policy<path>P`, as upstream deploys a
//! role's policies beside it), and IAM names a managed policy once in an
//! account, whatever its path: two roles on different paths that attach
//! one policy would need two policies of one name, and one of the ARNs
//! names nothing (E0101). Paths interpolate params only, so a build gives
//! each role one path; two attachments conflict when their guards (the
//! roles' and the `attach`es') can hold together under the constraints.

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::expand::Env;
use crate::ir::{Cond, ItemIr, Program};
use crate::variants;

/// One `attach` of a policy, by a role on a path.
struct Attached<'p> {
    role: &'p str,
    path: String,
    guards: Vec<&'p Cond>,
    /// The `attach` entry, in the file.
    span: pcl_syntax::Span,
}

/// The attachments of `program` built with `config`'s params that put one
/// policy on two paths: each at the later one, with the first as its
/// secondary label. Linear in the attachments, but for a policy attached on
/// two paths, whose attachments are compared with the earlier ones that
/// may be present with them (`first_together`).
pub fn path_conflicts(program: &Program, config: &Config) -> Vec<Diagnostic> {
    let no_features = Default::default();
    let env = Env::new(program, &no_features, &config.params);
    let mut by_policy: FxHashMap<&str, Vec<Attached<'_>>> = FxHashMap::default();
    for item in program.items() {
        let ItemIr::Role { when, role } = &*item.ir else { continue };
        if role.attach.is_empty() {
            continue;
        }
        let path = role.path.as_ref().map_or_else(|| "/".to_string(), |p| env.text(p));
        for a in &role.attach {
            // an attached policy is there only when its own guard holds too
            let policy_when = match program.get(&a.policy).map(|p| &*p.ir) {
                Some(ItemIr::Policy { when, .. }) => when.as_deref(),
                _ => continue,
            };
            let guards = when.iter().chain(&a.when).map(|c| &**c).chain(policy_when).collect();
            let attached =
                Attached { role: item.name.as_str(), path: path.clone(), guards, span: a.span.shift(item.offset) };
            by_policy.entry(a.policy.as_str()).or_default().push(attached);
        }
    }
    let mut out = Vec::new();
    for (policy, attached) in &by_policy {
        if attached.iter().all(|a| a.path == attached.first().map_or("", |f| f.path.as_str())) {
            continue;
        }
        let firsts = crate::first_together::first_together(
            program,
            attached,
            |a| a.guards.clone(),
            |first, later| first.path != later.path,
            |first, later| together(program, config, first, later),
        );
        for (later, first) in attached.iter().zip(firsts) {
            let Some(first) = first.and_then(|i| attached.get(i)) else { continue };
            let kind = DiagnosticKind::AttachedOnTwoPaths {
                policy: (*policy).to_string(),
                path: later.path.clone(),
                role: later.role.to_string(),
                first_path: first.path.clone(),
                first_role: first.role.to_string(),
                first: first.span,
            };
            out.push(kind.at(later.span));
        }
    }
    out
}

/// Whether both attachments can be there in one configuration.
fn together(program: &Program, config: &Config, a: &Attached<'_>, b: &Attached<'_>) -> bool {
    let guards: Vec<&Cond> = a.guards.iter().chain(&b.guards).copied().collect();
    // too many combinations to decide: say nothing rather than something wrong
    variants::satisfiable_with(program, &config.pins, &config.pins, &config.params, &guards) == Some(true)
}
