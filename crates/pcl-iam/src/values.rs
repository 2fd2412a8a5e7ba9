//! What a condition value must look like for its operator, what type a key
//! holds, and whether an ARN belongs to the build's partition.

use crate::PARTITIONS;

/// The family of a condition operator, without `IfExists` and set prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorFamily {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// `ForAllValues:StringLikeIfExists` -> (`String`, set operator: true).
pub fn operator_family(op: &str) -> Option<(OperatorFamily, bool)> {
    let set = op.starts_with("ForAllValues:") || op.starts_with("ForAnyValue:");
    let base = op.strip_prefix("ForAllValues:").or_else(|| op.strip_prefix("ForAnyValue:")).unwrap_or(op);
    let base = base.strip_suffix("IfExists").unwrap_or(base);
    let family = if base.starts_with("String") {
        OperatorFamily::String
    } else if base.starts_with("Numeric") {
        OperatorFamily::Numeric
    } else if base.starts_with("Date") {
        OperatorFamily::Date
    } else if base == "Bool" {
        OperatorFamily::Bool
    } else if base == "BinaryEquals" {
        OperatorFamily::Binary
    } else if base.ends_with("IpAddress") {
        OperatorFamily::Ip
    } else if base.starts_with("Arn") {
        OperatorFamily::Arn
    } else if base == "Null" {
        OperatorFamily::Null
    } else {
        return None;
    };
    Some((family, set))
}

/// Why `value` cannot be a value of an operator of `family`; `None` when it
/// can (or cannot be judged: a placeholder, an interpolation, a policy
/// variable such as `${aws:username}`).
pub fn check_condition_value(family: OperatorFamily, value: &str) -> Option<String> {
    if value.contains('<') || value.contains("${") {
        return None;
    }
    let ok = match family {
        OperatorFamily::String | OperatorFamily::Binary => true,
        OperatorFamily::Numeric => is_number(value),
        OperatorFamily::Date => is_date(value),
        OperatorFamily::Bool | OperatorFamily::Null => matches!(value, "true" | "false"),
        OperatorFamily::Ip => is_cidr(value),
        OperatorFamily::Arn => value == "*" || value.starts_with("arn:") && value.splitn(6, ':').count() == 6,
    };
    if ok {
        return None;
    }
    Some(match family {
        OperatorFamily::Numeric => format!("`{value}` is not a number"),
        OperatorFamily::Date => {
            format!("`{value}` is not a date (ISO 8601, e.g. `2026-12-01T00:00:00Z`, or epoch seconds)")
        }
        OperatorFamily::Bool | OperatorFamily::Null => format!("`{value}` is not `true` or `false`"),
        OperatorFamily::Ip => format!("`{value}` is not an IP address or CIDR block (e.g. `203.0.113.0/24`)"),
        OperatorFamily::Arn => format!("`{value}` is not an ARN"),
        OperatorFamily::String | OperatorFamily::Binary => String::new(),
    })
}

/// A value of a region key (`aws:RequestedRegion`, `ec2:Region`) compared
/// as a whole string (`StringEquals`, `StringNotEquals`, their `IgnoreCase`,
/// `IfExists` and set forms) that has no region's shape (`us-east1`): it
/// equals no request's region, and a `Deny` unless it would deny every
/// region. A value to come (a placeholder, a policy variable) is not judged.
pub fn not_a_region<'v>(operator: &str, key: &str, values: &'v [String]) -> Option<&'v str> {
    let key = key.to_ascii_lowercase();
    if key != "aws:requestedregion" && !key.ends_with(":region") {
        return None;
    }
    let operator = operator.to_ascii_lowercase();
    let operator = operator.rsplit(':').next().unwrap_or_default();
    let operator = operator.strip_suffix("ifexists").unwrap_or(operator);
    let whole =
        matches!(operator, "stringequals" | "stringnotequals" | "stringequalsignorecase" | "stringnotequalsignorecase");
    let to_come = |v: &str| v.contains('<') || v.contains("${") || v.contains(crate::STAND_IN_MARK);
    let region = |v: &str| crate::partitions::region_partition(&v.to_ascii_lowercase()).is_some();
    values.iter().map(String::as_str).find(|v| whole && !to_come(v) && !region(v))
}

