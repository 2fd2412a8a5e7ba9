//! A rendered role's own findings: the ARNs of its managed policies,
//! boundary and trust principals in the document's partition, its `trust
//! aws` principals as IAM takes them, entries listed twice, and its name,
//! path and quotas. A rendering keeps no span per value: a finding about
//! one value says which (`RoleValue`), and `place_role_findings` renders
//! the role's lists again, item by item, only when there is one, to put it
//! at the item of the role that renders the value (as `placing` does for a
//! statement's).

use pcl_syntax::Span;

use super::open_trust::open_trust;
use super::trust::{
    keys_never_set, keys_without_session_action, services_not_granted_what_they_ask, trust_action_findings,
};
use super::{arn_error, condition_arns, condition_checks, counted_as_one, naming_findings, resource_part};
use crate::diagnostic::{Code, Diagnostic, DiagnosticKind, Label};
use crate::expand::{Env, ExpandedRole};
use crate::ir::{GList, ItemIr, PrincipalKind, Role, Value};

/// Which rendered value of a role a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleValue {
    /// The `at`th value of the role's `list`th `trust` field.
    Trust {
        list: usize,
        at: usize,
    },
    /// The `at`th managed policy ARN: its `managed` lists', then those of
    /// the policies it attaches (as `expand_role` renders them).
    Managed(usize),
    Boundary,
}

/// A finding of a rendered role, at the role's name until placed.
pub struct RoleFinding {
    pub diagnostic: Diagnostic,
    /// The value it is about, if it is about one.
    pub value: Option<RoleValue>,
    /// For an entry listed twice, the first copy.
    pub first: Option<RoleValue>,
}

