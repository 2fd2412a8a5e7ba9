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
        .map(|p| ItemDef::new(db, file, p.item.name().name.clone(), Arc::new(p.item.clone())))
        .collect()
}

#[salsa::tracked(returns(ref))]
pub fn symbols(db: &dyn Database, file: SourceFile) -> Symbols {
    let parsed = parse(db, file);
    Symbols::build(parsed.items.iter().map(|p| &p.item), &parsed.broken_names)
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
    crate::file_checks::analyze(parsed, &analyses)
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
