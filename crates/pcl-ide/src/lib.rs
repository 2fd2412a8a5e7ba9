//! What an editor asks of pcl, answered over the salsa database in pcl's own
//! terms: byte offsets and spans into one file's text, items and diagnostics.
//! No protocol types: the language server (`pcl lsp`) converts positions and
//! shapes; the CLI could use the same answers.
//!
//! Like rust-analyzer's `ide` crate: an [`AnalysisHost`] holds the inputs
//! (file texts); every query reads the memoized analysis, so an edit costs
//! what the database re-runs for it.

mod completion;
mod fixes;
mod highlight;
mod hover;
mod index;
mod navigation;
mod repeat_fix;
mod value_facts;

use std::collections::BTreeMap;

use pcl_semantics::{RootDatabase, SourceFile};
use pcl_syntax::Span;

pub use completion::{Completion, CompletionKind};
pub use fixes::{Applicability, Fix, applied, applied_safely, preferred_fixes, suggested_edit};
pub use highlight::{Highlight, HighlightKind};
pub use hover::Hover;
pub use navigation::{DocumentSymbol, RenameError};

/// Several fixes of one file applied at once: one edit of the text between
/// the first and the last change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFix {
    pub title: String,
    pub edit: (Span, String),
    /// How many fixes it applies.
    pub count: usize,
}

/// The files an editor has open, and the database over them.
#[derive(Default)]
pub struct AnalysisHost {
    db: RootDatabase,
    files: BTreeMap<String, SourceFile>,
    /// Each file's name index, built once per text (hover, completion and
    /// navigation ask for it on every request).
    indexes: std::cell::RefCell<BTreeMap<String, std::rc::Rc<index::FileIndex>>>,
    /// Files opened and not analysed yet (see `diagnostics`).
    unanalysed: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl AnalysisHost {
    pub fn new() -> AnalysisHost {
        AnalysisHost::default()
    }

    /// Opens `path`, or replaces its text (an input change: the database
    /// re-runs only what depends on the changed items).
    pub fn set_text(&mut self, path: &str, text: String) {
        self.indexes.borrow_mut().remove(path);
        match self.files.get(path) {
            Some(file) => {
                file.replace_text(&mut self.db, text);
            }
            None => {
                let file = SourceFile::open_to_edit(&mut self.db, path.to_string(), text);
                self.files.insert(path.to_string(), file);
                self.unanalysed.borrow_mut().insert(path.to_string());
            }
        }
    }

    /// Replaces the bytes `range` of the open file `path` with `inserted`
    /// (an editor's edit): the database makes the new text from its own, so
    /// the old and new texts need not be compared. `Err`, and nothing
    /// changed, for a file not open or a range not within its text (or not
    /// at characters).
    pub fn splice_text(
        &mut self,
        path: &str,
        range: std::ops::Range<usize>,
        inserted: &str,
    ) -> Result<(), pcl_semantics::OutsideText> {
        let Some(file) = self.files.get(path) else { return Err(pcl_semantics::OutsideText) };
        file.splice_text(&mut self.db, range, inserted)?;
        self.indexes.borrow_mut().remove(path);
        Ok(())
    }

    pub fn close(&mut self, path: &str) {
        self.files.remove(path);
        self.unanalysed.borrow_mut().remove(path);
        self.indexes.borrow_mut().remove(path);
        // the statements' renderings kept for its edits (and the IR they
        // hold) would otherwise stay until others pushed them out
        pcl_semantics::variant_checks::forget_kept_renderings();
    }

    /// The file laid out by `pcl fmt` (`pcl_syntax::format`): `Ok(None)` when
    /// it already is, or when it does not parse (it is not formatted then,
    /// quietly: its syntax errors are on screen already, and an editor that
    /// formats on save would otherwise complain at every save); an error, in
    /// words, when the formatter refuses.
    pub fn format(&self, path: &str) -> Result<Option<String>, String> {
        let Some(file) = self.files.get(path) else { return Ok(None) };
        let text = file.text(&self.db);
        if !pcl_semantics::parse(&self.db, *file).errors.is_empty() {
            return Ok(None);
        }
        match pcl_syntax::format::format(text) {
            Ok(formatted) if formatted == *text => Ok(None),
            Ok(formatted) => Ok(Some(formatted)),
            Err(e) => Err(e.message()),
        }
    }

    /// The current text of an open file.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|f| f.text(&self.db).as_str())
    }

