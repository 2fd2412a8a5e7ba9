//! Meaning-level checks of one rendered statement against the catalog:
//! condition keys that never apply (`conditions`), actions whose resources
//! cannot match (here), grants that break least privilege
//! (`least_privilege`), and entries that add nothing to their list
//! (`repeats`). Each answer names what is wrong;
//! `pcl-semantics` turns it into a diagnostic at the statement's spans.

use std::cell::RefCell;
use std::rc::Rc;

use crate::catalog::{Action, ResourceType, catalog};
use crate::repeats::{ListKind, repeats};

mod conditions;
mod least_privilege;
mod needs;
pub use least_privilege::Reach;
use needs::needs_for;

/// One rendered statement, as strings.
pub struct StatementView<'a> {
    pub allow: bool,
    pub not_action: bool,
    pub actions: &'a [String],
    pub not_resource: bool,
    pub resources: &'a [String],
    /// How many of the resources' `*`s a template kept as `*` (not written
    /// twice by anyone: `repeats` does not count them).
    pub kept_stars: usize,
    /// `(operator, key)` of each condition.
    pub conditions: &'a [(&'a str, &'a str)],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lint {
    /// Condition `index`'s key applies to none of the statement's actions.
    KeyAppliesToNone { index: usize, key: String },
    /// Condition `index`'s key is never present for these actions, under an
    /// operator without `IfExists`: for them the statement never matches.
    KeyMissingFor { index: usize, key: String, actions: Vec<String> },
    /// Condition `index`'s key is of a service every action of which the
    /// statement's `NotAction` list excludes (`excluded`, `s3:*`): it is
    /// never set for the actions the statement covers.
    KeyOfExcludedService { index: usize, key: String, excluded: String },
    /// An action none of whose resource types can match the resources.
    ActionMatchesNoResource { action: String, needs: Vec<String> },
    /// A pattern some of whose actions can match none of the resources.
    PatternPartlyMismatched { pattern: String, count: usize, total: usize, example: String, needs: Vec<String> },
    /// An action that supports only `"*"`, given only scoped resources.
    OnlyStarSupported { action: String },
    /// A resource that none of the statement's actions can act on.
    ResourceMatchesNoAction { resource: String, types: Vec<String> },
    /// `iam:PassRole` on `"*"` (or a `NotResource` list: see [`Reach`]).
    PassRoleOnStar { reach: Reach },
    /// `iam:PassRole` without an `iam:PassedToService` condition.
    PassRoleUnconditioned,
    /// A known privilege-escalation action on `"*"` (or a `NotResource` list).
    EscalationOnStar { action: String, reach: Reach },
    /// `*` or `service:*` allowed on `"*"` (or a `NotResource` list).
    AllActionsOnStar { action: String, reach: Reach },
    /// An `Allow` with `NotAction` on `"*"` (or a `NotResource` list): every
    /// action it does not name, of every service.
    NotActionAllowed { reach: Reach },
    /// An `Allow` with `NotAction` on scoped resources that may be roles,
    /// whose list does not name `iam:PassRole`, with no
    /// `iam:PassedToService` condition: it passes those roles to any service.
    NotActionPassesRoles,
    /// An action or resource listed twice, or matched by a pattern of its list.
    Repeated(crate::repeats::Repeat),
}

/// Actions that let their holder grant themselves more, when allowed on
/// every resource. Source: Rhino Security Labs, "AWS IAM Privilege
/// Escalation - Methods and Mitigation" (2018), single-permission methods.
pub const ESCALATION_ACTIONS: [&str; 13] = [
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
];

/// The catalog actions an action or pattern names (none for `*` or an
/// unknown service), remembered per thread: `ec2:Describe*` is matched
/// against the service's actions once, not once per statement.
fn resolve(action: &str) -> Rc<[&'static Action]> {
    thread_local! {
        static RESOLVED: crate::memo::Table<Rc<[&'static Action]>> = RefCell::default();
    }
    crate::memo::remembered(&RESOLVED, action, || resolve_uncached(action).into())
}

fn resolve_uncached(action: &str) -> Vec<&'static Action> {
    let Some((prefix, name)) = action.split_once(':') else { return Vec::new() };
    let Some(service) = catalog().service(prefix) else { return Vec::new() };
    if name.contains(['*', '?']) {
        service.matching(name).collect()
    } else {
        service.action(name).into_iter().collect()
    }
}

/// One written action of a statement and what it names.
struct Named<'a> {
    written: &'a String,
    prefix: &'a str,
    pattern: bool,
    actions: Rc<[&'static Action]>,
}

/// The statement's `service:Name` actions, each resolved once.
fn named_actions<'a>(actions: &'a [String]) -> Vec<Named<'a>> {
    actions
        .iter()
        .filter_map(|written| {
            let (prefix, name) = written.split_once(':')?;
            Some(Named { written, prefix, pattern: name.contains(['*', '?']), actions: resolve(written) })
        })
        .collect()
}

