//! Cross-contract calls (LANGUAGE.md §7) and the isolation of each contract's state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use assent_stdlib::json::hex;
use assent_stdlib::value::Value;
use assent_vm::{Address, Outcome};
use common::{ALICE, CONTRACT, Chain, OTHER, abi, entry, module, outcome, trace};
use serde_json::json;

const BANK: Address = Address([0xba; 20]);
const CLIENT: Address = Address([0xc1; 20]);
const NOBODY: Address = Address([0xdd; 20]);
const SECOND_CLIENT: Address = Address([0xc2; 20]);

fn bank() -> Vec<u8> {
    let abi = abi(
        "Bank",
        vec![
            entry("deposit", "action", &[("n", 1)], Some(1)),
            entry("who", "view", &[], Some(6)),
            entry("sneaky", "view", &[], Some(1)),
            entry("fail", "action", &[], Some(1)),
            entry("spin", "view", &[], Some(1)),
            entry("bounce", "view", &[("client", 6)], Some(1)),
            entry("balance", "view", &[("who", 6)], Some(12)),
        ],
        json!([{"contract": "Client", "entries": [entry("peek", "view", &[], Some(1))]}]),
    );
    module(
        &abi,
        r#"
  (data (i32.const 0) "bank says nobank.assent:7:3")
  (func (export "deposit") (param $n i64) (result i64)
    (call $pmap_set (i32.const 1) (call $caller) (local.get $n))
    (i64.store (i32.const 1024) (call $caller))
    (i64.store (i32.const 1032) (local.get $n))
    (call $emit (i32.const 0) (i32.const 1024) (i32.const 0))
    (local.get $n))
  (func (export "who") (result i64) (call $caller))
  (func (export "sneaky") (result i64) (call $state_store (i32.const 0) (i64.const 1)) (i64.const 0))
  (func (export "fail") (result i64)
    (i64.store (i32.const 1024) (call $caller))
    (i64.store (i32.const 1032) (i64.const 99))
    (call $emit (i32.const 0) (i32.const 1024) (i32.const 1))
    (call $abort_static (i32.const 0) (i32.const 12) (i32.const 12) (i32.const 15))
    (i64.const 0))
  (func (export "spin") (result i64) (loop $forever (br $forever)) (i64.const 0))
  (func (export "bounce") (param $client i64) (result i64)
    (call $call_contract (i32.const 0) (i32.const 0) (local.get $client) (i32.const 1024)))
  (func (export "balance") (param $who i64) (result i64) (call $pmap_get (i32.const 1) (local.get $who)))
"#,
    )
}

