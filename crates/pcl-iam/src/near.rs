//! "Did you mean": the candidate nearest to a name by Jaro-Winkler
//! similarity, with or without case, and the edit distance. rapidfuzz's batch comparator encodes the name
//! once as bit vectors and gives up early on a candidate that cannot reach
//! the best score so far; strsim compared each pair char by char (6M
//! instructions for one unknown `ec2:` action against its 750 actions).

use rapidfuzz::distance::jaro_winkler;

/// The candidate most similar to `name` (case ignored) scoring above
/// `threshold`; of equally similar ones, the last. `None` for names longer
/// than `LONGEST_SUGGESTED_NAME`.
pub fn nearest_ignoring_case<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    threshold: f64,
) -> Option<&'a str> {
    nearest_by(name, candidates, threshold, |c| c.to_ascii_lowercase())
}

/// As `nearest_ignoring_case`, with case compared.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, threshold: f64) -> Option<&'a str> {
    nearest_by(name, candidates, threshold, |c| c)
}

fn nearest_by<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    threshold: f64,
    fold: fn(char) -> char,
) -> Option<&'a str> {
    nearest_counted(name, candidates.into_iter().map(|c| (c, Letters::of(c))), threshold, fold)
}

/// As `nearest_ignoring_case`, with each candidate's `Letters` counted
/// beforehand (a service's actions, once per service).
pub fn nearest_ignoring_case_counted<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = (&'a str, Letters)>,
    threshold: f64,
) -> Option<&'a str> {
    nearest_counted(name, candidates, threshold, |c| c.to_ascii_lowercase())
}