/// The findings of `role` rendered under `env` for `partition`, at `span`
/// (the role's name) until `place_role_findings` places those about one value.
pub fn role_findings(role: &ExpandedRole, env: &Env<'_>, partition: &str, span: Span) -> Vec<RoleFinding> {
    let mut out = Vec::new();
    let about = |diagnostic, value| RoleFinding { diagnostic, value: Some(value), first: None };
    // the role's managed policies and boundary, each with the value it is
    let policies = || {
        let managed = role.managed.iter().enumerate().map(|(at, arn)| (arn, RoleValue::Managed(at)));
        managed.chain(role.boundary.iter().map(|arn| (arn, RoleValue::Boundary)))
    };
    let principals = trust_values(role).filter(|(p, _)| p.starts_with("arn:"));
    for (arn, value) in policies().chain(principals) {
        if let Some(message) = pcl_iam::values::check_arn_in_partition(arn, partition) {
            out.push(about(arn_error(message, span), value));
        }
    }
    // a managed policy or boundary is a policy: IAM rejects a role's ARN there
    for (arn, value) in policies() {
        if arn.starts_with("arn:") && !is_policy_arn(arn) {
            let kind = DiagnosticKind::IamRule {
                code: Code::MalformedArn,
                message: format!("`{}` is not the ARN of a managed policy", pcl_iam::values::any_partition(arn)),
                label: Some("not a policy".into()),
                help: Some("a managed policy or permissions boundary is `arn:${partition}:iam::ACCOUNT:policy/NAME` (`aws` as the account for an AWS managed policy)".into()),
            };
            out.push(about(kind.at(span), value));
        }
    }
    for (list, (kind, principals)) in role.trust.iter().enumerate() {
        let (check, not_one): (PrincipalCheck, _) = match kind {
            PrincipalKind::Aws => (pcl_iam::check_aws_principal, "not an AWS principal"),
            PrincipalKind::Service => (pcl_iam::check_service_principal, "not a service principal"),
            PrincipalKind::Federated => (pcl_iam::check_federated_principal, "not an identity provider"),
        };
        let conditions = role.conditions_of(list);
        for (at, p) in principals.values.iter().enumerate() {
            let checked = check(p);
            // (a principal IAM rejects is that error alone)
            if let (Ok(()), Some(kind)) = (&checked, open_trust((env.params, &role.name), kind, p, conditions)) {
                out.push(about(kind.at(span), RoleValue::Trust { list, at }));
            }
            if let Err(problem) = checked {
                let label = problem.field.map_or(not_one, |f| f.label());
                let kind = DiagnosticKind::IamRule {
                    code: Code::MalformedArn,
                    message: problem.message,
                    label: Some(label.into()),
                    help: problem.help,
                };
                out.push(about(kind.at(span), RoleValue::Trust { list, at }));
            }
        }
    }
    // by hash: a list searched for each entry was quadratic in a role's entries
    let mut seen: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for (at, arn) in role.managed.iter().enumerate() {
        // one lookup an entry: the first copy's place, or this one kept
        if let Some(first) = first_copy(&mut seen, arn, at) {
            let kind = DiagnosticKind::IamRule {
                code: Code::DuplicateRoleEntry,
                message: format!("role `{}` lists managed policy `{}` twice", role.name, resource_part(arn)),
                label: Some("CloudFormation rejects repeated ManagedPolicyArns".into()),
                help: Some("list it once".into()),
            };
            let (value, first) = (Some(RoleValue::Managed(at)), Some(RoleValue::Managed(first)));
            out.push(RoleFinding { diagnostic: kind.at(span), value, first });
        }
    }
    // one map for every `trust` field: the fields of one kind render as one
    // list (those of one statement: a field with conditions is a statement
    // of its own); an account's principal is the same written as its id or
    // as its root ARN (IAM stores the id as the ARN)
    let mut seen: FirstPrincipals<'_> = rustc_hash::FxHashMap::default();
    for (list, (kind, principals)) in role.trust.iter().enumerate() {
        let statement = role.stands_alone(list).then_some(list);
        for (at, p) in principals.values.iter().enumerate() {
            let identity =
                if matches!(kind, PrincipalKind::Aws) { pcl_iam::aws_principal_identity(p) } else { p.as_str() };
            let (first_list, first_at, first_written) = match seen.entry((statement, kind, identity)) {
                std::collections::hash_map::Entry::Occupied(first) => *first.get(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert((list, at, p.as_str()));
                    continue;
                }
            };
            // (without its partition: the one finding of every partition)
            let shown = pcl_iam::values::any_partition;
            let message = match first_written == p.as_str() {
                true => format!(
                    "role `{}` trusts the {} principal `{}` twice",
                    role.name,
                    format!("{kind:?}").to_ascii_lowercase(),
                    shown(p)
                ),
                false => format!(
                    "role `{}` trusts account `{identity}` twice, as `{}` and as `{}`",
                    role.name,
                    shown(first_written),
                    shown(p)
                ),
            };
            let kind = DiagnosticKind::IamRule {
                code: Code::DuplicateRoleEntry,
                message,
                label: Some("the trust policy repeats it".into()),
                help: Some("list it once".into()),
            };
            let first = (first_list, first_at);
            let (value, first) = (RoleValue::Trust { list, at }, RoleValue::Trust { list: first.0, at: first.1 });
            out.push(RoleFinding { diagnostic: kind.at(span), value: Some(value), first: Some(first) });
        }
    }
    // the trust conditions, as a statement's: each at its condition
    for (field, conditions) in &role.trust_conditions {
        let mut found = Vec::new();
        condition_checks(conditions, true, &mut found);
        condition_arns(conditions, (partition, &[]), &mut found);
        if let Some((kind, principals)) = role.trust.get(*field) {
            keys_never_set(kind, &principals.values, conditions, &mut found);
        }
        keys_without_session_action(role, *field, conditions, &mut found);
        out.extend(found.into_iter().map(|diagnostic| RoleFinding { diagnostic, value: None, first: None }));
    }
    trust_action_findings(role, &mut out);
    services_not_granted_what_they_ask(role, span, &mut out);
    out.extend(quota_and_name_findings(role, span).into_iter().map(|diagnostic| RoleFinding {
        diagnostic,
        value: None,
        first: None,
    }));
    out
}

