//! Where each value of a rendered list comes from: what places a finding
//! about one value (an ARN of another partition) at the item of the list
//! that renders it, rather than at the whole list. A rendering keeps no
//! spans per value; the list is rendered again, item by item, only for a
//! finding to place.

use std::rc::Rc;

use pcl_syntax::{Name, Span};

use super::{Env, Splice, Trail, actions};
use crate::ir::{ActionRef, GList, Value};

/// One value of a list as rendered, and the item of the list it comes from.
pub struct ValueOrigin {
    pub value: String,
    /// The span of the list's item that renders it: a string, a param, a
    /// `for` template or a `@set` splice.
    pub item: Span,
    /// The sets it is spliced through, outermost first (the item's `@set`
    /// first): the last is the set it is written in. Empty for a value
    /// written in the list itself.
    pub sets: Rc<[Name]>,
}

/// The values of a list rendered so far, each with the sets it came through.
#[derive(Default)]
struct Spliced {
    values: Vec<String>,
    sets: Vec<Rc<[Name]>>,
    /// The sets being spliced, outermost first.
    path: Vec<Name>,
    /// `path`, shared by the values rendered under it (one allocation per
    /// splice entered or left, not per value).
    shared: Option<Rc<[Name]>>,
}

impl Spliced {
    fn enter(&mut self, set: Name) {
        self.path.push(set);
        self.shared = None;
    }

    fn leave(&mut self) {
        self.path.pop();
        self.shared = None;
    }

    /// Notes the path of the values rendered since the last call.
    fn note_path(&mut self) {
        if self.sets.len() < self.values.len() {
            let here = self.shared.get_or_insert_with(|| Rc::from(self.path.as_slice()));
            self.sets.resize(self.values.len(), Rc::clone(here));
        }
    }
}

