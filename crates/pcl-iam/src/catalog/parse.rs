//! Reading `catalog.txt`: tab-separated lines, one record each (`V`, `G`,
//! `S`, then a service's `A`, `R` and `K` lines); `build.rs` indexes it. A malformed line is skipped:
//! the file is generated and checked by `update-catalog --check`, and a
//! catalog that cannot answer makes checks silent, never a crash.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Action, Catalog, ConditionKey, GlobalKey, ResourceType, Service, ServiceEntry};

/// The index `build.rs` made of the file at compile time.
mod built {
    include!(concat!(env!("OUT_DIR"), "/catalog_index.rs"));
}

/// The catalog, from the compile-time index: no pass over the file.
pub(super) fn index(text: &'static str) -> Catalog {
    let mut by_prefix = HashMap::with_capacity(built::SERVICES.len());
    let mut services = Vec::with_capacity(built::SERVICES.len());
    for &(prefix, name, first, last, types_start, end) in built::SERVICES {
        by_prefix.insert(prefix.to_ascii_lowercase(), services.len());
        let actions = built::ACTIONS.get(first..last).unwrap_or_default();
        let types_and_keys = text.get(types_start..end).unwrap_or_default();
        services.push(ServiceEntry { prefix, name, actions, types_and_keys, parsed: OnceLock::new() });
    }
    Catalog {
        source: built::SOURCE,
        globals: built::GLOBALS.iter().map(|&(key, ty)| GlobalKey { key, ty }).collect(),
        service_aws_keys: built::SERVICE_AWS_KEYS.to_vec(),
        services,
        by_prefix,
    }
}

fn list(field: Option<&'static str>) -> Vec<&'static str> {
    field.unwrap_or_default().split(',').filter(|s| !s.is_empty()).collect()
}

/// A service: its actions from the compile-time index (each a name and a
/// line, nothing parsed), its `R` and `K` lines read.
pub(super) fn service(
    prefix: &'static str,
    name: &'static str,
    actions: &'static [(&'static str, usize, usize)],
    types_and_keys: &'static str,
) -> Service {
    let text = super::CATALOG;
    let mut service = Service { prefix, name, ..Service::default() };
    service.actions = actions
        .iter()
        .map(|&(action, start, end)| Action { name: action, line: text.get(start..end).unwrap_or_default() })
        .collect();
    for line in types_and_keys.lines() {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("R") => {
                let (Some(name), Some(arn)) = (fields.next(), fields.next()) else { continue };
                service.resource_types.push(ResourceType { name, arn, condition_keys: list(fields.next()) });
            }
            Some("K") => {
                let Some(key) = fields.next() else { continue };
                let ty = fields.next().unwrap_or_default();
                let description = fields.next().unwrap_or_default();
                service.condition_keys.push(ConditionKey { key, ty, description });
            }
            _ => {}
        }
    }
    service
}
