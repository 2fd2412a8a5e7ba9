//! Checks and lowers one item against the symbol table: names, kinds, types,
//! actions, ARNs, operators, Sids, and guards that are always true or false.
//! All spans produced here are relative to the item.
//!
//! One `Checker` walks the item; its methods live in one module per family
//! of checks, as rust-analyzer's `hir-ty/src/infer/*.rs` do.

use pcl_syntax::ast::{
    self, ActionItem, BodyEntry, Expr, FeatureDomain, ItemKind, StmtField, StrLit, StrPart, ValueItem,
};
use pcl_syntax::{Name, Span};

use crate::assignments::Flow;
use crate::constraint_groups::{Outside, Projection, Table};
use crate::diagnostic::{Code, Diagnostic, DiagnosticKind, suggest};
use crate::iam::{self, Field};
use crate::ir::*;
use crate::symbol_table::{Scope, SuggestFrom, Symbol};

mod arns;
mod declarations;
mod guards;
mod principals;
mod roles;
mod statements;
mod values;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    Param,
    Feature,
    Include,
    Actionset,
    Valueset,
    Policy,
}

/// A use of another item's name, for unused-item warnings and cycles.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ref {
    pub name: pcl_syntax::Name,
    pub kind: RefKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemAnalysis {
    pub ir: std::sync::Arc<ItemIr>,
    /// Boxed slices, not `Vec`s: an analysis is kept as long as its file,
    /// and each `Vec` took 8 bytes more (0.7 MB of a 10 MB check).
    pub diagnostics: Box<[Diagnostic]>,
    pub refs: Box<[Ref]>,
    /// The span of the item's name, relative to the item: what the
    /// per-configuration checks of the items that use it read, kept here
    /// so that they depend on this analysis alone, not on the AST too.
    pub name_span: pcl_syntax::Span,
    /// The item was read without its broken body entries
    /// (`ast::Item::recovered`): what is left may look emptier than
    /// written, so no list or document of it is reported empty.
    pub recovered: bool,
}

impl ItemAnalysis {
    /// The analysis with every span emptied: what the per-configuration
    /// checks and the configurations read of a param, feature or constraint.
    /// They report nothing at its places (a finding is placed in the policy,
    /// permset or role it comes from), so an edit that only moves its spans
    /// (its doc comment, its layout) leaves this equal, and nothing
    /// downstream runs again.
    pub fn placeless(&self) -> ItemAnalysis {
        let nowhere = |_| pcl_syntax::Span::default();
        ItemAnalysis {
            ir: std::sync::Arc::clone(&self.ir),
            diagnostics: self.diagnostics.iter().map(|d| d.clone().with_spans(nowhere)).collect(),
            refs: self.refs.iter().map(|r| Ref { span: pcl_syntax::Span::default(), ..r.clone() }).collect(),
            name_span: pcl_syntax::Span::default(),
            recovered: self.recovered,
        }
    }

    /// A valueset's or actionset's analysis as the per-configuration checks
    /// of the items that splice it read it: `placeless`, its IR's spans
    /// emptied too. Those checks place what they find at the splice, in the
    /// policy or permset that splices the set, never in the set; so an
    /// edit that only moves the set's spans (its doc comment, its layout)
    /// leaves this equal. `None` for any other item.
    pub fn set_placeless(&self) -> Option<ItemAnalysis> {
        let nowhere = &mut |_| pcl_syntax::Span::default();
        let ir = match &*self.ir {
            crate::ir::ItemIr::Valueset(values) => {
                let mut values = values.clone();
                values.map_spans(nowhere);
                crate::ir::ItemIr::Valueset(values)
            }
            crate::ir::ItemIr::Actionset(actions) => {
                let mut actions = actions.clone();
                actions.map_spans(nowhere);
                crate::ir::ItemIr::Actionset(actions)
            }
            _ => return None,
        };
        Some(ItemAnalysis { ir: std::sync::Arc::new(ir), ..self.placeless() })
    }
}

/// Body entries of a policy or permset checked on their own (top-level
/// ones, or a block's shell or entries): their IR, diagnostics and
/// references, spans relative to the entries' text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EntryAnalysis {
    pub entries: Vec<Entry>,
    pub diagnostics: Vec<Diagnostic>,
    pub refs: Vec<Ref>,
}

