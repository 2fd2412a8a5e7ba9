//! W0509's judgements of an `Allow` statement: grants on every resource
//! (`"*"`), or on nearly every one (a `NotResource` list: every resource
//! but those it names), that let their holder do far more than a cluster
//! needs. A `NotAction` list grants every action it does not name, of
//! every service: broader than any `service:*`.

use super::{ESCALATION_ACTIONS, Lint, StatementView};

/// How far a statement's resources reach, for the judgements that depend
/// on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// `resource "*"`.
    Every,
    /// A `NotResource` list (without `"*"`, which would exclude everything):
    /// every resource but those it names, which for a grant is nearly all
    /// of them (`notresource "arn:...:role/admin"` still passes every other
    /// role).
    AllBut,
}

/// How far the statement's resources reach: `None` for a list of scoped
/// resources (or a `NotResource` list that holds `"*"` or nothing: no
/// resource at all).
fn reach(st: &StatementView<'_>) -> Option<Reach> {
    let star = st.resources.iter().any(|r| r == "*");
    match (st.not_resource, star) {
        (false, true) => Some(Reach::Every),
        (true, false) if !st.resources.is_empty() => Some(Reach::AllBut),
        _ => None,
    }
}

/// The least-privilege findings of an `Allow` statement (the caller checks
/// the effect: a `Deny` that reaches far is what it is meant to do).
pub(super) fn least_privilege(st: &StatementView<'_>, out: &mut Vec<Lint>) {
    let reach = reach(st);
    if st.not_action {
        // every action the list does not name, of every service (a list
        // holding `*` excludes them all, and grants nothing)
        if let Some(reach) = reach
            && !st.actions.iter().any(|a| a == "*")
        {
            out.push(Lint::NotActionAllowed { reach });
        }
        // on scoped resources that may be roles, the list must name
        // PassRole, or the roles may be passed to any service (on `*` the
        // warning above covers it)
        if reach.is_none() && not_action_passes_roles(st) {
            out.push(Lint::NotActionPassesRoles);
        }
        return;
    }
    let grants = |target: &str| {
        let (tp, tn) = target.split_once(':').unwrap_or_default();
        // `service:` compared in place (splitting every action for each
        // target was most of this lint's cost): `tp` holds no `:`, so an
        // action that starts with it and a `:` splits there
        st.actions.iter().any(|a| {
            a == "*"
                || a.as_bytes().get(tp.len()) == Some(&b':')
                    && a.get(..tp.len()).is_some_and(|p| p.eq_ignore_ascii_case(tp))
                    && a.get(tp.len() + 1..).is_some_and(|n| crate::catalog::wildcard_match(n, tn))
        })
    };
    let all_actions = |a: &String| a == "*" || a.ends_with(":*");
    if let Some(reach) = reach
        && st.actions.iter().any(all_actions)
    {
        for a in st.actions.iter().filter(|a| all_actions(a)) {
            out.push(Lint::AllActionsOnStar { action: a.clone(), reach });
        }
        return; // the rest would repeat it
    }
    if grants("iam:PassRole") {
        if let Some(reach) = reach {
            out.push(Lint::PassRoleOnStar { reach });
        }
        if !st.conditions.iter().any(|(_, k)| k.eq_ignore_ascii_case("iam:PassedToService")) {
            out.push(Lint::PassRoleUnconditioned);
        }
    }
    if let Some(reach) = reach {
        for e in ESCALATION_ACTIONS {
            if grants(e) {
                out.push(Lint::EscalationOnStar { action: e.to_string(), reach });
            }
        }
    }
}

