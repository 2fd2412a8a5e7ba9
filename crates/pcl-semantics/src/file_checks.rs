//! Checks that need the whole file: duplicate names, include cycles, unused
//! items, satisfiable constraints, and the per-configuration checks (empty
//! lists, duplicate Sids) run on every variant of every policy.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet as HashSet;

use pcl_syntax::{ParsedFile, ParsedItem, Span, SyntaxErrorKind};

use crate::config;
use crate::constraint_verdicts::{ConstraintVerdicts, constraints, placed, violations};
use crate::diagnostic::{Diagnostic, DiagnosticKind, Severity};
use crate::graph::{Graph, walk};
use crate::ir::{ItemIr, Program, ProgramItem};
use crate::item_check::{ItemAnalysis, RefKind};
use crate::symbol_table::Symbols;
use crate::uses::Uses;
use crate::variants;

/// Everything `pcl check` knows of a file: its program and its diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileAnalysis {
    /// Shared with the file-wide checks' result (`db::file_checks`), not copied.
    pub program: std::sync::Arc<Program>,
    /// Absolute spans, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The `expect`s of the file: a code and the span it covers.
    pub acknowledged: Vec<(crate::Code, pcl_syntax::Span)>,
}

impl FileAnalysis {
    /// The diagnostics of a `--set` configuration worth showing after this
    /// analysis: its errors, and its warnings that are neither acknowledged
    /// nor already reported (at the same place, with the same code).
    pub fn configuration_news(&self, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        crate::acknowledge::apply(&self.acknowledged, &mut diagnostics);
        // by hash: the file's diagnostics searched for each warning were
        // quadratic in a build with thousands of warnings
        let known: HashSet<(crate::Code, pcl_syntax::Span)> =
            self.diagnostics.iter().map(|d| (d.code, d.span)).collect();
        diagnostics.retain(|d| d.severity() == crate::Severity::Error || !known.contains(&(d.code, d.span)));
        diagnostics
    }

    /// This analysis's diagnostics as a build given values shows them: a
    /// warning worded with the placeholder of a param given a value
    /// (`placeholders`, their texts) that the configuration's checks
    /// (`configuration`, as `check_configuration` returns them) find again,
    /// at its place and with its code, takes their wording (the value given,
    /// and the help that fits it), with its own configuration qualifier;
    /// only where one warning on each side has that place and code.
    pub fn worded_for<'a>(
        &'a self,
        configuration: &[Diagnostic],
        placeholders: &[&str],
    ) -> std::borrow::Cow<'a, [Diagnostic]> {
        // (a build given no param's value, `pcl build policies.pcl`, pays
        // for nothing here)
        if placeholders.is_empty() {
            return std::borrow::Cow::Borrowed(&self.diagnostics);
        }
        let shows_placeholder = |d: &Diagnostic| {
            let shows = |text: &str| placeholders.iter().any(|p| !p.is_empty() && text.contains(p));
            shows(&d.message) || d.help.as_deref().is_some_and(shows)
        };
        let (ours, theirs) = (warnings_alone(&self.diagnostics), warnings_alone(configuration));
        let mut reworded = Vec::new();
        for (at, d) in self.diagnostics.iter().enumerate() {
            let key = (d.code, d.span);
            let (Some(Some(_)), Some(Some(found))) = (ours.get(&key), theirs.get(&key)) else { continue };
            if shows_placeholder(d) && found.message != d.message {
                let (_, qualifier) = crate::diagnostic::split_qualifier(&d.message);
                let (base, _) = crate::diagnostic::split_qualifier(&found.message);
                let mut worded = (*found).clone();
                worded.message = format!("{base}{qualifier}");
                reworded.push((at, worded));
            }
        }
        if reworded.is_empty() {
            return std::borrow::Cow::Borrowed(&self.diagnostics);
        }
        let mut diagnostics = self.diagnostics.clone();
        for (at, worded) in reworded {
            if let Some(slot) = diagnostics.get_mut(at) {
                *slot = worded;
            }
        }
        std::borrow::Cow::Owned(diagnostics)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity() == crate::Severity::Error)
    }
}

