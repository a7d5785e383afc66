//! The gas calibration benchmark's cases (`benches/calibration/cases.rs`): every host
//! function has one, and every case runs (a case that aborted would measure nothing).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../benches/calibration/cases.rs"]
mod cases;
mod common;

use std::collections::BTreeSet;

use assent_stdlib::abi::{HOST_FUNCTIONS, HostFn};
use assent_stdlib::value::Value;
use assent_vm::{Call, Outcome};
use common::{ALICE, CONTRACT, Chain, module_with_memory};

const MEMORY: &str = "(memory (export \"memory\") 16 16)";

#[test]
fn every_host_function_has_a_calibration_case() {
    let measured: BTreeSet<&str> = cases::cases().iter().map(|case| case.function).collect();
    // What no deployed module may import (`explain_note`) never runs on a chain: only a
    // VM made for explaining links it, for a read-only run nobody pays for; it does what
    // `val_to_string` does and is charged the same.
    let missing: Vec<&str> = HOST_FUNCTIONS
        .iter()
        .map(|function| function.name)
        .filter(|name| {
            !measured.contains(name) && HostFn::by_name(name).is_some_and(HostFn::deployable)
        })
        .collect();
    assert!(missing.is_empty(), "no calibration case for {missing:?}");
    assert!(measured.contains("wasm"), "no instruction pattern");
}

#[test]
fn every_calibration_case_runs() {
    let chain = Chain::new();
    let callee = module_with_memory(&cases::callee_abi(), MEMORY, cases::CALLEE_FIELDS);
    chain.deploy(cases::CALLEE, &callee);
    let mut failures = Vec::new();
    for case in cases::cases() {
        // Small operands and the large ones of a few shapes keep the test quick.
        if case.name.contains("large") && !case.name.contains("with [1]") {
            continue;
        }
        let wasm = case.wasm();
        chain.deploy(CONTRACT, &wasm);
        let execution = chain
            .vm
            .execute(
                chain.store.clone(),
                Call {
                    contract: CONTRACT,
                    entry: "run".into(),
                    args: vec![Value::Int(3), (case.a.1)(), (case.b.1)()],
                    caller: ALICE,
                    origin: ALICE,
                    now: common::NOW,
                    block_height: common::HEIGHT,
                    gas_limit: 100_000_000_000,
                },
            )
            .unwrap();
        let fine = match execution.outcome {
            Outcome::Ok(_) => !case.terminal,
            Outcome::Aborted { .. } => case.terminal,
            Outcome::OutOfGas => false,
        };
        if !fine {
            failures.push(format!("{}: {:?}", case.name, execution.outcome));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
