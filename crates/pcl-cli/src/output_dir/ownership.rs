//! Which files of an existing output directory pcl wrote: every `index.json`
//! of a build lists its files with their sha256, and a directory may be
//! replaced only if everything in it, at every depth, is such a file,
//! unchanged. The walk never opens anything but regular files, so a FIFO or a
//! symlink to `/dev/zero` cannot make it hang.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::OutputError;

/// Why an entry of the directory is not pcl's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Foreign {
    /// A file that no `index.json` lists.
    UnknownFile,
    /// The directory has no `index.json` of an earlier build, yet is not empty.
    NoIndex,
    /// A listed file whose content no longer has the listed sha256.
    Edited,
    /// A symbolic link (pcl never writes one).
    Symlink,
    /// A FIFO, socket or device (pcl never writes one).
    NotRegular,
    /// A directory that holds no file pcl wrote.
    UnknownDir,
    /// An `index.json` pcl cannot have written; the detail says why.
    BadIndex(String),
}

impl Foreign {
    /// The reason, for an entry at `path` (relative to the directory).
    pub fn describe(&self, path: &str) -> String {
        match self {
            Foreign::UnknownFile => format!("it holds `{path}`, which pcl did not write"),
            Foreign::NoIndex => {
                format!("it is not empty and has no index.json of an earlier pcl build (it holds `{path}`)")
            }
            Foreign::Edited => {
                format!("`{path}` was changed after pcl wrote it (its sha256 is not the one index.json lists)")
            }
            Foreign::Symlink => format!("`{path}` is a symbolic link, which pcl never writes"),
            Foreign::NotRegular => format!("`{path}` is not a regular file (a FIFO, socket or device)"),
            Foreign::UnknownDir => format!("it holds the directory `{path}`, which pcl did not write"),
            Foreign::BadIndex(detail) => format!("`{path}` is not an index.json written by pcl: {detail}"),
        }
    }
}

/// The files of an audited directory, by `/`-separated relative path, with
/// their content when it was asked for (`--check` compares it).
pub type Tree = BTreeMap<String, Vec<u8>>;

/// What an audit found: every file, with its sha256 and (when asked) its
/// bytes.
pub type Audited = BTreeMap<String, (String, Vec<u8>)>;

/// Proves that every entry of `dir` is a file a pcl build wrote, unchanged.
/// `manifests` are the relative paths at which a build writes an
/// `index.json` (`index.json`, or `aws/index.json`, ...). Entries are
/// visited in sorted order, so the path named in a refusal is stable.
pub fn audit(dir: &Path, manifests: &BTreeSet<String>, keep_contents: bool) -> Result<Audited, OutputError> {
    let io_err = |e: io::Error| OutputError::Io(e);
    let mut owned: BTreeMap<String, String> = BTreeMap::new();
    let mut any_index = false;
    for manifest in manifests {
        let path = dir.join(manifest);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {
                any_index = true;
                let bytes = match read_regular(&path, true).map_err(io_err)? {
                    Some((_, bytes)) => bytes,
                    None => return Err(foreign(manifest, Foreign::NotRegular)),
                };
                let base = manifest.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
                for (rel, sha) in parse_index(&bytes).map_err(|d| foreign(manifest, Foreign::BadIndex(d)))? {
                    owned.insert(format!("{base}{rel}"), sha);
                }
            }
            // a symlink, FIFO or directory at an index.json path is found by the walk
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
    }
    // Directories that hold (or may hold) files pcl writes.
    let mut owned_dirs: BTreeSet<&str> = BTreeSet::new();
    for path in owned.keys().chain(manifests.iter()) {
        let mut p = path.as_str();
        while let Some((d, _)) = p.rsplit_once('/') {
            owned_dirs.insert(d);
            p = d;
        }
    }

    let mut tree = Audited::new();
    // Depth-first, iterative (a deep tree cannot overflow the stack).
    let mut todo: Vec<String> = vec![String::new()];
    while let Some(rel_dir) = todo.pop() {
        let mut entries: Vec<(String, std::fs::FileType)> = Vec::new();
        for entry in std::fs::read_dir(dir.join(&rel_dir)).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel_dir.is_empty() { name } else { format!("{rel_dir}/{name}") };
            entries.push((rel, entry.file_type().map_err(io_err)?));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut subdirs = Vec::new();
        for (rel, file_type) in entries {
            if file_type.is_symlink() {
                return Err(foreign(&rel, Foreign::Symlink));
            }
            if file_type.is_dir() {
                if !owned_dirs.contains(rel.as_str()) {
                    return Err(foreign(&rel, if any_index { Foreign::UnknownDir } else { Foreign::NoIndex }));
                }
                subdirs.push(rel);
                continue;
            }
            if !file_type.is_file() {
                return Err(foreign(&rel, Foreign::NotRegular));
            }
            let is_manifest = manifests.contains(&rel);
            let expected = owned.get(&rel);
            if !is_manifest && expected.is_none() {
                return Err(foreign(&rel, if any_index { Foreign::UnknownFile } else { Foreign::NoIndex }));
            }
            // the type `readdir` gave may be stale: the open checks again
            let Some((sha, bytes)) = read_regular(&dir.join(&rel), keep_contents).map_err(io_err)? else {
                return Err(foreign(&rel, Foreign::NotRegular));
            };
            if expected.is_some_and(|e| *e != sha) {
                return Err(foreign(&rel, Foreign::Edited));
            }
            tree.insert(rel, (sha, bytes));
        }
        // reversed, so that the stack pops them in sorted order
        todo.extend(subdirs.into_iter().rev());
    }
    Ok(tree)
}

