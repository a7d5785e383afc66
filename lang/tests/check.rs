//! The checker through one helper: programs in, diagnostic codes or typed trees out.
//!
//! - `operators`: every operator of LANGUAGE.md §4 over every pair of operand types,
//!   valid and invalid, against the table written out below, and snapshotted as a table.
//! - `rules`: a table of small programs and the code each must report (or none).
//! - `typed_trees`: the valid programs of `tests/check/` with their typed-tree dumps.
//! - nesting, the standard library, and determinism.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use assent_lang::check::{self, Checked, FileLoader};
use assent_lang::diagnostics;
use assent_lang::typed::{Body, StmtKind};

/// A program: the root file (`test.assent`) and files it may import, separated by
/// `//- name` lines.
struct Program {
    root: String,
    others: BTreeMap<String, String>,
}

impl Program {
    fn new(text: &str) -> Program {
        let mut sections = text.split("\n//- ");
        let root = sections.next().unwrap().to_string();
        let others = sections
            .map(|section| {
                let (file, body) = section.split_once('\n').unwrap_or((section, ""));
                (file.trim().to_string(), body.to_string())
            })
            .collect();
        Program { root, others }
    }
}

impl FileLoader for Program {
    fn load(&self, path: &str) -> Result<String, String> {
        self.others
            .get(path)
            .cloned()
            .ok_or_else(|| "no such file".to_string())
    }
}

fn check(text: &str) -> Checked {
    let program = Program::new(text);
    check::check_source("test.assent", &program.root, &program)
}

/// The codes reported for `text`, in order.
fn codes(text: &str) -> Vec<&'static str> {
    check(text)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

fn rendered(checked: &Checked) -> String {
    diagnostics::render(&checked.sources, &checked.diagnostics, false)
}

// ---- operators ------------------------------------------------------------------------

/// Operand types the operator table is tried on.
const TYPES: &[&str] = &[
    "Int",
    "Money",
    "Percent",
    "Duration",
    "Time",
    "String",
    "Bool",
    "Address",
    "Hash",
    "Bytes",
    "PurposeOfUse",
    "Int?",
    "List<Int>",
    "Set<Int>",
    "Map<Int, String>",
    "(Int, Bool)",
    "Grant",
    "Decision",
];

/// LANGUAGE.md §4 and docs/language.md §3: every valid arithmetic form and its result.
/// Everything else is E0202.
const ARITHMETIC: &[(&str, &str, &str, &str)] = &[
    ("Int", "+", "Int", "Int"),
    ("Int", "-", "Int", "Int"),
    ("Int", "*", "Int", "Int"),
    ("Int", "/", "Int", "Int"),
    ("Int", "%", "Int", "Int"),
    ("Money", "+", "Money", "Money"),
    ("Money", "-", "Money", "Money"),
    ("Money", "*", "Int", "Money"),
    ("Int", "*", "Money", "Money"),
    ("Money", "/", "Int", "Money"),
    ("Money", "*", "Percent", "Money"),
    ("Int", "*", "Percent", "Int"),
    ("Percent", "+", "Percent", "Percent"),
    ("Percent", "-", "Percent", "Percent"),
    ("Duration", "+", "Duration", "Duration"),
    ("Duration", "-", "Duration", "Duration"),
    ("Duration", "*", "Int", "Duration"),
    ("Duration", "/", "Int", "Duration"),
    ("Duration", "/", "Duration", "Int"),
    ("Duration", "%", "Duration", "Duration"),
    ("Time", "+", "Duration", "Time"),
    ("Time", "-", "Duration", "Time"),
    ("Time", "-", "Time", "Duration"),
    ("String", "+", "String", "String"),
];

/// Types with an order (`<`): §3 "Order".
const ORDERED: &[&str] = &[
    "Int",
    "Money",
    "Percent",
    "Duration",
    "Time",
    "String",
    "Address",
    "Hash",
    "Bytes",
    "PurposeOfUse",
    "Int?",
];

/// `a op b` with `a: l`, `b: r`: the result type, or the error codes.
fn binary_outcome(l: &str, op: &str, r: &str) -> Result<String, Vec<&'static str>> {
    let src = format!(
        "contract T;\nimport std.consent;\nrecord Grant {{ until: Time }}\n\
         fn f(a: {l}, b: {r}) {{\n    let _r = a {op} b;\n}}\n"
    );
    outcome(&src)
}

fn unary_outcome(op: &str, t: &str) -> Result<String, Vec<&'static str>> {
    let src = format!(
        "contract T;\nimport std.consent;\nrecord Grant {{ until: Time }}\n\
         fn f(a: {t}) {{\n    let _r = {op}a;\n}}\n"
    );
    outcome(&src)
}

/// The type of the first `let` of `f`, or the codes reported.
fn outcome(src: &str) -> Result<String, Vec<&'static str>> {
    let checked = check(src);
    let Some(contract) = checked.contract else {
        return Err(checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect());
    };
    assert!(
        checked.diagnostics.is_empty(),
        "{src}\n{:?}",
        checked.diagnostics
    );
    let f = contract.function_named("f").unwrap();
    let Body::Block(body) = &f.body else {
        panic!("f is not a block")
    };
    let StmtKind::Let { value, .. } = &body.stmts[0].kind else {
        panic!("no let: {:?}", body.stmts[0])
    };
    Ok(contract.type_name(&value.ty))
}

