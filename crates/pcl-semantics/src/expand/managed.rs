//! A role's `managed` list rendered: a plain name in a valueset spliced
//! there is an AWS managed policy, as one written in the list is.

use super::{Env, Splice};
use crate::ir::{GList, Template, TextPart, Value};

impl Env<'_> {
    /// The values of a role's `managed` list whose guards hold: a plain name
    /// (no interpolation, no `arn:`) in a valueset spliced there is an AWS
    /// managed policy, as one written in the list is (`item_check::roles`
    /// makes that one an ARN as it checks the role, so only the sets' names
    /// are left to make ARNs of).
    pub fn managed_values(&self, list: &GList<Value>) -> Vec<String> {
        self.values_as(list, Splice::Managed)
    }

    /// The ARN of the AWS managed policy `policy` (empty in a pass of shapes).
    pub(super) fn aws_managed_arn(&self, policy: &str) -> String {
        if self.shape_only {
            return String::new();
        }
        let partition = self.lookup("partition").unwrap_or_default();
        format!("arn:{partition}:iam::aws:policy/{policy}")
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
