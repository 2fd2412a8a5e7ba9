//! Whether a resource written in a policy can match a resource type of the
//! catalog: the ARN is compared field by field with the type's ARN format
//! (`arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`). In the
//! policy, `*` and `?` are IAM's wildcards and a `<PLACEHOLDER>` stands for
//! any text; in the format, a `${Variable}` stands for any text, without `/`
//! when a `/` follows it (`${BucketName}/${ObjectName}`): names such as log
//! groups, role paths and ECR repositories hold `/`. A `${BucketName}` never
//! does, wherever it stands: S3 bucket names (and those of S3 on Outposts,
//! S3 Express and S3 Vectors, the catalog's other `${BucketName}`s) are
//! letters, digits, `.` and `-`, so `arn:aws:s3:::b/*` names objects, never
//! the bucket `s3:ListBucket` acts on. "Can match" means some ARN matches
//! both: when in doubt, it can (a missed warning, never a false one).

/// One element of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Atom {
    Lit(u8),
    /// `?`: one character.
    One,
    /// `*`: any characters.
    Any,
    /// A format variable: one or more characters without `/`.
    Segment,
    /// A format variable that may be empty: any characters without `/`.
    MaybeSegment,
}

/// Buffers that `field_may_match` reuses from call to call (per thread): a
/// large file compares thousands of ARN fields, and allocating them for each
/// was most of the cost of a comparison.
#[derive(Default)]
struct Scratch {
    policy: Vec<Atom>,
    format: Vec<Atom>,
    /// One bit per pair of positions (a byte each took 20 MB for a 1 MB
    /// resource against a format of 20 atoms).
    seen: Vec<u64>,
    todo: Vec<(usize, usize)>,
}

/// `text` as atoms, into `out` (cleared first).
fn policy_pattern(text: &str, out: &mut Vec<Atom>) {
    out.clear();
    let bytes = text.as_bytes();
    // where the next `>` and `}` are, each found by a search forward that
    // starts past the last one found: linear, and no table beside the text
    // (one of 32 bytes a byte took 32 MB for a 1 MB resource)
    let mut angle = NextByte::new(b'>');
    let mut brace = NextByte::new(b'}');
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'*' => out.push(Atom::Any),
            b'?' => out.push(Atom::One),
            // a placeholder names one thing (`<AWS ACCOUNT ID>`, `<S3 NAME>`): no `/`
            b'<' if let Some(close) = angle.after(bytes, i) => {
                out.push(Atom::Segment);
                i = close;
            }
            // `${param}` left in a pattern: anything
            b'$' if bytes.get(i + 1) == Some(&b'{')
                && let Some(close) = brace.after(bytes, i) =>
            {
                out.push(Atom::Any);
                i = close;
            }
            _ => out.push(Atom::Lit(b)),
        }
        i += 1;
    }
}

/// The next place of one byte at or after a position, for positions asked
/// in increasing order.
struct NextByte {
    byte: u8,
    /// The last answer: `Some(Some(at))` found at `at`, `Some(None)` none
    /// left in the text, `None` not searched yet.
    found: Option<Option<usize>>,
}

impl NextByte {
    fn new(byte: u8) -> Self {
        NextByte { byte, found: None }
    }

    fn after(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        match self.found {
            Some(Some(at)) if at >= from => return Some(at),
            Some(None) => return None,
            _ => {}
        }
        let at = bytes.get(from..).and_then(|rest| rest.iter().position(|&b| b == self.byte)).map(|p| from + p);
        self.found = Some(at);
        at
    }
}