fn nearest_counted<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = (&'a str, Letters)>,
    threshold: f64,
    fold: fn(char) -> char,
) -> Option<&'a str> {
    if name.len() > crate::LONGEST_SUGGESTED_NAME {
        return None;
    }
    let comparator = jaro_winkler::BatchComparator::new(name.chars().map(fold));
    // below the prefix bonus's threshold a candidate scores its Jaro
    // similarity: one that cannot exceed that is not compared
    let letters = (threshold >= BOOSTED_FROM).then(|| Letters::of(name));
    let mut best: Option<(f64, &'a str)> = None;
    for (candidate, its_letters) in candidates {
        if letters.is_some_and(|mine| !mine.may_exceed_boost_threshold(&its_letters)) {
            continue;
        }
        // a candidate as good as the best so far is kept: the last of equals wins
        let cutoff = best.map_or(threshold, |(score, _)| score);
        let args = jaro_winkler::Args::default().score_cutoff(cutoff);
        if let Some(score) = comparator.normalized_similarity_with_args(candidate.chars().map(fold), &args)
            && score > threshold
        {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Jaro-Winkler adds its prefix bonus only above this Jaro similarity: a
/// pair at or below it scores its Jaro similarity, at most this.
const BOOSTED_FROM: f64 = 0.7;

/// How often each letter and digit occurs in a name, case folded, with any
/// other character in one more bucket; and its length in characters. Two
/// names share at most the sum of the smaller counts (a bucket of different
/// characters, or of letters whose case is compared, only counts more), which
/// rules out most candidates before the Jaro-Winkler comparison: a file of
/// 50,000 unknown `ec2:` actions spent 83 % of its check in it.
#[derive(Clone, Copy, Debug)]
pub struct Letters {
    counts: [u8; 37],
    len: usize,
}

impl Letters {
    pub fn of(name: &str) -> Letters {
        let mut counts = [0u8; 37];
        let mut len = 0;
        for c in name.chars() {
            let bucket = match c.to_ascii_lowercase() {
                c @ 'a'..='z' => c as usize - 'a' as usize,
                c @ '0'..='9' => 26 + (c as usize - '0' as usize),
                _ => 36,
            };
            if let Some(count) = counts.get_mut(bucket) {
                *count = count.saturating_add(1);
            }
            len += 1;
        }
        Letters { counts, len }
    }

    /// Whether the Jaro similarity of the two names can exceed
    /// `BOOSTED_FROM`. Jaro is (m/a + m/b + (m - t)/m) / 3 for m matching
    /// characters, t/2 of them transposed, in names of lengths a and b, so it
    /// exceeds 0.7 only if m/a + m/b > 1.1, and m is at most what they share.
    /// (A count that saturated at 255 can only make this answer yes.)
    fn may_exceed_boost_threshold(&self, other: &Letters) -> bool {
        let (a, b) = (self.len, other.len);
        if a == 0 || b == 0 {
            return true; // compared: Jaro of one empty name is 0 anyway
        }
        let shared: usize = self.counts.iter().zip(&other.counts).map(|(x, y)| usize::from(*x.min(y))).sum();
        let saturated = self.counts.iter().chain(&other.counts).any(|c| *c == u8::MAX);
        // (at exactly 1.1 the exact Jaro is 0.7, which floating point may
        // round above it, and then the bonus applies)
        saturated || 10 * shared * (a + b) >= 11 * a * b
    }
}

/// Jaro-Winkler similarity of two strings, in [0, 1].
pub fn similarity(a: &str, b: &str) -> f64 {
    jaro_winkler::similarity(a.chars(), b.chars())
}

/// Levenshtein distance of two strings, in chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    rapidfuzz::distance::levenshtein::distance(a.chars(), b.chars())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer as strsim's pairwise search, the last of equals, on
    /// every service's actions for misspellings of its own names.
    #[test]
    fn agrees_with_a_pairwise_search() {
        let catalog = crate::catalog::catalog();
        let mut compared = 0;
        for service in catalog.prefixes().step_by(7).filter_map(|p| catalog.service(p)) {
            let names: Vec<&str> = service.actions.iter().map(|a| a.name).collect();
            for (i, n) in names.iter().enumerate().step_by(7) {
                let typo: String = n.chars().enumerate().filter(|(j, _)| j % 5 != i % 5).map(|(_, c)| c).collect();
                for probe in [typo.as_str(), n, "Describe", "xyz"] {
                    let lower = probe.to_ascii_lowercase();
                    let pairwise = names
                        .iter()
                        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), *c))
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, c)| c);
                    assert_eq!(nearest_ignoring_case(probe, names.iter().copied(), 0.8), pairwise, "{probe}");
                    // with the letters counted once per service: the same
                    assert_eq!(
                        nearest_ignoring_case_counted(probe, service.actions_with_letters(), 0.8),
                        pairwise,
                        "{probe}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    /// The letter counts never rule out a pair whose Jaro similarity is
    /// above the boost threshold (tried on names and misspellings of them,
    /// with case and without): the filter only saves comparisons.
    #[test]
    fn letters_never_rule_out_a_pair_above_the_threshold() {
        let catalog = crate::catalog::catalog();
        let (mut close, mut tried) = (0, 0);
        // pairs within a service, where names are alike
        for service in catalog.prefixes().step_by(11).filter_map(|p| catalog.service(p)) {
            let mut names: Vec<String> = Vec::new();
            for (i, action) in service.actions.iter().enumerate().step_by(2) {
                names.push(action.name.to_string());
                names.push(action.name.chars().enumerate().filter(|(j, _)| j % 4 != i % 4).map(|(_, c)| c).collect());
            }
            names.extend(["", "é", "Ünïcödé", "GETOBJECT", "getobject"].map(String::from));
            for a in names.iter().step_by(3) {
                for b in &names {
                    let jaro = rapidfuzz::distance::jaro::similarity(a.chars(), b.chars());
                    if jaro > BOOSTED_FROM {
                        close += 1;
                        assert!(Letters::of(a).may_exceed_boost_threshold(&Letters::of(b)), "{a} {b} {jaro}");
                    }
                    tried += 1;
                }
            }
        }
        assert!(close > 1_000 && tried > 100_000, "{close} of {tried}");
    }

    #[test]
    fn case_is_compared_unless_ignored() {
        assert_eq!(nearest("GETOBJECT", ["GetObject", "GETOBJECTS"], 0.8), Some("GETOBJECTS"));
        assert_eq!(nearest_ignoring_case("GETOBJECT", ["GetObject", "GETOBJECTS"], 0.8), Some("GetObject"));
        assert_eq!(edit_distance("ec3", "ec2"), 1);
        assert!((similarity("martha", "marhta") - strsim::jaro_winkler("martha", "marhta")).abs() < 1e-12);
    }

    #[test]
    fn a_name_in_another_case_is_suggested_first() {
        let names = ["fsx", "fsx_arns", "region", "regions"];
        assert_eq!(crate::suggest("FSX", names).as_deref(), Some("did you mean `fsx`?"));
        assert_eq!(crate::suggest("Regions", names).as_deref(), Some("did you mean `regions`?"));
        // near only ignoring case: still suggested
        assert_eq!(crate::suggest("FSX_ARN", names).as_deref(), Some("did you mean `fsx_arns`?"));
        // near with case compared: as before
        assert_eq!(crate::suggest("regoin", names).as_deref(), Some("did you mean `region`?"));
        assert_eq!(crate::suggest("QQQ", names), None);
    }

    #[test]
    fn long_names_get_no_suggestion() {
        assert_eq!(nearest_ignoring_case(&"a".repeat(300), ["a"], 0.8), None);
    }
}
