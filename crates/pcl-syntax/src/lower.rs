//! Lowering of pest pairs into the AST. The grammar guarantees the shape of
//! each pair, but we never index blindly: a shape we do not expect becomes a
//! syntax error rather than a panic.
//!
//! Longer than 500 lines on purpose: one method per grammar rule, in the
//! order of `pcl.pest`, so that the grammar and its lowering read side by side.

use pest::iterators::{Pair, Pairs};

use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::grammar::Rule;
use crate::span::Span;
use crate::{MAX_BLOCK_DEPTH, MAX_EXPR_DEPTH};

/// Words that cannot name an item (the grammar's `keyword` rule).
pub const KEYWORDS: [&str; 19] = [
    "param",
    "feature",
    "constraint",
    "permset",
    "actionset",
    "valueset",
    "policy",
    "role",
    "allow",
    "deny",
    "when",
    "and",
    "or",
    "not",
    "true",
    "false",
    "else",
    "include",
    "placeholder",
];

pub(crate) struct Lowerer {
    /// Absolute offset of the item being lowered; spans are made relative to it.
    base: usize,
    /// Absolute offset of the text the pairs index into.
    text_offset: usize,
    pub(crate) errors: Vec<SyntaxError>,
    depth: usize,
    /// How many `with condition` blocks enclose the current entry.
    block_depth: usize,
    /// A keyword was used as a name: the item is reported once and dropped,
    /// as the grammar did when it rejected keywords itself.
    pub(crate) keyword_misused: bool,
}

type Lowered<T> = Result<T, ()>;

impl Lowerer {
    pub(crate) fn new(text_offset: usize, item_start: usize) -> Self {
        Lowerer {
            base: text_offset + item_start,
            text_offset,
            errors: Vec::new(),
            depth: 0,
            block_depth: 0,
            keyword_misused: false,
        }
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let abs = |p: usize| (self.text_offset + p).saturating_sub(self.base);
        Span::new(abs(s.start()), abs(s.end()))
    }

    fn error(&mut self, span: Span, kind: SyntaxErrorKind, message: String) {
        let abs = span.shift(u32::try_from(self.base).unwrap_or(u32::MAX));
        let label = Some(
            match kind {
                SyntaxErrorKind::Parse => "the grammar does not allow this here",
                SyntaxErrorKind::BadEscape => "not an escape pcl knows",
                SyntaxErrorKind::BadInterpolation => "`${` starts an interpolation of a param",
                SyntaxErrorKind::TooDeep => "the nesting goes past the limit here",
            }
            .to_string(),
        );
        self.errors.push(SyntaxError { kind, span: abs, message, label, help: None });
    }

    fn unexpected<T>(&mut self, pair: &Pair<'_, Rule>) -> Lowered<T> {
        let span = self.span(pair);
        self.error(span, SyntaxErrorKind::Parse, format!("unexpected {:?} here", pair.as_rule()));
        Err(())
    }

