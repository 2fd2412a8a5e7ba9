//! End-to-end tests of what a reviewer reads: `pcl render` (one document
//! of a build) and `pcl diff` (what changed between two builds).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

#[path = "support/cli.rs"]
#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod support;

use support::*;

/// `pcl render` prints exactly the file a build writes for the configuration
/// it names, and says why when it cannot.
#[test]
fn render_prints_one_document_of_the_build() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let src = src.to_str().unwrap();
    let out = tmp.path().join("out");
    let o = pcl(&["build", src, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let render = |args: &[&str]| pcl(&[&["render"], args, &[src, "--color", "never"]].concat());

    // the default configuration, and a pinned one, equal the built files
    let o = render(&["user"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let built = std::fs::read(out.join("policy/user.json")).unwrap();
    assert_eq!(o.stdout, built);
    let o = render(&["user", "--set", "iam_mode=restricted"]);
    let built = std::fs::read(out.join("policy/user.iam_mode-restricted.json")).unwrap();
    assert_eq!(o.stdout, built);

    // --variants lists the configurations the build writes, the default marked
    let o = render(&["user", "--variants"]);
    let listed = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut files: Vec<String> = std::fs::read_dir(out.join("policy"))
        .unwrap()
        .map(|e| format!("policy/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let mut shown: Vec<String> = listed.lines().map(|l| l.split("  ").nth(1).unwrap_or_default().to_string()).collect();
    shown.sort();
    assert_eq!(shown, files, "{listed}");
    assert_eq!(listed.matches("(default)").count(), 1, "{listed}");

    // what it cannot do, and why
    let cases: [(&[&str], i32, &str); 5] = [
        (&["usr"], 2, "did you mean `user`?"),
        (&["partition"], 2, "not a policy or a role"),
        (&["user", "--set", "iam_mode=restricted", "--set", "scheduler=awsbatch"], 2, "E0401"),
        (
            &["user", "--set", "iam_mode=restricted", "--deployable"],
            1,
            "params left at their placeholders are rendered or read by a guard: `account` (<AWS ACCOUNT ID>)",
        ),
        (&["user", "--set", "nosuch=1"], 2, "no param or feature is named `nosuch`"),
    ];
    for (args, status, needle) in cases {
        let o = render(args);
        assert_eq!(o.status.code(), Some(status), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: expected `{needle}` in {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} printed a document");
    }
    let o = render(&["user", "--set", "iam_mode=restricted", "--deployable", "--set", "account=123456789012"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("arn:aws:iam::123456789012:role/parallelcluster/*"));
    // the default configuration uses no placeholder: it is deployable as it is
    assert_eq!(render(&["user", "--deployable"]).status.code(), Some(0));
}

#[test]
fn render_warns_about_pins_that_change_nothing_and_unrendered_items() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{GOOD}\nfeature verbose: bool = false;\npolicy batch when scheduler == awsbatch {{ allow {{ action batch:ListJobs; resource \"*\"; }} }}\n"
    );
    let src = write(tmp.path(), "p.pcl", &text);
    let src = src.to_str().unwrap();
    let o = pcl(&["render", "batch", src, "--set", "verbose=true", "--color", "never"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("`--set verbose` makes no difference to `batch`, which depends on scheduler"), "{err}");
    assert!(err.contains("`batch` is not rendered when scheduler=slurm"), "{err}");
    let o = pcl(&["render", "batch", src, "--set", "scheduler=awsbatch", "--set", "verbose=true", "--color", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("batch:ListJobs"));
}

/// A pin of a feature the item does not depend on can still exclude
/// configurations through a constraint: when it leaves the item none that
/// renders, `pcl render` says so (usage error), not that the pin makes no
/// difference (found by review: `--variants` listed only a configuration
/// that is not rendered, exit 0).
#[test]
fn render_names_pins_that_leave_nothing_rendered() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{GOOD}\npolicy batch when scheduler == awsbatch {{ allow {{ action batch:ListJobs; resource \"*\"; }} }}\n\
         policy modes {{ allow {{ action s3:ListAllMyBuckets; resource \"*\"; }} \
         allow when iam_mode == restricted {{ action iam:PassRole; resource \"*\"; }} }}\n"
    );
    let src = write(tmp.path(), "p.pcl", &text);
    let src = src.to_str().unwrap();
    for variants in [&[][..], &["--variants"]] {
        let args = [&["render", "batch", src, "--set", "iam_mode=restricted", "--color", "never"], variants].concat();
        let o = pcl(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&o.stdout));
        let err = stderr(&o);
        assert!(!err.contains("makes no difference"), "{args:?}: {err}");
        assert!(
            err.contains(
                "`batch` is not rendered with --set iam_mode=restricted: its own guard is false in every configuration \
                 the pins and the constraints leave (scheduler=slurm)"
            ),
            "{args:?}: {err}"
        );
        assert!(err.contains(&format!("help: its configurations: pcl render batch {src} --variants")), "{err}");
    }
    // a pin that excludes some configurations but leaves one rendered is no
    // warning: `modes` renders without `iam_mode=restricted`
    let o = pcl(&["render", "modes", src, "--set", "scheduler=awsbatch", "--variants", "--color", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "iam_mode=privileged  policy/modes.json  (default)\n");
    assert_eq!(stderr(&o), "");
}

/// `pcl diff` reports per item what changed, in IAM terms; exit 0 when the
/// builds are the same, 1 when they differ, 2 when one cannot be read.
#[test]
fn diff_shows_changes_per_item() {
    let tmp = tempfile::tempdir().unwrap();
    let old = write(tmp.path(), "old.pcl", GOOD);
    let new = write(
        tmp.path(),
        "new.pcl",
        &GOOD.replace("action ec2:Describe*;", "action [ec2:Describe*, ec2:GetConsoleOutput];"),
    );
    assert_ne!(std::fs::read(&old).unwrap(), std::fs::read(&new).unwrap(), "the edit applies to GOOD");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (src, out) in [(&old, &a), (&new, &b)] {
        let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let same = pcl(&["diff", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let o = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains("policy `user`:\n  + action `ec2:GetConsoleOutput` in Sid `EC2Read`: every configuration (3)"),
        "{report}"
    );
    assert!(!report.contains("@@"), "no unified diff unless asked: {report}");
    let full = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--diff", "full"]);
    assert!(
        String::from_utf8_lossy(&full.stdout).contains("+        \"ec2:GetConsoleOutput\""),
        "{}",
        String::from_utf8_lossy(&full.stdout)
    );
    let missing = pcl(&["diff", a.to_str().unwrap(), tmp.path().join("nope").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
}

/// Configurations a pin removes are counted in good English, the lines of
/// two builds of different partitions name both, and a directory that is
/// no build is named as such (found by review).
#[test]
fn diff_names_what_it_compares() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", GOOD);
    let build = |name: &str, set: &[&str]| {
        let out = tmp.path().join(name);
        let o = pcl(&[&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()], set].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        out
    };
    let (all, restricted, cn) = (
        build("all", &[]),
        build("restricted", &["--set", "iam_mode=restricted"]),
        build("cn", &["--set", "partition=aws-cn"]),
    );
    let diff = |a: &std::path::Path, b: &std::path::Path| {
        let o = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let report = diff(&all, &restricted);
    assert!(report.contains("  - 2 configurations gone in aws"), "{report}");
    assert!(!report.contains("gones"), "{report}");
    let report = diff(&all, &cn);
    assert!(report.contains("in aws -> aws-cn"), "{report}");
    assert!(!report.contains("in aws-cn\n"), "{report}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let report = diff(&empty, &all);
    assert!(report.contains("the old build has no index.json"), "{report}");
}

/// `pcl render` refuses a document that `pcl build` refuses: one over
/// IAM's size quota (found by review: it was printed, exit 0).
#[test]
fn render_refuses_what_a_build_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let actions = vec!["s3:GetObject"; 600].join(", ");
    let src = write(
        tmp.path(),
        "big.pcl",
        &format!("policy p {{ allow \"A\" {{ action [{actions}]; resource \"*\"; }} }}\n"),
    );
    let src = src.to_str().unwrap();
    let build = pcl(&["build", src, "--out", tmp.path().join("out").to_str().unwrap()]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    let o = pcl(&["render", "p", src, "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("[E0317] Error: policy `p` is 9093 characters"), "{}", stderr(&o));
}

/// `pcl render` of a split policy prints the part asked for and says how
/// many there are; `--variants` lists every part's file.
#[test]
fn render_prints_parts() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let src = fixtures.join("split_three_parts.pcl");
    let src = src.to_str().unwrap();
    let o = pcl(&["render", "cluster_nodes", src, "--part", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("split into 3 parts"), "{}", stderr(&o));
    let o = pcl(&["render", "cluster_nodes", src, "--part", "4"]);
    assert_eq!(o.status.code(), Some(2));
    // parts count from 1
    let o = pcl(&["render", "cluster_nodes", src, "--part", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = pcl(&["render", "cluster_nodes", src, "--variants"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("policy/cluster_nodes-3.json"));
}

/// The same statements in another order are no IAM change, but the bytes
/// differ: `pcl diff` still reports the files (a published build is
/// byte-stable, and a reviewer commits what the build writes).
#[test]
fn diff_reports_a_reordering() {
    let tmp = tempfile::tempdir().unwrap();
    let two = "policy p {\n    allow \"A\" { action s3:ListAllMyBuckets; resource \"*\"; }\n    allow \"B\" { action ec2:DescribeRegions; resource \"*\"; }\n}\n";
    let swapped = "policy p {\n    allow \"B\" { action ec2:DescribeRegions; resource \"*\"; }\n    allow \"A\" { action s3:ListAllMyBuckets; resource \"*\"; }\n}\n";
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (name, text, out) in [("one.pcl", two, &a), ("two.pcl", swapped, &b)] {
        let src = write(tmp.path(), name, text);
        let o = pcl(&["build", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("same IAM content in other bytes") && report.contains("~ policy/p.json"), "{report}");
}

/// A param given the value it defaults to is named as such, not as a change
/// `"aws" -> "aws"`; a policy named `index` (`policy/index.json`) is
/// compared as a policy, not as another build (both found by review).
#[test]
fn diff_says_what_changed_of_a_param_and_reads_a_policy_named_index() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write(tmp.path(), "p.pcl", &GOOD.replace("policy user ", "policy index "));
    let src = src.to_str().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let o = pcl(&["build", src, "--out", a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(a.join("policy/index.json").exists());
    let o = pcl(&["build", src, "--out", b.to_str().unwrap(), "--set", "partition=aws"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pcl(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout);
    assert_eq!(report, "index.json:\n  param `partition`: \"aws\", from its default -> given with --set in aws\n");
    let c = tmp.path().join("c");
    let o = pcl(&["build", src, "--out", c.to_str().unwrap(), "--set", "partition=aws-cn"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = pcl(&["diff", a.to_str().unwrap(), c.to_str().unwrap(), "--color", "never"]);
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("policy `index`:\n"), "{report}");
    assert!(!report.contains("not an index") && !report.contains("compared by path"), "{report}");
}

/// Building `dir` from `text` (in its own file, next to it).
fn build_from(dir: &std::path::Path, text: &str, set: &[&str]) {
    let src = dir.with_extension("pcl");
    std::fs::write(&src, text).unwrap();
    let o = pcl(&[&["build", src.to_str().unwrap(), "--out", dir.to_str().unwrap()], set].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A new default of a feature renames files but changes no configuration:
/// `pcl diff` says just that, and a change of one configuration's content
/// is put to it, not to the one that took its file name (found by review:
/// the configurations were keyed without their defaults, so a new default
/// made every one new, gone, or changed).
#[test]
fn diff_matches_configurations_when_a_default_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "feature secrets: bool = true;\npolicy p {\n    allow \"Read\" { action s3:GetObject; resource \"*\"; }\n    allow \"Secret\" when secrets { action secretsmanager:GetSecretValue; resource \"*\"; }\n}\n";
    let new_default = text.replace("= true;", "= false;");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    build_from(&a, text, &[]);
    build_from(&b, &new_default, &[]);
    build_from(&c, &new_default.replace("action s3:GetObject;", "action [s3:GetObject, s3:ListBucket];"), &[]);
    let diff = |x: &std::path::Path, y: &std::path::Path| {
        let o = pcl(&["diff", x.to_str().unwrap(), y.to_str().unwrap(), "--color", "never"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(
        diff(&a, &b),
        "files:\n  renamed `policy/p.json` -> `policy/p.secrets-true.json`\n  renamed `policy/p.secrets-false.json` -> `policy/p.json`\nindex.json:\n  feature `secrets`: default true -> false\n"
    );
    let report = diff(&a, &c);
    assert!(
        report.starts_with("policy `p`:\n  + action `s3:ListBucket` in Sid `Read`: every configuration (2)\n"),
        "{report}"
    );
    assert!(!report.contains("new configuration") && !report.contains("gone"), "{report}");
    assert!(report.contains("renamed `policy/p.json` -> `policy/p.secrets-true.json`\n"), "{report}");
    assert!(report.contains("renamed `policy/p.secrets-false.json` -> `policy/p.json`\n"), "{report}");
}

/// A file a build's index lists and the build lacks is an error naming it
/// (exit 2), never "the same IAM content" nor a file removed (found by
/// review: a deleted policy read as unchanged).
#[test]
fn diff_refuses_a_build_that_lacks_a_listed_file() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let split = std::fs::read_to_string(fixtures.join("split_three_parts.pcl")).unwrap();
    for (text, lost) in [(GOOD, "policy/user.json"), (split.as_str(), "policy/cluster_nodes-2.json")] {
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        let _ = std::fs::remove_dir_all(&b);
        build_from(&a, text, &[]);
        build_from(&b, text, &[]);
        std::fs::remove_file(b.join(lost)).unwrap();
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        for args in [&[a, b][..], &[b, a], &[a, b, "--diff", "full"]] {
            let o = pcl(&[&["diff"], args, &["--color", "never"]].concat());
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(o.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&o.stdout));
            assert!(
                stderr(&o).contains(&format!("error: {b}/{lost} is missing, though {b}/index.json lists it")),
                "{args:?}: {}",
                stderr(&o)
            );
        }
    }
}

/// A build of several partitions (`cargo xtask build-policies`) and a
/// single `pcl build` are not laid out alike: said so, with the command
/// that compares them (found by review: "the new build has no index.json").
#[test]
fn diff_names_builds_laid_out_unalike() {
    let tmp = tempfile::tempdir().unwrap();
    let (multi, single) = (tmp.path().join("multi"), tmp.path().join("single"));
    std::fs::create_dir(&multi).unwrap();
    build_from(&multi.join("aws-cn"), GOOD, &["--set", "partition=aws-cn"]);
    build_from(&multi.join("aws"), GOOD, &["--set", "partition=aws"]);
    build_from(&single, GOOD, &[]);
    let (m, s) = (multi.to_str().unwrap(), single.to_str().unwrap());
    for (x, y) in [(m, s), (s, m)] {
        let o = pcl(&["diff", x, y, "--color", "never"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(o.stdout.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "error: {m} holds one build per partition (aws, aws-cn), as `cargo xtask build-policies` writes, \
                 and {s} a single `pcl build` (partition aws): they are not laid out alike"
            )),
            "{err}"
        );
        let (x, y) = if x == m { (format!("{m}/aws"), s.to_string()) } else { (s.to_string(), format!("{m}/aws")) };
        assert!(err.contains(&format!("help: compare one partition with it: `pcl diff {x} {y}`")), "{err}");
        assert!(!err.contains("no index.json"), "{err}");
    }
}
