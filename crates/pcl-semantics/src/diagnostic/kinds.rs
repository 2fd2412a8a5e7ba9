//! Every diagnostic pcl reports, as data: one variant per situation, grouped
//! by code, each with the typed facts it needs. The wording (message, label,
//! help) of every code lives here and nowhere else, beside the code table in
//! `mod.rs` that holds each code's `pcl explain` text. Checks build a
//! `DiagnosticKind` and place it with `at(span)`.
//!
//! Adding a code: a row in the `codes!` table, a variant here (with its
//! wording in `code`, `message`, `label` and `help`), and a fixture
//! `tests/fixtures/<CODE>_<what>.pcl` with its reviewed snapshot.
//!
//! Longer than 500 lines on purpose: every wording of every code in one file
//! is the point.

use pcl_syntax::Span;

use super::{Code, Diagnostic};
use crate::ir::{ParamType, ScalarType};
use crate::{MAX_COMBINATIONS, MAX_INCLUDE_DEPTH};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    // --- E0001 / E0002: syntax -------------------------------------------------
    /// A syntax error from the parser (`too_deep`: nesting beyond the limit, E0002).
    Syntax {
        too_deep: bool,
        message: String,
        label: Option<String>,
        help: Option<String>,
    },
    /// A chain of sets of one kind deeper than expansion follows (E0002).
    SetsTooDeep {
        target: String,
        below: usize,
    },
    /// A policy whose permsets are included again under other conditions
    /// more often than expansion follows (E0002).
    SetsRepeatTooOften {
        policy: String,
    },

    // --- E0100: unknown names ----------------------------------------------------
    UnknownName {
        kind: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    /// `partition` or `account`, which roles build ARNs from, is not declared.
    MissingBuiltinParam {
        why: String,
        name: String,
        want: ScalarType,
    },

    // --- E0101: duplicate names ---------------------------------------------------
    DuplicateName {
        name: String,
        first: Span,
    },
    /// Two policies (or roles) deployed under one name in one configuration.
    DeployedNameClash {
        kind: &'static str,
        name: String,
        first_name: String,
        first_item: String,
        item: String,
        first: Span,
    },
    /// A policy that two roles on two paths attach in one configuration:
    /// `attach` references it at the role's path, and IAM names a managed
    /// policy once in an account, whatever its path.
    AttachedOnTwoPaths {
        policy: String,
        path: String,
        role: String,
        first_path: String,
        first_role: String,
        first: Span,
    },
    /// A policy deployed under the name part `part` of a splittable
    /// policy takes once split.
    DeployedPartClash {
        name: String,
        item: String,
        part_name: String,
        part: u32,
        split: String,
        first: Span,
    },
    DuplicateDomainValue {
        value: String,
    },

    // --- E0102: a name used as something it is not --------------------------------
    WrongKind {
        name: String,
        is: &'static str,
        expected: &'static str,
        suggestion: Option<String>,
    },
    NotBoolFeature {
        name: String,
        domain: Vec<String>,
    },
    /// A list param written as a bare guard (`when vpcs`).
    ListParamAsGuard {
        name: String,
    },
    ParamNotComparable {
        name: String,
    },

    // --- E0200: a list where one value is expected --------------------------------
    ListDefaultForScalar {
        ty: ParamType,
    },
    ValuesetForScalar {
        name: String,
    },
    ListParamForScalar {
        name: String,
        ty: ParamType,
    },
    ListParamInterpolated {
        name: String,
        ty: ParamType,
    },

    // --- E0201: values outside a feature's domain ---------------------------------
    NeverEqual {
        var: String,
        value: String,
        domain: Vec<String>,
        suggestion: Option<String>,
    },
    DefaultOutsideDomain {
        value: String,
        feature: String,
        domain: Vec<String>,
        suggestion: Option<String>,
    },

    // --- E0202: params of the wrong type, interpolation where none is allowed -----
    /// `${param.member}` where the param's type has no such member.
    NoSuchMember {
        name: String,
        /// `None`: the param is unknown or broken (no type to name).
        ty: Option<ParamType>,
        member: String,
    },
    ParamNotArn {
        name: String,
        ty: ParamType,
    },
    CannotInterpolate {
        what: String,
    },
    BuiltinParamType {
        why: String,
        name: String,
        ty: ParamType,
        want: ScalarType,
    },
    ValuesetParamNotArn {
        param: String,
        ty: ParamType,
        set: String,
        user: String,
    },

    // --- E0203: values that do not fit their type ----------------------------------
    ListDefaultRequired {
        ty: ParamType,
    },
    /// A role path that is not an IAM path (`pcl_iam::check_iam_path` words it).
    RolePath {
        message: String,
        help: Option<String>,
    },
    /// A deployed name or description that IAM rejects (`pcl_iam` words it).
    InvalidName {
        message: String,
        help: Option<String>,
    },

    // --- E0204, E0205: param declarations -------------------------------------------
    UnknownType {
        name: String,
        suggestion: Option<String>,
        types: Vec<&'static str>,
    },
    MissingValue {
        param: String,
    },
    /// An optional param used where its guards do not make sure it has a value.
    OptionalParamUnguarded {
        param: String,
    },

    // --- E0202, E0203, E0300, E0301, E0302, E0304: IAM's rules (`iam.rs` words them) -
    IamRule {
        code: Code,
        message: String,
        label: Option<String>,
        help: Option<String>,
    },

    // --- E0301: malformed ARNs ----------------------------------------------------------
    NotAnArn {
        shown: String,
        fields: usize,
    },
    ValuesetValueNotArn {
        set: String,
        user: String,
    },

    // --- E0303, E0305: what a rendered document holds -----------------------------------
    DuplicateSid {
        sid: String,
        policy: String,
        first: Span,
    },
    EmptyList {
        what: String,
        policy: String,
    },
    EmptyPolicy {
        policy: String,
    },

    // --- E0306, E0307: fields ---------------------------------------------------------------
    MissingStatementField {
        field: &'static str,
    },
    MissingTrust {
        role: String,
    },
    DuplicateStatementField {
        field: &'static str,
        negated: &'static str,
        first: Span,
    },
    DuplicateRoleField {
        /// `role` or `policy`.
        item: &'static str,
        field: &'static str,
        first: Span,
    },
    DuplicateRolePolicy {
        verb: &'static str,
        policy: String,
        first: Span,
    },

    // --- E0400 - E0403: sets, constraints, configurations ---------------------------------
    CyclicInclude {
        chain: Vec<String>,
    },
    DefaultsViolateConstraint {
        values: String,
        constraint: String,
        explanation: String,
    },
    ConfigurationViolatesConstraint {
        values: String,
        constraint: String,
        explanation: String,
    },
    NoConfigurationLeft,
    Unsatisfiable {
        others: Vec<Span>,
    },
    ConstraintsTooLarge,
    TooManyConfigurations {
        item: String,
        deps: Vec<String>,
    },

    // --- values given from outside the file (the CLI's `--set`), shown at the
    // declaration they concern (or alone, for an unknown name) ----------------
    AssignedTwice {
        name: String,
    },
    AssignedUnknownName {
        name: String,
        suggestion: Option<String>,
        settable: Vec<String>,
    },
    AssignedWrongKind {
        name: String,
        kind: &'static str,
    },
    AssignedOutsideDomain {
        value: String,
        feature: String,
        domain: Vec<String>,
    },
    AssignedInvalidValue {
        name: String,
        ty: ParamType,
        message: String,
        help: Option<String>,
    },

    // --- W0500 - W0504: warnings -------------------------------------------------------------
    /// `because`: the constraints without which it would not be constant
    /// (empty when the enclosing guards alone make it so, or it is so by itself).
    AlwaysTrue {
        because: Vec<String>,
    },
    AlwaysFalse {
        because: Vec<String>,
    },
    Unused {
        what: &'static str,
        name: String,
    },
}

