//! The calibration cases: one or more per host function (small and large operands) and
//! the common instruction patterns, each a module whose entry point `run(n, a, b)` repeats
//! one step `n` times. Shared by the benchmark (`benches/calibration.rs`) and the test
//! that every host function has a case (`tests/calibration.rs`).
#![allow(dead_code)]

use assent_stdlib::value::Value;
use serde_json::{Value as Json, json};

/// Elements of a large collection: what fits the call's memory budget several times over
/// with the copies a case makes (a `List<Int>` of this many occupies 4 MB).
pub const LARGE_ELEMENTS: usize = 100_000;
/// Bytes of a large String or Bytes.
pub const LARGE_BYTES: usize = 1_000_000;

/// Type ids of [`types`].
pub const INT: u32 = 1;
pub const ADDRESS: u32 = 6;
pub const HASH: u32 = 7;
pub const BYTES: u32 = 8;
pub const STRING: u32 = 9;
pub const OPT_INT: u32 = 12;
pub const LIST_INT: u32 = 13;
pub const SET_INT: u32 = 14;
pub const MAP_STRING_INT: u32 = 15;
pub const TUPLE_LIST_INT: u32 = 22;
pub const OPT_LIST_INT: u32 = 23;
pub const MAP_INT_INT: u32 = 24;
pub const TUPLE_STRING_STRING: u32 = 25;

/// The calibration module's types: the VM tests' shared ones (`common::types`) and a few
/// more.
pub fn types() -> Json {
    let mut types = crate::common::types();
    let extra = json!([
        {"kind": "Tuple", "of": [13, 1]},                   // 22 (List<Int>, Int)
        {"kind": "Option", "of": 13},                       // 23 List<Int>?
        {"kind": "Map", "key": 1, "value": 1},              // 24 Map<Int, Int>
        {"kind": "Tuple", "of": [9, 9]},                    // 25 (String, String)
        {"kind": "Set", "of": 9}                            // 26 Set<String>
    ]);
    if let (Some(types), Some(extra)) = (types.as_array_mut(), extra.as_array()) {
        types.extend(extra.iter().cloned());
    }
    types
}

/// States: 0 `count: Int`, 1 `big: List<Int>`, 2 `text: String`, 3 `balances:
/// Map<Address, Int>`, 4 `members: Set<Address>`, 5 `notes: Map<String, Int>`, 6 `tags:
/// Set<String>` (the last four persistent), 7 `ledger: Map<Address, Int>` and 8 `numbers:
/// Map<Int, Int>` (persistent, iterated).
pub fn states() -> Json {
    json!([
        {"name": "count", "type": 1, "persistent": false},
        {"name": "big", "type": 13, "persistent": false},
        {"name": "text", "type": 9, "persistent": false},
        {"name": "balances", "type": 19, "persistent": true},
        {"name": "members", "type": 20, "persistent": true},
        {"name": "notes", "type": 15, "persistent": true},
        {"name": "tags", "type": 26, "persistent": true},
        {"name": "ledger", "type": 19, "persistent": true, "iterated": true},
        {"name": "numbers", "type": 24, "persistent": true, "iterated": true}
    ])
}

/// Events: 0 `Ping { indexed who: Address, n: Int }`, 1 `Blob { data: String }`.
pub fn events() -> Json {
    json!([
        {"name": "Ping", "fields": [
            {"name": "who", "type": 6, "indexed": true},
            {"name": "n", "type": 1}
        ]},
        {"name": "Blob", "fields": [{"name": "data", "type": 9}]}
    ])
}

pub use crate::common::entry;

/// The callee of the `call_contract` cases: `nop() -> Int`, `take(x: List<Int>) -> Int`.
pub fn callee_interface() -> Json {
    json!([{"contract": "Callee", "entries": [
        entry("nop", "view", &[], Some(INT)),
        entry("take", "view", &[("x", LIST_INT)], Some(INT)),
    ]}])
}

/// The callee's functions (WAT fields).
pub const CALLEE_FIELDS: &str = r#"
  (func (export "nop") (result i64) (i64.const 1))
  (func (export "take") (param $x i64) (result i64) (call $coll_len (local.get $x)))"#;

