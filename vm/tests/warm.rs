//! Warm instances: a read-only call run in a reused instance gives exactly what it gives
//! in a fresh one — outcome, gas to the unit, events — for every entry point and for gas
//! limits around the cost of instantiating, whatever ran in the instance before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use assent_lang::check::{FileLoader, check_source};
use assent_stdlib::value::Value;
use assent_vm::{Address, Call, Execution, MemoryStore, Outcome, StateStore, Vm, VmConfig};

const CONTRACT: Address = Address([0xc0; 20]);
const ALICE: Address = Address([0xa1; 20]);
const BOB: Address = Address([0xb0; 20]);

const SOURCE: &str = r#"contract Warm;

state notes: Map<Address, String>;

action note(text: String) {
    notes[caller] = text;
}

view twice(n: Int) -> Int { n * 2 }

view checked(n: Int) -> Int {
    require n > 0, "n must be positive";
    n
}

view note_of(who: Address) -> String? { notes.get(who) }

view long(n: Int) -> String {
    let mut text = "";
    for i in 0..n {
        text = text + "abcdefghij" + "·";
        require i < 1000, "too long";
    }
    text
}

policy may(who: Address) {
    deny "nobody" when who == 0x0000000000000000000000000000000000000000;
    permit "noted" when notes.contains(who);
}
"#;

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, path: &str) -> Result<String, String> {
        Err(format!("no file `{path}`"))
    }
}

fn call(entry: &str, args: Vec<Value>, gas_limit: u64) -> Call {
    Call {
        contract: CONTRACT,
        entry: entry.into(),
        args,
        caller: ALICE,
        origin: ALICE,
        now: 1_767_225_600,
        block_height: 1,
        gas_limit,
    }
}

/// A VM with the contract deployed and alice's note written.
fn deployed(vm: &Vm) -> Arc<dyn StateStore> {
    let checked = check_source("warm.assent", SOURCE, &NoFiles);
    let contract = checked
        .contract
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let wasm = assent_lang::codegen::compile(&contract, [0; 32])
        .unwrap()
        .wasm;
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &wasm);
    let state: Arc<dyn StateStore> = store.clone();
    let noted = vm
        .execute(
            state.clone(),
            call("note", vec![Value::String("hello".into())], 1_000_000),
        )
        .unwrap();
    assert!(matches!(noted.outcome, Outcome::Ok(_)), "{noted:?}");
    store.apply(&noted.writes);
    state
}

/// Every read-only entry point, succeeding and aborting, at gas limits from far too
/// little to instantiate to plenty.
fn table() -> Vec<Call> {
    let entries: Vec<(&str, Vec<Value>)> = vec![
        ("twice", vec![Value::Int(21)]),
        ("twice", vec![Value::Int(i64::MAX)]),
        ("checked", vec![Value::Int(-1)]),
        ("checked", vec![Value::Int(5)]),
        ("note_of", vec![Value::Address(ALICE.0)]),
        ("note_of", vec![Value::Address(BOB.0)]),
        ("long", vec![Value::Int(50)]),
        ("long", vec![Value::Int(2_000)]),
        ("may", vec![Value::Address(ALICE.0)]),
        ("may", vec![Value::Address(BOB.0)]),
    ];
    let mut calls = Vec::new();
    for gas_limit in [
        1, 100, 500, 2_000, 5_000, 10_000, 15_000, 50_000, 10_000_000,
    ] {
        for (entry, args) in &entries {
            calls.push(call(entry, args.clone(), gas_limit));
        }
    }
    calls
}

fn run(vm: &Vm, state: &Arc<dyn StateStore>, call: &Call) -> Execution {
    vm.execute(state.clone(), call.clone()).unwrap()
}

#[test]
fn a_warm_instance_gives_what_a_fresh_one_gives() {
    // Fewer than 4 pool slots leaves no room for warm instances: every call is fresh.
    let cold_vm = Vm::new(VmConfig {
        pool_instances: 3,
        ..VmConfig::default()
    })
    .unwrap();
    let warm_vm = Vm::new(VmConfig::default()).unwrap();
    let cold_state = deployed(&cold_vm);
    let warm_state = deployed(&warm_vm);

    let calls = table();
    let mut outcomes = [0; 3];
    // Three rounds, so each call also runs after every other call left its instance.
    for round in 0..3 {
        for call in &calls {
            let cold = run(&cold_vm, &cold_state, call);
            let warm = run(&warm_vm, &warm_state, call);
            assert_eq!(
                cold, warm,
                "round {round}: `{}` with gas limit {}",
                call.entry, call.gas_limit
            );
            outcomes[match cold.outcome {
                Outcome::Ok(_) => 0,
                Outcome::Aborted { .. } => 1,
                Outcome::OutOfGas => 2,
            }] += 1;
        }
    }
    assert_eq!(cold_vm.idle_instances(), 0);
    assert!(warm_vm.idle_instances() > 0, "the warm VM reused nothing");
    // The table reaches every kind of outcome, so each path was compared.
    assert!(outcomes.iter().all(|count| *count > 0), "{outcomes:?}");
}

