//! Guards and constraint expressions, with the nesting limit every later
//! recursive pass relies on.

use super::*;

impl Lowerer {
    /// A `when` clause's guard (boxed, as the AST keeps every guard).
    pub(super) fn when(&mut self, pair: Pair<'_, Rule>) -> Lowered<Box<Expr>> {
        let span = self.span(&pair);
        let e = self.next(&mut pair.into_inner(), span)?;
        self.expr(e).map(Box::new)
    }

    /// `expr = and_expr (or and_expr)*`; `and_expr = unary (and unary)*`.
    /// `self.depth` tracks the depth of the tree being built (an `a and b
    /// and c` chain counts the depth of its balanced tree, `chain_depth`),
    /// so no later recursive pass over an expression, nor its drop, can
    /// overflow the stack.
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        self.binary(pair)
    }

    pub(super) fn enter(&mut self, by: usize, span: Span) -> Lowered<()> {
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

    pub(super) fn binary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = self.span(&pair);
        let is_or = pair.as_rule() == Rule::expr;
        let operands: Vec<Pair<'_, Rule>> =
            pair.into_inner().filter(|p| !matches!(p.as_rule(), Rule::or_op | Rule::and_op)).collect();
        // `a and b and c ...` becomes a balanced tree: a long flat chain is
        // only logarithmically deep, so only real nesting meets the limit.
        let extra = chain_depth(operands.len());
        self.enter(extra, span)?;
        let result = self.fold_operands(operands, is_or);
        self.depth -= extra;
        result
    }

    pub(super) fn fold_operands(&mut self, operands: Vec<Pair<'_, Rule>>, is_or: bool) -> Lowered<Expr> {
        let mut level = Vec::with_capacity(operands.len());
        for p in operands {
            level.push(match p.as_rule() {
                Rule::and_expr => self.binary(p)?,
                Rule::unary => self.unary(p)?,
                _ => return self.unexpected(&p),
            });
        }
        balanced(level, is_or).ok_or(())
    }

    pub(super) fn unary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
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

    pub(super) fn primary(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
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
                        CmpValue { text: s.display().into(), quoted: true, span: value_span }
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
}

/// How much deeper than its deepest operand a chain of `operands` operands
/// is once `balanced`: `ceil(log2(operands))`.
pub(crate) fn chain_depth(operands: usize) -> usize {
    usize::BITS as usize - operands.saturating_sub(1).leading_zeros() as usize
}

/// `a op b op c ...` as a balanced tree (pairs from the left, level by
/// level): a long flat chain is only logarithmically deep. `None` for no
/// operand.
pub(crate) fn balanced(mut level: Vec<Expr>, is_or: bool) -> Option<Expr> {
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
    level.pop()
}
