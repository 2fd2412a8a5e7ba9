//! Entries of one list of a statement that add nothing: listed twice, or
//! matched by a wildcard entry of the same list. IAM accepts both; they
//! spend the policy's size quota, and whoever removes one of the two finds
//! the grant still there.

/// Which list of a statement an entry is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// `Action` or `NotAction`: names compared ignoring ASCII case, as IAM does.
    Actions,
    /// `Resource` or `NotResource`: ARNs compared as written, as IAM does.
    Resources,
}

/// An entry of a list that adds nothing to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Repeat {
    pub list: ListKind,
    /// The entry, as the rendering first wrote it.
    pub entry: String,
    /// Why it adds nothing.
    pub why: Why,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Why {
    /// It is listed `times` times; `also` holds its other spellings (an
    /// action in another case), in list order.
    Listed { times: usize, also: Vec<String> },
    /// A wildcard pattern of the same list matches it.
    Matched { by: String },
}

/// Lists with more patterns times entries than this are checked for
/// entries written twice only: a generated list of thousands of patterns
/// would make the comparison of each pattern with each entry quadratic.
const PATTERN_PAIRS_AT_MOST: usize = 1 << 16;

/// The same bound in characters: the patterns' lengths times the entries'
/// (a pair's matching may cost the product of the two lengths).
const PATTERN_CHARS_AT_MOST: usize = 1 << 24;

/// Lists up to this long find their copies by comparing every pair, with
/// no allocation: nearly every list of a statement (this runs once per
/// distinct rendering of each statement).
const PAIRWISE_UP_TO: usize = 16;

/// An entry of a list with its copies: how many, and its other spellings.
struct Distinct<'a> {
    first: &'a str,
    times: usize,
    also: Vec<String>,
}

/// The entries of `list` listed more than once (one finding for all their
/// copies), and those a pattern of the list matches, in list order.
/// Linear in the list (by hash) for the first, and in the list times its
/// patterns for the second.
pub fn repeats(list: ListKind, entries: &[String], kept_stars: usize) -> Vec<Repeat> {
    let mut out = Vec::new();
    if entries.len() < 2 {
        return out;
    }
    let distinct = distinct(list, entries);
    // each pattern with its text before its first wildcard or placeholder,
    // which must start what it covers (nothing but written characters
    // matches it): most pairs part there, before the entry is cut into fields
    let patterns: Vec<(usize, &str)> = (distinct.iter().enumerate())
        .filter(|(_, d)| has_wildcard(d.first))
        .map(|(at, d)| (at, d.first.find(['*', '?', '<']).and_then(|end| d.first.get(..end)).unwrap_or(d.first)))
        .collect();
    // a pair costs up to the product of the two lengths (the matching's
    // backtracking): bounded by pairs and by characters
    let pattern_chars: usize = patterns.iter().filter_map(|(at, _)| distinct.get(*at)).map(|d| d.first.len()).sum();
    let entry_chars: usize = distinct.iter().map(|d| d.first.len()).sum();
    let compare = patterns.len().saturating_mul(distinct.len()) <= PATTERN_PAIRS_AT_MOST
        && pattern_chars.saturating_mul(entry_chars) <= PATTERN_CHARS_AT_MOST;
    let mut fields: Vec<Option<Fields<'_>>> = vec![None; if compare { distinct.len() } else { 0 }];
    let mut fields_of = |at: usize| -> Option<Fields<'_>> {
        let slot = fields.get_mut(at)?;
        let entry = distinct.get(at)?.first;
        Some(*slot.get_or_insert_with(|| Fields::of(list, entry)))
    };
    for (at, Distinct { first: entry, times, also }) in distinct.iter().enumerate() {
        // matched by a pattern: removing the entry, every copy of it, is the fix
        let mut covering = None;
        for &(p, literal) in patterns.iter().filter(|_| compare) {
            if p == at || !starts_with(list, entry, literal) {
                continue;
            }
            // two patterns that match each other (`s3:Get*`, `s3:Get**`):
            // only the later one is reported, or removing both would be the fix
            if let (Some(pattern), Some(entry)) = (fields_of(p), fields_of(at))
                && covers_fields(list, &pattern, &entry)
                && !(p > at && covers_fields(list, &entry, &pattern))
            {
                covering = Some(pattern.whole);
                break;
            }
        }
        let why = match covering {
            Some(pattern) => Why::Matched { by: pattern.to_string() },
            // `*`s a template kept are no one's writing
            None if *times > 1 + if *entry == "*" { kept_stars } else { 0 } => {
                Why::Listed { times: *times, also: also.clone() }
            }
            None => continue,
        };
        out.push(Repeat { list, entry: (*entry).to_string(), why });
    }
    out
}

