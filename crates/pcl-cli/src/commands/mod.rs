pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
mod fix;
pub mod fmt;
pub mod lsp;
pub mod render;

use pcl_semantics::{FileAnalysis, RootDatabase, SourceFile};

use pcl_cli::report::{self, Reporter};

/// Why a file could not be loaded.
pub enum LoadError {
    /// Reported already; the exit code.
    Reported(u8),
    /// Not UTF-8: the diagnostic, for the caller to print in its format.
    NotUtf8(Box<pcl_semantics::source_text::NotUtf8>),
}

/// Reads `path`'s text; an I/O error is reported here (exit 2).
pub fn read(path: &str, reporter: &Reporter) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| {
        reporter.plain_error(&format!("cannot read {path}: {e}"));
        LoadError::Reported(crate::EXIT_USAGE)
    })?;
    pcl_semantics::source_text::decode(bytes).map_err(LoadError::NotUtf8)
}

/// Reads `path` into the database (its text is held there once: a large
/// file is not copied again for the messages, which read it from there);
/// `Err(exit code)` with the problem reported.
pub fn load(db: &mut RootDatabase, path: &str, reporter: &Reporter) -> Result<SourceFile, u8> {
    match read(path, reporter) {
        Ok(text) => {
            let threads = threads_for(&text);
            let file = SourceFile::open_on(db, path.to_string(), text, threads);
            pcl_cli::output_dir::test_point("loaded");
            Ok(file)
        }
        Err(LoadError::Reported(code)) => Err(code),
        Err(LoadError::NotUtf8(e)) => {
            print_diagnostics(&[e.diagnostic], path, &e.text, reporter);
            Err(crate::EXIT_ERRORS)
        }
    }
}

/// Prints the diagnostics of an analysis and a summary line.
pub fn print_analysis(analysis: &FileAnalysis, path: &str, text: &str, reporter: &Reporter) {
    print_diagnostics(&analysis.diagnostics, path, text, reporter);
}

/// Prints `diagnostics` of one file and a summary line.
pub fn print_diagnostics(diagnostics: &[pcl_semantics::Diagnostic], path: &str, text: &str, reporter: &Reporter) {
    reporter.diagnostics(path, text, diagnostics);
    report::summary(path, diagnostics, reporter);
}

/// Analyses a file on every core the machine offers.
pub fn analyze(db: &RootDatabase, file: SourceFile) -> &FileAnalysis {
    pcl_semantics::analyze_file_parallel(db, file, threads_for(file.text(db)))
}

/// The threads to load and analyse `text` on: one below
/// `PARALLEL_FROM_BYTES` (the analysis takes one there), else the cores the
/// machine offers, asked once (each asking reads the cgroup's quota, about
/// a dozen system calls: 36 of a `pcl build policies.pcl`).
pub fn threads_for(text: &str) -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if text.len() < pcl_semantics::PARALLEL_FROM_BYTES {
        return 1;
    }
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// The params given no value (no `--set`, no default) among those whose
/// values a document renders or its guards read (`params_read`, sorted),
/// with their placeholders: each is in the document, or decided it. (Found by what the rendering read,
/// not by searching the text: a placeholder such as `*` is in most
/// documents that never read its param, a review found.)
pub fn placeholders_in(
    program: &pcl_semantics::ir::Program,
    set: &[(String, String)],
    params_read: &[String],
) -> Vec<(String, String)> {
    program
        .params()
        .filter(|(name, p)| p.default.is_none() && !set.iter().any(|(n, _)| n == name))
        .filter(|(name, _)| params_read.binary_search_by(|read| read.as_str().cmp(name)).is_ok())
        .filter_map(|(name, p)| p.placeholder.as_ref().map(|ph| (name.to_string(), ph.clone())))
        .collect()
}

/// The `--deployable` failure, naming the params to set.
pub fn not_deployable(left: &[(String, String)]) -> String {
    let names: Vec<String> = left.iter().map(|(p, ph)| format!("`{p}` ({ph})")).collect();
    let sets: Vec<String> = left.iter().map(|(p, _)| format!("--set {p}=...")).collect();
    format!(
        "not deployable: params left at their placeholders are rendered or read by a guard: {}\n  help: give them values: {}",
        names.join(", "),
        sets.join(" ")
    )
}

/// What `--deny` can turn into errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Denied {
    Warnings,
}

