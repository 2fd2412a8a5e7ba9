//! Meaning-level checks of each rendered statement (issue: "pcl knows
//! IAM"): condition keys that never apply, actions whose resources cannot
//! match, least-privilege grants. The statement is rendered with real texts
//! (a placeholder's `<...>`s as their stand-ins, `ir::placeholders`) and
//! handed to `pcl_iam::lints`; each lint
//! becomes a warning at the statement's condition, action or resource span.

pub(crate) use condition_keys::condition_key_problem;

use crate::diagnostic::{Code, Diagnostic, DiagnosticKind};
use crate::expand::{ExpandedCondition, ExpandedStatement};
use crate::ir::Effect;
use pcl_iam::lints::{Lint, Reach, StatementView, lint_statement};
use pcl_iam::repeats::{ListKind, Repeat, Why};
use pcl_iam::values::any_partition;

/// The findings of one rendered statement in a document for `partition`:
/// the catalog's lints, and the shape of its ARNs and condition values.
/// `given`: the regions params' values bring, judged where the values are
/// given, not here (`values::check_arn_in_partition_given`).
pub fn statement_findings(st: &ExpandedStatement, (partition, given): (&str, &[String])) -> Vec<Diagnostic> {
    let mut out = statement_warnings(st);
    condition_checks(&st.conditions, st.effect == Effect::Allow, &mut out);
    // resources and not-resources alike
    for r in &st.resources.values {
        if let Some(message) = pcl_iam::values::check_arn_in_partition_given(r, partition, given) {
            out.push(arn_error(message, st.resource_span));
        }
    }
    condition_arns(&st.conditions, (partition, given), &mut out);
    // a file with no partition param: each ARN is judged in its own
    // partition, so two of them written out in one statement are one
    // finding of their own (a document is deployed in one partition)
    if partition.is_empty()
        && let Some(message) = pcl_iam::values::two_partitions(st.resources.values.iter().map(String::as_str))
    {
        out.push(arn_error(message, st.resource_span));
    }
    out
}

fn arn_error(message: String, span: pcl_syntax::Span) -> Diagnostic {
    let (label, help) = if message.contains("hard-code partitions") {
        (
            "two partitions in one statement",
            "a document is deployed in one partition: declare `param partition: partition` and write `arn:${partition}:...`",
        )
    } else if message.contains("hard-codes") {
        ("wrong in the other partitions", "write `arn:${partition}:...` (and give ARN params values of each partition)")
    } else if message.contains("for every partition") {
        (
            "a region of one partition",
            "write `*` or a `region` param (`${region}`), which each build gives a region of its partition",
        )
    } else if message.contains("names region") {
        ("a region of another partition", "write a region of the document's partition, `*`, or a `region` param")
    } else {
        ("no ARN holds whitespace", "remove the whitespace or control character")
    };
    DiagnosticKind::IamRule { code: Code::ArnPartition, message, label: Some(label.into()), help: Some(help.into()) }
        .at(span)
}

/// The ARNs among the values of `conditions` (those of an `Arn*` operator,
/// and any value that starts `arn:`) against the document's partition.
fn condition_arns(conditions: &[ExpandedCondition], (partition, given): (&str, &[String]), out: &mut Vec<Diagnostic>) {
    for c in conditions {
        let arn_values = pcl_iam::values::operator_family(&c.operator)
            .is_some_and(|(family, _)| family == pcl_iam::values::OperatorFamily::Arn);
        for v in c.values.values.iter().filter(|v| arn_values || v.starts_with("arn:")) {
            if let Some(message) = pcl_iam::values::check_arn_in_partition_given(v, partition, given) {
                out.push(arn_error(message, c.span));
            }
        }
    }
}

