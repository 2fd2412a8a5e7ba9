//! Where each value of a rendered list comes from: what places a finding
//! about one value (an ARN of another partition) at the item of the list
//! that renders it, rather than at the whole list. A rendering keeps no
//! spans per value; the list is rendered again, item by item, only for a
//! finding to place.

use pcl_syntax::{Name, Span};

use super::{Env, Splice, Trail};
use crate::ir::{ActionRef, GList, Value};

/// One value of a list as rendered, and the item of the list it comes from.
pub struct ValueOrigin {
    pub value: String,
    /// The span of the list's item that renders it: a string, a param, a
    /// `for` template or a `@set` splice.
    pub item: Span,
    /// The valueset that item splices (`@set`), if it is one.
    pub set: Option<Name>,
    /// A `*` that a `for` template kept as `*` (`"${b}/*" for b in
    /// buckets` with `buckets = ["*"]`): the idiom renders the param's `*`
    /// twice, which no one wrote twice.
    pub kept_star: bool,
}

impl Env<'_> {
    /// The values `values(list)` renders, in its order, each with the item
    /// of `list` it comes from.
    pub fn value_origins(&self, list: &GList<Value>) -> Vec<ValueOrigin> {
        let mut values = Vec::new();
        let mut items = Vec::new();
        // one trail for the list, as `values` has: a valueset spliced twice
        // renders its values at its first splice only
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            self.value_at(&item.value, &mut values, &mut trail, Splice::Value);
            let set = match &item.value {
                Value::Set(name) => Some(*name),
                _ => None,
            };
            items.resize(values.len(), (item.span, set, matches!(item.value, Value::Each(_))));
        }
        let origin = |(value, (item, set, each)): (String, _)| {
            let kept_star = each && value == "*";
            ValueOrigin { value, item, set, kept_star }
        };
        values.into_iter().zip(items).map(origin).collect()
    }

    /// The actions `list` renders, in its order, each with the item of
    /// `list` it comes from (an `@set` splice names its actionset).
    pub fn action_origins(&self, list: &GList<ActionRef>) -> Vec<ValueOrigin> {
        let mut values = Vec::new();
        let mut items = Vec::new();
        // one trail for the list, as `expand_statement` has
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            super::expand_action(self.program, &item.value, self, &mut trail, &mut values);
            let set = match &item.value {
                ActionRef::Set(name) => Some(*name),
                ActionRef::Name(_) => None,
            };
            items.resize(values.len(), (item.span, set));
        }
        values
            .into_iter()
            .zip(items)
            .map(|(value, (item, set))| ValueOrigin { value, item, set, kept_star: false })
            .collect()
    }
}
