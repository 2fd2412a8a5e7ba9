//! Each diagnostic's code linked to its `pcl explain` text (the LSP's
//! `codeDescription`): the explanation is written once, as Markdown, into a
//! per-user cache directory, and linked as a `file://` URI, which an editor
//! opens as a document. No network and no server of our own: the link works
//! offline and in any editor that opens files. Only for a client that says
//! it shows such links (`codeDescriptionSupport`).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use lsp_types::{CodeDescription, Uri};
use pcl_semantics::Code;

/// Where the explanations go, and the link of each code written so far.
pub struct ExplainLinks {
    /// `None`: no link is given (the client does not show them, or there is
    /// no cache directory).
    dir: Option<PathBuf>,
    /// A code's link, or `None` when writing it failed (tried once a run).
    written: HashMap<Code, Option<Uri>>,
}

impl ExplainLinks {
    /// Links for a client that shows them (`wanted`), under
    /// `$XDG_CACHE_HOME/pcl/explain/<version>` (or `~/.cache/...`): a
    /// version's texts beside another's, never mixed.
    pub fn new(wanted: bool) -> ExplainLinks {
        let dir =
            wanted.then(cache_dir).flatten().map(|d| d.join("pcl").join("explain").join(env!("CARGO_PKG_VERSION")));
        ExplainLinks { dir, written: HashMap::new() }
    }

    /// The link to `code`'s explanation, written first if this run has not.
    pub fn link(&mut self, code: Code) -> Option<CodeDescription> {
        let dir = self.dir.as_deref()?;
        let href = self
            .written
            .entry(code)
            .or_insert_with(|| match write_explanation(dir, code) {
                Ok(path) => file_uri(&path),
                Err(e) => {
                    eprintln!("pcl lsp: cannot write the explanation of {} in {}: {e}", code.as_str(), dir.display());
                    None
                }
            })
            .clone()?;
        Some(CodeDescription { href })
    }
}

/// The user's cache directory: an absolute `XDG_CACHE_HOME`, else
/// `~/.cache` (a relative one would move with the editor's working directory).
fn cache_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|d| d.is_absolute());
    xdg.or_else(|| std::env::var_os("HOME").map(PathBuf::from).filter(|h| h.is_absolute()).map(|h| h.join(".cache")))
}

/// The text `pcl explain CODE` says, as a Markdown document.
pub fn explanation_document(code: Code) -> String {
    let kind = if code.as_str().starts_with('W') { "warning" } else { "error" };
    format!("# {} ({kind}): {}\n\n{}", code.as_str(), code.explain(), code.explanation())
}

/// Writes `code`'s explanation to `dir/CODE.md` unless it is there already
/// as it should be: written aside and renamed over, so that an editor (or a
/// second server) never reads half of it.
fn write_explanation(dir: &Path, code: Code) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{}.md", code.as_str()));
    let text = explanation_document(code);
    if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(path);
    }
    std::fs::create_dir_all(dir)?;
    let mut aside = tempfile::NamedTempFile::new_in(dir)?;
    aside.write_all(text.as_bytes())?;
    aside.persist(&path).map_err(|e| e.error)?;
    Ok(path)
}

/// A `file://` URI for an absolute path, every byte that may not stand in
/// a URI's path percent-encoded.
fn file_uri(path: &Path) -> Option<Uri> {
    let mut uri = String::from("file://");
    for &byte in path.to_str()?.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => uri.push(char::from(byte)),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn written_once_and_linked_as_a_file_uri() {
        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("with space");
        let mut links = ExplainLinks { dir: Some(dir.clone()), written: HashMap::new() };
        let link = links.link(Code::UnknownName).unwrap();
        assert!(link.href.as_str().starts_with("file:///"), "{}", link.href.as_str());
        assert!(link.href.as_str().ends_with("/with%20space/E0100.md"), "{}", link.href.as_str());
        let text = std::fs::read_to_string(dir.join("E0100.md")).unwrap();
        assert!(text.starts_with("# E0100 (error): a name that no item defines\n\n"), "{text}");
        assert!(text.contains("```pcl wrong"), "the wrong and fixed examples: {text}");
        // a later version's text, or a damaged file, is written again
        std::fs::write(dir.join("E0100.md"), "old").unwrap();
        let mut again = ExplainLinks { dir: Some(dir.clone()), written: HashMap::new() };
        again.link(Code::UnknownName).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("E0100.md")).unwrap(), text);
    }

    #[test]
    fn no_link_without_a_directory_or_where_it_cannot_be_written() {
        assert!(ExplainLinks::new(false).link(Code::UnknownName).is_none(), "the client does not show links");
        let cache = tempfile::tempdir().unwrap();
        let file = cache.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        let mut links = ExplainLinks { dir: Some(file.join("explain")), written: HashMap::new() };
        assert!(links.link(Code::UnknownName).is_none());
    }
}
