//! Lowering of pest pairs into the AST. The grammar guarantees the shape of
//! each pair, but we never index blindly: a shape we do not expect becomes a
//! syntax error rather than a panic.
//!
//! One method per grammar rule, grouped by what they lower: this module holds
//! the `Lowerer` and items; `declarations`, `expressions`, `bodies`, `roles`
//! and `strings` the rest.

mod bodies;
mod declarations;
mod expressions;
pub(crate) use expressions::{balanced, chain_depth};
mod roles;
mod strings;

use pest::iterators::{Pair, Pairs};

use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::grammar::Rule;
use crate::span::Span;
use crate::{MAX_BLOCK_DEPTH, MAX_EXPR_DEPTH};
use smol_str::SmolStr;

/// Words that cannot name an item (the grammar's `keyword` rule).
pub const KEYWORDS: [&str; 19] = [
    "param",
    "feature",
    "constraint",
    "permset",
    "actionset",
    "valueset",
    "policy",
    "role",
    "allow",
    "deny",
    "when",
    "and",
    "or",
    "not",
    "true",
    "false",
    "else",
    "include",
    "placeholder",
];

/// The words that start an item (each also a reserved word, in `KEYWORDS`):
/// the chunker cuts before a line that starts with one.
pub const ITEM_KEYWORDS: [&str; 8] =
    ["param", "feature", "constraint", "permset", "actionset", "valueset", "policy", "role"];

/// With `ITEM_KEYWORDS`, the words that start a guard, an include, a
/// condition or a role field: the grammar's `glued_keyword` look-ahead does
/// not read one as the keyword when a name follows it without a space
/// (`inlinehead_node`).
pub(crate) const GLUED_WORDS: [&str; 9] =
    ["when", "include", "condition", "path", "trust", "managed", "inline", "attach", "boundary"];

/// The items of a parsed `file`, lowered in order, each with its offset.
#[derive(Default)]
pub(crate) struct LoweredFile {
    pub items: Vec<(u32, Item)>,
    /// The names of the items that misuse a keyword: dropped, like an item
    /// that does not parse (its uses are not reported again).
    pub keyword_misused: Vec<String>,
    pub errors: Vec<SyntaxError>,
}

/// Lowers every item of `file` (pest's pairs of `Rule::file`).
pub(crate) fn lower_file(file: Pairs<'_, Rule>) -> LoweredFile {
    let mut out = LoweredFile::default();
    for pair in file.flat_map(|file| file.into_inner()).filter(|pair| pair.as_rule() == Rule::item) {
        let item_start = pair.as_span().start();
        let mut lowerer = Lowerer::new(0, item_start);
        let item = lowerer.item(pair);
        out.errors.append(&mut lowerer.errors);
        match item {
            Ok(item) if lowerer.keyword_misused => out.keyword_misused.push(item.name().name.to_string()),
            Ok(item) => out.items.push((u32::try_from(item_start).unwrap_or(u32::MAX), item)),
            Err(()) => {}
        }
    }
    out
}

/// `token` as one of those words glued to a name: the word and the name.
pub(crate) fn glued_keyword(token: &str) -> Option<(&'static str, &str)> {
    ITEM_KEYWORDS.iter().chain(&GLUED_WORDS).find_map(|word| {
        let name = token.strip_prefix(word)?;
        name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_').then_some((*word, name))
    })
}

pub(crate) struct Lowerer {
    /// Absolute offset of the item being lowered; spans are made relative to it.
    base: usize,
    /// Absolute offset of the text the pairs index into.
    text_offset: usize,
    pub(crate) errors: Vec<SyntaxError>,
    depth: usize,
    /// How many `with condition` blocks enclose the current entry.
    block_depth: usize,
    /// A keyword was used as a name: the item is reported once and dropped,
    /// as the grammar did when it rejected keywords itself.
    pub(crate) keyword_misused: bool,
}

type Lowered<T> = Result<T, ()>;

