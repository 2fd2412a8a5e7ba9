//! Parsing in the database: a file is cut into chunks (one item each), and
//! a large policy or permset into its entries, each parsed once per text.

use super::{Database, SourceFile};
use pcl_syntax::ast;

/// The text of one chunk of a file (an item, with its doc comments), interned:
/// a chunk whose text is unchanged after an edit is the same `Chunk`, and its
/// parse is reused. Looked up by `&str`, so an unchanged chunk costs a hash
/// and a comparison, not a copy.
#[salsa::interned(debug)]
pub struct Chunk<'db> {
    #[returns(ref)]
    pub text: String,
    /// It ends the file (an unfinished item there runs into the end).
    pub last: bool,
}

/// One chunk parsed; spans relative to the chunk. Re-runs only when a chunk
/// of new text appears: an edit inside one item re-parses that item only,
/// and inside a large policy or permset only the edited entry (its header's
/// and other entries' parses are reused by their text, see `Fragment`).
#[salsa::tracked(returns(ref))]
pub fn parse_chunk<'db>(db: &'db dyn Database, chunk: Chunk<'db>) -> ChunkParse {
    let text = chunk.text(db);
    let mut parts = FragmentParses { db, entries: Vec::new() };
    let (parsed, entries) = match pcl_syntax::split::parse_split(text, &mut parts) {
        Some(parsed) => (parsed, parts.entries),
        None => (pcl_syntax::parse_chunk(text, *chunk.last(db)), Vec::new()),
    };
    let mentions_expect = crate::acknowledge::items_mentioning_expect(&parsed.items, text);
    ChunkParse { parsed, entries, mentions_expect }
}

/// A chunk's parse, and, when it was parsed entry by entry (one large
/// policy or permset), each entry's text and offset in the item.
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct ChunkParse {
    pub parsed: pcl_syntax::ParsedChunk,
    /// Each entry's offset in the item and its text (the text its
    /// `Fragment` interns: the item's `check_item` finds it by that).
    pub entries: Vec<(u32, std::sync::Arc<str>)>,
    /// Which of its items may hold an `expect` (see `FileParse::mentions_expect`).
    pub mentions_expect: Vec<bool>,
}

/// A part of a large policy or permset, parsed on its own: one top-level
/// body entry (a statement, a `with condition` block or an include), or the
/// item with its entries left out. Interned by its text, like `Chunk`.
#[salsa::interned(debug)]
pub struct Fragment<'db> {
    #[returns(ref)]
    pub text: String,
}

/// One body entry parsed on its own, spans relative to its start; `None`
/// when it does not parse cleanly (its chunk is then parsed whole).
#[salsa::tracked(returns(ref))]
pub fn parse_entry<'db>(db: &'db dyn Database, entry: Fragment<'db>) -> Option<Vec<ast::BodyEntry>> {
    pcl_syntax::split::parse_entry(entry.text(db))
}

/// A large item's header (the item with its entries left out), parsed.
#[salsa::tracked(returns(ref))]
pub fn parse_header<'db>(db: &'db dyn Database, header: Fragment<'db>) -> Option<pcl_syntax::split::Header> {
    pcl_syntax::split::parse_header(header.text(db))
}

/// The memoized parses of the parts of a chunk, and the entries asked for.
struct FragmentParses<'db> {
    db: &'db dyn Database,
    entries: Vec<(u32, std::sync::Arc<str>)>,
}

impl<'db> pcl_syntax::split::Parts<'db> for FragmentParses<'db> {
    fn header(&mut self, text: &str) -> Option<&'db pcl_syntax::split::Header> {
        parse_header(self.db, Fragment::new(self.db, text)).as_ref()
    }

    fn entry(&mut self, text: &str, offset: u32) -> Option<&'db [ast::BodyEntry]> {
        let fragment = Fragment::new(self.db, text);
        self.entries.push((offset, std::sync::Arc::from(text)));
        parse_entry(self.db, fragment).as_deref()
    }
}

/// The whole file parsed (see `file_parse`).
pub fn parse(db: &dyn Database, file: SourceFile) -> &pcl_syntax::ParsedFile {
    &file_parse(db, file).parsed
}

/// The whole file parsed: its chunks (one cheap pass over the lines), each
/// parsed by `parse_chunk`, placed at its offset; and for each item parsed
/// entry by entry, its entries (see `ChunkParse`), an empty list for every
/// other item. Made by the driver (`files.rs`) with the text, as an input.
pub fn file_parse(db: &dyn Database, file: SourceFile) -> &FileParse {
    file.parsed(db)
}

/// `file_parse` of a text, from the memoized chunk parses.
pub(super) fn parse_text(db: &dyn Database, text: &str) -> FileParse {
    let ranges = pcl_syntax::chunk_ranges(text);
    // nearly every chunk is one item: sized once, not grown (and copied)
    // item by item after every edit
    let mut parsed = pcl_syntax::ParsedFile::default();
    parsed.items.reserve_exact(ranges.len());
    let mut out = FileParse {
        parsed,
        entries: Vec::with_capacity(ranges.len()),
        mentions_expect: Vec::with_capacity(ranges.len()),
    };
    let mut parse = |start: usize, end: usize| {
        parse_chunk(db, Chunk::new(db, text.get(start..end).unwrap_or_default(), end == text.len()))
    };
    for (start, chunk_parse) in pcl_syntax::parse_cut(&ranges, &mut parse, |p| p.parsed.errors.is_empty()) {
        out.parsed.push_chunk(start, &chunk_parse.parsed);
        out.entries.extend(chunk_parse.parsed.items.iter().map(|_| chunk_parse.entries.clone()));
        out.mentions_expect.extend(&chunk_parse.mentions_expect);
    }
    out
}

/// A file's parse, with the entries of the items parsed entry by entry
/// (aligned with `parsed.items`).
#[derive(Clone, Debug, PartialEq, Eq, salsa::SalsaValue)]
pub struct FileParse {
    pub parsed: pcl_syntax::ParsedFile,
    pub entries: Vec<Vec<(u32, std::sync::Arc<str>)>>,
    /// Which items may hold an `expect` (their text mentions it), aligned
    /// with `parsed.items`: the acknowledgements walk only those.
    pub mentions_expect: Vec<bool>,
}
