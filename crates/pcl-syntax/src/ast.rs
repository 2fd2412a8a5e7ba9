//! The abstract syntax tree. Every node carries a span relative to the start
//! of its top-level item.
//!
//! Longer than 500 lines on purpose: the whole language's nodes in one file,
//! read beside `pcl.pest`, whose rules they mirror one for one.

use crate::{Name, Span};
use smol_str::SmolStr;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Item {
    /// Shared: the program of every re-analysis holds a param's or
    /// feature's (for `index.json`), a count instead of a copy.
    pub docs: std::sync::Arc<[String]>,
    pub expects: Box<[Expect]>,
    pub kind: ItemKind,
    pub span: Span,
    /// Read without its broken body entries (`recover.rs`): its file has a
    /// syntax error there, and what is left may look emptier than written.
    pub recovered: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Param(Box<Param>),
    Feature(Feature),
    Constraint(Box<Constraint>),
    Permset(Permset),
    Actionset(Actionset),
    Valueset(Valueset),
    Policy(Policy),
    Role(Role),
}

impl ItemKind {
    /// A param, feature or constraint: what configures every other item.
    pub fn configures(&self) -> bool {
        matches!(self, ItemKind::Param(_) | ItemKind::Feature(_) | ItemKind::Constraint(_))
    }

    /// A policy or role: what is rendered to IAM JSON, and checked in
    /// every configuration.
    pub fn renders(&self) -> bool {
        matches!(self, ItemKind::Policy(_) | ItemKind::Role(_))
    }
}

impl Item {
    pub fn name(&self) -> &Ident {
        match &self.kind {
            ItemKind::Param(p) => &p.name,
            ItemKind::Feature(f) => &f.name,
            ItemKind::Constraint(c) => &c.name,
            ItemKind::Permset(p) => &p.name,
            ItemKind::Actionset(a) => &a.name,
            ItemKind::Valueset(v) => &v.name,
            ItemKind::Policy(p) => &p.name,
            ItemKind::Role(r) => &r.name,
        }
    }

    /// The keyword that introduces the item, used in messages.
    pub fn keyword(&self) -> &'static str {
        match &self.kind {
            ItemKind::Param(_) => "param",
            ItemKind::Feature(_) => "feature",
            ItemKind::Constraint(_) => "constraint",
            ItemKind::Permset(_) => "permset",
            ItemKind::Actionset(_) => "actionset",
            ItemKind::Valueset(_) => "valueset",
            ItemKind::Policy(_) => "policy",
            ItemKind::Role(_) => "role",
        }
    }
}

/// A string literal after escape processing, split at `${name}` interpolations.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StrLit {
    /// Each part with its source span (a text part's span includes its
    /// escapes): one exact allocation, as strings are most of an AST.
    pub parts: Box<[(StrPart, Span)]>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StrPart {
    Text(SmolStr),
    /// `${param}`, or `${param.member}` (`${partition.dns_suffix}`).
    Interp(Ident, Option<Box<Ident>>),
}

impl StrLit {
    /// The parts, without their spans.
    pub fn parts(&self) -> impl ExactSizeIterator<Item = &StrPart> {
        self.parts.iter().map(|(part, _)| part)
    }

