//! Ledger throughput with CPU time as well as wall time, so that the numbers mean something
//! on a machine shared with other work: `cargo run --release -p assent-vm --example
//! ledger_throughput [blocks | trie | consent [blocks] | growth [blocks]]`. `consent` deploys the sample
//! `contracts/patient_consent.assent` and runs blocks of 1,000 signed `grant` calls from
//! 1,000 distinct accounts on the wasmtime host (issue #4's benchmark); the default mode
//! uses the trivial test executor, so it shows the ledger's own cost. Prints, for k256's recovery, the ledger's recovery and blocks
//! of 1,000 signed calls committed to redb: transactions per wall second and CPU time per
//! transaction. For recovery, which parallelises fully, it also prints the rate two idle
//! cores reach at that CPU cost; for blocks, where only recovery is parallel, the estimate
//! is `1 / (recovery CPU / 2 + the rest of the CPU)`, IO waits not included.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../ledger/tests/ledger_common/mod.rs"]
mod common;

use assent_ledger::tx::{SignedTransaction, create_address, recover_all, recover_prehash_k256};
use assent_ledger::{Address, Chain, RedbStore};
use common::{TestExecutor, address, call, config, deploy};
use std::time::{Duration, Instant};

/// CPU time of this process, all threads, from `/proc/self/stat` (in 10 ms ticks).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the parenthesised command name; utime and stime are 14th and 15th.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn signed_block(contract: Address, nonce: u64) -> Vec<Vec<u8>> {
    (0..1_000)
        .map(|j| {
            let args = format!(r#"{{"key":"k{j}","value":"v{nonce}"}}"#);
            call(&format!("account{j}"), nonce, contract, "set", &args)
        })
        .collect()
}

/// Runs `work`, prints wall rate and CPU per transaction plus the idle-2-core estimate
/// `estimate(cpu per tx)`, and returns the CPU seconds per transaction.
fn measure(
    name: &str,
    transactions: u64,
    estimate: impl Fn(f64) -> f64,
    work: impl FnOnce() -> Duration,
) -> f64 {
    let cpu_start = cpu_time();
    let wall = work();
    let cpu = cpu_time() - cpu_start;
    let per_wall = transactions as f64 / wall.as_secs_f64();
    let cpu_per_tx = cpu.as_secs_f64() / transactions as f64;
    println!(
        "{name:<52} {per_wall:>7.0} tx/s wall  {:>6.1} µs CPU/tx  ~{:>6.0} tx/s on 2 idle cores",
        cpu_per_tx * 1e6,
        estimate(cpu_per_tx)
    );
    cpu_per_tx
}

/// Recover-only rates over `blocks` of signed transactions: k256's own recovery on two
/// threads (named `k256_name`), then the ledger's decode + `recover_all`. Returns the
/// ledger's CPU seconds per transaction.
fn recover_only(k256_name: &str, blocks: &[&[Vec<u8>]]) -> f64 {
    let total = blocks.len() as u64 * 1_000;
    // Decoding and signing hashes are not part of k256's figure.
    let decoded: Vec<Vec<(SignedTransaction, _)>> = blocks
        .iter()
        .map(|block| {
            block
                .iter()
                .map(|raw| {
                    let tx = SignedTransaction::decode(raw).unwrap();
                    let prehash = tx.tx().signing_hash();
                    (tx, prehash)
                })
                .collect()
        })
        .collect();
    measure(k256_name, total, parallel, || {
        let start = Instant::now();
        for block in &decoded {
            std::thread::scope(|scope| {
                for half in block.chunks(block.len().div_ceil(2).max(1)) {
                    scope.spawn(move || {
                        for (tx, prehash) in half {
                            std::hint::black_box(
                                recover_prehash_k256(prehash, tx.signature()).unwrap(),
                            );
                        }
                    });
                }
            });
        }
        start.elapsed()
    });
    measure(
        "ledger decode + recover_all (all cores)",
        total,
        parallel,
        || {
            let start = Instant::now();
            for block in blocks {
                std::hint::black_box(recover_all(block, common::CHAIN_ID));
            }
            start.elapsed()
        },
    )
}

