//! Source file → [`assent_lang::compile_file`]: the compiler as the commands use it.

use std::path::Path;

use assent_lang::codegen::Compiled;
use assent_lang::{CompileError, diagnostics};

use crate::files;

/// A contract file compiled, with the rendered warnings the checker gave.
pub struct Built {
    pub compiled: Compiled,
    pub warnings: String,
}

/// Compiles the contract in `path` as [`compile_file`] does, and also with notes for
/// explaining its policies' decisions ([`assent_lang::compile_explaining`]).
///
/// # Errors
/// As [`compile_file`].
pub fn compile_explaining_file(path: &Path) -> Result<assent_lang::Explaining, String> {
    let name = path.to_string_lossy();
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!(
            "error: cannot read `{name}`: {}\n",
            files::describe_io_error(&error)
        )
    })?;
    match assent_lang::compile_explaining(&name, &text, &files::DiskLoader) {
        Ok(explaining) => Ok(explaining),
        Err(CompileError::Diagnostics {
            sources,
            diagnostics,
        }) => Err(diagnostics::render(&sources, &diagnostics, false)),
        Err(CompileError::Codegen(error)) => Err(format!(
            "error: cannot generate code for `{name}`: {error}\n"
        )),
    }
}

/// Compiles the contract in `path`. The file is read once: the text checked is the text
/// hashed.
///
/// # Errors
/// The rendered diagnostics when the file does not check, or the code generator's error.
pub fn compile_file(path: &Path, color: bool) -> Result<Built, String> {
    let name = path.to_string_lossy();
    match assent_lang::compile_file(&name, &files::DiskLoader) {
        Ok(compilation) => Ok(Built {
            warnings: diagnostics::render(&compilation.sources, &compilation.warnings, color),
            compiled: compilation.compiled,
        }),
        Err(CompileError::Diagnostics {
            sources,
            diagnostics,
        }) => Err(diagnostics::render(&sources, &diagnostics, color)),
        Err(CompileError::Codegen(error)) => Err(format!(
            "error: cannot generate code for `{name}`: {error}\n"
        )),
    }
}