#[test]
fn operators() {
    let mut table = String::new();
    for op in ["+", "-", "*", "/", "%"] {
        for l in TYPES {
            for r in TYPES {
                let got = binary_outcome(l, op, r);
                let expected = ARITHMETIC
                    .iter()
                    .find(|(a, o, b, _)| a == l && *o == op && b == r)
                    .map(|(.., result)| result.to_string());
                match (&got, expected) {
                    (Ok(ty), Some(want)) => assert_eq!(*ty, want, "{l} {op} {r}"),
                    (Err(codes), None) => assert_eq!(codes, &["E0202"], "{l} {op} {r}"),
                    (got, want) => panic!("{l} {op} {r}: got {got:?}, table says {want:?}"),
                }
                if let Ok(ty) = got {
                    writeln!(table, "{l} {op} {r} => {ty}").unwrap();
                }
            }
        }
    }
    writeln!(table, "(every other pair of the types above: E0202)\n").unwrap();
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        for t in TYPES {
            let got = binary_outcome(t, op, t);
            let ordering = !matches!(op, "==" | "!=");
            if ordering && !ORDERED.contains(t) && *t != "(Int, Bool)" && *t != "Grant" {
                assert_eq!(got, Err(vec!["E0202"]), "{t} {op} {t}");
            } else if ordering && matches!(*t, "(Int, Bool)" | "Grant") {
                // A tuple or record is ordered when its fields are: `(Int, Bool)` is not;
                // `Grant { until: Time }` is.
                let want = if *t == "Grant" {
                    Ok("Bool".to_string())
                } else {
                    Err(vec!["E0202"])
                };
                assert_eq!(got, want, "{t} {op} {t}");
            } else {
                assert_eq!(got, Ok("Bool".to_string()), "{t} {op} {t}");
            }
            writeln!(table, "{t} {op} {t} => {}", show(&got)).unwrap();
        }
    }
    // Mixed comparisons: only `T` with `T?` (the `T` side becomes `some`).
    for (l, r) in [
        ("Int", "Int?"),
        ("Int?", "Int"),
        ("Int", "Money"),
        ("String", "Bytes"),
        ("Address", "Hash"),
    ] {
        for op in ["==", "<"] {
            let got = binary_outcome(l, op, r);
            writeln!(table, "{l} {op} {r} => {}", show(&got)).unwrap();
        }
    }
    writeln!(table).unwrap();
    for (l, op, r) in [
        ("Bool", "&&", "Bool"),
        ("Bool", "||", "Bool"),
        ("Bool", "&&", "Int"),
        ("Int", "||", "Bool"),
        ("Int", "in", "List<Int>"),
        ("Int", "in", "Set<Int>"),
        ("Int", "in", "Map<Int, String>"),
        ("String", "in", "Map<Int, String>"),
        ("PurposeOfUse", "in", "PurposeOfUse"),
        ("Int", "in", "Int"),
        ("String", "in", "List<Int>"),
        ("Int?", "??", "Int"),
        ("Int?", "??", "Int?"),
        ("Int?", "??", "String"),
        ("Int", "??", "Int"),
    ] {
        writeln!(table, "{l} {op} {r} => {}", show(&binary_outcome(l, op, r))).unwrap();
    }
    writeln!(table).unwrap();
    for op in ["-", "!"] {
        for t in TYPES {
            let got = unary_outcome(op, t);
            let valid = match op {
                "-" => matches!(*t, "Int" | "Money" | "Percent" | "Duration"),
                _ => *t == "Bool",
            };
            assert_eq!(got.is_ok(), valid, "{op}{t}: {got:?}");
            if valid {
                assert_eq!(got.as_deref(), Ok(*t));
            } else {
                assert_eq!(got, Err(vec!["E0202"]), "{op}{t}");
            }
            writeln!(table, "{op}{t} => {}", show(&got)).unwrap();
        }
    }
    insta::assert_snapshot!(table);
}

fn show(outcome: &Result<String, Vec<&'static str>>) -> String {
    match outcome {
        Ok(ty) => ty.clone(),
        Err(codes) => codes.join(" "),
    }
}

// ---- rules ----------------------------------------------------------------------------

