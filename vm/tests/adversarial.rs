//! Hostile modules: what the validator refuses (one snapshot of every rejection with
//! its input), and what the host survives at run time without a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::fmt::Write as _;

use assent_stdlib::value::Value;
use assent_vm::{Outcome, validate};
use common::{
    CONTRACT, Chain, abi, entry, module, module_with_memory, outcome, run, trace,
    with_custom_section,
};
use serde_json::json;

const MEMORY: &str = "(memory (export \"memory\") 1 16)";

fn run_abi() -> serde_json::Value {
    abi(
        "Test",
        vec![entry("run", "action", &[], Some(1))],
        json!([]),
    )
}

/// A module with the standard imports, the run ABI, `memory` and `fields`.
fn hostile(memory: &str, fields: &str) -> Vec<u8> {
    module_with_memory(&run_abi(), memory, fields)
}

const RUN_OK: &str = "(func (export \"run\") (result i64) (i64.const 0))";

#[test]
fn the_validator_refuses_each_broken_rule() {
    let raw = |text: &str| wat::parse_str(text).unwrap();
    let with_abi =
        |wasm: Vec<u8>| with_custom_section(wasm, "assent.abi", run_abi().to_string().as_bytes());
    let cases: Vec<(&str, String, Vec<u8>)> = vec![
        ("a float instruction", "f64.add in run".into(), hostile(MEMORY, "(func (export \"run\") (result i64) (drop (f64.add (f64.const 1) (f64.const 2))) (i64.const 0))")),
        ("a float local", "(local f32)".into(), hostile(MEMORY, "(func (export \"run\") (result i64) (local f32) (i64.const 0))")),
        ("a float conversion", "i64.trunc_f64_s".into(), hostile(MEMORY, "(func (export \"run\") (result i64) (i64.trunc_f64_s (f64.const 1)))")),
        ("a SIMD instruction", "v128.const".into(), hostile(MEMORY, "(func (export \"run\") (result i64) (drop (v128.const i64x2 1 2)) (i64.const 0))")),
        ("an atomic instruction", "i64.atomic.load".into(), hostile("(memory (export \"memory\") 1 16 shared)", "(func (export \"run\") (result i64) (i64.atomic.load (i32.const 0)))")),
        ("an unknown import", "(import \"env\" \"clock\" (func))".into(), hostile(&format!("(import \"env\" \"clock\" (func)) {MEMORY}"), RUN_OK)),
        ("an unknown host function", "(import \"assent\" \"random\" (func (result i64)))".into(), hostile(&format!("(import \"assent\" \"random\" (func (result i64))) {MEMORY}"), RUN_OK)),
        ("a host function with the wrong signature", "(import \"assent\" \"now\" (func (result i32)))".into(), hostile(&format!("(import \"assent\" \"now\" (func $now32 (result i32))) {MEMORY}"), RUN_OK)),
        ("an imported memory", "(import \"assent\" \"memory\" (memory 1 16))".into(), with_abi(raw("(module (import \"assent\" \"memory\" (memory 1 16)) (export \"memory\" (memory 0)) (func (export \"run\") (result i64) (i64.const 0)))"))),
        ("recursion", "$run calls itself".into(), hostile(MEMORY, "(func $run (export \"run\") (result i64) (call $run))")),
        ("mutual recursion", "$a -> $b -> $a".into(), hostile(MEMORY, "(func $a (export \"run\") (result i64) (call $b)) (func $b (result i64) (call $c)) (func $c (result i64) (call $a))")),
        ("a cycle through call_indirect", "$run -> call_indirect -> $run (in the table)".into(), hostile(MEMORY, "(type $t (func (result i64))) (table 1 1 funcref) (elem (i32.const 0) $run) (func $run (export \"run\") (type $t) (call_indirect (type $t) (i32.const 0)))")),
        ("a cycle through call_indirect via a helper", "$run -> $helper -> call_indirect -> $run".into(), hostile(MEMORY, "(type $t (func (result i64))) (table 2 2 funcref) (elem (i32.const 0) $leaf $run) (func $leaf (type $t) (i64.const 1)) (func $helper (result i64) (call_indirect (type $t) (i32.const 1))) (func $run (export \"run\") (type $t) (call $helper))")),
        ("a table without a maximum", "(table 1 funcref)".into(), hostile(MEMORY, &format!("(table 1 funcref) {RUN_OK}"))),
        ("a table too large", "(table 1 20000 funcref)".into(), hostile(MEMORY, &format!("(table 1 20000 funcref) {RUN_OK}"))),
        ("too many globals", "1001 globals".into(), hostile(MEMORY, &format!("{} {RUN_OK}", "(global i64 (i64.const 0))".repeat(1001)))),
        ("a start function", "(start $init)".into(), hostile(MEMORY, &format!("(func $init) (start $init) {RUN_OK}"))),
        ("a memory without a maximum", "(memory 1)".into(), hostile("(memory (export \"memory\") 1)", RUN_OK)),
        ("a memory too large", "(memory 1 17)".into(), hostile("(memory (export \"memory\") 1 17)", RUN_OK)),
        ("no memory export", "(memory 1 16) unexported".into(), hostile("(memory 1 16)", RUN_OK)),
        ("an export that is not an entry point", "(export \"debug\")".into(), hostile(MEMORY, &format!("{RUN_OK} (func (export \"debug\"))"))),
        ("an exported global", "(global (export \"g\") i64 ...)".into(), hostile(MEMORY, &format!("{RUN_OK} (global (export \"g\") i64 (i64.const 0))"))),
        ("an entry point without its export", "no `run`".into(), hostile(MEMORY, "(func (result i64) (i64.const 0))")),
        ("an entry point with the wrong signature", "run: (i32) -> i64".into(), hostile(MEMORY, "(func (export \"run\") (param i32) (result i64) (i64.const 0))")),
        ("no ABI section", "plain module".into(), raw(&format!("(module {MEMORY} {RUN_OK})"))),
        ("two ABI sections", "assent.abi twice".into(), with_abi(hostile(MEMORY, RUN_OK))),
        ("an ABI section that is not JSON", "assent.abi = `{`".into(), with_custom_section(raw(&format!("(module {MEMORY} {RUN_OK})")), "assent.abi", b"{")),
        ("an ABI type referring forward", "types[0] = Option<types[1]>".into(), module(&json!({"abi_version": 1, "contract": "T", "source_hash": "", "types": [{"kind": "Option", "of": 1}, {"kind": "Int"}], "entries": [], "states": [], "events": []}), "")),
        ("a policy that returns an Int", "policy p -> Int".into(), module(&abi("T", vec![entry("p", "policy", &[], Some(1))], json!([])), "(func (export \"p\") (result i64) (i64.const 0))")),
        ("a persistent state that is not a collection", "state x: Int persistent".into(), module(&json!({"abi_version": 1, "contract": "T", "source_hash": "", "types": [{"kind": "Int"}], "entries": [], "states": [{"name": "x", "type": 0, "persistent": true}], "events": []}), "")),
        ("a frame too large for the stack bound", "5000 locals".into(), hostile(MEMORY, "(func (export \"run\") (result i64) (local i64 i64) (local 5000 i64) (i64.const 0))".replace("(local 5000 i64)", &"(local i64)".repeat(5000)).as_str())),
        ("not WebAssembly", "b\"hello\"".into(), b"hello".to_vec()),
    ];
    let mut report = String::new();
    for (name, input, wasm) in &cases {
        let error = match validate(wasm) {
            Ok(_) => panic!("`{name}` was accepted"),
            Err(error) => error,
        };
        writeln!(report, "== {name}\ninput: {input}\n{error}\n").unwrap();
    }
    insta::assert_snapshot!("rejections", report);
}

