//! VM benchmarks: wasmtime compilation of a module against loading its cached artefact,
//! and one consent-policy decision (instantiate + call of a policy export doing two
//! persistent-map reads), the number `docs/performance.md` quotes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::sync::Arc;

use assent_stdlib::abi::{HOST_FUNCTIONS, HOST_MODULE, WasmType};
use assent_stdlib::codec::encode;
use assent_stdlib::value::Value;
use assent_vm::{
    Address, ArtefactCache, Call, CodeHash, MemoryStore, Outcome, StateStore, Vm, VmConfig,
    WriteSet, contract_key, validate,
};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

const CONSENT: Address = Address([0xc0; 20]);
const PATIENT: Address = Address([0xa1; 20]);
const GUARDIAN: Address = Address([0xb0; 20]);

/// A policy `may_access(patient, actor)`: deny "blocked" when `actor` is in the
/// persistent set `blocked`; permit "guardian" when `guardians.get(patient) ==
/// some(actor)`; else deny "default". Two persistent-map reads per decision.
fn policy_module(all_imports: bool) -> Vec<u8> {
    policy_module_with(all_imports, true)
}

/// The policy module; without `decide`, its export builds a constant Decision and reads no
/// state (the floor of an execution: store, instantiation, call, teardown).
fn policy_module_with(all_imports: bool, decide: bool) -> Vec<u8> {
    let abi = json!({
        "abi_version": 1,
        "contract": "Consent",
        "source_hash": "0x00",
        "types": [
            {"kind": "Address"},            // 0
            {"kind": "String"},             // 1
            {"kind": "Decision"},           // 2
            {"kind": "Map", "key": 0, "value": 0}, // 3 Map<Address, Address>
            {"kind": "Set", "of": 0},       // 4 Set<Address>
            {"kind": "Option", "of": 0}     // 5 Address?
        ],
        "entries": [{
            "name": "may_access", "kind": "policy", "export": "may_access",
            "params": [{"name": "patient", "type": 0}, {"name": "actor", "type": 0}],
            "returns": 2
        }],
        "states": [
            {"name": "guardians", "type": 3, "persistent": true},
            {"name": "blocked", "type": 4, "persistent": true}
        ],
        "events": []
    });
    let decision = |permitted: i64, offset: u32, len: u32| {
        format!(
            "(i64.store (i32.const 1024) (i64.const {permitted})) (i64.store (i32.const 1032) (call $val_const (i32.const 1) (i32.const {offset}) (i32.const {len}))) (return (call $record_new (i32.const 2) (i32.const 1024)))"
        )
    };
    let mut text = String::from("(module\n");
    let used = [
        "pmap_contains",
        "pmap_get",
        "val_eq",
        "opt_some",
        "val_const",
        "record_new",
    ];
    for function in HOST_FUNCTIONS
        .iter()
        .filter(|function| all_imports || used.contains(&function.name))
    {
        let ty = |t: &WasmType| match t {
            WasmType::I32 => "i32",
            WasmType::I64 => "i64",
        };
        let params: Vec<&str> = function.params.iter().map(ty).collect();
        let results: Vec<&str> = function.results.iter().map(ty).collect();
        text.push_str(&format!(
            "(import \"{HOST_MODULE}\" \"{0}\" (func ${0} (param {1}) (result {2})))\n",
            function.name,
            params.join(" "),
            results.join(" ")
        ));
    }
    text.push_str(&format!(
        r#"(memory (export "memory") 1 16)
  (data (i32.const 0) "blockedguardiandefault")
  (func (export "may_access") (param $patient i64) (param $actor i64) (result i64)
    {body})
)"#,
        body = if decide {
            format!(
                "(if (call $pmap_contains (i32.const 1) (local.get $actor)) (then {}))
    (if (call $val_eq (call $pmap_get (i32.const 0) (local.get $patient)) (call $opt_some (i32.const 5) (local.get $actor)))
      (then {}))
    {}",
                decision(0, 0, 7),
                decision(1, 7, 8),
                decision(0, 15, 7)
            )
        } else {
            format!("(drop (local.get $patient)) {}", decision(1, 7, 8))
        },
    ));
    let mut wasm = wat::parse_str(&text).unwrap();
    let data = abi.to_string();
    let mut payload = vec![b"assent.abi".len() as u8];
    payload.extend_from_slice(b"assent.abi");
    payload.extend_from_slice(data.as_bytes());
    wasm.push(0);
    let mut len = payload.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            wasm.push(byte);
            break;
        }
        wasm.push(byte | 0x80);
    }
    wasm.extend_from_slice(&payload);
    wasm
}

