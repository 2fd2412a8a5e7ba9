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
    if name.len() > crate::LONGEST_SUGGESTED_NAME {
        return None;
    }
    let comparator = jaro_winkler::BatchComparator::new(name.chars().map(fold));
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
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
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    #[test]
    fn case_is_compared_unless_ignored() {
        assert_eq!(nearest("GETOBJECT", ["GetObject", "GETOBJECTS"], 0.8), Some("GETOBJECTS"));
        assert_eq!(nearest_ignoring_case("GETOBJECT", ["GetObject", "GETOBJECTS"], 0.8), Some("GetObject"));
        assert_eq!(edit_distance("ec3", "ec2"), 1);
        assert!((similarity("martha", "marhta") - strsim::jaro_winkler("martha", "marhta")).abs() < 1e-12);
    }

    #[test]
    fn long_names_get_no_suggestion() {
        assert_eq!(nearest_ignoring_case(&"a".repeat(300), ["a"], 0.8), None);
    }
}
