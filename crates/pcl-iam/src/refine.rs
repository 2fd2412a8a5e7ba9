//! Refined param types, as CloudFormation's parameter constraints: an ARN
//! param restricted to one resource type of the catalog (`arn(iam:policy)`,
//! `arn(s3:bucket)`), a string param with a maximum length and a pattern
//! (`string(max 10, pattern "[a-z]+")`, the whole value must match, as
//! `AllowedPattern` does). Values are checked against them; placeholders are
//! not values and stay allowed.

use crate::catalog::catalog;
use crate::rules::{Problem, problem_owned};

/// One restriction of a param's type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Refinement {
    /// An ARN of this catalog resource type (`iam`, `policy`).
    ResourceType { service: String, resource: String },
    /// At most this many characters.
    MaxLength(usize),
    /// The whole value matches this regular expression.
    Pattern(String),
    /// `*` is accepted as well (every resource); it meets the others.
    AllowStar,
}

/// Patterns bigger than this once compiled are refused (user input).
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    /// Patterns compiled, by their text: a param's check compiles its
    /// pattern, and each value checked against it did again (building the
    /// regex was a third of an edit of `prefix`'s doc comment in
    /// `policies.pcl`). Shared through an `Arc`: a cloned `Regex` shares
    /// its program but makes a new pool of match caches, and the first
    /// match of each clone built its cache again (`Pool::get_slow`, about
    /// 60k instructions of each edit of `prefix`'s value).
    static COMPILED: crate::memo::Table<Result<std::sync::Arc<regex::Regex>, String>> = Default::default();
}

/// Compiled patterns a thread keeps (each up to `PATTERN_SIZE_LIMIT`): a
/// file has a few, but in the language server every prefix of a pattern
/// being typed is one.
const PATTERNS_KEPT: usize = 64;

/// The regular expression that matches a whole value against `pattern`,
/// compiled once per thread.
fn compile(pattern: &str) -> Result<std::sync::Arc<regex::Regex>, String> {
    crate::memo::remembered_within(&COMPILED, PATTERNS_KEPT, pattern, || compile_anew(pattern).map(std::sync::Arc::new))
}

fn compile_anew(pattern: &str) -> Result<regex::Regex, String> {
    let build = |p: &str| regex::RegexBuilder::new(p).size_limit(PATTERN_SIZE_LIMIT).build();
    let message = |e: regex::Error| {
        let last = e.to_string().lines().last().unwrap_or_default().trim().to_string();
        last.strip_prefix("error: ").map(str::to_string).unwrap_or(last)
    };
    // on its own first: `a)|(b` would otherwise escape the anchors below
    build(pattern).map_err(message)?;
    build(&format!("^(?:{pattern})$")).map_err(message)
}

/// Whether `service:resource` names a resource type of the catalog; the
/// nearest one when it does not.
pub fn check_resource_type(service: &str, resource: &str) -> Result<(), Problem> {
    let Some(s) = catalog().service(service) else {
        let help = crate::suggest(service, catalog().prefixes())
            .or(Some("write `service:resource-type`, e.g. `iam:policy`".into()));
        return Err(problem_owned(format!("unknown service prefix `{service}`"), help));
    };
    if s.resource_type(resource).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = s.resource_types.iter().map(|r| r.name).collect();
    let help = crate::suggest(resource, names.iter().copied())
        .or_else(|| Some(format!("{} has the resource types {}", s.name, names.join(", "))));
    Err(problem_owned(format!("{} has no resource type `{resource}`", s.name), help))
}

/// Whether `pattern` is a regular expression pcl can use.
pub fn check_pattern(pattern: &str) -> Result<(), Problem> {
    compile(pattern).map(|_| ()).map_err(|e| problem_owned(format!("invalid pattern: {e}"), None))
}

/// Whether `value` is `*` and the refinements accept it (`arn(..., "*")`):
/// then it needs no other check.
pub fn star_allowed(value: &str, refinements: &[Refinement]) -> bool {
    value == "*" && refinements.contains(&Refinement::AllowStar)
}

/// Whether `value` satisfies every refinement.
pub fn check_refined(value: &str, refinements: &[Refinement]) -> Result<(), Problem> {
    if star_allowed(value, refinements) {
        return Ok(());
    }
    for r in refinements {
        match r {
            Refinement::ResourceType { service, resource } => {
                let Some(rt) = catalog().service(service).and_then(|s| s.resource_type(resource)) else { continue };
                let formats: Vec<&str> = rt.arn_formats().collect();
                if !formats.iter().any(|f| crate::resource_may_match(value, f)) {
                    return Err(problem_owned(
                        format!("`{value}` is not the ARN of an `{service}:{resource}`"),
                        Some(format!("expected `{}`", formats.join("` or `"))),
                    ));
                }
            }
            Refinement::MaxLength(max) => {
                let length = value.chars().count();
                if length > *max {
                    return Err(problem_owned(
                        format!("`{value}` is {length} characters, more than the {max} allowed"),
                        Some(format!("give at most {max} character{}", if *max == 1 { "" } else { "s" })),
                    ));
                }
            }
            Refinement::AllowStar => {}
            Refinement::Pattern(pattern) => {
                let Ok(re) = compile(pattern) else { continue };
                if !re.is_match(value) {
                    return Err(problem_owned(
                        format!("`{value}` does not match the pattern `{pattern}`"),
                        Some(format!("give a value matching `{pattern}` (the whole value)")),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn refined_values() {
        let policy = [Refinement::ResourceType { service: "iam".into(), resource: "policy".into() }];
        assert!(check_refined("arn:aws:iam::123456789012:policy/boundary", &policy).is_ok());
        assert!(check_refined("arn:aws:iam::123456789012:role/boundary", &policy).is_err());
        assert!(check_refined("arn:aws:s3:::bucket", &policy).is_err());
        let bucket = [Refinement::ResourceType { service: "s3".into(), resource: "bucket".into() }];
        assert!(check_refined("arn:aws-cn:s3:::my-bucket", &bucket).is_ok());
        // an object's ARN is not a bucket's: bucket names hold no `/`
        assert!(check_refined("arn:aws:s3:::my-bucket/some/key", &bucket).is_err());
        assert!(check_refined("arn:aws:s3:::my-bucket/*", &bucket).is_err());
        let prefix = [Refinement::MaxLength(10), Refinement::Pattern("[a-zA-Z0-9-]*".into())];
        assert!(check_refined("pc-1", &prefix).is_ok());
        assert!(check_refined("pc 1", &prefix).is_err(), "the whole value must match");
        assert!(check_refined("abcdefghijk", &prefix).is_err());
        assert!(check_pattern("[a-z").is_err());
        assert!(check_pattern("[a-z]+)|(x").is_err(), "no escaping the anchors");
        assert!(check_pattern("(a|b)+").is_ok());
        assert!(check_resource_type("iam", "policy").is_ok());
        let e = check_resource_type("iam", "polcy").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `policy`?"));
        assert!(check_resource_type("iamm", "policy").is_err());
    }
}
