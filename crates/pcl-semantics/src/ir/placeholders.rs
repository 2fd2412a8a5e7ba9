//! A param left at its placeholder holds, in every configuration, the
//! placeholder with the text inside each closed `<...>` replaced by a
//! stand-in named after the param (`"<REGION>"` is held as
//! `<\u{1}region\u{1}0>`, `"arn:*:fsx:*:*:file-system/<ID>"` as
//! `arn:*:fsx:*:*:file-system/<\u{1}fsx_arns\u{1}0>`). Every check judges a
//! closed `<...>` as a value to come (ARNs, names, condition values, the
//! catalog's patterns) and lengths count it as one character: where the
//! `<` and `>` are is all the checks read of it. So they find the same
//! whatever the text inside says, and an edit of that text re-runs none of
//! them. The text is put back where it is shown: by the renderer
//! (`Env::restoring`), in the index, and in every diagnostic's message,
//! label and help (`restore_diagnostic`).
//!
//! The text outside the `<...>`s is what the checks judge, and is held as
//! written; so is a partition param's whole placeholder.

use std::borrow::Cow;

use super::{ParamValue, Program, ScalarType};

/// What no given value holds (`config::configure` refuses it), so that a
/// stand-in is never mistaken for one; IAM's rules know it too (lengths
/// count a stand-in as one character).
pub const MARK: char = pcl_iam::STAND_IN_MARK;

/// The byte ranges of `text`'s closed `<...>`s, each with neither `<` nor
/// `>` inside (so that replacing what is inside moves no `<` or `>`).
fn closed(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut open = None;
    bytes.iter().enumerate().filter_map(move |(at, b)| match b {
        b'<' => {
            open = Some(at);
            None
        }
        b'>' => open.take().map(|start| start..at + 1),
        _ => None,
    })
}

/// The stand-in of the `k`th closed `<...>` of `param`'s placeholder, onto
/// `out` (pushed, not formatted: every configuration of a file is made
/// with it after an edit of a param).
fn push_stand_in(out: &mut String, param: &str, k: usize) {
    out.push('<');
    out.push(MARK);
    out.push_str(param);
    out.push(MARK);
    if k < 10 {
        out.push(char::from(b'0' + k as u8));
    } else {
        out.push_str(&k.to_string());
    }
    out.push('>');
}

#[cfg(test)]
fn stand_in(param: &str, k: usize) -> String {
    let mut out = String::new();
    push_stand_in(&mut out, param, k);
    out
}

/// What a param of type `scalar` left at `placeholder` holds in a
/// configuration: the text with stand-ins inside its `<...>`s (a
/// partition's as written: its text is a partition's name to check).
pub fn value_at_placeholder(name: &str, scalar: Option<ScalarType>, placeholder: &str) -> String {
    if scalar == Some(ScalarType::Partition) {
        return placeholder.to_owned();
    }
    each_closed_replaced(placeholder, |out, k| push_stand_in(out, name, k))
}

/// What a param holds where a check asks for some value given in place of
/// its placeholder (a guard `when region` true), from `held`, what it holds
/// left at it: its stand-ins numbered on past their count, each standing
/// for the same text (`placeholder_of`). `None` when `held` has none (the
/// placeholder's text is a value).
pub fn given_at_placeholder(held: &str) -> Option<String> {
    let mut count = 0;
    let _ = pcl_iam::replace_stand_ins(held, |_, _| count += 1);
    let renumbered = pcl_iam::replace_stand_ins(held, |stand_in, out| {
        let parsed = stand_in.strip_prefix('<').and_then(|s| s.strip_prefix(MARK)).and_then(|s| s.strip_suffix('>'));
        match parsed.and_then(|s| s.split_once(MARK)).and_then(|(name, k)| Some((name, k.parse::<usize>().ok()?))) {
            Some((name, k)) => push_stand_in(out, name, count + k),
            None => out.push_str(stand_in),
        }
    });
    (count > 0).then(|| renumbered.into_owned())
}

/// `placeholder` with each closed `<...>` replaced by what `push` pushes
/// for its number.
fn each_closed_replaced(placeholder: &str, mut push: impl FnMut(&mut String, usize)) -> String {
    let mut out = String::with_capacity(placeholder.len());
    let mut kept = 0;
    for (k, range) in closed(placeholder).enumerate() {
        out.push_str(placeholder.get(kept..range.start).unwrap_or_default());
        push(&mut out, k);
        kept = range.end;
    }
    out.push_str(placeholder.get(kept..).unwrap_or_default());
    out
}

/// `placeholder` with nothing inside its `<...>`s: what a reader that sees
/// only the stand-ins compares (`Some` when that differs from the text).
pub fn emptied(placeholder: &str) -> Option<String> {
    if closed(placeholder).all(|range| range.len() == 2) {
        return None;
    }
    Some(each_closed_replaced(placeholder, |out, _| out.push_str("<>")))
}

