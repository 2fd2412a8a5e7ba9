#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
use super::*;
use pcl_semantics::expand::ExpandedCondition;
use pcl_syntax::Span;

fn rendered(values: &[&str], scalar: bool) -> Rendered {
    Rendered { values: values.iter().map(|v| v.to_string()).collect(), scalar }
}

fn condition(operator: &str, key: &str, values: &[&str], scalar: bool) -> ExpandedCondition {
    ExpandedCondition {
        operator: operator.into(),
        key: key.into(),
        key_interpolated: false,
        values: rendered(values, scalar),
        span: Span::new(0, 0),
    }
}

/// Shapes no checked source renders (a key twice under one operator is
/// an error, E0315), which the writer must still print as the values did.
#[test]
fn merged_keys_and_principals_are_written_as_the_values_were() {
    let statement = ExpandedStatement {
        sid: Some(("Odd \"sid\"\t".into(), Span::new(0, 0))),
        effect: Effect::Deny,
        not_action: true,
        actions: rendered(&["s3:GetObject"], true),
        action_span: Span::new(0, 0),
        not_resource: false,
        resources: rendered(&[], false),
        kept_stars: 0,
        resource_span: Span::new(0, 0),
        conditions: vec![
            condition("StringEquals", "aws:SourceAccount", &["1"], true),
            condition("StringLike", "aws:SourceArn", &["a", "b"], false),
            condition("StringEquals", "aws:SourceAccount", &["2", "3"], false),
            condition("StringEquals", "aws:SourceAccount", &["4"], true),
            condition("StringLike", "aws:SourceArn", &[], false),
        ],
    };
    let policy = ExpandedPolicy {
        name: "p".into(),
        deployed_name: "P\u{1}".into(),
        description: None,
        statements: vec![statement.clone(), ExpandedStatement { conditions: Vec::new(), ..statement }],
    };
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap() + "\n";
    assert_eq!(policy_document(&policy).pretty(), pretty(&by_value::policy_document(&policy)));
    let role = |trust: Vec<(PrincipalKind, Rendered)>, inline: Vec<ExpandedPolicy>| ExpandedRole {
        trust_conditions: Vec::new(),
        trust_actions: Vec::new(),
        name: "r".into(),
        deployed_name: Some("R".into()),
        description: Some("é \u{7f}".into()),
        path: Some("/".into()),
        path_interpolated: false,
        trust,
        managed: vec!["arn:aws:iam::aws:policy/A".into()],
        inline,
        boundary: Some("arn:aws:iam::1:policy/B".into()),
    };
    let roles = [
        role(
            vec![
                (PrincipalKind::Service, rendered(&["ec2.amazonaws.com"], true)),
                (PrincipalKind::Aws, rendered(&["arn:aws:iam::1:root"], false)),
                (PrincipalKind::Service, rendered(&["lambda.amazonaws.com", "batch.amazonaws.com"], false)),
                (PrincipalKind::Service, rendered(&["x"], true)),
            ],
            vec![policy.clone(), policy.clone()],
        ),
        role(vec![(PrincipalKind::Federated, rendered(&["cognito-identity.amazonaws.com"], true))], Vec::new()),
        role(Vec::new(), Vec::new()),
        // a field with conditions on its own, after those without
        ExpandedRole {
            trust_conditions: vec![(0, statement.conditions.clone())],
            ..role(
                vec![
                    (PrincipalKind::Federated, rendered(&["arn:aws:iam::1:oidc-provider/x.com"], true)),
                    (PrincipalKind::Service, rendered(&["ec2.amazonaws.com"], true)),
                ],
                Vec::new(),
            )
        },
        // a field whose block grants actions: a statement of its own,
        // its actions after the principals' own, as IAM spells them, once
        ExpandedRole {
            trust_actions: vec![(
                1,
                ["sts:tagsession", "sts:SetSourceIdentity", "sts:TagSession"]
                    .map(|a| (a.to_string(), Span::default()))
                    .to_vec(),
            )],
            ..role(
                vec![
                    (PrincipalKind::Service, rendered(&["ec2.amazonaws.com"], true)),
                    (PrincipalKind::Service, rendered(&["pods.eks.amazonaws.com"], true)),
                ],
                Vec::new(),
            )
        },
        // every field with conditions: no statement without them
        ExpandedRole {
            trust_conditions: vec![(0, statement.conditions.iter().take(1).cloned().collect())],
            ..role(vec![(PrincipalKind::Aws, rendered(&["*"], true))], Vec::new())
        },
    ];
    let granted = by_value::role_properties(&roles[4]);
    let statements = &granted["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(statements[0]["Action"], serde_json::json!("sts:AssumeRole"));
    assert_eq!(
        statements[1]["Action"],
        serde_json::json!(["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"])
    );
    assert_eq!(statements[1]["Principal"], serde_json::json!({"Service": "pods.eks.amazonaws.com"}));
    for r in &roles {
        let value = by_value::role_properties(r);
        assert_eq!(role_properties(r).pretty(), pretty(&value));
        assert_eq!(RoleFacts::of_role(r), RoleFacts::of_value(&value));
    }
}
