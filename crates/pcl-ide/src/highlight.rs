//! Semantic highlighting: what each token of a file is, from the lexer's
//! tokens and the file's names. A name is coloured by what it names (a
//! param, a feature, a policy, ...), wherever it is written; the rest by the
//! language's keywords and by context (the word after `condition` is an
//! operator, an unquoted word with `:` in an action list is an action).

use pcl_syntax::Span;
use pcl_syntax::tokens::{TokenKind, tokens};

use crate::index::FileIndex;

/// What a highlighted range is, in pcl's terms (the server maps these to
/// the protocol's token types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HighlightKind {
    Keyword,
    Comment,
    DocComment,
    String,
    Param,
    Feature,
    /// A value of an enum feature (`slurm`).
    EnumValue,
    Constraint,
    ActionSet,
    ValueSet,
    PermSet,
    Policy,
    Role,
    /// An IAM action or pattern written unquoted (`ec2:Describe*`).
    Action,
    /// A condition operator (`StringEquals`) or `==`/`!=`.
    Operator,
    /// The code of an `expect` (`W0509`).
    DiagnosticCode,
    /// A param's type (`account`, `list<arn>`).
    Type,
    /// The member of `${partition.dns_suffix}`.
    Member,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    pub kind: HighlightKind,
    /// Where the name is declared (not a use).
    pub declaration: bool,
}

/// The words the grammar uses as markers besides its reserved keywords
/// (`pcl_syntax::KEYWORDS`, which cannot name an item): these can.
const FIELD_WORDS: [&str; 19] = [
    "action",
    "notaction",
    "resource",
    "notresource",
    "condition",
    "path",
    "trust",
    "managed",
    "inline",
    "attach",
    "boundary",
    "splittable",
    "expect",
    "enum",
    "name",
    "description",
    "with",
    "for",
    "in",
];

fn is_language_word(word: &str) -> bool {
    pcl_syntax::KEYWORDS.contains(&word) || FIELD_WORDS.contains(&word)
}

/// Words that are keywords only where the grammar expects them (`list<...>`,
/// `bool`, the principal kinds after `trust`): elsewhere they may be names.
const CONTEXT_WORDS: [&str; 5] = ["list", "bool", "service", "aws", "federated"];

fn item_kind(keyword: &str) -> HighlightKind {
    match keyword {
        "param" => HighlightKind::Param,
        "feature" => HighlightKind::Feature,
        "constraint" => HighlightKind::Constraint,
        "actionset" => HighlightKind::ActionSet,
        "valueset" => HighlightKind::ValueSet,
        "permset" => HighlightKind::PermSet,
        "role" => HighlightKind::Role,
        _ => HighlightKind::Policy,
    }
}

/// The keywords that start an item.
const ITEM_KEYWORDS: [&str; 8] =
    ["param", "feature", "constraint", "permset", "actionset", "valueset", "policy", "role"];

/// Every highlighted range of the file, in order, none overlapping.
pub fn highlights(index: &FileIndex) -> Vec<Highlight> {
    let text = index.text.as_str();
    let word = |span: Span| text.get(span.start as usize..span.end as usize).unwrap_or_default();
    let decl_at = |span: Span| index.decl_named_at(span);
    let use_at = |span: Span| {
        let at = index.uses.partition_point(|u| u.span.start < span.start);
        index.uses.get(at).filter(|u| u.span == span)
    };
    let mut out = Vec::new();
    let mut context = Context::default();
    for token in tokens(text) {
        let (span, this) = (token.span, word(token.span));
        let mut declaration = false;
        let kind = match token.kind {
            TokenKind::Comment => Some(HighlightKind::Comment),
            TokenKind::DocComment => Some(HighlightKind::DocComment),
            TokenKind::String => Some(HighlightKind::String),
            TokenKind::Comparison => Some(HighlightKind::Operator),
            TokenKind::Member => Some(HighlightKind::Member),
            TokenKind::Punct => None,
            TokenKind::Interpolation | TokenKind::SetRef | TokenKind::Word => {
                if let Some(decl) = decl_at(span) {
                    declaration = true;
                    Some(item_kind(decl.kind))
                } else if let Some(named) = use_at(span).and_then(|u| index.decl(&u.name)) {
                    Some(item_kind(named.kind))
                } else if token.kind == TokenKind::Word {
                    word_kind(this, &context)
                } else {
                    None
                }
            }
        };
        if let Some(kind) = kind {
            out.push(Highlight { span, kind, declaration });
        }
        context.advance(token.kind, this, kind);
    }
    out
}

/// What the tokens before the current one say about it.
#[derive(Default)]
struct Context<'t> {
    /// The last token that is not a comment.
    previous: Option<(TokenKind, &'t str)>,
    /// Inside `enum { ... }`.
    in_enum: bool,
    /// The keyword of the item being read (`feature`, `policy`, ...).
    item: &'t str,
}

impl<'t> Context<'t> {
    fn advance(&mut self, kind: TokenKind, text: &'t str, highlighted: Option<HighlightKind>) {
        match (kind, text) {
            (TokenKind::Comment | TokenKind::DocComment, _) => return,
            (TokenKind::Punct, "{") if self.previous == Some((TokenKind::Word, "enum")) => self.in_enum = true,
            (TokenKind::Punct, "}" | ";") => self.in_enum = false,
            (TokenKind::Word, w) if ITEM_KEYWORDS.contains(&w) && highlighted == Some(HighlightKind::Keyword) => {
                self.item = w;
            }
            _ => {}
        }
        self.previous = Some((kind, text));
    }

    fn after_word(&self, word: &str) -> bool {
        self.previous == Some((TokenKind::Word, word))
    }
}

/// A word that names no item: a keyword, an enum value, an operator, an
/// action or a diagnostic code, by the words around it.
fn word_kind(word: &str, context: &Context<'_>) -> Option<HighlightKind> {
    let boolean = matches!(word, "true" | "false");
    if context.after_word("condition") {
        return Some(HighlightKind::Operator);
    }
    if context.after_word("expect") {
        return Some(HighlightKind::DiagnosticCode);
    }
    let compared = matches!(context.previous, Some((TokenKind::Comparison, _)));
    let feature_default = context.item == "feature" && context.previous == Some((TokenKind::Punct, "="));
    if context.in_enum || (compared || feature_default) && !boolean {
        return Some(HighlightKind::EnumValue);
    }
    if is_language_word(word) {
        return Some(HighlightKind::Keyword);
    }
    let type_position = matches!(context.previous, Some((TokenKind::Punct, ":" | "<")));
    if context.item == "param" && type_position && word != "list" {
        return Some(HighlightKind::Type);
    }
    let context_keyword = match word {
        "list" | "bool" => context.previous == Some((TokenKind::Punct, ":")),
        _ => context.after_word("trust"),
    };
    if CONTEXT_WORDS.contains(&word) && context_keyword {
        return Some(HighlightKind::Keyword);
    }
    if word.contains([':', '*']) {
        return Some(HighlightKind::Action);
    }
    None
}
