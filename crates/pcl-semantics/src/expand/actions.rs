//! The actions of a statement's list: names, and the actionsets it splices.

use super::{Env, MAX_INCLUDE_DEPTH, Trail};
use crate::ir::{ActionRef, GList, ItemIr, Program};

pub(super) fn expand_actions(
    program: &Program,
    list: &GList<ActionRef>,
    env: &Env<'_>,
    trail: &mut Trail,
    out: &mut Vec<String>,
) {
    for item in list.items.iter().filter(|item| env.holds(&item.when)) {
        expand_action(program, &item.value, env, trail, out);
    }
}

/// The actions one item of an action list renders.
pub(super) fn expand_action(
    program: &Program,
    action: &ActionRef,
    env: &Env<'_>,
    trail: &mut Trail,
    out: &mut Vec<String>,
) {
    match action {
        ActionRef::Name(_) if env.shape_only => out.push(String::new()),
        ActionRef::Name(n) => out.push(n.as_str().to_owned()),
        ActionRef::Set(set) => {
            let Some(ItemIr::Actionset(inner)) = program.get(set).map(|i| &*i.ir) else {
                return;
            };
            if !trail.enter(set, MAX_INCLUDE_DEPTH) {
                return;
            }
            expand_actions(program, inner, env, trail, out);
            trail.leave();
        }
    }
}
