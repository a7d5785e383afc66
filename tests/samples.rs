//! The sample contracts of `contracts/`, compiled and executed on the VM step by step.
//!
//! Each test is a table of steps in the form of LEDGER.md §7's scenario files (deploy,
//! call as an account, view, advance the clock), run by one helper, [`run`], against an
//! in-memory store. Every call states its exact outcome: status, the exact abort
//! message, the return value and the complete list of events with their fields. Every
//! adjudication the contracts return or emit is checked against the invariant
//! `submitted == contractual + patient_pays + plan_pays`.
//!
//! The ABI JSON of every sample contract is snapshotted in `tests/snapshots/`.
// The step tables are large `json!` literals.
#![recursion_limit = "1024"]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use assent_ledger::keys::dev_address;
use assent_ledger::tx::create_address;
use assent_stdlib::abi::{ContractAbi, EntryKind};
use assent_stdlib::json::{AddressNames, args_from_json, from_json, hex, parse_money, to_json};
use assent_stdlib::value::{Type, Value};
use assent_vm::{Call, Execution, MemoryStore, Outcome, StateStore, Vm};

/// Addresses as the values of this world hold them: their 20 bytes.
type Address = [u8; 20];

/// Keccak-256 as the values of this world hold it: its 32 bytes.
fn keccak256(bytes: &[u8]) -> [u8; 32] {
    assent_vm::keccak256(bytes).0
}
use common::{compile_file, new_vm};
use serde_json::{Value as Json, json};

// ---- The helper ------------------------------------------------------------------------

/// A deployed contract: its address and what its ABI says.
struct Loaded {
    address: Address,
    abi: ContractAbi,
    types: Vec<Type>,
}

/// The world a table of steps runs in: one store, a clock, named accounts and contracts.
struct World {
    vm: Vm,
    store: Arc<MemoryStore>,
    time: i64,
    height: i64,
    nonces: BTreeMap<Address, u64>,
    contracts: BTreeMap<String, Loaded>,
    /// Every account or contract name used so far, with its address.
    names: BTreeMap<String, Address>,
    /// How many adjudications were checked against the invariant.
    adjudications: usize,
    /// Gas per `contract.entry`, for the report at the end.
    gas: BTreeMap<String, Vec<u64>>,
}

impl AddressNames for World {
    fn address_of(&self, name: &str) -> Option<[u8; 20]> {
        if let Some(address) = self.names.get(name) {
            return Some(*address);
        }
        if name.starts_with("0x") {
            return None;
        }
        dev_address(name).ok().map(|address| address.0)
    }
}

impl World {
    fn new(time: &str) -> World {
        World {
            vm: new_vm(),
            store: Arc::new(MemoryStore::new()),
            time: assent_stdlib::time::parse_time(time).expect("the scenario's time"),
            height: 0,
            nonces: BTreeMap::new(),
            contracts: BTreeMap::new(),
            names: BTreeMap::new(),
            adjudications: 0,
            gas: BTreeMap::new(),
        }
    }

    /// The address of an account name (a development account, LEDGER.md §1).
    fn account(&mut self, name: &str) -> Address {
        let address = self.address_of(name).expect("an account name");
        self.names.insert(name.to_string(), address);
        address
    }

    /// The name of an address, for readable failures.
    fn name_of(&self, address: &Address) -> String {
        self.names
            .iter()
            .find(|(_, a)| *a == address)
            .map_or_else(|| hex(address), |(name, _)| name.clone())
    }

