//! Name resolution and type checking: untyped tree to typed tree.

use crate::diagnostics::Diagnostic;
use crate::span::SourceMap;
use crate::typed;

/// Reads imported files. The checker does no IO itself: the CLI reads from disk, tests
/// from memory.
pub trait FileLoader {
    /// The text of the file at `path` (already resolved against the importing file's
    /// name), or a message saying why it cannot be read.
    fn load(&self, path: &str) -> Result<String, String>;
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
        Err(_) => Checked {
            sources: SourceMap::new(),
            diagnostics: Vec::new(),
            contract: None,
        },
    }
}

/// Checks contract source `text` reported under `name`; imports are read through `loader`.
pub fn check_source(name: &str, text: &str, loader: &dyn FileLoader) -> Checked {
    // Until the checker lands: syntax only.
    let _ = loader;
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let (_, diagnostics) = crate::syntax::parse(file, text);
    Checked {
        sources,
        diagnostics,
        contract: None,
    }
}
