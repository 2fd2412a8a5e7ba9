//! `pcl render ITEM`: one document (a policy, or a role's properties) for
//! one configuration, on stdout; or, with `--variants`, the item's
//! configurations and the files a build writes for them.

use std::collections::BTreeMap;

use clap::Args;
use pcl_codegen::OutputKind;
use pcl_semantics::Diagnostic;
use pcl_semantics::RootDatabase;
use pcl_semantics::config::Config;
use pcl_semantics::diagnostic::suggest;
use pcl_semantics::ir::{ItemIr, ParamValue, Program};
use pcl_semantics::variants::{configurations, feature_deps};

use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Print one policy or role for one configuration, or list its configurations",
    after_help = "Examples:\n  pcl render head_node                          # every feature at its default\n  pcl render head_node_role --set scheduler=awsbatch --set partition=aws-us-gov\n  pcl render head_node --variants               # its configurations and their files\n  pcl render user_base --deployable --set account=123456789012 --set region=us-east-1 ...\n\nFeatures not pinned with --set take their defaults. Exit status: 0 rendered, 1 errors in the file\nor (with --deployable) placeholders left, 2 usage errors (unknown item, bad --set, a configuration\nthe constraints exclude or in which the item is not rendered, pins that leave it no configuration\nthat renders)."
)]
pub struct RenderArgs {
    /// The policy or role to render.
    pub item: String,
    /// The source file.
    #[arg(default_value = "policies.pcl")]
    pub file: String,
    #[command(flatten)]
    pub set: super::SetArgs,
    /// List the item's configurations (those the pins allow) and their files.
    #[arg(long)]
    pub variants: bool,
    /// Fail if a param's placeholder would remain in the document or decide it (a guard reads it).
    #[arg(long)]
    pub deployable: bool,
    /// Which part of a split (`splittable`) policy to print, from 1.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub part: u32,
}

pub fn run(args: &RenderArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    let mut db = RootDatabase::default();
    let file = match super::load(&mut db, &args.file, &reporter) {
        Ok(file) => file,
        Err(code) => return code,
    };
    let text = file.text(&db);
    let analysis = super::analyze(&db, file);
    if analysis.has_errors() {
        super::print_analysis(analysis, &args.file, text, &reporter);
        return crate::EXIT_ERRORS;
    }
    let program = &analysis.program;
    let kind = match program.get(&args.item).map(|i| &*i.ir) {
        Some(ItemIr::Policy { .. }) => OutputKind::Policy,
        Some(ItemIr::Role { .. }) => OutputKind::Role,
        Some(_) => {
            reporter.plain_error(&format!("`{}` is not a policy or a role; only those render", args.item));
            return crate::EXIT_USAGE;
        }
        None => {
            let renderable =
                program.items().iter().filter(|i| matches!(*i.ir, ItemIr::Policy { .. } | ItemIr::Role { .. }));
            let help = suggest(&args.item, renderable.map(|i| i.name.as_str()))
                .map(|s| format!("\n  help: {s}"))
                .unwrap_or_default();
            reporter.plain_error(&format!("no policy or role is named `{}`{help}", args.item));
            return crate::EXIT_USAGE;
        }
    };
    let set = &args.set.set;
    let config = match super::configure_or_report(
        analysis,
        set,
        &args.file,
        text,
        &reporter,
        &super::DenyArgs { deny: Vec::new() },
    ) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let deps = feature_deps(program, &args.item);
    let Some(allowed) = configurations(program, &deps, &config.pins, &config.params) else {
        reporter.plain_error(&format!("`{}` has too many configurations to list", args.item));
        return crate::EXIT_ERRORS;
    };
    let idle = idle_pins(program, &deps, &config, &allowed);
    warn_about_idle_pins(&reporter, &args.item, &idle, &deps);
    if let Some(message) = nothing_rendered(program, kind, &args.item, &config, &idle, (&deps, &allowed)) {
        let help = format!("\n  help: its configurations: pcl render {} {} --variants", args.item, args.file);
        reporter.plain_error(&format!("{message}{help}"));
        return crate::EXIT_USAGE;
    }
    let defaults = defaults_of(program, &deps, &config);
    if args.variants {
        let rendered = pcl_codegen::render_item(program, &config, &args.item, "");
        let files: Vec<&pcl_codegen::Configuration> = rendered.iter().flat_map(|r| &r.configurations).collect();
        for features in &allowed {
            let shown: Vec<String> = deps.iter().filter_map(|d| features.get(d).map(|v| format!("{d}={v}"))).collect();
            let path = match files.iter().find(|c| c.features == *features) {
                Some(c) if c.parts.is_empty() => c.path.clone(),
                Some(c) => c.parts.join(" + "),
                None => "(not rendered: its guard is false)".to_string(),
            };
            let mark = if *features == defaults { "  (default)" } else { "" };
            println!("{}  {path}{mark}", if shown.is_empty() { "(no features)".to_string() } else { shown.join(" ") });
        }
        return crate::EXIT_OK;
    }
    if !allowed.contains(&defaults) {
        reporter.plain_error(&format!(
            "the constraints exclude this configuration of `{}` ({}); pin other values (see --variants)",
            args.item,
            describe(&deps, &defaults)
        ));
        return crate::EXIT_USAGE;
    }
    let Some((parts, params_read)) = pcl_codegen::render_parts_reading(program, kind, &args.item, &defaults, &config)
    else {
        reporter.plain_error(&format!(
            "`{}` is not rendered when {} (its own guard is false)",
            args.item,
            describe(&deps, &defaults)
        ));
        return crate::EXIT_USAGE;
    };
    let Some(document) = parts.get(usize::try_from(args.part.saturating_sub(1)).unwrap_or(usize::MAX)) else {
        reporter.plain_error(&format!(
            "`{}` has {} part(s) here; --part {} does not exist",
            args.item,
            parts.len(),
            args.part
        ));
        return crate::EXIT_USAGE;
    };
    if parts.len() > 1 {
        reporter.note(&format!(
            "`{}` is split into {} parts here; this is part {} (--part N prints another)",
            args.item,
            parts.len(),
            args.part
        ));
    }
    // what would make `pcl build` refuse this document, it refuses too
    let over = over_quota(program, &config, &args.item, &defaults);
    if !over.is_empty() {
        reporter.diagnostics(&args.file, text, &over);
        return crate::EXIT_ERRORS;
    }
    if args.deployable {
        // every part deploys, so every part must be free of placeholders
        let left = super::placeholders_in(program, set, &params_read);
        if !left.is_empty() {
            reporter.plain_error(&super::not_deployable(&left));
            return crate::EXIT_ERRORS;
        }
    }
    print!("{document}");
    crate::EXIT_OK
}

