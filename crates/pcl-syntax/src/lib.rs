//! The syntax layer of pcl: a pest grammar, an AST with byte spans, a
//! parser that recovers at every top-level item, and a hand-written fast
//! path in front of pest for clean input (`fast`).
//!
//! Invariants: this crate knows nothing of salsa, types or IAM. It is a pure
//! function from text to (AST, syntax errors), never panics on any input, and
//! bounds its recursion (pest's stack guard for the grammar, an explicit depth
//! limit for the AST lowering, and the fast path's count of the same limits,
//! past which it leaves the chunk to pest).

pub mod ast;
mod broken_names;
mod chunker;
mod declares;
mod error;
mod fast;
#[cfg(test)]
mod fast_tests;
pub mod format;
mod grammar;
mod hollow;
mod lower;
mod name;
mod nesting;
mod outline;
mod parser;
mod pest_errors;
pub mod prelude;
mod recover;
mod shift;
mod span;
pub mod split;
pub mod tokens;

pub use declares::chunk_declares;
pub use lower::{ITEM_KEYWORDS, KEYWORDS};
pub use name::Name;
pub use parser::{
    JOIN_AT_MOST, MAX_NESTING, ParsedChunk, ParsedFile, ParsedItem, SyntaxError, SyntaxErrorKind, chunk_ranges,
    chunk_ranges_from, parse_chunk, parse_chunk_with_pest, parse_cut, parse_file,
};
pub use smol_str::SmolStr;
pub use span::Span;

/// Nesting deeper than this in one expression is rejected with a diagnostic,
/// so that no later recursive pass can overflow the stack.
pub const MAX_EXPR_DEPTH: usize = 64;

/// `with condition` blocks nested deeper than this are rejected: the checks
/// and the expansion recurse into them.
pub const MAX_BLOCK_DEPTH: usize = 16;