/// Whether an `Allow` with `NotAction` (on scoped resources) grants
/// `iam:PassRole` on a resource that may be a role, with no
/// `iam:PassedToService` condition: no entry of the list matches PassRole
/// (`iam:*`, `iam:Pass*`, `*` do), and some resource may be a role's ARN.
fn not_action_passes_roles(st: &StatementView<'_>) -> bool {
    let excluded = st.actions.iter().any(|a| {
        a == "*"
            || a.split_once(':').is_some_and(|(service, name)| {
                service.eq_ignore_ascii_case("iam") && crate::catalog::wildcard_match(name, "PassRole")
            })
    });
    if excluded || st.conditions.iter().any(|(_, k)| k.eq_ignore_ascii_case("iam:PassedToService")) {
        return false;
    }
    let Some(role) = super::catalog().service("iam").and_then(|iam| iam.resource_type("role")) else { return false };
    st.resources.iter().any(|r| role.arn_formats().any(|format| crate::resource_may_match(r, format)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings of an `Allow` statement of `actions` (a `NotAction`
    /// list when `not_action`) on `resources` (a `NotResource` list when
    /// `not_resource`).
    fn findings(not_action: bool, actions: &[&str], not_resource: bool, resources: &[&str]) -> Vec<Lint> {
        let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        let resources: Vec<String> = resources.iter().map(|r| r.to_string()).collect();
        let st = StatementView {
            allow: true,
            not_action,
            actions: &actions,
            not_resource,
            resources: &resources,
            kept_stars: 0,
            conditions: &[],
        };
        let mut out = Vec::new();
        least_privilege(&st, &mut out);
        out
    }

    fn least_privilege_of(actions: &[&str], resources: &[&str]) -> Vec<Lint> {
        findings(false, actions, false, resources)
    }

    #[test]
    fn an_action_grants_a_target_by_its_service_in_any_case_and_by_pattern() {
        let on_star = Lint::PassRoleOnStar { reach: Reach::Every };
        let pass_role = |actions: &[&str]| least_privilege_of(actions, &["*"]).contains(&on_star);
        assert!(pass_role(&["iam:PassRole"]));
        assert!(pass_role(&["IAM:passrole"]));
        assert!(pass_role(&["iam:Pass*"]));
        assert!(pass_role(&["s3:GetObject", "iam:*Role"]));
        assert!(!pass_role(&["iamx:PassRole"]));
        assert!(!pass_role(&["ia:PassRole"]));
        assert!(!pass_role(&["iam:PassRol"]));
        assert!(!pass_role(&["iam"]));
        assert!(!pass_role(&["iam:"]));
        assert!(!pass_role(&["éam:PassRole"]));
        // a statement on specific resources is not on `*`
        assert!(!least_privilege_of(&["iam:PassRole"], &["arn:aws:iam::1:role/r"]).contains(&on_star));
        let escalation = least_privilege_of(&["IAM:CreatePolicyVersion"], &["*"]);
        assert!(
            escalation
                .contains(&Lint::EscalationOnStar { action: "iam:CreatePolicyVersion".into(), reach: Reach::Every }),
            "{escalation:?}"
        );
    }

    /// An `Allow` with `NotAction` grants every other action of every
    /// service: on `"*"` or a `NotResource` list it is broader than the
    /// `service:*` W0509 reports; on scoped resources no more than
    /// `service:*` there (not reported), and a list holding `*` grants
    /// nothing. The review's `notaction "iam:*"; resource "*"` had no
    /// warning.
    #[test]
    fn not_action_on_every_resource_is_reported() {
        assert_eq!(findings(true, &["iam:*"], false, &["*"]), [Lint::NotActionAllowed { reach: Reach::Every }]);
        let all_but = findings(true, &["iam:*", "s3:*"], true, &["arn:aws:s3:::secret/*"]);
        assert_eq!(all_but, [Lint::NotActionAllowed { reach: Reach::AllBut }]);
        assert_eq!(findings(true, &["iam:*"], false, &["arn:aws:s3:::b/*"]), []);
        assert_eq!(findings(true, &["*"], false, &["*"]), []);
        assert_eq!(findings(true, &["iam:*"], true, &["*"]), []);
    }

    /// On scoped resources, a `NotAction` list that does not name
    /// `iam:PassRole` passes the roles among them to any service.
    #[test]
    fn not_action_on_roles_must_name_pass_role() {
        let roles = ["arn:aws:iam::123456789012:role/app/*"];
        assert_eq!(findings(true, &["iam:CreateRole"], false, &roles), [Lint::NotActionPassesRoles]);
        assert_eq!(findings(true, &["iam:PassRole"], false, &roles), []);
        assert_eq!(findings(true, &["IAM:pass*"], false, &roles), []);
        assert_eq!(findings(true, &["iam:*"], false, &roles), []);
        // a bucket is no role
        assert_eq!(findings(true, &["iam:CreateRole"], false, &["arn:aws:s3:::b/*"]), []);
    }

    /// A `NotResource` list reaches nearly every resource: `*`, PassRole
    /// and the escalation actions on it are reported as on `"*"`, saying
    /// so (the review's `action "*"; notresource ...` had only the PassRole
    /// condition warning, and `iam:AttachRolePolicy` on every role but one
    /// none).
    #[test]
    fn not_resource_reaches_nearly_every_resource() {
        let secret = ["arn:aws:s3:::secret/*"];
        assert_eq!(
            findings(false, &["*"], true, &secret),
            [Lint::AllActionsOnStar { action: "*".into(), reach: Reach::AllBut }]
        );
        assert_eq!(
            findings(false, &["ec2:*"], true, &secret),
            [Lint::AllActionsOnStar { action: "ec2:*".into(), reach: Reach::AllBut }]
        );
        let admin = ["arn:aws:iam::123456789012:role/admin"];
        assert_eq!(
            findings(false, &["iam:AttachRolePolicy"], true, &admin),
            [Lint::EscalationOnStar { action: "iam:AttachRolePolicy".into(), reach: Reach::AllBut }]
        );
        assert_eq!(
            findings(false, &["iam:PassRole"], true, &admin),
            [Lint::PassRoleOnStar { reach: Reach::AllBut }, Lint::PassRoleUnconditioned]
        );
        // `notresource "*"` excludes every resource: nothing is granted
        assert_eq!(findings(false, &["iam:AttachRolePolicy"], true, &["*"]), []);
        // a scoped resource is still not judged by its breadth
        assert_eq!(findings(false, &["iam:AttachRolePolicy"], false, &admin), []);
    }
}
