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
    non_ascii(key).or_else(|| unknown(key))
}

/// A non-ASCII character in the key's name (a tag key after `/` may hold
/// any Unicode letter; the key name may not).
fn non_ascii(key: &str) -> Option<DiagnosticKind> {
    let name = key.split('/').next().unwrap_or(key);
    let bad = name.chars().find(|c| !c.is_ascii())?;
    Some(DiagnosticKind::IamRule {
        code: Code::NonAsciiName,
        message: format!("condition key `{key}` holds the non-ASCII character `{bad}` (U+{:04X})", u32::from(bad)),
        label: Some("IAM keys are ASCII; this may be a lookalike".into()),
        help: Some("retype the key in ASCII".into()),
    })
}

/// A key neither global nor its service's.
fn unknown(key: &str) -> Option<DiagnosticKind> {
    unknown_as(key, key)
}

/// `unknown` of `judged`, a key written as `key`.
fn unknown_as(judged: &str, key: &str) -> Option<DiagnosticKind> {
    let catalog = pcl_iam::catalog::catalog();
    if catalog.is_known_key(judged) {
        return None;
    }
    Some(DiagnosticKind::IamRule {
        code: Code::UnknownConditionKey,
        message: format!("unknown condition key `{key}`"),
        label: Some("neither a global `aws:` key nor a key of its service".into()),
        help: catalog.nearest_key(judged).map(|k| format!("did you mean `{k}`?")),
    })
}

/// A key whose value to come is only in its tag, after its name's `/`
/// (`aws:ResourceTag/${tag}`): its name judged with a tag in its place.
fn unknown_name(key: &str) -> Option<DiagnosticKind> {
    let (name, _) = key.split_once('/')?;
    // a service's key (`service:Name`), not an identity provider's host
    if name.contains(pcl_iam::STAND_IN_MARK) || !name.contains(':') || name.contains('.') {
        return None;
    }
    unknown_as(&format!("{name}/tag"), key)
}

/// The problems of the keys that interpolate params, as rendered, at their
/// conditions. A key that holds a param's placeholder still to come
/// (`ir::placeholders`) is judged by its characters, and by its name
/// where the value to come is only in its tag: what it names is not known
/// yet. The help suggests no replacement (an editor would
/// apply it to the whole condition): the text is its params'.
pub(super) fn interpolated_key_findings(conditions: &[ExpandedCondition], out: &mut Vec<crate::Diagnostic>) {
    for c in conditions.iter().filter(|c| c.key_interpolated) {
        let problem = match c.key.contains(pcl_iam::STAND_IN_MARK) {
            true => non_ascii(&c.key).or_else(|| unknown_name(&c.key)),
            false => condition_key_problem(&c.key),
        };
        let Some(problem) = problem else { continue };
        let mut found = problem.at(c.span);
        found.label = found.label.map(|label| format!("as its params render it: {label}"));
        found.help = match found.code {
            Code::NonAsciiName => Some("retype the key, and the values of the params it interpolates, in ASCII".into()),
            _ => found.help.as_deref().and_then(|help| help.strip_prefix("did you mean ")).map(|nearest| {
                format!(
                    "the nearest key IAM knows is {}: check the values of the params the key interpolates",
                    nearest.trim_end_matches('?')
                )
            }),
        };
        out.push(found);
    }
}
