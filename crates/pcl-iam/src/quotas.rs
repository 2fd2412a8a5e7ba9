//! IAM's quotas that a rendered document can exceed
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>).
//! Policy sizes count characters other than whitespace.

/// A customer managed policy document.
pub const MANAGED_POLICY_CHARS: usize = 6_144;
/// All inline policies of one role together.
pub const ROLE_INLINE_CHARS: usize = 10_240;
/// A role's trust policy (the default; AWS may raise it to 4,096).
pub const TRUST_POLICY_CHARS: usize = 2_048;
/// Managed policies attached to one role (the default; up to 20 on request).
pub const MANAGED_POLICIES_PER_ROLE: usize = 10;
/// Name lengths.
pub const ROLE_NAME_CHARS: usize = 64;
pub const POLICY_NAME_CHARS: usize = 128;
pub const PATH_CHARS: usize = 512;
/// A role's or a managed policy's description.
pub const DESCRIPTION_CHARS: usize = 1_000;

/// The size IAM counts: characters other than whitespace.
pub fn policy_size(json: &str) -> usize {
    if json.is_ascii() {
        // one byte a character, and these are the ASCII whitespace characters
        // (a byte count the compiler vectorizes; documents are nearly always ASCII)
        return json.bytes().filter(|b| !matches!(b, b'\t'..=b'\r' | b' ')).count();
    }
    json.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_count_is_the_char_count() {
        let slow = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [every_ascii.as_str(), "", " \t\n\u{b}\u{c}\r x", "{\n  \"a\": [\"b c\"]\n}\n", "é \u{a0}x\u{2028}"]
        {
            assert_eq!(policy_size(text), slow(text), "{text:?}");
        }
        assert_eq!(policy_size(&every_ascii), 128 - 6);
    }
}
