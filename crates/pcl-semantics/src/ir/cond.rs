//! Conditions: what guards, derived features and constraints say of the
//! features' and params' values, and what the checks ask of them.

use pcl_syntax::Name;

/// A boolean condition over feature values (and the partition).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    Const(bool),
    /// `var == value`; bool features compare with "true"/"false".
    Is(Name, Name),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

impl Cond {
    /// The values `var` is compared with, added to `out` once each.
    /// Adds the values `var` is compared with that `out` does not hold yet,
    /// in the order first read (see `compared_values_in`).
    pub fn compared_values(&self, var: &str, out: &mut Vec<String>) {
        compared_values_in(std::iter::once(self), var, out);
    }

    /// Every value `var` is compared with, in order, repeats included.
    fn read_values<'c>(&'c self, var: &str, out: &mut Vec<&'c str>) {
        self.for_each_comparison(&mut |v, value| {
            if v == var {
                out.push(value);
            }
        });
    }

    /// Evaluates with `lookup`; an unknown variable makes the comparison false.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Is(var, value) => lookup(var).is_some_and(|v| v == *value),
            Cond::Not(c) => !c.eval(lookup),
            Cond::And(a, b) => a.eval(lookup) && b.eval(lookup),
            Cond::Or(a, b) => a.eval(lookup) || b.eval(lookup),
        }
    }

    /// This condition with `var` holding `value`, simplified: two values
    /// whose conditions come out equal decide every guard alike, whatever
    /// the other variables hold.
    pub fn with_value(&self, var: &str, value: &str) -> Cond {
        self.with_values(&mut |v| (v == var).then_some(Some(value)))
    }

    /// This condition with each comparison decided whose variable
    /// `value_of` gives a value (`Some(None)`: it has none), simplified.
    /// Depth: the guard's own (the parser bounds it).
    pub fn with_values<'v>(&self, value_of: &mut dyn FnMut(&str) -> Option<Option<&'v str>>) -> Cond {
        match self {
            Cond::Is(var, compared) => match value_of(var) {
                Some(value) => Cond::Const(value == Some(compared.as_str())),
                None => self.clone(),
            },
            Cond::Const(_) => self.clone(),
            Cond::Not(c) => match c.with_values(value_of) {
                Cond::Const(b) => Cond::Const(!b),
                c => Cond::Not(Box::new(c)),
            },
            Cond::And(a, b) => match (a.with_values(value_of), b.with_values(value_of)) {
                (Cond::Const(false), _) | (_, Cond::Const(false)) => Cond::Const(false),
                (Cond::Const(true), c) | (c, Cond::Const(true)) => c,
                (a, b) => Cond::And(Box::new(a), Box::new(b)),
            },
            Cond::Or(a, b) => match (a.with_values(value_of), b.with_values(value_of)) {
                (Cond::Const(true), _) | (_, Cond::Const(true)) => Cond::Const(true),
                (Cond::Const(false), c) | (c, Cond::Const(false)) => c,
                (a, b) => Cond::Or(Box::new(a), Box::new(b)),
            },
        }
    }

    /// `eval` with a lookup that borrows its values (no allocation per
    /// variable read: expansion decides guards millions of times).
    pub fn holds<'v>(&self, lookup: &dyn Fn(&str) -> Option<&'v str>) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Is(var, value) => lookup(var).is_some_and(|v| v == value),
            Cond::Not(c) => !c.holds(lookup),
            Cond::And(a, b) => a.holds(lookup) && b.holds(lookup),
            Cond::Or(a, b) => a.holds(lookup) || b.holds(lookup),
        }
    }

    /// Adds the variables it reads that `out` does not hold yet, in the
    /// order first read. Past a few, they are told apart by hash: a guard
    /// of thousands of terms searched the list for each (12,800: 0.6 s).
    pub fn vars(&self, out: &mut Vec<String>) {
        let mut read: Vec<&str> = Vec::new();
        self.read_vars(&mut read);
        push_new(read, out);
    }

    /// Calls `f` with every comparison (`var == value`) in it, in order.
    pub(crate) fn for_each_comparison<'c>(&'c self, f: &mut dyn FnMut(&'c str, &'c str)) {
        match self {
            Cond::Const(_) => {}
            Cond::Is(v, value) => f(v.as_str(), value.as_str()),
            Cond::Not(c) => c.for_each_comparison(f),
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.for_each_comparison(f);
                b.for_each_comparison(f);
            }
        }
    }

    /// Calls `f` with every variable read, in order, repeats included.
    pub(crate) fn for_each_var(&self, f: &mut dyn FnMut(&str)) {
        self.for_each_comparison(&mut |v, _| f(v));
    }

    /// Every variable read, in order, repeats included.
    fn read_vars<'c>(&'c self, out: &mut Vec<&'c str>) {
        self.for_each_comparison(&mut |v, _| out.push(v));
    }
}

