//! IAM's wildcard matching: `*` any run of characters, `?` one character,
//! case-insensitive (as IAM matches action names).

/// Whether `pattern` (with `*` and `?`) matches `text`, ignoring ASCII case.
/// Linear in `pattern.len() × text.len()` at worst, without recursion.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // where the last `*` was, and the text position it is retried from
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || t.get(ti).is_some_and(|x| x.eq_ignore_ascii_case(&c)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Like [`wildcard_match`], but each `*` of a template variable must match
/// at least one character: `\u{1}` marks such a non-empty wildcard.
pub(super) fn wildcard_match_nonempty(pattern: &str, text: &str) -> bool {
    // `X\u{1}` = `X?*`
    wildcard_match(&pattern.replace('\u{1}', "?*"), text)
}

/// A key template as a pattern: each `${...}` or `<...>` becomes a non-empty wildcard,
/// and so does a global key's `/tag-key`-style last segment. `None` when the
/// template has no variable.
pub(super) fn template_to_wildcard(template: &str) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    let mut variable = false;
    // `${TagKey}` and `<key>` are both used for variables
    while let Some(start) = rest.find("${").or_else(|| rest.find('<')) {
        let close = if rest.get(start..).is_some_and(|r| r.starts_with('<')) { '>' } else { '}' };
        let Some(len) = rest.get(start..).and_then(|r| r.find(close)) else { break };
        out.push_str(rest.get(..start)?);
        out.push('\u{1}');
        variable = true;
        rest = rest.get(start + len + 1..)?;
    }
    out.push_str(rest);
    if !variable && template.to_ascii_lowercase().ends_with("/tag-key") {
        // `aws:PrincipalTag/tag-key`, `ssm:resourceTag/tag-key`
        let (head, _) = template.rsplit_once('/')?;
        return Some(format!("{head}/\u{1}"));
    }
    variable.then_some(out)
}
