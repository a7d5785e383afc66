//! Blocks and receipts on a chain driven by the test executor: roots, receipts, atomic
//! transactions, nonces and code in the trie, proofs at past blocks, replay, the redb store.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod ledger_common;
use ledger_common as common;

use assent_ledger::chain::{BlockResult, LogFilter};
use assent_ledger::executor::{BlockEnv, ExecutionResult, Executor, StateAccess};
use assent_ledger::primitives::keccak256;
use assent_ledger::state::{code_hash_key, nonce_key};
use assent_ledger::trie::{secure_key, verify_value};
use assent_ledger::tx::{Transaction, TxError, VerifiedTransaction, create_address, recover_all};
use assent_ledger::{Address, Chain, LedgerError, MemoryStore, RedbStore, Store, replay};
use common::{TestExecutor, address, call, config, deploy, entry_key};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableHandle};
use serde_json::json;
use std::path::PathBuf;

/// A fresh directory under the system temp dir, removed first if a previous run left it.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("assent-ledger-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The chain of the snapshot: alice deploys; bob sets twice, alice's call fails, carol's
/// burns its gas, and a junk transaction and a replayed nonce are left out.
fn scenario<S: Store>(chain: &mut Chain<S>) -> Vec<BlockResult> {
    let contract = create_address(&address("alice"), 0);
    let t0 = chain.head().time;
    let first = chain
        .produce_block(&mut TestExecutor, t0 + 1, &[deploy("alice", 0)])
        .unwrap();
    let set = call("bob", 0, contract, "set", r#"{"key":"k","value":"v1"}"#);
    let second = chain
        .produce_block(
            &mut TestExecutor,
            t0 + 2,
            &[
                set.clone(),
                call("bob", 1, contract, "set", r#"{"key":"k2","value":"v2"}"#),
                call("alice", 1, contract, "fail", ""),
                b"junk".to_vec(),
                set,
                call("carol", 0, contract, "burn", ""),
            ],
        )
        .unwrap();
    vec![first, second]
}

fn block_json(result: &BlockResult) -> serde_json::Value {
    json!({
        "block": result.header.to_json(&result.transactions),
        "receipts": result.receipts.iter().map(|receipt| receipt.to_json()).collect::<Vec<_>>(),
        "rejected": result
            .rejected
            .iter()
            .map(|rejected| format!("#{}: {}", rejected.position, rejected.error))
            .collect::<Vec<_>>(),
    })
}

#[test]
fn blocks_commit_transactions_receipts_and_roots() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    let genesis = chain.head().clone();
    let results = scenario(&mut chain);
    let trace: Vec<_> = results.iter().map(block_json).collect();
    insta::assert_json_snapshot!(json!({ "genesis": genesis.to_json(&[]), "blocks": trace }));

    // The header links and roots are what an independent implementation computes.
    assert_eq!(results[0].header.parent_hash, genesis.hash());
    assert_eq!(results[1].header.parent_hash, results[0].hash);
    for result in &results {
        let raws: Vec<Vec<u8>> = result
            .transactions
            .iter()
            .map(|hash| chain.store().transaction(hash).unwrap().unwrap().raw)
            .collect();
        let alloy_tx_root = alloy_trie::root::ordered_trie_root_with_encoder(&raws, |raw, out| {
            out.extend_from_slice(raw)
        });
        assert_eq!(result.header.transactions_root.0, alloy_tx_root.0);
        let receipts: Vec<Vec<u8>> = result.receipts.iter().map(|r| r.encode()).collect();
        let alloy_receipts_root =
            alloy_trie::root::ordered_trie_root_with_encoder(&receipts, |r, out| {
                out.extend_from_slice(r)
            });
        assert_eq!(result.header.receipts_root.0, alloy_receipts_root.0);
    }
    // Receipts round-trip through their stored form.
    for receipt in &results[1].receipts {
        let stored = chain.store().receipt(&receipt.tx_hash).unwrap().unwrap();
        assert_eq!(&stored, receipt);
    }
}

#[test]
fn a_block_of_recovered_transactions_is_the_block_of_their_bytes() {
    let contract = create_address(&address("alice"), 0);
    let other_chain = common::sign(
        "dave",
        Transaction {
            chain_id: common::CHAIN_ID + 1,
            nonce: 0,
            gas_limit: 1_000_000,
            to: Some(contract),
            method: "set".into(),
            args: r#"{"key":"k","value":"v"}"#.into(),
            code: Vec::new(),
        },
    );
    let set = call("bob", 0, contract, "set", r#"{"key":"k","value":"v1"}"#);
    let raw = [
        deploy("alice", 0),
        set.clone(),
        b"junk".to_vec(),
        call("bob", 1, contract, "set", r#"{"key":"k2","value":"v2"}"#),
        set,
        other_chain.clone(),
        call("carol", 0, contract, "burn", ""),
    ];
    let mut from_bytes = Chain::open(MemoryStore::new(), config()).unwrap();
    let mut from_recovered = Chain::open(MemoryStore::new(), config()).unwrap();
    let time = from_bytes.head().time + 1;
    let by_bytes = from_bytes
        .produce_block(&mut TestExecutor, time, &raw)
        .unwrap();
    let by_recovered = from_recovered
        .produce_verified_block(&mut TestExecutor, time, recover_all(&raw, common::CHAIN_ID))
        .unwrap();
    assert_eq!(block_json(&by_recovered), block_json(&by_bytes));
    assert_eq!(
        block_json(&by_bytes)["rejected"],
        json!([
            "#2: transaction does not decode: unexpected bytes after the RLP item, from byte 1",
            "#4: wrong nonce 0: the sender's next nonce is 2",
            "#5: wrong chain id 8: this chain is 7"
        ])
    );

    // A transaction recovered for another chain is still refused.
    let time = time + 1;
    let foreign = recover_all(std::slice::from_ref(&other_chain), common::CHAIN_ID + 1);
    assert!(foreign[0].is_ok(), "it recovers under its own chain id");
    let block = from_recovered
        .produce_verified_block(&mut TestExecutor, time, foreign)
        .unwrap();
    assert!(block.transactions.is_empty());
    assert_eq!(
        block_json(&block)["rejected"],
        json!(["#0: wrong chain id 8: this chain is 7"])
    );
}

#[test]
fn block_time_must_strictly_increase() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    let time = chain.head().time;
    let error = chain
        .produce_block(&mut TestExecutor, time, &[deploy("alice", 0)])
        .unwrap_err();
    assert_eq!(
        error,
        LedgerError::TimeNotIncreasing {
            parent: time,
            got: time
        }
    );
    assert_eq!(chain.head().number, 0);
    assert_eq!(chain.nonce(&address("alice")).unwrap(), 0);
}

#[test]
fn an_aborted_transaction_keeps_its_nonce_and_audit_events_only() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let contract = create_address(&address("alice"), 0);
    assert_eq!(
        chain.get(&entry_key(&contract, "failed"), None).unwrap(),
        None
    );
    assert_eq!(
        chain.get(&entry_key(&contract, "k"), None).unwrap(),
        Some(b"v1".to_vec())
    );
    assert_eq!(chain.nonce(&address("alice")).unwrap(), 2);
    assert_eq!(chain.nonce(&address("bob")).unwrap(), 2);
    assert_eq!(chain.nonce(&address("carol")).unwrap(), 1);
}

#[test]
fn nonces_and_code_live_in_the_trie_and_are_provable_at_past_blocks() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let contract = create_address(&address("alice"), 0);
    let code_hash = keccak256(b"\0asm test module");
    let proof = chain.prove(&code_hash_key(&contract), None).unwrap();
    assert_eq!(proof.value, Some(code_hash.0.to_vec()));
    assert_eq!(
        chain.store().code(&code_hash).unwrap(),
        Some(b"\0asm test module".to_vec())
    );

    for (block, expected) in [(0u64, None), (1, Some(1u64)), (2, Some(2))] {
        let proof = chain
            .prove(&nonce_key(&address("alice")), Some(block))
            .unwrap();
        let expected = expected.map(|nonce| nonce.to_be_bytes().to_vec());
        assert_eq!(proof.value, expected, "block {block}");
        verify_value(
            proof.state_root,
            secure_key(&proof.raw_key).as_bytes(),
            expected.as_deref(),
            &proof.proof,
        )
        .unwrap();
    }
    // An entry written in block 2 is absent, provably, at block 1.
    let absent = chain.prove(&entry_key(&contract, "k"), Some(1)).unwrap();
    assert_eq!(absent.value, None);
    verify_value(
        absent.state_root,
        secure_key(&absent.raw_key).as_bytes(),
        None,
        &absent.proof,
    )
    .unwrap();
}