    /// Every diagnostic of the file, with byte spans.
    pub fn diagnostics(&self, path: &str) -> Vec<pcl_semantics::Diagnostic> {
        match self.files.get(path) {
            // A file's first analysis goes through `analyze_file_parallel`,
            // on every core (a large file's items checked on each; a small
            // one's on this thread): it runs the queries that read every item on a
            // handle of their own, so that salsa's frame of reads at the
            // depth of every item's checks is not left as large as the file
            // (opening 262,144 policies took 4.2 s, 3x the time of 131,072).
            // After an edit few queries run, and its item-by-item prefetch
            // would only add a pass over every memo (1 MB: 4.5 -> 5.3 ms);
            // the queries that read every item still run aside, and a large
            // file's blocks are checked on every core (`analyze_edited_file`).
            Some(file) if self.unanalysed.borrow_mut().remove(path) => {
                let threads = std::thread::available_parallelism().map_or(1, usize::from);
                pcl_semantics::analyze_file_parallel(&self.db, *file, threads).diagnostics.clone()
            }
            Some(file) => pcl_semantics::analyze_edited_file(&self.db, *file).diagnostics.clone(),
            None => Vec::new(),
        }
    }

    fn index(&self, path: &str) -> Option<std::rc::Rc<index::FileIndex>> {
        if let Some(known) = self.indexes.borrow().get(path) {
            return Some(known.clone());
        }
        let file = self.files.get(path)?;
        let built = std::rc::Rc::new(index::FileIndex::build(&self.db, *file));
        self.indexes.borrow_mut().insert(path.to_string(), built.clone());
        Some(built)
    }

    /// The outline: every item, in file order.
    pub fn document_symbols(&self, path: &str) -> Vec<DocumentSymbol> {
        self.index(path).map(|i| navigation::document_symbols(&i)).unwrap_or_default()
    }

    /// Every item of every open file whose name contains `query`
    /// (case-insensitively), with its file.
    pub fn workspace_symbols(&self, query: &str) -> Vec<(String, DocumentSymbol)> {
        let query = query.to_ascii_lowercase();
        let mut out = Vec::new();
        for path in self.files.keys() {
            for symbol in self.document_symbols(path) {
                if symbol.name.to_ascii_lowercase().contains(&query) {
                    out.push((path.clone(), symbol));
                }
            }
        }
        out
    }

    /// What each token of the file is (semantic highlighting), in order.
    pub fn highlights(&self, path: &str) -> Vec<Highlight> {
        self.index(path).map(|i| highlight::highlights(&i)).unwrap_or_default()
    }

    /// The regions an editor can fold: every item, and every statement,
    /// that spans more than one line.
    pub fn folding_ranges(&self, path: &str) -> Vec<Span> {
        let Some(index) = self.index(path) else { return Vec::new() };
        let text = index.text.as_str();
        // a lone `\r` breaks lines too (as in the syntax)
        let multi_line =
            |s: &Span| text.get(s.start as usize..s.end as usize).is_some_and(|t| t.trim_end().contains(['\n', '\r']));
        // an item folds from its name's line, not from its doc comment's
        // (the protocol folds every line after the first: folding from the
        // comment hid the declaration), and only when that spans lines
        let mut ranges: Vec<Span> = index
            .decls
            .iter()
            .map(|d| Span::new(d.name_span.start as usize, d.span.end as usize))
            .filter(multi_line)
            .collect();
        // every `{ ... }` inside an item (a statement, a block) over several
        // lines, matched on the tokens: braces in strings and comments are not
        let mut open: Vec<usize> = Vec::new();
        for token in pcl_syntax::tokens::tokens(text) {
            if token.kind != pcl_syntax::tokens::TokenKind::Punct {
                continue;
            }
            match text.get(token.span.start as usize..token.span.end as usize) {
                Some("{") => open.push(token.span.start as usize),
                Some("}") => {
                    if let Some(start) = open.pop() {
                        // an item's own braces: already there, from its start
                        let inner = !open.is_empty();
                        let span = Span::new(start, token.span.end as usize);
                        if inner && multi_line(&span) {
                            ranges.push(span);
                        }
                    }
                }
                _ => {}
            }
        }
        ranges.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        ranges
    }

    /// Where the name at `offset` is declared.
    pub fn definition(&self, path: &str, offset: usize) -> Option<Span> {
        navigation::definition(&*self.index(path)?, offset)
    }

