//! An ARN against the partition of the document it is in: its partition
//! and region fields, and the characters no ARN holds.

use crate::PARTITIONS;

/// An ARN with its partition left out (`arn:…:s3:::bucket`), so that a
/// finding about it is one finding whatever partition a document is for;
/// a DNS suffix that a check of every partition left to come as
/// [`DNS_SUFFIX_SHOWN`] (not the rendering's `${partition}.dns_suffix`);
/// other text as it is.
pub fn any_partition(text: &str) -> std::borrow::Cow<'_, str> {
    let text: std::borrow::Cow<'_, str> = match text.strip_prefix("arn:").and_then(|rest| rest.split_once(':')) {
        Some((_, rest)) => format!("arn:…:{rest}").into(),
        None => text.into(),
    };
    let symbolic = crate::trust_conditions::EVERY_DNS_SUFFIX;
    match text.contains(symbolic) {
        true => text.replace(symbolic, DNS_SUFFIX_SHOWN).into(),
        false => text,
    }
}

/// A DNS suffix still to come, in a finding's words: `${P.dns_suffix}` as
/// the source writes it once the partition param's name P is put in for
/// the stand-in mark (`STAND_IN_MARK`) by what knows the file's params. No
/// string holds the mark, so no text a string wrote is taken for it.
pub const DNS_SUFFIX_SHOWN: &str = "${\u{1}.dns_suffix}";

/// [`DNS_SUFFIX_SHOWN`] in `text` with the partition param `param` named.
pub fn dns_suffix_named(text: &str, param: &str) -> Option<String> {
    text.contains(DNS_SUFFIX_SHOWN).then(|| text.replace(DNS_SUFFIX_SHOWN, &format!("${{{param}.dns_suffix}}")))
}

/// The partition a document rendered for every partition at once is for:
/// its ARNs interpolate the partition (pcl renders `arn:${partition}:...`).
pub const EVERY_PARTITION: &str = "${partition}";

/// A document for every partition whose regions are not judged: one whose
/// guards may tie a region written out to the partition it is deployed in
/// (`when region == "us-east-1"`). Its partition fields are, as
/// [`EVERY_PARTITION`]'s.
pub const EVERY_PARTITION_REGIONS_ALLOWED: &str = "${partition}, its regions allowed";

/// Why an ARN in a document built for `partition` is wrong there: another
/// partition, a region of another partition, or whitespace or control
/// characters in it.
pub fn check_arn_in_partition(arn: &str, partition: &str) -> Option<String> {
    check_arn_in_partition_given(arn, partition, &[])
}

/// [`check_arn_in_partition`], where the regions `given` are not judged:
/// those a param's value brings, judged where it is given (a default
/// against the partition's default, a `--set` value against the partition
/// built), not at each use.
pub fn check_arn_in_partition_given(arn: &str, partition: &str, given: &[String]) -> Option<String> {
    // Messages name the ARN without its partition, so that one mistake is
    // one finding whatever partition the document is for.
    let shown = || any_partition(arn);
    if let Some(bad) = first_foreign_char(arn) {
        return Some(format!("the ARN `{}` holds {bad:?}, which no ARN holds", shown()));
    }
    let field = partition_field(arn)?;
    if PARTITIONS.contains(&field) && !partition.is_empty() && field != partition {
        return Some(format!("the ARN `{}` hard-codes partition `{field}`", shown()));
    }
    // a region of another partition written out (`arn:aws:ec2:us-gov-west-1:...`)
    // names nothing in the document's partition (found by review)
    let expected = if partition.is_empty() { field } else { partition };
    // the region first (the fourth field, the scan stops there): nearly
    // every ARN has none of another partition, and only then is the ARN
    // read whole, to be sure it has all six fields
    let region = crate::arn_split(arn).nth(crate::arn_match::REGION)?;
    let of = crate::partitions::region_partition(region)?;
    crate::arn_match::arn_fields(arn)?;
    if given.iter().any(|g| g == region) {
        return None;
    }
    // for every partition, a region written out is right in one of them
    if partition == EVERY_PARTITION {
        return Some(format!(
            "the ARN `{}` names region `{region}` of partition `{}`, but the document is for every \
             partition: in the others it names nothing",
            shown(),
            of.name
        ));
    }
    // (rendered for every partition at once, `arn:${partition}:...`, a
    // region may be a region param's default, judged at the default: E0203)
    (crate::partitions::partition(expected).is_some() && of.name != expected).then(|| {
        format!("the ARN `{}` names region `{region}` of partition `{}`, not of `{expected}`", shown(), of.name)
    })
}

/// The region an ARN names, when its fourth field is a region of some
/// partition (not `*`, a variable or a placeholder).
pub fn named_region(arn: &str) -> Option<&str> {
    if !arn.starts_with("arn:") {
        return None;
    }
    let region = crate::arn_split(arn).nth(crate::arn_match::REGION)?;
    crate::partitions::region_partition(region).map(|_| region)
}

