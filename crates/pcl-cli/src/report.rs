//! Rendering of diagnostics with ariadne (byte spans, source-ordered labels).

use std::io::IsTerminal;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use pcl_semantics::config::SetError;
use pcl_semantics::ir::Program;
use pcl_semantics::{Diagnostic, Severity};

use crate::excerpt::{self, Excerpt, LineIndex, shorten_quotes};

/// A byte order mark, which some editors write at the start of a file.
const BOM: char = '\u{feff}';

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
        let shown = lone_cr_as_lf(text);
        let view = SourceView::new(path, &shown);
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

    /// A note said once the work is done (the output replaced): a stream
    /// that cannot be written then (closed, full) must not turn a finished
    /// build into a failed one, as `note`'s failure would (exit 2).
    pub fn done(&self, message: &str) {
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{message}\n").as_bytes());
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

/// `out` (a rendered report) with the place its header names, `path:L:C`,
/// replaced by `line:column`.
fn with_header_place(out: String, path: &str, (line, column): (usize, usize)) -> String {
    // ` path:L:C` (the colours' escapes may stand before the space)
    let marker = format!(" {path}:");
    let Some(at) = out.find(&marker).map(|i| i + marker.len()) else { return out };
    let len =
        out.get(at..).map_or(0, |rest| rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len()));
    let mut fixed = String::with_capacity(out.len());
    fixed.push_str(out.get(..at).unwrap_or_default());
    fixed.push_str(&format!("{line}:{column}"));
    fixed.push_str(out.get(at + len..).unwrap_or_default());
    fixed
}

/// Renders one diagnostic as text (see `SourceView::render`).
pub fn render(path: &str, text: &str, d: &Diagnostic, color: bool) -> String {
    SourceView::new(path, &lone_cr_as_lf(text)).render(d, color)
}

/// `text` with each carriage return that ends no line (rare) written as a
/// line feed: a line ends there, as the parser, the machine formats and the
/// language server have it, and ariadne and the excerpts count lines by
/// `\n` (a file of lone `\r` was one long line: its gutter numbered line 3
/// of an error the header placed on line 11). One byte for one: every
/// span stays where it was.
pub fn lone_cr_as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: &usize| bytes.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', bytes).any(|i| lone(&i)) {
        return text.into();
    }
    let mut shown = bytes.to_vec();
    for i in memchr::memchr_iter(b'\r', bytes).filter(lone) {
        if let Some(b) = shown.get_mut(i) {
            *b = b'\n';
        }
    }
    // ASCII for ASCII: still UTF-8
    String::from_utf8(shown).map_or_else(|_| text.into(), Into::into)
}

/// A file prepared for rendering: ariadne's line index and ours are built
/// once, not once per diagnostic.
pub struct SourceView<'a> {
    path: &'a str,
    text: &'a str,
    /// `text` as ariadne is given it (`shown_to_ariadne`).
    shown: std::borrow::Cow<'a, str>,
    source: Source<std::borrow::Cow<'a, str>>,
    lines: LineIndex,
    /// The last column asked for of a primary span, and of a far label.
    last_primary_column: LastColumn,
    last_far_column: LastColumn,
}