/// Whether IAM knows `key` (see [`crate::catalog::Catalog::is_known_key`]).
pub fn is_known_key(key: &str) -> bool {
    catalog().is_known_key(key)
}

pub fn lint_statement(st: &StatementView<'_>) -> Vec<Lint> {
    let mut out = Vec::new();
    let repeated = repeats(ListKind::Actions, st.actions, 0).into_iter();
    let repeated = repeated.chain(repeats(ListKind::Resources, st.resources, st.kept_stars));
    out.extend(repeated.map(Lint::Repeated));
    // the catalog's checks read the actions as granted: a `NotAction`
    // list names the ones that are not
    if !st.not_action {
        let named = named_actions(st.actions);
        conditions::conditions(st, &named, &mut out);
        if !st.not_resource {
            resources(st, &named, &mut out);
        }
    } else {
        conditions::not_action_conditions(st, &mut out);
    }
    if st.allow {
        least_privilege::least_privilege(st, &mut out);
    }
    out
}

/// Which resource types can match which resources, computed once per
/// (type, resource list) of a statement: a pattern such as `ec2:Describe*`
/// names hundreds of actions but only a few resource types.
#[derive(Default)]
struct TypeCache {
    /// By the type's address in the catalog (one per service and name,
    /// whichever action names it), then by resource list.
    matches: rustc_hash::FxHashMap<(usize, usize), bool>,
}

impl TypeCache {
    /// Whether some resource of `resources` (identified by `id` within one
    /// statement) can be of type `rt`; a type the catalog does not describe
    /// (`None`) may match anything.
    fn type_matches(&mut self, rt: Option<&'static ResourceType>, resources: &[String], id: usize) -> bool {
        let Some(rt) = rt else { return true };
        *self.matches.entry((std::ptr::from_ref(rt) as usize, id)).or_insert_with(|| {
            rt.arn_formats().any(|format| resources.iter().any(|res| crate::resource_may_match(res, format)))
        })
    }

    /// Whether `action` of the service `prefix` can act on one of `resources`.
    fn can_match(&mut self, prefix: &str, action: &'static Action, resources: &[String], id: usize) -> bool {
        let Some(types) = types_of(prefix, action) else { return true };
        types.iter().any(|t| self.type_matches(t.resolved, resources, id))
    }
}

/// A resource type an action acts on: its service's prefix and its name
/// (for messages), and its entry in the catalog (`None` when the service
/// does not describe it: it may match anything).
#[derive(Clone, Copy)]
struct TypeOf {
    prefix: &'static str,
    name: &'static str,
    resolved: Option<&'static ResourceType>,
}

/// The resource types `action` of service `prefix` acts on, looked up in
/// the service once per thread and action (by its address in the catalog),
/// not for every statement that names it; `None` for an unknown service.
fn types_of(prefix: &str, action: &'static Action) -> Option<Rc<[TypeOf]>> {
    thread_local! {
        static TYPES: crate::memo::KeyedTable<usize, Option<Rc<[TypeOf]>>> = RefCell::default();
    }
    let at = std::ptr::from_ref(action) as usize;
    crate::memo::remembered_by(&TYPES, crate::memo::ADDRESS_CAPACITY, at, |_| {
        let service = catalog().service(prefix)?;
        let resolve = |(name, _)| TypeOf { prefix: service.prefix, name, resolved: service.resource_type(name) };
        Some(action.resource_types().map(resolve).collect())
    })
}