/// The ABI of a calibration module (`run(n, a, b)` with the case's operand types, and
/// `base(a, b)`, which does nothing: the floor a terminal case is measured against).
pub fn abi(case: &Case) -> Json {
    let params = [("n", INT), ("a", case.a.0), ("b", case.b.0)];
    json!({
        "abi_version": 1,
        "contract": "Calibration",
        "source_hash": "0x00",
        "types": types(),
        "entries": [
            entry("run", "action", &params, Some(INT)),
            entry("base", "action", &params, Some(INT)),
        ],
        "states": states(),
        "events": events(),
        "interfaces": callee_interface()
    })
}

/// The callee's ABI.
pub fn callee_abi() -> Json {
    json!({
        "abi_version": 1,
        "contract": "Callee",
        "source_hash": "0x00",
        "types": types(),
        "entries": [
            entry("nop", "view", &[], Some(INT)),
            entry("take", "view", &[("x", LIST_INT)], Some(INT)),
        ],
        "states": states(),
        "events": events(),
        "interfaces": []
    })
}

/// One calibration case.
pub struct Case {
    /// The host function measured, or `wasm` for an instruction pattern.
    pub function: &'static str,
    /// What the step does, with its operand sizes.
    pub name: String,
    /// The types and values of the operands `a` and `b` (made when the case is run).
    pub a: (u32, Operand),
    pub b: (u32, Operand),
    /// Runs once before the loop (locals `$x`, `$y`, `$z` are free).
    pub setup: String,
    /// One step (leaves nothing on the stack).
    pub step: String,
    /// A step that ends the call (`abort`): measured once per call against `base`.
    pub terminal: bool,
    /// Data at offset 0 of memory.
    pub data: Vec<u8>,
    /// An Assent contract whose `run(n, a, b)` is the case, compiled by the project's
    /// compiler instead of built from `setup` and `step`.
    pub source: Option<&'static str>,
}

/// An operand, made when its case runs (so that the large ones are not all in memory).
pub type Operand = Box<dyn Fn() -> Value>;

/// The plain WebAssembly loop every row is compared with.
pub const PLAIN_LOOP: &str = "plain loop (i64.add)";

fn case(function: &'static str, name: impl Into<String>, step: impl Into<String>) -> Case {
    Case {
        function,
        name: name.into(),
        a: (INT, Box::new(|| Value::Int(0))),
        b: (INT, Box::new(|| Value::Int(0))),
        setup: String::new(),
        step: step.into(),
        terminal: false,
        data: Vec::new(),
        source: None,
    }
}

impl Case {
    fn a(mut self, ty: u32, value: impl Fn() -> Value + 'static) -> Case {
        self.a = (ty, Box::new(value));
        self
    }

    fn b(mut self, ty: u32, value: impl Fn() -> Value + 'static) -> Case {
        self.b = (ty, Box::new(value));
        self
    }

    fn setup(mut self, setup: impl Into<String>) -> Case {
        self.setup = setup.into();
        self
    }

    fn data(mut self, data: Vec<u8>) -> Case {
        self.data = data;
        self
    }

    fn terminal(mut self) -> Case {
        self.terminal = true;
        self
    }

    /// The case's module: compiled from its Assent source, or its WAT fields with every
    /// host import and 16 pages of memory.
    pub fn wasm(&self) -> Vec<u8> {
        match self.source {
            Some(source) => compile(source),
            None => crate::common::module_with_memory(
                &abi(self),
                "(memory (export \"memory\") 16 16)",
                &self.fields(),
            ),
        }
    }

