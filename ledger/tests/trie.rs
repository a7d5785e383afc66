//! The Merkle Patricia trie: the Ethereum test vectors, roots and proofs against
//! `alloy-trie`, insertion-order independence, reads and proofs at past roots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use alloy_primitives::{B256, Bytes};
use alloy_trie::{HashBuilder, Nibbles as AlloyNibbles};
use assent_ledger::primitives::{Hash, decode_hex, keccak256};
use assent_ledger::trie::{self, NodeStore, Trie, Version, verify_proof, verify_value};
use proptest::prelude::*;
use std::collections::BTreeMap;

type Store = BTreeMap<Hash, Vec<u8>>;

/// A node store that files nodes by version and hash, as the ledger's stores do, so that a
/// read at the wrong version finds nothing.
#[derive(Default)]
struct Versioned(BTreeMap<(Version, Hash), Vec<u8>>);

impl Versioned {
    fn file(&mut self, version: Version, committed: trie::Committed) {
        self.0.extend(
            committed
                .nodes
                .into_iter()
                .map(|(hash, node)| ((version, hash), node)),
        );
    }
}

impl NodeStore for Versioned {
    fn node(
        &self,
        hash: &Hash,
        version: Version,
    ) -> Result<Option<Vec<u8>>, assent_ledger::store::StoreError> {
        Ok(self.0.get(&(version, *hash)).cloned())
    }
}

/// A vector string: `0x…` is hex, anything else its UTF-8 bytes.
fn vector_bytes(text: &str) -> Vec<u8> {
    if text.starts_with("0x") {
        decode_hex(text).unwrap()
    } else {
        text.as_bytes().to_vec()
    }
}

/// Applies `(key, Some(value))` inserts and `(key, None)` removals in order, commits after
/// each step into `store`, and returns the final root.
fn apply(store: &mut Store, trie: &mut Trie, ops: &[(Vec<u8>, Option<Vec<u8>>)]) -> Hash {
    let mut root = Hash::EMPTY_ROOT;
    for (key, value) in ops {
        match value {
            Some(value) => trie.insert(store, key, value.clone()).unwrap(),
            None => {
                trie.remove(store, key).unwrap();
            }
        }
        let committed = trie.commit();
        store.extend(committed.nodes);
        root = committed.root;
    }
    root
}

#[test]
fn ethereum_trietest_vectors() {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("vectors/trietest.json")).unwrap();
    let vectors = vectors.as_object().unwrap();
    assert_eq!(vectors.len(), 4);
    for (name, case) in vectors {
        let ops: Vec<(Vec<u8>, Option<Vec<u8>>)> = case["in"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                let key = vector_bytes(pair[0].as_str().unwrap());
                let value = pair[1].as_str().map(vector_bytes);
                (key, value)
            })
            .collect();
        let mut store = Store::new();
        let root = apply(&mut store, &mut Trie::new(), &ops);
        let expected = Hash::from_hex(case["root"].as_str().unwrap()).unwrap();
        assert_eq!(root, expected, "vector {name}");
    }
}

#[test]
fn ethereum_secure_trie_vector() {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("vectors/hex_encoded_securetrie_test.json")).unwrap();
    let case = &vectors["test1"];
    let mut store = Store::new();
    let mut trie = Trie::new();
    for pair in case["data"].as_array().unwrap() {
        let key = decode_hex(pair[0].as_str().unwrap()).unwrap();
        let value = decode_hex(pair[1].as_str().unwrap()).unwrap();
        trie.insert(&store, trie::secure_key(&key).as_bytes(), value)
            .unwrap();
    }
    let committed = trie.commit();
    store.extend(committed.nodes);
    let expected = Hash::from_hex(case["result"].as_str().unwrap()).unwrap();
    assert_eq!(committed.root, expected);
}

#[test]
fn empty_trie_has_the_empty_root_and_proves_absence_with_no_nodes() {
    let store = Store::new();
    let mut trie = Trie::new();
    assert_eq!(trie.commit().root, Hash::EMPTY_ROOT);
    let proof = trie::prove(&store, Hash::EMPTY_ROOT, 0, b"anything").unwrap();
    assert!(proof.is_empty());
    assert_eq!(
        verify_proof(Hash::EMPTY_ROOT, b"anything", &proof),
        Ok(None)
    );
}

