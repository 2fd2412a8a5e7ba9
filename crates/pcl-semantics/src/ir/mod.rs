//! The lowered, name-checked form of a file that rendering works on. Spans
//! are relative to the item that holds them (`Program` knows the offsets).

use pcl_syntax::{Name, SmolStr, Span};

pub use pcl_iam::ScalarType;

mod cuts;
mod grouping;
pub mod placeholders;
mod program;

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

/// A boolean condition over feature values (and the partition).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Const(bool),
    /// `var == value`; bool features compare with "true"/"false".
    Is(Name, Name),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

impl Cond {
    /// The values `var` is compared with, added to `out` once each.
    /// Adds the values `var` is compared with that `out` does not hold yet,
    /// in the order first read (see `compared_values_in`).
    pub fn compared_values(&self, var: &str, out: &mut Vec<String>) {
        compared_values_in(std::iter::once(self), var, out);
    }

    /// Every value `var` is compared with, in order, repeats included.
    fn read_values<'c>(&'c self, var: &str, out: &mut Vec<&'c str>) {
        match self {
            Cond::Const(_) => {}
            Cond::Is(v, value) => {
                if v == var {
                    out.push(value.as_str());
                }
            }
            Cond::Not(c) => c.read_values(var, out),
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.read_values(var, out);
                b.read_values(var, out);
            }
        }
    }

    /// Evaluates with `lookup`; an unknown variable makes the comparison false.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Is(var, value) => lookup(var).is_some_and(|v| v == *value),
            Cond::Not(c) => !c.eval(lookup),
            Cond::And(a, b) => a.eval(lookup) && b.eval(lookup),
            Cond::Or(a, b) => a.eval(lookup) || b.eval(lookup),
        }
    }

    /// `eval` with a lookup that borrows its values (no allocation per
    /// variable read: expansion decides guards millions of times).
    pub fn holds<'v>(&self, lookup: &dyn Fn(&str) -> Option<&'v str>) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Is(var, value) => lookup(var).is_some_and(|v| v == value),
            Cond::Not(c) => !c.holds(lookup),
            Cond::And(a, b) => a.holds(lookup) && b.holds(lookup),
            Cond::Or(a, b) => a.holds(lookup) || b.holds(lookup),
        }
    }

    /// Adds the variables it reads that `out` does not hold yet, in the
    /// order first read. Past a few, they are told apart by hash: a guard
    /// of thousands of terms searched the list for each (12,800: 0.6 s).
    pub fn vars(&self, out: &mut Vec<String>) {
        let mut read: Vec<&str> = Vec::new();
        self.read_vars(&mut read);
        push_new(read, out);
    }

    /// Calls `f` with every variable read, in order, repeats included.
    pub(crate) fn for_each_var(&self, f: &mut dyn FnMut(&str)) {
        match self {
            Cond::Const(_) => {}
            Cond::Is(v, _) => f(v.as_str()),
            Cond::Not(c) => c.for_each_var(f),
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.for_each_var(f);
                b.for_each_var(f);
            }
        }
    }

    /// Every variable read, in order, repeats included.
    fn read_vars<'c>(&'c self, out: &mut Vec<&'c str>) {
        match self {
            Cond::Const(_) => {}
            Cond::Is(v, _) => out.push(v.as_str()),
            Cond::Not(c) => c.read_vars(out),
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.read_vars(out);
                b.read_vars(out);
            }
        }
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
    pub key: Name,
    pub values: GList<Value>,
    pub when: Guard,
    pub span: Span,
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

/// A param's value unlike every literal it is compared with (no command line
/// can hold a NUL, and no file compares with one).
pub(crate) const OTHER_VALUE: &str = "\u{0}other";

/// What an optional param's use tries a param over: absence (`""`), the
/// values `conds` compare it with, and one unlike all of them.
pub(crate) fn values_tried<'c>(conds: impl IntoIterator<Item = &'c Cond>, var: &str) -> Vec<String> {
    let mut values = vec![String::new()];
    compared_values_in(conds, var, &mut values);
    values.push(OTHER_VALUE.to_string());
    values
}

/// Adds the values `var` is compared with in `conds` that `out` does not
/// hold yet, in the order first read. Past a few, they are told apart by
/// hash: a param compared with thousands of values, one per constraint,
/// searched the list for each (12,800: 0.29 s of a check).
pub fn compared_values_in<'c>(conds: impl IntoIterator<Item = &'c Cond>, var: &str, out: &mut Vec<String>) {
    let mut read: Vec<&str> = Vec::new();
    for c in conds {
        c.read_values(var, &mut read);
    }
    push_new(read, out);
}

/// Appends each of `read` that `out` does not hold yet, once, in order: by
/// a search of `out` for a few, by hash past that.
fn push_new(read: Vec<&str>, out: &mut Vec<String>) {
    if out.len() + read.len() <= 32 {
        for value in read {
            if !out.iter().any(|o| o == value) {
                out.push(value.to_owned());
            }
        }
        return;
    }
    let mut seen: rustc_hash::FxHashSet<&str> = out.iter().map(String::as_str).collect();
    let new: Vec<&str> = read.into_iter().filter(|v| seen.insert(v)).collect();
    drop(seen);
    out.extend(new.into_iter().map(str::to_owned));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(var: &str) -> Cond {
        Cond::Is(var.into(), "x".into())
    }

    /// A few variables and thousands give the same list: each once, in the
    /// order first read, after those already there.
    #[test]
    fn variables_are_listed_once_in_the_order_read() {
        for n in [3usize, 40, 5000] {
            let names: Vec<String> = (0..n).map(|i| format!("v{}", i % (n / 2 + 1))).collect();
            let cond = names
                .iter()
                .fold(Cond::Const(true), |acc, v| Cond::Or(Box::new(acc), Box::new(Cond::Not(Box::new(is(v))))));
            let mut out = vec!["v1".to_string(), "w".to_string()];
            cond.vars(&mut out);
            let mut expected = vec!["v1".to_string(), "w".to_string()];
            for v in &names {
                if !expected.contains(v) {
                    expected.push(v.clone());
                }
            }
            assert_eq!(out, expected, "{n}");
        }
    }
}