    /// The module's functions (WAT fields): `run` and `base`.
    pub fn fields(&self) -> String {
        let data = if self.data.is_empty() {
            String::new()
        } else {
            let mut text = String::from("(data (i32.const 0) \"");
            for byte in &self.data {
                text.push_str(&format!("\\{byte:02x}"));
            }
            text.push_str("\")");
            text
        };
        let (body, tail) = if self.terminal {
            (String::new(), self.step.clone())
        } else {
            (self.step.clone(), String::new())
        };
        format!(
            r#"
  {data}
  (func $inc (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  (func (export "run") (param $n i64) (param $a i64) (param $b i64) (result i64)
    (local $i i64) (local $x i64) (local $y i64) (local $z i64)
    {setup}
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        {body}
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    {tail}
    (local.get $x))
  (func (export "base") (param $n i64) (param $a i64) (param $b i64) (result i64)
    (local.get $n))"#,
            setup = self.setup,
        )
    }
}

/// An Assent contract compiled by the project's compiler.
fn compile(source: &str) -> Vec<u8> {
    struct NoFiles;
    impl assent_lang::check::FileLoader for NoFiles {
        fn load(&self, path: &str) -> Result<String, String> {
            Err(format!("no file `{path}`"))
        }
    }
    let checked = assent_lang::check::check_source("case.assent", source, &NoFiles);
    let contract = checked
        .contract
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    assent_lang::codegen::compile(&contract, [0; 32])
        .unwrap_or_else(|error| panic!("{error:?}"))
        .wasm
}

/// The instruction pattern compiled from Assent: a counted loop adding its index, with
/// the language's checked arithmetic.
pub const ASSENT_LOOP: &str = "contract Spin;

action run(n: Int, a: Int, b: Int) -> Int {
    let mut total = 0;
    for i in 0..n {
        total += i;
    }
    total
}
";

fn ints(count: usize) -> Vec<Value> {
    (0..count as i64).map(Value::Int).collect()
}

fn list(count: usize) -> Value {
    Value::List(ints(count))
}

fn set(count: usize) -> Value {
    Value::Set(ints(count))
}

fn text(len: usize) -> Value {
    Value::String("a".repeat(len))
}

fn bytes(len: usize) -> Value {
    Value::Bytes(vec![7; len])
}

fn string_map(count: usize) -> Value {
    Value::Map(
        (0..count)
            .map(|i| (Value::String(format!("{i:08}")), Value::Int(i as i64)))
            .collect(),
    )
}

fn int_map(count: usize) -> Value {
    Value::Map(
        (0..count as i64)
            .map(|i| (Value::Int(i), Value::Int(i)))
            .collect(),
    )
}

/// `(drop (call $f args…))`
fn drop_call(function: &str, args: &str) -> String {
    format!("(drop (call ${function} {args}))")
}

/// Sizes: (label, elements, bytes).
const SIZES: [(&str, usize, usize); 2] = [("small", 1, 1), ("large", LARGE_ELEMENTS, LARGE_BYTES)];

/// A valid wallet signature of a digest, with the digest: `(digest, r ‖ s ‖ v)`.
pub fn signature() -> ([u8; 32], Vec<u8>) {
    use k256::ecdsa::SigningKey;
    let key = SigningKey::from_slice(assent_vm::keccak256(b"assent dev account:alice").as_bytes())
        .unwrap_or_else(|error| panic!("{error}"));
    let digest = assent_vm::keccak256(b"consent to share Lab results").0;
    let (signature, recovery) = key
        .sign_prehash_recoverable(&digest)
        .unwrap_or_else(|error| panic!("{error}"));
    let mut bytes = signature.to_bytes().to_vec();
    bytes.push(recovery.to_byte() + 27);
    (digest, bytes)
}

/// Every case: the instruction patterns first, then the host functions in table order.
pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        case(
            "wasm",
            PLAIN_LOOP,
            "(local.set $x (i64.add (local.get $x) (local.get $i)))",
        ),
        case(
            "wasm",
            "arithmetic with division (i64.div_u, i64.rem_s)",
            "(local.set $x (i64.add (i64.div_u (i64.add (local.get $x) (i64.const 1000003)) (i64.or (local.get $i) (i64.const 1))) (i64.rem_s (local.get $x) (i64.const 7))))",
        ),
        case(
            "wasm",
            "memory load and store",
            "(i64.store (i32.and (i32.wrap_i64 (local.get $i)) (i32.const 0xfff8)) (i64.add (i64.load (i32.and (i32.wrap_i64 (local.get $x)) (i32.const 0xfff8))) (local.get $i))) (local.set $x (i64.add (local.get $x) (i64.const 8)))",
        ),
        case(
            "wasm",
            "calls (an internal function)",
            "(local.set $x (call $inc (local.get $x)))",
        ),
        Case {
            source: Some(ASSENT_LOOP),
            ..case(
                "wasm",
                "a loop compiled from Assent (for i in 0..n { total += i })",
                "",
            )
        },
        case(
            "wasm",
            "memory.fill of 64 KiB",
            "(memory.fill (i32.const 0) (i32.wrap_i64 (local.get $i)) (i32.const 65536))",
        ),
        case(
            "wasm",
            "memory.copy of 32 KiB",
            "(memory.copy (i32.const 0) (i32.const 32768) (i32.const 32768))",
        ),
    ];