/// `(program, codes)`: the program (its `contract T;` line is added) must report exactly
/// these codes, in order; `[]` means it checks clean.
const RULES: &[(&str, &[&str])] = &[
    // Bare variant names where the enum is expected (docs/language.md, Decided here).
    (
        "import std.consent;\nfn f(p: PurposeOfUse) -> Bool { p == ETREAT }",
        &[],
    ),
    (
        "import std.consent;\nfn f() -> PurposeOfUse { let p: PurposeOfUse = ETREAT; p }",
        &[],
    ),
    (
        "import std.consent;\nfn g(p: PurposeOfUse) -> Bool { p in TREAT }\nfn f() -> Bool { g(HMARKT) }",
        &[],
    ),
    (
        "import std.consent;\nfn f(p: PurposeOfUse) -> Int { match p { TREAT => 1, _ => 0 } }",
        &[],
    ),
    (
        "import std.consent;\nfn f() -> Bool { let p = ETREAT; true }",
        &["E0101"],
    ),
    (
        "import std.consent;\nfn f(c: DataClass) -> Bool { c == ETREAT }",
        &["E0101"],
    ),
    // Qualified and nested paths.
    (
        "import std.consent;\nfn f(p: PurposeOfUse) -> Bool { p in PurposeOfUse.TREAT.ETREAT }",
        &[],
    ),
    (
        "import std.consent;\nfn f(p: PurposeOfUse) -> Bool { p in PurposeOfUse.HPAYMT.ETREAT }",
        &["E0108"],
    ),
    (
        "import std.consent;\nfn f(p: PurposeOfUse) -> Bool { p in DataClass.Lab }",
        &["E0202"],
    ),
    // `T` where `T?` is expected.
    ("fn f(x: Int?) -> Int? { x }\nfn g() -> Int? { f(3) }", &[]),
    ("fn f() -> Int?? { 3 }", &[]),
    ("fn f(m: Map<Int, Int?>) -> Int?? { m.get(1) }", &[]),
    (
        "record R { note: String? }\nfn f() -> R { R { note: \"x\" } }",
        &[],
    ),
    ("fn f(x: Int?) -> Int { x }", &["E0201"]),
    ("fn f() -> Int? { let x: Int? = none; x }", &[]),
    ("fn f() -> Bool { let x = none; true }", &["E0208"]),
    ("fn f() -> Int { let x: Int = none; x }", &["E0201"]),
    // `??`
    ("fn f(a: Int?, b: Int?) -> Int { a ?? b ?? 0 }", &[]),
    ("fn f(a: Int) -> Int { a ?? 0 }", &["E0202"]),
    // Collections.
    ("fn f() -> Set<Int> { [3, 1, 2] }", &[]),
    ("fn f() -> Map<String, Int> { [\"a\": 1] }", &[]),
    ("fn f() -> Map<String, Int> { [] }", &["E0201"]),
    ("fn f() -> Int { let m = [:]; 0 }", &["E0208"]),
    ("fn f() -> List<Int> { [1, \"a\"] }", &["E0201"]),
    (
        "fn f() -> Int { let xs = [1, 2]; xs[0] + len(xs) + xs.len() }",
        &[],
    ),
    (
        "fn f(m: Map<String, Int>) -> Int { m[\"a\"] + (m.get(\"b\") ?? 0) }",
        &[],
    ),
    ("fn f(b: Bytes) -> Int { b[0] }", &[]),
    ("fn f(s: String) -> Int { s.bytes()[0] }", &[]),
    ("fn f(s: String) -> Int { s[0] }", &["E0202"]),
    ("fn f(s: Set<Int>) -> Bool { s.contains(1) && 2 in s }", &[]),
    (
        "fn f() -> Int { let mut xs: List<Int> = []; xs.push(1); xs.remove(1); len(xs) }",
        &[],
    ),
    (
        "fn f() -> Int { let mut s: Set<Int> = []; s.insert(1); s.push(2); len(s) }",
        &["E0109"],
    ),
    (
        "fn f() -> Int { let mut m: Map<Int, Int> = [:]; m[1] = 2; m.remove(1); m.insert(3, 4); 0 }",
        &["E0109"],
    ),
    ("fn f(xs: List<Int>) -> Int { xs.push(1); 0 }", &["E0303"]),
    ("fn f() -> Int { [1].push(2); 0 }", &["E0215"]),
    // Built-ins.
    (
        "fn f(a: Money, b: Money) -> Money { min(a, b) + max(a, b) + abs(a) }",
        &[],
    ),
    ("fn f(a: Bool, b: Bool) -> Bool { min(a, b) }", &["E0202"]),
    ("fn f(s: String) -> String { abs(s) }", &["E0201"]),
    ("fn f() -> Hash { sha3() }", &["E0203"]),
    (
        "fn f(h: Hash, sig: Bytes) -> Address? { recover(h, sig) }",
        &[],
    ),
    ("fn f(a: Int) -> Hash { sha3(a, \"x\", (a, true)) }", &[]),
    ("fn f(x: Int) -> Int { len(x) }", &["E0201"]),
    ("fn f(x: Int) -> Int { len(x, x) }", &["E0203"]),
    ("fn f() -> Int { len }", &["E0201"]),
    // Records, fields, Decision.
    (
        "record R { a: Int, b: Int }\nfn f(r: R) -> R { R { ..r, b: 2 } }",
        &[],
    ),
    (
        "record R { a: Int }\nfn f() -> R { R { a: 1, c: 2 } }",
        &["E0107"],
    ),
    (
        "event E { a: Int }\nfn f() -> Int { let e = E { a: 1 }; 0 }",
        &["E0106"],
    ),
    (
        "policy p(x: Int) { permit \"x\" when x > 0; }\nfn f() -> Bool { let d = p(1); d.permitted && d.rule == \"x\" }",
        &[],
    ),
    (
        "policy p(x: Int) { permit \"x\" when x > 0; }\nfn f() -> Bool { p(1).allowed }",
        &["E0107"],
    ),
    ("fn f(x: Int) -> Int { x.len }", &["E0107"]),
    (
        "record R { a: Int }\nfn f(r: R) -> Int { r.a() }",
        &["E0109"],
    ),
    // Mutability and assignment.
    (
        "record R { a: Int }\nfn f() -> Int { let mut r = R { a: 1 }; r.a = 2; r.a += 1; r.a }",
        &[],
    ),
    (
        "record R { a: Int }\nfn f() -> Int { let r = R { a: 1 }; r.a = 2; r.a }",
        &["E0303"],
    ),
    ("fn f(x: Int) -> Int { x = 2; x }", &["E0303"]),
    ("const C: Int = 1;\nfn f() -> Int { C = 2; C }", &["E0303"]),
    (
        "fn f() -> Int { let mut t: Time = @2026-01-01; t += 1d; t -= 2h; 0 }",
        &[],
    ),
    (
        "fn f() -> Int { let mut t: Time = @2026-01-01; t += t; 0 }",
        &["E0202"],
    ),
    ("fn f() -> Int { let mut x = 1; x *= 3; x }", &[]),
    ("fn f() -> Int { let x = 1; let x = x + 1; x }", &[]),
    ("fn f() -> Int { let _x = 1; let _ = 2; 0 }", &[]),
    // State: scalar and persistent, writes only in init and actions.
    ("state n: Int = 0;\naction a() { n += 1; }", &[]),
    (
        "state n: Int = 0;\nview v() -> Int { n += 1; n }",
        &["E0301"],
    ),
    (
        "state s: Set<Address>;\naction a() { s.insert(caller); s.remove(caller); }",
        &[],
    ),
    (
        "state s: Set<Address>;\nview v() -> Bool { s.insert(caller); true }",
        &["E0301"],
    ),
    (
        "state m: Map<Address, Int>;\npolicy p() { permit \"x\" when m.contains(caller) && caller in m; }",
        &[],
    ),
    (
        "state m: Map<Address, Int>;\nfn f() -> Int { m.remove(caller); 0 }",
        &["E0301"],
    ),
    (
        "state m: Map<Address, Int>;\nfn f() -> Int { len(m) + (m).len() }",
        &[],
    ),
    (
        "state s: Set<Address>;\npolicy p() { permit \"x\" when len(s) > 1 && s.len() < 9; }",
        &[],
    ),
    (
        "state m: Map<Address, Int>;\nfn f() -> Int { m.len(1) }",
        &["E0203"],
    ),
    (
        "state m: Map<Address, Int>;\nfn f(m: Int) -> Int { len(m) }",
        &["E0201"],
    ),
    (
        "state m: Map<Address, Int>;\nfn g(x: Map<Address, Int>) -> Int { 0 }\nfn f() -> Int { g(m) }",
        &["E0214"],
    ),
    (
        "state m: Map<Address, Int>;\naction a() { m = [:]; }",
        &["E0214"],
    ),
    // Persistent collections are walked in key order; never written inside their loop.
    (
        "state s: Set<Int>;\nfn f() -> Int { let mut n = 0; for x in s { n += x; } n }",
        &[],
    ),
    (
        "state s: Set<Int>;\naction a() { for x in s { s.remove(x); } }",
        &["E0305"],
    ),
    (
        "state m: Map<Int, Int>;\naction a() { for (k, v) in m { m[k] = v + 1; } }",
        &["E0305"],
    ),
    (
        "state m: Map<Int, Int>;\nstate t: Map<Int, Int>;\naction a() { for (k, v) in m { t[k] = v; } }",
        &[],
    ),
    (
        "state s: Set<Int>;\naction a() { for _x in s { } s.insert(1); }",
        &[],
    ),
    (
        "state m: Map<(Int, Int), Int>;\nview f() -> Int { let mut n = 0; for (_, v) in m.prefix(1) { n += v; } n }",
        &[],
    ),
    (
        "state m: Map<(Int, Int), Int>;\nview f() -> Int { let mut n = 0; for (_, v) in m.prefix(1, 2) { n += v; } n }",
        &[],
    ),
    (
        "state m: Map<Int, Int>;\nview f() -> Int { let mut n = 0; for (_, v) in m.prefix(1) { n += v; } n }",
        &["E0217"],
    ),
    (
        "state m: Map<(Int, Int), Int>;\nview f() -> Int { let mut n = 0; for (_, v) in m.prefix() { n += v; } n }",
        &["E0217"],
    ),
    (
        "state m: Map<(Int, Int), Int>;\nview f() -> Int { let mut n = 0; for (_, v) in m.prefix(\"a\") { n += v; } n }",
        &["E0201"],
    ),
    (
        "state m: Map<(Int, Int), Int>;\nview f() -> Int { m.prefix(1); 0 }",
        &["E0211"],
    ),
    (
        "state m: Map<Int, Int>;\naction a() { m[1] = 2; m[1] += 1; }",
        &[],
    ),
    (
        "record R { a: Int }\nstate m: Map<Int, R>;\naction a() { m[1].a = 3; }",
        &[],
    ),
    (
        "state log: List<String> = [];\naction a() { log.push(\"x\"); }",
        &[],
    ),
    (
        "state log: List<String> = [];\nview v() -> Int { log.push(\"x\"); 0 }",
        &["E0301"],
    ),
    // Constants and initialisers.
    (
        "const A: Money = $10 * 2 + $0.50;\nconst B: Money = A * 10%;\nstate s: Money = B;",
        &[],
    ),
    ("const A: Int = 9223372036854775807 + 1;", &["E0212"]),
    ("const A: Int = 1 / 0;", &["E0212"]),
    ("const A: Int = B;\nconst B: Int = A;", &["E0212"]),
    ("fn g() -> Int { 1 }\nconst A: Int = g();", &["E0212"]),
    (
        "state n: Int;\nstate o: Address = caller;",
        &["E0304", "E0212"],
    ),
    (
        "const M: Map<String, Int> = [\"a\": 1, \"a\": 2];",
        &["E0212"],
    ),
    (
        "const S: Set<Int> = [3, 1, 3];\nconst L: List<Int> = [1];\nconst T: (Int, Bool) = (1, true);",
        &[],
    ),
    // init.
    ("state o: Address;\ninit() { o = caller; }", &[]),
    (
        "state o: Address;\ninit(c: Bool) { if c { o = caller; } else { o = origin; } }",
        &[],
    ),
    (
        "state o: Address;\ninit(c: Bool) { if c { o = caller; } else { abort \"no\"; } }",
        &[],
    ),
    (
        "state o: Address;\ninit(c: Bool) { if c { return; } o = caller; }",
        &["E0304"],
    ),
    (
        "state o: Address;\ninit(xs: List<Int>) { for x in xs { o = caller; } }",
        &["E0304", "W0003"],
    ),
    ("state o: Address;", &["E0304"]),
    // Calls and effects.
    ("view v() -> Int { 1 }\nview w() -> Int { v() + 1 }", &[]),
    ("action a() {}\nview v() -> Int { a(); 1 }", &["E0306"]),
    ("action a() -> Int { return 1; }", &[]),
    ("fn f() -> Int { return; }", &["E0310"]),
    (
        "policy p() { let x = if true { return; } else { 1 }; permit \"x\" when x > 0; }",
        &["E0310"],
    ),
    (
        "fn f(x: Int) -> Int { match x { 0 => { return 1; } _ => { return 2; } } }",
        &[],
    ),
    (
        "fn f(x: Int) -> Int { if x > 0 { 1 } else { abort \"negative\"; } }",
        &[],
    ),
    (
        "fn f(x: Int) -> Int { if x > 0 { return 1; } else { return 2; } }",
        &[],
    ),
    (
        "fn f() { require true, \"never\"; }\nfn g() -> Int { f(); 1 }",
        &[],
    ),
    ("fn f() { 1 }", &["E0201"]),
    ("fn f() -> Int { 1; }", &["E0308"]),
    (
        "fn a() -> Int { b() }\nfn b() -> Int { c() }\nfn c() -> Int { a() }",
        &["E0309"],
    ),
    // Patterns.
    (
        "fn f(b: Bool) -> Int { match b { true => 1, false => 0 } }",
        &[],
    ),
    ("fn f(b: Bool) -> Int { match b { true => 1 } }", &["E0402"]),
    (
        "fn f(t: (Bool, Bool)) -> Int { match t { (true, _) => 1, (false, true) => 2, (false, false) => 3 } }",
        &[],
    ),
    (
        "fn f(t: (Bool, Bool)) -> Int { match t { (true, _) => 1, (false, true) => 2 } }",
        &["E0402"],
    ),
    (
        "fn f(x: Int) -> Int { match x { 1 | 2 => 1, -3 => 2, _ => 0 } }",
        &[],
    ),
    ("fn f(x: Int) -> Int { match x { 1 => 1 } }", &["E0402"]),
    (
        "fn f(x: Int?) -> Int { match x { some(1) => 1, some(v) => v, none => 0 } }",
        &[],
    ),
    (
        "fn f(x: Int?) -> Int { match x { some(v) => v, none => 0, some(3) => 3 } }",
        &["W0002"],
    ),
    (
        "fn f(x: (Int, Int)) -> Int { match x { (a, a) => a } }",
        &["E0102"],
    ),
    (
        "fn f(x: Int??) -> Int { match x { some(some(v)) | some(none) => 1, none => 0 } }",
        &["E0213"],
    ),
    (
        "fn f(x: Int?) -> Int { match x { some(v) | none => 0 } }",
        &["E0213"],
    ),
    (
        "fn f(x: Int?) -> Int { if let some(v) = x { v } else { 0 } }",
        &[],
    ),
    (
        "fn f(x: String) -> Int { match x { 1 => 1, _ => 0 } }",
        &["E0213"],
    ),
    (
        "import std.consent;\nfn f(c: Confidentiality) -> Int { match c { Confidentiality.U | Confidentiality.L => 0, _ => 1 } }",
        &[],
    ),
    (
        "import std.consent;\nfn f(p: PurposeOfUse) -> Int { match p { PurposeOfUse.TREAT => 1, PurposeOfUse.HPAYMT => 2, _ => 0 } }",
        &[],
    ),
    (
        "enum E { A { B, C }, D }\nfn f(e: E) -> Int { match e { E.B => 1, E.C => 2, E.D => 3 } }",
        &["E0402"],
    ),
    (
        "enum E { A { B, C }, D }\nfn f(e: E) -> Int { match e { E.A => 1, E.D => 3 } }",
        &[],
    ),
    (
        "enum E { A { B, C }, D }\nfn f(e: E) -> Int { match e { E.A => 1, E.B => 2, E.D => 3 } }",
        &["W0002"],
    ),
    (
        "enum E { A, B }\nfn f(e: E) -> Int { match e { A => 1, B => 2 } }",
        &[],
    ),
    (
        "enum E { A, B }\nfn f(e: E) -> Int { match e { A => 1, other => 2 } }",
        &["W0003"],
    ),
    (
        "enum E { A, B }\nfn f(e: E) -> Int { match e { A => 1, other => if other == B { 2 } else { 3 } } }",
        &[],
    ),
    // Loops.
    (
        "fn f(m: Map<String, Int>) -> Int { let mut t = 0; for (k, v) in m { t += v + len(k); } t }",
        &[],
    ),
    (
        "fn f(xs: List<(Int, Int)>) -> Int { let mut t = 0; for (a, b) in xs { t += a * b; } t }",
        &[],
    ),
    (
        "fn f(xs: List<Int>) -> Int { let mut t = 0; for (a, b) in xs { t += a; } t }",
        &["E0213"],
    ),
    (
        "fn f() -> Int { let mut t = 0; for i in 0..\"x\" { t += i; } t }",
        &["E0201"],
    ),
    ("fn f(x: Int) -> Int { for i in x { } 0 }", &["E0201"]),
    // Events.
    ("event E { a: Int }\ninit() { emit E { a: 1 }; }", &[]),
    ("event E { a: Int }\naction x() { audit E { a: 1 }; }", &[]),
    ("event E { a: Int }\naction x() { emit E { }; }", &["E0204"]),
    (
        "event E { a: Int }\naction x() { emit E { a: 1, b: 2 }; }",
        &["E0107"],
    ),
    (
        "record R { a: Int }\naction x() { emit R { a: 1 }; }",
        &["E0111"],
    ),
    (
        "event E { a: Int }\npolicy p() { let x = 1; permit \"a\" when x > 0; }\nfn f() { emit E { a: 1 }; }",
        &["E0302"],
    ),
    // Policies.
    ("policy p() { permit \"a\"; permit \"b\"; }", &["W0001"]),
    (
        "policy p() { deny \"a\" when false; permit \"b\"; }",
        &["W0001"],
    ),
    (
        "policy p() { default permit; deny \"a\" when caller == origin; }",
        &[],
    ),
    ("policy p(x: Int) { permit \"a\" when x; }", &["E0201"]),
    (
        "policy p() { let a = 1; let _b = 2; permit \"x\" when a > 0; }",
        &[],
    ),
    ("policy p() { let a = 1; permit \"x\"; }", &["W0003"]),
    (
        "policy p() { permit \"x\"; }\naction a() { authorize p(); }",
        &[],
    ),
    (
        "view v() -> Bool { true }\naction a() { authorize v(); }",
        &["E0216"],
    ),
    // Names and scope.
    (
        "fn f() -> Int { let x = 1; if true { let y = x; } y }",
        &["W0003", "E0101"],
    ),
    ("record Int { a: Int }", &["E0102"]),
    ("enum E { A { B }, B }", &["E0102"]),
    ("record R { a: Int, a: Int }", &["E0102"]),
    ("record R { a: Int }\nrecord S { r: R, s: S? }", &["E0114"]),
    ("fn f() -> Grant { 1 }", &["E0106"]),
    ("fn g() -> Int { 1 }\nfn f(x: g) -> Int { 1 }", &["E0106"]),
    ("state s: Set<Int, Int>;", &["E0112"]),
    ("state s: Int<Int> = 1;", &["E0112"]),
    ("state s: Map<Map<Int, Int>, Int>;", &["E0207"]),
    (
        "import std.claims;\nfn f(b: Benefit, a: Accumulators) -> Money { adjudicate(b, a, $100, $80).plan_pays }",
        &[],
    ),
    (
        "import std.crypto;\nfn f(h: Hash, sig: Bytes) -> Address? { recover(eth_signed(h), sig) }",
        &[],
    ),
    (
        "import std.consent;\nimport std.consent;\nfn f(p: Period) -> Bool { active(p, now) }",
        &[],
    ),
    ("fn f() -> Bool { active() }", &["E0101"]),
    // Cross-contract calls (second file after `//- `).
    (
        "import \"other.assent\";\nview v(a: Address) -> Int { Other(a).count() }\n//- other.assent\ncontract Other;\nview count() -> Int { 1 }",
        &[],
    ),
    (
        "import \"other.assent\";\naction v(a: Address) { Other(a).bump(1); }\n//- other.assent\ncontract Other;\naction bump(n: Int) {}",
        &[],
    ),
    (
        "import \"other.assent\";\naction v(a: Address) { Other(a).bump(); }\n//- other.assent\ncontract Other;\naction bump(n: Int) {}",
        &["E0203"],
    ),
    (
        "import \"other.assent\";\nview v(a: Address) -> Int { Other(a).helper() }\n//- other.assent\ncontract Other;\nfn helper() -> Int { 1 }",
        &["E0109"],
    ),
    (
        "import \"other.assent\";\nview v(a: Address) -> Int { Other(a, a).count() }\n//- other.assent\ncontract Other;\nview count() -> Int { 1 }",
        &["E0203"],
    ),
    (
        "import \"other.assent\";\nview v(a: Address) -> Int { let o = Other(a); 1 }\n//- other.assent\ncontract Other;\nview count() -> Int { 1 }",
        &["E0206"],
    ),
    (
        "import \"other.assent\";\naction x(a: Address) { authorize Other(a).may(caller); }\n//- other.assent\ncontract Other;\npolicy may(who: Address) { permit \"all\"; }",
        &[],
    ),
    (
        "import \"other.assent\";\nfn f(n: Note) -> String { n.text }\n//- other.assent\ncontract Other;\nrecord Note { text: String }",
        &[],
    ),
    (
        "import \"other.assent\";\nfn f() -> Int { helper() }\n//- other.assent\ncontract Other;\nfn helper() -> Int { 1 }",
        &["E0101"],
    ),
    // Time conversions, strings from values, tuples.
    (
        "fn f(d: Duration, t: Time) -> Int { seconds(d.seconds()).seconds() + (t.day() - t).seconds() }",
        &[],
    ),
    ("fn f(n: Int) -> Int { n.seconds() }", &["E0109"]),
    ("fn f(d: Duration) -> Duration { seconds(d) }", &["E0201"]),
    ("fn f(t: Time) -> Time { t.day(1) }", &["E0203"]),
    ("fn f(t: Time) -> Time { t.day }", &["E0107"]),
    ("fn f() -> String { to_string() }", &["E0203"]),
    (
        "record R { a: Int }\nfn f(r: R, o: Int?) -> String { to_string(r) + to_string(o) + \"{r.a}{o}{[1]}\" }",
        &[],
    ),
    ("fn f() -> String { \"{}\" }", &["E0017"]),
    ("fn f() -> String { \"a } b\" }", &["E0017"]),
    ("fn f() -> String { \"a {{ b }}\" }", &[]),
    ("fn f(x: Int) -> String { \"a {x\" }", &["E0017"]),
    ("fn f(x: Int) -> String { \"a {x y} b\" }", &["E0011"]),
    ("fn f() -> String { \"a {missing}\" }", &["E0101"]),
    ("fn f(t: (Int, Bool)) -> Bool { t.1 }", &[]),
    ("fn f(t: (Int, Bool)) -> Bool { t.5 }", &["E0107"]),
    ("fn f(t: Int) -> Int { t.0 }", &["E0107"]),
    ("fn f(t: ((Int, Bool), Int)) -> Bool { t.0.1 }", &[]),
    (
        "fn f(m: Map<(Int, Int), Int>) -> Int { let mut s = 0; for (k, v) in m { s += k.1 + v; } s }",
        &[],
    ),
    (
        "fn f(t: (Int, Bool)) -> Int { let (a, b) = t; if b { a } else { 0 } }",
        &[],
    ),
    (
        "fn f(t: (Int, Bool)) -> Int { let (a, _, c) = t; a }",
        &["E0213"],
    ),
    ("fn f(t: Int) -> Int { let (a, b) = t; a }", &["E0213"]),
    (
        "fn f(t: (Int, Int)) -> Int { let (a, a) = t; a }",
        &["W0003", "E0102"],
    ),
    (
        "fn f(t: (Int, Int)) -> Int { let mut (a, b) = t; a + b }",
        &["E0011"],
    ),
    (
        "policy p(t: (Int, Int)) { let (a, b) = t; permit \"x\" when a == b; }",
        &["E0011", "E0101", "E0101"],
    ),
    (
        "fn f(l: List<(Int, String)>) -> Int { let mut s = 0; for (n, _) in l { s += n; } s }",
        &[],
    ),
    (
        "fn f(o: (Int, Int)?) -> Int { if let some((a, b)) = o { a + b } else { 0 } }",
        &[],
    ),
    // The same module reached twice is one module: its types are the same types.
    (
        "import \"a.assent\";\nimport \"b.assent\";\nimport std.consent;\nfn f(r: R, s: S) -> Bool { r.p == s.p && r.p in PurposeOfUse.TREAT }\n//- a.assent\ncontract A;\nimport std.consent;\nrecord R { p: PurposeOfUse }\n//- b.assent\ncontract B;\nimport std.consent;\nrecord S { p: PurposeOfUse }",
        &[],
    ),
    // `o?.f`: an option of the field, one option deep; `.` on an option and `?.` on a
    // value are errors, and an error in a rule's condition is not also "never decides".
    ("record R { a: Int }\nfn f(r: R?) -> Int? { r?.a }", &[]),
    ("record R { a: Int? }\nfn f(r: R?) -> Int? { r?.a }", &[]),
    (
        "record R { a: Int }\nrecord S { r: R? }\nfn f(s: S?) -> Int { s?.r?.a ?? 0 }",
        &[],
    ),
    (
        "record R { a: Int }\nfn f(r: R?) -> Int { r?.a }",
        &["E0201"],
    ),
    (
        "record R { a: Int }\nfn f(r: R?) -> Int { r.a }",
        &["E0107"],
    ),
    (
        "record R { a: Int }\nfn f(r: R) -> Int? { r?.a }",
        &["E0201"],
    ),
    (
        "record R { a: Int }\nfn f(r: R?) -> Int? { r?.b }",
        &["E0107"],
    ),
    ("fn f(x: Int?) -> Int? { x?.a }", &["E0107"]),
    ("fn f(d: Decision?) -> Bool { d?.permitted ?? false }", &[]),
    (
        "record R { a: Int }\npolicy p(r: R?) { permit \"x\" when r.a > 1; }",
        &["E0107"],
    ),
    ("policy p(x: Int) { permit \"x\" when y > x; }", &["E0101"]),
    // `break` and `continue`: in a loop only; they end their block like `return`, but a
    // loop that contains one still needs what follows it.
    ("fn f() { break; }", &["E0312"]),
    ("fn f() { for _i in 0..3 { } continue; }", &["E0312"]),
    ("fn f() -> Int { for _i in 0..3 { break; } }", &["E0308"]),
    (
        "fn f(c: Bool) -> Int { let mut t = 0; for i in 0..3 { let x = if c { continue; } else { i }; t += x; } t }",
        &[],
    ),
    (
        "fn f(xs: List<Int>) -> Int { for x in xs { if x > 0 { return x; } else { break; } } 0 }",
        &[],
    ),
    (
        "state s: Int;\ninit() { for _i in 0..3 { s = 1; break; } }",
        &["E0304"],
    ),
    (
        "state s: Int;\ninit() { for _i in 0..3 { break; } s = 1; }",
        &[],
    ),
    (
        "policy p() { let x = if true { break; } else { 1 }; permit \"a\" when x > 0; }",
        &["E0312"],
    ),
    (
        "fn f(break: Int) -> Int { let mut continue = break; continue += 1; continue * 2 }",
        &[],
    ),
    // `and`, `or`, `not` are reported once each and read as `&&`, `||`, `!`.
    (
        "fn f(a: Bool, b: Bool) -> Bool { a and not b }",
        &["E0016", "E0016"],
    ),
    // Properties: `let`, `assume`, `assert`; read-only; never called; no result.
    (
        "fn pos(n: Int) -> Bool { n > 0 }\nproperty p(n: Int) { let m = n; assume m > 0; assert pos(m), \"positive\"; }",
        &[],
    ),
    ("property p(n: Int) { assume n; }", &["E0201"]),
    ("property p(n: Int) { assert n > 0, 3; }", &["E0201"]),
    (
        "state s: Int = 0;\nproperty p(n: Int) { s = n; }",
        &["E0301", "E0313"],
    ),
    (
        "event E { n: Int }\nproperty p(n: Int) { emit E { n }; }",
        &["E0302", "E0313"],
    ),
    ("property p(n: Int) { for _i in 0..n { } }", &["E0313"]),
    ("property p(n: Int) -> Bool { assert n > 0; }", &["E0313"]),
    ("property p(n: Int) { n > 0 }", &["E0313"]),
    ("action a() { }\nproperty p() { a(); }", &["E0306", "E0313"]),
    (
        "property p(n: Int) { assert n > 0; }\nfn f() -> Bool { p(1); true }",
        &["E0314"],
    ),
    (
        "property p(n: Int) { assert n > 0; }\nproperty p(n: Int) { assert n > 1; }",
        &["E0102"],
    ),
    // Outside a property `assume` and `assert` are names.
    (
        "fn assert(assume: Int) -> Int { let assert = assume; assert }",
        &[],
    ),
    ("property p(assert: Bool) { assert assert; }", &[]),
];