/// Condition values against their operator, each operator and key once,
/// operators against the key's type (`allow`: the conditions of an `Allow`
/// statement, a trust statement's too).
fn condition_checks(conditions: &[ExpandedCondition], allow: bool, out: &mut Vec<Diagnostic>) {
    condition_keys::interpolated_key_findings(conditions, out);
    let catalog = pcl_iam::catalog::catalog();
    // the first condition of each operator and key, by hash (a list searched
    // for each condition was quadratic in a statement's conditions)
    let mut seen: rustc_hash::FxHashMap<(String, String), pcl_syntax::Span> = rustc_hash::FxHashMap::default();
    for c in conditions {
        let Some((family, set)) = pcl_iam::values::operator_family(&c.operator) else { continue };
        for v in &c.values.values {
            if let Some(message) = pcl_iam::values::check_condition_value(family, v) {
                out.push(
                    DiagnosticKind::IamRule {
                        code: Code::ConditionValueShape,
                        message,
                        label: Some(format!("a value of `{}`", c.operator)),
                        help: Some("give a value of the operator's type, or use another operator".into()),
                    }
                    .at(c.span),
                );
            }
        }
        if let Some(value) = pcl_iam::values::not_a_region(&c.operator, &c.key, &c.values.values) {
            out.push(
                DiagnosticKind::IamRule {
                    code: Code::ConditionValueShape,
                    message: format!("`{value}` is not a region, and `{}` is always one", c.key),
                    label: Some("no request is made in it".into()),
                    help: Some("write a region, such as `us-east-1` (or use `StringLike` for a pattern)".into()),
                }
                .at(c.span),
            );
        }
        // (two params' values to come are two values, whatever their names' case)
        let key = (c.operator.to_ascii_lowercase(), crate::ir::placeholders::ascii_lowercase_outside_stand_ins(&c.key));
        match seen.get(&key).filter(|_| given_twice_is_an_error(&c.operator)) {
            Some(first) => {
                let first = *first;
                out.push(
                    DiagnosticKind::IamRule {
                        code: Code::DuplicateConditionKey,
                        message: format!("`{} {}` is given twice in this statement", c.operator, c.key),
                        label: Some("pcl renders both as one key, and IAM ORs its values".into()),
                        help: Some(
                            "to allow either value, write one condition with both values; to require both, use keys of their own or two `deny` statements"
                                .into(),
                        ),
                    }
                    .at(c.span)
                    .with_secondary(first, "first given here"),
                );
            }
            None => {
                seen.entry(key).or_insert(c.span);
            }
        }
        if let Some(ty) = catalog.key_type(&c.key)
            && let Some((message, help)) = operator_key_mismatch(c, family, set, ty, allow)
        {
            out.push(
                DiagnosticKind::IamRule {
                    code: Code::OperatorKeyMismatch,
                    message,
                    label: Some(format!("the catalog types `{}` as `{ty}`", c.key)),
                    help: Some(help),
                }
                .at(c.span),
            );
        }
    }
}

/// W0511's message and help for condition `c`, whose operator is of
/// `family` (a set operator when `set`) and whose key the catalog types
/// `ty`: an operator of another type; a key of several values compared as
/// one; or, in an `Allow`, `ForAllValues:` on a key of one value, which is
/// true when the request has no such key (AWS's documented pitfall: the
/// empty set's values are all among any list), so the statement allows
/// requests without it. In a `Deny` that only denies more.
fn operator_key_mismatch(
    c: &crate::expand::ExpandedCondition,
    family: pcl_iam::values::OperatorFamily,
    set: bool,
    ty: &str,
    allow: bool,
) -> Option<(String, String)> {
    use pcl_iam::values::OperatorFamily;
    if !pcl_iam::values::operator_fits_key(family, ty) {
        return Some((
            format!("`{}` compares {:?} values, but `{}` holds `{ty}`", c.operator, family, c.key),
            "use an operator of the key's type".to_string(),
        ));
    }
    let multivalued = ty.starts_with("ArrayOf");
    if multivalued && !set && family != OperatorFamily::Null {
        return Some((
            format!("`{}` holds several values (`{ty}`), but `{}` compares one", c.key, c.operator),
            "use `ForAnyValue:` or `ForAllValues:` before the operator".to_string(),
        ));
    }
    let plain = c.operator.strip_prefix("ForAllValues:")?;
    if multivalued || !allow || family == OperatorFamily::Null {
        return None;
    }
    Some((
        format!(
            "`{}` on `{}`, a key of one value (`{ty}`), is true when the request has no `{}`",
            c.operator, c.key, c.key
        ),
        format!(
            "use `{plain}` without `ForAllValues:`, or add `condition Null \"{}\" \"false\"` to require the key",
            c.key
        ),
    ))
}

