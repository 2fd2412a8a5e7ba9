//! The span-free symbol table. Because it holds no spans and no bodies, it
//! stays equal when an item's body changes, and salsa backdates it: the other
//! items' checks that read it are then reused.

use std::collections::BTreeMap;

use pcl_syntax::Name;
use pcl_syntax::ast::{Expr, FeatureDomain, ItemKind};

use crate::ir::{Cond, ParamType, ScalarType};

mod declaration;
mod scope;

use declaration::other_kind;
pub use declaration::{Declaration, OtherKind};
use scope::domain_of;
pub use scope::{ConfiguringScope, ConstraintFacts, NameFacts, Scope};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// `None` when the type is unknown (already reported).
    Param(Option<ParamType>),
    Feature {
        domain: Vec<String>,
        is_bool: bool,
    },
    Constraint(Cond),
    /// A derived feature: the condition it names.
    Derived(Cond),
    Permset,
    Actionset,
    Valueset,
    Policy,
    Role,
    /// An item that failed to parse: uses of it are not reported again.
    Unparsed,
}

impl Symbol {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Symbol::Param(_) => "param",
            Symbol::Feature { .. } => "feature",
            Symbol::Constraint(_) => "constraint",
            Symbol::Derived(_) => "derived feature",
            Symbol::Permset => "permset",
            Symbol::Actionset => "actionset",
            Symbol::Valueset => "valueset",
            Symbol::Policy => "policy",
            Symbol::Role => "role",
            Symbol::Unparsed => "item that did not parse",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Symbols {
    /// By name, hashed: every reference of every item is looked up here (a
    /// sorted map cost a dozen string comparisons a lookup in a large file).
    map: rustc_hash::FxHashMap<Name, Symbol>,
    /// Params declared optional (`arn?`): they may have no value. By hash:
    /// each use of one asks (51,200 of them searched a list: 1.8 s).
    optional: rustc_hash::FxHashSet<String>,
    /// What a scalar param without a default is when not given: `""` for an
    /// optional one, its placeholder otherwise (an opaque one's stand-in,
    /// `ir::placeholders`, the same whatever its text). A bare param in a guard tests
    /// that it has a value (given, or a default): that it is not this.
    absent: BTreeMap<String, String>,
    /// The constraints by name, grouped, and whether some configuration
    /// satisfies them all (known once per file, so that each guard's check
    /// can leave aside the constraints that do not touch its features).
    constraints: ConstraintFacts,
    /// For suggestions among many names: each class's names in sorted
    /// order and read backwards, indexed by `SuggestFrom::index`.
    neighbours: [crate::lazy::Lazy<crate::suggestions::Neighbours>; SuggestFrom::COUNT],
}

/// The names a "did you mean" weighs: those a use of one kind may name, or
/// every item that parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestFrom {
    Uses(crate::RefKind),
    AnyParsed,
}

impl SuggestFrom {
    const COUNT: usize = 7;

    fn index(self) -> usize {
        use crate::RefKind;
        match self {
            SuggestFrom::Uses(RefKind::Param) => 0,
            SuggestFrom::Uses(RefKind::Feature) => 1,
            SuggestFrom::Uses(RefKind::Include) => 2,
            SuggestFrom::Uses(RefKind::Actionset) => 3,
            SuggestFrom::Uses(RefKind::Valueset) => 4,
            SuggestFrom::Uses(RefKind::Policy) => 5,
            SuggestFrom::AnyParsed => 6,
        }
    }

    /// Whether a name of this symbol's kind belongs to the class.
    pub fn accepts(self, symbol: &Symbol) -> bool {
        use crate::RefKind;
        match self {
            SuggestFrom::Uses(RefKind::Param) => matches!(symbol, Symbol::Param(_)),
            SuggestFrom::Uses(RefKind::Feature) => matches!(symbol, Symbol::Feature { .. }),
            SuggestFrom::Uses(RefKind::Include) => matches!(symbol, Symbol::Permset),
            SuggestFrom::Uses(RefKind::Actionset) => matches!(symbol, Symbol::Actionset),
            SuggestFrom::Uses(RefKind::Valueset) => matches!(symbol, Symbol::Valueset),
            SuggestFrom::Uses(RefKind::Policy) => matches!(symbol, Symbol::Policy),
            SuggestFrom::AnyParsed => !matches!(symbol, Symbol::Unparsed),
        }
    }
}

