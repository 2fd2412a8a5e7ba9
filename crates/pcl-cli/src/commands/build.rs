//! `pcl build`: render every policy and role into a directory, atomically.

use std::path::PathBuf;

use clap::Args;
use pcl_semantics::RootDatabase;

use pcl_cli::interrupt::{enable, finish, note, output_state};
use pcl_cli::output_dir::{EarlyPrepare, OutputError, PreparingReplace, Replaced, Staging};
use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Render IAM JSON for every policy and role, one file per configuration",
    after_help = "Examples:\n  pcl build --out dist\n  pcl build policies.pcl --out dist --set partition=aws-cn --set account=123456789012\n  pcl build --out dist --set scheduler=awsbatch --set fsx=true\n\nNAME is any param or feature; a feature set this way is pinned to that value.\nOn any error nothing is written and DIR keeps its previous content; so it does when the build is\ninterrupted (Ctrl-C: exit 130, SIGTERM: 143) before DIR is replaced."
)]
pub struct BuildArgs {
    /// The source file.
    #[arg(default_value = "policies.pcl")]
    pub file: String,
    /// Output directory (replaced as a whole on success).
    #[arg(long, short)]
    pub out: PathBuf,
    #[command(flatten)]
    pub set: super::SetArgs,
    /// Fail, writing nothing, if a param's placeholder would remain in any file or decide one (a guard reads it).
    #[arg(long)]
    pub deployable: bool,
    #[command(flatten)]
    pub deny: super::DenyArgs,
}

pub fn run(args: &BuildArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    let out_shown = args.out.display().to_string();
    // SIGINT and SIGTERM end the build at once while it has changed nothing,
    // saying so, and stop it at a safe point once it has begun to change the
    // file system (see `pcl_cli::interrupt`)
    let (out, shown) = (args.out.clone(), out_shown.clone());
    enable(move |signal| note(signal, &output_state(&out, &shown, false)));
    let code = build(args, &reporter, &out_shown);
    let Some(stopped) = finish() else { return code };
    let (signal, done) = stopped.signal_and_done(code);
    reporter.note(&note(signal, &output_state(&args.out, &out_shown, done)));
    signal.exit_code()
}

