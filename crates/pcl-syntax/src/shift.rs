//! Moving every span of a body entry by a fixed amount: an entry parsed on
//! its own has spans relative to its own start, and is placed in its item
//! at its offset there. Recursion is bounded by the lowering's limits
//! (`MAX_EXPR_DEPTH`, `MAX_BLOCK_DEPTH`): only entries that lowered cleanly
//! are shifted.

use crate::Span;
use crate::ast::*;

pub(crate) trait ShiftSpans {
    fn shift_spans(&mut self, by: u32);
}

impl Policy {
    /// Its parts outside the statements (name, guard, naming fields), with
    /// spans relative to the start of its name, not of the item: an edit
    /// before the name (its doc comment, an `expect`) leaves them equal.
    pub fn head_from_name(&self) -> (Ident, Option<Box<Expr>>, Vec<ItemField>) {
        let back = 0u32.wrapping_sub(self.name.span.start);
        let (mut name, mut when, mut fields) = (self.name.clone(), self.when.clone(), self.fields.clone());
        name.shift_spans(back);
        when.shift_spans(back);
        fields.shift_spans(back);
        (name, when, fields)
    }
}

impl Item {
    /// A valueset or actionset that says what `other` says: the same name,
    /// values and `expect`s, at most moved as a whole within the item (its
    /// doc comments may differ). What the items that splice it read of it
    /// is then equal.
    pub fn same_set_but_docs(&self, other: &Item) -> bool {
        let moved = match (&self.kind, &other.kind) {
            (ItemKind::Valueset(mine), ItemKind::Valueset(theirs)) => {
                moved_by((&mine.name, &mine.values), (&theirs.name, &theirs.values))
            }
            (ItemKind::Actionset(mine), ItemKind::Actionset(theirs)) => {
                moved_by((&mine.name, &mine.actions), (&theirs.name, &theirs.actions))
            }
            _ => None,
        };
        moved.is_some_and(|by| {
            let mut theirs = other.expects.clone();
            theirs.shift_spans(by);
            self.expects == theirs
        })
    }
}

/// How far a named list lies from another, when moved by that much it is
/// the other.
fn moved_by<T: ShiftSpans + Clone + PartialEq>(mine: (&Ident, &T), theirs: (&Ident, &T)) -> Option<u32> {
    let by = mine.0.span.start.wrapping_sub(theirs.0.span.start);
    let (mut name, mut list) = (theirs.0.clone(), theirs.1.clone());
    name.shift_spans(by);
    list.shift_spans(by);
    (*mine.0 == name && *mine.1 == list).then_some(by)
}

impl ShiftSpans for Span {
    /// Wrapping: a move back (`split::replace_entry`, after text was
    /// removed) comes as its two's complement. Spans lie inside a file of
    /// less than 4 GiB, before and after, so the sum is exact either way.
    fn shift_spans(&mut self, by: u32) {
        *self = Span { start: self.start.wrapping_add(by), end: self.end.wrapping_add(by) };
    }
}

impl<T: ShiftSpans> ShiftSpans for Option<T> {
    fn shift_spans(&mut self, by: u32) {
        if let Some(inner) = self {
            inner.shift_spans(by);
        }
    }
}

impl<T: ShiftSpans> ShiftSpans for Box<T> {
    fn shift_spans(&mut self, by: u32) {
        (**self).shift_spans(by);
    }
}

impl<T: ShiftSpans> ShiftSpans for Vec<T> {
    fn shift_spans(&mut self, by: u32) {
        self.as_mut_slice().shift_spans(by);
    }
}

impl<T: ShiftSpans> ShiftSpans for Box<[T]> {
    fn shift_spans(&mut self, by: u32) {
        (**self).shift_spans(by);
    }
}

impl<T: ShiftSpans> ShiftSpans for [T] {
    fn shift_spans(&mut self, by: u32) {
        for inner in self {
            inner.shift_spans(by);
        }
    }
}

impl ShiftSpans for Ident {
    fn shift_spans(&mut self, by: u32) {
        let Ident { name: _, span } = self;
        span.shift_spans(by);
    }
}

impl ShiftSpans for StrLit {
    fn shift_spans(&mut self, by: u32) {
        let StrLit { parts, span } = self;
        for (part, part_span) in parts.iter_mut() {
            if let StrPart::Interp(param, member) = part {
                param.shift_spans(by);
                member.shift_spans(by);
            }
            part_span.shift_spans(by);
        }
        span.shift_spans(by);
    }
}

