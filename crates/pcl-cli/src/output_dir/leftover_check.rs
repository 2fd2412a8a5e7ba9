//! Whether a leftover of an interrupted build holds only what pcl wrote, so
//! that the next build may remove it. A leftover is a staging directory
//! (killed while staging: files, then each partition's `index.json`, some
//! cut short), an old tree being removed after the swap (its indexes go
//! last: `remove_old_tree`), or what stayed of an old tree (`.pcl-kept-*`).
//! A file an index in the leftover lists must have the sha256 it lists; a
//! file no readable index covers must be where pcl writes documents and
//! begin as they do. (A review found a user's `policy/notes.json`
//! in a leftover removed: any `.json` file passed.)

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use super::fs_error::{FsError, FsOp, at};
use super::{index_check, ownership};

/// How an index pcl writes begins; one cut short, with a part of it.
const HOW_AN_INDEX_BEGINS: &[u8] = b"{\n  \"format\": ";

/// How the documents pcl writes begin: pretty-printed JSON whose first key
/// is a policy's (`Version`) or a role's (`pcl_codegen::json`'s
/// `role_properties`: the first of `RoleName`, `Description`, `Path`,
/// `AssumeRolePolicyDocument` it has); one cut short, with a part of one.
/// (`{`, a line break and two spaces alone also matched a user's
/// pretty-printed JSON.)
const HOW_DOCUMENTS_BEGIN: [&[u8]; 5] = [
    b"{\n  \"Version\": ",
    b"{\n  \"RoleName\": ",
    b"{\n  \"Description\": ",
    b"{\n  \"Path\": ",
    b"{\n  \"AssumeRolePolicyDocument\": ",
];

/// Whether `head` (a file's first bytes, all of a file cut short) begins
/// as `beginning`, or is a part of it.
fn begins_as(head: &[u8], beginning: &[u8]) -> bool {
    head.starts_with(beginning) || beginning.starts_with(head)
}

/// What a leftover holds: the files pcl wrote, and the first it did not
/// (relative to the leftover, `/`-separated).
pub(super) struct Verdict {
    pub pcls: Vec<String>,
    pub foreign: Option<String>,
}

/// Which files of `leftover` pcl wrote. `manifests` are the paths of the
/// indexes a build writes (`index.json`, or one a partition's; a policy
/// named `index` is none).
pub(super) fn judge(leftover: &Path, manifests: &BTreeSet<String>) -> Result<Verdict, FsError> {
    let files = match regular_json_files(leftover)? {
        Ok(files) => files,
        Err(foreign) => return Ok(Verdict { pcls: Vec::new(), foreign: Some(foreign) }),
    };
    let mut verdict = Verdict { pcls: Vec::new(), foreign: None };
    let mut judged = |rel: &String, pcls: bool| match pcls {
        true => verdict.pcls.push(rel.clone()),
        false => {
            verdict.foreign.get_or_insert_with(|| rel.clone());
        }
    };
    // the indexes that parse, by the directory they list files of ("" or
    // "aws/"): a partition's or the whole output's
    let mut indexes: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for rel in files.iter().filter(|rel| manifests.contains(*rel)) {
        let path = leftover.join(rel);
        let bytes = std::fs::read(&path).map_err(at(FsOp::Read, &path))?;
        match index_check::parse_index(&bytes) {
            Ok(listed) => {
                let scope = rel.strip_suffix("index.json").unwrap_or_default().to_string();
                indexes.insert(scope, listed.into_iter().collect());
                judged(rel, true);
            }
            // cut short as it was written
            Err(_) => judged(rel, begins_as(&bytes, HOW_AN_INDEX_BEGINS)),
        }
    }
    for rel in files.iter().filter(|rel| !manifests.contains(*rel)) {
        let path = leftover.join(rel);
        // the innermost index whose directory holds the file
        // (a link aside, never listed, holds the previous tree's file)
        let covering = indexes.iter().rev().find(|(scope, _)| rel.starts_with(scope.as_str()) && !is_link_aside(rel));
        let pcls = match covering {
            Some((scope, listed)) => {
                let listed_sha = rel.strip_prefix(scope.as_str()).and_then(|inner| listed.get(inner));
                match listed_sha {
                    Some(sha) => {
                        let bytes = std::fs::read(&path).map_err(at(FsOp::Read, &path))?;
                        pcl_codegen::sha256_hex(&bytes) == *sha
                    }
                    None => false,
                }
            }
            None => where_pcl_writes(rel) && begins_as_pcl_writes(&path, rel.ends_with(".index.json.link"))?,
        };
        judged(rel, pcls);
    }
    Ok(verdict)
}

