//! Outline, go to definition, references and rename.

use pcl_syntax::Span;

use crate::index::FileIndex;

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    /// `policy`, `role`, `feature`, ...
    pub kind: &'static str,
    /// The whole item.
    pub span: Span,
    pub name_span: Span,
}

pub fn document_symbols(index: &FileIndex) -> Vec<DocumentSymbol> {
    index
        .decls
        .iter()
        .map(|d| DocumentSymbol { name: d.name.to_string(), kind: d.kind, span: d.span, name_span: d.name_span })
        .collect()
}

pub fn definition(index: &FileIndex, offset: usize) -> Option<Span> {
    let (name, _) = index.name_at(offset)?;
    index.decl(name).map(|d| d.name_span)
}

pub fn references(index: &FileIndex, offset: usize, with_declaration: bool) -> Vec<Span> {
    let Some((name, _)) = index.name_at(offset) else { return Vec::new() };
    let mut spans: Vec<Span> = Vec::new();
    if with_declaration && let Some(d) = index.decl(name) {
        spans.push(d.name_span);
    }
    spans.extend(index.uses.iter().filter(|u| u.name == name).map(|u| u.span));
    spans
}

/// Why a rename is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// The cursor is not on a name of an item of this file.
    NothingToRename,
    /// The new name is not an identifier, or is a keyword.
    NotAName(String),
    /// Another item already has the new name.
    Taken(String),
    /// The name is also used where it is not written (`attach` needs params
    /// named `partition` and `account`).
    Implicit(String),
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NothingToRename => f.write_str("there is no item name here to rename"),
            RenameError::NotAName(n) => write!(
                f,
                "`{n}` is not a name: use letters, digits and `_`, not starting with a digit, and not a keyword"
            ),
            RenameError::Taken(n) => write!(f, "`{n}` is already the name of another item"),
            RenameError::Implicit(n) => write!(
                f,
                "`{n}` is also used by name where it is not written (`attach` and managed policy names need it): renaming it would break them"
            ),
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !pcl_syntax::KEYWORDS.contains(&name)
}

/// What the editor may rename at `offset`, asked before it prompts for a new
/// name (`textDocument/prepareRename`): the span of the name as written
/// there (a use's, without `@` or `${`) and the name. Refused, with the
/// reason `rename` would give, off a name, on a name no item of this file
/// declares, or on one used where it is not written.
pub fn prepare_rename(index: &FileIndex, offset: usize) -> Result<(Span, String), RenameError> {
    let (name, span) = index.name_at(offset).ok_or(RenameError::NothingToRename)?;
    index.decl(name).ok_or(RenameError::NothingToRename)?;
    if index.implicit.iter().any(|n| n == name) {
        return Err(RenameError::Implicit(name.to_string()));
    }
    Ok((span, name.to_string()))
}

/// The edits that rename the item at `offset`. `unresolved` holds the names
/// the file uses without declaring them: renaming to one of them would make
/// those uses mean the renamed item, so it is refused like a taken name.
pub fn rename(
    index: &FileIndex,
    offset: usize,
    new_name: &str,
    unresolved: &[&str],
) -> Result<Vec<(Span, String)>, RenameError> {
    let (name, _) = index.name_at(offset).ok_or(RenameError::NothingToRename)?;
    let decl = index.decl(name).ok_or(RenameError::NothingToRename)?;
    if !is_identifier(new_name) {
        return Err(RenameError::NotAName(new_name.to_string()));
    }
    prepare_rename(index, offset)?;
    if new_name != name && (index.decl(new_name).is_some() || unresolved.contains(&new_name)) {
        return Err(RenameError::Taken(new_name.to_string()));
    }
    let mut edits = vec![(decl.name_span, new_name.to_string())];
    edits.extend(index.uses.iter().filter(|u| u.name == name).map(|u| (u.span, new_name.to_string())));
    Ok(edits)
}
