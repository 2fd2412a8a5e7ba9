//! Roles and their fields.

use super::*;

impl Lowerer {
    pub(super) fn role(&mut self, pair: Pair<'_, Rule>) -> Lowered<Role> {
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

    pub(super) fn role_field(&mut self, pair: Pair<'_, Rule>) -> Lowered<RoleField> {
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
                let values = self.values(v)?;
                let (mut conditions, mut actions) = (Vec::new(), Vec::new());
                if let Some(block) = it.next() {
                    for entry in block.into_inner() {
                        if entry.as_rule() == Rule::action_field {
                            actions.push(self.action_field(entry)?);
                        } else {
                            conditions.push(self.condition_field(entry)?);
                        }
                    }
                }
                RoleField::Trust { kind, values, conditions, actions, span }
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
}