/// ", given constraint `a`" / ", given constraints `a` and `b`", or nothing.
fn because_of(constraints: &[String]) -> String {
    let names: Vec<String> = constraints.iter().map(|c| format!("`{c}`")).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!(", given constraint {one}"),
        [init @ .., last] => format!(", given constraints {} and {last}", init.join(", ")),
    }
}

/// One help line shared by two ARN checks of valuesets.
const VALUESET_ARN_HELP: &str =
    "write a full ARN (`arn:partition:service:region:account:resource`), or use a separate valueset";

impl DiagnosticKind {
    pub fn code(&self) -> Code {
        use DiagnosticKind::*;
        match self {
            Syntax { too_deep: true, .. } | SetsTooDeep { .. } | SetsRepeatTooOften { .. } => Code::TooDeep,
            Syntax { too_deep: false, .. } => Code::Syntax,
            UnknownName { .. } | MissingBuiltinParam { .. } => Code::UnknownName,
            DuplicateName { .. }
            | DuplicateDomainValue { .. }
            | DeployedNameClash { .. }
            | DeployedPartClash { .. }
            | AttachedOnTwoPaths { .. } => Code::DuplicateName,
            WrongKind { .. } | NotBoolFeature { .. } | ParamNotComparable { .. } | ListParamAsGuard { .. } => {
                Code::WrongKind
            }
            ListDefaultForScalar { .. }
            | ValuesetForScalar { .. }
            | ListParamForScalar { .. }
            | ListParamInterpolated { .. } => Code::ListForScalar,
            NeverEqual { .. } | DefaultOutsideDomain { .. } => Code::ValueOutsideDomain,
            ParamNotArn { .. }
            | NoSuchMember { .. }
            | CannotInterpolate { .. }
            | BuiltinParamType { .. }
            | ValuesetParamNotArn { .. } => Code::InterpolationType,
            ListDefaultRequired { .. } | RolePath { .. } | InvalidName { .. } => Code::InvalidValue,
            UnknownType { .. } => Code::UnknownType,
            MissingValue { .. } | OptionalParamUnguarded { .. } => Code::MissingValue,
            IamRule { code, .. } => *code,
            NotAnArn { .. } | ValuesetValueNotArn { .. } => Code::MalformedArn,
            DuplicateSid { .. } => Code::DuplicateSid,
            EmptyList { .. } | EmptyPolicy { .. } => Code::EmptyList,
            MissingStatementField { .. } | MissingTrust { .. } => Code::MissingField,
            DuplicateStatementField { .. } | DuplicateRoleField { .. } | DuplicateRolePolicy { .. } => {
                Code::DuplicateField
            }
            CyclicInclude { .. } => Code::CyclicInclude,
            DefaultsViolateConstraint { .. } | ConfigurationViolatesConstraint { .. } | NoConfigurationLeft => {
                Code::ConstraintViolated
            }
            Unsatisfiable { .. } => Code::Unsatisfiable,
            ConstraintsTooLarge | TooManyConfigurations { .. } => Code::TooManyConfigurations,
            AssignedTwice { .. } | AssignedInvalidValue { .. } => Code::InvalidValue,
            AssignedUnknownName { .. } => Code::UnknownName,
            AssignedWrongKind { .. } => Code::WrongKind,
            AssignedOutsideDomain { .. } => Code::ValueOutsideDomain,
            AlwaysTrue { .. } => Code::AlwaysTrue,
            AlwaysFalse { .. } => Code::AlwaysFalse,
            Unused { what: "param", .. } => Code::UnusedParam,
            Unused { what: "feature", .. } => Code::UnusedFeature,
            Unused { .. } => Code::UnusedSet,
        }
    }