/// The already checked entries of a large policy or permset, as they were
/// parsed (`CheckedPart`), given the guard that encloses them (the policy's
/// own `when`).
pub type CheckedParts<'p> = &'p dyn Fn(Option<&Cond>) -> Vec<CheckedPart<'p>>;

/// One entry of a large item, checked on its own.
pub struct CheckedPart<'p> {
    /// Where it starts in its item.
    pub offset: u32,
    /// For the shell of a `with condition` block (the block with its
    /// entries left out), how many of the parts that follow are its
    /// entries; 0 for any other part.
    pub inner: u32,
    pub analysis: &'p EntryAnalysis,
}

/// Checks one item.
pub fn check(item: &ast::Item, symbols: &dyn Scope) -> ItemAnalysis {
    check_with_parts(item, symbols, None)
}

/// Checks body entries on their own, inside the guard `context` (what a
/// policy's entries are checked in); what `check` makes of the same entries
/// in their item, but with spans relative to the entries.
pub fn check_entries(entries: &[BodyEntry], context: Option<&Cond>, symbols: &dyn Scope) -> EntryAnalysis {
    let mut c = Checker::new(symbols);
    c.context.extend(context.cloned());
    let entries = c.entries(entries);
    EntryAnalysis { entries, diagnostics: c.diags, refs: c.refs }
}

/// `check`, with the top-level entries of a policy or permset taken from
/// `parts` when given: an edit inside one entry of a large item re-checks
/// that entry only. The result equals `check`'s.
pub fn check_with_parts(item: &ast::Item, symbols: &dyn Scope, parts: Option<CheckedParts<'_>>) -> ItemAnalysis {
    let mut c = Checker::new(symbols);
    let ir = match &item.kind {
        ItemKind::Param(p) => ItemIr::Param(Box::new(c.param(p))),
        ItemKind::Feature(ast::Feature { domain: ast::FeatureDomain::Derived(expr), .. }) => {
            c.in_derived = true;
            let cond = c.expr(expr);
            c.in_derived = false;
            ItemIr::Derived(cond)
        }
        ItemKind::Feature(f) => ItemIr::Feature(Box::new(c.feature(f))),
        ItemKind::Constraint(k) => {
            let cond = c.expr(&k.expr);
            let message = c.plain(&k.message, "a constraint message");
            ItemIr::Constraint { cond, message: message.into_boxed_str() }
        }
        ItemKind::Permset(p) => ItemIr::Permset(c.top_entries(&p.entries, parts)),
        ItemKind::Actionset(a) => ItemIr::Actionset(c.actions(&a.actions)),
        ItemKind::Valueset(v) => ItemIr::Valueset(c.valueset(&v.values)),
        ItemKind::Policy(p) => {
            let when = c.guard(p.when.as_deref());
            c.push_context(&when);
            let entries = c.top_entries(&p.entries, parts);
            let naming = c.naming(p.fields.iter(), "policy");
            c.pop_context(&when);
            ItemIr::Policy { when, entries, splittable: p.splittable, naming: Box::new(naming) }
        }
        ItemKind::Role(r) => {
            let when = c.guard(r.when.as_deref());
            c.push_context(&when);
            let role = c.role(r);
            c.pop_context(&when);
            ItemIr::Role { when, role: Box::new(role) }
        }
    };
    // kept as long as the file is open: no spare capacity
    let (refs, diagnostics) = (exact(c.refs), exact(c.diags));
    ItemAnalysis {
        ir: std::sync::Arc::new(ir),
        diagnostics,
        refs,
        name_span: item.name().span,
        recovered: item.recovered,
    }
}

/// What `check` makes of a policy's guard and naming fields (its header),
/// without its statements: the IR with no entries, and the diagnostics and
/// references of the header alone. Equal to `check`'s header part
/// (`db::policy_header` relies on it; a test compares the two).
pub fn check_policy_header(
    name: &ast::Ident,
    when: Option<&ast::Expr>,
    fields: &[ast::ItemField],
    symbols: &dyn Scope,
) -> ItemAnalysis {
    let mut c = Checker::new(symbols);
    let when = c.guard(when);
    c.push_context(&when);
    let naming = c.naming(fields.iter(), "policy");
    c.pop_context(&when);
    let (refs, diagnostics) = (exact(c.refs), exact(c.diags));
    let ir = ItemIr::Policy { when, entries: Vec::new(), splittable: false, naming: Box::new(naming) };
    ItemAnalysis { ir: std::sync::Arc::new(ir), diagnostics, refs, name_span: name.span, recovered: false }
}

