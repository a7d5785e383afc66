//! Properties and the VM.
//!
//! `properties_are_not_code`: each sample compiles to the same module, ABI and source hash
//! with its properties as without them.
//!
//! `verdicts_hold_on_the_vm`: the prover against the VM — random small policies over state,
//! with random properties, decided by `assent verify`, then run on the VM.
//!
//! Each generated contract has a policy `may` (random deny and permit rules, with `when`
//! and `unless`, over an enum hierarchy, a number, a map and a set of state), a property
//! `p` (a random `assume`, then an `assert` about `may`'s decision), and — compiled to
//! WebAssembly and run by the VM — actions that set the state and a view `holds` that
//! evaluates the property's body (`!assume || assert`). Then:
//! - proven ⇒ in many random states and for every request of a grid, `holds` is true;
//! - counterexample ⇒ in the counterexample's state (its entries written by the actions),
//!   `holds` at the counterexample's values is false.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use assent_lang::check;
use assent_stdlib::value::Value;
use assent_verify::{Counterexample, Solver, Status};
use assent_vm::{Address, MemoryStore, Outcome};
use common::{CONTRACT, Deployed, DiskFiles, NoFiles, compile, new_vm};
use proptest::prelude::*;

/// The addresses the random states and requests use.
const PEOPLE: [Address; 3] = [
    Address([0x11; 20]),
    Address([0x22; 20]),
    Address([0x33; 20]),
];
const PURPOSES: [&str; 5] = ["Care", "Urgent", "Routine", "Research", "Marketing"];
const ROLES: [&str; 3] = ["Clerk", "Doctor", "Nurse"];

/// A condition over the request (`actor`, `purpose`, `amount`) and the state.
fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&PURPOSES[..]).prop_map(|p| format!("purpose in Purpose.{p}")),
        prop::sample::select(&PURPOSES[..]).prop_map(|p| format!("purpose == Purpose.{p}")),
        prop::sample::select(&ROLES[..])
            .prop_map(|r| format!("roles.get(actor) == some(Role.{r})")),
        Just("roles.contains(actor)".to_string()),
        Just("actor in blocked".to_string()),
        (-5i64..50).prop_map(|k| format!("amount > {k}")),
        (-5i64..50).prop_map(|k| format!("amount <= {k}")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    atom().prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| format!("!({c})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} && {b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a} || {b})")),
        ]
    })
}

/// A rule: its `when`, and an `unless` or none.
fn rule() -> impl Strategy<Value = (String, Option<String>)> {
    (condition(), prop::option::weighted(0.3, condition()))
}

/// What the property asserts of `may(actor, purpose, amount)`.
fn assertion(permits: usize, denies: usize) -> impl Strategy<Value = String> {
    let call = "may(actor, purpose, amount)";
    let mut labels: Vec<String> = (0..permits).map(|i| format!("p{i}")).collect();
    labels.extend((0..denies).map(|i| format!("d{i}")));
    labels.push("default".to_string());
    prop_oneof![
        Just(format!("{call}.permitted")),
        Just(format!("!{call}.permitted")),
        condition().prop_map(move |c| format!("(!({c}) || {call}.permitted)")),
        condition().prop_map(move |c| format!("({c} || !{call}.permitted)")),
        prop::sample::select(labels).prop_map(move |l| format!("{call}.rule == \"{l}\"")),
    ]
}

/// A generated contract: its source.
fn contract() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(rule(), 0..3),
        prop::collection::vec(rule(), 1..4),
    )
        .prop_flat_map(|(default_permit, denies, permits)| {
            let assertion = assertion(permits.len(), denies.len());
            (
                Just(default_permit),
                Just(denies),
                Just(permits),
                condition(),
                assertion,
            )
        })
        .prop_map(|(default_permit, denies, permits, assume, assert)| {
            let mut rules = String::new();
            if default_permit {
                rules.push_str("    default permit;\n");
            }
            for (kind, list) in [("deny", &denies), ("permit", &permits)] {
                for (i, (when, unless)) in list.iter().enumerate() {
                    let label = format!("{}{i}", &kind[..1]);
                    rules.push_str(&format!("    {kind} \"{label}\" when {when}"));
                    if let Some(unless) = unless {
                        rules.push_str(&format!(" unless {unless}"));
                    }
                    rules.push_str(";\n");
                }
            }
            format!(
                "contract RandomPolicy;

enum Purpose {{ Care {{ Urgent, Routine }}, Research, Marketing }}
enum Role {{ Clerk, Doctor, Nurse }}

state roles: Map<Address, Role>;
state blocked: Set<Address>;

action set_role(who: Address, role: Role) {{
    roles[who] = role;
}}

action add_blocked(who: Address) {{
    blocked.insert(who);
}}

action clear(who: Address) {{
    roles.remove(who);
    blocked.remove(who);
}}

policy may(actor: Address, purpose: Purpose, amount: Int) {{
{rules}}}

view holds(actor: Address, purpose: Purpose, amount: Int) -> Bool {{
    !({assume}) || {assert}
}}

property p(actor: Address, purpose: Purpose, amount: Int) {{
    assume {assume};
    assert {assert};
}}
"
            )
        })
}

/// One person's state: a role or none, and whether blocked.
type Person = (Option<usize>, bool);

/// The contract compiled and deployed on the VM, with empty state.
fn on_vm(source: &str) -> Deployed {
    let compiled = compile(source);
    let vm = new_vm();
    vm.load(&compiled.wasm).expect("the VM accepts the module");
    let store = Arc::new(MemoryStore::new());
    store.deploy(CONTRACT, &compiled.wasm);
    Deployed {
        vm,
        store,
        wasm: compiled.wasm,
        now: 1_767_225_600,
    }
}

