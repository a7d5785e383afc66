//! Untrusted inputs at the edges: hex, money and percent bounds, receipts' positions, ABI docs.

use assent_ledger::Address;
use serde_json::json;

use crate::node_support::{Account, Call, Node, build_source, temp_dir};

const PROBE: &str = r#"
contract Probe;

view refuse(n: Int) -> Int {
    require n > 0, "n must be positive";
    n
}
"#;

/// A view that aborts over RPC says where, with the file, as a receipt does.
#[test]
fn a_view_aborting_over_rpc_names_the_file_of_its_position() {
    let dir = temp_dir("view-position");
    let node = Node::start(&dir, "100ms");
    let mut alice = Account::dev("alice");
    let deployed = node.transact(&mut alice, &Call::deploy(&build_source("probe", PROBE)));
    assert_eq!(deployed["status"], "ok", "{deployed}");
    let to = Address::from_hex(deployed["contract_address"].as_str().unwrap()).unwrap();
    let answer = node.rpc(
        "assent_call",
        &json!([{"to": to.to_string(), "method": "refuse", "args": {"n": 0}}]),
    );
    let error = &answer["error"];
    assert_eq!(error["code"], -32000, "{answer}");
    assert_eq!(error["data"]["status"], "aborted", "{answer}");
    assert_eq!(
        error["data"]["position"],
        json!({"file": "probe.assent", "line": 5, "column": 5}),
        "{answer}"
    );
    node.stop();
}