/// A catalog format's field as atoms, into `out` (cleared first).
fn format_pattern(text: &str, out: &mut Vec<Atom>) {
    // catalog formats are short and trusted, but kept linear all the same
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut closes = bytes.iter().enumerate().filter(|(_, b)| **b == b'}').map(|(j, _)| j).peekable();
    while let Some(&b) = bytes.get(i) {
        if b == b'$' && bytes.get(i + 1) == Some(&b'{') {
            while closes.next_if(|&j| j < i).is_some() {}
            if let Some(&close) = closes.peek() {
                let variable = bytes.get(i..=close);
                if variable == Some(SECRET_ID) && close + 1 == bytes.len() {
                    // a name of one character or more, then `-` and six
                    out.extend([Atom::One, Atom::Any, Atom::Lit(b'-')]);
                    out.extend([Atom::One; 6]);
                    i = close + 1;
                    continue;
                }
                let segment = bytes.get(close + 1) == Some(&b'/') || variable == Some(BUCKET_NAME);
                match (segment, variable == Some(PACKAGE_NAMESPACE)) {
                    (true, true) => out.push(Atom::MaybeSegment),
                    (true, false) => out.push(Atom::Segment),
                    (false, true) => out.push(Atom::Any),
                    // `parameter/${ParameterNameWithoutLeadingSlash}`: a path
                    // whose first character is not `/` (`parameter//p` names
                    // no parameter)
                    (false, false) if variable == Some(WITHOUT_LEADING_SLASH) => {
                        out.extend([Atom::Segment, Atom::Any]);
                    }
                    // a name, of one character or more (`webacl/n/` names
                    // no web ACL; found by review), which may hold `/`
                    (false, false) => out.extend([Atom::One, Atom::Any]),
                }
                i = close + 1;
                continue;
            }
        }
        // a `*` in a format (`backup:${Region}:*:recovery-point:...`) is any text
        out.push(if b == b'*' { Atom::Any } else { Atom::Lit(b) });
        i += 1;
    }
}

/// The format variable of an SSM parameter's name after `parameter/`.
const WITHOUT_LEADING_SLASH: &[u8] = b"${ParameterNameWithoutLeadingSlash}";

/// The format variable of an S3 bucket's name, which never holds a `/`.
const BUCKET_NAME: &[u8] = b"${BucketName}";

/// The format variable of a Secrets Manager secret, whose ARN ends in the
/// secret's name, `-` and six random characters: `secret:db-password`
/// names no secret, `secret:db-password-??????` does.
const SECRET_ID: &[u8] = b"${SecretId}";

/// What a finding adds to a format the resources cannot match, when the
/// format holds more than its text shows.
pub fn format_note(arn_format: &str) -> Option<&'static str> {
    arn_format.as_bytes().ends_with(SECRET_ID).then_some(
        "Secrets Manager ends each secret's ARN with `-` and six random characters: end the name with `-??????`",
    )
}

/// The format variable of a CodeArtifact package's namespace, empty for the
/// formats that have none (npm's unscoped packages: `npm//my-package`).
const PACKAGE_NAMESPACE: &[u8] = b"${PackageNamespace}";

/// Whether some character can be matched by both atoms (each consuming one).
fn overlap(a: Atom, b: Atom) -> bool {
    match (a, b) {
        (Atom::Lit(x), Atom::Lit(y)) => x.eq_ignore_ascii_case(&y),
        (Atom::Lit(b'/'), Atom::Segment | Atom::MaybeSegment)
        | (Atom::Segment | Atom::MaybeSegment, Atom::Lit(b'/')) => false,
        _ => true,
    }
}

fn repeats(a: Atom) -> bool {
    matches!(a, Atom::Any | Atom::Segment | Atom::MaybeSegment)
}

/// Whether an atom may match no character at all.
fn may_be_empty(a: Option<Atom>) -> bool {
    matches!(a, Some(Atom::Any | Atom::MaybeSegment))
}

