//! An ARN's fields, cut at each `:` outside a policy variable: IAM puts
//! the request's value where `${aws:PrincipalAccount}` stands, so its `:`
//! cuts nothing.

/// The fields of `text` cut at each `:` outside a policy variable
/// (`${aws:PrincipalAccount}` is one field, resolved by IAM per request).
pub fn arn_split(text: &str) -> ArnSplit<'_> {
    ArnSplit { rest: Some(text) }
}

/// See `arn_split`.
pub struct ArnSplit<'t> {
    rest: Option<&'t str>,
}

impl<'t> ArnSplit<'t> {
    /// The text after the last field taken, when that field ended at a `:`.
    pub fn remainder(&self) -> Option<&'t str> {
        self.rest
    }
}

impl<'t> Iterator for ArnSplit<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.rest?;
        let bytes = rest.as_bytes();
        let mut at = 0;
        loop {
            let Some(found) = bytes.get(at..).and_then(|b| b.iter().position(|&b| b == b':' || b == b'$')) else {
                self.rest = None;
                return Some(rest);
            };
            at += found;
            if bytes.get(at) == Some(&b':') {
                self.rest = rest.get(at + 1..);
                return rest.get(..at);
            }
            at += 1;
            if bytes.get(at) == Some(&b'{')
                && let Some(close) = bytes.get(at..).and_then(|b| b.iter().position(|&b| b == b'}'))
            {
                at += close;
            }
        }
    }
}
