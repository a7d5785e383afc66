//! The Assent language server behind `assent lsp`: the same checker, codes and wording as
//! `assent check`, served to an editor over the Language Server Protocol on stdio.
//!
//! Reading order: [`text`] (positions and URIs as the protocol counts them) →
//! [`documents`] (the open files, and imports read from them before the disk) →
//! [`features`] (diagnostics, document symbols, formatting) → [`analysis`] (each
//! document's last check, indexed by `assent_lang::query`) → [`answers`] (definition,
//! references, hover, completion, rename) → [`server`] (the message loop). The server never panics on what a client sends: a request it cannot answer
//! gets an error response, a notification it cannot use is ignored.

pub mod analysis;
pub mod answers;
pub mod documents;
pub mod features;
pub mod server;
pub mod text;

pub use server::run_stdio;