fn client() -> Vec<u8> {
    let bank_interface = json!([{"contract": "Bank", "entries": [
        entry("deposit", "action", &[("n", 1)], Some(1)),
        entry("who", "view", &[], Some(6)),
        entry("sneaky", "view", &[], Some(1)),
        entry("fail", "action", &[], Some(1)),
        entry("spin", "view", &[], Some(1)),
        entry("bounce", "view", &[("client", 6)], Some(1)),
        // Compiled against an older Bank whose `balance` returned an Int.
        entry("balance", "view", &[("who", 6)], Some(1)),
    ]}]);
    let abi = abi(
        "Client",
        vec![
            entry("pay", "action", &[("bank", 6), ("n", 1)], Some(1)),
            entry("ask", "action", &[("bank", 6)], Some(6)),
            entry("view_pays", "view", &[("bank", 6)], Some(1)),
            entry("sneak", "action", &[("bank", 6)], Some(1)),
            entry("doomed", "action", &[("bank", 6)], Some(1)),
            entry("burn", "action", &[("bank", 6)], Some(1)),
            entry("enter", "action", &[("bank", 6)], Some(1)),
            entry("peek", "view", &[], Some(1)),
            entry("stale", "action", &[("bank", 6)], Some(1)),
            entry("twice", "action", &[("bank", 6)], Some(1)),
        ],
        bank_interface,
    );
    let call = |entry: u32| {
        format!(
            "(call $call_contract (i32.const 0) (i32.const {entry}) (local.get $bank) (i32.const 1024))"
        )
    };
    module(
        &abi,
        &format!(
            r#"
  (func (export "pay") (param $bank i64) (param $n i64) (result i64)
    (i64.store (i32.const 1024) (local.get $n))
    {deposit})
  (func (export "ask") (param $bank i64) (result i64) {who})
  (func (export "view_pays") (param $bank i64) (result i64)
    (i64.store (i32.const 1024) (i64.const 1))
    {deposit})
  (func (export "sneak") (param $bank i64) (result i64) {sneaky})
  (func (export "doomed") (param $bank i64) (result i64)
    (i64.store (i32.const 1024) (call $caller))
    (i64.store (i32.const 1032) (i64.const 1))
    (call $emit (i32.const 0) (i32.const 1024) (i32.const 1))
    (i64.store (i32.const 1032) (i64.const 2))
    (call $emit (i32.const 0) (i32.const 1024) (i32.const 0))
    (call $state_store (i32.const 0) (i64.const 5))
    {fail})
  (func (export "burn") (param $bank i64) (result i64) {spin})
  (func (export "enter") (param $bank i64) (result i64)
    (i64.store (i32.const 1024) (call $self_address))
    {bounce})
  (func (export "peek") (result i64) (i64.const 1))
  (func (export "twice") (param $bank i64) (result i64)
    (i64.store (i32.const 1024) (i64.const 1))
    (drop {deposit})
    (i64.store (i32.const 1024) (i64.const 2))
    {deposit})
  (func (export "stale") (param $bank i64) (result i64)
    (i64.store (i32.const 1024) (call $caller))
    {balance})
"#,
            deposit = call(0),
            who = call(1),
            sneaky = call(2),
            fail = call(3),
            spin = call(4),
            bounce = call(5),
            balance = call(6),
        ),
    )
}

fn chain() -> Chain {
    let chain = Chain::new();
    chain.deploy(BANK, &bank());
    chain.deploy(CLIENT, &client());
    chain
}

fn address(a: Address) -> Value {
    Value::Address(a.0)
}

#[test]
fn an_action_call_runs_with_the_calling_contract_as_caller() {
    let chain = chain();
    let execution = chain.call(CLIENT, "pay", vec![address(BANK), Value::Int(30)]);
    assert_eq!(outcome(&execution), "ok 30");
    // The bank recorded the client contract, not Alice, and wrote only its own keys.
    assert_eq!(execution.events[0].fields[0].value, address(CLIENT));
    assert_eq!(execution.events[0].contract, BANK);
    assert!(!execution.writes.is_empty());
    for key in execution.writes.changes.keys() {
        assert_eq!(&key[..20], BANK.as_bytes(), "{}", hex(key));
    }
    let balance = chain.call(BANK, "balance", vec![address(CLIENT)]);
    assert_eq!(outcome(&balance), "ok some(30)");
    let alice = chain.call(BANK, "balance", vec![address(ALICE)]);
    assert_eq!(outcome(&alice), "ok none");
    insta::assert_snapshot!("pay", trace(&execution));
}

#[test]
fn a_view_call_sees_the_calling_contract_as_caller_and_origin_stays_the_signer() {
    let chain = chain();
    assert_eq!(
        outcome(&chain.call(CLIENT, "ask", vec![address(BANK)])),
        format!("ok {}", CLIENT)
    );
}

#[test]
fn views_are_read_only_even_when_called_by_an_action() {
    let chain = chain();
    assert_eq!(
        outcome(&chain.call(CLIENT, "sneak", vec![address(BANK)])),
        "aborted \"writing state is not allowed in a view or policy\""
    );
    assert_eq!(
        outcome(&chain.call(CLIENT, "view_pays", vec![address(BANK)])),
        "aborted \"a view or policy cannot call action `Bank.deposit`\""
    );
}

