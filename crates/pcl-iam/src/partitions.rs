//! AWS's partitions, as data: each one's name (the second field of its
//! ARNs) and DNS suffix (what CloudFormation calls `AWS::URLSuffix`: the end
//! of its endpoints and of some service principals, `ec2.amazonaws.com.cn`).
//! Source: the AWS SDKs' `partitions.json` (e.g. aws/aws-sdk-go-v2,
//! `internal/endpoints/awsrulesfn/partitions.json`, `outputs.dnsSuffix`),
//! checked against the list of partitions AWS had on 2026-12-01.

/// One partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub name: &'static str,
    pub dns_suffix: &'static str,
    /// What it is, for hovers and messages.
    pub description: &'static str,
}

/// Every partition, the commercial one first.
pub const ALL: [Partition; 8] = [
    Partition { name: "aws", dns_suffix: "amazonaws.com", description: "AWS Standard" },
    Partition { name: "aws-cn", dns_suffix: "amazonaws.com.cn", description: "AWS China" },
    Partition { name: "aws-us-gov", dns_suffix: "amazonaws.com", description: "AWS GovCloud (US)" },
    Partition { name: "aws-iso", dns_suffix: "c2s.ic.gov", description: "AWS ISO (US)" },
    Partition { name: "aws-iso-b", dns_suffix: "sc2s.sgov.gov", description: "AWS ISOB (US)" },
    Partition { name: "aws-iso-e", dns_suffix: "cloud.adc-e.uk", description: "AWS ISOE (Europe)" },
    Partition { name: "aws-iso-f", dns_suffix: "csp.hci.ic.gov", description: "AWS ISOF" },
    Partition { name: "aws-eusc", dns_suffix: "amazonaws.eu", description: "AWS European Sovereign Cloud" },
];

/// The partitions the ParallelCluster page documents, which a release
/// builds by default.
pub const PAGE_PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];

/// The partition named `name`.
pub fn partition(name: &str) -> Option<&'static Partition> {
    ALL.iter().find(|p| p.name == name)
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
}
