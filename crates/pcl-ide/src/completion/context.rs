//! Where the cursor is, as the grammar (`pcl.pest`) nests it: the text
//! before the cursor, from the start of its item, is lexed (strings and
//! comments are whole tokens, so their braces do not count) and its braces
//! followed into item bodies, `with condition` blocks, statements and
//! roles; within the innermost, the entry written so far (`condition
//! StringLike "key" [`) says what comes next.

use pcl_syntax::tokens::{TokenKind, tokens};

/// What may be written at the cursor, as far as completion offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place<'t> {
    /// Nothing to offer: a comment, literal text or prose in a string, a
    /// name being declared.
    Nothing,
    /// Outside every item's braces, where an item starts.
    ItemStart,
    /// Where an entry of a policy's body (`policy`), a permset's or a `with
    /// condition` block's starts.
    BodyEntry { policy: bool },
    /// Where a statement's field starts, and whether the statement has an
    /// `action` (or `notaction`) and a `resource` (or `notresource`) before.
    StatementField { has_action: bool, has_resource: bool },
    /// Where a role's field starts.
    RoleField,
    /// After `with`.
    WithCondition,
    /// Where an entry of a `trust` field's block starts, and whether it has
    /// an `action` (or `notaction`) before.
    TrustEntry { has_action: bool },
    /// An entry of a `trust` block's action list: a session action.
    TrustAction,
    /// After `trust`.
    PrincipalKind,
    /// After `condition`.
    Operator,
    /// In the key string of a condition.
    ConditionKey,
    /// A name in an expression: a feature or a scalar param.
    Guard { in_derived_feature: bool },
    /// A value of the feature compared (after `==` or `!=`).
    FeatureValue(&'t str),
    /// After `include`.
    Permset,
    /// After `inline` or `attach`.
    Policy,
    /// After `@` in an action list.
    ActionSet,
    /// After `@` in a list of values; `arns`: where ARNs go (resources, a
    /// boundary, an `Arn*` condition's values).
    ValueSet { arns: bool },
    /// An entry of an action list: a service, or an action of the one typed.
    Action,
    /// A param after `${` in a string that may interpolate; in an ARN's
    /// partition, region or account field, the type a param there must
    /// have (E0202).
    Interpolation(Option<pcl_iam::ScalarType>),
    /// A member after `${param.`.
    Member(&'t str),
}

/// What may be written at `end` of `text` (a character boundary), and
/// where the text it would replace starts (the word typed so far, or a
/// condition key's string from its quote on).
pub(super) fn place(text: &str, end: usize) -> (Place<'_>, usize) {
    let before = text.get(..end).unwrap_or_default();
    let end = before.len();
    // a lone `\r` breaks lines too (as in the syntax)
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before.get(line_start..).unwrap_or_default();
    match line_end(line) {
        LineEnd::Comment => (Place::Nothing, end),
        LineEnd::InString { quote } => string_place(before, line_start + quote),
        LineEnd::Code => {
            let typed_from = end - typed_word_len(line);
            (code_place(before, typed_from), typed_from)
        }
    }
}

/// How many bytes at the end of `line` are the word being typed.
fn typed_word_len(line: &str) -> usize {
    // the word's characters are ASCII: as many bytes as characters
    line.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || "_:-*".contains(*c)).count()
}

enum LineEnd {
    Code,
    Comment,
    /// In a string opened at `quote` (strings end at the line's end).
    InString {
        quote: usize,
    },
}

/// Whether a line ends in code, a `//` comment (doc comments too) or a
/// string; a `//` in a string (`"https://..."`) starts no comment, and a
/// `\` escapes the character after it.
fn line_end(line: &str) -> LineEnd {
    let bytes = line.as_bytes();
    let (mut at, mut open) = (0, None);
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\\' if open.is_some() => at += 1,
            b'"' => open = if open.is_some() { None } else { Some(at) },
            b'/' if open.is_none() && bytes.get(at + 1) == Some(&b'/') => return LineEnd::Comment,
            _ => {}
        }
        at += 1;
    }
    open.map_or(LineEnd::Code, |quote| LineEnd::InString { quote })
}

