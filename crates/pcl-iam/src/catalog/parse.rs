//! Reading `catalog.txt`: tab-separated lines, one record each (`V`, `G`,
//! `S`, then a service's `A`, `R` and `K` lines); `build.rs` indexes it at
//! compile time and this module slices records out of it by that index. A
//! missing field reads as empty: the file is generated and checked by
//! `update-catalog --check`, and a catalog that cannot answer makes checks
//! silent, never a crash.

use std::sync::OnceLock;

use super::{Action, Catalog, ConditionKey, GlobalKey, ResourceType, Service, ServiceEntry};

/// The index `build.rs` made of the file at compile time.
pub(super) mod built {
    /// Where a field lies in the file: `(start, end)` byte offsets.
    pub(in super::super) type Span = (usize, usize);
    /// `(prefix, name, actions, resource types, keys)`: the first two as
    /// offsets in `NAMES`, the last three as index ranges into `ACTIONS`,
    /// `RESOURCE_TYPES` and `KEYS`.
    pub(in super::super) type ServiceEntry = (Span, Span, Span, Span, Span);

    include!(concat!(env!("OUT_DIR"), "/catalog_index.rs"));
}

/// The catalog, from the compile-time index: no pass over the file.
pub(super) fn index() -> Catalog {
    let mut by_prefix = rustc_hash::FxHashMap::default();
    let mut services = Vec::with_capacity(built::SERVICES.len());
    for &(prefix, name, actions, resource_types, keys) in built::SERVICES {
        let (prefix, name) = (name_at(prefix), name_at(name));
        // `update-catalog` writes prefixes as AWS does: lower case
        by_prefix.insert(prefix, services.len());
        services.push(ServiceEntry { prefix, name, actions, resource_types, keys, parsed: OnceLock::new() });
    }
    Catalog {
        source: built::SOURCE,
        globals: built::GLOBALS.iter().map(|&(key, ty)| GlobalKey { key, ty }).collect(),
        service_aws_keys: built::SERVICE_AWS_KEYS.to_vec(),
        services,
        by_prefix,
    }
}

/// The text of the catalog at `span`.
pub(super) fn at((start, end): built::Span) -> &'static str {
    super::CATALOG.get(start..end).unwrap_or_default()
}

/// The name at `span` of the index's names.
fn name_at((start, end): built::Span) -> &'static str {
    built::NAMES.get(start..end).unwrap_or_default()
}

/// The entries of `table` in `range`.
fn entries<T>(table: &'static [T], (first, last): built::Span) -> &'static [T] {
    table.get(first..last).unwrap_or_default()
}

/// A service, from its entries in the compile-time index: each record's
/// fields are sliced out of the file, nothing is searched or split.
pub(super) fn service(entry: &ServiceEntry) -> Service {
    let actions = entries(built::ACTIONS, entry.actions)
        .iter()
        .map(|entry| Action { name: name_at(entry.0), fields: entry })
        .collect();
    let resource_types: Vec<ResourceType> = entries(built::RESOURCE_TYPES, entry.resource_types)
        .iter()
        .map(|&(name, arn, keys)| {
            let arn = at(arn);
            let formats = arn.split("%2C").map(str::trim).collect();
            ResourceType { name: at(name), arn, formats, keys: at(keys) }
        })
        .collect();
    let condition_keys = entries(built::KEYS, entry.keys)
        .iter()
        .map(|&(key, ty, description)| ConditionKey { key: at(key), ty: at(ty), description: at(description) })
        .collect();
    Service {
        prefix: entry.prefix,
        name: entry.name,
        actions,
        resource_types,
        condition_keys,
        action_letters: OnceLock::new(),
    }
}