/// The warnings of one rendered statement.
fn statement_warnings(st: &ExpandedStatement) -> Vec<Diagnostic> {
    let conditions: Vec<(&str, &str)> = st.conditions.iter().map(|c| (c.operator.as_str(), c.key.as_str())).collect();
    let view = StatementView {
        allow: st.effect == Effect::Allow,
        not_action: st.not_action,
        actions: &st.actions.values,
        not_resource: st.not_resource,
        resources: &st.resources.values,
        kept_stars: usize::try_from(st.kept_stars).unwrap_or(usize::MAX),
        conditions: &conditions,
    };
    lint_statement(&view).into_iter().map(|lint| diagnostic(st, lint)).collect()
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn diagnostic(st: &ExpandedStatement, lint: Lint) -> Diagnostic {
    let condition_span = |index: usize| st.conditions.get(index).map_or(st.action_span, |c| c.span);
    let (code, span, message, label, help) = match lint {
        Lint::KeyAppliesToNone { index, key } => (
            Code::KeyNotApplicable,
            condition_span(index),
            format!("condition key `{key}` applies to none of the statement's actions"),
            "IAM never sets this key for these actions".to_string(),
            Some("the condition is never met, so the statement never applies; use a key of these actions (see `pcl explain W0506`)".to_string()),
        ),
        Lint::KeyOfExcludedService { index, key, excluded } => (
            Code::KeyNotApplicable,
            condition_span(index),
            format!("condition key `{key}` is set only for actions of its service, which NotAction `{excluded}` excludes"),
            "IAM never sets this key for the actions this statement covers".to_string(),
            Some("the condition is never met, so the statement never applies; remove the condition, or the service from the NotAction list".to_string()),
        ),
        Lint::KeyMissingFor { index, key, actions } => (
            Code::KeyNotApplicable,
            condition_span(index),
            format!("condition key `{key}` is never present for {}", quoted(&actions)),
            "for those actions this condition is never met".to_string(),
            Some(format!(
                "move {} to a statement without this condition, or use the `...IfExists` operator",
                quoted(&actions)
            )),
        ),
        Lint::ActionMatchesNoResource { action, needs } => (
            Code::ActionResourceMismatch,
            st.resource_span,
            format!("`{action}` can match none of these resources"),
            format!("`{action}` acts on {}", needs.join(", ")),
            Some(format!("add a resource of that type, or move `{action}` to a statement that has one")),
        ),
        Lint::PatternPartlyMismatched { pattern, count, total, example, needs } => (
            Code::ActionResourceMismatch,
            st.resource_span,
            format!("{count} of the {total} actions of `{pattern}` can match none of these resources"),
            if count == 1 {
                format!("`{example}` acts on {}", if needs.is_empty() { "`\"*\"` only".to_string() } else { needs.join(", ") })
            } else {
                format!("e.g. `{example}` acts on {}", if needs.is_empty() { "`\"*\"` only".to_string() } else { needs.join(", ") })
            },
            Some(format!("list the actions these resources need instead of `{pattern}`, or add resources of their types")),
        ),
        Lint::OnlyStarSupported { action } => (
            Code::ActionResourceMismatch,
            st.resource_span,
            format!("`{action}` supports only the resource `\"*\"`"),
            "IAM matches it against `*` only: these resources never match it".to_string(),
            Some(format!("move `{action}` to a statement with `resource \"*\"`")),
        ),
        Lint::ResourceMatchesNoAction { resource, types } => (
            Code::ActionResourceMismatch,
            st.resource_span,
            format!("no action of the statement acts on `{}`", resource_part(&resource)),
            if types.is_empty() {
                "its actions support only `\"*\"`".to_string()
            } else {
                format!("the actions act on {}", types.join(", "))
            },
            Some("remove the resource, or move it to a statement whose actions act on it".to_string()),
        ),
        Lint::PassRoleOnStar { reach } => (
            Code::LeastPrivilege,
            st.resource_span,
            match reach {
                Reach::Every => "`iam:PassRole` on every role (`\"*\"`)".to_string(),
                Reach::AllBut => "`iam:PassRole` on every role but those NotResource names".to_string(),
            },
            "any role, including administrator roles, may be passed".to_string(),
            Some(match reach {
                Reach::Every => "scope the resource to the roles meant to be passed, e.g. `arn:${partition}:iam::${account}:role/app/*`".to_string(),
                Reach::AllBut => "list the roles meant to be passed with `resource` (e.g. `arn:${partition}:iam::${account}:role/app/*`) instead of excluding some with `notresource`".to_string(),
            }),
        ),
        Lint::PassRoleUnconditioned => (
            Code::LeastPrivilege,
            st.action_span,
            "`iam:PassRole` without an `iam:PassedToService` condition".to_string(),
            "the roles may be passed to any service".to_string(),
            Some("give `iam:PassRole` a statement of its own with `condition StringEquals \"iam:PassedToService\" [...]` naming the services".to_string()),
        ),
        Lint::EscalationOnStar { action, reach } => (
            Code::LeastPrivilege,
            st.resource_span,
            format!("`{action}` on every resource{} lets its holder escalate privileges", but_listed(reach)),
            "its holder can grant itself any permission".to_string(),
            Some(scope_help(reach, "scope the resource to what must be managed")),
        ),
        Lint::AllActionsOnStar { action, reach } => (
            Code::LeastPrivilege,
            st.action_span,
            format!("`{action}` allowed on every resource{}", but_listed(reach)),
            match (action.as_str(), reach) {
                ("*", Reach::Every) => "every action of every service on every resource",
                ("*", Reach::AllBut) => "every action of every service on nearly every resource",
                (_, Reach::Every) => "every action of the service on every resource",
                (_, Reach::AllBut) => "every action of the service on nearly every resource",
            }
            .to_string(),
            Some(scope_help(reach, "list the actions needed, or scope the resources")),
        ),
        Lint::NotActionAllowed { reach } => (
            Code::LeastPrivilege,
            st.action_span,
            format!("an Allow with NotAction grants every action it does not name, on every resource{}", but_listed(reach)),
            "broader than `service:*`: every other action of every service, including those added later".to_string(),
            Some(scope_help(reach, "list the actions needed with `action`, or scope the resources")),
        ),
        Lint::NotActionPassesRoles => (
            Code::LeastPrivilege,
            st.action_span,
            "an Allow with NotAction grants `iam:PassRole` on these resources: its list does not name it".to_string(),
            "the roles among the resources may be passed to any service".to_string(),
            Some("add `iam:PassRole` to the NotAction list, and grant it in a statement of its own with `condition StringEquals \"iam:PassedToService\" [...]`".to_string()),
        ),
        Lint::Repeated(repeat) => repeated(st, &repeat),
    };
    DiagnosticKind::IamRule { code, message, label: Some(label), help }.at(span)
}

/// What a W0509 message adds for a grant on a `NotResource` list.
fn but_listed(reach: Reach) -> &'static str {
    match reach {
        Reach::Every => "",
        Reach::AllBut => " but those NotResource names",
    }
}

