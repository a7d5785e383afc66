//! Source text to syntax tree: [`lexer`] (nom combinators for every lexical form),
//! [`parser`] (recursive descent with precedence climbing and error recovery).

pub mod ast;
pub mod lexer;
mod parser;
pub mod token;

pub use parser::MAX_DEPTH;

use crate::diagnostics::Diagnostic;
use crate::span::FileId;

/// Parses one contract file. Always returns a tree: after a syntax error the parser
/// recovers at the next statement or item boundary, so one run reports every error.
/// A file that does not start with `contract Name;` is an error (E0013).
pub fn parse(file: FileId, text: &str) -> (ast::SourceUnit, Vec<Diagnostic>) {
    parse_with(file, text, true)
}

/// Parses a standard-library module: like [`parse`], without `contract Name;`.
pub fn parse_library(file: FileId, text: &str) -> (ast::SourceUnit, Vec<Diagnostic>) {
    parse_with(file, text, false)
}

fn parse_with(
    file: FileId,
    text: &str,
    require_contract: bool,
) -> (ast::SourceUnit, Vec<Diagnostic>) {
    let (tokens, mut diagnostics) = lexer::lex(file, text);
    let (unit, parse_diagnostics) = parser::parse_tokens(file, tokens, require_contract);
    diagnostics.extend(parse_diagnostics);
    crate::diagnostics::sort(&mut diagnostics);
    (unit, diagnostics)
}
