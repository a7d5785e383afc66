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

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assent_ledger::Address;
use assent_ledger::block::Header;
use assent_node::client::Client;
use assent_node::consensus::certificate::Certificate;
use assent_node::consensus::genesis::Genesis;
use node_support::{Account, BIN, Call, assent, build, temp_dir};
use serde_json::{Value, json};

const CHAIN_ID: u64 = 4343;
const VALIDATORS: usize = 4;
/// Grants per validator (each from its own patient, so every sender's nonces arrive in
/// order at one validator).
const GRANTS_EACH: usize = 250;
/// The test-only faulty proposer: validator 3 announces a wrong state root.
const FAULTY: usize = 3;

/// One `assent node --home` process.
struct Validator {
    home: PathBuf,
    child: Option<Child>,
    client: Client,
    url: String,
}

impl Validator {
    fn start(home: &Path, index: usize) -> Validator {
        let log = File::options()
            .create(true)
            .append(true)
            .open(home.join("stderr.log"))
            .unwrap();
        let mut command = Command::new(BIN);
        command
            .args(["node", "--home"])
            .arg(home)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if index == FAULTY {
            command.env(assent_network::FAULTY_PROPOSER_VARIABLE, "1");
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("validator {index} exited: {}", log_of(home)))
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Validator {
            home: home.to_path_buf(),
            child: Some(child),
            client: Client::new(&url),
            url,
        }
    }

    /// SIGKILL, by the child's own pid.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn call(&self, method: &str, params: Value) -> Value {
        self.client
            .call(method, params)
            .unwrap_or_else(|error| panic!("{method}: {error:?}; {}", log_of(&self.home)))
    }

    fn head(&self) -> u64 {
        self.call("assent_blockNumber", json!([])).as_u64().unwrap()
    }

    fn block(&self, number: u64) -> Value {
        self.call("assent_getBlockByNumber", json!([number]))
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        self.kill();
    }
}

fn log_of(home: &Path) -> String {
    std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default()
}

/// A base port whose eight ports (four JSON-RPC, four consensus) are free now.
fn free_base_port() -> u16 {
    let mut base = 21_000 + (std::process::id() % 400) as u16 * 20;
    loop {
        let free = (0..VALIDATORS as u16)
            .flat_map(|i| [base + i, base + 100 + i])
            .all(|port| TcpListener::bind(("127.0.0.1", port)).is_ok());
        if free {
            return base;
        }
        base += 7;
    }
}

/// Waits until `done` holds (`what` names it in the failure), at most `limit`.
fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

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

/// Waits until every validator of `indices` is at `height` or past it.
fn wait_for_height(validators: &[Validator], indices: &[usize], height: u64, limit: Duration) {
    wait_until(&format!("height {height} on {indices:?}"), limit, || {
        indices.iter().all(|&i| validators[i].head() >= height)
    });
}

fn max_head(validators: &[Validator], indices: &[usize]) -> u64 {
    indices.iter().map(|&i| validators[i].head()).max().unwrap()
}

#[test]
fn four_validators_decide_blocks_together_and_survive_failures() {
    let dir = temp_dir("validators");
    let net = dir.join("net");
    let base = free_base_port();
    let written = assent(&[
        "testnet",
        "4",
        net.to_str().unwrap(),
        "--base-port",
        &base.to_string(),
        "--chain-id",
        &CHAIN_ID.to_string(),
    ]);
    assert!(written.status.success());
    let genesis_file = net.join("genesis.json");
    let genesis = Genesis::read(&genesis_file).unwrap();
    let homes: Vec<PathBuf> = (0..VALIDATORS)
        .map(|i| net.join(format!("node{i}")))
        .collect();
    let mut validators: Vec<Validator> = homes
        .iter()
        .enumerate()
        .map(|(i, home)| Validator::start(home, i))
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
    validators[0] = Validator::start(&homes[0], 0);
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
    validators[0] = Validator::start(&homes[0], 0);
    validators[1] = Validator::start(&homes[1], 1);
    wait_for_height(&validators, &all, stalled + 3, Duration::from_secs(120));
    assert_same_block(&running(&validators, &all), stalled + 3);
}