    pub fn message(&self) -> String {
        use DiagnosticKind::*;
        match self {
            Syntax { message, .. } | IamRule { message, .. } => message.clone(),
            SetsTooDeep { .. } => format!("sets nested more than {MAX_INCLUDE_DEPTH} levels deep"),
            SetsRepeatTooOften { policy } => format!(
                "`{policy}` includes permsets again under other conditions more than {} times",
                crate::expand::MAX_REPEATED_EXPANSIONS
            ),
            UnknownName { kind, name, .. } => format!("unknown {kind} `{name}`"),
            MissingBuiltinParam { why, name, .. } => format!("{why}, which needs a param named `{name}`"),
            DuplicateName { name, .. } => format!("`{name}` is defined twice"),
            DeployedNameClash { kind, name, first_name, first_item, item, .. } if name == first_name => {
                format!("{kind} `{item}` and {kind} `{first_item}` are both deployed as `{name}`")
            }
            DeployedNameClash { kind, name, first_name, first_item, item, .. } => format!(
                "{kind} `{item}` is deployed as `{name}`, which IAM does not tell from `{first_name}` ({kind} `{first_item}`)"
            ),
            AttachedOnTwoPaths { policy, path, role, first_path, first_role, .. } => format!(
                "policy `{policy}` is attached on two paths: `{path}` by role `{role}`, `{first_path}` by role `{first_role}`"
            ),
            DeployedPartClash { name, item, part_name, part, split, .. } if name == part_name => {
                format!(
                    "policy `{item}` is deployed as `{name}`, the name of part {part} of splittable policy `{split}`"
                )
            }
            DeployedPartClash { name, item, part_name, part, split, .. } => format!(
                "policy `{item}` is deployed as `{name}`, which IAM does not tell from `{part_name}`, the name of part {part} of splittable policy `{split}`"
            ),
            DuplicateDomainValue { value } => format!("`{value}` is listed twice"),
            WrongKind { name, is, expected, .. } => {
                format!("`{name}` is {} {is}, not {} {expected}", a(is), a(expected))
            }
            NotBoolFeature { name, .. } => format!("`{name}` is not a bool feature"),
            ParamNotComparable { name } => format!("list param `{name}` cannot be compared"),
            ListParamAsGuard { name } => format!("list param `{name}` cannot be a guard"),
            ListDefaultForScalar { ty } => format!("a list is not {} `{ty}`", a(&ty.to_string())),
            ValuesetForScalar { name } => format!("valueset `{name}` is a list, but one value is expected here"),
            ListParamForScalar { name, ty } => format!("`{name}` is a list (`{ty}`), but one value is expected here"),
            ListParamInterpolated { name, .. } => format!("list param `{name}` cannot be interpolated into a string"),
            NeverEqual { var, value, .. } => format!("`{var}` can never equal `{value}`"),
            DefaultOutsideDomain { value, feature, .. } => format!("`{value}` is not a value of feature `{feature}`"),
            ParamNotArn { name, ty } => format!("`{name}` is of type `{ty}`, but an ARN is expected here"),
            NoSuchMember { name, member, .. } => format!("`{name}` has no member `{member}`"),
            CannotInterpolate { what } => format!("{what} cannot interpolate params"),
            BuiltinParamType { why, name, ty, want } => {
                format!("{why} with param `{name}` of type `{ty}`; it must be of type `{}`", want.name())
            }
            ValuesetParamNotArn { param, ty, .. } => {
                format!("`{param}` is of type `{ty}`, but this valueset is used as ARNs")
            }
            ListDefaultRequired { ty } => format!("the default of {} `{ty}` must be a list", a(&ty.to_string())),
            RolePath { message, .. } => format!("role {message}"),
            InvalidName { message, .. } => message.clone(),
            UnknownType { name, .. } => format!("unknown type `{name}`"),
            MissingValue { param } => format!("param `{param}` has neither a default nor a placeholder"),
            OptionalParamUnguarded { param } => format!("optional param `{param}` may have no value here"),
            NotAnArn { shown, .. } => format!("`{shown}` is not an ARN"),
            ValuesetValueNotArn { .. } => "this value is not an ARN, but the valueset is used as ARNs".into(),
            DuplicateSid { sid, policy, .. } => format!("Sid `{sid}` appears twice in policy `{policy}`"),
            EmptyList { what, .. } => {
                let verb = if what.starts_with("the values") { "are" } else { "is" };
                format!("{what} {verb} empty")
            }
            EmptyPolicy { policy } => format!("policy `{policy}` has no statements"),
            MissingStatementField { field } => format!("statement has no `{field}`"),
            MissingTrust { role } => format!("role `{role}` has no `trust` principal"),
            DuplicateStatementField { field, negated, .. } => format!("a statement has one `{field}` or `{negated}`"),
            DuplicateRoleField { item, field, .. } => format!("a {item} has one `{field}`"),
            DuplicateRolePolicy { verb, policy, .. } => format!("`{verb} {policy}` is given twice"),
            CyclicInclude { chain } => {
                let mut shown: Vec<String> = chain.iter().map(|m| format!("`{m}`")).collect();
                shown.push(shown.first().cloned().unwrap_or_default());
                format!("a set contains itself: {}", shown.join(" -> "))
            }
            DefaultsViolateConstraint { values, constraint, .. } => {
                format!("the defaults ({values}) violate constraint `{constraint}`")
            }
            ConfigurationViolatesConstraint { values, constraint, .. } => {
                format!("the configuration {values} violates constraint `{constraint}`")
            }
            NoConfigurationLeft => "the `--set` values leave no configuration that satisfies the constraints".into(),
            Unsatisfiable { .. } => "no configuration satisfies the constraints".into(),
            ConstraintsTooLarge => {
                format!("the constraints involve more than {MAX_COMBINATIONS} combinations of features")
            }
            TooManyConfigurations { item, deps } => {
                format!("`{item}` depends on {} features: too many configurations to render", deps.len())
            }
            AssignedTwice { name } => format!("`{name}` is given twice"),
            AssignedUnknownName { name, .. } => format!("no param or feature is named `{name}`"),
            AssignedWrongKind { name, kind } => format!("`{name}` is {kind}; only params and features can be set"),
            AssignedOutsideDomain { value, feature, .. } => format!("`{value}` is not a value of feature `{feature}`"),
            AssignedInvalidValue { name, ty, message, .. } => {
                format!("invalid value for `{name}` of type `{ty}`: {message}")
            }
            AlwaysTrue { .. } => "this guard is always true".into(),
            AlwaysFalse { .. } => "this guard is always false".into(),
            Unused { what, name } => format!("{what} `{name}` is never used"),
        }
    }

