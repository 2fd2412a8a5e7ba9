//! The lowered, name-checked form of a file that rendering works on. Spans
//! are relative to the item that holds them (`Program` knows the offsets).

use pcl_syntax::{Name, SmolStr, Span};

pub use pcl_iam::ScalarType;

mod cond;
mod cuts;
mod grouping;
pub mod placeholders;
mod program;

pub use cond::{Cond, compared_values_in};
pub(crate) use cond::{OTHER_VALUE, values_tried};
pub(crate) use cuts::cut_off_by_each;
pub(crate) use grouping::{Grouping, Reach};
pub use program::{Program, ProgramItem};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamType {
    pub list: bool,
    pub scalar: ScalarType,
}

impl std::fmt::Display for ParamType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.list { write!(f, "list<{}>", self.scalar.name()) } else { f.write_str(self.scalar.name()) }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TextPart {
    Lit(SmolStr),
    Param(Name),
    /// `${param.member}` of a partition param: e.g. its DNS suffix (boxed:
    /// rare, and it would make every part half as large again).
    Member(Box<(Name, Name)>),
}

/// A string with interpolated params, type-checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    pub parts: Vec<TextPart>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Text(Template),
    /// A bare param: its value, or its values if it is a list.
    Param(Name),
    /// `@name`: the values of a valueset.
    Set(Name),
    /// `"${b}/*" for b in buckets`: the template once per value of the list
    /// param (a `*` value stays `*`: every resource is not templated).
    /// Boxed: rare, and it would make every value twice as large.
    Each(Box<EachValue>),
}

/// `"${var}/*" for var in list` (see `Value::Each`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EachValue {
    pub list: Name,
    pub var: Name,
    pub template: Template,
}

/// A guard: none, or a condition, boxed (most items, statements and list
/// items have none, and an unboxed `Cond` would make each 40 bytes larger).
pub type Guard = Option<Box<Cond>>;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GuardedItem<T> {
    pub when: Guard,
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GList<T> {
    /// A boxed slice: a list never grows once lowered (8 bytes less in
    /// every list of every statement than a vector).
    pub items: Box<[GuardedItem<T>]>,
    /// Written without brackets: rendered as a JSON string when it has one value.
    pub scalar: bool,
    pub span: Span,
}

impl<T> GList<T> {
    /// Replaces every span of the list by `f` of it.
    pub(crate) fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        let GList { items, scalar: _, span } = self;
        for GuardedItem { when: _, value: _, span } in items {
            *span = f(*span);
        }
        *span = f(*span);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionRef {
    Name(Name),
    Set(Name),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionEntry {
    pub operator: Name,
    pub key: ConditionKey,
    pub values: GList<Value>,
    pub when: Guard,
    pub span: Span,
}

/// A condition's key: as written, or with params interpolated (an identity
/// provider's host, `"${oidc_provider}:sub"`), rendered in each
/// configuration and checked there (`content_checks::condition_key_problem`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConditionKey {
    Plain(Name),
    /// Boxed: rare, and it would make every condition larger.
    Interpolated(Box<Template>),
}

/// The key as written, `${...}` and all (what messages name).
impl std::fmt::Display for ConditionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let template = match self {
            ConditionKey::Plain(key) => return f.write_str(key),
            ConditionKey::Interpolated(template) => template,
        };
        for part in &template.parts {
            match part {
                TextPart::Lit(text) => f.write_str(&text.replace("${", "\\${"))?,
                TextPart::Param(param) => write!(f, "${{{param}}}")?,
                TextPart::Member(param_member) => write!(f, "${{{}.{}}}", param_member.0, param_member.1)?,
            }
        }
        Ok(())
    }
}

