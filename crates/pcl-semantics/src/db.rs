//! The salsa database: `SourceFile` is the only input; every other query is
//! derived from it.

use std::sync::Arc;

use pcl_syntax::ast;

use crate::diagnostic::Diagnostic;
use crate::ir::Program;
use crate::item_check::ItemAnalysis;
use crate::symbol_table::Symbols;

/// A source file: its path (for messages) and its text.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
}

/// One top-level item. Its identity is its name (plus occurrence, for
/// duplicates), not its position: inserting an item above it keeps it.
#[salsa::tracked(debug)]
pub struct ItemDef<'db> {
    #[returns(copy)]
    pub file: SourceFile,
    #[returns(ref)]
    pub name: String,
    /// The AST, with spans relative to the item's start.
    #[tracked]
    #[returns(ref)]
    pub ast: Arc<ast::Item>,
}

#[salsa::db]
pub trait Database: salsa::Database {}

#[salsa::db]
impl<T: salsa::Database> Database for T {}

#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Database, file: SourceFile) -> pcl_syntax::ParsedFile {
    pcl_syntax::parse_file(file.text(db))
}

#[salsa::tracked(returns(ref))]
pub fn file_items(db: &dyn Database, file: SourceFile) -> Vec<ItemDef<'_>> {
    parse(db, file)
        .items
        .iter()
        .map(|p| ItemDef::new(db, file, p.item.name().name.clone(), Arc::clone(&p.item)))
        .collect()
}

#[salsa::tracked(returns(ref))]
pub fn symbols(db: &dyn Database, file: SourceFile) -> Symbols {
    let parsed = parse(db, file);
    Symbols::build(parsed.items.iter().map(|p| &*p.item), &parsed.broken_names)
}

/// Name resolution, types and local checks of one item, and its lowering.
#[salsa::tracked(returns(ref))]
pub fn check_item<'db>(db: &'db dyn Database, item: ItemDef<'db>) -> ItemAnalysis {
    let symbols = symbols(db, item.file(db));
    crate::item_check::check(item.ast(db), symbols)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileAnalysis {
    pub program: Program,
    /// Absolute spans, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileAnalysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity() == crate::Severity::Error)
    }
}

/// Every diagnostic of a file and its program.
#[salsa::tracked(returns(ref))]
pub fn analyze_file(db: &dyn Database, file: SourceFile) -> FileAnalysis {
    let parsed = parse(db, file);
    let items = file_items(db, file);
    let analyses: Vec<(&pcl_syntax::ParsedItem, &ItemAnalysis)> =
        parsed.items.iter().zip(items.iter().map(|it| check_item(db, *it))).collect();
    let (mut analysis, decidable) = crate::file_checks::analyze(parsed, &analyses);
    if decidable {
        for (def, parsed_item) in items.iter().zip(&parsed.items) {
            // duplicates were dropped from the program: check the first only
            let first = analysis.program.get(def.name(db)).is_some_and(|i| i.offset == parsed_item.offset);
            if first {
                let findings = variant_findings(db, *def).clone();
                let diags = crate::variant_checks::absolute(&analysis.program, findings);
                analysis.diagnostics.extend(diags);
            }
        }
        crate::file_checks::sort(&mut analysis.diagnostics);
    }
    analysis
}

/// File-level facts that every per-item query shares, computed once per file
/// (O(items)): which definition a name denotes, its position, and the items
/// that configure every other one. It holds no spans and no bodies, so it
/// stays equal (and salsa backdates it) when an item's body changes.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ItemIndex<'db> {
    /// The first definition of each name, and its position among the items.
    by_name: std::collections::HashMap<String, (ItemDef<'db>, usize)>,
    /// Params, features and constraints, in declaration order.
    configuring: Vec<ItemDef<'db>>,
}

impl<'db> ItemIndex<'db> {
    pub fn get(&self, name: &str) -> Option<ItemDef<'db>> {
        self.by_name.get(name).map(|(def, _)| *def)
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).map(|(_, at)| *at)
    }
}