#[test]
fn past_roots_stay_readable_and_provable() {
    let mut store = Versioned::default();
    let mut trie = Trie::new();
    let mut roots = Vec::new();
    for round in 0u8..20 {
        trie.set_version(u64::from(round));
        for i in 0u8..10 {
            let key = keccak256(&[i]);
            trie.insert(&store, key.as_bytes(), vec![round, i]).unwrap();
        }
        if round % 3 == 0 {
            trie.remove(&store, keccak256(&[round % 10]).as_bytes())
                .unwrap();
        }
        let committed = trie.commit_and_unload();
        roots.push(committed.root);
        store.file(u64::from(round), committed);
    }
    for (round, root) in roots.iter().enumerate() {
        let old = Trie::at(*root, round as u64);
        for i in 0u8..10 {
            let key = keccak256(&[i]);
            let removed = round % 3 == 0 && usize::from(i) == round % 10;
            let expected = (!removed).then(|| vec![round as u8, i]);
            assert_eq!(old.get(&store, key.as_bytes()).unwrap(), expected);
            let proof = trie::prove(&store, *root, round as u64, key.as_bytes()).unwrap();
            verify_value(*root, key.as_bytes(), expected.as_deref(), &proof).unwrap();
        }
    }
}

#[test]
fn tampered_proofs_are_rejected() {
    let mut store = Store::new();
    let mut trie = Trie::new();
    for i in 0u16..200 {
        trie.insert(&store, keccak256(&i.to_be_bytes()).as_bytes(), vec![1; 40])
            .unwrap();
    }
    let committed = trie.commit();
    store.extend(committed.nodes);
    let key = keccak256(&7u16.to_be_bytes());
    let proof = trie::prove(&store, committed.root, 0, key.as_bytes()).unwrap();
    assert!(proof.len() >= 2);

    let mut flipped = proof.clone();
    let last = flipped.len() - 1;
    let byte = flipped[last].len() - 1;
    flipped[last][byte] ^= 1;
    let error = verify_proof(committed.root, key.as_bytes(), &flipped).unwrap_err();
    assert!(error.to_string().contains("hashes to"), "{error}");

    let mut truncated = proof.clone();
    truncated.pop();
    let error = verify_proof(committed.root, key.as_bytes(), &truncated).unwrap_err();
    assert!(error.to_string().contains("ends at node"), "{error}");

    let mut extra = proof.clone();
    extra.push(vec![0xc0]);
    let error = verify_proof(committed.root, key.as_bytes(), &extra).unwrap_err();
    assert!(
        error.to_string().contains("not on the key's path"),
        "{error}"
    );

    let error = verify_value(committed.root, key.as_bytes(), Some(&[2; 40]), &proof).unwrap_err();
    assert!(
        error.to_string().contains("the proof shows the value"),
        "{error}"
    );
}

/// The root `alloy-trie` computes for a secure-keyed map.
fn alloy_root(map: &BTreeMap<Vec<u8>, Vec<u8>>) -> Hash {
    let hashed: BTreeMap<Hash, &Vec<u8>> = map
        .iter()
        .map(|(key, value)| (keccak256(key), value))
        .collect();
    let mut builder = HashBuilder::default();
    for (key, value) in hashed {
        builder.add_leaf(AlloyNibbles::unpack(key.as_bytes()), value);
    }
    Hash(builder.root().0)
}

/// Whether `alloy-trie`'s verifier accepts our proof of `raw_key`.
fn alloy_verifies(root: Hash, raw_key: &[u8], value: Option<&Vec<u8>>, proof: &[Vec<u8>]) -> bool {
    let proof: Vec<Bytes> = proof.iter().map(|node| Bytes::from(node.clone())).collect();
    alloy_trie::proof::verify_proof(
        B256::from(root.0),
        AlloyNibbles::unpack(keccak256(raw_key).as_bytes()),
        value.cloned(),
        &proof,
    )
    .is_ok()
}

#[derive(Clone, Debug)]
enum Op {
    Set(u8, Vec<u8>),
    /// Several keys at once through `insert_batch` (new subtrees are built whole).
    Batch(Vec<(u8, Vec<u8>)>),
    Remove(u8),
    Commit,
    /// Commit, store the nodes, then keep only this many levels in memory, as the chain
    /// does between blocks.
    CommitKeeping(usize),
}

