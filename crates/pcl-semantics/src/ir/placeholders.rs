//! A param left at an opaque placeholder (`"<REGION>"`: one closed `<...>`
//! and nothing else) holds, in every configuration, a stand-in named after
//! the param, not the placeholder's text. Every check judges a closed
//! `<...>` as a value to come (ARNs, names, condition values, the
//! catalog's patterns) and lengths count it as one character, so the checks
//! find the same whatever the text says, and an edit of the text re-runs
//! none of them. The text is put back where it is shown: by the renderer
//! (`Env::restoring`), in the index, and in every diagnostic's message,
//! label and help (`restore_diagnostic`).
//!
//! A placeholder with text around its `<...>` (`"arn:*:fsx:*:*:file-system/<ID>"`)
//! is checked as written, and so is a partition param's: there the text is
//! what the checks judge.

use std::borrow::Cow;

use super::{ParamValue, Program, ScalarType};

/// What no given value holds (`config::configure` refuses it), so that a
/// stand-in is never mistaken for one.
pub const MARK: char = '\u{1}';

/// Whether `text` is one closed `<...>` and nothing else.
pub fn is_opaque(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else { return false };
    !inner.contains(['<', '>', MARK])
}

/// The stand-in of `param`'s placeholder.
pub fn stand_in(param: &str) -> String {
    format!("<{MARK}{param}>")
}

/// What a param of type `scalar` left at `placeholder` holds in a
/// configuration: its stand-in, or the text where the text is what the
/// checks judge.
pub fn value_at_placeholder(name: &str, scalar: Option<ScalarType>, placeholder: &str) -> String {
    if scalar != Some(ScalarType::Partition) && is_opaque(placeholder) {
        stand_in(name)
    } else {
        placeholder.to_owned()
    }
}

/// The placeholder whose stand-in `value` is, if it is one of `program`'s.
pub fn placeholder_of<'p>(program: &'p Program, value: &str) -> Option<&'p str> {
    let name = value.strip_prefix('<')?.strip_prefix(MARK)?.strip_suffix('>')?;
    match program.get(name).map(|item| &*item.ir) {
        Some(super::ItemIr::Param(p)) => p.placeholder.as_deref(),
        _ => None,
    }
}

/// `text` with every stand-in it holds replaced by its placeholder's text
/// (borrowed when it holds none, as nearly every text).
pub fn restore<'t>(program: &Program, text: &'t str) -> Cow<'t, str> {
    if !text.contains(MARK) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after_mark = at + MARK.len_utf8();
        // `<`, the mark, a param's name, `>`: a mark in any other text
        // (written so) is kept as it is
        let found = rest.get(..at).filter(|before| before.ends_with('<')).and_then(|_| {
            let end = after_mark + rest.get(after_mark..)?.find('>')? + 1;
            Some((at - 1, end, placeholder_of(program, rest.get(at - 1..end)?)?))
        });
        let (kept, shown, next) = match found {
            Some((start, end, shown)) => (start, shown, end),
            None => (after_mark, "", after_mark),
        };
        out.push_str(rest.get(..kept).unwrap_or_default());
        out.push_str(shown);
        rest = rest.get(next..).unwrap_or_default();
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `values` with their stand-ins' texts put back.
pub fn restore_param_value(program: &Program, value: &ParamValue) -> ParamValue {
    match value {
        ParamValue::One(v) => ParamValue::One(restore(program, v).into_owned()),
        ParamValue::Many(vs) => ParamValue::Many(vs.iter().map(|v| restore(program, v).into_owned()).collect()),
    }
}

/// Whether some text of `diagnostic` holds a stand-in.
pub fn holds_stand_in(diagnostic: &crate::Diagnostic) -> bool {
    let holds = |text: &str| text.contains(MARK);
    holds(&diagnostic.message)
        || diagnostic.label.as_deref().is_some_and(holds)
        || diagnostic.secondary.iter().any(|label| holds(&label.message))
        || diagnostic.help.as_deref().is_some_and(holds)
}

/// Replaces the stand-ins of `diagnostic`'s texts by their placeholders'
/// texts.
pub fn restore_diagnostic(program: &Program, diagnostic: &mut crate::Diagnostic) {
    let mend = |text: &mut String| {
        if let Cow::Owned(restored) = restore(program, text) {
            *text = restored;
        }
    };
    mend(&mut diagnostic.message);
    if let Some(label) = &mut diagnostic.label {
        mend(label);
    }
    for label in &mut diagnostic.secondary {
        mend(&mut label.message);
    }
    if let Some(help) = &mut diagnostic.help {
        mend(help);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_closed_placeholder_is_opaque() {
        assert!(is_opaque("<REGION>"));
        assert!(is_opaque("<AWS ACCOUNT ID>"));
        assert!(is_opaque("<>"));
        for text in ["", "<", ">", "REGION", "<a>b<c>", "<a<b>>", "x<A>", "<A>x", "arn:*:fsx:*:*:file-system/<ID>"] {
            assert!(!is_opaque(text), "{text:?}");
        }
        assert!(!is_opaque(&stand_in("region")));
    }

    #[test]
    fn restore_puts_back_the_texts_of_stand_ins_only() {
        let text = "param region: region placeholder \"<REGION>\";\nparam n: string = \"x\";";
        let program = program_of(text);
        let region = stand_in("region");
        assert_eq!(restore(&program, &format!("arn:{region}:{region}")), "arn:<REGION>:<REGION>");
        // a mark that is no stand-in, or one of no param with a placeholder
        for kept in ["a\u{1}b", "\u{1}", "é\u{1}<", "<\u{1}n>", "<\u{1}other>", "<\u{1}region"] {
            assert_eq!(restore(&program, kept), kept);
        }
    }

    fn program_of(text: &str) -> Program {
        let mut db = crate::RootDatabase::default();
        let file = crate::SourceFile::open(&mut db, "p.pcl".into(), text.into());
        (*crate::analyze_file(&db, file).program).clone()
    }
}
