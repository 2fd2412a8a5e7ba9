//! Where an edit changed a file's text: told by the editor, or found by
//! comparing the old and new texts.

/// Where a text was edited: its bytes `start..old_end` became
/// `start..new_end` of the new text; all before and after are the same.
/// An editor knows this of each edit it sends; otherwise the texts are
/// compared (`between`), which on a 10 MB file was two fifths of the cache
/// misses of a re-analysis after a one-item edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextChange {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextChange {
    /// The change from `old` to `new` that leaves out their common start
    /// and end (compared a block at a time).
    pub fn between(old: &str, new: &str) -> TextChange {
        let start = common_prefix(old.as_bytes(), new.as_bytes());
        let most = old.len().min(new.len()) - start;
        let suffix = common_suffix(old.as_bytes(), new.as_bytes()).min(most);
        TextChange { start, old_end: old.len() - suffix, new_end: new.len() - suffix }
    }

    /// Whether its ranges lie in the texts, end alike, and start and end at
    /// characters (what a caller's change must do to be used untested).
    pub fn fits(&self, old: &str, new: &str) -> bool {
        let TextChange { start, old_end, new_end } = *self;
        start <= old_end
            && start <= new_end
            && old_end <= old.len()
            && new_end <= new.len()
            && old.len() - old_end == new.len() - new_end
            && [start, old_end].iter().all(|at| old.is_char_boundary(*at))
            && [start, new_end].iter().all(|at| new.is_char_boundary(*at))
    }

    /// Whether it fits and the texts are equal outside it.
    pub fn holds(&self, old: &str, new: &str) -> bool {
        self.fits(old, new)
            && old.as_bytes().get(..self.start) == new.as_bytes().get(..self.start)
            && old.as_bytes().get(self.old_end..) == new.as_bytes().get(self.new_end..)
    }
}

/// How many bytes two texts share at their start: compared a block at a
/// time (memcmp), the blocks shrinking near the first difference.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut at = 0;
    for block in [4096, 256, 16, 1] {
        while let (Some(x), Some(y)) = (a.get(at..at + block), b.get(at..at + block)) {
            if x != y {
                break;
            }
            at += block;
        }
    }
    at
}

/// How many bytes two texts share at their end (as `common_prefix`).
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let mut at = 0;
    for block in [4096, 256, 16, 1] {
        while let (Some(x), Some(y)) = (tail(a, at, block), tail(b, at, block)) {
            if x != y {
                break;
            }
            at += block;
        }
    }
    at
}

/// The `block` bytes before the last `skip` of `bytes`.
fn tail(bytes: &[u8], skip: usize, block: usize) -> Option<&[u8]> {
    let end = bytes.len().checked_sub(skip)?;
    bytes.get(end.checked_sub(block)?..end)
}

/// An edit's range not within a file's text, or not starting and ending at
/// characters (`SourceFile::splice_text`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutsideText;

impl std::fmt::Display for OutsideText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the edit's range is not within the text, or does not start and end at characters")
    }
}

impl std::error::Error for OutsideText {}
