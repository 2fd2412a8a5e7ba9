//! The actions of a statement's list: names, and the actionsets it splices.

use pcl_syntax::Name;

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
        ActionRef::Set(set) => splice_actionset(program, set, env, trail, &mut |action, trail| {
            expand_action(program, action, env, trail, out);
        }),
    }
}

/// Calls `each` with each item of actionset `set` whose guard holds, as
/// `expand_action` splices it: nothing when `set` is no actionset, is
/// being spliced (a cycle), was spliced before in `trail`, or lies deeper
/// than `MAX_INCLUDE_DEPTH`. Shared with `action_origins`, which must
/// render what `expand_action` does.
pub(super) fn splice_actionset<'p>(
    program: &'p Program,
    set: &Name,
    env: &Env<'_>,
    trail: &mut Trail,
    each: &mut impl FnMut(&'p ActionRef, &mut Trail),
) {
    let Some(ItemIr::Actionset(inner)) = program.get(set).map(|i| &*i.ir) else {
        return;
    };
    if !trail.enter(set, MAX_INCLUDE_DEPTH) {
        return;
    }
    for item in inner.items.iter().filter(|item| env.holds(&item.when)) {
        each(&item.value, trail);
    }
    trail.leave();
}
