//! The findings of rendered statements, remembered per thread across
//! configurations, items and edits (`statements::summary_of` asks).

use std::borrow::Cow;

use pcl_syntax::Span;

use super::SYMBOLIC_PARTITION;
use crate::diagnostic::Diagnostic;

/// Entries the statement memo holds before it is cleared.
const STATEMENT_MEMO_CAPACITY: usize = 1_024;

thread_local! {
    /// Findings of statements already checked. Most configurations render
    /// most statements alike, and an edit leaves most statements of the
    /// edited policy as they were: each distinct statement is checked once.
    /// The findings are a function of the statement (spans relative to its
    /// item) and the partition alone, so the memo is valid across edits.
    ///
    /// Sized once for all it holds: grown from empty, its large keys were
    /// hashed again at each doubling (52k instructions of an edit that
    /// adds a value to `policies.pcl`'s `parallelcluster_roles`).
    static STATEMENT_MEMO: crate::iam::memo::KeyedTable<(crate::expand::ExpandedStatement, Cow<'static, str>), Vec<Diagnostic>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::with_capacity_and_hasher(STATEMENT_MEMO_CAPACITY, Default::default()));
}

/// The statement's findings, remembered with its spans made relative to
/// its first one: a statement that only moved (an edit above it in its item)
/// is found again. The findings take their spans from the statement's, so
/// moving both by the same amount is exact.
pub(super) fn remembered_statement_findings(
    mut st: crate::expand::ExpandedStatement,
    partition: &str,
    given: &[String],
) -> Vec<Diagnostic> {
    let mut base = u32::MAX;
    st.for_each_span(|span| base = base.min(span.start));
    st.for_each_span(|span| *span = Span { start: span.start - base, end: span.end - base });
    // a partition of the list (or the symbolic one) is keyed without a copy
    // (with the regions given, which the findings read too: rare)
    let symbolic = [&SYMBOLIC_PARTITION, &pcl_iam::values::EVERY_PARTITION_REGIONS_ALLOWED];
    let partition_key = match crate::iam::PARTITIONS.iter().chain(symbolic).find(|p| **p == partition) {
        Some(known) if given.is_empty() => Cow::Borrowed(*known),
        _ => Cow::Owned(format!("{partition} {}", given.join(" "))),
    };
    let found = crate::iam::memo::remembered_by(&STATEMENT_MEMO, STATEMENT_MEMO_CAPACITY, (st, partition_key), |key| {
        crate::content_checks::statement_findings(&key.0, (partition, given))
    });
    found.into_iter().map(|d| d.shifted(base)).collect()
}