    // ---- aborting (terminal: one per call) ----
    for (label, _, len) in SIZES {
        cases.push(
            case(
                "abort",
                format!("abort, {label} message"),
                "(call $abort (local.get $a) (i32.const 0) (i32.const 0))",
            )
            .a(STRING, move || text(len))
            .terminal(),
        );
    }
    for (label, len) in [("small", 1usize), ("large", 60_000)] {
        cases.push(
            case(
                "abort_static",
                format!("abort_static, {label} message"),
                format!("(call $abort_static (i32.const 0) (i32.const {len}) (i32.const 0) (i32.const 0))"),
            )
            .data(vec![b'a'; len])
            .terminal(),
        );
    }

    // ---- context ----
    for function in ["caller", "origin", "self_address", "now", "block_height"] {
        cases.push(case(function, function, drop_call(function, "")));
    }

    // ---- values ----
    for (label, len) in [("small", 1usize), ("large", 60_000)] {
        cases.push(
            case(
                "val_const",
                format!("val_const, String of {label}"),
                drop_call(
                    "val_const",
                    &format!("(i32.const {STRING}) (i32.const 0) (i32.const {len})"),
                ),
            )
            .data(vec![b'a'; len]),
        );
    }
    for (label, elements, _) in SIZES {
        cases.push(
            case(
                "val_copy",
                format!("val_copy, List {label}"),
                drop_call("val_copy", "(local.get $a)"),
            )
            .a(LIST_INT, move || list(elements)),
        );
    }
    cases.push(case(
        "val_to_string",
        "val_to_string, Int",
        drop_call(
            "val_to_string",
            &format!("(i32.const {INT}) (local.get $i)"),
        ),
    ));
    for (label, elements, len) in SIZES {
        cases.push(
            case(
                "val_to_string",
                format!("val_to_string, List {label}"),
                drop_call(
                    "val_to_string",
                    &format!("(i32.const {LIST_INT}) (local.get $a)"),
                ),
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "val_to_string",
                format!("val_to_string, String {label}"),
                drop_call(
                    "val_to_string",
                    &format!("(i32.const {STRING}) (local.get $a)"),
                ),
            )
            .a(STRING, move || text(len)),
        );
    }
    for function in ["val_eq", "val_cmp"] {
        for (label, elements, len) in SIZES {
            cases.push(
                case(
                    function,
                    format!("{function}, equal Lists, {label}"),
                    drop_call(function, "(local.get $a) (local.get $b)"),
                )
                .a(LIST_INT, move || list(elements))
                .b(LIST_INT, move || list(elements)),
            );
            cases.push(
                case(
                    function,
                    format!("{function}, equal Strings, {label}"),
                    drop_call(function, "(local.get $a) (local.get $b)"),
                )
                .a(STRING, move || text(len))
                .b(STRING, move || text(len)),
            );
        }
        cases.push(
            case(
                function,
                format!("{function}, large List with [1]"),
                drop_call(function, "(local.get $a) (local.get $b)"),
            )
            .a(LIST_INT, move || list(LARGE_ELEMENTS))
            .b(LIST_INT, move || list(1)),
        );
    }
    for (label, _, len) in SIZES {
        cases.push(
            case(
                "str_concat",
                format!("str_concat, {label}"),
                drop_call("str_concat", "(local.get $a) (local.get $b)"),
            )
            .a(STRING, move || text(len / 2 + 1))
            .b(STRING, move || text(len / 2)),
        );
        cases.push(
            case(
                "str_starts_with",
                format!("str_starts_with, equal, {label}"),
                drop_call("str_starts_with", "(local.get $a) (local.get $b)"),
            )
            .a(STRING, move || text(len))
            .b(STRING, move || text(len)),
        );
        cases.push(
            case(
                "str_bytes",
                format!("str_bytes, {label}"),
                drop_call("str_bytes", "(local.get $a)"),
            )
            .a(STRING, move || text(len)),
        );
        cases.push(
            case(
                "bytes_at",
                format!("bytes_at, {label}"),
                drop_call("bytes_at", "(local.get $a) (i64.const 0)"),
            )
            .a(BYTES, move || bytes(len)),
        );
        cases.push(
            case(
                "record_new",
                format!("record_new, (Int, String) with a {label} String"),
                "(i64.store (i32.const 1024) (local.get $i)) (i64.store (i32.const 1032) (local.get $a)) (drop (call $record_new (i32.const 16) (i32.const 1024)))",
            )
            .a(STRING, move || text(len)),
        );
    }
    for (label, elements, _) in SIZES {
        let tuple = move || Value::Record(vec![list(elements), Value::Int(1)]);
        cases.push(
            case(
                "record_get",
                format!("record_get, a {label} List field"),
                drop_call("record_get", "(local.get $a) (i32.const 0)"),
            )
            .a(TUPLE_LIST_INT, tuple),
        );
        cases.push(
            case(
                "record_set_mut",
                format!("record_set_mut, an Int field beside a {label} List"),
                "(call $record_set_mut (local.get $x) (i32.const 1) (local.get $i))",
            )
            .a(TUPLE_LIST_INT, tuple)
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "record_set_mut",
                format!("record_set_mut of a shared copy (copy on write), {label}"),
                "(local.set $y (call $val_copy (local.get $a))) (call $record_set_mut (local.get $y) (i32.const 1) (local.get $i))",
            )
            .a(TUPLE_LIST_INT, tuple),
        );
        cases.push(
            case(
                "opt_some",
                format!("opt_some, a {label} List"),
                drop_call(
                    "opt_some",
                    &format!("(i32.const {OPT_LIST_INT}) (local.get $a)"),
                ),
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "opt_unwrap",
                format!("opt_unwrap, a {label} List"),
                drop_call("opt_unwrap", "(local.get $a)"),
            )
            .a(OPT_LIST_INT, move || Value::some(list(elements))),
        );
        cases.push(
            case(
                "coll_len",
                format!("coll_len, List {label}"),
                drop_call("coll_len", "(local.get $a)"),
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "coll_contains",
                format!("coll_contains, absent, List {label}"),
                drop_call("coll_contains", "(local.get $a) (i64.const -1)"),
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "coll_contains",
                format!("coll_contains, Set {label}"),
                drop_call("coll_contains", "(local.get $a) (i64.const 0)"),
            )
            .a(SET_INT, move || set(elements)),
        );
        cases.push(
            case(
                "coll_contains",
                format!("coll_contains, Map<String, Int> {label}"),
                drop_call("coll_contains", "(local.get $a) (local.get $b)"),
            )
            .a(MAP_STRING_INT, move || string_map(elements))
            .b(STRING, move || Value::String("00000000".into())),
        );
        cases.push(
            case(
                "coll_at",
                format!("coll_at, last of List {label}"),
                drop_call(
                    "coll_at",
                    &format!("(local.get $a) (i64.const {})", elements - 1),
                ),
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "coll_at",
                format!("coll_at, entry of Map {label}"),
                drop_call("coll_at", "(local.get $a) (i64.const 0)"),
            )
            .a(MAP_STRING_INT, move || string_map(elements)),
        );
        cases.push(
            case(
                "map_get",
                format!("map_get, Map<String, Int> {label}"),
                drop_call("map_get", "(local.get $a) (local.get $b)"),
            )
            .a(MAP_STRING_INT, move || string_map(elements))
            .b(STRING, move || Value::String("00000000".into())),
        );
        cases.push(
            case(
                "list_push_mut",
                format!("list_push_mut onto a List {label}"),
                "(call $list_push_mut (local.get $x) (local.get $i))",
            )
            .a(LIST_INT, move || list(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "list_push_mut",
                format!("list_push_mut onto a shared List {label} (copy on write)"),
                "(local.set $y (call $val_copy (local.get $a))) (call $list_push_mut (local.get $y) (local.get $i))",
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "coll_insert_mut",
                format!("coll_insert_mut at the front of a Set {label}"),
                "(call $coll_insert_mut (local.get $x) (i64.sub (i64.const -1) (local.get $i)))",
            )
            .a(SET_INT, move || set(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "map_set_mut",
                format!("map_set_mut at the front of a Map<Int, Int> {label}"),
                "(call $map_set_mut (local.get $x) (i64.sub (i64.const -1) (local.get $i)) (local.get $i))",
            )
            .a(MAP_INT_INT, move || int_map(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "map_set_mut",
                format!("map_set_mut of a List element, List {label}"),
                "(call $map_set_mut (local.get $x) (i64.const 0) (local.get $i))",
            )
            .a(LIST_INT, move || list(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "coll_remove_mut",
                format!("coll_remove_mut at the front of a List {label}"),
                "(call $coll_remove_mut (local.get $x) (local.get $i))",
            )
            .a(LIST_INT, move || list(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "coll_remove_mut",
                format!("coll_remove_mut at the front of a Set {label}"),
                "(call $coll_remove_mut (local.get $x) (local.get $i))",
            )
            .a(SET_INT, move || set(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
        cases.push(
            case(
                "coll_remove_mut",
                format!("coll_remove_mut at the front of a Map<Int, Int> {label}"),
                "(call $coll_remove_mut (local.get $x) (local.get $i))",
            )
            .a(MAP_INT_INT, move || int_map(elements))
            .setup("(local.set $x (call $val_copy (local.get $a)))"),
        );
    }
    cases.push(case(
        "opt_none",
        "opt_none",
        drop_call("opt_none", &format!("(i32.const {OPT_INT})")),
    ));
    cases.push(
        case(
            "opt_is_some",
            "opt_is_some",
            drop_call("opt_is_some", "(local.get $a)"),
        )
        .a(OPT_INT, move || Value::some(Value::Int(1))),
    );
    cases.push(case(
        "coll_new",
        "coll_new",
        drop_call("coll_new", &format!("(i32.const {LIST_INT})")),
    ));
    for (label, _, len) in SIZES {
        cases.push(
            case(
                "coll_len",
                format!("coll_len, String {label}"),
                drop_call("coll_len", "(local.get $a)"),
            )
            .a(STRING, move || text(len)),
        );
    }

    // ---- arithmetic ----
    cases.push(case(
        "mul_percent",
        "mul_percent",
        "(local.set $x (call $mul_percent (i64.add (local.get $i) (i64.const 123456)) (i64.const 1234)))",
    ));
    cases.push(case(
        "div_round",
        "div_round",
        "(local.set $x (call $div_round (i64.add (local.get $i) (i64.const 123456)) (i64.const 7)))",
    ));

    // ---- hashing and signatures ----
    for (label, _, len) in SIZES {
        cases.push(
            case(
                "sha3",
                format!("sha3, Bytes {label}"),
                drop_call("sha3", "(local.get $a) (i32.const 1)"),
            )
            .a(BYTES, move || bytes(len)),
        );
        cases.push(
            case(
                "sha3",
                format!("sha3, (String, String) {label}"),
                drop_call("sha3", "(local.get $a) (i32.const 2)"),
            )
            .a(TUPLE_STRING_STRING, move || {
                Value::Record(vec![text(len / 2), text(len / 2)])
            }),
        );
    }
    cases.push(case(
        "sha3_scalar",
        "sha3_scalar",
        drop_call("sha3_scalar", &format!("(i32.const {INT}) (local.get $i)")),
    ));
    let (digest, signature) = signature();
    cases.push(
        case(
            "recover",
            "recover",
            drop_call("recover", "(local.get $a) (local.get $b)"),
        )
        .a(HASH, move || Value::Hash(digest))
        .b(BYTES, move || Value::Bytes(signature.clone())),
    );

    // ---- persistent state ----
    for (label, elements, len) in SIZES {
        cases.push(
            case(
                "state_store",
                format!("state_store, List {label}"),
                "(call $state_store (i32.const 1) (local.get $a))",
            )
            .a(LIST_INT, move || list(elements)),
        );
        cases.push(
            case(
                "state_load",
                format!("state_load, List {label}"),
                drop_call("state_load", "(i32.const 1)"),
            )
            .a(LIST_INT, move || list(elements))
            .setup("(call $state_store (i32.const 1) (local.get $a))"),
        );
        cases.push(
            case(
                "state_load",
                format!("state_load, String {label}"),
                drop_call("state_load", "(i32.const 2)"),
            )
            .a(STRING, move || text(len))
            .setup("(call $state_store (i32.const 2) (local.get $a))"),
        );
        cases.push(
            case(
                "pmap_set",
                format!("pmap_set, String key {label}"),
                "(call $pmap_set (i32.const 5) (local.get $a) (local.get $i))",
            )
            .a(STRING, move || text(len)),
        );
        cases.push(
            case(
                "pmap_get",
                format!("pmap_get, String key {label}"),
                drop_call("pmap_get", "(i32.const 5) (local.get $a)"),
            )
            .a(STRING, move || text(len))
            .setup("(call $pmap_set (i32.const 5) (local.get $a) (i64.const 1))"),
        );
        cases.push(
            case(
                "pmap_contains",
                format!("pmap_contains, String key {label}"),
                drop_call("pmap_contains", "(i32.const 5) (local.get $a)"),
            )
            .a(STRING, move || text(len))
            .setup("(call $pmap_set (i32.const 5) (local.get $a) (i64.const 1))"),
        );
        cases.push(
            case(
                "pmap_remove",
                format!("pmap_remove, String key {label}"),
                "(call $pmap_remove (i32.const 5) (local.get $a))",
            )
            .a(STRING, move || text(len))
            .setup("(call $pmap_set (i32.const 5) (local.get $a) (i64.const 1))"),
        );
        cases.push(
            case(
                "pset_insert",
                format!("pset_insert, String {label}"),
                "(call $pset_insert (i32.const 6) (local.get $a))",
            )
            .a(STRING, move || text(len)),
        );
        cases.push(
            case(
                "emit",
                format!("emit, a String field {label}"),
                "(i64.store (i32.const 1024) (local.get $a)) (call $emit (i32.const 1) (i32.const 1024) (i32.const 0))",
            )
            .a(STRING, move || text(len)),
        );
    }
    cases.push(
        case(
            "pmap_get",
            "pmap_get, Address key, Int value",
            "(drop (call $pmap_get (i32.const 3) (call $caller)))",
        )
        .setup("(call $pmap_set (i32.const 3) (call $caller) (i64.const 5))"),
    );
    // An index entry's key is bounded (232 bytes in key order): two rows, the next key of
    // a collection, and one found past entries removed earlier in the transaction.
    cases.push(
        case(
            "pmap_next",
            "pmap_next, the first key of a Map of one entry",
            drop_call(
                "pmap_next",
                "(i32.const 7) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 18))",
            ),
        )
        .setup("(call $pmap_set (i32.const 7) (call $caller) (i64.const 5))"),
    );
    cases.push(
        case(
            "pmap_next",
            "pmap_next, past 100 entries removed in the transaction",
            drop_call(
                "pmap_next",
                "(i32.const 8) (i32.const 0) (i64.const 0) (call $opt_none (i32.const 12))",
            ),
        )
        .setup(
            "(block $made (loop $make (br_if $made (i64.ge_u (local.get $y) (i64.const 100))) (call $pmap_set (i32.const 8) (local.get $y) (i64.const 1)) (call $pmap_remove (i32.const 8) (local.get $y)) (local.set $y (i64.add (local.get $y) (i64.const 1))) (br $make))) (call $pmap_set (i32.const 8) (i64.const 1000) (i64.const 5))",
        ),
    );
    // The count's key and value have one size whatever the collection: one row.
    cases.push(
        case(
            "pmap_len",
            "pmap_len, a Map of one entry",
            drop_call("pmap_len", "(i32.const 3)"),
        )
        .setup("(call $pmap_set (i32.const 3) (call $caller) (i64.const 5))"),
    );

    // ---- cross-contract calls ----
    cases.push(
        case(
            "call_contract",
            "call_contract, no arguments",
            "(drop (call $call_contract (i32.const 0) (i32.const 0) (local.get $a) (i32.const 1024)))",
        )
        .a(ADDRESS, move || Value::Address(CALLEE.0)),
    );
    cases.push(
        case(
            "call_contract",
            "call_contract, a large List argument",
            "(i64.store (i32.const 1024) (local.get $b)) (drop (call $call_contract (i32.const 0) (i32.const 1) (local.get $a) (i32.const 1024)))",
        )
        .a(ADDRESS, move || Value::Address(CALLEE.0))
        .b(LIST_INT, move || list(LARGE_ELEMENTS)),
    );
    cases
}

/// Where the callee of the `call_contract` cases is deployed.
pub const CALLEE: assent_vm::Address = assent_vm::Address([0xc1; 20]);