/// Whether `pattern` covers `entry` as `repeats` judges it: equal, or
/// matching it whatever its own wildcards and placeholders stand for.
pub fn covers_entry(list: ListKind, pattern: &str, entry: &str) -> bool {
    covers_fields(list, &Fields::of(list, pattern), &Fields::of(list, entry))
}

fn has_wildcard(entry: &str) -> bool {
    entry.bytes().any(|b| b == b'*' || b == b'?')
}

fn starts_with(list: ListKind, entry: &str, literal: &str) -> bool {
    entry.get(..literal.len()).is_some_and(|head| match list {
        ListKind::Actions => head.eq_ignore_ascii_case(literal),
        ListKind::Resources => head == literal,
    })
}

/// An entry cut into the fields IAM's wildcards are compared within here:
/// an ARN's six (the last, the resource, whole), an action's service and
/// name. A pattern that covers each field of an entry covers the entry;
/// comparing field by field is cheaper (a `*` that could take in the rest
/// of the text takes in one field) and never says more than the whole.
#[derive(Clone, Copy)]
struct Fields<'a> {
    whole: &'a str,
    parts: [&'a str; 6],
    count: usize,
}

impl<'a> Fields<'a> {
    fn of(list: ListKind, whole: &'a str) -> Fields<'a> {
        let most = match list {
            ListKind::Resources if whole.starts_with("arn:") => 6,
            ListKind::Resources => 1,
            ListKind::Actions => 2,
        };
        let mut parts = [""; 6];
        let (mut count, mut start) = (0, 0);
        // by bytes: `split` was most of this check's cost
        for (at, byte) in whole.bytes().enumerate() {
            if byte == b':' && count + 1 < most {
                if let Some(slot) = parts.get_mut(count) {
                    *slot = whole.get(start..at).unwrap_or_default();
                }
                count += 1;
                start = at + 1;
            }
        }
        if let Some(slot) = parts.get_mut(count) {
            *slot = whole.get(start..).unwrap_or_default();
        }
        Fields { whole, parts, count: count + 1 }
    }
}

fn covers_fields(list: ListKind, pattern: &Fields<'_>, entry: &Fields<'_>) -> bool {
    if pattern.whole == "*" {
        return true;
    }
    if pattern.count != entry.count {
        return covers(list, pattern.whole, entry.whole);
    }
    pattern.parts.iter().zip(&entry.parts).take(pattern.count).all(|(p, e)| p == e || covers(list, p, e))
}

/// Each distinct entry once, in list order, with its copies.
fn distinct(list: ListKind, entries: &[String]) -> Vec<Distinct<'_>> {
    let same = |a: &str, b: &str| match list {
        ListKind::Actions => a.eq_ignore_ascii_case(b),
        ListKind::Resources => a == b,
    };
    let mut distinct: Vec<Distinct<'_>> = Vec::with_capacity(entries.len());
    let note = |at: Option<usize>, distinct: &mut Vec<Distinct<'_>>, entry: &String| -> bool {
        match at.and_then(|at| distinct.get_mut(at)) {
            Some(d) => {
                d.times += 1;
                if d.first != entry && !d.also.contains(entry) {
                    d.also.push(entry.clone());
                }
                false
            }
            None => true,
        }
    };
    if entries.len() <= PAIRWISE_UP_TO {
        for entry in entries {
            let at = distinct.iter().position(|d| same(d.first, entry));
            if note(at, &mut distinct, entry) {
                distinct.push(Distinct { first: entry, times: 1, also: Vec::new() });
            }
        }
        return distinct;
    }
    let key = |entry: &str| match list {
        ListKind::Actions => entry.to_ascii_lowercase(),
        ListKind::Resources => entry.to_string(),
    };
    let mut at_of: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    for entry in entries {
        let key = key(entry);
        if note(at_of.get(&key).copied(), &mut distinct, entry) {
            at_of.insert(key, distinct.len());
            distinct.push(Distinct { first: entry, times: 1, also: Vec::new() });
        }
    }
    distinct
}