/// Whether some string matches both patterns: a search over pairs of
/// positions (at most `|a| × |b|` states), without recursion. A state is
/// marked when first pushed, so each is on the stack at most once (pushed
/// again and again, a 1 MB resource's stack held 64 MB).
fn intersect(a: &[Atom], b: &[Atom], seen: &mut Vec<u64>, todo: &mut Vec<(usize, usize)>) -> bool {
    let width = b.len() + 1;
    seen.clear();
    seen.resize(((a.len() + 1) * width).div_ceil(64), 0);
    todo.clear();
    let mut push = |todo: &mut Vec<(usize, usize)>, i: usize, j: usize| {
        let at = i * width + j;
        if i <= a.len()
            && let Some(word) = seen.get_mut(at / 64)
        {
            let bit = 1u64 << (at % 64);
            if *word & bit == 0 {
                *word |= bit;
                todo.push((i, j));
            }
        }
    };
    push(todo, 0, 0);
    while let Some((i, j)) = todo.pop() {
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x.is_none() && y.is_none() {
            return true;
        }
        // `Any` and `MaybeSegment` may match nothing (a `Segment` needs one
        // character)
        if may_be_empty(x) {
            push(todo, i + 1, j);
        }
        if may_be_empty(y) {
            push(todo, i, j + 1);
        }
        if let (Some(x), Some(y)) = (x, y)
            && overlap(x, y)
        {
            // both consume one character; a repeating atom may stay
            let next_i = if repeats(x) { [i, i + 1] } else { [i + 1, i + 1] };
            let next_j = if repeats(y) { [j, j + 1] } else { [j + 1, j + 1] };
            for ni in next_i {
                for nj in next_j {
                    push(todo, ni, nj);
                }
            }
        }
    }
    false
}

/// Whether the policy's `resource` can match an ARN of the given format
/// (remembered per thread: a file names the same resources and types many
/// times over its statements and configurations).
pub fn resource_may_match(resource: &str, arn_format: &'static str) -> bool {
    thread_local! {
        /// Answers by format (its place in the catalog: cheaper to hash
        /// than its text), then resource.
        static SEEN: crate::memo::PairTable<(usize, usize), bool> = std::cell::RefCell::default();
    }
    let format_at = (arn_format.as_ptr() as usize, arn_format.len());
    crate::memo::remembered_pair(&SEEN, format_at, resource, || may_match(resource, arn_format))
}

fn may_match(resource: &str, arn_format: &str) -> bool {
    if resource == "*" || arn_format == "*" {
        return true;
    }
    let (Some(policy), Some(format)) = (arn_fields(resource), arn_fields(arn_format)) else {
        // not an ARN we can read field by field: assume it can
        return true;
    };
    // a `*` in the first five fields never spans a `:`: they are split
    (0..6).all(|i| field_at_may_match(i, &policy, &format))
}

/// Field `i` of two ARNs' fields: `field_may_match`, but for an empty
/// account where the format names one, which AWS-owned resources have
/// (`arn:aws:ssm:*::document/AWS-RunShellScript`, public SSM parameters):
/// it names nothing in IAM and STS only, whose ARNs always have one.
fn field_at_may_match(i: usize, policy: &[&str; 6], format: &[&str; 6]) -> bool {
    let (Some(p), Some(f)) = (policy.get(i), format.get(i)) else { return true };
    if p.is_empty() && is_one_variable(f) {
        // a variable stands for a name, never for nothing: `arn:aws:iam:::role/r`
        // names no role (found by review: an empty account field passed)
        return i == ACCOUNT && !format.get(SERVICE).is_some_and(|s| matches!(*s, "iam" | "sts"));
    }
    field_may_match(p, f)
}

/// Where the service, region, account and resource are among an ARN's
/// fields (`arn_fields`).
pub(crate) const SERVICE: usize = 2;
pub(crate) const REGION: usize = 3;
pub(crate) const ACCOUNT: usize = 4;
pub(crate) const RESOURCE: usize = 5;

/// The names of an ARN's six fields, for messages.
pub const ARN_FIELD_NAMES: [&str; 6] = ["`arn`", "partition", "service", "region", "account", "resource"];

