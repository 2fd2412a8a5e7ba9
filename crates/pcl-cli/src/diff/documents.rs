//! What changed between two versions of one rendered document, in IAM
//! terms: statements (by Sid, else by position among the unnamed ones), and
//! within a statement its effect, actions, resources, principals and
//! conditions; for a role also its trust policy, managed policies, inline
//! policies (by name), boundary and path.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;

/// One change, e.g. `+ action \`ec2:DetachVolume\`` with where it is
/// (`Sid \`EC2\``, `inline policy \`p\`, statement 2`), or `None` for the
/// document as a whole.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Change {
    pub place: Option<String>,
    pub what: String,
}

impl Change {
    /// `+ action \`x\` in Sid \`A\``, as a report lists it.
    pub fn text(self) -> String {
        match self.place {
            Some(place) => format!("{} in {place}", self.what),
            None => self.what,
        }
    }
}

/// The changes from `old` to `new` (JSON texts); one opaque change when
/// either is not JSON of a shape pcl writes.
pub fn changes(old: &[u8], new: &[u8]) -> Vec<Change> {
    let (Ok(old), Ok(new)) = (serde_json::from_slice::<Value>(old), serde_json::from_slice::<Value>(new)) else {
        return vec![Change { place: None, what: "content changed (not JSON)".into() }];
    };
    let mut out = Vec::new();
    if old.get("Statement").is_some() || new.get("Statement").is_some() {
        policy(&old, &new, None, &mut out);
    } else if old.get("AssumeRolePolicyDocument").is_some() || new.get("AssumeRolePolicyDocument").is_some() {
        role(&old, &new, &mut out);
    } else if old != new {
        out.push(Change { place: None, what: "content changed".into() });
    }
    out
}

fn role(old: &Value, new: &Value, out: &mut Vec<Change>) {
    let empty = Value::Null;
    let trust = |v: &'_ Value| v.get("AssumeRolePolicyDocument").cloned().unwrap_or(Value::Null);
    policy(&trust(old), &trust(new), Some("trust policy".into()), out);
    for (key, name) in [("Path", "path"), ("ManagedPolicyArns", "managed policy"), ("PermissionsBoundary", "boundary")]
    {
        let facts = |v: &Value| -> Vec<(&str, String)> {
            strings(v.get(key).unwrap_or(&empty)).into_iter().map(|s| (name, s)).collect()
        };
        facts_diff(&facts(old), &facts(new), name, None, out);
    }
    let inline = |v: &Value| -> Vec<(String, Value)> {
        let list = v.get("Policies").and_then(Value::as_array).cloned().unwrap_or_default();
        // one without a PolicyName (a document not written by pcl) is named
        // by its place in the list, never by a shared `?`
        list.iter()
            .enumerate()
            .map(|(i, p)| {
                let name = match p.get("PolicyName").and_then(Value::as_str) {
                    Some(name) => format!("inline policy `{name}`"),
                    None => format!("inline policy {} (no PolicyName)", i + 1),
                };
                (name, p.get("PolicyDocument").cloned().unwrap_or(Value::Null))
            })
            .collect()
    };
    let (old_inline, new_inline) = (inline(old), inline(new));
    for (name, doc) in &old_inline {
        match new_inline.iter().find(|(n, _)| n == name) {
            Some((_, new_doc)) => policy(doc, new_doc, Some(name.clone()), out),
            None => out.push(Change { place: None, what: format!("- {name}") }),
        }
    }
    for (name, _) in new_inline.iter().filter(|(n, _)| !old_inline.iter().any(|(o, _)| o == n)) {
        out.push(Change { place: None, what: format!("+ {name}") });
    }
}

/// A statement's name for messages: its Sid, else its position.
fn statement_place(within: &Option<String>, sid: Option<&str>, position: usize) -> String {
    let own = match sid {
        Some(sid) => format!("Sid `{sid}`"),
        None => format!("statement {}", position + 1),
    };
    match within {
        Some(w) => format!("{w}, {own}"),
        None => own,
    }
}

