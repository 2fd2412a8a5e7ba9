//! A condition as one configuration renders it.

use pcl_syntax::{Name, Span};

use super::{Env, Rendered};
use crate::ir::{ConditionEntry, ConditionKey};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExpandedCondition {
    pub operator: Name,
    pub key: Name,
    /// The key interpolates params: it is checked as rendered
    /// (`content_checks::condition_key_problem`), not where it is written.
    pub key_interpolated: bool,
    pub values: Rendered,
    pub span: Span,
}

impl ExpandedCondition {
    /// `c` rendered under `env`.
    pub fn of(c: &ConditionEntry, env: &Env<'_>) -> Self {
        let (key, key_interpolated) = match &c.key {
            ConditionKey::Plain(key) => (*key, false),
            ConditionKey::Interpolated(template) => (Name::new(env.text(template)), true),
        };
        ExpandedCondition { operator: c.operator, key, key_interpolated, values: env.values(&c.values), span: c.span }
    }
}
