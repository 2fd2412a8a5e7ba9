//! Condition keys (and policy variables) that no service page of the
//! Service Authorization Reference lists, because an identity provider sets
//! them: SAML (`saml:sub`, `saml:aud`, ...), web identity and OIDC providers,
//! named by their host (`cognito-identity.amazonaws.com:sub`,
//! `www.amazon.com:user_id`, `token.actions.githubusercontent.com:sub`), and
//! AWS Transfer Family's session policy variables. AWS documents them in the
//! IAM and STS guides ("Available keys for SAML-based federation", "for
//! OIDC federation"). The claims an OIDC provider sends are the provider's,
//! so any key of a host is taken as known: a missed warning, never a false
//! one.

/// The keys AWS Transfer Family replaces in a session policy.
const TRANSFER_VARIABLES: &[&str] =
    &["transfer:HomeBucket", "transfer:HomeDirectory", "transfer:HomeFolder", "transfer:UserName"];

/// Whether an identity provider sets `key` (case-insensitively, as IAM
/// compares key names).
pub fn is_identity_provider_key(key: &str) -> bool {
    let Some((prefix, claim)) = key.split_once(':') else { return false };
    if claim.is_empty() {
        return false;
    }
    // a host, never a service prefix (those hold no `.`)
    let host = prefix.contains('.') && !prefix.starts_with('.') && !prefix.ends_with('.');
    host || prefix.eq_ignore_ascii_case("saml") || TRANSFER_VARIABLES.iter().any(|v| v.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::is_identity_provider_key;

    #[test]
    fn provider_keys_are_known_and_service_keys_are_not_among_them() {
        for key in [
            "cognito-identity.amazonaws.com:sub",
            "cognito-identity.amazonaws.com:amr",
            "www.amazon.com:user_id",
            "graph.facebook.com:id",
            "accounts.google.com:sub",
            "token.actions.githubusercontent.com:sub",
            "saml:sub",
            "saml:namequalifier",
            "transfer:HomeDirectory",
        ] {
            assert!(is_identity_provider_key(key), "{key}");
        }
        for key in ["s3:prefix", "aws:username", "transfer:HomeDir", "saml", "saml:", ".com:sub", "x"] {
            assert!(!is_identity_provider_key(key), "{key}");
        }
    }
}