#[test]
fn the_validator_accepts_a_call_indirect_without_a_cycle() {
    let wasm = hostile(
        MEMORY,
        "(type $t (func (result i64))) (table 1 1 funcref) (elem (i32.const 0) $leaf) (func $leaf (type $t) (i64.const 41)) (func (export \"run\") (result i64) (i64.add (call_indirect (type $t) (i32.const 0)) (i64.const 1)))",
    );
    let validated = validate(&wasm).unwrap();
    assert_eq!(validated.abi.contract, "Test");
    assert!(validated.stack_estimate > 0);
    let execution = run(
        "action",
        Some(1),
        "(type $t (func (result i64))) (table 1 1 funcref) (elem (i32.const 0) $leaf) (func $leaf (type $t) (i64.const 41)) (func (export \"run\") (result i64) (i64.add (call_indirect (type $t) (i32.const 0)) (i64.const 1)))",
    );
    assert_eq!(outcome(&execution), "ok 42");
}

#[test]
fn an_infinite_loop_runs_out_of_gas_and_writes_nothing() {
    let execution = run(
        "action",
        Some(1),
        "(func (export \"run\") (result i64) (call $state_store (i32.const 0) (i64.const 1)) (loop $forever (br $forever)) (i64.const 0))",
    );
    assert_eq!(execution.outcome, Outcome::OutOfGas);
    assert_eq!(execution.gas_used, common::GAS);
    assert!(execution.writes.is_empty());
}

