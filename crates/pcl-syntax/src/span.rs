/// A byte range. Spans inside an item's AST are relative to the item's start
/// so that editing one item leaves the ASTs of the others equal (this is what
/// lets salsa reuse their analyses); `ParsedItem::offset` makes them absolute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start: saturate(start), end: saturate(end.max(start)) }
    }

    pub fn shift(self, by: u32) -> Self {
        Span { start: self.start.saturating_add(by), end: self.end.saturating_add(by) }
    }

    /// The span relative to `origin` (a place at or before it).
    pub fn relative_to(self, origin: u32) -> Self {
        Span { start: self.start.saturating_sub(origin), end: self.end.saturating_sub(origin) }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