/// Each warning's place and code, with the warning when it is the only one
/// there.
fn warnings_alone(diagnostics: &[Diagnostic]) -> rustc_hash::FxHashMap<(crate::Code, Span), Option<&Diagnostic>> {
    let mut by_place: rustc_hash::FxHashMap<(crate::Code, Span), Option<&Diagnostic>> = Default::default();
    for d in diagnostics.iter().filter(|d| d.severity() == Severity::Warning) {
        by_place.entry((d.code, d.span)).and_modify(|alone| *alone = None).or_insert(Some(d));
    }
    by_place
}

/// What `analyze` found, with the per-configuration findings merged in (when
/// the constraints are decidable) and the file's `expect`s applied.
/// `may_expect` says which parsed items may hold an `expect` (see
/// `db::FileParse::mentions_expect`); `candidates`, when known, the places
/// of the only parsed items that may have findings, in file order;
/// `findings`, those of the item at a place, and whether some show a
/// placeholder's stand-in (only those are restored: this runs after every
/// edit).
pub fn with_findings<'f>(
    parsed: &ParsedFile,
    may_expect: &[bool],
    (checked, decidable): &(FileAnalysis, bool),
    candidates: Option<&[usize]>,
    findings: &dyn Fn(usize) -> (&'f [crate::variant_checks::Finding], bool),
) -> FileAnalysis {
    let mut analysis = checked.clone();
    if *decidable {
        let mut add = |at: usize| {
            let (found, shows_stand_ins) = findings(at);
            if !found.is_empty() {
                let mut diags = crate::variant_checks::absolute(&analysis.program, found.to_vec());
                // placeholders' texts where the checks saw their stand-ins
                // (`ir::placeholders`): their memos hold the stand-ins, so
                // that an edit of a placeholder's text re-runs none of them
                if shows_stand_ins {
                    restore_placeholders(&analysis.program, &mut diags);
                }
                analysis.diagnostics.extend(diags);
            }
        };
        match candidates {
            // a few places (a file read by blocks'): each looked up, not
            // every item walked after every edit
            Some(places) => {
                for &at in places {
                    let Some(parsed_item) = parsed.items.get(at) else { continue };
                    // duplicates were dropped from the program: the first only
                    let first = checked.program.get(&parsed_item.item.name().name);
                    if first.is_some_and(|p| p.offset == parsed_item.offset) {
                        add(at);
                    }
                }
            }
            None => {
                // The program holds the first definition of each name, in
                // file order: walked beside the parsed items, it says which
                // they are without a lookup per item.
                let mut firsts = checked.program.items().iter().map(|i| i.offset).peekable();
                for (at, parsed_item) in parsed.items.iter().enumerate() {
                    if firsts.next_if_eq(&parsed_item.offset).is_some() {
                        add(at);
                    }
                }
            }
        }
        crate::diagnostic::sort(&mut analysis.diagnostics);
    }
    analysis.acknowledged = crate::acknowledge::acknowledge(parsed, may_expect, &mut analysis.diagnostics);
    analysis
}

/// `diagnostics` with the placeholders' texts put back where they hold
/// stand-ins (most hold none, and are left as they are).
fn restore_placeholders(program: &Program, diagnostics: &mut [Diagnostic]) {
    for diagnostic in diagnostics.iter_mut().filter(|d| crate::ir::placeholders::holds_stand_in(d)) {
        crate::ir::placeholders::restore_diagnostic(program, diagnostic);
    }
}

/// The syntax errors of a parse, as diagnostics.
pub fn syntax_diagnostics(parsed: &ParsedFile) -> Vec<Diagnostic> {
    parsed
        .errors
        .iter()
        .map(|e| {
            let too_deep = e.kind == SyntaxErrorKind::TooDeep;
            DiagnosticKind::Syntax {
                too_deep,
                message: e.message.clone(),
                label: e.label.clone(),
                help: e.help.clone(),
            }
            .at(e.span)
        })
        .collect()
}

/// A file's parsed items and their analyses (shared or borrowed), side by
/// side.
struct Checked<'a, A> {
    items: &'a [ParsedItem],
    analyses: &'a [A],
}

impl<A> Clone for Checked<'_, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A> Copy for Checked<'_, A> {}

impl<'a, A: std::ops::Deref<Target = ItemAnalysis>> Checked<'a, A> {
    fn iter(self) -> impl Iterator<Item = (&'a ParsedItem, &'a ItemAnalysis)> {
        self.items.iter().zip(self.analyses.iter().map(|analysis| &**analysis))
    }

