//! Completion by context: where the cursor is in the grammar's nesting
//! (`context`: at an item's start, in a policy's body, a statement, a role,
//! a field's list, an expression, a string) decides what is offered
//! (`offers`): the keywords the grammar allows there; declared names of
//! the kind that fits (an actionset after `@` in an action list, a feature
//! or scalar param in a guard); a feature's values after `==`/`!=`; a
//! service's actions; operators; condition keys; nothing in comments and
//! in strings of literal text or prose.

mod context;
mod offers;
#[cfg(test)]
mod tests;

use crate::index::FileIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Item,
    Value,
    Action,
    Service,
    Operator,
    ConditionKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// What the editor shows: a condition key template in full
    /// (`s3:BucketTag/${TagKey}`).
    pub label: String,
    /// What accepting it writes: the label, but only the literal start of a
    /// key template (`s3:BucketTag/`), whose variable is the user's to write.
    pub insert: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// The bytes it replaces: the word typed so far (`s3:Get` for
    /// `s3:GetObject`), so that an editor whose idea of a word ends at the
    /// `:` does not insert `s3:s3:GetObject`; in a condition key's string,
    /// all of it up to the cursor (`ec2:ResourceTag/` and on).
    pub replaces: std::ops::Range<usize>,
}

/// What may be typed at `offset`, each with the bytes it replaces.
pub fn completions(index: &FileIndex, offset: usize) -> Vec<Completion> {
    let mut end = offset.min(index.text.len());
    while !index.text.is_char_boundary(end) {
        end -= 1;
    }
    let (place, typed_from) = context::place(&index.text, end);
    let typed = index.text.get(typed_from..end).unwrap_or_default();
    let mut found = offers::offers(index, place, typed);
    for c in &mut found {
        c.replaces = typed_from..end;
    }
    found
}