/// The text whose stand-in `value` is (`<`, the mark, a param's name, the
/// mark, the number of its `<...>`, `>`), if it is one of `program`'s.
fn placeholder_of<'p>(program: &'p Program, value: &str) -> Option<&'p str> {
    let (name, k) = value.strip_prefix('<')?.strip_prefix(MARK)?.strip_suffix('>')?.split_once(MARK)?;
    let k: usize = k.parse().ok()?;
    let placeholder = match program.get(name).map(|item| &*item.ir) {
        Some(super::ItemIr::Param(p)) => p.placeholder.as_deref()?,
        _ => return None,
    };
    // numbered on past them: a value given in its place (`given_at_placeholder`)
    let count = closed(placeholder).count();
    closed(placeholder).nth(k.checked_rem(count)?).and_then(|range| placeholder.get(range))
}

/// `text` with every stand-in it holds replaced by its placeholder's text
/// (borrowed when it holds none, as nearly every text).
pub fn restore<'t>(program: &Program, text: &'t str) -> Cow<'t, str> {
    // a stand-in of no param with a placeholder is kept as it is
    pcl_iam::replace_stand_ins(text, |stand_in, out| {
        out.push_str(placeholder_of(program, stand_in).unwrap_or(stand_in))
    })
}

/// `text` in ASCII lower case but for its stand-ins, which name their
/// params as written (`${Team}` and `${team}` are two params, and their
/// placeholders two values to come).
pub fn ascii_lowercase_outside_stand_ins(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let end = rest.get(at..).and_then(|from| from.find('>')).map_or(rest.len(), |close| at + close + 1);
        out.push_str(&rest.get(..at).unwrap_or_default().to_ascii_lowercase());
        out.push_str(rest.get(at..end).unwrap_or_default());
        rest = rest.get(end..).unwrap_or_default();
    }
    out.push_str(&rest.to_ascii_lowercase());
    out
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
    fn the_text_inside_each_closed_placeholder_is_held_as_a_stand_in() {
        let held = |text: &str| value_at_placeholder("p", Some(ScalarType::String), text);
        assert_eq!(held("<REGION>"), "<\u{1}p\u{1}0>");
        assert_eq!(held("arn:*:fsx:*:*:file-system/<ID>"), "arn:*:fsx:*:*:file-system/<\u{1}p\u{1}0>");
        assert_eq!(held("<a>b<c>"), "<\u{1}p\u{1}0>b<\u{1}p\u{1}1>");
        // only the innermost: no `<` or `>` moves
        assert_eq!(held("<a<b>>"), "<a<\u{1}p\u{1}0>>");
        assert!(held(&"<x>".repeat(12)).ends_with("<\u{1}p\u{1}9><\u{1}p\u{1}10><\u{1}p\u{1}11>"));
        for written in ["", "<", ">", "REGION", "a>b<c", "<a"] {
            assert_eq!(held(written), written);
            assert_eq!(emptied(written), None);
        }
        assert_eq!(value_at_placeholder("p", Some(ScalarType::Partition), "<P>"), "<P>");
        assert_eq!(emptied("x<ID>y<>"), Some("x<>y<>".into()));
        assert_eq!(emptied("x<>"), None);
        let given = given_at_placeholder(&held("<a>b<c>"));
        assert_eq!(given.as_deref(), Some("<\u{1}p\u{1}2>b<\u{1}p\u{1}3>"));
        assert_eq!(given_at_placeholder("REGION"), None);
    }

    #[test]
    fn case_is_folded_outside_stand_ins_only() {
        let team = value_at_placeholder("Team", None, "<TEAM A>");
        assert_eq!(ascii_lowercase_outside_stand_ins(&format!("AB-{team}-Role")), format!("ab-{team}-role"));
        assert_eq!(ascii_lowercase_outside_stand_ins("A\u{1}B"), "a\u{1}B");
        assert_eq!(ascii_lowercase_outside_stand_ins("ÉA"), "Éa");
    }

    #[test]
    fn restore_puts_back_the_texts_of_stand_ins_only() {
        let text = "param region: region placeholder \"<REGION>\";\nparam n: string = \"x\";\n\
                    param efs: arn placeholder \"arn:*:efs:*:*:file-system/<EFS ID>\";";
        let program = program_of(text);
        let region = stand_in("region", 0);
        assert_eq!(restore(&program, &format!("arn:{region}:{region}")), "arn:<REGION>:<REGION>");
        let held = value_at_placeholder("efs", Some(ScalarType::Arn), "arn:*:efs:*:*:file-system/<ID>");
        assert_eq!(restore(&program, &held), "arn:*:efs:*:*:file-system/<EFS ID>");
        // numbered past its placeholder's `<...>`s: a value given in its place
        assert_eq!(restore(&program, "<\u{1}region\u{1}1>"), "<REGION>");
        // a mark that is no stand-in, or one of no param with a placeholder
        for kept in [
            "a\u{1}b",
            "\u{1}",
            "é\u{1}<",
            "<\u{1}n\u{1}0>",
            "<\u{1}other\u{1}0>",
            "<\u{1}region\u{1}0",
            "<\u{1}region\u{1}x>",
        ] {
            assert_eq!(restore(&program, kept), kept);
        }
    }

    fn program_of(text: &str) -> Program {
        let mut db = crate::RootDatabase::default();
        let file = crate::SourceFile::open(&mut db, "p.pcl".into(), text.into());
        (*crate::analyze_file(&db, file).program).clone()
    }
}
