//! The sample contracts of `contracts/` beyond what their scenario files check.
//!
//! The `contracts/**/*.scenario.json` files are the source of the samples' steps and
//! expectations; `tests/scenarios.rs` runs them through `assent test`. Here, reading every
//! receipt and view result of the real runner ([`assent_node::scenario::run`]'s trace):
//! - the sample scenarios are complete: every `message` is the whole abort message, every
//!   deploy and call lists its events, an event given with `fields` lists all of them, and
//!   every view that returns states what;
//! - every adjudication a sample contract returns or emits satisfies
//!   `submitted == contractual + patient_pays + plan_pays`.
//!
//! And on a ledger with the real executor: `std.claims.adjudicate` against a reference
//! formula (a property test), and a corrupted signature never recovering its signer. The
//! ABI JSON of every sample contract is snapshotted in `tests/snapshots/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use assent_ledger::executor::Outcome;
use assent_ledger::keys::{dev_address, dev_key};
use assent_ledger::receipt::Status;
use assent_ledger::tx::{Transaction, create_address, sign_prehash};
use assent_ledger::{Address, Chain, ChainConfig, DEFAULT_BLOCK_GAS_LIMIT, MemoryStore};
use assent_node::executor::{ViewRequest, ViewResult, VmExecutor};
use assent_node::scenario::{self, Options};
use assent_stdlib::json::{HexOnly, hex, parse_money, to_json};
use assent_stdlib::value::{Type, Value};
use assent_vm::VmConfig;
use common::compile_file;
use serde_json::{Value as Json, json};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "common/scenario_files.rs"]
mod scenario_files;
use scenario_files::scenario_files;

/// One sample scenario run by the real runner: its steps as written, and per step what
/// the runner traced (a transaction's receipt, a view's result, an advance's block).
struct Ran {
    name: String,
    steps: Vec<Json>,
    trace: Vec<Json>,
}

/// Every sample scenario of `contracts/`, run; each must pass.
fn sample_scenarios() -> Vec<Ran> {
    let mut files = Vec::new();
    scenario_files(&repo().join("contracts"), &mut files);
    assert!(!files.is_empty(), "contracts/ holds no scenario");
    files
        .into_iter()
        .map(|file| {
            let name = file
                .strip_prefix(repo())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let report = scenario::run(&file, &Options::default());
            assert!(
                report.passed(),
                "{name}: {:?} {:#?}",
                report.error,
                report.failures
            );
            let text = std::fs::read_to_string(&file).unwrap();
            let parsed: Json = serde_json::from_str(&text).unwrap();
            let steps = parsed["steps"].as_array().unwrap().clone();
            assert_eq!(
                steps.len(),
                report.trace.len(),
                "{name}: one trace per step"
            );
            Ran {
                name,
                steps,
                trace: report.trace,
            }
        })
        .collect()
}

/// What the runner observed for one step: status, message, return value and events
/// (`{contract, name, fields, indexed, audit}`); `None` for an `advance`.
fn observed(trace: &Json) -> Option<(String, Option<String>, Json, Vec<Json>)> {
    if let Some(receipt) = trace.get("receipt") {
        return Some((
            receipt["status"].as_str().unwrap().to_owned(),
            receipt
                .get("message")
                .and_then(Json::as_str)
                .map(str::to_owned),
            receipt["return"].clone(),
            receipt["events"].as_array().unwrap().clone(),
        ));
    }
    if let Some(rejected) = trace.get("rejected") {
        let message = rejected.as_str().map(str::to_owned);
        return Some(("rejected".to_owned(), message, Json::Null, Vec::new()));
    }
    if trace.get("view").is_some() {
        return Some((
            trace["status"].as_str().unwrap().to_owned(),
            trace["message"].as_str().map(str::to_owned),
            trace["return"].clone(),
            Vec::new(),
        ));
    }
    None
}

/// `assent test` reads `message` as a substring, an omitted `events` as unchecked and
/// event `fields` as a partial match; the sample scenarios are held to more, so that
/// each states the exact outcome of every step.
/// The README's example scenario, hand-written and meant to show partial matches.
const PARTIAL_BY_DESIGN: &str = "contracts/patient_consent.scenario.json";