impl Symbols {
    /// The table of a file parsed outside the database: what the `symbols`
    /// query builds from the items' declarations. For the benchmark that
    /// weighs salsa's per-query cost (`benches/query_overhead.rs`).
    pub fn of_parsed(parsed: &pcl_syntax::ParsedFile) -> Self {
        let declarations: Vec<Declaration> = parsed.items.iter().map(|p| Declaration::of(&p.item)).collect();
        let named = parsed.items.iter().zip(&declarations).map(|(p, d)| (p.item.name().name.as_str(), d));
        Symbols::build(named, &parsed.broken_names)
    }

    /// The table of the items' declarations, each with its item's name.
    pub fn build<'a>(declarations: impl IntoIterator<Item = (&'a str, &'a Declaration)>, broken: &[String]) -> Self {
        let items: Vec<(&str, &Declaration)> = declarations.into_iter().collect();
        // sized at once: grown insert by insert, a large file's table was
        // rehashed twenty times
        let mut map: rustc_hash::FxHashMap<Name, Symbol> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(items.len(), Default::default());
        // optional params first: a bare one in a guard tests its presence
        let mut optional: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        let mut absent: BTreeMap<String, String> = BTreeMap::new();
        let mut with_default: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        // Whether an earlier item has a param's name: asked of params only,
        // so only the names of params are kept (not a set of every name).
        let param_names: rustc_hash::FxHashSet<&str> = items
            .iter()
            .filter(|(_, item)| matches!(item.configuring(), Some(ItemKind::Param(_))))
            .map(|(name, _)| *name)
            .collect();
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        for (name, item) in &items {
            let name = *name;
            if let Some(ItemKind::Param(p)) = item.configuring()
                && !seen.contains(name)
                && !p.ty.list
                && p.default.is_some()
            {
                // a default: always a value
                with_default.insert(name.to_string());
            }
            if let Some(ItemKind::Param(p)) = item.configuring()
                && !seen.contains(name)
                && !p.ty.list
                && p.default.is_none()
            {
                if p.ty.optional {
                    optional.insert(name.to_string());
                    absent.insert(name.to_string(), String::new());
                } else if let Some(held) = declaration::held_placeholder(p) {
                    absent.insert(name.to_string(), held);
                }
            }
            if param_names.contains(name) {
                seen.insert(name);
            }
        }
        // then derived features (which may not use one another)
        let params = ParamPresence { absent: &absent, with_default: &with_default };
        let mut derived: BTreeMap<String, Cond> = BTreeMap::new();
        for (_, item) in &items {
            if let Some(ItemKind::Feature(f)) = item.configuring()
                && let FeatureDomain::Derived(expr) = &f.domain
            {
                derived
                    .entry(f.name.name.as_str().to_owned())
                    .or_insert_with(|| plain_cond(expr, &params, &BTreeMap::new()));
            }
        }
        for (name, item) in items {
            let sym = match item {
                Declaration::Other { kind, .. } => kind.symbol(),
                Declaration::Configuring(ast_item) => match &ast_item.kind {
                    ItemKind::Param(p) => Symbol::Param(
                        ScalarType::parse(&p.ty.scalar.name).map(|scalar| ParamType { list: p.ty.list, scalar }),
                    ),
                    ItemKind::Feature(f) => match &f.domain {
                        FeatureDomain::Derived(expr) => Symbol::Derived(plain_cond(expr, &params, &BTreeMap::new())),
                        FeatureDomain::Bool(_) => {
                            Symbol::Feature { domain: vec!["false".into(), "true".into()], is_bool: true }
                        }
                        FeatureDomain::Enum(values) => {
                            // each value once, in order (a search of the list
                            // for each: 80,000 values took 15 s)
                            let mut seen = rustc_hash::FxHashSet::default();
                            let fresh = values.iter().filter(|v| seen.insert(v.name.as_str()));
                            let domain = fresh.map(|v| v.name.as_str().to_owned()).collect();
                            Symbol::Feature { domain, is_bool: false }
                        }
                    },
                    ItemKind::Constraint(c) => Symbol::Constraint(plain_cond(&c.expr, &params, &derived)),
                    // `Declaration::of` keeps no other kind as `Configuring`
                    other => other_kind(other).map_or(Symbol::Unparsed, OtherKind::symbol),
                },
            };
            // the first definition of a name wins (one lookup an item)
            map.entry(name.into()).or_insert(sym);
        }
        for name in broken {
            map.entry(name.as_str().into()).or_insert(Symbol::Unparsed);
        }
        let mut named: Vec<(String, Cond)> = map
            .iter()
            .filter_map(|(n, s)| match s {
                Symbol::Constraint(c) => Some((n.to_string(), c.clone())),
                _ => None,
            })
            .collect();
        named.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut symbols = Symbols {
            map,
            optional,
            absent: absent.clone(),
            constraints: ConstraintFacts { named, ..Default::default() },
            neighbours: Default::default(),
        };
        let constraints: Vec<&Cond> = symbols.named_constraints().map(|(_, c)| c).collect();
        let domain = |v: &str| symbols.domain(v);
        let is_param = |v: &str| matches!(symbols.get(v), Some(Symbol::Param(_)));
        let groups = crate::constraint_groups::ConstraintGroups::build(&constraints, &domain).with_param_facts(
            &constraints,
            &domain,
            &is_param,
        );
        let satisfiable = crate::constraint_groups::hold_together(&[], &groups.all(), &domain);
        symbols.constraints.satisfiable = satisfiable;
        symbols.constraints.groups = groups;
        symbols
    }

    /// Whether some configuration is known to satisfy every constraint.
    pub fn constraints_satisfiable(&self) -> bool {
        self.constraints.satisfiable
    }

    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.map.get(name)
    }

    /// What the table says of one name (see [`NameFacts`]).
    pub fn facts(&self, name: &str) -> NameFacts {
        NameFacts {
            symbol: self.map.get(name).cloned(),
            optional: self.optional.contains(name),
            presence: self.presence(name),
        }
    }

    /// What it says of the params, features and constraints (see
    /// [`ConfiguringScope`]).
    pub fn configuring_scope(&self) -> ConfiguringScope {
        let names = self
            .map
            .iter()
            // not the derived features: the condition one names may test a
            // param's presence, which holds its placeholder text
            // (`regional = region and ...`), and every check would then
            // read it; the checks that name one read it by name
            .filter(|(_, s)| matches!(s, Symbol::Param(_) | Symbol::Feature { .. } | Symbol::Constraint(_)))
            // without presence: a param's holds its placeholder text, which
            // every check would then read (`db::scope` asks for it by name)
            .map(|(name, symbol)| {
                let facts = NameFacts {
                    symbol: Some(symbol.clone()),
                    optional: self.optional.contains(name.as_str()),
                    presence: None,
                };
                (*name, facts)
            })
            .collect();
        ConfiguringScope { names, constraints: self.constraints.clone() }
    }

    /// Whether `name` is a param declared optional (`arn?`).
    pub fn is_optional(&self, name: &str) -> bool {
        self.optional.contains(name)
    }

    /// `when NAME` for a scalar param: it has a value (given, or a default).
    /// `None` when `name` is no scalar param.
    pub fn presence(&self, name: &str) -> Option<Cond> {
        match self.get(name) {
            Some(Symbol::Param(Some(ParamType { list: false, .. }))) => Some(presence_cond(name, &self.absent)),
            _ => None,
        }
    }

    /// The names of class `from` worth weighing as a suggestion for `name`
    /// (all of them when the class is small; see `suggestions`). A class's
    /// index is made the first time it is asked for.
    pub fn suggestion_candidates(&self, name: &str, from: SuggestFrom) -> Vec<&str> {
        let Some(lazy) = self.neighbours.get(from.index()) else { return Vec::new() };
        let names = || {
            let of_class = self.map.iter().filter(|(_, s)| from.accepts(s)).map(|(n, _)| n.as_str());
            crate::suggestions::Neighbours::new(of_class)
        };
        lazy.get_or_init(names).candidates(name)
    }

    /// The values a guard variable ranges over: a feature's domain, or the
    /// partitions for a param of type `partition`.
    /// Borrowed for a feature: guards are decided over every assignment,
    /// and a copy per variable per guard was a few percent of a check.
    pub fn domain(&self, var: &str) -> Option<std::borrow::Cow<'_, [String]>> {
        domain_of(self.get(var)?)
    }

    /// The constraints with their names, in the order of their names.
    pub fn named_constraints(&self) -> impl Iterator<Item = (&str, &Cond)> {
        self.constraints.named()
    }

    /// The names whose symbols differ between this table and `other`, when
    /// nothing else does (what they say of the optional and absent params
    /// and of the constraints); `None` otherwise.
    pub fn names_differing_from(&self, other: &Symbols) -> Option<Vec<Name>> {
        let same_facts =
            self.optional == other.optional && self.absent == other.absent && self.constraints == other.constraints;
        if !same_facts {
            return None;
        }
        let differ = |(name, symbol): (&Name, &Symbol)| (other.map.get(name.as_str()) != Some(symbol)).then_some(*name);
        let mut names: Vec<Name> = self.map.iter().filter_map(differ).collect();
        names.extend(other.map.keys().filter(|name| !self.map.contains_key(name.as_str())));
        Some(names)
    }
}

