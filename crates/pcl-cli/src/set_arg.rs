//! `--set NAME=VALUE`: the command line's syntax for a configuration, parsed
//! by clap into the `(name, value)` pairs `pcl_semantics::config::configure`
//! takes.

/// clap's value parser for `--set`: `NAME=VALUE`, with a non-empty NAME.
pub fn parse(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.trim().to_string())),
        _ => Err(format!(
            "`{raw}` is not of the form NAME=VALUE (e.g. `--set scheduler=awsbatch` or `--set account=123456789012`)"
        )),
    }
}

/// How an assignment is shown in messages.
pub fn show((name, value): &(String, String)) -> String {
    format!("--set {name}={value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_equals_value() {
        assert_eq!(parse("a=b"), Ok(("a".into(), "b".into())));
        assert_eq!(parse(" fsx_arns = x,y "), Ok(("fsx_arns".into(), "x,y".into())));
        assert_eq!(parse("empty="), Ok(("empty".into(), String::new())));
        assert!(parse("noeq").is_err());
        assert!(parse("=x").is_err());
        assert!(parse(" =x").is_err());
    }
}
