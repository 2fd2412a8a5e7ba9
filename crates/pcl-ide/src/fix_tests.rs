//! The fixes that change what a warning is about (W0512's repeat removed,
//! W0513's session action granted): each case's text, fixed, and checked
//! clean again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use super::*;
use crate::tests::{FILE, apply};

/// W0512's fix removes the entry it underlines, with one comma, only when
/// that removes the finding in every configuration and nothing else.
#[test]
fn repeated_entries_are_removed_by_their_fix() {
    let cases = [
        // the last entry before a trailing comma: the comma before it goes,
        // and the list keeps its trailing comma and its `]` its place
        (
            "policy p { allow { action [s3:ListBucket, s3:GetObject, s3:ListBucket,]; resource \"*\"; } }\n",
            Some("policy p { allow { action [s3:ListBucket, s3:GetObject,]; resource \"*\"; } }\n"),
        ),
        (
            "policy p {\n    allow {\n        action [\n            s3:ListBucket,\n            s3:ListBucket,\n        ];\n        resource \"*\";\n    }\n}\n",
            Some(
                "policy p {\n    allow {\n        action [\n            s3:ListBucket,\n        ];\n        resource \"*\";\n    }\n}\n",
            ),
        ),
        // a second copy, in another case: the copy goes
        (
            "policy p { allow { action [s3:ListBucket, \"s3:listbucket\"]; resource \"*\"; } }\n",
            Some("policy p { allow { action [s3:ListBucket]; resource \"*\"; } }\n"),
        ),
        // an action a pattern after it matches: the action goes, with the comma after it
        (
            "policy p {\n    allow {\n        action [ec2:DescribeInstances,\n            ec2:Describe*];\n        resource \"*\";\n    }\n}\n",
            Some("policy p {\n    allow {\n        action [ec2:Describe*];\n        resource \"*\";\n    }\n}\n"),
        ),
        // a file without features: its findings hold everywhere; the comma before it goes
        (
            "policy p { allow { action s3:GetObject; resource [\"*\", \"*\"]; } }\n",
            Some("policy p { allow { action s3:GetObject; resource [\"*\"]; } }\n"),
        ),
        // a copy a set brings: removing the splice would drop the set's others
        (
            "actionset reads = [s3:ListBucket, s3:GetObject];\npolicy p { allow { action [s3:ListBucket, @reads]; resource \"*\"; } }\n",
            None,
        ),
        // a `for` template: its other values are not covered
        (
            "param buckets: list<arn> = [\"arn:aws:s3:::x\", \"arn:aws:s3:::y\"];\npolicy p { allow { action s3:GetObject; resource [\"arn:aws:s3:::x/*\", \"${b}/*\" for b in buckets]; } }\n",
            None,
        ),
        // a pattern made of a param's default: another value need not cover it
        (
            "param region: region = \"*\";\npolicy p { allow { action ec2:StartInstances; resource [\"arn:aws:ec2:${region}:123456789012:instance/*\", \"arn:aws:ec2:us-east-1:123456789012:instance/*\"]; } }\n",
            None,
        ),
        // the same with the partition a param too (the message names `region = "*"`)
        (
            "param partition: partition = \"aws\";\nparam region: region = \"*\";\npolicy p { allow { action ec2:StartInstances; resource [\"arn:${partition}:ec2:${region}:*:instance/*\", \"arn:${partition}:ec2:us-east-1:*:instance/*\"]; } }\n",
            None,
        ),
        // a list param's `*`, bare or kept by a `for` template
        (
            "param arns: list<arn> = [\"arn:aws:s3:::data/*\"];\npolicy p { allow { action s3:GetObject; resource [arns, \"arn:aws:s3:::data/k\"]; } }\n",
            None,
        ),
        (
            "param buckets: list<string> = [\"*\"];\npolicy p { allow { action s3:GetObject; resource [\"arn:aws:s3:::${b}/*\" for b in buckets, \"arn:aws:s3:::data/k\"]; } }\n",
            None,
        ),
        // the copy that would stay is guarded (by a param: no `when` in the message)
        (
            "param region: region = \"us-east-1\";\npolicy p { allow { action s3:GetObject; resource [\"arn:aws:s3:::a/k\" when region == \"us-east-1\", \"arn:aws:s3:::a/k\"]; } }\n",
            None,
        ),
        // a comment between the comma and the copy: not touched
        (
            "policy p {\n    allow {\n        action [s3:ListBucket, // list\n            \"s3:ListBucket\" // again\n        ];\n        resource \"*\";\n    }\n}\n",
            None,
        ),
        // a comment after the entry's comma stays
        (
            "policy p { allow { action [s3:ListBucket, \"s3:ListBucket\", // again\n    s3:GetObject]; resource \"*\"; } }\n",
            Some("policy p { allow { action [s3:ListBucket, // again\n    s3:GetObject]; resource \"*\"; } }\n"),
        ),
        // every copy at once, covered by a pattern or listed again (the first kept)
        (
            "policy p { allow { action [s3:Get*, s3:GetObject, s3:ListBucket, s3:GetObject]; resource \"*\"; } }\n",
            Some("policy p { allow { action [s3:Get*, s3:ListBucket]; resource \"*\"; } }\n"),
        ),
        (
            "policy p { allow { action [s3:GetObject, s3:ListBucket, s3:GetObject, s3:GetObject]; resource \"*\"; } }\n",
            Some("policy p { allow { action [s3:GetObject, s3:ListBucket]; resource \"*\"; } }\n"),
        ),
        // matched only where the feature is on: elsewhere the entry is needed
        (
            "feature f: bool = false;\npolicy p { allow { action [ec2:DescribeInstances, ec2:Describe* when f]; resource \"*\"; } }\n",
            None,
        ),
    ];
    for (text, fixed) in cases {
        let mut h = AnalysisHost::new();
        h.set_text(FILE, text.to_string());
        let found = h.diagnostics(FILE);
        let repeat = found
            .iter()
            .find(|d| d.code == pcl_semantics::Code::RepeatedEntry)
            .unwrap_or_else(|| panic!("{text}: {found:?}"));
        let fixes = h.fixes(FILE, repeat.span);
        let fix = fixes.iter().find(|f| f.code == pcl_semantics::Code::RepeatedEntry && f.title.starts_with("Remove"));
        assert_eq!(fix.map(|f| apply(text, f)).as_deref(), fixed, "{text}");
        if let Some(fixed) = fixed {
            h.set_text(FILE, fixed.to_string());
            assert!(h.diagnostics(FILE).is_empty(), "{fixed}: {:?}", h.diagnostics(FILE));
        }
    }
}

