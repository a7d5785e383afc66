//! The one compile entry: contract source → [`check`](crate::check) →
//! [`codegen`](crate::codegen), with the source hash the module records.

use assent_stdlib::primitives::keccak256;

use crate::check::{self, FileLoader};
use crate::codegen::{self, CodegenError, Compiled};
use crate::diagnostics::Diagnostic;
use crate::span::SourceMap;

/// A contract compiled: the module and its ABI, the hash of the source, and the warnings
/// the checker gave (with the files needed to render them).
#[derive(Debug)]
pub struct Compilation {
    /// The WebAssembly module and the ABI it carries.
    pub compiled: Compiled,
    /// Keccak-256 of the main file's bytes, as recorded in the ABI.
    pub source_hash: [u8; 32],
    /// Every file read: the root first, then imports and standard-library modules.
    pub sources: SourceMap,
    /// Warnings only (a contract with an error does not compile), sorted by file and
    /// position.
    pub warnings: Vec<Diagnostic>,
}

/// Why a contract did not compile.
#[derive(Debug)]
pub enum CompileError {
    /// The source does not check: every diagnostic (errors and warnings), sorted, with the
    /// files needed to render them.
    Diagnostics {
        sources: SourceMap,
        diagnostics: Vec<Diagnostic>,
    },
    /// The contract checks, but code generation hit a limit of the module format.
    Codegen(CodegenError),
}

/// Compiles contract source `text` reported under `name`; imports are read through
/// `loader`. The source hash is Keccak-256 of exactly the `text` checked, without its
/// properties (see [`code_text`]): properties are not code, so adding one changes
/// neither the module nor its ABI.
///
/// # Errors
/// [`CompileError::Diagnostics`] when the source does not check, [`CompileError::Codegen`]
/// when the module cannot be generated.
pub fn compile(
    name: &str,
    text: &str,
    loader: &dyn FileLoader,
) -> Result<Compilation, CompileError> {
    compile_checked(name, text, loader).map(|(compilation, _)| compilation)
}

/// [`compile`], keeping the typed contract the module was generated from.
fn compile_checked(
    name: &str,
    text: &str,
    loader: &dyn FileLoader,
) -> Result<(Compilation, crate::typed::Contract), CompileError> {
    let checked = check::check_source(name, text, loader);
    let Some(contract) = checked.contract else {
        return Err(CompileError::Diagnostics {
            sources: checked.sources,
            diagnostics: checked.diagnostics,
        });
    };
    let source_hash = if contract.properties.is_empty() {
        keccak256(text.as_bytes()).0
    } else {
        keccak256(code_text(text).as_bytes()).0
    };
    let compiled = codegen::compile(&contract, source_hash).map_err(CompileError::Codegen)?;
    let compilation = Compilation {
        compiled,
        source_hash,
        sources: checked.sources,
        warnings: checked.diagnostics,
    };
    Ok((compilation, contract))
}

/// A contract compiled from one check twice: as it is deployed, and with notes for
/// explaining its policies' decisions (see [`crate::explain`]).
#[derive(Debug)]
pub struct Explaining {
    /// The module as deployed: the code an explanation must be about.
    pub compilation: Compilation,
    /// The module with notes, for a VM made for explaining only.
    pub wasm: Vec<u8>,
    /// What each note is of.
    pub sites: crate::explain::Sites,
}

/// [`compile`], and the same contract with notes for explaining.
///
/// # Errors
/// As [`compile`].
pub fn compile_explaining(
    name: &str,
    text: &str,
    loader: &dyn FileLoader,
) -> Result<Explaining, CompileError> {
    // One check: the module as deployed and the noted copy come from the same contract.
    let (compilation, contract) = compile_checked(name, text, loader)?;
    let (noted, sites) = crate::explain::instrument(&contract, &compilation.sources);
    let explaining = codegen::compile_explaining(&noted, compilation.source_hash)
        .map_err(CompileError::Codegen)?;
    Ok(Explaining {
        compilation,
        wasm: explaining.wasm,
        sites,
    })
}

/// Compiles the contract file `path`, read (once) through `loader`.
///
/// # Errors
/// As [`compile`]; a file that cannot be read is the diagnostic
/// [`check::check_file`] gives for it.
pub fn compile_file(path: &str, loader: &dyn FileLoader) -> Result<Compilation, CompileError> {
    match loader.load(path) {
        Ok(text) => compile(path, &text, loader),
        Err(message) => {
            let checked = check::unreadable(path, &message);
            Err(CompileError::Diagnostics {
                sources: checked.sources,
                diagnostics: checked.diagnostics,
            })
        }
    }
}

/// `text` without its `property` items: each is cut out with everything between it and
/// the end of the item before it (its doc comment, blank lines, comments), so properties
/// appended to a contract leave the text that is hashed as it was.
pub fn code_text(text: &str) -> String {
    let (unit, _) = crate::syntax::parse(crate::span::FileId(0), text);
    let mut out = String::with_capacity(text.len());
    let mut kept_from = 0usize;
    let mut previous_end = unit.contract.as_ref().map_or(0, |c| c.span.end as usize);
    for item in &unit.items {
        let is_property = matches!(
            &item.kind,
            crate::syntax::ast::ItemKind::Function(f)
                if f.kind == crate::syntax::ast::FunctionKind::Property
        );
        let end = item.span.end as usize;
        if is_property {
            out.push_str(text.get(kept_from..previous_end).unwrap_or_default());
            kept_from = end;
        }
        previous_end = end;
    }
    out.push_str(text.get(kept_from..).unwrap_or_default());
    out
}
