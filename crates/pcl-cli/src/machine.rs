//! Diagnostics for tools: JSON Lines (one object per diagnostic) and SARIF
//! 2.1.0 (for CI code scanning). Lines are 1-based; columns are 1-based and
//! count UTF-16 code units, as SARIF does by default; byte ranges are exact.

use pcl_semantics::source_text::Replacements;
use pcl_semantics::{Code, Diagnostic, Severity};
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

/// One JSON object per line, per diagnostic; `replaced` says where a lossy
/// text's U+FFFDs stand in the file (empty for a UTF-8 file).
pub fn json_lines(path: &str, text: &str, diagnostics: &[Diagnostic], replaced: &Replacements) -> String {
    let lines = Lines::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let labels: Vec<Value> = d
            .secondary
            .iter()
            .map(|l| json!({"message": l.message, "range": place(&lines, l.span, replaced)}))
            .collect();
        let fix = pcl_ide::suggested_edit(text, d)
            .map(|(span, replacement)| json!({"range": place(&lines, span, replaced), "replacement": replacement}));
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
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

/// One file's diagnostics for a SARIF log: its path, its text, and where a
/// lossy text's U+FFFDs stand in the file.
pub type SarifFile = (String, String, Vec<Diagnostic>, Replacements);

/// A SARIF 2.1.0 log of the files' diagnostics: one run of pcl, a rule per
/// code (its `pcl explain` text), a result per diagnostic.
pub fn sarif(files: &[SarifFile]) -> String {
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
    let mut results = Vec::new();
    for (path, text, diagnostics, replaced) in files {
        let lines = Lines::new(text);
        let uri = percent_encoded(path);
        for d in diagnostics {
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
            let location =
                |span| json!({"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region(span)}});
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
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pcl", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
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