/// A number as IAM reads one: decimal digits, a sign, a point, an
/// exponent; not Rust's `NaN` or `inf`, which `f64` parses too.
fn is_number(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && v.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A date as IAM reads one: epoch seconds, or ISO 8601
/// (`YYYY-MM-DD`, then perhaps `Thh:mm`, `:ss`, a fraction, and `Z` or an
/// offset `±hh:mm`), with a real month, day and time.
fn is_date(v: &str) -> bool {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) {
        return true; // epoch seconds
    }
    let number = |s: Option<&str>, max: u32| {
        s.filter(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok())
            .filter(|n| *n <= max)
    };
    let (date, time) = v.split_once('T').map_or((v, None), |(d, t)| (d, Some(t)));
    let mut ymd = date.split('-');
    let (Some(year), month, day, None) = (ymd.next(), ymd.next(), ymd.next(), ymd.next()) else { return false };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (Some(month), Some(day)) = (number(month, 12), number(day, 31)) else { return false };
    if month == 0 || day == 0 || day > days_in_month(year, month) {
        return false;
    }
    let Some(time) = time else { return true };
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(at) => (time.get(..at).unwrap_or_default(), time.get(at..).unwrap_or_default()),
        None => (time, ""),
    };
    let zone_ok = match zone.strip_prefix(['+', '-']) {
        _ if zone.is_empty() || zone == "Z" => true,
        Some(offset) => {
            let (h, m) = offset.split_once(':').map_or((Some(offset), None), |(h, m)| (Some(h), Some(m)));
            number(h, 23).is_some() && m.is_none_or(|m| number(Some(m), 59).is_some())
        }
        None => false,
    };
    let (clock, fraction) = clock.split_once('.').map_or((clock, None), |(c, f)| (c, Some(f)));
    let mut hms = clock.split(':');
    let (hour, minute, second, None) = (hms.next(), hms.next(), hms.next(), hms.next()) else { return false };
    zone_ok
        && number(hour, 23).is_some()
        && number(minute, 59).is_some()
        && second.is_none_or(|s| number(Some(s), 60).is_some())
        && fraction.is_none_or(|f| second.is_some() && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The days of `month` (1-12) of `year` (four digits), in the Gregorian
/// calendar: `2024-02-30` names no day (found by review).
fn days_in_month(year: &str, month: u32) -> u32 {
    let year: u32 = year.parse().unwrap_or(0);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_cidr(v: &str) -> bool {
    let (addr, bits) = match v.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (v, None),
    };
    let (is_v4, max) = if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        (true, 32)
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        (false, 128)
    } else {
        return false;
    };
    let _ = is_v4;
    bits.is_none_or(|b| b.parse::<u32>().is_ok_and(|n| n <= max))
}

/// Whether a key of catalog type `ty` (`String`, `ARN`, `Numeric`, `Date`,
/// `Bool`, `IPAddress`, `ArrayOfString`, ...) may be compared by `family`.
/// String operators work on ARN keys too, as IAM allows.
pub fn operator_fits_key(family: OperatorFamily, ty: &str) -> bool {
    // a key of two types (`Date, Numeric`) is compared by either's operators
    ty.split(", ").any(|one| operator_fits_type(family, one))
}

fn operator_fits_type(family: OperatorFamily, ty: &str) -> bool {
    let ty = ty.strip_prefix("ArrayOf").unwrap_or(ty).to_ascii_lowercase();
    match family {
        OperatorFamily::Null => true,
        OperatorFamily::String => matches!(ty.as_str(), "string" | "arn"),
        OperatorFamily::Arn => ty == "arn",
        OperatorFamily::Numeric => matches!(ty.as_str(), "numeric" | "long" | "integer"),
        OperatorFamily::Date => ty == "date",
        OperatorFamily::Bool => matches!(ty.as_str(), "bool" | "boolean"),
        OperatorFamily::Ip => ty == "ipaddress",
        OperatorFamily::Binary => ty == "binary",
    }
}

/// Why an ARN in a document built for `partition` is wrong there: another
/// partition, or whitespace or control characters in it.
/// An ARN with its partition left out (`arn:…:s3:::bucket`), so that a
/// finding about it is one finding whatever partition a document is for;
/// other text as it is.
pub fn any_partition(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix("arn:").and_then(|rest| rest.split_once(':')) {
        Some((_, rest)) => format!("arn:…:{rest}").into(),
        None => text.into(),
    }
}

