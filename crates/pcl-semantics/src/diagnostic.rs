//! Diagnostics are data: a code, a severity, a message, a primary byte span,
//! secondary labels and an optional help line. Only the CLI renders them.

use pcl_syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Every diagnostic pcl can produce. The code is stable; `explain` is the
/// one-line reference text shown by `pcl explain CODE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Syntax,
    TooDeep,
    UnknownName,
    DuplicateName,
    WrongKind,
    ListForScalar,
    ValueOutsideDomain,
    InterpolationType,
    InvalidValue,
    UnknownType,
    MissingValue,
    MalformedAction,
    MalformedArn,
    UnknownOperator,
    DuplicateSid,
    InvalidSid,
    EmptyList,
    MissingField,
    DuplicateField,
    CyclicInclude,
    ConstraintViolated,
    Unsatisfiable,
    TooManyConfigurations,
    AlwaysTrue,
    AlwaysFalse,
    UnusedParam,
    UnusedFeature,
    UnusedSet,
}

impl Code {
    pub const ALL: [Code; 28] = [
        Code::Syntax,
        Code::TooDeep,
        Code::UnknownName,
        Code::DuplicateName,
        Code::WrongKind,
        Code::ListForScalar,
        Code::ValueOutsideDomain,
        Code::InterpolationType,
        Code::InvalidValue,
        Code::UnknownType,
        Code::MissingValue,
        Code::MalformedAction,
        Code::MalformedArn,
        Code::UnknownOperator,
        Code::DuplicateSid,
        Code::InvalidSid,
        Code::EmptyList,
        Code::MissingField,
        Code::DuplicateField,
        Code::CyclicInclude,
        Code::ConstraintViolated,
        Code::Unsatisfiable,
        Code::TooManyConfigurations,
        Code::AlwaysTrue,
        Code::AlwaysFalse,
        Code::UnusedParam,
        Code::UnusedFeature,
        Code::UnusedSet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E0001",
            Code::TooDeep => "E0002",
            Code::UnknownName => "E0100",
            Code::DuplicateName => "E0101",
            Code::WrongKind => "E0102",
            Code::ListForScalar => "E0200",
            Code::ValueOutsideDomain => "E0201",
            Code::InterpolationType => "E0202",
            Code::InvalidValue => "E0203",
            Code::UnknownType => "E0204",
            Code::MissingValue => "E0205",
            Code::MalformedAction => "E0300",
            Code::MalformedArn => "E0301",
            Code::UnknownOperator => "E0302",
            Code::DuplicateSid => "E0303",
            Code::InvalidSid => "E0304",
            Code::EmptyList => "E0305",
            Code::MissingField => "E0306",
            Code::DuplicateField => "E0307",
            Code::CyclicInclude => "E0400",
            Code::ConstraintViolated => "E0401",
            Code::Unsatisfiable => "E0402",
            Code::TooManyConfigurations => "E0403",
            Code::AlwaysTrue => "W0500",
            Code::AlwaysFalse => "W0501",
            Code::UnusedParam => "W0502",
            Code::UnusedFeature => "W0503",
            Code::UnusedSet => "W0504",
        }
    }

    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') { Severity::Warning } else { Severity::Error }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Code::Syntax => "the text does not follow the grammar of pcl",
            Code::TooDeep => "an expression or a chain of sets nested deeper than pcl allows",
            Code::UnknownName => "a name that no item defines",
            Code::DuplicateName => "two items define the same name",
            Code::WrongKind => "a name used as something it is not (e.g. a feature where a param is expected)",
            Code::ListForScalar => "a list (a list param or a valueset) where a single value is expected",
            Code::ValueOutsideDomain => "a feature compared with, or set to, a value outside its domain",
            Code::InterpolationType => {
                "a param of the wrong type where an ARN or ARN field is expected, or interpolation where none is allowed"
            }
            Code::InvalidValue => {
                "a default, role path or --set value that does not fit its type, or a --set given twice"
            }
            Code::UnknownType => "a param type that does not exist",
            Code::MissingValue => "a param with neither a default nor a placeholder",
            Code::MalformedAction => "an action that is not `service:Action` with wildcards only in the action name",
            Code::MalformedArn => "an ARN whose partition, service, region or account field is invalid",
            Code::UnknownOperator => "a condition operator IAM does not know",
            Code::DuplicateSid => "two statements of one rendered document share a Sid",
            Code::InvalidSid => "a Sid with characters IAM rejects (only A-Z, a-z and 0-9 are allowed)",
            Code::EmptyList => {
                "an Action, Resource, condition value or trust principal list that is empty for some configuration"
            }
            Code::MissingField => "a statement without action or resource, or a role without trust",
            Code::DuplicateField => "a field given twice where only one is allowed",
            Code::CyclicInclude => "sets (permsets, actionsets, valuesets) that contain themselves",
            Code::ConstraintViolated => "a configuration that violates a declared constraint",
            Code::Unsatisfiable => "constraints that no configuration satisfies",
            Code::TooManyConfigurations => "an item that depends on more feature combinations than pcl enumerates",
            Code::AlwaysTrue => "a `when` guard that is true in every configuration where it is evaluated",
            Code::AlwaysFalse => "a `when` guard that is false in every configuration where it is evaluated",
            Code::UnusedParam => "a param that nothing uses",
            Code::UnusedFeature => "a feature that nothing uses",
            Code::UnusedSet => "a permset, actionset or valueset that nothing uses",
        }
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
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), span, label: None, secondary: Vec::new(), help: None }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Moves every span by `offset` (item-relative to absolute).
    pub fn shifted(mut self, offset: u32) -> Self {
        self.span = self.span.shift(offset);
        for l in &mut self.secondary {
            l.span = l.span.shift(offset);
        }
        self
    }
}

/// "did you mean `x`?" using Jaro-Winkler similarity.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}
