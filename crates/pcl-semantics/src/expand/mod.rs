//! Evaluation of the IR for one configuration: guards decided, includes and
//! actionsets expanded, params substituted. Both the file checks (empty
//! lists, duplicate Sids) and codegen work on this expanded form.

use std::collections::BTreeMap;

use pcl_syntax::{Name, Span};

mod actions;
mod blocks;
mod condition;
mod fixed_guards;
mod guards;
mod managed;
mod origins;
mod role;
mod trail;

use blocks::Blocks;
pub use condition::ExpandedCondition;
pub use fixed_guards::FixedGuards;
pub use origins::ValueOrigin;
pub use role::{ExpandedRole, expand_role, expand_role_shallow};
pub use trail::MAX_REPEATED_EXPANSIONS;
use trail::Trail;

use crate::MAX_INCLUDE_DEPTH;
use crate::ir::placeholders;
use crate::ir::*;

pub(crate) use managed::aws_managed_name;

/// Values for one configuration: a value for every feature the rendered
/// item depends on, and a value (given, default or placeholder) per param.
pub struct Env<'a> {
    pub program: &'a Program,
    pub features: &'a BTreeMap<String, String>,
    pub params: &'a BTreeMap<String, ParamValue>,
    /// Decide guards and count values, but leave every text empty: what the
    /// per-configuration checks need (emptiness, Sids), at a fraction of the
    /// cost of rendering.
    pub shape_only: bool,
    /// Put each placeholder's text back where its stand-in would be
    /// rendered (`ir::placeholders`): what is written out. The checks
    /// judge the stand-ins, and their messages are restored after.
    pub restoring: bool,
    /// Where to note each param whose value a text or list renders, or a
    /// guard reads: what `pcl build --deployable` asks of a document.
    pub reads: Option<&'a std::cell::RefCell<Vec<Name>>>,
    /// The guards of the walks in every assignment of one configuration,
    /// decided once where they compare params (`FixedGuards`); `None`:
    /// each is evaluated as written.
    pub fixed: Option<&'a FixedGuards>,
}

impl<'a> Env<'a> {
    /// An environment that renders every value.
    pub fn new(
        program: &'a Program,
        features: &'a BTreeMap<String, String>,
        params: &'a BTreeMap<String, ParamValue>,
    ) -> Self {
        Env { program, features, params, shape_only: false, restoring: true, reads: None, fixed: None }
    }