/// Of a pattern's actions (`acts`, as `resolve` made them), those that
/// cannot act on any of `resources` (`"*"`-only actions cannot act on a
/// specific resource either): how many, and the one a finding names (the
/// shortest name is usually the best-known, `s3:GetObject`); `None` when
/// every one can. Remembered per thread by the list (its address: the entry
/// keeps it) and the resources: a pattern of a hundred actions was matched
/// again for every statement and configuration that has it (an edit of an
/// actionset of `s3:Get*` re-lints each statement that uses it).
fn mismatched(
    prefix: &str,
    acts: &Rc<[&'static Action]>,
    resources: &[String],
    cache: &mut TypeCache,
) -> Option<(usize, &'static Action)> {
    type Found = (Rc<[&'static Action]>, Option<(usize, &'static Action)>);
    thread_local! {
        static MISMATCHED: crate::memo::KeyedTable<(usize, Vec<String>), Found> = RefCell::default();
    }
    let key = (Rc::as_ptr(acts).cast::<()>() as usize, resources.to_vec());
    let (_, found) = crate::memo::remembered_by(&MISMATCHED, MISMATCHED_CAPACITY, key, |_| {
        let bad: Vec<&'static Action> = acts
            .iter()
            .copied()
            .filter(|a| a.star_only() || !cache.can_match(prefix, a, resources, ALL_RESOURCES))
            .collect();
        let example = bad.iter().filter(|a| !a.star_only()).min_by_key(|a| (a.name.len(), a.name)).or(bad.first());
        (Rc::clone(acts), example.map(|first| (bad.len(), *first)))
    });
    found
}

/// Patterns and resource lists `mismatched` remembers before it is cleared.
const MISMATCHED_CAPACITY: usize = 4_096;

/// All of a statement's resources, as one list in the [`TypeCache`].
const ALL_RESOURCES: usize = usize::MAX;

fn resources(st: &StatementView<'_>, named: &[Named<'_>], out: &mut Vec<Lint>) {
    if st.resources.is_empty() || st.resources.iter().any(|r| r == "*") {
        return;
    }
    // A pattern is reported only against specific resources: `s3:Get*` on
    // `bucket-*` is meant broadly, `elasticfilesystem:*` on one file
    // system is not.
    let specific = st.resources.iter().all(|r| crate::is_specific(r));
    let mut cache = TypeCache::default();
    for Named { written, prefix, pattern, actions: acts } in named {
        let (prefix, written) = (*prefix, *written);
        if *pattern {
            if !specific {
                continue;
            }
            // a Deny of `sqs:*` on one queue guards it whole, and is meant
            // to cover actions added later: only a pattern none of whose
            // actions act on the resources is news there (found by review)
            if let Some((count, first)) = mismatched(prefix, acts, st.resources, &mut cache)
                && (st.allow || count == acts.len())
            {
                out.push(Lint::PatternPartlyMismatched {
                    pattern: written.clone(),
                    count,
                    total: acts.len(),
                    example: format!("{prefix}:{}", first.name),
                    needs: needs_for(prefix, first, st.resources),
                });
            }
            continue;
        }
        let Some(action) = acts.first() else { continue };
        if action.star_only() {
            out.push(Lint::OnlyStarSupported { action: written.clone() });
        } else if !cache.can_match(prefix, action, st.resources, ALL_RESOURCES) {
            out.push(Lint::ActionMatchesNoResource {
                action: written.clone(),
                needs: needs_for(prefix, action, st.resources),
            });
        }
    }
    // one mistake, one warning: a resource no action acts on is news only
    // when every action matched some resource
    if !out.iter().any(|l| {
        matches!(
            l,
            Lint::ActionMatchesNoResource { .. }
                | Lint::OnlyStarSupported { .. }
                | Lint::PatternPartlyMismatched { .. }
        )
    }) {
        unused_resources(st, named, &mut cache, out);
    }
}

/// Resources that no action of the statement can act on (`iam:PassRole` on
/// an instance profile).
fn unused_resources(st: &StatementView<'_>, named: &[Named<'_>], cache: &mut TypeCache, out: &mut Vec<Lint>) {
    if named.len() != st.actions.len() {
        return; // `*` among the actions
    }
    // the resource types each action acts on: a pattern names hundreds of
    // actions but a few types
    let mut per_action: Vec<Rc<[TypeOf]>> = Vec::with_capacity(named.len());
    for Named { written, actions: acts, .. } in named {
        if acts.is_empty() {
            return; // unknown (or an unknown service): nothing sure to say
        }
        per_action.push(resource_types_of(written));
    }
    for (id, resource) in st.resources.iter().enumerate() {
        let one = std::slice::from_ref(resource);
        // a type two actions share is answered from the cache the second time
        if per_action.iter().flat_map(|types| types.iter()).any(|t| cache.type_matches(t.resolved, one, id)) {
            continue;
        }
        // only now (rarely) the distinct types, sorted, for the message
        let types: std::collections::BTreeSet<(&'static str, &'static str)> =
            per_action.iter().flat_map(|types| types.iter()).map(|t| (t.prefix, t.name)).collect();
        let types: Vec<String> = types.iter().map(|(p, rt)| format!("{p}:{rt}")).collect();
        out.push(Lint::ResourceMatchesNoAction { resource: resource.clone(), types });
    }
}

/// The distinct resource types that the actions `written` names act on,
/// sorted by name, remembered per thread like `resolve`: `ec2:Describe*`
/// names hundreds of actions but a few types, and collecting them for every
/// statement was a fifth of a large file's lints.
fn resource_types_of(written: &str) -> Rc<[TypeOf]> {
    thread_local! {
        static TYPES: crate::memo::Table<Rc<[TypeOf]>> = RefCell::default();
    }
    crate::memo::remembered(&TYPES, written, || {
        let Some((prefix, _)) = written.split_once(':') else { return Rc::from([]) };
        let by_name: std::collections::BTreeMap<&'static str, TypeOf> = resolve(written)
            .iter()
            .filter_map(|a| types_of(prefix, a))
            .flat_map(|types| types.to_vec())
            .map(|t| (t.name, t))
            .collect();
        by_name.into_values().collect()
    })
}
