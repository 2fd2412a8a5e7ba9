//! Diagnostics for tools: JSON Lines (one object per diagnostic) and SARIF
//! 2.1.0 (for CI code scanning). Lines are 1-based; columns are 1-based and
//! count UTF-16 code units, as SARIF does by default; byte ranges are exact.

use pcl_semantics::source_text::Replacements;
use pcl_semantics::{Code, Diagnostic, Severity};
use std::io::Write;

use serde_json::{Value, json};

/// The language server's line index, counting UTF-16 units as SARIF does,
/// and whether the text starts with a byte order mark (no column of its
/// first line, as an editor shows it).
struct Lines<'t>(crate::lsp::LineIndex<'t>, bool);

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines(crate::lsp::LineIndex::new(text, crate::lsp::Encoding::Utf16), text.starts_with('\u{feff}'))
    }

    /// 1-based line and column of a byte offset.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let p = self.0.position(offset);
        let bom = usize::from(self.1 && p.line == 0 && p.character > 0);
        (p.line as usize + 1, p.character as usize + 1 - bom)
    }
}

fn severity(d: &Diagnostic) -> &'static str {
    match d.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A byte range in the file (not in its lossy text, when it is not UTF-8).
fn file_bytes(span: pcl_syntax::Span, replaced: &Replacements) -> (usize, usize) {
    (replaced.file_offset(span.start as usize), replaced.file_offset(span.end as usize))
}

fn place(lines: &Lines<'_>, span: pcl_syntax::Span, replaced: &Replacements) -> Value {
    let (start_line, start_column) = lines.line_column(span.start as usize);
    let (end_line, end_column) = lines.line_column(span.end as usize);
    let (start, end) = file_bytes(span, replaced);
    json!({
        "bytes": {"start": start, "end": end},
        "start": {"line": start_line, "column": start_column},
        "end": {"line": end_line, "column": end_column},
    })
}

