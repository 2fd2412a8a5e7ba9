//! The regions params' values bring into a statement's rendering, which
//! the ARN checks judge where the values are given, not at each use.
//! Asked only of a rendering with an E0316 (`statements::summary_judging_given`).

use super::known;
use crate::expand::Env;
use crate::ir::{ConditionEntry, ParamValue, Program, ScalarType, Statement};
use crate::variants;

/// The regions that the values of the `region` and `arn` params a
/// statement reads bring (`known::params_read`): judged where they are
/// given (a default against the partition's default, E0203; a `--set`
/// value against the partition built), not at each use, as a region written
/// out in the text is (E0316). A default of `aws` was E0316 at every use in
/// the renderings of the other partitions, though a build there must be
/// given another. Only what the statement reads: its renderings are kept by
/// those params (`known.rs`).
pub(super) fn given_regions(program: &Program, (s, blocks): (&Statement, &[&ConditionEntry]), env: &Env<'_>) -> Given {
    let (vars, reads) = variants::statement_reads(program, s, blocks);
    let mut given = Given::default();
    for name in known::params_read(program, (s, blocks), &reads, &vars) {
        let values: &[String] = match env.params.get(name.as_str()) {
            Some(ParamValue::One(v)) => std::slice::from_ref(v),
            Some(ParamValue::Many(vs)) => vs,
            None => &[],
        };
        let scalar = program.param(name.as_str()).map(|param| param.ty.scalar);
        for value in values {
            // a region, or an ARN that names one, whatever the param's type
            let (as_region, in_arn) =
                (pcl_iam::partitions::region_partition(value), pcl_iam::values::named_region(value));
            given.by_type |= as_region.is_some() || in_arn.is_some();
            let region = match scalar {
                Some(ScalarType::Region) => as_region.map(|_| value.as_str()),
                Some(ScalarType::Arn) => in_arn,
                _ => None,
            };
            given.regions.extend(region.map(str::to_owned));
        }
    }
    given.regions.sort_unstable();
    given.regions.dedup();
    given
}

/// The regions a statement's params bring (`given_regions`).
#[derive(Default)]
pub(super) struct Given {
    pub regions: Vec<String>,
    /// Some param it reads has a value that is a region or an ARN naming
    /// one: which of them are given depends on the params' types, which
    /// the renderings kept across edits do not track (they know the params
    /// by value), so such a summary is not kept.
    pub by_type: bool,
}
