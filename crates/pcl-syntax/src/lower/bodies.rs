//! Policy and permset bodies: statements, includes, `with condition` blocks,
//! `name`/`description` fields, and guarded lists of actions and values.

use super::*;

impl Lowerer {
    pub(crate) fn body<'i>(&mut self, pairs: impl IntoIterator<Item = Pair<'i, Rule>>) -> Lowered<Vec<BodyEntry>> {
        let mut entries = Vec::new();
        for entry in pairs {
            let span = self.span(&entry);
            let mut docs = Vec::new();
            let mut expects = Vec::new();
            for p in entry.into_inner() {
                match p.as_rule() {
                    Rule::doc => docs.push(doc_text(&p)),
                    Rule::expect_attr => expects.push(self.expect(p)),
                    Rule::include_entry => {
                        let inc_span = self.span(&p);
                        let mut it = p.into_inner();
                        let target = self.ident_from(&mut it, span)?;
                        let when = self.opt_when(&mut it)?;
                        let expects = std::mem::take(&mut expects);
                        entries.push(BodyEntry::Include(Include {
                            expects: expects.into(),
                            target,
                            when,
                            span: inc_span,
                        }));
                    }
                    Rule::statement => {
                        let mut st = self.statement(p)?;
                        st.docs = std::mem::take(&mut docs).into();
                        st.expects = std::mem::take(&mut expects).into();
                        entries.push(BodyEntry::Statement(st));
                    }
                    Rule::condition_block => {
                        let mut block = self.block(p)?;
                        block.expects = std::mem::take(&mut expects).into();
                        entries.push(BodyEntry::Block(Box::new(block)));
                    }
                    _ => return self.unexpected(&p),
                }
            }
        }
        entries.shrink_to_fit();
        Ok(entries)
    }

    /// `with condition OP "key" VALUES [when GUARD] { entries }`; nested
    /// blocks count toward the nesting limit (every later pass recurses).
    pub(super) fn block(&mut self, pair: Pair<'_, Rule>) -> Lowered<Block> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let _with = self.next(&mut it, span)?;
        let operator = self.ident_from(&mut it, span)?;
        let key_pair = self.next(&mut it, span)?;
        let key = self.string(key_pair);
        let values_pair = self.next(&mut it, span)?;
        let values = self.values(values_pair)?;
        let mut head_end = values.span.end;
        let mut rest: std::collections::VecDeque<Pair<'_, Rule>> = it.collect();
        let when = match rest.pop_front() {
            Some(w) if w.as_rule() == Rule::when_clause => {
                head_end = self.span(&w).end;
                Some(self.when(w)?)
            }
            Some(entry) => {
                rest.push_front(entry);
                None
            }
            None => None,
        };
        let condition =
            Condition { operator, key, values, when, span: Span::new(span.start as usize, head_end as usize) };
        self.block_depth += 1;
        if self.block_depth > MAX_BLOCK_DEPTH {
            self.block_depth -= 1;
            self.error(
                condition.span,
                SyntaxErrorKind::TooDeep,
                format!("`with condition` blocks nested more than {MAX_BLOCK_DEPTH} deep"),
            );
            if let Some(e) = self.errors.last_mut() {
                e.help = Some("put several conditions on one block's statements instead of nesting blocks".into());
            }
            return Err(());
        }
        let entries = self.body(rest);
        self.block_depth -= 1;
        Ok(Block { expects: Box::default(), condition, entries: entries?, span })
    }

    pub(super) fn policy(&mut self, pair: Pair<'_, Rule>) -> Lowered<Policy> {
        let span = self.span(&pair);
        let mut it = pair.into_inner().peekable();
        let name = match it.next() {
            Some(p) => self.ident(p),
            None => return self.fail(span, "policy without a name"),
        };
        let splittable = it.next_if(|p| p.as_rule() == Rule::splittable_kw).is_some();
        let when = match it.next_if(|p| p.as_rule() == Rule::when_clause) {
            Some(w) => Some(self.when(w)?),
            None => None,
        };
        let mut entries = Vec::new();
        let mut fields = Vec::new();
        for entry in it {
            if entry.as_rule() == Rule::item_field {
                fields.push(self.item_field(entry)?);
            } else {
                entries.extend(self.body(Pairs::single(entry))?);
            }
        }
        Ok(Policy { name, splittable, when, fields, entries })
    }

    /// `name "..."` or `description "..."`.
    pub(super) fn item_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<ItemField> {
        let outer = self.span(&pair);
        let field = self.next(&mut pair.into_inner(), outer)?;
        let span = self.span(&field);
        let rule = field.as_rule();
        let mut it = field.into_inner();
        let _keyword = self.next(&mut it, span)?;
        let string = self.next(&mut it, span)?;
        let text = self.string(string);
        Ok(match rule {
            Rule::name_field => ItemField::Name(text, span),
            _ => ItemField::Description(text, span),
        })
    }

    pub(super) fn statement(&mut self, pair: Pair<'_, Rule>) -> Lowered<Statement> {
        let span = self.span(&pair);
        let mut effect = Effect::Allow;
        let mut effect_span = span;
        let mut sid = None;
        let mut when = None;
        let mut fields = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::effect => {
                    effect_span = self.span(&p);
                    effect = if p.as_str() == "deny" { Effect::Deny } else { Effect::Allow };
                }
                Rule::string => sid = Some(self.string(p)),
                Rule::when_clause => when = Some(self.when(p)?),
                Rule::stmt_field => fields.push(self.stmt_field(p)?),
                _ => return self.unexpected(&p),
            }
        }
        Ok(Statement {
            docs: Box::default(),
            expects: Box::default(),
            effect,
            effect_span,
            sid,
            when,
            fields: fields.into(),
            span,
        })
    }

    pub(super) fn stmt_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<StmtField> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        let field_span = self.span(&inner);
        let rule = inner.as_rule();
        if rule == Rule::condition_field {
            return Ok(StmtField::Condition(Box::new(self.condition_field(inner)?)));
        }
        if rule == Rule::action_field {
            let ActionsField { negated, list, span } = self.action_field(inner)?;
            return Ok(StmtField::Action { negated, list, span });
        }
        let mut it = inner.into_inner();
        match rule {
            Rule::resource_field => {
                let kw = self.next(&mut it, span)?;
                let negated = kw.as_str() == "notresource";
                let values = self.next(&mut it, span)?;
                let list = self.values(values)?;
                Ok(StmtField::Resource { negated, list, span: field_span })
            }
            _ => self.fail(span, "unexpected statement field"),
        }
    }

    /// `action_field = { action_kw ~ (action_list | action_item) ~ ";" }`
    /// (a statement's, or one of a `trust` field's block).
    pub(super) fn action_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<ActionsField> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let kw = self.next(&mut it, span)?;
        let negated = kw.as_str() == "notaction";
        let value = self.next(&mut it, span)?;
        let list = match value.as_rule() {
            Rule::action_list => self.action_list(value)?,
            _ => {
                let vspan = self.span(&value);
                let item = self.action_item(value)?;
                ValueList { items: vec![Guarded { item, when: None, span: vspan }], bracketed: false, span: vspan }
            }
        };
        Ok(ActionsField { negated, list, span })
    }

    /// `condition_field = { "condition" ~ cond_op ~ string ~ values ~ when_clause? ~ ";" }`
    /// (a statement's, or one of a `trust` field's block).
    pub(super) fn condition_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<Condition> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let operator = self.ident_from(&mut it, span)?;
        let key_pair = self.next(&mut it, span)?;
        let key = self.string(key_pair);
        let values_pair = self.next(&mut it, span)?;
        let values = self.values(values_pair)?;
        let when = self.opt_when(&mut it)?;
        Ok(Condition { operator, key, values, when, span })
    }

    pub(super) fn action_list(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueList<ActionItem>> {
        self.guarded_list(pair, Self::action_item)
    }

    /// `[item when guard, ...]` of actions or values.
    pub(super) fn guarded_list<T>(
        &mut self,
        pair: Pair<'_, Rule>,
        item: fn(&mut Self, Pair<'_, Rule>) -> Lowered<T>,
    ) -> Lowered<ValueList<T>> {
        let span = self.span(&pair);
        let mut items = Vec::new();
        for g in pair.into_inner() {
            // pest's span runs over the blanks and comments after the entry
            // (`item ~ when_clause?`); the entry ends with its code
            let code = crate::span::code_end(g.as_str());
            let mut gspan = self.span(&g);
            gspan.end = gspan.start.saturating_add(u32::try_from(code).unwrap_or(u32::MAX));
            let mut it = g.into_inner();
            let item_pair = self.next(&mut it, gspan)?;
            let item = item(self, item_pair)?;
            let when = self.opt_when(&mut it)?;
            items.push(Guarded { item, when, span: gspan });
        }
        items.shrink_to_fit();
        Ok(ValueList { items, bracketed: true, span })
    }

    /// The optional trailing `when` clause of an entry.
    pub(super) fn opt_when(&mut self, it: &mut Pairs<'_, Rule>) -> Lowered<Option<Box<Expr>>> {
        it.next().map(|w| self.when(w)).transpose()
    }

    pub(super) fn action_item(&mut self, pair: Pair<'_, Rule>) -> Lowered<ActionItem> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        Ok(match inner.as_rule() {
            Rule::set_ref => {
                let id = self.ident_from(&mut inner.into_inner(), span)?;
                ActionItem::SetRef(id)
            }
            Rule::string => {
                let s = self.string(inner);
                ActionItem::Name(s.display().into(), s.span)
            }
            _ => ActionItem::Name(inner.as_str().into(), span),
        })
    }

    pub(super) fn values(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueList<ValueItem>> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        match inner.as_rule() {
            Rule::value_list => self.value_list(inner),
            _ => {
                let item = self.value_item(inner)?;
                Ok(ValueList { items: vec![Guarded { item, when: None, span }], bracketed: false, span })
            }
        }
    }

    pub(super) fn value_list(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueList<ValueItem>> {
        self.guarded_list(pair, Self::value_item)
    }

    pub(super) fn value_item(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueItem> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        Ok(match inner.as_rule() {
            Rule::string => ValueItem::Str(self.string(inner)),
            Rule::set_ref => ValueItem::SetRef(self.ident_from(&mut inner.into_inner(), span)?),
            Rule::each_item => {
                let mut it = inner.into_inner();
                let template_pair = self.next(&mut it, span)?;
                let template = self.string(template_pair);
                let _for = self.next(&mut it, span)?;
                let var = self.ident_from(&mut it, span)?;
                let _in = self.next(&mut it, span)?;
                let list = self.ident_from(&mut it, span)?;
                ValueItem::Each(Box::new(EachValue { template, var, list, span }))
            }
            _ => ValueItem::Param(self.ident(inner)),
        })
    }
}