/// A W0509 help, with what to do about a `NotResource` list.
fn scope_help(reach: Reach, help: &str) -> String {
    match reach {
        Reach::Every => help.to_string(),
        Reach::AllBut => format!("{help} (with `resource`, rather than all but a few with `notresource`)"),
    }
}

/// W0512: an entry that adds nothing to its list.
fn repeated(st: &ExpandedStatement, repeat: &Repeat) -> (Code, pcl_syntax::Span, String, String, Option<String>) {
    let (span, list) = match repeat.list {
        ListKind::Actions => (st.action_span, if st.not_action { "not-actions" } else { "actions" }),
        ListKind::Resources => (st.resource_span, if st.not_resource { "not-resources" } else { "resources" }),
    };
    let entry = any_partition(&repeat.entry);
    let (message, label, help) = match &repeat.why {
        Why::Listed { times, also } => {
            let times = if *times == 2 { "twice".to_string() } else { format!("{times} times") };
            let (also, label) = match also.as_slice() {
                [] => (String::new(), "the rendered list repeats it"),
                spellings => (format!(" (also as {})", quoted(spellings)), "IAM compares action names ignoring case"),
            };
            (
                format!("`{entry}` is listed {times} in the statement's {list}{also}"),
                label.to_string(),
                format!("list `{entry}` once: remove the entry, or take it out of the set that also brings it"),
            )
        }
        Why::Matched { by } => {
            // an entry covered by the same text in every partition (`arn:*:`)
            // says so: `arn:…:s3:::b/*` through `arn:…:s3:::b/*` read as nonsense
            let wild_partition = by.strip_prefix("arn:").is_some_and(|rest| rest.starts_with(['*', '?']));
            let by = if wild_partition && any_partition(by) == entry { by.as_str().into() } else { any_partition(by) };
            (
                format!("`{entry}` is already in the statement's {list} through `{by}`"),
                format!("`{by}` matches it"),
                format!("remove `{entry}`: `{by}` covers it already"),
            )
        }
    };
    (Code::RepeatedEntry, span, message, label, Some(help))
}

