//! Rendering of diagnostics with ariadne (byte spans, source-ordered labels).

use std::io::IsTerminal;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use pcl_semantics::config::SetError;
use pcl_semantics::ir::Program;
use pcl_semantics::{Diagnostic, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
            }
        }
    }
}

pub struct Reporter {
    color: bool,
}

impl Reporter {
    pub fn new(color: bool) -> Self {
        Reporter { color }
    }

    pub fn diagnostic(&self, path: &str, text: &str, d: &Diagnostic) {
        eprint!("{}", render(path, text, d, self.color));
    }

    pub fn set_error(&self, path: &str, text: &str, program: &Program, e: &SetError) {
        let decl = e.item.as_deref().and_then(|n| program.get(n));
        match decl {
            Some(item) => {
                let mut d = Diagnostic::new(e.code, item.name_span.shift(item.offset), e.message.clone())
                    .with_label("declared here")
                    .with_help_opt(e.help.clone());
                d.message = e.message.clone();
                self.diagnostic(path, text, &d);
            }
            None => {
                let help = e.help.as_deref().map(|h| format!("\n  help: {h}")).unwrap_or_default();
                eprintln!("[{}] Error: {}{help}", e.code.as_str(), e.message);
            }
        }
    }

    pub fn plain_error(&self, message: &str) {
        eprintln!("error: {message}");
    }

    pub fn note(&self, message: &str) {
        eprintln!("{message}");
    }
}

pub fn summary(path: &str, diags: &[Diagnostic], reporter: &Reporter) {
    let errors = diags.iter().filter(|d| d.severity() == Severity::Error).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        reporter.note(&format!("{path}: {}, {}", plural(errors, "error"), plural(warnings, "warning")));
    } else if warnings > 0 {
        reporter.note(&format!("{path}: ok, {}", plural(warnings, "warning")));
    }
}

/// Renders one diagnostic as text; trailing spaces are trimmed per line so
/// the output is stable in snapshots.
pub fn render(path: &str, text: &str, d: &Diagnostic, color: bool) -> String {
    let clamp = |s: pcl_syntax::Span| {
        let start = (s.start as usize).min(text.len());
        let end = (s.end as usize).clamp(start, text.len());
        start..end
    };
    let kind = match d.severity() {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let primary_color = if d.severity() == Severity::Error { Color::Red } else { Color::Yellow };
    let mut labels: Vec<(std::ops::Range<usize>, Option<String>, bool)> = vec![(clamp(d.span), d.label.clone(), true)];
    labels.extend(d.secondary.iter().map(|l| (clamp(l.span), Some(l.message.clone()), false)));
    labels.sort_by_key(|(r, _, _)| (r.start, r.end));
    let mut report = Report::build(kind, (path, clamp(d.span)))
        .with_config(Config::default().with_color(color).with_index_type(IndexType::Byte))
        .with_code(d.code.as_str())
        .with_message(&d.message);
    for (range, message, primary) in labels {
        // ariadne draws no underline for a label without text, so an
        // unlabelled primary span repeats the message.
        let mut label = Label::new((path, range)).with_message(message.unwrap_or_else(|| d.message.clone()));
        if color {
            label = label.with_color(if primary { primary_color } else { Color::Blue });
        }
        report = report.with_label(label);
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    if report.finish().write((path, Source::from(text)), &mut out).is_err() {
        return format!("[{}] {}: {}\n", d.code.as_str(), path, d.message);
    }
    let s = String::from_utf8_lossy(&out);
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}