impl<'a> SourceView<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Self {
        let shown = shown_to_ariadne(text);
        SourceView {
            path,
            text,
            source: Source::from(shown.clone()),
            shown,
            lines: LineIndex::new(text),
            last_primary_column: LastColumn::new(NO_COLUMN),
            last_far_column: LastColumn::new(NO_COLUMN),
        }
    }

    /// The column (from 1, in characters) of byte `offset` in its line,
    /// counted on from the last one asked for when that is earlier on the
    /// same line: diagnostics come in file order, so many on one long line
    /// count its characters once, not once each.
    fn column(&self, offset: usize, last: &LastColumn) -> usize {
        let line_start = self.lines.start_of(self.lines.line_of(offset));
        let (last_line, last_offset, last_chars) = last.get();
        let (from, before) =
            if last_line == line_start && last_offset <= offset { (last_offset, last_chars) } else { (line_start, 0) };
        let chars = match self.text.get(from..offset) {
            Some(s) => before + s.chars().count(),
            None => return Excerpt::column(self.text, offset) - self.bom_before(offset),
        };
        last.set((line_start, offset, chars));
        chars + 1 - self.bom_before(offset)
    }

    /// The 1-based line and column (in characters) of byte `offset`, as the
    /// machine formats name it (the text's lone carriage returns are line
    /// feeds already: `lone_cr_as_lf`).
    pub fn place(&self, offset: usize) -> (usize, usize) {
        (self.lines.line_of(offset) + 1, self.column(offset, &self.last_primary_column))
    }

    /// 1 when `offset` follows a byte order mark that starts the text: it
    /// is no column of the first line, as an editor shows it.
    fn bom_before(&self, offset: usize) -> usize {
        usize::from(offset >= BOM.len_utf8() && self.text.starts_with(BOM) && self.lines.line_of(offset) == 0)
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
                let column = self.column(range.start, &self.last_far_column);
                far.push(format!("{}: {}:{}:{column}", l.message, self.path, line + 1));
            } else {
                labels.push((range, Some(l.message.clone()), false));
            }
        }
        labels.sort_by_key(|(r, _, _)| (r.start, r.end));
        let ranges: Vec<_> = labels.iter().map(|(r, _, _)| r.clone()).collect();
        let Some(excerpt) = excerpt::excerpt(&self.shown, &self.lines, &ranges) else {
            let out = self.render_from(&self.source, d, primary.clone(), labels, &far, color);
            // ariadne's header counts a byte order mark as a column, and puts
            // a span at the very end of a text that ends its last line on
            // that line: name the place as the machine formats do (as for
            // an excerpt, below)
            return with_header_place(out, self.path, self.place(primary.start));
        };
        let mapped = |r: &std::ops::Range<usize>| excerpt.map(r.start)..excerpt.map(r.end);
        let labels = labels.into_iter().map(|(r, m, p)| (mapped(&r), m, p)).collect();
        let source = Source::from(excerpt.text.as_str()).with_display_line_offset(excerpt.first);
        let out =
            excerpt::renumber_gutter(self.render_from(&source, d, mapped(&primary), labels, &far, color), &excerpt);
        // The header names the place in the excerpt; name the real one.
        with_header_place(out, self.path, self.place(primary.start))
    }

    fn render_from(
        &self,
        source: &Source<impl AsRef<str>>,
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

/// `text` with the line breaks ariadne knows and pcl does not (vertical
/// tab, form feed, NEL, U+2028, U+2029) replaced by characters of the same
/// length in bytes that break no line, so that ariadne's lines are the
/// file's: a U+2028 in a comment numbered every later line one too far in
/// the margin (found by review). A lone carriage return is a line feed
/// already (`lone_cr_as_lf`).
fn shown_to_ariadne(text: &str) -> std::borrow::Cow<'_, str> {
    let breaks = ['\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}'];
    if !text.contains(breaks) {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            '\u{b}' | '\u{c}' => ' ',
            // (two bytes, as NEL)
            '\u{85}' => '\u{b6}',
            // (three bytes, as U+2028 and U+2029: SYMBOL FOR NEWLINE)
            '\u{2028}' | '\u{2029}' => '\u{2424}',
            other => other,
        })
        .collect::<String>()
        .into()
}

/// The last column `SourceView::column` counted: `(its line's start, its
/// offset, the characters before it on its line)`.
type LastColumn = std::cell::Cell<(usize, usize, usize)>;

/// A `LastColumn` on no line yet.
const NO_COLUMN: (usize, usize, usize) = (usize::MAX, 0, 0);

/// A secondary label more lines than this away from its diagnostic's
/// primary span is shown as a note with its position.
const FAR_LINES: usize = 50;

