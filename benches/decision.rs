//! The consent decision, compiled Assent against Cedar, measured in one run.
//!
//! Assent: the `may_access` policy of `contracts/patient_consent.assent` (three
//! persistent-map reads: the guardian, the grant and the grant's exclusions), compiled,
//! deployed on an in-memory store, then instantiated and called per decision, as a query
//! would. Cedar: the same six rules (two denies; self, guardian, break-glass, and consent
//! unless excluded) as Cedar policies over the same facts, `is_authorized` per decision.
//! Cedar's consent rule does not check the grant's period, which Assent's does. Both
//! decide "dr_bob may read alice's Lab results for TREAT" (permitted by consent: the
//! slowest path, after every deny and the earlier permits).
//! Also: the floor under every Assent call (an empty view, run the same way), and the
//! compile time of the sample contract (parse, check, generate WebAssembly).
//! `--profile maxperf` measures the build a production node runs (Cargo.toml).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::str::FromStr;
use std::sync::Arc;

use assent_lang::check::{FileLoader, check_source};
use assent_stdlib::value::Value;
use assent_vm::{Call, MemoryStore, Outcome, StateStore, Vm, VmConfig};
use criterion::{Criterion, criterion_group, criterion_main};

/// As in the `assent` binary (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use assent_vm::Address;

const CONTRACT: Address = Address([0xc0; 20]);
const ALICE: Address = Address([0xa1; 20]);
const BOB: Address = Address([0xb0; 20]);

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, _path: &str) -> Result<String, String> {
        Err("no imports".to_string())
    }
}

fn source() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/contracts/patient_consent.assent"
    ))
    .unwrap()
}

fn compile(source: &str) -> assent_lang::codegen::Compiled {
    let checked = check_source("patient_consent.assent", source, &NoFiles);
    let contract = checked.contract.expect("the contract checks");
    assent_lang::codegen::compile(&contract, [0; 32]).unwrap()
}

/// Variant ordinals of `std.consent`, looked up by name in the ABI.
fn ordinal(abi: &assent_stdlib::abi::ContractAbi, enum_name: &str, variant: &str) -> u32 {
    for ty in &abi.types {
        if let assent_stdlib::abi::TypeDesc::Enum { name, variants, .. } = ty
            && name == enum_name
        {
            return variants.iter().position(|v| v.name == variant).unwrap() as u32;
        }
    }
    panic!("no {enum_name}.{variant}")
}

fn call(entry: &str, caller: Address, args: Vec<Value>) -> Call {
    Call {
        contract: CONTRACT,
        entry: entry.to_string(),
        args,
        caller,
        origin: caller,
        now: 1_767_225_600,
        block_height: 1,
        gas_limit: 10_000_000,
    }
}

fn assent_decision(c: &mut Criterion) {
    let compiled = compile(&source());
    let vm = Vm::new(VmConfig::default()).unwrap();
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &compiled.wasm);
    let state: Arc<dyn StateStore> = store.clone();
    let treat = Value::Enum(ordinal(&compiled.abi, "PurposeOfUse", "TREAT"));
    let lab = Value::Enum(ordinal(&compiled.abi, "DataClass", "Lab"));
    // alice grants dr_bob TREAT access to Lab results for a year.
    let grant = vm
        .execute(
            state.clone(),
            call(
                "grant",
                ALICE,
                vec![
                    Value::Address(BOB.0),
                    Value::set_from(vec![treat.clone()]),
                    Value::set_from(vec![lab.clone()]),
                    Value::Time(1_767_225_600 + 365 * 86_400),
                ],
            ),
        )
        .unwrap();
    assert!(
        matches!(grant.outcome, Outcome::Ok(_)),
        "{:?}",
        grant.outcome
    );
    store.apply(&grant.writes);
    let decide = call(
        "may_access",
        BOB,
        vec![Value::Address(ALICE.0), Value::Address(BOB.0), treat, lab],
    );
    let first = vm.execute(state.clone(), decide.clone()).unwrap();
    assert_eq!(
        first.outcome,
        Outcome::Ok(Some(Value::decision(true, "consent"))),
        "the benchmark decides what it claims to"
    );
    report_cpu("decision/assent: may_access (instantiate + call)", || {
        vm.execute(state.clone(), black_box(decide.clone()))
            .unwrap();
    });
    c.bench_function("decision/assent: may_access (instantiate + call)", |b| {
        b.iter(|| {
            vm.execute(state.clone(), black_box(decide.clone()))
                .unwrap()
        })
    });
}

