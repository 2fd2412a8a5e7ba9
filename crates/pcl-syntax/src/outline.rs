//! The outline of an item's body by a scan of tokens (braces, `;`,
//! strings, comments), without parsing it: where its top-level entries and
//! a `with condition` block's entries lie. What `split` parses entry by
//! entry, and what `parser` reads to report each broken entry of an item
//! that does not parse.

/// Where a `with condition` block's entries lie in the chunk.
pub(crate) struct BlockOutline {
    /// Just after the block's opening brace.
    pub(crate) open_end: usize,
    /// The byte ranges of its entries.
    pub(crate) entries: Vec<(usize, usize)>,
    /// Where its closing brace starts.
    pub(crate) close_start: usize,
}

/// The outline of the entry `chunk[start..end]` when it is a `with
/// condition` block (after its doc comments and `expect`s) that holds
/// statements and includes laid out as `outline` expects; `None` for any
/// other entry (it is parsed whole). A block inside is not split: parsed on
/// its own, it would sit one level less deep than in the block, and the
/// limit on nested blocks would not be met the same way.
pub(crate) fn block_outline(chunk: &str, start: usize, end: usize) -> Option<BlockOutline> {
    let mut scan = after_preamble(chunk, start, end, "with")?;
    // the condition, up to the block's opening brace
    let open_end = loop {
        let t = scan.next_structural()?;
        match t.kind {
            Kind::Open => break t.end,
            Kind::Close | Kind::Semicolon => return None,
            _ => {}
        }
    };
    let (entries, close_start) = body_entries(&mut scan, chunk, false)?;
    // the block ends the entry
    if scan.next().is_some() || entries.is_empty() {
        return None;
    }
    if entries.iter().any(|&(start, end)| after_preamble(chunk, start, end, "with").is_some()) {
        return None;
    }
    Some(BlockOutline { open_end, entries, close_start })
}

/// A scanner of `chunk[..end]` just past the keyword `keyword` that starts
/// the entry at `start`, after its doc comments, comments and `expect CODE
/// "reason"`s; `None` if the entry starts otherwise.
pub(crate) fn after_preamble<'t>(chunk: &'t str, start: usize, end: usize, keyword: &str) -> Option<Scanner<'t>> {
    let mut scan = Scanner { bytes: chunk.as_bytes().get(..end)?, at: start };
    let word = |t: &Token| chunk.get(t.start..t.end).unwrap_or_default();
    loop {
        let t = scan.next()?;
        match t.kind {
            Kind::Comment | Kind::Doc => {}
            Kind::Word if word(&t) == "expect" => {
                let code = scan.next()?;
                let reason = scan.next()?;
                if code.kind != Kind::Word || reason.kind != Kind::Other {
                    return None;
                }
            }
            Kind::Word if word(&t) == keyword => return Some(scan),
            _ => return None,
        }
    }
}

/// The byte ranges of the top-level body entries of the one item in
/// `chunk`, when its body holds entries and, before them only, `name` and
/// `description` fields, and nothing but comments follows the body.
pub(crate) fn outline(chunk: &str) -> Option<Vec<(usize, usize)>> {
    let mut scan = Scanner { bytes: chunk.as_bytes(), at: 0 };
    // the header, up to the body's opening brace
    loop {
        match scan.next()?.kind {
            Kind::Open => break,
            Kind::Close | Kind::Semicolon => return None,
            _ => {}
        }
    }
    let (entries, _) = body_entries(&mut scan, chunk, true)?;
    // after the body, comments only
    while let Some(t) = scan.next() {
        if t.kind != Kind::Comment {
            return None;
        }
    }
    (!entries.is_empty()).then_some(entries)
}

/// The byte ranges of the fields of the one role in `chunk` (each with the
/// doc comments above it, to its `;` or the closing brace of its block of
/// trust conditions, the last one to the role's closing brace if it has
/// none), when its body holds only such fields and nothing but comments
/// follows it.
pub(crate) fn role_outline(chunk: &str) -> Option<Vec<(usize, usize)>> {
    let mut scan = after_preamble(chunk, 0, chunk.len(), "role")?;
    // the header, up to the body's opening brace
    loop {
        match scan.next()?.kind {
            Kind::Open => break,
            Kind::Close | Kind::Semicolon => return None,
            _ => {}
        }
    }
    let mut fields = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_end = 0;
    // inside a `trust` field's block of conditions: its `;`s end no field,
    // its closing brace ends the field
    let mut in_block = false;
    loop {
        let t = scan.next()?;
        match t.kind {
            Kind::Comment => {}
            Kind::Open if in_block || start.is_none() => return None,
            Kind::Open => in_block = true,
            Kind::Close if in_block => {
                in_block = false;
                fields.push((start.take()?, t.end));
            }
            Kind::Semicolon if in_block => last_end = t.end,
            Kind::Close => {
                // a last field without its `;` is a field too (its error
                // is that `;`, after its last token)
                if let Some(start) = start {
                    fields.push((start, last_end));
                }
                break;
            }
            Kind::Semicolon => fields.push((start.take()?, t.end)),
            _ => {
                start.get_or_insert(t.start);
                last_end = t.end;
            }
        }
    }
    while let Some(t) = scan.next() {
        if t.kind != Kind::Comment {
            return None;
        }
    }
    (!fields.is_empty()).then_some(fields)
}