/// `list` in an allocation of its length. `shrink_to_fit` (and so
/// `into_boxed_slice`) is not enough: mimalloc keeps a block that shrinks by
/// less than half where it is, so a list grown by doubling kept up to half
/// its room spare.
fn exact<T>(list: Vec<T>) -> Box<[T]> {
    if list.len() == list.capacity() {
        return list.into_boxed_slice();
    }
    let mut out = Vec::with_capacity(list.len());
    out.extend(list);
    out.into_boxed_slice()
}

struct Checker<'a> {
    symbols: &'a dyn Scope,
    diags: Vec<Diagnostic>,
    refs: Vec<Ref>,
    /// Guards enclosing the current position.
    context: Vec<Cond>,
    /// Checking a derived feature's expression (which may not use another).
    in_derived: bool,
    /// Inside `"..." for VAR in LIST`: the loop variable and its type.
    each_var: Option<(Name, Option<ScalarType>)>,
}

impl<'a> Checker<'a> {
    fn new(symbols: &'a dyn Scope) -> Self {
        Checker { symbols, diags: Vec::new(), refs: Vec::new(), context: Vec::new(), in_derived: false, each_var: None }
    }

    /// An item's top-level entries: checked here, or taken from `parts`
    /// (checked on their own, in the same enclosing guard) and placed.
    fn top_entries(&mut self, entries: &[BodyEntry], parts: Option<CheckedParts<'_>>) -> Vec<Entry> {
        let Some(parts) = parts else { return self.entries(entries) };
        let mut out = Vec::with_capacity(entries.len());
        // the entries still to go into the last block's shell (a block's
        // entries are checked as top-level ones are: in the same context)
        let mut into_block = 0;
        for part in parts(self.context.last()) {
            let CheckedPart { offset, inner, analysis } = part;
            let placed = analysis.entries.iter().map(|e| {
                let mut e = e.clone();
                e.shift(offset);
                e
            });
            let in_block = into_block > 0;
            into_block = if in_block { into_block - 1 } else { inner };
            match out.last_mut() {
                Some(Entry::Block { entries, .. }) if in_block => entries.extend(placed),
                _ => out.extend(placed),
            }
            self.diags.extend(analysis.diagnostics.iter().map(|d| d.clone().shifted(offset)));
            self.refs.extend(analysis.refs.iter().map(|r| Ref { span: r.span.shift(offset), ..r.clone() }));
        }
        out
    }
}