/// In the string opened at `quote`: a condition key's, one that may
/// interpolate params (after `${`), or literal text (a Sid, a default, a
/// constraint's message, an `expect` reason) or prose, where nothing is.
fn string_place(before: &str, quote: usize) -> (Place<'_>, usize) {
    let end = before.len();
    let levels = levels(before, quote);
    let Some(level) = levels.last() else { return (Place::Nothing, end) };
    let inner = before.get(quote + 1..).unwrap_or_default();
    // the name being typed after the string's last `${`, if it is still open
    let open_interpolation = || {
        let open = inner.rfind("${")?;
        let name = inner.get(open + 2..).unwrap_or_default();
        // closed, or not a name
        name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.').then_some((open, name))
    };
    match string_kind(level) {
        StringKind::ConditionKey => match open_interpolation().map(|(_, name)| (name, name.split_once('.'))) {
            // a key may interpolate a param of any type (`"${oidc_provider}:sub"`)
            Some((name, None)) => (Place::Interpolation(None), end - name.len()),
            Some((_, Some((param, member)))) if !member.contains('.') => (Place::Member(param), end - member.len()),
            Some(_) => (Place::Nothing, end),
            None => (Place::ConditionKey, quote + 1),
        },
        StringKind::Literal => (Place::Nothing, end),
        StringKind::Interpolating => {
            let Some((open, name)) = open_interpolation() else { return (Place::Nothing, end) };
            match name.split_once('.') {
                None => match arn_field_type(inner.get(..open).unwrap_or_default()) {
                    Some(want) => (Place::Interpolation(want), end - name.len()),
                    // the service field is never interpolated
                    None => (Place::Nothing, end),
                },
                Some((param, member)) if !member.contains('.') => (Place::Member(param), end - member.len()),
                Some(_) => (Place::Nothing, end),
            }
        }
    }
}

/// The type of param the ARN field that `before` (a string's text up to
/// a `${`) ends in takes: `Some(None)` for any (not an ARN, or its
/// resource part), `None` for none (the service field).
fn arn_field_type(before: &str) -> Option<Option<pcl_iam::ScalarType>> {
    use pcl_iam::ScalarType;
    if !before.starts_with("arn:") {
        return Some(None);
    }
    // the field the cursor is in: `:`s outside `${...}` (`pcl_iam::arn_split`)
    let colons = pcl_iam::arn_split(before).count().saturating_sub(1);
    match colons {
        1 => Some(Some(ScalarType::Partition)),
        2 => None,
        3 => Some(Some(ScalarType::Region)),
        4 => Some(Some(ScalarType::Account)),
        _ => Some(None),
    }
}

enum StringKind {
    ConditionKey,
    Literal,
    Interpolating,
}

fn string_kind(level: &Level<'_>) -> StringKind {
    use Piece::{Punct, Word};
    match (level.frame, level.entry.as_slice()) {
        (_, [Word("expect"), ..] | [.., Punct("==" | "!=")]) => StringKind::Literal,
        (Frame::Top, [Word("param" | "constraint"), ..]) => StringKind::Literal,
        (Frame::Policy | Frame::Permset | Frame::Block, [Word("allow" | "deny"), ..]) => StringKind::Literal,
        (Frame::Policy | Frame::Permset | Frame::Block, [Word("with"), Word("condition"), Word(_)]) => {
            StringKind::ConditionKey
        }
        (Frame::Statement | Frame::Trust, [Word("condition"), Word(_)]) => StringKind::ConditionKey,
        _ => StringKind::Interpolating,
    }
}

/// What the grammar allows where the code before the cursor ends at
/// `typed_from` (the word being typed excluded).
fn code_place(before: &str, typed_from: usize) -> Place<'_> {
    let levels = levels(before, typed_from);
    let Some(level) = levels.last() else { return Place::Nothing };
    let entry = level.entry.as_slice();
    match level.frame {
        Frame::Top => item_place(entry),
        Frame::Policy => body_place(entry, true),
        Frame::Permset | Frame::Block => body_place(entry, false),
        Frame::Statement => statement_place(level),
        Frame::Role => role_place(entry),
        Frame::Trust => match entry {
            [] => Place::TrustEntry { has_action: level.finished.iter().any(|f| matches!(*f, "action" | "notaction")) },
            [Piece::Word("condition"), rest @ ..] => condition_place(rest),
            [Piece::Word("action" | "notaction"), list @ ..] => match list_place(list, Listed::Actions) {
                Place::Action => Place::TrustAction,
                other => other,
            },
            _ => Place::Nothing,
        },
        Frame::Other => Place::Nothing,
    }
}

/// What holds the cursor: the item, or a pair of braces in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// Outside every item's braces.
    Top,
    Policy,
    Permset,
    /// A `with condition` block's body.
    Block,
    Statement,
    Role,
    /// A `trust` field's block of conditions and actions.
    Trust,
    /// Any other braces (a feature's `enum { ... }`, or misplaced ones).
    Other,
}

/// A token of an entry; a string stands whole, its interpolations unread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'t> {
    Word(&'t str),
    Punct(&'t str),
    Str,
}

struct Level<'t> {
    frame: Frame,
    /// The entry being written, from its first token (`expect CODE
    /// "reason"` before it left out).
    entry: Vec<Piece<'t>>,
    /// The first word of each entry finished before it.
    finished: Vec<&'t str>,
}