/// `--deny warnings` (`-D warnings`), shared by check and build.
#[derive(clap::Args)]
pub struct DenyArgs {
    /// Treat warnings as errors (`-D warnings`); acknowledge a kept one with `expect CODE "reason"`.
    #[arg(long = "deny", short = 'D', value_enum, value_name = "WHAT")]
    pub deny: Vec<Denied>,
}

impl DenyArgs {
    /// Whether `diagnostics` fail the command: errors always, warnings when denied.
    pub fn fails(&self, diagnostics: &[pcl_semantics::Diagnostic]) -> bool {
        diagnostics.iter().any(|d| {
            d.severity() == pcl_semantics::Severity::Error
                || (self.deny.contains(&Denied::Warnings) && d.severity() == pcl_semantics::Severity::Warning)
        })
    }

    /// The line that says why warnings failed the command, if they did.
    pub fn denied_note(&self, diagnostics: &[pcl_semantics::Diagnostic]) -> Option<String> {
        let warnings = diagnostics.iter().filter(|d| d.severity() == pcl_semantics::Severity::Warning).count();
        let errors = diagnostics.iter().any(|d| d.severity() == pcl_semantics::Severity::Error);
        (self.deny.contains(&Denied::Warnings) && warnings > 0 && !errors).then(|| {
            format!(
                "{warnings} warning{} denied by `--deny warnings`; fix, or acknowledge one with `expect CODE \"reason\"`",
                if warnings == 1 { "" } else { "s" }
            )
        })
    }
}

/// `--set NAME=VALUE`, shared by the commands that render.
#[derive(clap::Args)]
pub struct SetArgs {
    /// Give a param a value or pin a feature (repeatable); lists are comma-separated.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = pcl_cli::set_arg::parse)]
    pub set: Vec<(String, String)>,
}

/// The configuration `set` asks for, checked against the file; on failure,
/// reports why and returns the exit code: 2 for values the file does not
/// accept or that violate a constraint (usage errors), 1 for a file that
/// renders wrongly in that configuration (an empty list, a duplicate Sid),
/// or that has warnings the analysis did not show while `deny` says so.
pub fn configure_or_report(
    analysis: &FileAnalysis,
    set: &[(String, String)],
    path: &str,
    text: &str,
    reporter: &Reporter,
    deny: &DenyArgs,
) -> Result<pcl_semantics::config::Config, u8> {
    let config = configure_given(analysis, set, path, text, reporter)?;
    let diags = analysis.configuration_news(pcl_semantics::check_configuration(&analysis.program, &config));
    print_configuration(&diags, path, text, reporter, deny);
    verdict_of_configuration(&diags, set, deny)?;
    Ok(config)
}

/// The configuration `--set` gives; `Err(exit code)`, with the errors
/// reported, when a value does not fit.
pub fn configure_given(
    analysis: &FileAnalysis,
    set: &[(String, String)],
    path: &str,
    text: &str,
    reporter: &Reporter,
) -> Result<pcl_semantics::config::Config, u8> {
    let program = &analysis.program;
    pcl_semantics::config::configure(program, set).map_err(|errors| {
        for e in &errors {
            reporter.set_error(path, text, program, set, e);
        }
        crate::EXIT_USAGE
    })
}

/// Reports the checks of a configuration (what the file's analysis has not
/// said already, see `FileAnalysis::configuration_news`).
pub fn print_configuration(
    diags: &[pcl_semantics::Diagnostic],
    path: &str,
    text: &str,
    reporter: &Reporter,
    deny: &DenyArgs,
) {
    reporter.diagnostics(path, text, diags);
    if let Some(note) = deny.denied_note(diags) {
        reporter.plain_error(&note);
    }
}

/// Whether the checks of a configuration fail the build: `Err(exit code)`,
/// a usage error when the values given with `--set` break a constraint.
pub fn verdict_of_configuration(
    diags: &[pcl_semantics::Diagnostic],
    set: &[(String, String)],
    deny: &DenyArgs,
) -> Result<(), u8> {
    if deny.fails(diags) {
        let set_violates_constraint =
            !set.is_empty() && diags.iter().any(|d| d.code == pcl_semantics::diagnostic::Code::ConstraintViolated);
        return Err(if set_violates_constraint { crate::EXIT_USAGE } else { crate::EXIT_ERRORS });
    }
    Ok(())
}
