//! Reading a build directory for `pcl diff`.

use std::io;
use std::path::Path;

use super::Tree;

/// Builds nest `DIR/<partition>/{policy,role}/`: deeper is not a build.
const MAX_DEPTH: usize = 8;

/// Every regular file under `dir`, by `/`-separated relative path. A
/// symlink, a FIFO or a directory nested deeper than a build nests is an
/// error naming it: a diff of what pcl wrote never follows links.
pub fn read_tree(dir: &Path) -> io::Result<Tree> {
    let mut tree = Tree::new();
    let mut todo = vec![(dir.to_path_buf(), String::new(), 0)];
    while let Some((path, rel, depth)) = todo.pop() {
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry
                .file_name()
                .into_string()
                .map_err(|n| io::Error::other(format!("{} holds a name that is not UTF-8: {n:?}", path.display())))?;
            let rel = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let ty = entry.file_type()?;
            if ty.is_dir() && depth < MAX_DEPTH {
                todo.push((entry.path(), rel, depth + 1));
            } else if ty.is_file() {
                tree.insert(rel, std::fs::read(entry.path())?);
            } else {
                return Err(io::Error::other(format!(
                    "{} is not a regular file or a directory pcl writes",
                    entry.path().display()
                )));
            }
        }
    }
    Ok(tree)
}
