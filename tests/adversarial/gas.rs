//! Gas bounds time and memory: comparison, hashing, recovery and memory bombs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use assent_ledger::Address;
use serde_json::{Value, json};

use crate::node_support::{Account, Call, Node, build_source, temp_dir};

/// A contract whose entry points each do one kind of unpaid-for work, as the reliability
/// review found it.
const BOMBS: &str = r#"
contract Bombs;

/// Compares `big` with `[1]`, `rounds` times.
action compare(big: List<Int>, rounds: Int) -> Int {
    let small = [1];
    let mut equal = 0;
    for round in 0..rounds {
        if big == small {
            equal = equal + 1;
        }
    }
    equal
}

/// Makes handles that occupy memory: a copied handle and an empty option per round.
view hoard(rounds: Int) -> Int {
    let small = [1];
    let mut kept = 0;
    for round in 0..rounds {
        let mut copy = small;
        copy.push(round);
        let empty: Int? = none;
        if empty == none {
            kept = kept + copy.len();
        }
    }
    kept
}

/// Burns gas in a plain loop.
view spin(rounds: Int) -> Int {
    let mut total = 0;
    for round in 0..rounds {
        total = total + round;
    }
    total
}

view hash_one(text: String) -> Hash { sha3(text) }

view hash_two(a: String, b: String) -> Hash { sha3(a, b) }
"#;

/// Deploys the bombs on a fresh node; the node, an account and the contract's address.
fn bombs(name: &str, extra: &[&str]) -> (Node, Account, Address, crate::node_support::TempDir) {
    let dir = temp_dir(name);
    let node = Node::start_with(&dir, "100ms", extra);
    let mut alice = Account::dev("alice");
    let deployed = node.transact(&mut alice, &Call::deploy(&build_source(name, BOMBS)));
    assert_eq!(deployed["status"], "ok", "{deployed}");
    let to = Address::from_hex(deployed["contract_address"].as_str().unwrap()).unwrap();
    (node, alice, to, dir)
}

/// A JSON-RPC request from a client of its own (any thread); the response object.
fn post_json(url: &str, body: &Value) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body.to_string())
        .unwrap();
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

fn block_number(node: &Node) -> u64 {
    node.result("assent_blockNumber", &json!([]))
        .as_u64()
        .unwrap()
}

/// Waits (60 s at most) until the head is past `height`.
fn blocks_keep_coming(node: &Node, height: u64) {
    let started = Instant::now();
    while block_number(node) <= height {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no block after {height}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

fn view(node: &Node, to: Address, method: &str, args: Value) -> Value {
    node.rpc(
        "assent_call",
        &json!([{"to": to.to_string(), "method": method, "args": args}]),
    )
}

#[test]
fn a_comparison_bomb_ends_by_its_gas_and_blocks_keep_coming() {
    let (node, mut alice, to, _dir) = bombs("comparison-bomb", &[]);
    let height = block_number(&node);
    // 50,000 elements against `[1]`, a billion times: before comparisons were charged
    // without walking their operands, each one walked the large list to price itself.
    let big: Vec<i64> = (0..50_000).collect();
    let call = Call {
        gas_limit: Some(100_000_000),
        ..Call::action(to, "compare", json!({"big": big, "rounds": 1_000_000_000}))
    };
    let raw = alice.sign(node.chain_id(), &call);
    let hash = node.send(&raw)["result"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let receipt = loop {
        let receipt = node.result("assent_getTransactionReceipt", &json!([hash]));
        if !receipt.is_null() {
            break receipt;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the comparison bomb held the producer for a minute"
        );
        thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(receipt["status"], "out_of_gas", "{receipt}");
    blocks_keep_coming(&node, receipt["block"].as_u64().unwrap().max(height));
    node.stop();
}

#[test]
fn a_view_burning_its_whole_gas_cap_does_not_stop_blocks() {
    let (node, mut alice, to, _dir) = bombs("view-cap", &["--view-gas", "20000000"]);
    let answer = view(&node, to, "spin", json!({"rounds": 1_000_000_000}));
    assert_eq!(answer["error"]["data"]["status"], "out_of_gas", "{answer}");
    assert_eq!(answer["error"]["data"]["gas_used"], 20_000_000, "{answer}");
    // Views spinning on every worker but one while transactions still get receipts.
    let stop = Arc::new(AtomicBool::new(false));
    let spinners: Vec<_> = (0..3)
        .map(|_| {
            let (url, stop) = (node.url.clone(), stop.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    post_json(&url, &json!({"jsonrpc": "2.0", "id": 1, "method": "assent_call",
                        "params": [{"to": to.to_string(), "method": "spin", "args": {"rounds": 1_000_000_000}}]}));
                }
            })
        })
        .collect();
    for _ in 0..3 {
        let receipt = node.transact(
            &mut alice,
            &Call::action(to, "compare", json!({"big": [1], "rounds": 1})),
        );
        assert_eq!(receipt["status"], "ok", "{receipt}");
    }
    stop.store(true, Ordering::Relaxed);
    for spinner in spinners {
        spinner.join().unwrap();
    }
    node.stop();
}

#[test]
fn memory_bomb_views_keep_the_node_small_and_answering() {
    // The block gas limit as the views' cap: without a memory budget that counts copied
    // handles and empty options as what they occupy, one such view grew the node by GBs.
    let (node, _alice, to, _dir) = bombs("memory-bomb", &["--view-gas", "1000000000"]);
    let before = node.peak_rss_kib();
    let bombers: Vec<_> = (0..4)
        .map(|_| {
            let url = node.url.clone();
            thread::spawn(move || {
                post_json(&url, &json!({"jsonrpc": "2.0", "id": 1,
                    "method": "assent_call",
                    "params": [{"to": to.to_string(), "method": "hoard", "args": {"rounds": 1_000_000_000}}]}))
            })
        })
        .collect();
    // Another client is answered meanwhile.
    let started = Instant::now();
    block_number(&node);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "assent_blockNumber waited {:?}",
        started.elapsed()
    );
    for bomber in bombers {
        let answer = bomber.join().unwrap();
        let status = &answer["error"]["data"]["status"];
        assert!(
            status == "aborted" || status == "out_of_gas",
            "the hoard view did not end by its budget: {answer}"
        );
    }
    let peak = node.peak_rss_kib();
    assert!(
        peak < before + 512 * 1024,
        "the node's peak RSS grew from {before} KiB to {peak} KiB"
    );
    node.stop();
}

#[test]
fn sha3_of_several_arguments_hashes_their_tuple_encoding() {
    let (node, _alice, to, _dir) = bombs("sha3-tuple", &[]);
    let hash = |method: &str, args: Value| view(&node, to, method, args)["result"].clone();
    let split_late = hash("hash_two", json!({"a": "ab", "b": "c"}));
    let split_early = hash("hash_two", json!({"a": "a", "b": "bc"}));
    assert_ne!(split_late, split_early);
    // One String hashes its bytes, as any off-ledger tool does.
    let one = hash("hash_one", json!({"text": "abc"}));
    let expected = assent_ledger::primitives::encode_hex(assent_vm::keccak256(b"abc").as_bytes());
    assert_eq!(one, json!(expected));
    // The tuple's canonical encoding: each String with its 4-byte length.
    let mut tuple = Vec::new();
    for part in ["ab", "c"] {
        tuple.extend((part.len() as u32).to_be_bytes());
        tuple.extend(part.as_bytes());
    }
    assert_eq!(
        split_late,
        json!(assent_ledger::primitives::encode_hex(
            assent_vm::keccak256(&tuple).as_bytes()
        ))
    );
    node.stop();
}
