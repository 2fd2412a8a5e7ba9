//! Questions the checks ask of the catalog, answered with a `Problem` that
//! names what is wrong and the nearest known name.

use super::catalog;
use crate::Problem;

/// Why an action is not one AWS defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownAction {
    /// No service has this prefix.
    Service,
    /// The service has no action of this name.
    Action,
    /// A pattern with `*` or `?` that matches none of the service's actions.
    NoMatch,
}

/// Checks a syntactically valid action (`*` or `service:Name`) against the
/// catalog. IAM compares prefixes and names case-insensitively. Actions
/// found are remembered per thread: a file names the same actions in many
/// statements, and an edit inside a `with condition` block checks every
/// action of the block again (a binary search of the service's actions,
/// case ignored, each).
pub fn check_known_action(action: &str) -> Result<(), (UnknownAction, Problem)> {
    thread_local! {
        static FOUND: crate::memo::Table<()> = std::cell::RefCell::default();
    }
    if FOUND.with(|found| found.borrow().contains_key(action)) {
        return Ok(());
    }
    // checked once; only a known action is remembered (a problem is made
    // again each time it is asked for: rare, and its suggestion is costly
    // to keep)
    let checked = check_known_action_uncached(action);
    if checked.is_ok() {
        crate::memo::remembered(&FOUND, action, || ());
    }
    checked
}

fn check_known_action_uncached(action: &str) -> Result<(), (UnknownAction, Problem)> {
    if action == "*" {
        return Ok(());
    }
    let Some((prefix, name)) = action.split_once(':') else { return Ok(()) };
    let catalog = catalog();
    let Some(service) = catalog.service(prefix) else {
        return Err((UnknownAction::Service, unknown_service(prefix, name)));
    };
    if name.contains(['*', '?']) {
        if service.matching(name).next().is_none() {
            let help = nearest_pattern(service, name).map(|p| format!("did you mean `{prefix}:{p}`?")).or_else(|| {
                // some action starts with the words before the wildcard
                let starts_right = name
                    .find(['*', '?'])
                    .and_then(|cut| name.get(..cut))
                    .is_some_and(|literal| service.matching(&format!("{literal}*")).next().is_some());
                Some(if starts_right {
                    "actions start this way: check the words after the wildcard".into()
                } else {
                    "check the spelling of the words before the wildcard".into()
                })
            });
            return Err((
                UnknownAction::NoMatch,
                crate::rules::problem_owned(format!("`{action}` matches no action of {}", service.name), help),
            ));
        }
        return Ok(());
    }
    if service.action(name).is_some() {
        return Ok(());
    }
    let nearest = nearest_action(service, name).map(|n| format!("did you mean `{prefix}:{n}`?"));
    Err((
        UnknownAction::Action,
        crate::rules::problem_owned(format!("{} has no action `{name}`", service.name), nearest),
    ))
}

/// The service's action nearest to `name` by Jaro-Winkler similarity, case ignored.
fn nearest_action(service: &super::Service, name: &str) -> Option<&'static str> {
    crate::near::nearest_ignoring_case_counted(name, service.actions_with_letters(), 0.8)
}

/// The nearest prefix (an edit distance of at most 2) whose service has an
/// action that `name` matches, before any nearer one whose service has
/// none (`e2c:RunInstances` -> `ec2`, not `a2c`: App2Container has no
/// `RunInstances`, and the fix would make one error another); among those,
/// the nearest (`ec3:DescribeInstances` -> `ec2`, not `ecs`).
fn unknown_service(prefix: &str, name: &str) -> Problem {
    let catalog = catalog();
    let lower = prefix.to_ascii_lowercase();
    let defines = |candidate: &str| {
        catalog.service(candidate).is_some_and(|s| {
            if name.contains(['*', '?']) { s.matching(name).next().is_some() } else { s.action(name).is_some() }
        })
    };
    let best = catalog
        .prefixes()
        // a distance of at most 2 needs lengths at most 2 apart: only those are compared
        .filter(|p| p.len().abs_diff(lower.len()) <= 2)
        .map(|p| (crate::near::edit_distance(&lower, p), p))
        .filter(|(distance, p)| *distance <= 2 && *distance < p.len().max(2))
        .min_by_key(|(distance, p)| (!defines(p), *distance, *p));
    let help = best.map(|(_, p)| format!("did you mean `{p}`?"));
    crate::rules::problem_owned(format!("unknown service prefix `{prefix}`"), help)
}

/// For a pattern that matches nothing (`Descibe*`), the nearest pattern that
/// matches something: its literal start replaced by the nearest start of an
/// action name (`Describe*`).
fn nearest_pattern(service: &super::Service, pattern: &str) -> Option<String> {
    let cut = pattern.find(['*', '?'])?;
    let (literal, rest) = pattern.split_at(cut);
    if literal.is_empty() || literal.len() > crate::LONGEST_SUGGESTED_NAME {
        return None;
    }
    let lower = literal.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for action in &service.actions {
        for len in literal.len().saturating_sub(1)..=literal.len() + 1 {
            let Some(start) = action.name.get(..len) else { continue };
            let start_lower = start.to_ascii_lowercase();
            // the literal start itself matches: what follows the wildcard
            // does not, and suggesting the same pattern would fix nothing
            if start_lower == lower {
                continue;
            }
            let score = crate::near::similarity(&lower, &start_lower);
            if score > 0.85 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, start));
            }
        }
    }
    // only a pattern that matches something is worth suggesting
    best.map(|(_, start)| format!("{start}{rest}")).filter(|p| service.matching(p).next().is_some())
}
