//! `cargo xtask build-policies`: compile `policies.pcl` once per partition into
//! `DIR/<partition>/`, replacing DIR as a whole, or check that DIR is current.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pcl_cli::interrupt::{enable, finish, note, output_state};
use pcl_cli::output_dir::{OutputError, PreparingReplace, Replaced, Staging};
use pcl_cli::report::{self, ColorChoice, Reporter};
use pcl_semantics::config::configure;
use pcl_semantics::{RootDatabase, Severity, SourceFile, analyze_file};

use pcl_cli::diff::{Detail, Tree, diff_trees};

const DEFAULT_FILE: &str = "policies.pcl";
const DEFAULT_OUT: &str = "dist/policies";
const HINT: &str = "run `cargo xtask build-policies`, review `git diff dist/policies` and commit it";

/// What to do about an output that is missing or out of date: the hint for
/// the committed default, or a rebuild of the directory given.
fn hint(shown: &str) -> String {
    match shown == DEFAULT_OUT {
        true => HINT.to_string(),
        false => format!("run `cargo xtask build-policies --out {shown}`"),
    }
}

#[derive(clap::Args)]
#[command(
    about = "Render policies.pcl for every partition into dist/policies/<partition>/",
    long_about = "Checks policies.pcl, then renders every policy and role for each AWS partition \
(by default the page's: aws, aws-us-gov, aws-cn) into DIR/<partition>/, with an index.json per partition. \
DIR is replaced as a whole and atomically: on any error it keeps its previous content.",
    after_help = "Examples:\n  cargo xtask build-policies\n  cargo xtask build-policies --check\n  cargo xtask build-policies --out /tmp/policies\n  cargo xtask build-policies --out /tmp/iso --partition aws-iso --partition aws-iso-b\n\nThe defaults are relative to the workspace root; paths given on the command line are relative to the current directory."
)]
pub struct Args {
    /// Output directory [default: <workspace>/dist/policies].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Render in memory and fail if DIR differs, showing per item what changed; write nothing.
    #[arg(long)]
    pub check: bool,
    /// With --check: `summary` (changes per item, grouped) or `full` (also unified diffs).
    #[arg(long = "diff", value_enum, default_value_t = Detail::Summary, requires = "check")]
    pub detail: Detail,
    /// Let warnings pass (a release build denies them: fix each, or acknowledge it
    /// in the source with `expect CODE "reason"`).
    #[arg(long)]
    pub allow_warnings: bool,
    /// A partition to build (repeatable) [default: aws, aws-us-gov, aws-cn]; any of
    /// aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc.
    #[arg(long = "partition", value_name = "P", value_parser = partition_name)]
    pub partitions: Vec<&'static str>,
    /// The source file [default: <workspace>/policies.pcl] (for testing).
    #[arg(long, value_name = "PATH", hide = true)]
    pub file: Option<PathBuf>,
}

/// A partition's name, as clap reads it.
fn partition_name(name: &str) -> Result<&'static str, String> {
    pcl_semantics::iam::partitions::partition(name).map(|p| p.name).ok_or_else(|| {
        let help = pcl_semantics::iam::suggest(name, pcl_semantics::iam::PARTITIONS)
            .map(|s| format!("; {s}"))
            .unwrap_or_default();
        format!("unknown partition `{name}` (the partitions are {}){help}", pcl_semantics::iam::PARTITIONS.join(", "))
    })
}

/// Why the task failed; the exit code follows the kind.
enum Fail {
    /// Errors in the input, or an out-of-date DIR (already reported in detail).
    Input(String),
    /// Usage or I/O errors.
    Io(String),
    /// Stopped by a signal: `run` says so.
    Quiet,
}

impl Fail {
    fn report(self) -> u8 {
        match self {
            Fail::Input(m) => {
                eprintln!("error: {m}");
                crate::EXIT_ERRORS
            }
            Fail::Io(m) => {
                eprintln!("error: {m}");
                crate::EXIT_USAGE
            }
            Fail::Quiet => crate::EXIT_USAGE,
        }
    }
}

