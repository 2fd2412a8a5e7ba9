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

/// A W0512 of `text` as placed: the text it points at, its message, label
/// and help, and each secondary label with the text it points at.
#[derive(Debug, PartialEq, Eq)]
struct Repeat {
    at: String,
    message: String,
    label: String,
    help: String,
    secondary: Vec<(String, String)>,
}

fn repeats_of(text: &str) -> Vec<Repeat> {
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "t.pcl".into(), text.into());
    let analysis = analyze_file(&db, file);
    let slice = |span: pcl_syntax::Span| text[span.start as usize..span.end as usize].to_string();
    let found = analysis.diagnostics.iter().filter(|d| d.code == Code::RepeatedEntry);
    found
        .map(|d| Repeat {
            at: slice(d.span),
            message: d.message.clone(),
            label: d.label.clone().unwrap(),
            help: d.help.clone().unwrap(),
            secondary: d.secondary.iter().map(|l| (slice(l.span), l.message.clone())).collect(),
        })
        .collect()
}

/// A repeat from an actionset spliced inside another names the set that
/// writes it, and the sets that bring that one (outermost first); two
/// copies from two sets of one splice name both.
#[test]
fn an_entry_from_a_nested_set_names_the_set_it_is_written_in() {
    let text = r#"actionset inner = [s3:GetObject, s3:GetObjectAcl];
actionset middle = [@inner];
actionset outer = [@middle, s3:ListBucket];
actionset left = [s3:PutObject];
actionset right = [s3:PutObject];
actionset both = [@left, @right];
policy p {
    allow "Nested" {
        action [s3:GetObject, @outer];
        resource "*";
    }
    allow "OneLevel" {
        action [s3:GetObjectAcl, @middle];
        resource "*";
    }
    allow "TwoSets" {
        action [@both];
        resource "*";
    }
}
"#;
    let found = repeats_of(text);
    let said: Vec<(&str, &str)> = found.iter().map(|f| (f.at.as_str(), f.label.as_str())).collect();
    assert_eq!(
        said,
        [
            ("@outer", "the rendered list repeats it (from actionset `inner`, via `outer` and `middle`)"),
            ("@middle", "the rendered list repeats it (from actionset `inner`, via `middle`)"),
            (
                "@both",
                "the rendered list repeats it (from actionset `left`, via `both`; again from actionset `right`, via `both`)"
            ),
        ]
    );
}

/// The same for valuesets, the pattern's label included, and an ARN of
/// another partition (E0316) from a nested valueset.
#[test]
fn a_value_from_a_nested_valueset_names_the_set_it_is_written_in() {
    let text = r#"param partition: partition = "aws";
valueset patterns = ["arn:${partition}:s3:::logs/*"];
valueset keys = ["arn:${partition}:s3:::logs/a", "arn:aws:s3:::hard"];
valueset all = [@patterns, @keys];
policy p {
    allow {
        action s3:GetObject;
        resource [@all, "arn:${partition}:s3:::logs/b"];
    }
}
"#;
    let found = repeats_of(text);
    let said: Vec<(&str, &str)> = found.iter().map(|f| (f.at.as_str(), f.label.as_str())).collect();
    assert_eq!(
        said,
        [
            ("@all", "`arn:…:s3:::logs/*` matches it (from valueset `keys`, via `all`)"),
            ("\"arn:${partition}:s3:::logs/b\"", "`arn:…:s3:::logs/*` matches it"),
        ]
    );
    // pattern and entry both from `@all`: no secondary label at the same place
    assert!(found[0].secondary.is_empty(), "{found:#?}");
    let pattern_here = "`arn:…:s3:::logs/*` is listed here (from valueset `patterns`, via `all`)";
    assert_eq!(found[1].secondary, [("@all".to_string(), pattern_here.to_string())]);
    let mut db = RootDatabase::default();
    let file = SourceFile::open(&mut db, "t.pcl".into(), text.into());
    assert_eq!(
        arn_findings(&db, file, text),
        [("@all".to_string(), "wrong in the other partitions (from valueset `keys`, via `all`)".to_string())]
    );
}
