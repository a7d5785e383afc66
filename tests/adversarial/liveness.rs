//! No transaction halts the chain; admission is bounded (mempool caps, block gas, bytes).

use serde_json::{Value, json};

use crate::node_support::{Account, Call, Node, build_source, counter_wasm, temp_dir};

/// Deploys the counter from `account`; its address as the JSON-RPC string.
fn deploy_counter(node: &Node, account: &mut Account) -> String {
    let receipt = node.transact(account, &Call::deploy(counter_wasm()));
    assert_eq!(receipt["status"], "ok", "{receipt}");
    receipt["contract_address"].as_str().unwrap().to_owned()
}

fn bump(counter: &str) -> Call {
    Call::action(
        assent_ledger::Address::from_hex(counter).unwrap(),
        "bump",
        json!({}),
    )
}

fn block_number(node: &Node) -> u64 {
    node.result("assent_blockNumber", &json!([]))
        .as_u64()
        .unwrap()
}

#[test]
fn the_poison_deployment_does_not_halt_the_chain() {
    let data = temp_dir("liveness-poison");
    let node = Node::start(&data, "0");
    let mut alice = Account::dev("alice");
    let counter = deploy_counter(&node, &mut alice);
    let before = block_number(&node);

    // A record with no fields as a state value: it once encoded to nothing, the store
    // refused it and the producer retried the same block forever.
    let poison = build_source(
        "poison",
        "contract Poison;\nrecord Empty {}\nstate e: Empty = Empty {};\n",
    );
    let mut mallory = Account::dev("mallory");
    let receipt = node.transact(&mut mallory, &Call::deploy(&poison));
    assert_eq!(receipt["status"], "ok", "{receipt}");

    // Another account's transaction gets its receipt, in a later block.
    let mut bob = Account::dev("bob");
    let receipt = node.transact(&mut bob, &bump(&counter));
    assert_eq!(receipt["status"], "ok", "{receipt}");
    assert!(block_number(&node) >= before + 2);
}

#[test]
fn three_640m_gas_transactions_do_not_share_a_block() {
    let data = temp_dir("liveness-block-gas");
    let node = Node::start(&data, "0");
    let mut alice = Account::dev("alice");
    let counter = deploy_counter(&node, &mut alice);
    node.stop();

    // On an interval, so that all three wait for the same block.
    let node = Node::start(&data, "2s");
    let chain_id = node.chain_id();
    let hashes: Vec<String> = ["bob", "carol", "dave"]
        .iter()
        .map(|name| {
            let call = Call {
                gas_limit: Some(640_000_000),
                ..bump(&counter)
            };
            let raw = Account::dev(name).sign(chain_id, &call);
            let response = node.send(&raw);
            response["result"]
                .as_str()
                .unwrap_or_else(|| panic!("refused: {response}"))
                .to_owned()
        })
        .collect();
    let mut blocks: Vec<u64> = hashes
        .iter()
        .map(|hash| {
            let receipt = node.wait_receipt(hash);
            assert_eq!(receipt["status"], "ok", "{receipt}");
            receipt["block"].as_u64().unwrap()
        })
        .collect();
    blocks.sort_unstable();
    blocks.dedup();
    assert_eq!(
        blocks.len(),
        3,
        "one 640M-gas transaction a block: {blocks:?}"
    );
    for block in blocks {
        let header = node.result("assent_getBlockByNumber", &json!([block]));
        assert!(header["gas_used"].as_u64().unwrap() <= 1_000_000_000);
    }
}

#[test]
fn a_gas_limit_that_does_not_pay_for_the_bytes_is_refused() {
    let data = temp_dir("liveness-bytes");
    let node = Node::start(&data, "0");
    // The counter module is about 2 KB: 50,000 gas pays the base but not its bytes.
    let mut alice = Account::dev("alice");
    let call = Call {
        gas_limit: Some(50_000),
        ..Call::deploy(counter_wasm())
    };
    let raw = alice.sign(node.chain_id(), &call);
    let (code, message) = node.error("assent_sendRawTransaction", &json!([raw]));
    assert_eq!(code, 1005, "{message}");
    assert!(message.contains("byte cost"), "{message}");
}

#[test]
fn one_sender_cannot_fill_the_mempool() {
    let data = temp_dir("liveness-mempool");
    let node = Node::start(&data, "0");
    let mut alice = Account::dev("alice");
    let counter = deploy_counter(&node, &mut alice);
    node.stop();

    // Blocks far apart: everything sent waits in the mempool.
    let node = Node::start(&data, "60m");
    let chain_id = node.chain_id();
    let mut mallory = Account::dev("mallory");
    let call = Call {
        gas_limit: Some(100_000),
        ..bump(&counter)
    };
    let client = crate::node_support::Client::new(&node.url);
    let mut refused: Vec<Value> = Vec::new();
    let mut admitted = 0;
    // 5,000 (the per-sender cap) and then some, in batches.
    for _ in 0..21 {
        let batch: Vec<Value> = (0..250)
            .map(|id| {
                let raw = mallory.sign(chain_id, &call);
                json!({"jsonrpc": "2.0", "id": id, "method": "assent_sendRawTransaction", "params": [raw]})
            })
            .collect();
        for answer in client.batch(&Value::Array(batch)) {
            if answer.get("result").is_some() {
                admitted += 1;
            } else {
                refused.push(answer["error"].clone());
            }
        }
    }
    assert_eq!(admitted, 5_000);
    assert!(!refused.is_empty());
    // The first refusal is the cap (later ones may be for the nonce it left behind).
    assert_eq!(refused[0]["code"], 1011, "{}", refused[0]);
    assert!(
        refused[0]["message"]
            .as_str()
            .unwrap()
            .contains("retry later"),
        "{}",
        refused[0]
    );
    // Another sender is still admitted.
    let raw = Account::dev("bob").sign(chain_id, &call);
    let response = node.send(&raw);
    assert!(response["result"].is_string(), "{response}");
}

#[test]
fn an_address_with_signs_in_it_is_not_an_address() {
    let data = temp_dir("liveness-hex");
    let node = Node::start(&data, "0");
    let mut alice = Account::dev("alice");
    let counter = deploy_counter(&node, &mut alice);
    let forged = format!("0x{}", "+1".repeat(20));
    let (code, message) = node.error(
        "assent_call",
        &json!([{"to": counter, "method": "count_of", "args": {"who": forged}}, "latest"]),
    );
    assert_eq!(code, 1008, "{message}");
    assert!(message.contains("not an address"), "{message}");
}
