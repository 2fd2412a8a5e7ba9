//! One file's names: each item's declaration and every use of a name, with
//! absolute spans, built from the database's memoized parse and item checks.

use pcl_semantics::{Database, SourceFile};
use pcl_syntax::{Name, Span};

/// A declared item.
pub struct Decl {
    pub name: Name,
    pub kind: &'static str,
    pub name_span: Span,
    pub span: Span,
    pub docs: Vec<String>,
}

/// A role's `trust` field that grants no action besides its principals'
/// own: where a fix that grants one goes (W0513).
pub struct TrustField {
    /// The principals' list.
    pub values: Span,
    /// The whole field.
    pub span: Span,
    /// Whether it ends in a block (`{ condition ...; }`) rather than `;`.
    pub block: bool,
    /// The list of the one `action` field of its block, if it has one.
    pub actions: Option<TrustActions>,
}

/// The actions a `trust` field's block grants (`{ action [...]; }`).
pub struct TrustActions {
    /// The list, brackets included when it has them.
    pub list: Span,
    pub bracketed: bool,
    /// Where its last entry (with its guard) ends; none in `[]`.
    pub last_entry_end: Option<u32>,
    /// The actions it names (guarded or not), in lower case.
    pub names: Vec<String>,
    /// It splices an actionset (`@s`), whose actions the parse does not show.
    pub splices_set: bool,
}

impl TrustField {
    /// The `trust` fields of a role that grant no action or one `action`
    /// list (not `not action`, nor two lists: E0307), in order.
    fn of_item<'p>(text: &'p str, parsed: &'p pcl_syntax::ParsedItem) -> impl Iterator<Item = TrustField> + 'p {
        let offset = parsed.offset;
        let fields = match &parsed.item.kind {
            pcl_syntax::ast::ItemKind::Role(role) => role.fields.as_slice(),
            _ => &[],
        };
        fields.iter().filter_map(move |field| {
            let pcl_syntax::ast::RoleField::Trust { values, conditions, actions, span, .. } = field else {
                return None;
            };
            let actions = match actions.as_slice() {
                [] => None,
                [one] if !one.negated => {
                    use pcl_syntax::ast::ActionItem;
                    let entries = one.list.items.iter().map(|entry| &entry.item);
                    Some(TrustActions {
                        list: one.list.span.shift(offset),
                        bracketed: one.list.bracketed,
                        last_entry_end: one.list.items.last().map(|entry| entry.span.shift(offset).end),
                        names: entries
                            .clone()
                            .filter_map(|item| match item {
                                ActionItem::Name(name, _) => Some(name.as_str().to_ascii_lowercase()),
                                ActionItem::SetRef(_) => None,
                            })
                            .collect(),
                        splices_set: entries.clone().any(|item| matches!(item, ActionItem::SetRef(_))),
                    })
                }
                _ => return None,
            };
            let (values, span) = (values.span.shift(offset), span.shift(offset));
            let block = actions.is_some() || !conditions.is_empty() || !text_ends_with(text, span, ';');
            Some(TrustField { values, span, block, actions })
        })
    }

    /// The `trust` fields of `text` that grant no action or one `action`
    /// list, in order, read
    /// from its parse alone (no analysis: what a machine format's W0513 fix
    /// needs).
    pub fn of_text(text: &str) -> Vec<TrustField> {
        let parsed = pcl_syntax::parse_file(text);
        parsed.items.iter().flat_map(|item| TrustField::of_item(text, item)).collect()
    }

    /// The field among `fields` (in order) whose principals hold `span`.
    pub fn around(fields: &[TrustField], span: Span) -> Option<&TrustField> {
        let after = fields.partition_point(|f| f.values.start <= span.start);
        let f = fields.get(after.checked_sub(1)?)?;
        (span.end <= f.values.end).then_some(f)
    }
}

/// A use of a name (the name itself, without `@` or `${`).
pub struct Use {
    pub name: Name,
    pub span: Span,
}

pub struct FileIndex {
    pub text: String,
    pub decls: Vec<Decl>,
    pub uses: Vec<Use>,
    /// Names used without being written (`attach P` needs params named
    /// `partition` and `account`): they cannot be renamed.
    pub implicit: Vec<Name>,
    /// Params' types and the valuesets that hold no ARN (for completion).
    pub values: crate::value_facts::ValueFacts,
    /// The `trust` fields that grant no action or one `action` list, in
    /// file order.
    pub trust_fields: Vec<TrustField>,
    /// The first declaration of each name (its position in `decls`).
    by_name: std::collections::HashMap<Name, usize>,
}

