//! Four validators deciding blocks together over the embedded Malachite engine, as
//! separate `assent node --home` processes on loopback: consent grants sent round-robin to
//! all four reach the same height, state root and receipts everywhere, each block final
//! by a certificate `assent proof --genesis` accepts; a faulty proposer's blocks are
//! rejected and the round moves on; one validator killed, the others go on and it catches
//! up when restarted; two killed, nothing is decided until they are back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod node_support;

use std::path::PathBuf;
use std::time::Duration;

use assent_ledger::Address;
use assent_ledger::block::Header;
use assent_node::consensus::certificate::Certificate;
use assent_node::consensus::genesis::Genesis;
use node_support::network::{Validator, log_of, max_head, testnet, wait_for_height, wait_until};
use node_support::{Account, Call, assent, build, temp_dir};
use serde_json::{Value, json};

const CHAIN_ID: u64 = 4343;
const VALIDATORS: usize = 4;
/// Grants per validator (each from its own patient, so every sender's nonces arrive in
/// order at one validator).
const GRANTS_EACH: usize = 250;
/// The test-only faulty proposer: validator 3 announces a wrong state root.
const FAULTY: usize = 3;

/// The header of a block JSON.
fn header(block: &Value) -> Header {
    Header::from_json(block).unwrap()
}

/// Every running validator has block `number`, the same one.
fn assert_same_block(validators: &[&Validator], number: u64) -> Value {
    let first = validators[0].block(number);
    assert!(!first.is_null(), "no block {number}");
    for validator in &validators[1..] {
        assert_eq!(validator.block(number), first, "block {number} differs");
    }
    first
}

fn running<'a>(validators: &'a [Validator], indices: &[usize]) -> Vec<&'a Validator> {
    indices.iter().map(|&i| &validators[i]).collect()
}

