//! The one helper of the VM's tests: hand-written WAT modules with an ABI section, a
//! chain of in-memory state to deploy and call them on, and a readable trace of what
//! an execution did.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::fmt::Write as _;
use std::sync::Arc;

use assent_stdlib::abi::{HOST_FUNCTIONS, HOST_MODULE, WasmType};
use assent_stdlib::json::hex;
use assent_stdlib::value::Value;
use assent_vm::{Address, Call, Execution, MemoryStore, Outcome, Vm, VmConfig};
use serde_json::{Value as Json, json};

pub const ALICE: Address = Address([0xa1; 20]);
pub const BOB: Address = Address([0xb0; 20]);
pub const CONTRACT: Address = Address([0xc0; 20]);
pub const OTHER: Address = Address([0xc1; 20]);

pub const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const HEIGHT: i64 = 42;
pub const GAS: u64 = 10_000_000;

/// The types every test module shares (ids are the indices).
pub fn types() -> Json {
    json!([
        {"kind": "Bool"},                                   // 0
        {"kind": "Int"},                                    // 1
        {"kind": "Money"},                                  // 2
        {"kind": "Percent"},                                // 3
        {"kind": "Time"},                                   // 4
        {"kind": "Duration"},                               // 5
        {"kind": "Address"},                                // 6
        {"kind": "Hash"},                                   // 7
        {"kind": "Bytes"},                                  // 8
        {"kind": "String"},                                 // 9
        {"kind": "Decision"},                               // 10
        {"kind": "Enum", "name": "Purpose", "variants": [   // 11
            {"name": "TREAT", "end": 2},
            {"name": "ETREAT", "parent": 0, "end": 2},
            {"name": "HMARKT", "end": 3}
        ]},
        {"kind": "Option", "of": 1},                        // 12 Int?
        {"kind": "List", "of": 1},                          // 13 List<Int>
        {"kind": "Set", "of": 1},                           // 14 Set<Int>
        {"kind": "Map", "key": 9, "value": 1},              // 15 Map<String, Int>
        {"kind": "Tuple", "of": [1, 9]},                    // 16 (Int, String)
        {"kind": "Record", "name": "Grant", "fields": [     // 17 Grant
            {"name": "until", "type": 4},
            {"name": "note", "type": 9}
        ]},
        {"kind": "Option", "of": 6},                        // 18 Address?
        {"kind": "Map", "key": 6, "value": 1},              // 19 Map<Address, Int>
        {"kind": "Set", "of": 6},                           // 20 Set<Address>
        {"kind": "Option", "of": 9}                         // 21 String?
    ])
}

/// States of every test module: `count: Int`, `balances: Map<Address, Int>`,
/// `members: Set<Address>`, `owner: Address`, and `ledger: Map<Address, Int>`, which the
/// module iterates (the host keeps its ordered index).
pub fn states() -> Json {
    json!([
        {"name": "count", "type": 1, "persistent": false},
        {"name": "balances", "type": 19, "persistent": true},
        {"name": "members", "type": 20, "persistent": true},
        {"name": "owner", "type": 6, "persistent": false},
        {"name": "ledger", "type": 19, "persistent": true, "iterated": true}
    ])
}

/// Events of every test module: `Ping { indexed who: Address, n: Int }`.
pub fn events() -> Json {
    json!([
        {"name": "Ping", "fields": [
            {"name": "who", "type": 6, "indexed": true},
            {"name": "n", "type": 1}
        ]}
    ])
}

/// An entry point of the ABI: `(name, kind, params as (name, type), returns)`.
pub fn entry(name: &str, kind: &str, params: &[(&str, u32)], returns: Option<u32>) -> Json {
    let mut entry = json!({
        "name": name,
        "kind": kind,
        "export": name,
        "params": params.iter().map(|(name, ty)| json!({"name": name, "type": ty})).collect::<Vec<_>>(),
    });
    if let Some(returns) = returns {
        entry["returns"] = json!(returns);
    }
    entry
}

/// A complete ABI for contract `name` with the shared types, states and events.
pub fn abi(name: &str, entries: Vec<Json>, interfaces: Json) -> Json {
    json!({
        "abi_version": 1,
        "contract": name,
        "source_hash": "0x00",
        "types": types(),
        "entries": entries,
        "states": states(),
        "events": events(),
        "interfaces": interfaces
    })
}

/// Every host function a deployed module may import, as a WAT import named `$name`.
pub fn imports() -> String {
    imports_of(false)
}

/// Every host function as a WAT import named `$name`; with `explaining`, also
/// `explain_note`, which only a VM made for explaining links.
pub fn imports_of(explaining: bool) -> String {
    let ty = |t: &WasmType| match t {
        WasmType::I32 => "i32",
        WasmType::I64 => "i64",
    };
    let mut out = String::new();
    for function in HOST_FUNCTIONS {
        if !function.id.deployable() && !explaining {
            continue;
        }
        let params: Vec<&str> = function.params.iter().map(ty).collect();
        let results: Vec<&str> = function.results.iter().map(ty).collect();
        writeln!(
            out,
            "  (import \"{HOST_MODULE}\" \"{0}\" (func ${0} (param {1}) (result {2})))",
            function.name,
            params.join(" "),
            results.join(" ")
        )
        .unwrap();
    }
    out
}

/// Appends a custom section to a binary module.
pub fn with_custom_section(mut wasm: Vec<u8>, name: &str, data: &[u8]) -> Vec<u8> {
    let mut payload = Vec::new();
    leb128(&mut payload, name.len() as u64);
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    wasm.push(0);
    leb128(&mut wasm, payload.len() as u64);
    wasm.extend_from_slice(&payload);
    wasm
}

