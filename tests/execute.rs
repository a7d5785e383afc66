//! Compiled contracts executed on the VM: every operator and built-in with exact values.
//!
//! The table below is the test: each row is a view body, its result type and what it
//! must give — a value in the JSON form of LANGUAGE.md §3, or an abort whose message
//! contains the given text. All rows are compiled into one contract, one view each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use assent_stdlib::json::to_json;
use assent_stdlib::value::Value;
use assent_vm::Outcome;
use common::{ALICE, compile, deploy};

enum Expect {
    Json(&'static str),
    Abort(&'static str),
}
use Expect::{Abort, Json};

const OVERFLOW: Expect = Abort("integer overflow");
const BY_ZERO: Expect = Abort("division by zero");

#[rustfmt::skip]
const ROWS: &[(&str, &str, Expect)] = &[
    // ---- Int: checked, toward zero
    ("Int", "1 + 2 * 3", Json("7")),
    ("Int", "7 / 2", Json("3")),
    ("Int", "-7 / 2", Json("-3")),
    ("Int", "-7 % 3", Json("-1")),
    ("Int", "7 % -3", Json("1")),
    ("Int", "9223372036854775807 + 1", OVERFLOW),
    ("Int", "-9223372036854775807 - 1", Json("-9223372036854775808")),
    ("Int", "(-9223372036854775807 - 1) - 1", OVERFLOW),
    ("Int", "(-9223372036854775807 - 1) / -1", OVERFLOW),
    ("Int", "(-9223372036854775807 - 1) % -1", Json("0")),
    ("Int", "-(-9223372036854775807 - 1)", OVERFLOW),
    ("Int", "3037000500 * 3037000500", OVERFLOW),
    ("Int", "-1 * (-9223372036854775807 - 1)", OVERFLOW),
    ("Int", "3037000499 * -3037000499", Json("-9223372030926249001")),
    ("Int", "1 / 0", BY_ZERO),
    ("Int", "1 % 0", BY_ZERO),
    ("Int", "abs(-5)", Json("5")),
    ("Int", "abs(-9223372036854775807 - 1)", OVERFLOW),
    ("Int", "min(3, 2) + max(3, 2)", Json("5")),
    ("Int", "let mut x = 5; x += 2; x -= 1; x *= 3; x", Json("18")),
    // ---- Money: cents; division and percent rounded half away from zero
    ("Money", "$12.50 + $0.75", Json("\"13.25\"")),
    ("Money", "$10.00 * 3", Json("\"30.00\"")),
    ("Money", "3 * $10.00", Json("\"30.00\"")),
    ("Money", "$10.00 / 3", Json("\"3.33\"")),
    ("Money", "$0.05 / 2", Json("\"0.03\"")),
    ("Money", "-$0.05 / 2", Json("\"-0.03\"")),
    ("Money", "$1.00 / 0", BY_ZERO),
    ("Money", "$100.00 * 12.5%", Json("\"12.50\"")),
    ("Money", "$0.01 * 50%", Json("\"0.01\"")),
    ("Money", "-$0.01 * 50%", Json("\"-0.01\"")),
    ("Money", "$0.01 * 49%", Json("\"0.00\"")),
    ("Money", "$92233720368547758.07 + $0.01", OVERFLOW),
    ("Int", "10 * 15%", Json("2")),
    ("Int", "-10 * 15%", Json("-2")),
    ("Money", "min($5, $3.50)", Json("\"3.50\"")),
    // ---- Percent, Duration, Time
    ("Percent", "12.5% + 0.25%", Json("\"12.75%\"")),
    ("Percent", "20% - 30%", Json("\"-10%\"")),
    ("Duration", "30d + 12h", Json("\"732h\"")),
    ("Duration", "2w", Json("\"14d\"")),
    ("Duration", "1y", Json("\"365d\"")),
    ("Duration", "1h * 3", Json("\"3h\"")),
    ("Time", "@2028-02-28 + 1d", Json("\"2028-02-29T00:00:00Z\"")),
    ("Time", "@2026-02-28 + 1d", Json("\"2026-03-01T00:00:00Z\"")),
    ("Duration", "@2026-03-01 - @2026-02-01", Json("\"28d\"")),
    ("Duration", "@2028-03-01 - @2028-02-01", Json("\"29d\"")),
    ("Duration", "@2026-01-01 - @2026-01-02", Json("\"-1d\"")),
    ("Time", "@2026-01-31T08:30:00Z - 30m", Json("\"2026-01-31T08:00:00Z\"")),
    ("Duration", "30d / 4", Json("\"180h\"")),
    ("Duration", "-7s / 2", Json("\"-3s\"")),
    ("Duration", "1d / 0", BY_ZERO),
    ("Duration", "(-9223372036854775807s - 1s) / -1", OVERFLOW),
    ("Int", "30d / 1w", Json("4")),
    ("Int", "-30d / 1w", Json("-4")),
    ("Int", "1d / 0s", BY_ZERO),
    ("Duration", "30d % 1w", Json("\"2d\"")),
    ("Duration", "-30d % 1w", Json("\"-2d\"")),
    ("Duration", "1d % 0s", BY_ZERO),
    ("Int", "30d.seconds()", Json("2592000")),
    ("Int", "(-1m).seconds()", Json("-60")),
    ("Duration", "seconds(90)", Json("\"90s\"")),
    ("Duration", "seconds(-3600)", Json("\"-1h\"")),
    ("Time", "(@2026-03-01T00:00:11Z).day()", Json("\"2026-03-01T00:00:00Z\"")),
    ("Time", "(@2026-03-01).day()", Json("\"2026-03-01T00:00:00Z\"")),
    ("Time", "(@1969-12-31T23:59:59Z).day()", Json("\"1969-12-31T00:00:00Z\"")),
    ("Time", "(@1969-12-31).day()", Json("\"1969-12-31T00:00:00Z\"")),
    ("Time", "(@1970-01-01 - seconds(9223372036854775807) - 1s).day()", OVERFLOW),
    ("Bool", "@2026-03-01 >= (@2026-03-01T00:00:11Z).day()", Json("true")),
    ("Bool", "now == @2026-01-01", Json("true")),
    ("Int", "block", Json("7")),
    // ---- Strings and bytes
    ("String", "\"con\" + \"sent\"", Json("\"consent\"")),
    ("Int", "len(\"h\\u{e9}llo\")", Json("5")),
    ("Int", "\"h\\u{e9}llo\".len()", Json("5")),
    ("Bool", "\"consent\".starts_with(\"con\")", Json("true")),
    ("Bool", "\"consent\".starts_with(\"sent\")", Json("false")),
    ("Bytes", "\"hi\".bytes()", Json("\"0x6869\"")),
    ("Int", "0x0aff[1]", Json("255")),
    ("Int", "0x0aff[2]", Abort("out of range")),
    ("Int", "0x0aff.len()", Json("2")),
    // ---- Strings from values: interpolation and `to_string`, the JSON form unquoted
    ("String", "let a = $12.5; \"pay {a} now\"", Json("\"pay 12.50 now\"")),
    ("String", "\"{1 + 2}{{x}}\"", Json("\"3{x}\"")),
    ("String", "\"{@2026-01-31T08:30:00Z} {30d} {-90s} {12.5%} {true} {P.ETREAT}\"", Json("\"2026-01-31T08:30:00Z 30d -90s 12.5% true ETREAT\"")),
    ("String", "\"{caller}\"", Json("\"0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\"")),
    ("String", "let x: Int? = none; let y: String? = some(\"s\"); \"{x} {y}\"", Json("\"none s\"")),
    ("String", "\"{\"in{\"ner\"}\"}\"", Json("\"inner\"")),
    ("String", "\"\\t{-1}\\u{e9}\"", Json("\"\\t-1\\u00e9\"")),
    ("String", "to_string(R { a: 1, b: \"x\" })", Json("\"{\\\"a\\\":1,\\\"b\\\":\\\"x\\\"}\"")),
    ("String", "to_string((1, \"a\"))", Json("\"[1,\\\"a\\\"]\"")),
    ("String", "let l: List<Int?> = [some(1), none]; to_string(l)", Json("\"[1,null]\"")),
    ("String", "to_string(\"plain\")", Json("\"plain\"")),
    ("String", "to_string(0x0aff) + to_string(-$0.05)", Json("\"0x0aff-0.05\"")),
    ("String", "let m: Map<String, Int> = [\"a\": 1]; to_string(m)", Json("\"[[\\\"a\\\",1]]\"")),
    ("Int", "abort \"claim {7}: {$1.5} is over\";", Abort("claim 7: 1.50 is over")),
    // ---- Comparison and logic (short-circuit)
    ("Bool", "1 < 2 && 2 <= 2", Json("true")),
    ("Bool", "!(1 > 2) || false", Json("true")),
    ("Bool", "\"abc\" < \"abd\"", Json("true")),
    ("Bool", "$1.00 >= $1", Json("true")),
    ("Bool", "(1, \"a\") < (1, \"b\")", Json("true")),
    ("Bool", "false && 1 / 0 == 1", Json("false")),
    ("Bool", "true || 1 / 0 == 1", Json("true")),
    ("Bool", "0x00 != 0x0000", Json("true")),
    // ---- Enums: `in` by hierarchy, `==` exact, declaration order
    ("Bool", "P.ETREAT in P.TREAT", Json("true")),
    ("Bool", "P.HPAYMT in P.TREAT", Json("false")),
    ("Bool", "P.TREAT in P.ETREAT", Json("false")),
    ("Bool", "let g: P = P.TREAT; P.CLINTRL in g", Json("true")),
    ("Bool", "let g: P = P.HMARKT; P.CLINTRL in g", Json("false")),
    ("Bool", "P.ETREAT == P.TREAT", Json("false")),
    ("Bool", "P.TREAT < P.HPAYMT", Json("true")),
    ("P", "P.CLINTRL", Json("\"CLINTRL\"")),
    ("String", "match P.ETREAT { P.TREAT => \"treat\", _ => \"other\" }", Json("\"treat\"")),
    ("String", "match P.HPAYMT { P.TREAT => \"treat\", P.HPAYMT | P.HMARKT => \"money\" }", Json("\"money\"")),
    // ---- Options
    ("Int", "let x: Int? = none; x ?? 5", Json("5")),
    ("Int", "let x: Int? = some(3); x ?? 5", Json("3")),
    ("Int?", "let x: Int? = none; x", Json("null")),
    ("Bool", "let x: Int? = none; x == some(1)", Json("false")),
    ("Bool", "some(1) == some(1)", Json("true")),
    ("String", "let x: Int? = some(2); match x { some(1) => \"one\", some(n) => \"n\", none => \"none\" }", Json("\"n\"")),
    ("Int", "let x: Int? = some(4); if let some(n) = x { n * 2 } else { 0 }", Json("8")),
    ("Int", "let x: (Int, String)? = some((1, \"a\")); match x { some((n, \"a\")) => n, _ => 0 }", Json("1")),
    // `o?.f`: the field as an option, `none` when `o` is; a field that is an option stays one deep
    ("Int?", "let r: R? = some(R { a: 1, b: \"x\" }); r?.a", Json("1")),
    ("Int?", "let r: R? = none; r?.a", Json("null")),
    ("Int", "let r: R? = none; r?.a ?? 7", Json("7")),
    ("String", "let r: R? = some(R { a: 1, b: \"x\" }); r?.b ?? \"no\"", Json("\"x\"")),
    ("Int?", "let n: N? = some(N { inner: some(R { a: 4, b: \"y\" }), note: none }); n?.inner?.a", Json("4")),
    ("Int?", "let n: N? = some(N { inner: none, note: none }); n?.inner?.a", Json("null")),
    ("Int?", "let n: N? = none; n?.inner?.a", Json("null")),
    ("String?", "let n: N? = some(N { inner: none, note: some(\"hi\") }); n?.note", Json("\"hi\"")),
    ("String?", "let n: N? = some(N { inner: none, note: none }); n?.note", Json("null")),
    ("String", "let n: N? = some(N { inner: none, note: none }); n?.note ?? \"-\"", Json("\"-\"")),
    ("String", "let n: N? = some(N { inner: none, note: some(\"a\") }); n?.note ?? \"-\"", Json("\"a\"")),
    ("Int", "let n: N? = some(N { inner: some(R { a: 4, b: \"y\" }), note: none }); n?.inner?.a ?? 0", Json("4")),
    ("Bool?", "let m: Map<Int, R> = [1: R { a: 2, b: \"z\" }]; let x = m.get(1)?.a; let y = m.get(2)?.a; some(x == some(2) && y == none)", Json("true")),
    // ---- Collections
    ("Int", "[1, 2, 3].len()", Json("3")),
    ("List<Int>", "let mut l = [1]; l.push(2); l", Json("[1,2]")),
    ("List<Int>", "let mut l = [1, 2, 1]; l.remove(1); l", Json("[2,1]")),
    ("Set<Int>", "let mut s: Set<Int> = [3, 1]; s.insert(2); s.insert(1); s", Json("[1,2,3]")),
    ("Set<Int>", "let mut s: Set<Int> = [3, 1]; s.remove(3); s", Json("[1]")),
    ("Map<String, Int>", "let mut m: Map<String, Int> = [:]; m[\"b\"] = 2; m[\"a\"] = 1; m", Json("[[\"a\",1],[\"b\",2]]")),
    ("Map<String, Int>", "let mut m: Map<String, Int> = [\"a\": 1]; m[\"a\"] += 5; m.remove(\"x\"); m", Json("[[\"a\",6]]")),
    ("Int?", "let m: Map<String, Int> = [\"a\": 1]; m.get(\"z\")", Json("null")),
    ("Int", "let m: Map<String, Int> = [\"a\": 1]; m[\"z\"]", Abort("no entry")),
    ("Bool", "2 in [1, 2]", Json("true")),
    ("Bool", "let s: Set<Int> = [1]; 2 in s", Json("false")),
    ("Bool", "let m: Map<String, Int> = [\"a\": 1]; \"a\" in m && m.contains(\"a\")", Json("true")),
    ("Int", "let l = [10, 20]; l[1]", Json("20")),
    ("Int", "let l = [10, 20]; l[2]", Abort("out of range")),
    ("Int", "let l: List<Int> = []; l.len()", Json("0")),
    ("Int", "let mut t = 0; for i in 0..5 { t += i; } t", Json("10")),
    ("Int", "let mut t = 0; for i in 5..0 { t += 1; } t", Json("0")),
    ("Int", "let mut t = 0; let m: Map<String, Int> = [\"b\": 2, \"a\": 1]; for (k, v) in m { t = t * 10 + v; } t", Json("12")),
    ("Int", "let mut t = 0; let s: Set<Int> = [3, 1, 2]; for x in s { t = t * 10 + x; } t", Json("123")),
    ("List<Int>", "let mut a = [1]; let b = a; a.push(2); b", Json("[1]")),
    ("List<Int>", "let mut l = [1]; for x in l { l.push(x + 1); } l", Json("[1,2]")),
    // `break` leaves the innermost loop, `continue` goes on with its next round
    ("Int", "let mut t = 0; for i in 0..10 { if i == 4 { break; } t += i; } t", Json("6")),
    ("Int", "let mut t = 0; for i in 0..10 { if i % 2 == 0 { continue; } t += i; } t", Json("25")),
    ("Int", "let mut t = 0; for x in [5, 6, 7, 8] { if x == 6 { continue; } if x == 8 { break; } t = t * 10 + x; } t", Json("57")),
    ("Int", "let mut t = 0; let s: Set<Int> = [3, 1, 2]; for x in s { if x == 3 { break; } t = t * 10 + x; } t", Json("12")),
    ("Int", "let mut t = 0; let m: Map<String, Int> = [\"a\": 1, \"b\": 2, \"c\": 3]; for (k, v) in m { if k == \"b\" { continue; } t = t * 10 + v; } t", Json("13")),
    ("Int", "let mut t = 0; for i in 0..3 { for j in 0..3 { if j > i { break; } if j == 1 { continue; } t = t * 10 + j + 1; } } t", Json("1113")),
    ("Int", "let mut t = 0; for i in 0..5 { let d = if i == 3 { break; } else { i * 2 }; t += d; } t", Json("6")),
    ("Int", "let mut t = 0; let xs: List<Int?> = [some(1), none, some(3)]; for x in xs { let v = match x { some(n) => n, none => { continue; } }; t += v; } t", Json("4")),
    ("Int", "for i in 0..3 { break; } 5", Json("5")),
    // ---- Records and tuples
    ("R", "R { a: 1, b: \"x\" }", Json("{\"a\":1,\"b\":\"x\"}")),
    ("R", "let r = R { a: 1, b: \"x\" }; R { ..r, a: 2 }", Json("{\"a\":2,\"b\":\"x\"}")),
    ("Int", "let mut r = R { a: 1, b: \"x\" }; let keep = r; r.a = 5; r.a * 10 + keep.a", Json("51")),
    ("List<Int>", "let mut w = W { items: [1] }; w.items.push(2); w.items", Json("[1,2]")),
    ("(Int, String)", "(1, \"a\")", Json("[1,\"a\"]")),
    ("Int", "let t = (1, \"a\", 3); t.0 + t.2", Json("4")),
    ("String", "let t = ((1, \"a\"), 2); t.0.1", Json("\"a\"")),
    ("Int", "let (a, b) = (3, 4); a * b", Json("12")),
    ("Int", "let (_, b): (Int, Int) = (3, 4); b", Json("4")),
    ("Int", "let mut t = 0; for (a, b) in [(1, 2), (3, 4)] { t = t * 10 + a * b; } t", Json("32")),
    ("Int", "let o: (Int, Int)? = some((2, 5)); if let some((a, b)) = o { a * b } else { 0 }", Json("10")),
    ("Int", "let m: Map<(Int, Int), Int> = [(1, 2): 3]; let mut t = 0; for (k, v) in m { t = k.0 + k.1 + v; } t", Json("6")),
    // ---- Hashing and signatures
    ("Hash", "sha3(\"\")", Json("\"0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\"")),
    // Several arguments hash their tuple encoding, every String with its length.
    ("Bool", "sha3(\"ab\") == sha3(\"a\", \"b\")", Json("false")),
    ("Bool", "sha3(\"ab\", \"c\") == sha3(\"a\", \"bc\")", Json("false")),
    ("Bool", "sha3(1) == sha3(0x0000000000000001)", Json("true")),
    ("Address?", "recover(sha3(\"x\"), 0x00)", Json("null")),
    // ---- Context
    ("Address", "caller", Json("\"0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\"")),
    ("Address", "self", Json("\"0xc0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0\"")),
    // ---- Control flow
    ("Int", "if 1 > 2 { 1 } else if 2 > 1 { 2 } else { 3 }", Json("2")),
    ("Int", "require 1 > 2, \"one is not more than two\"; 0", Abort("one is not more than two")),
    ("Int", "abort \"stop \" + \"here\";", Abort("stop here")),
];

const PRELUDE: &str = "contract Table;\n\
    enum P { TREAT { ETREAT, CLINTRL }, HPAYMT, HMARKT }\n\
    record R { a: Int, b: String }\n\
    record W { items: List<Int> }\n\
    record N { inner: R?, note: String? }\n";

fn table_contract() -> String {
    let mut source = PRELUDE.to_string();
    for (index, (ty, body, _)) in ROWS.iter().enumerate() {
        source.push_str(&format!("view row{index}() -> {ty} {{ {body} }}\n"));
    }
    source
}

#[test]
fn every_operator_and_builtin_gives_its_exact_value() {
    let source = table_contract();
    let compiled = compile(&source);
    let types = compiled.abi.resolve_types().unwrap();
    let contract = deploy(&source, vec![]);
    let mut failures = Vec::new();
    for (index, (ty, body, expect)) in ROWS.iter().enumerate() {
        let entry = format!("row{index}");
        let abi = compiled
            .abi
            .entries
            .iter()
            .find(|e| e.name == entry)
            .unwrap();
        let execution = contract.call(&entry, vec![]);
        let got = match (&execution.outcome, abi.returns) {
            (Outcome::Ok(Some(value)), Some(id)) => {
                format!("{}", to_json(value, &types[id as usize]))
            }
            (Outcome::Aborted { message, .. }, _) => format!("abort: {message}"),
            (other, _) => format!("{other:?}"),
        };
        let ok = match expect {
            Json(expected) => {
                let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
                let expected_text = expected.to_string();
                got == expected_text
            }
            Abort(text) => got.starts_with("abort: ") && got.contains(text),
        };
        if !ok {
            let wanted = match expect {
                Json(json) => json.to_string(),
                Abort(text) => format!("abort containing {text:?}"),
            };
            failures.push(format!(
                "{ty} `{body}`\n    got    {got}\n    wanted {wanted}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn aborts_carry_the_source_position() {
    let source = "contract C;\nview v() -> Int {\n    let x = 0;\n    10 / x\n}\n";
    let contract = deploy(source, vec![]);
    let execution = contract.call("v", vec![]);
    assert_eq!(
        execution.outcome,
        Outcome::Aborted {
            message: "division by zero".to_string(),
            position: Some("test.assent:4:5".to_string()),
        }
    );
    let _ = ALICE;
    let _ = Value::Int(0);
}

#[test]
fn every_documented_item_has_its_doc_in_the_abi() {
    let source = "/// The contract.\ncontract C;\n\n/// A record.\nrecord R {\n    /// A field.\n    f: Int,\n}\n\n/// An enum.\nenum E {\n    /// A variant.\n    A,\n    B,\n}\n\n/// A state.\nstate r: R = R { f: 0 };\nstate e: E = E.A;\n\n/// An event.\nevent Ev {\n    /// An event field.\n    x: Int,\n}\n\n/// A view.\nview v(p: Int) -> Int {\n    p + r.f\n}\n";
    let compiled = compile(source);
    let abi = serde_json::to_value(&compiled.abi).unwrap();
    let mut docs = Vec::new();
    collect_docs(&abi, &mut docs);
    docs.sort();
    let mut expected = vec![
        "A field.",
        "A record.",
        "A state.",
        "A variant.",
        "A view.",
        "An enum.",
        "An event field.",
        "An event.",
        "The contract.",
    ];
    expected.sort();
    assert_eq!(docs, expected, "{abi:#}");
}

/// Every `doc` string anywhere in an ABI's JSON.
fn collect_docs(json: &serde_json::Value, docs: &mut Vec<String>) {
    match json {
        serde_json::Value::Object(object) => {
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("doc", serde_json::Value::String(doc)) => docs.push(doc.clone()),
                    _ => collect_docs(value, docs),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_docs(item, docs)),
        _ => {}
    }
}
