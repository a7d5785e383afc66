//! `assent lsp`: the language server, on stdin and stdout (docs/editors.md).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> ExitCode {
    match assent_lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: assent lsp: {message}");
            ExitCode::FAILURE
        }
    }
}
