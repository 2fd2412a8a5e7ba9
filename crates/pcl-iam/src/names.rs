//! IAM's rules for what names a deployed thing: role and policy names,
//! paths and descriptions. Written text is checked as is; rendered text
//! skips the stand-ins that params left at their placeholders leave
//! (`STAND_IN_MARK`), each one character long.

use crate::rules::{Problem, problem, problem_owned};

/// [`check_iam_path`] on a rendered path: the stand-in of a placeholder a
/// param left stands for a value to come and is not judged (a written
/// `<...>` is text like any other).
pub fn check_iam_path_rendered(path: &str) -> Result<(), Problem> {
    let judged = outside_stand_ins(path);
    check_iam_path(&judged)
        .map_err(|p| Problem { message: p.message.replace(&format!("`{judged}`"), &format!("`{path}`")), ..p })
}

/// [`check_iam_name`] on a rendered name (stand-ins not judged).
pub fn check_iam_name_rendered(name: &str, what: &str) -> Result<(), Problem> {
    let judged = outside_stand_ins(name);
    check_iam_name(&judged, what)
        .map_err(|p| Problem { message: p.message.replace(&format!("`{judged}`"), &format!("`{name}`")), ..p })
}

/// IAM's rule for a path: `/`, or `/` + printable ASCII without spaces
/// (`\x21`-`\x7E`) + `/` (the API's pattern `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`).
/// The length limit is a quota (`quotas::PATH_CHARS`).
pub fn check_iam_path(path: &str) -> Result<(), Problem> {
    if !(path.starts_with('/') && path.ends_with('/')) {
        return Err(problem(
            format!("path `{path}` must start and end with `/`"),
            Some("IAM paths look like `/` or `/division/team/`"),
        ));
    }
    if path == "//" {
        return Err(problem("path `//` has nothing between its slashes", Some("write `/` for the root path")));
    }
    for c in path.chars() {
        match c {
            '\u{21}'..='\u{7E}' => {}
            bad => {
                return Err(problem(
                    format!("path `{path}` holds {bad:?}, which IAM does not allow in a path"),
                    Some("a path holds printable ASCII characters without spaces, between slashes"),
                ));
            }
        }
    }
    Ok(())
}

/// IAM's characters for a role or policy name: letters, digits and
/// `_+=,.@-` (the API's `[\w+=,.@-]+`). The length limits are quotas
/// (`quotas::ROLE_NAME_CHARS`, `POLICY_NAME_CHARS`).
pub fn check_iam_name(name: &str, what: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err(problem_owned(format!("{what} name is empty"), Some("give it a name, or remove the field".into())));
    }
    for c in name.chars() {
        match c {
            c if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) => {}
            bad => {
                return Err(problem_owned(
                    format!("{what} name `{name}` holds {bad:?}, which IAM does not allow in a name"),
                    Some("a name holds letters, digits and `_+=,.@-`".into()),
                ));
            }
        }
    }
    Ok(())
}

/// What marks a stand-in: pcl holds the text inside a placeholder's
/// `<...>` as `<`, this character, the param's name, this character, a
/// number, `>` (`pcl_semantics::ir::placeholders`). No value holds it.
pub const STAND_IN_MARK: char = '\u{1}';

