//! `pcl build`: render every policy and role into a directory, atomically.

use std::path::PathBuf;

use clap::Args;
use pcl_semantics::RootDatabase;

use pcl_cli::output_dir::{EarlyPrepare, OutputError, PreparingReplace, Staging};
use pcl_cli::report::Reporter;

#[derive(Args)]
#[command(
    about = "Render IAM JSON for every policy and role, one file per configuration",
    after_help = "Examples:\n  pcl build --out dist\n  pcl build policies.pcl --out dist --set partition=aws-cn --set account=123456789012\n  pcl build --out dist --set scheduler=awsbatch --set fsx=true\n\nNAME is any param or feature; a feature set this way is pinned to that value.\nOn any error nothing is written and DIR keeps its previous content."
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
    /// Fail, writing nothing, if a param's placeholder would remain in any file.
    #[arg(long)]
    pub deployable: bool,
    #[command(flatten)]
    pub deny: super::DenyArgs,
}

pub fn run(args: &BuildArgs, color: bool) -> u8 {
    let reporter = Reporter::new(color);
    let out_shown = args.out.display().to_string();
    // Never dropped: the process ends with the build, and freeing every memo
    // one by one would only cost time (as in `pcl check`).
    let db = std::mem::ManuallyDrop::new(RootDatabase::default());
    let file = match super::load(&db, &args.file, &reporter) {
        Ok(file) => file,
        Err(code) => return code,
    };
    // The output directory is resolved, locked and audited (every file read
    // and hashed) beside the analysis: it reads nothing the analysis makes.
    let manifests = std::collections::BTreeSet::from(["index.json".to_string()]);
    let preparing = PreparingReplace::start(args.out.clone(), manifests, PathBuf::from(&args.file));
    let text = file.text(&*db);
    let analysis = super::analyze(&db, file);
    super::print_analysis(analysis, &args.file, text, &reporter);
    if args.deny.fails(&analysis.diagnostics) {
        if let Some(note) = args.deny.denied_note(&analysis.diagnostics) {
            reporter.plain_error(&note);
        }
        reporter.plain_error(&format!("nothing written to {out_shown}"));
        return crate::EXIT_ERRORS;
    }
    let program = &analysis.program;
    let set = &args.set.set;
    let config = match super::configure_given(analysis, set, &args.file, text, &reporter) {
        Ok(c) => c,
        Err(code) => {
            reporter.plain_error(&format!("nothing written to {out_shown}"));
            return code;
        }
    };
    // IAM's size quotas are measured on each item as it is rendered; any
    // finding abandons the staged tree, so nothing is written.
    let quotas = pcl_codegen::Quotas::new(program);
    let mut over_quota = Vec::new();
    // params still at their placeholder, for --deployable
    let mut left: Vec<(String, String)> = Vec::new();
    // the checks of this configuration, and whether they fail the build
    let mut configuration: Option<Checked> = None;
    let mut written = 0;
    let report = ReportTo { path: &args.file, text, reporter: &reporter, set, deny: &args.deny };
    let result = std::thread::scope(|scope| {
        // This configuration's checks run beside the rendering; their verdict
        // is taken before anything is swapped in.
        let mut checking =
            Some(scope.spawn(|| analysis.configuration_news(pcl_semantics::check_configuration(program, &config))));
        // What the early preparation could not do without changing anything
        // or waiting is done only once the build is known to write.
        let prepared = match preparing.join() {
            Ok(EarlyPrepare::Ready(prepared)) => Ok(prepared),
            Ok(EarlyPrepare::Deferred(rest)) => match settle(&mut checking, &mut configuration, &report) {
                Ok(true) => {
                    let mut on_wait = || reporter.note(&format!("waiting: another build is writing {out_shown}"));
                    rest.prepare(&mut on_wait)
                }
                Ok(false) => Err(OutputError::Io(std::io::Error::other("the configuration has errors"))),
                Err(e) => Err(OutputError::Io(e)),
            },
            Err(e) => Err(e),
        };
        let result = {
            let mut write = |staging: &mut Staging<'_>| {
                // the configurations' entries wait in a scratch file: the index of a
                // large build is tens of megabytes
                let spill = std::io::BufWriter::new(staging.scratch_file()?);
                let mut index = pcl_codegen::IndexBuilder::with_sink(program, &config, spill);
                // Rendered and written one document at a time: memory grows with
                // the largest document, not with the output.
                pcl_codegen::render_each(program, &config, &mut |rendered| {
                    for file in &rendered.files {
                        if args.deployable {
                            for found in super::placeholders_in(program, set, &file.contents) {
                                if !left.contains(&found) {
                                    left.push(found);
                                }
                            }
                        }
                        staging.write(&file.path, file.contents.as_bytes())?;
                    }
                    over_quota.extend(quotas.check(&rendered));
                    index.add(&rendered)
                })?;
                if !settle(&mut checking, &mut configuration, &report)? {
                    return Err(std::io::Error::other("the configuration has errors"));
                }
                if !over_quota.is_empty() {
                    return Err(std::io::Error::other("over IAM quotas"));
                }
                if !left.is_empty() {
                    // nothing is swapped in: the staging directory is removed
                    return Err(std::io::Error::other("not deployable"));
                }
                staging.write_with("index.json", |out| {
                    index.write_to(out, |spill, out| {
                        let mut file = spill.into_inner().map_err(|e| e.into_error())?;
                        std::io::Seek::rewind(&mut file)?;
                        std::io::copy(&mut file, out).map(drop)
                    })
                })?;
                written = staging.written();
                Ok(())
            };
            prepared.and_then(|prepared| prepared.replace_with(&mut write))
        };
        // not settled by `write` when the output was refused or staging failed
        // first: the checks are still reported, and their verdict comes first
        let _ = settle(&mut checking, &mut configuration, &report);
        result
    });
    if let Some((_, Err(code))) = &configuration {
        reporter.plain_error(&format!("nothing written to {out_shown}"));
        return *code;
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
        Ok(()) => {
            let plural = if written == 1 { "" } else { "s" };
            reporter.note(&format!("wrote {written} file{plural} to {out_shown}"));
            crate::EXIT_OK
        }
        Err(e) if e.is_refusal() => {
            reporter.plain_error(&format!("refusing to replace {out_shown}: {e}"));
            crate::EXIT_USAGE
        }
        Err(e) => {
            reporter.plain_error(&format!("cannot write {out_shown}: {e}; its previous content is kept"));
            crate::EXIT_USAGE
        }
    }
}