/// The first whitespace or control character of `arn` outside its
/// `<PLACEHOLDER>`s (which may hold spaces). An ASCII ARN, the usual one, is
/// scanned byte by byte: there these are the bytes up to the space, and DEL.
fn first_foreign_char(arn: &str) -> Option<char> {
    if !arn.is_ascii() {
        return outside_placeholders(arn).find(|c| c.is_whitespace() || c.is_control());
    }
    // Nearly every ARN holds no such byte anywhere: one pass without early
    // exit, which the compiler vectorizes, says so (it was the costliest
    // function of an edit that adds a value to a valueset).
    if !arn.bytes().fold(false, |seen, b| seen | (b <= b' ') | (b == 0x7f)) {
        return None;
    }
    // Most such ARNs hold a placeholder (`<AWS ACCOUNT ID>`): only the bytes
    // that open or close one (or a variable) and the foreign ones are
    // stepped through; any other byte is outside exactly when the one
    // before it left the scan outside.
    let mut inside = Inside::default();
    for b in arn.bytes() {
        if !stepped(b) {
            inside.after_dollar = false;
            continue;
        }
        if !inside.step(char::from(b)) && (b <= b' ' || b == 0x7f) {
            return Some(char::from(b));
        }
    }
    None
}

/// The partition field of an ARN (its second), if `text` starts `arn:`.
pub fn partition_field(text: &str) -> Option<&str> {
    text.strip_prefix("arn:")?.split(':').next()
}

/// When `arns` name two partitions (each its second field, one of
/// `PARTITIONS`): the finding, naming the first two in order. One statement
/// of a document is deployed in one partition, and an ARN of another names
/// nothing there.
pub fn two_partitions<'a>(arns: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut first: Option<&str> = None;
    for arn in arns {
        let Some(field) = partition_field(arn) else { continue };
        if !PARTITIONS.contains(&field) {
            continue;
        }
        match first {
            None => first = Some(field),
            Some(seen) if seen != field => {
                return Some(format!(
                    "the statement's ARNs hard-code partitions `{seen}` and `{field}`: a document is deployed in one"
                ));
            }
            Some(_) => {}
        }
    }
    None
}

/// Whether `first_foreign_char` steps through the ASCII byte `b` (see there).
fn stepped(b: u8) -> bool {
    b <= b' ' || matches!(b, 0x7f | b'$' | b'{' | b'}' | b'<' | b'>')
}

/// The characters of `arn` outside its `<PLACEHOLDER>`s and its policy
/// variables, which may hold spaces (`${aws:PrincipalTag/team, 'all'}`,
/// a variable with a default, as AWS's own examples write it).
fn outside_placeholders(arn: &str) -> impl Iterator<Item = char> + '_ {
    let mut inside = Inside::default();
    arn.chars().filter(move |&c| !inside.step(c))
}

/// Whether each character read in turn is part of a `<PLACEHOLDER>` or a
/// `${...}` (its brackets included).
#[derive(Default)]
struct Inside {
    angles: usize,
    variable: bool,
    after_dollar: bool,
}