#[test]
fn sample_scenarios_state_whole_messages_every_event_and_every_view_result() {
    for ran in sample_scenarios() {
        if ran.name == PARTIAL_BY_DESIGN {
            continue;
        }
        for (index, (step, trace)) in ran.steps.iter().zip(&ran.trace).enumerate() {
            let context = format!("{} step {}: {step}", ran.name, index + 1);
            let Some((status, message, _, events)) = observed(trace) else {
                continue;
            };
            let expect = step.get("expect").cloned().unwrap_or(json!({}));
            if let Some(wanted) = expect.get("message") {
                assert!(
                    expect.get("status").is_some(),
                    "{context}\n  a step with a `message` states its `status`"
                );
                assert_eq!(
                    message.as_deref(),
                    wanted.as_str(),
                    "{context}\n  `message` is the whole message"
                );
            }
            if step.get("view").is_some() {
                assert!(
                    status != "ok" || expect.get("returns").is_some(),
                    "{context}\n  a view step states what it returns"
                );
                continue;
            }
            let wanted_events = expect
                .get("events")
                .and_then(Json::as_array)
                .unwrap_or_else(|| panic!("{context}\n  a deploy or call step lists its events"));
            for (wanted, got) in wanted_events.iter().zip(&events) {
                let Some(fields) = wanted.get("fields").and_then(Json::as_object) else {
                    continue;
                };
                let mut given: Vec<&String> = fields.keys().collect();
                given.sort();
                let mut all: Vec<&String> = got["fields"].as_object().unwrap().keys().collect();
                all.sort();
                assert_eq!(
                    given, all,
                    "{context}\n  event {} lists all its fields",
                    got["name"]
                );
            }
        }
    }
}

/// Checks `submitted == contractual + patient_pays + plan_pays` on every adjudication
/// found in `json` (any object with those four fields), at any depth; how many it found.
fn check_adjudications(context: &str, json: &Json) -> usize {
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
            let here = match amounts {
                Some(amounts) => {
                    assert_eq!(
                        amounts[0],
                        amounts[1] + amounts[2] + amounts[3],
                        "{context}\n  submitted != contractual + patient_pays + plan_pays in {json}"
                    );
                    1
                }
                None => 0,
            };
            here + object
                .values()
                .map(|value| check_adjudications(context, value))
                .sum::<usize>()
        }
        Json::Array(items) => items
            .iter()
            .map(|item| check_adjudications(context, item))
            .sum(),
        _ => 0,
    }
}

#[test]
fn every_adjudication_the_sample_contracts_return_or_emit_balances() {
    for ran in sample_scenarios() {
        let mut checked = 0;
        for (index, trace) in ran.trace.iter().enumerate() {
            let context = format!("{} step {}", ran.name, index + 1);
            let Some((status, _, returns, events)) = observed(trace) else {
                continue;
            };
            if status == "ok" {
                checked += check_adjudications(&context, &returns);
            }
            // Aborted calls keep their `audit` events.
            for event in &events {
                checked += check_adjudications(&context, &event["fields"]);
            }
        }
        match ran.name.as_str() {
            // Every line the worked numbers adjudicate (those that do not abort).
            "contracts/stdlib/adjudicate.scenario.json" => {
                let lines = ran
                    .steps
                    .iter()
                    .filter(|step| step.pointer("/expect/returns").is_some())
                    .count();
                assert_eq!(checked, lines, "every line checked against the invariant");
            }
            "contracts/claims.scenario.json" => assert!(checked > 0, "claims adjudicates"),
            _ => {}
        }
    }
}

// ---- On a ledger with the real executor ----------------------------------------------------

const CHAIN_ID: u64 = 0x4153;
const GENESIS: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// `contracts/stdlib/stdlib_suite.assent` deployed by `tester` in block 1.
struct Suite {
    chain: Chain<MemoryStore>,
    executor: VmExecutor,
    address: Address,
}

impl Suite {
    fn new() -> Suite {
        let config = ChainConfig {
            chain_id: CHAIN_ID,
            block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
            genesis_time: GENESIS,
        };
        let mut chain = Chain::open(MemoryStore::new(), config).unwrap();
        let mut executor = VmExecutor::new(VmConfig::default()).unwrap();
        let code = compile_file("contracts/stdlib/stdlib_suite.assent").wasm;
        let deploy = Transaction {
            chain_id: CHAIN_ID,
            nonce: 0,
            gas_limit: 50_000_000,
            to: None,
            method: String::new(),
            args: "{}".into(),
            code,
        };
        let raw = deploy
            .sign(&dev_key("tester").unwrap())
            .unwrap()
            .encoded()
            .to_vec();
        let block = chain
            .produce_block(&mut executor, GENESIS + 1, &[raw])
            .unwrap();
        assert!(block.rejected.is_empty(), "{:?}", block.rejected);
        assert_eq!(block.receipts[0].status, Status::Ok, "{:?}", block.receipts);
        Suite {
            chain,
            executor,
            address: create_address(&dev_address("tester").unwrap(), 0),
        }
    }