/// `arn:PARTITION:iam::ACCOUNT:policy/...` (or a value to come there).
fn is_policy_arn(arn: &str) -> bool {
    let mut fields = arn.splitn(6, ':').skip(2);
    let (service, resource) = (fields.next(), fields.nth(2));
    let to_come = |f: &str| f.contains(pcl_iam::STAND_IN_MARK) || f.starts_with('<');
    service.is_some_and(|s| s == "iam" || to_come(s))
        && resource.is_some_and(|r| r.starts_with("policy/") || to_come(r))
}

/// The first place of each principal of each trust statement (`None`: the
/// one of the fields without conditions) and kind, by its identity: its
/// field, its place there, and how it was written.
type FirstPrincipals<'r> = rustc_hash::FxHashMap<(Option<usize>, &'r PrincipalKind, &'r str), (usize, usize, &'r str)>;

/// What IAM takes as a principal of one kind (`pcl_iam::principals`).
type PrincipalCheck = fn(&str) -> Result<(), pcl_iam::Problem>;

/// Where `entry` (at `at`) was seen first, if it was; else it is noted.
fn first_copy<'r>(seen: &mut rustc_hash::FxHashMap<&'r str, usize>, entry: &'r str, at: usize) -> Option<usize> {
    match seen.entry(entry) {
        std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(at);
            None
        }
    }
}

/// Each trust principal of `role` with the value it is.
fn trust_values(role: &ExpandedRole) -> impl Iterator<Item = (&String, RoleValue)> {
    role.trust.iter().enumerate().flat_map(|(list, (_, principals))| {
        principals.values.iter().enumerate().map(move |(at, p)| (p, RoleValue::Trust { list, at }))
    })
}

/// The findings of a role's name, description, path and number of managed
/// policies: at the role's name.
fn quota_and_name_findings(role: &ExpandedRole, span: Span) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let too_long = |what: &str, value: &str, limit: usize| {
        DiagnosticKind::IamRule {
            code: Code::QuotaExceeded,
            message: format!(
                "the {what} of role `{}` is {} characters{}; IAM allows {limit}",
                role.name,
                pcl_iam::rendered_chars(value),
                counted_as_one(value)
            ),
            label: Some(format!("IAM rejects a {what} this long")),
            help: Some(format!("shorten the {what}")),
        }
        .at(span)
    };
    let name = role.deployed_name.as_ref().unwrap_or(&role.name);
    if pcl_iam::rendered_chars(name) > pcl_iam::quotas::ROLE_NAME_CHARS {
        out.push(too_long("name", name, pcl_iam::quotas::ROLE_NAME_CHARS));
    }
    out.extend(naming_findings("role", &role.name, role.deployed_name.as_ref(), role.description.as_deref(), span));
    if let Some(path) = role.path.as_deref().filter(|_| role.path_interpolated)
        && !path.is_empty()
        && let Err(p) = pcl_iam::check_iam_path_rendered(path)
    {
        let message = format!("role `{}`, once its params are given: {}", role.name, p.message);
        out.push(
            DiagnosticKind::IamRule {
                code: Code::InvalidValue,
                message,
                label: Some("not an IAM path".into()),
                help: p.help,
            }
            .at(span),
        );
    }
    if let Some(path) = role.path.as_deref().filter(|p| pcl_iam::rendered_chars(p) > pcl_iam::quotas::PATH_CHARS) {
        out.push(too_long("path", path, pcl_iam::quotas::PATH_CHARS));
    }
    if role.managed.len() > pcl_iam::quotas::MANAGED_POLICIES_PER_ROLE {
        out.push(
            DiagnosticKind::IamRule {
                code: Code::QuotaExceeded,
                message: format!(
                    "role `{}` attaches {} managed policies; IAM allows {}",
                    role.name,
                    role.managed.len(),
                    pcl_iam::quotas::MANAGED_POLICIES_PER_ROLE
                ),
                label: Some("too many managed policies for one role".into()),
                help: Some("merge policies, or ask AWS to raise the quota (up to 20)".into()),
            }
            .at(span),
        );
    }
    out
}

