//! An output directory inside another pcl build's output is refused.
//!
//! A build into `out/policy/x` would leave in `out` files that `out`'s
//! index does not list, and the next build into `out`, which never deletes
//! a file it did not write, would then refuse. So a build refuses, before
//! it makes anything, a directory below one holding an `index.json` that
//! pcl wrote: a `pcl build` output, or one partition of a `build-policies`
//! output.
//!
//! The reverse, a directory holding another build's output somewhere below
//! it (`--out .` with `./out/index.json`), needs no check here: the audit
//! (`ownership::audit`) accepts only entries the directory's own index
//! lists, so such a build is refused (`Foreign`, naming the other output)
//! before it writes, and claims or removes nothing.
//!
//! Not recognised: a directory beside the partitions of a `build-policies`
//! output (`dist/policies/x`), whose root has no index of its own; told
//! only by its subdirectories' names, it could not be told from a directory
//! of separate builds named after partitions. Its next `build-policies`
//! refuses `x`, naming it.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::OutputError;

/// How every `index.json` pcl writes begins, whatever its format's version.
const INDEX_START: &[u8] = b"{\n  \"format\": \"pcl-index/";

/// `Err(InsideOutput)` when `dir` (as the user gave it) lies inside the
/// output of another pcl build: below a directory whose `index.json` pcl
/// wrote. Symlinks are followed, as the build follows them.
pub(super) fn refuse_nested(dir: &Path) -> Result<(), OutputError> {
    let Some(real) = real_parent(dir) else { return Ok(()) };
    for outer in real.ancestors() {
        let index = outer.join("index.json");
        if written_by_pcl(&index) {
            let outer = shown(dir, outer);
            let index = outer.join("index.json");
            return Err(OutputError::InsideOutput { outer, index });
        }
    }
    Ok(())
}

/// The real path of the directory `dir` will be made in (or is in): its
/// parent's, or, while that is missing, its nearest existing ancestor's.
fn real_parent(dir: &Path) -> Option<PathBuf> {
    if let Ok(real) = dir.canonicalize() {
        return real.parent().map(Path::to_path_buf);
    }
    dir.ancestors().skip(1).find_map(|above| as_dir(above).canonicalize().ok())
}

/// `outer` as the user would name it: the ancestor of `dir` as given that
/// is it, else its real path.
fn shown(dir: &Path, outer: &Path) -> PathBuf {
    dir.ancestors()
        .skip(1)
        .map(as_dir)
        .find(|above| above.canonicalize().is_ok_and(|real| real == outer))
        .map_or_else(|| outer.to_path_buf(), Path::to_path_buf)
}

/// The empty parent of a relative path is the current directory.
fn as_dir(path: &Path) -> &Path {
    if path.as_os_str().is_empty() { Path::new(".") } else { path }
}

/// Whether `index` is a regular file that begins as pcl's indexes do (only
/// its first bytes are read: any `index.json` may be in a parent directory).
fn written_by_pcl(index: &Path) -> bool {
    if !std::fs::symlink_metadata(index).is_ok_and(|m| m.file_type().is_file()) {
        return false;
    }
    let Ok(file) = super::ownership::open_no_follow(index) else { return false };
    let mut start = Vec::with_capacity(INDEX_START.len());
    // (unreadable, it tells nothing: the build goes on as before)
    file.take(INDEX_START.len() as u64).read_to_end(&mut start).is_ok_and(|_| start == INDEX_START)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// pcl's indexes begin so (the test fails if their first key moves).
    #[test]
    fn the_start_is_that_of_the_index_pcl_writes() {
        let text = String::from_utf8(INDEX_START.to_vec()).unwrap();
        assert_eq!(text, format!("{{\n  \"{}\": \"pcl-index/", pcl_codegen::INDEX_KEYS[0]));
        assert!(pcl_codegen::INDEX_FORMAT.starts_with("pcl-index/"));
    }

    /// Another tool's `index.json` above the output is no pcl output.
    #[test]
    fn only_an_index_pcl_wrote_makes_an_output() {
        let tmp = tempfile::tempdir().unwrap();
        let web = tmp.path().join("web");
        std::fs::create_dir(&web).unwrap();
        std::fs::write(web.join("index.json"), "{\"format\": \"pcl-index/2\"}").unwrap();
        assert!(refuse_nested(&web.join("dist/policies")).is_ok());
        std::fs::write(web.join("index.json"), "{\n  \"format\": \"pcl-index/2\",\n").unwrap();
        let refused = refuse_nested(&web.join("dist/policies"));
        assert!(matches!(&refused, Err(OutputError::InsideOutput { outer, .. }) if *outer == web), "{refused:?}");
        // the output itself is not inside it
        assert!(refuse_nested(&web).is_ok());
    }
}
