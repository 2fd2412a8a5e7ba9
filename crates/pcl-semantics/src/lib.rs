//! The semantic layer of pcl: a salsa database over source files, per-item
//! name resolution and type checking, file-wide checks, and the lowered IR
//! (`ir::Program`) that `pcl-codegen` renders.
//!
//! Invariants:
//! - Inputs are `SourceFile`s and their items (`ItemDef`), written only by
//!   the driver (`db/files.rs`: `SourceFile::open`, `replace_text`), which
//!   keeps the items in step with the text; everything else is derived by
//!   tracked queries. Per-item checks (`check_item`) read only their item's
//!   AST and the span-free symbol table, so editing one item re-checks only
//!   that item, and once it has been edited, salsa skips every other item's
//!   memos by their durability.
//! - Analyses return values plus `Diagnostic`s; nothing here prints.
//! - No recursion over user input is unbounded: expression depth is bounded by
//!   the parser, include expansion by `MAX_INCLUDE_DEPTH` and cycle detection.

mod acknowledge;
mod assignments;
mod attached_paths;
pub mod config;
mod config_constraints;
mod constraint_groups;
mod constraint_verdicts;
mod content_checks;
mod db;
mod deployed_names;
pub mod diagnostic;
mod drop_aside;
pub mod expand;
pub mod file_checks;
mod first_together;
mod graph;
pub use pcl_iam as iam;
pub mod ir;
mod item_check;
mod lazy;
mod other_partition;
pub mod source_text;
mod suggestions;
mod symbol_table;
pub mod uses;
mod valuesets_as_arns;
pub mod variant_checks;
pub mod variants;

pub use db::{
    Chunk, Database, ExecutionLog, ItemDef, ItemIndex, OutsideText, PARALLEL_FROM_BYTES, RootDatabase, SourceFile,
    TextChange, analyze_edited_file, analyze_file, analyze_file_parallel, check_item, file_items, file_wide_analysis,
    item_index, parse, parse_chunk, symbols, variant_findings,
};
pub use diagnostic::{Code, Diagnostic, DiagnosticKind, Label, Severity};
pub use file_checks::{FileAnalysis, check_configuration};
pub use item_check::{EntryAnalysis, ItemAnalysis, Ref, RefKind, check as check_item_ast};
pub use symbol_table::{SuggestFrom, Symbol, Symbols};

/// Includes nested deeper than this are not expanded (cycles are reported).
pub const MAX_INCLUDE_DEPTH: usize = 64;
/// Guards and variants over more feature combinations than this are not
/// enumerated exhaustively.
pub const MAX_COMBINATIONS: usize = 4096;
