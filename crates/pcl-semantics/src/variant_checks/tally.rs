//! One pass over an item's configurations: each rendered, checked, and
//! its findings counted (`Tallies`), with the configurations each occurs in.

use rustc_hash::FxHashMap as HashMap;

use super::file_level::SYMBOLIC_PARTITION;
use super::roles::own_role_findings;
use super::shapes::policy_shape_findings;
use super::statements::{self, RenderedStatement, StatementCache};
use super::tallies::{Counting, Tallies};
use super::{Context, Finding, Pass, here};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::expand::{Env, walk_policy};
use crate::variants;

/// What a role's own findings in one assignment are a function of: the
/// values of the features its own guards read (`Context::own_deps`), and
/// whether each policy it attaches whole is there (`variants::
/// attached_guards`).
type RoleKey<'f> = (Vec<Option<&'f str>>, Vec<bool>);

/// What passes over an item's configurations have counted: each finding's
/// tally, and how many configurations (feature assignments) they went through.
#[derive(Default)]
pub(super) struct Counted {
    pub(super) tallies: Tallies,
    pub(super) total: usize,
}

/// Runs one pass over every configuration of `item` under `configs` (the
/// first of them at `first_slot` among the configurations checked), adding
/// what it finds to `counted`. `extra`: params' values the configurations
/// hold beyond the checked ones' (`alternatives`), counted as part of each
/// configuration, so that the findings name it. Err: the item has too many
/// configurations, and that is its one finding.
pub(super) fn tally(
    context: &Context<'_, '_>,
    (configs, first_slot): (&[Config], usize),
    (report_empty, pass): (bool, Pass),
    extra: &[(&str, &str)],
    counted: &mut Counted,
) -> Result<(), Vec<Finding>> {
    let Context {
        program,
        item,
        is_policy,
        deps,
        own_deps,
        partition_param,
        assignments,
        keeps,
        regions_allowed,
        guards_read_params,
    } = *context;
    let Counted { tallies, total } = counted;
    let attached = if is_policy { Vec::new() } else { variants::attached_guards(program, &item.ir) };
    for (slot, cfg) in configs.iter().enumerate() {
        let Some(assignments) = assignments(deps, cfg, first_slot + slot) else {
            let kind =
                DiagnosticKind::TooManyConfigurations { item: item.name.as_str().to_owned(), deps: deps.to_vec() };
            let d = kind.at(item.name_span);
            return Err(vec![Finding {
                origin: item.name.as_str().to_owned(),
                diagnostic: d,
                secondary_origins: Vec::new(),
            }]);
        };
        let partition = match partition_param.and_then(|p| cfg.params.get(p)) {
            Some(crate::ir::ParamValue::One(v)) if regions_allowed && v == SYMBOLIC_PARTITION => {
                pcl_iam::values::EVERY_PARTITION_REGIONS_ALLOWED.to_string()
            }
            Some(crate::ir::ParamValue::One(v)) => v.clone(),
            _ => String::new(),
        };
        // what each statement renders to under this configuration's params,
        // by the values of the features it reads: most assignments of the
        // item's features leave most of its statements alike
        // kept apart from the checked configurations' renderings when a
        // param holds a value beyond theirs (`alternatives`): in one place,
        // each would find the other's and render again at every edit
        let store: std::borrow::Cow<'_, str> = match extra {
            [] => partition.as_str().into(),
            _ => extra
                .iter()
                .fold(partition.clone(), |store, (name, value)| format!("{store}\u{1}{name}={value}"))
                .into(),
        };
        let mut statements = StatementCache::new(program, &cfg.params, (pass, &partition), keeps.then_some(&store));
        let fixed = crate::expand::FixedGuards::default();
        let mut name_findings: Option<Vec<Diagnostic>> = None;
        // a role's own findings, by the values of the features they read
        // and whether each policy it attaches whole is there: the features
        // its inline policies' bodies read multiply its configurations, not
        // its findings, and so do those of its policies' guards
        let mut role_findings: HashMap<RoleKey<'_>, Vec<Finding>> = HashMap::default();
        for features in assignments.iter() {
            *total += 1;
            // the extra value named as if a feature's (a copy: rare)
            let with_extra = (!extra.is_empty()).then(|| {
                let mut named = features.clone();
                for (name, value) in extra {
                    named.insert((*name).to_owned(), (*value).to_owned());
                }
                named
            });
            let counting =
                Counting { number: *total, features: with_extra.as_ref().unwrap_or(features), partition: &partition };
            let env = Env {
                program,
                features,
                params: &cfg.params,
                shape_only: pass == Pass::Shapes,
                restoring: false,
                reads: None,
                fixed: guards_read_params.then_some(&fixed),
            };
            if is_policy {
                let mut rendered: Vec<RenderedStatement<'_>> = Vec::new();
                // what the summaries leave out: the findings and empty
                // conditions of blocks another item's text holds (empty for
                // nearly every policy)
                let mut apart: Vec<statements::Apart> = Vec::new();
                let renders = walk_policy(program, &item.name, &env, &mut |s, blocks, block_origins, origin| {
                    // a statement of a permset included inside a block of
                    // another item: what is that item's is found apart
                    if block_origins.iter().any(|o| *o != origin) {
                        let (summary, found) =
                            statements.summary_apart((s, origin), (blocks, block_origins), &env, features);
                        apart.extend(found.iter().cloned());
                        rendered.push(RenderedStatement { statement: s, origin, summary });
                        return;
                    }
                    let summary = statements.summary(s, blocks, &env, features);
                    rendered.push(RenderedStatement { statement: s, origin, summary });
                });
                if !renders.renders() {
                    continue;
                }
                if renders == crate::expand::Walk::Cut {
                    let kind = DiagnosticKind::SetsRepeatTooOften { policy: item.name.as_str().to_owned() };
                    tallies.note(here(kind.at(item.name_span), &item.name), &counting);
                }
                policy_shape_findings((&rendered, &apart), item, report_empty, &mut |f| {
                    tallies.note(f, &counting);
                });
                if pass == Pass::Shapes {
                    continue;
                }
                let naming = name_findings.get_or_insert_with(|| {
                    // names and descriptions interpolate params only
                    let header = crate::expand::expand_policy_header(program, &item.name, &env);
                    header.map(|h| crate::content_checks::policy_name_findings(&h, item.name_span)).unwrap_or_default()
                });
                for d in naming.iter() {
                    tallies.note(here(d.clone(), &item.name), &counting);
                }
                for r in &rendered {
                    tallies.note_summary(&r.summary, r.origin, &counting);
                }
                for found in &apart {
                    if let statements::Apart::Finding(found) = found {
                        tallies.note(found.clone(), &counting);
                    }
                }
            } else {
                let own: Vec<Option<&str>> = own_deps.iter().map(|f| features.get(f).map(String::as_str)).collect();
                let present = attached.iter().map(|guard| env.holds(guard)).collect();
                let found = role_findings
                    .entry((own, present))
                    .or_insert_with(|| own_role_findings(item, &env, &partition, report_empty, pass));
                for finding in found.iter() {
                    tallies.note(finding.clone(), &counting);
                }
            }
        }
    }
    Ok(())
}
