//! The groups against all the constraints tried at once.

use super::*;

fn is(var: &str, value: &str) -> Cond {
    Cond::Is(var.into(), value.into())
}

fn two(var: &str) -> Option<std::borrow::Cow<'static, [String]>> {
    (var != "unknown").then(|| std::borrow::Cow::Owned(vec!["false".to_string(), "true".to_string()]))
}

/// What `hold_together` says over every constraint at once, the way it
/// was decided before there were groups.
fn directly(constraints: &[&Cond]) -> bool {
    crate::assignments::jointly_satisfiable(constraints, &two) == Some(true)
}

#[test]
fn groups_answer_as_all_the_constraints_tried_at_once() {
    let never = |v: &str| Cond::And(Box::new(is(v, "true")), Box::new(Cond::Not(Box::new(is(v, "true")))));
    let cases: Vec<Vec<Cond>> = vec![
        vec![],
        vec![is("a", "true"), is("b", "true")],
        vec![is("a", "true"), never("b")],
        vec![is("a", "true"), is("unknown", "x")],
        // thirteen two-valued groups: past the limit together
        (0..13).map(|i| is(&format!("v{i}"), "true")).collect(),
        (0..12).map(|i| is(&format!("v{i}"), "true")).collect(),
        // one group through a shared variable
        vec![is("a", "true"), Cond::Or(Box::new(is("a", "false")), Box::new(is("b", "true"))), never("b")],
    ];
    for constraints in &cases {
        let refs: Vec<&Cond> = constraints.iter().collect();
        let groups = ConstraintGroups::build(&refs, &two);
        assert_eq!(hold_together(&[], &groups.all(), &two), directly(&refs), "{constraints:?}");
        // a guard reaching the first variable: its groups are tried as
        // local constraints, the rest summed up
        let (local, outside) = groups.split(&["a".to_string()]);
        let local: Vec<&Cond> = local.iter().filter_map(|&i| refs.get(i).copied()).collect();
        assert_eq!(hold_together(&local, &outside, &two), directly(&refs), "{constraints:?}");
    }
}

#[test]
fn a_guard_reaches_only_the_groups_of_its_variables() {
    let constraints = [
        is("a", "true"),
        Cond::Or(Box::new(is("b", "true")), Box::new(is("c", "true"))),
        is("c", "false"),
        is("d", "true"),
    ];
    let refs: Vec<&Cond> = constraints.iter().collect();
    let groups = ConstraintGroups::build(&refs, &two);
    assert_eq!(groups.split(&["b".to_string()]).0, vec![1, 2]);
    assert_eq!(groups.split(&["d".to_string(), "a".to_string()]).0, vec![0, 3]);
    let (none, outside) = groups.split(&["e".to_string()]);
    assert!(none.is_empty());
    assert_eq!(outside, groups.all());
    assert_eq!(outside.assignments, Some(2 * 4 * 2));
}

/// Outside the groups a use reaches, the groups summed up with params
/// ranging over the values their group compares them with hold together
/// exactly when those constraints, tried together with each param
/// ranging over the values every constraint compares it with, do.
#[test]
fn params_outside_are_summed_up_as_all_the_constraints_tried() {
    let params = ["p", "q"];
    let is_param = |v: &str| params.contains(&v);
    // params have no domain in the symbol table
    let features = |v: &str| if is_param(v) { None } else { two(v) };
    let cases: Vec<Vec<Cond>> = vec![
        vec![is("p", "x"), is("a", "true")],
        vec![is("p", "x"), Cond::Not(Box::new(is("p", "x")))],
        vec![Cond::Or(Box::new(is("p", "x")), Box::new(is("a", "true"))), is("q", "y"), is("q", "z")],
        vec![Cond::And(Box::new(is("p", "x")), Box::new(is("p", "y"))), is("b", "true")],
        vec![is("q", ""), is("unknown", "x"), is("a", "true")],
        (0..13).map(|i| is(&format!("v{i}"), "true")).chain([is("p", "x")]).collect(),
    ];
    let mut tried = 0;
    for constraints in &cases {
        let refs: Vec<&Cond> = constraints.iter().collect();
        let groups = ConstraintGroups::build(&refs, &features).with_param_facts(&refs, &features, &is_param);
        for reached_var in ["a", "b", "p", "q", "v0", "none"] {
            let reach = groups.reach(&[reached_var.to_string()]);
            let reached = groups.constraints(&reach);
            let outside: Vec<&Cond> =
                refs.iter().enumerate().filter(|(at, _)| !reached.contains(at)).map(|(_, c)| *c).collect();
            let every_value = |v: &str| {
                features(v).or_else(|| {
                    is_param(v).then(|| {
                        let mut values = vec![String::new()];
                        for c in &refs {
                            c.compared_values(v, &mut values);
                        }
                        values.push("\u{0}other".to_string());
                        std::borrow::Cow::Owned(values)
                    })
                })
            };
            let expected = hold_together(&outside, &Outside::NONE, &every_value);
            let summed = groups.outside_with_params(&reach).unwrap_or_else(|| groups.outside(&reach));
            tried += usize::from(groups.outside(&reach).unknown && !summed.unknown);
            assert_eq!(hold_together(&[], &summed, &every_value), expected, "{constraints:?} reaching {reached_var}");
        }
    }
    // the summing up with params was what decided most of them
    assert!(tried >= 12, "{tried}");
}
