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
    let (name, span) = index.name_at(offset)?;
    // on a declaration's name, that declaration (a second one of the name,
    // E0101, is not the first's)
    if index.decl_named_at(span).is_some() {
        return Some(span);
    }
    index.decl(name).map(|d| d.name_span)
}

pub fn references(index: &FileIndex, offset: usize, with_declaration: bool) -> Vec<Span> {
    let Some((name, at)) = index.name_at(offset) else { return Vec::new() };
    // a second declaration of the name (E0101): no use means it (they mean
    // the first), as `definition` and `rename` have it (a review found the
    // first declaration and its uses given for it)
    if let Some(second) =
        index.decl_named_at(at).filter(|d| index.decl(name).is_some_and(|first| first.name_span != d.name_span))
    {
        return if with_declaration { vec![second.name_span] } else { Vec::new() };
    }
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
    /// The file has a syntax error (its first line given): a use in text
    /// that did not parse is unknown, and would be left unrenamed.
    Unparsed { line: usize },
    /// A use renamed would mean something else: a `for` template's variable
    /// of the new name takes it (`"${b}/${prefix}" for b in buckets`, with
    /// `prefix` renamed `b`). The line of the first such use.
    Captured { name: String, line: usize },
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
            RenameError::Unparsed { line } => write!(
                f,
                "the file does not parse (a syntax error on line {line}): a use in the text that did not parse would not be renamed; fix the syntax first"
            ),
            RenameError::Captured { name, line } => write!(
                f,
                "renamed `{name}`, the use on line {line} would mean another name in scope there (a `for` template's variable): choose another name"
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
    let (name, at) = index.name_at(offset).ok_or(RenameError::NothingToRename)?;
    let decl = index.decl(name).ok_or(RenameError::NothingToRename)?;
    if !is_identifier(new_name) {
        return Err(RenameError::NotAName(new_name.to_string()));
    }
    prepare_rename(index, offset)?;
    if new_name != name && (index.decl(new_name).is_some() || unresolved.contains(&new_name)) {
        return Err(RenameError::Taken(new_name.to_string()));
    }
    // a second declaration of the name (E0101): no use means it (they mean
    // the first), so renaming it renames it alone, which resolves the clash
    if let Some(second) = index.decl_named_at(at).filter(|d| d.name_span != decl.name_span) {
        return Ok(vec![(second.name_span, new_name.to_string())]);
    }
    let mut edits = vec![(decl.name_span, new_name.to_string())];
    edits.extend(index.uses.iter().filter(|u| u.name == name).map(|u| (u.span, new_name.to_string())));
    Ok(edits)
}

/// `Err` when a use that `edits` rename to `new_name` would mean something
/// else in the renamed text: a name in scope there only (a `for` template's
/// variable) takes it. The renamed text's names are found again (its parse
/// and item checks, on a database of its own: a rename is rare, and the
/// scopes of `for` variables are known only to the checks).
pub fn refuse_captured(index: &FileIndex, edits: &[(Span, String)], new_name: &str) -> Result<(), RenameError> {
    let mut renamed = index.text.clone();
    let mut sorted: Vec<&(Span, String)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    for (span, new) in sorted {
        let range = span.start as usize..span.end as usize;
        if renamed.get(range.clone()).is_none() {
            return Err(RenameError::NothingToRename); // not this text's span
        }
        renamed.replace_range(range, new);
    }
    let mut db = pcl_semantics::RootDatabase::default();
    let file = pcl_semantics::SourceFile::open_to_edit(&mut db, String::new(), renamed);
    let after = FileIndex::build(&db, file);
    // where each renamed place is in the new text: moved by the edits before it
    let mut in_order: Vec<Span> = edits.iter().map(|(span, _)| *span).collect();
    in_order.sort_by_key(|span| span.start);
    let mut places: Vec<(Span, usize)> = Vec::new();
    let mut moved_by: isize = 0;
    for span in in_order {
        let (start, end) = (span.start as usize, span.end as usize);
        let Some(new_start) = start.checked_add_signed(moved_by) else { continue };
        places.push((Span::new(new_start, new_start + new_name.len()), start));
        moved_by += isize::try_from(new_name.len()).unwrap_or(0) - isize::try_from(end - start).unwrap_or(0);
    }
    for (place, old_start) in places {
        let still_means_it =
            after.decl_named_at(place).is_some() || after.uses.iter().any(|u| u.span == place && u.name == new_name);
        if !still_means_it {
            return Err(RenameError::Captured { name: new_name.to_string(), line: index.line_of(old_start) });
        }
    }
    Ok(())
}
