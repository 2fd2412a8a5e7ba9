//! A condition key's own checks: non-ASCII characters (E0313) and keys IAM
//! does not know (W0505). A key written out is checked where it is written
//! (`item_check`); one that interpolates params (`"${oidc_provider}:sub"`)
//! as it renders in each configuration, here.

use crate::diagnostic::{Code, DiagnosticKind};
use crate::expand::ExpandedCondition;

/// How a key was written, which its findings' words follow: an
/// interpolated key's text is its params' (a fix would put the rendered
/// text in their place, over the whole condition).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Written {
    Out,
    Interpolated,
}

impl Written {
    fn label(self, label: &str) -> Option<String> {
        Some(match self {
            Written::Out => label.to_string(),
            Written::Interpolated => format!("as its params render it: {label}"),
        })
    }
}

/// What is wrong with `key`, written out, if anything. A key IAM does not
/// know is never present: the condition never holds (a warning: the
/// catalog may lag behind AWS). Non-ASCII characters (lookalikes such as a
/// Cyrillic `р`) are an error. With it, the key its "did you mean"
/// suggests, if it has one.
pub(crate) fn condition_key_problem(key: &str) -> Option<(DiagnosticKind, Option<&'static str>)> {
    match non_ascii(key, Written::Out) {
        Some(kind) => Some((kind, None)),
        None => unknown_and_nearest(key, key, Written::Out),
    }
}

/// A non-ASCII character in the key's name (a tag key after `/` may hold
/// any Unicode letter; the key name may not).
fn non_ascii(key: &str, written: Written) -> Option<DiagnosticKind> {
    let name = key.split('/').next().unwrap_or(key);
    let bad = name.chars().find(|c| !c.is_ascii())?;
    Some(DiagnosticKind::IamRule {
        code: Code::NonAsciiName,
        message: format!("condition key `{key}` holds the non-ASCII character `{bad}` (U+{:04X})", u32::from(bad)),
        label: written.label("IAM keys are ASCII; this may be a lookalike"),
        help: Some(match written {
            Written::Out => "retype the key in ASCII".into(),
            Written::Interpolated => "retype the key, and the values of the params it interpolates, in ASCII".into(),
        }),
    })
}

/// `judged` (the key `key`, or what stands for it) neither global nor its
/// service's.
fn unknown(judged: &str, key: &str, written: Written) -> Option<DiagnosticKind> {
    unknown_and_nearest(judged, key, written).map(|(kind, _)| kind)
}

/// [`unknown`], and the key IAM knows nearest to `judged`.
fn unknown_and_nearest(judged: &str, key: &str, written: Written) -> Option<(DiagnosticKind, Option<&'static str>)> {
    let catalog = pcl_iam::catalog::catalog();
    if catalog.is_known_key(judged) {
        return None;
    }
    let nearest = catalog.nearest_key(judged);
    let kind = DiagnosticKind::IamRule {
        code: Code::UnknownConditionKey,
        message: format!("unknown condition key `{key}`"),
        label: written.label("neither a global `aws:` key nor a key of its service"),
        help: nearest.map(|k| match written {
            Written::Out => format!("did you mean `{k}`?"),
            Written::Interpolated => {
                format!("the nearest key IAM knows is `{k}`: check the values of the params the key interpolates")
            }
        }),
    };
    Some((kind, nearest))
}

/// A key whose value to come is only in its tag, after its name's `/`
/// (`aws:ResourceTag/${tag}`): its name judged with a tag in its place.
fn unknown_name(key: &str) -> Option<DiagnosticKind> {
    let (name, _) = key.split_once('/')?;
    // a service's key (`service:Name`), not an identity provider's host
    if name.contains(pcl_iam::STAND_IN_MARK) || !name.contains(':') || name.contains('.') {
        return None;
    }
    unknown(&format!("{name}/tag"), key, Written::Interpolated)
}

/// The problems of the keys that interpolate params, as rendered, at their
/// conditions. A key that holds a param's placeholder still to come
/// (`ir::placeholders`) is judged by its characters, and by its name
/// where the value to come is only in its tag: what it names is not known
/// yet. The help suggests no replacement (`Written`).
pub(super) fn interpolated_key_findings(conditions: &[ExpandedCondition], out: &mut Vec<crate::Diagnostic>) {
    for c in conditions.iter().filter(|c| c.key_interpolated) {
        let non_ascii = non_ascii(&c.key, Written::Interpolated);
        let problem = match c.key.contains(pcl_iam::STAND_IN_MARK) {
            true => non_ascii.or_else(|| unknown_name(&c.key)),
            false => non_ascii.or_else(|| unknown(&c.key, &c.key, Written::Interpolated)),
        };
        out.extend(problem.map(|problem| problem.at(c.span)));
    }
}