#[test]
fn rules() {
    let mut failures = Vec::new();
    for (program, expected) in RULES {
        let text = format!("contract T;\n{program}");
        let checked = check(&text);
        let got: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        if got != *expected {
            failures.push(format!(
                "{program}\n  expected {expected:?}, got {got:?}\n{}",
                rendered(&checked)
            ));
        }
        let has_errors = diagnostics::has_errors(&checked.diagnostics);
        assert_eq!(checked.contract.is_some(), !has_errors, "{program}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} rules failed:\n\n{}",
        failures.len(),
        RULES.len(),
        failures.join("\n")
    );
}

// ---- typed trees ----------------------------------------------------------------------

#[test]
fn typed_trees() {
    insta::glob!("check/*.assent", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let program = Program::new(&text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checked = check::check_source(&name, &program.root, &program);
        let contract = checked
            .contract
            .as_ref()
            .unwrap_or_else(|| panic!("{name}:\n{}", rendered(&checked)));
        assert!(
            checked.diagnostics.is_empty(),
            "{name}:\n{}",
            rendered(&checked)
        );
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{}\n\n----- TYPED\n{}",
            text.trim_end(),
            contract.dump().trim_end()
        ));
    });
}

// ---- whole-program properties ------------------------------------------------------------

#[test]
fn standard_library_modules_check_clean_and_are_compiled_in() {
    for module in assent_stdlib::MODULES {
        let checked = check(&format!("contract T;\nimport {};\n", module.path));
        assert!(
            checked.diagnostics.is_empty(),
            "{}:\n{}",
            module.path,
            rendered(&checked)
        );
        let contract = checked.contract.unwrap();
        let functions: Vec<&str> = contract
            .functions
            .iter()
            .filter(|f| f.module == module.path)
            .map(|f| f.name.as_str())
            .collect();
        let expected: &[&str] = match module.path {
            "std.consent" => &["active"],
            "std.claims" => &["adjudicate"],
            _ => &["eth_signed"],
        };
        assert_eq!(functions, expected, "{}", module.path);
        assert!(contract.functions.iter().all(|f| !f.exported));
    }
}

