//! `explain_note`: a module importing it is refused by the validator and the VM the chain
//! uses, and accepted only by a VM made for explaining, where each note records its
//! value's text, in order, and gives the value back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assent_stdlib::value::Value;
use assent_vm::{Call, Note, Outcome, Vm, VmConfig, validate, validate_explaining};
use common::*;
use serde_json::json;

/// `noted(n: Int) -> Int`: notes `n` as note 7, then `n + 1` as note 8, and returns it.
fn noting_module() -> Vec<u8> {
    let abi = abi(
        "Test",
        vec![entry("noted", "view", &[("n", 1)], Some(1))],
        json!([]),
    );
    let fields = "(func (export \"noted\") (param i64) (result i64)
        (call $explain_note
            (i64.add (call $explain_note (local.get 0) (i32.const 7) (i32.const 1)) (i64.const 1))
            (i32.const 8) (i32.const 1)))";
    let text = format!(
        "(module\n{}  (memory (export \"memory\") 1 16)\n{fields}\n)",
        imports_of(true)
    );
    let wasm = wat::parse_str(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    with_custom_section(wasm, "assent.abi", abi.to_string().as_bytes())
}

#[test]
fn only_a_vm_made_for_explaining_runs_a_module_with_notes() {
    let wasm = noting_module();
    let refused = validate(&wasm).unwrap_err().to_string();
    assert!(
        refused.contains("unknown import `assent.explain_note`"),
        "{refused}"
    );
    let chain = Chain::new();
    assert!(chain.vm.load(&wasm).is_err());

    assert!(validate_explaining(&wasm).is_ok());
    let vm = Vm::explaining(VmConfig {
        pool_instances: 4,
        ..VmConfig::default()
    })
    .unwrap();
    let contract = vm.load(&wasm).unwrap();
    let execution = vm
        .execute_loaded(
            chain.store.clone(),
            contract,
            Call {
                contract: CONTRACT,
                entry: "noted".into(),
                args: vec![Value::Int(41)],
                caller: ALICE,
                origin: ALICE,
                now: NOW,
                block_height: HEIGHT,
                gas_limit: GAS,
            },
        )
        .unwrap();
    assert_eq!(execution.outcome, Outcome::Ok(Some(Value::Int(42))));
    assert_eq!(
        execution.notes,
        vec![
            Note {
                note: 7,
                value: "41".into()
            },
            Note {
                note: 8,
                value: "42".into()
            },
        ]
    );
    assert!(execution.gas_used > 0);
}
