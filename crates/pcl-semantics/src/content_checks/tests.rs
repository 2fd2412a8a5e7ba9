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
/// it, not at the statement's whole resource list: a string, a `@set`
/// splice (the first, when spliced twice), a `for` template, each of two
/// equal strings, an item with its guard; without the white space after it
/// (before a `]` on the next line). An ARN param's default (`bucket`) is
/// judged at the default, against the partition's default alone
/// (`other_partition`): in the other partitions it stands for the ARN a
/// build there is given.
#[test]
fn an_arn_of_another_partition_is_reported_at_its_resource() {
    let wrong = "wrong in the other partitions";
    let want: Vec<(String, String)> = [
        ("\"arn:aws:s3:::g/*\" when f", wrong.to_string()),
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

fn one_repeat(text: &str) -> Repeat {
    let mut found = repeats_of(text);
    assert_eq!(found.len(), 1, "{text}: {found:#?}");
    found.pop().unwrap()
}

/// The brief's case: `${region}` at `*` makes the first ARN a pattern that
/// covers the second, which no other region would.
const REGION_STAR: &str = r#"param partition: partition = "aws";
param region: region = "*";
policy p {
    allow {
        action ec2:StartInstances;
        resource ["arn:${partition}:ec2:${region}:*:instance/*", "arn:${partition}:ec2:us-east-1:*:instance/*"];
    }
}
"#;

/// A pattern that covers an entry only through a param's value says which
/// value, and the help says how to keep the entry for the others.
#[test]
fn a_cover_owed_to_a_params_wildcard_names_the_value() {
    let found = one_repeat(REGION_STAR);
    assert_eq!(found.at, "\"arn:${partition}:ec2:us-east-1:*:instance/*\"");
    assert_eq!(
        found.message,
        "`arn:…:ec2:us-east-1:*:instance/*` is already in the statement's resources through `arn:…:ec2:*:*:instance/*` (with region = \"*\")"
    );
    assert_eq!(
        found.help,
        "`arn:…:ec2:*:*:instance/*` covers `arn:…:ec2:us-east-1:*:instance/*` only while region = \"*\": guard the entry with `when region != \"*\"`, or remove it if region keeps that value"
    );
    assert_eq!(found.secondary.len(), 1);
    // the guard the help suggests: no finding where region is `*`, and none
    // where it is another region
    let guarded = REGION_STAR.replace(
        "\"arn:${partition}:ec2:us-east-1:*:instance/*\"]",
        "\"arn:${partition}:ec2:us-east-1:*:instance/*\" when region != \"*\"]",
    );
    assert!(repeats_of(&guarded).is_empty(), "{guarded}");
    let elsewhere = guarded.replace("region = \"*\"", "region = \"eu-west-1\"");
    assert!(repeats_of(&elsewhere).is_empty(), "{elsewhere}");
}

/// Params named only when their wildcard makes the cover: not one whose
/// `*` is in the entry as well as the pattern, nor one the entry alone
/// reads, nor one another entry reads, nor one without which another
/// pattern covers the entry still.
#[test]
fn only_the_params_that_make_the_cover_are_named() {
    let both = REGION_STAR.replace("ec2:us-east-1:*:instance/*\"", "ec2:${region}:*:instance/i-1\"");
    let found = one_repeat(&both);
    assert!(!found.message.contains("(with"), "{found:#?}");
    assert!(found.help.starts_with("remove "), "{found:#?}");
    // a written pattern, an entry with the param's `*`
    let entry_only = REGION_STAR.replace(
        "[\"arn:${partition}:ec2:${region}:*:instance/*\", \"arn:${partition}:ec2:us-east-1:*:instance/*\"]",
        "[\"arn:${partition}:ec2:*:*:instance/*\", \"arn:${partition}:ec2:${region}:*:instance/i-1\"]",
    );
    let found = one_repeat(&entry_only);
    assert!(!found.message.contains("(with"), "{found:#?}");
    // a written pattern, and the param's `*` in another entry of the list
    let elsewhere = REGION_STAR.replace(
        "[\"arn:${partition}:ec2:${region}:*:instance/*\",",
        "[\"arn:${partition}:ec2:*:*:instance/*\", \"arn:${partition}:ec2:${region}:*:volume/*\",",
    );
    let found = one_repeat(&elsewhere);
    assert!(found.message.ends_with("through `arn:…:ec2:*:*:instance/*`"), "{found:#?}");
    // the param's pattern covers it first, but a written one would without it
    let wider = REGION_STAR.replace(
        "[\"arn:${partition}:ec2:${region}:*:instance/*\",",
        "[\"arn:${partition}:ec2:${region}:*:instance/*\", \"arn:${partition}:ec2:*:*:*\",",
    );
    let found = repeats_of(&wider);
    let said: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        said,
        [
            "`arn:…:ec2:*:*:instance/*` is already in the statement's resources through `arn:…:ec2:*:*:*`",
            "`arn:…:ec2:us-east-1:*:instance/*` is already in the statement's resources through `arn:…:ec2:*:*:instance/*`",
        ]
    );
}

/// A list param's `*` (bare, or kept by a `for` template) is named as a
/// value of the list; a param read through a valueset too.
#[test]
fn a_list_params_wildcard_is_named_as_one_of_its_values() {
    let text = r#"param buckets: list<string> = ["*"];
param arns: list<arn> = ["arn:aws:s3:::data/*"];
valueset through = ["arn:aws:s3:::${b}/*" for b in buckets];
policy p {
    allow "Template" {
        action s3:GetObject;
        resource ["arn:aws:s3:::data/k", "arn:aws:s3:::${b}/*" for b in buckets];
    }
    allow "Bare" {
        action s3:GetObject;
        resource [arns, "arn:aws:s3:::data/k"];
    }
    allow "Set" {
        action s3:GetObject;
        resource [@through, "arn:aws:s3:::data/k"];
    }
}
"#;
    let found = repeats_of(text);
    let said: Vec<(&str, &str)> = found.iter().map(|f| (f.at.as_str(), f.message.as_str())).collect();
    assert_eq!(
        said,
        [
            (
                "\"arn:aws:s3:::data/k\"",
                "`arn:…:s3:::data/k` is already in the statement's resources through `*` (with \"*\" in buckets)"
            ),
            (
                "\"arn:aws:s3:::data/k\"",
                "`arn:…:s3:::data/k` is already in the statement's resources through `arn:…:s3:::data/*` (with \"arn:aws:s3:::data/*\" in arns)"
            ),
            (
                "\"arn:aws:s3:::data/k\"",
                "`arn:…:s3:::data/k` is already in the statement's resources through `*` (with \"*\" in buckets)"
            ),
        ]
    );
    // no guard to suggest for a list
    assert_eq!(
        found[1].help,
        "`arn:…:s3:::data/*` covers `arn:…:s3:::data/k` only with this value of arns: keep the entry if arns may be set otherwise, or remove it"
    );
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
