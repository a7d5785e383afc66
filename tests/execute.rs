//! Compiled contracts executed on the VM: every operator and built-in with exact values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use assent_stdlib::value::Value;
use assent_vm::Outcome;
use common::deploy;

#[test]
fn smoke() {
    let contract = deploy(
        "contract C;\nview add(a: Int, b: Int) -> Int { a + b }\n",
        vec![],
    );
    let execution = contract.call("add", vec![Value::Int(2), Value::Int(40)]);
    assert_eq!(execution.outcome, Outcome::Ok(Some(Value::Int(42))));
}
