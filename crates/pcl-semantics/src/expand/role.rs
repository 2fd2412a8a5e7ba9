//! A role rendered for one configuration: its trust, managed and attached
//! policies, path, boundary and, when asked, its inline policies.

use super::actions::expand_action;
use super::{Env, ExpandedCondition, ExpandedPolicy, Rendered, Trail, deployed_policy_name, expand_policy};
use crate::ir::*;
use pcl_syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandedRole {
    /// The item's name.
    pub name: String,
    /// Its `name` field, rendered (without one, CloudFormation names it).
    pub deployed_name: Option<String>,
    pub description: Option<String>,
    pub path: Option<String>,
    /// Whether the path interpolates params (its written text is checked at
    /// the source; the rendered one only when params went into it).
    pub path_interpolated: bool,
    pub trust: Vec<(PrincipalKind, Rendered)>,
    /// The conditions that hold of each `trust` field with a block of them,
    /// by the field's place in `trust`: each renders as a trust statement
    /// of its own (a field none of whose conditions hold is not here, and
    /// renders with the others).
    pub trust_conditions: Vec<(usize, Vec<ExpandedCondition>)>,
    /// The actions that hold of each `trust` field whose block grants some,
    /// by the field's place in `trust`, each with where it is written (an
    /// actionset's at the `@set`): each such field renders as a trust
    /// statement of its own too.
    pub trust_actions: Vec<(usize, Vec<(String, Span)>)>,
    pub managed: Vec<String>,
    pub inline: Vec<ExpandedPolicy>,
    pub boundary: Option<String>,
}

impl ExpandedRole {
    /// The conditions that hold of the `field`th `trust` field.
    pub fn conditions_of(&self, field: usize) -> &[ExpandedCondition] {
        self.trust_conditions.iter().find(|(f, _)| *f == field).map_or(&[], |(_, conditions)| conditions)
    }

    /// The actions the `field`th `trust` field's block grants that hold.
    pub fn actions_granted(&self, field: usize) -> &[(String, Span)] {
        self.trust_actions.iter().find(|(f, _)| *f == field).map_or(&[], |(_, actions)| actions)
    }

    /// Whether the `field`th `trust` field renders as a trust statement of
    /// its own: its block has conditions or actions that hold.
    pub fn stands_alone(&self, field: usize) -> bool {
        !self.conditions_of(field).is_empty() || !self.actions_granted(field).is_empty()
    }
}

/// Expands a role; `None` when its own guard is false.
pub fn expand_role(program: &Program, name: &str, env: &Env<'_>) -> Option<ExpandedRole> {
    expand_role_with(program, name, env, true)
}

/// A role's trust, managed policies, path and boundary, without expanding
/// its inline policies (which are checked as policies themselves). Reads
/// only the guards `variants::guard_vars` walks for the role (with the
/// headers of the policies it inlines or attaches), params, and the
/// `partition` and `account` values: the per-configuration checks keep a
/// role's findings by those (`variant_checks::tally`).
pub fn expand_role_shallow(program: &Program, name: &str, env: &Env<'_>) -> Option<ExpandedRole> {
    expand_role_with(program, name, env, false)
}

fn expand_role_with(program: &Program, name: &str, env: &Env<'_>, with_inline: bool) -> Option<ExpandedRole> {
    let item = program.get(name)?;
    let ItemIr::Role { when, role } = &*item.ir else {
        return None;
    };
    if !env.holds(when) {
        return None;
    }
    let path = role.path.as_ref().map(|p| env.text(p));
    let path_interpolated = role.path.as_ref().is_some_and(|p| p.parts.iter().any(|t| !matches!(t, TextPart::Lit(_))));
    let trust = role.trust.iter().map(|(k, list)| (k.clone(), env.values(list))).collect();
    let trust_conditions = role
        .trust_conditions
        .iter()
        .map(|(field, conditions)| {
            let holding = conditions.iter().filter(|c| env.holds(&c.when));
            let rendered = holding.map(|c| ExpandedCondition::of(c, env));
            (*field, rendered.collect::<Vec<_>>())
        })
        .filter(|(_, conditions)| !conditions.is_empty())
        .collect();
    let trust_actions = role
        .trust_actions
        .iter()
        .map(|(field, list)| {
            let mut actions = Vec::new();
            for item in list.items.iter().filter(|item| env.holds(&item.when)) {
                let mut rendered = Vec::new();
                expand_action(program, &item.value, env, &mut Trail::from(name), &mut rendered);
                actions.extend(rendered.into_iter().map(|action| (action, item.span)));
            }
            (*field, actions)
        })
        .filter(|(_, actions)| !actions.is_empty())
        .collect();
    let mut managed = Vec::new();
    for list in &role.managed {
        managed.extend(env.managed_values(list));
    }
    // by name: the role's check refers to both (`item_check::roles`,
    // `require_param`), so they are in its closure, whose params alone its
    // per-configuration checks may read (`db::configs_over`)
    // (looked up only for a policy attached: a role that attaches none does
    // not render them, and `--deployable` asks what renders, `Env::reads`)
    let mut arn_prefix: Option<(String, String)> = None;
    let policy_path = path.clone().unwrap_or_else(|| "/".into());
    // An attached policy is only there when its own guard holds too.
    let policy_present =
        |name: &str| matches!(program.get(name).map(|i| &*i.ir), Some(ItemIr::Policy { when, .. }) if env.holds(when));
    for a in role.attach.iter().filter(|a| env.holds(&a.when) && policy_present(&a.policy)) {
        let (partition, account) = arn_prefix.get_or_insert_with(|| {
            (env.lookup("partition").unwrap_or_default(), env.lookup("account").unwrap_or_default())
        });
        let deployed = deployed_policy_name(program, &a.policy, env);
        managed.push(format!("arn:{partition}:iam::{account}:policy{policy_path}{deployed}"));
    }
    let inline = role
        .inline
        .iter()
        .filter(|r| with_inline && env.holds(&r.when))
        .filter_map(|r| expand_policy(program, &r.policy, env))
        .collect();
    let boundary = role.boundary.as_ref().filter(|b| env.holds(&b.when)).and_then(|b| {
        let mut v = Vec::new();
        env.value(&b.value, &mut v);
        v.into_iter().next()
    });
    Some(ExpandedRole {
        name: name.to_string(),
        deployed_name: role.naming.name.as_ref().map(|t| env.text(t)),
        description: role.naming.description.as_ref().map(|t| env.text(t)),
        path,
        path_interpolated,
        trust,
        trust_conditions,
        trust_actions,
        managed,
        inline,
        boundary,
    })
}
