//! `Item::same_set_but_docs`: what lets the driver keep a set's body as
//! durable as it was when only its doc comments changed.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use pcl_syntax::parse_file;

fn item(text: &str) -> std::sync::Arc<pcl_syntax::ast::Item> {
    let parsed = parse_file(text);
    assert!(parsed.errors.is_empty(), "{text}: {:?}", parsed.errors);
    std::sync::Arc::clone(&parsed.items[0].item)
}

#[test]
fn a_set_whose_doc_comments_alone_changed_is_the_same() {
    let before = item("/// Roles.\nvalueset r = [\"a\", \"b\"];\n");
    for after in [
        "/// Roles we pass.\nvalueset r = [\"a\", \"b\"];\n",
        "valueset r = [\"a\", \"b\"];\n",
        "/// Roles.\n/// More.\nvalueset r = [\"a\", \"b\"];\n",
    ] {
        assert!(item(after).same_set_but_docs(&before), "{after}");
    }
    let expected = item("expect W0509 \"kept\"\nvalueset r = [\"a\"];\n");
    let documented = item("/// Roles.\nexpect W0509 \"kept\"\nvalueset r = [\"a\"];\n");
    assert!(documented.same_set_but_docs(&expected), "an `expect` moved with its set");
    let actions = item("/// Read.\nactionset a = [s3:GetObject];\n");
    assert!(item("/// Read objects.\nactionset a = [s3:GetObject];\n").same_set_but_docs(&actions));
}

#[test]
fn a_set_whose_values_name_or_layout_changed_is_not() {
    let before = item("/// Roles.\nvalueset r = [\"a\", \"b\"];\n");
    for after in [
        "/// Roles.\nvalueset r = [\"a\", \"c\"];\n",
        "/// Roles.\nvalueset r = [\"a\"];\n",
        "/// Roles.\nvalueset q = [\"a\", \"b\"];\n",
        // its values moved against its name
        "/// Roles.\nvalueset r = [ \"a\", \"b\"];\n",
        "/// Roles.\nexpect W0509 \"x\"\nvalueset r = [\"a\", \"b\"];\n",
        "/// Roles.\nvalueset r = [\"a\", \"b\" when f];\n",
    ] {
        assert!(!item(after).same_set_but_docs(&before), "{after}");
    }
    let expected = item("expect W0509 \"kept\"\nvalueset r = [\"a\"];\n");
    assert!(!item("expect W0509 \"other\"\nvalueset r = [\"a\"];\n").same_set_but_docs(&expected));
    let policy = item("/// P.\npolicy p {}\n");
    assert!(!item("/// Q.\npolicy p {}\n").same_set_but_docs(&policy), "only sets");
}