/// Whether every text `entry` stands for is one `pattern` matches, as IAM
/// matches (`*` any run of characters, `?` one; actions ignoring ASCII
/// case, resources as written). What stands for text not known here only
/// a `*` of the pattern is trusted to match: the entry's own `*`, and a
/// resource's placeholder (`<BUCKET>`, a value of any length: the same
/// placeholder matches itself). An entry's `?` is one character, which a
/// `?` of the pattern matches too.
fn covers(list: ListKind, pattern: &str, entry: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // an IAM policy variable (`${aws:username}`) stands for a value to come,
    // and in a pattern `${*}` is a literal `*`: judged by nothing but `*`
    if pattern.contains("${") || entry.contains("${") {
        return false;
    }
    let one = |p: Sym<'_>, e: Sym<'_>| match (p, e) {
        (Sym::One, Sym::Char(_) | Sym::One) => true,
        (Sym::Char(p), Sym::Char(e)) => match list {
            ListKind::Actions => p.eq_ignore_ascii_case(&e),
            ListKind::Resources => p == e,
        },
        (Sym::Placeholder(p), Sym::Placeholder(e)) => p == e,
        _ => false,
    };
    // the usual matching with one backtrack point (the last `*`), over byte
    // offsets: linear in `pattern.len() × entry.len()` at worst, without
    // recursion or allocation
    let (mut pi, mut ei) = (0, 0);
    // the pattern's last `*`: where what follows it starts, and the entry's
    // offset up to which it has taken symbols in
    let mut star: Option<(usize, usize)> = None;
    while let Some((e, e_next)) = sym_at(entry, ei) {
        match sym_at(pattern, pi) {
            Some((Sym::Star, p_next)) => {
                star = Some((p_next, ei));
                pi = p_next;
            }
            Some((p, p_next)) if one(p, e) => {
                pi = p_next;
                ei = e_next;
            }
            _ => match star {
                Some((after, taken)) => {
                    // the `*` takes one more symbol in
                    let Some((_, next)) = sym_at(entry, taken) else { return false };
                    star = Some((after, next));
                    pi = after;
                    ei = next;
                }
                None => return false,
            },
        }
    }
    pattern.get(pi..).is_some_and(|rest| rest.bytes().all(|b| b == b'*'))
}

/// One symbol of a pattern or an entry: what each character, or
/// placeholder, stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sym<'a> {
    /// `*`: any run of characters.
    Star,
    /// `?`: one character.
    One,
    /// `<...>`: a value to come, the same for the same placeholder.
    Placeholder(&'a str),
    Char(char),
}