#[test]
fn a_memory_grow_bomb_stays_within_sixteen_pages_and_pays_for_them() {
    let bomb = "(func (export \"run\") (result i64) (local $grown i64)
        (block $full (loop $more
            (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
            (local.set $grown (i64.add (local.get $grown) (i64.const 1)))
            (br $more)))
        (local.get $grown))";
    let execution = run("action", Some(1), bomb);
    assert_eq!(outcome(&execution), "ok 15");
    // 16 pages of 10,000 gas, plus the instructions.
    assert!(execution.gas_used >= 160_000, "{}", execution.gas_used);

    let big_grow =
        "(func (export \"run\") (result i64) (i64.extend_i32_s (memory.grow (i32.const 65535))))";
    assert_eq!(outcome(&run("action", Some(1), big_grow)), "ok -1");

    let mut chain = Chain::new();
    chain.gas_limit = 100_000;
    chain.deploy(CONTRACT, &hostile(MEMORY, bomb));
    let execution = chain.call(CONTRACT, "run", vec![]);
    assert_eq!(execution.outcome, Outcome::OutOfGas);
    assert_eq!(execution.gas_used, 100_000);
}

#[test]
fn out_of_bounds_pointers_abort_and_never_panic() {
    let cases = [
        (
            "(call $val_const (i32.const 9) (i32.const 65536) (i32.const 1))",
            "aborted \"memory access out of bounds: 1 bytes at 65536 (memory has 65536 bytes)\"",
        ),
        (
            "(call $val_const (i32.const 9) (i32.const 65535) (i32.const 2))",
            "aborted \"memory access out of bounds: 2 bytes at 65535 (memory has 65536 bytes)\"",
        ),
        (
            "(call $val_const (i32.const 9) (i32.const -1) (i32.const 1))",
            "aborted \"memory access out of bounds: 1 bytes at 4294967295 (memory has 65536 bytes)\"",
        ),
        (
            "(call $val_const (i32.const 9) (i32.const 8) (i32.const -1))",
            "aborted \"memory access out of bounds: 4294967295 bytes at 8 (memory has 65536 bytes)\"",
        ),
        (
            "(call $record_new (i32.const 16) (i32.const 65530))",
            "aborted \"memory access out of bounds: 16 bytes at 65530 (memory has 65536 bytes)\"",
        ),
        (
            "(call $emit (i32.const 0) (i32.const -8) (i32.const 0)) (i64.const 0)",
            "aborted \"memory access out of bounds: 16 bytes at 4294967288 (memory has 65536 bytes)\"",
        ),
        (
            "(call $abort_static (i32.const 70000) (i32.const 4) (i32.const 0) (i32.const 0)) (i64.const 0)",
            "aborted \"memory access out of bounds: 4 bytes at 70000 (memory has 65536 bytes)\"",
        ),
        (
            "(call $abort (i64.const 0) (i32.const 0) (i32.const 100000)) (i64.const 0)",
            "aborted \"memory access out of bounds: 100000 bytes at 0 (memory has 65536 bytes)\"",
        ),
        (
            "(call $call_contract (i32.const 0) (i32.const 0) (i64.const 0) (i32.const 0))",
            "aborted \"interface 0 does not exist\"",
        ),
        (
            "(i64.load (i32.const 65536))",
            "aborted \"wasm trap: out of bounds memory access\"",
        ),
        (
            "(unreachable)",
            "aborted \"wasm trap: wasm `unreachable` instruction executed\"",
        ),
        (
            "(i64.div_s (i64.const 1) (i64.const 0))",
            "aborted \"wasm trap: integer divide by zero\"",
        ),
    ];
    let mut failures = Vec::new();
    for (body, expected) in cases {
        let fields = format!("(func (export \"run\") (result i64) {body})");
        let got = outcome(&run("action", Some(16), &fields));
        if got != expected {
            failures.push(format!("{body}\n  expected {expected}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn values_are_bounded_in_bytes_whatever_the_gas() {
    let mut chain = Chain::new();
    chain.gas_limit = 1_000_000_000;
    let doubling = "(data (i32.const 0) \"ab\")
      (func (export \"run\") (result i64) (local $s i64)
        (local.set $s (call $val_const (i32.const 9) (i32.const 0) (i32.const 2)))
        (loop $more (local.set $s (call $str_concat (local.get $s) (local.get $s))) (br $more))
        (i64.const 0))";
    chain.deploy(CONTRACT, &hostile(MEMORY, doubling));
    let execution = chain.call(CONTRACT, "run", vec![]);
    assert_eq!(
        outcome(&execution),
        "aborted \"the call built more than 33554432 bytes of values (its memory budget)\""
    );
}

#[test]
fn a_data_segment_outside_the_memory_aborts_at_instantiation() {
    let fields = format!("(data (i32.const 65535) \"ab\") {RUN_OK}");
    assert_eq!(
        outcome(&run("action", Some(1), &fields)),
        "aborted \"wasm trap: out of bounds memory access\""
    );
}

#[test]
fn the_same_call_twice_gives_the_same_outcome_gas_events_and_writes() {
    let fields = "(data (i32.const 0) \"key\")
      (func (export \"run\") (result i64) (local $i i64) (local $m i64)
        (local.set $m (call $coll_new (i32.const 15)))
        (loop $more
          (call $map_set_mut (local.get $m) (call $str_concat (call $val_const (i32.const 9) (i32.const 0) (i32.const 3)) (call $val_const (i32.const 9) (i32.const 0) (i32.const 1))) (local.get $i))
          (i64.store (i32.const 1024) (call $caller))
          (i64.store (i32.const 1032) (local.get $i))
          (call $emit (i32.const 0) (i32.const 1024) (i32.wrap_i64 (i64.rem_u (local.get $i) (i64.const 2))))
          (call $pmap_set (i32.const 1) (call $caller) (local.get $i))
          (local.set $i (i64.add (local.get $i) (i64.const 1)))
          (br_if $more (i64.lt_s (local.get $i) (i64.const 20))))
        (call $state_store (i32.const 0) (call $coll_len (local.get $m)))
        (call $coll_len (local.get $m)))";
    let first = run("action", Some(1), fields);
    let second = run("action", Some(1), fields);
    assert_eq!(outcome(&first), "ok 1");
    assert_eq!(first, second);
    assert_eq!(trace(&first), trace(&second));
    assert_eq!(first.events.len(), 20);
}

#[test]
fn arguments_that_do_not_match_are_a_host_error_not_an_outcome() {
    let chain = Chain::new();
    let abi = abi(
        "Test",
        vec![entry("run", "action", &[("n", 1)], Some(1))],
        json!([]),
    );
    chain.deploy(
        CONTRACT,
        &module(
            &abi,
            "(func (export \"run\") (param i64) (result i64) (local.get 0))",
        ),
    );
    let error = chain
        .vm
        .execute(
            chain.store.clone(),
            assent_vm::Call {
                contract: CONTRACT,
                entry: "run".into(),
                args: vec![Value::String("seven".into())],
                caller: common::ALICE,
                origin: common::ALICE,
                now: 0,
                block_height: 0,
                gas_limit: 1_000_000,
            },
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "arguments of `run` do not match its parameters: `n` is not a value of its type"
    );
    let ok = chain.call(CONTRACT, "run", vec![Value::Int(7)]);
    assert_eq!(outcome(&ok), "ok 7");
}