/// A label: its byte range, its message, and whether it is the primary one.
type Labelled = (std::ops::Range<usize>, Option<String>, bool);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::*;

    /// A syntax error labelled "here" over `len` bytes from `at`.
    fn syntax_error_at(at: usize, len: usize) -> Diagnostic {
        let kind = pcl_semantics::DiagnosticKind::Syntax {
            too_deep: false,
            message: "m".into(),
            label: Some("here".into()),
            help: None,
        };
        kind.at(pcl_syntax::Span::new(at, at + len))
    }

    /// In a file whose lines end in a lone `\r`, the gutter numbers the line
    /// the header names (the excerpt counted `\n` only: line 3 of an error
    /// on line 11).
    #[test]
    fn lone_carriage_returns_end_lines_in_the_gutter_too() {
        let text = "// one\r// two\rpolicy p {\r".to_string() + &"x".repeat(200) + "\r";
        let at = text.find("policy").unwrap();
        let out = render("f.pcl", &text, &syntax_error_at(at, 6), false);
        assert!(out.contains("f.pcl:3:1 "), "{out}");
        assert!(out.contains(" 3 │ policy p {"), "{out}");
    }

    /// Vertical tab, form feed, NEL, U+2028 and U+2029 end no line of pcl's
    /// (nor an editor's, mostly): the gutter numbers the line the header
    /// names, shown whole, on a short line and on a long one (an excerpt).
    #[test]
    fn characters_only_ariadne_took_for_line_breaks_end_no_line() {
        for other in ['\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}'] {
            for pad in [0, 300] {
                let text =
                    format!("// a{other}b\nparam x: string = \"a{other}{}\"; param y: regoin;\n", "z".repeat(pad));
                let at = text.find("regoin").unwrap();
                let out = render("f.pcl", &text, &syntax_error_at(at, 6), false);
                let column = text[text.find("param").unwrap()..at].chars().count() + 1;
                assert!(out.contains(&format!("f.pcl:2:{column} ")), "{other:?}: {out}");
                assert!(out.contains(" 2 │ "), "{other:?}: {out}");
                assert!(!out.contains(" 3 │"), "{other:?}: {out}");
                if pad == 0 {
                    assert!(out.contains(" 2 │ param x: string"), "{other:?}: {out}");
                }
            }
        }
    }

    /// A diagnostic on a long line below `depth` short ones: its gutter
    /// numbers the file's line, and every row of the gutter lines up, as
    /// the numbers grow a digit (`9` → `10`, `99` → `100`, ...).
    #[test]
    fn excerpts_are_numbered_as_the_file() {
        for depth in [0, 1, 7, 8, 9, 97, 98, 99, 998, 999, 12_345] {
            let mut text = "// short\n".repeat(depth);
            let line = depth + 1;
            let at = text.len() + 300;
            text.push_str(&format!("{}ERR{}\nnext\n", "x".repeat(300), "y".repeat(300)));
            let mut d = pcl_semantics::DiagnosticKind::Syntax {
                too_deep: false,
                message: "m".into(),
                label: Some("here".into()),
                help: Some("h".into()),
            }
            .at(pcl_syntax::Span::new(at, at + 3));
            // a second label on the next line: a two-line excerpt
            d = d.with_secondary(pcl_syntax::Span::new(text.len() - 5, text.len() - 1), "and here");
            for color in [false, true] {
                let out = SourceView::new("f.pcl", &text).render(&d, color);
                let plain = String::from_utf8(strip_ansi(out.as_bytes())).unwrap();
                assert!(plain.contains(&format!("f.pcl:{line}:301 ")), "{plain}");
                assert!(plain.contains(&format!(" {line} │ …")), "{plain}");
                assert!(plain.contains(&format!(" {} │ next", line + 1)), "{plain}");
                let bars: Vec<usize> = plain
                    .lines()
                    .skip(1)
                    .filter_map(|l| {
                        l.char_indices().find(|(_, c)| "│╭╯".contains(*c)).map(|(i, _)| l[..i].chars().count())
                    })
                    .collect();
                assert!(bars.windows(2).all(|w| w[0] == w[1]), "gutter not aligned at depth {depth}:\n{plain}");
            }
        }
    }

    fn strip_ansi(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == 0x1b {
                while i < bytes.len() && bytes[i] != b'm' {
                    i += 1;
                }
            } else {
                out.push(bytes[i]);
            }
            i += 1;
        }
        out
    }
}
