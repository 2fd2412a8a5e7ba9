//! End-to-end tests of `pcl build`: what it writes, `--set` values and
//! `--deny warnings`, and the output directory a failed or interrupted build
//! must leave untouched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use std::process::{Command, Output};
use support::*;

/// A source written as `p.pcl` in a directory of its own, built into `out`
/// there with `--set` values.
struct SetBuild {
    tmp: tempfile::TempDir,
}

impl SetBuild {
    fn new(text: &str) -> SetBuild {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "p.pcl", text);
        SetBuild { tmp }
    }

    fn out(&self) -> std::path::PathBuf {
        self.tmp.path().join("out")
    }

    /// `pcl build` with each of `sets` as a `--set` value.
    fn run(&self, sets: &[&str]) -> Output {
        let (src, out) = (self.tmp.path().join("p.pcl"), self.out());
        let mut args = vec!["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--color", "never"];
        for set in sets {
            args.extend(["--set", set]);
        }
        pcl(&args)
    }

    /// `pcl build` with `set` fails as a usage error (exit 2), E0203 with
    /// `expected` in the message.
    fn rejects(&self, set: &str, expected: &str) {
        let o = self.run(&[set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains("E0203") && stderr(&o).contains(expected), "{set}: {}", stderr(&o));
    }
}

#[test]
fn build_writes_outputs_and_index() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let out = tmp.path().join("out");
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files: Vec<String> = listing(&out).into_iter().map(|(p, _)| p).collect();
    // 3 configurations: restricted+awsbatch is excluded by the constraint
    assert_eq!(
        files,
        [
            "index.json",
            "policy/user.iam_mode-restricted.json",
            "policy/user.json",
            "policy/user.scheduler-awsbatch.json",
        ]
    );
    let restricted = std::fs::read_to_string(out.join("policy/user.iam_mode-restricted.json")).unwrap();
    assert!(restricted.contains("arn:aws:iam::123456789012:role/parallelcluster/*"), "{restricted}");
    // no staging or backup directories are left behind
    let leftovers = staging_leftovers(tmp.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // pinning a feature renders only the matching variants
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "scheduler=awsbatch"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(listing(&out).len(), 2);
}

#[test]
fn failed_build_leaves_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.pcl", GOOD);
    let bad = write(
        tmp.path(),
        "bad.pcl",
        &GOOD.replace("resource \"*\"; }\n    allow \"Batch\"", "resource \"*\" }\n    allow \"Batch\""),
    );
    let out = tmp.path().join("out");
    let o = pcl(&["build", good.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let before = listing(&out);

    let good = good.to_str().unwrap();
    // the arguments, the exit status, the code, and a piece of the message or help that must be there
    let cases: [(Vec<&str>, i32, &str, &str); 11] = [
        (vec![bad.to_str().unwrap()], 1, "E0001", "expected `;`"),
        (vec![good, "--set", "account=12345"], 2, "E0203", "not an AWS account id"),
        (vec![good, "--set", "scheduler=pbs"], 2, "E0201", "allowed: slurm, awsbatch"),
        (vec![good, "--set", "scheduler=Slurm"], 2, "E0201", "did you mean `slurm`? Values are case-sensitive"),
        (vec![good, "--set", "schedulr=slurm"], 2, "E0100", "did you mean `scheduler`?"),
        (vec![good, "--set", "nosuch=1"], 2, "E0100", "settable names: partition, account, scheduler, iam_mode"),
        (
            vec![good, "--set", "iam_mode=restricted", "--set", "scheduler=awsbatch"],
            2,
            "E0401",
            "restricted mode cannot manage AWS Batch clusters",
        ),
        (vec![good, "--set", "user=x"], 2, "E0102", "only params and features can be set"),
        // malformed: clap's value parser rejects it before anything is read
        (vec![good, "--set", "novalue"], 2, "invalid value 'novalue'", "not of the form NAME=VALUE"),
        (vec![good, "--set", "=x"], 2, "invalid value '=x'", "not of the form NAME=VALUE"),
        (vec![good, "--set", "scheduler=slurm", "--set", "scheduler=awsbatch"], 2, "E0203", "given twice"),
    ];
    for (args, status, code, text) in cases {
        let mut args = [&["build"][..], &args].concat();
        args.extend(["--out", out.to_str().unwrap(), "--color", "never"]);
        let o = pcl(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(status), "{args:?}: {err}");
        assert!(err.contains(code) && err.contains(text), "{args:?} should report {code} with `{text}`: {err}");
        assert!(err.contains("nothing written") || code.starts_with("invalid value"), "{err}");
        assert_eq!(listing(&out), before, "{args:?} changed the output directory");
    }
}

/// `--set` on a file that declares nothing settable says so, rather than
/// listing no names ("settable names: ").
#[test]
fn set_on_a_file_without_params_says_nothing_can_be_set() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "plain.pcl", "policy p {\n    allow { action s3:GetObject; resource \"*\"; }\n}\n");
    let out = tmp.path().join("out");
    let o = pcl(&["build", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "x=1", "--color", "never"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("E0100") && err.contains("the file declares no param or feature"), "{err}");
    assert!(!err.contains("settable names:"), "{err}");
}