/// The configuration's checks and their verdict (`verdict_of_configuration`).
type Checked = (Vec<pcl_semantics::Diagnostic>, Result<(), u8>);

/// Where and how the configuration's checks are reported.
struct ReportTo<'a> {
    path: &'a str,
    text: &'a str,
    reporter: &'a Reporter,
    set: &'a [(String, String)],
    deny: &'a super::DenyArgs,
}

/// Waits for the configuration's checks (once), reports them (then, as
/// before the build writes or waits for another build) and keeps them with
/// their verdict in `configuration`: whether the build may write.
fn settle(
    checking: &mut Option<std::thread::ScopedJoinHandle<'_, Vec<pcl_semantics::Diagnostic>>>,
    configuration: &mut Option<Checked>,
    to: &ReportTo<'_>,
) -> std::io::Result<bool> {
    if let Some(handle) = checking.take() {
        let diags = handle.join().map_err(|_| std::io::Error::other("the configuration's checks failed to run"))?;
        super::print_configuration(&diags, to.path, to.text, to.reporter, to.deny);
        let verdict = super::verdict_of_configuration(&diags, to.set, to.deny);
        *configuration = Some((diags, verdict));
    }
    Ok(configuration.as_ref().is_some_and(|(_, verdict)| verdict.is_ok()))
}