impl Env<'_> {
    /// The values `values(list)` renders, in its order, each with the item
    /// of `list` it comes from.
    pub fn value_origins(&self, list: &GList<Value>) -> Vec<ValueOrigin> {
        self.value_origins_rendered_by(list, self)
    }

    /// The values of `list`, as `value_origins` gives them, with guards
    /// decided here but each value rendered by `render` (the same program
    /// and features, other params): the values line up one for one with
    /// those of `value_origins`, as a value's params change its text, not
    /// how many values an item renders.
    pub(crate) fn value_origins_rendered_by(&self, list: &GList<Value>, render: &Env<'_>) -> Vec<ValueOrigin> {
        let mut spliced = Spliced::default();
        let mut items = Vec::new();
        // one trail for the list, as `values` has: a valueset spliced twice
        // renders its values at its first splice only
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            self.value_through_sets(&item.value, render, &mut trail, &mut spliced);
            items.resize(spliced.values.len(), item.span);
        }
        let each = spliced.values.into_iter().zip(items).zip(spliced.sets);
        each.map(|((value, item), sets)| ValueOrigin { value, item, sets }).collect()
    }

    /// `value_at` of `v`, each value noted with the valuesets it comes through.
    fn value_through_sets(&self, v: &Value, render: &Env<'_>, trail: &mut Trail, spliced: &mut Spliced) {
        match v {
            Value::Set(name) => {
                spliced.enter(*name);
                self.splice_valueset(name, trail, &mut |inner, trail| {
                    self.value_through_sets(inner, render, trail, spliced);
                });
                spliced.leave();
            }
            // a leaf renders no guard and no set: its params' values are all
            // that `render` changes
            leaf => {
                render.value_at(leaf, &mut spliced.values, trail, Splice::Value);
                spliced.note_path();
            }
        }
    }

    /// The actions `list` renders, in its order, each with the item of
    /// `list` it comes from and the actionsets it comes through.
    pub fn action_origins(&self, list: &GList<ActionRef>) -> Vec<ValueOrigin> {
        let mut spliced = Spliced::default();
        let mut items = Vec::new();
        // one trail for the list, as `expand_statement` has
        let mut trail = Trail::default();
        for item in list.items.iter().filter(|item| self.holds(&item.when)) {
            self.action_through_sets(&item.value, &mut trail, &mut spliced);
            items.resize(spliced.values.len(), item.span);
        }
        let each = spliced.values.into_iter().zip(items).zip(spliced.sets);
        each.map(|((value, item), sets)| ValueOrigin { value, item, sets }).collect()
    }

    /// `expand_action` of `action`, each action noted with the actionsets
    /// it comes through.
    fn action_through_sets(&self, action: &ActionRef, trail: &mut Trail, spliced: &mut Spliced) {
        match action {
            ActionRef::Set(set) => {
                spliced.enter(*set);
                actions::splice_actionset(self.program, set, self, trail, &mut |inner, trail| {
                    self.action_through_sets(inner, trail, spliced);
                });
                spliced.leave();
            }
            ActionRef::Name(_) => {
                actions::expand_action(self.program, action, self, trail, &mut spliced.values);
                spliced.note_path();
            }
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::ValueOrigin;
    use crate::expand::{Env, expand_statement, walk_policy};
    use crate::{RootDatabase, SourceFile, analyze_file};

    /// Each value, and the sets it comes through.
    fn paths(origins: &[ValueOrigin]) -> Vec<(String, Vec<String>)> {
        origins.iter().map(|o| (o.value.clone(), o.sets.iter().map(|s| s.to_string()).collect())).collect()
    }

    fn path(value: &str, sets: &[&str]) -> (String, Vec<String>) {
        (value.to_string(), sets.iter().map(|s| (*s).to_string()).collect())
    }

    /// The origins render what the statement's rendering does, splice for
    /// splice (a set spliced again renders nothing, a guard inside a set is
    /// decided), and name the sets each value comes through.
    #[test]
    fn origins_render_what_the_statement_renders() {
        let text = r#"feature f: bool = true;
param names: list<string> = ["a", "*"];
actionset inner = [s3:GetObject, s3:PutObject when not f];
actionset outer = [@inner, s3:ListBucket, @inner];
valueset keys = ["arn:aws:s3:::k/${n}" for n in names, "arn:aws:s3:::x" when f];
valueset all = [@keys, names, @keys];
policy p { allow { action [@outer, @inner, s3:GetObject]; resource [@all, @keys, "arn:aws:s3:::y"]; } }
"#;
        let mut db = RootDatabase::default();
        let file = SourceFile::open(&mut db, "t.pcl".into(), text.into());
        let analysis = analyze_file(&db, file);
        let program = &analysis.program;
        let config = crate::config::configure(program, &[]).unwrap();
        for f in ["true", "false"] {
            let features = [("f".to_string(), f.to_string())].into();
            let env = Env::new(program, &features, &config.params);
            let mut seen = 0;
            walk_policy(program, "p", &env, &mut |s, blocks, _, _| {
                seen += 1;
                let rendered = expand_statement(program, s, blocks, &env);
                let actions = env.action_origins(&s.actions);
                let resources = env.value_origins(&s.resources);
                let values = |origins: &[ValueOrigin]| origins.iter().map(|o| o.value.clone()).collect::<Vec<_>>();
                assert_eq!(values(&actions), rendered.actions.values, "f={f}");
                assert_eq!(values(&resources), rendered.resources.values, "f={f}");
                let mut want_actions = vec![path("s3:GetObject", &["outer", "inner"])];
                if f == "false" {
                    want_actions.push(path("s3:PutObject", &["outer", "inner"]));
                }
                want_actions.extend([path("s3:ListBucket", &["outer"]), path("s3:GetObject", &[])]);
                assert_eq!(paths(&actions), want_actions, "f={f}");
                let mut want_resources = vec![path("arn:aws:s3:::k/a", &["all", "keys"]), path("*", &["all", "keys"])];
                if f == "true" {
                    want_resources.push(path("arn:aws:s3:::x", &["all", "keys"]));
                }
                want_resources.extend([path("a", &["all"]), path("*", &["all"]), path("arn:aws:s3:::y", &[])]);
                assert_eq!(paths(&resources), want_resources, "f={f}");
            });
            assert_eq!(seen, 1);
        }
    }
}
