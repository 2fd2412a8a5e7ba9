//! IAM's syntax rules: actions, condition operators, Sids, ARNs, and the
//! values of params (accounts, regions, partitions). Pure functions that
//! return a `Problem`: a message and an optional help line.

use crate::{PARTITIONS, ScalarType};

pub struct Problem {
    pub message: String,
    pub help: Option<String>,
    /// For ARNs: the index of the offending field (0 = `arn`, 5 = resource).
    pub field: Option<ArnField>,
    /// A param of the wrong type, rather than malformed text.
    pub type_mismatch: bool,
}

pub(crate) fn problem_owned(message: String, help: Option<String>) -> Problem {
    Problem { message, help, field: None, type_mismatch: false }
}

impl Problem {
    /// A problem with only a message.
    pub fn new(message: impl Into<String>) -> Problem {
        problem_owned(message.into(), None)
    }
}

pub(crate) fn problem(message: impl Into<String>, help: Option<&str>) -> Problem {
    Problem { message: message.into(), help: help.map(str::to_string), field: None, type_mismatch: false }
}

fn in_field(field: ArnField, mut p: Problem) -> Problem {
    p.field = Some(field);
    p
}

/// `*`, or `service:Action` where the action name may hold `*` and `?`.
pub fn check_action(action: &str) -> Result<(), Problem> {
    if action == "*" {
        return Ok(());
    }
    let Some((service, name)) = action.split_once(':') else {
        return Err(problem(
            format!("`{action}` is not an IAM action"),
            Some("actions are written `service:Action`, e.g. `ec2:DescribeInstances`"),
        ));
    };
    if service.is_empty() {
        return Err(problem(format!("`{action}` has no service prefix"), Some("write `service:Action`")));
    }
    if service.contains(['*', '?']) {
        return Err(problem(
            format!("wildcard in the service prefix of `{action}`"),
            Some("IAM allows wildcards only in the action name (`ec2:Describe*`) or `*` alone"),
        ));
    }
    if !service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(problem(format!("invalid service prefix `{service}` in `{action}`"), None));
    }
    if name.is_empty() {
        return Err(problem(format!("`{action}` has no action name"), Some("use `service:*` for every action")));
    }
    // (`vpc-lattice:AssociateViaAWSService-EventsAndStates` holds a `-`)
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?') {
        return Err(problem(
            format!("invalid character in action name `{name}`"),
            Some("action names hold letters, digits, `-` and the wildcards `*` and `?`"),
        ));
    }
    Ok(())
}

const OPERATORS: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// The prefixes that apply an operator to each value of a multi-valued key.
pub const SET_OPERATOR_PREFIXES: [&str; 2] = ["ForAnyValue:", "ForAllValues:"];

/// Whether `base` (without a set prefix) takes an `IfExists` suffix: every
/// operator but `Null`, which tests for absence itself.
fn takes_if_exists(base: &str) -> bool {
    base != "Null"
}

/// Every operator without a set prefix: each of IAM's, followed by its
/// `IfExists` form.
fn unprefixed_operators() -> impl Iterator<Item = String> {
    OPERATORS.iter().flat_map(|o| {
        let if_exists = takes_if_exists(o).then(|| format!("{o}IfExists"));
        std::iter::once(o.to_string()).chain(if_exists)
    })
}

/// Every operator `check_operator` accepts: the unprefixed ones, then the
/// same after each set prefix (what an editor offers after `condition`).
pub fn condition_operators() -> impl Iterator<Item = String> {
    let prefixed = SET_OPERATOR_PREFIXES.iter().flat_map(|p| unprefixed_operators().map(move |o| format!("{p}{o}")));
    unprefixed_operators().chain(prefixed)
}

/// IAM's condition operators, with `IfExists` and `ForAllValues:`/`ForAnyValue:`.
pub fn check_operator(op: &str) -> Result<(), Problem> {
    let base = SET_OPERATOR_PREFIXES.iter().find_map(|p| op.strip_prefix(p)).unwrap_or(op);
    let (base, if_exists) = match base.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (base, false),
    };
    if OPERATORS.contains(&base) && (!if_exists || takes_if_exists(base)) {
        return Ok(());
    }
    let mut p = problem(format!("unknown condition operator `{op}`"), None);
    // only operators it accepts (never `NullIfExists`)
    let candidates: Vec<String> = unprefixed_operators().collect();
    p.help = crate::suggest(op, candidates.iter().map(String::as_str))
        .or_else(|| Some("see the IAM condition operators, e.g. `StringEquals`, `ArnLike`, `Bool`".into()));
    Err(p)
}