/// The byte ranges of the entries of a body whose opening brace `scan` has
/// passed, up to its closing brace (consumed; where it starts is returned
/// too). `fields`: `name` and `description` fields may come before the
/// entries (an item's body; not a block's).
#[inline(always)] // its scanner kept in registers: called apart, scanning user_image_build took 43k instructions, not 20k
fn body_entries(scan: &mut Scanner<'_>, chunk: &str, fields: bool) -> Option<(Vec<(usize, usize)>, usize)> {
    let word = |t: &Token| chunk.get(t.start..t.end).unwrap_or_default();
    let mut entries: Vec<(usize, usize)> = Vec::new();
    let close_start = loop {
        let t = scan.next()?;
        let starts_entry = match t.kind {
            Kind::Comment => continue,
            Kind::Doc => true,
            Kind::Close => break t.start,
            Kind::Word => match word(&t) {
                "allow" | "deny" | "with" | "include" | "expect" => true,
                "name" | "description" if fields && entries.is_empty() => false,
                _ => return None,
            },
            _ => return None,
        };
        // an entry (or a field) runs to a `;` or to the brace that closes it
        let mut depth = 0usize;
        let mut token = t;
        let end = loop {
            match token.kind {
                Kind::Open => depth += 1,
                Kind::Close => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        break token.end;
                    }
                }
                Kind::Semicolon if depth == 0 => break token.end,
                _ => {}
            }
            token = scan.next_structural()?;
        };
        if starts_entry {
            entries.push((t.start, end));
        } else if token.kind != Kind::Semicolon {
            return None;
        }
    };
    Some((entries, close_start))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Open,
    Close,
    Semicolon,
    Word,
    Doc,
    Comment,
    Other,
}

#[derive(Clone, Copy)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Just enough of a lexer to find braces and semicolons outside strings and
/// comments, read as the grammar reads them: a comment runs to the end of
/// its line, a string to its closing quote, with `\` escaping any byte.
pub(crate) struct Scanner<'t> {
    pub(crate) bytes: &'t [u8],
    pub(crate) at: usize,
}

impl Scanner<'_> {
    /// The next brace, semicolon, string or comment token (or other `/`):
    /// inside an entry nothing else matters, and words and punctuation are
    /// stepped over a byte at a time instead of lexed.
    pub(crate) fn next_structural(&mut self) -> Option<Token> {
        while self.bytes.get(self.at).is_some_and(|b| !matches!(b, b'{' | b'}' | b';' | b'"' | b'/')) {
            self.at += 1;
        }
        self.next()
    }

    pub(crate) fn next(&mut self) -> Option<Token> {
        let bytes = self.bytes;
        // the grammar's white space (not a form feed, which it rejects)
        while bytes.get(self.at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
        let start = self.at;
        let byte = *bytes.get(start)?;
        let kind = match byte {
            b'{' => Kind::Open,
            b'}' => Kind::Close,
            b';' => Kind::Semicolon,
            b'/' if bytes.get(start + 1) == Some(&b'/') => {
                let rest = bytes.get(start..).unwrap_or_default();
                let doc = rest.starts_with(b"///") && !rest.starts_with(b"////");
                self.at = memchr::memchr2(b'\n', b'\r', rest).map_or(bytes.len(), |n| start + n);
                return Some(Token { kind: if doc { Kind::Doc } else { Kind::Comment }, start, end: self.at });
            }
            b'"' => {
                self.at += 1;
                // jump to the next quote, escape or line break
                loop {
                    let rest = bytes.get(self.at..).unwrap_or_default();
                    let Some(n) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                        // unfinished: the parse says where
                        self.at = bytes.len();
                        return Some(Token { kind: Kind::Other, start, end: self.at });
                    };
                    self.at += n;
                    match bytes.get(self.at) {
                        Some(b'\\') => self.at += 2,
                        Some(b'"') => break,
                        _ => return Some(Token { kind: Kind::Other, start, end: self.at }),
                    }
                }
                Kind::Other
            }
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                while bytes.get(self.at).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                    self.at += 1;
                }
                return Some(Token { kind: Kind::Word, start, end: self.at });
            }
            _ => Kind::Other,
        };
        self.at = (self.at + 1).min(bytes.len());
        Some(Token { kind, start, end: self.at })
    }
}
