//! What completion needs to know of params and valuesets beyond their
//! names: a scalar param's type (an ARN's partition, region and account
//! fields take a param of that type only, E0202) and the valuesets that
//! hold a value that is no ARN (spliced where ARNs go, E0301).

use pcl_semantics::ir::{ItemIr, TextPart, Value};
use pcl_syntax::Name;
use std::collections::{HashMap, HashSet};

/// Gathered item by item while the index is built.
#[derive(Default)]
pub struct ValueFacts {
    /// Each param's scalar type and whether it is a list.
    pub params: HashMap<Name, (pcl_iam::ScalarType, bool)>,
    /// The valuesets that hold, or splice a set that holds, a value that
    /// cannot be an ARN.
    pub not_arns: HashSet<Name>,
    /// Each valueset's splices of other sets, and its bare params, while
    /// gathering (a param may be declared after the set).
    spliced: Vec<(Name, Name)>,
    bare_params: Vec<(Name, Name)>,
}

impl ValueFacts {
    /// Notes the first definition of `name`.
    pub fn add(&mut self, name: Name, ir: &ItemIr) {
        match ir {
            ItemIr::Param(p) => {
                self.params.insert(name, (p.ty.scalar, p.ty.list));
            }
            ItemIr::Valueset(list) => {
                for item in &list.items {
                    match &item.value {
                        Value::Set(set) => self.spliced.push((*set, name)),
                        Value::Text(t) if !may_be_arn(&t.parts) => {
                            self.not_arns.insert(name);
                        }
                        Value::Each(each) if !may_be_arn(&each.template.parts) => {
                            self.not_arns.insert(name);
                        }
                        Value::Param(param) => self.bare_params.push((*param, name)),
                        Value::Text(_) | Value::Each(_) => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// Once every item is added: a set that splices one holding no ARN
    /// holds it too (a walk over the splices backwards, each once, so a
    /// cycle of sets ends), and a bare param not of type `arn` is none.
    pub fn finish(mut self) -> ValueFacts {
        for (param, set) in std::mem::take(&mut self.bare_params) {
            if self.params.get(&param).is_some_and(|(ty, _)| *ty != pcl_iam::ScalarType::Arn) {
                self.not_arns.insert(set);
            }
        }
        let mut splicers: HashMap<Name, Vec<Name>> = HashMap::default();
        for (spliced, by) in std::mem::take(&mut self.spliced) {
            splicers.entry(spliced).or_default().push(by);
        }
        let mut todo: Vec<Name> = self.not_arns.iter().copied().collect();
        while let Some(set) = todo.pop() {
            for by in splicers.get(&set).into_iter().flatten() {
                if self.not_arns.insert(*by) {
                    todo.push(*by);
                }
            }
        }
        self
    }
}

/// Whether a text can render an ARN: it starts with `arn:`, is `*` alone,
/// or starts with a param (which may hold one).
fn may_be_arn(parts: &[TextPart]) -> bool {
    match parts {
        [TextPart::Lit(lit), ..] => lit.starts_with("arn:") || lit.as_str() == "*" && parts.len() == 1,
        _ => true,
    }
}