#[test]
fn actions_never_run_in_a_warm_instance_and_see_the_latest_state() {
    let vm = Vm::new(VmConfig::default()).unwrap();
    let state = deployed(&vm);
    let before = run(
        &vm,
        &state,
        &call("note_of", vec![Value::Address(ALICE.0)], 1_000_000),
    );
    assert_eq!(
        before.outcome,
        Outcome::Ok(Some(Value::some(Value::String("hello".into()))))
    );
    let idle = vm.idle_instances();
    let noted = run(
        &vm,
        &state,
        &call("note", vec![Value::String("again".into())], 1_000_000),
    );
    assert!(matches!(noted.outcome, Outcome::Ok(_)));
    assert_eq!(
        vm.idle_instances(),
        idle,
        "an action's instance is not kept"
    );
}

/// Hand-written modules that write memory and read it back: a reused instance must show
/// the memory a fresh one has, whether the writes go to constant addresses (reset up to
/// the furthest one, data segments below it copied back) or anywhere (reset entirely).
#[test]
fn a_warm_instance_never_shows_an_earlier_calls_memory() {
    const ANYWHERE: &str = r#"
  ;; Returns the i64 at `address`, then writes 7 there (an address known only at run time).
  (func (export "anywhere") (param $address i64) (result i64) (local $old i64)
    (local.set $old (i64.load (i32.wrap_i64 (local.get $address))))
    (i64.store (i32.wrap_i64 (local.get $address)) (i64.const 7))
    (local.get $old))
"#;
    const CONSTANT_WRITES: &str = r#"
  ;; Two overlapping segments: instantiation leaves 5 at 100 and 7 at 112.
  (data (i32.const 96) "\00\00\00\00\05\00\00\00\00\00\00\00\00\00\00\00\ee\00\00\00")
  (data (i32.const 112) "\07")
  ;; Returns the i64 at 16, then writes 9 there (a constant address).
  (func (export "constant") (result i64) (local $old i64)
    (local.set $old (i64.load (i32.const 16)))
    i32.const 16
    i64.const 9
    i64.store
    (local.get $old))
  ;; Returns the byte at 100 (a data segment), then overwrites 100..108.
  (func (export "over_data") (result i64) (local $old i64)
    (local.set $old (i64.load8_u (i32.const 100)))
    i32.const 96
    i64.const -1
    i64.store offset=4
    (local.get $old))
  ;; Returns the byte at 112: beyond every write, where the segments overlap.
  (func (export "past_writes") (result i64)
    (i64.load8_u (i32.const 112)))
"#;
    let int = 1;
    let view = |name: &str, params: &[(&str, u32)]| common::entry(name, "view", params, Some(int));
    let constant_views = || {
        vec![
            view("constant", &[]),
            view("over_data", &[]),
            view("past_writes", &[]),
        ]
    };
    let mut all_views = constant_views();
    all_views.push(view("anywhere", &[("address", int)]));
    // One module writes only at constant addresses (reset up to 108), one anywhere too
    // (reset entirely).
    let bounded = common::module(
        &common::abi("Bounded", constant_views(), serde_json::json!([])),
        CONSTANT_WRITES,
    );
    let unbounded = common::module(
        &common::abi("Unbounded", all_views, serde_json::json!([])),
        &format!("{CONSTANT_WRITES}{ANYWHERE}"),
    );
    let chain = common::Chain::new();
    chain.deploy(common::CONTRACT, &bounded);
    chain.deploy(common::OTHER, &unbounded);
    let constant_cases = [("constant", 0), ("over_data", 5), ("past_writes", 7)];
    for round in 0..3 {
        for (contract, anywhere) in [(common::CONTRACT, false), (common::OTHER, true)] {
            let mut cases: Vec<(&str, Vec<Value>, i64)> = constant_cases
                .iter()
                .map(|(entry, fresh)| (*entry, vec![], *fresh))
                .collect();
            if anywhere {
                cases.push(("anywhere", vec![Value::Int(4_000)], 0));
                cases.push(("anywhere", vec![Value::Int(60_000)], 0));
            }
            for (entry, args, fresh) in cases {
                let execution = chain.call(contract, entry, args);
                assert_eq!(
                    execution.outcome,
                    Outcome::Ok(Some(Value::Int(fresh))),
                    "round {round}: `{entry}` sees what an earlier call wrote"
                );
            }
        }
    }
    assert!(chain.vm.idle_instances() >= 2, "nothing was reused");
}
