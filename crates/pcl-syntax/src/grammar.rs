//! The pest grammar (`pcl.pest`) and its generated parser. Only `parser`,
//! `split`, `lower` and `pest_errors` see pest's types.

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "pcl.pest"]
pub(crate) struct PclParser;

/// A parse with pest's error detail on (what was expected where it
/// failed), only to explain a failure: the detail costs about half the
/// parse time.
///
/// pest's error-detail switch is process-wide, off by default, and read once
/// when a parse starts: only a parse that explains a failure turns it on,
/// under a lock, and off again. Parses on other threads take no lock (a lock
/// held for every parse made parallel parsing slower than serial); one that
/// starts while the switch is on only tracks details it does not need.
pub(crate) fn parse_with_detail(
    rule: Rule,
    text: &str,
) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    static DETAIL_SWITCH: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL_SWITCH.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let detailed = <PclParser as pest::Parser<Rule>>::parse(rule, text);
    pest::set_error_detail(false);
    detailed
}