fn parallel(cpu_per_tx: f64) -> f64 {
    2.0 / cpu_per_tx
}

/// The trie root of 1M random keys, with wall and CPU time.
fn trie_root_of_1m_keys() {
    let keys: Vec<[u8; 32]> = (0..1_000_000u64)
        .map(|i| assent_ledger::keccak256(&i.to_be_bytes()).0)
        .collect();
    let cpu_start = cpu_time();
    let start = Instant::now();
    let store = std::collections::BTreeMap::<assent_ledger::Hash, Vec<u8>>::new();
    let mut trie = assent_ledger::trie::Trie::new();
    for key in &keys {
        trie.insert(&store, key, key[..20].to_vec()).unwrap();
    }
    let inserted = cpu_time() - cpu_start;
    let committed = trie.commit_parallel();
    let wall = start.elapsed();
    let cpu = cpu_time() - cpu_start;
    println!(
        "trie root of 1M random keys: {:.2} s wall, {:.2} s CPU ({:.2} s inserting, the rest hashing), {} nodes, root {}",
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        inserted.as_secs_f64(),
        committed.nodes.len(),
        committed.root
    );
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("trie") => return trie_root_of_1m_keys(),
        Some("growth") => {
            let blocks = std::env::args()
                .nth(2)
                .and_then(|a| a.parse().ok())
                .unwrap_or(100);
            // `growth N all`: every trie node a block touches stays in memory, as before
            // the chain kept only the upper levels;
            // `growth N K`: K levels (the default otherwise).
            let levels = match std::env::args().nth(3).as_deref() {
                Some("all") => usize::MAX,
                Some(levels) => levels
                    .parse()
                    .unwrap_or(assent_ledger::chain::LOADED_LEVELS),
                None => assent_ledger::chain::LOADED_LEVELS,
            };
            return growth(blocks, levels);
        }
        Some("consent") => {
            let blocks = std::env::args()
                .nth(2)
                .and_then(|a| a.parse().ok())
                .unwrap_or(10);
            return consent_grants(blocks);
        }
        _ => {}
    }
    let blocks: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let contract = create_address(&address("deployer"), 0);
    let sample = signed_block(contract, 0);
    let decoded: Vec<SignedTransaction> = sample
        .iter()
        .map(|raw| SignedTransaction::decode(raw).unwrap())
        .collect();
    let prehashes: Vec<_> = decoded.iter().map(|tx| tx.tx().signing_hash()).collect();
    let total = blocks * 1_000;

    measure(
        "k256 VerifyingKey::recover_from_prehash, 1 thread",
        total,
        parallel,
        || {
            let start = Instant::now();
            for _ in 0..blocks {
                for (tx, prehash) in decoded.iter().zip(&prehashes) {
                    std::hint::black_box(recover_prehash_k256(prehash, tx.signature()).unwrap());
                }
            }
            start.elapsed()
        },
    );
    let sample_blocks: Vec<&[Vec<u8>]> = (0..blocks).map(|_| sample.as_slice()).collect();
    let recovery = recover_only(
        "k256 VerifyingKey::recover_from_prehash, 2 threads",
        &sample_blocks,
    );

    let dir = std::env::temp_dir().join(format!("assent-throughput-{}", std::process::id()));
    let mut chain = fresh_chain(&dir);
    let time = chain.head().time;
    chain
        .produce_block(&mut TestExecutor, time + 1, &[deploy("deployer", 0)])
        .unwrap();
    // Signing is the clients' work: all blocks are signed before the clock starts.
    let signed: Vec<Vec<Vec<u8>>> = (0..blocks).map(|n| signed_block(contract, n)).collect();
    let sequential = |cpu_per_tx: f64| 1.0 / (recovery / 2.0 + (cpu_per_tx - recovery));
    measure(
        "blocks of 1000 calls, durable redb commit",
        total,
        sequential,
        || {
            produce_blocks(&mut chain, &mut TestExecutor, &signed, |result| {
                assert_eq!(result.receipts.len(), 1_000);
            })
        },
    );
    drop(chain);
    let _ = std::fs::remove_dir_all(dir);
}