    fn view(&mut self, method: &str, args: &Json) -> ViewResult {
        self.executor
            .view(
                &self.chain,
                &ViewRequest {
                    contract: self.address,
                    method,
                    args,
                    caller: Address::ZERO,
                    block: None,
                },
                &HexOnly,
            )
            .unwrap()
    }
}

/// A wallet's `personal_sign` of a 32-byte message (EIP-191), computed here from the
/// prefix bytes, independently of `std.crypto`: `r ‖ s ‖ v` with `v` 27 or 28.
fn personal_sign(account: &str, message: &[u8; 32]) -> String {
    let mut prefixed = b"\x19Ethereum Signed Message:\n32".to_vec();
    prefixed.extend_from_slice(message);
    let digest = assent_ledger::keccak256(&prefixed);
    let key = dev_key(account).unwrap();
    let signature = sign_prehash(&key, &digest).unwrap();
    let mut bytes = signature.r.to_vec();
    bytes.extend_from_slice(&signature.s);
    bytes.push(27 + signature.y_parity);
    hex(&bytes)
}

/// `contracts/stdlib/consent_crypto.scenario.json` recovers dr_lee from this signature;
/// with one bit flipped it recovers some other key (or none), never dr_lee's.
#[test]
fn a_flipped_signature_bit_never_recovers_the_signer() {
    let message = assent_ledger::keccak256(b"discharge summary, version 1");
    let signature = personal_sign("dr_lee", &message.0);
    let mut altered = signature.clone();
    altered.replace_range(10..11, if &signature[10..11] == "0" { "1" } else { "0" });
    let mut suite = Suite::new();
    let dr_lee = json!(dev_address("dr_lee").unwrap().to_string());
    let recovered = |suite: &mut Suite, signature: &str| {
        let result = suite.view(
            "personal_signer",
            &json!({ "h": hex(&message.0), "signature": signature }),
        );
        assert_eq!(result.outcome, Outcome::Ok, "{result:?}");
        result.return_value
    };
    assert_eq!(recovered(&mut suite, &signature), dr_lee);
    assert_ne!(recovered(&mut suite, &altered), dr_lee);
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

    let money = |cents: i64| to_json(&Value::Money(cents), &Type::Money);
    let cents = |json: &Json| {
        json.as_str()
            .and_then(parse_money)
            .unwrap_or_else(|| panic!("not money: {json}"))
    };
    // `run` takes a shared closure; each case borrows the suite in turn.
    let suite = std::cell::RefCell::new(Suite::new());
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
                let args = json!({
                    "benefit": { "deductible": money(b.0), "copay": money(b.1),
                                 "coinsurance": to_json(&Value::Percent(b.2), &Type::Percent),
                                 "oop_max": money(b.3) },
                    "before": { "deductible_met": money(acc.0), "oop_met": money(acc.1) },
                    "submitted": money(submitted),
                    "allowed": money(allowed),
                });
                let result = suite.borrow_mut().view("adjudicate_line", &args);
                prop_assert_eq!(&result.outcome, &Outcome::Ok, "{:?}", result);
                let line = &result.return_value;
                let got = [
                    cents(&line["allowed"]),
                    cents(&line["contractual"]),
                    cents(&line["copay"]),
                    cents(&line["deductible"]),
                    cents(&line["coinsurance"]),
                    cents(&line["patient_pays"]),
                    cents(&line["plan_pays"]),
                    cents(&line["after"]["deductible_met"]),
                    cents(&line["after"]["oop_met"]),
                ];
                let codes: Vec<&str> = line["codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|code| code.as_str().unwrap())
                    .collect();
                let (expected, expected_codes) = reference_adjudication(b, acc, submitted, allowed);
                prop_assert_eq!(cents(&line["submitted"]), submitted);
                prop_assert_eq!(got, expected);
                prop_assert_eq!(codes, expected_codes);
                // The invariant: submitted == contractual + patient_pays + plan_pays.
                prop_assert_eq!(submitted, got[1] + got[5] + got[6]);
                Ok(())
            },
        )
        .unwrap();
}