#[test]
fn an_abort_in_the_callee_aborts_everything_but_audit_events_survive() {
    let chain = chain();
    let execution = chain.call(CLIENT, "doomed", vec![address(BANK)]);
    assert_eq!(
        execution.outcome,
        Outcome::Aborted {
            message: "bank says no".into(),
            position: Some("bank.assent:7:3".into()),
        }
    );
    assert!(execution.writes.is_empty());
    let kept: Vec<(Address, i64)> = execution
        .events
        .iter()
        .map(|event| match event.fields[1].value {
            Value::Int(n) => (event.contract, n),
            _ => panic!(),
        })
        .collect();
    // The client's audit (1) and the bank's audit (99); the client's emit (2) is gone.
    assert_eq!(kept, vec![(CLIENT, 1), (BANK, 99)]);
    assert!(execution.events.iter().all(|event| event.audit));
    insta::assert_snapshot!("doomed", trace(&execution));
}

#[test]
fn the_callee_spends_the_same_gas_budget() {
    let chain = chain();
    let execution = chain.call(CLIENT, "burn", vec![address(BANK)]);
    assert_eq!(execution.outcome, Outcome::OutOfGas);
    assert_eq!(execution.gas_used, common::GAS);
}

#[test]
fn re_entering_a_contract_on_the_call_stack_aborts() {
    let chain = chain();
    assert_eq!(
        outcome(&chain.call(CLIENT, "enter", vec![address(BANK)])),
        format!(
            "aborted \"re-entrant call: contract {} is already on the call stack\"",
            CLIENT
        )
    );
}

#[test]
fn a_callee_whose_signature_changed_is_refused() {
    let chain = chain();
    assert_eq!(
        outcome(&chain.call(CLIENT, "stale", vec![address(BANK)])),
        "aborted \"`Bank.balance` has changed since this contract was compiled\""
    );
}

#[test]
fn calling_the_wrong_contract_or_no_contract_aborts() {
    let chain = chain();
    chain.deploy(SECOND_CLIENT, &client());
    assert_eq!(
        outcome(&chain.call(CLIENT, "ask", vec![address(SECOND_CLIENT)])),
        format!(
            "aborted \"the contract at {} is `Client`, not `Bank`\"",
            SECOND_CLIENT
        )
    );
    assert_eq!(
        outcome(&chain.call(CLIENT, "ask", vec![address(NOBODY)])),
        format!("aborted \"no contract is deployed at {}\"", NOBODY)
    );
}

/// `Relay`: `init(next)` remembers the next relay; `hop(n)` calls the next relay's
/// `hop(n - 1)` until `n` is 0, and counts the hops.
fn relay() -> Vec<u8> {
    let abi = abi(
        "Relay",
        vec![
            entry("init", "init", &[("next", 6)], None),
            entry("hop", "view", &[("n", 1)], Some(1)),
        ],
        json!([{"contract": "Relay", "entries": [entry("hop", "view", &[("n", 1)], Some(1))]}]),
    );
    module(
        &abi,
        r#"
  (func (export "init") (param $next i64) (call $state_store (i32.const 3) (local.get $next)))
  (func (export "hop") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else
        (i64.store (i32.const 1024) (i64.sub (local.get $n) (i64.const 1)))
        (i64.add
          (call $call_contract (i32.const 0) (i32.const 0) (call $state_load (i32.const 3)) (i32.const 1024))
          (i64.const 1)))))
"#,
    )
}

#[test]
fn calling_the_same_contract_twice_reuses_its_instance() {
    let chain = chain();
    let execution = chain.call(CLIENT, "twice", vec![address(BANK)]);
    assert_eq!(outcome(&execution), "ok 2");
    assert_eq!(execution.events.len(), 2);
    assert_eq!(
        outcome(&chain.call(BANK, "balance", vec![address(CLIENT)])),
        "ok some(2)"
    );
}