fn enum_value(source_enum: &[&str], name: &str) -> Value {
    let index = source_enum.iter().position(|n| *n == name).unwrap();
    Value::Enum(u32::try_from(index).unwrap())
}

fn ok(deployed: &Deployed, entry: &str, args: Vec<Value>) -> Option<Value> {
    let execution = deployed.call(entry, args);
    match execution.outcome {
        Outcome::Ok(value) => value,
        other => panic!("`{entry}` on the VM: {other:?}"),
    }
}

/// `holds` on the VM.
fn holds(deployed: &Deployed, actor: Address, purpose: Value, amount: i64) -> bool {
    match ok(
        deployed,
        "holds",
        vec![Value::Address(actor.0), purpose, Value::Int(amount)],
    ) {
        Some(Value::Bool(b)) => b,
        other => panic!("`holds` gave {other:?}"),
    }
}

/// Writes one person's state through the actions.
fn set_person(deployed: &Deployed, who: Address, (role, blocked): Person) {
    ok(deployed, "clear", vec![Value::Address(who.0)]);
    if let Some(role) = role {
        ok(
            deployed,
            "set_role",
            vec![Value::Address(who.0), enum_value(&ROLES, ROLES[role])],
        );
    }
    if blocked {
        ok(deployed, "add_blocked", vec![Value::Address(who.0)]);
    }
}

/// Writes the counterexample's state entries, and gives its request.
fn counterexample_on_vm(deployed: &Deployed, c: &Counterexample) -> (Address, Value, i64) {
    for entry in &c.entries {
        let Some(Value::Address(who)) = entry.key.value.as_ref().map(|(v, _)| v.clone()) else {
            panic!("an entry keyed by something else: {}", entry.key.literal);
        };
        match (entry.state.as_str(), &entry.value) {
            ("roles", Some(shown)) => {
                let (role, _) = shown.value.clone().expect("a role read back");
                ok(deployed, "set_role", vec![Value::Address(who), role]);
            }
            ("blocked", Some(_)) => {
                ok(deployed, "add_blocked", vec![Value::Address(who)]);
            }
            (_, None) => {}
            (state, _) => panic!("unexpected state `{state}`"),
        }
    }
    let value = |name: &str| {
        c.values
            .iter()
            .find(|v| v.name == name)
            .and_then(|v| v.value.clone())
            .map(|(v, _)| v)
    };
    let actor = match value("actor") {
        Some(Value::Address(bytes)) => Address(bytes),
        _ => Address([0; 20]),
    };
    let purpose = value("purpose").unwrap_or(Value::Enum(0));
    let amount = match value("amount") {
        Some(Value::Int(n)) => n,
        _ => 0,
    };
    (actor, purpose, amount)
}

/// Each sample, and the same text cut before its properties (the comment that opens
/// them, `// ---- Properties`, to the end): the same module, ABI and source hash.
#[test]
fn properties_are_not_code() {
    let mut samples = 0;
    for entry in std::fs::read_dir("contracts").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "assent") {
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let cut = text.find("// ---- Properties").unwrap_or_else(|| {
            panic!("{name}: no `// ---- Properties` comment before the properties")
        });
        let code = format!("{}\n", text[..cut].trim_end());
        assert!(
            !code.contains("\nproperty "),
            "{name}: a property before the comment"
        );
        let with = assent_lang::compile(&name, &text, &DiskFiles).ok().unwrap();
        let without = assent_lang::compile(&name, &code, &DiskFiles).ok().unwrap();
        assert!(text.contains("\nproperty "), "{name}: no properties");
        assert_eq!(with.source_hash, without.source_hash, "{name}: source hash");
        assert_eq!(with.compiled.abi, without.compiled.abi, "{name}: ABI");
        assert!(
            with.compiled.wasm == without.compiled.wasm,
            "{name}: module"
        );
        samples += 1;
    }
    assert_eq!(samples, 5);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn verdicts_hold_on_the_vm(
        source in contract(),
        states in prop::collection::vec(
            prop::collection::vec((prop::option::of(0usize..3), any::<bool>()), 3),
            6,
        ),
    ) {
        let checked = check::check_source("random_policy.assent", &source, &NoFiles);
        let contract = checked.contract.expect("generated contracts check");
        let solver = Solver { timeout_seconds: 10, ..Solver::default() };
        let results = assent_verify::verify_contract(&contract, &solver).expect("z3 runs");
        prop_assert_eq!(results.len(), 1);
        let deployed = on_vm(&source);
        match &results[0].status {
            Status::Proven => {
                for state in states {
                    for (who, person) in PEOPLE.iter().zip(state) {
                        set_person(&deployed, *who, person);
                    }
                    let stranger = Address([0x44; 20]);
                    for actor in PEOPLE.iter().chain([&stranger]) {
                        for purpose in PURPOSES {
                            for amount in [-6, -5, 0, 1, 20, 49, 50, 51] {
                                prop_assert!(
                                    holds(&deployed, *actor, enum_value(&PURPOSES, purpose), amount),
                                    "proven, but violated on the VM for {actor:?} {purpose} {amount}:\n{source}"
                                );
                            }
                        }
                    }
                }
            }
            Status::Counterexample(c) => {
                let (actor, purpose, amount) = counterexample_on_vm(&deployed, c);
                prop_assert!(
                    !holds(&deployed, actor, purpose, amount),
                    "the counterexample does not violate the property on the VM:\n{source}\n{}",
                    results[0].details()
                );
            }
            Status::Unknown(reason) => {
                prop_assert!(false, "unknown: {reason}\n{source}");
            }
        }
    }
}