impl FileIndex {
    pub fn build(db: &dyn Database, file: SourceFile) -> FileIndex {
        let text = file.text(db).clone();
        let parsed = pcl_semantics::parse(db, file);
        let items = pcl_semantics::file_items(db, file);
        let mut decls = Vec::new();
        let mut uses = Vec::new();
        let mut implicit = Vec::new();
        let mut values = crate::value_facts::ValueFacts::default();
        let mut trust_fields = Vec::new();
        let mut declared = std::collections::HashSet::new();
        for (parsed_item, def) in parsed.items.iter().zip(items.iter()) {
            let item = &*parsed_item.item;
            let offset = parsed_item.offset;
            trust_fields.extend(TrustField::of_item(&text, parsed_item));
            decls.push(Decl {
                name: item.name().name,
                kind: item.keyword(),
                name_span: item.name().span.shift(offset),
                span: item.span.shift(offset),
                docs: item.docs.to_vec(),
            });
            let analysis = pcl_semantics::check_item(db, *def);
            if declared.insert(item.name().name) {
                values.add(item.name().name, &analysis.ir);
            }
            for r in &analysis.refs {
                let span = r.span.shift(offset);
                match name_within(&text, span, &r.name) {
                    Some(span) => uses.push(Use { name: r.name, span }),
                    None => implicit.push(r.name),
                }
            }
        }
        uses.sort_by_key(|u| (u.span.start, u.span.end));
        // one place read twice (`attach partition` names a policy and reads
        // the param) is one use: overlapping rename edits are refused
        uses.dedup_by(|a, b| a.span == b.span && a.name == b.name);
        let mut by_name = std::collections::HashMap::with_capacity(decls.len());
        for (at, d) in decls.iter().enumerate() {
            by_name.entry(d.name).or_insert(at);
        }
        FileIndex { text, decls, uses, implicit, values: values.finish(), trust_fields, by_name }
    }

    /// The first declaration of `name` (a lookup: highlighting asks for
    /// every token).
    pub fn decl(&self, name: &str) -> Option<&Decl> {
        self.by_name.get(name).and_then(|&at| self.decls.get(at))
    }

    /// The declaration whose name is at `span`. `decls` are in file order,
    /// so this is a binary search, not a walk per token or diagnostic.
    pub fn decl_named_at(&self, span: Span) -> Option<&Decl> {
        let at = self.decls.partition_point(|d| d.name_span.start < span.start);
        self.decls.get(at).filter(|d| d.name_span == span)
    }

    /// The declaration whose item holds `span`.
    pub fn decl_around(&self, span: Span) -> Option<&Decl> {
        let after = self.decls.partition_point(|d| d.span.start <= span.start);
        let d = self.decls.get(after.checked_sub(1)?)?;
        (d.span.start <= span.start && span.end <= d.span.end).then_some(d)
    }

    /// The line (from 1) of the byte `offset`. A line ends at `\n`, `\r\n`
    /// or a lone `\r`, as the parser and the diagnostics count them (only
    /// `\n` was counted, and a refused rename named line 1 of a file whose
    /// lines end in `\r`).
    pub fn line_of(&self, offset: usize) -> usize {
        let text = self.text.as_bytes();
        let before = text.get(..offset).unwrap_or(text);
        let ends =
            before.iter().enumerate().filter(|&(at, &b)| b == b'\n' || b == b'\r' && text.get(at + 1) != Some(&b'\n'));
        ends.count() + 1
    }

    /// The declaration or use whose name covers `offset` (the end counts:
    /// a cursor right after a name is on it).
    pub fn name_at(&self, offset: usize) -> Option<(&str, Span)> {
        let on = |s: Span| s.start as usize <= offset && offset <= s.end as usize;
        if let Some(d) = self.decls.iter().find(|d| on(d.name_span)) {
            return Some((&d.name, d.name_span));
        }
        self.uses.iter().find(|u| on(u.span)).map(|u| (u.name.as_str(), u.span))
    }
}

/// The part of `span` that is `name` (a use's span may include `@` or
/// `${`); `None` when the name is not written there (an implicit use).
fn name_within(text: &str, span: Span, name: &str) -> Option<Span> {
    let (start, end) = (span.start as usize, span.end as usize);
    let haystack = text.get(start..end)?;
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    // the name as a whole word, not inside a longer one
    haystack
        .match_indices(name)
        .find(|(at, _)| {
            let before = haystack.get(..*at).and_then(|b| b.chars().next_back());
            let after = haystack.get(at + name.len()..).and_then(|a| a.chars().next());
            !before.is_some_and(is_name) && !after.is_some_and(is_name)
        })
        .map(|(at, _)| Span::new(start + at, start + at + name.len()))
}

/// Whether the text at `span` ends with `c`.
fn text_ends_with(text: &str, span: Span, c: char) -> bool {
    text.get(span.start as usize..span.end as usize).is_some_and(|t| t.ends_with(c))
}
