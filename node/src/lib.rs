//! The Assent node library: everything between the crates that compile, run and store
//! contracts and the `assent` command line.
//!
//! Reading order: [`pipeline`] (source file → checked → WebAssembly) → [`executor`] (the
//! ledger's [`Executor`](assent_ledger::Executor) on the wasmtime host) → [`scenario`]
//! (`assent test`: scenario files on a fresh ledger) → [`server`] (`assent node`: the
//! JSON-RPC node) → [`client`] (the client commands' JSON-RPC, keystore and signing).
//! [`files`] and [`wording`] are the small helpers they share.

pub mod abci;
pub mod app;
pub mod client;
pub mod consensus;
pub mod executor;
pub mod explain;
pub mod fhir;
pub mod files;
pub mod pipeline;
pub mod scenario;
pub mod server;
pub mod wording;

#[cfg(test)]
mod test_support;
