//! The trie as blocks arrive, beside `alloy-trie`'s `HashBuilder` in the same run: the
//! root of 1M keys inserted in random order, and a block of 10k changes (5k updates, 5k
//! new keys) on a committed 1M-entry trie. Every root is checked against alloy's before
//! anything is timed; each figure is the fastest of [`RUNS`], in wall time and in the
//! thread's CPU time (which other load on the machine inflates less), with the allocator
//! the `assent` binary ships with.
//!
//! `cargo bench -p assent-vm --bench trie` prints the table (about a minute).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use alloy_trie::{HashBuilder, Nibbles};
use assent_ledger::Hash;
use assent_ledger::primitives::keccak256;
use assent_ledger::trie::Trie;
use cpu_time::ThreadTime;

/// The allocator the `assent` binary ships with (the trie allocates a node at a time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs per figure (the fastest counts).
const RUNS: usize = 3;
const ENTRIES: usize = 1_000_000;
const CHANGES: usize = 10_000;

type Store = BTreeMap<Hash, Vec<u8>>;

/// Deterministic pseudo-random 32-byte keys, in the order they were drawn.
fn keys(count: usize, seed: u64) -> Vec<[u8; 32]> {
    (0..count as u64)
        .map(|i| keccak256(&[seed.to_be_bytes(), i.to_be_bytes()].concat()).0)
        .collect()
}

fn value(key: &[u8; 32], round: u64) -> Vec<u8> {
    let mut value = key[..20].to_vec();
    value.extend_from_slice(&round.to_be_bytes());
    value
}

/// alloy's root of `entries` (distinct keys, any order): sorted, then streamed through a
/// `HashBuilder` that keeps its branch-node updates (what a node stores to update the
/// trie later).
fn alloy_root(mut entries: Vec<([u8; 32], Vec<u8>)>) -> Hash {
    entries.sort_unstable_by_key(|entry| entry.0);
    let mut builder = HashBuilder::default().with_updates(true);
    for (key, value) in &entries {
        builder.add_leaf(Nibbles::unpack(key), value);
    }
    Hash(builder.root().0)
}

/// Times `f` [`RUNS`] times after `setup`; the fastest wall and CPU times.
fn time<S, T>(mut setup: impl FnMut() -> S, mut f: impl FnMut(S) -> T) -> (Duration, Duration, T) {
    let mut best: Option<(Duration, Duration, T)> = None;
    for _ in 0..RUNS {
        let input = setup();
        let (wall, cpu) = (Instant::now(), ThreadTime::now());
        let out = f(input);
        let (wall, cpu) = (wall.elapsed(), cpu.elapsed());
        if best.as_ref().is_none_or(|(best, _, _)| wall < *best) {
            best = Some((wall, cpu, out));
        }
    }
    best.unwrap()
}

/// A row; the ratio is of CPU times (other load inflates wall times unevenly).
fn row(what: &str, wall: Duration, cpu: Duration, peer: Option<Duration>) {
    let ratio = peer
        .map(|peer| format!("{:.2}", cpu.as_secs_f64() / peer.as_secs_f64()))
        .unwrap_or_else(|| "1.00".into());
    println!(
        "| {what} | {:.1} ms | {:.1} ms | {ratio} |",
        wall.as_secs_f64() * 1e3,
        cpu.as_secs_f64() * 1e3
    );
}

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "trie beside alloy-trie: {ENTRIES} keys, {CHANGES} changes; load {}",
        load.trim()
    );
    println!();
    println!("| what | wall | CPU | x alloy |");
    println!("|---|---:|---:|---:|");

    // ---- the root of 1M keys, from empty ----
    let drawn = keys(ENTRIES, 1);
    let entries: Vec<([u8; 32], Vec<u8>)> = drawn.iter().map(|key| (*key, value(key, 0))).collect();
    let expected = alloy_root(entries.clone());
    let (alloy_wall, alloy_cpu, root) = time(|| entries.clone(), alloy_root);
    assert_eq!(root, expected);
    row(
        "alloy `HashBuilder`: 1M keys in random order (sorted, streamed, updates kept)",
        alloy_wall,
        alloy_cpu,
        None,
    );

    let (wall, cpu, root) = time(
        || entries.clone(),
        |entries| {
            let mut trie = Trie::new();
            trie.insert_batch(&Store::new(), entries).unwrap();
            trie.commit().root
        },
    );
    assert_eq!(root, expected);
    row(
        "ours: the same as one batch (`insert_batch`: sorted, built), committed",
        wall,
        cpu,
        Some(alloy_cpu),
    );

    let store = Store::new();
    let (wall, cpu, root) = time(
        || (),
        |()| {
            let mut trie = Trie::new();
            for key in &drawn {
                trie.insert(&store, key, value(key, 0)).unwrap();
            }
            trie.commit().root
        },
    );
    assert_eq!(root, expected);
    row(
        "ours: 1M keys inserted one by one in random order, committed",
        wall,
        cpu,
        Some(alloy_cpu),
    );

    // ---- a block of 10k changes on a committed 1M-entry trie ----
    let mut store = Store::new();
    let mut trie = Trie::new();
    for key in &drawn {
        trie.insert(&store, key, value(key, 0)).unwrap();
    }
    let committed = trie.commit_and_unload();
    store.extend(committed.nodes);
    let fresh = keys(CHANGES / 2, 2);
    let changes: Vec<([u8; 32], Vec<u8>)> = drawn[..CHANGES / 2]
        .iter()
        .chain(&fresh)
        .map(|key| (*key, value(key, 1)))
        .collect();
    let changed: Vec<([u8; 32], Vec<u8>)> = entries
        .iter()
        .cloned()
        .chain(changes.iter().cloned())
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    let expected = alloy_root(changed.clone());
    let (alloy_wall, alloy_cpu, root) = time(|| changed.clone(), alloy_root);
    assert_eq!(root, expected);
    row(
        "alloy `HashBuilder`: the 1M-entry root after the block, rebuilt",
        alloy_wall,
        alloy_cpu,
        None,
    );

    let (wall, cpu, root) = time(
        || Trie::at(committed.root, 0),
        |mut trie| {
            for (key, value) in &changes {
                trie.insert(&store, key, value.clone()).unwrap();
            }
            trie.commit().root
        },
    );
    assert_eq!(root, expected);
    row(
        "ours: the block's 10k changes one by one on the stored trie, committed",
        wall,
        cpu,
        Some(alloy_cpu),
    );
    let (wall, cpu, root) = time(
        || (Trie::at(committed.root, 0), changes.clone()),
        |(mut trie, changes)| {
            trie.insert_batch(&store, changes).unwrap();
            trie.commit().root
        },
    );
    assert_eq!(root, expected);
    row(
        "ours: the block's 10k changes as one batch on the stored trie, committed",
        wall,
        cpu,
        Some(alloy_cpu),
    );
}
