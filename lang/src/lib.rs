//! The Assent front end and compiler.
//!
//! The pipeline reads as its own table of contents:
//! [`syntax::parse`] (text → [`syntax::ast`]) → [`check::check_source`] (untyped tree → the
//! typed tree of [`typed`], with every static rule of the language enforced) →
//! [`codegen::compile`] (typed tree → WebAssembly module and ABI). [`compile()`] is the one
//! entry that runs them all and hashes the source. [`format`] prints a syntax tree back in
//! canonical layout.
//!
//! This crate is pure: it does no IO (imports are read through a [`check::FileLoader`]
//! the caller provides) and it never panics on any input; every problem is a
//! [`diagnostics::Diagnostic`] with a stable code and a location.

pub mod check;
pub mod codegen;
mod compile;
pub mod diagnostics;
pub mod explain;
pub mod format;
pub mod query;
pub mod span;
pub mod stack;
pub mod syntax;
pub mod typed;

/// Where `assent test --gas-report` keeps its last table (under the directory it ran in),
/// which the language server reads for its hovers: one path for the writer and the reader.
pub const GAS_REPORT_CACHE: &str = ".assent/gas-report.json";

pub use compile::{
    Compilation, CompileError, Explaining, code_text, compile, compile_explaining, compile_file,
};
