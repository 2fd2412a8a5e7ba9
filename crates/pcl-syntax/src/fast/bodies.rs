//! Body entries (statements, includes, `with condition` blocks) and the
//! guarded lists of actions and values, as `lower/bodies.rs` reads them.

use super::Fast;
use crate::MAX_BLOCK_DEPTH;
use crate::ast::*;

impl Fast<'_> {
    /// `body_entry*`
    pub(super) fn body_entries(&mut self) -> Vec<BodyEntry> {
        let mut entries = self.repeat(Self::body_entry);
        entries.shrink_to_fit();
        entries
    }

    /// `body_entry = { (doc | expect_attr)* ~ (include_entry | condition_block | statement) }`
    pub(super) fn body_entry(&mut self) -> Option<BodyEntry> {
        let (docs, expects) = self.docs_and_expects();
        self.skip();
        // the three start with different words (docs of an include or a
        // block are dropped, as the lowering drops them)
        match self.peek()? {
            b'i' => self.include(expects),
            b'w' => self.condition_block(expects),
            b'a' | b'd' => self.statement(docs, expects),
            _ => None,
        }
    }

    /// `include_entry = { "include" ~ ident ~ when_clause? ~ ";" }`
    fn include(&mut self, expects: Vec<Expect>) -> Option<BodyEntry> {
        let start = self.pos;
        self.glued_keyword()?;
        self.token("include")?;
        let target = self.ident()?;
        self.skip();
        let when = self.attempt(Self::when_clause);
        self.skip();
        self.need(";")?;
        Some(BodyEntry::Include(Include { expects: expects.into(), target, when, span: self.span(start, self.pos) }))
    }

    /// `condition_block = { with_kw ~ "condition" ~ cond_op ~ string ~ values ~ when_clause? ~ "{" ~ body_entry* ~ "}" }`
    fn condition_block(&mut self, expects: Vec<Expect>) -> Option<BodyEntry> {
        let start = self.pos;
        self.need_kw("with")?;
        self.skip();
        let (operator, key, values) = self.condition_head()?;
        let values_end = self.pos;
        self.skip();
        let when = self.attempt(Self::when_clause);
        // the head ends with the values, or after the guard's white space
        let head_end = if when.is_some() { self.pos } else { values_end };
        self.skip();
        self.need("{")?;
        let condition = Condition { operator, key, values, when, span: self.span(start, head_end) };
        if self.block_depth >= MAX_BLOCK_DEPTH {
            // the lowering reports the nesting: leave it to pest's path
            return self.bail();
        }
        self.block_depth += 1;
        self.skip();
        let entries = self.body_entries();
        self.block_depth -= 1;
        self.skip();
        self.need("}")?;
        let span = self.span(start, self.pos);
        Some(BodyEntry::Block(Box::new(Block { expects: expects.into(), condition, entries, span })))
    }

    /// `"condition" ~ cond_op ~ string ~ values`: the operator, key and values.
    fn condition_head(&mut self) -> Option<(Ident, StrLit, ValueList<ValueItem>)> {
        self.glued_keyword()?;
        self.token("condition")?;
        // cond_op = @{ (ASCII_ALPHANUMERIC | ":")+ }, checked as a name
        let (op_start, op_end) = self.run(|b| b.is_ascii_alphanumeric() || b == b':')?;
        let operator = self.value_name(op_start, op_end)?;
        self.skip();
        let key = self.string()?;
        self.skip();
        let values = self.values()?;
        Some((operator, key, values))
    }

    /// `statement = { effect ~ string? ~ when_clause? ~ "{" ~ stmt_field* ~ "}" }`
    fn statement(&mut self, docs: Vec<String>, expects: Vec<Expect>) -> Option<BodyEntry> {
        let start = self.pos;
        let effect = if self.kw("allow") {
            Effect::Allow
        } else if self.kw("deny") {
            Effect::Deny
        } else {
            return None;
        };
        let effect_span = self.span(start, self.pos);
        self.skip();
        let sid = self.attempt(Self::string);
        self.skip();
        let when = self.attempt(Self::when_clause);
        self.skip();
        self.token("{")?;
        let fields = self.repeat(Self::stmt_field);
        self.skip();
        self.need("}")?;
        Some(BodyEntry::Statement(Statement {
            docs: docs.into(),
            expects: expects.into(),
            effect,
            effect_span,
            sid,
            when,
            fields: fields.into(),
            span: self.span(start, self.pos),
        }))
    }

    /// `stmt_field = { action_field | resource_field | condition_field }`
    fn stmt_field(&mut self) -> Option<StmtField> {
        let start = self.pos;
        let end_field = |p: &mut Self| {
            p.skip();
            p.lit(";").then(|| p.span(start, p.pos))
        };
        if let Some(ActionsField { negated, list, span }) = self.attempt(Self::actions_field) {
            return Some(StmtField::Action { negated, list, span });
        }
        for (word, negated) in [("notresource", true), ("resource", false)] {
            if self.kw(word) {
                self.skip();
                let list = self.values()?;
                return end_field(self).map(|span| StmtField::Resource { negated, list, span });
            }
        }
        self.condition_field().map(|c| StmtField::Condition(Box::new(c)))
    }

    /// `condition_field = { "condition" ~ cond_op ~ string ~ values ~ when_clause? ~ ";" }`
    /// (a statement's, or one of a `trust` field's block).
    /// `action_field = { action_kw ~ (action_list | action_item) ~ ";" }`
    /// (a statement's, or one of a `trust` field's block).
    pub(super) fn actions_field(&mut self) -> Option<ActionsField> {
        let start = self.pos;
        let negated = if self.kw("notaction") {
            true
        } else if self.kw("action") {
            false
        } else {
            return None;
        };
        self.skip();
        let list = match self.peek() {
            Some(b'[') => self.action_list()?,
            _ => {
                let item_start = self.pos;
                let item = self.action_item()?;
                let span = self.span(item_start, self.pos);
                ValueList { items: vec![Guarded { item, when: None, span }], bracketed: false, span }
            }
        };
        self.skip();
        self.lit(";").then(|| ActionsField { negated, list, span: self.span(start, self.pos) })
    }

    pub(super) fn condition_field(&mut self) -> Option<Condition> {
        let start = self.pos;
        let (operator, key, values) = self.condition_head()?;
        self.skip();
        let when = self.attempt(Self::when_clause);
        self.skip();
        self.lit(";").then_some(())?;
        Some(Condition { operator, key, values, when, span: self.span(start, self.pos) })
    }

    /// `action_list = { "[" ~ (guarded_action ~ ("," ~ guarded_action)* ~ ","?)? ~ "]" }`
    pub(super) fn action_list(&mut self) -> Option<ValueList<ActionItem>> {
        self.guarded_list(Self::action_item)
    }

    /// `value_list = { "[" ~ (guarded_value ~ ("," ~ guarded_value)* ~ ","?)? ~ "]" }`
    pub(super) fn value_list(&mut self) -> Option<ValueList<ValueItem>> {
        self.guarded_list(Self::value_item)
    }

    /// A bracketed list of `item ~ when_clause?` elements.
    fn guarded_list<T>(&mut self, item: fn(&mut Self) -> Option<T>) -> Option<ValueList<T>> {
        let start = self.pos;
        self.token("[")?;
        let guarded = |p: &mut Self| {
            let start = p.pos;
            let item = item(p)?;
            let item_end = p.pos;
            p.skip();
            let when = p.attempt(Self::when_clause);
            // the entry ends with its code, not with the blanks and comments
            // after it (as `lower` has it)
            let end = match when {
                Some(_) => start + crate::span::code_end(p.slice(start, p.pos)),
                None => item_end,
            };
            Some(Guarded { item, when, span: p.span(start, end) })
        };
        let mut items = self
            .attempt(|p| {
                let mut items = vec![guarded(p)?];
                p.skip();
                items.extend(p.repeat(|p| {
                    p.token(",")?;
                    guarded(p)
                }));
                p.skip();
                p.lit(",");
                Some(items)
            })
            .unwrap_or_default();
        items.shrink_to_fit();
        self.skip();
        self.need("]")?;
        Some(ValueList { items, bracketed: true, span: self.span(start, self.pos) })
    }

    /// `action_item = { set_ref | string | action_name }`
    fn action_item(&mut self) -> Option<ActionItem> {
        let start = self.pos;
        match self.peek()? {
            b'@' => self.set_ref().map(ActionItem::SetRef),
            b'"' => self.string().map(|s| ActionItem::Name(s.display().into(), s.span)),
            _ => {
                let is_action =
                    |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'*' | b'?' | b'.');
                let (_, end) = self.run(is_action)?;
                Some(ActionItem::Name(self.slice(start, end).into(), self.span(start, end)))
            }
        }
    }

    /// `set_ref = ${ "@" ~ ident }`: the name.
    fn set_ref(&mut self) -> Option<Ident> {
        self.need("@")?;
        self.ident()
    }

    /// `values = { value_list | value_item }`
    pub(super) fn values(&mut self) -> Option<ValueList<ValueItem>> {
        if self.peek() == Some(b'[') {
            return self.value_list();
        }
        let start = self.pos;
        let item = self.value_item()?;
        let span = self.span(start, self.pos);
        Some(ValueList { items: vec![Guarded { item, when: None, span }], bracketed: false, span })
    }

    /// `value_item = { each_item | set_ref | string | ident }`, with
    /// `each_item = { string ~ for_kw ~ ident ~ in_kw ~ ident }`.
    pub(super) fn value_item(&mut self) -> Option<ValueItem> {
        let start = self.pos;
        match self.peek()? {
            b'"' => {
                let template = self.string()?;
                // each_item is tried first; without its tail, the string alone
                let each = self.attempt(|p| {
                    p.skip();
                    p.need_kw("for")?;
                    p.skip();
                    let var = p.ident()?;
                    p.skip();
                    p.need_kw("in")?;
                    p.skip();
                    let list = p.ident()?;
                    Some((var, list))
                });
                match each {
                    Some((var, list)) => {
                        let span = self.span(start, self.pos);
                        Some(ValueItem::Each(Box::new(EachValue { template, var, list, span })))
                    }
                    None if self.bailed => None,
                    None => Some(ValueItem::Str(template)),
                }
            }
            b'@' => self.set_ref().map(ValueItem::SetRef),
            _ => self.ident().map(ValueItem::Param),
        }
    }
}