/// The files of one partition, for the summary.
struct PartitionStats {
    partition: &'static str,
    files: usize,
    bytes: usize,
}

pub fn run(args: &Args, root: &Path) -> u8 {
    let (out, out_shown) = resolve(args.out.as_deref(), root, DEFAULT_OUT);
    if args.check {
        return build(args, root, &out, &out_shown);
    }
    // SIGINT and SIGTERM end the build at once while it has changed nothing,
    // saying so, and stop it at a safe point once it has begun to change the
    // file system (see `pcl_cli::interrupt`)
    let (early_out, early_shown) = (out.clone(), out_shown.clone());
    enable(move |signal| format!("build-policies: {}", note(signal, &output_state(&early_out, &early_shown, false))));
    let code = build(args, root, &out, &out_shown);
    let Some(stopped) = finish() else { return code };
    let (signal, done) = stopped.signal_and_done(code);
    eprintln!("build-policies: {}", note(signal, &output_state(&out, &out_shown, done)));
    signal.exit_code()
}

/// The task (a build, or `--check`); its exit code.
fn build(args: &Args, root: &Path, out: &Path, out_shown: &str) -> u8 {
    let started = Instant::now();
    let color = ColorChoice::Auto.enabled();
    let (file, file_shown) = resolve(args.file.as_deref(), root, DEFAULT_FILE);

    // The output is audited (its files read and hashed) beside the analysis.
    let preparing = (!args.check).then(|| {
        let manifests = chosen_partitions(&args.partitions).iter().map(|p| format!("{p}/index.json")).collect();
        PreparingReplace::start(out.to_path_buf(), manifests, file.clone())
    });
    let mut db = RootDatabase::default();
    let configured = match analyze(&mut db, &file, &file_shown, color, !args.allow_warnings, &args.partitions) {
        Ok(configured) => configured,
        Err(fail) => {
            let code = fail.report();
            if !args.check {
                eprintln!("error: nothing written to {out_shown}");
            }
            return code;
        }
    };
    let result = match preparing {
        Some(preparing) => write(preparing, out_shown, &configured).map(|(stats, replaced)| {
            let verb = match replaced {
                Replaced::Written { kept } => {
                    if let Some(kept) = kept {
                        eprintln!("warning: {kept}");
                    }
                    "written"
                }
                Replaced::Unchanged => "unchanged, nothing to write",
            };
            (stats, verb)
        }),
        None => check(out, out_shown, &file, &file_shown, &configured, args.detail).map(|s| (s, "is up to date")),
    };
    match result {
        Ok((stats, verb)) => {
            let per_partition: Vec<String> =
                stats.iter().map(|s| format!("{} {} files", s.partition, s.files)).collect();
            let files: usize = stats.iter().map(|s| s.files).sum();
            let bytes: usize = stats.iter().map(|s| s.bytes).sum();
            // said once the output is replaced (`done`: a stream that cannot
            // be written now must not make the finished build a failed one)
            Reporter::new(color).done(&format!(
                "build-policies: {out_shown} {verb}: {} ({files} files, {bytes} bytes) in {:.2}s",
                per_partition.join(", "),
                started.elapsed().as_secs_f64()
            ));
            crate::EXIT_OK
        }
        Err(fail) => fail.report(),
    }
}

/// Each partition of the checked program and its documents: rendered once,
/// for the quota checks, and then written or compared.
struct Configured {
    partitions: Vec<(&'static str, Rendering)>,
}

/// One partition's documents, what IAM's quotas say of them, and its index.
struct Rendering {
    items: Vec<pcl_codegen::Rendered>,
    over_quota: Vec<pcl_semantics::Diagnostic>,
    index: String,
}

impl Rendering {
    fn of(program: &pcl_semantics::ir::Program, config: &pcl_semantics::config::Config) -> Rendering {
        let items = pcl_codegen::render_items(program, config);
        let quotas = pcl_codegen::Quotas::new(program);
        let over_quota = items.iter().flat_map(|rendered| quotas.check(rendered)).collect();
        let index = pcl_codegen::index_json(program, config, &items);
        Rendering { items, over_quota, index }
    }

