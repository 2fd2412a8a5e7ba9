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

/// What the param `name` holds where a check asks for some value other
/// than `held` and than any literal (a guard `when region` true; `region !=
/// "*"` true where `*` is the default): stand-ins, which the checks read as
/// values to come. Those of `held` numbered on past their count, each
/// standing for the same text (`placeholder_of`); else one stand-in, shown
/// as the placeholder's first `<...>`, or as `<NAME>` (`restore`).
pub fn some_other_value(name: &str, held: &str) -> String {
    let mut count = 0;
    let _ = pcl_iam::replace_stand_ins(held, |_, _| count += 1);
    if count == 0 {
        let mut out = String::new();
        push_stand_in(&mut out, name, 0);
        return out;
    }
    pcl_iam::replace_stand_ins(held, |stand_in, out| match parse_stand_in(stand_in) {
        Some((name, k)) => push_stand_in(out, name, count + k),
        None => out.push_str(stand_in),
    })
    .into_owned()
}

/// The param's name and the number of a stand-in (`<`, the mark, the name,
/// the mark, the number, `>`).
fn parse_stand_in(stand_in: &str) -> Option<(&str, usize)> {
    let (name, k) = stand_in.strip_prefix('<')?.strip_prefix(MARK)?.strip_suffix('>')?.split_once(MARK)?;
    Some((name, k.parse().ok()?))
}

/// The param whose value `text` is when it is one stand-in alone (an OIDC
/// provider's URL left at its placeholder), so that a message can name
/// the param rather than the placeholder.
pub fn param_of_stand_in(text: &str) -> Option<&str> {
    parse_stand_in(text).map(|(name, _)| name)
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

/// Onto `out`, the text whose stand-in `value` is, if it is a param's of
/// `program`: its placeholder's `<...>` of that number (numbered on past
/// them: a value given in its place, `some_other_value`), or, for a param
/// whose placeholder has none or that has none, `<NAME>` (another value).
/// False when it is none.
fn push_placeholder_of(program: &Program, value: &str, out: &mut String) -> bool {
    let Some((name, k)) = parse_stand_in(value) else { return false };
    let Some(super::ItemIr::Param(p)) = program.get(name).map(|item| &*item.ir) else { return false };
    let placeholder = p.placeholder.as_deref().unwrap_or_default();
    let count = closed(placeholder).count();
    match k.checked_rem(count).and_then(|k| closed(placeholder).nth(k)).and_then(|range| placeholder.get(range)) {
        Some(text) => out.push_str(text),
        None => {
            out.push('<');
            out.push_str(name);
            out.push('>');
        }
    }
    true
}

/// `text` with every stand-in it holds replaced by its placeholder's text
/// (borrowed when it holds none, as nearly every text).
pub fn restore<'t>(program: &Program, text: &'t str) -> Cow<'t, str> {
    // a stand-in of no param with a placeholder is kept as it is
    pcl_iam::replace_stand_ins(text, |stand_in, out| {
        if !push_placeholder_of(program, stand_in, out) {
            out.push_str(stand_in);
        }
    })
}

/// `text` in ASCII lower case but for its stand-ins (`pcl_iam`'s, which
/// compares hosts so too).
pub use pcl_iam::ascii_lowercase_outside_stand_ins;

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
        assert_eq!(some_other_value("p", &held("<a>b<c>")), "<\u{1}p\u{1}2>b<\u{1}p\u{1}3>");
        assert_eq!(some_other_value("p", "REGION"), "<\u{1}p\u{1}0>");
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
        // numbered past its placeholder's `<...>`s: a value given in its
        // place; of a param with no `<...>` to show: another value
        assert_eq!(restore(&program, "<\u{1}region\u{1}1>"), "<REGION>");
        assert_eq!(restore(&program, "<\u{1}n\u{1}0>"), "<n>");
        // a mark that is no stand-in, or one of no param
        for kept in ["a\u{1}b", "\u{1}", "é\u{1}<", "<\u{1}other\u{1}0>", "<\u{1}region\u{1}0", "<\u{1}region\u{1}x>"]
        {
            assert_eq!(restore(&program, kept), kept);
        }
    }

    fn program_of(text: &str) -> Program {
        let mut db = crate::RootDatabase::default();
        let file = crate::SourceFile::open(&mut db, "p.pcl".into(), text.into());
        (*crate::analyze_file(&db, file).program).clone()
    }
}