/// The findings of `rendered` (the role `role` declares, rendered under
/// `env`), each about one value at the item of the role that renders it:
/// a string, a param (its label says so), a `for` template, a `@set`
/// splice (its label names the set) or an `attach`; an entry listed twice
/// with its first copy as a secondary label. The lists are rendered again
/// only when a finding is about a value; one whose rendering does not
/// match (it cannot be told where its values come from) stays at the name.
pub fn place_role_findings(
    role: &Role,
    rendered: &ExpandedRole,
    env: &Env<'_>,
    findings: Vec<RoleFinding>,
) -> Vec<Diagnostic> {
    if findings.iter().all(|f| f.value.is_none()) {
        return findings.into_iter().map(|f| f.diagnostic).collect();
    }
    let origins = Origins::of(role, rendered, env);
    let mut out = Vec::with_capacity(findings.len());
    for RoleFinding { mut diagnostic, value, first } in findings {
        if let Some(at) = value.and_then(|v| origins.get(v)) {
            diagnostic.span = at.span;
            if let Some(label) = diagnostic.label.as_mut() {
                label.push_str(&at.from);
            }
            if let Some(first) = first.and_then(|v| origins.get(v)).filter(|first| first.span != at.span) {
                let message = format!("first listed here{}", first.from);
                diagnostic.secondary.push(Label { span: first.span, message });
            }
        }
        out.push(diagnostic);
    }
    out
}

/// Where a rendered value comes from: the item of the role's list, and
/// ` (from valueset `s`)` or ` (from param `p`)` when it comes from one.
struct Origin {
    span: Span,
    from: String,
}

/// The origin of each value of a rendered role, list by list.
struct Origins {
    trust: Vec<Option<Vec<Origin>>>,
    managed: Option<Vec<Origin>>,
    boundary: Option<Origin>,
}

impl Origins {
    fn of(role: &Role, rendered: &ExpandedRole, env: &Env<'_>) -> Origins {
        // a list whose values are not the rendering's (cannot happen: the
        // same env renders both) is left unplaced
        let matching = |origins: Vec<Origin>, count: usize| (origins.len() == count).then_some(origins);
        let trust = role
            .trust
            .iter()
            .zip(&rendered.trust)
            .map(|((_, list), (_, values))| matching(list_origins(list, env), values.values.len()))
            .collect();
        let mut managed: Vec<Origin> = role.managed.iter().flat_map(|list| list_origins(list, env)).collect();
        let present = |name: &str| matches!(env.program.get(name).map(|i| &*i.ir), Some(ItemIr::Policy { when, .. }) if env.holds(when));
        let attached = role.attach.iter().filter(|a| env.holds(&a.when) && present(&a.policy));
        managed.extend(attached.map(|a| Origin { span: a.span, from: String::new() }));
        let boundary = role
            .boundary
            .as_ref()
            .filter(|_| rendered.boundary.is_some())
            .map(|b| Origin { span: b.span, from: from_param(&b.value) });
        Origins { trust, managed: matching(managed, rendered.managed.len()), boundary }
    }

    fn get(&self, value: RoleValue) -> Option<&Origin> {
        match value {
            RoleValue::Trust { list, at } => self.trust.get(list)?.as_ref()?.get(at),
            RoleValue::Managed(at) => self.managed.as_ref()?.get(at),
            RoleValue::Boundary => self.boundary.as_ref(),
        }
    }
}

/// The origin of each value `list` renders under `env`, in order.
fn list_origins(list: &GList<Value>, env: &Env<'_>) -> Vec<Origin> {
    env.value_origins(list)
        .into_iter()
        .map(|origin| {
            // a spliced value: the set it is written in, and the sets that
            // bring it (as inside statements: `placing::push_from_set`)
            let from = match origin.sets.is_empty() {
                false => {
                    let mut from = String::new();
                    super::placing::push_from_set(&mut from, &origin, pcl_iam::repeats::ListKind::Resources);
                    from
                }
                true => {
                    list.items.iter().find(|i| i.span == origin.item).map_or_else(String::new, |i| from_param(&i.value))
                }
            };
            Origin { span: origin.item, from }
        })
        .collect()
}

/// ` (from param `p`)` for a bare param, else nothing.
fn from_param(value: &Value) -> String {
    match value {
        Value::Param(p) => format!(" (from param `{p}`)"),
        _ => String::new(),
    }
}
