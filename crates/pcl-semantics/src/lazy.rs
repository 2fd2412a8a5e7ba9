//! A value derived from the rest of a structure, made on first use.

/// Made on first use, from the fields beside it (the symbol table's names,
/// a program's constraints): most uses never ask for it, and making it on
/// every edit would cost as much as the structure itself. Derived from
/// those fields alone, so it takes no part in comparing two structures
/// (always equal: salsa compares the fields it is made from).
#[derive(Clone, Debug, Default)]
pub(crate) struct Lazy<T>(std::sync::OnceLock<T>);

impl<T> Lazy<T> {
    pub(crate) fn get_or_init(&self, make: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(make)
    }
}

impl<T> PartialEq for Lazy<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Lazy<T> {}
