//! Ledger benchmarks: the trie root of 1M random keys, 10k incremental updates per block,
//! k256 recovery alone (one core and all cores), and signed transactions through blocks of
//! 1,000 committed durably to redb, all in one run so the numbers compare; and a
//! contract-filtered log query over one transaction's 10,000 events.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/ledger_common/mod.rs"]
mod common;

use assent_ledger::chain::LogFilter;
use assent_ledger::primitives::keccak256;
use assent_ledger::trie::Trie;
use assent_ledger::tx::{SignedTransaction, create_address, recover_all, recover_prehash_k256};
use assent_ledger::{Chain, Hash, MemoryStore, RedbStore, Store};
use common::{TestExecutor, address, call, config, deploy};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Deterministic pseudo-random 32-byte keys.
fn keys(count: usize, seed: u64) -> Vec<[u8; 32]> {
    (0..count as u64)
        .map(|i| keccak256(&[seed.to_be_bytes(), i.to_be_bytes()].concat()).0)
        .collect()
}

fn trie_root_of_1m_keys(c: &mut Criterion) {
    let keys = keys(1_000_000, 1);
    let mut group = c.benchmark_group("trie");
    group.sample_size(10);
    group.throughput(Throughput::Elements(keys.len() as u64));
    group.bench_function("root of 1M random keys (insert + hash)", |b| {
        b.iter(|| {
            let store = BTreeMap::<Hash, Vec<u8>>::new();
            let mut trie = Trie::new();
            for key in &keys {
                trie.insert(&store, key, key[..20].to_vec()).unwrap();
            }
            black_box(trie.commit_parallel().root)
        });
    });
    group.finish();
}

