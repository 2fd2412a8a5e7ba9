//! Items: params, features, constraints, sets, policies and roles, as
//! `pcl.pest` and `lower/declarations.rs`, `lower/roles.rs` read them.

use super::Fast;
use crate::ast::*;

impl Fast<'_> {
    /// `item = { (doc | expect_attr)* ~ (param_decl | ... | role_decl) }`
    pub(super) fn item(&mut self) -> Option<Item> {
        let start = self.pos;
        self.base = start;
        let (docs, expects) = self.docs_and_expects();
        if self.bailed {
            return None;
        }
        self.skip();
        self.glued_keyword()?;
        let kind = match self.peek()? {
            b'p' => self.alternatives(&[Self::param_decl, Self::permset_decl, Self::policy_decl])?,
            b'f' => self.attempt(Self::feature_decl)?,
            b'c' => self.attempt(Self::constraint_decl)?,
            b'a' => self.attempt(Self::actionset_decl)?,
            b'v' => self.attempt(Self::valueset_decl)?,
            b'r' => self.attempt(Self::role_decl)?,
            _ => return None,
        };
        if self.bailed {
            return None;
        }
        Some(Item {
            docs: docs.into(),
            expects: expects.into(),
            kind,
            span: self.span(start, self.pos),
            recovered: false,
        })
    }

    /// The first of `rules` that matches (they start with different words).
    fn alternatives(&mut self, rules: &[fn(&mut Self) -> Option<ItemKind>]) -> Option<ItemKind> {
        rules.iter().find_map(|rule| self.attempt(*rule))
    }

    /// `(doc | expect_attr)*`, before an item or a body entry.
    pub(super) fn docs_and_expects(&mut self) -> (Vec<String>, Vec<Expect>) {
        let mut docs = Vec::new();
        let mut expects = Vec::new();
        self.repeat(|p| {
            if let Some(doc) = p.doc() {
                docs.push(doc);
                Some(())
            } else {
                p.attempt(Self::expect_attr).map(|e| expects.push(e))
            }
        });
        (docs, expects)
    }

    /// `KEYWORD ~ ident ~`: the start of most items, their name.
    fn decl_head(&mut self, keyword: &str) -> Option<Ident> {
        self.token(keyword)?;
        let name = self.ident()?;
        self.skip();
        Some(name)
    }

    /// `expect_attr = { expect_kw ~ diag_code ~ string }`
    pub(super) fn expect_attr(&mut self) -> Option<Expect> {
        let start = self.pos;
        if !self.kw("expect") {
            return None;
        }
        self.skip();
        let (code_start, code_end) = self.run(|b| b.is_ascii_alphanumeric())?;
        self.skip();
        let reason = self.string()?;
        Some(Expect {
            code: self.slice(code_start, code_end).into(),
            code_span: self.span(code_start, code_end),
            reason,
            span: self.span(start, self.pos),
        })
    }

    /// `"param" ~ ident ~ ":" ~ type_expr ~ ("=" ~ literal)? ~ ("placeholder" ~ string)? ~ ";"`
    fn param_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("param")?;
        self.token(":")?;
        let ty = self.type_expr()?;
        self.skip();
        let default = self.attempt(|p| {
            p.token("=")?;
            p.literal()
        });
        self.skip();
        let placeholder = self.attempt(|p| {
            p.token("placeholder")?;
            p.string()
        });
        self.skip();
        self.need(";")?;
        Some(ItemKind::Param(Box::new(Param { name, ty, default, placeholder })))
    }

    /// `type_expr = { (list_type | scalar_type) ~ optional_mark? }`
    fn type_expr(&mut self) -> Option<TypeExpr> {
        let start = self.pos;
        let (list, (scalar, args)) = match self.attempt(|p| {
            p.token("list")?;
            p.token("<")?;
            let scalar = p.scalar_type()?;
            p.skip();
            p.need(">")?;
            Some(scalar)
        }) {
            Some(scalar) => (true, scalar),
            None => (false, self.attempt(Self::scalar_type)?),
        };
        self.skip();
        let optional = self.lit("?");
        Some(TypeExpr { list, scalar, args, optional, span: self.span(start, self.pos) })
    }

    /// `scalar_type = { ident ~ type_args? }`,
    /// `type_args = { "(" ~ type_arg ~ ("," ~ type_arg)* ~ ")" }`
    fn scalar_type(&mut self) -> Option<(Ident, Vec<TypeArg>)> {
        let scalar = self.ident()?;
        self.skip();
        let args = self
            .attempt(|p| {
                p.token("(")?;
                let mut args = vec![p.type_arg()?];
                p.skip();
                args.extend(p.repeat(|p| {
                    p.token(",")?;
                    p.type_arg()
                }));
                p.skip();
                p.need(")")?;
                Some(args)
            })
            .unwrap_or_default();
        Some((scalar, args))
    }

    /// `type_arg = { star_arg | max_arg | pattern_arg | resource_type_arg }`
    fn type_arg(&mut self) -> Option<TypeArg> {
        let start = self.pos;
        if self.lit("\"*\"") {
            return Some(TypeArg::Star(self.span(start, self.pos)));
        }
        if let Some(max) = self.attempt(|p| {
            p.need_kw("max")?;
            p.skip();
            let (a, b) = p.run(|b| b.is_ascii_digit())?;
            Some(p.slice(a, b).parse().ok())
        }) {
            return Some(TypeArg::Max(max, self.span(start, self.pos)));
        }
        if let Some(pattern) = self.attempt(|p| {
            p.need_kw("pattern")?;
            p.skip();
            p.string()
        }) {
            return Some(TypeArg::Pattern(pattern, self.span(start, self.pos)));
        }
        if self.bailed {
            return None;
        }
        // resource_type_arg = @{ rt_char+ ~ ":" ~ rt_char+ }
        self.attempt(|p| {
            let is_rt = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
            let (service_start, service_end) = p.run(is_rt)?;
            p.need(":")?;
            let (resource_start, resource_end) = p.run(is_rt)?;
            Some(TypeArg::ResourceType {
                service: p.slice(service_start, service_end).to_string(),
                resource: p.slice(resource_start, resource_end).to_string(),
                span: p.span(start, p.pos),
            })
        })
    }

    /// `literal = { string_list | string }`,
    /// `string_list = { "[" ~ (string ~ ("," ~ string)* ~ ","?)? ~ "]" }`
    fn literal(&mut self) -> Option<Literal> {
        let start = self.pos;
        if !self.lit("[") {
            return self.string().map(Literal::Str);
        }
        self.skip();
        let strings = self
            .attempt(|p| {
                let mut strings = vec![p.string()?];
                p.skip();
                strings.extend(p.repeat(|p| {
                    p.token(",")?;
                    p.string()
                }));
                p.skip();
                p.lit(",");
                Some(strings)
            })
            .unwrap_or_default();
        self.skip();
        self.need("]")?;
        Some(Literal::List(strings, self.span(start, self.pos)))
    }

    /// `"feature" ~ ident ~ ((":" ~ (bool_type | enum_type) ~ "=" ~ feature_value) | ("=" ~ expr)) ~ ";"`
    fn feature_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("feature")?;
        let feature = match self.attempt(|p| p.declared_feature(&name)) {
            Some(feature) => feature,
            None if self.bailed => return None,
            None => self.attempt(|p| {
                p.token("=")?;
                let expr = p.expr()?;
                let default = Ident { name: crate::Name::default(), span: expr.span() };
                Some(Feature { name: name.clone(), domain: FeatureDomain::Derived(Box::new(expr)), default })
            })?,
        };
        self.skip();
        self.need(";")?;
        Some(ItemKind::Feature(feature))
    }

    /// `":" ~ (bool_type | enum_type) ~ "=" ~ feature_value`
    fn declared_feature(&mut self, name: &Ident) -> Option<Feature> {
        self.token(":")?;
        let start = self.pos;
        let domain = if self.lit("bool") {
            FeatureDomain::Bool(self.span(start, self.pos))
        } else {
            self.attempt(|p| {
                p.token("enum")?;
                p.token("{")?;
                let mut values = vec![p.ident()?];
                p.skip();
                values.extend(p.repeat(|p| {
                    p.token(",")?;
                    p.ident()
                }));
                p.skip();
                p.lit(",");
                p.skip();
                p.need("}")?;
                Some(FeatureDomain::Enum(values))
            })?
        };
        self.skip();
        self.token("=")?;
        // feature_value = { bool_lit | ident }: either way an identifier's text
        let (start, end) = self.ident_extent()?;
        let default = self.value_name(start, end)?;
        Some(Feature { name: name.clone(), domain, default })
    }

    /// `"constraint" ~ ident ~ ":" ~ expr ~ "else" ~ string ~ ";"`
    fn constraint_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("constraint")?;
        self.token(":")?;
        let expr = self.expr()?;
        self.skip();
        self.token("else")?;
        let message = self.string()?;
        self.skip();
        self.need(";")?;
        Some(ItemKind::Constraint(Box::new(Constraint { name, expr, message })))
    }

    /// `"permset" ~ ident ~ "{" ~ body_entry* ~ "}"`
    fn permset_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("permset")?;
        self.token("{")?;
        let entries = self.body_entries();
        self.skip();
        self.need("}")?;
        Some(ItemKind::Permset(Permset { name, entries }))
    }

    /// `"actionset" ~ ident ~ "=" ~ action_list ~ ";"`
    fn actionset_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("actionset")?;
        self.token("=")?;
        let actions = self.action_list()?;
        self.skip();
        self.need(";")?;
        Some(ItemKind::Actionset(Actionset { name, actions }))
    }

    /// `"valueset" ~ ident ~ "=" ~ value_list ~ ";"`
    fn valueset_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("valueset")?;
        self.token("=")?;
        let values = self.value_list()?;
        self.skip();
        self.need(";")?;
        Some(ItemKind::Valueset(Valueset { name, values }))
    }

    /// `"policy" ~ ident ~ splittable_kw? ~ when_clause? ~ "{" ~ (item_field | body_entry)* ~ "}"`
    fn policy_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("policy")?;
        let splittable = self.kw("splittable");
        self.skip();
        let when = self.attempt(Self::when_clause);
        self.skip();
        self.token("{")?;
        let mut fields = Vec::new();
        let mut entries = Vec::new();
        self.repeat(|p| {
            if let Some(field) = p.attempt(Self::item_field) {
                fields.push(field);
                return Some(());
            }
            if p.bailed {
                return None;
            }
            p.body_entry().map(|entry| entries.push(entry))
        });
        self.skip();
        self.need("}")?;
        entries.shrink_to_fit();
        Some(ItemKind::Policy(Policy { name, splittable, when, fields, entries }))
    }

    /// `item_field = { name_field | description_field }`, each
    /// `KEYWORD ~ string ~ ";"`
    pub(super) fn item_field(&mut self) -> Option<ItemField> {
        let start = self.pos;
        let is_name = if self.kw("name") {
            true
        } else if self.kw("description") {
            false
        } else {
            return None;
        };
        self.skip();
        let text = self.string()?;
        self.skip();
        self.need(";")?;
        let span = self.span(start, self.pos);
        Some(if is_name { ItemField::Name(text, span) } else { ItemField::Description(text, span) })
    }

    /// `"role" ~ ident ~ when_clause? ~ "{" ~ role_field* ~ "}"`
    fn role_decl(&mut self) -> Option<ItemKind> {
        let name = self.decl_head("role")?;
        let when = self.attempt(Self::when_clause);
        self.skip();
        self.token("{")?;
        let fields = self.repeat(|p| {
            // role_field = { doc* ~ (...) }: the docs document nothing kept
            p.repeat(Self::doc);
            p.skip();
            p.attempt(Self::role_field)
        });
        self.skip();
        self.need("}")?;
        Some(ItemKind::Role(Role { name, when, fields }))
    }

    /// `item_field | role_path | role_trust | role_managed | role_inline | role_attach | role_boundary`
    fn role_field(&mut self) -> Option<RoleField> {
        let start = self.pos;
        self.glued_keyword()?;
        if let Some(field) = self.attempt(Self::item_field) {
            return Some(RoleField::Item(field));
        }
        if self.bailed {
            return None;
        }
        let end_field = |p: &mut Self| {
            p.skip();
            p.lit(";").then(|| p.span(start, p.pos))
        };
        if self.lit("path") {
            self.skip();
            let path = self.string()?;
            return end_field(self).map(|span| RoleField::Path(path, span));
        }
        if self.lit("trust") {
            self.skip();
            let kind = if self.kw("service") {
                PrincipalKind::Service
            } else if self.kw("aws") {
                PrincipalKind::Aws
            } else if self.kw("federated") {
                PrincipalKind::Federated
            } else {
                return None;
            };
            self.skip();
            let values = self.values()?;
            self.skip();
            if !self.lit("{") {
                return end_field(self).map(|span| RoleField::Trust {
                    kind,
                    values,
                    conditions: Vec::new(),
                    actions: Vec::new(),
                    span,
                });
            }
            let entries = self.repeat(|p| {
                p.skip();
                match p.attempt(Self::actions_field) {
                    Some(field) => Some(Ok(field)),
                    None => p.condition_field().map(Err),
                }
            });
            let (mut conditions, mut actions) = (Vec::new(), Vec::new());
            for entry in entries {
                match entry {
                    Ok(field) => actions.push(field),
                    Err(condition) => conditions.push(condition),
                }
            }
            self.skip();
            self.need("}")?;
            return Some(RoleField::Trust { kind, values, conditions, actions, span: self.span(start, self.pos) });
        }
        if self.lit("managed") {
            self.skip();
            let values = self.values()?;
            return end_field(self).map(|span| RoleField::Managed { values, span });
        }
        for (word, inline) in [("inline", true), ("attach", false)] {
            if self.lit(word) {
                self.skip();
                let policy = self.ident()?;
                self.skip();
                let when = self.attempt(Self::when_clause);
                let span = end_field(self)?;
                return Some(if inline {
                    RoleField::Inline { policy, when, span }
                } else {
                    RoleField::Attach { policy, when, span }
                });
            }
        }
        if self.lit("boundary") {
            self.skip();
            let value = self.value_item()?;
            self.skip();
            let when = self.attempt(Self::when_clause);
            return end_field(self).map(|span| RoleField::Boundary { value, when, span });
        }
        None
    }
}