/// Lowers an expression without checking it (checks live in `item_check`).
/// `when NAME`: the param is not what it is when absent (a param with a
/// default always has a value).
fn presence_cond(name: &str, absent: &BTreeMap<String, String>) -> Cond {
    match absent.get(name) {
        Some(value) => Cond::Not(Box::new(Cond::Is(name.into(), value.into()))),
        None => Cond::Const(true),
    }
}

/// `var == literal` as a condition, `var` a param whose value without one
/// given is `absent` (from its presence condition). A literal with `<...>`s
/// compared with a param left at its placeholder also equals the
/// placeholder as the configurations hold it, with stand-ins
/// (`ir::placeholders`), so that `cluster != "<CLUSTER NAME>"` still tells
/// whether a value was given (the text inside the `<...>`s is not compared:
/// it is what the stand-ins hide), and a given value equal to the literal
/// still equals it. The flag says whether the literal stands for the
/// param's placeholder so (its type is then not the param's to check).
pub(crate) fn compared(var: Name, absent: Option<&str>, literal: Name) -> (Cond, bool) {
    use crate::ir::placeholders::{MARK, value_at_placeholder};
    match absent {
        Some(held) if held.contains(MARK) && literal.contains('<') => {
            let as_held = value_at_placeholder(&var, None, &literal);
            let stands_for_placeholder = as_held == held;
            let either = Cond::Or(Box::new(Cond::Is(var, as_held.as_str().into())), Box::new(Cond::Is(var, literal)));
            (either, stands_for_placeholder)
        }
        _ => (Cond::Is(var, literal), false),
    }
}