fn op() -> impl Strategy<Value = Op> {
    // Keys from a small pool, so that updates and removals hit existing entries; values of
    // 1 to 40 bytes, so that both embedded and hashed nodes occur.
    prop_oneof![
        5 => (any::<u8>(), proptest::collection::vec(any::<u8>(), 1..40)).prop_map(|(k, v)| Op::Set(k % 64, v)),
        1 => proptest::collection::vec((any::<u8>(), proptest::collection::vec(any::<u8>(), 1..40)), 1..12)
            .prop_map(|entries| Op::Batch(entries.into_iter().map(|(k, v)| (k % 64, v)).collect())),
        3 => any::<u8>().prop_map(|k| Op::Remove(k % 64)),
        1 => Just(Op::Commit),
        1 => (0usize..4).prop_map(Op::CommitKeeping),
    ]
}

fn raw_key(index: u8) -> Vec<u8> {
    // Raw state keys look like an address followed by a slot; any bytes do.
    let mut key = vec![0xaa; 20];
    key.push(index);
    key
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn roots_and_proofs_agree_with_alloy_trie(ops in proptest::collection::vec(op(), 0..120), probes in proptest::collection::vec(0u8..80, 1..6)) {
        // Each commit files its nodes under the next version; later changes read them
        // back by the versions their parents carry.
        let mut store = Versioned::default();
        let mut version = 0;
        // Where the current root node is filed (a commit that changes nothing files none).
        let mut root_version = 0;
        let mut trie = Trie::new();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for op in &ops {
            match op {
                Op::Set(index, value) => {
                    trie.insert(&store, keccak256(&raw_key(*index)).as_bytes(), value.clone()).unwrap();
                    model.insert(raw_key(*index), value.clone());
                }
                Op::Batch(entries) => {
                    trie.insert_batch(
                        &store,
                        entries.iter().map(|(index, value)| (keccak256(&raw_key(*index)).0, value.clone())),
                    ).unwrap();
                    for (index, value) in entries {
                        model.insert(raw_key(*index), value.clone());
                    }
                }
                Op::Remove(index) => {
                    let removed = trie.remove(&store, keccak256(&raw_key(*index)).as_bytes()).unwrap();
                    prop_assert_eq!(removed, model.remove(&raw_key(*index)).is_some());
                }
                Op::Commit => {
                    // Commit part-way and drop the in-memory nodes, so later changes read
                    // committed nodes back from the store.
                    let committed = trie.commit_and_unload();
                    if committed.nodes.iter().any(|(hash, _)| *hash == committed.root) {
                        root_version = version;
                    }
                    store.file(version, committed);
                    version += 1;
                    trie.set_version(version);
                }
                Op::CommitKeeping(levels) => {
                    let committed = trie.commit();
                    if committed.nodes.iter().any(|(hash, _)| *hash == committed.root) {
                        root_version = version;
                    }
                    store.file(version, committed);
                    trie.unload_below(*levels);
                    version += 1;
                    trie.set_version(version);
                }
            }
        }
        let committed = trie.commit();
        let root = committed.root;
        if committed.nodes.iter().any(|(hash, _)| *hash == root) {
            root_version = version;
        }
        store.file(version, committed);
        prop_assert_eq!(root, alloy_root(&model));

        // The same contents inserted in reverse order into a fresh trie give the same root.
        let mut reversed = Trie::new();
        for (key, value) in model.iter().rev() {
            reversed.insert(&Store::new(), keccak256(key).as_bytes(), value.clone()).unwrap();
        }
        let parallel = reversed.commit_parallel();
        prop_assert_eq!(parallel.root, root);
        // Hashed on two threads, the fresh trie's nodes are exactly those a sequential
        // commit of the same contents produces.
        let mut sequential = Trie::new();
        for (key, value) in &model {
            sequential.insert(&Store::new(), keccak256(key).as_bytes(), value.clone()).unwrap();
        }
        let mut expected_nodes = sequential.commit().nodes;
        let mut parallel_nodes = parallel.nodes;
        expected_nodes.sort();
        parallel_nodes.sort();
        prop_assert_eq!(parallel_nodes, expected_nodes);

        for probe in probes {
            let key = raw_key(probe);
            let path = keccak256(&key);
            let expected = model.get(&key).cloned();
            prop_assert_eq!(trie.get(&store, path.as_bytes()).unwrap(), expected.clone());
            // Read afresh from the store alone, from the root's version down.
            prop_assert_eq!(Trie::at(root, root_version).get(&store, path.as_bytes()).unwrap(), expected.clone());
            let proof = trie::prove(&store, root, root_version, path.as_bytes()).unwrap();
            prop_assert_eq!(verify_proof(root, path.as_bytes(), &proof).unwrap(), expected.clone());
            prop_assert!(alloy_verifies(root, &key, expected.as_ref(), &proof));
        }
    }
}

