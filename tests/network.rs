//! The network's files and finality checks end to end: `assent testnet` writes a genesis
//! and one home per validator; blocks certified with the validators' keys are served by
//! `assent_getCommit` and accepted by `assent proof --genesis`, and a short, forged or
//! missing certificate, or one for another block, makes `assent proof` fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod node_support;

use std::path::Path;

use assent_ledger::Hash;
use assent_ledger::block::Header;
use assent_ledger::tx::create_address;
use assent_node::consensus::certificate::{Certificate, CommitSignature, VoteKind, vote_bytes};
use assent_node::consensus::commits::CommitStore;
use assent_node::consensus::genesis::Genesis;
use assent_node::consensus::keys::ValidatorKey;
use assent_node::consensus::testnet::NodeConfig;
use assent_node::server::COMMITS_FILE;
use node_support::{Account, Call, Node, assent, counter_wasm, temp_dir};
use serde_json::{Value, json};

const CHAIN_ID: u64 = 4242;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The header of a block JSON.
fn header(block: &Value) -> Header {
    Header::from_json(block).unwrap()
}

/// The precommits of `keys` for `header`'s hash at round 0.
fn certificate(keys: &[ValidatorKey], height: u64, block_hash: Hash) -> Certificate {
    let message = vote_bytes(CHAIN_ID, height, 0, VoteKind::Precommit, &block_hash);
    Certificate {
        height,
        round: 0,
        block_hash,
        signatures: keys
            .iter()
            .map(|key| CommitSignature {
                public_key: key.public_key(),
                signature: key.sign(&message),
            })
            .collect(),
    }
}

fn keys(net: &Path) -> Vec<ValidatorKey> {
    (0..4)
        .map(|i| ValidatorKey::read(&net.join(format!("node{i}/key.json"))).unwrap())
        .collect()
}

#[test]
fn testnet_files_and_certificates_checked_by_assent_proof() {
    let dir = temp_dir("network-certificates");
    let net = dir.join("net");
    let written = assent(&[
        "testnet",
        "4",
        net.to_str().unwrap(),
        "--base-port",
        "20000",
        "--chain-id",
        &CHAIN_ID.to_string(),
        "--genesis-time",
        "1767225600",
    ]);
    assert!(written.status.success(), "{}", text(&written.stderr));
    assert!(text(&written.stdout).contains("wrote a network of 4 validators"));
    let genesis = Genesis::read(&net.join("genesis.json")).unwrap();
    assert_eq!(genesis.chain_id, CHAIN_ID);
    let keys = keys(&net);
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(key.public_key(), genesis.validators[i].public_key);
        let config = NodeConfig::read(&net.join(format!("node{i}"))).unwrap();
        assert_eq!(config.rpc.port(), 20000 + i as u16);
        assert_eq!(config.consensus.port(), 20100 + i as u16);
    }
    // Not twice into the same directory.
    let again = assent(&["testnet", "4", net.to_str().unwrap()]);
    assert!(!again.status.success());

    // Five blocks on a node of the same chain: a deployment and four bumps.
    let data = dir.join("data");
    let node = Node::start_with(&data, "0", &["--chain-id", &CHAIN_ID.to_string()]);
    let mut alice = Account::dev("alice");
    node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = create_address(&alice.address, 0);
    for _ in 0..4 {
        node.transact(&mut alice, &Call::action(counter, "bump", json!({})));
    }
    let headers: Vec<Header> = (0..=5)
        .map(|number| header(&node.result("assent_getBlockByNumber", &json!([number]))))
        .collect();
    // A single node's blocks have no certificate.
    assert_eq!(node.result("assent_getCommit", &json!([5])), Value::Null);
    node.stop();

    // Block 5: three of four validators; block 4: two (short); block 3: one signature
    // forged; block 2: block 5's hash; block 1: none.
    let store = CommitStore::open(&data.join(COMMITS_FILE)).unwrap();
    let good = certificate(&keys[..3], 5, headers[5].hash());
    store.put(&good).unwrap();
    store
        .put(&certificate(&keys[..2], 4, headers[4].hash()))
        .unwrap();
    let mut forged = certificate(&keys, 3, headers[3].hash());
    forged.signatures[0].signature[5] ^= 0x20;
    store.put(&forged).unwrap();
    store
        .put(&certificate(&keys, 2, headers[5].hash()))
        .unwrap();
    drop(store);

    let node = Node::start_with(&data, "0", &["--chain-id", &CHAIN_ID.to_string()]);
    assert_eq!(node.result("assent_getCommit", &json!([5])), good.to_json());
    assert_eq!(node.result("assent_getCommit", &json!([9])), Value::Null);
    let (code, _) = node.error("assent_getCommit", &json!(["latest"]));
    assert_eq!(code, -32602);

    let keystore = dir.join("keys");
    let genesis_file = net.join("genesis.json");
    let prove = |block: u64| {
        node.cli(
            &[
                "proof",
                &counter.to_string(),
                "total",
                "--block",
                &block.to_string(),
                "--genesis",
                genesis_file.to_str().unwrap(),
            ],
            &keystore,
        )
    };
    let proven = prove(5);
    assert!(proven.status.success(), "{}", text(&proven.stderr));
    assert!(
        text(&proven.stdout)
            .contains("final: block 5's commit certificate carries 3 of 4 voting power"),
        "{}",
        text(&proven.stdout)
    );
    let cases = [
        (4, "not more than two thirds"),
        (3, "does not verify"),
        (2, "the certificate is for block hash"),
        (1, "no commit certificate for block 1"),
    ];
    for (block, message) in cases {
        let refused = prove(block);
        assert!(!refused.status.success(), "block {block} passed");
        assert!(
            text(&refused.stderr).contains(message),
            "block {block}: {}",
            text(&refused.stderr)
        );
    }
    // Another network's genesis: its validators did not sign.
    let foreign = dir.join("foreign");
    let written = assent(&[
        "testnet",
        "4",
        foreign.to_str().unwrap(),
        "--chain-id",
        &CHAIN_ID.to_string(),
    ]);
    assert!(written.status.success());
    let refused = node.cli(
        &[
            "proof",
            &counter.to_string(),
            "total",
            "--genesis",
            foreign.join("genesis.json").to_str().unwrap(),
        ],
        &keystore,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("is not a genesis validator"),
        "{}",
        text(&refused.stderr)
    );
    node.stop();
}