#[test]
fn functions_come_after_their_callees() {
    let checked = check(
        "contract T;\nimport std.consent;\n\
         view top(p: Period) -> Bool { middle(p) && bottom() }\n\
         fn middle(p: Period) -> Bool { bottom() && active(p, now) }\n\
         fn bottom() -> Bool { true }\n",
    );
    let contract = checked.contract.unwrap();
    let names: Vec<&str> = contract.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["active", "bottom", "middle", "top"]);
    for (index, function) in contract.functions.iter().enumerate() {
        let mut callees = Vec::new();
        let mut body = function.body.clone();
        assent_lang::typed::visit::exprs_mut(&mut body, &mut |e| {
            if let assent_lang::typed::ExprKind::Call { function, .. } = &e.kind {
                callees.push(function.index());
            }
        });
        assert!(
            callees.iter().all(|&c| c < index),
            "{}: {callees:?}",
            function.name
        );
    }
}

#[test]
fn checking_is_deterministic() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/patient_consent.assent");
    let text = std::fs::read_to_string(path).unwrap();
    let first = check(&text).contract.unwrap();
    let second = check(&text).contract.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.dump(), second.dump());
}

/// Nesting far deeper than the bound is an error (E0012), never a stack overflow, in
/// every kind of expression, statement, pattern and type.
#[test]
fn absurd_nesting_is_an_error_not_a_crash() {
    const DEPTH: usize = 10_000;
    let wrap = |open: &str, close: &str, inner: &str| {
        format!("{}{inner}{}", open.repeat(DEPTH), close.repeat(DEPTH))
    };
    let cases = [
        format!("fn f() -> Int {{ {} }}", wrap("(", ")", "1")),
        format!("fn f() {{ let x = {}; }}", wrap("(1, ", ")", "1")),
        format!("fn f() -> Int {{ {} }}", wrap("-", "", "1")),
        format!("fn f() -> Bool {{ {} }}", wrap("!", "", "true")),
        format!("fn f() -> Int {{ 1{} }}", " + 1".repeat(DEPTH)),
        format!(
            "fn f() -> Int {{ {} }}",
            wrap("if true { ", " } else { 0 }", "1")
        ),
        format!("fn f() -> Int? {{ {} }}", wrap("some(", ")", "1")),
        format!("fn f() -> Int {{ len({}) }}", wrap("[", "]", "1")),
        format!(
            "fn f(x: Int) -> Int {{ {} }}",
            wrap("match x { _ => ", " }", "1")
        ),
        format!(
            "fn f(x: Int) -> Int {{ match x {{ {} => 1 }} }}",
            wrap("some(", ")", "_")
        ),
        format!("fn f(x: {}) -> Int {{ 1 }}", wrap("List<", ">", "Int")),
        format!("fn f(x: Int{}) -> Int {{ 1 }}", "?".repeat(DEPTH)),
        format!("enum E {{ {} }}", wrap("A { ", " }", "B")),
        format!("fn f() {{ {} }}", wrap("for i in 0..1 { ", " }", "")),
    ];
    for case in cases {
        let text = format!("contract T;\n{case}\n");
        let got = codes(&text);
        assert!(
            got.contains(&"E0012"),
            "{}…: {got:?}",
            &case[..60.min(case.len())]
        );
    }
    // Below the parser's bound, but deep enough for the checker's own (blocks and `if`
    // count twice there).
    let ifs = 100;
    let text = format!(
        "contract T;\nfn f() -> Int {{ {}1{} }}\n",
        "if true { ".repeat(ifs),
        " } else { 0 }".repeat(ifs)
    );
    let got = codes(&text);
    assert!(got.contains(&"E0012"), "{got:?}");
}