impl<'t> Level<'t> {
    fn new(frame: Frame) -> Level<'t> {
        Level { frame, entry: Vec::new(), finished: Vec::new() }
    }

    fn finish_entry(&mut self) {
        if let Some(Piece::Word(first)) = self.entry.first() {
            self.finished.push(first);
        }
        self.entry.clear();
    }

    /// What a `{` after this entry opens.
    fn opened(&self) -> Frame {
        let first = match self.entry.first() {
            Some(Piece::Word(w)) => *w,
            _ => "",
        };
        match (self.frame, first) {
            (Frame::Top, "policy") => Frame::Policy,
            (Frame::Top, "permset") => Frame::Permset,
            (Frame::Top, "role") => Frame::Role,
            (Frame::Role, "trust") => Frame::Trust,
            (Frame::Policy | Frame::Permset | Frame::Block, "allow" | "deny") => Frame::Statement,
            (Frame::Policy | Frame::Permset | Frame::Block, "with") => Frame::Block,
            _ => Frame::Other,
        }
    }
}

/// The braces open at `end` of `before`, outermost (`Top`) first, each
/// with its entry so far; read from the start of the item `end` is in.
fn levels(before: &str, end: usize) -> Vec<Level<'_>> {
    let from = item_start(before, end);
    let text = before.get(from..end).unwrap_or_default();
    let mut levels = vec![Level::new(Frame::Top)];
    for token in tokens(text) {
        let piece = text.get(token.span.start as usize..token.span.end as usize).unwrap_or_default();
        let piece = match token.kind {
            TokenKind::Comment | TokenKind::DocComment | TokenKind::Interpolation | TokenKind::Member => continue,
            // a string's first piece stands for all of it
            TokenKind::String if piece.starts_with('"') => Piece::Str,
            TokenKind::String => continue,
            TokenKind::Word | TokenKind::SetRef => Piece::Word(piece),
            TokenKind::Comparison | TokenKind::Punct => Piece::Punct(piece),
        };
        match piece {
            Piece::Punct("{") => {
                let Some(level) = levels.last_mut() else { break };
                let frame = level.opened();
                level.entry.push(piece);
                levels.push(Level::new(frame));
            }
            Piece::Punct("}") if levels.len() > 1 => {
                let closed = levels.pop().map_or(Frame::Other, |l| l.frame);
                let Some(parent) = levels.last_mut() else { break };
                // an enum's braces are inside its entry; a body ends one
                if closed == Frame::Other {
                    parent.entry.push(piece);
                } else {
                    parent.finish_entry();
                }
            }
            Piece::Punct(";" | "}") => levels.last_mut().into_iter().for_each(Level::finish_entry),
            _ => {
                let Some(level) = levels.last_mut() else { break };
                level.entry.push(piece);
                if let [Piece::Word("expect"), _, Piece::Str] = level.entry.as_slice() {
                    level.entry.clear();
                }
            }
        }
    }
    levels
}

/// Where the item holding `end` starts: the last line before it that
/// starts, in column 0, with an item keyword, where the parser's chunks
/// start (else the file's start).
fn item_start(text: &str, end: usize) -> usize {
    let starts_item = |line: &str| {
        pcl_syntax::ITEM_KEYWORDS
            .iter()
            .any(|k| line.strip_prefix(k).is_some_and(|rest| rest.chars().next().is_none_or(|c| !is_name_char(c))))
    };
    let mut line_end = end;
    loop {
        let line_start = text.get(..line_end).and_then(|t| t.rfind(['\n', '\r'])).map_or(0, |i| i + 1);
        if line_start == 0 || starts_item(text.get(line_start..end).unwrap_or_default()) {
            return line_start;
        }
        line_end = line_start - 1;
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Outside every item's braces: an item starts, or its header goes on.
fn item_place<'t>(entry: &[Piece<'t>]) -> Place<'t> {
    use Piece::{Punct, Word};
    match entry {
        [] => Place::ItemStart,
        // `feature NAME = EXPR`: a derived feature
        [Word("feature"), Word(_), Punct("="), expr @ ..] => guard_place(expr, true),
        [Word("constraint"), Word(_), Punct(":"), expr @ ..] if !expr.contains(&Word("else")) => {
            guard_place(expr, false)
        }
        [Word("policy" | "role"), header @ ..] => after_when(header).map_or(Place::Nothing, |e| guard_place(e, false)),
        [Word("actionset"), Word(_), Punct("="), list @ ..] => list_place(list, Listed::Actions),
        [Word("valueset"), Word(_), Punct("="), list @ ..] => list_place(list, Listed::Values),
        _ => Place::Nothing,
    }
}

