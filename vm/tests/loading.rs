//! Loading modules: compiled once per code hash, artefacts reused from the cache, a bad
//! artefact recompiled; and no byte string, however mangled, makes the host panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use assent_stdlib::value::Value;
use assent_vm::{
    ArtefactCache, Call, CodeHash, MAX_LOADED_CONTRACTS, MemoryArtefacts, MemoryStore, Vm,
    VmConfig, keccak256, validate,
};
use common::{ALICE, CONTRACT, abi, entry, module, outcome};
use proptest::prelude::*;
use serde_json::json;

fn adder() -> Vec<u8> {
    module(
        &abi(
            "Adder",
            vec![entry("add", "view", &[("a", 1), ("b", 1)], Some(1))],
            json!([]),
        ),
        "(func (export \"add\") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))",
    )
}

fn add(vm: &Vm, store: &Arc<MemoryStore>) -> String {
    let execution = vm
        .execute(
            store.clone(),
            Call {
                contract: CONTRACT,
                entry: "add".into(),
                args: vec![Value::Int(2), Value::Int(40)],
                caller: ALICE,
                origin: ALICE,
                now: 0,
                block_height: 0,
                gas_limit: 100_000,
            },
        )
        .unwrap();
    common::outcome(&execution)
}

#[test]
fn a_module_compiles_once_and_its_artefact_serves_the_next_process() {
    let artefacts = Arc::new(MemoryArtefacts::default());
    let code = adder();
    let hash = keccak256(&code);
    let first = Vm::with_artefacts(VmConfig::default(), artefacts.clone()).unwrap();
    let loaded = first.load(&code).unwrap();
    assert_eq!(loaded.code_hash, hash);
    assert!(artefacts.get(&hash).is_some(), "the artefact is cached");
    assert!(
        Arc::ptr_eq(&loaded, &first.load(&code).unwrap()),
        "loaded once"
    );

    // A second VM (another process) loads the cached artefact instead of compiling.
    let second = Vm::with_artefacts(VmConfig::default(), artefacts.clone()).unwrap();
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &code);
    assert_eq!(add(&second, &store), "ok 42");
}

#[test]
fn a_corrupt_artefact_is_recompiled() {
    let artefacts = Arc::new(MemoryArtefacts::default());
    let code = adder();
    artefacts.put(&keccak256(&code), b"not an artefact".to_vec());
    let vm = Vm::with_artefacts(VmConfig::default(), artefacts.clone()).unwrap();
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &code);
    assert_eq!(add(&vm, &store), "ok 42");
    assert_ne!(
        artefacts.get(&keccak256(&code)).unwrap(),
        b"not an artefact"
    );
}

#[test]
fn init_runs_on_a_contract_not_yet_in_the_state() {
    let code = module(
        &abi("Owned", vec![entry("init", "init", &[], None)], json!([])),
        "(func (export \"init\") (call $state_store (i32.const 3) (call $caller)))",
    );
    let vm = Vm::new(VmConfig::default()).unwrap();
    let contract = vm.load(&code).unwrap();
    let store = Arc::new(MemoryStore::new());
    let execution = vm
        .execute_loaded(
            store.clone(),
            contract,
            Call {
                contract: CONTRACT,
                entry: "init".into(),
                args: vec![],
                caller: ALICE,
                origin: ALICE,
                now: 0,
                block_height: 0,
                gas_limit: 100_000,
            },
        )
        .unwrap();
    assert_eq!(outcome(&execution), "ok");
    assert_eq!(execution.writes.changes.len(), 1);
}

#[test]
fn the_loaded_contracts_are_bounded_and_an_evicted_one_loads_again() {
    let vm = Vm::new(VmConfig::default()).unwrap();
    let code = |index: usize| {
        module(
            &abi(
                &format!("C{index}"),
                vec![entry("init", "init", &[], None)],
                json!([]),
            ),
            "(func (export \"init\"))",
        )
    };
    for index in 0..MAX_LOADED_CONTRACTS + 10 {
        vm.load(&code(index)).unwrap();
        assert!(vm.loaded_contracts() <= MAX_LOADED_CONTRACTS);
    }
    assert_eq!(vm.loaded_contracts(), MAX_LOADED_CONTRACTS);
    // The first was used least recently, so it went; it loads again as the same code.
    let again = vm.load(&code(0)).unwrap();
    assert_eq!(again.code_hash, keccak256(&code(0)));
    assert_eq!(vm.loaded_contracts(), MAX_LOADED_CONTRACTS);
}

/// A cache that keeps nothing, so every load below compiles.
struct Nothing;
impl ArtefactCache for Nothing {
    fn get(&self, _: &CodeHash) -> Option<Vec<u8>> {
        None
    }
    fn put(&self, _: &CodeHash, _: Vec<u8>) {}
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic_the_validator(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = validate(&bytes);
    }

    /// Flip bytes of a valid module: the validator refuses it, or the module loads and
    /// runs to some outcome; the host never panics.
    #[test]
    fn mangled_modules_never_panic_the_host(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut code = adder();
        for (index, byte) in flips {
            let at = index.index(code.len());
            code[at] = byte;
        }
        if validate(&code).is_ok() {
            let vm = Vm::with_artefacts(VmConfig { pool_instances: 4, ..VmConfig::default() }, Arc::new(Nothing)).unwrap();
            let store = Arc::new(MemoryStore::new());
            store.deploy(CONTRACT, &code);
            if let Ok(contract) = vm.load(&code) {
                for entry in contract.abi.entries.clone() {
                    let args = entry.params.iter().map(|_| Value::Int(1)).collect::<Vec<_>>();
                    let _ = vm.execute(store.clone(), Call {
                        contract: CONTRACT,
                        entry: entry.name.clone(),
                        args,
                        caller: ALICE,
                        origin: ALICE,
                        now: 0,
                        block_height: 0,
                        gas_limit: 100_000,
                    });
                }
            }
        }
    }
}