/// Which of the six fields of the policy's `resource` cannot match those of
/// an ARN of `arn_format` (by their place, 0 to 5): what a finding says of
/// the resource type closest to it. `None` when either is not an ARN read
/// field by field. Not remembered: asked only for a finding.
pub fn mismatched_fields(resource: &str, arn_format: &str) -> Option<Vec<usize>> {
    let (policy, format) = (arn_fields(resource)?, arn_fields(arn_format)?);
    Some((0..6).filter(|&i| !field_at_may_match(i, &policy, &format)).collect())
}

/// The six fields of an ARN (the last holds any further `:`), or `None`
/// when it has fewer than five `:`. A byte loop: splitting with a `char`
/// pattern cost more than comparing the fields.
pub(crate) fn arn_fields(text: &str) -> Option<[&str; 6]> {
    // (a policy variable, `${aws:PrincipalAccount}`, is one field)
    let mut split = crate::arn_split(text);
    let mut fields = [""; 6];
    for field in fields.iter_mut().take(5) {
        *field = split.next()?;
    }
    if let Some(last) = fields.last_mut() {
        *last = split.remainder()?;
    }
    Some(fields)
}

/// Whether `text` holds one of `bytes` (a byte loop: these are short).
fn holds(text: &str, bytes: &[u8]) -> bool {
    text.bytes().any(|b| bytes.contains(&b))
}

