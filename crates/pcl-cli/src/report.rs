//! Rendering of diagnostics with ariadne (byte spans, source-ordered labels).

use std::io::IsTerminal;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use pcl_semantics::config::SetError;
use pcl_semantics::ir::Program;
use pcl_semantics::{Diagnostic, Severity};

use crate::excerpt::{self, Excerpt, LineIndex, shorten_quotes};

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

    /// Prints every diagnostic of one file (its line index is built once).
    pub fn diagnostics(&self, path: &str, text: &str, diags: &[Diagnostic]) {
        if diags.is_empty() {
            return;
        }
        let view = SourceView::new(path, text);
        for d in diags {
            eprint!("{}", view.render(d, self.color));
        }
    }

    /// A problem with one of `assignments`, shown at the declaration it
    /// concerns (if any), with the assignment named.
    pub fn set_error(&self, path: &str, text: &str, program: &Program, assignments: &[(String, String)], e: &SetError) {
        let at = e.item.as_deref().and_then(|n| program.get(n)).map(|item| item.name_span.shift(item.offset));
        let mut d = e.kind.clone().at(at.unwrap_or_default());
        if let Some(a) = assignments.get(e.assignment) {
            d.message = format!("`{}`: {}", crate::set_arg::show(a), d.message);
        }
        match at {
            Some(_) => self.diagnostics(path, text, &[d]),
            None => {
                let help = d.help.as_deref().map(|h| format!("\n  help: {h}")).unwrap_or_default();
                eprintln!("[{}] Error: {}{help}", d.code.as_str(), d.message);
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

/// Renders one diagnostic as text (see `SourceView::render`).
pub fn render(path: &str, text: &str, d: &Diagnostic, color: bool) -> String {
    SourceView::new(path, text).render(d, color)
}

/// A file prepared for rendering: ariadne's line index and ours are built
/// once, not once per diagnostic.
pub struct SourceView<'a> {
    path: &'a str,
    text: &'a str,
    source: Source<&'a str>,
    lines: LineIndex,
}

impl<'a> SourceView<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Self {
        SourceView { path, text, source: Source::from(text), lines: LineIndex::new(text) }
    }

    /// A span clamped to the text and widened to character boundaries, so
    /// that no span can make the renderer slice inside a character.
    fn clamp(&self, s: pcl_syntax::Span) -> std::ops::Range<usize> {
        let text = self.text;
        let mut start = (s.start as usize).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (s.end as usize).clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }

    /// Renders one diagnostic; trailing spaces are trimmed per line so the
    /// output is stable in snapshots. A diagnostic on a line longer than
    /// `excerpt::MAX_LINE_CHARS` is rendered from windows of that line.
    pub fn render(&self, d: &Diagnostic, color: bool) -> String {
        let primary = self.clamp(d.span);
        let mut labels: Vec<Labelled> = vec![(primary.clone(), d.label.clone(), true)];
        // A secondary label far from the primary one is named in a note:
        // ariadne walks every line between its labels, so thousands of
        // diagnostics pointing back at one line (`first defined here`)
        // would cost the product of their counts and distances.
        let (first, last) = (self.lines.line_of(primary.start), self.lines.line_of(primary.end));
        let mut far = Vec::new();
        for l in &d.secondary {
            let range = self.clamp(l.span);
            let line = self.lines.line_of(range.start);
            if line + FAR_LINES < first || line > last + FAR_LINES {
                let column = Excerpt::column(self.text, range.start);
                far.push(format!("{}: {}:{}:{column}", l.message, self.path, line + 1));
            } else {
                labels.push((range, Some(l.message.clone()), false));
            }
        }
        labels.sort_by_key(|(r, _, _)| (r.start, r.end));
        let ranges: Vec<_> = labels.iter().map(|(r, _, _)| r.clone()).collect();
        let Some(excerpt) = excerpt::excerpt(self.text, &self.lines, &ranges) else {
            return self.render_from(&self.source, d, primary, labels, &far, color);
        };
        let mapped = |r: &std::ops::Range<usize>| excerpt.map(r.start)..excerpt.map(r.end);
        let labels = labels.into_iter().map(|(r, m, p)| (mapped(&r), m, p)).collect();
        let source = Source::from(excerpt.text.as_str());
        let out = self.render_from(&source, d, mapped(&primary), labels, &far, color);
        // The header names the column in the excerpt; name the real one.
        let line = first + 1;
        let shown = Excerpt::column(&excerpt.text, excerpt.map(primary.start));
        let real = Excerpt::column(self.text, primary.start);
        let path = self.path;
        out.replacen(&format!("{path}:{line}:{shown} "), &format!("{path}:{line}:{real} "), 1)
    }

    fn render_from(
        &self,
        source: &Source<&str>,
        d: &Diagnostic,
        primary: std::ops::Range<usize>,
        labels: Vec<Labelled>,
        far: &[String],
        color: bool,
    ) -> String {
        let path = self.path;
        let kind = match d.severity() {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let primary_color = if d.severity() == Severity::Error { Color::Red } else { Color::Yellow };
        let mut report = Report::build(kind, (path, primary))
            .with_config(Config::default().with_color(color).with_index_type(IndexType::Byte))
            .with_code(d.code.as_str())
            .with_message(shorten_quotes(&d.message));
        for (range, message, is_primary) in labels {
            // ariadne draws no underline for a label without text, so an
            // unlabelled primary span repeats the message.
            let message = message.unwrap_or_else(|| d.message.clone());
            let mut label = Label::new((path, range)).with_message(shorten_quotes(&message));
            if color {
                label = label.with_color(if is_primary { primary_color } else { Color::Blue });
            }
            report = report.with_label(label);
        }
        if let Some(help) = &d.help {
            report = report.with_help(shorten_quotes(help));
        }
        for note in far {
            report = report.with_note(shorten_quotes(note));
        }
        let mut out = Vec::new();
        if report.finish().write((path, source), &mut out).is_err() {
            return format!("[{}] {}: {}\n", d.code.as_str(), path, d.message);
        }
        let s = String::from_utf8_lossy(&out);
        s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
    }
}

/// A secondary label more lines than this away from its diagnostic's
/// primary span is shown as a note with its position.
const FAR_LINES: usize = 50;

/// A label: its byte range, its message, and whether it is the primary one.
type Labelled = (std::ops::Range<usize>, Option<String>, bool);