    /// `json` with every address of a known name shown as that name, for readable failures.
    fn named(&self, json: &Json) -> Json {
        match json {
            Json::String(text) => match self.names.iter().find(|(_, a)| hex(*a) == *text) {
                Some((name, _)) => Json::String(name.clone()),
                None => json.clone(),
            },
            Json::Array(items) => Json::Array(items.iter().map(|item| self.named(item)).collect()),
            Json::Object(object) => Json::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.clone(), self.named(value)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn next_block(&mut self) {
        self.time += 1;
        self.height += 1;
    }

    fn execute(
        &self,
        contract: Address,
        entry: &str,
        args: Vec<Value>,
        caller: Address,
    ) -> Execution {
        let state: Arc<dyn StateStore> = self.store.clone();
        self.vm
            .execute(
                state,
                Call {
                    contract: assent_vm::Address(contract),
                    entry: entry.to_string(),
                    args,
                    caller: assent_vm::Address(caller),
                    origin: assent_vm::Address(caller),
                    now: self.time,
                    block_height: self.height,
                    gas_limit: 100_000_000,
                },
            )
            .expect("no host fault")
    }

    /// Deploys `file` (a path from the package root) as contract `name`: a new block; the contract's address follows
    /// Ethereum's CREATE rule from the deployer and its nonce, as on the ledger.
    fn deploy(&mut self, name: &str, file: &str, from: Address, args: &Json) -> Execution {
        self.next_block();
        let compiled = compile_file(file);
        self.vm
            .load(&compiled.wasm)
            .expect("the VM accepts the module");
        let nonce = self.nonces.entry(from).or_insert(0);
        let address = create_address(&assent_ledger::Address(from), *nonce).0;
        *nonce += 1;
        self.store
            .deploy(assent_vm::Address(address), &compiled.wasm);
        let types = compiled.abi.resolve_types().unwrap();
        let loaded = Loaded {
            address,
            abi: compiled.abi,
            types,
        };
        self.names.insert(name.to_string(), address);
        let execution = match loaded
            .abi
            .entries
            .iter()
            .find(|e| e.kind == EntryKind::Init)
        {
            Some(init) => {
                let params = params_of(&loaded, init);
                let values = args_from_json(args, &params, self).expect("init arguments");
                self.execute(address, "init", values, from)
            }
            None => Execution {
                outcome: Outcome::Ok(None),
                gas_used: 0,
                events: vec![],
                writes: Default::default(),
            },
        };
        if matches!(execution.outcome, Outcome::Ok(_)) {
            self.store.apply(&execution.writes);
            self.contracts.insert(name.to_string(), loaded);
        }
        execution
    }
}

fn params_of(loaded: &Loaded, entry: &assent_stdlib::abi::EntryAbi) -> Vec<(String, Type)> {
    entry
        .params
        .iter()
        .map(|p| (p.name.clone(), loaded.types[p.ty as usize].clone()))
        .collect()
}

/// Runs a scenario — `{"time", "contracts": {name: file}, "steps": [...]}` as in
/// LEDGER.md §7 — and panics at the first step whose outcome differs from its `expect`.
///
/// A `deploy` or `call` step is one transaction in a new block, 1 s after the previous
/// one; `advance` adds an empty block that much later; a `view` runs on the latest
/// state, as `from` (or the zero address). A contract's address follows from its
/// deployer's nonce, which every transaction increments, as on the ledger. `note` and
/// `description` are free text. Stricter than §7: a call's `message` is the exact abort
/// message, every call lists all its `events`, an event given with `fields` lists all of
/// them, and an event may also state its `contract` and whether it is an `audit` event.
fn run(dir: &str, scenario: &Json) -> World {
    let mut world = World::new(scenario["time"].as_str().expect("time"));
    let files: BTreeMap<String, String> = scenario["contracts"]
        .as_object()
        .expect("contracts")
        .iter()
        .map(|(name, file)| (name.clone(), file.as_str().unwrap().to_string()))
        .collect();
    for (index, step) in scenario["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .enumerate()
    {
        let context = format!("step {index}: {step}");
        if let Some(duration) = step.get("advance") {
            let seconds = assent_stdlib::time::parse_duration(duration.as_str().unwrap())
                .expect("a duration");
            world.time += seconds;
            world.height += 1;
            continue;
        }
        let from = match step.get("from") {
            Some(name) => world.account(name.as_str().unwrap()),
            None => [0; 20],
        };
        let args = step.get("args").cloned().unwrap_or(json!({}));
        let expect = step.get("expect").cloned().unwrap_or(json!({}));
        let (execution, returns, label) = if let Some(name) = step.get("deploy") {
            let name = name.as_str().unwrap();
            let execution = world.deploy(name, &format!("{dir}/{}", files[name]), from, &args);
            (execution, None, format!("{name}.init"))
        } else {
            let (target, is_view) = match (step.get("call"), step.get("view")) {
                (Some(target), None) => (target.as_str().unwrap(), false),
                (None, Some(target)) => (target.as_str().unwrap(), true),
                _ => panic!("{context}\n  a step is one of deploy, call, view, advance"),
            };
            let (contract, method) = target.split_once('.').expect("contract.entry");
            let loaded = world
                .contracts
                .get(contract)
                .unwrap_or_else(|| panic!("{context}\n  no contract `{contract}` deployed"));
            let entry = loaded
                .abi
                .entries
                .iter()
                .find(|e| e.name == method)
                .unwrap_or_else(|| panic!("{context}\n  `{contract}` has no entry `{method}`"));
            let callable = if is_view {
                matches!(entry.kind, EntryKind::View | EntryKind::Policy)
            } else {
                entry.kind == EntryKind::Action
            };
            assert!(callable, "{context}\n  `{method}` is a {:?}", entry.kind);
            let params = params_of(loaded, entry);
            let values = args_from_json(&args, &params, &world)
                .unwrap_or_else(|error| panic!("{context}\n  arguments: {error}"));
            let returns = entry.returns.map(|id| loaded.types[id as usize].clone());
            let address = loaded.address;
            if !is_view {
                world.next_block();
                *world.nonces.entry(from).or_insert(0) += 1;
            }
            let execution = world.execute(address, method, values, from);
            if !is_view && matches!(execution.outcome, Outcome::Ok(_)) {
                world.store.apply(&execution.writes);
            }
            (execution, returns, target.to_string())
        };
        world.gas.entry(label).or_default().push(execution.gas_used);
        let is_view = step.get("view").is_some();
        check_step(
            &mut world,
            &context,
            &execution,
            returns.as_ref(),
            &expect,
            is_view,
        );
    }
    // Gas per entry point, shown with `--nocapture` (the numbers are deterministic).
    for (label, gas) in &world.gas {
        let max = gas.iter().max().copied().unwrap_or(0);
        eprintln!("gas {label}: {} runs, max {max}", gas.len());
    }
    world
}

/// Compares one step's execution with its `expect`.
fn check_step(
    world: &mut World,
    context: &str,
    execution: &Execution,
    returns: Option<&Type>,
    expect: &Json,
    is_view: bool,
) {
    let (status, message) = match &execution.outcome {
        Outcome::Ok(_) => ("ok", None),
        Outcome::Aborted { message, .. } => ("aborted", Some(message.clone())),
        Outcome::OutOfGas => ("out_of_gas", None),
    };
    let wanted_status = expect.get("status").and_then(Json::as_str).unwrap_or("ok");
    assert_eq!(
        status, wanted_status,
        "{context}\n  status {status} (message {message:?}), wanted {wanted_status}"
    );
    if let Some(wanted) = expect.get("message") {
        assert_eq!(message.as_deref(), wanted.as_str(), "{context}\n  message");
    }
    if let (Outcome::Ok(value), Some(ty)) = (&execution.outcome, returns) {
        let got = value.as_ref().map_or(Json::Null, |v| to_json(v, ty));
        check_adjudications(world, context, &got);
        if let Some(wanted) = expect.get("returns") {
            let wanted_value = from_json(wanted, ty, world)
                .unwrap_or_else(|error| panic!("{context}\n  expected return: {error}"));
            let wanted_json = to_json(&wanted_value, ty);
            assert_eq!(
                world.named(&got),
                world.named(&wanted_json),
                "{context}\n  return value (got, wanted)"
            );
        } else {
            assert!(
                !is_view,
                "{context}\n  a view step states what it returns: {got}"
            );
        }
    }
    // Events: every call states all of them (aborted calls keep their `audit` events).
    let wanted_events = match expect.get("events") {
        Some(events) => events.as_array().expect("events is a list").clone(),
        None if is_view => vec![],
        None => panic!("{context}\n  a call step lists its events"),
    };
    let got: Vec<String> = execution.events.iter().map(|e| e.name.clone()).collect();
    let wanted_names: Vec<String> = wanted_events
        .iter()
        .map(|e| match e {
            Json::String(name) => name.clone(),
            other => other["name"].as_str().unwrap().to_string(),
        })
        .collect();
    assert_eq!(got, wanted_names, "{context}\n  events (got, wanted)");
    for (event, wanted) in execution.events.iter().zip(&wanted_events) {
        let got_fields: serde_json::Map<String, Json> = event
            .fields
            .iter()
            .map(|f| (f.name.clone(), to_json(&f.value, &f.ty)))
            .collect();
        check_adjudications(world, context, &Json::Object(got_fields.clone()));
        if let Some(contract) = wanted.get("contract") {
            assert_eq!(
                world.name_of(&event.contract.0),
                contract.as_str().unwrap(),
                "{context}\n  contract of event {}",
                event.name
            );
        }
        if let Some(audit) = wanted.get("audit") {
            assert_eq!(
                Some(event.audit),
                audit.as_bool(),
                "{context}\n  audit flag"
            );
        }
        let Some(fields) = wanted.get("fields") else {
            continue;
        };
        let fields = fields.as_object().unwrap();
        let mut names_given: Vec<&String> = fields.keys().collect();
        names_given.sort();
        let mut names_got: Vec<&String> = got_fields.keys().collect();
        names_got.sort();
        assert_eq!(
            names_given, names_got,
            "{context}\n  event {} lists all its fields",
            event.name
        );
        for field in &event.fields {
            let wanted_value =
                from_json(&fields[&field.name], &field.ty, world).unwrap_or_else(|error| {
                    panic!(
                        "{context}\n  expected {}.{}: {error}",
                        event.name, field.name
                    )
                });
            assert_eq!(
                world.named(&to_json(&field.value, &field.ty)),
                world.named(&to_json(&wanted_value, &field.ty)),
                "{context}\n  {}.{} (got, wanted)",
                event.name,
                field.name
            );
        }
    }
}

/// Checks `submitted == contractual + patient_pays + plan_pays` on every adjudication
/// found in `json` (any object with those four fields), at any depth.
fn check_adjudications(world: &mut World, context: &str, json: &Json) {
    match json {
        Json::Object(object) => {
            let amounts: Option<Vec<i64>> =
                ["submitted", "contractual", "patient_pays", "plan_pays"]
                    .iter()
                    .map(|key| {
                        object
                            .get(*key)
                            .and_then(Json::as_str)
                            .and_then(parse_money)
                    })
                    .collect();
            if let Some(amounts) = amounts {
                assert_eq!(
                    amounts[0],
                    amounts[1] + amounts[2] + amounts[3],
                    "{context}\n  submitted != contractual + patient_pays + plan_pays in {json}"
                );
                world.adjudications += 1;
            }
            for value in object.values() {
                check_adjudications(world, context, value);
            }
        }
        Json::Array(items) => {
            for item in items {
                check_adjudications(world, context, item);
            }
        }
        _ => {}
    }
}

// ---- The tables as scenario files ---------------------------------------------------------

/// Runs `scenario` (its contract paths relative to `file`'s directory) and checks that
/// `file` holds it as a scenario file for `assent test`: the same steps, with every key.
/// The tables here are the source;
/// `ASSENT_UPDATE_SCENARIOS=1 cargo test --test samples` rewrites the files from them.
fn run_scenario_file(file: &str, scenario: &Json) -> World {
    let dir = std::path::Path::new(file)
        .parent()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let world = run(&dir, scenario);
    let mut text = String::new();
    layout(scenario, 0, 0, &mut text);
    text.push('\n');
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var_os("ASSENT_UPDATE_SCENARIOS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{file} differs from its table in tests/samples.rs; rewrite it with \
         ASSENT_UPDATE_SCENARIOS=1 cargo test --test samples"
    );
    world
}

/// The widest line [`layout`] writes where it can.
const WIDTH: usize = 110;

/// JSON on one line, with a space after `:` and `,`.
fn inline(value: &Json) -> String {
    match value {
        Json::Object(object) if !object.is_empty() => {
            let members: Vec<String> = object
                .iter()
                .map(|(key, value)| format!("{}: {}", Json::String(key.clone()), inline(value)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// JSON laid out for reading: a value on one line when it fits from `column`, otherwise
/// one member or element per line, indented by two more than `indent`.
fn layout(value: &Json, indent: usize, column: usize, out: &mut String) {
    let flat = inline(value);
    let breakable = match value {
        Json::Object(object) => !object.is_empty(),
        Json::Array(items) => !items.is_empty(),
        _ => false,
    };
    if !breakable || column + flat.chars().count() <= WIDTH {
        out.push_str(&flat);
        return;
    }
    let pad = " ".repeat(indent + 2);
    let (open, close, members): (char, char, Vec<(String, &Json)>) = match value {
        Json::Object(object) => (
            '{',
            '}',
            object
                .iter()
                .map(|(key, value)| (format!("{}: ", Json::String(key.clone())), value))
                .collect(),
        ),
        Json::Array(items) => (
            '[',
            ']',
            items.iter().map(|item| (String::new(), item)).collect(),
        ),
        _ => unreachable!(),
    };
    out.push(open);
    out.push('\n');
    let count = members.len();
    for (index, (prefix, member)) in members.into_iter().enumerate() {
        out.push_str(&pad);
        out.push_str(&prefix);
        layout(member, indent + 2, indent + 2 + prefix.chars().count(), out);
        out.push_str(if index + 1 < count { ",\n" } else { "\n" });
    }
    out.push_str(&" ".repeat(indent));
    out.push(close);
}

// ---- Shapes used by the tables ------------------------------------------------------------

/// An `Adjudication` of `std.claims`, amounts as JSON money strings.
struct Adj {
    submitted: &'static str,
    allowed: &'static str,
    contractual: &'static str,
    copay: &'static str,
    deductible: &'static str,
    coinsurance: &'static str,
    patient_pays: &'static str,
    plan_pays: &'static str,
    codes: &'static [&'static str],
    deductible_met: &'static str,
    oop_met: &'static str,
}

impl Adj {
    fn json(&self) -> Json {
        json!({
            "submitted": self.submitted, "allowed": self.allowed, "contractual": self.contractual,
            "copay": self.copay, "deductible": self.deductible, "coinsurance": self.coinsurance,
            "patient_pays": self.patient_pays, "plan_pays": self.plan_pays, "codes": self.codes,
            "after": { "deductible_met": self.deductible_met, "oop_met": self.oop_met },
        })
    }
}

/// A `Benefit` of `std.claims`.
fn benefit(deductible: &str, copay: &str, coinsurance: &str, oop_max: &str) -> Json {
    json!({ "deductible": deductible, "copay": copay, "coinsurance": coinsurance, "oop_max": oop_max })
}

/// `Accumulators` of `std.claims`.
fn acc(deductible_met: &str, oop_met: &str) -> Json {
    json!({ "deductible_met": deductible_met, "oop_met": oop_met })
}

// ---- std.claims.adjudicate, worked by hand -----------------------------------------------

/// One line: benefit, accumulators before, submitted, allowed, and the adjudication.
struct Line {
    /// How the numbers follow, by hand (kept in the scenario file as the step's note).
    note: &'static str,
    benefit: Json,
    before: Json,
    submitted: &'static str,
    allowed: &'static str,
    expect: Result<Adj, &'static str>,
}

/// The plan most rows use: $1,500 deductible, $25 copay, 20 % coinsurance, $4,000
/// out-of-pocket maximum.
fn gold() -> Json {
    benefit("1500.00", "25.00", "20%", "4000.00")
}

#[rustfmt::skip]
fn adjudication_lines() -> Vec<Line> {
    vec![
        Line { note: "Nothing met yet. allowed = min(150, 200) = 150; contractual = 200 - 150 = 50; copay = min(25, 150) = 25; deductible = min(1500 - 0, 150 - 25) = 125; coinsurance = (150 - 25 - 125) × 20 % = 0; room 4000, no excess. patient = 25 + 125 + 0 = 150; plan = 150 - 150 = 0. 200 = 50 + 150 + 0.",
            benefit: gold(), before: acc("0.00", "0.00"), submitted: "200.00", allowed: "150.00",
            expect: Ok(Adj { submitted: "200.00", allowed: "150.00", contractual: "50.00",
                copay: "25.00", deductible: "125.00", coinsurance: "0.00",
                patient_pays: "150.00", plan_pays: "0.00", codes: &["CO-45", "PR-3", "PR-1"],
                deductible_met: "125.00", oop_met: "150.00" }) },
        Line { note: "Deductible met. copay 25; deductible = min(max(1500 - 1500, 0), 775) = 0; coinsurance = (800 - 25 - 0) × 20 % = 155; room = 4000 - 1800 = 2200, no excess. patient = 25 + 155 = 180; plan = 800 - 180 = 620. 1000 = 200 + 180 + 620.",
            benefit: gold(), before: acc("1500.00", "1800.00"), submitted: "1000.00", allowed: "800.00",
            expect: Ok(Adj { submitted: "1000.00", allowed: "800.00", contractual: "200.00",
                copay: "25.00", deductible: "0.00", coinsurance: "155.00",
                patient_pays: "180.00", plan_pays: "620.00", codes: &["CO-45", "PR-3", "PR-2"],
                deductible_met: "1500.00", oop_met: "1980.00" }) },
        Line { note: "Deductible partly met: $100 left. copay 25; deductible = min(100, 475) = 100; coinsurance = (500 - 25 - 100) × 20 % = 375 × 20 % = 75; room 2600. patient = 25 + 100 + 75 = 200; plan = 300. 500 = 0 + 200 + 300.",
            benefit: gold(), before: acc("1400.00", "1400.00"), submitted: "500.00", allowed: "500.00",
            expect: Ok(Adj { submitted: "500.00", allowed: "500.00", contractual: "0.00",
                copay: "25.00", deductible: "100.00", coinsurance: "75.00",
                patient_pays: "200.00", plan_pays: "300.00", codes: &["PR-3", "PR-1", "PR-2"],
                deductible_met: "1500.00", oop_met: "1600.00" }) },
        Line { note: "Met beyond the deductible (a mid-year plan change): max(1500 - 1600, 0) = 0. coinsurance = (100 - 25) × 20 % = 15; patient = 40; plan = 60.",
            benefit: gold(), before: acc("1600.00", "2000.00"), submitted: "100.00", allowed: "100.00",
            expect: Ok(Adj { submitted: "100.00", allowed: "100.00", contractual: "0.00",
                copay: "25.00", deductible: "0.00", coinsurance: "15.00",
                patient_pays: "40.00", plan_pays: "60.00", codes: &["PR-3", "PR-2"],
                deductible_met: "1600.00", oop_met: "2040.00" }) },
        Line { note: "Rounding to the cent, half away from zero: 10004 ¢ × 12.5 % = 1250.5 ¢ → 1251 ¢. patient = 12.51; plan = 100.04 - 12.51 = 87.53.",
            benefit: benefit("0.00", "0.00", "12.5%", "5000.00"), before: acc("0.00", "0.00"),
            submitted: "100.04", allowed: "100.04",
            expect: Ok(Adj { submitted: "100.04", allowed: "100.04", contractual: "0.00",
                copay: "0.00", deductible: "0.00", coinsurance: "12.51",
                patient_pays: "12.51", plan_pays: "87.53", codes: &["PR-2"],
                deductible_met: "0.00", oop_met: "12.51" }) },
        Line { note: "Below the half: 10003 ¢ × 12.5 % = 1250.375 ¢ → 1250 ¢; plan = 100.03 - 12.50 = 87.53.",
            benefit: benefit("0.00", "0.00", "12.5%", "5000.00"), before: acc("0.00", "0.00"),
            submitted: "100.03", allowed: "100.03",
            expect: Ok(Adj { submitted: "100.03", allowed: "100.03", contractual: "0.00",
                copay: "0.00", deductible: "0.00", coinsurance: "12.50",
                patient_pays: "12.50", plan_pays: "87.53", codes: &["PR-2"],
                deductible_met: "0.00", oop_met: "12.50" }) },
        Line { note: "3333 ¢ × 15 % = 499.95 ¢ → 500 ¢. plan = 33.33 - 5.00 = 28.33.",
            benefit: benefit("0.00", "0.00", "15%", "5000.00"), before: acc("0.00", "0.00"),
            submitted: "33.33", allowed: "33.33",
            expect: Ok(Adj { submitted: "33.33", allowed: "33.33", contractual: "0.00",
                copay: "0.00", deductible: "0.00", coinsurance: "5.00",
                patient_pays: "5.00", plan_pays: "28.33", codes: &["PR-2"],
                deductible_met: "0.00", oop_met: "5.00" }) },
        Line { note: "The cap trims coinsurance only. copay 25; deductible 0; coinsurance = 975 × 20 % = 195; room = 4000 - 3950 = 50; excess = 25 + 0 + 195 - 50 = 170 → coinsurance 195 - 170 = 25. patient = 25 + 25 = 50; plan = 950. 1000 = 0 + 50 + 950.",
            benefit: gold(), before: acc("1500.00", "3950.00"), submitted: "1000.00", allowed: "1000.00",
            expect: Ok(Adj { submitted: "1000.00", allowed: "1000.00", contractual: "0.00",
                copay: "25.00", deductible: "0.00", coinsurance: "25.00",
                patient_pays: "50.00", plan_pays: "950.00", codes: &["PR-3", "PR-2"],
                deductible_met: "1500.00", oop_met: "4000.00" }) },
        Line { note: "The cap trims coinsurance away, then part of the deductible. copay 25; deductible = min(1500 - 1000, 1975) = 500; coinsurance = (2000 - 25 - 500) × 20 % = 295; room = 4000 - 3900 = 100; excess = 820 - 100 = 720: coinsurance 295 → 0 (425 left), deductible 500 → 75 (0 left); copay stays 25. patient = 100; plan = 1900; deductible met 1000 + 75 = 1075. PR-2 is gone: it is zero after the trim.",
            benefit: gold(), before: acc("1000.00", "3900.00"), submitted: "2000.00", allowed: "2000.00",
            expect: Ok(Adj { submitted: "2000.00", allowed: "2000.00", contractual: "0.00",
                copay: "25.00", deductible: "75.00", coinsurance: "0.00",
                patient_pays: "100.00", plan_pays: "1900.00", codes: &["PR-3", "PR-1"],
                deductible_met: "1075.00", oop_met: "4000.00" }) },
        Line { note: "The cap reaches the copay. allowed 250, contractual 50; copay 25; deductible 0; coinsurance = 225 × 20 % = 45; room 10; excess = 70 - 10 = 60: coinsurance 45 → 0 (15 left), deductible 0, copay 25 → 10. patient 10; plan 240. 300 = 50 + 10 + 240.",
            benefit: gold(), before: acc("1500.00", "3990.00"), submitted: "300.00", allowed: "250.00",
            expect: Ok(Adj { submitted: "300.00", allowed: "250.00", contractual: "50.00",
                copay: "10.00", deductible: "0.00", coinsurance: "0.00",
                patient_pays: "10.00", plan_pays: "240.00", codes: &["CO-45", "PR-3"],
                deductible_met: "1500.00", oop_met: "4000.00" }) },
        Line { note: "Out-of-pocket maximum already reached: room 0 trims everything; the plan pays all of the allowed amount. 100 = 20 + 0 + 80.",
            benefit: gold(), before: acc("1500.00", "4000.00"), submitted: "100.00", allowed: "80.00",
            expect: Ok(Adj { submitted: "100.00", allowed: "80.00", contractual: "20.00",
                copay: "0.00", deductible: "0.00", coinsurance: "0.00",
                patient_pays: "0.00", plan_pays: "80.00", codes: &["CO-45"],
                deductible_met: "1500.00", oop_met: "4000.00" }) },
        Line { note: "Met beyond the maximum: room = max(4000 - 4100, 0) = 0; no codes at all.",
            benefit: gold(), before: acc("1500.00", "4100.00"), submitted: "50.00", allowed: "50.00",
            expect: Ok(Adj { submitted: "50.00", allowed: "50.00", contractual: "0.00",
                copay: "0.00", deductible: "0.00", coinsurance: "0.00",
                patient_pays: "0.00", plan_pays: "50.00", codes: &[],
                deductible_met: "1500.00", oop_met: "4100.00" }) },
        Line { note: "A fee schedule above the charge: allowed = min(90, 20) = 20; copay = min(25, 20) = 20; deductible = min(1500, 0) = 0. patient 20; plan 0.",
            benefit: gold(), before: acc("0.00", "0.00"), submitted: "20.00", allowed: "90.00",
            expect: Ok(Adj { submitted: "20.00", allowed: "20.00", contractual: "0.00",
                copay: "20.00", deductible: "0.00", coinsurance: "0.00",
                patient_pays: "20.00", plan_pays: "0.00", codes: &["PR-3"],
                deductible_met: "0.00", oop_met: "20.00" }) },
        Line { note: "A large claim, nothing met: copay 25; deductible 1500; coinsurance = (250000 - 1525) × 20 % = 49695; excess = 51220 - 4000 = 47220 → coinsurance 2475. patient = 25 + 1500 + 2475 = 4000 (exactly the maximum); plan = 246000.",
            benefit: gold(), before: acc("0.00", "0.00"), submitted: "250000.00", allowed: "250000.00",
            expect: Ok(Adj { submitted: "250000.00", allowed: "250000.00", contractual: "0.00",
                copay: "25.00", deductible: "1500.00", coinsurance: "2475.00",
                patient_pays: "4000.00", plan_pays: "246000.00", codes: &["PR-3", "PR-1", "PR-2"],
                deductible_met: "1500.00", oop_met: "4000.00" }) },
        Line { note: "A zero line.",
            benefit: gold(), before: acc("0.00", "0.00"), submitted: "0.00", allowed: "0.00",
            expect: Ok(Adj { submitted: "0.00", allowed: "0.00", contractual: "0.00",
                copay: "0.00", deductible: "0.00", coinsurance: "0.00",
                patient_pays: "0.00", plan_pays: "0.00", codes: &[],
                deductible_met: "0.00", oop_met: "0.00" }) },
        Line { note: "A negative charge is refused.",
            benefit: gold(), before: acc("0.00", "0.00"), submitted: "-1.00", allowed: "0.00",
            expect: Err("submitted amount must not be negative") },
        Line { note: "A negative allowed amount is refused.",
            benefit: gold(), before: acc("0.00", "0.00"), submitted: "1.00", allowed: "-0.01",
            expect: Err("allowed amount must not be negative") },
    ]
}

#[test]
fn std_claims_adjudicate_gives_the_worked_numbers() {
    let mut steps =
        vec![json!({ "deploy": "suite", "from": "tester", "expect": { "events": [] } })];
    let lines = adjudication_lines();
    for line in &lines {
        let args = json!({ "benefit": line.benefit, "before": line.before,
                           "submitted": line.submitted, "allowed": line.allowed });
        steps.push(match &line.expect {
            Ok(adj) => json!({ "note": line.note, "view": "suite.adjudicate_line", "args": args,
                               "expect": { "returns": adj.json() } }),
            Err(message) => {
                json!({ "note": line.note, "view": "suite.adjudicate_line", "args": args,
                                    "expect": { "status": "aborted", "message": message } })
            }
        });
    }
    let world = run_scenario_file(
        "contracts/stdlib/adjudicate.scenario.json",
        &json!({
            "description": "std.claims.adjudicate with worked numbers: copay, deductible, coinsurance, the out-of-pocket cap's trim order (coinsurance, deductible, copay) and rounding to the cent; every note derives its line by hand.",
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "suite": "stdlib_suite.assent" },
            "steps": steps,
        }),
    );
    let adjudicated = lines.iter().filter(|line| line.expect.is_ok()).count();
    assert_eq!(
        world.adjudications, adjudicated,
        "every line checked against the invariant"
    );
}

// ---- std.consent and std.crypto ----------------------------------------------------------

/// A wallet's `personal_sign` of a 32-byte message (EIP-191), computed here from the
/// prefix bytes, independently of `std.crypto`: `r ‖ s ‖ v` with `v` 27 or 28.
fn personal_sign(account: &str, message: &[u8; 32]) -> String {
    let mut prefixed = b"\x19Ethereum Signed Message:\n32".to_vec();
    prefixed.extend_from_slice(message);
    let digest = assent_ledger::keccak256(&prefixed);
    let key = assent_ledger::keys::dev_key(account).unwrap();
    let signature = assent_ledger::tx::sign_prehash(&key, &digest).unwrap();
    let mut bytes = signature.r.to_vec();
    bytes.extend_from_slice(&signature.s);
    bytes.push(27 + signature.y_parity);
    hex(&bytes)
}

fn eip191_digest(message: &[u8; 32]) -> String {
    let mut prefixed = b"\x19Ethereum Signed Message:\n32".to_vec();
    prefixed.extend_from_slice(message);
    hex(assent_ledger::keccak256(&prefixed).as_bytes())
}

#[test]
fn std_consent_hierarchies_and_std_crypto_digests() {
    let message = keccak256(b"discharge summary, version 1");
    let signature = personal_sign("dr_lee", &message);
    // The same signature with `v` as 0/1 (some signers give it so), and one bit flipped.
    let v01 = format!(
        "{}{:02x}",
        &signature[..130],
        u8::from_str_radix(&signature[130..], 16).unwrap() - 27
    );
    let mut altered = signature.clone();
    altered.replace_range(10..11, if &signature[10..11] == "0" { "1" } else { "0" });
    let view = |entry: &str, args: Json, returns: Json| json!({ "view": format!("suite.{entry}"), "args": args, "expect": { "returns": returns } });
    let period = json!({ "start": "2026-01-01T00:00:00Z", "end": "2026-07-01T00:00:00Z" });
    let open = json!({ "start": "2026-01-01T00:00:00Z", "end": null });
    run_scenario_file(
        "contracts/stdlib/consent_crypto.scenario.json",
        &json!({
            "description": "std.consent's HL7 hierarchies, period activity and confidentiality order; std.crypto's EIP-191 digest and the wallet signer it recovers.",
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "suite": "stdlib_suite.assent" },
            "steps": [
                { "deploy": "suite", "from": "tester", "expect": { "events": [] } },
                // Purpose of use: `in` is "is a kind of", at any depth; never upward or sideways.
                view("purpose_is", json!({ "purpose": "BTG", "of": "TREAT" }), json!(true)),
                view("purpose_is", json!({ "purpose": "BTG", "of": "ETREAT" }), json!(true)),
                view("purpose_is", json!({ "purpose": "TREAT", "of": "ETREAT" }), json!(false)),
                view("purpose_is", json!({ "purpose": "ELIGVER", "of": "HPAYMT" }), json!(true)),
                view("purpose_is", json!({ "purpose": "ELIGVER", "of": "COVERAGE" }), json!(true)),
                view("purpose_is", json!({ "purpose": "CLINTRCH", "of": "TREAT" }), json!(false)),
                view("purpose_is", json!({ "purpose": "HMARKT", "of": "HMARKT" }), json!(true)),
                view("class_is", json!({ "class": "Genetic", "of": "Sensitive" }), json!(true)),
                view("class_is", json!({ "class": "Lab", "of": "Sensitive" }), json!(false)),
                view("sensitivity_is", json!({ "code": "OPIOIDUD", "of": "ETH" }), json!(true)),
                view("sensitivity_is", json!({ "code": "HIV", "of": "ETH" }), json!(false)),
                view("at_least", json!({ "level": "R", "floor": "N" }), json!(true)),
                view("at_least", json!({ "level": "L", "floor": "N" }), json!(false)),
                // A period includes its start and excludes its end; no end is open-ended.
                view("active_at", json!({ "period": period, "t": "2026-01-01T00:00:00Z" }), json!(true)),
                view("active_at", json!({ "period": period, "t": "2026-06-30T23:59:59Z" }), json!(true)),
                view("active_at", json!({ "period": period, "t": "2026-07-01T00:00:00Z" }), json!(false)),
                view("active_at", json!({ "period": period, "t": "2025-12-31T23:59:59Z" }), json!(false)),
                view("active_at", json!({ "period": open, "t": "2099-01-01T00:00:00Z" }), json!(true)),
                // EIP-191: the digest a wallet signs, and the signer recovered from its signature.
                view("eth_signed_digest", json!({ "h": hex(&message) }), json!(eip191_digest(&message))),
                view("personal_signer", json!({ "h": hex(&message), "signature": signature }), json!("dr_lee")),
                view("personal_signer", json!({ "h": hex(&message), "signature": v01 }), json!("dr_lee")),
                view("personal_signer", json!({ "h": hex(&message), "signature": "0x1234" }), json!(null)),
            ],
        }),
    );
    // A flipped bit recovers some other key (or none), never dr_lee's.
    let world = run(
        "contracts/stdlib",
        &json!({
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "suite": "stdlib_suite.assent" },
            "steps": [{ "deploy": "suite", "from": "tester", "expect": { "events": [] } }],
        }),
    );
    let suite = &world.contracts["suite"];
    let execution = world.execute(
        suite.address,
        "personal_signer",
        vec![
            Value::Hash(message),
            Value::Bytes(assent_stdlib::json::parse_hex(&altered).unwrap()),
        ],
        [0; 20],
    );
    let dr_lee = dev_address("dr_lee").unwrap().0;
    assert_ne!(
        execution.outcome,
        Outcome::Ok(Some(Value::some(Value::Address(dr_lee))))
    );
}

// ---- patient_consent: officers, guardians, break-glass reviews ---------------------------

#[test]
fn patient_consent_break_glass_creates_a_review_obligation() {
    let reason = "unresponsive in the emergency department";
    let case1 = json!({
        "case_id": 1, "patient": "alice", "actor": "dr_eve", "class": "MentalHealth", "reason": reason,
        "opened": "2026-01-01T00:00:09Z", "due": "2026-01-04T00:00:09Z", "review": null,
    });
    let accessed = |patient: &str, actor: &str, purpose: &str, rule: &str| {
        json!({ "name": "Accessed", "audit": true, "fields": {
            "patient": patient, "actor": actor, "purpose": purpose, "permitted": true, "rule": rule } })
    };
    run_scenario_file(
        "contracts/patient_consent_break_glass.scenario.json",
        &json!({
            "description": "Patient consent: privacy officers, guardians recorded for minors, break-glass access that is audited and must be reviewed within 72 hours, overdue reviews.",
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "consent": "patient_consent.assent" },
            "steps": [
                { "deploy": "consent", "from": "privacy_officer", "expect": { "events": [] } },
                { "view": "consent.is_officer", "args": { "who": "privacy_officer" }, "expect": { "returns": true } },
                { "view": "consent.is_officer", "args": { "who": "dpo_kim" }, "expect": { "returns": false } },
                { "call": "consent.add_officer", "from": "alice", "args": { "officer": "dpo_kim" },
                  "expect": { "status": "aborted", "message": "only a privacy officer adds officers", "events": [] } },
                { "view": "consent.officer_count", "expect": { "returns": 1 } },
                { "call": "consent.add_officer", "from": "privacy_officer", "args": { "officer": "dpo_kim" },
                  "expect": { "events": [{ "name": "OfficerAdded", "fields": { "officer": "dpo_kim", "by": "privacy_officer" } }] } },
                { "view": "consent.officer_count", "expect": { "returns": 2 } },
                // A minor's guardian, recorded by an officer.
                { "call": "consent.record_guardian", "from": "dpo_kim", "args": { "patient": "leo", "guardian": "ana" },
                  "expect": { "events": [{ "name": "GuardianRecorded", "fields": { "patient": "leo", "guardian": "ana", "by": "dpo_kim" } }] } },
                { "call": "consent.record_guardian", "from": "ana", "args": { "patient": "leo", "guardian": "ana" },
                  "expect": { "status": "aborted", "message": "only a privacy officer records guardians", "events": [] } },
                { "call": "consent.record_guardian", "from": "dpo_kim", "args": { "patient": "leo", "guardian": "leo" },
                  "expect": { "status": "aborted", "message": "a patient is not their own guardian", "events": [] } },
                { "view": "consent.may_access", "args": { "patient": "leo", "actor": "ana", "purpose": "FAMRQT", "class": "Immunization" },
                  "expect": { "returns": { "permitted": true, "rule": "guardian" } } },
                { "call": "consent.access", "from": "ana", "args": { "patient": "leo", "purpose": "FAMRQT", "class": "Immunization" },
                  "expect": { "events": [accessed("leo", "ana", "FAMRQT", "guardian")] } },
                // Break-glass: decided, audited, and an obligation to review within 72 h.
                { "call": "consent.break_glass", "from": "dr_eve", "args": { "patient": "alice", "class": "MentalHealth", "reason": "" },
                  "expect": { "status": "aborted", "message": "state the emergency", "events": [] } },
                { "call": "consent.break_glass", "from": "dr_eve", "args": { "patient": "alice", "class": "MentalHealth", "reason": reason },
                  "expect": { "returns": 1, "events": [
                      accessed("alice", "dr_eve", "BTG", "break-glass"),
                      { "name": "BreakGlassOpened", "audit": true, "fields": { "case_id": 1, "patient": "alice", "actor": "dr_eve",
                        "class": "MentalHealth", "reason": reason, "due": "2026-01-04T00:00:09Z" } }] } },
                { "view": "consent.pending_reviews", "expect": { "returns": [1] } },
                { "view": "consent.break_glass_case", "args": { "case_id": 1 }, "expect": { "returns": case1 } },
                { "view": "consent.overdue_reviews", "expect": { "returns": [] } },
                { "advance": "2d" },
                { "call": "consent.break_glass", "from": "dr_bob", "args": { "patient": "leo", "class": "Lab", "reason": "seizure, guardian unreachable" },
                  "expect": { "returns": 2, "events": [
                      accessed("leo", "dr_bob", "BTG", "break-glass"),
                      { "name": "BreakGlassOpened", "fields": { "case_id": 2, "patient": "leo", "actor": "dr_bob",
                        "class": "Lab", "reason": "seizure, guardian unreachable", "due": "2026-01-06T00:00:10Z" } }] } },
                { "call": "consent.review_break_glass", "from": "dr_eve", "args": { "case_id": 1, "outcome": "Justified" },
                  "expect": { "status": "aborted", "message": "only a privacy officer reviews break-glass access", "events": [] } },
                // 72 h after case 1 it is overdue; case 2 is not yet.
                { "advance": "1d" },
                { "view": "consent.overdue_reviews", "expect": { "returns": [case1] } },
                { "view": "consent.pending_reviews", "expect": { "returns": [1, 2] } },
                { "call": "consent.review_break_glass", "from": "dpo_kim", "args": { "case_id": 2, "outcome": "Justified" },
                  "expect": { "events": [{ "name": "BreakGlassReviewed", "audit": false, "fields": {
                      "case_id": 2, "reviewer": "dpo_kim", "outcome": "Justified", "late": false } }] } },
                { "call": "consent.review_break_glass", "from": "privacy_officer", "args": { "case_id": 2, "outcome": "Unjustified" },
                  "expect": { "status": "aborted", "message": "the case is already reviewed", "events": [] } },
                { "call": "consent.review_break_glass", "from": "privacy_officer", "args": { "case_id": 99, "outcome": "Justified" },
                  "expect": { "status": "aborted", "message": "no such break-glass case", "events": [] } },
                { "call": "consent.review_break_glass", "from": "privacy_officer", "args": { "case_id": 1, "outcome": "Unjustified" },
                  "expect": { "events": [{ "name": "BreakGlassReviewed", "fields": {
                      "case_id": 1, "reviewer": "privacy_officer", "outcome": "Unjustified", "late": true } }] } },
                { "view": "consent.overdue_reviews", "expect": { "returns": [] } },
                { "view": "consent.pending_reviews", "expect": { "returns": [] } },
                { "view": "consent.break_glass_case", "args": { "case_id": 1 }, "expect": { "returns": {
                    "case_id": 1, "patient": "alice", "actor": "dr_eve", "class": "MentalHealth", "reason": reason,
                    "opened": "2026-01-01T00:00:09Z", "due": "2026-01-04T00:00:09Z",
                    "review": { "reviewer": "privacy_officer", "at": "2026-01-04T00:00:15Z", "outcome": "Unjustified", "late": true } } } },
                // An officer's own break-glass access is reviewed by another officer.
                { "call": "consent.break_glass", "from": "dpo_kim", "args": { "patient": "alice", "class": "Note", "reason": "covering a colleague's ICU patient" },
                  "expect": { "returns": 3, "events": ["Accessed", "BreakGlassOpened"] } },
                { "call": "consent.review_break_glass", "from": "dpo_kim", "args": { "case_id": 3, "outcome": "Justified" },
                  "expect": { "status": "aborted", "message": "an officer does not review their own access", "events": [] } },
                { "view": "consent.break_glass_case", "args": { "case_id": 7 },
                  "expect": { "status": "aborted", "message": "no such break-glass case" } },
                // The access entry point is unchanged: emergency access through it opens no case.
                { "call": "consent.access", "from": "dr_eve", "args": { "patient": "alice", "purpose": "ETREAT", "class": "MentalHealth" },
                  "expect": { "events": [accessed("alice", "dr_eve", "ETREAT", "break-glass")] } },
                { "view": "consent.pending_reviews", "expect": { "returns": [3] } },
                // The guardianship ends.
                { "call": "consent.remove_guardian", "from": "privacy_officer", "args": { "patient": "leo" },
                  "expect": { "events": [{ "name": "GuardianRemoved", "fields": { "patient": "leo", "guardian": "ana", "by": "privacy_officer" } }] } },
                { "view": "consent.may_access", "args": { "patient": "leo", "actor": "ana", "purpose": "FAMRQT", "class": "Immunization" },
                  "expect": { "returns": { "permitted": false, "rule": "default" } } },
                { "call": "consent.remove_guardian", "from": "privacy_officer", "args": { "patient": "leo" },
                  "expect": { "status": "aborted", "message": "the patient has no guardian", "events": [] } },
                // Adding an officer again changes nothing: the count is of distinct officers.
                { "call": "consent.add_officer", "from": "privacy_officer", "args": { "officer": "dpo_kim" },
                  "expect": { "events": [{ "name": "OfficerAdded", "fields": { "officer": "dpo_kim", "by": "privacy_officer" } }] } },
                { "view": "consent.officer_count", "expect": { "returns": 2 } },
            ],
        }),
    );
}

// ---- trial_consent -----------------------------------------------------------------------

const FORM_V1: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const FORM_V2: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";
const FORM_V3: &str = "0x3333333333333333333333333333333333333333333333333333333333333333";

#[test]
fn trial_consent_versions_reconsent_components_withdrawal_and_representatives() {
    let consented = |participant: &str, signer: &str, version: i64, components: Json| {
        json!({ "name": "Consented", "fields": {
            "participant": participant, "signer": signer, "version": version, "components": components } })
    };
    let collected = |component: &str, version: i64| json!({ "name": "Collected", "fields": { "participant": "pat", "by": "nurse", "component": component, "version": version } });
    let denied = |rule: &str| json!({ "status": "aborted", "message": format!("denied by rule {rule}"), "events": [] });
    run_scenario_file(
        "contracts/trial_consent.scenario.json",
        &json!({
            "description": "Trial consent: IRB-approved form versions bound by hash, optional components, re-consent after a substantive amendment, a legally authorised representative, withdrawal that keeps earlier data analysable.",
            "time": "2026-02-01T00:00:00Z",
            "contracts": { "trial": "trial_consent.assent" },
            "steps": [
                { "deploy": "trial", "from": "pi", "args": { "reviewing_irb": "irb" }, "expect": { "events": [] } },
                { "call": "trial.approve_form", "from": "pi", "args": { "document": FORM_V1, "optional": [], "reconsent": false },
                  "expect": { "status": "aborted", "message": "only the IRB approves consent forms", "events": [] } },
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 1, "document": FORM_V1, "optional": [] },
                  "expect": { "status": "aborted", "message": "no consent form is approved yet", "events": [] } },
                { "call": "trial.approve_form", "from": "irb", "args": { "document": FORM_V1, "optional": ["Genomic", "Biobank"], "reconsent": false },
                  "expect": { "returns": 1, "events": [{ "name": "FormApproved", "fields": {
                      "version": 1, "document": FORM_V1, "optional": ["Genomic", "Biobank"], "reconsent": false } }] } },
                { "call": "trial.approve_form", "from": "irb", "args": { "document": FORM_V2, "optional": ["Core"], "reconsent": false },
                  "expect": { "status": "aborted", "message": "the core protocol is never optional", "events": [] } },
                { "call": "trial.add_staff", "from": "pi", "args": { "member": "nurse" },
                  "expect": { "events": [{ "name": "StaffAdded", "fields": { "member": "nurse" } }] } },
                // Signing binds to the approved document, the current version, the offered components.
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 1, "document": FORM_V1, "optional": ["Genomic"] },
                  "expect": { "events": [consented("pat", "pat", 1, json!(["Core", "Genomic"]))] } },
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 1, "document": FORM_V2, "optional": [] },
                  "expect": { "status": "aborted", "message": "the document is not the approved form", "events": [] } },
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 2, "document": FORM_V1, "optional": [] },
                  "expect": { "status": "aborted", "message": "only the current version of the form can be signed", "events": [] } },
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 1, "document": FORM_V1, "optional": ["Recontact"] },
                  "expect": { "status": "aborted", "message": "the form does not offer that component", "events": [] } },
                { "call": "trial.consent", "from": "stranger", "args": { "participant": "pat", "version": 1, "document": FORM_V1, "optional": [] },
                  "expect": { "status": "aborted", "message": "only the participant or their representative may sign", "events": [] } },
                // A minor, through the legally authorised representative.
                { "call": "trial.register_representative", "from": "pi", "args": { "participant": "kid", "representative": "mum" },
                  "expect": { "events": [{ "name": "RepresentativeRegistered", "fields": { "participant": "kid", "representative": "mum" } }] } },
                { "call": "trial.register_representative", "from": "nurse", "args": { "participant": "kid", "representative": "nurse" },
                  "expect": { "status": "aborted", "message": "only the investigator registers representatives", "events": [] } },
                { "call": "trial.consent", "from": "mum", "args": { "participant": "kid", "version": 1, "document": FORM_V1, "optional": [] },
                  "expect": { "events": [consented("kid", "mum", 1, json!(["Core"]))] } },
                // Collection, by site staff, as far as the consent goes.
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "pat", "component": "Genomic" },
                  "expect": { "events": [collected("Genomic", 1)] } },
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "pat", "component": "Biobank" },
                  "expect": denied("component-declined") },
                { "call": "trial.record_collection", "from": "pat", "args": { "participant": "pat", "component": "Core" },
                  "expect": { "status": "aborted", "message": "only site staff record collections", "events": [] } },
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "stranger", "component": "Core" },
                  "expect": denied("not-enrolled") },
                { "view": "trial.may_collect", "args": { "participant": "kid", "component": "Core" },
                  "expect": { "returns": { "permitted": true, "rule": "consented" } } },
                // A substantive amendment: no collection until re-consent.
                { "advance": "30d" },
                { "call": "trial.approve_form", "from": "irb", "args": { "document": FORM_V2, "optional": ["Genomic", "Biobank", "Recontact"], "reconsent": true },
                  "expect": { "returns": 2, "events": ["FormApproved"] } },
                { "view": "trial.needs_reconsent", "args": { "participant": "pat" }, "expect": { "returns": true } },
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "pat", "component": "Core" },
                  "expect": denied("reconsent-required") },
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 2, "document": FORM_V2, "optional": ["Recontact", "Genomic"] },
                  "expect": { "events": [consented("pat", "pat", 2, json!(["Core", "Genomic", "Recontact"]))] } },
                { "view": "trial.needs_reconsent", "args": { "participant": "pat" }, "expect": { "returns": false } },
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "pat", "component": "Recontact" },
                  "expect": { "events": [collected("Recontact", 2)] } },
                // Withdrawal from one component, then from the study.
                { "call": "trial.withdraw_component", "from": "pat", "args": { "participant": "pat", "component": "Genomic" },
                  "expect": { "events": [{ "name": "ComponentWithdrawn", "fields": { "participant": "pat", "component": "Genomic" } }] } },
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "pat", "component": "Genomic" },
                  "expect": denied("component-declined") },
                { "call": "trial.withdraw_component", "from": "pat", "args": { "participant": "pat", "component": "Core" },
                  "expect": { "status": "aborted", "message": "withdraw from the core protocol with `withdraw`", "events": [] } },
                { "call": "trial.withdraw_component", "from": "pat", "args": { "participant": "pat", "component": "Biobank" },
                  "expect": { "status": "aborted", "message": "the component was not accepted", "events": [] } },
                { "advance": "1d" },
                { "call": "trial.withdraw", "from": "pat", "args": { "participant": "pat" },
                  "expect": { "events": [{ "name": "Withdrawn", "fields": { "participant": "pat", "signer": "pat" } }] } },
                { "call": "trial.record_collection", "from": "nurse", "args": { "participant": "pat", "component": "Core" },
                  "expect": denied("withdrawn") },
                // Data collected while the consent stood stays analysable.
                { "view": "trial.may_analyse", "args": { "participant": "pat", "collected": "2026-02-01T00:00:15Z" },
                  "expect": { "returns": { "permitted": true, "rule": "collected-under-consent" } } },
                { "view": "trial.may_analyse", "args": { "participant": "pat", "collected": "2026-03-04T00:00:27Z" },
                  "expect": { "returns": { "permitted": false, "rule": "after-withdrawal" } } },
                { "view": "trial.may_analyse", "args": { "participant": "pat", "collected": "2026-01-15T00:00:00Z" },
                  "expect": { "returns": { "permitted": false, "rule": "before-consent" } } },
                { "call": "trial.consent", "from": "pat", "args": { "participant": "pat", "version": 2, "document": FORM_V2, "optional": [] },
                  "expect": { "status": "aborted", "message": "the participant has withdrawn from the study", "events": [] } },
                { "call": "trial.withdraw", "from": "pat", "args": { "participant": "pat" },
                  "expect": { "status": "aborted", "message": "the participant has already withdrawn", "events": [] } },
                { "view": "trial.enrolment", "args": { "participant": "pat" }, "expect": { "returns": {
                    "enrolled": "2026-02-01T00:00:07Z", "version": 2, "signed": "2026-03-03T00:00:21Z", "signer": "pat",
                    "components": ["Core", "Recontact"], "withdrawn": "2026-03-04T00:00:27Z" } } },
                // A minor amendment: no re-consent demanded by it, but the earlier one still stands.
                { "call": "trial.approve_form", "from": "irb", "args": { "document": FORM_V3, "optional": ["Genomic"], "reconsent": false },
                  "expect": { "returns": 3, "events": ["FormApproved"] } },
                { "view": "trial.needs_reconsent", "args": { "participant": "kid" }, "expect": { "returns": true } },
                { "call": "trial.consent", "from": "mum", "args": { "participant": "kid", "version": 3, "document": FORM_V3, "optional": ["Genomic"] },
                  "expect": { "events": [consented("kid", "mum", 3, json!(["Core", "Genomic"]))] } },
                { "view": "trial.needs_reconsent", "args": { "participant": "kid" }, "expect": { "returns": false } },
                { "view": "trial.may_collect", "args": { "participant": "kid", "component": "Genomic" },
                  "expect": { "returns": { "permitted": true, "rule": "consented" } } },
                { "view": "trial.form", "args": { "version": 2 }, "expect": { "returns": {
                    "version": 2, "document": FORM_V2, "approved": "2026-03-03T00:00:19Z",
                    "optional": ["Genomic", "Biobank", "Recontact"], "reconsent": true } } },
                { "view": "trial.form", "args": { "version": 9 }, "expect": { "status": "aborted", "message": "no such form version" } },
                { "view": "trial.enrolment", "args": { "participant": "stranger" }, "expect": { "returns": null } },
            ],
        }),
    );
}