/// `text` with each stand-in (`<`, the mark, up to the next `>`) replaced
/// by what `with` pushes for it; borrowed when `text` holds no mark. A mark
/// in any other shape is kept as it is. The one reading of a stand-in's
/// shape: the renderer's and the messages' restoring
/// (`pcl_semantics::ir::placeholders::restore`) goes through it too.
pub fn replace_stand_ins<'t>(text: &'t str, mut with: impl FnMut(&str, &mut String)) -> std::borrow::Cow<'t, str> {
    if !text.contains(STAND_IN_MARK) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(STAND_IN_MARK) {
        let (before, from) = rest.split_at(at);
        match (before.strip_suffix('<'), from.find('>')) {
            (Some(kept), Some(close)) => {
                out.push_str(kept);
                // the stand-in: the `<` before the mark through the `>`
                with(rest.get(kept.len()..at + close + 1).unwrap_or_default(), &mut out);
                rest = from.get(close + 1..).unwrap_or_default();
            }
            _ => {
                out.push_str(before);
                out.push(STAND_IN_MARK);
                rest = from.get(STAND_IN_MARK.len_utf8()..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// `text` with each stand-in as `x`, a character every rule accepts.
fn outside_stand_ins(text: &str) -> std::borrow::Cow<'_, str> {
    replace_stand_ins(text, |_, out| out.push('x'))
}

/// [`check_description`] on a rendered description: each stand-in of a
/// placeholder is one character, and not judged (a value to come).
pub fn check_description_rendered(text: &str) -> Result<(), Problem> {
    check_description(&outside_stand_ins(text))
}

/// The length of a rendered text as IAM's quotas count it, each stand-in
/// of a placeholder one character: a value to come has one at least, and
/// what it will hold is not known.
pub fn rendered_chars(text: &str) -> usize {
    outside_stand_ins(text).chars().count()
}

/// IAM's rule for a role's or policy's description: at most 1,000
/// characters of tab, line breaks, printable ASCII and Latin-1
/// (`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`).
pub fn check_description(text: &str) -> Result<(), Problem> {
    let length = text.chars().count();
    if length > crate::quotas::DESCRIPTION_CHARS {
        return Err(problem_owned(
            format!("the description is {length} characters; IAM allows {}", crate::quotas::DESCRIPTION_CHARS),
            Some("shorten it".into()),
        ));
    }
    if let Some(bad) =
        text.chars().find(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A1}'..='\u{FF}'))
    {
        return Err(problem_owned(
            format!("the description holds {bad:?}, which IAM does not allow in a description"),
            Some("a description holds printable ASCII and Latin-1 letters".into()),
        ));
    }
    Ok(())
}

/// `text` in ASCII lower case but for its stand-ins, which name their
/// params as written (`${Team}` and `${team}` are two params, and their
/// placeholders two values to come).
pub fn ascii_lowercase_outside_stand_ins(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(STAND_IN_MARK) {
        let end = rest.get(at..).and_then(|from| from.find('>')).map_or(rest.len(), |close| at + close + 1);
        out.push_str(&rest.get(..at).unwrap_or_default().to_ascii_lowercase());
        out.push_str(rest.get(at..end).unwrap_or_default());
        rest = rest.get(end..).unwrap_or_default();
    }
    out.push_str(&rest.to_ascii_lowercase());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_descriptions() {
        assert!(check_iam_name("ParallelCluster-Policy_1+=,.@", "policy").is_ok());
        assert!(check_iam_name_rendered("<\u{1}prefix\u{1}0>Cluster", "role").is_ok());
        assert!(check_iam_name_rendered("<PREFIX>Cluster", "role").is_err(), "a written `<...>` is text");
        assert!(check_iam_name("<PREFIX>Cluster", "role").is_err(), "a written `<` is no name character");
        assert!(check_iam_name_rendered("a<b c", "role").is_err(), "an unclosed `<` hides nothing");
        assert!(check_iam_name("a b", "role").is_err());
        assert!(check_iam_name("a/b", "role").is_err());
        assert!(check_iam_name("", "role").is_err());
        assert!(check_description("Ceci n'est pas une pipe, café.\n").is_ok());
        assert!(check_description("a → b").is_err());
        assert!(check_description(&"x".repeat(1001)).is_err());
        assert!(check_description_rendered("for <\u{1}secret\u{1}0>").is_ok());
        assert!(check_description_rendered(&format!("{}<\u{1}p\u{1}0>", "x".repeat(999))).is_ok());
        assert!(check_description_rendered(&format!("{}<\u{1}p\u{1}0>", "x".repeat(1000))).is_err());
        // written `<...>`s are text like any other
        assert!(check_description_rendered(&format!("<{}>", "x".repeat(999))).is_err());
        assert!(check_description_rendered("a \u{1} b").is_err());
        assert_eq!(rendered_chars("<\u{1}account\u{1}0>-role"), 6);
        assert_eq!(rendered_chars("<AWS ACCOUNT ID>-role"), 21);
        assert_eq!(rendered_chars("a<b"), 3);
        assert_eq!(rendered_chars("\u{1}>é"), 3);
        for good in ["/", "/parallelcluster/", "/a/b-c_d.e/", "///"] {
            assert!(check_iam_path(good).is_ok(), "{good}");
        }
        assert!(check_iam_path_rendered("/<\u{1}path\u{1}0>/").is_ok());
        assert!(check_iam_path_rendered("/<PATH PREFIX>/").is_err(), "a written `<...>` is text");
        assert!(check_iam_path_rendered("/x<y z/").is_err());
        for bad in ["", "parallelcluster", "/a", "a/", "//", "/ /", "/a b/", "/é/", "/\t/"] {
            assert!(check_iam_path(bad).is_err(), "{bad:?}");
        }
    }
}
