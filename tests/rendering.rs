//! The rendering of `policies.pcl`: the committed `dist/policies` is what it
//! renders today, rendering is deterministic, `index.json` maps every
//! configuration to a file with its sha256, and file names stay put when a
//! defaulted feature is added.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};

use pcl_cli::diff::{Detail, Tree, diff_trees, read_tree};
use pcl_codegen::{Rendered, index_json, render_all, render_items, sha256_hex};
use pcl_semantics::FileAnalysis;
use pcl_semantics::iam::partitions::PAGE_PARTITIONS as PARTITIONS;
use pcl_suite::{analyze, config, policies, root};
use serde_json::{Value, json};

fn render(analysis: &FileAnalysis, partition: &str) -> Vec<Rendered> {
    render_items(&analysis.program, &config(analysis, &[&format!("partition={partition}")]))
}

/// Every file `cargo xtask build-policies` writes, by path under `dist/policies`.
fn build(analysis: &FileAnalysis) -> Tree {
    let mut tree = Tree::new();
    for partition in PARTITIONS {
        let cfg = config(analysis, &[&format!("partition={partition}")]);
        let items = render_items(&analysis.program, &cfg);
        for file in items.iter().flat_map(|i| &i.files) {
            tree.insert(format!("{partition}/{}", file.path), file.contents.clone().into_bytes());
        }
        tree.insert(format!("{partition}/index.json"), index_json(&analysis.program, &cfg, &items).into_bytes());
    }
    tree
}

/// The committed output is the published truth: a change to `policies.pcl`
/// is reviewed as a change to `dist/policies` in the same commit.
#[test]
fn dist_policies_is_current() {
    let (_, analysis) = policies();
    let on_disk = read_tree(&root().join("dist/policies")).expect("dist/policies is committed");
    let report = diff_trees(&on_disk, &build(&analysis), Detail::Summary, "dist/policies", "(policies.pcl)");
    assert!(
        report.is_empty(),
        "dist/policies is out of date with policies.pcl:\n{}\nrun `cargo xtask build-policies`, review `git diff dist/policies` and commit it",
        report.text
    );
}

#[test]
fn rendering_is_deterministic() {
    // Two separate analyses of the file, rendered twice each.
    let (_, first) = policies();
    let (_, second) = policies();
    let once = build(&first);
    assert_eq!(once, build(&first));
    assert_eq!(once, build(&second));
}

