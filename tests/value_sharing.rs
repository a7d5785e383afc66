//! The host shares values between handles where it can (an option and the value taken
//! out of it, for one), but what a contract pays never depends on that: gas is what
//! copying values as the language's value semantics require costs. Each row is a view
//! whose value and gas were fixed with a host that copied instead of sharing (the gas
//! re-read when the schedule was repriced, which charges every handle and every copy
//! the same whichever way the host holds it); the values must stay independent too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use assent_stdlib::value::Value;
use assent_vm::Outcome;
use common::deploy;

/// (a view body returning an Int, its value, its gas)
#[rustfmt::skip]
const ROWS: &[(&str, i64, u64)] = &[
    // Wrapped, then the operand changed: the option keeps the old value.
    ("let mut x = [1, 2]; let o = some(x); x.push(3); x.len() * 10 + (o ?? [0]).len()", 32, 20_582),
    // The same after the operand was changed once (so that it is no longer shared with
    // the literal it was copied from).
    ("let mut x = [1, 2]; x.push(0); let o = some(x); x.push(3); x.len() * 10 + (o ?? [0]).len()", 43, 22_708),
    // Taken out, then changed: the option keeps its value.
    ("let o = some([1, 2]); let mut y = o ?? [0]; y.push(3); y.len() * 10 + (o ?? [0]).len()", 32, 21_150),
    // Taken out twice, each changed.
    ("let o = some([1, 2]); let mut y = o ?? [0]; let mut z = o ?? [0]; y.push(3); z.push(4); z.push(5); y.len() * 10 + z.len()", 34, 25_532),
    // A record in an option, taken out by a match, a field changed.
    ("let o = some(P { a: 1, b: [7] }); match o { some(q) => { let mut p = q; p.b.push(8); p.a = 2; p.b.len() * 100 + (o ?? q).b.len() * 10 + p.a }, none => 0 }", 212, 31_750),
    // A local map's value.
    ("let mut m: Map<Int, List<Int>> = [1: [1]]; let mut v = m.get(1) ?? [0]; v.push(2); v.len() * 10 + (m.get(1) ?? [0]).len()", 21, 26_774),
];

fn source() -> String {
    let mut source = String::from("contract Sharing;\nrecord P { a: Int, b: List<Int> }\n");
    for (index, (body, _, _)) in ROWS.iter().enumerate() {
        source.push_str(&format!("view row{index}() -> Int {{ {body} }}\n"));
    }
    source
}

#[test]
fn sharing_values_changes_neither_results_nor_gas() {
    let contract = deploy(&source(), vec![]);
    let got: Vec<(i64, u64)> = (0..ROWS.len())
        .map(|index| {
            let execution = contract.call(&format!("row{index}"), vec![]);
            match execution.outcome {
                Outcome::Ok(Some(Value::Int(value))) => (value, execution.gas_used),
                other => panic!("row {index}: {other:?}"),
            }
        })
        .collect();
    let expected: Vec<(i64, u64)> = ROWS.iter().map(|(_, value, gas)| (*value, *gas)).collect();
    assert_eq!(got, expected);
}