    fn get(self, at: usize) -> Option<(&'a ParsedItem, &'a ItemAnalysis)> {
        self.items.get(at).zip(self.analyses.get(at).map(|analysis| &**analysis))
    }
}

/// The file-wide checks; also whether the constraints are small enough for
/// the per-configuration checks (`variant_checks`) to run.
/// `uses` are those of every item, in file order, in runs (`uses::of`);
/// `defaults`, the configuration with nothing given (`None` if the params
/// and features make none), and `clashes`, the deployed names that clash
/// under it, when found already (a file read by blocks', 24 items or more), else found
/// here from the program.
/// `verdicts` gives what the constraints alone decide (`constraint_verdicts`
/// of a program holding the same params, features and constraints: the
/// database memoizes it, so that no edit outside them decides it again).
pub fn analyze<'v, A: std::ops::Deref<Target = ItemAnalysis>>(
    parsed: &ParsedFile,
    analyses: &[A],
    symbols: &Symbols,
    uses: &[&Uses],
    (defaults, clashes): (Option<&config::Config>, Option<&[crate::deployed_names::Clash]>),
    verdicts: &dyn Fn() -> &'v ConstraintVerdicts,
) -> (FileAnalysis, bool) {
    let mut diags = syntax_diagnostics(parsed);

    // each parsed item beside its analysis (the two lists side by side: a
    // list of pairs was 0.7 MB more at the end of a 10 MB check)
    let checked = Checked { items: &parsed.items, analyses };
    let count = parsed.items.len().min(analyses.len());
    let mut program = Program::with_capacity(count);
    // where each of the program's items is among the parsed ones
    let mut program_places: Vec<usize> = Vec::with_capacity(count);
    // Items that failed to parse count as erroneous: what uses them is not
    // checked per configuration (it would only report follow-up errors).
    let mut item_errors: HashSet<String> = parsed.broken_names.iter().cloned().collect();
    for (place, (parsed_item, analysis)) in checked.iter().enumerate() {
        let name = parsed_item.item.name();
        let offset = parsed_item.offset;
        for d in &analysis.diagnostics {
            if d.severity() == Severity::Error {
                item_errors.insert(name.name.as_str().to_owned());
            }
            diags.push(d.clone().shifted(offset));
        }
        let item = ProgramItem { name: name.name, offset, name_span: name.span, ir: analysis.ir.clone() };
        // shared, not copied: copying every item's after every edit was a
        // few percent of it
        let added = program.push_documented(item, &parsed_item.item.docs);
        if added {
            program_places.push(place);
        } else if let Some(first) = program.get(&name.name) {
            let first_span = first.name_span.shift(first.offset);
            diags.push(
                DiagnosticKind::DuplicateName { name: name.name.to_string(), first: first_span }
                    .at(name.span.shift(offset)),
            );
        }
    }

    // Unused-item warnings after a syntax error would only be noise: the
    // uses may sit in the text that did not parse.
    if parsed.errors.is_empty() {
        unused(&program, &program_places, symbols, uses, &mut diags);
    }
    includes(&program, &program_places, checked, uses, &mut diags);
    crate::valuesets_as_arns::check(&program, uses, &mut diags);
    let constraints_ok = program.constraints().all(|(item, _, _)| !item_errors.contains(item.name.as_str()));
    // Constraints too large to decide make every per-configuration check
    // undecidable (and slow): they are an error of their own.
    let before = diags.len();
    let verdicts = constraints_ok.then(verdicts);
    let decidable = verdicts.is_none_or(|verdicts| constraints(&program, verdicts, &mut diags));
    if let Some(verdicts) = verdicts.filter(|_| decidable && diags.len() == before) {
        diags.extend(placed(&program, &verdicts.violated_by_defaults, |values, constraint, explanation| {
            DiagnosticKind::DefaultsViolateConstraint { values, constraint, explanation }
        }));
    }
    if let Some(config) = defaults {
        diags.extend(crate::other_partition::default_findings(
            &program,
            &config.params,
            &parsed.items,
            &program_places,
        ));
    }
    if decidable && let Some(config) = defaults {
        match clashes {
            Some(found) => {
                // where the item's name starts (deployed records are relative to it)
                let offset = |place: u32| {
                    let item = usize::try_from(place).ok().and_then(|at| parsed.items.get(at));
                    item.map_or(0, |p| p.offset.saturating_add(p.item.name().span.start))
                };
                let found =
                    found.iter().map(|(later, first)| crate::deployed_names::clash_diagnostic(later, first, &offset));
                diags.extend(found);
            }
            None => diags.extend(crate::deployed_names::name_clashes(&program, config)),
        }
        diags.extend(crate::attached_paths::path_conflicts(&program, config));
    }
    // the values of the defaults and the deployed names are the
    // configurations' (item checks read written text only)
    restore_placeholders(&program, diags.get_mut(before..).unwrap_or_default());

    crate::diagnostic::sort(&mut diags);
    (FileAnalysis { program: std::sync::Arc::new(program), diagnostics: diags, acknowledged: Vec::new() }, decidable)
}