#[test]
fn a_commit_hashes_only_the_changed_path() {
    let mut store = Store::new();
    let mut trie = Trie::new();
    for i in 0u32..10_000 {
        trie.insert(&store, keccak256(&i.to_be_bytes()).as_bytes(), vec![7; 32])
            .unwrap();
    }
    let first = trie.commit_and_unload();
    assert!(first.nodes.len() > 10_000);
    store.extend(first.nodes);

    // One changed entry: only the nodes from its leaf up to the root are new (a 10k-entry
    // secure trie is about four levels deep), both in memory and after reloading.
    let key = keccak256(&5u32.to_be_bytes());
    trie.insert(&store, key.as_bytes(), vec![8; 32]).unwrap();
    let second = trie.commit();
    assert!(
        (2..=6).contains(&second.nodes.len()),
        "{}",
        second.nodes.len()
    );
    store.extend(second.nodes);
    trie.insert(&store, key.as_bytes(), vec![9; 32]).unwrap();
    let third = trie.commit();
    assert!(
        (2..=6).contains(&third.nodes.len()),
        "{}",
        third.nodes.len()
    );
    // Committing with no change creates nothing.
    assert!(trie.commit().nodes.is_empty());
}

/// A step of [`a_batch_makes_the_trie_one_by_one_inserts_make`].
#[derive(Clone, Debug)]
enum BatchOp {
    Batch(Vec<(Vec<u8>, Vec<u8>)>),
    Remove(Vec<u8>),
    /// Reads every key written so far from both tries.
    Read,
    Commit,
    CommitAndUnload,
}

/// Plain keys of 0–4 bytes from a 3-letter alphabet: short, often equal, often one a
/// prefix of another, so that every node shape occurs (values at branches included).
fn short_key() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop::sample::select(vec![0x00u8, 0x01, 0x10]), 0..5)
}

fn batch_op() -> impl Strategy<Value = BatchOp> {
    let entry = (short_key(), proptest::collection::vec(any::<u8>(), 1..40));
    prop_oneof![
        4 => proptest::collection::vec(entry, 0..40).prop_map(BatchOp::Batch),
        2 => short_key().prop_map(BatchOp::Remove),
        1 => Just(BatchOp::Read),
        1 => Just(BatchOp::Commit),
        1 => Just(BatchOp::CommitAndUnload),
    ]
}

/// Commits both tries into `store`; their roots and the sets of new nodes must be the
/// same (a subtree that occurs twice is handed back once by a batch, twice otherwise).
fn commit_both(
    store: &mut Store,
    a: &mut Trie,
    b: &mut Trie,
    unload: bool,
) -> Result<(), TestCaseError> {
    let (a, b) = if unload {
        (a.commit_and_unload(), b.commit_and_unload())
    } else {
        (a.commit(), b.commit())
    };
    prop_assert_eq!(a.root, b.root);
    let a: BTreeMap<Hash, Vec<u8>> = a.nodes.into_iter().collect();
    let b: BTreeMap<Hash, Vec<u8>> = b.nodes.into_iter().collect();
    prop_assert_eq!(&a, &b);
    store.extend(a);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// `insert_batch` gives the trie that inserting its entries one by one in order gives
    /// (the last entry of a key wins), on empty, loaded and stored tries alike, read or
    /// changed again before a commit or after.
    #[test]
    fn a_batch_makes_the_trie_one_by_one_inserts_make(ops in proptest::collection::vec(batch_op(), 1..12)) {
        let mut store = Store::new();
        let (mut batched, mut single) = (Trie::new(), Trie::new());
        let mut keys = std::collections::BTreeSet::new();
        for op in ops {
            match op {
                BatchOp::Batch(entries) => {
                    for (key, value) in &entries {
                        single.insert(&store, key, value.clone()).unwrap();
                        keys.insert(key.clone());
                    }
                    batched.insert_batch(&store, entries).unwrap();
                }
                BatchOp::Remove(key) => {
                    prop_assert_eq!(batched.remove(&store, &key).unwrap(), single.remove(&store, &key).unwrap());
                }
                BatchOp::Read => {
                    for key in &keys {
                        prop_assert_eq!(batched.get(&store, key).unwrap(), single.get(&store, key).unwrap());
                    }
                }
                BatchOp::Commit => commit_both(&mut store, &mut batched, &mut single, false)?,
                BatchOp::CommitAndUnload => commit_both(&mut store, &mut batched, &mut single, true)?,
            }
        }
        commit_both(&mut store, &mut batched, &mut single, false)?;
    }
}
