//! `policy_header` checks a policy's header alone (`item_check::check_policy_header`);
//! it must say what the whole item's check says of those parts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use pcl_syntax::ast;

use super::{ItemDef, RootDatabase, SourceFile, check_item, file_items, policy_header};
use crate::item_check::ItemAnalysis;

/// The header part of the whole item's check: what `policy_header` made
/// before it read the header alone (the analysis, its statements left
/// out, with the diagnostics and references outside them), spans made
/// relative to the policy's name, as the header's are.
fn header_of_whole_check(db: &RootDatabase, item: ItemDef) -> Option<ItemAnalysis> {
    let analysis = check_item(db, item);
    let crate::ir::ItemIr::Policy { when, splittable: false, naming, .. } = &*analysis.ir else { return None };
    let ast::ItemKind::Policy(policy) = &item.ast(db).kind else { return None };
    let entries: Vec<pcl_syntax::Span> = policy.entries.iter().map(ast::BodyEntry::extent).collect();
    let in_header = |span: pcl_syntax::Span| !entries.iter().any(|e| e.start <= span.start && span.end <= e.end);
    let origin = analysis.name_span.start;
    let from_name = |span: pcl_syntax::Span| span.relative_to(origin);
    let mut naming = naming.clone();
    naming.name_span = naming.name_span.map(from_name);
    let ir = crate::ir::ItemIr::Policy { when: when.clone(), entries: Vec::new(), splittable: false, naming };
    let diagnostics = analysis.diagnostics.iter().filter(|d| in_header(d.span));
    let refs = analysis.refs.iter().filter(|r| in_header(r.span));
    Some(ItemAnalysis {
        ir: std::sync::Arc::new(ir),
        diagnostics: diagnostics.map(|d| d.clone().with_spans(from_name)).collect(),
        refs: refs.map(|r| crate::item_check::Ref { span: from_name(r.span), ..r.clone() }).collect(),
        name_span: from_name(analysis.name_span),
        recovered: analysis.recovered,
    })
}

fn assert_headers_agree(path: &str, text: String) -> usize {
    let mut db = RootDatabase::default();
    // opened to edit: a file opened for one check keeps no policy's statements
    let file = SourceFile::open_to_edit(&mut db, path.to_string(), text);
    let mut compared = 0;
    for &item in file_items(&db, file) {
        let alone = policy_header(&db, item).as_ref().map(|h| (*h.analysis).clone());
        let whole = header_of_whole_check(&db, item);
        assert_eq!(alone, whole, "{path}: policy `{}`", item.name(&db));
        compared += usize::from(alone.is_some());
    }
    compared
}

#[test]
fn a_header_checked_alone_is_what_the_whole_check_says_of_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut compared =
        assert_headers_agree("policies.pcl", std::fs::read_to_string(root.join("policies.pcl")).unwrap());
    let mut fixtures: Vec<_> =
        std::fs::read_dir(root.join("tests/fixtures")).unwrap().map(|e| e.unwrap().path()).collect();
    fixtures.sort();
    for path in fixtures.iter().filter(|p| p.extension().is_some_and(|e| e == "pcl")) {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        compared += assert_headers_agree(&path.display().to_string(), text);
    }
    // headers whose parts meet what the statements use, or report
    let cases = r#"
param partition: partition = "aws";
param cluster: string;
param maybe: string optional;
feature fsx: bool = false;
policy a when fsx { name "${maybe}-a"; allow { action s3:GetObject; resource "arn:${partition}:s3:::${maybe}"; } }
policy b when nope { allow { action s3:GetObject; resource "*"; } description "after ${cluster} ${nope2}"; }
expect W0300 "kept" policy c { name "${cluster}"; allow { action s3:GetObject; resource "*"; } }
policy d when fsx == 3 { name "${unknown}"; }
role r { trust service ["ec2.amazonaws.com"]; attach a; attach b; attach c; attach d; }
"#;
    compared += assert_headers_agree("cases.pcl", cases.to_string());
    assert!(compared > 20, "only {compared} headers compared");
}