/// A warning the check made of a placeholder is shown, in a build given the
/// value, as the build's configuration finds it: with the value and the help
/// that fits it (an EKS cluster's issuer: a service account's subject).
#[test]
fn build_words_the_check_s_warnings_with_the_values_given() {
    let build = SetBuild::new(
        r#"param partition: partition = "aws";
param oidc_provider: string placeholder "<OIDC PROVIDER>";
role r {
    trust federated "arn:${partition}:iam::123456789012:oidc-provider/${oidc_provider}" {
        condition StringEquals "${oidc_provider}:aud" "sts.amazonaws.com";
    }
}
"#,
    );
    let placeholder = build.run(&[]);
    let err = stderr(&placeholder);
    assert_eq!(placeholder.status.code(), Some(0), "{err}");
    assert!(err.contains("oidc-provider/<OIDC PROVIDER>") && err.contains("(e.g. `SUBJECT`)"), "{err}");
    let given = build.run(&["oidc_provider=oidc.eks.us-east-1.amazonaws.com/id/ABC"]);
    let err = stderr(&given);
    assert_eq!(given.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("[W0509]").count(), 1, "{err}");
    assert!(
        !err.contains("<OIDC PROVIDER>") && err.contains("system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT"),
        "{err}"
    );
    // a file analysed on every core (its rendering starts after the
    // analysis) says the same
    let source = std::fs::read_to_string(build.tmp.path().join("p.pcl")).unwrap();
    let padding = "// padding\n".repeat(pcl_semantics::PARALLEL_FROM_BYTES / 10);
    let large = SetBuild::new(&format!("{source}{padding}"));
    let large_err = stderr(&large.run(&["oidc_provider=oidc.eks.us-east-1.amazonaws.com/id/ABC"]));
    let headlines =
        |text: &str| -> Vec<String> { text.lines().filter(|l| l.starts_with('[')).map(str::to_string).collect() };
    assert_eq!(headlines(&large_err), headlines(&err), "{large_err}");
    assert!(large_err.contains("system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT"), "{large_err}");
}

