//! The adversarial suite: a real `assent node` attacked as an outsider would (LEDGER.md
//! §2, §5, §6). One test per finding of the reliability review; each asserts liveness and
//! bounded resources with generous time bounds only — measured times belong in benchmarks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../node_support/mod.rs"]
mod node_support;

mod gas;
mod inputs;
mod liveness;
mod rpc;
