//! Params, features and constraints: their types, refinements, defaults and
//! domains.

use super::*;

impl Lowerer {
    pub(super) fn param(&mut self, pair: Pair<'_, Rule>) -> Lowered<Param> {
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

    pub(super) fn literal(&mut self, pair: Pair<'_, Rule>) -> Lowered<Literal> {
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

    pub(super) fn feature(&mut self, pair: Pair<'_, Rule>) -> Lowered<Feature> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_from(&mut it, span)?;
        let ty = self.next(&mut it, span)?;
        let domain = match ty.as_rule() {
            Rule::bool_type => FeatureDomain::Bool(self.span(&ty)),
            Rule::expr => {
                let expr = self.expr(ty)?;
                let default = Ident { name: crate::Name::default(), span: expr.span() };
                return Ok(Feature { name, domain: FeatureDomain::Derived(Box::new(expr)), default });
            }
            _ => FeatureDomain::Enum(ty.into_inner().map(|p| self.ident(p)).collect()),
        };
        let value = self.next(&mut it, span)?;
        let default = self.ident(value);
        Ok(Feature { name, domain, default })
    }

    pub(super) fn constraint(&mut self, pair: Pair<'_, Rule>) -> Lowered<Constraint> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_from(&mut it, span)?;
        let expr_pair = self.next(&mut it, span)?;
        let expr = self.expr(expr_pair)?;
        let msg = self.next(&mut it, span)?;
        let message = self.string(msg);
        Ok(Constraint { name, expr, message })
    }
}