    pub fn label(&self) -> Option<String> {
        use DiagnosticKind::*;
        Some(match self {
            SetsTooDeep { target, below } => format!("`{target}` starts a chain of {} more", below + 1),
            SetsRepeatTooOften { .. } => "its expansion stops here".into(),
            UnknownName { .. } => "not defined in this file".into(),
            DuplicateName { .. } => "redefined here".into(),
            DeployedNameClash { .. } | DeployedPartClash { .. } => "deployed under the same name".into(),
            AttachedOnTwoPaths { path, policy, .. } => format!("this references `policy{path}{policy}`"),
            WrongKind { expected, .. } => format!("expected {} {expected}", a(expected)),
            NotBoolFeature { domain, .. } => format!("it takes one of {}", domain.join(", ")),
            ParamNotComparable { .. } => "a list has no single value to compare".into(),
            ListParamAsGuard { .. } => "a list has no single value to test".into(),
            ListDefaultForScalar { .. } => "expected a single value".into(),
            ListParamForScalar { .. } => "a list where a single value is expected".into(),
            ListParamInterpolated { name, ty } => format!("`{name}` is {} `{ty}`", a(&ty.to_string())),
            NoSuchMember { ty: Some(ty), .. } if ty.list || ty.scalar != pcl_iam::ScalarType::Partition => {
                format!("type `{ty}` has no members")
            }
            NoSuchMember { .. } => format!("the members of a partition: {}", members_list()),
            NeverEqual { var, domain, .. } => format!("`{var}` is one of {}", domain.join(", ")),
            DefaultOutsideDomain { domain, .. } => format!("expected one of {}", domain.join(", ")),
            ValuesetParamNotArn { set, user, .. } | ValuesetValueNotArn { set, user } => {
                format!("`{set}` is used as ARNs in `{user}`")
            }
            Syntax { label, .. } | IamRule { label, .. } => return label.clone(),
            MissingBuiltinParam { name, want, .. } => format!("declare `param {name}: {}`", want.name()),
            DuplicateDomainValue { .. } => "already in the domain".into(),
            ValuesetForScalar { .. } => "a valueset always renders as a list".into(),
            CannotInterpolate { .. } => "rendered as written: `${...}` is not replaced here".into(),
            ParamNotArn { name, ty } => format!("`{name}` holds {} `{ty}`", a(&ty.to_string())),
            BuiltinParamType { ty, .. } => format!("declared as `{ty}`"),
            ListDefaultRequired { .. } => "this is a single value; write `[...]`".into(),
            RolePath { .. } => "not an IAM path".into(),
            InvalidName { .. } => "IAM rejects this".into(),
            UnknownType { types, .. } => format!("the types are {}, and `list<T>`", types.join(", ")),
            MissingValue { .. } => "nothing to render when no value is set".into(),
            OptionalParamUnguarded { .. } => "rendered even when it is absent".into(),
            MissingStatementField { field } => {
                format!("every statement needs exactly one `{field}` or `not{field}`")
            }
            MissingTrust { .. } => "nobody may assume this role".into(),
            NotAnArn { shown, fields } if shown.starts_with("arn:") => {
                format!("{fields} fields, expected 6: `arn:partition:service:region:account:resource`")
            }
            NotAnArn { .. } => "expected an ARN or `*`".into(),
            DuplicateSid { .. } => "second statement with this Sid".into(),
            EmptyList { policy, .. } => format!("renders as an empty list in `{policy}`"),
            EmptyPolicy { .. } => "renders as an empty policy document".into(),
            DuplicateStatementField { .. } | DuplicateRoleField { .. } | DuplicateRolePolicy { .. } => {
                "second one here".into()
            }
            CyclicInclude { .. } => "this reference closes the cycle".into(),
            DefaultsViolateConstraint { explanation, .. } | ConfigurationViolatesConstraint { explanation, .. } => {
                explanation.clone()
            }
            Unsatisfiable { .. } => "these constraints exclude every configuration together".into(),
            ConstraintsTooLarge => "pcl cannot decide which configurations they allow".into(),
            TooManyConfigurations { deps, .. } => {
                format!("more than {MAX_COMBINATIONS} combinations of {}", deps.join(", "))
            }
            AssignedTwice { .. }
            | AssignedWrongKind { .. }
            | AssignedOutsideDomain { .. }
            | AssignedInvalidValue { .. } => "declared here".into(),
            AlwaysTrue { because } => {
                format!("true in every configuration where it is evaluated{}", because_of(because))
            }
            AlwaysFalse { because } => {
                format!("false in every configuration where it is evaluated{}", because_of(because))
            }
            Unused { .. } => "declared here".into(),
            _ => return None,
        })
    }

