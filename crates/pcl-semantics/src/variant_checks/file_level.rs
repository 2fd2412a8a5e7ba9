//! What every policy's and role's per-configuration checks share of the
//! params, features and constraints: computed once per file (by the
//! database, `db::configuring_facts`), so that an item's checks read only
//! its own closure, whatever the number of params and features.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::config::{Config, configure};
use crate::ir::Program;

/// What every policy's and role's per-configuration checks share, and the
/// database computes once per file (all of it depends only on the params,
/// features and constraints). Nothing here is per item: an item's checks
/// read only its own closure, whatever the number of params and features.
pub struct FileLevel<'a> {
    /// `check_configs` of the params, features and constraints (in a file
    /// opened to edit, as the params of the item's closure see them,
    /// `db::configs_over`: the checks must read no other param).
    pub configs: &'a [Config],
    pub assignments: Assignments<'a>,
    /// The file's partition param, if any.
    pub partition_param: Option<&'a str>,
    /// Some constraint reads the partition param.
    pub constraints_read_partition: bool,
    /// The params some constraint reads (sorted): the checks try no other
    /// value of theirs than the configurations hold (`alternatives`).
    pub constraint_params: &'a [String],
    /// `configs[0]` rendered for every partition at once (`symbolic_config`).
    pub symbolic: Option<&'a Config>,
    /// Some param, feature or constraint has an error.
    pub configuring_errors: bool,
    /// Whether statements' renderings are kept across items and edits
    /// (`known.rs`): in a file an editor edits, where the next edit of a set
    /// finds the other statements of its users rendered; a one-time check
    /// would only pay for keeping them.
    pub keeps_renderings: bool,
}

/// The assignments of features `deps` that a configuration allows
/// (`variants::configurations`), from wherever the caller keeps them. The
/// configuration is also given by its place among the configurations
/// checked (`check_configs`; a symbolic one stands in for the first, whose
/// assignments it shares: it differs only in the partition, which nothing
/// that decides the assignments then reads).
pub type Assignments<'a> = &'a dyn Fn(&[String], &Config, usize) -> Option<Cow<'a, [BTreeMap<String, String>]>>;

/// What an item's passes read beside its own closure.
#[derive(Clone, Copy)]
pub(super) struct Shared<'s, 'a> {
    pub(super) assignments: Assignments<'a>,
    /// The symbolic configuration, when the caller made it once for all items.
    pub(super) symbolic: Option<&'s Config>,
    /// See `FileLevel::keeps_renderings`; only where the program is the
    /// item's closure (`closure_findings`): a kept rendering holds every
    /// item of the program.
    pub(super) keeps: bool,
    /// The values of params the item's guards compare that the checked
    /// configurations do not hold (`alternatives`).
    pub(super) alternatives: &'s [super::Alternative],
    /// Every configuration checked (`FileLevel::configs`), where an item
    /// checked in the first alone finds the partition of a value it is
    /// rendered with beyond those (`alternatives`).
    pub(super) file_configs: &'s [Config],
}

/// The first configuration with the partition param left as
/// `${partition}`: one rendering that stands for every partition when
/// nothing reads the partition (see `item_findings_counted`).
pub fn symbolic_config(program: &Program, configs: &[Config], partition_param: &str) -> Option<Config> {
    configs.first().map(|cfg| {
        let mut cfg = cfg.clone();
        cfg.params.insert(partition_param.to_string(), crate::ir::ParamValue::One(SYMBOLIC_PARTITION.to_string()));
        rehome_arn_defaults(program, &mut cfg.params, SYMBOLIC_PARTITION);
        cfg
    })
}

/// The ARN params' defaults written for partition `to` (`arn:aws:s3:::b` ->
/// `arn:aws-cn:s3:::b`): a default names one partition, and is judged
/// against the partition param's default alone, once, at the default
/// (`other_partition::default_findings`, as a region's is); a build for
/// another partition that keeps it is refused at its `--set`
/// (`other_partition::set_errors`). In the check's rendering for another
/// partition it stands for the ARN such a build is given (it was E0316 at
/// every use, which failed even a build that set both).
fn rehome_arn_defaults(program: &Program, params: &mut BTreeMap<String, crate::ir::ParamValue>, to: &str) {
    let rehome = |value: &mut String| {
        let Some((partition, rest)) = value.strip_prefix("arn:").and_then(|v| v.split_once(':')) else { return };
        if pcl_iam::partitions::partition(partition).is_some() {
            *value = format!("arn:{to}:{rest}");
        }
    };
    for (name, param) in program.params() {
        if param.ty.scalar != crate::ir::ScalarType::Arn {
            continue;
        }
        match params.get_mut(name) {
            Some(crate::ir::ParamValue::One(value)) => rehome(value),
            Some(crate::ir::ParamValue::Many(values)) => values.iter_mut().for_each(rehome),
            None => {}
        }
    }
}

/// Whether a constraint of `program` reads the param `p`.
pub fn constraints_read(program: &Program, p: &str) -> bool {
    program.constraints().any(|(_, cond, _)| {
        let mut read = Vec::new();
        cond.vars(&mut read);
        read.iter().any(|v| v == p)
    })
}

/// The configurations `pcl check` checks: with no `--set` values, once per
/// partition when the file has a `partition` param (guards may compare it).
/// An item that does not read the partition is checked in the first alone
/// (`closure_findings`).
pub fn check_configs(program: &Program) -> Vec<Config> {
    let Ok(base) = configure(program, &[]) else { return Vec::new() };
    match program.partition_param() {
        // what `configure` makes of `--set partition=P`, without validating
        // the rest again for each partition
        Some(param) => crate::iam::PARTITIONS
            .iter()
            .map(|p| {
                let mut cfg = base.clone();
                cfg.params.insert(param.to_string(), crate::ir::ParamValue::One(p.to_string()));
                rehome_arn_defaults(program, &mut cfg.params, p);
                cfg.given.insert(param.to_string());
                cfg
            })
            .collect(),
        None => vec![base],
    }
}

/// The partition value of a rendering that stands for every partition.
pub(super) const SYMBOLIC_PARTITION: &str = pcl_iam::values::EVERY_PARTITION;