/// W0513's fix grants the session action in the field's block (made of its
/// `;`, first in the block it has, or added to the block's `action` list),
/// and the role checks clean after it; a list that names the action
/// already (under a guard) gets none.
#[test]
fn a_session_action_asked_for_is_granted_by_its_fix() {
    let cases = [
        // an empty block: its `}` keeps a space before it
        (
            "role r {\n    trust service \"pods.eks.amazonaws.com\" {}\n}\n",
            Some("role r {\n    trust service \"pods.eks.amazonaws.com\" { action sts:TagSession; }\n}\n"),
        ),
        (
            "role r {\n    trust service \"pods.eks.amazonaws.com\";\n}\n",
            Some("role r {\n    trust service \"pods.eks.amazonaws.com\" { action sts:TagSession; }\n}\n"),
        ),
        // a list of principals, a comment with a brace before the block
        (
            "role r { trust service [\"ec2.amazonaws.com\", \"pods.eks.amazonaws.com\"] // {\n { condition StringEquals \"aws:SourceAccount\" \"123456789012\"; } }\n",
            Some(
                "role r { trust service [\"ec2.amazonaws.com\", \"pods.eks.amazonaws.com\"] // {\n { action sts:TagSession; condition StringEquals \"aws:SourceAccount\" \"123456789012\"; } }\n",
            ),
        ),
        // a block on lines of its own: the action on a line of its own, indented as the next
        (
            "role r {\n    trust service \"pods.eks.amazonaws.com\" {\n        condition StringEquals \"aws:SourceAccount\" \"123456789012\";\n    }\n}\n",
            Some(
                "role r {\n    trust service \"pods.eks.amazonaws.com\" {\n        action sts:TagSession;\n        condition StringEquals \"aws:SourceAccount\" \"123456789012\";\n    }\n}\n",
            ),
        ),
        // granted in some configurations only: a second copy would repeat it
        (
            "feature f: bool = false;\nrole r { trust service \"pods.eks.amazonaws.com\" { action [sts:TagSession when f]; } }\n",
            None,
        ),
        // a block that grants other actions: added to its list
        (
            "role r { trust service \"pods.eks.amazonaws.com\" { action sts:SetSourceIdentity; } }\n",
            Some(
                "role r { trust service \"pods.eks.amazonaws.com\" { action [sts:SetSourceIdentity, sts:TagSession]; } }\n",
            ),
        ),
        (
            "feature f: bool = false;\nrole r { trust service \"pods.eks.amazonaws.com\" { action [sts:SetSourceIdentity when f,]; } }\n",
            Some(
                "feature f: bool = false;\nrole r { trust service \"pods.eks.amazonaws.com\" { action [sts:SetSourceIdentity when f, sts:TagSession,]; } }\n",
            ),
        ),
        // a set may hold it under a guard: a second copy would repeat it
        (
            "feature f: bool = false;\nactionset extra = [sts:TagSession when f];\nrole r { trust service \"pods.eks.amazonaws.com\" { action @extra; } }\n",
            None,
        ),
        // a list on lines of its own: after the last entry, before its comment;
        // a comment that names the action is no grant
        (
            "role r {\n    trust service \"pods.eks.amazonaws.com\" {\n        action [\n            sts:SetSourceIdentity // not sts:TagSession yet\n        ];\n    }\n}\n",
            Some(
                "role r {\n    trust service \"pods.eks.amazonaws.com\" {\n        action [\n            sts:SetSourceIdentity, sts:TagSession // not sts:TagSession yet\n        ];\n    }\n}\n",
            ),
        ),
    ];
    for (text, fixed) in cases {
        let mut h = AnalysisHost::new();
        h.set_text(FILE, text.to_string());
        let found = h.diagnostics(FILE);
        let asked = found
            .iter()
            .find(|d| d.code == pcl_semantics::Code::SessionActionNotGranted)
            .unwrap_or_else(|| panic!("{text}: {found:?}"));
        let fixes = h.fixes(FILE, asked.span);
        let fix = fixes.iter().find(|f| f.code == pcl_semantics::Code::SessionActionNotGranted && f.preferred);
        assert_eq!(fix.map(|f| apply(text, f)).as_deref(), fixed, "{text}");
        if let Some(fixed) = fixed {
            h.set_text(FILE, fixed.to_string());
            assert!(h.diagnostics(FILE).is_empty(), "{fixed}: {:?}", h.diagnostics(FILE));
        }
    }
}