/// The partition a document rendered for every partition at once is for:
/// its ARNs interpolate the partition (pcl renders `arn:${partition}:...`).
pub const EVERY_PARTITION: &str = "${partition}";

pub fn check_arn_in_partition(arn: &str, partition: &str) -> Option<String> {
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
    // rendered for every partition, a region written out is of one of them
    // (a region param's default is `${region}` there, judged at the default)
    if partition == EVERY_PARTITION {
        return Some(format!(
            "the ARN `{}` names region `{region}` of partition `{}`, but is for every partition \
             (`${{partition}}`): in the others it names nothing",
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
fn partition_field(text: &str) -> Option<&str> {
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
    fn values_fit_operators() {
        let fam = |op: &str| operator_family(op).map(|(f, _)| f).unwrap_or(OperatorFamily::String);
        assert_eq!(fam("ForAnyValue:StringLikeIfExists"), OperatorFamily::String);
        assert!(check_condition_value(fam("Bool"), "true").is_none());
        assert!(check_condition_value(fam("Bool"), "yes").is_some());
        assert!(check_condition_value(fam("NumericLessThan"), "3600").is_none());
        assert!(check_condition_value(fam("NumericLessThan"), "an hour").is_some());
        assert!(check_condition_value(fam("DateGreaterThan"), "2026-12-01T00:00:00Z").is_none());
        assert!(check_condition_value(fam("DateGreaterThan"), "tomorrow").is_some());
        // found by review: `f64` reads these, IAM does not; nor a 13th month
        for not_numbers in ["NaN", "inf", "infinity", "-inf", "1e999", "", "."] {
            assert!(check_condition_value(fam("NumericLessThan"), not_numbers).is_some(), "{not_numbers}");
        }
        for numbers in ["0", "-1", "3.5", "1e3", "+2"] {
            assert!(check_condition_value(fam("NumericEquals"), numbers).is_none(), "{numbers}");
        }
        for dates in [
            "2026-12-01",
            "2026-12-01T10:00Z",
            "2026-12-01T10:00:59.123Z",
            "2026-12-01T23:59:60+05:30",
            "2026-12-01T00:00:00-08:00",
            "1767225600",
            "2024-02-29",
            "2000-02-29",
            "2026-04-30",
        ] {
            assert!(check_condition_value(fam("DateLessThan"), dates).is_none(), "{dates}");
        }
        for not_dates in [
            "2026-13-45T99:99:99Z",
            "2026-12-01Tnoon",
            "2026-00-01",
            "2026-12-32",
            "2026-12-01T24:00Z",
            "2026-12-01T10:00:00.Z",
            "2026-12-01T10:00+25:00",
            "2026-12-01-01",
            "2024-02-30T00:00:00Z",
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
        ] {
            assert!(check_condition_value(fam("DateLessThan"), not_dates).is_some(), "{not_dates}");
        }
        assert!(check_condition_value(fam("IpAddress"), "203.0.113.0/24").is_none());
        assert!(check_condition_value(fam("IpAddress"), "203.0.113.0/33").is_some());
        assert!(check_condition_value(fam("IpAddress"), "2001:db8::/32").is_none());
        assert!(check_condition_value(fam("ArnLike"), "arn:aws:iam::123456789012:role/*").is_none());
        assert!(check_condition_value(fam("ArnLike"), "role/*").is_some());
        assert!(check_condition_value(fam("ArnLike"), "<permissions-boundary-arn>").is_none());
        assert!(operator_fits_key(OperatorFamily::String, "ARN"));
        assert!(!operator_fits_key(OperatorFamily::Numeric, "String"));
        assert!(operator_fits_key(OperatorFamily::String, "ArrayOfString"));
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
        assert!(check_arn_in_partition("arn:aws:ec2:*:1:instance/*", "aws").is_none());
        assert!(check_arn_in_partition("arn:${partition}:ec2:us-gov-west-1:1:instance/*", "${partition}").is_some());
        assert!(check_arn_in_partition("arn:${partition}:ec2:${region}:1:instance/*", "${partition}").is_none());
    }
}