pub fn is_arn_operator(op: &str) -> bool {
    op.contains("Arn")
}

/// IAM accepts only ASCII letters and digits in a Sid.
pub fn check_sid(sid: &str) -> Result<(), Problem> {
    if sid.is_empty() {
        return Err(problem("empty Sid", Some("remove the Sid, or give it letters and digits")));
    }
    if let Some(bad) = sid.chars().find(|c| !c.is_ascii_alphanumeric()) {
        let fixed: String = sid.chars().filter(char::is_ascii_alphanumeric).collect();
        // the letters and digits it has, unless it has none (an empty Sid is
        // an error too); unique in its document, as every Sid must be
        let help = match fixed.is_empty() {
            true => "a Sid holds only A-Z, a-z and 0-9, unique in its document; give it some, or remove it".to_string(),
            false => format!("a Sid holds only A-Z, a-z and 0-9, unique in its document; e.g. `{fixed}`"),
        };
        return Err(problem(format!("Sid `{sid}` contains `{bad}`, which IAM rejects"), Some(&help)));
    }
    Ok(())
}

pub fn is_region(s: &str) -> bool {
    // e.g. us-east-1, us-gov-west-1, cn-north-1, ap-southeast-2; else a
    // partition's own shape (`eusc-de-east-1`, whose prefix is longer)
    let parts: Vec<&str> = s.split('-').collect();
    let shaped = parts.len() >= 3
        && parts.first().is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts.last().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && parts
            .iter()
            .skip(1)
            .take(parts.len().saturating_sub(2))
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()));
    shaped || crate::partitions::region_partition(s).is_some()
}

pub(crate) fn is_account(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// A region field of an ARN pattern: a region, empty, or a pattern with wildcards.
/// A field that is one policy variable (`${aws:PrincipalAccount}`): IAM
/// puts the request's value there.
fn policy_variable(s: &str) -> bool {
    s.starts_with("${") && s.ends_with('}')
}

fn region_pattern_ok(s: &str) -> bool {
    s.is_empty()
        || policy_variable(s)
        || s.contains(['*', '?'])
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '*' || c == '?')
        || is_region(s)
}

fn account_pattern_ok(s: &str) -> bool {
    s.is_empty()
        || policy_variable(s)
        || s == "aws"
        || is_account(s)
        || s.contains(['*', '?']) && s.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '?')
}

/// Checks a value given for a param of the given scalar type.
pub fn check_scalar_value(ty: ScalarType, value: &str) -> Result<(), Problem> {
    match ty {
        ScalarType::String => Ok(()),
        ScalarType::Account if is_account(value) => Ok(()),
        ScalarType::Account => Err(problem(
            format!("`{value}` is not an AWS account id"),
            Some("an account id is 12 digits, e.g. `123456789012`"),
        )),
        ScalarType::Region if value == "*" || is_region(value) => Ok(()),
        ScalarType::Region => Err(problem(
            format!("`{value}` is not an AWS region"),
            Some("e.g. `us-east-1`, `us-gov-west-1`, `cn-north-1`, or `*`"),
        )),
        ScalarType::Partition if PARTITIONS.contains(&value) => Ok(()),
        ScalarType::Partition => Err(problem(
            format!("`{value}` is not an AWS partition"),
            Some(&format!("allowed: {}", PARTITIONS.join(", "))),
        )),
        ScalarType::Arn => check_concrete_arn(value),
    }
}

/// A concrete ARN (no interpolation), e.g. a `--set` value.
pub fn check_concrete_arn(value: &str) -> Result<(), Problem> {
    let mut split = crate::arn_split(value);
    let fields: Vec<&str> = split.by_ref().take(6).collect();
    let [arn, partition, service, region, account, first_of_resource] = fields.as_slice() else {
        return Err(problem(
            format!("`{value}` is not an ARN"),
            Some("an ARN is `arn:partition:service:region:account:resource`"),
        ));
    };
    // (the resource is the rest, `:`s and all)
    let resource_empty = first_of_resource.is_empty() && split.next().is_none();
    check_fields(
        arn,
        &Field::Text(partition),
        &Field::Text(service),
        &Field::Text(region),
        &Field::Text(account),
        resource_empty,
    )
}