/// A param's value unlike every literal it is compared with (no command line
/// can hold a NUL, and no file compares with one).
pub(crate) const OTHER_VALUE: &str = "\u{0}other";

/// What an optional param's use tries a param over: absence (`""`), the
/// values `conds` compare it with, and one unlike all of them.
pub(crate) fn values_tried<'c>(conds: impl IntoIterator<Item = &'c Cond>, var: &str) -> Vec<String> {
    let mut values = vec![String::new()];
    compared_values_in(conds, var, &mut values);
    values.push(OTHER_VALUE.to_string());
    values
}

/// Adds the values `var` is compared with in `conds` that `out` does not
/// hold yet, in the order first read. Past a few, they are told apart by
/// hash: a param compared with thousands of values, one per constraint,
/// searched the list for each (12,800: 0.29 s of a check).
pub fn compared_values_in<'c>(conds: impl IntoIterator<Item = &'c Cond>, var: &str, out: &mut Vec<String>) {
    let mut read: Vec<&str> = Vec::new();
    for c in conds {
        c.read_values(var, &mut read);
    }
    push_new(read, out);
}

/// Appends each of `read` that `out` does not hold yet, once, in order: by
/// a search of `out` for a few, by hash past that.
fn push_new(read: Vec<&str>, out: &mut Vec<String>) {
    if out.len() + read.len() <= 32 {
        for value in read {
            if !out.iter().any(|o| o == value) {
                out.push(value.to_owned());
            }
        }
        return;
    }
    let mut seen: rustc_hash::FxHashSet<&str> = out.iter().map(String::as_str).collect();
    let new: Vec<&str> = read.into_iter().filter(|v| seen.insert(v)).collect();
    drop(seen);
    out.extend(new.into_iter().map(str::to_owned));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(var: &str) -> Cond {
        Cond::Is(var.into(), "x".into())
    }

    /// A few variables and thousands give the same list: each once, in the
    /// order first read, after those already there.
    #[test]
    fn variables_are_listed_once_in_the_order_read() {
        for n in [3usize, 40, 5000] {
            let names: Vec<String> = (0..n).map(|i| format!("v{}", i % (n / 2 + 1))).collect();
            let cond = names
                .iter()
                .fold(Cond::Const(true), |acc, v| Cond::Or(Box::new(acc), Box::new(Cond::Not(Box::new(is(v))))));
            let mut out = vec!["v1".to_string(), "w".to_string()];
            cond.vars(&mut out);
            let mut expected = vec!["v1".to_string(), "w".to_string()];
            for v in &names {
                if !expected.contains(v) {
                    expected.push(v.clone());
                }
            }
            assert_eq!(out, expected, "{n}");
        }
    }

    /// Values that decide a condition alike come out equal, whatever the
    /// other variables: `region and region != "*"` is false at the
    /// placeholder and at `*`, true at any other value.
    #[test]
    fn a_value_decides_what_it_can_of_a_condition() {
        let not = |c: Cond| Cond::Not(Box::new(c));
        let region_is = |v: &str| Cond::Is("region".into(), v.into());
        let regional = Cond::And(Box::new(not(region_is("<p>"))), Box::new(not(region_is("*"))));
        assert_eq!(regional.with_value("region", "<p>"), Cond::Const(false));
        assert_eq!(regional.with_value("region", "*"), Cond::Const(false));
        assert_eq!(regional.with_value("region", "us-east-1"), Cond::Const(true));
        let mixed = Cond::Or(Box::new(regional.clone()), Box::new(is("fsx")));
        assert_eq!(mixed.with_value("region", "*"), is("fsx"));
        assert_eq!(mixed.with_value("region", "us-east-1"), Cond::Const(true));
        assert_eq!(mixed.with_value("other", "y"), mixed);
    }
}