/// The symbol of `text` at byte `at`, and where the next one starts.
fn sym_at(text: &str, at: usize) -> Option<(Sym<'_>, usize)> {
    let rest = text.get(at..)?;
    let c = rest.chars().next()?;
    Some(match c {
        '*' => (Sym::Star, at + 1),
        '?' => (Sym::One, at + 1),
        '<' => match rest.find('>').and_then(|close| rest.get(..=close)) {
            Some(placeholder) => (Sym::Placeholder(placeholder), at + placeholder.len()),
            None => (Sym::Char('<'), at + 1),
        },
        c => (Sym::Char(c), at + c.len_utf8()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|e| (*e).to_string()).collect()
    }

    fn found(kind: ListKind, entries: &[&str]) -> Vec<(String, String)> {
        let described = |why: Why| match why {
            Why::Listed { times, also } => {
                format!("{times} times{}", also.iter().map(|a| format!(" {a}")).collect::<String>())
            }
            Why::Matched { by } => format!("by {by}"),
        };
        repeats(kind, &list(entries), 0).into_iter().map(|r| (r.entry, described(r.why))).collect()
    }

    fn pair(entry: &str, why: &str) -> (String, String) {
        (entry.to_string(), why.to_string())
    }

    #[test]
    fn actions_twice_in_any_case() {
        let got = found(ListKind::Actions, &["s3:GetObject", "s3:ListBucket", "s3:getobject", "s3:GetObject"]);
        assert_eq!(got, vec![pair("s3:GetObject", "3 times s3:getobject")]);
    }

    #[test]
    fn actions_under_a_pattern() {
        let got = found(ListKind::Actions, &["ec2:DescribeInstances", "ec2:Describe*", "ec2:RunInstances", "s3:Get*"]);
        assert_eq!(got, vec![pair("ec2:DescribeInstances", "by ec2:Describe*")]);
        // a pattern under a wider one, and everything under `*`
        let got = found(ListKind::Actions, &["ec2:Describe*", "EC2:*"]);
        assert_eq!(got, vec![pair("ec2:Describe*", "by EC2:*")]);
        let got = found(ListKind::Actions, &["*", "iam:PassRole"]);
        assert_eq!(got, vec![pair("iam:PassRole", "by *")]);
        // listed twice and matched: one finding, the match (removing it is the fix)
        let got = found(ListKind::Actions, &["s3:GetObject", "s3:Get*", "s3:GetObject"]);
        assert_eq!(got, vec![pair("s3:GetObject", "by s3:Get*")]);
    }

    #[test]
    fn patterns_that_do_not_cover_each_other() {
        // `?` matches one character: a pattern is judged covered by `PREFIX*` only
        assert!(found(ListKind::Actions, &["s3:Get*", "s3:Put*", "s3:G?tObject*"]).is_empty());
        assert!(found(ListKind::Actions, &["s3:Get?bject", "s3:GetObject*"]).is_empty());
        assert!(found(ListKind::Actions, &["s3:GetObject", "s3:GetObjectAcl"]).is_empty());
    }

    #[test]
    fn resources_are_case_sensitive() {
        let arn = "arn:aws:s3:::bucket/key";
        assert!(found(ListKind::Resources, &[arn, "arn:aws:s3:::bucket/KEY"]).is_empty());
        assert_eq!(found(ListKind::Resources, &[arn, arn]), vec![pair(arn, "2 times")]);
        assert_eq!(
            found(ListKind::Resources, &["arn:aws:s3:::bucket/*", arn]),
            vec![pair(arn, "by arn:aws:s3:::bucket/*")]
        );
        assert!(found(ListKind::Resources, &["arn:aws:s3:::Bucket/*", arn]).is_empty());
    }

    #[test]
    fn placeholders_stand_for_any_value() {
        let instance = "arn:aws:ec2:*:<ACCOUNT>:instance/i-1";
        let all = "arn:aws:ec2:*:<ACCOUNT>:instance/*";
        assert_eq!(found(ListKind::Resources, &[all, instance]), vec![pair(instance, &format!("by {all}"))]);
        // another placeholder may stand for another value
        assert!(found(ListKind::Resources, &["arn:aws:ec2:*:<OTHER>:instance/*", instance]).is_empty());
        // `?` matches one character, a placeholder's value may be longer
        assert!(found(ListKind::Resources, &["arn:aws:s3:::???/key", "arn:aws:s3:::<B>/key"]).is_empty());
        // the same placeholder is the same value
        let x = "arn:aws:s3:::<B>x";
        assert_eq!(found(ListKind::Resources, &["arn:aws:s3:::<B>?", x]), vec![pair(x, "by arn:aws:s3:::<B>?")]);
        // a pattern's `*` takes a placeholder in
        let bucket = "arn:aws:s3:::<BUCKET>/key";
        assert_eq!(found(ListKind::Resources, &["arn:aws:s3:::*", bucket]), vec![pair(bucket, "by arn:aws:s3:::*")]);
        assert_eq!(found(ListKind::Resources, &["*", bucket]), vec![pair(bucket, "by *")]);
        // an entry with a wildcard of its own, under `PREFIX*`
        let keys = "arn:aws:s3:::<BUCKET>/logs/*";
        let under = "arn:aws:s3:::<BUCKET>/*";
        assert_eq!(found(ListKind::Resources, &[under, keys]), vec![pair(keys, &format!("by {under}"))]);
    }

    #[test]
    fn stars_a_template_kept_are_not_repeats() {
        let stars = list(&["*", "*"]);
        assert!(repeats(ListKind::Resources, &stars, 1).is_empty());
        assert_eq!(repeats(ListKind::Resources, &stars, 0).len(), 1);
        // a third `*`, written: listed three times
        let three = list(&["*", "*", "*"]);
        assert_eq!(found(ListKind::Resources, &["*", "*", "*"]), vec![pair("*", "3 times")]);
        assert_eq!(repeats(ListKind::Resources, &three, 1).len(), 1);
    }

    #[test]
    fn patterns_that_match_each_other_report_the_later_only() {
        assert_eq!(found(ListKind::Actions, &["s3:Get*", "s3:Get**"]), vec![pair("s3:Get**", "by s3:Get*")]);
    }

    #[test]
    fn policy_variables_are_matched_by_star_only() {
        let user = "arn:aws:s3:::b/${aws:username}";
        assert!(found(ListKind::Resources, &["arn:aws:s3:::b/${*}", user]).is_empty());
        assert!(found(ListKind::Resources, &["arn:aws:s3:::b/*", user]).is_empty());
        assert_eq!(found(ListKind::Resources, &["*", user]), vec![pair(user, "by *")]);
    }

    #[test]
    fn one_pattern_against_one_entry() {
        let all = "arn:aws:ec2:*:1:instance/*";
        assert!(covers_entry(ListKind::Resources, all, "arn:aws:ec2:us-east-1:1:instance/i-1"));
        assert!(covers_entry(ListKind::Resources, all, all), "equal texts");
        // a placeholder in the pattern's region: only itself matches it
        let any_region = "arn:aws:ec2:<R>:1:instance/*";
        assert!(!covers_entry(ListKind::Resources, any_region, "arn:aws:ec2:us-east-1:1:instance/i-1"));
        assert!(covers_entry(ListKind::Resources, any_region, "arn:aws:ec2:<R>:1:instance/i-1"));
        assert!(covers_entry(ListKind::Actions, "EC2:Describe*", "ec2:DescribeInstances"));
    }

    #[test]
    fn long_patterns_against_long_entries_are_not_compared() {
        let patterns = (0..64).map(|i| format!("arn:aws:s3:::*{}{i}b", "a".repeat(100)));
        let entries = (0..960).map(|i| format!("arn:aws:s3:::{}{i}", "a".repeat(200)));
        let list: Vec<String> = patterns.chain(entries).collect();
        assert!(repeats(ListKind::Resources, &list, 0).is_empty());
    }

    #[test]
    fn many_patterns_are_not_compared_pairwise() {
        let mut entries: Vec<String> = (0..1000).map(|i| format!("svc:Action{i}*")).collect();
        entries.push("svc:Action1".to_string());
        entries.push("svc:action1*".to_string());
        let got: Vec<_> = repeats(ListKind::Actions, &entries, 0).into_iter().map(|r| r.entry).collect();
        assert_eq!(got, vec!["svc:Action1*".to_string()], "only the entry written twice");
    }
}
