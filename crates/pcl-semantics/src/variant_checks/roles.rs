//! A role's own per-configuration findings: its trust lists' shapes and
//! what its rendering says (`content_checks::role_findings`, each about a
//! value placed at the item of the role that renders it). Its inline
//! policies are checked as policies themselves, so these read only the
//! role's own guards (`tally` keeps them by those features' values).

use super::{Finding, Pass, empty_list, here};
use crate::expand::Env;
use crate::ir::{ItemIr, ProgramItem};

/// A role's findings in one configuration: its trust lists' shapes, and
/// in a pass of texts, what `content_checks::role_findings` says of its
/// rendering (its inline policies are checked as policies themselves).
pub(super) fn own_role_findings(
    item: &ProgramItem,
    env: &Env<'_>,
    partition: &str,
    report_empty: bool,
    pass: Pass,
) -> Vec<Finding> {
    let mut found = Vec::new();
    role_shape_findings(item, env, report_empty, &mut |f| found.push(f));
    if pass == Pass::Shapes {
        return found;
    }
    if let ItemIr::Role { role: declared, .. } = &*item.ir
        && let Some(role) = crate::expand::expand_role_shallow(env.program, &item.name, env)
    {
        let findings = crate::content_checks::role_findings(&role, env, partition, item.name_span);
        for d in crate::content_checks::place_role_findings(declared, &role, env, findings) {
            // every label is in the role itself
            let secondary_origins = vec![item.name.to_string(); d.secondary.len()];
            found.push(super::Finding { origin: item.name.to_string(), diagnostic: d, secondary_origins });
        }
    }
    found
}

/// A role's own shape findings: only the trust lists and their conditions'
/// values are its own (inline policies are checked as policies themselves).
fn role_shape_findings(item: &ProgramItem, env: &Env<'_>, report_empty: bool, note: &mut dyn FnMut(Finding)) {
    if let ItemIr::Role { when, role } = &*item.ir
        && env.holds(when)
        && report_empty
    {
        for (_, list) in &role.trust {
            if env.values(list).values.is_empty() {
                note(here(empty_list("the trust principal", list.span, &item.name), &item.name));
            }
        }
        for c in role.trust_conditions.iter().flat_map(|(_, conditions)| conditions) {
            if env.holds(&c.when) && env.values(&c.values).values.is_empty() {
                let what = format!("the values of condition `{}`", c.key);
                note(here(empty_list(&what, c.values.span, &item.name), &item.name));
            }
        }
    }
}