/// An empty durable chain in `dir` (emptied first).
fn fresh_chain(dir: &std::path::Path) -> Chain<RedbStore> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    Chain::open(RedbStore::open(&dir.join("ledger.redb")).unwrap(), config()).unwrap()
}

/// Produces one block per entry of `signed` (recovering each block's signatures while it
/// runs), hands each result to `check`, and returns the wall time taken.
fn produce_blocks(
    chain: &mut Chain<RedbStore>,
    executor: &mut dyn assent_ledger::Executor,
    signed: &[Vec<Vec<u8>>],
    mut check: impl FnMut(&assent_ledger::chain::BlockResult),
) -> Duration {
    let start = Instant::now();
    for block in signed {
        let time = chain.head().time + 1;
        check(&chain.produce_block(executor, time, block).unwrap());
    }
    start.elapsed()
}

struct NoFiles;

impl assent_lang::check::FileLoader for NoFiles {
    fn load(&self, path: &str) -> Result<String, String> {
        Err(format!(
            "`{path}`: the sample contract imports only the standard library"
        ))
    }
}

/// Block `n` of consent grants: account `j` grants `doctor{j}` TREAT access to its Lab
/// results for a year (each block's grants replace the previous block's).
fn grant_block(contract: Address, n: u64, genesis: u64) -> Vec<Vec<u8>> {
    let until = assent_stdlib::time::format_time(genesis as i64 + 365 * 86_400 + n as i64);
    (0..1_000)
        .map(|j| {
            let grantee = address(&format!("doctor{j}"));
            let args = format!(
                r#"{{"grantee":"{grantee}","purposes":["TREAT"],"classes":["Lab"],"until":"{until}"}}"#
            );
            call(&format!("patient{j}"), n, contract, "grant", &args)
        })
        .collect()
}

/// The sample consent contract, compiled.
fn consent_module() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../contracts/patient_consent.assent"
    );
    let source = std::fs::read_to_string(path).unwrap();
    assent_lang::compile("patient_consent.assent", &source, &NoFiles)
        .expect("the sample contract compiles")
        .compiled
        .wasm
}

/// A fresh durable chain in `dir` with the consent contract deployed by `hospital` in
/// block 1; its executor.
fn consent_chain(
    dir: &std::path::Path,
    module: &[u8],
) -> (Chain<RedbStore>, assent_node::executor::VmExecutor) {
    use assent_ledger::tx::Transaction;
    let mut chain = fresh_chain(dir);
    let mut executor =
        assent_node::executor::VmExecutor::new(assent_vm::VmConfig::default()).unwrap();
    let deployment = common::sign(
        "hospital",
        Transaction {
            chain_id: common::CHAIN_ID,
            nonce: 0,
            gas_limit: 10_000_000,
            to: None,
            method: String::new(),
            args: String::new(),
            code: module.to_vec(),
        },
    );
    let time = chain.head().time + 1;
    let deployed = chain
        .produce_block(&mut executor, time, &[deployment])
        .unwrap();
    assert_eq!(deployed.receipts.len(), 1, "the deployment is in the block");
    (chain, executor)
}

/// Checks a block of grants: all in, all ok; returns their gas.
fn grants_gas(result: &assent_ledger::chain::BlockResult) -> u64 {
    assert_eq!(result.receipts.len(), 1_000, "every grant is in its block");
    result
        .receipts
        .iter()
        .map(|receipt| {
            assert_eq!(
                receipt.status,
                assent_ledger::receipt::Status::Ok,
                "{receipt:?}"
            );
            receipt.gas_used
        })
        .sum()
}

