//! Source file → check → code generation: the compiler as the commands use it.

use std::path::Path;

use assent_lang::codegen::{self, Compiled};
use assent_lang::{check, diagnostics};

use crate::files;

/// A contract file compiled, with the rendered warnings the checker gave.
pub struct Built {
    pub compiled: Compiled,
    pub warnings: String,
}

/// Compiles the contract in `path`.
///
/// # Errors
/// The rendered diagnostics when the file does not check, or the code generator's error.
pub fn compile_file(path: &Path, color: bool) -> Result<Built, String> {
    let name = path.to_string_lossy();
    let checked = check::check_file(&name, &files::DiskLoader);
    let rendered = diagnostics::render(&checked.sources, &checked.diagnostics, color);
    let Some(contract) = checked.contract else {
        return Err(rendered);
    };
    let text = std::fs::read(path).unwrap_or_default();
    let source_hash = assent_vm::keccak256(&text).0;
    let compiled = codegen::compile(&contract, source_hash)
        .map_err(|error| format!("error: cannot generate code for `{name}`: {error}\n"))?;
    Ok(Built {
        compiled,
        warnings: rendered,
    })
}