/// The six `:`-separated fields of an ARN, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArnField {
    Prefix,
    Partition,
    Service,
    Region,
    Account,
    Resource,
}

impl ArnField {
    /// Its position among the six.
    pub fn index(self) -> usize {
        self as usize
    }

    /// How a diagnostic names it.
    pub fn label(self) -> &'static str {
        match self {
            ArnField::Prefix => "the ARN prefix",
            ArnField::Partition => "the partition field",
            ArnField::Service => "the service field",
            ArnField::Region => "the region field",
            ArnField::Account => "the account field",
            ArnField::Resource => "the resource field",
        }
    }
}

/// One field of an ARN template: literal text, or exactly one param.
pub enum Field<'a> {
    Text(&'a str),
    Param(ScalarType, &'a str),
    Mixed,
}

/// The first problem of an ARN's fields (see `field_problems`).
pub fn check_fields(
    arn: &str,
    partition: &Field<'_>,
    service: &Field<'_>,
    region: &Field<'_>,
    account: &Field<'_>,
    resource_empty: bool,
) -> Result<(), Problem> {
    match field_problems(arn, partition, service, region, account, resource_empty).into_iter().next() {
        Some(p) => Err(p),
        None => Ok(()),
    }
}

/// The problems of an ARN's fields, each in its field, in order: all of
/// them, but none past a prefix that is not `arn` (the rest is then no
/// ARN's fields).
pub fn field_problems(
    arn: &str,
    partition: &Field<'_>,
    service: &Field<'_>,
    region: &Field<'_>,
    account: &Field<'_>,
    resource_empty: bool,
) -> Vec<Problem> {
    if arn != "arn" {
        return vec![in_field(ArnField::Prefix, problem("an ARN starts with `arn:`", None))];
    }
    let mut problems = Vec::new();
    let partition_problem = match partition {
        Field::Text(p) if PARTITIONS.contains(p) || *p == "*" => None,
        Field::Param(ScalarType::Partition, _) => None,
        Field::Param(ty, name) => Some(type_problem("partition", name, *ty, "partition")),
        Field::Text(p) => Some(Problem {
            help: crate::suggest(p, PARTITIONS)
                .or_else(|| Some(format!("use `${{partition}}` or one of {}", PARTITIONS.join(", ")))),
            ..problem(format!("invalid partition `{p}` in ARN"), None)
        }),
        Field::Mixed => Some(problem("the partition field of an ARN must be one value", Some("use `${partition}`"))),
    };
    if let Some(p) = partition_problem {
        problems.push(in_field(ArnField::Partition, p));
    }
    let service_problem = match service {
        Field::Text(s)
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
        {
            None
        }
        Field::Text(s) => Some(problem(
            format!("invalid service `{s}` in ARN"),
            Some("the service field is a lower-case service name such as `iam` or `s3`"),
        )),
        _ => Some(problem("the service field of an ARN cannot be interpolated", None)),
    };
    if let Some(p) = service_problem {
        problems.push(in_field(ArnField::Service, p));
    }
    let region_problem = match region {
        Field::Text(r) if region_pattern_ok(r) => None,
        Field::Param(ScalarType::Region, _) | Field::Mixed => None,
        Field::Param(ty, name) => Some(type_problem("region", name, *ty, "region")),
        Field::Text(r) => Some(problem(
            format!("invalid region `{r}` in ARN"),
            Some("use `${region}`, `*`, a region such as `us-east-1`, or leave it empty"),
        )),
    };
    if let Some(p) = region_problem {
        problems.push(in_field(ArnField::Region, p));
    }
    let account_problem = match account {
        Field::Text(a) if account_pattern_ok(a) => None,
        Field::Param(ScalarType::Account, _) => None,
        Field::Param(ty, name) => Some(type_problem("account", name, *ty, "account")),
        Field::Text(a) => Some(problem(
            format!("invalid account `{a}` in ARN"),
            Some("use `${account}`, `*`, `aws`, 12 digits, or leave it empty"),
        )),
        Field::Mixed => Some(problem("the account field of an ARN must be one value", Some("use `${account}`"))),
    };
    if let Some(p) = account_problem {
        problems.push(in_field(ArnField::Account, p));
    }
    if resource_empty {
        problems.push(in_field(
            ArnField::Resource,
            problem("the ARN has no resource part", Some("e.g. `role/parallelcluster/*`")),
        ));
    }
    problems
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn type_problem(field: &str, name: &str, ty: ScalarType, want: &str) -> Problem {
    Problem {
        type_mismatch: true,
        ..problem(
            format!(
                "`{name}` is of type `{}`, but the {field} field of an ARN needs {} `{want}`",
                ty.name(),
                article(want)
            ),
            Some(&format!("interpolate a param of type `{want}` here")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScalarType;

    /// Every field's problem is found, not only the first's (a review found
    /// the account field's reported only once the region's was fixed); a
    /// prefix that is not `arn` stops there.
    #[test]
    fn every_field_has_its_problem() {
        let (region, account) =
            (Field::Param(ScalarType::Account, "account"), Field::Param(ScalarType::Region, "region"));
        let found = field_problems("arn", &Field::Text("aws"), &Field::Text("ec2"), &region, &account, true);
        let fields: Vec<Option<ArnField>> = found.iter().map(|p| p.field).collect();
        assert_eq!(fields, [Some(ArnField::Region), Some(ArnField::Account), Some(ArnField::Resource)]);
        assert!(
            check_fields("arn", &Field::Text("aws"), &Field::Text("ec2"), &region, &account, true)
                .is_err_and(|p| p.field == Some(ArnField::Region))
        );
        let found = field_problems("nra", &Field::Text("x"), &Field::Text("EC2"), &region, &account, true);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn actions() {
        assert!(check_action("ec2:Describe*").is_ok());
        assert!(check_action("SNS:DeleteTopic").is_ok());
        assert!(check_action("*").is_ok());
        assert!(check_action("ec*:Describe").is_err());
        assert!(check_action("ec2").is_err());
        assert!(check_action("ec2:").is_err());
        assert!(check_action("ec2:Desc ribe").is_err());
        // found by review: an action of the catalog was E0300
        assert!(check_action("vpc-lattice:AssociateViaAWSService-EventsAndStates").is_ok());
    }

    #[test]
    fn operators() {
        assert!(check_operator("StringEqualsIfExists").is_ok());
        assert!(check_operator("ForAnyValue:StringLike").is_ok());
        assert!(check_operator("ArnLike").is_ok());
        assert!(check_operator("NullIfExists").is_err());
        assert!(check_operator("StringEqual").is_err());
    }

    /// The list an editor offers holds every form `check_operator` accepts,
    /// and nothing it rejects; a did-you-mean names an accepted operator.
    #[test]
    fn every_offered_operator_is_accepted() {
        let offered: Vec<String> = condition_operators().collect();
        assert!(offered.iter().all(|o| check_operator(o).is_ok()), "{offered:?}");
        for accepted in ["StringLikeIfExists", "ForAnyValue:StringEquals", "ForAllValues:ArnLikeIfExists", "Null"] {
            assert!(offered.iter().any(|o| o == accepted), "{accepted}");
        }
        assert_eq!(offered.len(), 3 * (OPERATORS.len() * 2 - 1));
        let help = check_operator("NullIfExist").err().and_then(|p| p.help).unwrap_or_default();
        assert!(!help.contains("`NullIfExists`"), "{help}");
    }

    #[test]
    fn values() {
        assert!(check_scalar_value(ScalarType::Account, "123456789012").is_ok());
        assert!(check_scalar_value(ScalarType::Account, "12345").is_err());
        assert!(check_scalar_value(ScalarType::Region, "us-gov-west-1").is_ok());
        assert!(check_scalar_value(ScalarType::Region, "moon").is_err());
        // a region of `aws-eusc`, whose prefix is no two letters
        assert!(check_scalar_value(ScalarType::Region, "eusc-de-east-1").is_ok());
        assert!(check_scalar_value(ScalarType::Arn, "arn:aws:iam::123456789012:policy/x").is_ok());
        assert!(check_scalar_value(ScalarType::Arn, "arn:aws:iam::12:policy/x").is_err());
        assert!(check_scalar_value(ScalarType::Arn, "arn:aws:iam::aws:").is_err());
        // found by review: `?` matches one character in every field but the
        // service, the region's too
        assert!(check_scalar_value(ScalarType::Arn, "arn:aws:ec2:us-east-?:123456789012:instance/*").is_ok());
        assert!(check_scalar_value(ScalarType::Arn, "arn:aws:ec2:US-east-?:123456789012:instance/*").is_err());
        assert!(check_scalar_value(ScalarType::Partition, "aws-cn").is_ok());
        assert!(check_sid("EC2Read").is_ok());
        assert!(check_sid("EC2 Read").is_err());
    }
}