fn policy(old: &Value, new: &Value, within: Option<String>, out: &mut Vec<Change>) {
    // (IAM takes one statement written as an object, not in a list)
    let statements = |v: &Value| match v.get("Statement") {
        Some(Value::Array(statements)) => statements.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let (old_sts, new_sts) = (statements(old), statements(new));
    let sid = |st: &Value| st.get("Sid").and_then(Value::as_str).map(str::to_string);
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    // by Sid; then unnamed statements equal on both sides; then unnamed ones
    // by what they share; then the rest in order. Each step looks up by hash
    // (a search of the other side for each statement was quadratic in a
    // document's statements).
    let mut named_new: HashMap<String, VecDeque<usize>> = HashMap::new();
    let mut equal_new: HashMap<String, VecDeque<usize>> = HashMap::new();
    for (j, st) in new_sts.iter().enumerate() {
        match sid(st) {
            Some(s) => named_new.entry(s).or_default().push_back(j),
            None => equal_new.entry(canonical(st)).or_default().push_back(j),
        }
    }
    let mut paired_new = vec![false; new_sts.len()];
    let mut rest_old = Vec::new();
    for (i, st) in old_sts.iter().enumerate() {
        let (found, unnamed) = match sid(st) {
            Some(s) => (named_new.get_mut(&s).and_then(VecDeque::pop_front), false),
            None => (equal_new.get_mut(&canonical(st)).and_then(VecDeque::pop_front), true),
        };
        match found {
            Some(j) => {
                if let Some(paired) = paired_new.get_mut(j) {
                    *paired = true;
                }
                pairs.push((Some(i), Some(j)));
            }
            None if unnamed => rest_old.push(i),
            None => pairs.push((Some(i), None)),
        }
    }
    let unpaired = |named: bool, paired_new: &[bool]| -> Vec<usize> {
        (0..new_sts.len())
            .filter(|&j| !paired_new.get(j).copied().unwrap_or(true))
            .filter(|&j| new_sts.get(j).is_some_and(|n| sid(n).is_some() == named))
            .collect()
    };
    let mut rest_new = unpaired(false, &paired_new);
    // an unnamed statement with the one that shares most with it (its
    // principals, actions, conditions: a trust statement added before
    // another does not make both look changed), the pairs that share most
    // first, while few enough to compare each with each
    let facts = |st: Option<&Value>| -> HashSet<(String, String)> {
        st.map(statement_facts).unwrap_or_default().into_iter().filter(|(kind, _)| kind != "effect").collect()
    };
    let old_facts: Vec<_> = rest_old.iter().map(|&i| facts(old_sts.get(i))).collect();
    let compared = old_facts.iter().map(HashSet::len).sum::<usize>().saturating_mul(rest_new.len());
    if compared <= MAX_FACTS_COMPARED {
        let new_facts: Vec<_> = rest_new.iter().map(|&j| facts(new_sts.get(j))).collect();
        let mut shared: Vec<(usize, usize, usize)> = Vec::new();
        for (a, old) in old_facts.iter().enumerate() {
            for (b, new) in new_facts.iter().enumerate() {
                let count = old.intersection(new).count();
                if count > 0 {
                    shared.push((count, a, b));
                }
            }
        }
        shared.sort_by_key(|&(count, a, b)| (std::cmp::Reverse(count), a, b));
        let (mut old_taken, mut new_taken) = (vec![false; rest_old.len()], vec![false; rest_new.len()]);
        let mut matched = Vec::new();
        for (_, a, b) in shared {
            let (Some(i), Some(j)) = (rest_old.get(a), rest_new.get(b)) else { continue };
            let (Some(old_done), Some(new_done)) = (old_taken.get_mut(a), new_taken.get_mut(b)) else { continue };
            if *old_done || *new_done {
                continue;
            }
            (*old_done, *new_done) = (true, true);
            matched.push((Some(*i), Some(*j)));
        }
        // reported in the old document's order
        matched.sort();
        pairs.extend(matched);
        rest_old = rest_old.iter().zip(&old_taken).filter(|(_, t)| !**t).map(|(i, _)| *i).collect();
        rest_new = rest_new.iter().zip(&new_taken).filter(|(_, t)| !**t).map(|(j, _)| *j).collect();
    }
    let mut rest_new = VecDeque::from(rest_new);
    for i in rest_old {
        pairs.push((Some(i), rest_new.pop_front()));
    }
    pairs.extend(rest_new.into_iter().chain(unpaired(true, &paired_new)).map(|j| (None, Some(j))));
    for (i, j) in pairs {
        let old_st = i.and_then(|i| old_sts.get(i));
        let new_st = j.and_then(|j| new_sts.get(j));
        match (old_st, new_st) {
            (Some(o), Some(n)) => {
                // numbered as in the old document: a statement added before
                // it does not make the same change look like another
                let place = statement_place(&within, sid(n).as_deref(), i.unwrap_or_default());
                facts_diff(&statement_facts(o), &statement_facts(n), "", Some(place), out);
            }
            (Some(o), None) => out.push(Change {
                place: within.clone(),
                what: format!("- statement {}", summary(o, i.unwrap_or_default(), "")),
            }),
            (None, Some(n)) => out.push(Change {
                place: within.clone(),
                // (every other statement is numbered as in the old document)
                what: format!("+ statement {}", summary(n, j.unwrap_or_default(), " of the new document")),
            }),
            (None, None) => {}
        }
    }
}

/// A statement's text with every object's keys in order: two statements
/// equal as JSON (whatever order their keys were written in) have the same.
/// (serde_json nests at most 128 levels deep: the recursion is bounded.)
fn canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (key, value) in entries {
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(value, out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    write(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// At most this many facts of unnamed statements are looked up in the
/// other side's to match them (two documents of thousands of changed
/// statements are matched in order instead).
const MAX_FACTS_COMPARED: usize = 1_000_000;

/// `Sid \`X\` (3 actions on 2 resources)`.
fn summary(st: &Value, position: usize, numbered_in: &str) -> String {
    let name = match st.get("Sid").and_then(Value::as_str) {
        Some(s) => format!("`{s}`"),
        None => format!("{}{numbered_in} (unnamed)", position + 1),
    };
    let count = |key: &str, not: &str| strings(st.get(key).or(st.get(not)).unwrap_or(&Value::Null)).len();
    let actions = count("Action", "NotAction");
    let first = strings(st.get("Action").or(st.get("NotAction")).unwrap_or(&Value::Null)).into_iter().next();
    let first = first.map(|a| format!(": `{a}`{}", if actions > 1 { ", ..." } else { "" })).unwrap_or_default();
    let facts = statement_facts(st);
    // the facts of one kind, quoted, after `lead` (none: nothing)
    let listed = |kind: &str, lead: &str, separator: &str| {
        let quoted: Vec<String> = facts.iter().filter(|(k, _)| k == kind).map(|(_, v)| format!("`{v}`")).collect();
        if quoted.is_empty() { String::new() } else { format!("{lead}{}", quoted.join(separator)) }
    };
    let (trusting, under) = (listed("principal", ", for ", ", "), listed("condition", ", if ", " and "));
    format!("{name} ({actions} action{}{first}{trusting}{under})", if actions == 1 { "" } else { "s" })
}

/// `(kind, value)` facts of a statement: `("action", "s3:GetObject")`, ...
fn statement_facts(st: &Value) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    for key in ["Effect", "Action", "NotAction", "Resource", "NotResource"] {
        let kind = match key {
            "NotAction" => "not-action",
            "NotResource" => "not-resource",
            other => other,
        }
        .to_lowercase();
        for v in strings(st.get(key).unwrap_or(&Value::Null)) {
            facts.push((kind.clone(), v));
        }
    }
    if let Some(principal) = st.get("Principal") {
        match principal.as_object() {
            Some(map) => {
                for (kind, values) in map {
                    for v in strings(values) {
                        facts.push(("principal".into(), format!("{kind} {v}")));
                    }
                }
            }
            None => facts.push(("principal".into(), principal.to_string())),
        }
    }
    if let Some(ops) = st.get("Condition").and_then(Value::as_object) {
        for (op, keys) in ops {
            for (key, values) in keys.as_object().into_iter().flatten() {
                facts.push(("condition".into(), format!("{op} {key} {}", strings(values).join(", "))));
            }
        }
    }
    facts
}

/// A string or a list of strings; anything else as JSON text.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        other => vec![other.to_string()],
    }
}

/// `- kind \`value\`` for facts only in `old`, `+` for those only in `new`;
/// `kind` empty means each fact names its own kind.
fn facts_diff<K: AsRef<str> + std::hash::Hash + Eq>(
    old: &[(K, String)],
    new: &[(K, String)],
    kind: &str,
    place: Option<String>,
    out: &mut Vec<Change>,
) {
    let show = |sign: char, (k, v): &(K, String)| {
        let k = if kind.is_empty() { k.as_ref() } else { kind };
        Change { place: place.clone(), what: format!("{sign} {k} `{v}`") }
    };
    // by hash: a list searched for each fact was quadratic in a statement's actions
    let old_set: HashSet<&(K, String)> = old.iter().collect();
    let new_set: HashSet<&(K, String)> = new.iter().collect();
    out.extend(old.iter().filter(|f| !new_set.contains(f)).map(|f| show('-', f)));
    out.extend(new.iter().filter(|f| !old_set.contains(f)).map(|f| show('+', f)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(old: Value, new: Value) -> Vec<String> {
        changes(old.to_string().as_bytes(), new.to_string().as_bytes())
            .into_iter()
            .map(|c| match c.place {
                Some(p) => format!("{} in {p}", c.what),
                None => c.what,
            })
            .collect()
    }

    #[test]
    fn statements_are_matched_by_sid_then_position() {
        let old = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "EC2", "Effect": "Allow", "Action": ["ec2:AttachVolume"], "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "Gone", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        ]});
        let new = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"],
             "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}}},
            {"Sid": "EC2", "Effect": "Allow", "Action": ["ec2:AttachVolume", "ec2:DetachVolume"], "Resource": "*"},
        ]});
        assert_eq!(
            diff(old, new),
            [
                "+ action `ec2:DetachVolume` in Sid `EC2`",
                "- statement `Gone` (1 action: `sqs:SendMessage`)",
                "+ resource `arn:aws:s3:::c/*` in statement 2",
                "+ condition `StringEquals aws:RequestedRegion us-east-1` in statement 2",
            ]
        );
    }

    /// Found by review of trust conditions: a trust statement added before
    /// another was paired with it by position (its principal and conditions
    /// shown as swapped), and an added statement was summed up without its
    /// conditions (an open `*` to the eye).
    #[test]
    fn unnamed_statements_are_matched_by_what_they_share_and_summed_up_with_their_conditions() {
        let trust =
            |statements: Value| json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": statements}});
        let org = |ids: Value| {
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": ids}}})
        };
        let vendor = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": "x"}}});
        let service =
            json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"});
        assert_eq!(
            diff(
                trust(json!([service, org(json!("o-1"))])),
                trust(json!([service, vendor, org(json!(["o-1", "o-2"]))]))
            ),
            [
                "- condition `StringEquals aws:PrincipalOrgID o-1` in trust policy, statement 2",
                "+ condition `StringEquals aws:PrincipalOrgID o-1, o-2` in trust policy, statement 2",
                "+ statement 2 of the new document (unnamed) (1 action: `sts:AssumeRole`, for `AWS arn:aws:iam::1:root`, if `StringEquals sts:ExternalId x`) in trust policy",
            ]
        );
    }

    /// Found by review: a document's one statement written as an object
    /// (which IAM takes) was compared as none.
    #[test]
    fn a_statement_written_as_an_object_is_compared() {
        let old = json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}});
        let new = json!({"Statement": {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}});
        assert_eq!(
            diff(old, new),
            ["- action `s3:GetObject` in statement 1", "+ action `s3:PutObject` in statement 1"]
        );
    }

    /// Found by review: equal statements with their keys in another order
    /// were paired by position once their text was compared.
    #[test]
    fn statements_equal_but_for_their_keys_order_are_unchanged() {
        let old = json!({"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]});
        let new = json!({"Statement": [
            {"Resource": "*", "Action": "s3:GetObject", "Effect": "Deny"},
            {"Resource": "*", "Action": "s3:GetObject", "Effect": "Allow"}]});
        assert_eq!(diff(old, new), Vec::<String>::new());
    }

    #[test]
    fn roles_compare_trust_managed_and_inline_policies() {
        let doc = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
        let old = json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/A"],
            "Policies": [{"PolicyName": "p", "PolicyDocument": doc("s3:GetObject")}, {"PolicyName": "q", "PolicyDocument": doc("s3:GetObject")}]});
        let new = json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com.cn"]}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
            "Policies": [{"PolicyName": "p", "PolicyDocument": doc("s3:PutObject")}]});
        assert_eq!(
            diff(old, new),
            [
                "- principal `Service ec2.amazonaws.com` in trust policy, statement 1",
                "+ principal `Service ec2.amazonaws.com.cn` in trust policy, statement 1",
                "+ managed policy `arn:aws:iam::aws:policy/B`",
                "- action `s3:GetObject` in inline policy `p`, statement 1",
                "+ action `s3:PutObject` in inline policy `p`, statement 1",
                "- inline policy `q`",
            ]
        );
    }

    /// Found by review: inline policies without a PolicyName were all `?`,
    /// so the second was compared with the first.
    #[test]
    fn inline_policies_without_a_name_are_named_by_place() {
        let doc = |action: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]});
        let role = |docs: Vec<Value>| {
            let policies: Vec<Value> = docs.into_iter().map(|d| json!({"PolicyDocument": d})).collect();
            json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}, "Policies": policies})
        };
        let old = role(vec![doc("s3:GetObject"), doc("sqs:SendMessage")]);
        let new = role(vec![doc("s3:GetObject"), doc("sqs:ReceiveMessage")]);
        assert_eq!(
            diff(old, new),
            [
                "- action `sqs:SendMessage` in inline policy 2 (no PolicyName), statement 1",
                "+ action `sqs:ReceiveMessage` in inline policy 2 (no PolicyName), statement 1",
            ]
        );
    }

    #[test]
    fn anything_else_is_one_opaque_change() {
        assert_eq!(changes(b"{not json", b"{}").len(), 1);
        assert_eq!(changes(b"{\"a\": 1}", b"{\"a\": 2}").len(), 1);
        assert!(changes(b"{\"a\": 1}", b"{\"a\": 1}").is_empty());
    }
}