#[test]
fn a_transaction_touches_a_bounded_number_of_contracts() {
    let chain = Chain::with_config(assent_vm::VmConfig {
        max_contracts_per_transaction: 3,
        ..assent_vm::VmConfig::default()
    });
    let relays: Vec<Address> = (0..5u8).map(|i| Address([0x20 + i; 20])).collect();
    let code = relay();
    for (i, relay) in relays.iter().enumerate() {
        chain.deploy(*relay, &code);
        let next = relays.get(i + 1).copied().unwrap_or(Address::ZERO);
        assert_eq!(
            outcome(&chain.call(*relay, "init", vec![address(next)])),
            "ok"
        );
    }
    assert_eq!(
        outcome(&chain.call(relays[0], "hop", vec![Value::Int(2)])),
        "ok 2"
    );
    assert_eq!(
        outcome(&chain.call(relays[0], "hop", vec![Value::Int(3)])),
        "aborted \"a transaction may use at most 3 contracts\""
    );
}

#[test]
fn the_call_stack_is_at_most_eight_contracts_deep() {
    let chain = Chain::new();
    let relays: Vec<Address> = (0..10u8).map(|i| Address([0x10 + i; 20])).collect();
    let code = relay();
    for (i, relay) in relays.iter().enumerate() {
        chain.deploy(*relay, &code);
        let next = relays.get(i + 1).copied().unwrap_or(Address::ZERO);
        assert_eq!(
            outcome(&chain.call(*relay, "init", vec![address(next)])),
            "ok"
        );
    }
    assert_eq!(
        outcome(&chain.call(relays[0], "hop", vec![Value::Int(7)])),
        "ok 7"
    );
    assert_eq!(
        outcome(&chain.call(relays[0], "hop", vec![Value::Int(8)])),
        "aborted \"the call stack would be deeper than 8 contracts\""
    );
}

/// `Writer`: `put(k, v)` sets `balances[k] = v`; `get(k)` reads it.
fn writer() -> Vec<u8> {
    let abi = abi(
        "Writer",
        vec![
            entry("put", "action", &[("k", 6), ("v", 1)], None),
            entry("get", "view", &[("k", 6)], Some(12)),
        ],
        json!([]),
    );
    module(
        &abi,
        r#"
  (func (export "put") (param $k i64) (param $v i64) (call $pmap_set (i32.const 1) (local.get $k) (local.get $v)))
  (func (export "get") (param $k i64) (result i64) (call $pmap_get (i32.const 1) (local.get $k)))
"#,
    )
}

#[test]
fn a_contract_cannot_reach_another_contracts_keys() {
    let chain = Chain::new();
    // The same code at two addresses: same state index, same map key.
    chain.deploy(CONTRACT, &writer());
    chain.deploy(OTHER, &writer());
    let put = chain.call(CONTRACT, "put", vec![address(ALICE), Value::Int(5)]);
    assert_eq!(outcome(&put), "ok");
    assert_eq!(
        outcome(&chain.call(CONTRACT, "get", vec![address(ALICE)])),
        "ok some(5)"
    );
    assert_eq!(
        outcome(&chain.call(OTHER, "get", vec![address(ALICE)])),
        "ok none"
    );
    for (key, _) in chain.store.entries() {
        assert_eq!(&key[..20], CONTRACT.as_bytes(), "{}", hex(&key));
    }
    // The map's count (its own key, no element) and its one entry, both the writer's.
    assert_eq!(
        chain.store.entries(),
        vec![
            (
                assent_vm::contract_key(&CONTRACT, 1, &[]),
                1i64.to_be_bytes().to_vec()
            ),
            (
                assent_vm::contract_key(&CONTRACT, 1, ALICE.as_bytes()),
                5i64.to_be_bytes().to_vec()
            )
        ]
    );
}