/// One JSON object per line, per diagnostic, written to `out` as each is
/// made; `replaced` says where a lossy text's U+FFFDs stand in the file
/// (empty for a UTF-8 file).
pub fn write_json_lines(
    out: &mut dyn Write,
    path: &str,
    text: &str,
    diagnostics: &[Diagnostic],
    replaced: &Replacements,
) -> std::io::Result<()> {
    let lines = Lines::new(text);
    let fixes = pcl_ide::preferred_fixes(text, diagnostics);
    for (d, fix) in diagnostics.iter().zip(fixes) {
        let labels: Vec<Value> = d
            .secondary
            .iter()
            .map(|l| json!({"message": l.message, "range": place(&lines, l.span, replaced)}))
            .collect();
        // one edit: a fix of several (W0512's copies) as the one that
        // spans them, the text between its edits kept
        let fix = fix.and_then(|fix| {
            let (span, replacement) = one_edit(text, &fix.edits)?;
            Some(json!({
                "title": fix.title,
                "applicability": fix.applicability.as_str(),
                "range": place(&lines, span, replaced),
                "replacement": replacement,
            }))
        });
        let value = json!({
            "code": d.code.as_str(),
            "severity": severity(d),
            "message": d.message,
            "file": path,
            "range": place(&lines, d.span, replaced),
            "label": d.label,
            "labels": labels,
            "help": d.help,
            "fix": fix,
        });
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A SARIF 2.1.0 log of the files' diagnostics, written as they come: one
/// run of pcl, a rule per code (its `pcl explain` text), a result per
/// diagnostic. Laid out as `serde_json`'s pretty printer lays out the whole
/// log, but each result is made and written alone: built whole, a log of
/// 100,000 results took 1 GB to write 76 MB.
pub struct SarifLog<'w> {
    out: &'w mut dyn Write,
    /// What follows the results, once they are all written.
    tail: String,
    results: usize,
}

/// What stands for the results while the rest of the log is laid out: text
/// no rule's description holds.
const RESULTS_MARK: &str = "pcl-sarif-results";

/// Where a result starts in the pretty log: in `runs`, in its run, in
/// `results` (two spaces a level).
const RESULT_INDENT: &str = "        ";

impl<'w> SarifLog<'w> {
    /// Writes the log up to its first result.
    pub fn start(out: &'w mut dyn Write) -> std::io::Result<SarifLog<'w>> {
        let rules: Vec<Value> = Code::ALL
            .iter()
            .map(|c| {
                json!({
                    "id": c.as_str(),
                    "shortDescription": {"text": c.explain()},
                    "fullDescription": {"text": c.explanation()},
                    "defaultConfiguration": {"level": if c.severity() == Severity::Error { "error" } else { "warning" }},
                })
            })
            .collect();
        let empty = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "pcl", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
                "columnKind": "utf16CodeUnits",
                // a lone CR ends a line for pcl too (SARIF's default is
                // CRLF and LF only)
                "newlineSequences": ["\r\n", "\n", "\r"],
                "results": RESULTS_MARK,
            }],
        });
        let whole = serde_json::to_string_pretty(&empty).map_err(std::io::Error::other)?;
        // the results go where the mark is, whatever the members' order
        let quoted = format!("{:?}", RESULTS_MARK);
        let (head, tail) =
            whole.split_once(&quoted).ok_or_else(|| std::io::Error::other("no results in the SARIF log"))?;
        out.write_all(head.as_bytes())?;
        out.write_all(b"[")?;
        Ok(SarifLog { out, tail: tail.to_string(), results: 0 })
    }

    /// Writes one file's results.
    pub fn file(
        &mut self,
        path: &str,
        text: &str,
        diagnostics: &[Diagnostic],
        replaced: &Replacements,
    ) -> std::io::Result<()> {
        let lines = Lines::new(text);
        let uri = percent_encoded(path);
        let fixes = pcl_ide::preferred_fixes(text, diagnostics);
        for (d, fix) in diagnostics.iter().zip(&fixes) {
            let result = sarif_result(&lines, &uri, (d, fix.as_ref()), replaced);
            let pretty = serde_json::to_string_pretty(&result).map_err(std::io::Error::other)?;
            self.out.write_all(if self.results == 0 { b"\n" } else { b",\n" })?;
            // JSON strings hold no raw line break: each line is indented alike
            for (i, line) in pretty.split('\n').enumerate() {
                if i > 0 {
                    self.out.write_all(b"\n")?;
                }
                self.out.write_all(RESULT_INDENT.as_bytes())?;
                self.out.write_all(line.as_bytes())?;
            }
            self.results += 1;
        }
        Ok(())
    }

    /// Writes the rest of the log.
    pub fn finish(self) -> std::io::Result<()> {
        if self.results > 0 {
            self.out.write_all(b"\n")?;
            self.out.write_all(RESULT_INDENT.get(2..).unwrap_or_default().as_bytes())?;
        }
        self.out.write_all(b"]")?;
        self.out.write_all(self.tail.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

/// A fix's edits as one: from the first edit's start to the last's end,
/// each replaced and the text between them kept. `None` for no edit, or
/// edits that overlap or leave the text.
fn one_edit(text: &str, edits: &[(pcl_syntax::Span, String)]) -> Option<(pcl_syntax::Span, String)> {
    let mut sorted: Vec<&(pcl_syntax::Span, String)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| (span.start, span.end));
    let (first, last) = (sorted.first()?, sorted.last()?);
    let mut replacement = String::new();
    let mut at = first.0.start as usize;
    for (span, edit) in &sorted {
        replacement.push_str(text.get(at..span.start as usize)?);
        replacement.push_str(edit);
        at = span.end as usize;
    }
    Some((pcl_syntax::Span::new(first.0.start as usize, last.0.end as usize), replacement))
}

/// One diagnostic as a SARIF result, with the fix it suggests itself.
fn sarif_result(
    lines: &Lines<'_>,
    uri: &str,
    (d, fix): (&Diagnostic, Option<&pcl_ide::Fix>),
    replaced: &Replacements,
) -> Value {
    let region = |span: pcl_syntax::Span| {
        let (start_line, start_column) = lines.line_column(span.start as usize);
        let (end_line, end_column) = lines.line_column(span.end as usize);
        let (start, end) = file_bytes(span, replaced);
        json!({
            "startLine": start_line, "startColumn": start_column,
            "endLine": end_line, "endColumn": end_column,
            "byteOffset": start, "byteLength": end.saturating_sub(start),
        })
    };
    let location = |span| json!({"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region(span)}});
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!(" (help: {help})"));
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut loc = location(l.span);
            if let Some(o) = loc.as_object_mut() {
                o.insert("id".into(), json!(i));
                o.insert("message".into(), json!({"text": l.message}));
            }
            loc
        })
        .collect();
    let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": severity(d),
        "message": {"text": message},
        "locations": [location(d.span)],
    });
    if !related.is_empty()
        && let Some(o) = result.as_object_mut()
    {
        o.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(fix) = fix
        && let Some(o) = result.as_object_mut()
    {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|(span, text)| json!({"deletedRegion": region(*span), "insertedContent": {"text": text}}))
            .collect();
        o.insert(
            "fixes".into(),
            json!([{
                "description": {"text": fix.title},
                "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
                // SARIF has no word for it: a property, as `pcl check --format json` names it
                "properties": {"applicability": fix.applicability.as_str()},
            }]),
        );
    }
    result
}

/// A path as a URI reference: every byte but unreserved ones and `/`
/// percent-encoded (a `#` or a space would otherwise change its meaning).
fn percent_encoded(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// The log written result by result is laid out exactly as the pretty
    /// printer lays out the whole log (with no result, one, and several).
    #[test]
    fn the_streamed_log_is_the_pretty_log() {
        let text = "policy p {\n    allow { action s3:GetObjet; resource \"*\"; }\n}\n";
        let mut db = pcl_semantics::RootDatabase::default();
        let file = pcl_semantics::SourceFile::open(&mut db, "p.pcl".into(), text.into());
        let diagnostics = pcl_semantics::analyze_file(&db, file).diagnostics.clone();
        assert!(!diagnostics.is_empty());
        for files in [0, 1, 2] {
            let mut out = Vec::new();
            let mut log = SarifLog::start(&mut out).unwrap();
            for _ in 0..files {
                log.file("dir/p.pcl", text, &diagnostics, &Replacements::default()).unwrap();
            }
            log.finish().unwrap();
            let written = String::from_utf8(out).unwrap();
            let parsed: Value = serde_json::from_str(&written).unwrap();
            assert_eq!(written, serde_json::to_string_pretty(&parsed).unwrap() + "\n");
            let results = parsed.pointer("/runs/0/results").and_then(Value::as_array).map(Vec::len);
            assert_eq!(results, Some(files * diagnostics.len()));
        }
    }
}