fn unused(program: &Program, program_places: &[usize], symbols: &Symbols, uses: &[&Uses], diags: &mut Vec<Diagnostic>) {
    // Marks by place among the parsed items, from uses resolved once (a
    // large file's by blocks, memoized): this runs after every edit.
    let places = program_places.last().map_or(0, |last| last + 1);
    let mut used = vec![false; places];
    for at in uses.iter().flat_map(|u| &u.items) {
        if let Some(mark) = usize::try_from(*at).ok().and_then(|at| used.get_mut(at)) {
            *mark = true;
        }
    }
    // A misspelt use (`acount`) is already an error; do not also call the
    // intended item (`account`) unused.
    // the item each unknown name was probably meant to be
    // (the symbol table's names are the program's, and unparsed ones)
    let unknown: HashSet<&str> = uses.iter().flat_map(|u| &u.unknown).map(|n| n.as_str()).collect();
    let mut meant: HashSet<&str> = HashSet::default();
    for u in unknown {
        let candidates = symbols.suggestion_candidates(u, crate::symbol_table::SuggestFrom::AnyParsed);
        // as the diagnostic suggests it
        if let Some(name) = pcl_iam::suggested(u, candidates) {
            meant.insert(name);
        }
    }
    // the partition param is used even where no text names it: the checks
    // judge every partition through it (ARN defaults, E0203; hard-coded
    // partitions, E0316), and a build's index names its partition by it (a
    // review found W0502's fix trading two E0203s for an E0316)
    // (unless another partition param is used: then the unused first one
    // is what the checks wrongly judge by, and removing it mends that)
    let is_used = |at: usize| program_places.get(at).and_then(|place| used.get(*place)).copied().unwrap_or(false);
    let other_partition_used = program
        .params()
        .filter(|(name, p)| {
            Some(*name) != program.partition_param() && !p.ty.list && p.ty.scalar == pcl_iam::ScalarType::Partition
        })
        .any(|(name, _)| program.position(name).is_some_and(is_used));
    let partition = program.partition_param().filter(|_| !other_partition_used);
    for (at, what) in program.usable() {
        let Some(item) = program.items().get(at) else { continue };
        if partition == Some(item.name.as_str()) {
            continue;
        }
        let used = is_used(at);
        if !used && !meant.contains(item.name.as_str()) {
            let kind = DiagnosticKind::Unused { what, name: item.name.as_str().to_owned() };
            diags.push(kind.at(item.name_span.shift(item.offset)));
        }
    }
}

/// A reference from one item to a set, with its absolute span.
struct SetRef<'a> {
    target: &'a str,
    kind: RefKind,
    span: Span,
}

/// References to permsets, actionsets and valuesets, by referring set.
/// Only sets are referenced by sets: a policy or role has no reference into
/// it, so it is on no cycle and in no chain, and its references (most of a
/// large file's) are left out.
fn set_refs<'a, A: std::ops::Deref<Target = ItemAnalysis>>(
    program: &Program,
    program_places: &[usize],
    checked: Checked<'a, A>,
    uses: &[&Uses],
) -> BTreeMap<&'a str, Vec<SetRef<'a>>> {
    let mut edges: BTreeMap<&str, Vec<SetRef<'_>>> = BTreeMap::new();
    // only the sets that name a set (`uses::of` found them), and of those
    // the first definitions (the program's items; duplicates are already
    // reported)
    let referrers = uses.iter().flat_map(|u| &u.set_referrers).filter_map(|at| usize::try_from(*at).ok());
    let firsts = referrers.filter(|at| program_places.binary_search(at).is_ok()).filter_map(|at| checked.get(at));
    for (p, a) in firsts {
        let from = p.item.name().name.as_str();
        for r in &a.refs {
            if matches!(r.kind, RefKind::Include | RefKind::Actionset | RefKind::Valueset)
                && program.get(&r.name).is_some()
            {
                edges.entry(from).or_default().push(SetRef {
                    target: &r.name,
                    kind: r.kind,
                    span: r.span.shift(p.offset),
                });
            }
        }
    }
    edges
}

