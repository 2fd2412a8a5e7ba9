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
            items.resize(values.len(), (item.span, set));
        }
        values.into_iter().zip(items).map(|(value, (item, set))| ValueOrigin { value, item, set }).collect()
    }

    /// The actions `list` renders, in its order, each with the item of
    /// `list` it comes from (an `@set` splice names its actionset).
    pub fn action_origins(&self, list: &GList<ActionRef>) -> Vec<ValueOrigin> {
        let mut values = Vec::new();
        let mut items = Vec::new();
        // one trail for the list, as `expand_statement` has
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            super::actions::expand_action(self.program, &item.value, self, &mut trail, &mut values);
            let set = match &item.value {
                ActionRef::Set(name) => Some(*name),
                ActionRef::Name(_) => None,
            };
            items.resize(values.len(), (item.span, set));
        }
        values.into_iter().zip(items).map(|(value, (item, set))| ValueOrigin { value, item, set }).collect()
    }

    /// How many `*`s the `for` templates of `list` keep as `*` (`"${b}/*"
    /// for b in buckets` with `buckets = ["*"]`, upstream's idiom, renders
    /// the param's `*` twice, which no one wrote twice: W0512 does not count
    /// them). Only a list that holds such a template reads a param here.
    pub fn kept_stars(&self, list: &GList<Value>) -> u32 {
        let each = list.items.iter().filter(|item| self.holds(&item.when)).filter_map(|item| match &item.value {
            Value::Each(each) => Some(each.list),
            _ => None,
        });
        let stars = each.map(|param| match self.params.get(param.as_str()) {
            Some(crate::ir::ParamValue::Many(values)) => values.iter().filter(|v| *v == "*").count(),
            Some(crate::ir::ParamValue::One(value)) => usize::from(value == "*"),
            None => 0,
        });
        u32::try_from(stars.sum::<usize>()).unwrap_or(u32::MAX)
    }
}
