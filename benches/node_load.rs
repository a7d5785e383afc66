//! The node under load: signed transactions from many accounts over HTTP on loopback to a
//! real `assent node` process; every one must have an `ok` receipt and the final state
//! must be what was sent. Prints throughput and inclusion latency (send → first seen in a
//! block). `cargo bench --bench node_load`; `ASSENT_LOAD_TXS` (default 20000),
//! `ASSENT_LOAD_ACCOUNTS` (200), `ASSENT_LOAD_THREADS` (8), `ASSENT_LOAD_BATCH`
//! (transactions per HTTP request, as a JSON-RPC batch; 1), `ASSENT_LOAD_RATE`
//! (transactions a second offered in all; 0, as fast as taken), `ASSENT_LOAD_BLOCK_TIME`
//! (`100ms`). Figures: docs/performance.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/node_support/mod.rs"]
mod node_support;

use node_support::{Plan, Workload, load_on, setting};

fn main() {
    // `cargo test --benches` runs this without `--bench`: nothing to measure then.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let plan = Plan::from_env(1);
    let block_time = setting("ASSENT_LOAD_BLOCK_TIME", "100ms");
    let dir = node_support::temp_dir("load-bench");
    let node = node_support::Node::start(&dir, &block_time);
    let report = load_on(std::slice::from_ref(&node.url), Workload::Bumps, &plan);
    node.stop();
    println!("node_load: counter bumps, {plan}, block time {block_time}");
    println!(
        "  all included with ok receipts and the expected final state in {:.2} s over {} blocks",
        report.elapsed.as_secs_f64(),
        report.blocks
    );
    println!(
        "  throughput {:.0} tx/s; inclusion latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        report.throughput(),
        report.p50.as_secs_f64() * 1e3,
        report.p99.as_secs_f64() * 1e3,
        report.max.as_secs_f64() * 1e3
    );
}