/// What a param's presence condition says it holds when not given (the
/// text [`presence_cond`] compares with).
pub(crate) fn absent_value(presence: &Cond) -> Option<&str> {
    match presence {
        Cond::Not(is) => match &**is {
            Cond::Is(_, value) => Some(value.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// What a bare scalar param in a guard means: presence (see [`presence_cond`]).
pub(crate) struct ParamPresence<'a> {
    pub absent: &'a BTreeMap<String, String>,
    /// Scalar params with a default: they always have a value.
    pub with_default: &'a rustc_hash::FxHashSet<String>,
}

/// An expression as a condition, without checks: a bare param tests its
/// presence (as `Checker::expr` does), a derived feature stands for its
/// condition.
pub(crate) fn plain_cond(expr: &Expr, params: &ParamPresence<'_>, derived: &BTreeMap<String, Cond>) -> Cond {
    let plain = |e: &Expr| plain_cond(e, params, derived);
    match expr {
        Expr::Bool(b, _) => Cond::Const(*b),
        Expr::Var(i) if derived.contains_key(i.name.as_str()) => {
            derived.get(i.name.as_str()).cloned().unwrap_or(Cond::Const(false))
        }
        // a param: it has a value
        Expr::Var(i) if params.absent.contains_key(i.name.as_str()) => presence_cond(&i.name, params.absent),
        Expr::Var(i) if params.with_default.contains(i.name.as_str()) => Cond::Const(true),
        Expr::Var(i) => Cond::Is(i.name, "true".into()),
        Expr::Compare { var, negated, value, .. } => {
            let absent = params.absent.get(var.name.as_str()).map(String::as_str);
            let (is, _) = compared(var.name, absent, value.text);
            if *negated { Cond::Not(Box::new(is)) } else { is }
        }
        Expr::Not(e, _) => Cond::Not(Box::new(plain(e))),
        Expr::And(a, b) => Cond::And(Box::new(plain(a)), Box::new(plain(b))),
        Expr::Or(a, b) => Cond::Or(Box::new(plain(a)), Box::new(plain(b))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::SuggestFrom;
    use crate::{RefKind, RootDatabase, SourceFile, symbols};

    /// Among 10,000 policies whose names sort around it, the one feature is
    /// still the feature suggested: each class of names has its own index.
    #[test]
    fn names_of_other_kinds_do_not_hide_the_wanted_one() {
        let mut text: String = (0..10_000).map(|i| format!("policy pro_{i:05} {{}}\n")).collect();
        text.push_str("feature prod: bool = false;\n");
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "f.pcl".into(), text);
        let table = symbols(&db, file);
        assert_eq!(table.suggestion_candidates("prdo", SuggestFrom::Uses(RefKind::Feature)), ["prod"]);
        let any = table.suggestion_candidates("pro_04321x", SuggestFrom::AnyParsed);
        assert!(any.contains(&"pro_04321") && any.len() <= 256, "{} candidates", any.len());
        assert!(table.suggestion_candidates("prdo", SuggestFrom::Uses(RefKind::Param)).is_empty());
    }
}
