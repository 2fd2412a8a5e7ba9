//! IAM's size quotas, measured on the rendered documents: a managed policy
//! (6,144 characters without whitespace), a role's inline policies together
//! (10,240), a trust policy (2,048). Each finding names the measured size,
//! the limit, the configuration and the partition, and the biggest
//! statements, at the policy's or role's name.

use std::collections::BTreeSet;

use pcl_iam::quotas::{MANAGED_POLICY_CHARS, ROLE_INLINE_CHARS, TRUST_POLICY_CHARS, policy_size};
use pcl_semantics::config::Config;
use pcl_semantics::diagnostic::{Code, Diagnostic, DiagnosticKind};
use pcl_semantics::ir::{ItemIr, Program};
use serde_json::Value;

use crate::RoleFacts;
use crate::plan::{OutputKind, Rendered, render_items};

/// The quota errors of every document `program` renders with `config`.
pub fn quota_findings(program: &Program, config: &Config) -> Vec<Diagnostic> {
    let quotas = Quotas::new(program);
    render_items(program, config).iter().flat_map(|rendered| quotas.check(rendered)).collect()
}

/// Measures rendered items against IAM's quotas; a build checks each item as
/// it renders it, instead of rendering everything twice.
pub struct Quotas<'p> {
    program: &'p Program,
    /// Policies only inlined into roles: their size counts toward the role.
    inline_only: BTreeSet<&'p str>,
}

impl<'p> Quotas<'p> {
    pub fn new(program: &'p Program) -> Quotas<'p> {
        Quotas { program, inline_only: inline_only_policies(program) }
    }

    /// The quota errors of one item's documents.
    pub fn check(&self, rendered: &Rendered) -> Vec<Diagnostic> {
        item_findings(self.program, &self.inline_only, rendered)
    }
}

fn item_findings(program: &Program, inline_only: &BTreeSet<&str>, rendered: &Rendered) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(item) = program.get(&rendered.item) else { return out };
    let span = item.name_span.shift(item.offset);
    for file in &rendered.files {
        // Parsing a document back costs more than rendering it: a role's
        // facts are kept from its rendering, and a policy is parsed only when
        // it is over the limit, to name its biggest statements.
        let parse = || serde_json::from_str::<Value>(&file.contents).ok();
        let context = || describe(program, rendered, &file.path);
        match rendered.kind {
            OutputKind::Policy if !inline_only.contains(rendered.item.as_str()) => {
                let size = policy_size(&file.contents);
                if size <= MANAGED_POLICY_CHARS {
                    continue;
                }
                let Some(doc) = parse() else { continue };
                let statements = doc.get("Statement").and_then(Value::as_array).map_or(0, Vec::len);
                let splittable = matches!(&*item.ir, ItemIr::Policy { splittable: true, .. });
                if size > MANAGED_POLICY_CHARS && splittable && statements == 1 {
                    out.push(too_big(
                        format!("one statement of splittable policy `{}` is {size} characters", rendered.item),
                        MANAGED_POLICY_CHARS,
                        "a managed policy, and a statement cannot be split",
                        &context(),
                        "split the statement itself: its actions or resources over several statements",
                        span,
                    ));
                } else if size > MANAGED_POLICY_CHARS {
                    out.push(too_big(
                        format!("policy `{}` is {size} characters", rendered.item),
                        MANAGED_POLICY_CHARS,
                        "a managed policy",
                        &context(),
                        &biggest(&doc),
                        span,
                    ));
                }
            }
            OutputKind::Policy => {}
            OutputKind::Role => {
                let kept = file.role.as_ref().map(std::borrow::Cow::Borrowed);
                let Some(facts) =
                    kept.or_else(|| parse().map(|doc| std::borrow::Cow::Owned(RoleFacts::of_value(&doc))))
                else {
                    continue;
                };
                let managed = facts.managed.len();
                let parts = split_parts_attached(program, &facts.managed);
                // more than 10 before splitting is reported by `pcl check`
                if managed > pcl_iam::quotas::MANAGED_POLICIES_PER_ROLE
                    && managed - parts <= pcl_iam::quotas::MANAGED_POLICIES_PER_ROLE
                {
                    out.push(
                        DiagnosticKind::IamRule {
                            code: Code::QuotaExceeded,
                            message: format!(
                                "role `{}` attaches {managed} managed policies once split policies count their parts; IAM allows {} ({})",
                                rendered.item,
                                pcl_iam::quotas::MANAGED_POLICIES_PER_ROLE,
                                context()
                            ),
                            label: Some(format!("{parts} of them are parts of split policies")),
                            help: Some("attach fewer policies, or ask AWS to raise the quota (up to 20)".into()),
                        }
                        .at(span),
                    );
                }
                let trust = facts.trust;
                if trust > TRUST_POLICY_CHARS {
                    out.push(too_big(
                        format!("the trust policy of role `{}` is {trust} characters", rendered.item),
                        TRUST_POLICY_CHARS,
                        "a trust policy",
                        &context(),
                        "",
                        span,
                    ));
                }
                let inline = &facts.inline;
                let total: usize = inline.iter().map(|(_, s)| s).sum();
                if total > ROLE_INLINE_CHARS {
                    let parts: Vec<String> = inline.iter().map(|(n, s)| format!("`{n}` {s}")).collect();
                    out.push(too_big(
                        format!("the inline policies of role `{}` are {total} characters together", rendered.item),
                        ROLE_INLINE_CHARS,
                        "a role's inline policies",
                        &context(),
                        &format!("sizes: {}", parts.join(", ")),
                        span,
                    ));
                }
            }
        }
    }
    out
}

