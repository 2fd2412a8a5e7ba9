//! Splitting a `splittable` policy over IAM's managed-policy limit: its
//! statements, in source order, into the fewest parts that each fit
//! (filling each part before starting the next is optimal when the order is
//! kept). Part 1 keeps the policy's name; part k is `<name>-k`, which no
//! item can be called (`-` is not an item-name character); its deployed name
//! is likewise the policy's with `-k` (which a `name` field could also give:
//! the deployed-name clash check reserves every such name for the
//! splittable policy, `pcl_semantics::deployed_names`).

use pcl_iam::quotas::MANAGED_POLICY_CHARS;
use pcl_semantics::expand::ExpandedPolicy;

use crate::json::{iam_size, policy_document};

/// The parts of `policy`: itself when it fits or is not `splittable`.
/// A statement too big for a part on its own stays alone in its part (the
/// quota check reports it).
pub fn split(policy: ExpandedPolicy, splittable: bool) -> Vec<ExpandedPolicy> {
    let size = |p: &ExpandedPolicy| iam_size(&policy_document(p));
    if !splittable || size(&policy) <= MANAGED_POLICY_CHARS {
        return vec![policy];
    }
    let mut parts: Vec<ExpandedPolicy> = Vec::new();
    let empty = |statements| ExpandedPolicy {
        name: policy.name.clone(),
        deployed_name: policy.deployed_name.clone(),
        description: policy.description.clone(),
        statements,
    };
    let mut current = empty(Vec::new());
    for st in policy.statements {
        current.statements.push(st);
        if current.statements.len() > 1 && size(&current) > MANAGED_POLICY_CHARS {
            // it does not fit: it starts the next part
            let st = current.statements.pop();
            parts.push(std::mem::replace(&mut current, empty(st.into_iter().collect())));
        }
    }
    parts.push(current);
    for (i, part) in parts.iter_mut().enumerate().skip(1) {
        part.name = part_name(&policy.name, i + 1);
        part.deployed_name = part_name(&policy.deployed_name, i + 1);
    }
    parts
}

/// `head_node`, `head_node-2`, ...
pub fn part_name(policy: &str, part: usize) -> String {
    if part <= 1 { policy.to_string() } else { format!("{policy}-{part}") }
}