/// In a policy's or permset's body, or a `with condition` block.
fn body_place<'t>(entry: &[Piece<'t>], policy: bool) -> Place<'t> {
    use Piece::Word;
    match entry {
        [] => Place::BodyEntry { policy },
        [Word("include")] => Place::Permset,
        [Word("allow" | "deny" | "include"), header @ ..] => {
            after_when(header).map_or(Place::Nothing, |e| guard_place(e, false))
        }
        [Word("with")] => Place::WithCondition,
        [Word("with"), Word("condition"), rest @ ..] => condition_place(rest),
        _ => Place::Nothing,
    }
}

fn statement_place<'t>(level: &Level<'t>) -> Place<'t> {
    use Piece::Word;
    let given = |fields: [&str; 2]| level.finished.iter().any(|f| fields.contains(f));
    match level.entry.as_slice() {
        [] => Place::StatementField {
            has_action: given(["action", "notaction"]),
            has_resource: given(["resource", "notresource"]),
        },
        [Word("action" | "notaction"), list @ ..] => list_place(list, Listed::Actions),
        [Word("resource" | "notresource"), list @ ..] => list_place(list, Listed::Arns),
        [Word("condition"), rest @ ..] => condition_place(rest),
        _ => Place::Nothing,
    }
}

fn role_place<'t>(entry: &[Piece<'t>]) -> Place<'t> {
    use Piece::Word;
    match entry {
        [] => Place::RoleField,
        [Word("trust")] => Place::PrincipalKind,
        // (a managed policy may be named without its ARN)
        [Word("trust"), _, list @ ..] | [Word("managed"), list @ ..] => list_place(list, Listed::Values),
        [Word("boundary"), list @ ..] => list_place(list, Listed::Arns),
        [Word("inline" | "attach")] => Place::Policy,
        [Word("inline" | "attach"), rest @ ..] => after_when(rest).map_or(Place::Nothing, |e| guard_place(e, false)),
        _ => Place::Nothing,
    }
}

/// After `condition`: its operator, its key's string, its values, a guard.
fn condition_place<'t>(rest: &[Piece<'t>]) -> Place<'t> {
    match rest {
        [] => Place::Operator,
        [Piece::Word(operator), Piece::Str, values @ ..] => {
            let listed = if is_arn_operator(operator) { Listed::Arns } else { Listed::Values };
            list_place(values, listed)
        }
        _ => Place::Nothing,
    }
}

/// `ArnLike`, `ForAnyValue:ArnEquals`, `ArnNotLikeIfExists`: an operator
/// whose values are ARNs.
fn is_arn_operator(operator: &str) -> bool {
    let operator = operator.rsplit(':').next().unwrap_or(operator);
    operator.starts_with("Arn")
}

#[derive(Clone, Copy)]
enum Listed {
    Actions,
    Values,
    /// Values where ARNs go.
    Arns,
}

/// After a field's keyword: one entry or a `[...]` list of them, each
/// perhaps with its guard, then perhaps the field's guard.
fn list_place<'t>(list: &[Piece<'t>], listed: Listed) -> Place<'t> {
    use Piece::Punct;
    let from = list.iter().rposition(|p| matches!(p, Punct("[" | ","))).map_or(0, |at| at + 1);
    let entry = list.get(from..).unwrap_or_default();
    if let Some(expr) = after_when(entry) {
        return guard_place(expr, false);
    }
    match (entry, listed) {
        ([], Listed::Actions) => Place::Action,
        ([Punct("@")], Listed::Actions) => Place::ActionSet,
        ([Punct("@")], Listed::Values) => Place::ValueSet { arns: false },
        ([Punct("@")], Listed::Arns) => Place::ValueSet { arns: true },
        _ => Place::Nothing,
    }
}

/// The pieces after the last `when`, if there is one.
fn after_when<'p, 't>(pieces: &'p [Piece<'t>]) -> Option<&'p [Piece<'t>]> {
    let at = pieces.iter().rposition(|p| *p == Piece::Word("when"))?;
    pieces.get(at + 1..)
}

/// In an expression, `expr` written so far: a name is next after an
/// operator (or at its start), a feature's value after a comparison.
fn guard_place<'t>(expr: &[Piece<'t>], in_derived_feature: bool) -> Place<'t> {
    use Piece::{Punct, Word};
    match expr {
        [] | [.., Word("and" | "or" | "not") | Punct("(")] => Place::Guard { in_derived_feature },
        [.., Word(feature), Punct("==" | "!=")] => Place::FeatureValue(feature),
        _ => Place::Nothing,
    }
}
