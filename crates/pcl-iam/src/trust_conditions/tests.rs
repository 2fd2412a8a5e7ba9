//! The narrowing and key rules, with the cases each review found.

use super::*;

/// `principals_without_key` for a condition without values.
fn without<'p>(operator: &str, key: &str, principals: &[TrustPrincipal<'p>]) -> Vec<TrustPrincipal<'p>> {
    principals_without_key(&TrustCondition { operator, key, values: &[] }, principals)
}

fn narrows(principal: &str, aws: bool, operator: &str, key: &str, values: &[&str]) -> bool {
    let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    conditions_narrow_trust(principal, aws, &[TrustCondition { operator, key, values: &values }])
}

const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

#[test]
fn an_identity_claim_narrows_a_web_identity_trust_and_a_shared_one_does_not() {
    assert!(narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:o/r:*"]));
    assert!(narrows(GITHUB, false, "StringEquals", "token.actions.githubusercontent.com:repository", &["o/r"]));
    assert!(!narrows(GITHUB, false, "StringEquals", "token.actions.githubusercontent.com:aud", &["sts.amazonaws.com"]));
    // another provider's claim, a wildcard, a negation, IfExists
    // another provider's key shuts GitHub's tokens out (W0506): not open
    assert!(narrows(GITHUB, false, "StringLike", "accounts.google.com:sub", &["x"]));
    assert!(!narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["*"]));
    assert!(!narrows(GITHUB, false, "StringNotEquals", "token.actions.githubusercontent.com:sub", &["x"]));
    assert!(!narrows(GITHUB, false, "StringLikeIfExists", "token.actions.githubusercontent.com:sub", &["x"]));
    // an OIDC provider's URL with a path names its keys whole
    let eks = "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    assert!(narrows(eks, false, "StringEquals", "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub", &["system:x"]));
    // a Cognito identity pool is its audience
    let cognito = "cognito-identity.amazonaws.com";
    assert!(narrows(cognito, false, "StringEquals", "cognito-identity.amazonaws.com:aud", &["us-east-1:pool"]));
    assert!(!narrows(
        cognito,
        false,
        "ForAnyValue:StringLike",
        "cognito-identity.amazonaws.com:amr",
        &["authenticated"]
    ));
}