impl Checker<'_> {
    fn emit(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn push_context(&mut self, when: &Guard) {
        if let Some(c) = when {
            self.context.push((**c).clone());
        }
    }

    fn pop_context(&mut self, when: &Guard) {
        if when.is_some() {
            self.context.pop();
        }
    }

    /// Resolves a name that must be of one kind; reports unknown names with a
    /// suggestion and names of the wrong kind.
    fn resolve(&mut self, ident: &ast::Ident, kind: RefKind) -> Option<&Symbol> {
        self.resolve_fitting(ident, kind, &|_| true)
    }

    /// [`Self::resolve`], its "did you mean" among the names whose symbol
    /// `fits` where this one stands (its fix would otherwise write a name
    /// that is an error there too).
    fn resolve_fitting(
        &mut self,
        ident: &ast::Ident,
        kind: RefKind,
        fits: &dyn Fn(&Symbol) -> bool,
    ) -> Option<&Symbol> {
        let symbols = self.symbols;
        let candidates = |name: &str| {
            symbols
                .suggestion_candidates(name, SuggestFrom::Uses(kind))
                .into_iter()
                .filter(|c| symbols.get(c).is_some_and(fits))
        };
        let wanted = SuggestFrom::Uses(kind);
        let want = |s: &Symbol| wanted.accepts(s);
        let kind_name = match kind {
            RefKind::Param => "param",
            RefKind::Feature => "feature",
            RefKind::Include => "permset",
            RefKind::Actionset => "actionset",
            RefKind::Valueset => "valueset",
            RefKind::Policy => "policy",
        };
        self.refs.push(Ref { name: ident.name, kind, span: ident.span });
        match symbols.get(&ident.name) {
            Some(sym) if want(sym) => Some(sym),
            Some(Symbol::Unparsed) => None,
            Some(sym) => {
                let kind = DiagnosticKind::WrongKind {
                    name: ident.name.to_string(),
                    is: sym.kind_name(),
                    expected: kind_name,
                    suggestion: suggest(&ident.name, candidates(&ident.name)),
                };
                self.emit(kind.at(ident.span));
                None
            }
            None => {
                let kind = DiagnosticKind::UnknownName {
                    kind: kind_name,
                    name: ident.name.to_string(),
                    suggestion: suggest(&ident.name, candidates(&ident.name)),
                };
                self.emit(kind.at(ident.span));
                None
            }
        }
    }

    fn param_type(&mut self, ident: &ast::Ident) -> Option<ParamType> {
        self.param_type_where(ident, &|_| true)
    }

    /// [`Self::param_type`]; for a name that is no param, the "did you mean"
    /// suggests only a param whose type `fits` where this one stands (a
    /// list param is no text to interpolate, a region no ARN).
    fn param_type_where(&mut self, ident: &ast::Ident, fits: &dyn Fn(&ParamType) -> bool) -> Option<ParamType> {
        let symbol_fits = |s: &Symbol| match s {
            Symbol::Param(Some(ty)) => fits(ty),
            // a param whose type did not parse: suggested as before
            _ => true,
        };
        let ty = match self.resolve_fitting(ident, RefKind::Param, &symbol_fits)? {
            Symbol::Param(ty) => *ty,
            _ => None,
        };
        if self.symbols.is_optional(&ident.name) {
            self.require_present(ident);
        }
        ty
    }

    /// An optional param is only rendered where it has a value: the guards
    /// around its use (and the constraints) must imply `when NAME`.
    fn require_present(&mut self, ident: &ast::Ident) {
        let symbols = self.symbols;
        let mut vars = vec![ident.name.to_string()];
        for c in &self.context {
            c.vars(&mut vars);
        }
        // the groups of constraints the param and the context reach, and the
        // rest summed up; where the rest reads params (their values here are
        // those compared with, unknown to the symbol table), summed up with
        // them ranging so (each read by its own group only); should a
        // variable still have no domain, all of them are tried, as before
        let constraint_facts = symbols.constraints();
        let groups = constraint_facts.groups();
        let reach = groups.reach(&vars);
        let outside = groups.outside(&reach);
        let outside = match outside.unknown {
            true => groups.outside_with_params(&reach).filter(|o| !o.unknown),
            false => Some(outside),
        };
        let (constraints, outside): (Vec<&Cond>, Outside) = match outside {
            Some(outside) => (
                groups.constraints(&reach).iter().filter_map(|&at| constraint_facts.at(at)).map(|(_, c)| c).collect(),
                outside,
            ),
            None => (constraint_facts.named().map(|(_, c)| c).collect(), Outside::NONE),
        };
        let context = &self.context;
        // a param ranges over what it is compared with, absence (`""`) and
        // one value unlike all of them
        let domain = |v: &str| {
            symbols.domain(v).or_else(|| {
                matches!(symbols.get(v), Some(Symbol::Param(_))).then(|| {
                    std::borrow::Cow::Owned(crate::ir::values_tried(
                        context.iter().chain(constraints.iter().copied()),
                        v,
                    ))
                })
            })
        };
        let absent = Cond::Is(ident.name, Name::default());
        // the domains here are not the symbol table's (params get the values
        // compared with): whether the constraints hold together is asked again
        if guards::constant_value(&absent, &self.context, &constraints, &outside, false, &domain) != Some(false) {
            self.emit(DiagnosticKind::OptionalParamUnguarded { param: ident.name.to_string() }.at(ident.span));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueUse {
    Text,
    Arn,
    /// A `trust aws` principal: an account id or an IAM principal's ARN.
    AwsPrincipal,
}
