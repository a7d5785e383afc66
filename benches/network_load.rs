//! Four validators against one node, in one run: the same signed consent grants (by
//! default 20,000 from 200 patients) sent over HTTP, first to a single `assent node`, then
//! round-robin to the four validators of a local network (`assent testnet 4`), each an
//! `assent node --home` process on this machine. Every grant must have an `ok` receipt and
//! every patient its grants; the validators must end at the same block. Prints throughput
//! and finality latency (send → seen in a committed block, which on a network is final).
//!
//! `cargo bench --bench network_load`; `ASSENT_LOAD_TXS` (default 20000),
//! `ASSENT_LOAD_ACCOUNTS` (200), `ASSENT_LOAD_THREADS` (8), `ASSENT_LOAD_BATCH` (50),
//! `ASSENT_LOAD_BLOCK_TIME` (the single node's, `1s`: a validator's height takes at least
//! one second too), `ASSENT_LOAD_VALIDATORS` (4), `ASSENT_LOAD_RATE` (transactions a
//! second offered in all; 0, the default, sends as fast as the node takes them, which
//! measures throughput, while finality latency then includes the wait behind the backlog
//! the senders build). Figures: docs/performance.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/node_support/mod.rs"]
mod node_support;

use std::time::Duration;

use node_support::network::{Validator, max_head, testnet, wait_for_height};
use node_support::{LoadReport, Node, Plan, Workload, load_on, setting, temp_dir};

const CHAIN_ID: u64 = 4343;

/// One line of results; `cpu` is what the node or all validators used during the run.
fn print(what: &str, report: &LoadReport, cpu: Duration) {
    println!(
        "  {what}: {:.0} tx/s ({} in {:.2} s over {} blocks); finality p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; CPU {:.1} s, {:.0} µs a transaction",
        report.throughput(),
        report.transactions,
        report.elapsed.as_secs_f64(),
        report.blocks,
        report.p50.as_secs_f64() * 1e3,
        report.p99.as_secs_f64() * 1e3,
        report.max.as_secs_f64() * 1e3,
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / report.transactions as f64
    );
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: nothing to measure then.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let plan = Plan::from_env(50);
    let block_time = setting("ASSENT_LOAD_BLOCK_TIME", "1s");
    let count: usize = setting("ASSENT_LOAD_VALIDATORS", "4").parse().unwrap();
    let grants = |urls: &[String]| load_on(urls, Workload::Grants, &plan);
    println!("network_load: consent grants, {plan}");

    let dir = temp_dir("network-bench");
    let node = Node::start(&dir.join("single"), &block_time);
    let before = node.cpu_time();
    let single = grants(std::slice::from_ref(&node.url));
    let cpu = node.cpu_time() - before;
    node.stop();
    print(&format!("one node, block time {block_time}"), &single, cpu);

    let homes = testnet(&dir.join("net"), count, CHAIN_ID);
    let validators: Vec<Validator> = homes
        .iter()
        .map(|home| Validator::start(home, false))
        .collect();
    let all: Vec<usize> = (0..count).collect();
    wait_for_height(&validators, &all, 2, Duration::from_secs(60));
    let urls: Vec<String> = validators.iter().map(|v| v.url.clone()).collect();
    let cpu = || validators.iter().map(Validator::cpu_time).sum::<Duration>();
    let before = cpu();
    let network = grants(&urls);
    let used = cpu() - before;
    // Every validator reaches the same block past the last grant.
    let height = max_head(&validators, &all) + 1;
    wait_for_height(&validators, &all, height, Duration::from_secs(60));
    let block = validators[0].block(height);
    for validator in &validators[1..] {
        assert_eq!(validator.block(height), block, "block {height} differs");
    }
    print(&format!("{count} validators"), &network, used);
    drop(validators);
}
