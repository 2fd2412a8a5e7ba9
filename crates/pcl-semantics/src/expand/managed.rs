//! A role's `managed` list rendered: a plain name in a valueset spliced
//! there is an AWS managed policy, as one written in the list is.

use pcl_syntax::Name;

use super::{Env, Trail};
use crate::MAX_INCLUDE_DEPTH;
use crate::ir::{GList, ItemIr, Template, TextPart, Value};

impl Env<'_> {
    /// The values of a role's `managed` list whose guards hold: a plain name
    /// (no interpolation, no `arn:`) in a valueset spliced there is an AWS
    /// managed policy, as one written in the list is (`item_check::roles`
    /// makes that one an ARN as it checks the role).
    pub fn managed_values(&self, list: &GList<Value>) -> Vec<String> {
        let mut out = Vec::new();
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            match &item.value {
                Value::Set(name) => self.managed_set(name, &mut out, &mut trail),
                other => self.value_at(other, &mut out, &mut trail),
            }
        }
        out
    }

    /// The values of valueset `name`, spliced into a role's `managed` list.
    fn managed_set(&self, name: &Name, out: &mut Vec<String>, trail: &mut Trail) {
        let Some(ItemIr::Valueset(list)) = self.program.get(name).map(|i| &*i.ir) else { return };
        if !trail.enter(name, MAX_INCLUDE_DEPTH) {
            return;
        }
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            match &item.value {
                Value::Set(inner) => self.managed_set(inner, out, trail),
                Value::Text(t) if let Some(policy) = aws_managed_name(t) => match self.shape_only {
                    true => out.push(String::new()),
                    false => {
                        let partition = self.lookup("partition").unwrap_or_default();
                        out.push(format!("arn:{partition}:iam::aws:policy/{policy}"));
                    }
                },
                other => self.value_at(other, out, trail),
            }
        }
        trail.leave();
    }
}

/// The AWS managed policy a text names, when it is a plain name: written
/// whole (no interpolation), and not an ARN. In a role's `managed` list, it
/// stands for `arn:${partition}:iam::aws:policy/NAME`.
pub(crate) fn aws_managed_name(text: &Template) -> Option<String> {
    let mut name = String::new();
    for part in &text.parts {
        let TextPart::Lit(lit) = part else { return None };
        name.push_str(lit);
    }
    (!name.starts_with("arn:")).then_some(name)
}