    /// Its files (`index.json` among them) and their bytes, for the summary.
    fn stats(&self, partition: &'static str) -> PartitionStats {
        let files = self.items.iter().flat_map(|rendered| &rendered.files);
        let (files, bytes) = files.fold((1, self.index.len()), |(n, bytes), f| (n + 1, bytes + f.contents.len()));
        PartitionStats { partition, files, bytes }
    }
}

impl Configured {
    /// The partitions rendered.
    fn partitions(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.partitions.iter().map(|(partition, _)| *partition)
    }

    /// Every file of every partition, in memory (what `--check` compares).
    fn files(&self) -> (Vec<(String, String)>, Vec<PartitionStats>) {
        let mut files = Vec::new();
        let mut stats = Vec::new();
        for (partition, rendering) in &self.partitions {
            for item in &rendering.items {
                files.extend(item.files.iter().map(|f| (format!("{partition}/{}", f.path), f.contents.clone())));
            }
            files.push((format!("{partition}/index.json"), rendering.index.clone()));
            stats.push(rendering.stats(partition));
        }
        (files, stats)
    }
}

/// A path given on the command line is taken as is (relative to the current
/// directory); the default is relative to the workspace root. The second
/// value is how the path is shown in messages.
fn resolve(given: Option<&Path>, root: &Path, default: &str) -> (PathBuf, String) {
    match given {
        Some(p) => (p.to_path_buf(), p.display().to_string()),
        None => (root.join(default), default.to_string()),
    }
}

/// Analyses the source, configures it for every partition and renders each
/// partition's documents (on a thread of their own); prints diagnostics.
fn analyze<'db>(
    db: &'db mut RootDatabase,
    file: &Path,
    shown: &str,
    color: bool,
    deny_warnings: bool,
    chosen: &[&'static str],
) -> Result<Configured, Fail> {
    let reporter = Reporter::new(color);
    let bytes = std::fs::read(file).map_err(|e| Fail::Io(format!("cannot read {}: {e}", file.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Fail::Input(format!("{shown} is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    })?;

    let source = SourceFile::open(db, shown.to_string(), text.clone());
    let db: &'db RootDatabase = db;
    // The documents read the program alone, which the analysis shares with
    // the file-wide checks. When those find no error in a file analysed on
    // one thread (below `PARALLEL_FROM_BYTES`), each partition's documents
    // are rendered beside the rest of the analysis, as `pcl build` renders
    // them; a larger file's analysis keeps every core busy already, and its
    // errors are not kept waiting for renderings: they start once it passed.
    let wide = pcl_semantics::file_wide_analysis(db, source);
    let program: &'db pcl_semantics::ir::Program = &wide.program;
    let (configs, unconfigurable) = configurations(program, chosen);
    let configs = &configs;
    let early = !wide.has_errors() && text.len() < pcl_semantics::PARALLEL_FROM_BYTES;
    std::thread::scope(|scope| {
        let mut renderings = Vec::new();
        let render_all = |renderings: &mut Vec<_>| {
            let threads = configs.iter().map(|(_, config)| Some(scope.spawn(move || Rendering::of(program, config))));
            renderings.extend(threads);
        };
        if early {
            render_all(&mut renderings);
        }
        let result = (|| {
            let analysis = analyze_file(db, source);
            debug_assert!(std::ptr::eq(program, &*analysis.program), "the analysis's program is the file-wide one");
            reporter.diagnostics(shown, &text, &analysis.diagnostics);
            report::summary(shown, &analysis.diagnostics, &reporter);
            if analysis.has_errors() {
                return Err(Fail::Input(format!("{shown} has errors")));
            }
            let warnings = analysis.diagnostics.iter().filter(|d| d.severity() == Severity::Warning).count();
            if deny_warnings && warnings > 0 {
                return Err(Fail::Input(format!(
                    "{shown} has {warnings} warning{}, denied in a release build; fix each, or acknowledge it with `expect CODE \"reason\"` (or pass --allow-warnings)",
                    if warnings == 1 { "" } else { "s" }
                )));
            }
            if renderings.is_empty() {
                render_all(&mut renderings);
            }
            let mut partitions = Vec::new();
            // each partition's checks on this thread, in order: its memos of
            // linted statements and catalog lookups are warm from the
            // analysis (on threads of their own, each took twice as long)
            for ((partition, config), rendering) in configs.iter().zip(renderings.iter_mut()) {
                let set = pcl_cli::set_arg::show(&("partition".to_string(), partition.to_string()));
                // a panic (a bug) fails the task as one on a thread of its own does
                let checks = std::panic::AssertUnwindSafe(|| pcl_semantics::check_configuration(program, config));
                let found = std::panic::catch_unwind(checks)
                    .map_err(|_| Fail::Io(format!("checking {shown} with `{set}` failed")))?;
                let mut diags = analysis.configuration_news(found);
                let Some(Ok(rendering)) = rendering.take().map(|thread| thread.join()) else {
                    return Err(Fail::Io(format!("rendering {shown} with `{set}` failed")));
                };
                diags.extend(rendering.over_quota.iter().cloned());
                if !diags.is_empty() {
                    eprintln!("with `{set}`:");
                }
                reporter.diagnostics(shown, &text, &diags);
                if diags.iter().any(|d| d.severity() == Severity::Error || deny_warnings) {
                    return Err(Fail::Input(format!("{shown} has errors (or denied warnings) with `{set}`")));
                }
                partitions.push((*partition, rendering));
            }
            if let Some((assignment, errors)) = &unconfigurable {
                for e in errors {
                    reporter.set_error(shown, &text, program, assignment, e);
                }
                let set = pcl_cli::set_arg::show(&assignment[0]);
                return Err(Fail::Input(format!("{shown} cannot be configured with `{set}`")));
            }
            Ok(Configured { partitions })
        })();
        // every thread joined here, one that panicked too: left to the scope,
        // a panicked thread would make it panic after an early return
        for thread in renderings.into_iter().flatten() {
            let _ = thread.join();
        }
        result
    })
}

/// The first partition that cannot be configured: its `--set`-style
/// assignment, and why.
type Unconfigurable = ([(String, String); 1], Vec<pcl_semantics::config::SetError>);

/// Each partition configured, in order, up to the first that cannot be
/// (reported after the checks of those before it, as a loop would), and
/// that one's assignment and errors.
fn configurations(
    program: &pcl_semantics::ir::Program,
    chosen: &[&'static str],
) -> (Vec<(&'static str, pcl_semantics::config::Config)>, Option<Unconfigurable>) {
    let mut configs = Vec::new();
    for partition in chosen_partitions(chosen) {
        let assignment = [("partition".to_string(), partition.to_string())];
        match configure(program, &assignment) {
            Ok(config) => configs.push((partition, config)),
            Err(errors) => return (configs, Some((assignment, errors))),
        }
    }
    (configs, None)
}

/// Writes every partition's rendered items into `out` and swaps it in
/// atomically. (Unlike `pcl build`, which writes one document at a time,
/// this holds the three partitions' documents, rendered once for the quota
/// checks: rendering them again to write them was a third of its time.)
fn write(
    preparing: PreparingReplace,
    shown: &str,
    configured: &Configured,
) -> Result<(Vec<PartitionStats>, Replaced), Fail> {
    let mut stats = Vec::new();
    let mut write = |staging: &mut Staging<'_>| {
        stats.clear();
        for (partition, rendering) in &configured.partitions {
            for file in rendering.items.iter().flat_map(|rendered| &rendered.files) {
                staging.write_file(&format!("{partition}/{}", file.path), file)?;
            }
            staging.write(&format!("{partition}/index.json"), rendering.index.as_bytes())?;
            stats.push(rendering.stats(partition));
        }
        Ok(())
    };
    let mut on_wait = || eprintln!("build-policies: waiting: another build is writing {shown}");
    let replaced = preparing
        .finish(&mut on_wait)
        .and_then(|prepared| prepared.replace_with(&mut write))
        .map_err(|e| refusal(shown, e))?;
    Ok((stats, replaced))
}

/// How a refused or failed write is reported; `--check` reports the same.
fn refusal(shown: &str, e: OutputError) -> Fail {
    if let OutputError::Interrupted(_) = e {
        // said by `run`, once
        Fail::Quiet
    } else if let OutputError::InsideOutput { .. } = e {
        let help = e.help().map(|help| format!("\n  help: {help}")).unwrap_or_default();
        Fail::Io(format!("cannot build into {shown}: {e}; nothing was written{help}"))
    } else if e.is_refusal() {
        Fail::Io(format!("refusing to replace {shown}: {e}"))
    } else {
        Fail::Io(format!("cannot write {shown}: {e}; its previous content is kept"))
    }
}

/// Compares the rendered files with `out`; writes nothing. `out` is audited
/// with the build's own rule first: where the build would refuse to replace
/// it, so does the check, with the same message and exit status.
fn check(
    out: &Path,
    shown: &str,
    source: &Path,
    source_shown: &str,
    configured: &Configured,
    detail: Detail,
) -> Result<Vec<PartitionStats>, Fail> {
    let (files, stats) = configured.files();
    let files = &files;
    // the build's own manifests: a policy named `index` is no index
    let manifests = configured.partitions().map(|p| format!("{p}/index.json")).collect();
    let on_disk = match pcl_cli::output_dir::inspect(out, &manifests, source) {
        Ok(Some(tree)) => tree,
        Ok(None) => {
            return Err(Fail::Input(format!("{shown} does not exist\n  hint: {}", hint(shown))));
        }
        Err(e) if e.is_refusal() => {
            return Err(Fail::Io(format!("{shown} cannot be built: refusing to replace it: {e}")));
        }
        Err(e) => return Err(Fail::Io(format!("cannot read {shown}: {e}"))),
    };
    let expected: Tree = files.iter().map(|(p, c)| (p.clone(), c.clone().into_bytes())).collect();
    let report = diff_trees(&on_disk, &expected, detail, shown, &format!("(from {source_shown})"));
    if report.is_empty() {
        return Ok(stats);
    }
    eprint!("{}", report.text);
    // a file the committed index lists and the directory lacks: building
    // again writes it
    for problem in &report.problems {
        eprintln!("{}", problem.message);
    }
    let more = if detail == Detail::Full { "" } else { "; `--diff full` shows unified diffs" };
    Err(Fail::Input(format!(
        "{shown} is out of date with {source_shown}: {} item{} changed, {} file{} differ{more}\n  hint: {}",
        report.items_changed,
        if report.items_changed == 1 { "" } else { "s" },
        report.files_changed,
        if report.files_changed == 1 { "" } else { "s" },
        hint(shown),
    )))
}

/// The partitions to build, each once, in the order given (the page's by default).
fn chosen_partitions(chosen: &[&'static str]) -> Vec<&'static str> {
    let wanted: Vec<&'static str> =
        if chosen.is_empty() { pcl_semantics::iam::partitions::PAGE_PARTITIONS.to_vec() } else { chosen.to_vec() };
    let mut seen = std::collections::BTreeSet::new();
    wanted.into_iter().filter(|p| seen.insert(*p)).collect()
}
