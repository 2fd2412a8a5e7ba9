//! `pcl explain`: what a diagnostic code means.

use clap::Args;
use pcl_semantics::Code;

#[derive(Args)]
#[command(
    about = "Explain a diagnostic code, or list them all",
    after_help = "Examples:\n  pcl explain E0305\n  pcl explain            # every code"
)]
pub struct ExplainArgs {
    /// A code such as E0100 or W0501.
    pub code: Option<String>,
}

pub fn run(args: &ExplainArgs) -> u8 {
    match &args.code {
        None => {
            for code in Code::ALL {
                println!("{}  {}", code.as_str(), code.explain());
            }
            crate::EXIT_OK
        }
        Some(wanted) => match Code::ALL.iter().find(|c| c.as_str().eq_ignore_ascii_case(wanted)) {
            Some(code) => {
                let kind = if code.as_str().starts_with('W') { "warning" } else { "error" };
                println!("{} ({kind}): {}\n", code.as_str(), code.explain());
                print!("{}", terminal_text(code.explanation()));
                crate::EXIT_OK
            }
            None => {
                eprintln!("error: unknown code `{wanted}`; `pcl explain` lists them all");
                crate::EXIT_USAGE
            }
        },
    }
}

/// The Markdown explanation as terminal text: each fenced example under a
/// `Wrong:` or `Fixed:` heading, indented four spaces.
fn terminal_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if let Some(info) = line.strip_prefix("```") {
            if !in_code {
                match info.trim() {
                    "pcl wrong" => out.push_str("Wrong:\n"),
                    "pcl fixed" => out.push_str("Fixed:\n"),
                    _ => {}
                }
            }
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