fn foreign(path: &str, why: Foreign) -> OutputError {
    OutputError::Foreign { path: path.to_string(), why }
}

/// The sha256 of a regular file (and its bytes, if `keep`), or `None` if
/// `path` is not a regular file when it is opened. The open neither follows a
/// symlink nor blocks on a FIFO, and the file is hashed as a stream: what the
/// directory listing said cannot be raced into a hang or a huge read.
fn read_regular(path: &Path, keep: bool) -> io::Result<Option<(String, Vec<u8>)>> {
    use std::io::Read;
    let file = match open_no_follow(path) {
        Ok(f) => f,
        // a symlink (ELOOP) or something else that cannot be opened as a file
        Err(e) if e.kind() != io::ErrorKind::NotFound && e.kind() != io::ErrorKind::PermissionDenied => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    if !file.metadata()?.file_type().is_file() {
        return Ok(None);
    }
    let mut hasher = Sha256::new();
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut reader = io::BufReader::new(file);
    loop {
        let n = reader.read(&mut buf)?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else { break };
        hasher.update(chunk);
        if keep {
            kept.extend_from_slice(chunk);
        }
    }
    let sha = pcl_codegen::hex(&hasher.finalize());
    Ok(Some((sha, kept)))
}

#[cfg(target_os = "linux")]
fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    std::fs::OpenOptions::new().read(true).custom_flags(flags.bits() as i32).open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    // elsewhere the type is checked just before opening (a narrower race)
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => std::fs::File::open(path),
        Ok(_) => Err(io::Error::other("not a regular file")),
        Err(e) => Err(e),
    }
}

/// `(path, sha256)` of every file an `index.json` lists. The file must be
/// exactly what pcl writes: the pretty-printed JSON of pcl's index (see
/// `pcl_codegen::INDEX_KEYS`), with pcl's keys in pcl's order, each file a
/// `policy/` or `role/` JSON file inside the directory, listed once, and
/// every configuration pointing at a listed file. An index edited by hand
/// could otherwise vouch for files pcl never wrote.
fn parse_index(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    let rewritten = serde_json::to_string_pretty(&value).map(|s| s + "\n").unwrap_or_default();
    if rewritten.as_bytes() != bytes {
        return Err("it is not laid out as pcl writes it (edited by hand?)".into());
    }
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    };
    if keys(&value) == ["outputs"] {
        return parse_index_v1(&value);
    }
    if keys(&value) != pcl_codegen::INDEX_KEYS {
        return Err(format!("it has the keys {:?}, not pcl's", keys(&value)));
    }
    if value.get("format").and_then(|f| f.as_str()) != Some(pcl_codegen::INDEX_FORMAT) {
        return Err(format!("its format is not `{}`", pcl_codegen::INDEX_FORMAT));
    }
    let list = |key: &str| value.get(key).and_then(|o| o.as_array()).ok_or(format!("it has no `{key}` list"));
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in list("files")? {
        if keys(entry) != pcl_codegen::FILE_KEYS {
            return Err(format!("a file has the keys {:?}, not pcl's", keys(entry)));
        }
        let path = entry.get("path").and_then(|p| p.as_str()).ok_or("a file has no `path`")?;
        let sha = entry.get("sha256").and_then(|s| s.as_str()).ok_or("a file has no `sha256`")?;
        check_listed_path(path)?;
        if !seen.insert(path) {
            return Err(format!("it lists `{path}` twice"));
        }
        listed.push((path.to_string(), sha.to_string()));
    }
    for entry in list("configurations")? {
        let entry_keys = keys(entry);
        // pcl's keys, then optional ones, each at most once and in their order
        let required = entry_keys.get(..pcl_codegen::CONFIGURATION_KEYS.len());
        let mut optional = pcl_codegen::OPTIONAL_CONFIGURATION_KEYS.iter();
        let rest_in_order = entry_keys
            .get(pcl_codegen::CONFIGURATION_KEYS.len()..)
            .unwrap_or_default()
            .iter()
            .all(|k| optional.any(|o| o == k));
        if required != Some(&pcl_codegen::CONFIGURATION_KEYS.map(String::from)[..]) || !rest_in_order {
            return Err(format!("a configuration has the keys {entry_keys:?}, not pcl's"));
        }
        let path = entry.get("path").and_then(|p| p.as_str()).unwrap_or_default();
        let parts = entry.get("parts").and_then(|p| p.as_array()).into_iter().flatten();
        for listed in std::iter::once(path).chain(parts.map(|p| p.as_str().unwrap_or_default())) {
            if !seen.contains(listed) {
                return Err(format!("a configuration renders to `{listed}`, which it does not list"));
            }
        }
    }
    Ok(listed)
}

