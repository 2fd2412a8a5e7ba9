//! The staging directory a build writes into, file by file. It is made only
//! at the first file that is new or differs from the tree it replaces: a
//! build that reproduces that tree byte for byte stages nothing, and
//! [`super::PreparedReplace::replace_with`] then leaves the output as it is.

use std::collections::{BTreeSet, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::stop_point_io;
use super::fs_error::{FsError, FsOp, at, io_at};
use super::{OutputError, fault, ownership, swap};

/// The staging directory a build writes into, file by file.
pub struct Staging<'a> {
    /// Where the staging directory is made (beside the output), and the
    /// prefix of its name.
    parent: &'a Path,
    prefix: String,
    /// Made at the first file that is new or differs from the previous
    /// tree's.
    root: Option<swap::Sibling>,
    /// Files equal to the previous tree's, written before `root` was made:
    /// linked into it when it is.
    pending: BTreeSet<String>,
    written: usize,
    /// The directory being replaced and the sha256 of each of its files: a
    /// file whose content is unchanged is hard-linked from it instead of
    /// written again (its old tree is audited again after the swap, so an
    /// edit made meanwhile through the shared inode is caught there).
    previous: Option<(&'a Path, ownership::Audited)>,
    /// The directories made inside so far: most files go into one of a few,
    /// and asking the file system again for each cost two calls a file.
    made: HashSet<PathBuf>,
    /// The paths written so far: a path written twice is refused (the second
    /// write could go through a link into the previous tree).
    written_paths: HashSet<String>,
}

/// What was staged, once the build has written everything.
pub(super) enum Staged {
    /// The directory holding the new tree.
    Tree(swap::Sibling),
    /// Every file equals the previous tree's, and the previous tree has no
    /// other: there is nothing to replace. With the previous tree's audit.
    SameAsPrevious(ownership::Audited),
}

impl<'a> Staging<'a> {
    /// A staging directory to be made in `parent`, its name starting with
    /// `prefix`, for a build replacing `previous` (a directory and its audit).
    pub(super) fn new(parent: &'a Path, prefix: String, previous: Option<(&'a Path, ownership::Audited)>) -> Self {
        Staging {
            parent,
            prefix,
            root: None,
            pending: BTreeSet::new(),
            written: 0,
            previous,
            made: HashSet::new(),
            written_paths: HashSet::new(),
        }
    }

    /// Writes `contents` at `rel` (relative, `/`-separated, inside). An
    /// error names the path it concerns ([`FsError`], carried by the
    /// [`io::Error`]); once a signal asked the build to stop, this fails
    /// and writes nothing (see `crate::interrupt`).
    pub fn write(&mut self, rel: &str, contents: &[u8]) -> io::Result<()> {
        self.write_hashed(rel, contents, || pcl_codegen::sha256_hex(contents))
    }

    /// [`Staging::write`] for a rendered file, whose sha256 is known.
    pub fn write_file(&mut self, rel: &str, file: &pcl_codegen::File) -> io::Result<()> {
        self.write_hashed(rel, file.contents.as_bytes(), || pcl_codegen::hex(&file.sha256))
    }

    /// Writes `contents` at `rel`; `sha` gives their sha256 in hex, asked
    /// only when the previous tree has a file there.
    fn write_hashed(&mut self, rel: &str, contents: &[u8], sha: impl FnOnce() -> String) -> io::Result<()> {
        stop_point_io()?;
        self.check_new(rel)?;
        let unchanged = self.previous_file(rel, sha);
        if unchanged.is_some() && self.root.is_none() {
            self.pending.insert(rel.to_string());
        } else {
            let path = self.inside(rel)?;
            if unchanged.is_none_or(|old| std::fs::hard_link(old, &path).is_err()) {
                let mut file = std::fs::File::create(&path).map_err(at(FsOp::Create, &path))?;
                io::Write::write_all(&mut file, contents).map_err(at(FsOp::Write, &path))?;
            }
        }
        self.count_written();
        Ok(())
    }

    /// Writes at `rel` what `produce` writes, streamed (for a file too large
    /// to hold, such as the index of a large build); like [`Staging::write`],
    /// a content equal to the previous tree's is a hard link to it.
    pub fn write_with(
        &mut self,
        rel: &str,
        produce: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        stop_point_io()?;
        self.check_new(rel)?;
        if self.root.is_none() && self.previous_sha(rel).is_some() {
            return self.write_unless_unchanged(rel, produce);
        }
        let path = self.inside(rel)?;
        // a new file: never through an earlier link into the previous tree
        let file = create_new(&path)?;
        let mut out = HashingWriter { inner: io::BufWriter::new(file), hash: Sha256::new() };
        produce(&mut out)?;
        io::Write::flush(&mut out.inner)?;
        if let Some(old) = self.previous_file(rel, || pcl_codegen::hex(&out.hash.finalize())) {
            let name = path.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let aside = path.with_file_name(format!(".{name}.link"));
            if std::fs::hard_link(old, &aside).is_ok() {
                // moved over the file written; should the move fail, that file stays
                let _moved = std::fs::rename(&aside, &path);
                // gone after a move, unless both names were one file already
                if let Err(e) = std::fs::remove_file(&aside)
                    && e.kind() != io::ErrorKind::NotFound
                {
                    return Err(FsError::new(FsOp::Remove, aside, e).into());
                }
            }
        }
        self.count_written();
        Ok(())
    }

    /// [`Staging::write_with`] while nothing is staged yet and the previous
    /// tree has a file at `rel`: the content goes to a scratch file first,
    /// and is staged only if it differs.
    fn write_unless_unchanged(
        &mut self,
        rel: &str,
        produce: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut out = HashingWriter { inner: io::BufWriter::new(self.scratch_file()?), hash: Sha256::new() };
        produce(&mut out)?;
        let sha = pcl_codegen::hex(&out.hash.finalize());
        if self.previous_file(rel, || sha).is_some() {
            self.pending.insert(rel.to_string());
        } else {
            let mut scratch = out.inner.into_inner().map_err(|e| e.into_error())?;
            io::Seek::rewind(&mut scratch)?;
            let path = self.inside(rel)?;
            let mut file = create_new(&path)?;
            io::copy(&mut scratch, &mut file)?;
        }
        self.count_written();
        Ok(())
    }

    /// The previous tree's file at `rel`, when its content has the sha256
    /// `sha` gives (asked only when there is such a file: a fresh build
    /// hashes nothing here).
    fn previous_file(&self, rel: &str, sha: impl FnOnce() -> String) -> Option<PathBuf> {
        let old_sha = self.previous_sha(rel)?;
        (old_sha == sha()).then(|| self.previous_path(rel)).flatten()
    }

    /// The sha256 of the previous tree's file at `rel`, if it has one.
    fn previous_sha(&self, rel: &str) -> Option<&str> {
        let (_, files) = self.previous.as_ref()?;
        files.get(rel).map(|file| file.sha.as_str())
    }

    fn previous_path(&self, rel: &str) -> Option<PathBuf> {
        self.previous.as_ref().map(|(dir, _)| dir.join(rel))
    }

    /// Refuses a path outside, or one written already.
    fn check_new(&mut self, rel: &str) -> io::Result<()> {
        check_inside(rel)?;
        if !self.written_paths.insert(rel.to_string()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("`{rel}` is written twice")));
        }
        Ok(())
    }

    fn count_written(&mut self) {
        self.written += 1;
        if self.written == 1 {
            fault::point("writing");
        }
    }

    /// The path of `rel` (checked to be inside) in the staging directory,
    /// which is made now if it was not, and `rel`'s directory made.
    fn inside(&mut self, rel: &str) -> Result<PathBuf, FsError> {
        let path = self.root()?.join(rel);
        self.make_parent(&path)?;
        Ok(path)
    }

    fn make_parent(&mut self, path: &Path) -> Result<(), FsError> {
        if let Some(p) = path.parent()
            && !self.made.contains(p)
        {
            std::fs::create_dir_all(p).map_err(at(FsOp::CreateDir, p))?;
            self.made.insert(p.to_path_buf());
        }
        Ok(())
    }

    /// The staging directory, made (with the files met so far unchanged
    /// linked into it) if it was not.
    fn root(&mut self) -> Result<PathBuf, FsError> {
        if let Some(root) = &self.root {
            return Ok(root.path().to_path_buf());
        }
        let root = swap::sibling(&self.prefix, self.parent)?;
        let dir = root.path().to_path_buf();
        self.root = Some(root);
        for rel in std::mem::take(&mut self.pending) {
            let path = dir.join(&rel);
            self.make_parent(&path)?;
            let Some(old) = self.previous_path(&rel) else { continue };
            // copied where links are not supported (the swap's audit of the
            // old tree catches an edit made to it meanwhile, as for a link)
            if std::fs::hard_link(&old, &path).is_err() {
                std::fs::copy(&old, &path).map_err(at(FsOp::Copy { from: old.clone() }, &path))?;
            }
        }
        Ok(dir)
    }

    /// A file with no name, on the output's file system (writable, as the
    /// staging directory will be), gone when closed: room for what a build
    /// must set aside while it writes (the index's configurations).
    pub fn scratch_file(&self) -> io::Result<NamedFile> {
        let file = tempfile::tempfile_in(self.parent).map_err(io_at(FsOp::Scratch, self.parent))?;
        Ok(NamedFile { file, path: self.parent.to_path_buf(), scratch: true })
    }

    /// How many files were written.
    pub fn written(&self) -> usize {
        self.written
    }

    /// What the build staged: the staging directory (made now if no file
    /// was written), or nothing if every file is the previous tree's and
    /// that tree has no other.
    pub(super) fn finish(mut self) -> Result<Staged, OutputError> {
        if self.root.is_none()
            && let Some((_, files)) = self.previous.take_if(|(_, files)| files.keys().eq(self.pending.iter()))
        {
            return Ok(Staged::SameAsPrevious(files));
        }
        self.root()?;
        self.root.map(Staged::Tree).ok_or_else(|| OutputError::Failed("no staging directory was made".into()))
    }
}