impl Inside {
    fn step(&mut self, c: char) -> bool {
        let after_dollar = std::mem::replace(&mut self.after_dollar, c == '$' && !self.variable);
        match c {
            '{' if after_dollar => {
                self.variable = true;
                true
            }
            '}' if self.variable => {
                self.variable = false;
                true
            }
            '<' if !self.variable => {
                self.angles += 1;
                true
            }
            '>' if !self.variable && self.angles > 0 => {
                self.angles -= 1;
                true
            }
            _ => self.variable || self.angles > 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suffix to come is shown with a mark no string holds, and named
    /// by the param only there (found by review: a string that wrote
    /// `${partition.dns_suffix}` out was renamed too).
    #[test]
    fn a_suffix_to_come_is_named_and_a_written_one_kept() {
        assert!(DNS_SUFFIX_SHOWN.contains(crate::STAND_IN_MARK));
        let shown = any_partition("arn:${partition}:s3:::b-${partition}.dns_suffix");
        assert_eq!(dns_suffix_named(&shown, "part").as_deref(), Some("arn:…:s3:::b-${part.dns_suffix}"));
        assert_eq!(dns_suffix_named(&any_partition("arn:aws:s3:::${partition.dns_suffix}"), "part"), None);
    }

    #[test]
    fn the_ascii_scan_finds_what_the_char_scan_finds() {
        let slow = |arn: &str| outside_placeholders(arn).find(|c| c.is_whitespace() || c.is_control());
        for arn in [
            "arn:aws:s3:::b",
            "arn:aws:s3:::my bucket",
            "arn:aws:iam::<AWS ACCOUNT ID>:role/x",
            "arn:aws:iam::<AWS ACCOUNT ID>:role/x y",
            "arn:aws:s3:::a\tb",
            "arn:aws:s3:::a\u{7f}",
            "arn:aws:s3:::>a b",
            "<<a b> c>",
            "a\u{1}",
            "",
        ] {
            assert_eq!(first_foreign_char(arn), slow(arn), "{arn:?}");
        }
        for byte in 0..=127u8 {
            let arn = format!("arn:aws:s3:::a{}b", char::from(byte));
            assert_eq!(first_foreign_char(&arn), slow(&arn), "{byte:#x}");
        }
        assert_eq!(first_foreign_char("arn:aws:s3:::é b"), Some(' '));
        // found by review: a policy variable's default, as AWS writes it
        for arn in ["arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}", "arn:aws:s3:::é-${aws:x, 'a b'}"] {
            assert_eq!(first_foreign_char(arn), None, "{arn:?}");
            assert_eq!(slow(arn), None, "{arn:?}");
        }
        // every short text over the bytes that open, close or are foreign
        let alphabet = ["$", "{", "}", "<", ">", " ", "a", "\t"];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            for arn in &last {
                assert_eq!(first_foreign_char(arn), slow(arn), "{arn:?}");
            }
        }
        assert_eq!(first_foreign_char("arn:aws:s3:::b ${x}"), Some(' '));
        assert_eq!(first_foreign_char("arn:aws:s3:::$ {x y}"), Some(' '));
    }

    #[test]
    fn arns_fit_the_partition() {
        assert!(check_arn_in_partition("arn:aws:iam::1:role/x", "aws-cn").is_some());
        let two = |arns: &[&str]| two_partitions(arns.iter().copied());
        assert!(two(&["arn:aws-cn:s3:::b/*", "arn:aws:s3:::c/*"]).is_some());
        assert!(two(&["arn:aws:s3:::b/*", "*", "arn:aws:s3:::c/*", "arn:*:s3:::d"]).is_none());
        assert!(two(&["arn:${partition}:s3:::b", "arn:aws:s3:::c"]).is_none());
        assert!(check_arn_in_partition("arn:aws-cn:iam::1:role/x", "aws-cn").is_none());
        assert!(check_arn_in_partition("arn:*:iam::1:role/x", "aws-cn").is_none());
        assert!(check_arn_in_partition("arn:aws:s3:::my bucket", "aws").is_some());
        assert!(check_arn_in_partition("arn:aws:iam::<AWS ACCOUNT ID>:role/x", "aws").is_none());
        // found by review: a region of another partition written out
        assert!(check_arn_in_partition("arn:aws:ec2:us-gov-west-1:1:instance/*", "aws").is_some());
        assert!(check_arn_in_partition("arn:aws:kms:cn-north-1:1:key/*", "").is_some());
        assert!(check_arn_in_partition("arn:aws-cn:kms:cn-north-1:1:key/*", "aws-cn").is_none());
        assert!(check_arn_in_partition("arn:aws:ec2:us-east-1:1:instance/*", "aws").is_none());
        // rendered for every partition: a region written out is of one
        let every = "arn:${partition}:kms:cn-north-1:1:key/*";
        assert!(check_arn_in_partition(every, EVERY_PARTITION).is_some_and(|m| m.contains("`aws-cn`")));
        assert!(check_arn_in_partition("arn:${partition}:kms:us-east-1:1:key/*", EVERY_PARTITION).is_some());
        assert!(check_arn_in_partition("arn:${partition}:kms:${region}:1:key/*", EVERY_PARTITION).is_none());
        assert!(check_arn_in_partition("arn:${partition}:kms:*:1:key/*", EVERY_PARTITION).is_none());
        assert!(check_arn_in_partition(every, EVERY_PARTITION_REGIONS_ALLOWED).is_none());
        assert!(check_arn_in_partition("arn:aws:kms:*:1:key/*", EVERY_PARTITION_REGIONS_ALLOWED).is_some());
        // a region a param's value brings is judged at the param's default
        let given = ["us-east-1".to_string()];
        assert!(check_arn_in_partition_given(every, EVERY_PARTITION, &given).is_some());
        assert!(
            check_arn_in_partition_given("arn:${partition}:kms:us-east-1:1:key/*", EVERY_PARTITION, &given).is_none()
        );
        assert!(check_arn_in_partition_given("arn:aws-cn:kms:us-east-1:1:key/*", "aws-cn", &given).is_none());
        assert!(check_arn_in_partition("arn:aws-cn:kms:us-east-1:1:key/*", "aws-cn").is_some());
        assert_eq!(named_region("arn:aws:kms:us-east-1:1:key/*"), Some("us-east-1"));
        assert_eq!(named_region("arn:aws:kms:*:1:key/*"), None);
        assert_eq!(named_region("us-east-1"), None);
        assert!(check_arn_in_partition("arn:aws:ec2:*:1:instance/*", "aws").is_none());
        assert!(check_arn_in_partition("arn:${partition}:ec2:us-gov-west-1:1:instance/*", "${partition}").is_some());
        assert!(check_arn_in_partition("arn:${partition}:ec2:${region}:1:instance/*", "${partition}").is_none());
    }
}