// ---- drug_supply -------------------------------------------------------------------------

/// A GTIN-14 for a US drug: indicator 0, prefix 03, the 10-digit NDC 0012345678, check 5.
const GTIN: &str = "00300123456785";
const EXPIRY: &str = "2028-01-31T00:00:00Z";
const TI_1: &str = "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const TI_2: &str = "0xa2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";
const FORM_3911: &str = "0xf3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3";

#[test]
fn drug_supply_serialised_units_from_commission_to_dispense_returns_and_suspect_product() {
    let unit = |serial: &str| json!({ "gtin": GTIN, "serial": serial });
    let with = |serial: &str, extra: Json| {
        let mut args = unit(serial);
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        args
    };
    let valid = |gtin: &str, answer: bool| json!({ "view": "supply.valid_gtin", "args": { "gtin": gtin }, "expect": { "returns": answer } });
    let commission = |serial: &str| {
        json!({ "call": "supply.commission", "from": "acme",
        "args": { "gtin": GTIN, "serial": serial, "lot": "L2026A", "expiry": EXPIRY },
        "expect": { "events": [{ "name": "Commissioned", "fields": { "gtin": GTIN, "serial": serial, "lot": "L2026A", "expiry": EXPIRY } }] } })
    };
    let ship = |serial: &str, from: &str, to: &str, ti: &str| {
        json!({ "call": "supply.ship", "from": from,
        "args": with(serial, json!({ "buyer": to, "document": ti })),
        "expect": { "events": [{ "name": "Shipped", "fields": { "gtin": GTIN, "serial": serial, "seller": from, "buyer": to, "document": ti } }] } })
    };
    let receive = |serial: &str, by: &str| {
        json!({ "call": "supply.receive", "from": by, "args": unit(serial),
        "expect": { "events": [{ "name": "Received", "fields": { "gtin": GTIN, "serial": serial, "buyer": by } }] } })
    };
    let verify = |serial: &str, lot: &str, expiry: &str, result: &str| {
        json!({ "call": "supply.verify_return", "from": "distributor",
        "args": with(serial, json!({ "lot": lot, "expiry": expiry })),
        "expect": { "returns": result, "events": [{ "name": "ReturnVerified", "audit": true, "fields": {
            "gtin": GTIN, "serial": serial, "requester": "distributor", "result": result } }] } })
    };
    let refused = |message: &str| json!({ "status": "aborted", "message": message, "events": [] });
    run_scenario_file(
        "contracts/drug_supply.scenario.json",
        &json!({
            "description": "DSCSA serialised units: GTIN-14 check digits, commission, shipping with transaction information, dispensing, saleable-return verification, quarantine and the 24-hour illegitimate-product notification.",
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "supply": "drug_supply.assent" },
            "steps": [
                { "deploy": "supply", "from": "registrar", "expect": { "events": [] } },
                // GTIN-14 check digits: 0·3 + 0·1 + 3·3 + 0 + 0 + 1 + 2·3 + 3 + 4·3 + 5 + 6·3 + 7 + 8·3 = 85,
                // and (10 - 85 mod 10) mod 10 = 5.
                valid(GTIN, true),
                valid("00300123456784", false),
                valid("10300123456782", true),
                valid("00036000291452", true),
                valid("0030012345678", false),
                valid("0030012345678A", false),
                valid("003001234567850", false),
                // Authorised trading partners.
                { "call": "supply.authorise_partner", "from": "registrar",
                  "args": { "partner": "acme", "role": "Manufacturer", "gln": "0312345000004", "name": "Acme Pharmaceuticals" },
                  "expect": { "events": [{ "name": "PartnerAuthorised", "fields": { "partner": "acme", "role": "Manufacturer", "gln": "0312345000004" } }] } },
                { "call": "supply.authorise_partner", "from": "acme",
                  "args": { "partner": "acme", "role": "Wholesaler", "gln": "0312345000004", "name": "Acme" },
                  "expect": refused("only the registrar authorises trading partners") },
                { "call": "supply.authorise_partner", "from": "registrar",
                  "args": { "partner": "distributor", "role": "Wholesaler", "gln": "0312345000011", "name": "Central Distribution" },
                  "expect": { "events": ["PartnerAuthorised"] } },
                { "call": "supply.authorise_partner", "from": "registrar",
                  "args": { "partner": "pharmacy", "role": "Dispenser", "gln": "0312345000028", "name": "Main Street Pharmacy" },
                  "expect": { "events": ["PartnerAuthorised"] } },
                { "call": "supply.authorise_partner", "from": "registrar",
                  "args": { "partner": "stranger", "role": "Dispenser", "gln": "123", "name": "Nowhere" },
                  "expect": refused("a GLN has 13 digits") },
                // Products and serialised units.
                { "call": "supply.register_product", "from": "distributor", "args": { "gtin": GTIN },
                  "expect": refused("only a manufacturer registers products") },
                { "call": "supply.register_product", "from": "acme", "args": { "gtin": "00300123456784" },
                  "expect": refused("not a valid GTIN-14") },
                { "call": "supply.register_product", "from": "acme", "args": { "gtin": GTIN },
                  "expect": { "events": [{ "name": "ProductRegistered", "fields": { "manufacturer": "acme", "gtin": GTIN } }] } },
                { "call": "supply.register_product", "from": "acme", "args": { "gtin": GTIN },
                  "expect": refused("the GTIN is already registered") },
                commission("SN1001"),
                { "call": "supply.commission", "from": "acme", "args": with("SN1001", json!({ "lot": "L2026A", "expiry": EXPIRY })),
                  "expect": refused("the serial number is already commissioned") },
                commission("SN1002"),
                commission("SN1003"),
                commission("SN1004"),
                { "call": "supply.commission", "from": "acme", "args": with("SN1005", json!({ "lot": "L2026A", "expiry": "2025-12-01T00:00:00Z" })),
                  "expect": refused("the product is already expired") },
                { "call": "supply.commission", "from": "distributor", "args": with("SN1005", json!({ "lot": "L2026A", "expiry": EXPIRY })),
                  "expect": refused("only the product's manufacturer commissions it") },
                // Manufacturer → wholesaler → dispenser → patient, with transaction information.
                ship("SN1001", "acme", "distributor", TI_1),
                { "call": "supply.ship", "from": "acme", "args": with("SN1001", json!({ "buyer": "distributor", "document": TI_1 })),
                  "expect": refused("the caller does not own the unit") },
                { "call": "supply.ship", "from": "acme", "args": with("SN1002", json!({ "buyer": "stranger", "document": TI_1 })),
                  "expect": refused("the buyer is not an authorised trading partner") },
                { "call": "supply.dispense", "from": "distributor", "args": unit("SN1001"),
                  "expect": refused("only a dispenser dispenses") },
                receive("SN1001", "distributor"),
                ship("SN1001", "distributor", "pharmacy", TI_2),
                receive("SN1001", "pharmacy"),
                { "call": "supply.dispense", "from": "pharmacy", "args": unit("SN1001"),
                  "expect": { "events": [{ "name": "Dispensed", "fields": { "gtin": GTIN, "serial": "SN1001", "dispenser": "pharmacy" } }] } },
                { "call": "supply.dispense", "from": "pharmacy", "args": unit("SN1001"),
                  "expect": refused("only an active unit is dispensed") },
                { "view": "supply.transfer", "args": with("SN1001", json!({ "n": 2 })), "expect": { "returns": {
                    "seller": "distributor", "buyer": "pharmacy", "shipped": "2026-01-01T00:00:23Z", "document": TI_2 } } },
                { "view": "supply.transfer", "args": with("SN1001", json!({ "n": 3 })),
                  "expect": { "status": "aborted", "message": "no such transfer" } },
                // A saleable return: the pharmacy sends SN1002 back; the wholesaler verifies it.
                ship("SN1002", "acme", "distributor", TI_1),
                receive("SN1002", "distributor"),
                ship("SN1002", "distributor", "pharmacy", TI_2),
                receive("SN1002", "pharmacy"),
                ship("SN1002", "pharmacy", "distributor", TI_1),
                receive("SN1002", "distributor"),
                verify("SN1002", "L2026A", EXPIRY, "Verified"),
                verify("SN1002", "L2025Z", EXPIRY, "LotMismatch"),
                verify("SN1002", "L2026A", "2028-02-29T00:00:00Z", "ExpiryMismatch"),
                verify("SN9999", "L2026A", EXPIRY, "UnknownSerial"),
                verify("SN1001", "L2026A", EXPIRY, "Decommissioned"),
                { "call": "supply.verify_return", "from": "stranger", "args": with("SN1002", json!({ "lot": "L2026A", "expiry": EXPIRY })),
                  "expect": refused("only an authorised trading partner verifies") },
                // Suspect product: quarantine, then cleared.
                { "call": "supply.quarantine", "from": "acme", "args": with("SN1003", json!({ "reason": "counterfeit cartons reported in lot L2026A" })),
                  "expect": { "events": [{ "name": "Quarantined", "fields": { "gtin": GTIN, "serial": "SN1003", "by": "acme",
                      "reason": "counterfeit cartons reported in lot L2026A" } }] } },
                verify("SN1003", "L2026A", EXPIRY, "Suspect"),
                { "call": "supply.ship", "from": "acme", "args": with("SN1003", json!({ "buyer": "distributor", "document": TI_1 })),
                  "expect": refused("only an active unit ships") },
                { "call": "supply.release", "from": "acme", "args": unit("SN1003"),
                  "expect": { "events": [{ "name": "Released", "fields": { "gtin": GTIN, "serial": "SN1003", "by": "acme" } }] } },
                // Illegitimate product: FDA and partners are to be notified within 24 h.
                { "call": "supply.quarantine", "from": "acme", "args": with("SN1004", json!({ "reason": "tampered seal" })),
                  "expect": { "events": ["Quarantined"] } },
                { "call": "supply.determine_illegitimate", "from": "acme", "args": unit("SN1004"),
                  "expect": { "events": [{ "name": "IllegitimateDetermined", "fields": { "gtin": GTIN, "serial": "SN1004", "by": "acme",
                      "notify_by": "2026-01-02T00:00:44Z" } }] } },
                { "call": "supply.determine_illegitimate", "from": "acme", "args": unit("SN1003"),
                  "expect": refused("quarantine suspect product first") },
                { "view": "supply.notification_overdue", "args": unit("SN1004"), "expect": { "returns": false } },
                { "advance": "25h" },
                { "view": "supply.notification_overdue", "args": unit("SN1004"), "expect": { "returns": true } },
                { "call": "supply.notify_illegitimate", "from": "acme", "args": with("SN1004", json!({ "form3911": FORM_3911 })),
                  "expect": { "events": [{ "name": "IllegitimateNotified", "fields": { "gtin": GTIN, "serial": "SN1004", "by": "acme",
                      "form3911": FORM_3911, "late": true } }] } },
                { "call": "supply.notify_illegitimate", "from": "acme", "args": with("SN1004", json!({ "form3911": FORM_3911 })),
                  "expect": refused("already notified") },
                { "view": "supply.notification_overdue", "args": unit("SN1004"), "expect": { "returns": false } },
                { "call": "supply.quarantine", "from": "acme", "args": with("SN1003", json!({ "reason": "second report" })),
                  "expect": { "events": ["Quarantined"] } },
                { "call": "supply.determine_illegitimate", "from": "acme", "args": unit("SN1003"),
                  "expect": { "events": ["IllegitimateDetermined"] } },
                { "call": "supply.notify_illegitimate", "from": "acme", "args": with("SN1003", json!({ "form3911": FORM_3911 })),
                  "expect": { "events": [{ "name": "IllegitimateNotified", "fields": { "gtin": GTIN, "serial": "SN1003", "by": "acme",
                      "form3911": FORM_3911, "late": false } }] } },
                { "call": "supply.decommission", "from": "distributor", "args": with("SN1002", json!({ "reason": "damaged in transit" })),
                  "expect": { "events": [{ "name": "UnitDecommissioned", "fields": { "gtin": GTIN, "serial": "SN1002", "reason": "damaged in transit" } }] } },
                verify("SN1002", "L2026A", EXPIRY, "Decommissioned"),
                { "view": "supply.unit", "args": unit("SN1004"), "expect": { "returns": {
                    "gtin": GTIN, "serial": "SN1004", "lot": "L2026A", "expiry": EXPIRY, "manufacturer": "acme", "owner": "acme",
                    "status": "Illegitimate", "transfers": 0, "notify_by": "2026-01-02T00:00:44Z", "notified": "2026-01-02T01:00:46Z" } } },
                { "view": "supply.unit", "args": unit("SN0000"), "expect": { "status": "aborted", "message": "unknown product identifier" } },
            ],
        }),
    );
}

