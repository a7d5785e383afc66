//! `check` of a generated 2,000-line contract: parse, resolve, type-check, static rules.
//! The figure is quoted in `docs/performance.md` (target: under 20 ms).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use assent_lang::check::{self, FileLoader};
use criterion::{Criterion, criterion_group, criterion_main};

struct NoImports;

impl FileLoader for NoImports {
    fn load(&self, _path: &str) -> Result<String, String> {
        Err("no such file".to_string())
    }
}

/// A realistic contract of about `lines` lines: records, state, events, actions with
/// loops and matches, views and policies over the standard library's vocabularies.
fn generated_contract(lines: usize) -> String {
    let mut src = String::from(
        "/// Generated benchmark contract.\ncontract Bench;\n\nimport std.consent;\nimport std.claims;\n\n",
    );
    let mut n = 0;
    while src.lines().count() < lines {
        src.push_str(&format!(
            r#"record Entry{n} {{
    owner: Address,
    amount: Money,
    share: Percent,
    until: Time,
    purposes: Set<PurposeOfUse>,
    note: String?,
}}

state entries{n}: Map<(Address, Int), Entry{n}>;
state total{n}: Money = $0;
state limit{n}: Duration = 30d;

event Stored{n} {{ indexed owner: Address, key: Int, amount: Money }}

fn fee{n}(e: Entry{n}, days: Int) -> Money {{
    let base = e.amount * e.share;
    let mut sum = $0;
    for i in 0..days {{
        sum = sum + base;
    }}
    match e.note {{
        some(text) => if text.starts_with("waived") {{ $0 }} else {{ sum }},
        none => sum,
    }}
}}

action store{n}(key: Int, amount: Money, share: Percent, purposes: Set<PurposeOfUse>) {{
    require amount >= $0, "amount must not be negative";
    require key >= 0 && key < 1000, "key out of range";
    let e = Entry{n} {{ owner: caller, amount, share, until: now + limit{n}, purposes, note: none }};
    entries{n}[(caller, key)] = e;
    total{n} = total{n} + fee{n}(e, 3);
    emit Stored{n} {{ owner: caller, key, amount }};
}}

view amount{n}(owner: Address, key: Int) -> Money {{
    match entries{n}.get((owner, key)) {{
        some(e) => e.amount,
        none => $0,
    }}
}}

policy may_read{n}(owner: Address, actor: Address, purpose: PurposeOfUse, class: DataClass) {{
    deny "marketing" when purpose in PurposeOfUse.HMARKT;
    deny "sensitive" when class in DataClass.Sensitive unless purpose in PurposeOfUse.ETREAT;
    permit "self" when actor == owner;
    permit "entry" when entries{n}.contains((owner, 0)) && purpose in PurposeOfUse.TREAT;
}}

"#
        ));
        n += 1;
    }
    src
}

fn bench_check(c: &mut Criterion) {
    let src = generated_contract(2_000);
    let checked = check::check_source("bench.assent", &src, &NoImports);
    assert!(
        checked.contract.is_some(),
        "the generated contract must check clean: {:?}",
        checked.diagnostics
    );
    let lines = src.lines().count();
    c.bench_function(&format!("check {lines}-line contract"), |b| {
        b.iter(|| check::check_source("bench.assent", black_box(&src), &NoImports))
    });
    // The parser's share of the above.
    c.bench_function(&format!("parse {lines}-line contract"), |b| {
        b.iter(|| assent_lang::syntax::parse(assent_lang::span::FileId(0), black_box(&src)))
    });
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
