//! The regions params' values bring into a statement's rendering, which
//! the ARN checks judge where the values are given, not at each use.
//! Asked only of a rendering with an E0316 (`summary_judging_given`).

use super::known;
use crate::expand::Env;
use crate::ir::{ConditionEntry, ParamValue, Program, Statement};
use crate::variants;

use super::Pass;
use super::statements::StatementSummary;

/// The summary of what `render` renders of `s`, the regions that params'
/// values bring judged where they are given (`given_regions`): a first
/// summary judges every region; only one with an E0316, in a file with a
/// partition param, renders the statement again and judges it without
/// them (a rendering looked at first for such regions cost every
/// statement, and a cold analysis of `policies.pcl` 0.4 %).
pub(super) fn summary_judging_given(
    program: &Program,
    (s, blocks): (&Statement, &[&ConditionEntry]),
    env: &Env<'_>,
    (pass, partition): (Pass, &str),
    render: &dyn Fn() -> crate::expand::ExpandedStatement,
) -> StatementSummary {
    let summary = super::statements::summary_of(render(), (s, env), (pass, partition, &[]));
    let judged_a_region = summary.findings.iter().any(|d| d.code == crate::diagnostic::Code::ArnPartition);
    if partition.is_empty() || !judged_a_region {
        return summary;
    }
    let given = given_regions(program, (s, blocks), env);
    match given.is_empty() {
        true => summary,
        false => super::statements::summary_of(render(), (s, env), (pass, partition, &given)),
    }
}

/// The regions that the values of the `region` and `arn` params a
/// statement reads bring (`known::params_read`): judged where they are
/// given (a default against the partition's default, E0203; a `--set`
/// value against the partition built), not at each use, as a region written
/// out in the text is (E0316). A default of `aws` was E0316 at every use in
/// the renderings of the other partitions, though a build there must be
/// given another. Only what the statement reads: its renderings are kept by
/// those params (`known.rs`).
pub(super) fn given_regions(
    program: &Program,
    (s, blocks): (&Statement, &[&ConditionEntry]),
    env: &Env<'_>,
) -> Vec<String> {
    let (vars, reads) = variants::statement_reads(program, s, blocks);
    let mut given = Vec::new();
    for name in known::params_read(program, (s, blocks), &reads, &vars) {
        let Some(param) = program.params().find(|(p, _)| *p == name.as_str()).map(|(_, p)| p) else { continue };
        let values: &[String] = match env.params.get(name.as_str()) {
            Some(ParamValue::One(v)) => std::slice::from_ref(v),
            Some(ParamValue::Many(vs)) => vs,
            None => &[],
        };
        for value in values {
            let region = match param.ty.scalar {
                crate::ir::ScalarType::Region => pcl_iam::partitions::region_partition(value).map(|_| value.as_str()),
                crate::ir::ScalarType::Arn => pcl_iam::values::named_region(value),
                _ => None,
            };
            given.extend(region.map(str::to_owned));
        }
    }
    given.sort_unstable();
    given.dedup();
    given
}