/// The build; its exit code.
fn build(args: &BuildArgs, reporter: &Reporter, out_shown: &str) -> u8 {
    // The output directory is resolved, locked and audited (every file read
    // and hashed) beside the loading and the analysis: it reads nothing they
    // make. (Should the source not load, the process ends with this thread,
    // which has only read.)
    let manifests = std::collections::BTreeSet::from(["index.json".to_string()]);
    let preparing = PreparingReplace::start(args.out.clone(), manifests, PathBuf::from(&args.file));
    // Never dropped: the process ends with the build, and freeing every memo
    // one by one would only cost time (as in `pcl check`).
    let mut db = std::mem::ManuallyDrop::new(RootDatabase::default());
    let file = match super::load(&mut db, &args.file, reporter) {
        Ok(file) => file,
        Err(code) => return code,
    };
    let text = file.text(&*db);
    let set = &args.set.set;
    let early = early_configuration(&db, file, set);
    let quotas = early.as_ref().map(|(wide, _)| pcl_codegen::Quotas::new(&wide.program));
    // the analysis printed and judged after the configuration's checks (its
    // warnings made of a given param's placeholder in their wording)
    let report = |analysis: &pcl_semantics::FileAnalysis, configuration: &[pcl_semantics::Diagnostic]| {
        let placeholders = given_placeholders(&analysis.program, set);
        super::print_diagnostics(&analysis.worded_for(configuration, &placeholders), &args.file, text, reporter);
        deny(analysis, args, reporter, out_shown)
    };
    let (written, configuration) = match early.as_ref().zip(quotas.as_ref()) {
        Some(((wide, config), quotas)) => {
            let job = Job { program: &wide.program, config, args, quotas, reporter, out_shown };
            let finish_analysis = || super::analyze(&db, file);
            match render_beside_checks(&job, text, preparing, finish_analysis, report) {
                Ok(outcome) => outcome,
                Err(code) => return code,
            }
        }
        None => {
            let analysis = super::analyze(&db, file);
            let program = &analysis.program;
            // a file without errors that the values configure: the analysis
            // printed with the configuration's checks, as above; else printed
            // and judged first (an error fails the build), then the values'
            // errors
            let configured = match analysis.has_errors() {
                true => None,
                false => pcl_semantics::config::configure(program, set).ok(),
            };
            let Some(config) = configured else {
                super::print_analysis(analysis, &args.file, text, reporter);
                if let Err(code) = deny(analysis, args, reporter, out_shown) {
                    return code;
                }
                let code = super::configure_given(analysis, set, &args.file, text, reporter).err();
                reporter.plain_error(&format!("nothing written to {out_shown}"));
                return code.unwrap_or(crate::EXIT_USAGE);
            };
            // IAM's size quotas are measured on each item as it is rendered; any
            // finding abandons the staged tree, so nothing is written.
            let quotas = pcl_codegen::Quotas::new(program);
            let job = Job { program, config: &config, args, quotas: &quotas, reporter, out_shown };
            match render_beside_checks(&job, text, preparing, || analysis, report) {
                Ok(outcome) => outcome,
                Err(code) => return code,
            }
        }
    };
    let Written { result, over_quota, left, count: written } = written;
    if let Err(code) = configuration {
        reporter.plain_error(&format!("nothing written to {out_shown}"));
        return code;
    }
    if !over_quota.is_empty() {
        reporter.diagnostics(&args.file, text, &over_quota);
        reporter.plain_error(&format!("nothing written to {out_shown}"));
        return crate::EXIT_ERRORS;
    }
    if !left.is_empty() {
        reporter.plain_error(&super::not_deployable(&left));
        reporter.plain_error(&format!("nothing written to {out_shown}"));
        return crate::EXIT_ERRORS;
    }
    match result {
        Ok(replaced) => {
            let plural = if written == 1 { "" } else { "s" };
            match replaced {
                Replaced::Written { kept } => {
                    reporter.done(&format!("wrote {written} file{plural} to {out_shown}"));
                    if let Some(kept) = kept {
                        reporter.done(&format!("warning: {kept}"));
                    }
                }
                Replaced::Unchanged => {
                    reporter.done(&format!("nothing to write: {out_shown} holds these {written} file{plural} already"))
                }
            }
            crate::EXIT_OK
        }
        // said by the caller
        Err(OutputError::Interrupted(_)) => crate::EXIT_USAGE,
        Err(e @ OutputError::InsideOutput { .. }) => {
            let help = e.help().map(|help| format!("\n  help: {help}")).unwrap_or_default();
            reporter.plain_error(&format!("cannot build into {out_shown}: {e}; nothing was written{help}"));
            crate::EXIT_USAGE
        }
        Err(e) if e.is_refusal() => {
            reporter.plain_error(&format!("refusing to replace {out_shown}: {e}"));
            crate::EXIT_USAGE
        }
        Err(e) => {
            // (a directory missing when the build began has no previous content)
            let kept = if args.out.exists() { "; its previous content is kept" } else { "; nothing was written" };
            reporter.plain_error(&format!("cannot write {out_shown}: {e}{kept}"));
            crate::EXIT_USAGE
        }
    }
}

/// For a file analysed on one thread (below `PARALLEL_FROM_BYTES`; a larger
/// one keeps every core busy with its analysis already): its file-wide
/// analysis (the program, with the file-wide checks), when that has no
/// error, and the configuration the `--set` values give it. With those, the
/// documents can be rendered while the per-configuration checks run.
fn early_configuration<'db>(
    db: &'db RootDatabase,
    file: pcl_semantics::SourceFile,
    set: &[(String, String)],
) -> Option<(&'db pcl_semantics::FileAnalysis, pcl_semantics::config::Config)> {
    if file.text(db).len() >= pcl_semantics::PARALLEL_FROM_BYTES {
        return None;
    }
    let wide = pcl_semantics::file_wide_analysis(db, file);
    if wide.has_errors() {
        return None;
    }
    let config = pcl_semantics::config::configure(&wide.program, set).ok()?;
    Some((wide, config))
}