/// Issue #4's benchmark: the sample consent contract deployed, then blocks of 1,000
/// signed grants from 1,000 accounts executed on the wasmtime host and committed to redb;
/// the k256 recover-only rate over the same transactions, in the same run, as the ceiling.
/// Two ways, each on a fresh chain: `produce_block` recovering each block's signatures
/// while it runs, and a pipeline recovering the next block's while this one runs and
/// commits (`produce_verified_block`, as the node does, which recovers on admission).
fn consent_grants(blocks: u64) {
    let module = consent_module();
    let genesis = config().genesis_time;
    let contract = create_address(&address("hospital"), 0);
    // Signing is the clients' work: every block is signed before the clock starts.
    let signed: Vec<Vec<Vec<u8>>> = (0..blocks)
        .map(|n| grant_block(contract, n, genesis))
        .collect();
    let total = blocks * 1_000;
    let signed_blocks: Vec<&[Vec<u8>]> = signed.iter().map(Vec::as_slice).collect();
    let recovery = recover_only(
        "ceiling: k256 recover_from_prehash, 2 threads",
        &signed_blocks,
    );
    let sequential = |cpu_per_tx: f64| 1.0 / (recovery / 2.0 + (cpu_per_tx - recovery));
    let base = std::env::temp_dir().join(format!("assent-consent-{}", std::process::id()));

    let (mut chain, mut executor) = consent_chain(&base.join("in-block"), &module);
    let mut gas = 0;
    measure(
        "consent grants, recovery within each block",
        total,
        sequential,
        || {
            produce_blocks(&mut chain, &mut executor, &signed, |result| {
                gas += grants_gas(result);
            })
        },
    );
    let in_block_head = chain.head().clone();
    drop(chain);
    println!(
        "{} grants, {} gas each on average, {} compilations of the contract",
        total,
        gas / total,
        executor.compilations()
    );

    let (mut chain, mut executor) = consent_chain(&base.join("pipelined"), &module);
    measure(
        "consent grants, next block recovered while one runs",
        total,
        parallel,
        || {
            let start = Instant::now();
            std::thread::scope(|scope| {
                // One recovered block ahead: the recovery of block n + 1 overlaps block n.
                let (ready, recovered) = std::sync::mpsc::sync_channel(1);
                scope.spawn(|| {
                    for block in &signed {
                        if ready.send(recover_all(block, common::CHAIN_ID)).is_err() {
                            break;
                        }
                    }
                    drop(ready);
                });
                for verified in recovered {
                    let time = chain.head().time + 1;
                    let result = chain
                        .produce_verified_block(&mut executor, time, verified)
                        .unwrap();
                    grants_gas(&result);
                }
            });
            start.elapsed()
        },
    );
    assert_eq!(
        chain.head(),
        &in_block_head,
        "both ways make the same chain"
    );
    drop(chain);
    let _ = std::fs::remove_dir_all(base);
}

/// Block `n` of grants from 1,000 accounts that appear for the first time: account
/// `p{n}_{j}` grants `doctor{j}` TREAT access to its Lab results for a year.
fn fresh_grant_block(contract: Address, n: u64, genesis: u64) -> Vec<Vec<u8>> {
    let until = assent_stdlib::time::format_time(genesis as i64 + 365 * 86_400);
    (0..1_000)
        .map(|j| {
            let grantee = address(&format!("doctor{j}"));
            let args = format!(
                r#"{{"grantee":"{grantee}","purposes":["TREAT"],"classes":["Lab"],"until":"{until}"}}"#
            );
            call(&format!("p{n}_{j}"), 0, contract, "grant", &args)
        })
        .collect()
}