/// What is left of an old tree set aside (`.pcl-kept-*`): only its indexes
/// are pcl's (their removal may have been cut short), and only those that
/// read as pcl's (a review found a user's `index.json` in it removed).
pub(super) fn judge_kept(kept: &Path, manifests: &BTreeSet<String>) -> Result<Verdict, FsError> {
    let files = match regular_json_files(kept)? {
        Ok(files) => files,
        Err(foreign) => return Ok(Verdict { pcls: Vec::new(), foreign: Some(foreign) }),
    };
    let mut verdict = Verdict { pcls: Vec::new(), foreign: None };
    for rel in files {
        let path = kept.join(&rel);
        let index = manifests.contains(&rel)
            && index_check::parse_index(&std::fs::read(&path).map_err(at(FsOp::Read, &path))?).is_ok();
        match index {
            true => verdict.pcls.push(rel),
            false => {
                verdict.foreign.get_or_insert(rel);
            }
        }
    }
    Ok(verdict)
}

/// Whether a build writes documents at `rel`: `policy/` or `role/`, in the
/// output or in one of its partitions (`aws/policy/`); a link aside also
/// beside an index. (A file elsewhere that no index covers, `notes.json`
/// at the top of a partitioned output, is no document of pcl's.)
fn where_pcl_writes(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    let (dirs, name) = match parts.split_last() {
        Some((name, dirs)) => (dirs, *name),
        None => return false,
    };
    let document = matches!(dirs.last(), Some(&"policy" | &"role")) && dirs.len() <= 2;
    let index_aside = name == ".index.json.link" && dirs.len() <= 1;
    document || index_aside
}

/// `.NAME.json.link`: the hard link to the previous tree's file that the
/// staging makes beside a file it wrote, then renames over it
/// (`Staging::write_with`); a build killed in between leaves it (found by
/// review: such a leftover was refused for good).
fn is_link_aside(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with('.') && name.ends_with(".json.link")
}

/// Every entry under `root` but directories, by relative path, with its
/// type, sorted (`ownership::sorted_entries`, one directory at a time).
fn entries_below(root: &Path) -> Result<Vec<(String, std::fs::FileType)>, FsError> {
    let mut found = Vec::new();
    let mut todo = vec![String::new()];
    while let Some(rel_dir) = todo.pop() {
        for (rel, kind) in ownership::sorted_entries(root, &rel_dir)? {
            if kind.is_dir() {
                todo.push(rel);
            } else {
                found.push((rel, kind));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// The regular `.json` files (and links aside) under `leftover`, relative
/// and sorted; `Err` the first entry that is neither such a file nor a
/// directory (a build writes no other).
fn regular_json_files(leftover: &Path) -> Result<Result<Vec<String>, String>, FsError> {
    let mut files = Vec::new();
    for (rel, kind) in entries_below(leftover)? {
        if !(kind.is_file() && (rel.ends_with(".json") || is_link_aside(&rel))) {
            return Ok(Err(rel));
        }
        files.push(rel);
    }
    Ok(Ok(files))
}

/// Whether the file begins as pcl's documents do, or an index for an
/// index's link aside (an empty file, or one cut short, with as much of
/// such a beginning as it holds).
fn begins_as_pcl_writes(path: &Path, index: bool) -> Result<bool, FsError> {
    let beginnings: &[&[u8]] = if index { &[HOW_AN_INDEX_BEGINS] } else { &HOW_DOCUMENTS_BEGIN };
    let longest = beginnings.iter().map(|b| b.len()).max().unwrap_or_default();
    let mut head = Vec::with_capacity(longest);
    let file = std::fs::File::open(path).map_err(at(FsOp::Read, path))?;
    file.take(longest as u64).read_to_end(&mut head).map_err(at(FsOp::Read, path))?;
    Ok(beginnings.iter().any(|beginning| begins_as(&head, beginning)))
}

/// Every entry under `dir` that is not a directory, relative and sorted.
pub(super) fn all_files(dir: &Path) -> Result<Vec<String>, FsError> {
    Ok(entries_below(dir)?.into_iter().map(|(rel, _)| rel).collect())
}

/// The first entry under `dir` that is neither a directory nor one of
/// `besides`, by a listing alone (nothing read: the removal of an old tree
/// asks it on every build that replaces one).
pub(super) fn first_other(dir: &Path, besides: &BTreeSet<String>) -> Result<Option<String>, FsError> {
    Ok(entries_below(dir)?.into_iter().map(|(rel, _)| rel).find(|rel| !besides.contains(rel)))
}