/// The placeholders' texts of the params `set` gives values.
fn given_placeholders<'p>(program: &'p pcl_semantics::ir::Program, set: &[(String, String)]) -> Vec<&'p str> {
    let placeholder = |name: &str| match program.get(name).map(|item| &*item.ir) {
        Some(pcl_semantics::ir::ItemIr::Param(param)) => param.placeholder.as_deref(),
        _ => None,
    };
    set.iter().filter_map(|(name, _)| placeholder(name)).collect()
}

/// Fails (printing why) when the analysis's diagnostics deny the build.
fn deny(
    analysis: &pcl_semantics::FileAnalysis,
    args: &BuildArgs,
    reporter: &Reporter,
    out_shown: &str,
) -> Result<(), u8> {
    if !args.deny.fails(&analysis.diagnostics) {
        return Ok(());
    }
    if let Some(note) = args.deny.denied_note(&analysis.diagnostics) {
        reporter.plain_error(&note);
    }
    reporter.plain_error(&format!("nothing written to {out_shown}"));
    Err(crate::EXIT_ERRORS)
}

/// What the writing thread did, and the verdict of the configuration's checks.
type Outcome = (Written, Result<(), u8>);

/// The documents rendered and staged on a thread of their own while this
/// one takes the analysis from `analysis`, checks the configuration, and
/// has `report` print and judge the analysis (its warnings in the
/// configuration's wording where its checks find them again: an error or a
/// denial is returned, and the staged tree removed); the staged tree is
/// swapped in only if all of that passes. This thread's memo of linted statements is warm from the
/// analysis (on a fresh thread the configuration's checks took 0.8-1.0 ms of
/// `pcl build policies.pcl`, here 0.5 ms). Given an analysis still to
/// finish (its per-configuration checks, about half of it), the rendering
/// (1.3-1.8 ms there) no longer waits for it.
fn render_beside_checks<'a>(
    job: &Job<'_>,
    text: &str,
    preparing: PreparingReplace,
    analysis: impl FnOnce() -> &'a pcl_semantics::FileAnalysis,
    report: impl FnOnce(&pcl_semantics::FileAnalysis, &[pcl_semantics::Diagnostic]) -> Result<(), u8>,
) -> Result<Outcome, u8> {
    let Job { program, config, args, reporter, .. } = *job;
    std::thread::scope(|scope| {
        // Made inside the scope: should this thread panic (printing to a
        // closed stderr does), unwinding drops the sender, the writer stops
        // waiting for a verdict (none means no), and the scope can end.
        let (verdict_to_writer, from_checks) = std::sync::mpsc::sync_channel::<bool>(1);
        let writing = scope.spawn(move || job.write(preparing, &mut Verdict { from_checks, known: None }));
        let analysis = analysis();
        let configuration = pcl_semantics::check_configuration(program, config);
        if let Err(code) = report(analysis, &configuration) {
            let _ = verdict_to_writer.send(false);
            let _ = writing.join();
            return Err(code);
        }
        let diags = analysis.configuration_news(configuration);
        super::print_configuration(&diags, &args.file, text, reporter, &args.deny);
        let checked = super::verdict_of_configuration(&diags, &args.set.set, &args.deny);
        // the writer may have stopped already (a refused output, a quota or
        // placeholder finding, an I/O error): then no one listens
        let _ = verdict_to_writer.send(checked.is_ok());
        Ok((joined(writing), checked))
    })
}

/// The writing thread's outcome (a thread that panicked wrote nothing).
fn joined(writing: std::thread::ScopedJoinHandle<'_, Written>) -> Written {
    writing.join().unwrap_or_else(|_| Written {
        result: Err(OutputError::Failed("writing the output failed".into())),
        over_quota: Vec::new(),
        left: Vec::new(),
        count: 0,
    })
}

