//! Name resolution and type checking: untyped tree to typed tree.
//!
//! The checker reads as its phases, run for each module in import order (a module's
//! imports are complete before it):
//! [`load`] (imports, cycles) → [`decls`] (names, types, signatures, constants) →
//! [`body`] (the body checker [`body::Cx`]: [`report`], [`scope`] and [`coerce`], then
//! expressions, statements, patterns, effects in [`expr`], [`operators`], [`methods`],
//! [`stmt`], [`pattern`], [`policy`]) → [`flow`] (`init` assignment,
//! recursion, call order) → [`build`] (the typed contract).

mod body;
mod build;
mod coerce;
mod consteval;
mod decls;
mod expr;
mod flow;
mod load;
mod methods;
mod operators;
mod pattern;
mod policy;
mod program;
mod report;
mod scope;
mod stmt;
mod types;

/// An import path resolved against the importing file's name, as the checker loads it.
pub(crate) use load::resolve_path as resolve_import_path;

use crate::diagnostics::{self, Diagnostic};
use crate::span::SourceMap;
use crate::typed;

/// Reads imported files. The checker does no IO itself: the CLI reads from disk, tests
/// from memory.
pub trait FileLoader {
    /// The text of the file at `path` (already resolved against the importing file's
    /// name), or a message saying why it cannot be read.
    fn load(&self, path: &str) -> Result<String, String>;
}

/// A short lowercase description of why a file cannot be read, as a [`FileLoader`] words
/// it for a diagnostic (the same wording for the CLI and the language server).
pub fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "the file is not valid UTF-8".to_string(),
        _ => error.to_string(),
    }
}

/// The result of checking one contract file and everything it imports.
#[derive(Debug)]
pub struct Checked {
    /// Every file read: the root first, then imports and standard-library modules.
    pub sources: SourceMap,
    /// Errors and warnings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed contract, present exactly when there is no error.
    pub contract: Option<typed::Contract>,
}

/// Checks the contract file `path`, read through `loader`.
pub fn check_file(path: &str, loader: &dyn FileLoader) -> Checked {
    match loader.load(path) {
        Ok(text) => check_source(path, &text, loader),
        Err(message) => unreadable(path, &message),
    }
}

/// The result for a contract file `path` that cannot be read: one E0104 saying why.
pub(crate) fn unreadable(path: &str, message: &str) -> Checked {
    let mut sources = SourceMap::new();
    let file = sources.add(path, "");
    Checked {
        sources,
        diagnostics: vec![diagnostics::name_errors::unreadable_file(
            file, path, message,
        )],
        contract: None,
    }
}

/// Checks contract source `text` reported under `name`; imports are read through `loader`.
pub fn check_source(name: &str, text: &str, loader: &dyn FileLoader) -> Checked {
    let mut program = program::Program::default();
    load::load(&mut program, name, text, loader);
    for module in program.order.clone() {
        decls::declare(&mut program, module);
        decls::build_scope(&mut program, module);
        decls::resolve(&mut program, module);
        body::check_module(&mut program, module);
        flow::check_module(&mut program, module);
    }
    let mut diagnostics = std::mem::take(&mut program.diags);
    diagnostics::sort(&mut diagnostics);
    let contract = if diagnostics::has_errors(&diagnostics) {
        None
    } else {
        build::contract(&mut program)
    };
    Checked {
        sources: program.sources,
        diagnostics,
        contract,
    }
}