/// Refuses a path that is empty, absolute, or has an empty, `.` or `..` part.
fn check_inside(rel: &str) -> io::Result<()> {
    let inside = !rel.is_empty() && rel.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
    if inside {
        Ok(())
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("`{rel}` is not a relative path inside")))
    }
}

/// A new file at `path` (refused if something is there), whose errors name it.
fn create_new(path: &Path) -> Result<NamedFile, FsError> {
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(at(FsOp::Create, path))?;
    Ok(NamedFile { file, path: path.to_path_buf(), scratch: false })
}

/// A file whose I/O errors name it ([`FsError`], carried by the
/// [`io::Error`]): a staged file, or a scratch file ([`Staging::scratch_file`],
/// which has no name: its errors name its directory).
pub struct NamedFile {
    file: std::fs::File,
    path: PathBuf,
    scratch: bool,
}

impl NamedFile {
    fn error(&self, op: FsOp, e: io::Error) -> io::Error {
        let op = if self.scratch { FsOp::Scratch } else { op };
        FsError::of(op, &self.path, e).into()
    }
}

impl io::Write for NamedFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        io::Write::write(&mut self.file, bytes).map_err(|e| self.error(FsOp::Write, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        io::Write::flush(&mut self.file).map_err(|e| self.error(FsOp::Write, e))
    }
}

impl io::Read for NamedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        io::Read::read(&mut self.file, buf).map_err(|e| self.error(FsOp::Read, e))
    }
}

impl io::Seek for NamedFile {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        io::Seek::seek(&mut self.file, to).map_err(|e| self.error(FsOp::Read, e))
    }
}

/// Passes writes on, hashing them.
struct HashingWriter<W: io::Write> {
    inner: W,
    hash: Sha256,
}

impl<W: io::Write> io::Write for HashingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hash.update(bytes.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// A path written twice is refused: were the first copy linked from the
    /// previous tree, the second write would go through the link into it.
    #[test]
    fn a_path_written_twice_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(tmp.path(), ".pcl-build-out-".into(), None);
        staging.write("policy/p.json", b"{}").unwrap();
        let again = staging.write("policy/p.json", b"[]").unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::InvalidInput);
        let again = staging.write_with("policy/p.json", |out| out.write_all(b"[]")).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(staging.written(), 1);
    }
}