/// Without `--set`, a build prints the check's diagnostics as it does, and
/// with values, rewords only a warning alone at its place: files with
/// several warnings of one code at one place (a role's duplicate
/// principals, a statement's actions) and qualifiers ("in 7 of 8
/// configurations") a single configuration's checks would lose.
#[test]
fn build_prints_the_check_s_diagnostics_as_it_does() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let diagnostics =
        |o: &Output| -> Vec<String> { stderr(o).lines().filter(|l| l.starts_with('[')).map(str::to_string).collect() };
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "W0508_duplicate_role_entry.pcl",
        "W0507_action_resource_mismatch.pcl",
        "W0512_repeated_entry.pcl",
        "W0506_session_key_without_action.pcl",
    ] {
        let file = fixtures.join(name);
        let check = diagnostics(&pcl(&["check", file.to_str().unwrap(), "--color", "never"]));
        assert!(!check.is_empty(), "{name}");
        let out = tmp.path().join(name);
        let build =
            diagnostics(&pcl(&["build", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--color", "never"]));
        assert_eq!(build.get(..check.len()), Some(check.as_slice()), "{name}");
    }
    let dup = SetBuild::new(
        "param acct: account placeholder \"<ACCOUNT>\";\nvalueset accts = [\"111111111111\", \"${acct}\"];\nrole r {\n    trust aws [\"111111111111\", \"222222222222\"];\n    trust aws [@accts];\n}\n",
    );
    let given = stderr(&dup.run(&["acct=222222222222"]));
    assert!(given.contains("`111111111111` twice"), "{given}");
}

/// A build with no `--set` renders a configuration `pcl check` may not have
/// checked: here the partition param holds its placeholder, which none of
/// the guards names, so the list is empty in the build alone.
#[test]
fn build_without_values_checks_its_own_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let guarded: Vec<String> = pcl_semantics::iam::PARTITIONS
        .iter()
        .map(|p| format!("\"arn:${{partition}}:s3:::b/*\" when partition == \"{p}\""))
        .collect();
    let text = format!(
        "param partition: partition placeholder \"<PARTITION>\";\npolicy p {{\n    allow {{ action s3:GetObject; resource [{}]; }}\n}}\n",
        guarded.join(", ")
    );
    let file = write(tmp.path(), "placeholder.pcl", &text);
    let check = pcl(&["check", file.to_str().unwrap(), "--color", "never"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let out = tmp.path().join("out");
    let build = pcl(&["build", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--color", "never"]);
    let err = stderr(&build);
    assert_eq!(build.status.code(), Some(1), "{err}");
    assert!(err.contains("E0305") && err.contains("nothing written"), "{err}");
    assert!(!out.exists(), "a failed build wrote {}", out.display());
}

#[test]
fn build_refuses_to_replace_foreign_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let out = tmp.path().join("src");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("main.rs"), "fn main() {}").unwrap();
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to replace"), "{}", stderr(&o));
    assert_eq!(listing(&out), [("main.rs".to_string(), b"fn main() {}".to_vec())]);
}

#[test]
fn build_deployable_writes_nothing_while_placeholders_remain() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let src = src.to_str().unwrap();
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    let o = pcl(&["build", src, "--out", out, "--deployable", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("params left at their placeholders are rendered or read by a guard: `account` (<AWS ACCOUNT ID>)")
            && err.contains("--set account=..."),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert!(!tmp.path().join("out").exists());
    assert_eq!(staging_leftovers(tmp.path()).len(), 0);
    let o = pcl(&["build", src, "--out", out, "--deployable", "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `--deployable` names the params whose values the documents render (or
/// their guards read), not
/// every placeholder whose text a document holds: `*` (region's placeholder
/// here) is in `p`, which never reads `region` (a review found `p` refused).
/// Through a role's attached policy's ARN, `account` is read too.
#[test]
fn deployable_names_the_params_the_documents_read() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "param partition: partition = \"aws\";\nparam account: account placeholder \"Allow\";\nparam region: region placeholder \"*\";\npolicy p { allow \"D\" { action [ec2:DescribeInstances]; resource \"*\"; } }\npolicy q { allow \"L\" { action [logs:CreateLogGroup]; resource [\"arn:${partition}:logs:${region}:*:log-group:x\"]; } }\nrole r { path \"/\"; trust service [\"ec2.amazonaws.com\"]; attach p; }\n";
    let src = write(tmp.path(), "d.pcl", text);
    let src = src.to_str().unwrap();
    let render = |item: &str| pcl(&["render", item, src, "--deployable", "--color", "never"]);
    assert_eq!(render("p").status.code(), Some(0), "{}", stderr(&render("p")));
    let o = render("q");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("params left at their placeholders are rendered or read by a guard: `region` (*)\n"),
        "{}",
        stderr(&o)
    );
    let o = render("r");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("params left at their placeholders are rendered or read by a guard: `account` (Allow)\n"),
        "{}",
        stderr(&o)
    );
    let out = tmp.path().join("out");
    let o = pcl(&["build", src, "--out", out.to_str().unwrap(), "--deployable", "--set", "region=us-east-1"]);
    assert!(
        stderr(&o).contains("params left at their placeholders are rendered or read by a guard: `account` (Allow)\n"),
        "{}",
        stderr(&o)
    );
    // a role that attaches nothing renders no account; a split policy's
    // params are its own, not those of the role that attaches its parts
    // (both found by a review)
    let more = format!(
        "{text}role bare {{ path \"/\"; trust service [\"ec2.amazonaws.com\"]; }}\npolicy big splittable {{ allow {{ action s3:GetObject; resource \"arn:${{partition}}:s3:::${{region}}\"; }} }}\nrole splits {{ path \"/\"; trust service [\"ec2.amazonaws.com\"]; attach big; }}\n"
    );
    let src = write(tmp.path(), "e.pcl", &more);
    let src = src.to_str().unwrap();
    let o = pcl(&["render", "bare", src, "--deployable"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pcl(&["render", "splits", src, "--deployable", "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // a param that only a guard reads decides the document: left at its
    // placeholder, the document is no more deployable (a review found
    // `region != "*"` decided on `<REGION>`, and the build accepted)
    let guarded = "param region: region placeholder \"<REGION>\";\npolicy g {\n    allow \"Base\" { action ec2:DescribeInstances; resource \"*\"; }\n    allow \"Regional\" when region != \"*\" { action ec2:DescribeImages; resource \"*\"; }\n}\n";
    let src = write(tmp.path(), "g.pcl", guarded);
    let src = src.to_str().unwrap();
    let o = pcl(&["render", "g", src, "--deployable", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("read by a guard: `region` (<REGION>)\n"), "{}", stderr(&o));
    let o = pcl(&["render", "g", src, "--deployable", "--set", "region=*"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A splittable policy over the managed-policy limit is written as the
/// fewest parts that fit, each under the limit, and its role attaches every
/// part; a statement too big on its own is an error and nothing is written.
#[test]
fn splittable_policies_split_into_parts() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let src = fixtures.join("split_three_parts.pcl");
    let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let parts = ["policy/cluster_nodes.json", "policy/cluster_nodes-2.json", "policy/cluster_nodes-3.json"];
    let mut statements = 0;
    for part in parts {
        let text = std::fs::read_to_string(out.join(part)).unwrap();
        let size = text.chars().filter(|c| !c.is_whitespace()).count();
        assert!(size <= 6144, "{part}: {size} characters");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        statements += doc["Statement"].as_array().unwrap().len();
    }
    assert_eq!(statements, 75, "every statement, once, in order");
    assert!(!out.join("policy/cluster_nodes-4.json").exists(), "the fewest parts");
    let role: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("role/node_role.json")).unwrap()).unwrap();
    let arns: Vec<&str> = role["ManagedPolicyArns"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(arns.len(), 3);
    assert!(arns[1].ends_with(":policy/cluster_nodes-2") && arns[2].ends_with(":policy/cluster_nodes-3"), "{arns:?}");
    let index = std::fs::read_to_string(out.join("index.json")).unwrap();
    assert!(index.contains("\"parts\": ["), "{index}");

    let too_big = fixtures.join("split_statement_too_big.pcl");
    let out2 = tmp.path().join("out2");
    let o = pcl(&["build", too_big.to_str().unwrap(), "--out", out2.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[E0317]") && stderr(&o).contains("a statement cannot be split"), "{}", stderr(&o));
    assert!(!out2.exists());
}

/// Warnings that only a `--set` value causes are reported by `pcl build`,
/// and `--deny warnings` makes them fail it (nothing written).
#[test]
fn deny_warnings_covers_set_values() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(
        tmp.path(),
        "s.pcl",
        "param partition: partition = \"aws\";\nparam account: account placeholder \"<ACCOUNT>\";\nparam arns: list<arn> placeholder \"<FSX ARN>\";\npolicy p { allow \"A\" { action [fsx:DeleteFileSystem]; resource arns; } }\nrole r { path \"/\"; trust aws [\"arn:${partition}:iam::${account}:root\"]; attach p; }\n",
    );
    let out = tmp.path().join("out");
    let args = |deny: bool| {
        let mut a = vec!["build", src.to_str().unwrap(), "--out", out.to_str().unwrap(), "--color", "never"];
        a.extend(["--set", "arns=arn:aws:s3:::bucket"]);
        if deny {
            a.extend(["-D", "warnings"]);
        }
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |deny: bool| {
        let a = args(deny);
        pcl(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run(true);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("[W0507]") && stderr(&o).contains("denied"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = run(false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("[W0507]"), "{}", stderr(&o));
}

/// A role path that interpolates a param is checked once the param has its
/// value: a `--set` value that makes it no IAM path fails the build, which
/// writes nothing.
#[test]
fn a_set_value_that_breaks_a_role_path() {
    let build = SetBuild::new(
        "param prefix: string = \"team\";\nrole r {\n    path \"/${prefix}/\";\n    trust service \"ec2.amazonaws.com\";\n}\n",
    );
    let o = build.run(&["prefix=a/b"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = build.run(&["prefix=a b"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0203") && stderr(&o).contains("path `/a b/` holds ' '"), "{}", stderr(&o));
    let written = std::fs::read_to_string(build.out().join("role/r.json")).unwrap();
    assert!(written.contains("\"/a/b/\""), "the earlier build is kept: {written}");
}

/// A refined param type rejects a `--set` value that does not fit, with the
/// expected form in the message (a usage error, exit 2); one that fits builds.
#[test]
fn refined_param_types_check_set_values() {
    let build = SetBuild::new(
        "param partition: partition = \"aws\";\nparam account: account placeholder \"<AWS ACCOUNT ID>\";\nparam boundary_arn: arn(iam:policy) placeholder \"<BOUNDARY>\";\nparam prefix: string(max 10, pattern \"[a-z0-9-]*\") = \"pc\";\nrole r {\n    name \"${prefix}-node\";\n    trust service \"ec2.amazonaws.com\";\n    boundary boundary_arn;\n}\n",
    );
    let o = build.run(&["boundary_arn=arn:aws:iam::123456789012:policy/boundary", "prefix=team-1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (set, expected) in [
        ("boundary_arn=arn:aws:iam::123456789012:role/boundary", "expected `arn:${Partition}:iam::${Account}:policy/"),
        ("prefix=Team", "does not match the pattern `[a-z0-9-]*`"),
        ("prefix=abcdefghijk", "more than the 10 allowed"),
    ] {
        build.rejects(set, expected);
    }
}

/// An ARN of another partition than the configuration's, given by `--set`
/// (or a default one with the partition given), is a usage error too
/// (exit 2, nothing written). Before, it was E0316 at its use, "wrong in the
/// other partitions" with a help about defaults, exit 1.
#[test]
fn an_arn_of_another_partition_is_a_usage_error() {
    let role = "policy p {\n    allow { action iam:PassRole; resource [role_arn, \"arn:${partition}:iam::123456789012:role/r\"]; }\n}\n";
    let build = SetBuild::new(&format!(
        "param partition: partition = \"aws\";\nparam role_arn: arn(iam:role) placeholder \"<ROLE>\";\n{role}"
    ));
    let cn = "role_arn=arn:aws-cn:iam::123456789012:role/x";
    let aws = "role_arn=arn:aws:iam::123456789012:role/x";
    for sets in [&["partition=aws-cn", aws][..], &[cn]] {
        let o = build.run(sets);
        assert_eq!(o.status.code(), Some(2), "{sets:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("E0203") && stderr(&o).contains("is an ARN of partition"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("E0316"), "{}", stderr(&o));
        assert!(!build.out().exists(), "{sets:?}: nothing is written");
    }
    for sets in [&["partition=aws-cn", cn][..], &[aws], &["role_arn=arn:*:iam::123456789012:role/x"]] {
        let o = build.run(sets);
        assert_eq!(o.status.code(), Some(0), "{sets:?}: {}", stderr(&o));
    }
    // a default ARN of the default partition is judged against it alone, as
    // a default region is: a build for another partition that keeps it is
    // refused at its `--set` (it was E0316 at every use, the file's error,
    // which failed even a build that set both)
    let build = SetBuild::new(&format!(
        "param partition: partition = \"aws\";\nparam role_arn: arn = \"arn:aws:iam::123456789012:role/x\";\n{role}"
    ));
    let o = build.run(&["partition=aws-cn"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`--set partition=aws-cn`") && stderr(&o).contains("the default of `role_arn`"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("E0316"), "{}", stderr(&o));
    for sets in [&["partition=aws-cn", cn][..], &[]] {
        let o = build.run(sets);
        assert_eq!(o.status.code(), Some(0), "{sets:?}: {}", stderr(&o));
    }
}

/// A region of another partition than the configuration's is a usage error
/// (exit 2, nothing written) at the `--set` that brings it: the region's,
/// or the partition's when the region is a default. Found by review: a
/// build wrote `arn:aws-cn:dynamodb:us-east-1:...`, which never matches.
#[test]
fn a_region_of_another_partition_is_a_usage_error() {
    let table = "policy p {\n    allow { action dynamodb:GetItem; resource \"arn:${partition}:dynamodb:${region}:123456789012:table/t\"; }\n}\n";
    let build = SetBuild::new(&format!(
        "param partition: partition = \"aws\";\nparam region: region placeholder \"<REGION>\";\n{table}"
    ));
    for sets in [&["partition=aws-cn", "region=us-east-1"][..], &["region=cn-north-1"], &["region=us-gov-west-1"]] {
        let o = build.run(sets);
        assert_eq!(o.status.code(), Some(2), "{sets:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("E0203") && stderr(&o).contains("is a region of partition"), "{}", stderr(&o));
        assert!(!build.out().exists(), "{sets:?}: nothing is written");
    }
    for sets in [&["partition=aws-cn", "region=cn-north-1"][..], &["region=us-east-1"], &["region=*"]] {
        let o = build.run(sets);
        assert_eq!(o.status.code(), Some(0), "{sets:?}: {}", stderr(&o));
    }
    // a default region, and the partition given
    let build = SetBuild::new(&format!(
        "param partition: partition = \"aws\";\nparam region: region = \"us-east-1\";\n{table}"
    ));
    let o = build.run(&["partition=aws-cn"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`--set partition=aws-cn`") && stderr(&o).contains("the default of `region`"),
        "{}",
        stderr(&o)
    );
}

/// A list param's `--set` value: `NAME=` is the empty list, and an empty
/// value inside one (`,`, `a,`, `a,,b`) a usage error (found by review:
/// `NAME=,` was read as the empty list, silently).
#[test]
fn an_empty_value_in_a_set_list_is_a_usage_error() {
    let build = SetBuild::new(
        "param buckets: list<arn> = [\"arn:aws:s3:::a/*\"];\npolicy p {\n    allow { action s3:GetObject; resource [buckets]; }\n}\n",
    );
    let o = build.run(&["buckets=arn:aws:s3:::a/*,arn:aws:s3:::b/*"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for set in ["buckets=,", "buckets=arn:aws:s3:::a/*,", "buckets=arn:aws:s3:::a/*,,arn:aws:s3:::b/*"] {
        build.rejects(set, "a value of the list is empty");
    }
    // the empty list itself is a value; here it leaves the resource empty
    let o = build.run(&["buckets="]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0305"), "{}", stderr(&o));
}

/// Output that cannot be written (a full disk here; a closed pipe alike)
/// ends pcl with exit 2, without a panic.
#[test]
fn unwritable_output_is_exit_2_not_a_panic() {
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pcl")).args(["explain", "E0001"]).stdout(full()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "bad.pcl", "param p: string = 1;\n");
    let out = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["check", file.to_str().unwrap()])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// An error only the per-configuration checks find (a list empty in one
/// partition): the build renders while they run, and then writes nothing.
#[test]
fn an_error_found_while_rendering_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.pcl", GOOD);
    let out = tmp.path().join("out");
    assert_eq!(pcl(&["build", good.to_str().unwrap(), "--out", out.to_str().unwrap()]).status.code(), Some(0));
    let before = listing(&out);
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/partition_only_empty.pcl");
    let o = pcl(&["build", fixture, "--out", out.to_str().unwrap(), "--color", "never"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("aws-cn") && err.contains("nothing written"), "{err}");
    assert_eq!(listing(&out), before, "the output directory changed");
    let leftovers = staging_leftovers(tmp.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Printing to a closed stderr ends pcl with exit 2, quietly; the build
/// that renders while it finishes its analysis stops too (it once waited
/// forever for a verdict that the panicking thread would never send).
#[test]
fn a_closed_stderr_ends_a_build_that_renders_beside_its_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    // a warning to print, and no error: the rendering starts early
    let source = write(
        tmp.path(),
        "w.pcl",
        "param partition: partition = \"aws\";\npolicy p { allow \"Wide\" { action [\"s3:*\"]; resource \"*\"; } }\n",
    );
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcl"))
        .args(["build", source.to_str().unwrap(), "--out", tmp.path().join("out").to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("pcl build still running after 20 s with a closed stderr");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(2));
}

/// What `pcl check` accepts, a build for any partition accepts, and what a
/// build for the default partition rejects, the check reports. A region
/// written out in `arn:${partition}:...` passed the check (its rendering for
/// every partition held region defaults written out too, so it judged no
/// region) and failed the build: E0316 now in both. A region default, which
/// a build for another partition must be given instead of, is not E0316 at
/// each use in the check's rendering of that partition (it was, 7 times).
#[test]
fn check_and_build_agree_on_regions_in_every_partition() {
    let policy = |region: &str| {
        format!(
            "param partition: partition = \"aws\";\nparam region: region = \"us-east-1\";\n\
             policy keys {{\n    allow {{ action kms:Sign; resource \"arn:${{partition}}:kms:{region}:123456789012:key/*\"; }}\n}}\n\
             policy elsewhere when partition != \"aws\" {{\n    allow {{ action kms:Sign; resource \"arn:${{partition}}:kms:${{region}}:123456789012:key/*\"; }}\n}}\n"
        )
    };
    let written = SetBuild::new(&policy("us-east-1"));
    let check = |build: &SetBuild| {
        let src = build.tmp.path().join("p.pcl");
        pcl(&["check", src.to_str().unwrap(), "--color", "never"])
    };
    let (checked, built) = (check(&written), written.run(&[]));
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    assert!(
        stderr(&checked).contains("E0316") && stderr(&checked).contains("for every partition"),
        "{}",
        stderr(&checked)
    );
    assert_eq!(built.status.code(), Some(1), "{}", stderr(&built));
    assert!(stderr(&built).contains("E0316"), "{}", stderr(&built));
    let given = SetBuild::new(&policy("${region}"));
    let checked = check(&given);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    for sets in [&[][..], &["partition=aws-cn", "region=cn-north-1"], &["partition=aws-us-gov", "region=us-gov-west-1"]]
    {
        let o = given.run(sets);
        assert_eq!(o.status.code(), Some(0), "{sets:?}: {}", stderr(&o));
    }
}

/// What a guard on a param's value hides at the defaults (`regional`, false
/// while `region` is left at its placeholder; `stage == "prod"`) is checked
/// by `pcl check` too, naming the value, as a build given such a value
/// finds it (a build at the defaults reports it as the check does: a
/// warning, and the build goes on).
#[test]
fn check_finds_what_a_build_given_a_compared_value_finds() {
    let build = SetBuild::new(
        "param partition: partition = \"aws\";\nparam account: account placeholder \"<AWS ACCOUNT ID>\";\n\
         param region: region placeholder \"<REGION>\";\nparam stage: string = \"dev\";\n\
         feature regional = region and region != \"*\";\n\
         policy tables {\n    allow { action dynamodb:GetItem; resource [\"arn:${partition}:dynamo:${region}:${account}:table/t\" when regional, \"arn:${partition}:dynamodb:*:${account}:table/t\" when not regional]; }\n\
             allow when stage == \"prod\" { action s3:GetObject; resource \"arn:${partition}:s3:::bucket\"; }\n}\n",
    );
    let src = build.tmp.path().join("p.pcl");
    let checked = pcl(&["check", src.to_str().unwrap(), "--color", "never", "--deny", "warnings"]);
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    for expected in ["`dynamodb:GetItem` can match none of these resources when region is given", "when stage=prod"] {
        assert!(stderr(&checked).contains(expected), "{expected}: {}", stderr(&checked));
    }
    let at_defaults = build.run(&[]);
    assert_eq!(at_defaults.status.code(), Some(0), "{}", stderr(&at_defaults));
    for (set, action) in [("region=us-west-2", "dynamodb:GetItem"), ("stage=prod", "s3:GetObject")] {
        let built = build.run(&[set]);
        assert!(stderr(&built).contains("W0507") && stderr(&built).contains(action), "{set}: {}", stderr(&built));
    }
}
