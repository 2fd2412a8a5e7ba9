//! A `region` param whose value is a region of another partition than the
//! configuration's (`us-east-1` where `partition` is `aws-cn`): every ARN
//! rendered with it names a region no request in that partition is made
//! in, so it never matches. A region's partition is known by its shape
//! (`pcl_iam::partitions::region_partition`); `*`, a placeholder and a
//! region of no partition's shape are not judged here.
//!
//! Reported where the value is given: a `--set` value is a usage error
//! (`config::configure`), defaults that disagree an error at the region's
//! default (`file_checks::analyze`).

use std::collections::BTreeMap;

use pcl_syntax::{ParsedItem, Span, ast};

use crate::diagnostic::{Code, Diagnostic, DiagnosticKind};
use crate::ir::{ItemIr, ParamValue, Program, ScalarType};

/// The partition `region` is of, when it is not `partition`.
fn foreign(region: &str, partition: &str) -> Option<&'static str> {
    let of = pcl_iam::partitions::region_partition(region)?;
    (pcl_iam::partitions::partition(partition).is_some() && of.name != partition).then_some(of.name)
}

/// What to give instead of a region of `of` for `partition`.
fn help(partition: &str, of: &str) -> String {
    let prefixes = pcl_iam::partitions::partition(partition).map_or(&[][..], |p| p.region_prefixes);
    let shapes: Vec<String> = prefixes.iter().map(|p| format!("`{p}-...`")).collect();
    format!("give a region of `{partition}` ({}) or `*`, or build for partition `{of}`", shapes.join(", "))
}

/// The values of the `region` params among `params` (each with its param).
fn region_values<'p>(
    program: &'p Program,
    params: &'p BTreeMap<String, ParamValue>,
) -> impl Iterator<Item = (&'p str, &'p str)> {
    let regions = program.params().filter(|(_, p)| p.ty.scalar == ScalarType::Region);
    regions.flat_map(move |(name, _)| {
        let values: &[String] = match params.get(name) {
            Some(ParamValue::One(v)) => std::slice::from_ref(v),
            Some(ParamValue::Many(vs)) => vs,
            None => &[],
        };
        values.iter().map(move |v| (name, v.as_str()))
    })
}

/// The partition param and its value in `params`, when it is a partition.
fn partition_of<'p>(program: &'p Program, params: &'p BTreeMap<String, ParamValue>) -> Option<(&'p str, &'p str)> {
    let name = program.partition_param()?;
    match params.get(name) {
        Some(ParamValue::One(p)) => Some((name, p.as_str())),
        _ => None,
    }
}

/// The usage errors of a configuration whose `--set` values put a region of
/// one partition with another partition: at the region's assignment when
/// it was given, else at the partition's (the region's default); two
/// defaults are the file's error (`default_findings`). Each is the index of
/// the assignment, the region param, and what is wrong.
pub fn set_errors(
    program: &Program,
    assignments: &[(String, String)],
    params: &BTreeMap<String, ParamValue>,
) -> Vec<(usize, String, DiagnosticKind)> {
    let Some((partition_param, partition)) = partition_of(program, params) else { return Vec::new() };
    let assigned = |name: &str| assignments.iter().position(|(n, _)| n.trim() == name);
    let mut errors = Vec::new();
    for (param, region) in region_values(program, params) {
        let Some(of) = foreign(region, partition) else { continue };
        let message = |subject: String| {
            format!(
                "{subject} is a region of partition `{of}`, not of `{partition}` (`{partition_param}`): its ARNs never match"
            )
        };
        let ty = |name: &str| match program.get(name).map(|i| &*i.ir) {
            Some(ItemIr::Param(p)) => Some(p.ty),
            _ => None,
        };
        let (assignment, name, message, help) = match (assigned(param), assigned(partition_param)) {
            (Some(at), _) => (at, param, message(format!("`{region}`")), help(partition, of)),
            (None, Some(at)) => {
                let help = format!("set `{param}` too: {}", help(partition, of));
                (at, partition_param, message(format!("the default of `{param}`, `{region}`,")), help)
            }
            (None, None) => continue,
        };
        let Some(ty) = ty(name) else { continue };
        let kind = DiagnosticKind::AssignedInvalidValue { name: name.to_string(), ty, message, help: Some(help) };
        errors.push((assignment, param.to_string(), kind));
    }
    errors
}

/// The defaults of `region` params that are regions of another partition
/// than the partition param's default, at each default, with the
/// partition's default as a secondary label. `defaults` is the
/// configuration with nothing given; `parsed` gives where each program
/// item's default is written (`places`: the parsed item of each).
pub fn default_findings(
    program: &Program,
    defaults: &BTreeMap<String, ParamValue>,
    parsed: &[ParsedItem],
    places: &[usize],
) -> Vec<Diagnostic> {
    let Some((partition_param, partition)) = partition_of(program, defaults) else { return Vec::new() };
    // only a default: a placeholder is no region of any shape
    let mut found = region_values(program, defaults).filter_map(|(param, region)| {
        let of = foreign(region, partition)?;
        Some((param, region, of))
    });
    let Some(first) = found.next() else { return Vec::new() };
    let default_span = |name: &str| -> Option<Span> {
        let at = program.items().iter().position(|i| i.name.as_str() == name)?;
        let item = parsed.get(*places.get(at)?)?;
        match &item.item.kind {
            ast::ItemKind::Param(p) => p.default.as_ref().map(|d| d.span().shift(item.offset)),
            _ => None,
        }
    };
    let partition_span = default_span(partition_param);
    std::iter::once(first)
        .chain(found)
        .filter_map(|(param, region, of)| {
            let kind = DiagnosticKind::IamRule {
                code: Code::InvalidValue,
                message: format!(
                    "the default of `{param}`, `{region}`, is a region of partition `{of}`, not of `{partition}` (the default of `{partition_param}`): its ARNs never match"
                ),
                label: Some(format!("a region of `{of}`")),
                help: Some(help(partition, of)),
            };
            let d = kind.at(default_span(param)?);
            Some(match partition_span {
                Some(span) => d.with_secondary(span, format!("the partition is `{partition}`")),
                None => d,
            })
        })
        .collect()
}