impl ShiftSpans for Expr {
    fn shift_spans(&mut self, by: u32) {
        match self {
            Expr::Bool(_, span) => span.shift_spans(by),
            Expr::Var(ident) => ident.shift_spans(by),
            Expr::Compare { var, value, span, .. } => {
                var.shift_spans(by);
                value.span.shift_spans(by);
                span.shift_spans(by);
            }
            Expr::Not(inner, span) => {
                inner.shift_spans(by);
                span.shift_spans(by);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.shift_spans(by);
                b.shift_spans(by);
            }
        }
    }
}

impl ShiftSpans for Policy {
    fn shift_spans(&mut self, by: u32) {
        let Policy { name, splittable: _, when, fields, entries } = self;
        name.shift_spans(by);
        when.shift_spans(by);
        fields.shift_spans(by);
        entries.shift_spans(by);
    }
}

impl ShiftSpans for Permset {
    fn shift_spans(&mut self, by: u32) {
        let Permset { name, entries } = self;
        name.shift_spans(by);
        entries.shift_spans(by);
    }
}

impl ShiftSpans for ItemField {
    fn shift_spans(&mut self, by: u32) {
        match self {
            ItemField::Name(text, span) | ItemField::Description(text, span) => {
                text.shift_spans(by);
                span.shift_spans(by);
            }
        }
    }
}

impl ShiftSpans for Expect {
    fn shift_spans(&mut self, by: u32) {
        let Expect { code: _, code_span, reason, span } = self;
        code_span.shift_spans(by);
        reason.shift_spans(by);
        span.shift_spans(by);
    }
}

impl ShiftSpans for BodyEntry {
    fn shift_spans(&mut self, by: u32) {
        match self {
            BodyEntry::Include(Include { expects, target, when, span }) => {
                expects.shift_spans(by);
                target.shift_spans(by);
                when.shift_spans(by);
                span.shift_spans(by);
            }
            BodyEntry::Statement(statement) => statement.shift_spans(by),
            BodyEntry::Block(block) => {
                let Block { expects, condition, entries, span } = &mut **block;
                expects.shift_spans(by);
                condition.shift_spans(by);
                entries.shift_spans(by);
                span.shift_spans(by);
            }
        }
    }
}

impl ShiftSpans for Statement {
    fn shift_spans(&mut self, by: u32) {
        let Statement { docs: _, expects, effect: _, effect_span, sid, when, fields, span } = self;
        expects.shift_spans(by);
        effect_span.shift_spans(by);
        sid.shift_spans(by);
        when.shift_spans(by);
        fields.shift_spans(by);
        span.shift_spans(by);
    }
}

impl ShiftSpans for StmtField {
    fn shift_spans(&mut self, by: u32) {
        match self {
            StmtField::Action { list, span, .. } => {
                list.shift_spans(by);
                span.shift_spans(by);
            }
            StmtField::Resource { list, span, .. } => {
                list.shift_spans(by);
                span.shift_spans(by);
            }
            StmtField::Condition(condition) => condition.shift_spans(by),
        }
    }
}

impl ShiftSpans for Condition {
    fn shift_spans(&mut self, by: u32) {
        let Condition { operator, key, values, when, span } = self;
        operator.shift_spans(by);
        key.shift_spans(by);
        values.shift_spans(by);
        when.shift_spans(by);
        span.shift_spans(by);
    }
}

impl<T: ShiftSpans> ShiftSpans for ValueList<T> {
    fn shift_spans(&mut self, by: u32) {
        let ValueList { items, bracketed: _, span } = self;
        for Guarded { item, when, span } in items {
            item.shift_spans(by);
            when.shift_spans(by);
            span.shift_spans(by);
        }
        span.shift_spans(by);
    }
}

impl ShiftSpans for ActionItem {
    fn shift_spans(&mut self, by: u32) {
        match self {
            ActionItem::SetRef(ident) => ident.shift_spans(by),
            ActionItem::Name(_, span) => span.shift_spans(by),
        }
    }
}

impl ShiftSpans for ValueItem {
    fn shift_spans(&mut self, by: u32) {
        match self {
            ValueItem::Str(s) => s.shift_spans(by),
            ValueItem::Param(ident) | ValueItem::SetRef(ident) => ident.shift_spans(by),
            ValueItem::Each(each) => {
                let EachValue { template, var, list, span } = &mut **each;
                template.shift_spans(by);
                var.shift_spans(by);
                list.shift_spans(by);
                span.shift_spans(by);
            }
        }
    }
}