    fn next<'i>(&mut self, pairs: &mut Pairs<'i, Rule>, parent: Span) -> Lowered<Pair<'i, Rule>> {
        match pairs.next() {
            Some(p) => Ok(p),
            None => {
                self.error(parent, SyntaxErrorKind::Parse, "incomplete construct".into());
                Err(())
            }
        }
    }

    pub(crate) fn item(&mut self, pair: Pair<'_, Rule>) -> Lowered<Item> {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut expects = Vec::new();
        let mut kind = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::doc => docs.push(doc_text(&inner)),
                Rule::expect_attr => expects.push(self.expect(inner)),
                Rule::param_decl => kind = Some(ItemKind::Param(self.param(inner)?)),
                Rule::feature_decl => kind = Some(ItemKind::Feature(self.feature(inner)?)),
                Rule::constraint_decl => kind = Some(ItemKind::Constraint(self.constraint(inner)?)),
                Rule::permset_decl => {
                    let mut it = inner.into_inner();
                    let name = self.ident_from(&mut it, span)?;
                    let entries = self.body(it)?;
                    kind = Some(ItemKind::Permset(Permset { name, entries }));
                }
                Rule::actionset_decl => {
                    let mut it = inner.into_inner();
                    let name = self.ident_from(&mut it, span)?;
                    let list = self.next(&mut it, span)?;
                    let actions = self.action_list(list)?;
                    kind = Some(ItemKind::Actionset(Actionset { name, actions }));
                }
                Rule::valueset_decl => {
                    let mut it = inner.into_inner();
                    let name = self.ident_from(&mut it, span)?;
                    let list = self.next(&mut it, span)?;
                    let values = self.value_list(list)?;
                    kind = Some(ItemKind::Valueset(Valueset { name, values }));
                }
                Rule::policy_decl => kind = Some(ItemKind::Policy(self.policy(inner)?)),
                Rule::role_decl => kind = Some(ItemKind::Role(self.role(inner)?)),
                _ => return self.unexpected(&inner),
            }
        }
        match kind {
            Some(kind) => Ok(Item { docs, expects, kind, span }),
            None => {
                self.error(span, SyntaxErrorKind::Parse, "a doc comment must be followed by an item".into());
                if let Some(e) = self.errors.last_mut() {
                    e.label = Some("documents nothing".into());
                }
                Err(())
            }
        }
    }

    /// A name. Keywords are rejected here rather than in the grammar: a
    /// `!keyword` look-ahead on every identifier cost a third of parse time.
    fn ident(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let ident = Ident { name: pair.as_str().to_string(), span: self.span(&pair) };
        // `true` and `false` are values where a value is expected (a
        // feature's default, a comparison); every other keyword never is
        let literal = pair.as_rule() != Rule::ident && matches!(ident.name.as_str(), "true" | "false");
        if KEYWORDS.contains(&ident.name.as_str()) && !literal && !self.keyword_misused {
            self.keyword_misused = true;
            let abs = ident.span.shift(u32::try_from(self.base).unwrap_or(u32::MAX));
            self.errors.push(SyntaxError {
                kind: SyntaxErrorKind::Parse,
                span: abs,
                message: format!("`{}` is a keyword, not a name", ident.name),
                label: Some("reserved by the language".into()),
                help: Some(format!("rename it, e.g. `{}_`", ident.name)),
            });
        }
        ident
    }

    fn ident_from(&mut self, it: &mut Pairs<'_, Rule>, parent: Span) -> Lowered<Ident> {
        let p = self.next(it, parent)?;
        Ok(self.ident(p))
    }

    fn param(&mut self, pair: Pair<'_, Rule>) -> Lowered<Param> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_from(&mut it, span)?;
        let ty_pair = self.next(&mut it, span)?;
        let ty_span = self.span(&ty_pair);
        let mut ty_parts = ty_pair.into_inner();
        let ty_inner = self.next(&mut ty_parts, ty_span)?;
        let optional = ty_parts.next().is_some_and(|p| p.as_rule() == Rule::optional_mark);
        let (list, scalar_pair) = match ty_inner.as_rule() {
            Rule::list_type => (true, self.next(&mut ty_inner.into_inner(), ty_span)?),
            _ => (false, ty_inner),
        };
        let mut parts = scalar_pair.into_inner();
        let scalar = self.ident_from(&mut parts, ty_span)?;
        let mut args = Vec::new();
        for type_args in parts {
            for arg in type_args.into_inner() {
                let arg_span = self.span(&arg);
                let inner = self.next(&mut arg.into_inner(), arg_span)?;
                args.push(match inner.as_rule() {
                    Rule::max_arg => {
                        let number = inner.into_inner().nth(1).map(|n| n.as_str().parse().ok()).unwrap_or_default();
                        TypeArg::Max(number, arg_span)
                    }
                    Rule::star_arg => TypeArg::Star(arg_span),
                    Rule::pattern_arg => {
                        let mut it = inner.into_inner();
                        let _keyword = self.next(&mut it, arg_span)?;
                        let string = self.next(&mut it, arg_span)?;
                        TypeArg::Pattern(self.string(string), arg_span)
                    }
                    _ => {
                        let (service, resource) = inner.as_str().split_once(':').unwrap_or_default();
                        TypeArg::ResourceType { service: service.into(), resource: resource.into(), span: arg_span }
                    }
                });
            }
        }
        let ty = TypeExpr { list, scalar, args, optional, span: ty_span };
        let mut default = None;
        let mut placeholder = None;
        for p in it {
            match p.as_rule() {
                Rule::literal => default = Some(self.literal(p)?),
                Rule::string => placeholder = Some(self.string(p)),
                _ => return self.unexpected(&p),
            }
        }
        Ok(Param { name, ty, default, placeholder })
    }

    fn literal(&mut self, pair: Pair<'_, Rule>) -> Lowered<Literal> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        Ok(match inner.as_rule() {
            Rule::string => Literal::Str(self.string(inner)),
            _ => {
                let list_span = self.span(&inner);
                Literal::List(inner.into_inner().map(|s| self.string(s)).collect(), list_span)
            }
        })
    }

    fn feature(&mut self, pair: Pair<'_, Rule>) -> Lowered<Feature> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_from(&mut it, span)?;
        let ty = self.next(&mut it, span)?;
        let domain = match ty.as_rule() {
            Rule::bool_type => FeatureDomain::Bool(self.span(&ty)),
            Rule::expr => {
                let expr = self.expr(ty)?;
                let default = Ident { name: String::new(), span: expr.span() };
                return Ok(Feature { name, domain: FeatureDomain::Derived(Box::new(expr)), default });
            }
            _ => FeatureDomain::Enum(ty.into_inner().map(|p| self.ident(p)).collect()),
        };
        let value = self.next(&mut it, span)?;
        let default = self.ident(value);
        Ok(Feature { name, domain, default })
    }

    fn constraint(&mut self, pair: Pair<'_, Rule>) -> Lowered<Constraint> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_from(&mut it, span)?;
        let expr_pair = self.next(&mut it, span)?;
        let expr = self.expr(expr_pair)?;
        let msg = self.next(&mut it, span)?;
        let message = self.string(msg);
        Ok(Constraint { name, expr, message })
    }

    fn when(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let e = self.next(&mut pair.into_inner(), span)?;
        self.expr(e)
    }

    /// `expr = and_expr (or and_expr)*`; `and_expr = unary (and unary)*`.
    /// `self.depth` tracks the depth of the tree being built (an `a and b
    /// and c` chain is as deep as it is long), so no later recursive pass
    /// over an expression, nor its drop, can overflow the stack.
    fn expr(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        self.binary(pair)
    }

    fn enter(&mut self, by: usize, span: Span) -> Lowered<()> {
        self.depth += by;
        if self.depth > MAX_EXPR_DEPTH {
            self.depth -= by;
            self.error(
                span,
                SyntaxErrorKind::TooDeep,
                format!("expression nested more than {MAX_EXPR_DEPTH} levels deep"),
            );
            if let Some(e) = self.errors.last_mut() {
                e.help = Some("split it up: use several guards, or a constraint".into());
            }
            return Err(());
        }
        Ok(())
    }

    fn binary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let is_or = pair.as_rule() == Rule::expr;
        let operands: Vec<Pair<'_, Rule>> =
            pair.into_inner().filter(|p| !matches!(p.as_rule(), Rule::or_op | Rule::and_op)).collect();
        // `a and b and c ...` becomes a balanced tree: a long flat chain is
        // only logarithmically deep, so only real nesting meets the limit.
        let extra = usize::BITS as usize - operands.len().saturating_sub(1).leading_zeros() as usize;
        self.enter(extra, span)?;
        let result = self.fold_operands(operands, is_or);
        self.depth -= extra;
        result
    }

    fn fold_operands(&mut self, operands: Vec<Pair<'_, Rule>>, is_or: bool) -> Lowered<Expr> {
        let mut level = Vec::with_capacity(operands.len());
        for p in operands {
            level.push(match p.as_rule() {
                Rule::and_expr => self.binary(p)?,
                Rule::unary => self.unary(p)?,
                _ => return self.unexpected(&p),
            });
        }
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut items = level.into_iter();
            while let Some(left) = items.next() {
                next.push(match items.next() {
                    Some(right) if is_or => Expr::Or(Box::new(left), Box::new(right)),
                    Some(right) => Expr::And(Box::new(left), Box::new(right)),
                    None => left,
                });
            }
            level = next;
        }
        level.pop().ok_or(())
    }

    fn unary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let mut nots = Vec::new();
        let mut primary_pair = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::not_op => nots.push(self.span(&p)),
                Rule::primary => primary_pair = Some(p),
                _ => return self.unexpected(&p),
            }
        }
        let count = nots.len();
        self.enter(count, span)?;
        let primary = match primary_pair {
            Some(p) => self.primary(p),
            None => Err(()),
        };
        self.depth -= count;
        let mut e = primary?;
        for not_span in nots.into_iter().rev() {
            let span = not_span.to(e.span());
            e = Expr::Not(Box::new(e), span);
        }
        Ok(e)
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        match inner.as_rule() {
            Rule::paren => {
                let e = self.next(&mut inner.into_inner(), span)?;
                self.enter(1, span)?;
                let result = self.expr(e);
                self.depth -= 1;
                result
            }
            Rule::bool_lit => Ok(Expr::Bool(inner.as_str() == "true", span)),
            Rule::ident => Ok(Expr::Var(self.ident(inner))),
            Rule::comparison => {
                let mut it = inner.into_inner();
                let var = self.ident_from(&mut it, span)?;
                let op = self.next(&mut it, span)?;
                let value_pair = self.next(&mut it, span)?;
                let value_span = self.span(&value_pair);
                let v = self.next(&mut value_pair.into_inner(), value_span)?;
                let value = match v.as_rule() {
                    Rule::string => {
                        let s = self.string(v);
                        CmpValue { text: s.display(), quoted: true, span: value_span }
                    }
                    _ => {
                        // a bare value is a name (`f == slurm`): the keyword check applies
                        let name = self.ident(v);
                        CmpValue { text: name.name, quoted: false, span: value_span }
                    }
                };
                Ok(Expr::Compare { var, negated: op.as_str() == "!=", value, span })
            }
            _ => self.unexpected(&inner),
        }
    }

    fn body<'i>(&mut self, pairs: impl IntoIterator<Item = Pair<'i, Rule>>) -> Lowered<Vec<BodyEntry>> {
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
                        entries.push(BodyEntry::Include(Include { expects, target, when, span: inc_span }));
                    }
                    Rule::statement => {
                        let mut st = self.statement(p)?;
                        st.docs = std::mem::take(&mut docs);
                        st.expects = std::mem::take(&mut expects);
                        entries.push(BodyEntry::Statement(st));
                    }
                    Rule::condition_block => {
                        let mut block = self.block(p)?;
                        block.expects = std::mem::take(&mut expects);
                        entries.push(BodyEntry::Block(block));
                    }
                    _ => return self.unexpected(&p),
                }
            }
        }
        Ok(entries)
    }

    /// `with condition OP "key" VALUES [when GUARD] { entries }`; nested
    /// blocks count toward the nesting limit (every later pass recurses).
    fn block(&mut self, pair: Pair<'_, Rule>) -> Lowered<Block> {
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
        Ok(Block { expects: Vec::new(), condition, entries: entries?, span })
    }

    fn policy(&mut self, pair: Pair<'_, Rule>) -> Lowered<Policy> {
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
    fn item_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<ItemField> {
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

    fn fail<T>(&mut self, span: Span, message: &str) -> Lowered<T> {
        self.error(span, SyntaxErrorKind::Parse, message.into());
        Err(())
    }

    fn statement(&mut self, pair: Pair<'_, Rule>) -> Lowered<Statement> {
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
        Ok(Statement { docs: Vec::new(), expects: Vec::new(), effect, effect_span, sid, when, fields, span })
    }

    fn stmt_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<StmtField> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        let field_span = self.span(&inner);
        let rule = inner.as_rule();
        let mut it = inner.into_inner();
        match rule {
            Rule::action_field => {
                let kw = self.next(&mut it, span)?;
                let negated = kw.as_str() == "notaction";
                let value = self.next(&mut it, span)?;
                let list = match value.as_rule() {
                    Rule::action_list => self.action_list(value)?,
                    _ => {
                        let vspan = self.span(&value);
                        let item = self.action_item(value)?;
                        ValueList {
                            items: vec![Guarded { item, when: None, span: vspan }],
                            bracketed: false,
                            span: vspan,
                        }
                    }
                };
                Ok(StmtField::Action { negated, list, span: field_span })
            }
            Rule::resource_field => {
                let kw = self.next(&mut it, span)?;
                let negated = kw.as_str() == "notresource";
                let values = self.next(&mut it, span)?;
                let list = self.values(values)?;
                Ok(StmtField::Resource { negated, list, span: field_span })
            }
            Rule::condition_field => {
                let op = self.ident_from(&mut it, span)?;
                let key_pair = self.next(&mut it, span)?;
                let key = self.string(key_pair);
                let values_pair = self.next(&mut it, span)?;
                let values = self.values(values_pair)?;
                let when = self.opt_when(&mut it)?;
                Ok(StmtField::Condition(Condition { operator: op, key, values, when, span: field_span }))
            }
            _ => self.fail(span, "unexpected statement field"),
        }
    }

    fn action_list(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueList<ActionItem>> {
        self.guarded_list(pair, Self::action_item)
    }

    /// `[item when guard, ...]` of actions or values.
    fn guarded_list<T>(
        &mut self,
        pair: Pair<'_, Rule>,
        item: fn(&mut Self, Pair<'_, Rule>) -> Lowered<T>,
    ) -> Lowered<ValueList<T>> {
        let span = self.span(&pair);
        let mut items = Vec::new();
        for g in pair.into_inner() {
            let gspan = self.span(&g);
            let mut it = g.into_inner();
            let item_pair = self.next(&mut it, gspan)?;
            let item = item(self, item_pair)?;
            let when = self.opt_when(&mut it)?;
            items.push(Guarded { item, when, span: gspan });
        }
        Ok(ValueList { items, bracketed: true, span })
    }

    /// The optional trailing `when` clause of an entry.
    fn opt_when(&mut self, it: &mut Pairs<'_, Rule>) -> Lowered<Option<Expr>> {
        it.next().map(|w| self.when(w)).transpose()
    }

    fn action_item(&mut self, pair: Pair<'_, Rule>) -> Lowered<ActionItem> {
        let span = self.span(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        Ok(match inner.as_rule() {
            Rule::set_ref => {
                let id = self.ident_from(&mut inner.into_inner(), span)?;
                ActionItem::SetRef(id)
            }
            Rule::string => {
                let s = self.string(inner);
                ActionItem::Name(s.display(), s.span)
            }
            _ => ActionItem::Name(inner.as_str().to_string(), span),
        })
    }

    fn values(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueList<ValueItem>> {
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

    fn value_list(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueList<ValueItem>> {
        self.guarded_list(pair, Self::value_item)
    }

    fn value_item(&mut self, pair: Pair<'_, Rule>) -> Lowered<ValueItem> {
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
                ValueItem::Each { template, var, list, span }
            }
            _ => ValueItem::Param(self.ident(inner)),
        })
    }

    fn role(&mut self, pair: Pair<'_, Rule>) -> Lowered<Role> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_from(&mut it, span)?;
        let mut when = None;
        let mut fields = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::when_clause => when = Some(self.when(p)?),
                Rule::role_field => {
                    for f in p.into_inner() {
                        if f.as_rule() != Rule::doc {
                            fields.push(self.role_field(f)?);
                        }
                    }
                }
                _ => return self.unexpected(&p),
            }
        }
        Ok(Role { name, when, fields })
    }

    fn role_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<RoleField> {
        if pair.as_rule() == Rule::item_field {
            return Ok(RoleField::Item(self.item_field(pair)?));
        }
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = pair.into_inner();
        Ok(match rule {
            Rule::role_path => {
                let s = self.next(&mut it, span)?;
                RoleField::Path(self.string(s), span)
            }
            Rule::role_trust => {
                let kind_pair = self.next(&mut it, span)?;
                let kind = match kind_pair.as_str() {
                    "aws" => PrincipalKind::Aws,
                    "federated" => PrincipalKind::Federated,
                    _ => PrincipalKind::Service,
                };
                let v = self.next(&mut it, span)?;
                RoleField::Trust { kind, values: self.values(v)?, span }
            }
            Rule::role_managed => {
                let v = self.next(&mut it, span)?;
                RoleField::Managed { values: self.values(v)?, span }
            }
            Rule::role_inline | Rule::role_attach => {
                let policy = self.ident_from(&mut it, span)?;
                let when = self.opt_when(&mut it)?;
                if rule == Rule::role_inline {
                    RoleField::Inline { policy, when, span }
                } else {
                    RoleField::Attach { policy, when, span }
                }
            }
            Rule::role_boundary => {
                let v = self.next(&mut it, span)?;
                let value = self.value_item(v)?;
                let when = self.opt_when(&mut it)?;
                RoleField::Boundary { value, when, span }
            }
            _ => return self.fail(span, "unexpected role field"),
        })
    }

    /// Processes escapes and splits `${name}` interpolations. Problems are
    /// reported and the string is kept, so one bad string costs one error.
    /// `expect CODE "reason"`; the code and the reason are checked by the
    /// semantics (which codes exist, that the reason is not empty).
    fn expect(&mut self, pair: Pair<'_, Rule>) -> Expect {
        let span = self.span(&pair);
        let (mut code, mut code_span, mut reason) = (String::new(), span, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::diag_code => {
                    code = p.as_str().to_string();
                    code_span = self.span(&p);
                }
                Rule::string => reason = Some(self.string(p)),
                _ => {}
            }
        }
        let reason = reason.unwrap_or(StrLit { parts: Vec::new(), part_spans: Vec::new(), span });
        Expect { code, code_span, reason, span }
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let raw = pair.as_str();
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let body_start = span.start as usize + 1;
        let mut parts = Vec::new();
        let mut part_spans = Vec::new();
        let mut text = String::new();
        // where the pending text part starts in the source
        let mut text_start = body_start;
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, '"')) => text.push('"'),
                    Some((_, '\\')) => text.push('\\'),
                    Some((_, '$')) => text.push('$'),
                    Some((_, 'n')) => text.push('\n'),
                    Some((_, 't')) => text.push('\t'),
                    Some((j, other)) => {
                        let s = Span::new(body_start + i, body_start + j + other.len_utf8());
                        self.error(s, SyntaxErrorKind::BadEscape, format!("unknown escape `\\{other}`"));
                        if let Some(e) = self.errors.last_mut() {
                            e.help = Some("the escapes are \\\", \\\\, \\$, \\n and \\t".into());
                        }
                    }
                    None => {}
                },
                '$' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    let name_start = i + 2;
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    let name_span = Span::new(body_start + name_start, body_start + name_start + name.len());
                    let whole = Span::new(body_start + i, name_span.end as usize + usize::from(closed));
                    if !closed {
                        self.error(whole, SyntaxErrorKind::BadInterpolation, "unterminated `${` in string".into());
                        if let Some(e) = self.errors.last_mut() {
                            e.help = Some("close it with `}`, or write `\\${` for a literal `${`".into());
                        }
                        text.push_str("${");
                        text.push_str(&name);
                        continue;
                    }
                    let is_ident = |n: &str| {
                        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    };
                    // `${param}` or `${param.member}`
                    let (param, member) = match name.split_once('.') {
                        Some((p, m)) => (p, Some(m)),
                        None => (name.as_str(), None),
                    };
                    if !is_ident(param) || member.is_some_and(|m| !is_ident(m)) {
                        self.error(
                            whole,
                            SyntaxErrorKind::BadInterpolation,
                            format!("`${{{name}}}` does not name a param"),
                        );
                        if let Some(e) = self.errors.last_mut() {
                            e.help = Some(
                                "interpolate a param by its name, e.g. `${account}`, or a partition's DNS suffix, `${partition.dns_suffix}`"
                                    .into(),
                            );
                        }
                        continue;
                    }
                    if !text.is_empty() {
                        parts.push(StrPart::Text(std::mem::take(&mut text)));
                        part_spans.push(Span::new(text_start, body_start + i));
                    }
                    let param_span = Span::new(name_span.start as usize, name_span.start as usize + param.len());
                    let member = member.map(|m| Ident {
                        name: m.to_string(),
                        span: Span::new(param_span.end as usize + 1, name_span.end as usize),
                    });
                    parts.push(StrPart::Interp(Ident { name: param.to_string(), span: param_span }, member));
                    part_spans.push(whole);
                    text_start = whole.end as usize;
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() || parts.is_empty() {
            parts.push(StrPart::Text(text));
            part_spans.push(Span::new(text_start, body_start + body.len()));
        }
        StrLit { parts, part_spans, span }
    }
}

fn doc_text(pair: &Pair<'_, Rule>) -> String {
    let s = pair.as_str();
    let s = s.strip_prefix("///").unwrap_or(s);
    s.strip_prefix(' ').unwrap_or(s).trim_end().to_string()
}
