//! A `region` or `arn` param whose value is of another partition than the
//! configuration's (`us-east-1`, `arn:aws:iam::...` where `partition` is
//! `aws-cn`): every ARN rendered with the region names a region no request
//! in that partition is made in, and the ARN names nothing there, so
//! neither ever matches. A region's partition is known by its shape
//! (`pcl_iam::partitions::region_partition`), an ARN's by its second field;
//! `*`, a placeholder, a region of no partition's shape and an ARN that
//! interpolates its partition are not judged here.
//!
//! Reported where the value is given: a `--set` value is a usage error
//! (`config::configure`); region and ARN defaults that disagree with the
//! partition's default are an error at the default (`file_checks::analyze`).
//! In the check's renderings for the other partitions an ARN default
//! stands for the ARN a build there is given
//! (`variant_checks::check_configs`).

use std::collections::BTreeMap;

use pcl_syntax::{ParsedItem, Span, ast};

use crate::diagnostic::{Code, Diagnostic, DiagnosticKind};
use crate::ir::{ItemIr, ParamValue, Program, ScalarType};

/// The partition `value` (of a param of type `ty`) is of, when it is not
/// `partition`, and what the value is, in a message ("a region", "an
/// ARN"). An ARN's is its partition field's, else (`arn:aws-cn:kms:us-east-1:...`,
/// `arn:*:...`) the region it names ("an ARN naming a region"): the checks
/// of the statements that read the param take its regions for judged here
/// (`variant_checks::given_regions`).
fn foreign(ty: ScalarType, value: &str, partition: &str) -> Option<(&'static str, &'static str)> {
    pcl_iam::partitions::partition(partition)?;
    let (of, what) = match ty {
        ScalarType::Region => (pcl_iam::partitions::region_partition(value)?, "a region"),
        ScalarType::Arn => {
            let field = pcl_iam::values::partition_field(value)?;
            match pcl_iam::partitions::partition(field).filter(|of| of.name != partition) {
                Some(of) => (of, "an ARN"),
                None => (
                    pcl_iam::partitions::region_partition(pcl_iam::values::named_region(value)?)?,
                    "an ARN naming a region",
                ),
            }
        }
        ScalarType::String | ScalarType::Account | ScalarType::Partition => return None,
    };
    (of.name != partition).then_some((of.name, what))
}

/// What to give instead of a value of type `ty` of `of` for `partition`.
fn help(ty: ScalarType, partition: &str, of: &str) -> String {
    if ty == ScalarType::Arn {
        return format!(
            "give an ARN of `{partition}` (`arn:{partition}:...`, naming a region of it if any), or build for partition `{of}`"
        );
    }
    let prefixes = pcl_iam::partitions::partition(partition).map_or(&[][..], |p| p.region_prefixes);
    let shapes: Vec<String> = prefixes.iter().map(|p| format!("`{p}-...`")).collect();
    format!("give a region of `{partition}` ({}) or `*`, or build for partition `{of}`", shapes.join(", "))
}

/// The values of the params of type `ty` among `params` (each with its param).
fn values_of<'p>(
    program: &'p Program,
    params: &'p BTreeMap<String, ParamValue>,
    ty: ScalarType,
) -> impl Iterator<Item = (&'p str, &'p str)> {
    let regions = program.params().filter(move |(_, p)| p.ty.scalar == ty);
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

/// The usage errors of a configuration whose `--set` values put a region or
/// an ARN of one partition with another partition: at the region's or
/// ARN's assignment when it was given, else at the partition's (the
/// other's default); two defaults are the file's error (`default_findings`,
/// E0316). Each is the index of the assignment, the region or ARN param,
/// and what is wrong.
pub fn set_errors(
    program: &Program,
    assignments: &[(String, String)],
    params: &BTreeMap<String, ParamValue>,
) -> Vec<(usize, String, DiagnosticKind)> {
    let Some((partition_param, partition)) = partition_of(program, params) else { return Vec::new() };
    let assigned = |name: &str| assignments.iter().position(|(n, _)| n.trim() == name);
    let mut errors = Vec::new();
    let values = [ScalarType::Region, ScalarType::Arn]
        .into_iter()
        .flat_map(|ty| values_of(program, params, ty).map(move |(param, value)| (ty, param, value)));
    for (value_type, param, region) in values {
        let Some((of, what)) = foreign(value_type, region, partition) else { continue };
        let never = if value_type == ScalarType::Arn { "it names nothing there" } else { "its ARNs never match" };
        let message = |subject: String| {
            format!("{subject} is {what} of partition `{of}`, not of `{partition}` (`{partition_param}`): {never}")
        };
        let ty = |name: &str| match program.get(name).map(|i| &*i.ir) {
            Some(ItemIr::Param(p)) => Some(p.ty),
            _ => None,
        };
        let (assignment, name, message, help) = match (assigned(param), assigned(partition_param)) {
            (Some(at), _) => (at, param, message(format!("`{region}`")), help(value_type, partition, of)),
            (None, Some(at)) => {
                let help = format!("set `{param}` too: {}", help(value_type, partition, of));
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

/// The defaults of `region` and `arn` params that are regions or ARNs of
/// another partition than the partition param's default, at each default, with the
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
    // only a default: a placeholder is no region or ARN of any shape
    let typed = [ScalarType::Region, ScalarType::Arn]
        .into_iter()
        .flat_map(|ty| values_of(program, defaults, ty).map(move |(param, value)| (ty, param, value)));
    let mut found = typed.filter_map(|(ty, param, value)| Some((ty, param, value, foreign(ty, value, partition)?)));
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
        .filter_map(|(ty, param, value, (of, what))| {
            let never = if ty == ScalarType::Arn { "it names nothing there" } else { "its ARNs never match" };
            let kind = DiagnosticKind::IamRule {
                code: Code::InvalidValue,
                message: format!(
                    "the default of `{param}`, `{value}`, is {what} of partition `{of}`, not of `{partition}` (the default of `{partition_param}`): {never}"
                ),
                label: Some(format!("{what} of `{of}`")),
                help: Some(help(ty, partition, of)),
            };
            let d = kind.at(default_span(param)?);
            Some(match partition_span {
                Some(span) => d.with_secondary(span, format!("the partition is `{partition}`")),
                None => d,
            })
        })
        .collect()
}
