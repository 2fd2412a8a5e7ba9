//! An item's doc comments and `expect`s parsed again on their own, after
//! an edit of the lines above its name: the rest of the item kept, its
//! spans moved (`db::patch::prelude_patched` decides when that equals a
//! parse of the whole item).

use crate::Span;
use crate::ast::{Item, ItemKind};
use crate::shift::ShiftSpans;

/// `item` (a policy or permset, parsed by `parse_split`) after an edit of
/// the lines above its name, whose new text, from the item's start to the
/// start of its name's line, is `prelude`, and which moved everything
/// after it by `delta` (a wrapping `u32`, as in `replace_entry`): its doc
/// comments and `expect`s parsed again, every other span moved. `None`
/// unless `prelude` holds doc comments, `expect`s, blank lines and
/// comments only, cleanly: an edit of the doc comment of a large policy cut
/// it again from all its entries (`user_base`: 145k instructions).
pub fn replace_prelude(item: &Item, prelude: &str, delta: u32) -> Option<Item> {
    let (docs, expects) = crate::fast::prelude(prelude)?;
    let mut kind = item.kind.clone();
    match &mut kind {
        ItemKind::Policy(policy) => policy.shift_spans(delta),
        ItemKind::Permset(permset) => permset.shift_spans(delta),
        _ => return None,
    }
    let span = Span { start: item.span.start, end: item.span.end.wrapping_add(delta) };
    Some(Item { docs: docs.into(), expects: expects.into(), kind, span, recovered: false })
}
