//! A condition key's own checks: non-ASCII characters (E0313) and keys IAM
//! does not know (W0505). A key written out is checked where it is written
//! (`item_check`); one that interpolates params (`"${oidc_provider}:sub"`)
//! as it renders in each configuration, here.

use crate::diagnostic::{Code, DiagnosticKind};
use crate::expand::ExpandedCondition;

/// What is wrong with `key`, if anything. A key IAM does not know is never
/// present: the condition never holds (a warning: the catalog may lag
/// behind AWS). Non-ASCII characters (lookalikes such as a Cyrillic `р`)
/// are an error.
pub(crate) fn condition_key_problem(key: &str) -> Option<DiagnosticKind> {
    // a tag key after `/` may hold any Unicode letter; the key name may not
    let name = key.split('/').next().unwrap_or(key);
    if let Some(bad) = name.chars().find(|c| !c.is_ascii()) {
        return Some(DiagnosticKind::IamRule {
            code: Code::NonAsciiName,
            message: format!("condition key `{key}` holds the non-ASCII character `{bad}` (U+{:04X})", u32::from(bad)),
            label: Some("IAM keys are ASCII; this may be a lookalike".into()),
            help: Some("retype the key in ASCII".into()),
        });
    }
    let catalog = pcl_iam::catalog::catalog();
    if catalog.is_known_key(key) {
        return None;
    }
    Some(DiagnosticKind::IamRule {
        code: Code::UnknownConditionKey,
        message: format!("unknown condition key `{key}`"),
        label: Some("neither a global `aws:` key nor a key of its service".into()),
        help: catalog.nearest_key(key).map(|k| format!("did you mean `{k}`?")),
    })
}

/// The problems of the keys that interpolate params, as rendered, at their
/// conditions. A key that holds a param's placeholder still to come
/// (`ir::placeholders`) is not judged: its text is not known yet.
pub(super) fn interpolated_key_findings(conditions: &[ExpandedCondition], out: &mut Vec<crate::Diagnostic>) {
    for c in conditions.iter().filter(|c| c.key_interpolated && !c.key.contains(pcl_iam::STAND_IN_MARK)) {
        if let Some(problem) = condition_key_problem(&c.key) {
            let mut found = problem.at(c.span);
            found.label = found.label.map(|label| format!("as its params render it: {label}"));
            out.push(found);
        }
    }
}
