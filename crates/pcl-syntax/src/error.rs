//! Syntax errors, with absolute byte spans.

use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyntaxErrorKind {
    /// The text does not match the grammar.
    Parse,
    /// An unknown `\x` escape in a string.
    BadEscape,
    /// A malformed `${...}` interpolation.
    BadInterpolation,
    /// U+0001 in a string: what marks a placeholder's stand-in in a
    /// rendered text (`pcl_iam::STAND_IN_MARK`), so no written text holds it.
    ControlCharacter,
    /// Nesting beyond `MAX_EXPR_DEPTH`, or beyond what the parser's stack allows.
    TooDeep,
}

/// A syntax error with an absolute byte span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub span: Span,
    pub message: String,
    /// What the underline says: something the message does not.
    pub label: Option<String>,
    pub help: Option<String>,
}