/// The verdict of the configuration's checks, as the writing thread waits
/// for it (once): whether the build may write.
struct Verdict {
    from_checks: std::sync::mpsc::Receiver<bool>,
    known: Option<bool>,
}

impl Verdict {
    fn may_write(&mut self) -> bool {
        // a checking thread that never answered failed: nothing is written
        *self.known.get_or_insert_with(|| self.from_checks.recv().unwrap_or(false))
    }
}

/// What the writing thread did: its outcome, the quota findings, the
/// placeholders left (for `--deployable`) and the number of files written.
struct Written {
    result: Result<Replaced, OutputError>,
    over_quota: Vec<pcl_semantics::Diagnostic>,
    left: Vec<(String, String)>,
    count: usize,
}

/// What the writing thread renders, and how.
struct Job<'a> {
    program: &'a pcl_semantics::ir::Program,
    config: &'a pcl_semantics::config::Config,
    args: &'a BuildArgs,
    quotas: &'a pcl_codegen::Quotas<'a>,
    reporter: &'a Reporter,
    out_shown: &'a str,
}

impl Job<'_> {
    /// Renders every document into the staged output and swaps it in once the
    /// configuration's checks allow it and nothing is over quota or left at
    /// a placeholder (with `--deployable`).
    fn write(&self, preparing: PreparingReplace, verdict: &mut Verdict) -> Written {
        let Job { program, config, args, quotas, reporter, out_shown } = *self;
        let mut over_quota = Vec::new();
        let mut left: Vec<(String, String)> = Vec::new();
        let mut count = 0;
        // What the early preparation could not do without changing anything or
        // waiting is done only once the build is known to write.
        let prepared = match preparing.join() {
            Ok(EarlyPrepare::Ready(prepared)) => Ok(prepared),
            Ok(EarlyPrepare::Deferred(rest)) if verdict.may_write() => {
                let mut on_wait = || reporter.note(&format!("waiting: another build is writing {out_shown}"));
                rest.prepare(&mut on_wait)
            }
            Ok(EarlyPrepare::Deferred(_)) => Err(OutputError::Failed("the configuration has errors".into())),
            Err(e) => Err(e),
        };
        let set = &args.set.set;
        let mut write = |staging: &mut Staging<'_>| {
            // the configurations' entries wait in a scratch file: the index of a
            // large build is tens of megabytes
            let spill = std::io::BufWriter::new(staging.scratch_file()?);
            let mut index = pcl_codegen::IndexBuilder::with_sink(program, config, spill);
            // Rendered and written one document at a time: memory grows with
            // the largest document, not with the output.
            pcl_codegen::render_each(program, config, &mut |rendered| {
                if args.deployable {
                    for found in super::placeholders_in(program, set, &rendered.params_read) {
                        if !left.contains(&found) {
                            left.push(found);
                        }
                    }
                }
                for file in &rendered.files {
                    staging.write_file(&file.path, file)?;
                }
                over_quota.extend(quotas.check(&rendered));
                index.add(&rendered)
            })?;
            if !over_quota.is_empty() {
                return Err(std::io::Error::other("over IAM quotas"));
            }
            if !left.is_empty() {
                // nothing is swapped in: the staging directory is removed
                return Err(std::io::Error::other("not deployable"));
            }
            // Staged before the verdict (a refused build removes it with the
            // rest), so that only the swap waits for the checks.
            staging.write_with("index.json", |out| {
                index.write_to(out, |spill, out| {
                    let mut file = spill.into_inner().map_err(|e| e.into_error())?;
                    std::io::Seek::rewind(&mut file)?;
                    std::io::copy(&mut file, out).map(drop)
                })
            })?;
            if !verdict.may_write() {
                return Err(std::io::Error::other("the configuration has errors"));
            }
            count = staging.written();
            Ok(())
        };
        let result = prepared.and_then(|prepared| prepared.replace_with(&mut write));
        Written { result, over_quota, left, count }
    }
}