/// One field: the common cases without building patterns.
fn field_may_match(policy: &str, format: &str) -> bool {
    const SPECIAL: &[u8] = b"*?<$";
    if policy == "*" || is_one_variable(format) && !holds(policy, b"/") {
        return true; // either side matches anything there
    }
    if !holds(policy, SPECIAL) && !holds(format, SPECIAL) {
        return policy.eq_ignore_ascii_case(format);
    }
    if !heads_agree(policy, format) {
        return false;
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    SCRATCH.with(|scratch| {
        let Scratch { policy: a, format: b, seen, todo } = &mut *scratch.borrow_mut();
        policy_pattern(policy, a);
        format_pattern(format, b);
        intersect(a, b, seen, todo)
    })
}

/// `${Region}`: a whole field that is one variable.
fn is_one_variable(field: &str) -> bool {
    field.starts_with("${") && field.ends_with('}') && field.bytes().filter(|&b| b == b'}').count() == 1
}

/// Whether the literal starts of two fields agree (case-insensitively) up to
/// the first wildcard or variable of either: most mismatches (`instance/` vs
/// `volume/`) are decided here, without compiling anything.
fn heads_agree(policy: &str, format: &str) -> bool {
    for (a, b) in policy.bytes().zip(format.bytes()) {
        if matches!(a, b'*' | b'?' | b'<' | b'$') || matches!(b, b'$' | b'*') {
            return true;
        }
        if !a.eq_ignore_ascii_case(&b) {
            return false;
        }
    }
    true
}

/// Whether a resource names specific resources: an ARN whose resource
/// field has no wildcard (`file-system/fs-1`, `bucket-name`), as opposed to
/// a family (`project/pcluster-*`).
pub fn is_specific(resource: &str) -> bool {
    arn_fields(resource).is_some_and(|fields| fields.last().is_some_and(|r| !r.contains(['*', '?'])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_against_formats() {
        let resource_may_match = |r: &str, f: &str| may_match(r, f);
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        let profile = "arn:${Partition}:iam::${Account}:instance-profile/${InstanceProfileNameWithPath}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let fs = "arn:${Partition}:elasticfilesystem:${Region}:${Account}:file-system/${FileSystemId}";
        let ap = "arn:${Partition}:elasticfilesystem:${Region}:${Account}:access-point/${AccessPointId}";
        assert!(resource_may_match("arn:aws:iam::<AWS ACCOUNT ID>:role/parallelcluster/*", role));
        assert!(!resource_may_match("arn:aws:iam::<AWS ACCOUNT ID>:instance-profile/parallelcluster/*", role));
        assert!(resource_may_match("arn:aws:iam::123456789012:instance-profile/p", profile));
        assert!(resource_may_match("arn:aws:s3:::my-bucket", bucket));
        assert!(!resource_may_match("arn:aws:s3:::my-bucket", object));
        assert!(resource_may_match("arn:aws:s3:::my-bucket/*", object));
        // a bucket name holds no `/`: `b/*` names objects, not the bucket
        // (`s3:ListBucket` on it had no W0507, and `arn(s3:bucket)` took an
        // object's ARN)
        assert!(!resource_may_match("arn:aws:s3:::my-bucket/*", bucket));
        assert!(!resource_may_match("arn:aws:s3:::my-bucket/some/key", bucket));
        assert!(!resource_may_match("arn:aws:s3:::*/*", bucket));
        assert!(!resource_may_match("arn:aws:s3:::<S3 NAME>/*", bucket));
        assert!(resource_may_match("arn:aws:s3:::*", bucket));
        assert!(resource_may_match("arn:aws:s3:::my-*", bucket));
        assert!(resource_may_match("arn:aws:s3:::${aws:username}", bucket));
        let outposts = "arn:${Partition}:s3-outposts:${Region}:${Account}:outpost/${OutpostId}/bucket/${BucketName}";
        assert!(resource_may_match("arn:aws:s3-outposts:*:1:outpost/op-1/bucket/b", outposts));
        assert!(!resource_may_match("arn:aws:s3-outposts:*:1:outpost/op-1/bucket/b/object/*", outposts));
        // other names that end a format may hold `/`: ECR repositories,
        // role paths
        let repository = "arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}";
        assert!(resource_may_match("arn:aws:ecr:*:1:repository/team/app", repository));
        assert!(resource_may_match("arn:aws:iam::1:role/path/to/r", role));
        assert!(resource_may_match("arn:aws:s3:::*", object));
        assert!(resource_may_match("arn:aws:elasticfilesystem:*:1:file-system/fs-1", fs));
        assert!(!resource_may_match("arn:aws:elasticfilesystem:*:1:file-system/fs-1", ap));
        assert!(resource_may_match("arn:aws:elasticfilesystem:*:1:*", ap));
        assert!(resource_may_match("*", ap));
        assert!(resource_may_match("<EFS FILE SYSTEM ARN>", ap));
        assert!(!resource_may_match("arn:aws:s3:::<S3 NAME>", object));
        assert!(resource_may_match("arn:aws:s3:::<S3 NAME>", bucket));
        assert!(!resource_may_match("arn:aws:ec2:us-east-1:1:instance/*", fs));
        // found by review: npm's unscoped packages have an empty namespace
        let package = "arn:${Partition}:codeartifact:${Region}:${Account}:package/${DomainName}/${RepositoryName}/${PackageFormat}/${PackageNamespace}/${PackageName}";
        assert!(resource_may_match("arn:aws:codeartifact:us-east-1:1:package/d/r/npm//left-pad", package));
        assert!(resource_may_match("arn:aws:codeartifact:us-east-1:1:package/d/r/npm/types/node", package));
        assert!(!resource_may_match("arn:aws:codeartifact:us-east-1:1:package/d//npm//left-pad", package));
        // found by review: a secret's ARN ends in `-` and six characters
        let secret = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}";
        assert!(!resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:db-password", secret));
        assert!(resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:db-password-??????", secret));
        assert!(resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:db-password-AbCdEf", secret));
        assert!(resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:db/password*", secret));
        assert!(resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:<SECRET NAME>", secret));
        assert!(resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:${name}", secret));
        assert!(!resource_may_match("arn:aws:secretsmanager:us-east-1:1:secret:-??????", secret));
        // found by review: a field the format names is never empty, but
        // for the account of an AWS-owned resource outside IAM and STS
        assert!(!resource_may_match("arn:aws:iam:::role/r", role));
        let document = "arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}";
        assert!(resource_may_match("arn:aws:ssm:*::document/AWS-RunShellScript", document));
        assert!(!resource_may_match("arn:aws:ssm::1:document/AWS-RunShellScript", document));
        // found by review: a `*` in a catalog format matches any text
        let recovery = "arn:${Partition}:backup:${Region}:*:recovery-point:${RecoveryPointId}";
        assert!(resource_may_match("arn:aws:backup:us-east-1:123456789012:recovery-point:*", recovery));
        let event = "arn:${Partition}:health:*::event/${Service}/${EventTypeCode}/*";
        assert!(resource_may_match("arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/*", event));
        assert!(!resource_may_match("arn:aws:health:us-east-1::issue/EC2/x/*", event));
        assert!(!resource_may_match(
            "arn:aws:ec2::1:instance/*",
            "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"
        ));
        assert!(resource_may_match("arn:aws:iam::*:role/r", role));
        // found by review: a name ends the format, and it is never empty;
        // an SSM parameter's name after `parameter/` never starts with `/`
        let webacl = "arn:${Partition}:wafv2:${Region}:${Account}:${Scope}/webacl/${Name}/${Id}";
        assert!(!resource_may_match("arn:aws:wafv2:us-east-1:1:regional/webacl/n/", webacl));
        assert!(resource_may_match("arn:aws:wafv2:us-east-1:1:regional/webacl/n/*", webacl));
        assert!(resource_may_match("arn:aws:wafv2:us-east-1:1:regional/webacl/n/?", webacl));
        assert!(!resource_may_match("arn:aws:iam::1:role/", role));
        assert!(resource_may_match("arn:aws:iam::1:role/a", role));
        let parameter = "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}";
        assert!(!resource_may_match("arn:aws:ssm:us-east-1:1:parameter//name", parameter));
        assert!(!resource_may_match("arn:aws:ssm:us-east-1:1:parameter/", parameter));
        assert!(resource_may_match("arn:aws:ssm:us-east-1:1:parameter/name", parameter));
        assert!(resource_may_match("arn:aws:ssm:us-east-1:1:parameter/app/prod/db", parameter));
        assert!(resource_may_match("arn:aws:ssm:us-east-1:1:parameter/*", parameter));
        assert!(resource_may_match("arn:aws:ssm:us-east-1:1:parameter/<NAME>", parameter));
    }

    #[test]
    fn arn_fields_split_as_splitn_does() {
        let texts = [
            "arn:aws:s3:::b/k",
            "arn:aws:logs:r:1:log-group:/x:*",
            "a:b:c:d:e",
            "a:b:c:d:e:",
            "::::::",
            "",
            "arn",
            "é:ü:🦀::é:x",
            "arn:aws:s3:::bücket/🦀:k",
        ];
        for text in texts {
            let split: Vec<&str> = text.splitn(6, ':').collect();
            let expected = (split.len() == 6).then_some(split);
            assert_eq!(arn_fields(text).map(|f| f.to_vec()), expected, "{text}");
        }
        // found by review: a policy variable's `:` cut the account field
        let variable = "arn:*:kms:*:${aws:PrincipalAccount}:key/*";
        assert_eq!(arn_fields(variable), Some(["arn", "*", "kms", "*", "${aws:PrincipalAccount}", "key/*"]));
        assert_eq!(
            arn_fields("arn:aws:s3:::${aws:username}/a:b"),
            Some(["arn", "aws", "s3", "", "", "${aws:username}/a:b"])
        );
        assert_eq!(arn_fields("arn:aws:${x:y}"), None);
        assert!(resource_may_match(variable, "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"));
        assert!(is_specific("arn:aws:elasticfilesystem:*:1:file-system/fs-1"));
        assert!(!is_specific("arn:aws:elasticfilesystem:*:1:file-system/*"));
        assert!(!is_specific("arn:aws:s3"));
    }
}