// ---- record_registry ---------------------------------------------------------------------

/// The statement a clinician signs to attest `record` in the registry at `registry`:
/// `keccak256("assent.record-attestation" ‖ registry ‖ record)`, as Solidity's
/// `keccak256(abi.encodePacked(...))` computes it.
/// `sha3("assent.record-attestation", registry, record)`: the tuple's canonical encoding
/// (the String with its 4-byte length).
fn attestation_statement(registry: &Address, record: &[u8; 32]) -> [u8; 32] {
    let tag = b"assent.record-attestation";
    let mut bytes = (tag.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(tag);
    bytes.extend_from_slice(registry);
    bytes.extend_from_slice(record);
    keccak256(&bytes)
}

#[test]
fn record_registry_anchors_amends_attests_and_checks_documents() {
    let doc = |text: &str| keccak256(text.as_bytes());
    let (doc1, doc1b, doc1c, doc2) = (
        doc("discharge summary 2026-0042 v1"),
        doc("discharge summary 2026-0042 v2"),
        doc("discharge summary 2026-0042 v3"),
        doc("lab report 2026-7781"),
    );
    let [doc1_hex, doc1b_hex, doc1c_hex, doc2_hex] = [doc1, doc1b, doc1c, doc2].map(|d| hex(&d));
    let tampered = hex(&doc("discharge summary 2026-0042 v1 (edited)"));
    let subject = hex(&doc("MRN 004211|salt 9c1e"));
    // The registry is the operator's first deployment.
    let registry = create_address(&dev_address("operator").unwrap(), 0).0;
    let statement = attestation_statement(&registry, &doc1);
    let sig_lee = personal_sign("dr_lee", &statement);
    let sig_stranger = personal_sign("stranger", &statement);
    // dr_lee's signature for the same record in another registry does not carry over.
    let sig_lee_elsewhere = personal_sign("dr_lee", &attestation_statement(&[0x99; 20], &doc1));
    let sig_lee_doc2 = personal_sign("dr_lee", &attestation_statement(&registry, &doc2));
    // dr_kay's wallet gives `v` as 0/1.
    let sig_kay = personal_sign("dr_kay", &attestation_statement(&registry, &doc1b));
    let v = u8::from_str_radix(&sig_kay[130..], 16).unwrap() - 27;
    let sig_kay = format!("{}{v:02x}", &sig_kay[..130]);

    let anchor = |anchored: &str,
                  supersedes: Json,
                  superseded_by: Json,
                  revoked: bool,
                  attestations: i64| {
        json!({ "subject": subject, "kind": "DischargeSummary", "custodian": "hospital", "anchored": anchored,
                "supersedes": supersedes, "superseded_by": superseded_by, "revoked": revoked, "attestations": attestations })
    };
    let refused = |message: &str| json!({ "status": "aborted", "message": message, "events": [] });
    let attest =
        |record: &str, signature: &str| json!({ "record": record, "signature": signature });
    run_scenario_file(
        "contracts/record_registry.scenario.json",
        &json!({
            "description": "Record registry: anchored record hashes, amendments that supersede, revocation, tamper checks, and clinician attestations signed off-ledger with a wallet (EIP-191).",
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "registry": "record_registry.assent" },
            "steps": [
                { "deploy": "registry", "from": "operator", "expect": { "events": [] } },
                { "call": "registry.add_custodian", "from": "operator", "args": { "custodian": "hospital", "name": "St Mary's Hospital" },
                  "expect": { "events": [{ "name": "CustodianAdded", "fields": { "custodian": "hospital", "name": "St Mary's Hospital" } }] } },
                { "call": "registry.add_custodian", "from": "stranger", "args": { "custodian": "stranger", "name": "Nobody" },
                  "expect": refused("only the operator adds custodians") },
                { "call": "registry.add_clinician", "from": "operator", "args": { "clinician": "dr_lee", "npi": "1234567893" },
                  "expect": { "events": [{ "name": "ClinicianAdded", "fields": { "clinician": "dr_lee", "npi": "1234567893" } }] } },
                { "call": "registry.add_clinician", "from": "operator", "args": { "clinician": "dr_kay", "npi": "1245319599" },
                  "expect": { "events": ["ClinicianAdded"] } },
                { "call": "registry.add_clinician", "from": "operator", "args": { "clinician": "dr_who", "npi": "123" },
                  "expect": refused("an NPI has 10 digits") },
                // Anchoring: a fingerprint and a pseudonymous subject, never the record.
                { "call": "registry.anchor", "from": "hospital", "args": { "record": doc1_hex, "subject": subject, "kind": "DischargeSummary" },
                  "expect": { "events": [{ "name": "Anchored", "fields": {
                      "record": doc1_hex, "custodian": "hospital", "kind": "DischargeSummary", "supersedes": null } }] } },
                { "call": "registry.anchor", "from": "stranger", "args": { "record": doc2_hex, "subject": subject, "kind": "LabReport" },
                  "expect": refused("only a registered custodian anchors records") },
                { "call": "registry.anchor", "from": "hospital", "args": { "record": doc1_hex, "subject": subject, "kind": "LabReport" },
                  "expect": refused("the record is already anchored") },
                { "view": "registry.check", "args": { "presented": doc1_hex }, "expect": { "returns": {
                    "integrity": "Intact", "anchor": anchor("2026-01-01T00:00:07Z", json!(null), json!(null), false, 0), "latest": doc1_hex } } },
                { "view": "registry.check", "args": { "presented": tampered },
                  "expect": { "returns": { "integrity": "Unknown", "anchor": null, "latest": null } } },
                // Attestations signed off-ledger with a wallet (EIP-191), relayed by anyone.
                { "view": "registry.attestation_statement", "args": { "record": doc1_hex }, "expect": { "returns": hex(&statement) } },
                { "view": "registry.attestation_signer", "args": attest(&doc1_hex, &sig_lee), "expect": { "returns": "dr_lee" } },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc1_hex, &sig_lee),
                  "expect": { "returns": "dr_lee", "events": [{ "name": "Attested", "fields": {
                      "record": doc1_hex, "clinician": "dr_lee", "relayer": "relayer" } }] } },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc1_hex, &sig_lee),
                  "expect": refused("the clinician already attested the record") },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc1_hex, &sig_stranger),
                  "expect": refused("the signer is not a registered clinician") },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc1_hex, "0x1234"),
                  "expect": refused("the signature is malformed") },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc1_hex, &sig_lee_elsewhere),
                  "expect": refused("the signer is not a registered clinician") },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc2_hex, &sig_lee_doc2),
                  "expect": refused("the record is not anchored") },
                { "view": "registry.attested_by", "args": { "record": doc1_hex, "clinician": "dr_lee" }, "expect": { "returns": true } },
                { "view": "registry.attested_by", "args": { "record": doc1_hex, "clinician": "dr_kay" }, "expect": { "returns": false } },
                // Amendments supersede, never erase.
                { "call": "registry.add_custodian", "from": "operator", "args": { "custodian": "clinic", "name": "Hillside Clinic" },
                  "expect": { "events": ["CustodianAdded"] } },
                { "call": "registry.amend", "from": "clinic", "args": { "previous": doc1_hex, "record": doc1b_hex },
                  "expect": refused("only the record's custodian amends it") },
                { "call": "registry.amend", "from": "hospital", "args": { "previous": doc1_hex, "record": doc1b_hex },
                  "expect": { "events": [{ "name": "Anchored", "fields": {
                      "record": doc1b_hex, "custodian": "hospital", "kind": "DischargeSummary", "supersedes": doc1_hex } }] } },
                { "view": "registry.check", "args": { "presented": doc1_hex }, "expect": { "returns": {
                    "integrity": "Superseded", "anchor": anchor("2026-01-01T00:00:07Z", json!(null), json!(doc1b_hex), false, 1),
                    "latest": doc1b_hex } } },
                { "view": "registry.check", "args": { "presented": doc1b_hex }, "expect": { "returns": {
                    "integrity": "Intact", "anchor": anchor("2026-01-01T00:00:18Z", json!(doc1_hex), json!(null), false, 0),
                    "latest": doc1b_hex } } },
                { "call": "registry.amend", "from": "hospital", "args": { "previous": doc1_hex, "record": doc1c_hex },
                  "expect": refused("amend the latest version") },
                { "call": "registry.amend", "from": "hospital", "args": { "previous": doc1b_hex, "record": doc1c_hex },
                  "expect": { "events": ["Anchored"] } },
                { "view": "registry.check", "args": { "presented": doc1_hex }, "expect": { "returns": {
                    "integrity": "Superseded", "anchor": anchor("2026-01-01T00:00:07Z", json!(null), json!(doc1b_hex), false, 1),
                    "latest": doc1c_hex } } },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc1b_hex, &sig_kay),
                  "expect": { "returns": "dr_kay", "events": [{ "name": "Attested", "fields": {
                      "record": doc1b_hex, "clinician": "dr_kay", "relayer": "relayer" } }] } },
                // Entered in error: revoked by its custodian.
                { "call": "registry.anchor", "from": "hospital", "args": { "record": doc2_hex, "subject": subject, "kind": "LabReport" },
                  "expect": { "events": ["Anchored"] } },
                { "call": "registry.revoke", "from": "clinic", "args": { "record": doc2_hex },
                  "expect": refused("only the record's custodian revokes it") },
                { "call": "registry.revoke", "from": "hospital", "args": { "record": doc2_hex },
                  "expect": { "events": [{ "name": "Revoked", "fields": { "record": doc2_hex, "custodian": "hospital" } }] } },
                { "call": "registry.revoke", "from": "hospital", "args": { "record": doc2_hex }, "expect": refused("already revoked") },
                { "call": "registry.attest", "from": "relayer", "args": attest(&doc2_hex, &sig_lee_doc2),
                  "expect": refused("the record is revoked") },
                { "call": "registry.amend", "from": "hospital", "args": { "previous": doc2_hex, "record": tampered },
                  "expect": refused("a revoked record is not amended") },
                { "view": "registry.check", "args": { "presented": doc2_hex }, "expect": { "returns": {
                    "integrity": "Revoked", "latest": doc2_hex, "anchor": {
                        "subject": subject, "kind": "LabReport", "custodian": "hospital", "anchored": "2026-01-01T00:00:22Z",
                        "supersedes": null, "superseded_by": null, "revoked": true, "attestations": 0 } } } },
            ],
        }),
    );
}

