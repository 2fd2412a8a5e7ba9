//! `pcl lsp`: the language server, over stdio.

use clap::Args;

#[derive(Args)]
#[command(
    about = "Run the language server on stdin/stdout (for editors)",
    after_help = "Editors start it themselves; see the README for VS Code, Neovim and Helix.\nExit status: 0 after `shutdown` and `exit`, 1 otherwise (an `exit` without `shutdown`, a failed connection)."
)]
pub struct LspArgs {}

pub fn run(_args: &LspArgs) -> u8 {
    match pcl_cli::lsp::run_stdio() {
        Ok(()) => crate::EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            crate::EXIT_ERRORS
        }
    }
}
