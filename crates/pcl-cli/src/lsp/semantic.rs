//! Semantic tokens: pcl-ide's highlights in the protocol's encoding (five
//! numbers per token, each position relative to the previous token's, in
//! the negotiated column unit).

use lsp_types::{Range, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend};
use pcl_ide::{Highlight, HighlightKind};

use super::LineIndex;

/// The token types, in the order the legend announces them.
const TYPES: [SemanticTokenType; 15] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::ENUM,
    SemanticTokenType::INTERFACE,
    SemanticTokenType::STRUCT,
    SemanticTokenType::CLASS,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::DECORATOR,
    SemanticTokenType::TYPE,
];

/// The modifiers, as bits in the legend's order.
const DECLARATION: u32 = 1;
const DOCUMENTATION: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION, SemanticTokenModifier::DOCUMENTATION],
    }
}

fn token_type(kind: HighlightKind) -> SemanticTokenType {
    match kind {
        HighlightKind::Keyword => SemanticTokenType::KEYWORD,
        HighlightKind::Comment | HighlightKind::DocComment => SemanticTokenType::COMMENT,
        HighlightKind::String => SemanticTokenType::STRING,
        HighlightKind::Param => SemanticTokenType::PARAMETER,
        HighlightKind::Feature => SemanticTokenType::VARIABLE,
        HighlightKind::EnumValue => SemanticTokenType::ENUM_MEMBER,
        HighlightKind::Constraint | HighlightKind::Member => SemanticTokenType::PROPERTY,
        HighlightKind::ActionSet | HighlightKind::ValueSet => SemanticTokenType::ENUM,
        HighlightKind::PermSet => SemanticTokenType::INTERFACE,
        HighlightKind::Policy => SemanticTokenType::STRUCT,
        HighlightKind::Role => SemanticTokenType::CLASS,
        HighlightKind::Action => SemanticTokenType::FUNCTION,
        HighlightKind::Operator => SemanticTokenType::OPERATOR,
        HighlightKind::DiagnosticCode => SemanticTokenType::DECORATOR,
        HighlightKind::Type => SemanticTokenType::TYPE,
    }
}

/// The highlights inside `within` (all when `None`), encoded.
pub fn encode(highlights: &[Highlight], lines: &LineIndex<'_>, within: Option<Range>) -> SemanticTokens {
    let mut data = Vec::with_capacity(highlights.len());
    let (mut line, mut column) = (0u32, 0u32);
    for h in highlights {
        let range = lines.range(h.span);
        // tokens lie on one line (the lexer's promise); skip any that does not
        if range.start.line != range.end.line || range.end.character <= range.start.character {
            continue;
        }
        if let Some(within) = within
            && (range.end <= within.start || range.start >= within.end)
        {
            continue;
        }
        let Some(token_type) = TYPES.iter().position(|t| *t == token_type(h.kind)) else { continue };
        let mut modifiers = 0;
        if h.declaration {
            modifiers |= DECLARATION;
        }
        if h.kind == HighlightKind::DocComment {
            modifiers |= DOCUMENTATION;
        }
        let delta_line = range.start.line - line;
        let delta_start = if delta_line == 0 { range.start.character - column } else { range.start.character };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character - range.start.character,
            token_type: token_type as u32,
            token_modifiers_bitset: modifiers,
        });
        (line, column) = (range.start.line, range.start.character);
    }
    SemanticTokens { result_id: None, data }
}