// ---- claims ------------------------------------------------------------------------------

fn claim_line(procedure: &str, date: &str, units: i64, charge: &str) -> Json {
    json!({ "procedure": procedure, "service_date": format!("{date}T00:00:00Z"), "units": units, "charge": charge })
}

fn paid(procedure: &str, adj: &Adj) -> Json {
    json!({ "procedure": procedure, "denial": null, "adjudication": adj.json() })
}

fn denied(procedure: &str, carc: &str) -> Json {
    json!({ "procedure": procedure, "denial": carc, "adjudication": null })
}

fn line_paid(member: &str, procedure: &str, date: &str, adj: &Adj) -> Json {
    json!({ "name": "LinePaid", "contract": "claims", "audit": false, "fields": {
        "member": member, "provider": "dr_lee", "procedure": procedure, "service_date": format!("{date}T00:00:00Z"),
        "allowed": adj.allowed, "patient_pays": adj.patient_pays, "plan_pays": adj.plan_pays, "codes": adj.codes } })
}

fn line_denied(member: &str, procedure: &str, date: &str, carc: &str) -> Json {
    json!({ "name": "LineDenied", "fields": {
        "member": member, "provider": "dr_lee", "procedure": procedure, "service_date": format!("{date}T00:00:00Z"), "carc": carc } })
}

