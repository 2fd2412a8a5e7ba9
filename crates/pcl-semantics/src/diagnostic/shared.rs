//! One finding where several items' checks report the same problem at the
//! same place: a permset's text is checked once per policy that includes
//! it, each policy saying in which of its configurations the problem holds
//! ("when scheduler=slurm" from a policy that includes it under a guard,
//! nothing from one that includes it always). The problem is in the text:
//! reported once, with the broadest scope any of them found.

use super::Diagnostic;

/// How much of its item's configurations a finding holds in, as the
/// per-configuration checks word it (`variant_checks::tallies`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// No qualifier, or " in every configuration".
    Every,
    /// " when ..." or " in N of M configurations".
    Some,
}

/// `message` split before its configuration qualifier (" when ...", " in N
/// of M configurations", " in every configuration"; empty without one).
pub(crate) fn split_qualifier(message: &str) -> (&str, &str) {
    let (base, _) = scope_of(message);
    (base, message.get(base.len()..).unwrap_or_default())
}

/// The message without its configuration qualifier, and its scope. A
/// qualifier comes after the last quoted part (`... `arn:…` hard-codes
/// partition `aws` when fsx=true`): a " when " inside a quoted value is the
/// value's.
fn scope_of(message: &str) -> (&str, Scope) {
    if let Some(base) = message.strip_suffix(" in every configuration") {
        return (base, Scope::Every);
    }
    let after_quotes = message.rfind('`').map_or(0, |at| at + 1);
    let qualifier_at = |at: &usize| *at >= after_quotes;
    if message.ends_with(" configurations")
        && let Some(at) = message.rfind(" in ").filter(qualifier_at)
        && message.get(at + 4..).is_some_and(|rest| rest.contains(" of "))
    {
        return (message.get(..at).unwrap_or(message), Scope::Some);
    }
    match message.rfind(" when ").filter(qualifier_at) {
        Some(at) => (message.get(..at).unwrap_or(message), Scope::Some),
        None => (message, Scope::Every),
    }
}

/// In `diags`, sorted by place and code: of the findings at one place with
/// one code, one message but for its qualifier and the same labels, the one
/// that holds in every configuration is kept when there is one, and the
/// others (narrower, and the same problem) are dropped.
pub(crate) fn merge_shared(diags: &mut Vec<Diagnostic>) {
    let same_place = |a: &Diagnostic, b: &Diagnostic| a.span == b.span && a.code == b.code;
    let mut keep = vec![true; diags.len()];
    let mut start = 0;
    while start < diags.len() {
        let end = (start..diags.len())
            .find(|&i| diags.get(i).zip(diags.get(start)).is_none_or(|(d, first)| !same_place(d, first)))
            .unwrap_or(diags.len());
        // most places have one finding: nothing to compare
        if end - start > 1 {
            for i in start..end {
                let Some(d) = diags.get(i) else { continue };
                // the same finding twice, not side by side after the sort
                let repeated = (start..i).any(|j| diags.get(j).is_some_and(|other| other == d));
                if repeated && let Some(k) = keep.get_mut(i) {
                    *k = false;
                    continue;
                }
                let (base, scope) = scope_of(&d.message);
                // of those in every configuration, the first is kept (one
                // policy says "in every configuration", one that depends
                // on no feature says nothing: the same scope)
                let broader = (start..end).any(|j| {
                    diags.get(j).is_some_and(|other| {
                        j != i
                            && (scope == Scope::Some || j < i)
                            && other.secondary == d.secondary
                            && scope_of(&other.message) == (base, Scope::Every)
                    })
                });
                if broader && let Some(k) = keep.get_mut(i) {
                    *k = false;
                }
            }
        }
        start = end;
    }
    let mut kept = keep.into_iter();
    diags.retain(|_| kept.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_from_the_qualifier() {
        assert!(scope_of("x hard-codes `aws` when scheduler=slurm") == ("x hard-codes `aws`", Scope::Some));
        assert!(scope_of("x in 3 of 8 configurations") == ("x", Scope::Some));
        assert!(scope_of("x in every configuration") == ("x", Scope::Every));
        assert!(scope_of("x") == ("x", Scope::Every));
        // a " when " inside a quoted value is no qualifier
        assert!(scope_of("`a when b` hard-codes `aws`") == ("`a when b` hard-codes `aws`", Scope::Every));
    }

    fn finding(message: &str) -> Diagnostic {
        Diagnostic::new(crate::Code::ArnPartition, pcl_syntax::Span::new(1, 2), message)
    }

    /// Of copies at one place: the narrower dropped beside one in every
    /// configuration, and of those in every configuration, with or without
    /// the words, the first kept (found by review: both were shown).
    #[test]
    fn copies_in_every_configuration_are_one() {
        let mut diags =
            vec![finding("x in every configuration"), finding("x"), finding("x when f=true"), finding("y when f=true")];
        merge_shared(&mut diags);
        let kept: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(kept, ["x in every configuration", "y when f=true"]);
    }
}
