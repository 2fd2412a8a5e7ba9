//! One configuration of an item rendered to its documents: a policy's
//! parts (a `splittable` one cut to IAM's limit) or a role's properties,
//! as JSON text, and the params the rendering read (`--deployable`).

use std::collections::BTreeMap;

use pcl_semantics::config::Config;
use pcl_semantics::expand::{Env, ExpandedPolicy, ExpandedRole, expand_policy, expand_role};
use pcl_semantics::ir::{ItemIr, Program};

use crate::OutputKind;

/// One document: `item` (a policy or role of `kind`) with these feature
/// values, as the JSON text a build writes; `None` when the item's own guard
/// is false there. A split policy gives its first part (see `render_parts`).
pub fn render_one(
    program: &Program,
    kind: OutputKind,
    item: &str,
    features: &BTreeMap<String, String>,
    config: &Config,
) -> Option<String> {
    render_parts(program, kind, item, features, config)?.into_iter().next()
}

/// Every document of one configuration of `item`: one, or the parts of a
/// `splittable` policy over IAM's managed-policy limit. A role attaches (or
/// inlines) every part of a split policy.
pub fn render_parts(
    program: &Program,
    kind: OutputKind,
    item: &str,
    features: &BTreeMap<String, String>,
    config: &Config,
) -> Option<Vec<String>> {
    render_documents(program, kind, item, features, config, None).map(|(parts, _)| parts)
}

/// [`render_parts`], and the params whose values they render, sorted (see
/// [`Rendered::params_read`]).
pub fn render_parts_reading(
    program: &Program,
    kind: OutputKind,
    item: &str,
    features: &BTreeMap<String, String>,
    config: &Config,
) -> Option<(Vec<String>, Vec<String>)> {
    let reads = std::cell::RefCell::new(Vec::new());
    let (parts, _) = render_documents(program, kind, item, features, config, Some(&reads))?;
    Some((parts, names_of(reads.into_inner())))
}

/// What one configuration of an item renders to: a policy's parts, or a role.
pub(crate) enum Expanded {
    Policy(Vec<ExpandedPolicy>),
    /// Boxed: a role is ten times the size of a policy's list of parts.
    Role(Box<ExpandedRole>),
}

/// Where a rendering notes the params it renders, if anywhere (`Env::reads`).
pub(crate) type Reads<'r> = Option<&'r std::cell::RefCell<Vec<pcl_syntax::Name>>>;

/// `item` expanded for one configuration, a split policy cut into its parts
/// (`None` when its guard is false).
pub(crate) fn expand_documents(
    program: &Program,
    kind: OutputKind,
    item: &str,
    features: &BTreeMap<String, String>,
    config: &Config,
    reads: Reads<'_>,
) -> Option<Expanded> {
    let env = Env::new(program, features, &config.params);
    let env = match reads {
        Some(reads) => env.noting_reads(reads),
        None => env,
    };
    Some(match kind {
        OutputKind::Policy => {
            Expanded::Policy(crate::split::split(expand_policy(program, item, &env)?, is_splittable(program, item)))
        }
        OutputKind::Role => Expanded::Role(Box::new(with_parts(program, &env, expand_role(program, item, &env)?))),
    })
}

/// [`render_parts`], with the expanded role, whose facts a build keeps
/// once per distinct text (see [`File::role`]).
pub(crate) fn render_documents(
    program: &Program,
    kind: OutputKind,
    item: &str,
    features: &BTreeMap<String, String>,
    config: &Config,
    reads: Reads<'_>,
) -> Option<(Vec<String>, Option<ExpandedRole>)> {
    Some(match expand_documents(program, kind, item, features, config, reads)? {
        Expanded::Policy(parts) => (parts.iter().map(|p| crate::json::policy_document(p).pretty()).collect(), None),
        Expanded::Role(role) => (vec![crate::json::role_properties(&role).pretty()], Some(*role)),
    })
}

fn is_splittable(program: &Program, policy: &str) -> bool {
    matches!(program.get(policy).map(|i| &*i.ir), Some(ItemIr::Policy { splittable: true, .. }))
}

/// A role as it deploys split policies: each inline one as its parts, and
/// the ARN of each attached one followed by the ARNs of its other parts.
fn with_parts(program: &Program, env: &Env<'_>, mut role: ExpandedRole) -> ExpandedRole {
    role.inline = std::mem::take(&mut role.inline)
        .into_iter()
        .flat_map(|p| {
            let splittable = is_splittable(program, &p.name);
            crate::split::split(p, splittable)
        })
        .collect();
    let Some(ItemIr::Role { role: decl, .. }) = program.get(&role.name).map(|i| &*i.ir) else { return role };
    // the attached policy's parts counted, not rendered into the role: what
    // its statements read is not the role's (`Env::reads`)
    let counting = Env::new(program, env.features, env.params);
    for a in decl.attach.iter().filter(|a| env.holds(&a.when) && is_splittable(program, &a.policy)) {
        let Some(policy) = expand_policy(program, &a.policy, &counting) else { continue };
        let count = crate::split::split(policy, true).len();
        // the ARN `expand_role` builds for an attached policy
        let deployed = pcl_semantics::expand::deployed_policy_name(program, &a.policy, env);
        let suffix = format!(":policy{}{deployed}", role.path.as_deref().unwrap_or("/"));
        let Some(at) = role.managed.iter().position(|arn| arn.ends_with(&suffix)) else { continue };
        let Some(base) = role.managed.get(at).cloned() else { continue };
        for k in (2..=count).rev() {
            role.managed.insert(at + 1, format!("{base}-{k}"));
        }
    }
    role
}

/// Names noted while rendering, each once, sorted.
pub(crate) fn names_of(mut names: Vec<pcl_syntax::Name>) -> Vec<String> {
    names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    names.dedup();
    names.iter().map(|n| n.as_str().to_owned()).collect()
}