#[salsa::tracked(returns(ref))]
pub fn item_index<'db>(db: &'db dyn Database, file: SourceFile) -> ItemIndex<'db> {
    let mut by_name = std::collections::HashMap::new();
    let mut configuring = Vec::new();
    for (at, def) in file_items(db, file).iter().enumerate() {
        if by_name.contains_key(def.name(db)) {
            continue;
        }
        by_name.insert(def.name(db).clone(), (*def, at));
        if matches!(
            def.ast(db).kind,
            ast::ItemKind::Param(_) | ast::ItemKind::Feature(_) | ast::ItemKind::Constraint(_)
        ) {
            configuring.push(*def);
        }
    }
    ItemIndex { by_name, configuring }
}

/// The per-configuration checks of one policy or role. It reads only the
/// checked items it uses (and the params, features and constraints), so an
/// edit elsewhere does not re-run it. Cost: the size of its closure.
#[salsa::tracked(returns(ref))]
pub fn variant_findings<'db>(db: &'db dyn Database, item: ItemDef<'db>) -> Vec<crate::variant_checks::Finding> {
    use crate::ir::ProgramItem;
    use crate::symbol_table::Symbol;
    let file = item.file(db);
    if !matches!(symbols(db, file).get(item.name(db)), Some(Symbol::Policy | Symbol::Role)) {
        return Vec::new();
    }
    let index = item_index(db, file);
    // the item, everything it uses transitively, and what configures it
    let mut todo: Vec<ItemDef<'db>> = vec![item];
    todo.extend(index.configuring.iter().copied());
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut closure: Vec<(usize, ProgramItem)> = Vec::new();
    let mut report_empty = true;
    let mut graph: crate::file_checks::Graph<'_> = std::collections::BTreeMap::new();
    while let Some(def) = todo.pop() {
        let name = def.name(db);
        if !seen.insert(name.as_str()) {
            continue;
        }
        let analysis = check_item(db, def);
        if analysis.diagnostics.iter().any(|d| d.severity() == crate::Severity::Error) {
            report_empty = false;
        }
        for r in &analysis.refs {
            match index.get(&r.name) {
                Some(target) => todo.push(target),
                // an unknown or unparsed name: what it stands for looks empty
                None => report_empty = false,
            }
            if matches!(
                r.kind,
                crate::item_check::RefKind::Include
                    | crate::item_check::RefKind::Actionset
                    | crate::item_check::RefKind::Valueset
            ) {
                graph.entry(name.as_str()).or_default().push((r.name.as_str(), r.span));
            }
        }
        let item = ProgramItem {
            name: name.clone(),
            offset: 0,
            name_span: def.ast(db).name().span,
            docs: Vec::new(),
            ir: analysis.ir.clone(),
        };
        closure.push((index.position(name).unwrap_or(usize::MAX), item));
    }
    // declaration order, as in the whole program (it orders feature names)
    closure.sort_by_key(|(at, _)| *at);
    let program = crate::ir::Program::from_items(closure.into_iter().map(|(_, item)| item));
    // cut cycles and too deep chains also leave lists looking empty
    let walk = crate::file_checks::walk(&graph);
    if !walk.cycles.is_empty() || walk.height.values().any(|h| *h >= crate::MAX_INCLUDE_DEPTH) {
        report_empty = false;
    }
    let Some(this) = program.get(item.name(db)) else { return Vec::new() };
    let configs = crate::variant_checks::check_configs(&program);
    crate::variant_checks::item_findings(&program, this, &configs, report_empty)
}

/// Called with the debug name of every query salsa is about to execute.
pub type ExecutionLog = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// The concrete database used by the CLI, xtask and tests.
#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
}

impl Default for RootDatabase {
    fn default() -> Self {
        RootDatabase { storage: salsa::Storage::new(None) }
    }
}

impl RootDatabase {
    /// A database that records every `WillExecute` event into `log`, as
    /// `query_name(Id(..))`; used to prove that edits re-run only what they must.
    pub fn with_execution_log(log: ExecutionLog) -> Self {
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut entries) = log.lock()
            {
                entries.push(format!("{database_key:?}"));
            }
        })));
        RootDatabase { storage }
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}
