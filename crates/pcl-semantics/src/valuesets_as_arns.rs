//! The valuesets spliced where ARNs go (resources, `Arn*` condition
//! values, a role's managed policies): each value must be one there
//! (E0301, or E0202 for a param of another type); in a role's managed
//! policies, a plain name is an AWS managed policy. Part of the file-wide
//! checks (`file_checks::analyze`).

use rustc_hash::FxHashSet as HashSet;

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::ir::{ItemIr, Program, ScalarType, TextPart, Value};
use crate::uses::Uses;

/// A valueset does not know where it is spliced; where that is a place for
/// ARNs (resources, `Arn*` condition values, managed policies, boundaries),
/// each of its values must be one.
pub(crate) fn check<'p>(program: &'p Program, uses: &[&'p Uses], diags: &mut Vec<Diagnostic>) {
    // Only a set with a value not plainly an ARN can be wrong, or lead to
    // another set (`Uses::arn_suspects`, found item by item once): the
    // others' values are not read (after every edit, reading every set
    // spliced as ARNs missed the cache once a set: 8,300 on the 10 MB
    // corpus).
    let suspects: HashSet<&str> = uses.iter().flat_map(|u| &u.arn_suspects).map(|s| s.as_str()).collect();
    if suspects.is_empty() {
        return;
    }
    // (valueset, the item that uses it as ARNs), found item by item once
    // (`uses::of`); the last use of a set is the one reported, and the sets
    // it splices are checked next, for the same user
    // (a set spliced both where ARNs go and into a role's managed policies,
    // where a plain name is an AWS managed policy, is checked as each)
    let mut checked: HashSet<(&str, bool)> = HashSet::default();
    let mut todo: Vec<ArnUse<'p>> = Vec::new();
    for (set, user, managed) in uses.iter().rev().flat_map(|u| u.arn_sets.iter().rev()) {
        todo.push(ArnUse { set: set.as_str(), user: user.as_str(), managed: *managed });
        check_arn_suspects(program, &suspects, &mut checked, &mut todo, diags);
    }
}

/// A valueset spliced where ARNs go, by `user`; `managed`: into a role's
/// managed policies.
#[derive(Clone, Copy)]
struct ArnUse<'p> {
    set: &'p str,
    user: &'p str,
    managed: bool,
}

/// Checks the values of the sets in `todo` (and of those they splice) that
/// are suspects and not `checked` yet.
fn check_arn_suspects<'p>(
    program: &'p Program,
    suspects: &HashSet<&str>,
    checked: &mut HashSet<(&'p str, bool)>,
    todo: &mut Vec<ArnUse<'p>>,
    diags: &mut Vec<Diagnostic>,
) {
    while let Some(found) = todo.pop() {
        let ArnUse { set, user, managed } = found;
        if !suspects.contains(set) || !checked.insert((set, managed)) {
            continue;
        }
        let Some(set_item) = program.get(set) else { continue };
        let ItemIr::Valueset(list) = &*set_item.ir else { continue };
        for v in list.items.iter().filter(|v| !crate::uses::plainly_an_arn(&v.value)) {
            let span = v.span.shift(set_item.offset);
            let problem = match &v.value {
                Value::Set(inner) => {
                    todo.push(ArnUse { set: inner.as_str(), ..found });
                    None
                }
                Value::Param(p) => match program.get(p).map(|i| &*i.ir) {
                    Some(ItemIr::Param(param)) if param.ty.scalar != ScalarType::Arn => {
                        Some(DiagnosticKind::ValuesetParamNotArn {
                            param: p.as_str().to_owned(),
                            ty: param.ty,
                            set: set.to_string(),
                            user: user.to_string(),
                        })
                    }
                    _ => None,
                },
                Value::Each(each) => {
                    let crate::ir::EachValue { list, var, template } = &**each;
                    // `"${b}/*" for b in arns` is an ARN when it starts with one
                    let arn_list = matches!(program.get(list).map(|i| &*i.ir), Some(ItemIr::Param(param)) if param.ty.scalar == ScalarType::Arn);
                    let is_arn = match template.parts.first() {
                        Some(TextPart::Lit(l)) => l.starts_with("arn:"),
                        Some(TextPart::Param(p)) => p == var && arn_list,
                        _ => false,
                    };
                    (!is_arn)
                        .then(|| DiagnosticKind::ValuesetValueNotArn { set: set.to_string(), user: user.to_string() })
                }
                // an AWS managed policy's name, which renders as its ARN
                // with the partition param (one of type `partition`, as a
                // name written in the role's list requires)
                Value::Text(t) if managed && crate::expand::aws_managed_name(t).is_some() => {
                    // without one, what is missing is the param (as for a
                    // name written in the role's list), not an ARN: it was
                    // "not an ARN ... use a separate valueset", a fix that
                    // changed nothing
                    let why = "an AWS managed policy name becomes an ARN".to_string();
                    let (name, want) = ("partition".to_string(), ScalarType::Partition);
                    match program.get("partition").map(|i| &*i.ir) {
                        _ if program.is_partition_param("partition") => None,
                        Some(ItemIr::Param(p)) => Some(DiagnosticKind::BuiltinParamType { why, name, ty: p.ty, want }),
                        _ => Some(DiagnosticKind::MissingBuiltinParam { why, name, want }),
                    }
                }
                Value::Text(t) => {
                    // (a text plainly an ARN was passed over above)
                    let is_arn = match t.parts.as_slice() {
                        [TextPart::Param(p)] => {
                            matches!(program.get(p).map(|i| &*i.ir), Some(ItemIr::Param(param)) if param.ty.scalar == ScalarType::Arn)
                        }
                        _ => false,
                    };
                    (!is_arn)
                        .then(|| DiagnosticKind::ValuesetValueNotArn { set: set.to_string(), user: user.to_string() })
                }
            };
            if let Some(kind) = problem {
                diags.push(kind.at(span));
            }
        }
    }
}