fn leb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A module: the host imports, a one-page memory (at most 16) exported as `memory`,
/// `fields` (functions, data, …) and the ABI section.
pub fn module(abi: &Json, fields: &str) -> Vec<u8> {
    module_with_memory(abi, "(memory (export \"memory\") 1 16)", fields)
}

/// Like [`module`] with a memory declaration of one's own.
pub fn module_with_memory(abi: &Json, memory: &str, fields: &str) -> Vec<u8> {
    let text = format!("(module\n{}  {memory}\n{fields}\n)", imports());
    let wasm = wat::parse_str(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    with_custom_section(wasm, "assent.abi", abi.to_string().as_bytes())
}

/// A WAT string literal of raw bytes: `"\de\ad"`.
pub fn wat_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for byte in bytes {
        write!(out, "\\{byte:02x}").unwrap();
    }
    out.push('"');
    out
}

/// In-memory ledger state, a VM, and the block context of the calls.
pub struct Chain {
    pub vm: Vm,
    pub store: Arc<MemoryStore>,
    pub gas_limit: u64,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    pub fn new() -> Self {
        Self::with_config(VmConfig {
            pool_instances: 64,
            ..VmConfig::default()
        })
    }

    pub fn with_config(config: VmConfig) -> Self {
        Chain {
            vm: Vm::new(config).unwrap(),
            store: Arc::new(MemoryStore::new()),
            gas_limit: GAS,
        }
    }

    /// Puts a module at `address` (the validator must accept it).
    pub fn deploy(&self, address: Address, wasm: &[u8]) {
        self.vm.load(wasm).unwrap_or_else(|error| panic!("{error}"));
        self.store.deploy(address, wasm);
    }

    /// Calls `entry` of `contract` as `caller`; commits the writes when it succeeds.
    pub fn call_as(
        &self,
        caller: Address,
        contract: Address,
        entry: &str,
        args: Vec<Value>,
    ) -> Execution {
        let execution = self
            .vm
            .execute(
                self.store.clone(),
                Call {
                    contract,
                    entry: entry.into(),
                    args,
                    caller,
                    origin: caller,
                    now: NOW,
                    block_height: HEIGHT,
                    gas_limit: self.gas_limit,
                },
            )
            .unwrap_or_else(|error| panic!("host fault: {error}"));
        if matches!(execution.outcome, Outcome::Ok(_)) {
            self.store.apply(&execution.writes);
        }
        execution
    }

    pub fn call(&self, contract: Address, entry: &str, args: Vec<Value>) -> Execution {
        self.call_as(ALICE, contract, entry, args)
    }
}

/// Deploys a module whose one entry point `run` (a `kind` with no parameters) returns
/// `returns`, with `fields` defining it, and runs it once as ALICE.
pub fn run(kind: &str, returns: Option<u32>, fields: &str) -> Execution {
    let chain = Chain::new();
    let wasm = module(
        &abi("Test", vec![entry("run", kind, &[], returns)], json!([])),
        fields,
    );
    chain.deploy(CONTRACT, &wasm);
    chain.call(CONTRACT, "run", vec![])
}

/// The outcome as one line: `ok <value>`, `aborted "<message>" at <position>`, `out of gas`.
pub fn outcome(execution: &Execution) -> String {
    match &execution.outcome {
        Outcome::Ok(None) => "ok".into(),
        Outcome::Ok(Some(value)) => format!("ok {}", show(value)),
        Outcome::Aborted { message, position } => match position {
            Some(position) => format!("aborted {message:?} at {position}"),
            None => format!("aborted {message:?}"),
        },
        Outcome::OutOfGas => "out of gas".into(),
    }
}

/// A value, compactly: numbers as numbers, bytes as hex, strings quoted.
pub fn show(value: &Value) -> String {
    let list = |items: &[Value]| items.iter().map(show).collect::<Vec<_>>().join(", ");
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Money(n) => format!("${n}c"),
        Value::Percent(n) => format!("{n}bp"),
        Value::Time(n) => format!("@{n}"),
        Value::Duration(n) => format!("{n}s"),
        Value::Address(bytes) => hex(bytes),
        Value::Hash(bytes) => hex(bytes),
        Value::Bytes(bytes) => hex(bytes),
        Value::String(text) => format!("{text:?}"),
        Value::Enum(ordinal) => format!("#{ordinal}"),
        Value::Record(fields) => format!("({})", list(fields)),
        Value::Option(None) => "none".into(),
        Value::Option(Some(inner)) => format!("some({})", show(inner)),
        Value::List(items) => format!("[{}]", list(items)),
        Value::Set(items) => format!("{{{}}}", list(items)),
        Value::Map(entries) => format!(
            "[{}]",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Everything an execution did, one fact per line, for snapshots and comparisons.
pub fn trace(execution: &Execution) -> String {
    let mut out = format!("{}\ngas {}\n", outcome(execution), execution.gas_used);
    for event in &execution.events {
        let fields: Vec<String> = event
            .fields
            .iter()
            .map(|field| format!("{}: {}", field.name, show(&field.value)))
            .collect();
        writeln!(
            out,
            "{} {} {{ {} }} from {}",
            if event.audit { "audit" } else { "emit" },
            event.name,
            fields.join(", "),
            event.contract
        )
        .unwrap();
    }
    for (key, value) in &execution.writes.changes {
        match value {
            Some(value) => writeln!(out, "write {} = {}", hex(key), hex(value)).unwrap(),
            None => writeln!(out, "remove {}", hex(key)).unwrap(),
        }
    }
    out
}
