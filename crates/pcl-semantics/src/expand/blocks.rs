//! The blocks around a walk's entries, and the context they make for an
//! include inside them.

use super::trail::{ContextId, Trail};
use super::{Env, ExpandedCondition};
use crate::ir::ConditionEntry;

/// The conditions of the blocks around the entries walked (outermost first)
/// whose guards hold, the items whose texts hold them (a permset included
/// in a block is another item than the block's), and the context each
/// makes with those around it (the trail's name for their conditions as
/// rendered); each statement gets them after its own. Pushed on entering a
/// block, popped on leaving.
#[derive(Default)]
pub(super) struct Blocks<'p>(pub Vec<&'p ConditionEntry>, pub Vec<&'p str>, pub Vec<Option<ContextId>>);

impl Blocks<'_> {
    /// The context of the blocks walked into, named when first asked for
    /// (an include inside them): a block with no include renders no
    /// condition here.
    pub fn context(&mut self, trail: &mut Trail, env: &Env<'_>) -> ContextId {
        // (the blocks named are the outermost ones: each is named with those around it)
        let named = self.2.iter().rposition(Option::is_some).map_or(0, |at| at + 1);
        let innermost_named = named.checked_sub(1).and_then(|at| self.2.get(at).copied().flatten());
        let mut context = innermost_named.unwrap_or(ContextId::EMPTY);
        for (block, slot) in self.0.iter().zip(self.2.iter_mut()).skip(named) {
            let rendered = ExpandedCondition::of(block, env);
            context = trail.context_within(context, (rendered.operator, rendered.key, rendered.values.values));
            *slot = Some(context);
        }
        context
    }
}