    /// The literal text when the string has no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in self.parts() {
            match part {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(..) => return None,
            }
        }
        Some(out)
    }

    /// The source-like text, with interpolations written back as `${name}`
    /// (or `${name.member}`).
    pub fn display(&self) -> String {
        self.parts()
            .map(|p| match p {
                StrPart::Text(t) => t.as_str().to_owned(),
                StrPart::Interp(i, None) => format!("${{{}}}", i.name),
                StrPart::Interp(i, Some(m)) => format!("${{{}.{}}}", i.name, m.name),
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Literal>,
    pub placeholder: Option<StrLit>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeExpr {
    pub list: bool,
    pub scalar: Ident,
    /// `(iam:policy)`, `(max 10, pattern "...")`.
    pub args: Vec<TypeArg>,
    /// `arn?`: the param may have no value.
    pub optional: bool,
    pub span: Span,
}

/// A refinement of a param's type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeArg {
    /// `service:resource-type`, e.g. `iam:policy`.
    ResourceType {
        service: String,
        resource: String,
        span: Span,
    },
    /// `max N`; `None` when N does not fit a number.
    Max(Option<usize>, Span),
    Pattern(StrLit, Span),
    /// `"*"`: `*` is a value too (every resource).
    Star(Span),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Literal {
    Str(StrLit),
    List(Vec<StrLit>, Span),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Str(s) => s.span,
            Literal::List(_, span) => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Feature {
    pub name: Ident,
    pub domain: FeatureDomain,
    pub default: Ident,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FeatureDomain {
    Bool(Span),
    Enum(Vec<Ident>),
    /// `feature multi_region = region == "*";`: a bool that is a name for an
    /// expression, never set and never a variant of its own (its `default`
    /// is empty).
    Derived(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Constraint {
    pub name: Ident,
    pub expr: Expr,
    pub message: StrLit,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    Bool(bool, Span),
    /// A bare name: a bool feature.
    Var(Ident),
    Compare {
        var: Ident,
        negated: bool,
        value: CmpValue,
        span: Span,
    },
    Not(Box<Expr>, Span),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Bool(_, s) | Expr::Compare { span: s, .. } | Expr::Not(_, s) => *s,
            Expr::Var(i) => i.span,
            Expr::And(a, b) | Expr::Or(a, b) => a.span().to(b.span()),
        }
    }
}

/// The right-hand side of `==`/`!=`: an enum value, `true`/`false`, or a string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CmpValue {
    pub text: Name,
    pub quoted: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Permset {
    pub name: Ident,
    pub entries: Vec<BodyEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Actionset {
    pub name: Ident,
    pub actions: ValueList<ActionItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Valueset {
    pub name: Ident,
    pub values: ValueList<ValueItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    pub name: Ident,
    /// Over the managed-policy size limit, split into numbered parts.
    pub splittable: bool,
    pub when: Option<Box<Expr>>,
    /// `name` and `description`, in source order (duplicates are the
    /// checker's to report).
    pub fields: Vec<ItemField>,
    pub entries: Vec<BodyEntry>,
}

/// A field that names what is deployed: `name "..."` or `description "..."`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemField {
    Name(StrLit, Span),
    Description(StrLit, Span),
}

impl ItemField {
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemField::Name(..) => "name",
            ItemField::Description(..) => "description",
        }
    }

    pub fn span(&self) -> Span {
        match self {
            ItemField::Name(_, span) | ItemField::Description(_, span) => *span,
        }
    }
}

/// `expect CODE "reason"`: the diagnostic CODE is expected (and not shown)
/// in the item, statement or include it precedes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expect {
    pub code: SmolStr,
    pub code_span: Span,
    pub reason: StrLit,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BodyEntry {
    Include(Include),
    Statement(Statement),
    /// Boxed: rarer than a statement, and larger.
    Block(Box<Block>),
}

impl BodyEntry {
    /// From its first `expect` to its end (doc comments have no span).
    pub fn extent(&self) -> Span {
        let (expects, span): (&[Expect], Span) = match self {
            BodyEntry::Include(include) => (&include.expects, include.span),
            BodyEntry::Statement(statement) => (&statement.expects, statement.span),
            BodyEntry::Block(block) => (&block.expects, block.span),
        };
        expects.iter().fold(span, |all, expect| all.to(expect.span))
    }
}

/// `with condition ... { entries }`: one condition for every statement inside.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Block {
    pub expects: Box<[Expect]>,
    pub condition: Condition,
    pub entries: Vec<BodyEntry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Include {
    pub expects: Box<[Expect]>,
    pub target: Ident,
    pub when: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Statement {
    /// Boxed slices, not vectors, here and in `Item`: nearly always empty,
    /// and never grown after parsing.
    pub docs: Box<[String]>,
    pub expects: Box<[Expect]>,
    pub effect: Effect,
    pub effect_span: Span,
    pub sid: Option<StrLit>,
    pub when: Option<Box<Expr>>,
    pub fields: Box<[StmtField]>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StmtField {
    Action {
        negated: bool,
        list: ValueList<ActionItem>,
        span: Span,
    },
    Resource {
        negated: bool,
        list: ValueList<ValueItem>,
        span: Span,
    },
    /// Boxed: a condition is four times the size of the other fields, which
    /// most statements have alone.
    Condition(Box<Condition>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    pub operator: Ident,
    pub key: StrLit,
    pub values: ValueList<ValueItem>,
    pub when: Option<Box<Expr>>,
    pub span: Span,
}

/// A list as written: `[a, b when x]`, or a single unbracketed value (which
/// renders as a JSON string rather than an array).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValueList<T> {
    pub items: Vec<Guarded<T>>,
    pub bracketed: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Guarded<T> {
    pub item: T,
    pub when: Option<Box<Expr>>,
    pub span: Span,
}

/// An `action` (or `notaction`) field of a `trust` block.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionsField {
    pub negated: bool,
    pub list: ValueList<ActionItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionItem {
    /// `@name`: the actions of an actionset.
    SetRef(Ident),
    /// `service:Action`, bare or quoted, escapes processed.
    Name(Name, Span),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValueItem {
    Str(StrLit),
    /// A bare param name.
    Param(Ident),
    /// `@name`: the values of a valueset.
    SetRef(Ident),
    /// `"${b}/*" for b in buckets` (boxed: rare, and three times the size
    /// of the other values).
    Each(Box<EachValue>),
}

/// `"${b}/*" for b in buckets`: `template` once per value of the list param
/// `list`, with `var` standing for the value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EachValue {
    pub template: StrLit,
    pub var: Ident,
    pub list: Ident,
    pub span: Span,
}

impl ValueItem {
    pub fn span(&self) -> Span {
        match self {
            ValueItem::Str(s) => s.span,
            ValueItem::Param(i) | ValueItem::SetRef(i) => i.span,
            ValueItem::Each(each) => each.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Role {
    pub name: Ident,
    pub when: Option<Box<Expr>>,
    pub fields: Vec<RoleField>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    Service,
    Aws,
    Federated,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RoleField {
    /// `name` or `description`.
    Item(ItemField),
    Path(StrLit, Span),
    /// `trust KIND VALUES;`, or with a block of conditions on these
    /// principals alone and of actions granted them besides the one they
    /// assume the role with (`trust service "..." { action sts:TagSession; }`).
    Trust {
        kind: PrincipalKind,
        values: ValueList<ValueItem>,
        conditions: Vec<Condition>,
        actions: Vec<ActionsField>,
        span: Span,
    },
    Managed {
        values: ValueList<ValueItem>,
        span: Span,
    },
    Inline {
        policy: Ident,
        when: Option<Box<Expr>>,
        span: Span,
    },
    Attach {
        policy: Ident,
        when: Option<Box<Expr>>,
        span: Span,
    },
    Boundary {
        value: ValueItem,
        when: Option<Box<Expr>>,
        span: Span,
    },
}

impl RoleField {
    pub fn span(&self) -> Span {
        match self {
            RoleField::Item(f) => f.span(),
            RoleField::Path(_, span)
            | RoleField::Trust { span, .. }
            | RoleField::Managed { span, .. }
            | RoleField::Inline { span, .. }
            | RoleField::Attach { span, .. }
            | RoleField::Boundary { span, .. } => *span,
        }
    }
}