impl Lowerer {
    pub(crate) fn new(text_offset: usize, item_start: usize) -> Self {
        Lowerer {
            base: text_offset + item_start,
            text_offset,
            errors: Vec::new(),
            depth: 0,
            block_depth: 0,
            keyword_misused: false,
        }
    }

    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let abs = |p: usize| (self.text_offset + p).saturating_sub(self.base);
        Span::new(abs(s.start()), abs(s.end()))
    }

    pub(super) fn error(&mut self, span: Span, kind: SyntaxErrorKind, message: String) {
        let abs = span.shift(u32::try_from(self.base).unwrap_or(u32::MAX));
        let label = Some(
            match kind {
                SyntaxErrorKind::Parse => "the grammar does not allow this here",
                SyntaxErrorKind::BadEscape => "not an escape pcl knows",
                SyntaxErrorKind::BadInterpolation => "`${` starts an interpolation of a param",
                SyntaxErrorKind::ControlCharacter => "a control character",
                SyntaxErrorKind::TooDeep => "the nesting goes past the limit here",
            }
            .to_string(),
        );
        self.errors.push(SyntaxError { kind, span: abs, message, label, help: None });
    }

    pub(super) fn unexpected<T>(&mut self, pair: &Pair<'_, Rule>) -> Lowered<T> {
        let span = self.span(pair);
        self.error(span, SyntaxErrorKind::Parse, format!("unexpected {:?} here", pair.as_rule()));
        Err(())
    }

    pub(super) fn next<'i>(&mut self, pairs: &mut Pairs<'i, Rule>, parent: Span) -> Lowered<Pair<'i, Rule>> {
        match pairs.next() {
            Some(p) => Ok(p),
            None => {
                self.error(parent, SyntaxErrorKind::Parse, "incomplete construct".into());
                Err(())
            }
        }
    }

    pub(crate) fn item(&mut self, pair: Pair<'_, Rule>) -> Lowered<Item> {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut expects = Vec::new();
        let mut kind = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::doc => docs.push(doc_text(&inner)),
                Rule::expect_attr => expects.push(self.expect(inner)),
                Rule::param_decl => kind = Some(ItemKind::Param(Box::new(self.param(inner)?))),
                Rule::feature_decl => kind = Some(ItemKind::Feature(self.feature(inner)?)),
                Rule::constraint_decl => kind = Some(ItemKind::Constraint(Box::new(self.constraint(inner)?))),
                Rule::permset_decl => {
                    let mut it = inner.into_inner();
                    let name = self.ident_from(&mut it, span)?;
                    let entries = self.body(it)?;
                    kind = Some(ItemKind::Permset(Permset { name, entries }));
                }
                Rule::actionset_decl => {
                    let mut it = inner.into_inner();
                    let name = self.ident_from(&mut it, span)?;
                    let list = self.next(&mut it, span)?;
                    let actions = self.action_list(list)?;
                    kind = Some(ItemKind::Actionset(Actionset { name, actions }));
                }
                Rule::valueset_decl => {
                    let mut it = inner.into_inner();
                    let name = self.ident_from(&mut it, span)?;
                    let list = self.next(&mut it, span)?;
                    let values = self.value_list(list)?;
                    kind = Some(ItemKind::Valueset(Valueset { name, values }));
                }
                Rule::policy_decl => kind = Some(ItemKind::Policy(self.policy(inner)?)),
                Rule::role_decl => kind = Some(ItemKind::Role(self.role(inner)?)),
                _ => return self.unexpected(&inner),
            }
        }
        match kind {
            Some(kind) => Ok(Item { docs: docs.into(), expects: expects.into(), kind, span, recovered: false }),
            None => {
                self.error(span, SyntaxErrorKind::Parse, "a doc comment must be followed by an item".into());
                if let Some(e) = self.errors.last_mut() {
                    e.label = Some("documents nothing".into());
                }
                Err(())
            }
        }
    }

    /// A name. Keywords are rejected here rather than in the grammar: a
    /// `!keyword` look-ahead on every identifier cost a third of parse time.
    pub(super) fn ident(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let ident = Ident { name: pair.as_str().into(), span: self.span(&pair) };
        // `true` and `false` are values where a value is expected (a
        // feature's default, a comparison); every other keyword never is
        let literal = pair.as_rule() != Rule::ident && matches!(ident.name.as_str(), "true" | "false");
        if KEYWORDS.contains(&ident.name.as_str()) && !literal && !self.keyword_misused {
            self.keyword_misused = true;
            let abs = ident.span.shift(u32::try_from(self.base).unwrap_or(u32::MAX));
            self.errors.push(SyntaxError {
                kind: SyntaxErrorKind::Parse,
                span: abs,
                message: format!("`{}` is a keyword, not a name", ident.name),
                label: Some("reserved by the language".into()),
                help: Some(format!("rename it, e.g. `{}_`", ident.name)),
            });
        }
        ident
    }

    pub(super) fn ident_from(&mut self, it: &mut Pairs<'_, Rule>, parent: Span) -> Lowered<Ident> {
        let p = self.next(it, parent)?;
        Ok(self.ident(p))
    }

    pub(super) fn fail<T>(&mut self, span: Span, message: &str) -> Lowered<T> {
        self.error(span, SyntaxErrorKind::Parse, message.into());
        Err(())
    }

    /// Processes escapes and splits `${name}` interpolations. Problems are
    /// reported and the string is kept, so one bad string costs one error.
    /// `expect CODE "reason"`; the code and the reason are checked by the
    /// semantics (which codes exist, that the reason is not empty).
    pub(super) fn expect(&mut self, pair: Pair<'_, Rule>) -> Expect {
        let span = self.span(&pair);
        let (mut code, mut code_span, mut reason) = (SmolStr::default(), span, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::diag_code => {
                    code = p.as_str().into();
                    code_span = self.span(&p);
                }
                Rule::string => reason = Some(self.string(p)),
                _ => {}
            }
        }
        let reason = reason.unwrap_or(StrLit { parts: Box::default(), span });
        Expect { code, code_span, reason, span }
    }
}

pub(super) fn doc_text(pair: &Pair<'_, Rule>) -> String {
    doc_text_of(pair.as_str())
}

/// The text of a doc comment `///...` (one leading space and the trailing
/// blanks dropped).
pub(crate) fn doc_text_of(s: &str) -> String {
    let s = s.strip_prefix("///").unwrap_or(s);
    s.strip_prefix(' ').unwrap_or(s).trim_end().to_string()
}