#[test]
fn every_past_state_reads_and_proves_from_disk_alone() {
    // Nodes are filed by block and hash: after reopening, nothing is in memory, and every
    // read at every block goes down from that block's root by the versions the nodes carry,
    // through blocks that change no state (whose root is filed again under their number).
    let dir = scratch_dir("past-states");
    let path = dir.join("ledger.redb");
    let contract = create_address(&address("alice"), 0);
    let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
    let mut expected: Vec<std::collections::BTreeMap<String, String>> = Vec::new();
    {
        let mut chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
        let t0 = chain.head().time;
        chain
            .produce_block(&mut TestExecutor, t0 + 1, &[deploy("alice", 0)])
            .unwrap();
        let mut model = std::collections::BTreeMap::new();
        expected.push(model.clone());
        expected.push(model.clone());
        for round in 0u64..12 {
            let time = chain.head().time + 1;
            let block: Vec<Vec<u8>> = if round % 4 == 3 {
                Vec::new()
            } else {
                (0..8u64)
                    .map(|i| {
                        let key = &keys[usize::try_from((round * 7 + i * 5) % 40).unwrap()];
                        let value = format!("r{round}");
                        model.insert(key.clone(), value.clone());
                        let args = format!(r#"{{"key":"{key}","value":"{value}"}}"#);
                        call(
                            &format!("writer{i}"),
                            round - round / 4,
                            contract,
                            "set",
                            &args,
                        )
                    })
                    .collect()
            };
            let result = chain
                .produce_block(&mut TestExecutor, time, &block)
                .unwrap();
            assert_eq!(result.receipts.len(), block.len(), "round {round}");
            expected.push(model.clone());
        }
    }
    let chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
    assert_eq!(chain.head().number as usize, expected.len() - 1);
    for (block, model) in expected.iter().enumerate() {
        for key in &keys {
            let raw = entry_key(&contract, key);
            let want = model.get(key).map(|value| value.as_bytes().to_vec());
            let proof = chain.prove(&raw, Some(block as u64)).unwrap();
            assert_eq!(proof.value, want, "{key} at block {block}");
            verify_value(
                proof.state_root,
                secure_key(&raw).as_bytes(),
                want.as_deref(),
                &proof.proof,
            )
            .unwrap();
        }
    }
    drop(chain);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every receipt of every block is proven against its header's receipts root, at the
/// path `rlp(index)`, after a reopen (the receipts tries are built again, never stored).
#[test]
fn every_receipt_proves_against_its_blocks_receipts_root() {
    let dir = scratch_dir("receipt-proofs");
    let path = dir.join("ledger.redb");
    let contract = create_address(&address("alice"), 0);
    let mut hashes = Vec::new();
    {
        let mut chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
        let t0 = chain.head().time;
        let first = chain
            .produce_block(&mut TestExecutor, t0 + 1, &[deploy("alice", 0)])
            .unwrap();
        hashes.extend(first.receipts.iter().map(|receipt| receipt.tx_hash));
        for size in [1u64, 3, 17] {
            let time = chain.head().time + 1;
            let block: Vec<Vec<u8>> = (0..size)
                .map(|i| {
                    call(
                        &format!("w{size}-{i}"),
                        0,
                        contract,
                        "set",
                        r#"{"key":"k","value":"v"}"#,
                    )
                })
                .collect();
            let result = chain
                .produce_block(&mut TestExecutor, time, &block)
                .unwrap();
            hashes.extend(result.receipts.iter().map(|receipt| receipt.tx_hash));
        }
    }
    let chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
    assert_eq!(hashes.len(), 1 + 1 + 3 + 17);
    for hash in &hashes {
        let proof = chain.receipt_proof(hash).unwrap().unwrap();
        let header = chain.store().header(proof.block).unwrap().unwrap();
        assert_eq!(proof.receipts_root, header.receipts_root);
        let key = assent_ledger::rlp::u64_item(u64::from(proof.index));
        verify_value(
            header.receipts_root,
            &key,
            Some(&proof.receipt),
            &proof.proof,
        )
        .unwrap();
        let receipt = assent_ledger::receipt::Receipt::decode(&proof.receipt).unwrap();
        assert_eq!(receipt.tx_hash, *hash);
    }
    assert!(
        chain
            .receipt_proof(&keccak256(b"unknown"))
            .unwrap()
            .is_none()
    );
    drop(chain);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every entry of the ordered index under `prefix`, in order, walked one `next_ordered`
/// at a time as the host walks a collection.
fn walk_index(view: &assent_ledger::StateView, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut found = Vec::new();
    let mut from = prefix.to_vec();
    loop {
        let mut skipped = 0;
        let Some((key, value)) = view.next_ordered(&from, prefix, &mut skipped).unwrap() else {
            return found;
        };
        from = assent_stdlib::ordered::successor(&key).unwrap();
        found.push((key, value));
    }
}

#[test]
fn the_ordered_index_is_walked_in_order_at_every_past_block_from_disk() {
    // Entries come and go block by block, some blocks leave the index alone; after a
    // reopen, the index as every block left it is walked in key order from disk.
    let dir = scratch_dir("ordered-index");
    let path = dir.join("ledger.redb");
    let contract = create_address(&address("alice"), 0);
    let keys: Vec<String> = (0..30).map(|i| format!("k{:02}", (i * 7) % 30)).collect();
    let mut expected: Vec<std::collections::BTreeMap<Vec<u8>, Vec<u8>>> = Vec::new();
    {
        let mut chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
        let t0 = chain.head().time;
        chain
            .produce_block(&mut TestExecutor, t0 + 1, &[deploy("alice", 0)])
            .unwrap();
        let mut model = std::collections::BTreeMap::new();
        expected.push(model.clone());
        expected.push(model.clone());
        let mut nonces = std::collections::BTreeMap::new();
        let mut next_nonce = |writer: &str| {
            let nonce = nonces.entry(writer.to_string()).or_insert(0u64);
            *nonce += 1;
            *nonce - 1
        };
        for round in 0u64..10 {
            let time = chain.head().time + 1;
            let block: Vec<Vec<u8>> = if round % 4 == 2 {
                // No index writes: the index stays at an earlier block's root.
                let args = r#"{"key":"x","value":"y"}"#;
                vec![call(
                    "writer0",
                    next_nonce("writer0"),
                    contract,
                    "set",
                    args,
                )]
            } else {
                (0..6u64)
                    .map(|i| {
                        let key = &keys[usize::try_from((round * 5 + i * 3) % 30).unwrap()];
                        // Every third write of a key removes it.
                        let value = if (round + i) % 3 == 0 {
                            String::new()
                        } else {
                            format!("r{round}")
                        };
                        let raw = entry_key(&contract, key);
                        if value.is_empty() {
                            model.remove(&raw);
                        } else {
                            model.insert(raw, value.clone().into_bytes());
                        }
                        let args = format!(r#"{{"key":"{key}","value":"{value}"}}"#);
                        let writer = format!("writer{i}");
                        call(&writer, next_nonce(&writer), contract, "index", &args)
                    })
                    .collect()
            };
            let result = chain
                .produce_block(&mut TestExecutor, time, &block)
                .unwrap();
            assert_eq!(result.receipts.len(), block.len(), "round {round}");
            expected.push(model.clone());
        }
        let head = chain.view_at(None).unwrap();
        let want: Vec<_> = model.clone().into_iter().collect();
        assert_eq!(
            walk_index(&head, &contract.0),
            want,
            "the head before reopening"
        );
    }
    let chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
    assert_eq!(chain.head().number as usize, expected.len() - 1);
    for (block, model) in expected.iter().enumerate() {
        let view = chain.view_at(Some(block as u64)).unwrap();
        let want: Vec<_> = model.clone().into_iter().collect();
        assert_eq!(walk_index(&view, &contract.0), want, "block {block}");
        // A narrower prefix: the keys `k1…`.
        let mut prefix = contract.0.to_vec();
        prefix.extend_from_slice(b"k1");
        let narrow: Vec<_> = want
            .iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .cloned()
            .collect();
        assert_eq!(
            walk_index(&view, &prefix),
            narrow,
            "block {block}, prefix k1"
        );
    }
    drop(chain);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn replay_reproduces_every_root() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let mut seen = Vec::new();
    let blocks = replay(chain.store(), &mut TestExecutor, |done, total| {
        seen.push((done, total))
    })
    .unwrap();
    assert_eq!(blocks, 2);
    assert_eq!(seen, vec![(1, 2), (2, 2)]);
}

/// Runs like the test executor but stores a different value in `set`.
struct Divergent;

impl Executor for Divergent {
    fn check(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
    ) -> Result<Result<(), TxError>, LedgerError> {
        TestExecutor.check(state, tx)
    }

    fn apply(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
        env: &BlockEnv,
    ) -> Result<ExecutionResult, LedgerError> {
        let result = TestExecutor.apply(state, tx, env)?;
        if tx.signed.tx().method == "set" {
            state.set(&entry_key(&tx.contract, "k"), b"other".to_vec())?;
        }
        Ok(result)
    }
}

#[test]
fn replay_reports_the_first_block_whose_state_root_differs() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let error = replay(chain.store(), &mut Divergent, |_, _| {}).unwrap_err();
    match error {
        LedgerError::ReplayMismatch { block, field, .. } => {
            assert_eq!((block, field), (2, "state root"));
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn redb_store_keeps_blocks_receipts_code_and_events_across_reopen() {
    let dir = scratch_dir("reopen");
    let path = dir.join("ledger.redb");
    let (head, results) = {
        let mut chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
        let results = scenario(&mut chain);
        (chain.head().clone(), results)
    };
    let chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
    assert_eq!(chain.head(), &head);
    let contract = create_address(&address("alice"), 0);
    assert_eq!(
        chain.get(&entry_key(&contract, "k2"), None).unwrap(),
        Some(b"v2".to_vec())
    );
    assert_eq!(chain.nonce(&address("bob")).unwrap(), 2);
    for result in &results {
        assert_eq!(
            chain.store().header(result.header.number).unwrap().as_ref(),
            Some(&result.header)
        );
        assert_eq!(
            chain
                .store()
                .block_transactions(result.header.number)
                .unwrap(),
            result.transactions
        );
        for (index, receipt) in result.receipts.iter().enumerate() {
            assert_eq!(
                chain.store().receipt(&receipt.tx_hash).unwrap().as_ref(),
                Some(receipt)
            );
            let stored = chain
                .store()
                .transaction(&receipt.tx_hash)
                .unwrap()
                .unwrap();
            assert_eq!(
                (stored.block, stored.index as usize),
                (result.header.number, index)
            );
        }
    }
    assert!(
        chain
            .store()
            .code(&keccak256(b"\0asm test module"))
            .unwrap()
            .is_some()
    );

    let by_contract = chain
        .logs(
            &LogFilter {
                contract: Some(contract),
                ..LogFilter::default()
            },
            usize::MAX,
        )
        .unwrap()
        .entries;
    let names: Vec<_> = by_contract
        .iter()
        .map(|entry| entry.event.name.as_str())
        .collect();
    assert_eq!(names, ["Set", "Set", "Attempt"]);
    let by_field = chain
        .logs(
            &LogFilter {
                event: Some("Set".into()),
                fields: vec![("key".into(), json!("k2"))],
                ..LogFilter::default()
            },
            usize::MAX,
        )
        .unwrap()
        .entries;
    assert_eq!(by_field.len(), 1);
    assert_eq!(by_field[0].tx_index, 1);
    let none = chain
        .logs(
            &LogFilter {
                contract: Some(Address([5; 20])),
                ..LogFilter::default()
            },
            usize::MAX,
        )
        .unwrap()
        .entries;
    assert!(none.is_empty());

    replay(chain.store(), &mut TestExecutor, |_, _| {}).unwrap();
    drop(chain);

    // The same data directory opened for another chain is refused.
    let mut other = config();
    other.chain_id += 1;
    let error = Chain::open(RedbStore::open(&path).unwrap(), other).unwrap_err();
    assert!(
        error.to_string().contains("belongs to another chain"),
        "{error}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_transaction_index_lost_in_a_crash_is_rebuilt_on_open() {
    // The hash → location index is written behind the blocks; as after a crash that lost
    // its writes, empty it and move its mark back, then open: every transaction is found
    // by hash at once, and the index table is whole again once the store is closed.
    let dir = scratch_dir("index");
    let path = dir.join("ledger.redb");
    let results = {
        let mut chain = Chain::open(RedbStore::open(&path).unwrap(), config()).unwrap();
        scenario(&mut chain)
    };
    let hashes: Vec<_> = results
        .iter()
        .flat_map(|result| result.transactions.clone())
        .collect();
    assert!(hashes.len() >= 4);
    const LOCATIONS: redb::TableDefinition<&[u8], &[u8]> =
        redb::TableDefinition::new("tx_locations");
    const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let indexed = |path: &std::path::Path| {
        let db = redb::Database::open(path).unwrap();
        let txn = db.begin_read().unwrap();
        let count = txn.open_table(LOCATIONS).unwrap().len().unwrap();
        let mark = txn
            .open_table(META)
            .unwrap()
            .get("indexed")
            .unwrap()
            .map(|bytes| u64::from_be_bytes(bytes.value().try_into().unwrap()));
        (count, mark)
    };
    assert_eq!(indexed(&path), (hashes.len() as u64, Some(2)));
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut locations = txn.open_table(LOCATIONS).unwrap();
            for hash in &hashes {
                locations.remove(&hash.0[..]).unwrap();
            }
            let mut meta = txn.open_table(META).unwrap();
            meta.insert("indexed", &0u64.to_be_bytes()[..]).unwrap();
        }
        txn.commit().unwrap();
    }
    assert_eq!(indexed(&path), (0, Some(0)));
    {
        let store = RedbStore::open(&path).unwrap();
        for (block, result) in results.iter().enumerate() {
            for (index, hash) in result.transactions.iter().enumerate() {
                let stored = store.transaction(hash).unwrap().unwrap();
                assert_eq!(
                    (stored.block, stored.index),
                    (block as u64 + 1, index as u32)
                );
                assert_eq!(
                    store.receipt(hash).unwrap().as_ref(),
                    result.receipts.get(index)
                );
            }
        }
    }
    assert_eq!(indexed(&path), (hashes.len() as u64, Some(2)));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_data_directory_of_another_storage_format_is_refused_and_left_as_it_was() {
    let dir = scratch_dir("format");
    const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    // A database as the first format left it: a head, no format entry; then one that
    // claims a format from the future.
    let cases: [(&str, Option<u64>, &str); 4] = [
        (
            "v1.redb",
            None,
            "storage format 1, this build reads format 4",
        ),
        (
            "v2.redb",
            Some(2),
            "storage format 2, this build reads format 4: start a new data directory",
        ),
        (
            "v3.redb",
            Some(3),
            "storage format 3, this build reads format 4: start a new data directory",
        ),
        (
            "v9.redb",
            Some(9),
            "storage format 9, this build reads format 4",
        ),
    ];
    for (name, format, expected) in cases {
        let path = dir.join(name);
        {
            let db = redb::Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut meta = txn.open_table(META).unwrap();
                meta.insert("head", &7u64.to_be_bytes()[..]).unwrap();
                if let Some(format) = format {
                    meta.insert("format", &format.to_be_bytes()[..]).unwrap();
                }
            }
            txn.commit().unwrap();
        }
        let error = RedbStore::open(&path).expect_err("refused");
        assert!(error.to_string().contains(expected), "{name}: {error}");
        // Nothing was written: the same entries, and none of this format's tables.
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_read().unwrap();
        let tables: Vec<String> = txn
            .list_tables()
            .unwrap()
            .map(|table| table.name().to_owned())
            .collect();
        assert_eq!(tables, ["meta"], "{name}");
        let meta = txn.open_table(META).unwrap();
        let entries: Vec<(String, Vec<u8>)> = meta
            .iter()
            .unwrap()
            .map(|entry| {
                let (key, value) = entry.unwrap();
                (key.value().to_owned(), value.value().to_vec())
            })
            .collect();
        let mut written = vec![("head".to_owned(), 7u64.to_be_bytes().to_vec())];
        if let Some(format) = format {
            written.insert(0, ("format".to_owned(), format.to_be_bytes().to_vec()));
        }
        assert_eq!(entries, written, "{name}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn pending_transactions_move_the_expected_nonce() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let contract = create_address(&address("alice"), 0);
    let next = call("alice", 2, contract, "set", r#"{"key":"a","value":"b"}"#);
    let verified = chain
        .check_transaction(&mut TestExecutor, &next, 0)
        .unwrap()
        .unwrap();
    assert_eq!(verified.sender, address("alice"));
    // With one of alice's transactions pending, nonce 2 is taken: 3 is expected.
    let error = chain
        .check_transaction(&mut TestExecutor, &next, 1)
        .unwrap()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "wrong nonce 2: the sender's next nonce is 3"
    );
    assert_eq!(error.code(), 1004);
}

#[test]
fn a_large_block_has_the_roots_alloy_computes() {
    // 100 transactions: enough for the roots to be built on a second thread.
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let contract = create_address(&address("alice"), 0);
    let block: Vec<Vec<u8>> = (0..100)
        .map(|i| {
            call(
                &format!("user{i}"),
                0,
                contract,
                "set",
                r#"{"key":"x","value":"y"}"#,
            )
        })
        .collect();
    let time = chain.head().time + 1;
    let result = chain
        .produce_block(&mut TestExecutor, time, &block)
        .unwrap();
    assert_eq!(result.receipts.len(), 100);
    let encodings: Vec<Vec<u8>> = result.receipts.iter().map(|r| r.encode()).collect();
    let receipts_root = alloy_trie::root::ordered_trie_root_with_encoder(&encodings, |r, out| {
        out.extend_from_slice(r)
    });
    let transactions_root = alloy_trie::root::ordered_trie_root_with_encoder(&block, |raw, out| {
        out.extend_from_slice(raw)
    });
    assert_eq!(result.header.receipts_root.0, receipts_root.0);
    assert_eq!(result.header.transactions_root.0, transactions_root.0);
    replay(chain.store(), &mut TestExecutor, |_, _| {}).unwrap();
}

#[test]
fn read_state_sees_any_block_and_keeps_no_writes() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    scenario(&mut chain);
    let contract = create_address(&address("alice"), 0);
    let key = entry_key(&contract, "k");
    let at_head = chain
        .read_state(None, |state| {
            state.set(&key, b"scratch".to_vec()).unwrap();
            (
                state.get(&key).unwrap(),
                state.code(&contract).unwrap().is_some(),
            )
        })
        .unwrap();
    assert_eq!(at_head, (Some(b"scratch".to_vec()), true));
    assert_eq!(chain.get(&key, None).unwrap(), Some(b"v1".to_vec()));
    let at_genesis = chain
        .read_state(Some(0), |state| {
            (state.get(&key).unwrap(), state.code(&contract).unwrap())
        })
        .unwrap();
    assert_eq!(at_genesis, (None, None));
}

#[test]
fn a_transaction_the_host_fails_is_left_out_and_the_block_goes_on() {
    // Bob's `set` of an empty value makes the executor fail (the store refuses an empty
    // value): the block is produced without it, and carol's transaction gets its receipt.
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    let contract = create_address(&address("alice"), 0);
    let t0 = chain.head().time;
    let poison = call("bob", 0, contract, "set", r#"{"key":"k","value":""}"#);
    let block = chain
        .produce_block(
            &mut TestExecutor,
            t0 + 1,
            &[
                deploy("alice", 0),
                poison,
                call("carol", 0, contract, "set", r#"{"key":"k","value":"v"}"#),
            ],
        )
        .unwrap();
    assert_eq!(block.header.number, 1);
    assert_eq!(block.receipts.len(), 2);
    assert_eq!(block.rejected.len(), 1);
    assert_eq!(block.rejected[0].position, 1);
    let error = block.rejected[0].error.to_string();
    assert!(error.contains("cannot be empty"), "{error}");
    // As if it had never been sent: bob's nonce did not move, his next try is accepted.
    assert_eq!(chain.nonce(&address("bob")).unwrap(), 0);
    assert_eq!(chain.nonce(&address("carol")).unwrap(), 1);
    let retry = call("bob", 0, contract, "set", r#"{"key":"b","value":"1"}"#);
    let next = chain
        .produce_block(&mut TestExecutor, t0 + 2, &[retry])
        .unwrap();
    assert_eq!(next.receipts.len(), 1);
    // Replay agrees: what was left out is not in the block.
    assert_eq!(
        replay(chain.store(), &mut TestExecutor, |_, _| {}).unwrap(),
        2
    );
}

#[test]
fn a_failed_commit_leaves_the_chain_at_its_head_and_the_next_block_commits() {
    let contract = create_address(&address("alice"), 0);
    let poison = call("mallory", 0, contract, "set", r#"{"key":"k","value":"v"}"#);
    let store = common::FaultyStore {
        inner: MemoryStore::new(),
        poison: keccak256(&poison),
        failed: 0,
    };
    let mut chain = Chain::open(store, config()).unwrap();
    let t0 = chain.head().time;
    let head = chain.head().clone();
    let error = chain
        .produce_block(&mut TestExecutor, t0 + 1, &[deploy("alice", 0), poison])
        .unwrap_err();
    assert!(error.to_string().contains("injected fault"), "{error}");
    assert_eq!(chain.head(), &head);
    assert_eq!(chain.nonce(&address("alice")).unwrap(), 0);
    // The next block, without the transaction, commits on the unchanged state.
    let set = call("carol", 0, contract, "set", r#"{"key":"k","value":"v"}"#);
    let block = chain
        .produce_block(&mut TestExecutor, t0 + 2, &[deploy("alice", 0), set])
        .unwrap();
    assert_eq!(block.header.number, 1);
    assert_eq!(block.receipts.len(), 2);
    assert_eq!(chain.store().failed, 1);
    assert_eq!(
        replay(chain.store(), &mut TestExecutor, |_, _| {}).unwrap(),
        1
    );
}

#[test]
fn the_gas_limits_of_a_block_add_up_to_at_most_the_block_gas_limit() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    let t0 = chain.head().time;
    chain
        .produce_block(&mut TestExecutor, t0 + 1, &[deploy("alice", 0)])
        .unwrap();
    let contract = create_address(&address("alice"), 0);
    let heavy = |from: &str| {
        common::sign(
            from,
            Transaction {
                chain_id: common::CHAIN_ID,
                nonce: 0,
                gas_limit: 640_000_000,
                to: Some(contract),
                method: "set".into(),
                args: r#"{"key":"k","value":"v"}"#.into(),
                code: Vec::new(),
            },
        )
    };
    let block = chain
        .produce_block(
            &mut TestExecutor,
            t0 + 2,
            &[heavy("bob"), heavy("carol"), heavy("dave")],
        )
        .unwrap();
    assert_eq!(block.receipts.len(), 1);
    let rejected: Vec<(usize, i64)> = block
        .rejected
        .iter()
        .map(|rejected| (rejected.position, rejected.error.code()))
        .collect();
    assert_eq!(rejected, [(1, 1005), (2, 1005)]);
    assert!(
        block.rejected[0]
            .error
            .to_string()
            .contains("left of the block gas limit"),
        "{}",
        block.rejected[0].error
    );
    // One alone fits a block.
    let next = chain
        .produce_block(&mut TestExecutor, t0 + 3, &[heavy("carol")])
        .unwrap();
    assert_eq!(next.receipts.len(), 1);
}

#[test]
fn a_sealed_block_changes_nothing_until_it_is_committed() {
    let mut chain = Chain::open(MemoryStore::new(), config()).unwrap();
    let mut twin = Chain::open(MemoryStore::new(), config()).unwrap();
    let t0 = chain.head().time;
    let contract = create_address(&address("alice"), 0);
    let block = [
        deploy("alice", 0),
        call("alice", 1, contract, "set", r#"{"key":"k","value":"v"}"#),
    ];
    let head = chain.head().clone();

    // Executed, then dropped: the head, the state and the store are as they were.
    let sealed = chain
        .execute_block(&mut TestExecutor, t0 + 1, &block)
        .unwrap();
    assert_eq!(sealed.result().header.number, 1);
    assert_eq!(chain.head(), &head);
    assert_eq!(chain.nonce(&address("alice")).unwrap(), 0);
    drop(sealed);
    assert_eq!(chain.store().header(1).unwrap(), None);
    assert_eq!(chain.get(&entry_key(&contract, "k"), None).unwrap(), None);

    // Two proposals for the same height: the one committed is what producing gives.
    let sealed = chain
        .execute_block(&mut TestExecutor, t0 + 1, &block)
        .unwrap();
    let rival = chain.execute_block(&mut TestExecutor, t0 + 2, &[]).unwrap();
    let committed = chain.commit(sealed).unwrap();
    let produced = twin
        .produce_block(&mut TestExecutor, t0 + 1, &block)
        .unwrap();
    assert_eq!(committed, produced);
    assert_eq!(chain.head(), twin.head());
    assert_eq!(chain.nonce(&address("alice")).unwrap(), 2);
    assert_eq!(
        chain.get(&entry_key(&contract, "k"), None).unwrap(),
        Some(b"v".to_vec())
    );
    // The rival was sealed on the old head: it cannot be committed now.
    let error = chain.commit(rival).unwrap_err();
    assert!(
        matches!(error, LedgerError::NotOnHead { block: 1, head: 1 }),
        "{error}"
    );
    // The chain goes on, and replays.
    let next = call("carol", 0, contract, "set", r#"{"key":"k","value":"w"}"#);
    chain
        .produce_block(&mut TestExecutor, t0 + 3, &[next])
        .unwrap();
    assert_eq!(
        replay(chain.store(), &mut TestExecutor, |_, _| {}).unwrap(),
        2
    );
}