/// The keys of one entry of pcl 0.1's `index.json`, `{"outputs": [...]}`.
const V1_ENTRY_KEYS: [&str; 6] = ["item", "kind", "features", "partition", "path", "sha256"];

/// pcl 0.1's index (one entry per file) still vouches for its files, so that
/// a build over an older build's directory replaces it.
fn parse_index_v1(value: &serde_json::Value) -> Result<Vec<(String, String)>, String> {
    let outputs = value.get("outputs").and_then(|o| o.as_array()).ok_or("it has no `outputs` list")?;
    let mut listed = Vec::with_capacity(outputs.len());
    let mut seen = BTreeSet::new();
    for entry in outputs {
        let keys: Vec<&str> = entry.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        if keys != V1_ENTRY_KEYS {
            return Err(format!("an output has the keys {keys:?}, not pcl's"));
        }
        let path = entry.get("path").and_then(|p| p.as_str()).ok_or("an output has no `path`")?;
        let sha = entry.get("sha256").and_then(|s| s.as_str()).ok_or("an output has no `sha256`")?;
        check_listed_path(path)?;
        if !seen.insert(path) {
            return Err(format!("it lists `{path}` twice"));
        }
        listed.push((path.to_string(), sha.to_string()));
    }
    Ok(listed)
}

/// A listed file must be a `policy/` or `role/` JSON file inside the directory.
fn check_listed_path(path: &str) -> Result<(), String> {
    let inside = !path.starts_with('/') && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
    let shaped = (path.starts_with("policy/") || path.starts_with("role/")) && path.ends_with(".json");
    if inside && shaped { Ok(()) } else { Err(format!("the output path `{path}` is not one pcl writes")) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use serde_json::{Value, json};

    fn index(files: &[&str], configurations: &[&str]) -> Value {
        json!({
            "format": pcl_codegen::INDEX_FORMAT,
            "partition": "aws",
            "features": [],
            "params": [],
            "default_configuration": {},
            "files": files.iter().map(|p| json!({"path": p, "sha256": "ab"})).collect::<Vec<_>>(),
            "configurations": configurations.iter()
                .map(|p| json!({"item": "p", "kind": "policy", "features": {}, "default": true, "path": p}))
                .collect::<Vec<_>>(),
        })
    }

    fn pretty(v: &Value) -> Vec<u8> {
        (serde_json::to_string_pretty(v).unwrap() + "\n").into_bytes()
    }

    #[test]
    fn only_an_index_as_pcl_writes_it_vouches_for_files() {
        let good = pretty(&index(&["policy/p.json"], &["policy/p.json", "policy/p.json"]));
        assert_eq!(parse_index(&good).unwrap(), [("policy/p.json".to_string(), "ab".to_string())]);
        for bad in [
            "../x.json",
            "/etc/passwd",
            "policy/../../b.json",
            "",
            "policy//b.json",
            "./policy/a.json",
            "mine.txt",
            "policy/a.txt",
        ] {
            assert!(parse_index(&pretty(&index(&[bad], &[]))).is_err(), "{bad}");
        }
        // edited by hand: compact, an extra key, a duplicate, missing keys,
        // a configuration pointing elsewhere, another format
        let compact = index(&["policy/p.json"], &[]).to_string().into_bytes();
        assert!(parse_index(&compact).is_err());
        let mut extra = index(&[], &[]);
        extra["notes"] = json!("mine");
        assert!(parse_index(&pretty(&extra)).is_err());
        assert!(parse_index(&pretty(&index(&["policy/p.json", "policy/p.json"], &[]))).is_err());
        assert!(parse_index(&pretty(&index(&[], &["policy/p.json"]))).is_err());
        let mut short = index(&[], &[]);
        short["files"] = json!([{"path": "policy/p.json"}]);
        assert!(parse_index(&pretty(&short)).is_err());
        let mut old = index(&["policy/p.json"], &[]);
        old["format"] = json!("pcl-index/1");
        assert!(parse_index(&pretty(&old)).is_err());
        // pcl 0.1's layout still vouches for its files; edited, it does not
        let v1 = |keys: Value| pretty(&json!({"outputs": [keys]}));
        let v1_entry = json!({"item": "p", "kind": "policy", "features": {}, "partition": "aws", "path": "policy/p.json", "sha256": "ab"});
        assert_eq!(parse_index(&v1(v1_entry.clone())).unwrap().len(), 1);
        let mut v1_bad = v1_entry;
        v1_bad["path"] = json!("../p.json");
        assert!(parse_index(&v1(v1_bad)).is_err());
        assert!(parse_index(&v1(json!({"path": "policy/p.json", "sha256": "ab"}))).is_err());
        assert!(parse_index(b"[]\n").is_err());
        assert!(parse_index(b"{not json").is_err());
    }
}