impl ConditionEntry {
    /// Replaces every span of the condition by `f` of it.
    pub(crate) fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        let ConditionEntry { operator: _, key: _, values, when: _, span } = self;
        values.map_spans(f);
        *span = f(*span);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Statement {
    pub sid: Option<(SmolStr, Span)>,
    pub effect: Effect,
    pub when: Guard,
    pub not_action: bool,
    pub actions: GList<ActionRef>,
    pub not_resource: bool,
    pub resources: GList<Value>,
    pub conditions: Box<[ConditionEntry]>,
    pub span: Span,
}

impl Statement {
    /// Replaces every span of the statement by `f` of it.
    pub(crate) fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        let Statement { sid, effect: _, when: _, not_action: _, actions, not_resource: _, resources, conditions, span } =
            self;
        if let Some((_, sid_span)) = sid {
            *sid_span = f(*sid_span);
        }
        actions.map_spans(f);
        resources.map_spans(f);
        for condition in conditions {
            condition.map_spans(f);
        }
        *span = f(*span);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Entry {
    Include {
        target: Name,
        when: Guard,
        span: Span,
    },
    Statement(Statement),
    /// `with condition ... { entries }`: the condition on every statement
    /// inside (included ones too), when its guard holds.
    Block {
        condition: ConditionEntry,
        entries: Vec<Entry>,
    },
}

impl Entry {
    /// Moves every span of the entry by `by` (an entry checked on its own
    /// has spans relative to its own text). Recursion is bounded by the
    /// syntax's block-nesting limit.
    pub fn shift(&mut self, by: u32) {
        match self {
            Entry::Include { target: _, when: _, span } => *span = span.shift(by),
            Entry::Statement(statement) => statement.map_spans(&mut |span| span.shift(by)),
            Entry::Block { condition, entries } => {
                condition.map_spans(&mut |span| span.shift(by));
                for entry in entries {
                    entry.shift(by);
                }
            }
        }
    }

    /// Calls `visit` on every entry written in `entries`, those inside
    /// blocks too (includes are not followed), without allocating. Blocks
    /// nest at most `pcl_syntax::MAX_BLOCK_DEPTH` deep (the parser's
    /// limit), which bounds the recursion.
    pub fn walk<'e>(entries: &'e [Entry], visit: &mut impl FnMut(&'e Entry)) {
        for entry in entries {
            visit(entry);
            if let Entry::Block { entries, .. } = entry {
                Entry::walk(entries, visit);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    Service,
    Aws,
    Federated,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyRef {
    pub policy: Name,
    pub when: Guard,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Role {
    pub naming: Naming,
    pub path: Option<Template>,
    pub trust: Vec<(PrincipalKind, GList<Value>)>,
    /// The conditions of each `trust` field written with a block of them,
    /// by the field's place in `trust` (most roles have none): its
    /// principals render as a trust statement of their own.
    pub trust_conditions: Vec<(usize, Vec<ConditionEntry>)>,
    /// The actions of each `trust` field's block that grants some, by the
    /// field's place in `trust` (most roles have none): its principals
    /// render as a trust statement of their own, with these actions besides
    /// the one they assume the role with.
    pub trust_actions: Vec<(usize, GList<ActionRef>)>,
    pub managed: Vec<GList<Value>>,
    pub inline: Vec<PolicyRef>,
    pub attach: Vec<PolicyRef>,
    pub boundary: Option<GuardedItem<Value>>,
}

/// What a policy or role is deployed as: its `name` (a policy without one
/// is deployed under its item name; a role without one gets a name from
/// CloudFormation) and `description`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Naming {
    pub name: Option<Template>,
    /// Where the `name` field is (relative to the item).
    pub name_span: Option<Span>,
    pub description: Option<Template>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ParamValue {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    pub ty: ParamType,
    /// `arn?`: without a default or `--set` value it has none (absent),
    /// which compares as `""`.
    pub optional: bool,
    /// `arn(iam:policy)`, `string(max 10, pattern "...")`: every value given
    /// (default or `--set`) must satisfy them.
    pub refinements: Vec<pcl_iam::refine::Refinement>,
    pub default: Option<ParamValue>,
    pub placeholder: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Feature {
    pub domain: Vec<String>,
    pub default: String,
    pub is_bool: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemIr {
    /// Boxed, as a feature and a policy's naming: rare or large, each
    /// would make every item's IR as large (104 bytes, where 56 hold the
    /// rest).
    Param(Box<Param>),
    Feature(Box<Feature>),
    Constraint {
        cond: Cond,
        message: Box<str>,
    },
    /// A derived feature: a name for a condition (used in guards, replaced
    /// by its condition; never a variant of its own).
    Derived(Cond),
    Permset(Vec<Entry>),
    Actionset(GList<ActionRef>),
    Valueset(GList<Value>),
    Policy {
        when: Guard,
        entries: Vec<Entry>,
        splittable: bool,
        naming: Box<Naming>,
    },
    Role {
        when: Guard,
        /// Boxed: a role is much bigger than the other items.
        role: Box<Role>,
    },
}