/// The configuration rendered: the pins, and each other feature at its default.
/// IAM's quotas (E0317) on the files of the item's configuration
/// `features`, as `pcl build` measures them (found by review: a policy
/// that a build refuses was printed).
fn over_quota(program: &Program, config: &Config, item: &str, features: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let partition = match config.params.get("partition") {
        Some(ParamValue::One(p)) => p.as_str(),
        _ => "",
    };
    // that configuration alone rendered, its features pinned
    let mut printed = config.clone();
    printed.pins.extend(features.iter().map(|(k, v)| (k.clone(), v.clone())));
    let Some(rendered) = pcl_codegen::render_item(program, &printed, item, partition) else { return Vec::new() };
    pcl_codegen::Quotas::new(program).check(&rendered)
}

fn defaults_of(program: &Program, deps: &[String], config: &Config) -> BTreeMap<String, String> {
    let default = |d: &str| program.features().find(|(n, _)| *n == d).map(|(_, f)| f.default.clone());
    deps.iter().filter_map(|d| Some((d.clone(), config.pins.get(d).cloned().or_else(|| default(d))?))).collect()
}

fn describe(deps: &[String], features: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = deps.iter().filter_map(|d| features.get(d).map(|v| format!("{d}={v}"))).collect();
    if parts.is_empty() { "no feature is set".into() } else { parts.join(", ") }
}

/// The pinned features the item does not depend on and whose pins, all
/// dropped, leave the constraints allowing the same configurations: those
/// change nothing. (A pin of another feature can exclude some through a
/// constraint: `iam_mode=restricted` excludes `scheduler=awsbatch`.)
fn idle_pins(program: &Program, deps: &[String], config: &Config, allowed: &[BTreeMap<String, String>]) -> Vec<String> {
    let mut kept = config.pins.clone();
    let mut idle = Vec::new();
    for feature in config.pins.keys().filter(|f| !deps.contains(f)) {
        let mut without = kept.clone();
        without.remove(feature);
        if configurations(program, deps, &without, &config.params).as_deref() == Some(allowed) {
            kept = without;
            idle.push(feature.clone());
        }
    }
    idle
}

/// A pin that changes nothing: say so.
fn warn_about_idle_pins(reporter: &Reporter, item: &str, idle: &[String], deps: &[String]) {
    for feature in idle {
        let depends = if deps.is_empty() { "no feature".to_string() } else { deps.join(", ") };
        reporter
            .note(&format!("warning: `--set {feature}` makes no difference to `{item}`, which depends on {depends}"));
    }
}

/// When the pins (those that change something) leave the item no
/// configuration that renders, why: its guard is false in each one left,
/// or the constraints leave none.
fn nothing_rendered(
    program: &Program,
    kind: OutputKind,
    item: &str,
    config: &Config,
    idle: &[String],
    (deps, allowed): (&[String], &[BTreeMap<String, String>]),
) -> Option<String> {
    let pins: Vec<String> =
        config.pins.iter().filter(|(f, _)| !idle.contains(f)).map(|(f, v)| format!("--set {f}={v}")).collect();
    if pins.is_empty() || allowed.iter().any(|f| pcl_codegen::render_one(program, kind, item, f, config).is_some()) {
        return None;
    }
    let pins = pins.join(" ");
    if allowed.is_empty() {
        return Some(format!("`{item}` has no configuration with {pins}: the constraints exclude every one"));
    }
    const SHOWN: usize = 4;
    let mut left: Vec<String> = allowed.iter().take(SHOWN).map(|f| describe(deps, f)).collect();
    if allowed.len() > SHOWN {
        left.push(format!("and {} more", allowed.len() - SHOWN));
    }
    Some(format!(
        "`{item}` is not rendered with {pins}: its own guard is false in every configuration the pins and the \
         constraints leave ({})",
        left.join("; ")
    ))
}
