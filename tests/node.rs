//! End-to-end tests of `assent node`: a real node process on a free loopback port, driven
//! through the CLI and through raw JSON-RPC (LEDGER.md §6, §8).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod node_support;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assent_ledger::primitives::decode_hex;
use assent_ledger::trie::{secure_key, verify_proof};
use assent_ledger::{Address, Hash};
use node_support::{Account, Call, Node, counter_wasm, high_s, temp_dir};
use proptest::prelude::*;
use serde_json::{Value, json};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks an `assent_getProof` answer against the state root in the block's header, with
/// an independent verifier call; returns the proven value's JSON.
fn check_proof(node: &Node, answer: &Value) -> Value {
    let block = node.result("assent_getBlockByNumber", &json!([answer["block"]]));
    assert_eq!(block["state_root"], answer["state_root"]);
    let root = Hash::from_hex(block["state_root"].as_str().unwrap()).unwrap();
    let raw_key = decode_hex(answer["raw_key"].as_str().unwrap()).unwrap();
    let nodes: Vec<Vec<u8>> = answer["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| decode_hex(node.as_str().unwrap()).unwrap())
        .collect();
    let proven = verify_proof(root, secure_key(&raw_key).as_bytes(), &nodes).unwrap();
    let claimed = answer["value"].as_str().map(|hex| decode_hex(hex).unwrap());
    assert_eq!(proven, claimed);
    answer["value_json"].clone()
}

/// Runs `assent args…` against `node` with `keystore`, which must succeed; its output,
/// trimmed.
fn succeeds(node: &Node, keystore: &Path, args: &[&str]) -> String {
    let output = node.cli(args, keystore);
    assert!(
        output.status.success(),
        "assent {args:?} failed:\n{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout).trim().to_owned()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `assent query --explain SOURCE`: the decision and why, from the deployed contract's
/// source only; another source is refused, and `assent_explain` refuses what is not a
/// module and explains nothing of a module it does not accept.
#[test]
fn the_cli_explains_a_decision_from_the_deployed_source_only() {
    let dir = temp_dir("explain");
    let keystore = dir.join("keys");
    let node = Node::start(&dir.join("data"), "0");
    let run = |args: &[&str]| succeeds(&node, &keystore, args);
    let consent = run(&[
        "deploy",
        "contracts/patient_consent.assent",
        "--from",
        "alice",
    ]);
    let until = unix_now() + 365 * 86_400;
    let grant = format!(
        r#"{{"grantee": "bob", "purposes": ["TREAT"], "classes": ["Lab"], "until": {until}}}"#
    );
    run(&[
        "call", &consent, "grant", "--args", &grant, "--from", "alice",
    ]);
    let payment = r#"{"patient": "alice", "actor": "bob", "purpose": "HPAYMT", "class": "Lab"}"#;
    let source = "contracts/patient_consent.assent";
    let explained = run(&[
        "query",
        &consent,
        "may_access",
        "--args",
        payment,
        "--explain",
        source,
    ]);
    for line in [
        r#""rule": "default""#,
        r#"may_access(patient: "0x"#,
        r#"permit "consent"     when covers(grants.get((patient, actor)), purpose, class) && !excluded(patient, actor, purpose, class) → false"#,
        "in covers: purpose in x.purposes → false",
        r#""consent": covers(grants.get((patient, actor)), purpose, class) is false; purpose in x.purposes is false (in covers)"#,
    ] {
        assert!(explained.contains(line), "{line}\n---\n{explained}");
    }
    // The same as JSON, with the result the plain query gives and its gas.
    let json: Value = serde_json::from_str(&run(&[
        "query",
        &consent,
        "may_access",
        "--args",
        payment,
        "--explain",
        source,
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        json["return"],
        json!({"permitted": false, "rule": "default"})
    );
    assert_eq!(json["explanation"]["rules"][5]["label"], "consent");
    assert_eq!(json["explanation"]["closest"].as_array().unwrap().len(), 4);
    let plain: Value = serde_json::from_str(&run(&[
        "query",
        &consent,
        "may_access",
        "--args",
        payment,
        "--json",
    ]))
    .unwrap();
    assert_eq!(plain["return"], json["return"]);

    // Another contract's source does not build the deployed one.
    let other = node.cli(
        &[
            "query",
            &consent,
            "may_access",
            "--args",
            payment,
            "--explain",
            "contracts/claims.assent",
        ],
        &keystore,
    );
    assert!(!other.status.success());
    assert!(
        text(&other.stderr).contains("does not build the contract at"),
        "{}",
        text(&other.stderr)
    );
    // A view is not a decision.
    let view = node.cli(
        &[
            "query",
            &consent,
            "grants_of",
            "--args",
            r#"{"patient": "alice"}"#,
            "--explain",
            source,
        ],
        &keystore,
    );
    assert!(text(&view.stderr).contains("only a policy's decision is explained"));

    // Without `code`, a node started without the contract's source says how to give one.
    let (code, message) = node.error("assent_explain", &json!([
        {"to": consent, "method": "may_access", "args": {"patient": Account::dev("alice").address.to_string(), "actor": Account::dev("bob").address.to_string(), "purpose": "TREAT", "class": "Lab"}},
        "latest"
    ]));
    assert_eq!(code, -32602);
    assert!(message.contains("--sources"), "{message}");

    // Over RPC: `code` must be hex; a module the explaining VM refuses gives no notes.
    let request = json!({"to": consent, "method": "may_access",
        "args": {"patient": Account::dev("alice").address.to_string(),
                 "actor": Account::dev("bob").address.to_string(),
                 "purpose": "TREAT", "class": "Lab"}});
    let mut not_hex = request.clone();
    not_hex["code"] = json!("nope");
    assert_eq!(
        node.error("assent_explain", &json!([not_hex, "latest"])).0,
        -32602
    );
    let mut not_a_module = request.clone();
    not_a_module["code"] = json!("0x0061736d");
    let answer = node.result("assent_explain", &json!([not_a_module, "latest"]));
    assert_eq!(
        answer["result"]["return"],
        json!({"permitted": true, "rule": "consent"})
    );
    assert_eq!(answer["notes"], json!([]));
    assert!(
        answer["stopped"].as_str().unwrap().contains("does not run"),
        "{answer}"
    );
    node.stop();
}

#[test]
fn the_cli_deploys_grants_queries_proves_and_finds_logs() {
    let dir = temp_dir("cli");
    let keystore = dir.join("keys");
    let node = Node::start(&dir.join("data"), "0");
    let run = |args: &[&str]| succeeds(&node, &keystore, args);

    // Keys: a new keystore key (0600), listed and shown; dev names work too.
    let carol = run(&["keys", "new", "carol"])
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(Address::from_hex(&carol).is_some(), "{carol}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keystore.join("carol.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(run(&["keys", "list"]).contains(&carol));
    assert_eq!(run(&["keys", "show", "carol"]), carol);
    let alice = run(&["keys", "show", "alice"]);
    let bob = run(&["keys", "show", "bob"]);
    assert_eq!(alice, Account::dev("alice").address.to_string());
    let duplicate = node.cli(&["keys", "new", "carol"], &keystore);
    assert!(!duplicate.status.success());

    // Deploy, grant, check access.
    let consent = run(&[
        "deploy",
        "contracts/patient_consent.assent",
        "--from",
        "alice",
    ]);
    assert!(Address::from_hex(&consent).is_some(), "{consent}");
    let until = unix_now() + 365 * 86_400;
    let grant = format!(
        r#"{{"grantee": "{bob}", "purposes": ["TREAT"], "classes": ["Lab"], "until": {until}}}"#
    );
    let receipt: Value = serde_json::from_str(&run(&[
        "call", &consent, "grant", "--args", &grant, "--from", "alice", "--json",
    ]))
    .unwrap();
    assert_eq!(receipt["status"], "ok");
    assert_eq!(receipt["events"][0]["name"], "ConsentGranted");
    let access = format!(
        r#"{{"patient": "{alice}", "actor": "{bob}", "purpose": "TREAT", "class": "Lab"}}"#
    );
    let decision: Value =
        serde_json::from_str(&run(&["query", &consent, "may_access", "--args", &access])).unwrap();
    assert_eq!(decision, json!({"permitted": true, "rule": "consent"}));

    // The receipt again, by hash.
    let hash = receipt["tx_hash"].as_str().unwrap();
    let again: Value = serde_json::from_str(&run(&["receipt", hash, "--json"])).unwrap();
    assert_eq!(again, receipt);
    assert!(run(&["receipt", hash]).starts_with("ok in block"));

    // Prove the grant, and the absence of the reverse one.
    let key = format!(r#"["{alice}", "{bob}"]"#);
    let proof = run(&["proof", &consent, "grants", &key]);
    assert!(proof.contains("verified:"), "{proof}");
    assert!(proof.contains("TREAT"), "{proof}");
    let reverse = format!(r#"["{bob}", "{alice}"]"#);
    let absent = run(&["proof", &consent, "grants", &reverse]);
    assert!(absent.contains("is absent"), "{absent}");
    let proof_json: Value =
        serde_json::from_str(&run(&["proof", &consent, "grants", &key, "--json"])).unwrap();
    assert_eq!(proof_json["verified"], true);
    check_proof(&node, &proof_json);

    // A denied access is audited; the logs find it by an indexed field.
    let denied = node.cli(
        &[
            "call",
            &consent,
            "access",
            "--from",
            "carol",
            "--args",
            &format!(r#"{{"patient": "{alice}", "purpose": "TREAT", "class": "Lab"}}"#),
        ],
        &keystore,
    );
    assert!(!denied.status.success());
    assert!(
        text(&denied.stderr).contains("access denied"),
        "{}",
        text(&denied.stderr)
    );
    let logs: Value = serde_json::from_str(&run(&[
        "logs",
        "--contract",
        &consent,
        "--event",
        "Accessed",
        "--where",
        &format!("actor={carol}"),
        "--json",
    ]))
    .unwrap();
    assert_eq!(logs.as_array().unwrap().len(), 1, "{logs}");
    assert_eq!(logs[0]["fields"]["permitted"], false);
    assert_eq!(logs[0]["audit"], true);
    let by_patient = run(&["logs", "--where", &format!("patient={alice}")]);
    assert_eq!(by_patient.lines().count(), 2, "{by_patient}");
    node.stop();
}

/// A contract whose `init` takes Addresses in every nesting `--args` can hold, and a view
/// that gives them back.
const PANEL: &str = "contract Panel;

record Seat {
    holder: Address,
    backup: Address?,
}

state chair: Address;
state seats: List<Seat>;
state pair: (Address, Int);

init(chair_: Address, seats_: List<Seat>, pair_: (Address, Int)) {
    chair = chair_;
    seats = seats_;
    pair = pair_;
}

action echo(roles: Map<Address, Set<Address>>) -> Map<Address, Set<Address>> {
    roles
}

action replace_chair(chair_: Address) -> Address {
    chair = chair_;
    chair
}

view panel() -> (Address, List<Seat>, (Address, Int)) {
    (chair, seats, pair)
}

view chair_is(who: Address) -> Bool {
    if who == caller {
        abort \"the caller asks about itself\";
    }
    chair == who
}
";

#[test]
fn names_in_args_stand_for_addresses_wherever_the_abi_expects_one() {
    let dir = temp_dir("names");
    let keystore = dir.join("keys");
    let node = Node::start(&dir.join("data"), "0");
    let run = |args: &[&str]| succeeds(&node, &keystore, args);
    // A keystore key, a stored address, and development accounts.
    let carol = run(&["keys", "new", "carol"])
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let rita = Account::dev("irb_rita").address.to_string();
    run(&["keys", "add", "rita", &rita]);
    assert!(run(&["keys", "list"]).contains("rita"));
    assert_eq!(run(&["keys", "show", "rita"]), rita);
    let refused = node.cli(&["call", &rita, "x", "--from", "rita"], &keystore);
    assert!(
        text(&refused.stderr).contains("cannot sign"),
        "{}",
        text(&refused.stderr)
    );
    let alice = Account::dev("alice").address.to_string();
    let bob = Account::dev("bob").address.to_string();

    let source = dir.join("panel.assent");
    std::fs::write(&source, PANEL).unwrap();
    let init = r#"{"chair_": "alice",
        "seats_": [{"holder": "carol", "backup": "rita"}, {"holder": "bob", "backup": null}],
        "pair_": ["bob", 7]}"#;
    let panel = run(&[
        "deploy",
        source.to_str().unwrap(),
        "--from",
        "alice",
        "--args",
        init,
    ]);
    let shown: Value = serde_json::from_str(&run(&["query", &panel, "panel"])).unwrap();
    assert_eq!(
        shown,
        json!([
            alice,
            [{"holder": carol, "backup": rita}, {"holder": bob, "backup": null}],
            [bob, 7]
        ])
    );
    let echoed: Value = serde_json::from_str(&run(&[
        "call",
        &panel,
        "echo",
        "--from",
        "bob",
        "--json",
        "--args",
        r#"{"roles": [["rita", ["alice", "carol"]]]}"#,
    ]))
    .unwrap();
    let mut members = [alice.clone(), carol.clone()];
    members.sort();
    assert_eq!(echoed["return"], json!([[rita, members]]));
    // A call and a query resolve names too; hex still works.
    let receipt: Value = serde_json::from_str(&run(&[
        "call",
        &panel,
        "replace_chair",
        "--args",
        r#"{"chair_": "irb_rita"}"#,
        "--from",
        "carol",
        "--json",
    ]))
    .unwrap();
    assert_eq!(receipt["return"], json!(rita));
    let asked = |who: &str| {
        run(&[
            "query",
            &panel,
            "chair_is",
            "--args",
            &format!(r#"{{"who": "{who}"}}"#),
        ])
    };
    assert_eq!(asked("rita"), "true");
    assert_eq!(asked(&rita), "true");
    assert_eq!(asked("bob"), "false");

    // Not an address nor a name: the parameter's path and where names come from.
    for (args, path) in [
        (r#"{"chair_": "0x1234"}"#, "`chair_`"),
        (r#"{"chair_": "Dr. Who"}"#, "`chair_`"),
    ] {
        let out = node.cli(
            &[
                "call",
                &panel,
                "replace_chair",
                "--args",
                args,
                "--from",
                "alice",
            ],
            &keystore,
        );
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(path), "{stderr}");
        assert!(
            stderr.contains("assent keys new") && stderr.contains("assent keys add"),
            "{stderr}"
        );
    }
    let nested = r#"{"chair_": "alice", "seats_": [{"holder": "0xzz", "backup": null}],
        "pair_": ["bob", 1]}"#;
    let out = node.cli(
        &[
            "deploy",
            source.to_str().unwrap(),
            "--from",
            "alice",
            "--args",
            nested,
        ],
        &keystore,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`seats_[0].holder`"),
        "{}",
        text(&out.stderr)
    );
    node.stop();
}

#[test]
fn every_outcome_of_a_client_command_is_one_json_object() {
    let dir = temp_dir("outcomes");
    let keystore = dir.join("keys");
    let node = Node::start(&dir.join("data"), "0");
    let source = dir.join("panel.assent");
    std::fs::write(&source, PANEL).unwrap();
    let json_of = |args: &[&str], code: i32| -> Value {
        let out = node.cli(args, &keystore);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|error| panic!("{args:?}: {error}: {}", text(&out.stdout)))
    };
    let init = r#"{"chair_": "alice", "seats_": [], "pair_": ["bob", 7]}"#;
    let deployed = json_of(
        &[
            "deploy",
            source.to_str().unwrap(),
            "--from",
            "alice",
            "--args",
            init,
            "--json",
        ],
        0,
    );
    assert_eq!(deployed["status"], "ok");
    let panel = deployed["contract_address"].as_str().unwrap().to_owned();

    // Aborted, out of gas, rejected: status, message, position, gas and events.
    let consent = node.cli(
        &[
            "deploy",
            "contracts/patient_consent.assent",
            "--from",
            "alice",
        ],
        &keystore,
    );
    let consent = text(&consent.stdout).trim().to_owned();
    let denied = json_of(
        &[
            "call",
            &consent,
            "access",
            "--from",
            "bob",
            "--json",
            "--args",
            r#"{"patient": "alice", "purpose": "TREAT", "class": "Lab"}"#,
        ],
        1,
    );
    assert_eq!(denied["status"], "aborted");
    assert!(
        denied["message"]
            .as_str()
            .unwrap()
            .contains("access denied"),
        "{denied}"
    );
    assert!(denied["position"]["line"].as_u64().unwrap() > 0, "{denied}");
    assert!(denied["gas_used"].as_u64().unwrap() > 0, "{denied}");
    assert_eq!(denied["events"][0]["audit"], true, "{denied}");
    let starved = json_of(
        &[
            "call",
            &panel,
            "replace_chair",
            "--from",
            "alice",
            "--json",
            "--gas-limit",
            "25000",
            "--args",
            r#"{"chair_": "bob"}"#,
        ],
        1,
    );
    assert_eq!(starved["status"], "out_of_gas", "{starved}");
    assert!(starved["gas_used"].as_u64().is_some(), "{starved}");
    let rejected = json_of(
        &[
            "call",
            &panel,
            "replace_chair",
            "--from",
            "alice",
            "--json",
            "--args",
            r#"{"chair_": 1}"#,
        ],
        1,
    );
    assert_eq!(rejected["status"], "rejected", "{rejected}");
    assert_eq!(rejected["code"], 1008, "{rejected}");
    assert!(
        rejected["message"].as_str().unwrap().contains("chair_"),
        "{rejected}"
    );
    assert_eq!(rejected["events"], json!([]));
    let bad_module = dir.join("bad.wasm");
    std::fs::write(&bad_module, b"\0asm\x01\0\0\0").unwrap();
    let refused = json_of(
        &[
            "deploy",
            bad_module.to_str().unwrap(),
            "--from",
            "alice",
            "--json",
        ],
        1,
    );
    assert_eq!(refused["status"], "rejected", "{refused}");
    assert_eq!(refused["code"], 1010, "{refused}");

    // A view: its result, an abort, a refusal.
    let ok = json_of(
        &[
            "query",
            &panel,
            "chair_is",
            "--json",
            "--args",
            r#"{"who": "alice"}"#,
        ],
        0,
    );
    assert_eq!(ok, json!({"status": "ok", "return": true, "events": []}));
    let aborted = json_of(
        &[
            "query",
            &panel,
            "chair_is",
            "--json",
            "--from",
            "alice",
            "--args",
            r#"{"who": "alice"}"#,
        ],
        1,
    );
    assert_eq!(aborted["status"], "aborted", "{aborted}");
    assert_eq!(aborted["message"], "the caller asks about itself");
    assert!(
        aborted["position"]["line"].as_u64().unwrap() > 0,
        "{aborted}"
    );
    assert!(aborted["gas_used"].as_u64().is_some(), "{aborted}");
    let unknown = json_of(&["query", &panel, "nope", "--json"], 1);
    assert_eq!(unknown["status"], "rejected", "{unknown}");
    assert_eq!(unknown["code"], 1007, "{unknown}");
    node.stop();
}

#[test]
fn every_method_answers_with_its_specified_shape() {
    let dir = temp_dir("methods");
    let node = Node::start(&dir, "0");
    let chain_id = node.chain_id();
    assert_eq!(chain_id, 0x4153);
    let mut alice = Account::dev("alice");
    let deployed = node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = deployed["contract_address"].as_str().unwrap().to_owned();
    let to = Address::from_hex(&counter).unwrap();
    let bumped = node.transact(&mut alice, &Call::action(to, "bump", json!({})));

    // Receipts: the keys of LEDGER.md §4.
    let keys = |value: &Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(&bumped),
        [
            "block", "events", "gas_used", "index", "return", "status", "tx_hash"
        ]
    );
    assert_eq!(bumped["return"], 1);
    assert_eq!(
        bumped["events"][0],
        json!({"contract": counter, "name": "Bumped", "fields": {"who": alice.address.to_string(), "count": 1}, "indexed": ["who"], "audit": false})
    );
    assert_eq!(deployed["contract_address"], json!(counter));

    // Blocks.
    assert_eq!(node.result("assent_blockNumber", &json!([])), 2);
    let block = node.result("assent_getBlockByNumber", &json!([2]));
    assert_eq!(
        keys(&block),
        [
            "gas_used",
            "hash",
            "number",
            "parent_hash",
            "receipts_root",
            "state_root",
            "time",
            "transactions",
            "transactions_root"
        ]
    );
    assert_eq!(block["transactions"], json!([bumped["tx_hash"]]));
    assert_eq!(
        node.result("assent_getBlockByNumber", &json!(["latest"])),
        block
    );
    assert_eq!(
        node.result("assent_getBlockByNumber", &json!([99])),
        Value::Null
    );
    let unknown = format!("0x{}", "ab".repeat(32));
    assert_eq!(
        node.result("assent_getTransactionReceipt", &json!([unknown])),
        Value::Null
    );

    // Nonces, views, the ABI.
    let address = alice.address.to_string();
    assert_eq!(
        node.result("assent_getTransactionCount", &json!([address])),
        2
    );
    let view = |method: &str, args: Value, block: Value| {
        node.result(
            "assent_call",
            &json!([{"to": counter, "method": method, "args": args}, block]),
        )
    };
    assert_eq!(
        view("count_of", json!({"who": address}), json!("latest")),
        1
    );
    assert_eq!(view("count_of", json!({"who": address}), json!(1)), 0);
    assert_eq!(view("total_count", json!({}), Value::Null), 1);
    let abi = node.result("assent_getAbi", &json!([counter]));
    assert_eq!(abi["contract"], "Counter");
    assert_eq!(node.result("assent_getAbi", &json!([address])), Value::Null);

    // Proofs of a map entry, a scalar, a set member and an absent entry, each verified
    // against the block's state root; and at an earlier block.
    let proof = |state: &str, key: Option<Value>, block: Value| {
        let mut request = json!({"contract": counter, "state": state});
        if let Some(key) = key {
            request["key"] = key;
        }
        let answer = node.result("assent_getProof", &json!([request, block]));
        assert_eq!(
            keys(&answer),
            [
                "block",
                "proof",
                "raw_key",
                "state_root",
                "value",
                "value_json"
            ]
        );
        check_proof(&node, &answer)
    };
    let cases: Vec<(&str, Option<Value>, Value, Value)> = vec![
        ("counts", Some(json!(address)), json!("latest"), json!(1)),
        ("counts", Some(json!(address)), json!(1), Value::Null),
        ("total", None, json!("latest"), json!(1)),
        ("total", None, json!(1), json!(0)),
        ("bumpers", Some(json!(address)), json!(2), json!(true)),
        ("counts", Some(json!(counter)), json!(2), Value::Null),
    ];
    for (state, key, block, expected) in cases {
        assert_eq!(
            proof(state, key.clone(), block.clone()),
            expected,
            "{state} {key:?} {block}"
        );
    }

    // Logs by contract, event, indexed field and block range.
    let logs = |filter: Value| node.result("assent_getLogs", &json!([filter]));
    let all = logs(json!({}));
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(
        keys(&all[0]),
        [
            "audit",
            "block",
            "contract",
            "event_index",
            "fields",
            "indexed",
            "name",
            "tx_hash",
            "tx_index"
        ]
    );
    let upper = format!("0x{}", address[2..].to_uppercase());
    let filters = [
        (json!({"contract": counter}), 1),
        (
            json!({"contract": counter, "event": "Bumped", "where": {"who": upper}}),
            1,
        ),
        (json!({"where": {"who": address}}), 1),
        (json!({"where": {"who": counter}}), 0),
        (json!({"event": "Other"}), 0),
        (json!({"from_block": 3}), 0),
        (json!({"from_block": 1, "to_block": 2}), 1),
        (json!({"to_block": 1}), 0),
    ];
    for (filter, count) in filters {
        assert_eq!(
            logs(filter.clone()).as_array().unwrap().len(),
            count,
            "{filter}"
        );
    }
    node.stop();
}

#[test]
fn every_refusal_has_its_code() {
    let dir = temp_dir("refusals");
    let node = Node::start(&dir, "0");
    let chain_id = node.chain_id();
    let mut alice = Account::dev("alice");
    let receipt = node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = Address::from_hex(receipt["contract_address"].as_str().unwrap()).unwrap();
    let bump = Call::action(counter, "bump", json!({}));
    let mut bob = Account::dev("bob");

    let valid = bob.signed(
        chain_id,
        &Call {
            nonce: Some(0),
            ..bump.clone()
        },
    );
    let cases: Vec<(&str, String, i64)> = vec![
        ("does not decode", "0xc0".into(), 1001),
        ("not RLP at all", "0x01020304".into(), 1001),
        (
            "wrong chain id",
            bob.sign(
                chain_id,
                &Call {
                    chain_id: Some(1),
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1002,
        ),
        ("high-s signature", high_s(&valid), 1003),
        (
            "nonce ahead",
            bob.sign(
                chain_id,
                &Call {
                    nonce: Some(5),
                    ..bump.clone()
                },
            ),
            1004,
        ),
        (
            "stale nonce",
            alice.sign(
                chain_id,
                &Call {
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1004,
        ),
        (
            "gas limit over the block's",
            bob.sign(
                chain_id,
                &Call {
                    gas_limit: Some(1_000_000_001),
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1005,
        ),
        (
            "no contract at to",
            bob.sign(
                chain_id,
                &Call {
                    to: Some(bob.address),
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1006,
        ),
        (
            "no such action",
            bob.sign(
                chain_id,
                &Call {
                    method: "count_of".into(),
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1007,
        ),
        (
            "args do not match",
            bob.sign(
                chain_id,
                &Call {
                    args: r#"{"by": 2}"#.into(),
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1008,
        ),
        (
            "deployment with a method",
            bob.sign(
                chain_id,
                &Call {
                    method: "bump".into(),
                    nonce: Some(0),
                    ..Call::deploy(counter_wasm())
                },
            ),
            1009,
        ),
        (
            "call with code",
            bob.sign(
                chain_id,
                &Call {
                    code: vec![0],
                    nonce: Some(0),
                    ..bump.clone()
                },
            ),
            1009,
        ),
        (
            "module refused",
            bob.sign(
                chain_id,
                &Call {
                    nonce: Some(0),
                    ..Call::deploy(b"\0asm not a module")
                },
            ),
            1010,
        ),
    ];
    for (name, raw, code) in &cases {
        let (got, message) = node.error("assent_sendRawTransaction", &json!([raw]));
        assert_eq!(got, *code, "{name}: {message}");
        assert!(!message.is_empty());
    }
    // Nothing refused changed the state: bob's first transaction is still nonce 0.
    assert_eq!(
        node.result(
            "assent_getTransactionCount",
            &json!([bob.address.to_string()])
        ),
        0
    );
    assert_eq!(
        node.send(&encode(&valid))["result"],
        json!(valid.hash().to_string())
    );
    node.stop();
}

fn encode(signed: &assent_ledger::tx::SignedTransaction) -> String {
    assent_ledger::primitives::encode_hex(signed.encoded())
}

#[test]
fn a_batch_of_transactions_is_admitted_in_its_order() {
    let dir = temp_dir("batch-sends");
    let node = Node::start(&dir, "2s");
    let chain_id = node.chain_id();
    let mut alice = Account::dev("alice");
    let receipt = node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = Address::from_hex(receipt["contract_address"].as_str().unwrap()).unwrap();
    let mut bob = Account::dev("bob");
    let mut bump = |nonce: u64| {
        let call = Call {
            nonce: Some(nonce),
            ..Call::action(counter, "bump", json!({}))
        };
        bob.signed(chain_id, &call)
    };
    let signed: Vec<_> = (0..5).map(&mut bump).collect();
    let ahead = bump(9);
    let submit = |method: &str, id: Option<u64>, raw: String| {
        let mut request = json!({"jsonrpc": "2.0", "method": method, "params": [raw]});
        if let Some(id) = id {
            request["id"] = json!(id);
        }
        request
    };
    let send = |id: Option<u64>, raw: String| submit("assent_sendRawTransaction", id, raw);
    // What another validator forwards is admitted the same way, in its place.
    let relay = |id: Option<u64>, raw: String| submit("assent_relayRawTransaction", id, raw);
    // Runs of sends, broken by another method; a bad one and a notification inside a run;
    // a relayed one after them.
    let batch = json!([
        send(Some(1), encode(&signed[0])),
        send(Some(2), encode(&signed[1])),
        send(Some(3), "0xc0".to_owned()),
        send(None, encode(&signed[2])),
        relay(Some(4), encode(&signed[3])),
        {"jsonrpc": "2.0", "id": 5, "method": "assent_getTransactionCount",
         "params": [bob.address.to_string()]},
        send(Some(6), encode(&ahead)),
        send(Some(7), encode(&signed[4])),
    ]);
    let (status, answer) = node.post(batch.to_string().as_bytes());
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let answers = answer.as_array().unwrap();
    let ids: Vec<u64> = answers.iter().map(|a| a["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7], "{answer}");
    let hash = |tx: &assent_ledger::tx::SignedTransaction| json!(tx.hash().to_string());
    assert_eq!(answers[0]["result"], hash(&signed[0]), "{answer}");
    assert_eq!(answers[1]["result"], hash(&signed[1]), "{answer}");
    assert_eq!(answers[2]["error"]["code"], 1001, "{answer}");
    assert_eq!(answers[3]["result"], hash(&signed[3]), "{answer}");
    // Admitted before the count was read: the notification's transaction too.
    assert_eq!(answers[4]["result"], 4, "{answer}");
    assert_eq!(answers[5]["error"]["code"], 1004, "{answer}");
    assert_eq!(answers[6]["result"], hash(&signed[4]), "{answer}");
    // Executed in nonce order: each bump returns bob's count so far.
    for (count, tx) in (1..).zip(&signed) {
        let receipt = node.wait_receipt(hash(tx).as_str().unwrap());
        assert_eq!(receipt["return"], count, "{receipt}");
    }
    node.stop();
}

#[test]
fn a_restarted_node_keeps_its_state() {
    let dir = temp_dir("restart");
    let node = Node::start(&dir, "0");
    let mut alice = Account::dev("alice");
    let receipt = node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = receipt["contract_address"].as_str().unwrap().to_owned();
    let to = Address::from_hex(&counter).unwrap();
    for _ in 0..3 {
        node.transact(&mut alice, &Call::action(to, "bump", json!({})));
    }
    let head = node.result("assent_getBlockByNumber", &json!(["latest"]));
    node.stop();

    let node = Node::start(&dir, "0");
    assert_eq!(
        node.result("assent_getBlockByNumber", &json!(["latest"])),
        head
    );
    assert_eq!(
        node.result(
            "assent_getTransactionCount",
            &json!([alice.address.to_string()])
        ),
        4
    );
    let total = node.result(
        "assent_call",
        &json!([{"to": counter, "method": "total_count"}]),
    );
    assert_eq!(total, 3);
    let receipt = node.transact(&mut alice, &Call::action(to, "bump", json!({})));
    assert_eq!(receipt["return"], 4);
    assert_eq!(receipt["block"], 5);
    node.stop();

    // The stored chain replays to the same roots.
    let replay = node_support::assent(&["replay", "--data", dir.to_str().unwrap()]);
    assert!(replay.status.success(), "{}", text(&replay.stderr));
}

#[test]
fn interval_blocks_collect_transactions_and_stop_cleanly() {
    let dir = temp_dir("interval");
    // Blocks every 2 s: five sends back to back cannot span five blocks unless each takes
    // over a second, so the test holds on a loaded machine.
    let node = Node::start(&dir, "2s");
    let chain_id = node.chain_id();
    let mut alice = Account::dev("alice");
    let receipt = node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = Address::from_hex(receipt["contract_address"].as_str().unwrap()).unwrap();
    // Five transactions sent back to back: the pending count makes each nonce valid.
    let hashes: Vec<String> = (0..5)
        .map(|_| {
            let raw = alice.sign(chain_id, &Call::action(counter, "bump", json!({})));
            node.send(&raw)["result"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        node.result(
            "assent_getTransactionCount",
            &json!([alice.address.to_string()])
        ),
        6
    );
    let blocks: std::collections::BTreeSet<u64> = hashes
        .iter()
        .map(|hash| node.wait_receipt(hash)["block"].as_u64().unwrap())
        .collect();
    assert!(blocks.len() < 5, "{blocks:?}");
    // Transactions admitted just before SIGTERM are committed before the node exits.
    let last = alice.sign(chain_id, &Call::action(counter, "bump", json!({})));
    let hash = node.send(&last)["result"].as_str().unwrap().to_owned();
    node.stop();
    let node = Node::start(&dir, "200ms");
    assert_eq!(node.wait_receipt(&hash)["return"], 6);
    node.stop();
}

/// The status line and the headers (lowercased names) of a raw HTTP answer, and its body.
fn http_parts(answer: &str) -> (String, Vec<(String, String)>, String) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

#[test]
fn the_portal_is_served_on_get_and_nothing_else_is() {
    let dir = temp_dir("portal-files");
    let node = Node::start(&dir.join("data"), "0");
    let get = |path: &str| {
        node.raw_http(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    };
    let header = |headers: &[(String, String)], name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("no `{name}` header in {headers:?}"))
    };
    for (path, content_type, contains) in [
        (
            "/",
            "text/html; charset=utf-8",
            "<title>Assent patient portal</title>",
        ),
        (
            "/index.html",
            "text/html; charset=utf-8",
            "<main id=\"main\">",
        ),
        ("/portal.css", "text/css; charset=utf-8", "@media"),
        ("/app.js", "text/javascript; charset=utf-8", "import"),
        (
            "/vendor/noble-hashes/sha3.js",
            "text/javascript; charset=utf-8",
            "keccak_256",
        ),
        (
            "/vendor/noble-hashes/LICENSE",
            "text/plain; charset=utf-8",
            "MIT",
        ),
        (
            "/?contract=0x12&patient=0x34",
            "text/html; charset=utf-8",
            "<form",
        ),
    ] {
        let (status, headers, body) = http_parts(&get(path));
        assert_eq!(status, "HTTP/1.1 200 OK", "{path}");
        assert_eq!(header(&headers, "content-type"), content_type, "{path}");
        assert_eq!(
            header(&headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        let policy = header(&headers, "content-security-policy");
        assert!(policy.contains("connect-src 'self'"), "{path}: {policy}");
        assert!(policy.contains("default-src 'none'"), "{path}: {policy}");
        assert!(body.contains(contains), "{path}: {body:.200}");
    }
    // HEAD: the headers of GET, no body.
    let head = node.raw_http(b"HEAD /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let (status, _, body) = http_parts(&head);
    assert_eq!((status.as_str(), body.as_str()), ("HTTP/1.1 200 OK", ""));
    // Nothing outside the embedded set: no directory listing, no path out of it.
    for path in [
        "/nope",
        "/vendor/",
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/node/portal/app.js",
        "/app.js/",
        "/ledger.redb",
    ] {
        let (status, headers, _) = http_parts(&get(path));
        assert_eq!(status, "HTTP/1.1 404 Not Found", "{path}");
        assert_eq!(
            header(&headers, "content-type"),
            "text/plain; charset=utf-8"
        );
    }
    // A GET that sends a body is answered, and its connection closed.
    let with_body = node.raw_http(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    let (status, headers, _) = http_parts(&with_body);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "connection"), "close");
    // JSON-RPC on the same port still answers.
    assert_eq!(node.chain_id(), 0x4153);
    node.stop();
}

#[test]
fn malformed_requests_get_error_responses() {
    let dir = temp_dir("malformed");
    let mut node = Node::start(&dir, "0");
    let bodies: &[(&str, u16, i64)] = &[
        ("{", 200, -32700),
        ("", 200, -32700),
        ("\u{0}\u{1}garbage", 200, -32700),
        ("[]", 200, -32600),
        ("17", 200, -32600),
        (r#"{"jsonrpc":"2.0","id":1}"#, 200, -32600),
        (
            r#"{"jsonrpc":"1.0","id":1,"method":"assent_chainId"}"#,
            200,
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":{},"method":"assent_chainId"}"#,
            200,
            -32600,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#,
            200,
            -32601,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"assent_chainId","params":5}"#,
            200,
            -32600,
        ),
    ];
    for (body, status, code) in bodies {
        let (got_status, answer) = node.post(body.as_bytes());
        assert_eq!(got_status, *status, "{body}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["error"]["code"], *code, "{body}: {answer}");
    }

    // Wrong types and counts of params, for every method.
    let address = Account::dev("alice").address.to_string();
    let params: &[(&str, Value)] = &[
        ("assent_chainId", json!([1])),
        ("assent_blockNumber", json!(["x"])),
        ("assent_getBlockByNumber", json!(["earliest"])),
        ("assent_getBlockByNumber", json!([-1])),
        ("assent_getBlockByNumber", json!([1.5])),
        ("assent_sendRawTransaction", json!([])),
        ("assent_sendRawTransaction", json!([12])),
        ("assent_sendRawTransaction", json!(["0xzz"])),
        ("assent_getTransactionReceipt", json!(["0x12"])),
        ("assent_getTransactionReceipt", json!([{}])),
        ("assent_getTransactionCount", json!(["alice"])),
        ("assent_getTransactionCount", json!([address, 1])),
        ("assent_call", json!(["x"])),
        ("assent_call", json!([{"to": address}])),
        (
            "assent_call",
            json!([{"to": address, "method": "m", "args": []}]),
        ),
        (
            "assent_call",
            json!([{"to": address, "method": "m", "extra": 1}]),
        ),
        ("assent_call", json!([{"to": address, "method": "m"}, 1000])),
        ("assent_getAbi", json!([null])),
        ("assent_getProof", json!([{"contract": address}])),
        ("assent_getProof", json!([{"contract": 5, "state": "s"}])),
        ("assent_getLogs", json!(["x"])),
        ("assent_getLogs", json!([{"where": [1]}])),
        ("assent_getLogs", json!([{"from_block": "soon"}])),
        ("assent_getLogs", json!([{"contract": "0x12"}])),
    ];
    for (method, params) in params {
        let (code, message) = node.error(method, params);
        assert_eq!(code, -32602, "{method} {params}: {message}");
    }

    // A batch: answers for requests, none for notifications.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "assent_chainId"},
        {"jsonrpc": "2.0", "method": "assent_chainId"},
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        5,
    ]);
    let (_, answer) = node.post(batch.to_string().as_bytes());
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer.as_array().unwrap().len(), 3, "{answer}");
    assert_eq!(answer[0]["result"], 0x4153);
    assert_eq!(answer[1]["error"]["code"], -32601);
    assert_eq!(answer[2]["error"]["code"], -32600);
    let (status, _) = node.post(br#"{"jsonrpc":"2.0","method":"assent_chainId"}"#);
    assert_eq!(status, 204);

    // HTTP-level abuse: oversized bodies, other verbs, garbage, a lying length.
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"assent_chainId","params":["{}"]}}"#,
        "a".repeat(2 << 20)
    );
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    );
    let answer = node.raw_http(&[head.as_bytes(), &big.as_bytes()[..1000]].concat());
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("-32600"), "{answer}");
    // Without a length: the body is cut off at the limit.
    let mut chunked =
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..32 {
        chunked.extend_from_slice(format!("{:x}\r\n", 1 << 16).as_bytes());
        chunked.extend_from_slice(&vec![b' '; 1 << 16]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = node.raw_http(&chunked);
    assert!(!answer.contains("200 OK"), "{answer}");
    let delete = node.raw_http(b"DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(delete.starts_with("HTTP/1.1 405"), "{delete}");
    let garbage = node.raw_http(b"\x16\x03\x01 not http at all\r\n\r\n");
    assert!(!garbage.contains("200 OK"), "{garbage}");
    let lying = node.raw_http(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{}",
    );
    assert!(lying.starts_with("HTTP/1.1 413"), "{lying}");
    let short = node.raw_http(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{}",
    );
    assert!(!short.contains("200 OK"), "{short}");

    assert!(node.alive());
    assert_eq!(node.chain_id(), 0x4153);
    node.stop();
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        Just(json!(1.5)),
        "[a-z_]{0,8}".prop_map(Value::String),
        "0x[0-9a-f]{0,80}".prop_map(Value::String),
        Just(json!("latest")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("to".to_owned()),
                    Just("method".to_owned()),
                    Just("args".to_owned()),
                    Just("contract".to_owned()),
                    Just("state".to_owned()),
                    Just("key".to_owned()),
                    Just("where".to_owned()),
                    Just("from_block".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

#[test]
fn fuzzed_params_of_every_method_get_answers() {
    let dir = temp_dir("fuzz");
    let mut node = Node::start(&dir, "0");
    let mut alice = Account::dev("alice");
    let receipt = node.transact(&mut alice, &Call::deploy(counter_wasm()));
    let counter = receipt["contract_address"].as_str().unwrap().to_owned();
    // Every method the node serves, from its own list.
    for &method in assent_node::server::methods::METHODS {
        let config = ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        let contract = counter.clone();
        proptest!(config, |(params in prop::collection::vec(json_value(), 0..3), aim in any::<bool>())| {
            // Half the cases aim at the deployed contract, to get past the address checks.
            let params = if aim {
                match params.first() {
                    Some(Value::Object(object)) => {
                        let mut object = object.clone();
                        for key in ["to", "contract"] {
                            object.insert(key.into(), json!(contract));
                        }
                        json!([object])
                    }
                    _ => json!([contract]),
                }
            } else {
                Value::Array(params)
            };
            let response = node.rpc(method, &params);
            let answered = response.get("result").is_some() != response.get("error").is_some();
            prop_assert!(answered, "{} {}: {}", method, params, response);
            if let Some(code) = response["error"]["code"].as_i64() {
                prop_assert!(code != -32603, "{} {}: {}", method, params, response);
            }
        });
    }
    assert!(node.alive());
    node.stop();
}

#[test]
fn five_hundred_transactions_from_many_accounts_are_all_included() {
    let dir = temp_dir("load");
    let node = Node::start(&dir, "100ms");
    let report = node_support::load(&node, 25, 20, 4, 8);
    assert_eq!(report.transactions, 500);
    assert!(report.blocks >= 1);
    assert!(report.p99 < Duration::from_secs(30), "{report:?}");
    eprintln!(
        "load: {} txs in {:.2} s ({:.0} tx/s), p50 {:?}, p99 {:?}, {} blocks",
        report.transactions,
        report.elapsed.as_secs_f64(),
        report.throughput(),
        report.p50,
        report.p99,
        report.blocks
    );
    node.stop();
}