fn incremental_updates(c: &mut Criterion) {
    // A state of 1M entries, committed; then each block changes 10k entries (half updates
    // of existing keys, half new keys) and rehashes only the changed paths.
    let base = keys(1_000_000, 2);
    let mut store = BTreeMap::<Hash, Vec<u8>>::new();
    let mut trie = Trie::new();
    for key in &base {
        trie.insert(&store, key, key[..20].to_vec()).unwrap();
    }
    store.extend(trie.commit().nodes);
    let mut round = 0u64;
    let mut group = c.benchmark_group("trie");
    group.sample_size(20);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("10k updates per block on 1M entries (update + hash)", |b| {
        b.iter_batched(
            || {
                round += 1;
                let fresh = keys(5_000, 1_000 + round);
                let start = (round as usize * 5_000) % (base.len() - 5_000);
                let updates: Vec<[u8; 32]> = base[start..start + 5_000]
                    .iter()
                    .copied()
                    .chain(fresh)
                    .collect();
                (updates, round)
            },
            |(updates, round)| {
                for key in &updates {
                    trie.insert(&store, key, round.to_be_bytes().to_vec())
                        .unwrap();
                }
                let committed = trie.commit_parallel();
                store.extend(committed.nodes);
                black_box(committed.root)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// 1,000 call transactions from 1,000 distinct accounts at `nonce`.
fn signed_block(contract: assent_ledger::Address, nonce: u64) -> Vec<Vec<u8>> {
    (0..1_000)
        .map(|j| {
            let args = format!(r#"{{"key":"k{j}","value":"v{nonce}"}}"#);
            call(&format!("account{j}"), nonce, contract, "set", &args)
        })
        .collect()
}

fn transactions(c: &mut Criterion) {
    let contract = create_address(&address("deployer"), 0);
    let block = signed_block(contract, 0);
    let decoded: Vec<SignedTransaction> = block
        .iter()
        .map(|raw| SignedTransaction::decode(raw).unwrap())
        .collect();

    let mut group = c.benchmark_group("transactions");
    group.sample_size(20);
    group.throughput(Throughput::Elements(1_000));
    let prehashes: Vec<_> = decoded.iter().map(|tx| tx.tx().signing_hash()).collect();
    group.bench_function(
        "k256 VerifyingKey::recover_from_prehash, 1 core (1000 tx)",
        |b| {
            b.iter(|| {
                for (tx, prehash) in decoded.iter().zip(&prehashes) {
                    black_box(recover_prehash_k256(prehash, tx.signature()).unwrap());
                }
            });
        },
    );
    group.bench_function(
        "k256 VerifyingKey::recover_from_prehash, 2 threads (1000 tx)",
        |b| {
            b.iter(|| {
                let pairs: Vec<_> = decoded.iter().zip(&prehashes).collect();
                std::thread::scope(|scope| {
                    for half in pairs.chunks(500) {
                        scope.spawn(move || {
                            for (tx, prehash) in half {
                                black_box(recover_prehash_k256(prehash, tx.signature()).unwrap());
                            }
                        });
                    }
                });
            });
        },
    );
    group.bench_function("ledger recover_prehash, 1 core (1000 tx)", |b| {
        b.iter(|| {
            for tx in &decoded {
                black_box(tx.recover_sender().unwrap());
            }
        });
    });
    group.bench_function("ledger decode + recover_all, all cores (1000 tx)", |b| {
        b.iter(|| black_box(recover_all(&block, common::CHAIN_ID)));
    });

    let dir = std::env::temp_dir().join(format!("assent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let durable =
        Chain::open(RedbStore::open(&dir.join("ledger.redb")).unwrap(), config()).unwrap();
    bench_blocks(
        &mut group,
        "signed tx through blocks of 1000, durable redb commit (1000 tx)",
        durable,
        contract,
    );
    let memory = Chain::open(MemoryStore::new(), config()).unwrap();
    bench_blocks(
        &mut group,
        "signed tx through blocks of 1000, in-memory store (1000 tx)",
        memory,
        contract,
    );
    group.finish();
    let _ = std::fs::remove_dir_all(dir);
}

/// Blocks of 1,000 calls from 1,000 distinct accounts, after a deployment.
fn bench_blocks<S: Store>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    mut chain: Chain<S>,
    contract: assent_ledger::Address,
) {
    let time = chain.head().time;
    chain
        .produce_block(&mut TestExecutor, time + 1, &[deploy("deployer", 0)])
        .unwrap();
    let mut nonce = 0;
    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                // Signing is the clients' work, not the node's: done outside the timing.
                let block = signed_block(contract, nonce);
                let time = chain.head().time + 1;
                let start = Instant::now();
                let result = chain
                    .produce_block(&mut TestExecutor, time, &block)
                    .unwrap();
                total += start.elapsed();
                assert_eq!(result.receipts.len(), 1_000);
                nonce += 1;
            }
            total
        });
    });
}

/// A contract-filtered log query over one transaction's 10,000 events, in a durable redb
/// store (LEDGER.md §6: work proportional to what is returned).
fn logs(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("assent-bench-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut chain =
        Chain::open(RedbStore::open(&dir.join("ledger.redb")).unwrap(), config()).unwrap();
    let contract = create_address(&address("deployer"), 0);
    let time = chain.head().time;
    chain
        .produce_block(&mut TestExecutor, time + 1, &[deploy("deployer", 0)])
        .unwrap();
    chain
        .produce_block(
            &mut TestExecutor,
            time + 2,
            &[call("deployer", 1, contract, "flood", r#"{"n":10000}"#)],
        )
        .unwrap();
    let filter = LogFilter {
        contract: Some(contract),
        ..LogFilter::default()
    };
    let mut group = c.benchmark_group("logs");
    group.sample_size(20);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function(
        "getLogs by contract, 10,000 events of one transaction, redb",
        |b| {
            b.iter(|| {
                let page = chain.logs(&filter, 10_000).unwrap();
                assert_eq!(page.entries.len(), 10_000);
                black_box(page)
            });
        },
    );
    group.finish();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(
    benches,
    logs,
    transactions,
    incremental_updates,
    trie_root_of_1m_keys
);
criterion_main!(benches);