fn consent_checked(member: &str, permitted: bool, rule: &str) -> Json {
    json!({ "name": "ConsentChecked", "contract": "claims", "audit": true, "fields": {
        "member": member, "provider": "dr_lee", "permitted": permitted, "rule": rule } })
}

#[test]
fn claims_front_end_edits_adjudication_accumulators_and_the_consent_check() {
    // The GOLD plan: $1,500 deductible, $25 copay, 20 % coinsurance, $4,000 out-of-pocket maximum.
    let office_visit = claim_line("99213", "2026-01-05", 1, "150.00");
    // Fee $120: contractual 150 - 120 = 30; copay 25; deductible min(1500, 95) = 95; no
    // coinsurance left. The member pays 120, the plan 0.
    let visit_1 = Adj {
        submitted: "150.00",
        allowed: "120.00",
        contractual: "30.00",
        copay: "25.00",
        deductible: "95.00",
        coinsurance: "0.00",
        patient_pays: "120.00",
        plan_pays: "0.00",
        codes: &["CO-45", "PR-3", "PR-1"],
        deductible_met: "95.00",
        oop_met: "120.00",
    };
    // MRI, fee $1,600 against a $2,000 charge: contractual 400; copay 25; deductible
    // min(1500 - 95, 1575) = 1405; coinsurance (1600 - 25 - 1405) × 20 % = 170 × 20 % = 34.
    // patient 25 + 1405 + 34 = 1464; plan 1600 - 1464 = 136. 2000 = 400 + 1464 + 136.
    let mri = Adj {
        submitted: "2000.00",
        allowed: "1600.00",
        contractual: "400.00",
        copay: "25.00",
        deductible: "1405.00",
        coinsurance: "34.00",
        patient_pays: "1464.00",
        plan_pays: "136.00",
        codes: &["CO-45", "PR-3", "PR-1", "PR-2"],
        deductible_met: "1500.00",
        oop_met: "1584.00",
    };
    // The next line of the same claim sees the met deductible: copay 25; coinsurance
    // (120 - 25) × 20 % = 19; patient 44; plan 76.
    let visit_2 = Adj {
        submitted: "150.00",
        allowed: "120.00",
        contractual: "30.00",
        copay: "25.00",
        deductible: "0.00",
        coinsurance: "19.00",
        patient_pays: "44.00",
        plan_pays: "76.00",
        codes: &["CO-45", "PR-3", "PR-2"],
        deductible_met: "1500.00",
        oop_met: "1628.00",
    };
    // Knee replacement, fee $30,000 against $45,000: contractual 15000; copay 25;
    // coinsurance 29975 × 20 % = 5995; room 4000 - 1628 = 2372; excess 6020 - 2372 = 3648
    // trimmed from coinsurance: 5995 - 3648 = 2347. patient 25 + 2347 = 2372; plan 27628.
    let knee = Adj {
        submitted: "45000.00",
        allowed: "30000.00",
        contractual: "15000.00",
        copay: "25.00",
        deductible: "0.00",
        coinsurance: "2347.00",
        patient_pays: "2372.00",
        plan_pays: "27628.00",
        codes: &["CO-45", "PR-3", "PR-2"],
        deductible_met: "1500.00",
        oop_met: "4000.00",
    };
    // After the cap: copay 25 and coinsurance 19 are both trimmed; the plan pays 120.
    let visit_3 = Adj {
        submitted: "150.00",
        allowed: "120.00",
        contractual: "30.00",
        copay: "0.00",
        deductible: "0.00",
        coinsurance: "0.00",
        patient_pays: "0.00",
        plan_pays: "120.00",
        codes: &["CO-45"],
        deductible_met: "1500.00",
        oop_met: "4000.00",
    };
    // A new plan year starts the accumulators again: the same numbers as the first visit.
    let visit_2027 = Adj { ..visit_1 };
    let tom_visit = Adj { ..visit_1 };
    let submit = |member: &str, lines: Json| json!({ "member": member, "lines": lines });
    let staff = |entry: &str, args: Json, events: Json| json!({ "call": format!("claims.{entry}"), "from": "payer", "args": args, "expect": { "events": events } });
    let refused = |message: &str| json!({ "status": "aborted", "message": message, "events": [] });
    let gold = gold();
    run_scenario_file(
        "contracts/claims.scenario.json",
        &json!({
            "description": "Claims: plans, plan years, enrolment, network, fee schedule and prior authorisation; the member's consent for payment checked in patient_consent; front-end edits OA-18, CO-29, CO-26, CO-27, CO-96, CO-197; adjudication up to the out-of-pocket maximum and accumulators per plan year.",
            "time": "2026-01-10T00:00:00Z",
            "contracts": { "consent": "patient_consent.assent", "claims": "claims.assent", "claims_bad": "claims.assent" },
            "steps": [
                { "deploy": "consent", "from": "privacy_office", "expect": { "events": [] } },
                { "deploy": "claims", "from": "payer", "args": { "consent": "consent", "filing": "180d" }, "expect": { "events": [] } },
                { "deploy": "claims_bad", "from": "payer", "args": { "consent": "consent", "filing": "30d" },
                  "expect": { "status": "aborted", "message": "the filing limit is at least 90 days", "events": [] } },
                // Plans, plan years, members, the network, the fee schedule.
                staff("define_plan", json!({ "plan": "GOLD", "benefit": gold }),
                      json!([{ "name": "PlanDefined", "fields": { "plan": "GOLD", "benefit": gold } }])),
                { "call": "claims.define_plan", "from": "dr_lee", "args": { "plan": "GOLD", "benefit": gold },
                  "expect": refused("only payer staff may do this") },
                staff("open_plan_year", json!({ "year": 2026, "start": "2026-01-01", "end": "2027-01-01" }),
                      json!([{ "name": "PlanYearOpened", "fields": { "year": 2026, "start": "2026-01-01", "end": "2027-01-01" } }])),
                { "call": "claims.open_plan_year", "from": "payer", "args": { "year": 2026, "start": "2026-01-01", "end": "2027-01-01" },
                  "expect": refused("the plan year is already open") },
                { "call": "claims.open_plan_year", "from": "payer", "args": { "year": 2027, "start": "2026-12-01", "end": "2027-12-01" },
                  "expect": refused("plan years must not overlap") },
                staff("enroll", json!({ "member": "maria", "plan": "GOLD", "start": "2026-01-01", "end": null }),
                      json!([{ "name": "MemberEnrolled", "fields": { "member": "maria", "plan": "GOLD", "start": "2026-01-01", "end": null } }])),
                { "call": "claims.enroll", "from": "payer", "args": { "member": "tom", "plan": "SILVER", "start": "2026-01-01" },
                  "expect": refused("no such plan") },
                staff("enroll", json!({ "member": "tom", "plan": "GOLD", "start": "2026-01-01", "end": "2026-01-15" }),
                      json!(["MemberEnrolled"])),
                staff("contract_provider", json!({ "provider": "dr_lee", "npi": "1234567893" }),
                      json!([{ "name": "ProviderContracted", "fields": { "provider": "dr_lee", "npi": "1234567893" } }])),
                staff("set_fee", json!({ "procedure": "99213", "allowed": "120.00", "covered": true, "prior_auth": false }),
                      json!([{ "name": "FeeSet", "fields": { "procedure": "99213",
                              "fee": { "allowed": "120.00", "covered": true, "prior_auth": false } } }])),
                staff("set_fee", json!({ "procedure": "70553", "allowed": "1600.00", "covered": true, "prior_auth": true }), json!(["FeeSet"])),
                staff("set_fee", json!({ "procedure": "97810", "allowed": "45.00", "covered": false, "prior_auth": false }), json!(["FeeSet"])),
                staff("set_fee", json!({ "procedure": "27447", "allowed": "30000.00", "covered": true, "prior_auth": true }), json!(["FeeSet"])),
                { "view": "claims.may_bill", "args": { "provider": "quack", "member": "maria" },
                  "expect": { "returns": { "permitted": false, "rule": "out-of-network" } } },
                { "view": "claims.may_bill", "args": { "provider": "dr_lee", "member": "nobody" },
                  "expect": { "returns": { "permitted": false, "rule": "not-a-member" } } },
                { "view": "claims.may_bill", "args": { "provider": "dr_lee", "member": "maria" },
                  "expect": { "returns": { "permitted": true, "rule": "network" } } },
                { "note": "quack is not a network provider: refused before anything is read",
                  "call": "claims.submit", "from": "quack", "args": submit("maria", json!([office_visit])),
                  "expect": refused("denied by rule out-of-network") },
                // No consent for payment yet: refused, and the check is on the audit trail.
                { "note": "no consent for payment yet: refused, and the consent check stays on the audit trail",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([office_visit])),
                  "expect": { "status": "aborted", "message": "no consent to process claims for payment: rule default",
                              "events": [consent_checked("maria", false, "default")] } },
                { "call": "consent.grant", "from": "maria",
                  "args": { "grantee": "claims", "purposes": ["HPAYMT"], "classes": ["Claim"], "until": "2027-12-31T00:00:00Z" },
                  "expect": { "events": [{ "name": "ConsentGranted", "contract": "consent", "fields": {
                      "patient": "maria", "grantee": "claims", "until": "2027-12-31T00:00:00Z" } }] } },
                { "view": "consent.may_access", "args": { "patient": "maria", "actor": "claims", "purpose": "HPAYMT", "class": "Claim" },
                  "expect": { "returns": { "permitted": true, "rule": "consent" } } },
                { "note": "fee $120: contractual 150 - 120 = 30; copay 25; deductible min(1500, 95) = 95; no coinsurance left. maria pays 120, the plan 0",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([office_visit])),
                  "expect": { "returns": [paid("99213", &visit_1)], "events": [
                      consent_checked("maria", true, "consent"), line_paid("maria", "99213", "2026-01-05", &visit_1)] } },
                // Front-end edits.
                { "note": "the same member, provider, procedure and date was paid: OA-18",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([office_visit])),
                  "expect": { "returns": [denied("99213", "OA-18")], "events": [
                      consent_checked("maria", true, "consent"), line_denied("maria", "99213", "2026-01-05", "OA-18")] } },
                { "note": "front-end edits: before coverage (CO-26), past the 180-day filing limit (CO-29), no prior authorisation (CO-197), excluded (CO-96), not on the fee schedule (CO-96)",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([
                      claim_line("99213", "2025-12-20", 1, "150.00"),
                      claim_line("99213", "2025-05-01", 1, "150.00"),
                      claim_line("70553", "2026-01-06", 1, "2000.00"),
                      claim_line("97810", "2026-01-06", 1, "60.00"),
                      claim_line("99214", "2026-01-06", 1, "180.00")])),
                  "expect": { "returns": [denied("99213", "CO-26"), denied("99213", "CO-29"), denied("70553", "CO-197"),
                                          denied("97810", "CO-96"), denied("99214", "CO-96")],
                              "events": [consent_checked("maria", true, "consent"),
                                         line_denied("maria", "99213", "2025-12-20", "CO-26"),
                                         line_denied("maria", "99213", "2025-05-01", "CO-29"),
                                         line_denied("maria", "70553", "2026-01-06", "CO-197"),
                                         line_denied("maria", "97810", "2026-01-06", "CO-96"),
                                         line_denied("maria", "99214", "2026-01-06", "CO-96")] } },
                // With the prior authorisation the MRI is billed again, and adjudicated.
                staff("grant_prior_auth", json!({ "member": "maria", "provider": "dr_lee", "procedure": "70553", "units": 1,
                                                  "start": "2026-01-01", "until": "2026-04-01" }),
                      json!([{ "name": "PriorAuthGranted", "fields": { "member": "maria", "provider": "dr_lee", "procedure": "70553",
                              "units": 1, "until": "2026-04-01T00:00:00Z" } }])),
                { "note": "MRI, fee $1,600 against $2,000: contractual 400; copay 25; deductible min(1500 - 95, 1575) = 1405; coinsurance (1600 - 25 - 1405) x 20% = 34; maria 1464, plan 136. The visit after it sees the met deductible: copay 25, coinsurance 95 x 20% = 19; maria 44, plan 76",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([
                      claim_line("70553", "2026-01-06", 1, "2000.00"), claim_line("99213", "2026-01-08", 1, "150.00")])),
                  "expect": { "returns": [paid("70553", &mri), paid("99213", &visit_2)], "events": [
                      consent_checked("maria", true, "consent"),
                      line_paid("maria", "70553", "2026-01-06", &mri), line_paid("maria", "99213", "2026-01-08", &visit_2)] } },
                { "view": "claims.prior_auth_of", "args": { "member": "maria", "provider": "dr_lee", "procedure": "70553" },
                  "expect": { "returns": { "period": { "start": "2026-01-01", "end": "2026-04-01" }, "units_left": 0 } } },
                { "note": "the authorisation's one unit is used up: CO-197",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([claim_line("70553", "2026-01-09", 1, "2000.00")])),
                  "expect": { "returns": [denied("70553", "CO-197")], "events": [
                      consent_checked("maria", true, "consent"), line_denied("maria", "70553", "2026-01-09", "CO-197")] } },
                { "view": "claims.accumulators_of", "args": { "member": "maria", "year": 2026 },
                  "expect": { "returns": { "deductible_met": "1500.00", "oop_met": "1628.00" } } },
                // The out-of-pocket maximum, reached within one claim.
                staff("grant_prior_auth", json!({ "member": "maria", "provider": "dr_lee", "procedure": "27447", "units": 1,
                                                  "start": "2026-01-01", "until": "2026-03-01" }), json!(["PriorAuthGranted"])),
                { "note": "knee, fee $30,000 against $45,000: contractual 15000; copay 25; coinsurance 29975 x 20% = 5995; room 4000 - 1628 = 2372, excess 6020 - 2372 = 3648 trimmed from coinsurance: 2347; maria 2372, plan 27628. The visit after it: copay and coinsurance trimmed to 0, the plan pays 120",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([
                      claim_line("27447", "2026-01-09", 1, "45000.00"), claim_line("99213", "2026-01-09", 1, "150.00")])),
                  "expect": { "returns": [paid("27447", &knee), paid("99213", &visit_3)], "events": [
                      consent_checked("maria", true, "consent"),
                      line_paid("maria", "27447", "2026-01-09", &knee), line_paid("maria", "99213", "2026-01-09", &visit_3)] } },
                { "view": "claims.accumulators_of", "args": { "member": "maria", "year": 2026 },
                  "expect": { "returns": { "deductible_met": "1500.00", "oop_met": "4000.00" } } },
                // Coverage that ended: CO-27 after the end, adjudicated before it.
                { "call": "consent.grant", "from": "tom",
                  "args": { "grantee": "claims", "purposes": ["HPAYMT", "HOPERAT"], "classes": ["Claim"], "until": "2026-12-31T00:00:00Z" },
                  "expect": { "events": ["ConsentGranted"] } },
                { "advance": "10d" },
                { "note": "tom's coverage ended on 2026-01-15: CO-27 after it, adjudicated before it",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("tom", json!([
                      claim_line("99213", "2026-01-16", 1, "150.00"), claim_line("99213", "2026-01-14", 1, "150.00")])),
                  "expect": { "returns": [denied("99213", "CO-27"), paid("99213", &tom_visit)], "events": [
                      consent_checked("tom", true, "consent"),
                      line_denied("tom", "99213", "2026-01-16", "CO-27"), line_paid("tom", "99213", "2026-01-14", &tom_visit)] } },
                { "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([claim_line("99213", "2026-02-01", 1, "150.00")])),
                  "expect": { "status": "aborted", "message": "service date 2026-02-01T00:00:00Z is in the future",
                              "events": [consent_checked("maria", true, "consent")] } },
                { "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([])),
                  "expect": refused("a claim has at least one line") },
                // A new plan year: fresh accumulators, once the payer opens it.
                { "advance": "350d" },
                { "note": "no plan year 2027 is open yet: the claim aborts",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([claim_line("99213", "2027-01-04", 1, "150.00")])),
                  "expect": { "status": "aborted", "message": "no plan year covers the service date 2027-01-04T00:00:00Z",
                              "events": [consent_checked("maria", true, "consent")] } },
                staff("open_plan_year", json!({ "year": 2027, "start": "2027-01-01", "end": "2028-01-01" }), json!(["PlanYearOpened"])),
                { "note": "plan year 2027: fresh accumulators, the same numbers as maria's first visit",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([claim_line("99213", "2027-01-04", 1, "150.00")])),
                  "expect": { "returns": [paid("99213", &visit_2027)], "events": [
                      consent_checked("maria", true, "consent"), line_paid("maria", "99213", "2027-01-04", &visit_2027)] } },
                { "view": "claims.accumulators_of", "args": { "member": "maria", "year": 2027 },
                  "expect": { "returns": { "deductible_met": "95.00", "oop_met": "120.00" } } },
                { "view": "claims.accumulators_of", "args": { "member": "maria", "year": 2026 },
                  "expect": { "returns": { "deductible_met": "1500.00", "oop_met": "4000.00" } } },
                { "view": "claims.plan_year_at", "args": { "date": "2026-06-01" }, "expect": { "returns": 2026 } },
                { "view": "claims.plan_year_at", "args": { "date": "2025-06-01" }, "expect": { "returns": null } },
                { "view": "claims.coverage_of", "args": { "member": "maria" },
                  "expect": { "returns": { "plan": "GOLD", "period": { "start": "2026-01-01", "end": null } } } },
                { "view": "claims.fee_of", "args": { "procedure": "97810" },
                  "expect": { "returns": { "allowed": "45.00", "covered": false, "prior_auth": false } } },
                { "view": "claims.fee_of", "args": { "procedure": "00000" }, "expect": { "returns": null } },
                // Consent revoked: no more claims processed for the member.
                { "call": "consent.revoke", "from": "maria", "args": { "grantee": "claims" },
                  "expect": { "events": ["ConsentRevoked"] } },
                { "note": "maria revoked her consent: no more claims are processed for her",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("maria", json!([claim_line("99213", "2027-01-05", 1, "150.00")])),
                  "expect": { "status": "aborted", "message": "no consent to process claims for payment: rule default",
                              "events": [consent_checked("maria", false, "default")] } },
                // A provider leaving the network can no longer bill.
                staff("remove_provider", json!({ "provider": "dr_lee" }),
                      json!([{ "name": "ProviderLeft", "fields": { "provider": "dr_lee" } }])),
                { "note": "dr_lee left the network",
                  "call": "claims.submit", "from": "dr_lee", "args": submit("tom", json!([claim_line("99213", "2026-01-14", 1, "150.00")])),
                  "expect": refused("denied by rule out-of-network") },
            ],
        }),
    );
}

