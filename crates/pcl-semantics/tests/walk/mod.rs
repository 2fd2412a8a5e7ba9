//! What the walks of random edits share (`fresh_equivalence.rs`,
//! `edited_walk.rs`): a seeded generator, and the splice an editor sends.

/// A deterministic generator (xorshift): a walk reproduces.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// The splice that makes `new` of `old`: the bytes where they differ, cut
/// at characters of both.
pub fn splice_between<'n>(old: &str, new: &'n str) -> (std::ops::Range<usize>, &'n str) {
    let pcl_semantics::TextChange { mut start, mut old_end, mut new_end } =
        pcl_semantics::TextChange::between(old, new);
    while !(old.is_char_boundary(start) && new.is_char_boundary(start)) {
        start -= 1;
    }
    // the ends move together: what follows them is alike
    while !(old.is_char_boundary(old_end) && new.is_char_boundary(new_end)) {
        old_end += 1;
        new_end += 1;
    }
    (start..old_end, &new[start..new_end])
}