#[test]
fn sha256_is_sha256() {
    // Known SHA-256 test vectors (FIPS 180-2).
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/// Every configuration is in the index with its features (typed, in
/// declaration order) and a listed file holding exactly its document; every
/// file is listed once; files of one item differ (identical renderings share
/// one file); the default configuration is `<kind>/<item>.json`.
#[test]
fn index_maps_every_configuration_to_its_file() {
    let (_, analysis) = policies();
    let program = &analysis.program;
    let declared: Vec<&str> = program.features().map(|(n, _)| n).collect();
    for partition in PARTITIONS {
        let cfg = config(&analysis, &[&format!("partition={partition}")]);
        let items = render(&analysis, partition);
        let index: Value = serde_json::from_str(&index_json(program, &cfg, &items)).unwrap();
        let files: BTreeMap<&str, &str> = index["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["path"].as_str().unwrap(), f["sha256"].as_str().unwrap()))
            .collect();
        assert_eq!(files.len(), index["files"].as_array().unwrap().len(), "[{partition}] a file listed twice");
        let configurations = index["configurations"].as_array().unwrap();
        let outputs = render_all(program, &cfg);
        assert_eq!(configurations.len(), outputs.len(), "[{partition}]");
        for (entry, output) in configurations.iter().zip(&outputs) {
            assert_eq!(entry["item"], json!(output.item));
            assert_eq!(entry["path"], json!(output.path));
            assert_eq!(files.get(output.path.as_str()), Some(&sha256_hex(output.contents.as_bytes()).as_str()));
            let features = entry["features"].as_object().unwrap();
            let order: Vec<&str> = features.keys().map(String::as_str).collect();
            let expected: Vec<&str> = declared.iter().copied().filter(|d| output.features.contains_key(*d)).collect();
            assert_eq!(order, expected, "[{partition}] {}: features in declaration order", output.path);
            for (name, value) in features {
                let (_, decl) = program.features().find(|(n, _)| n == name).unwrap();
                assert_eq!(value.is_boolean(), decl.is_bool, "{name} is typed");
            }
            let default = entry["default"].as_bool().unwrap();
            if default {
                assert_eq!(output.path, format!("{}/{}.json", output.kind.as_str(), output.item));
            }
        }
        for item in &items {
            let distinct: BTreeSet<&str> = item.files.iter().map(|f| f.contents.as_str()).collect();
            assert_eq!(distinct.len(), item.files.len(), "[{partition}] {}: two files with one content", item.item);
            assert!(item.files.iter().all(|f| files.contains_key(f.path.as_str())));
        }
        // Identical renderings are written once: fewer files than configurations.
        assert!(
            files.len() < outputs.len(),
            "[{partition}] {} files for {} configurations",
            files.len(),
            outputs.len()
        );
    }
}

/// A maintainer adds a feature whose default keeps today's behaviour: no
/// existing file is renamed or changed; only files for its other value appear.
#[test]
fn adding_a_defaulted_feature_renames_nothing() {
    let (text, analysis) = policies();
    let edited = text.replacen(
        "\npolicy head_node {\n",
        "\n/// Login nodes (added by the test).\nfeature login_nodes: bool = false;\n\npolicy head_node {\n    allow \"LoginNodes\" when login_nodes {\n        action [ec2:DescribeLaunchTemplates];\n        resource \"*\";\n    }\n",
        1,
    );
    assert_ne!(edited, text, "the edit applies to policies.pcl");
    let after = analyze("policies.pcl", &edited);
    assert!(!after.has_errors(), "{:?}", after.diagnostics);
    let (before, after) = (build(&analysis), build(&after));
    let mut added = 0;
    for (path, contents) in &before {
        if path.ends_with("index.json") {
            continue;
        }
        assert_eq!(after.get(path), Some(contents), "{path} was renamed or changed");
    }
    for path in after.keys().filter(|p| !before.contains_key(*p) && !p.ends_with("index.json")) {
        assert!(path.contains(".login_nodes-true"), "{path} is new but not a login_nodes=true file");
        added += 1;
    }
    assert!(added > 0, "the new feature renders new files");
}

/// `name` and `description`: a role renders `RoleName` and `Description`; a
/// role attaches a named policy by its deployed name (each part of a split
/// one too) and inlines one under it; `index.json` gives each configuration
/// its item's deployed name and description; `--set` values go into them.
#[test]
fn deployed_names_and_descriptions() {
    let big: Vec<String> = (0..60).map(|i| format!("    allow \"S{i}\" {{ action ec2:DescribeInstances; resource \"arn:${{partition}}:ec2:*:${{account}}:instance/i-{i:030}\"; }}")).collect();
    let source = format!(
        r#"param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
param prefix: string = "pc";
feature batch: bool = false;
policy cluster {{
    name "${{prefix}}-Cluster";
    description "Cluster permissions (${{prefix}})";
    allow {{ action ec2:DescribeVolumes; resource "*"; }}
}}
policy inline_one {{
    name "${{prefix}}-Inline";
    allow {{ action ec2:DescribeTags; resource "*"; }}
}}
policy huge splittable {{
    name "${{prefix}}-Huge";
{}
}}
role node {{
    name "${{prefix}}-Node";
    description "The node role";
    path "/pc/";
    trust service "ec2.${{partition.dns_suffix}}";
    attach cluster;
    attach huge;
    inline inline_one when batch;
}}
"#,
        big.join("\n")
    );
    let analysis = analyze("names.pcl", &source);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    for (sets, prefix) in [(vec![], "pc"), (vec!["prefix=team"], "team")] {
        let mut all_sets = vec!["partition=aws-cn"];
        all_sets.extend(sets.iter().copied());
        let cfg = config(&analysis, &all_sets);
        let items = render_items(&analysis.program, &cfg);
        let file = |path: &str| -> Value {
            let f = items.iter().flat_map(|i| &i.files).find(|f| f.path == path).unwrap();
            serde_json::from_str(&f.contents).unwrap()
        };
        let role = file("role/node.batch-true.json");
        assert_eq!(role["RoleName"], json!(format!("{prefix}-Node")));
        assert_eq!(role["Description"], json!("The node role"));
        let keys: Vec<&str> = role.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys[..3], ["RoleName", "Description", "Path"]);
        assert_eq!(
            role["ManagedPolicyArns"],
            json!([
                format!("arn:aws-cn:iam::<AWS ACCOUNT ID>:policy/pc/{prefix}-Cluster"),
                format!("arn:aws-cn:iam::<AWS ACCOUNT ID>:policy/pc/{prefix}-Huge"),
                format!("arn:aws-cn:iam::<AWS ACCOUNT ID>:policy/pc/{prefix}-Huge-2"),
            ])
        );
        assert_eq!(role["Policies"][0]["PolicyName"], json!(format!("{prefix}-Inline")));
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            json!("ec2.amazonaws.com.cn")
        );
        let index: Value = serde_json::from_str(&index_json(&analysis.program, &cfg, &items)).unwrap();
        let entry = |item: &str| {
            index["configurations"].as_array().unwrap().iter().find(|c| c["item"] == item).unwrap().clone()
        };
        assert_eq!(entry("cluster")["name"], json!(format!("{prefix}-Cluster")));
        assert_eq!(entry("cluster")["description"], json!(format!("Cluster permissions ({prefix})")));
        assert_eq!(entry("huge")["name"], json!(format!("{prefix}-Huge")));
        assert_eq!(entry("node")["name"], json!(format!("{prefix}-Node")));
    }
    // a --set value that IAM rejects in a name fails, naming the role
    let cfg = config(&analysis, &["prefix=a b"]);
    let news = analysis.configuration_news(pcl_semantics::check_configuration(&analysis.program, &cfg));
    assert!(
        news.iter()
            .any(|d| d.message.contains("role `node`, once its params are given: role name `a b-Node` holds ' '")),
        "{news:?}"
    );
}