// ---- ABIs --------------------------------------------------------------------------------

/// The ABI JSON of every sample contract (what `assent build --emit abi` writes and
/// `assent_getAbi` serves), one snapshot each.
#[test]
fn sample_abis() {
    for file in [
        "patient_consent",
        "claims",
        "trial_consent",
        "drug_supply",
        "record_registry",
        "stdlib/stdlib_suite",
    ] {
        let compiled = compile_file(&format!("contracts/{file}.assent"));
        let name = format!("abi_{}", file.replace('/', "_"));
        insta::assert_json_snapshot!(name, compiled.abi);
    }
}

// ---- std.claims.adjudicate against a reference ------------------------------------------

/// LANGUAGE.md §8's formula for one line, in cents, independently of `std.claims`:
/// `[allowed, contractual, copay, deductible, coinsurance, patient_pays, plan_pays,
/// deductible_met, oop_met]` and the codes.
fn reference_adjudication(
    (deductible, copay, coinsurance_bp, oop_max): (i64, i64, i64, i64),
    (deductible_met, oop_met): (i64, i64),
    submitted: i64,
    allowed: i64,
) -> ([i64; 9], Vec<&'static str>) {
    let allowed = allowed.min(submitted);
    let contractual = submitted - allowed;
    let mut copay = copay.min(allowed);
    let mut deductible = (deductible - deductible_met).max(0).min(allowed - copay);
    // Half away from zero, to the cent; the amount is never negative here.
    let base = i128::from(allowed - copay - deductible);
    let mut coinsurance = ((base * i128::from(coinsurance_bp) + 5_000) / 10_000) as i64;
    let room = (oop_max - oop_met).max(0);
    let mut excess = (copay + deductible + coinsurance - room).max(0);
    for part in [&mut coinsurance, &mut deductible, &mut copay] {
        let cut = excess.min(*part);
        *part -= cut;
        excess -= cut;
    }
    let patient = copay + deductible + coinsurance;
    let mut codes = Vec::new();
    for (amount, code) in [
        (contractual, "CO-45"),
        (copay, "PR-3"),
        (deductible, "PR-1"),
        (coinsurance, "PR-2"),
    ] {
        if amount != 0 {
            codes.push(code);
        }
    }
    let amounts = [
        allowed,
        contractual,
        copay,
        deductible,
        coinsurance,
        patient,
        allowed - patient,
        deductible_met + deductible,
        oop_met + patient,
    ];
    (amounts, codes)
}

