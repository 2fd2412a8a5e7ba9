//! Where the findings of a rendered statement are placed.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use crate::{Code, RootDatabase, SourceFile, analyze_file};

const TEXT: &str = r#"param partition: partition = "aws";
param bucket: arn = "arn:aws:s3:::b";
param names: list<string> = ["x", "y"];
feature f: bool = false;
valueset vs = ["arn:${partition}:s3:::ok", "arn:aws:s3:::v"];
policy p {
    allow "A" {
        action s3:GetObject;
        resource ["arn:aws:s3:::g/*" when f, "arn:${partition}:s3:::ok/*", bucket, @vs, @vs,
            "arn:aws:s3:::${n}/*" for n in names, "arn:aws:s3:::d/*" , "arn:aws:s3:::d/*"
        ];
    }
}
"#;

/// The ARN findings of a file (`E0316`): the text each points at, and
/// its label.
fn arn_findings(db: &RootDatabase, file: SourceFile, text: &str) -> Vec<(String, String)> {
    let analysis = analyze_file(db, file);
    let found = analysis.diagnostics.iter().filter(|d| d.code == Code::ArnPartition);
    found.map(|d| (text[d.span.start as usize..d.span.end as usize].to_string(), d.label.clone().unwrap())).collect()
}

/// An ARN of another partition is reported at the resource that renders
/// it, not at the statement's whole resource list: a string, a param, a
/// `@set` splice (the first, when spliced twice), a `for` template, each
/// of two equal strings, an item with its guard; without the white
/// space after it (before a `]` on the next line).
#[test]
fn an_arn_of_another_partition_is_reported_at_its_resource() {
    let wrong = "wrong in the other partitions";
    let want: Vec<(String, String)> = [
        ("\"arn:aws:s3:::g/*\" when f", wrong.to_string()),
        ("bucket", wrong.to_string()),
        ("@vs", format!("{wrong} (from valueset `vs`)")),
        ("\"arn:aws:s3:::${n}/*\" for n in names", wrong.to_string()),
        ("\"arn:aws:s3:::${n}/*\" for n in names", wrong.to_string()),
        ("\"arn:aws:s3:::d/*\"", wrong.to_string()),
        ("\"arn:aws:s3:::d/*\"", wrong.to_string()),
    ]
    .into_iter()
    .map(|(text, label)| (text.to_string(), label))
    .collect();
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "t.pcl".into(), TEXT.into());
    assert_eq!(arn_findings(&db, file, TEXT), want);
    // the same in a file opened to edit, and once an edit moved the
    // statement (its findings kept, and moved with it)
    let mut db = RootDatabase::default();
    let file = SourceFile::open_to_edit(&mut db, "t.pcl".into(), TEXT.into());
    assert_eq!(arn_findings(&db, file, TEXT), want);
    let at = TEXT.find("    allow \"A\"").unwrap();
    file.splice_text(&mut db, at..at, "\n").unwrap();
    let moved = format!("{}\n{}", &TEXT[..at], &TEXT[at..]);
    assert_eq!(arn_findings(&db, file, &moved), want);
}