/// The resource field of an ARN (`role/app/*`), the same in every
/// partition, so that one finding is reported once; other text as is.
fn resource_part(resource: &str) -> &str {
    match resource.splitn(6, ':').nth(5) {
        Some(rest) if resource.starts_with("arn:") => rest,
        _ => resource,
    }
}

/// A policy whose deployed name or description IAM rejects (too long, or
/// characters a param brought in: written ones are reported at the source,
/// and an item with errors is not rendered).
pub fn policy_name_findings(policy: &crate::expand::ExpandedPolicy, span: pcl_syntax::Span) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let name = &policy.deployed_name;
    let length = pcl_iam::rendered_chars(name);
    if length > pcl_iam::quotas::POLICY_NAME_CHARS {
        out.push(
            DiagnosticKind::IamRule {
                code: Code::QuotaExceeded,
                message: format!(
                    "the name of policy `{name}` is {length} characters{}; IAM allows {}",
                    counted_as_one(name),
                    pcl_iam::quotas::POLICY_NAME_CHARS
                ),
                label: Some("IAM rejects a policy name this long".into()),
                help: Some("shorten the name".into()),
            }
            .at(span),
        );
    }
    out.extend(naming_findings("policy", &policy.name, Some(name), policy.description.as_deref(), span));
    out
}

/// What a length's message adds when the text holds a placeholder, which
/// it counts as one character (`pcl_iam::rendered_chars`).
fn counted_as_one(text: &str) -> &'static str {
    if text.contains(crate::ir::placeholders::MARK) { " (a placeholder counts as one)" } else { "" }
}

/// Characters IAM rejects in a rendered name or description (from params).
fn naming_findings(
    what: &str,
    item: &str,
    name: Option<&String>,
    description: Option<&str>,
    span: pcl_syntax::Span,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let problems = name
        .map(|n| pcl_iam::check_iam_name_rendered(n, what))
        .into_iter()
        .chain(description.filter(|d| !d.is_empty()).map(pcl_iam::check_description_rendered));
    for p in problems.filter_map(Result::err) {
        out.push(
            DiagnosticKind::IamRule {
                code: Code::InvalidValue,
                message: format!("{what} `{item}`, once its params are given: {}", p.message),
                label: Some("IAM rejects this".into()),
                help: p.help,
            }
            .at(span),
        );
    }
    out
}

mod condition_keys;
mod open_trust;
mod placing;
mod roles;
#[cfg(test)]
mod tests;
mod trust;
mod wildcard_params;

pub use placing::place_list_findings;
pub use roles::{place_role_findings, role_findings};

/// Whether one key given twice under `operator` in a statement is E0315.
/// Merged under a negated operator, the values mean "none of them": both
/// conditions at once, as written; not under `ForAnyValue:`, where "some
/// value is not a" and "some value is not b" together are not "some value
/// is neither".
pub(crate) fn given_twice_is_an_error(operator: &str) -> bool {
    !operator.contains("Not") || operator.to_ascii_lowercase().starts_with("foranyvalue:")
}
