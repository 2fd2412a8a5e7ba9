//! Guards and constraint expressions, as `lower/expressions.rs` builds them
//! (a chain of `and`s or `or`s folded into a balanced tree), with its
//! nesting limit: an expression the lowering would reject as too deep
//! makes this parser give up.

use super::Fast;
use crate::MAX_EXPR_DEPTH;
use crate::ast::{CmpValue, Expr};

impl Fast<'_> {
    /// `when_clause = { "when" ~ expr }`: the guard. The clause ends after
    /// the white space that follows it (see the module's notes).
    pub(super) fn when_clause(&mut self) -> Option<Box<Expr>> {
        self.glued_keyword()?;
        self.token("when")?;
        self.expr().map(Box::new)
    }

    /// `expr`, within the lowering's depth limit.
    pub(super) fn expr(&mut self) -> Option<Expr> {
        let (expr, depth) = self.or_expr()?;
        if depth > MAX_EXPR_DEPTH {
            return self.bail();
        }
        Some(expr)
    }

    /// `expr = { and_expr ~ (or_op ~ and_expr)* }`; the tree and its depth
    /// as the lowering counts it.
    fn or_expr(&mut self) -> Option<(Expr, usize)> {
        self.chain("or", Self::and_expr, true)
    }

    /// `and_expr = { unary ~ (and_op ~ unary)* }`
    fn and_expr(&mut self) -> Option<(Expr, usize)> {
        self.chain("and", Self::unary, false)
    }

    /// `operand ~ (op ~ operand)*`, folded as the lowering folds it.
    fn chain(
        &mut self,
        op: &str,
        operand: fn(&mut Self) -> Option<(Expr, usize)>,
        is_or: bool,
    ) -> Option<(Expr, usize)> {
        let mut operands = vec![operand(self)?];
        self.skip();
        operands.extend(self.repeat(|p| {
            p.need_kw(op)?;
            p.skip();
            operand(p)
        }));
        fold(operands, is_or)
    }

    /// `unary = { not_op* ~ primary }`
    fn unary(&mut self) -> Option<(Expr, usize)> {
        let nots = self.repeat(|p| {
            let start = p.pos;
            p.kw("not").then(|| p.span(start, p.pos))
        });
        // every `not` and parenthesis on the way down counts toward the
        // lowering's limit: give up before building (and later dropping) a
        // tree too deep for it
        if self.nesting + nots.len() > MAX_EXPR_DEPTH {
            return self.bail();
        }
        self.skip();
        self.nesting += nots.len();
        let primary = self.primary();
        self.nesting -= nots.len();
        let (mut expr, depth) = primary?;
        let depth = depth + nots.len();
        for not_span in nots.into_iter().rev() {
            let span = not_span.to(expr.span());
            expr = Expr::Not(Box::new(expr), span);
        }
        Some((expr, depth))
    }

    /// `primary = { paren | comparison | bool_lit | ident }`
    fn primary(&mut self) -> Option<(Expr, usize)> {
        let start = self.pos;
        if self.lit("(") {
            if self.nesting >= MAX_EXPR_DEPTH {
                return self.bail();
            }
            self.nesting += 1;
            self.skip();
            let inner = self.or_expr();
            self.nesting -= 1;
            let (expr, depth) = inner?;
            self.skip();
            self.need(")")?;
            return Some((expr, depth + 1));
        }
        if let Some(compare) = self.attempt(Self::comparison) {
            return Some((compare, 0));
        }
        if self.bailed {
            return None;
        }
        if self.kw("true") || self.kw("false") {
            let value = self.slice(start, self.pos) == "true";
            return Some((Expr::Bool(value, self.span(start, self.pos)), 0));
        }
        Some((Expr::Var(self.ident()?), 0))
    }

    /// `comparison = { ident ~ cmp_op ~ cmp_value }`,
    /// `cmp_value = { bool_lit | ident | string }`
    fn comparison(&mut self) -> Option<Expr> {
        let start = self.pos;
        let (var_start, var_end) = self.ident_extent()?;
        self.skip();
        let negated = if self.lit("==") {
            false
        } else if self.lit("!=") {
            true
        } else {
            return None;
        };
        self.skip();
        // only now is it a comparison, whose name the lowering checks
        let var = self.name(var_start, var_end)?;
        let value_start = self.pos;
        let value = if self.peek() == Some(b'"') {
            let s = self.string()?;
            CmpValue { text: s.display().into(), quoted: true, span: s.span }
        } else {
            // bool_lit | ident: `true`/`false` are values, other keywords not
            let name = if self.kw("true") || self.kw("false") {
                self.value_name(value_start, self.pos)?
            } else {
                self.ident_extent()?;
                self.name(value_start, self.pos)?
            };
            CmpValue { text: name.name, quoted: false, span: name.span }
        };
        Some(Expr::Compare { var, negated, value, span: self.span(start, self.pos) })
    }
}

/// The lowering's fold of `a op b op c ...` into a balanced tree, and its
/// depth: `ceil(log2(operands))` more than the deepest operand.
fn fold(operands: Vec<(Expr, usize)>, is_or: bool) -> Option<(Expr, usize)> {
    let depth = crate::lower::chain_depth(operands.len()) + operands.iter().map(|(_, d)| *d).max().unwrap_or(0);
    let level: Vec<Expr> = operands.into_iter().map(|(e, _)| e).collect();
    Some((crate::lower::balanced(level, is_or)?, depth))
}
