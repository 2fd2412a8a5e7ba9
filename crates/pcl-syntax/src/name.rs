//! Interned names: an identifier, an action name, a feature's value or a
//! condition key, held once per process and referred to by an 8-byte
//! pointer.
//!
//! Why: a name is in the AST once and in every analysis that reads it
//! (references, guards, action lists, symbol tables, the program), and the
//! same few hundred names (params, features, actions) come back in every
//! item. A `SmolStr` in each place took 24 bytes; a `Name` takes 8, and
//! compares by address. The text of each distinct name is kept for the
//! life of the process: a language server keeps the names typed in it, a
//! few dozen bytes each, the prefixes typed on the way included (also of
//! the quoted ones: a value compared with `==`, an action name, a
//! condition key). The text parts of other string literals (ARNs, names,
//! descriptions), mostly distinct and long, are not interned.
//!
//! Safe code only: each distinct text is leaked once, as a `Box<str>` behind
//! a box of its own, so that a `Name` is a thin pointer.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{LazyLock, Mutex, PoisonError};

/// An interned name. Equal names are the same pointer, so equality is one
/// comparison; hashing and ordering are those of the text (a `Name` hashes
/// as its `str`, so maps keyed by names are looked up by `&str`, and orders
/// that follow a hash are the same as with the text).
#[derive(Clone, Copy)]
#[allow(clippy::borrowed_box, reason = "a thin pointer: `&str` would take 16 bytes")]
pub struct Name(&'static Box<str>);

/// The table is split by hash so that threads interning at once (a large
/// file's chunks are parsed on every core) seldom wait for one another.
const SHARDS: usize = 16;

/// An entry of the table: the text beside its name, so that a lookup
/// reaches the bytes it compares at one remove, not two (on the 100 MB
/// corpus, a table of millions of names is a cache miss a step).
type Entry = (&'static str, Name);

type Shard = Mutex<hashbrown::HashTable<Entry>>;

static TABLE: LazyLock<[Shard; SHARDS]> = LazyLock::new(|| std::array::from_fn(|_| Mutex::default()));

static EMPTY: LazyLock<Name> = LazyLock::new(|| Name::new(""));

/// How many names each thread remembers, by hash (one slot each).
const RECENT: usize = 1024;

thread_local! {
    /// The names this thread made last: most come back soon (the params
    /// and features in every ARN and guard, the actions, the keywords of
    /// conditions), and one found here takes no lock (through the table
    /// alone, interning was a tenth of a check of the 100 MB corpus).
    static RECENT_NAMES: std::cell::RefCell<Vec<Option<(u64, Name)>>> =
        std::cell::RefCell::new(vec![None; RECENT]);
}

fn hash_of(text: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(text)
}

impl Name {
    /// The name of this text: found, or added once.
    pub fn new(text: impl AsRef<str>) -> Name {
        let text = text.as_ref();
        let hash = hash_of(text);
        let slot = hash as usize % RECENT;
        let recent = RECENT_NAMES.with_borrow(|recent| recent.get(slot).copied().flatten());
        if let Some((known, name)) = recent
            && known == hash
            && name.as_str() == text
        {
            return name;
        }
        let name = Name::interned(text, hash);
        RECENT_NAMES.with_borrow_mut(|recent| {
            if let Some(place) = recent.get_mut(slot) {
                *place = Some((hash, name));
            }
        });
        name
    }

    /// The name of this text in the table: found, or added.
    fn interned(text: &str, hash: u64) -> Name {
        // middle bits pick the shard: the table reads the low ones for the
        // slot and the top seven to tell its entries apart before comparing
        // texts (the top four, constant in a shard, left it three)
        #[allow(clippy::indexing_slicing, reason = "the index is below SHARDS")]
        let shard = &TABLE[(hash >> 32) as usize % SHARDS];
        // a thread that panicked while holding the lock left the table whole:
        // an insert is the last step
        let mut table = shard.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, found)) = table.find(hash, |(known, _)| *known == text) {
            return *found;
        }
        #[allow(clippy::borrowed_box, reason = "see `Name`")]
        let leaked: &'static Box<str> = Box::leak(Box::new(Box::from(text)));
        let name = Name(leaked);
        table.insert_unique(hash, (name.as_str(), name), |(known, _)| hash_of(known));
        name
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl Default for Name {
    /// The empty name.
    fn default() -> Name {
        *EMPTY
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(text)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn equal_texts_are_one_name() {
        let a = Name::new("partition");
        let b = Name::new(String::from("partition"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, Name::new("region"));
        assert_eq!(Name::default(), Name::new(""));
        assert_eq!(a, "partition");
    }

    /// A `Name` hashes and orders as its text: a map keyed by names is
    /// looked up by `&str`, and sorting by name sorts by text.
    #[test]
    fn hashes_and_orders_as_its_text() {
        let mut map: std::collections::HashMap<Name, u32> = std::collections::HashMap::new();
        map.insert(Name::new("b"), 2);
        assert_eq!(map.get("b"), Some(&2));
        let mut names = [Name::new("zeta"), Name::new("alpha"), Name::new("mu")];
        names.sort();
        assert_eq!(names.map(|n| n.as_str()), ["alpha", "mu", "zeta"]);
    }

    /// Threads interning the same texts at once get the same names.
    #[test]
    fn threads_agree() {
        let texts: Vec<String> = (0..2000).map(|i| format!("name{}", i % 500)).collect();
        let run = || texts.iter().map(Name::new).collect::<Vec<_>>();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(run);
            let b = s.spawn(run);
            (a.join(), b.join())
        });
        assert!(matches!((a, b), (Ok(a), Ok(b)) if a == b));
    }
}