#[test]
fn github_claims_that_any_repository_meets_narrow_nothing() {
    // found by review: `ref`, `environment`, `event_name` are met by an
    // attacker's repository as well; `repo:*` is every repository's
    for (claim, value) in [("ref", "refs/heads/main"), ("environment", "production"), ("event_name", "push")] {
        let key = format!("token.actions.githubusercontent.com:{claim}");
        assert!(!narrows(GITHUB, false, "StringEquals", &key, &[value]), "{claim}");
    }
    assert!(!narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:*"]));
    assert!(!narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:*/x:*"]));
    assert!(narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:my-org/*"]));
    assert!(narrows(
        GITHUB,
        false,
        "StringEquals",
        "token.actions.githubusercontent.com:repository_owner",
        &["my-org"]
    ));
    assert!(narrows(GITHUB, false, "StringLike", "token.actions.githubusercontent.com:sub", &["repo:\u{1}x\u{1}:*"]));
}

#[test]
fn a_value_narrows_only_where_it_names_who_calls() {
    // found by the second review: wildcards where the account, owner or
    // organization goes
    let gh = |claim: &str, value: &str| {
        narrows(GITHUB, false, "StringLike", &format!("token.actions.githubusercontent.com:{claim}"), &[value])
    };
    assert!(!gh("repository", "*/infra"));
    assert!(gh("repository", "my-org/*"));
    assert!(!gh("job_workflow_ref", "*/.github/workflows/deploy.yml@*"));
    assert!(gh("job_workflow_ref", "my-org/infra/.github/workflows/deploy.yml@*"));
    assert!(!gh("repository_owner", "*-org"));
    assert!(!gh("actor", "dependabot[bot]"));
    let caller = |key: &str, value: &str| narrows("*", true, "StringLike", key, &[value]);
    assert!(!caller("aws:userid", "*:*") && !caller("aws:userid", "AROA*:*"));
    assert!(caller("aws:userid", "AROAEXAMPLEID:*"));
    assert!(!caller("aws:PrincipalOrgID", "o-*") && !caller("aws:PrincipalOrgPaths", "o-*/*"));
    assert!(caller("aws:PrincipalOrgPaths", "o-a1b2c3d4e5/*"));
    assert!(!caller("aws:SourceArn", "arn:aws:lambda:*:*:function:*"));
    assert!(narrows("*", true, "ArnLike", "aws:SourceArn", &["arn:aws:lambda:*:123456789012:function:*"]));
    assert!(caller("aws:SourceArn", "arn:aws:s3:::my-bucket") && !caller("aws:SourceArn", "arn:aws:s3:::*"));
    // a value still to come (a placeholder param's) will be given
    assert!(caller("aws:PrincipalArn", "\u{1}deployer\u{1}"));
    let eks = "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    let key = "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub";
    assert!(!narrows(eks, false, "StringLike", key, &["system:serviceaccount:*:*"]));
    assert!(narrows(eks, false, "StringEquals", key, &["system:serviceaccount:ci:deployer"]));
    // GitHub Enterprise's issuer is GitHub's, with its claims
    let ent = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/my-ent";
    assert!(narrows(ent, false, "StringEquals", "token.actions.githubusercontent.com/my-ent:repository", &["o/r"]));
    assert_eq!(suggested_condition("token.actions.githubusercontent.com/my-ent").2, "repo:ORG/REPO:*");
}

#[test]
fn found_by_the_third_review() {
    use TrustPrincipal::*;
    // an account to come in a provider's ARN leaves the provider known
    let github = Federated("arn:aws:iam::\u{1}account\u{1}:oidc-provider/token.actions.githubusercontent.com");
    assert_eq!(without("StringEquals", "accounts.google.com:aud", &[github]), [github]);
    let saml = Federated("arn:aws:iam::\u{1}account\u{1}:saml-provider/corp");
    assert_eq!(without("StringLike", "token.actions.githubusercontent.com:sub", &[saml]), [saml]);
    // a value to come narrows only where the caller's part is to come
    let caller = |operator: &str, key: &str, value: &str| narrows("*", true, operator, key, &[value]);
    assert!(!caller("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/\u{1}name\u{1}"));
    assert!(caller("ArnLike", "aws:PrincipalArn", "arn:aws:iam::\u{1}account\u{1}:role/*"));
    assert!(!narrows(
        GITHUB,
        false,
        "StringLike",
        "token.actions.githubusercontent.com:sub",
        &["repo:*/\u{1}r\u{1}:*"]
    ));
    // under StringLike a `*` before the account spans colons; under ArnLike it stays in its field
    assert!(!caller("StringLike", "aws:PrincipalArn", "arn:aws:iam:*:role/deployer"));
    assert!(!caller("StringLike", "aws:SourceArn", "arn:aws:lambda:*:123456789012:function:x"));
    assert!(caller("ArnLike", "aws:SourceArn", "arn:aws:lambda:*:123456789012:function:x"));
    // an EKS subject's namespace narrows it
    let eks = "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    let key = "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub";
    assert!(narrows(eks, false, "StringLike", key, &["system:serviceaccount:ci:*"]));
    assert!(!narrows(eks, false, "StringLike", key, &["system:serviceaccount:*:deployer"]));
}

#[test]
fn found_by_the_fourth_review() {
    let sub = |provider: &str, value: &str| {
        let principal = format!("arn:aws:iam::1:oidc-provider/{provider}");
        narrows(&principal, false, "StringLike", &format!("{provider}:sub"), &[value])
    };
    // subjects as GitLab, Terraform Cloud, Bitbucket and CircleCI document them
    assert!(sub("gitlab.com", "project_path:mygroup/myproject:ref_type:branch:ref:*"));
    assert!(sub("gitlab.com", "project_path:mygroup/*"));
    assert!(sub("app.terraform.io", "organization:my-org:project:my-project:workspace:my-ws:run_phase:*"));
    assert!(sub("api.bitbucket.org/2.0/workspaces/w/pipelines-config/identity/oidc", "{b1c2d3e4-0000-1111}:*"));
    assert!(sub("oidc.circleci.com/org/ORGID", "org/ORGID/project/PROJID/user/*"));
    assert!(!sub("gitlab.com", "project_path:*:ref_type:branch:ref:main"));
    assert!(!sub("gitlab.com", "project_path:mygroup*"));
    assert!(!sub("gitlab.com", "*"));
    // a GitHub subject customized to ids
    assert!(sub("token.actions.githubusercontent.com", "repository_owner_id:12345:repository_id:67890:*"));
    assert!(!sub("token.actions.githubusercontent.com", "repository_owner_id:*"));
    // an EKS cluster in China
    assert!(sub("oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC", "system:serviceaccount:ci:*"));
    // an empty value matches no caller
    assert!(narrows("*", true, "StringEquals", "aws:PrincipalOrgID", &["o-abc123", ""]));
}

#[test]
fn facebook_and_amazon_name_their_application_by_app_id() {
    // found by review: neither sends an `aud`
    for provider in ["graph.facebook.com", "www.amazon.com"] {
        let key = |claim: &str| format!("{provider}:{claim}");
        assert!(!narrows(provider, false, "StringEquals", &key("aud"), &["x"]), "{provider}");
        assert!(narrows(provider, false, "StringEquals", &key("app_id"), &["x"]), "{provider}");
        assert_eq!(suggested_condition(provider).1, key("app_id"));
    }
    assert_eq!(suggested_condition("accounts.google.com").1, "accounts.google.com:aud");
    let eks = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
    assert_eq!(suggested_condition(eks).1, format!("{eks}:sub"));
}

#[test]
fn conditions_any_account_meets_do_not_narrow_every_principal() {
    // found by review: tags any account can give its own roles, an ARN
    // of any account, ForAllValues: (true without the key)
    assert!(!narrows("*", true, "StringEquals", "aws:PrincipalTag/team", &["admin"]));
    assert!(!narrows("*", true, "ArnLike", "aws:PrincipalArn", &["arn:aws:iam::*:role/deployer"]));
    assert!(narrows("*", true, "ArnLike", "aws:PrincipalArn", &["arn:aws:iam::123456789012:role/*"]));
    assert!(!narrows("*", true, "ForAllValues:StringEquals", "aws:PrincipalOrgID", &["o-abc"]));
    assert!(narrows("*", true, "ForAnyValue:StringEquals", "aws:PrincipalOrgID", &["o-abc"]));
}

#[test]
fn a_provider_key_is_set_for_its_provider_alone() {
    use TrustPrincipal::*;
    let saml = Federated("arn:aws:iam::1:saml-provider/okta");
    let github = Federated(GITHUB);
    let cognito = Federated("cognito-identity.amazonaws.com");
    let missing = without;
    let sub = "token.actions.githubusercontent.com:sub";
    assert_eq!(missing("StringLike", sub, &[github]), []);
    assert_eq!(missing("StringLike", sub, &[ServiceOrAws, github, cognito]), [ServiceOrAws, cognito]);
    assert_eq!(missing("StringEquals", "saml:aud", &[saml, github]), [github]);
    assert_eq!(missing("StringEquals", "SAML:aud", &[ServiceOrAws]), [ServiceOrAws]);
    // absent, a negated, IfExists or Null condition holds; other keys are not judged
    assert_eq!(missing("StringNotLike", sub, &[ServiceOrAws]), []);
    assert_eq!(missing("StringLikeIfExists", sub, &[ServiceOrAws]), []);
    assert_eq!(missing("Null", sub, &[ServiceOrAws]), []);
    assert_eq!(missing("ForAllValues:StringLike", sub, &[ServiceOrAws]), []);
    assert_eq!(missing("ForAnyValue:StringLike", sub, &[ServiceOrAws]), [ServiceOrAws]);
    // `Null` with `false` asks for the key: it fails without it; with `true`, or both, it does not
    let null = |values: &[String], principals: &[TrustPrincipal<'_>]| {
        principals_without_key(&TrustCondition { operator: "Null", key: sub, values }, principals).len()
    };
    assert_eq!(null(&["false".into()], &[ServiceOrAws, github, cognito]), 2);
    assert_eq!(null(&["FALSE".into()], &[ServiceOrAws]), 1);
    assert_eq!(null(&["true".into()], &[ServiceOrAws]), 0);
    assert_eq!(null(&["true".into(), "false".into()], &[ServiceOrAws]), 0);
    // and so shuts an open trust's callers out (W0509 then does not ask for a narrowing)
    assert!(narrows("*", true, "Null", "saml:sub", &["false"]));
    assert!(!narrows("*", true, "Null", "saml:sub", &["true"]));
    // a tag key may hold `.` and `:`: no provider's
    assert_eq!(missing("StringEquals", "aws:PrincipalTag/cost.center:team", &[ServiceOrAws]), []);
    assert_eq!(missing("StringEquals", "aws:RequestTag/app.example.com:owner", &[ServiceOrAws]), []);
    assert_eq!(missing("StringEquals", "aws:PrincipalOrgID", &[ServiceOrAws, github]), []);
    assert_eq!(missing("StringEquals", "sts:ExternalId", &[ServiceOrAws]), []);
    // a provider still to come may be any
    assert_eq!(missing("StringLike", sub, &[Federated("arn:aws:iam::1:oidc-provider/<\u{1}x\u{1}0>")]), []);
}

#[test]
fn a_caller_key_narrows_a_trust_of_every_principal() {
    assert!(narrows("*", true, "StringEquals", "aws:PrincipalOrgID", &["o-abc"]));
    // the caller supplies it: no narrowing of `*` (it is for a third party's account)
    assert!(!narrows("*", true, "StringEquals", "sts:ExternalId", &["\u{1}value\u{1}"]));
    assert!(!narrows("*", true, "Bool", "aws:SecureTransport", &["true"]));
    assert!(!narrows("*", true, "StringLike", "aws:PrincipalArn", &["*"]));
    assert!(!narrows("*", true, "Null", "aws:PrincipalOrgID", &["false"]));
    assert!(!conditions_narrow_trust("*", true, &[]));
}

#[test]
fn a_provider_to_come_is_narrowed_by_its_own_key_or_one_written_out() {
    // an OIDC provider's URL left at its placeholder (`${oidc}`), and a key
    // that interpolates the same param: judged by the subject
    let to_come = format!("<{STAND_IN_MARK}oidc{STAND_IN_MARK}0>");
    let provider = format!("arn:aws:iam::123456789012:oidc-provider/{to_come}");
    let key = |claim: &str| format!("{to_come}:{claim}");
    assert!(narrows(&provider, false, "StringEquals", &key("sub"), &["system:serviceaccount:ci:deployer"]));
    assert!(!narrows(&provider, false, "StringEquals", &key("aud"), &["sts.amazonaws.com"]));
    assert!(!narrows(&provider, false, "StringLike", &key("sub"), &["*"]));
    assert!(!conditions_narrow_trust(&provider, false, &[]));
    // the provider may be the one a key written out names: that host's claims
    let github = "token.actions.githubusercontent.com";
    assert!(narrows(&provider, false, "StringLike", &format!("{github}:sub"), &["repo:my-org/infra:*"]));
    assert!(!narrows(&provider, false, "StringLike", &format!("{github}:sub"), &["repo:*"]));
    // nor is it shut out by a key it may set
    let trusted = [TrustPrincipal::Federated(&provider)];
    assert!(without("StringEquals", &format!("{github}:sub"), &trusted).is_empty());
    // found by review: a key of another param, or of the same with more
    // text around it, does not name it (nor shut it out: not known yet)
    let other = format!("<{STAND_IN_MARK}other{STAND_IN_MARK}0>:sub");
    let suffixed = format!("{to_come}x:sub");
    for key in [other, suffixed] {
        assert!(!narrows(&provider, false, "StringEquals", &key, &["system:serviceaccount:ci:deployer"]), "{key}");
        assert!(without("StringEquals", &key, &trusted).is_empty());
    }
}

#[test]
fn a_url_partly_to_come_sets_only_the_keys_it_may_render() {
    // found by review: an EKS cluster whose region and id are to come is
    // no GitHub provider, nor narrowed by GitHub's key
    let mark = |name: &str| format!("<{STAND_IN_MARK}{name}{STAND_IN_MARK}0>");
    let url = format!("oidc.eks.{}.amazonaws.com/id/{}", mark("region"), mark("cluster_id"));
    let provider = format!("arn:aws:iam::123456789012:oidc-provider/{url}");
    let trusted = [TrustPrincipal::Federated(&provider)];
    let github = "token.actions.githubusercontent.com:sub";
    assert_eq!(without("StringLike", github, &trusted), trusted);
    // (shut out, W0506: not open either)
    assert!(narrows(&provider, false, "StringLike", github, &["repo:my-org/infra:*"]));
    assert!(!narrows(&provider, false, "StringNotLike", github, &["repo:my-org/infra:*"]));
    // a host it may render, written out or interpolated alike
    for host in ["OIDC.eks.us-east-1.amazonaws.com/id/ABC".to_string(), url.clone()] {
        assert!(without("StringEquals", &format!("{host}:sub"), &trusted).is_empty(), "{host}");
    }
    let sub = format!("{url}:sub");
    assert!(narrows(&provider, false, "StringEquals", &sub, &["system:serviceaccount:ci:deployer"]));
    assert!(!narrows(&provider, false, "StringLike", &sub, &["system:serviceaccount:*"]));
    // pieces in order, the last at the end
    assert_eq!(naming("oidc.eks.us-east-1.amazonaws.com/id", &url), Naming::Never);
    assert_eq!(naming("oidc.eks.amazonaws.com/id/x.example.com", &url), Naming::Never);
    // found by a second review: a key's host with values to come, against
    // a URL written out, may name it too
    let written = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
    assert_eq!(naming(&url, written), Naming::Maybe);
    let key_to_come = format!("{url}:sub");
    assert!(without("StringEquals", &key_to_come, &[TrustPrincipal::Federated(written)]).is_empty());
    // params whose names differ in case are two values to come
    assert_eq!(naming(&mark("Region"), &mark("region")), Naming::Unknown);
    // a check of every partition renders its DNS suffix as it is in each
    // (found by a third review: not as any text)
    let every = "oidc.eks.us-east-1.${partition}.dns_suffix/id/ABC";
    assert_eq!(naming(written, every), Naming::Maybe);
    assert_eq!(naming("oidc.eks.us-east-1.amazonaws.com.cn/id/ABC", every), Naming::Maybe);
    assert_eq!(naming("oidc.eks.us-east-1.amazonaws.co/id/ABC", every), Naming::Never);
    assert_eq!(naming("token.actions.githubusercontent.com", every), Naming::Never);
    assert_eq!(naming(every, every), Naming::Same);
    assert_eq!(naming(&format!("oidc.eks.{}.amazonaws.com/id/ABC", mark("region")), every), Naming::Maybe);
    assert!(per_partition(every).first().is_some_and(|aws| is_eks(aws)));
    let cognito = "cognito-identity.${partition}.dns_suffix";
    let aud = format!("{cognito}:aud");
    assert!(narrows(cognito, false, "StringEquals", &aud, &["us-east-1:12345678-abcd-abcd-abcd-123456789012"]));
    assert_eq!(suggested_condition(cognito).1, aud);
    // (found by a fourth review: and as a build in China renders it)
    let in_china = "cognito-identity.amazonaws.com.cn";
    assert!(narrows(in_china, false, "StringEquals", &format!("{in_china}:aud"), &["cn-north-1:12345678"]));
    assert_eq!(suggested_condition(in_china).1, format!("{in_china}:aud"));
    // a SAML provider, its name to come, sets no OIDC host's key
    let saml = format!("arn:aws:iam::123456789012:saml-provider/{}", mark("idp"));
    let github = "token.actions.githubusercontent.com:sub";
    assert_eq!(without("StringLike", github, &[TrustPrincipal::Federated(&saml)]).len(), 1);
    assert!(without("StringEquals", "saml:aud", &[TrustPrincipal::Federated(&saml)]).is_empty());
}

#[test]
fn a_kubernetes_subject_is_narrowed_by_its_namespace_whatever_the_provider() {
    // found by a second review: a provider still to come may be an EKS cluster
    let to_come = format!("<{STAND_IN_MARK}oidc{STAND_IN_MARK}0>");
    let provider = format!("arn:aws:iam::123456789012:oidc-provider/{to_come}");
    let sub = format!("{to_come}:sub");
    assert!(!narrows(&provider, false, "StringLike", &sub, &["system:serviceaccount:*"]));
    assert!(narrows(&provider, false, "StringLike", &sub, &["system:serviceaccount:ci:*"]));
    assert!(narrows(&provider, false, "StringLike", &sub, &["project_path:my-group/*"]));
}

#[test]
fn an_eks_cluster_is_told_to_name_a_service_account() {
    let eks = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    assert_eq!(suggested_condition(eks).2, "system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT");
    assert_eq!(suggested_condition("gitlab.example.com").2, "SUBJECT");
}