#[test]
fn a_wide_match_stays_bounded() {
    let n = 300;
    let ty = format!("({})", vec!["Bool"; n].join(", "));
    let arms: String = (0..n)
        .map(|i| {
            let mut items = vec!["_"; n];
            items[i] = "true";
            format!("({}) => {i},\n", items.join(", "))
        })
        .collect();
    let text = format!("contract T;\nfn f(x: {ty}) -> Int {{ match x {{ {arms} }} }}\n");
    let got = codes(&text);
    assert_eq!(got, ["E0402"]);
}

// ---- robustness ---------------------------------------------------------------------------

/// Every valid program of the repository, for mutation.
fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in [
        "../contracts",
        "tests/spec_examples",
        "tests/check",
        "tests/diagnostics",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "assent"))
            .collect();
        paths.sort();
        texts.extend(paths.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    }
    texts.extend(
        RULES
            .iter()
            .map(|(program, _)| format!("contract T;\n{program}")),
    );
    texts
}

/// The text cut into words (identifier characters) and the runs between them.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let word_char = c.is_alphanumeric() || c == '_';
        if word_char != in_word && i > start {
            out.push(&text[start..i]);
            start = i;
        }
        in_word = word_char;
    }
    out.push(&text[start..]);
    out
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static CORPUS: LazyLock<Vec<String>> = LazyLock::new(corpus);

    /// Replaces word `at` by word `with` (both modulo the word count), or drops it.
    #[derive(Clone, Debug)]
    enum Mutation {
        Replace { at: usize, with: usize },
        Drop { at: usize },
        Swap { a: usize, b: usize },
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (any::<usize>(), any::<usize>()).prop_map(|(at, with)| Mutation::Replace { at, with }),
            any::<usize>().prop_map(|at| Mutation::Drop { at }),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap { a, b }),
        ]
    }

    fn apply(text: &str, mutations: &[Mutation]) -> String {
        let mut parts: Vec<String> = words(text).into_iter().map(str::to_string).collect();
        for m in mutations {
            let n = parts.len();
            match *m {
                Mutation::Replace { at, with } => parts[at % n] = parts[with % n].clone(),
                Mutation::Drop { at } => parts[at % n].clear(),
                Mutation::Swap { a, b } => parts.swap(a % n, b % n),
            }
        }
        parts.concat()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

        /// Mutated valid programs (and their imports): never a panic, a typed contract
        /// exactly when there is no error, spans inside their files, same result twice.
        #[test]
        fn mutated_programs_never_panic(
            which in any::<usize>(),
            mutations in proptest::collection::vec(mutation(), 1..4),
        ) {
            let original = &CORPUS[which % CORPUS.len()];
            let text = apply(original, &mutations);
            let checked = check(&text);
            prop_assert_eq!(
                checked.contract.is_some(),
                !diagnostics::has_errors(&checked.diagnostics)
            );
            for d in &checked.diagnostics {
                for label in std::iter::once(&d.primary).chain(&d.secondary) {
                    let file = checked.sources.get(label.file).unwrap();
                    prop_assert!(label.span.start <= label.span.end);
                    prop_assert!(label.span.end as usize <= file.text.len(), "{:?}", d);
                }
            }
            let again = check(&text);
            prop_assert_eq!(rendered(&checked), rendered(&again));
            prop_assert_eq!(checked.contract, again.contract);
        }
    }
}
