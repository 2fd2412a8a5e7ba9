//! Diagnostics are data: a code, a severity, a message, a primary byte span,
//! secondary labels and an optional help line. Only the CLI renders them.

use pcl_syntax::Span;

mod kinds;
mod shared;

pub use kinds::DiagnosticKind;
pub(crate) use kinds::a;
pub(crate) use shared::split_qualifier;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Declares `Code` from one table: variant, stable code, and the one-line
/// reference text shown by `pcl explain`; the long explanation of each code,
/// with a wrong and a fixed example (`tests/explain.rs` checks both), is
/// `explain/<CODE>.md`.
macro_rules! codes {
    ($($variant:ident = $code:literal : $explain:literal,)*) => {
        /// Every diagnostic pcl can produce. A code starting with `W` is a
        /// warning, with `E` an error.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The code written `code` (`"W0509"`), if there is one. From a
            /// table: a `match` of string patterns compares the text with
            /// each code in turn, and every `expect` of a file is looked up
            /// after every edit.
            pub fn from_code(code: &str) -> Option<Code> {
                static BY_CODE: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, Code>> =
                    std::sync::LazyLock::new(|| Code::ALL.iter().map(|c| (c.as_str(), *c)).collect());
                BY_CODE.get(code).copied()
            }

            pub fn explain(self) -> &'static str {
                match self { $(Code::$variant => $explain,)* }
            }

            /// Why the code exists and how to fix it, in Markdown, with a
            /// ```` ```pcl wrong ```` and a ```` ```pcl fixed ```` example.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => include_str!(concat!("explain/", $code, ".md")),)* }
            }
        }
    };
}

codes! {
    Syntax = "E0001": "the text does not follow the grammar of pcl",
    TooDeep = "E0002": "an expression or a chain of sets nested deeper than pcl allows",
    UnknownName = "E0100": "a name that no item defines",
    DuplicateName = "E0101": "two items define the same name",
    WrongKind = "E0102": "a name used as something it is not (e.g. a feature where a param is expected)",
    ListForScalar = "E0200": "a list (a list param or a valueset) where a single value is expected",
    ValueOutsideDomain = "E0201": "a feature compared with, or set to, a value outside its domain",
    InterpolationType = "E0202": "a param of the wrong type where an ARN or ARN field is expected, or interpolation where none is allowed",
    InvalidValue = "E0203": "a default, role path or --set value that does not fit its type, or a --set given twice",
    UnknownType = "E0204": "a param type that does not exist",
    MissingValue = "E0205": "a param with neither a default nor a placeholder",
    MalformedAction = "E0300": "an action that is not `service:Action` with wildcards only in the action name",
    MalformedArn = "E0301": "an ARN whose partition, service, region or account field is invalid",
    UnknownOperator = "E0302": "a condition operator IAM does not know",
    DuplicateSid = "E0303": "two statements of one rendered document share a Sid",
    InvalidSid = "E0304": "a Sid with characters IAM rejects (only A-Z, a-z and 0-9 are allowed)",
    EmptyList = "E0305": "an Action, Resource, condition value or trust principal list that is empty for some configuration",
    MissingField = "E0306": "a statement without action or resource, or a role without trust",
    DuplicateField = "E0307": "a field given twice where only one is allowed",
    BadExpect = "E0308": "an `expect` of an error, of an unknown code, or without a reason",
    UnknownService = "E0310": "an action whose service prefix AWS does not have",
    UnknownAction = "E0311": "an action that its service does not have",
    PatternMatchesNothing = "E0312": "an action pattern with wildcards that matches no action of its service",
    NonAsciiName = "E0313": "a non-ASCII character (often a lookalike) in a condition key",
    ConditionValueShape = "E0314": "a condition value of the wrong shape for its operator (a number for Numeric*, an ARN for Arn*, ...)",
    DuplicateConditionKey = "E0315": "one operator and key given twice in a rendered statement: IAM ORs the values",
    ArnPartition = "E0316": "an ARN in another partition than the document's, or with whitespace in it",
    QuotaExceeded = "E0317": "a rendered policy or role over an IAM quota (policy size, managed policies per role)",
    TrustAction = "E0318": "an action a `trust` block cannot grant its principals (only `sts:TagSession`, `sts:SetSourceIdentity`, `sts:SetContext` and their own)",
    CyclicInclude = "E0400": "sets (permsets, actionsets, valuesets) that contain themselves",
    ConstraintViolated = "E0401": "a configuration that violates a declared constraint",
    Unsatisfiable = "E0402": "constraints that no configuration satisfies",
    TooManyConfigurations = "E0403": "an item that depends on more feature combinations than pcl enumerates",
    AlwaysTrue = "W0500": "a `when` guard that is true in every configuration where it is evaluated",
    AlwaysFalse = "W0501": "a `when` guard that is false in every configuration where it is evaluated",
    UnusedParam = "W0502": "a param that nothing uses",
    UnusedFeature = "W0503": "a feature that nothing uses",
    UnusedSet = "W0504": "a permset, actionset or valueset that nothing uses",
    UnknownConditionKey = "W0505": "a condition key that is neither a global `aws:` key nor a key of its service",
    KeyNotApplicable = "W0506": "a condition key that IAM never sets for some or all of the statement's actions",
    ActionResourceMismatch = "W0507": "an action whose resource types none of the statement's resources can match",
    DuplicateRoleEntry = "W0508": "a managed policy ARN or a trust principal listed twice in a rendered role",
    LeastPrivilege = "W0509": "a grant far wider than needed: PassRole on `*` or to any service, escalation actions or `service:*` on `*` (or a NotResource list), an Allow with NotAction",
    UnfulfilledExpect = "W0510": "an `expect` that matches no diagnostic",
    OperatorKeyMismatch = "W0511": "a condition operator of another type than its key (e.g. Numeric* on a String key), or a set operator that does not fit it",
    RepeatedEntry = "W0512": "an action or resource listed twice in a rendered statement, or matched by a wildcard entry of the same list",
    SessionActionNotGranted = "W0513": "a trusted service that asks for a session action as it assumes the role (EKS Pod Identity: `sts:TagSession`) without a grant of it: the service never assumes the role",
}

impl Code {
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') { Severity::Warning } else { Severity::Error }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub label: Option<String>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// Checks build diagnostics through `DiagnosticKind::at`, which holds every wording.
    pub(crate) fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), span, label: None, secondary: Vec::new(), help: None }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    /// Moves every span by `offset` (item-relative to absolute).
    pub fn shifted(self, offset: u32) -> Self {
        self.with_spans(|span| span.shift(offset))
    }

    /// Replaces every span (the primary one and the labels') by `f` of it.
    pub(crate) fn with_spans(mut self, mut f: impl FnMut(Span) -> Span) -> Self {
        self.span = f(self.span);
        for l in &mut self.secondary {
            l.span = f(l.span);
        }
        self
    }
}

pub use pcl_iam::suggest;

/// Diagnostics in file order, without repeats (nor narrower copies of a
/// finding that several items report at one place: `shared`).
pub(crate) fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diags.dedup();
    shared::merge_shared(diags);
}