/// `with condition ... { ... }` puts one condition on every statement inside,
/// included ones too, after their own; its guard decides per configuration;
/// blocks nest; a key the block and a statement both give is E0315.
#[test]
fn condition_blocks() {
    let source = r#"param region: region = "us-east-1";
feature regional: bool = true;
feature batch: bool = false;
permset shared {
    allow "Shared" { action ecr:GetAuthorizationToken; resource "*"; }
}
policy user {
    with condition StringEquals "aws:RequestedRegion" [region] when regional {
        allow "EC2" { action ec2:DescribeInstances; resource "*"; condition Bool "aws:SecureTransport" "true"; }
        include shared;
        with condition StringLike "aws:PrincipalTag/team" "hpc-*" when batch {
            allow "Batch" { action batch:DescribeJobQueues; resource "*"; }
        }
    }
    allow "Outside" { action s3:ListAllMyBuckets; resource "*"; }
}
"#;
    let analysis = analyze("blocks.pcl", source);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let cfg = config(&analysis, &[]);
    let items = render_items(&analysis.program, &cfg);
    let doc = |path: &str| -> Value {
        let f = items.iter().flat_map(|i| &i.files).find(|f| f.path == path).unwrap_or_else(|| panic!("{path}"));
        serde_json::from_str(&f.contents).unwrap()
    };
    let by_sid =
        |doc: &Value, sid: &str| doc["Statement"].as_array().unwrap().iter().find(|s| s["Sid"] == sid).unwrap().clone();
    let regional = json!({"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}});
    let all = doc("policy/user.json");
    assert_eq!(
        by_sid(&all, "EC2")["Condition"],
        json!({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:RequestedRegion": ["us-east-1"]}})
    );
    assert_eq!(by_sid(&all, "Shared")["Condition"], regional, "an included statement gets it too");
    assert_eq!(by_sid(&all, "Batch")["Condition"], regional, "the inner guard is false by default");
    assert!(by_sid(&all, "Outside").get("Condition").is_none());
    let batch = doc("policy/user.batch-true.json");
    assert_eq!(
        by_sid(&batch, "Batch")["Condition"],
        json!({"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}, "StringLike": {"aws:PrincipalTag/team": "hpc-*"}})
    );
    let global = doc("policy/user.regional-false.json");
    assert!(by_sid(&global, "Shared").get("Condition").is_none(), "the block's guard is false: no condition");

    let twice = source.replace(
        "condition Bool \"aws:SecureTransport\" \"true\";",
        "condition StringEquals \"aws:RequestedRegion\" \"eu-west-1\";",
    );
    let analysis = analyze("blocks.pcl", &twice);
    assert!(analysis.diagnostics.iter().any(|d| d.code.as_str() == "E0315"), "{:?}", analysis.diagnostics);
}

/// A guard may compare a param: params are fixed per build, so the guard is
/// decided once per build and adds no variant. With upstream's `Region`
/// (`'*'` for every region), one block limits the `"*"` statements to the
/// region only when one is given; a constraint may read a param, and a
/// build whose values violate it fails.
#[test]
fn guards_on_params() {
    let source = r#"param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
param region: region = "*";
constraint no_gov_east: not (partition == "aws-us-gov" and region == "us-gov-east-1")
    else "the cluster runs in us-gov-west-1 only";
policy user {
    with condition StringEquals "aws:RequestedRegion" [region] when region != "*" {
        allow "EC2" { action ec2:DescribeInstances; resource "*"; }
        allow "CloudWatch" { action cloudwatch:GetMetricData; resource "*"; }
    }
    allow "DynamoDB" { action dynamodb:DescribeTable; resource "arn:${partition}:dynamodb:${region}:${account}:table/parallelcluster-*"; }
}
"#;
    let analysis = analyze("region.pcl", source);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let render = |sets: &[&str]| -> Value {
        let cfg = config(&analysis, sets);
        let items = render_items(&analysis.program, &cfg);
        assert_eq!(items[0].files.len(), 1, "a param guard adds no variant");
        serde_json::from_str(&items[0].files[0].contents).unwrap()
    };
    let everywhere = render(&[]);
    assert!(everywhere["Statement"][0].get("Condition").is_none(), "{everywhere}");
    let one = render(&["region=eu-west-1"]);
    for st in one["Statement"].as_array().unwrap().iter().take(2) {
        assert_eq!(st["Condition"], json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}), "{one}");
    }
    assert!(one["Statement"][2]["Resource"].as_str().unwrap().contains(":dynamodb:eu-west-1:"));
    // the constraint reads the param: these values violate it, those do not
    // (a region of another partition is refused before: `regions.rs`)
    let violated = config(&analysis, &["partition=aws-us-gov", "region=us-gov-east-1"]);
    let found = pcl_semantics::check_configuration(&analysis.program, &violated);
    assert!(found.iter().any(|d| d.code.as_str() == "E0401"), "{found:?}");
    let fine = config(&analysis, &["partition=aws-us-gov", "region=us-gov-west-1"]);
    assert!(pcl_semantics::check_configuration(&analysis.program, &fine).is_empty());
}

/// An optional param (`arn?`) is absent unless given: `when NAME` tests it,
/// so upstream's permissions boundary (a role's boundary and a condition on
/// the statements that create roles) is there exactly when it is given.
#[test]
fn optional_params() {
    let source = r#"param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
param boundary_arn: arn(iam:policy)?;
policy admin {
    with condition StringEquals "iam:PermissionsBoundary" [boundary_arn] when boundary_arn {
        allow "IamCreateRole" { action iam:CreateRole; resource "arn:${partition}:iam::${account}:role/*"; }
    }
}
role node {
    trust service "ec2.amazonaws.com";
    inline admin;
    boundary boundary_arn when boundary_arn;
}
"#;
    let analysis = analyze("optional.pcl", source);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let role = |sets: &[&str]| -> Value {
        let cfg = config(&analysis, sets);
        let items = render_items(&analysis.program, &cfg);
        let file = items.iter().flat_map(|i| &i.files).find(|f| f.path == "role/node.json").unwrap();
        serde_json::from_str(&file.contents).unwrap()
    };
    let without = role(&[]);
    assert!(without.get("PermissionsBoundary").is_none(), "{without}");
    assert!(without["Policies"][0]["PolicyDocument"]["Statement"][0].get("Condition").is_none(), "{without}");
    let arn = "arn:aws:iam::123456789012:policy/boundary";
    let with = role(&[&format!("boundary_arn={arn}")]);
    assert_eq!(with["PermissionsBoundary"], json!(arn));
    assert_eq!(
        with["Policies"][0]["PolicyDocument"]["Statement"][0]["Condition"],
        json!({"StringEquals": {"iam:PermissionsBoundary": [arn]}})
    );
}

/// A derived feature names a condition once (`multi_region`), is used like a
/// bool feature, adds no variant, and cannot be set.
#[test]
fn derived_features() {
    let source = r#"param region: region = "*";
feature fsx: bool = false;
/// Upstream's IsMultiRegion.
feature multi_region = region == "*";
policy user {
    with condition StringEquals "aws:RequestedRegion" [region] when not multi_region {
        allow "EC2" { action ec2:DescribeInstances; resource "*"; }
    }
    allow "FSx" when fsx and multi_region { action fsx:DescribeFileSystems; resource "*"; }
}
"#;
    let analysis = analyze("derived.pcl", source);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let docs = |sets: &[&str]| -> Vec<Value> {
        let cfg = config(&analysis, sets);
        let items = render_items(&analysis.program, &cfg);
        items[0].files.iter().map(|f| serde_json::from_str(&f.contents).unwrap()).collect()
    };
    let everywhere = docs(&[]);
    assert_eq!(everywhere.len(), 2, "fsx gives two variants; multi_region none");
    assert!(everywhere[0]["Statement"][0].get("Condition").is_none());
    let regional = docs(&["region=eu-west-1"]);
    assert_eq!(
        regional[0]["Statement"][0]["Condition"],
        json!({"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}})
    );
    assert!(regional.iter().all(|d| d["Statement"].as_array().unwrap().len() == 1), "FSx needs multi_region");
    let err = pcl_semantics::config::configure(&analysis.program, &[("multi_region".into(), "true".into())]);
    assert!(err.is_err());
    // a bare param with a default always has a value: a derived feature
    // naming it holds (W0500 says the test is pointless), in guards and
    // constraints alike
    let with_default = "param r: region = \"us-east-1\";\nfeature rr = r;\npolicy p1 when rr { allow { action s3:ListAllMyBuckets; resource \"*\"; } }\n";
    let analysis_default = analyze("derived.pcl", with_default);
    assert!(
        analysis_default.diagnostics.iter().all(|d| d.code.as_str() == "W0500"),
        "{:?}",
        analysis_default.diagnostics
    );
    let cfg = config(&analysis_default, &[]);
    assert_eq!(render_items(&analysis_default.program, &cfg).len(), 1, "p1 renders");
    // one derived feature may not use another
    let nested = format!(
        "{source}feature both = multi_region and fsx;\npolicy p when both {{ allow {{ action s3:ListAllMyBuckets; resource \"*\"; }} }}\n"
    );
    let analysis = analyze("derived.pcl", &nested);
    assert!(analysis.diagnostics.iter().any(|d| d.code.as_str() == "E0102"), "{:?}", analysis.diagnostics);
}

/// A list derived from a list param: `"${b}/*" for b in buckets` applies the
/// template to each value (upstream's `B1,B2` -> `B1,B2,B1/*,B2/*` from one
/// param); a `*` value stays `*`; the template is checked as an ARN with `b`
/// typed as the list's elements.
#[test]
fn derived_lists() {
    let source = r#"param fsx_s3_buckets: list<arn(s3:bucket, "*")> = ["*"];
policy fsx {
    allow "EnableFSxS3Access" {
        action [s3:GetObject, s3:ListBucket, s3:PutObject];
        resource [fsx_s3_buckets, "${b}/*" for b in fsx_s3_buckets];
    }
}
"#;
    let analysis = analyze("lists.pcl", source);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let resources = |sets: &[&str]| -> Value {
        let cfg = config(&analysis, sets);
        let items = render_items(&analysis.program, &cfg);
        let doc: Value = serde_json::from_str(&items[0].files[0].contents).unwrap();
        doc["Statement"][0]["Resource"].clone()
    };
    assert_eq!(resources(&[]), json!(["*", "*"]));
    assert_eq!(
        resources(&["fsx_s3_buckets=arn:aws:s3:::b1,arn:aws:s3:::b2"]),
        json!(["arn:aws:s3:::b1", "arn:aws:s3:::b2", "arn:aws:s3:::b1/*", "arn:aws:s3:::b2/*"])
    );
    // `for ... in` a scalar param is an error; an unknown variable too
    let scalar = source
        .replace("list<arn(s3:bucket, \"*\")> = [\"*\"]", "arn(s3:bucket, \"*\") = \"*\"")
        .replace("resource [fsx_s3_buckets, ", "resource [");
    let analysis = analyze("lists.pcl", &scalar);
    assert!(analysis.diagnostics.iter().any(|d| d.code.as_str() == "E0102"), "{:?}", analysis.diagnostics);
    let typo = source.replace("\"${b}/*\" for b", "\"${c}/*\" for b");
    let analysis = analyze("lists.pcl", &typo);
    assert!(analysis.diagnostics.iter().any(|d| d.code.as_str() == "E0100"), "{:?}", analysis.diagnostics);
}

/// The documents of `tests/fixtures/render/language_0_2.pcl` (every construct
/// of language 0.2) by default in `aws`, and with values in `aws-cn`:
/// reviewed snapshots.
#[test]
fn language_0_2_renders() {
    let path = root().join("tests/fixtures/render/language_0_2.pcl");
    let text = std::fs::read_to_string(&path).unwrap();
    let analysis = analyze("language_0_2.pcl", &text);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    for (name, sets) in [
        ("defaults", vec![]),
        (
            "values",
            vec![
                "partition=aws-cn",
                "account=123456789012",
                "region=cn-north-1",
                "boundary_arn=arn:aws-cn:iam::123456789012:policy/boundary",
                "fsx_s3_buckets=arn:aws-cn:s3:::data-1,arn:aws-cn:s3:::data-2",
            ],
        ),
    ] {
        let cfg = config(&analysis, &sets);
        let items = render_items(&analysis.program, &cfg);
        let mut shown = String::new();
        for file in items.iter().flat_map(|i| &i.files) {
            shown.push_str(&format!("=== {}\n{}", file.path, file.contents));
        }
        shown.push_str(&format!("=== index.json\n{}", index_json(&analysis.program, &cfg, &items)));
        insta::assert_snapshot!(format!("language_0_2_{name}"), shown);
    }
}

/// A plain name in a valueset spliced into a role's `managed` list is an
/// AWS managed policy, as one written in the list is: it renders as its
/// ARN in each partition, and is no E0301. Spliced where ARNs go as well,
/// it is still one there.
#[test]
fn managed_policy_names_in_a_valueset() {
    let source = r#"param partition: partition = "aws";
valueset instance_policies = ["AmazonSSMManagedInstanceCore", "arn:${partition}:iam::aws:policy/CloudWatchAgentServerPolicy"];
valueset more = [@instance_policies, "AWSBatchServiceRole"];
role node { trust service "ec2.amazonaws.com"; managed [@more, "AmazonS3ReadOnlyAccess"]; }
"#;
    let analysis = analyze("managed.pcl", source);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    for partition in ["aws", "aws-cn"] {
        let items = render(&analysis, partition);
        let file = items.iter().flat_map(|i| &i.files).find(|f| f.path == "role/node.json").unwrap();
        let role: Value = serde_json::from_str(&file.contents).unwrap();
        let arn = |name: &str| format!("arn:{partition}:iam::aws:policy/{name}");
        assert_eq!(
            role["ManagedPolicyArns"],
            json!([
                arn("AmazonSSMManagedInstanceCore"),
                arn("CloudWatchAgentServerPolicy"),
                arn("AWSBatchServiceRole"),
                arn("AmazonS3ReadOnlyAccess")
            ])
        );
    }
    // names through sets alone use the partition param too (no W0502); a
    // `partition` param of another type does not make them ARNs: the
    // param's type is what is wrong (E0202), as for a name written in the list
    let through_sets = source.replace(", \"AmazonS3ReadOnlyAccess\"", "");
    let analysis = analyze("managed.pcl", &through_sets);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let mistyped = through_sets.replace("partition: partition", "partition: string");
    let analysis = analyze("managed.pcl", &mistyped);
    let mistyped_at =
        |d: &pcl_semantics::Diagnostic| d.code.as_str() == "E0202" && d.message.contains("of type `string`");
    assert!(analysis.diagnostics.iter().any(mistyped_at), "{:?}", analysis.diagnostics);
    let also_resources = format!("{source}policy p {{ allow {{ action s3:GetObject; resource @more; }} }}\n");
    let analysis = analyze("managed.pcl", &also_resources);
    let not_arns = analysis.diagnostics.iter().filter(|d| d.code.as_str() == "E0301");
    let codes: Vec<_> = not_arns.map(|d| (d.code.as_str(), d.span.start)).collect();
    let at = |text: &str| u32::try_from(also_resources.find(text).unwrap()).unwrap();
    assert_eq!(codes, [("E0301", at("\"AmazonSSM")), ("E0301", at("\"AWSBatch"))], "{:?}", analysis.diagnostics);
}

/// Each federated principal is trusted with the action its provider's
/// users assume a role with: a SAML provider's `sts:AssumeRoleWithSAML`, an
/// OIDC or web identity provider's `sts:AssumeRoleWithWebIdentity`; beside
/// a service or AWS principal, `sts:AssumeRole` too. (Found by review: a
/// SAML provider was trusted with `sts:AssumeRoleWithWebIdentity` only, so
/// the role could never be assumed through SAML; and one trusted beside a
/// service got `sts:AssumeRole` only.)
#[test]
fn trust_actions_follow_the_principals() {
    let text = r#"param partition: partition = "aws";
policy p { allow "A" { action s3:ListBucket; resource "*"; } }
role saml { trust federated "arn:${partition}:iam::123456789012:saml-provider/okta"; inline p; }
role oidc { trust federated "arn:${partition}:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"; inline p; }
role both { trust federated ["arn:${partition}:iam::123456789012:saml-provider/okta", "cognito-identity.amazonaws.com"]; inline p; }
role mixed { trust service "ec2.amazonaws.com"; trust federated "cognito-identity.amazonaws.com"; inline p; }
role service { trust service "ec2.amazonaws.com"; inline p; }
"#;
    let analysis = analyze("trust.pcl", text);
    // (a web identity trust without conditions on the token is W0509)
    assert!(analysis.diagnostics.iter().all(|d| d.code.as_str() == "W0509"), "{:?}", analysis.diagnostics);
    let rendered = render(&analysis, "aws");
    let action = |role: &str| {
        let file = rendered.iter().flat_map(|r| &r.files).find(|f| f.path == format!("role/{role}.json")).unwrap();
        let value: Value = serde_json::from_str(&file.contents).unwrap();
        value["AssumeRolePolicyDocument"]["Statement"][0]["Action"].clone()
    };
    assert_eq!(action("saml"), json!("sts:AssumeRoleWithSAML"));
    assert_eq!(action("oidc"), json!("sts:AssumeRoleWithWebIdentity"));
    assert_eq!(action("both"), json!(["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]));
    assert_eq!(action("mixed"), json!(["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]));
    assert_eq!(action("service"), json!("sts:AssumeRole"));
}

/// A `trust` field with a block of conditions is a trust statement of its
/// own, its principals allowed their own action under the conditions whose
/// guard holds; the fields without conditions share the first statement,
/// and a field none of whose conditions hold joins them. (The conditions'
/// values interpolate params, as a statement's do.)
/// A condition key renders its params as text does: an EKS cluster's
/// issuer, given at build time, in the key of the provider it names; a tag
/// key in a `with condition` block; a partition's DNS suffix.
#[test]
fn interpolated_condition_keys_render_their_params() {
    let text = r#"param partition: partition = "aws";
param oidc_provider: string placeholder "<OIDC PROVIDER>";
param cluster_tag: string = "parallelcluster:cluster-name";
policy nodes {
    with condition StringEquals "aws:ResourceTag/${cluster_tag}" "c1" {
        allow "Stop" {
            action ec2:StopInstances;
            resource "arn:${partition}:ec2:*:123456789012:instance/*";
            condition StringEquals "ec2:ResourceTag/${cluster_tag}" "c1";
        }
    }
}
role deployer {
    trust federated "arn:${partition}:iam::123456789012:oidc-provider/${oidc_provider}" {
        condition StringEquals "${oidc_provider}:sub" "system:serviceaccount:ci:deployer";
    }
    trust service "ec2.${partition.dns_suffix}" {
        condition StringEquals "aws:SourceArn" "arn:${partition}:ec2:*:123456789012:instance/*";
    }
    inline nodes;
}
"#;
    let analysis = analyze("keys.pcl", text);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let issuer = "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC";
    let cfg = config(&analysis, &["partition=aws-cn", &format!("oidc_provider={issuer}")]);
    let rendered = render_items(&analysis.program, &cfg);
    let file = rendered.iter().flat_map(|r| &r.files).find(|f| f.path == "role/deployer.json").unwrap();
    let value: Value = serde_json::from_str(&file.contents).unwrap();
    let trust = &value["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(
        trust[0]["Condition"],
        json!({ "StringEquals": { format!("{issuer}:sub"): "system:serviceaccount:ci:deployer" } })
    );
    let statement = &value["Policies"][0]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        statement["Condition"],
        json!({ "StringEquals": {
            "ec2:ResourceTag/parallelcluster:cluster-name": "c1",
            "aws:ResourceTag/parallelcluster:cluster-name": "c1"
        } })
    );
}

#[test]
fn trust_actions_render_with_the_principals_own() {
    // EKS Pod Identity: the agent tags every session it asks for
    let text = r#"param partition: partition = "aws";
param account: account placeholder "<AWS ACCOUNT ID>";
feature audit: bool = true;
actionset audited = [sts:SetSourceIdentity when audit];
role pod {
    trust service "ec2.amazonaws.com";
    trust service "pods.eks.amazonaws.com" { action [STS:TagSession, @audited, sts:AssumeRole, sts:tagsession]; }
    trust federated "arn:${partition}:iam::${account}:saml-provider/corp" {
        action [sts:TagSession when audit];
        condition StringEquals "SAML:aud" "https://signin.aws.amazon.com/saml";
    }
}
param idp: string placeholder "<IDENTITY PROVIDER ARN>";
role corp { trust federated "${idp}" { action [sts:AssumeRoleWithSAML, sts:TagSession]; } }
"#;
    let analysis = analyze("trust_actions.pcl", text);
    // (`sts:tagsession` after `STS:TagSession`: rendered once, and W0512)
    let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["W0512"], "{:?}", analysis.diagnostics);
    let rendered = render(&analysis, "aws-cn");
    let trust = |file: &str| {
        let file = rendered.iter().flat_map(|r| &r.files).find(|f| f.path == format!("role/{file}.json")).unwrap();
        let value: Value = serde_json::from_str(&file.contents).unwrap();
        value["AssumeRolePolicyDocument"]["Statement"].clone()
    };
    let ec2 = json!({ "Effect": "Allow", "Principal": { "Service": "ec2.amazonaws.com" }, "Action": "sts:AssumeRole" });
    let saml = |action: Value, partition: &str| {
        json!({
            "Effect": "Allow",
            "Principal": { "Federated": format!("arn:{partition}:iam::<AWS ACCOUNT ID>:saml-provider/corp") },
            "Action": action,
            "Condition": { "StringEquals": { "SAML:aud": "https://signin.aws.amazon.com/saml" } }
        })
    };
    // each field with a block that grants actions is a statement of its own;
    // its actions follow the principals' own, as IAM spells them, once each
    assert_eq!(
        trust("pod"),
        json!([
            ec2,
            {
                "Effect": "Allow",
                "Principal": { "Service": "pods.eks.amazonaws.com" },
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]
            },
            saml(json!(["sts:AssumeRoleWithSAML", "sts:TagSession"]), "aws-cn")
        ])
    );
    // a provider to come assumes the role as its block says (not also as
    // an OIDC provider, the default for a provider of no known kind)
    assert_eq!(
        trust("corp"),
        json!([{
            "Effect": "Allow",
            "Principal": { "Federated": "<IDENTITY PROVIDER ARN>" },
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]
        }])
    );
    assert_eq!(
        trust("pod.audit-false"),
        json!([
            ec2,
            { "Effect": "Allow", "Principal": { "Service": "pods.eks.amazonaws.com" }, "Action": ["sts:AssumeRole", "sts:TagSession"] },
            saml(json!("sts:AssumeRoleWithSAML"), "aws-cn")
        ])
    );
}

#[test]
fn trust_conditions_render_a_statement_of_their_own() {
    let text = r#"param partition: partition = "aws";
param repository: string = "my-org/my-repo";
feature strict: bool = true;
policy p { allow "A" { action s3:ListBucket; resource "*"; } }
role ci {
    trust service "ec2.amazonaws.com";
    trust federated "arn:${partition}:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" {
        condition StringEquals "token.actions.githubusercontent.com:aud" "sts.amazonaws.com";
        condition StringLike "token.actions.githubusercontent.com:sub" ["repo:${repository}:ref:refs/heads/main", "repo:${repository}:environment:prod"];
    }
    trust aws "*" { condition StringEquals "aws:PrincipalOrgID" "o-a1b2c3d4e5" when strict; }
    trust service "lambda.amazonaws.com";
    inline p;
}
"#;
    let analysis = analyze("trust.pcl", text);
    // without `strict`, `*` is open (W0509, in that configuration only)
    let codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["W0509"], "{:?}", analysis.diagnostics);
    assert!(
        analysis.diagnostics.iter().all(|d| d.message.ends_with("when strict=false")),
        "{:?}",
        analysis.diagnostics
    );
    let rendered = render(&analysis, "aws");
    let trust = |file: &str| {
        let file = rendered.iter().flat_map(|r| &r.files).find(|f| f.path == format!("role/{file}.json")).unwrap();
        let value: Value = serde_json::from_str(&file.contents).unwrap();
        value["AssumeRolePolicyDocument"]["Statement"].clone()
    };
    let github = json!({
        "Effect": "Allow",
        "Principal": { "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            "StringLike": { "token.actions.githubusercontent.com:sub": [
                "repo:my-org/my-repo:ref:refs/heads/main",
                "repo:my-org/my-repo:environment:prod"
            ] }
        }
    });
    assert_eq!(
        trust("ci"),
        json!([
            { "Effect": "Allow", "Principal": { "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"] }, "Action": "sts:AssumeRole" },
            github,
            {
                "Effect": "Allow",
                "Principal": { "AWS": "*" },
                "Action": "sts:AssumeRole",
                "Condition": { "StringEquals": { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }
            }
        ])
    );
    // no condition of `*` holds: it is trusted with the fields without any
    assert_eq!(
        trust("ci.strict-false"),
        json!([
            {
                "Effect": "Allow",
                "Principal": { "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"], "AWS": "*" },
                "Action": "sts:AssumeRole"
            },
            github
        ])
    );
}
