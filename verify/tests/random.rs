//! The prover against a reference: random small arithmetic properties, decided by
//! `assent verify`, then evaluated concretely with the VM's arithmetic (checked `i64`,
//! division toward zero, percentages rounded half away from zero — the rules of
//! `vm/src/host/arith.rs` and the codegen's checked helpers, written out again here).
//!
//! Proven ⇒ no random evaluation within the assumed ranges violates the assertion or
//! aborts; counterexample ⇒ evaluating at the counterexample's values does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use assent_lang::check::{self, FileLoader};
use assent_stdlib::value::Value;
use assent_verify::{Solver, Status};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum E {
    A,
    B,
    Lit(i64),
    Add(Box<E>, Box<E>),
    Sub(Box<E>, Box<E>),
    Mul(Box<E>, Box<E>),
    Div(Box<E>, Box<E>),
    Rem(Box<E>, Box<E>),
    Neg(Box<E>),
    Min(Box<E>, Box<E>),
    Abs(Box<E>),
    /// `e * p%`, `p` in basis points.
    Percent(Box<E>, i64),
}

impl E {
    fn text(&self) -> String {
        match self {
            E::A => "a".into(),
            E::B => "b".into(),
            E::Lit(n) if *n < 0 => format!("(-{})", n.unsigned_abs()),
            E::Lit(n) => n.to_string(),
            E::Add(x, y) => format!("({} + {})", x.text(), y.text()),
            E::Sub(x, y) => format!("({} - {})", x.text(), y.text()),
            E::Mul(x, y) => format!("({} * {})", x.text(), y.text()),
            E::Div(x, y) => format!("({} / {})", x.text(), y.text()),
            E::Rem(x, y) => format!("({} % {})", x.text(), y.text()),
            E::Neg(x) => format!("(-{})", x.text()),
            E::Min(x, y) => format!("min({}, {})", x.text(), y.text()),
            E::Abs(x) => format!("abs({})", x.text()),
            E::Percent(x, p) => format!(
                "({} * {})",
                x.text(),
                assent_stdlib::json::format_percent(*p)
            ),
        }
    }

    /// The value, or `None` where the VM aborts.
    fn eval(&self, a: i64, b: i64) -> Option<i64> {
        Some(match self {
            E::A => a,
            E::B => b,
            E::Lit(n) => *n,
            E::Add(x, y) => x.eval(a, b)?.checked_add(y.eval(a, b)?)?,
            E::Sub(x, y) => x.eval(a, b)?.checked_sub(y.eval(a, b)?)?,
            E::Mul(x, y) => x.eval(a, b)?.checked_mul(y.eval(a, b)?)?,
            E::Div(x, y) => x.eval(a, b)?.checked_div(y.eval(a, b)?)?,
            E::Rem(x, y) => {
                let (x, y) = (x.eval(a, b)?, y.eval(a, b)?);
                if y == 0 {
                    return None;
                }
                // The VM gives 0 for `MIN % -1` (the helper special-cases -1).
                if y == -1 { 0 } else { x % y }
            }
            E::Neg(x) => x.eval(a, b)?.checked_neg()?,
            E::Min(x, y) => x.eval(a, b)?.min(y.eval(a, b)?),
            E::Abs(x) => x.eval(a, b)?.checked_abs()?,
            E::Percent(x, p) => {
                let n = i128::from(x.eval(a, b)?) * i128::from(*p);
                let (q, r) = (n / 10_000, n % 10_000);
                let rounded = if r.abs() * 2 >= 10_000 {
                    if n < 0 { q - 1 } else { q + 1 }
                } else {
                    q
                };
                i64::try_from(rounded).ok()?
            }
        })
    }
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        Just(E::A),
        Just(E::B),
        (-20i64..20).prop_map(E::Lit),
        Just(E::Lit(i64::MAX)),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(x, y)| E::Add(x.into(), y.into())),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| E::Sub(x.into(), y.into())),
            (inner.clone(), -3i64..4).prop_map(|(x, k)| E::Mul(x.into(), E::Lit(k).into())),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| E::Div(x.into(), y.into())),
            (inner.clone(), 1i64..5).prop_map(|(x, k)| E::Rem(x.into(), E::Lit(k).into())),
            inner.clone().prop_map(|x| E::Neg(x.into())),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| E::Min(x.into(), y.into())),
            inner.clone().prop_map(|x| E::Abs(x.into())),
            (
                inner,
                prop_oneof![
                    Just(0i64),
                    Just(1250),
                    Just(5000),
                    Just(10_000),
                    1i64..20_000
                ]
            )
                .prop_map(|(x, p)| E::Percent(x.into(), p)),
        ]
    })
}

struct NoImports;

impl FileLoader for NoImports {
    fn load(&self, _: &str) -> Result<String, String> {
        Err("no imports".into())
    }
}

const OPS: [&str; 4] = ["<=", "<", "==", "!="];

fn holds(op: &str, x: i64, y: i64) -> bool {
    match op {
        "<=" => x <= y,
        "<" => x < y,
        "==" => x == y,
        _ => x != y,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn verdicts_agree_with_concrete_evaluation(
        lhs in expr(),
        rhs in expr(),
        op in 0usize..4,
        range in prop_oneof![Just(10i64), Just(1000), Just(1i64 << 40)],
        samples in proptest::collection::vec((any::<i64>(), any::<i64>()), 64),
    ) {
        let op = OPS[op];
        let text = format!(
            "contract R;\nproperty p(a: Int, b: Int) {{\n    assume a >= -{range} && a <= {range} && b >= -{range} && b <= {range};\n    assert {} {op} {};\n}}\n",
            lhs.text(),
            rhs.text()
        );
        let checked = check::check_source("r.assent", &text, &NoImports);
        let contract = checked.contract.expect("generated properties check");
        let solver = Solver { timeout_seconds: 5, ..Solver::default() };
        let results = assent_verify::verify_contract(&contract, &solver).expect("z3 runs");
        let violated = |a: i64, b: i64| match (lhs.eval(a, b), rhs.eval(a, b)) {
            (Some(x), Some(y)) => !holds(op, x, y),
            _ => true,
        };
        match &results[0].status {
            Status::Proven => {
                let edges = [-range, -1, 0, 1, range];
                for a in edges {
                    for b in edges {
                        prop_assert!(!violated(a, b), "proven, but violated at a={a} b={b}:\n{text}");
                    }
                }
                for (a, b) in samples {
                    let (a, b) = (a.rem_euclid(2 * range + 1) - range, b.rem_euclid(2 * range + 1) - range);
                    prop_assert!(!violated(a, b), "proven, but violated at a={a} b={b}:\n{text}");
                }
            }
            Status::Counterexample(c) => {
                let value = |name: &str| {
                    c.values.iter().find(|v| v.name == name).and_then(|v| match &v.value {
                        Some((Value::Int(n), _)) => Some(*n),
                        _ => None,
                    })
                };
                let (a, b) = (value("a").unwrap_or(0), value("b").unwrap_or(0));
                prop_assert!(a.abs() <= range && b.abs() <= range, "outside the assumption:\n{text}");
                prop_assert!(violated(a, b), "counterexample a={a} b={b} does not violate:\n{text}\n{}", results[0].details());
            }
            Status::Unknown(_) => {}
        }
    }
}