/// What any call costs before its code does anything: a view that returns a constant,
/// run exactly as the decision is (a warm instance, reset). What the decision takes
/// beyond this is its own work: its host calls and the code between them.
fn assent_floor(c: &mut Criterion) {
    let compiled = compile("contract Floor;\n\nview zero() -> Int {\n    0\n}\n");
    let vm = Vm::new(VmConfig::default()).unwrap();
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &compiled.wasm);
    let state: Arc<dyn StateStore> = store;
    let zero = call("zero", BOB, vec![]);
    let first = vm.execute(state.clone(), zero.clone()).unwrap();
    assert_eq!(first.outcome, Outcome::Ok(Some(Value::Int(0))));
    const NAME: &str = "decision/assent floor: an empty view (instantiate + call)";
    report_cpu(NAME, || {
        vm.execute(state.clone(), black_box(zero.clone())).unwrap();
    });
    c.bench_function(NAME, |b| {
        b.iter(|| vm.execute(state.clone(), black_box(zero.clone())).unwrap())
    });
}

const CEDAR_POLICIES: &str = r#"
@id("marketing")
forbid(principal, action == Action::"access", resource)
when { context.purpose == "HMARKT" };

@id("sensitive")
forbid(principal, action == Action::"access", resource)
when { context.sensitive } unless { context.purpose == "ETREAT" };

@id("self")
permit(principal, action == Action::"access", resource)
when { resource.patient == principal };

@id("guardian")
permit(principal, action == Action::"access", resource)
when { resource.guardians.contains(principal) };

@id("break-glass")
permit(principal, action == Action::"access", resource)
when { context.purpose == "ETREAT" };

@id("consent")
permit(principal, action == Action::"access", resource)
when {
    resource.grants.contains({grantee: principal, purpose: context.purpose, class: context.class})
}
unless {
    resource.exclusions.contains({grantee: principal, purpose: context.purpose}) ||
    resource.exclusions.contains({grantee: principal, class: context.class})
};
"#;

fn cedar_decision(c: &mut Criterion) {
    use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request};
    let policies = PolicySet::from_str(CEDAR_POLICIES).unwrap();
    let entities = Entities::from_json_str(
        r#"[
            {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []},
            {"uid": {"type": "User", "id": "dr_bob"}, "attrs": {}, "parents": []},
            {"uid": {"type": "Record", "id": "alice"}, "parents": [], "attrs": {
                "patient": {"__entity": {"type": "User", "id": "alice"}},
                "guardians": [],
                "grants": [{"grantee": {"__entity": {"type": "User", "id": "dr_bob"}},
                            "purpose": "TREAT", "class": "Lab"}],
                "exclusions": []
            }}
        ]"#,
        None,
    )
    .unwrap();
    let principal = EntityUid::from_str(r#"User::"dr_bob""#).unwrap();
    let action = EntityUid::from_str(r#"Action::"access""#).unwrap();
    let resource = EntityUid::from_str(r#"Record::"alice""#).unwrap();
    let context = Context::from_json_str(
        r#"{"purpose": "TREAT", "class": "Lab", "sensitive": false}"#,
        None,
    )
    .unwrap();
    let request = Request::new(principal, action, resource, context, None).unwrap();
    let authorizer = Authorizer::new();
    let response = authorizer.is_authorized(&request, &policies, &entities);
    assert_eq!(response.decision(), Decision::Allow);
    report_cpu("decision/cedar: 6 policies", || {
        black_box(authorizer.is_authorized(black_box(&request), &policies, &entities));
    });
    c.bench_function("decision/cedar: 6 policies", |b| {
        b.iter(|| authorizer.is_authorized(black_box(&request), &policies, &entities))
    });
}

fn compile_time(c: &mut Criterion) {
    let source = source();
    c.bench_function("compile/patient_consent: check + codegen", |b| {
        b.iter(|| compile(black_box(&source)))
    });
}

/// Prints the CPU time this thread spends per call of `f` (Linux's per-thread scheduler
/// statistics), which other load on a shared machine does not inflate the way it does
/// criterion's wall-clock figures.
fn report_cpu(name: &str, mut f: impl FnMut()) {
    let on_cpu = || -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse().ok()
    };
    const ITERATIONS: u32 = 50_000;
    let Some(start) = on_cpu() else { return };
    for _ in 0..ITERATIONS {
        f();
    }
    if let Some(end) = on_cpu() {
        let nanos = (end - start) / u64::from(ITERATIONS);
        println!("{name}: {nanos} ns of CPU per call");
    }
}

criterion_group!(
    benches,
    assent_decision,
    assent_floor,
    cedar_decision,
    compile_time
);
criterion_main!(benches);
