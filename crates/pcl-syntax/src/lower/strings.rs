//! String literals: escapes and `${param}` / `${param.member}` interpolations.

use super::*;

impl Lowerer {
    pub(super) fn string(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        self.string_at(pair.as_str(), span)
    }

    /// A string literal `raw` (with its quotes) at `span`; shared with the
    /// hand-written parser (the `fast` module), which reads any error here as
    /// its cue to leave the chunk to pest.
    pub(crate) fn string_at(&mut self, raw: &str, span: Span) -> StrLit {
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let body_start = span.start as usize + 1;
        let mut parts = Vec::new();
        // A plain string's text is as long as its body: built in one
        // allocation of the right size (most strings are plain), then kept as
        // a SmolStr (inline when short; building it in a SmolStrBuilder
        // instead measured no cheaper).
        let mut text = String::with_capacity(body.len());
        // where the pending text part starts in the source
        let mut text_start = body_start;
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, '"')) => text.push('"'),
                    Some((_, '\\')) => text.push('\\'),
                    Some((_, '$')) => text.push('$'),
                    Some((_, 'n')) => text.push('\n'),
                    Some((_, 't')) => text.push('\t'),
                    Some((j, other)) => {
                        let s = Span::new(body_start + i, body_start + j + other.len_utf8());
                        self.error(s, SyntaxErrorKind::BadEscape, format!("unknown escape `\\{other}`"));
                        if let Some(e) = self.errors.last_mut() {
                            e.help = Some("the escapes are \\\", \\\\, \\$, \\n and \\t".into());
                        }
                    }
                    None => {}
                },
                '$' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    let name_start = i + 2;
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    let name_span = Span::new(body_start + name_start, body_start + name_start + name.len());
                    let whole = Span::new(body_start + i, name_span.end as usize + usize::from(closed));
                    if !closed {
                        self.error(whole, SyntaxErrorKind::BadInterpolation, "unterminated `${` in string".into());
                        if let Some(e) = self.errors.last_mut() {
                            e.help = Some("close it with `}`, or write `\\${` for a literal `${`".into());
                        }
                        text.push_str("${");
                        text.push_str(&name);
                        continue;
                    }
                    let is_ident = |n: &str| {
                        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    };
                    // `${param}` or `${param.member}`
                    let (param, member) = match name.split_once('.') {
                        Some((p, m)) => (p, Some(m)),
                        None => (name.as_str(), None),
                    };
                    if !is_ident(param) || member.is_some_and(|m| !is_ident(m)) {
                        self.error(
                            whole,
                            SyntaxErrorKind::BadInterpolation,
                            format!("`${{{name}}}` does not name a param"),
                        );
                        if let Some(e) = self.errors.last_mut() {
                            // `${aws:username}`: an IAM policy variable, which
                            // the document must hold as written
                            e.help = Some(if name.contains(':') {
                                format!(
                                    "IAM policy variables are written with `\\${{`: `\\${{{name}}}` puts `${{{name}}}` in the document"
                                )
                            } else {
                                "interpolate a param by its name, e.g. `${account}`, or a partition's DNS suffix, `${partition.dns_suffix}`"
                                    .into()
                            });
                        }
                        // kept as written: dropped, it left the checks of the
                        // string (an ARN with no resource part) to report a
                        // second error that was this one
                        text.push_str("${");
                        text.push_str(&name);
                        text.push('}');
                        continue;
                    }
                    if !text.is_empty() {
                        let part = StrPart::Text(SmolStr::from(std::mem::take(&mut text)));
                        parts.push((part, Span::new(text_start, body_start + i)));
                    }
                    let param_span = Span::new(name_span.start as usize, name_span.start as usize + param.len());
                    let member = member.map(|m| Ident {
                        name: m.into(),
                        span: Span::new(param_span.end as usize + 1, name_span.end as usize),
                    });
                    let part = StrPart::Interp(Ident { name: param.into(), span: param_span }, member.map(Box::new));
                    parts.push((part, whole));
                    text_start = whole.end as usize;
                }
                '\u{1}' => {
                    let s = Span::new(body_start + i, body_start + i + 1);
                    self.error(s, SyntaxErrorKind::ControlCharacter, "a string may not hold U+0001".into());
                    if let Some(e) = self.errors.last_mut() {
                        e.help = Some("remove it".into());
                    }
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() || parts.is_empty() {
            parts.push((StrPart::Text(SmolStr::from(text)), Span::new(text_start, body_start + body.len())));
        }
        // ASTs stay in memory as long as the file is open: no spare capacity
        StrLit { parts: parts.into_boxed_slice(), span }
    }
}
