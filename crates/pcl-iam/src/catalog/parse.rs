//! Reading `catalog.txt`: tab-separated lines, one record each (`V`, `G`,
//! `S`, then a service's `A`, `R` and `K` lines). A malformed line is skipped:
//! the file is generated and checked by `update-catalog --check`, and a
//! catalog that cannot answer makes checks silent, never a crash.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Action, Catalog, ConditionKey, GlobalKey, ResourceType, Service, ServiceEntry};

/// One pass over the file: the header, the global keys, and where each
/// service's lines are.
pub(super) fn index(text: &'static str) -> Catalog {
    let mut catalog = Catalog {
        source: ("", "", ""),
        globals: Vec::new(),
        service_aws_keys: Vec::new(),
        services: Vec::new(),
        by_prefix: HashMap::new(),
    };
    let mut offset = 0;
    // (prefix, name, where its body starts)
    let mut open: Option<(&'static str, &'static str, usize)> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let mut fields = line.trim_end_matches('\n').split('\t');
        match fields.next() {
            Some("V") => {
                let mut next = || fields.next().unwrap_or_default();
                catalog.source = (next(), next(), next());
            }
            Some("G") => {
                if let (Some(key), Some(ty)) = (fields.next(), fields.next()) {
                    catalog.globals.push(GlobalKey { key, ty });
                }
            }
            Some("K") => {
                if let Some(key) = fields.next().filter(|k| k.starts_with("aws:")) {
                    catalog.service_aws_keys.push(key);
                }
            }
            Some("S") => {
                if let Some((prefix, name, body)) = open.take() {
                    push_service(&mut catalog, prefix, name, text.get(body..start).unwrap_or_default());
                }
                if let (Some(prefix), Some(name)) = (fields.next(), fields.next()) {
                    open = Some((prefix, name, offset));
                }
            }
            _ => {}
        }
    }
    if let Some((prefix, name, body)) = open.take() {
        push_service(&mut catalog, prefix, name, text.get(body..).unwrap_or_default());
    }
    catalog.service_aws_keys.sort_unstable();
    catalog.service_aws_keys.dedup();
    catalog
}

fn push_service(catalog: &mut Catalog, prefix: &'static str, name: &'static str, body: &'static str) {
    catalog.by_prefix.insert(prefix.to_ascii_lowercase(), catalog.services.len());
    catalog.services.push(ServiceEntry { prefix, name, body, parsed: OnceLock::new() });
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
                let Some(action_name) = fields.next() else { continue };
                let access_level = fields.next().unwrap_or_default();
                let resource_types = list(fields.next())
                    .into_iter()
                    .map(|r| match r.strip_suffix('*') {
                        Some(required) => (required, true),
                        None => (r, false),
                    })
                    .collect();
                let condition_keys = list(fields.next());
                let dependent_actions = list(fields.next());
                let description = fields.next().unwrap_or_default();
                service.by_name.insert(action_name.to_ascii_lowercase(), service.actions.len());
                service.actions.push(Action {
                    name: action_name,
                    access_level,
                    resource_types,
                    condition_keys,
                    dependent_actions,
                    description,
                });
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
