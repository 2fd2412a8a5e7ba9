//! AWS's partitions, as data: each one's name (the second field of its
//! ARNs) and DNS suffix (what CloudFormation calls `AWS::URLSuffix`: the end
//! of its endpoints and of some service principals, `ec2.amazonaws.com.cn`).
//! and regions (`regionRegex`: a prefix, a name, a number).
//! Source: the AWS SDKs' `partitions.json` (e.g. aws/aws-sdk-go-v2,
//! `internal/endpoints/awsrulesfn/partitions.json`, `outputs.dnsSuffix`;
//! aws-sdk-js-v3's for `il`, `mx` and `aws-eusc`),
//! checked against the list of partitions AWS had on 2026-12-01.

/// One partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub name: &'static str,
    pub dns_suffix: &'static str,
    /// What it is, for hovers and messages.
    pub description: &'static str,
    /// What its regions start with: each region is a prefix, `-`, a name
    /// and `-` a number (`us-east-1`; the SDKs' `regionRegex`).
    pub region_prefixes: &'static [&'static str],
}

/// Every partition, the commercial one first.
pub const ALL: [Partition; 8] = [
    Partition {
        name: "aws",
        dns_suffix: "amazonaws.com",
        description: "AWS Standard",
        region_prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
    },
    Partition { name: "aws-cn", dns_suffix: "amazonaws.com.cn", description: "AWS China", region_prefixes: &["cn"] },
    Partition {
        name: "aws-us-gov",
        dns_suffix: "amazonaws.com",
        description: "AWS GovCloud (US)",
        region_prefixes: &["us-gov"],
    },
    Partition { name: "aws-iso", dns_suffix: "c2s.ic.gov", description: "AWS ISO (US)", region_prefixes: &["us-iso"] },
    Partition {
        name: "aws-iso-b",
        dns_suffix: "sc2s.sgov.gov",
        description: "AWS ISOB (US)",
        region_prefixes: &["us-isob"],
    },
    Partition {
        name: "aws-iso-e",
        dns_suffix: "cloud.adc-e.uk",
        description: "AWS ISOE (Europe)",
        region_prefixes: &["eu-isoe"],
    },
    Partition {
        name: "aws-iso-f",
        dns_suffix: "csp.hci.ic.gov",
        description: "AWS ISOF",
        region_prefixes: &["us-isof"],
    },
    Partition {
        name: "aws-eusc",
        dns_suffix: "amazonaws.eu",
        description: "AWS European Sovereign Cloud",
        region_prefixes: &["eusc-de"],
    },
];

/// The partitions the ParallelCluster page documents, which a release
/// builds by default.
pub const PAGE_PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];

/// The partition named `name`.
pub fn partition(name: &str) -> Option<&'static Partition> {
    ALL.iter().find(|p| p.name == name)
}

/// The partition whose regions `region` is of, by its shape (a region
/// AWS opens later is known by its prefix); `None` for `*` and for a
/// region of no partition's shape.
pub fn region_partition(region: &str) -> Option<&'static Partition> {
    // every region ends in its number: `*`, `${region}` and most fields
    // that are not a region are told at once (an ARN's region is asked of
    // every ARN a file renders)
    if !region.as_bytes().last().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let of = |p: &&Partition| {
        p.region_prefixes.iter().any(|prefix| {
            let Some((name, number)) = region
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('-'))
                .and_then(|rest| rest.rsplit_once('-'))
            else {
                return false;
            };
            let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            !name.is_empty()
                && name.bytes().all(word)
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
        })
    };
    ALL.iter().find(of)
}

/// What a partition param offers inside `${param.member}`.
pub const PARTITION_MEMBERS: [&str; 1] = ["dns_suffix"];

/// The value of `member` of the partition `name` (`dns_suffix` of `aws-cn`
/// is `amazonaws.com.cn`).
pub fn partition_member(name: &str, member: &str) -> Option<&'static str> {
    let p = partition(name)?;
    match member {
        "dns_suffix" => Some(p.dns_suffix),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partition_has_a_dns_suffix_and_names_are_unique() {
        let names: std::collections::BTreeSet<&str> = ALL.iter().map(|p| p.name).collect();
        assert_eq!(names.len(), ALL.len());
        assert!(PAGE_PARTITIONS.iter().all(|p| partition(p).is_some()));
        assert_eq!(partition_member("aws-cn", "dns_suffix"), Some("amazonaws.com.cn"));
        assert_eq!(partition_member("aws-us-gov", "dns_suffix"), Some("amazonaws.com"));
        assert_eq!(partition_member("aws-eusc", "dns_suffix"), Some("amazonaws.eu"));
        assert_eq!(partition_member("aws", "region"), None);
        assert_eq!(partition_member("mars", "dns_suffix"), None);
    }

    #[test]
    fn regions_by_partition() {
        let of = |r: &str| region_partition(r).map(|p| p.name);
        assert_eq!(of("us-east-1"), Some("aws"));
        assert_eq!(of("il-central-1"), Some("aws"));
        assert_eq!(of("cn-north-1"), Some("aws-cn"));
        assert_eq!(of("cn-northwest-1"), Some("aws-cn"));
        assert_eq!(of("us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(of("us-iso-east-1"), Some("aws-iso"));
        assert_eq!(of("us-isob-east-1"), Some("aws-iso-b"));
        assert_eq!(of("eu-isoe-west-1"), Some("aws-iso-e"));
        assert_eq!(of("us-isof-south-1"), Some("aws-iso-f"));
        assert_eq!(of("eusc-de-east-1"), Some("aws-eusc"));
        assert_eq!(of("*"), None);
        assert_eq!(of("xx-east-1"), None);
        assert_eq!(of("us-east-"), None);
        // each region is of one partition
        for p in ALL {
            for prefix in p.region_prefixes {
                let region = format!("{prefix}-east-1");
                assert_eq!(of(&region), Some(p.name), "{region}");
            }
        }
    }
}