    /// `value` as rendered: with its placeholder's texts for its stand-ins
    /// if this environment restores them.
    fn shown<'v>(&self, value: &'v str) -> std::borrow::Cow<'v, str> {
        if self.restoring { placeholders::restore(self.program, value) } else { std::borrow::Cow::Borrowed(value) }
    }

    /// This environment, noting in `reads` the params it renders.
    pub fn noting_reads(self, reads: &'a std::cell::RefCell<Vec<Name>>) -> Self {
        Env { reads: Some(reads), ..self }
    }

    /// Notes that a text or list renders the value of `param` (one of the
    /// params), once: an item's renderings read a few params many times.
    fn read(&self, param: Name) {
        if let Some(reads) = self.reads {
            let mut reads = reads.borrow_mut();
            if !reads.contains(&param) {
                reads.push(param);
            }
        }
    }

    /// A feature's or param's value as rendered (`shown`); guards read
    /// `lookup_ref`, which keeps stand-ins.
    pub fn lookup(&self, var: &str) -> Option<String> {
        if self.reads.is_some() && !self.features.contains_key(var) && self.params.contains_key(var) {
            self.read(Name::new(var));
        }
        self.lookup_ref(var).map(|v| self.shown(v).into_owned())
    }

    pub fn text(&self, t: &Template) -> String {
        self.text_binding(t, None)
    }

    /// `t` with `var` (a loop variable) standing for `value`.
    fn text_with(&self, t: &Template, var: &str, value: &str) -> String {
        self.text_binding(t, Some((var, value)))
    }

    /// `t` rendered, `bound` giving a loop variable its value.
    fn text_binding(&self, t: &Template, bound: Option<(&str, &str)>) -> String {
        if self.shape_only {
            return String::new();
        }
        // room for the literal parts and a typical value per param: one
        // allocation for most texts rather than a few growths
        let room: usize = t.parts.iter().map(|p| if let TextPart::Lit(s) = p { s.len() } else { 16 }).sum();
        let mut out = String::with_capacity(room);
        for part in &t.parts {
            match part {
                TextPart::Lit(s) => out.push_str(s),
                TextPart::Param(p) if bound.is_some_and(|(var, _)| var == p) => {
                    out.push_str(bound.map(|(_, v)| v).unwrap_or_default());
                }
                TextPart::Param(p) => match self.params.get(p.as_str()) {
                    Some(ParamValue::One(v)) => {
                        self.read(*p);
                        out.push_str(&self.shown(v));
                    }
                    Some(ParamValue::Many(vs)) => {
                        self.read(*p);
                        for (at, v) in vs.iter().enumerate() {
                            if at > 0 {
                                out.push(',');
                            }
                            out.push_str(&self.shown(v));
                        }
                    }
                    None => {}
                },
                TextPart::Member(param_member) => {
                    let (p, member) = &**param_member;
                    if let Some(ParamValue::One(v)) = self.params.get(p.as_str()) {
                        self.read(*p);
                        out.push_str(member_text(&self.shown(v), member).as_str());
                    }
                }
            }
        }
        out
    }

    pub fn value(&self, v: &Value, out: &mut Vec<String>) {
        self.value_at(v, out, &mut Trail::default(), Splice::Value);
    }

    /// Cycles (reported by the checks) and chains deeper than
    /// `MAX_INCLUDE_DEPTH` are cut off; a valueset used twice adds nothing.
    fn value_at(&self, v: &Value, out: &mut Vec<String>, trail: &mut Trail, splice: Splice) {
        match v {
            Value::Text(t)
                if splice == Splice::Managed
                    && let Some(policy) = managed::aws_managed_name(t) =>
            {
                out.push(self.aws_managed_arn(&policy));
            }
            Value::Text(t) => out.push(self.text(t)),
            Value::Param(p) => match self.params.get(p.as_str()) {
                Some(ParamValue::One(_)) if self.shape_only => out.push(String::new()),
                Some(ParamValue::Many(vs)) if self.shape_only => out.extend(vs.iter().map(|_| String::new())),
                Some(ParamValue::One(v)) => {
                    self.read(*p);
                    out.push(self.shown(v).into_owned());
                }
                Some(ParamValue::Many(vs)) => {
                    self.read(*p);
                    out.extend(vs.iter().map(|v| self.shown(v).into_owned()));
                }
                None => {}
            },
            Value::Each(each) => {
                let EachValue { list, var, template } = &**each;
                if self.reads.is_some() && self.params.contains_key(list.as_str()) {
                    self.read(*list);
                }
                let values = match self.params.get(list.as_str()) {
                    Some(ParamValue::Many(vs)) => &vs[..],
                    Some(ParamValue::One(v)) => std::slice::from_ref(v),
                    None => &[],
                };
                for value in values {
                    if self.shape_only {
                        out.push(String::new());
                    } else if value == "*" {
                        out.push(value.clone()); // every resource: nothing to template
                    } else {
                        out.push(self.text_with(template, var, &self.shown(value)));
                    }
                }
            }
            Value::Set(name) => self.splice_valueset(name, trail, &mut |item, trail| {
                self.value_at(item, out, trail, splice);
            }),
        }
    }

    /// Calls `each` with each value of valueset `name` whose guard holds,
    /// as `value_at` splices it: nothing when `name` is no valueset, is
    /// being spliced (a cycle), was spliced before in `trail`, or lies
    /// deeper than `MAX_INCLUDE_DEPTH`. Shared with `value_origins`, which
    /// must render what `value_at` does.
    fn splice_valueset(&self, name: &Name, trail: &mut Trail, each: &mut impl FnMut(&'a Value, &mut Trail)) {
        let Some(ItemIr::Valueset(list)) = self.program.get(name).map(|i| &*i.ir) else { return };
        if !trail.enter(name, MAX_INCLUDE_DEPTH) {
            return;
        }
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            each(&item.value, trail);
        }
        trail.leave();
    }

    /// The values of a list whose guards hold.
    pub fn values(&self, list: &GList<Value>) -> Rendered {
        Rendered { values: self.values_as(list, Splice::Value), scalar: list.scalar }
    }

    /// The values of a list whose guards hold, rendered where `splice` says.
    fn values_as(&self, list: &GList<Value>, splice: Splice) -> Vec<String> {
        let mut out = Vec::new();
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            self.value_at(&item.value, &mut out, &mut trail, splice);
        }
        out
    }
}

