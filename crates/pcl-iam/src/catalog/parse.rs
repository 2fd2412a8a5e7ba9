//! Reading `catalog.txt`: tab-separated lines, one record each (`V`, `G`,
//! `S`, then a service's `A`, `R` and `K` lines); `build.rs` indexes it. A malformed line is skipped:
//! the file is generated and checked by `update-catalog --check`, and a
//! catalog that cannot answer makes checks silent, never a crash.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Action, Catalog, ConditionKey, GlobalKey, KeyMatcher, ResourceType, Service, ServiceEntry};

/// The index `build.rs` made of the file at compile time.
mod built {
    include!(concat!(env!("OUT_DIR"), "/catalog_index.rs"));
}

/// The catalog, from the compile-time index: no pass over the file.
pub(super) fn index(text: &'static str) -> Catalog {
    let mut by_prefix = HashMap::with_capacity(built::SERVICES.len());
    let mut services = Vec::with_capacity(built::SERVICES.len());
    for &(prefix, name, start, end) in built::SERVICES {
        by_prefix.insert(prefix.to_ascii_lowercase(), services.len());
        let body = text.get(start..end).unwrap_or_default();
        services.push(ServiceEntry { prefix, name, body, parsed: OnceLock::new() });
    }
    Catalog {
        source: built::SOURCE,
        globals: built::GLOBALS.iter().map(|&(key, ty)| GlobalKey { key, ty, matcher: KeyMatcher::new(key) }).collect(),
        service_aws_keys: built::SERVICE_AWS_KEYS.iter().map(|&k| KeyMatcher::new(k)).collect(),
        services,
        by_prefix,
    }
}

fn list(field: Option<&'static str>) -> Vec<&'static str> {
    field.unwrap_or_default().split(',').filter(|s| !s.is_empty()).collect()
}

/// A service's `A`, `R` and `K` lines.
pub(super) fn service(prefix: &'static str, name: &'static str, body: &'static str) -> Service {
    let mut service = Service { prefix, name, ..Service::default() };
    for line in body.lines() {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("A") => {
                let mut next = || fields.next().unwrap_or_default();
                let fields = [next(), next(), next(), next(), next(), ""];
                if fields[0].is_empty() {
                    continue;
                }
                let description = next();
                service.actions.push(Action::new(fields, description));
            }
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