#[test]
fn std_claims_adjudicate_matches_the_reference_formula() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let world = run(
        "contracts/stdlib",
        &json!({
            "time": "2026-01-01T00:00:00Z",
            "contracts": { "suite": "stdlib_suite.assent" },
            "steps": [{ "deploy": "suite", "from": "tester", "expect": { "events": [] } }],
        }),
    );
    let suite = world.contracts["suite"].address;
    let benefit = (
        0..=500_000i64,
        0..=10_000i64,
        0..=10_000i64,
        0..=1_000_000i64,
    );
    let before = (0..=600_000i64, 0..=1_100_000i64);
    let amounts = (0..=10_000_000i64, 0..=12_000_000i64);
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(benefit, before, amounts),
            |(b, acc, (submitted, allowed))| {
                let args = vec![
                    Value::Record(vec![
                        Value::Money(b.0),
                        Value::Money(b.1),
                        Value::Percent(b.2),
                        Value::Money(b.3),
                    ]),
                    Value::Record(vec![Value::Money(acc.0), Value::Money(acc.1)]),
                    Value::Money(submitted),
                    Value::Money(allowed),
                ];
                let execution = world.execute(suite, "adjudicate_line", args, [0; 20]);
                let Outcome::Ok(Some(Value::Record(fields))) = execution.outcome else {
                    panic!("{:?}", execution.outcome);
                };
                let money = |value: &Value| match value {
                    Value::Money(cents) => *cents,
                    other => panic!("not money: {other:?}"),
                };
                let Value::Record(after) = &fields[9] else {
                    panic!("after")
                };
                let got = [
                    money(&fields[1]),
                    money(&fields[2]),
                    money(&fields[3]),
                    money(&fields[4]),
                    money(&fields[5]),
                    money(&fields[6]),
                    money(&fields[7]),
                    money(&after[0]),
                    money(&after[1]),
                ];
                let Value::List(codes) = &fields[8] else {
                    panic!("codes")
                };
                let codes: Vec<String> = codes
                    .iter()
                    .map(|code| match code {
                        Value::String(text) => text.clone(),
                        other => panic!("not a string: {other:?}"),
                    })
                    .collect();
                let (expected, expected_codes) = reference_adjudication(b, acc, submitted, allowed);
                prop_assert_eq!(money(&fields[0]), submitted);
                prop_assert_eq!(got, expected);
                prop_assert_eq!(codes, expected_codes);
                // The invariant: submitted == contractual + patient_pays + plan_pays.
                prop_assert_eq!(submitted, got[1] + got[5] + got[6]);
                Ok(())
            },
        )
        .unwrap();
}