/// Issue #17's growth benchmark: blocks of 1,000 consent grants from fresh accounts (a
/// million accounts at block 1,000), each block executed and then committed durably; the
/// execution and commit times and the database size around blocks 10, 100 and 1,000 (and
/// every tenth of the run), so that a cost growing with the chain shows.
fn growth(blocks: u64, levels: usize) {
    let module = consent_module();
    let genesis = config().genesis_time;
    let contract = create_address(&address("hospital"), 0);
    let signing = Instant::now();
    // Signing is the clients' work, done before the clock starts, on both cores.
    let halves: Vec<Vec<Vec<Vec<u8>>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2u64)
            .map(|half| {
                scope.spawn(move || {
                    (0..blocks)
                        .filter(|n| n % 2 == half)
                        .map(|n| fresh_grant_block(contract, n, genesis))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut halves = halves.into_iter();
    let mut evens = halves.next().unwrap().into_iter();
    let mut odds = halves.next().unwrap().into_iter();
    let signed: Vec<Vec<Vec<u8>>> = (0..blocks)
        .map(|n| {
            if n % 2 == 0 {
                evens.next()
            } else {
                odds.next()
            }
            .unwrap()
        })
        .collect();
    println!(
        "signed {} grants from fresh accounts in {:.1} s",
        blocks * 1_000,
        signing.elapsed().as_secs_f64()
    );
    let dir = std::env::temp_dir().join(format!("assent-growth-{}", std::process::id()));
    let (mut chain, mut executor) = consent_chain(&dir, &module);
    chain.keep_loaded_levels(levels);
    let db = dir.join("ledger.redb");
    let mut execute_times = Vec::new();
    let mut commit_times = Vec::new();
    let mut node_counts = Vec::new();
    let checkpoints: Vec<u64> = [10, 100, 1_000]
        .into_iter()
        .chain((1..=10).map(|tenth| blocks * tenth / 10))
        .filter(|&b| b >= 1 && b <= blocks)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    println!(
        "{:>6} {:>10} {:>11} {:>10} {:>7} {:>10} {:>8} {:>9} {:>12}",
        "block",
        "accounts",
        "execute ms",
        "commit ms",
        "nodes",
        "µs/node",
        "tx/s",
        "db MB",
        "bytes/grant"
    );
    let start = Instant::now();
    for (n, raw) in signed.iter().enumerate() {
        let time = chain.head().time + 1;
        let t0 = Instant::now();
        let sealed = chain.execute_block(&mut executor, time, raw).unwrap();
        node_counts.push(sealed.node_count());
        let t1 = Instant::now();
        let result = chain.commit(sealed).unwrap();
        let t2 = Instant::now();
        grants_gas(&result);
        execute_times.push(t1 - t0);
        commit_times.push(t2 - t1);
        let block = n as u64 + 1;
        if checkpoints.contains(&block) {
            // Medians over the last ten blocks (or all of them, early on).
            let window = |times: &[Duration]| {
                let mut last: Vec<Duration> = times[times.len().saturating_sub(10)..].to_vec();
                last.sort();
                last[last.len() / 2]
            };
            let execute = window(&execute_times);
            let commit = window(&commit_times);
            let nodes = node_counts[node_counts.len().saturating_sub(10)..]
                .iter()
                .sum::<usize>()
                / node_counts.len().min(10);
            // The file grows by doubling; the bytes in use are what its pages hold.
            let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
            println!(
                "{:>6} {:>10} {:>11.1} {:>10.1} {:>7} {:>10.2} {:>8.0} {:>9.1} {:>12.0}",
                block,
                block * 1_000,
                execute.as_secs_f64() * 1e3,
                commit.as_secs_f64() * 1e3,
                nodes,
                commit.as_secs_f64() * 1e6 / nodes as f64,
                1_000.0 / (execute + commit).as_secs_f64(),
                size as f64 / 1e6,
                size as f64 / (block * 1_000) as f64
            );
            // Resident memory: the state trie the chain keeps in memory grows with the
            // accounts, and redb's page cache (up to 1 GiB) with the file; the signed
            // transactions waiting to run are counted too.
            let resident = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
                .map_or(0, |pages| pages * 4096);
            println!(
                "{:>6} resident {:.0} MB, of which signed transactions not yet run {:.0} MB",
                "",
                resident as f64 / 1e6,
                signed[n + 1..]
                    .iter()
                    .flatten()
                    .map(Vec::len)
                    .sum::<usize>() as f64
                    / 1e6
            );
            let tables = chain.store().table_sizes().unwrap();
            let per_grant = |bytes: u64| bytes as f64 / (block * 1_000) as f64;
            println!(
                "{:>6} per grant, in pages (stored): {}",
                "",
                tables
                    .iter()
                    .map(|table| format!(
                        "{} {:.0} B ({:.0} B)",
                        table.name,
                        per_grant(table.pages * 4096),
                        per_grant(table.stored_bytes)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    println!(
        "{} blocks in {:.1} s: {:.0} tx/s overall",
        blocks,
        start.elapsed().as_secs_f64(),
        (blocks * 1_000) as f64 / start.elapsed().as_secs_f64()
    );
    drop(chain);
    let _ = std::fs::remove_dir_all(dir);
}