/// An artefact cache that keeps nothing: every load compiles.
struct NoArtefacts;

impl ArtefactCache for NoArtefacts {
    fn get(&self, _: &CodeHash) -> Option<Vec<u8>> {
        None
    }
    fn put(&self, _: &CodeHash, _: Vec<u8>) {}
}

fn loading(c: &mut Criterion) {
    let wasm = policy_module(true);
    let mut group = c.benchmark_group("load");
    group.bench_function("validate", |b| {
        b.iter(|| validate(black_box(&wasm)).unwrap())
    });
    let compiling = Vm::with_artefacts(VmConfig::default(), Arc::new(NoArtefacts)).unwrap();
    group.bench_function("validate + wasmtime compile", |b| {
        b.iter(|| {
            compiling.forget_loaded();
            compiling.load(black_box(&wasm)).unwrap()
        })
    });
    let cached = Vm::new(VmConfig::default()).unwrap();
    cached.load(&wasm).unwrap();
    group.bench_function("validate + cached artefact load", |b| {
        b.iter(|| {
            cached.forget_loaded();
            cached.load(black_box(&wasm)).unwrap()
        })
    });
    group.bench_function("already loaded (code-hash lookup)", |b| {
        b.iter(|| cached.load(black_box(&wasm)).unwrap())
    });
    group.finish();
}

fn decision(c: &mut Criterion) {
    for (name, all_imports, decide) in [
        (
            "policy decision (instantiate + call, two map reads)",
            true,
            true,
        ),
        (
            "policy decision, importing only the 6 host functions used",
            false,
            true,
        ),
        (
            "floor: the same export building a constant Decision, no map read",
            true,
            false,
        ),
    ] {
        let vm = Vm::new(VmConfig::default()).unwrap();
        let wasm = policy_module_with(all_imports, decide);
        let store = Arc::new(MemoryStore::new());
        store.deploy(CONSENT, &wasm);
        let mut writes = WriteSet::default();
        writes.changes.insert(
            contract_key(&CONSENT, 0, &encode(&Value::Address(PATIENT.0))),
            Some(encode(&Value::Address(GUARDIAN.0))),
        );
        store.apply(&writes);
        let state: Arc<dyn StateStore> = store;
        let call = Call {
            contract: CONSENT,
            entry: "may_access".into(),
            args: vec![Value::Address(PATIENT.0), Value::Address(GUARDIAN.0)],
            caller: PATIENT,
            origin: PATIENT,
            now: 1_767_225_600,
            block_height: 1,
            gas_limit: 1_000_000,
        };
        let first = vm.execute(state.clone(), call.clone()).unwrap();
        if decide {
            assert_eq!(
                first.outcome,
                Outcome::Ok(Some(Value::decision(true, "guardian")))
            );
        }
        println!("{name}: {} gas", first.gas_used);
        if let Some(nanos) = cpu_nanos_per_iteration(100_000, || {
            vm.execute(state.clone(), black_box(call.clone())).unwrap();
        }) {
            println!(
                "{name}: {nanos:.0} ns of CPU per decision (this thread's CPU time, so other load on the machine does not count)"
            );
        }
        c.bench_function(name, |b| {
            b.iter(|| vm.execute(state.clone(), black_box(call.clone())).unwrap())
        });
    }
}

/// CPU time this thread spends per call of `f`, from the kernel's scheduler statistics
/// (Linux only), so the number holds even on a busy machine.
fn cpu_nanos_per_iteration(iterations: u32, mut f: impl FnMut()) -> Option<f64> {
    let on_cpu = || -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse().ok()
    };
    let start = on_cpu()?;
    for _ in 0..iterations {
        f();
    }
    let end = on_cpu()?;
    Some((end - start) as f64 / f64::from(iterations))
}

criterion_group!(benches, loading, decision);
criterion_main!(benches);