    pub fn help(&self) -> Option<String> {
        use DiagnosticKind::*;
        Some(match self {
            Syntax { help, .. } | IamRule { help, .. } => return help.clone(),
            SetsTooDeep { .. } => "flatten the chain of sets; what lies deeper would not be rendered".into(),
            SetsRepeatTooOften { .. } => "a permset included under two conditions renders under each: permsets that each include the next under two render 2^depth statements; include each under one condition".into(),
            UnknownName { kind, name, suggestion } => {
                suggestion.clone().unwrap_or_else(|| format!("declare it with `{kind} {name} ...`"))
            }
            MissingBuiltinParam { name, want, .. } | BuiltinParamType { name, want, .. } => {
                format!("declare `param {name}: {} ...;`", want.name())
            }
            DuplicateName { .. } => {
                "names share one namespace across params, features, sets, policies and roles; rename one".into()
            }
            DuplicateDomainValue { .. } => "remove the repeated value".into(),
            DeployedNameClash { .. } => {
                "IAM names are unique in an account (compared without case): give one another `name`, or guard them so that they are never deployed together".into()
            }
            AttachedOnTwoPaths { .. } => {
                "`attach` references a policy at the attaching role's path, and IAM names a managed policy once in an account, whatever its path: give the roles one path, or attach a policy of another name (or guard them so that they are never deployed together)".into()
            }
            DeployedPartClash { .. } => {
                "a splittable policy deploys its parts under its name with `-2`, `-3`, ... once it outgrows IAM's size limit: give one another `name`, or guard them so that they are never deployed together".into()
            }
            WrongKind { suggestion, .. } => return suggestion.clone(),
            NotBoolFeature { name, domain } => {
                format!("compare it with a value: `{name} == {}`", domain.first().cloned().unwrap_or_default())
            }
            ParamNotComparable { .. } => "compare a feature or a scalar param".into(),
            ListParamAsGuard { .. } => {
                "test a feature, or a scalar param (it holds when the param has a value); an empty list renders nothing where it is spliced".into()
            }
            ListDefaultForScalar { ty } => format!("declare the param as `list<{}>`, or give one value", ty.scalar.name()),
            ValuesetForScalar { .. } => "use a single string or a param of type `arn`".into(),
            ListParamForScalar { ty, .. } => {
                format!("declare it as `{}`, or use it where a list is allowed", ty.scalar.name())
            }
            ListParamInterpolated { name, .. } => format!("write `{name}` as a list item of its own to splice its values"),
            NeverEqual { domain, suggestion, .. } => {
                suggestion.clone().unwrap_or_else(|| format!("compare with one of {}", domain.join(", ")))
            }
            DefaultOutsideDomain { suggestion, .. } => return suggestion.clone(),
            ParamNotArn { .. } => "declare the param with type `arn`, or write the ARN as a string".into(),
            NoSuchMember { ty: Some(ty), name, .. } if ty.list || ty.scalar != pcl_iam::ScalarType::Partition => {
                format!("only a `partition` param has members: write `${{{name}}}`")
            }
            NoSuchMember { member, .. } => match pcl_iam::suggest(member, pcl_iam::partitions::PARTITION_MEMBERS) {
                Some(did_you_mean) => did_you_mean,
                None => format!("write one of {}", members_list()),
            },
            CannotInterpolate { .. } => "write the text literally, or `\\${` for a literal `${`".into(),
            ValuesetParamNotArn { .. } | ValuesetValueNotArn { .. } => VALUESET_ARN_HELP.into(),
            ListDefaultRequired { .. } => "write it in brackets: `[\"...\"]`".into(),
            RolePath { help, .. } | InvalidName { help, .. } => return help.clone(),
            UnknownType { name: _, suggestion, types } => suggestion
                .clone()
                .unwrap_or_else(|| format!("the types are {}, and list<T>", types.join(", "))),
            OptionalParamUnguarded { param } => {
                format!("guard this use (or the statement, list item or item around it) with `when {param}`, which holds when it has a value")
            }
            MissingValue { param } => {
                format!("add `placeholder \"<{}>\"` to render it when no value is given", param.to_uppercase())
            }
            NotAnArn { shown, .. } if shown.starts_with("arn:") => {
                "an ARN has six `:`-separated fields; empty region or account fields are written `::`".into()
            }
            NotAnArn { .. } => "resources are ARNs, `*`, or params of type `arn`".into(),
            DuplicateSid { .. } => "Sids must be unique within a policy document; rename one".into(),
            EmptyList { .. } => "IAM rejects an empty list: give the list an unguarded item, guard the whole statement like its items, or give the param a value".into(),
            EmptyPolicy { .. } => {
                "IAM rejects a policy without statements: guard the policy like its statements".into()
            }
            MissingStatementField { field } => {
                let example = if *field == "action" { "action [service:Action];" } else { "resource \"*\";" };
                format!("add e.g. `{example}` (or `not{field}`)")
            }
            MissingTrust { .. } => "add e.g. `trust service \"ec2.amazonaws.com\";`".into(),
            DuplicateStatementField { field, negated, .. } => {
                format!("merge the lists; a statement cannot have both `{field}` and `{negated}`")
            }
            DuplicateRoleField { .. } => "remove one of them".into(),
            DuplicateRolePolicy { .. } => {
                "a role lists each policy once; guard one entry with both conditions instead".into()
            }
            CyclicInclude { .. } => "remove one of the references; a set cannot contain itself".into(),
            DefaultsViolateConstraint { .. } => "change the default of one of these features".into(),
            ConfigurationViolatesConstraint { .. } | NoConfigurationLeft => "change one of the `--set` values".into(),
            Unsatisfiable { .. } => "relax one of the constraints".into(),
            ConstraintsTooLarge => "constrain fewer features, or split a large constraint".into(),
            TooManyConfigurations { .. } => "split the item, or guard its parts with fewer features".into(),
            AssignedTwice { .. } => "give each name once; lists take comma-separated values".into(),
            AssignedUnknownName { suggestion, settable, .. } => suggestion.clone().unwrap_or_else(|| {
                if settable.is_empty() {
                    "the file declares no param or feature: nothing can be set".to_string()
                } else {
                    format!("settable names: {}", settable.join(", "))
                }
            }),
            AssignedWrongKind { .. } => return None,
            AssignedOutsideDomain { value, domain, .. } => {
                // `Slurm` for `slurm`: values are case-sensitive
                match domain.iter().find(|d| d.eq_ignore_ascii_case(value)) {
                    Some(d) => format!("did you mean `{d}`? Values are case-sensitive; allowed: {}", domain.join(", ")),
                    None => format!("allowed: {}", domain.join(", ")),
                }
            }
            AssignedInvalidValue { help, .. } => return help.clone(),
            AlwaysTrue { .. } => "remove the `when` clause, or check the enclosing guards and constraints".into(),
            AlwaysFalse { .. } => "what it guards is never rendered; remove it or fix the condition".into(),
            Unused { what, .. } => format!("remove it, or use it; nothing renders differently because of this {what}"),
        })
    }