    /// Every use of the name at `offset` (and its declaration, if asked).
    pub fn references(&self, path: &str, offset: usize, with_declaration: bool) -> Vec<Span> {
        self.index(path).map(|i| navigation::references(&i, offset, with_declaration)).unwrap_or_default()
    }

    /// The name at `offset` that `rename` would rename, and its span there.
    pub fn prepare_rename(&self, path: &str, offset: usize) -> Result<(Span, String), RenameError> {
        let index = self.index(path).ok_or(RenameError::NothingToRename)?;
        self.refuse_unparsed(path, &index)?;
        navigation::prepare_rename(&index, offset)
    }

    /// `Err` when the file has a syntax error: the uses in what did not
    /// parse are not known, and a rename would leave them behind.
    fn refuse_unparsed(&self, path: &str, index: &index::FileIndex) -> Result<(), RenameError> {
        let Some(file) = self.files.get(path) else { return Err(RenameError::NothingToRename) };
        match pcl_semantics::parse(&self.db, *file).errors.first() {
            Some(error) => Err(RenameError::Unparsed { line: index.line_of(error.span.start as usize) }),
            None => Ok(()),
        }
    }

    /// The edits that rename the item at `offset` to `new_name`; refused
    /// (see `RenameError`) unless every renamed use means the renamed item
    /// after it as before: the renamed text's names are found again.
    pub fn rename(&self, path: &str, offset: usize, new_name: &str) -> Result<Vec<(Span, String)>, RenameError> {
        let index = self.index(path).ok_or(RenameError::NothingToRename)?;
        self.refuse_unparsed(path, &index)?;
        // the names of E0100s: what the file uses and does not declare
        let diagnostics = self.diagnostics(path);
        let unresolved: Vec<&str> = diagnostics
            .iter()
            .filter(|d| d.code == pcl_semantics::Code::UnknownName)
            .filter_map(|d| index.text.get(d.span.start as usize..d.span.end as usize))
            .flat_map(|at| at.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .filter(|word| !word.is_empty())
            .collect();
        let edits = navigation::rename(&index, offset, new_name, &unresolved)?;
        navigation::refuse_captured(&index, &edits, new_name)?;
        Ok(edits)
    }

    /// What is under `offset`: an item, an action, a condition key.
    pub fn hover(&self, path: &str, offset: usize) -> Option<Hover> {
        let file = self.files.get(path)?;
        let index = self.index(path)?;
        let analysis = pcl_semantics::analyze_file(&self.db, *file);
        hover::hover(&index, &analysis.program, offset)
    }

    /// The fixes of the diagnostics that touch `range`.
    pub fn fixes(&self, path: &str, range: Span) -> Vec<Fix> {
        let Some(index) = self.index(path) else { return Vec::new() };
        fixes::fixes(&index, &self.diagnostics(path), range)
    }

    /// Every safe fix the diagnostics of `path` suggest themselves, applied
    /// at once (those that overlap no other's edit: what a first pass can
    /// apply), for an editor's "fix all", which it may run on every save:
    /// no guess and no new grant (`Applicability::Unsafe`), which stay
    /// quick fixes to pick one by one. `None` when there is none, or when
    /// they would break the syntax.
    pub fn fix_all(&self, path: &str) -> Option<FileFix> {
        let index = self.index(path)?;
        let diagnostics = self.diagnostics(path);
        let lists = repeat_fix::Lists::new(&index.text, 0);
        let fixes: Vec<Fix> = diagnostics
            .iter()
            .filter_map(|d| fixes::preferred_fix((&index.text, &index.trust_fields, &lists), d))
            .filter(Fix::is_safe)
            .collect();
        // never a text that parses worse (what `pcl check --fix` writes too)
        let (fixed, used) = fixes::applied_safely(&index.text, &fixes)?;
        let count = used.len();
        // one edit of the changed middle, as formatting sends
        let (prefix, suffix) = fixes::common_ends(&index.text, &fixed);
        let replacement = fixed.get(prefix..fixed.len() - suffix).unwrap_or_default().to_string();
        let plural = if count == 1 { "" } else { "es" };
        Some(FileFix {
            title: format!("Apply the {count} safe fix{plural} in this file"),
            edit: (Span::new(prefix, index.text.len() - suffix), replacement),
            count,
        })
    }

    /// What may be typed at `offset`.
    pub fn completions(&self, path: &str, offset: usize) -> Vec<Completion> {
        self.index(path).map(|i| completion::completions(&i, offset)).unwrap_or_default()
    }
}

#[cfg(test)]
mod fix_tests;
#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod tests;