fn too_big(
    headline: String,
    limit: usize,
    what: &str,
    context: &str,
    detail: &str,
    span: pcl_syntax::Span,
) -> Diagnostic {
    let help = if detail.starts_with("split the statement") {
        detail.to_string()
    } else if what.contains("trust") {
        // a trust policy holds principals, and conditions on some of them
        "trust fewer principals (a service or account per role), or split the role into roles that each trust some of them".to_string()
    } else if what.contains("inline") {
        format!("attach some of them as managed policies instead of inlining them; {detail}")
    } else {
        let detail = if detail.is_empty() { String::new() } else { format!("; {detail}") };
        format!("move statements to another policy, or declare the policy `splittable` so pcl splits it{detail}")
    };
    DiagnosticKind::IamRule {
        code: Code::QuotaExceeded,
        message: format!("{headline} without whitespace; IAM allows {limit} for {what} ({context})"),
        label: Some(format!("over IAM's limit by {}", headline_size(&headline).saturating_sub(limit))),
        help: Some(help),
    }
    .at(span)
}

/// The number in a headline ("... is 6502 characters").
fn headline_size(headline: &str) -> usize {
    headline.split_whitespace().rev().find_map(|w| w.parse().ok()).unwrap_or(0)
}

/// The three biggest statements of a policy document, by size.
fn biggest(doc: &Value) -> String {
    let Some(statements) = doc.get("Statement").and_then(Value::as_array) else { return String::new() };
    let mut sized: Vec<(usize, String)> = statements
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let name = match st.get("Sid").and_then(Value::as_str) {
                Some(sid) => format!("Sid `{sid}`"),
                None => format!("statement {}", i + 1),
            };
            (crate::json::value_size(st), name)
        })
        .collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let top: Vec<String> = sized.iter().take(3).map(|(s, n)| format!("{n} {s}")).collect();
    format!("biggest statements: {}", top.join(", "))
}

/// Which configurations and partition a file is rendered for.
fn describe(program: &Program, rendered: &Rendered, path: &str) -> String {
    let defaults: std::collections::BTreeMap<&str, &str> =
        program.features().map(|(n, f)| (n, f.default.as_str())).collect();
    let configs: Vec<String> = rendered
        .configurations
        .iter()
        .filter(|c| c.path == path || c.parts.iter().any(|p| p == path))
        .map(|c| {
            let off: Vec<String> = c
                .features
                .iter()
                .filter(|(k, v)| defaults.get(k.as_str()) != Some(&v.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if off.is_empty() { "defaults".to_string() } else { off.join(" ") }
        })
        .collect();
    let partition = if rendered.partition.is_empty() { String::new() } else { format!(" in {}", rendered.partition) };
    let shown = match configs.len() {
        0 => String::new(),
        1 => configs.join(""),
        n => format!("{} and {} more", configs.first().cloned().unwrap_or_default(), n - 1),
    };
    format!("{shown}{partition}")
}

/// How many of a role's managed policy ARNs are parts 2, 3, ... of split policies.
fn split_parts_attached(program: &Program, arns: &[String]) -> usize {
    arns.iter()
        .filter(|arn| {
            let name = arn.rsplit('/').next().unwrap_or_default();
            name.rsplit_once('-').is_some_and(|(policy, k)| {
                k.parse::<usize>().is_ok()
                    && matches!(program.get(policy).map(|i| &*i.ir), Some(ItemIr::Policy { splittable: true, .. }))
            })
        })
        .count()
}

/// Policies only inlined into roles: their size counts toward the role.
fn inline_only_policies(program: &Program) -> BTreeSet<&str> {
    let mut inlined = BTreeSet::new();
    let mut attached = BTreeSet::new();
    for item in program.items() {
        if let ItemIr::Role { role, .. } = &*item.ir {
            inlined.extend(role.inline.iter().map(|i| i.policy.as_str()));
            attached.extend(role.attach.iter().map(|a| a.policy.as_str()));
        }
    }
    inlined.difference(&attached).copied().collect()
}