/// Where a list's values are rendered: anywhere a value goes, or a role's
/// `managed` list, where a plain name is an AWS managed policy
/// (`Env::managed_values`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Splice {
    Value,
    Managed,
}

/// A rendered list, remembering whether it was written as a single value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rendered {
    pub values: Vec<String>,
    pub scalar: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExpandedStatement {
    pub sid: Option<(pcl_syntax::SmolStr, Span)>,
    pub effect: Effect,
    pub not_action: bool,
    pub actions: Rendered,
    pub action_span: Span,
    pub not_resource: bool,
    pub resources: Rendered,
    pub resource_span: Span,
    /// The resources' `*`s that `for` templates kept (`Env::kept_stars`).
    pub kept_stars: u32,
    pub conditions: Vec<ExpandedCondition>,
}

impl ExpandedStatement {
    /// Calls `visit` on every span of the statement.
    pub fn for_each_span(&mut self, mut visit: impl FnMut(&mut Span)) {
        let ExpandedStatement {
            sid,
            effect: _,
            not_action: _,
            actions: _,
            action_span,
            not_resource: _,
            resources: _,
            resource_span,
            kept_stars: _,
            conditions,
        } = self;
        visit(action_span);
        visit(resource_span);
        if let Some((_, span)) = sid {
            visit(span);
        }
        for c in conditions {
            visit(&mut c.span);
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandedPolicy {
    /// The item's name.
    pub name: String,
    /// The name it is deployed under (its `name` field, or the item's name).
    pub deployed_name: String,
    pub description: Option<String>,
    pub statements: Vec<ExpandedStatement>,
}

/// Expands a policy; `None` when its own guard is false.
pub fn expand_policy(program: &Program, name: &str, env: &Env<'_>) -> Option<ExpandedPolicy> {
    let mut statements = Vec::new();
    let renders = walk_policy(program, name, env, &mut |s, blocks, _, _| {
        statements.push(expand_statement(program, s, blocks, env));
    });
    let mut policy = renders.renders().then(|| expand_policy_header(program, name, env)).flatten()?;
    policy.statements = statements;
    Some(policy)
}

/// A policy's name and description, rendered, with no statements (they
/// interpolate params only: one configuration names it in every
/// assignment of its features); `None` when it is not a policy.
pub fn expand_policy_header(program: &Program, name: &str, env: &Env<'_>) -> Option<ExpandedPolicy> {
    let ItemIr::Policy { naming, .. } = &*program.get(name)?.ir else { return None };
    Some(ExpandedPolicy {
        name: name.to_string(),
        deployed_name: deployed_policy_name(program, name, env),
        description: naming.description.as_ref().map(|d| env.text(d)),
        statements: Vec::new(),
    })
}

/// What a policy's expansion visits: each statement that renders, the blocks
/// around it whose guards hold and their items (`Blocks`), and its item.
pub type StatementVisitor<'v, 'p> = dyn FnMut(&'p Statement, &[&'p ConditionEntry], &[&'p str], &'p str) + 'v;

/// Decides a policy's guards and follows its includes (a permset included
/// twice adds nothing the second time; cycles and too deep chains are cut),
/// calling `visit` for each statement that renders, without rendering it;
/// false when the policy does not render (its guard is false, or it is not
/// a policy).
pub fn walk_policy<'p>(program: &'p Program, name: &str, env: &Env<'_>, visit: &mut StatementVisitor<'_, 'p>) -> Walk {
    let Some(item) = program.get(name) else { return Walk::NotRendered };
    let ItemIr::Policy { when, entries, .. } = &*item.ir else {
        return Walk::NotRendered;
    };
    if !env.holds(when) {
        return Walk::NotRendered;
    }
    let mut trail = Trail::from(name);
    walk_entries(program, &item.name, entries, env, &mut trail, &mut Blocks::default(), visit);
    match trail.cut {
        true => Walk::Cut,
        false => Walk::Rendered,
    }
}

/// What `walk_policy` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// The policy does not render (its guard is false, or it is no policy).
    NotRendered,
    Rendered,
    /// It renders, but its permsets repeat in more contexts than
    /// `MAX_REPEATED_EXPANSIONS`: the rest was cut, and what was visited is
    /// not all it holds.
    Cut,
}

impl Walk {
    pub fn renders(self) -> bool {
        self != Walk::NotRendered
    }
}

/// The name policy `policy` is deployed under: its `name` field, rendered,
/// or its item name. Names interpolate params only, so one build gives an
/// item one name in every configuration.
pub fn deployed_policy_name(program: &Program, policy: &str, env: &Env<'_>) -> String {
    match program.get(policy).map(|i| &*i.ir) {
        Some(ItemIr::Policy { naming, .. }) if let Some(t) = &naming.name => env.text(t),
        _ => policy.to_string(),
    }
}

fn walk_entries<'p>(
    program: &'p Program,
    origin: &'p str,
    entries: &'p [Entry],
    env: &Env<'_>,
    trail: &mut Trail,
    blocks: &mut Blocks<'p>,
    visit: &mut StatementVisitor<'_, 'p>,
) {
    for entry in entries {
        match entry {
            Entry::Include { target, when, .. } => {
                // Cycles and deep nesting are reported by the file checks;
                // here they are only cut off.
                let Some(ItemIr::Permset(inner)) = program.get(target).map(|i| &*i.ir) else {
                    continue;
                };
                // the trail's stack holds the policy too: MAX levels of sets below it
                if !env.holds(when) {
                    continue;
                }
                let context = blocks.context(trail, env);
                if !trail.enter_in(target, context, MAX_INCLUDE_DEPTH + 1) {
                    continue;
                }
                walk_entries(program, target, inner, env, trail, blocks, visit);
                trail.leave();
            }
            Entry::Block { condition, entries } => {
                let holds = env.holds(&condition.when);
                if holds {
                    blocks.0.push(condition);
                    blocks.1.push(origin);
                    blocks.2.push(None);
                }
                walk_entries(program, origin, entries, env, trail, blocks, visit);
                if holds {
                    blocks.0.pop();
                    blocks.1.pop();
                    blocks.2.pop();
                }
            }
            Entry::Statement(s) => {
                if env.holds(&s.when) {
                    visit(s, &blocks.0, &blocks.1, origin);
                }
            }
        }
    }
}