    /// Secondary labels: spans the kind carries, with their text.
    fn secondary(&self) -> Vec<(Span, std::borrow::Cow<'static, str>)> {
        use DiagnosticKind::*;
        match self {
            DuplicateName { first, .. } => vec![(*first, "first defined here".into())],
            DeployedNameClash { first, .. } => vec![(*first, "this one is deployed in the same configurations".into())],
            AttachedOnTwoPaths { first_path, first, .. } => {
                vec![(*first, format!("attached at `{first_path}` here, in the same configurations").into())]
            }
            DeployedPartClash { first, part, part_name, .. } => vec![(
                *first,
                format!(
                    "this one is deployed in the same configurations, and its part {part}, once split, as `{part_name}`"
                )
                .into(),
            )],
            DuplicateSid { first, .. } => vec![(*first, "first statement with this Sid".into())],
            DuplicateStatementField { first, .. }
            | DuplicateRoleField { first, .. }
            | DuplicateRolePolicy { first, .. } => {
                vec![(*first, "first one here".into())]
            }
            Unsatisfiable { others } => others.iter().map(|s| (*s, "and this one".into())).collect(),
            _ => Vec::new(),
        }
    }

    /// The diagnostic, with its primary span at `span`.
    pub fn at(self, span: Span) -> Diagnostic {
        let mut d = Diagnostic::new(self.code(), span, self.message());
        d.label = self.label();
        d.help = self.help();
        for (s, text) in self.secondary() {
            d = d.with_secondary(s, text);
        }
        d
    }
}

/// `dns_suffix` (and any other member a partition has), for messages.
fn members_list() -> String {
    pcl_iam::partitions::PARTITION_MEMBERS.map(|m| format!("`{m}`")).join(", ")
}

/// The indefinite article before `word`, as written in a message (`an
/// actionset`, `an `arn``, `a policy`).
pub(crate) fn a(word: &str) -> &'static str {
    match word.trim_start_matches('`').chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}
