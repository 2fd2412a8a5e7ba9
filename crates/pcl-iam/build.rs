//! Indexes `data/catalog.txt` at compile time: each service's actions,
//! resource types and condition keys, with where each of their fields lies
//! in the file, the global keys, and the `aws:` keys services list. The
//! running compiler then finds a service, and reads its records, without
//! scanning the 3.6 MB file (that scan cost about 5 ms, as much as checking
//! policies.pcl) or splitting lines.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=data/catalog.txt");
    let text = std::fs::read_to_string("data/catalog.txt").unwrap_or_default();
    let mut source = ("", "", "");
    let mut globals: Vec<(&str, &str)> = Vec::new();
    let mut aws_keys: BTreeSet<&str> = BTreeSet::new();
    // (prefix, name, its actions, resource types and keys as index ranges)
    type Range = (usize, usize);
    let mut services: Vec<(Span, Span, Range, Range, Range)> = Vec::new();
    // (name, line, resource types, condition keys) of every action, service
    // after service. Everything is a (start, end) offset (the name's into
    // `names`, the rest into the file),
    // never a `&str`: a table of pointers would cost the loader a
    // relocation per entry at every start (about 25,000, 2 ms).
    type Span = (usize, usize);
    let mut actions: Vec<(Span, Span, Span, Span)> = Vec::new();
    // every service prefix and name and every action name, one after
    // another: the index and a service's binary search read names together,
    // so they sit together (a few pages), not spread over 3.6 MB of lines
    let mut names = String::new();
    let mut name = |text: &str| {
        let span = (names.len(), names.len() + text.len());
        names.push_str(text);
        span
    };
    // (name, ARN format, condition keys) of every `R` line; (key, type,
    // description) of every `K` line
    let mut resource_types: Vec<(Span, Span, Span)> = Vec::new();
    let mut keys: Vec<(Span, Span, Span)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let mut fields = line.trim_end_matches('\n').split('\t');
        match fields.next() {
            Some("V") => {
                let mut next = || fields.next().unwrap_or_default();
                source = (next(), next(), next());
            }
            Some("G") => {
                if let (Some(key), Some(ty)) = (fields.next(), fields.next()) {
                    globals.push((key, ty));
                }
            }
            Some("A") => {
                let field = |n: usize| field_span(line, start, n);
                actions.push((name(fields.next().unwrap_or_default()), (start, offset), field(3), field(4)));
                if let Some(last) = services.last_mut() {
                    last.2.1 = actions.len();
                }
            }
            Some("R") => {
                let field = |n: usize| field_span(line, start, n);
                resource_types.push((field(1), field(2), field(3)));
                if let Some(last) = services.last_mut() {
                    last.3.1 = resource_types.len();
                }
            }
            Some("K") => {
                let field = |n: usize| field_span(line, start, n);
                keys.push((field(1), field(2), field(3)));
                if let Some(key) = fields.next().filter(|k| k.starts_with("aws:")) {
                    aws_keys.insert(key);
                }
                if let Some(last) = services.last_mut() {
                    last.4.1 = keys.len();
                }
            }
            Some("S") => {
                let (prefix, title) =
                    (name(fields.next().unwrap_or_default()), name(fields.next().unwrap_or_default()));
                let (a, r, k) = (actions.len(), resource_types.len(), keys.len());
                services.push((prefix, title, (a, a), (r, r), (k, k)));
            }
            _ => {}
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "pub(super) static SOURCE: (&str, &str, &str) = {source:?};");
    let _ = writeln!(out, "pub(super) static GLOBALS: &[(&str, &str)] = &{globals:?};");
    let aws_keys: Vec<&str> = aws_keys.into_iter().collect();
    let _ = writeln!(out, "pub(super) static SERVICE_AWS_KEYS: &[&str] = &{aws_keys:?};");
    let _ = writeln!(out, "pub(super) static SERVICES: &[ServiceEntry] = &{services:?};");
    let _ = writeln!(out, "pub(super) static RESOURCE_TYPES: &[(Span, Span, Span)] = &{resource_types:?};");
    let _ = writeln!(out, "pub(super) static KEYS: &[(Span, Span, Span)] = &{keys:?};");
    let _ = writeln!(out, "pub(super) static NAMES: &str = {names:?};");
    let _ = writeln!(out, "pub(super) static ACTIONS: &[(Span, Span, Span, Span)] = &{actions:?};");
    let dir = std::env::var_os("OUT_DIR").unwrap_or_default();
    let _ = std::fs::write(Path::new(&dir).join("catalog_index.rs"), out);
}

/// Where tab-separated field `n` of `line` (which starts at `offset` in the
/// file) lies in the file; empty at the line's end when it is missing.
fn field_span(line: &str, offset: usize, n: usize) -> (usize, usize) {
    let body = line.trim_end_matches('\n');
    let mut start = 0;
    for (i, field) in body.split('\t').enumerate() {
        if i == n {
            return (offset + start, offset + start + field.len());
        }
        start += field.len() + 1;
    }
    (offset + body.len(), offset + body.len())
}
