//! The scenario runner behind `assent test` (LEDGER.md §7).
//!
//! Reading order: [`file`] (the `*.scenario.json` format) → [`accounts`] (names standing
//! for development accounts and deployed contracts) → [`runner`] (steps on the real
//! ledger and executor) → [`expect`] (expectations and diffs) → [`report`] (output).

pub mod accounts;
pub mod expect;
pub mod file;
pub mod report;
pub mod runner;

pub use runner::{Options, run};