/// Cycles among sets, and chains of sets of one kind deeper than expansion
/// follows (`MAX_INCLUDE_DEPTH` levels below the item that uses the first).
fn includes<A: std::ops::Deref<Target = ItemAnalysis>>(
    program: &Program,
    program_places: &[usize],
    checked: Checked<'_, A>,
    uses: &[&Uses],
    diags: &mut Vec<Diagnostic>,
) {
    let refs = set_refs(program, program_places, checked, uses);
    let all: Graph<'_> =
        refs.iter().map(|(from, rs)| (*from, rs.iter().map(|r| (r.target, r.span)).collect())).collect();
    for (span, members) in walk(&all).cycles {
        let chain = members.iter().map(|m| m.to_string()).collect();
        diags.push(DiagnosticKind::CyclicInclude { chain }.at(span));
    }
    for kind in [RefKind::Include, RefKind::Actionset, RefKind::Valueset] {
        // only set-to-set references of one kind form a chain that expansion counts
        let same_kind: Graph<'_> = refs
            .iter()
            .filter(|(from, _)| is_set_of(program, from, kind))
            .map(|(from, rs)| (*from, rs.iter().filter(|r| r.kind == kind).map(|r| (r.target, r.span)).collect()))
            .collect();
        let height = walk(&same_kind).height;
        for (from, es) in &same_kind {
            for (target, span) in es {
                let below = height.get(target).copied().unwrap_or(0);
                if below + 1 == crate::MAX_INCLUDE_DEPTH
                    && height.get(from).copied().unwrap_or(0) >= crate::MAX_INCLUDE_DEPTH
                {
                    diags.push(DiagnosticKind::SetsTooDeep { target: target.to_string(), below }.at(*span));
                }
            }
        }
    }
}

fn is_set_of(program: &Program, name: &str, kind: RefKind) -> bool {
    matches!(
        (program.get(name).map(|i| &*i.ir), kind),
        (Some(ItemIr::Permset(_)), RefKind::Include)
            | (Some(ItemIr::Actionset(_)), RefKind::Actionset)
            | (Some(ItemIr::Valueset(_)), RefKind::Valueset)
    )
}

/// The checks that depend on a configuration (empty lists, duplicate Sids,
/// violated constraints), for a `--set` configuration of an error-free file.
pub fn check_configuration(program: &Program, cfg: &config::Config) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let lookup = |v: &str| {
        cfg.pins.get(v).cloned().or_else(|| match cfg.params.get(v) {
            Some(crate::ir::ParamValue::One(x)) => Some(x.clone()),
            _ => None,
        })
    };
    diags.extend(violations(program, &lookup, |values, constraint, explanation| {
        DiagnosticKind::ConfigurationViolatesConstraint { values, constraint, explanation }
    }));
    if diags.is_empty()
        && variants::satisfiable(program, &cfg.pins, &cfg.pins, &cfg.params) == Some(false)
        && let Some((item, _, _)) = program.constraints().next()
    {
        diags.push(DiagnosticKind::NoConfigurationLeft.at(item.name_span.shift(item.offset)));
    }
    // Even with nothing given or pinned, this configuration is not always one
    // the file's analysis checked: a partition param may hold its
    // placeholder, the analysis renders texts with `${partition}`, and it
    // skips the text checks of a closure with too deep chains.
    if diags.is_empty() {
        diags.extend(crate::deployed_names::name_clashes(program, cfg));
        diags.extend(crate::attached_paths::path_conflicts(program, cfg));
        let facts = [variants::constraint_facts(program, &cfg.pins, &cfg.params)];
        for item in program.items() {
            let findings = crate::variant_checks::item_findings(program, item, std::slice::from_ref(cfg), &facts, true);
            // callers keep what the file's analysis has not said already
            // (`FileAnalysis::configuration_news`)
            diags.extend(crate::variant_checks::absolute(program, findings));
        }
    }
    restore_placeholders(program, &mut diags);
    diags.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diags
}