/// Fixes applied together: each whose edits overlap none taken before it
/// (in the order of their first edit); one that overlaps, inserts where
/// another edits, or cuts a character, waits.
#[test]
fn fixes_applied_together_take_those_that_touch_no_other() {
    let fix = |start: usize, end: usize, text: &str| Fix {
        title: String::new(),
        code: pcl_semantics::Code::UnknownAction,
        at: Span::new(start, end),
        edits: vec![(Span::new(start, end), text.to_string())],
        preferred: true,
        applicability: crate::Applicability::Safe,
    };
    let text = "0123456789";
    let fixes = [fix(8, 9, "X"), fix(1, 3, "ab"), fix(2, 4, "no"), fix(5, 5, "+"), fix(5, 6, "no")];
    let (fixed, used) = crate::applied(text, &fixes).unwrap();
    assert_eq!(fixed, "0ab34+567X9");
    let taken: Vec<&str> = used.iter().map(|f| f.edits[0].1.as_str()).collect();
    assert_eq!(taken, ["ab", "+", "X"]);
    // not preferred (an acknowledgement, a removal of an unused item): left
    let optional = Fix { preferred: false, ..fix(0, 1, "no") };
    assert_eq!(crate::applied(text, &[optional]), None);
    assert_eq!(crate::applied(text, &[]), None);
    // an edit inside a character is no fix; the others still are
    let wide = "é=1";
    let around = [fix(1, 2, "no"), fix(2, 3, "==")];
    let (fixed, used) = crate::applied(wide, &around).unwrap();
    assert_eq!((fixed.as_str(), used.len()), ("é==1", 1));
    // a fix that would break the syntax is not applied safely
    let parses = "param a: string = \"x\";\n";
    assert!(crate::applied(parses, &[fix(6, 7, "{")]).is_some());
    assert_eq!(crate::applied_safely(parses, &[fix(6, 7, "{")]), None);
}