/// One statement that renders (see `walk_policy`), rendered: a function of
/// the statement, the blocks around it, the sets and valuesets they use, the
/// params (which its texts interpolate) and the values of the variables its
/// guards read (`variants::statement_reads` names both) alone; the renderings
/// kept across edits (`variant_checks/known.rs`) rely on it.
pub fn expand_statement(
    program: &Program,
    s: &Statement,
    blocks: &[&ConditionEntry],
    env: &Env<'_>,
) -> ExpandedStatement {
    let mut actions = Vec::new();
    actions::expand_actions(program, &s.actions, env, &mut Trail::default(), &mut actions);
    let own = s.conditions.iter().filter(|c| env.holds(&c.when));
    let conditions = own.chain(blocks.iter().copied()).map(|c| ExpandedCondition::of(c, env)).collect();
    ExpandedStatement {
        sid: s.sid.clone(),
        effect: s.effect,
        not_action: s.not_action,
        actions: Rendered { values: actions, scalar: s.actions.scalar },
        action_span: s.actions.span,
        not_resource: s.not_resource,
        resources: env.values(&s.resources),
        resource_span: s.resources.span,
        kept_stars: env.kept_stars(&s.resources),
        conditions,
    }
}

/// The text of `${param.member}` when the param's value is `value`: the
/// member of that partition, or, for a value that names no partition (a
/// placeholder, or the symbolic partition of the checks), the same text
/// with the member appended, which stands for it.
fn member_text(value: &str, member: &str) -> String {
    match pcl_iam::partitions::partition_member(value, member) {
        Some(text) => text.to_string(),
        None => format!("{value}.{member}"),
    }
}
