//! Bounded and fair RPC: log floods, connection floods, slow clients.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::node_support::{Account, Call, Node, connect_from, temp_dir};

/// Emits `n` events of one kind in one transaction.
const FLOOD: &str = "contract Flood;\n\nevent Tick { indexed n: Int }\n\naction flood(n: Int) {\n    for i in 0..n {\n        emit Tick { n: i };\n    }\n}\n";

/// A node with the flood contract deployed; its address.
fn flood_node(name: &str) -> (Node, crate::node_support::TempDir, Account, Value) {
    let dir = temp_dir(name);
    let node = Node::start(&dir, "0");
    let source = dir.join("flood.assent");
    std::fs::write(&source, FLOOD).unwrap();
    let wasm = dir.join("flood.wasm");
    let built = crate::node_support::assent(&[
        "build",
        source.to_str().unwrap(),
        "-o",
        wasm.to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{built:?}");
    let mut alice = Account::dev("alice");
    let receipt = node.transact(&mut alice, &Call::deploy(&std::fs::read(&wasm).unwrap()));
    let contract = receipt["contract_address"].clone();
    (node, dir, alice, contract)
}

fn flood(node: &Node, account: &mut Account, contract: &Value, n: u64) -> Value {
    let to = assent_ledger::Address::from_hex(contract.as_str().unwrap()).unwrap();
    let mut call = Call::action(to, "flood", json!({ "n": n }));
    call.gas_limit = Some(900_000_000);
    let receipt = node.transact(account, &call);
    assert_eq!(receipt["status"], "ok", "{receipt}");
    receipt
}

/// The reviewer's log flood: 10,000 events of one transaction read back by contract took
/// 25 s, every receipt read again for every event. Each receipt is now read once, so the
/// answer comes at once (generous bound: the benchmark has the figure); a search past
/// the cap is answered in pages, each saying where to go on.
#[test]
fn a_contract_filtered_log_query_costs_what_it_returns_and_pages_past_the_cap() {
    let (node, _dir, mut alice, contract) = flood_node("log-flood");
    flood(&node, &mut alice, &contract, 10_000);
    let started = Instant::now();
    let events = node.result("assent_getLogs", &json!([{ "contract": contract }]));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "10,000 events took {:?}",
        started.elapsed()
    );
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 10_000);
    assert_eq!(events[9_999]["fields"]["n"], 9_999);
    assert_eq!(events[9_999]["event_index"], 9_999);

    // Past the cap, an unpaged request is refused with where it stopped; pages go on.
    flood(&node, &mut alice, &contract, 5_000);
    let response = node.rpc("assent_getLogs", &json!([{ "contract": contract }]));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("give `limit`"),
        "{response}"
    );
    let mut filter = json!({ "contract": contract, "limit": 4_000 });
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = node.result("assent_getLogs", &json!([filter]));
        pages += 1;
        seen.extend(page["events"].as_array().unwrap().iter().map(|event| {
            (
                event["block"].as_u64().unwrap(),
                event["fields"]["n"].clone(),
            )
        }));
        if page["next"].is_null() {
            break;
        }
        filter["resume"] = page["next"].clone();
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 15_000);
    assert_eq!(seen[10_000].1, 0, "the second transaction starts over at 0");
    assert!(seen.windows(2).all(|pair| pair[0].0 <= pair[1].0));
    // `assent logs` follows the pages.
    let keystore = temp_dir("log-flood-keys");
    let out = node.cli(
        &["logs", "--json", "--contract", contract.as_str().unwrap()],
        &keystore,
    );
    assert!(out.status.success(), "{out:?}");
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 15_000);
}

/// Headers, a body length of 100 and one byte of it: the reviewer's slow connection.
/// (The node may already have turned it away: a failed write is not this test's concern.)
fn slow_connection(node: &Node) -> Option<TcpStream> {
    let mut stream = connect_from("127.0.0.1", node.address()).ok()?;
    let head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{";
    let _ = stream.write_all(head.as_bytes());
    Some(stream)
}

/// A complete request on a connection from `local`; the time until the answer.
fn timed_request(node: &Node, local: &str) -> (Duration, String) {
    let started = Instant::now();
    let mut stream = connect_from(local, node.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"assent_chainId","params":[]}"#;
    let request = format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    // A client over its connection cap may be answered and closed before it writes.
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    (started.elapsed(), answer)
}

/// 600 connections from one client that sent headers and one byte of their bodies held
/// every connection slot: a normal request from elsewhere waited 27 s. One client now
/// holds a few slots at most, and the rest are turned away at once.
#[test]
fn slow_connections_from_one_client_do_not_keep_another_out() {
    let dir = temp_dir("slow-flood");
    let node = Node::start(&dir, "0");
    let slow: Vec<TcpStream> = (0..600).filter_map(|_| slow_connection(&node)).collect();
    assert!(slow.len() > 512, "only {} connections made", slow.len());
    std::thread::sleep(Duration::from_millis(500));
    let (waited, answer) = timed_request(&node, "127.0.0.2");
    assert!(answer.contains("\"result\""), "{answer}");
    assert!(
        waited < Duration::from_secs(10),
        "another client waited {waited:?}"
    );
    // The flooding client itself is told it has too many.
    let (waited, answer) = timed_request(&node, "127.0.0.1");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 429") || answer.contains("\"result\""),
        "{answer}"
    );
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    drop(slow);
}

/// A body sent a byte at a time held its connection for the whole 30 s body timeout. A
/// client below the minimum rate is now cut off after a short grace.
#[test]
fn a_client_that_sends_too_slowly_is_cut_off() {
    let dir = temp_dir("slow-body");
    let node = Node::start(&dir, "0");
    let mut stream = connect_from("127.0.0.3", node.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let cut_off = loop {
        // One byte every half second: 2 bytes/s.
        if stream.write_all(b" ").is_err() {
            break true;
        }
        let mut buffer = [0u8; 1024];
        match stream.read(&mut buffer) {
            Ok(0) => break true,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break true,
        }
        if started.elapsed() > Duration::from_secs(15) {
            break false;
        }
    };
    assert!(
        cut_off,
        "a 2 bytes/s body was still being read after {:?}",
        started.elapsed()
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}
