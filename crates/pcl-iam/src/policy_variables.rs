//! IAM policy variables (`${aws:username}`) in a resource or condition
//! value, against the catalog's keys.

/// The names of the policy variables in `text` (`${aws:username}`) that no
/// key IAM knows names: IAM never replaces them. `${*}`, `${?}` and `${$}`
/// are IAM's escapes; a default after a comma (`${aws:PrincipalTag/team,
/// 'none'}`) is not part of the name.
pub fn unknown_policy_variables(text: &str) -> impl Iterator<Item = &str> {
    let catalog = crate::catalog::catalog();
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let at = rest.find("${")?;
            let after = rest.get(at + 2..).unwrap_or_default();
            let end = after.find('}')?;
            rest = after.get(end + 1..).unwrap_or_default();
            let inside = after.get(..end).unwrap_or_default();
            let name = inside.split(',').next().unwrap_or_default().trim();
            if !(name.is_empty() || matches!(name, "*" | "?" | "$") || catalog.is_known_key(name)) {
                return Some(name);
            }
        }
    })
}