#[test]
fn four_validators_decide_blocks_together_and_survive_failures() {
    let dir = temp_dir("validators");
    let net = dir.join("net");
    let homes: Vec<PathBuf> = testnet(&net, VALIDATORS, CHAIN_ID);
    let genesis_file = net.join("genesis.json");
    let genesis = Genesis::read(&genesis_file).unwrap();
    let mut validators: Vec<Validator> = homes
        .iter()
        .enumerate()
        .map(|(i, home)| Validator::start(home, i == FAULTY))
        .collect();
    let all: Vec<usize> = (0..VALIDATORS).collect();
    wait_for_height(&validators, &all, 2, Duration::from_secs(60));

    // The consent contract, deployed through validator 1.
    let wasm = build(
        "contracts/patient_consent.assent",
        &dir.join("consent.wasm"),
    );
    let mut alice = Account::dev("alice");
    let deploy = alice.sign(CHAIN_ID, &Call::deploy(&wasm));
    let hash = validators[1].call("assent_sendRawTransaction", json!([deploy]));
    let mut receipt = Value::Null;
    wait_until("the deployment", Duration::from_secs(60), || {
        receipt = validators[1].call("assent_getTransactionReceipt", json!([hash]));
        !receipt.is_null()
    });
    assert_eq!(receipt["status"], "ok", "{receipt}");
    let consent = Address::from_hex(receipt["contract_address"].as_str().unwrap()).unwrap();

    // Grants round-robin: patient i sends its grants to validator i, in one batch each.
    let until = assent_node::app::unix_now() + 365 * 86_400;
    let mut hashes: Vec<String> = Vec::new();
    let mut grant_pairs = Vec::new();
    let mut batches: Vec<Vec<Value>> = vec![Vec::new(); VALIDATORS];
    for (i, batch) in batches.iter_mut().enumerate() {
        let mut patient = Account::dev(&format!("patient-{i}"));
        for g in 0..GRANTS_EACH {
            let grantee = Account::dev(&format!("clinician-{g}")).address;
            // Well under the default gas limit, so that a block takes many.
            let call = Call {
                gas_limit: Some(5_000_000),
                ..Call::action(
                    consent,
                    "grant",
                    json!({"grantee": grantee.to_string(), "purposes": ["TREAT"], "classes": ["Lab"], "until": until}),
                )
            };
            let raw = patient.sign(CHAIN_ID, &call);
            batch.push(json!({
                "jsonrpc": "2.0", "id": g, "method": "assent_sendRawTransaction", "params": [raw]
            }));
            grant_pairs.push((patient.address, grantee));
        }
    }
    for (i, batch) in batches.iter().enumerate() {
        for answer in validators[i]
            .client
            .batch(&Value::Array(batch.clone()))
            .unwrap()
        {
            let hash = answer["result"]
                .as_str()
                .unwrap_or_else(|| panic!("refused: {answer}"));
            hashes.push(hash.to_owned());
        }
    }
    assert_eq!(hashes.len(), VALIDATORS * GRANTS_EACH);

    // Every transaction has its receipt on every validator, the same one.
    for validator in &validators {
        wait_until("every receipt", Duration::from_secs(120), || {
            hashes.iter().all(|hash| {
                !validator
                    .call("assent_getTransactionReceipt", json!([hash]))
                    .is_null()
            })
        });
    }
    for hash in &hashes {
        let receipt = validators[0].call("assent_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "ok", "{receipt}");
        for validator in &validators[1..] {
            assert_eq!(
                validator.call("assent_getTransactionReceipt", json!([hash])),
                receipt
            );
        }
    }
    // The same blocks everywhere, each final by a certificate of the genesis validators.
    let height = max_head(&validators, &all) + 1;
    wait_for_height(&validators, &all, height, Duration::from_secs(60));
    let mut later_rounds = 0;
    for number in 1..=height {
        let block = assert_same_block(&running(&validators, &all), number);
        let header = header(&block);
        for validator in &validators {
            let json = validator.call("assent_getCommit", json!([number]));
            let certificate = Certificate::from_json(&json).unwrap();
            assert!(certificate.verify(&genesis, &header).is_ok(), "{json}");
            // Validator 3 proposes first at heights 3, 7, 11 …: its blocks are rejected
            // and another's is decided in a later round.
            if number as usize % VALIDATORS == FAULTY {
                assert!(certificate.round >= 1, "block {number}: {json}");
            }
            if certificate.round >= 1 {
                later_rounds += 1;
            }
        }
    }
    assert!(later_rounds > 0);
    assert!(log_of(&homes[0]).contains("rejected the proposal of block"));
    // `assent proof --genesis` accepts a grant proven at that height from any validator.
    let (patient, grantee) = grant_pairs[0];
    let key = json!([patient.to_string(), grantee.to_string()]).to_string();
    let proven = assent(&[
        "proof",
        &consent.to_string(),
        "grants",
        &key,
        "--block",
        &height.to_string(),
        "--genesis",
        genesis_file.to_str().unwrap(),
        "--rpc",
        &validators[2].url,
    ]);
    let stdout = String::from_utf8_lossy(&proven.stdout);
    assert!(
        proven.status.success(),
        "{}",
        String::from_utf8_lossy(&proven.stderr)
    );
    assert!(stdout.contains("final: block"), "{stdout}");

    // Validator 0 killed: the other three go on deciding.
    validators[0].kill();
    let others = [1, 2, 3];
    let reached = max_head(&validators, &others);
    wait_for_height(&validators, &others, reached + 3, Duration::from_secs(60));
    // Restarted, it catches up from its peers and agrees.
    validators[0] = Validator::start(&homes[0], false);
    let target = max_head(&validators, &others) + 1;
    wait_for_height(&validators, &all, target, Duration::from_secs(120));
    assert_same_block(&running(&validators, &all), target);

    // Two killed: no block is decided and none diverges.
    validators[0].kill();
    validators[1].kill();
    let left = [2, 3];
    std::thread::sleep(Duration::from_secs(3));
    let stalled = max_head(&validators, &left);
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(
        max_head(&validators, &left),
        stalled,
        "decided without a quorum"
    );
    let common = left.iter().map(|&i| validators[i].head()).min().unwrap();
    assert_same_block(&running(&validators, &left), common);
    // Back: progress resumes, everywhere the same.
    validators[0] = Validator::start(&homes[0], false);
    validators[1] = Validator::start(&homes[1], false);
    wait_for_height(&validators, &all, stalled + 3, Duration::from_secs(120));
    assert_same_block(&running(&validators, &all), stalled + 3);
}
