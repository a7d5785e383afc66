//! The scenario runner end to end, through the `assent` binary: every sample scenario
//! passes, the runner's output for a passing and a deliberately failing scenario
//! (snapshots under `tests/scenarios/snapshots`, scenario and output together), traces
//! identical across processes, and `assent build` and `assent replay`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/binary.rs"]
mod binary;
use binary::{assent, repo, text};

use std::path::{Path, PathBuf};

#[path = "common/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("scenarios-{name}"))
}

#[path = "common/scenario_files.rs"]
mod scenario_files;
use scenario_files::scenario_files;

#[test]
fn every_sample_scenario_passes() {
    let mut files = Vec::new();
    scenario_files(&repo().join("contracts"), &mut files);
    assert!(!files.is_empty(), "contracts/ holds no scenario");
    for file in files {
        let relative = file
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let out = assent(&["test", &relative]);
        assert!(
            out.status.success(),
            "{relative} fails:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(text(&out.stdout).ends_with("1 passed, 0 failed\n"));
    }
}

/// The runner's output for `tests/scenarios/<name>.scenario.json`, shown with the file.
fn snapshot_run(name: &str, expect_success: bool) {
    let path = format!("tests/scenarios/{name}.scenario.json");
    let out = assent(&["test", "--gas-report", &path]);
    assert_eq!(
        out.status.success(),
        expect_success,
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let scenario = std::fs::read_to_string(repo().join(&path)).unwrap();
    let shown = format!(
        "----- SCENARIO {path}\n{scenario}\n----- assent test --gas-report (exit {})\n{}",
        out.status.code().unwrap_or(-1),
        text(&out.stdout)
    );
    insta::with_settings!({
        snapshot_path => "scenarios/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, shown);
    });
}

#[test]
fn a_passing_scenario_reports_ok_and_gas_per_entry_point() {
    snapshot_run("passing", true);
}

#[test]
fn a_failing_scenario_shows_each_failing_step_with_a_diff() {
    snapshot_run("failing", false);
}

#[test]
fn partial_returns_event_contracts_and_kinds_and_names_for_addresses_match() {
    snapshot_run("matching", true);
}

/// A contract written from the docs alone, as a new author would (home-care visit
/// authorisations: interpolated abort messages, calendar days, `?.`, `continue`, tuples,
/// the count of a persistent set).
#[test]
fn a_contract_written_from_the_docs_alone_passes_its_scenario() {
    snapshot_run("home_care", true);
}

#[test]
fn the_closing_line_counts_scenario_files() {
    let out = assent(&["test", "tests/scenarios", "contracts"]);
    assert_eq!(out.status.code(), Some(1));
    // Every file passes but the deliberately failing one.
    let mut files = Vec::new();
    scenario_files(&repo().join("tests/scenarios"), &mut files);
    scenario_files(&repo().join("contracts"), &mut files);
    let closing = format!("\n{} passed, 1 failed\n", files.len() - 1);
    assert!(
        text(&out.stdout).ends_with(&closing),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_broken_scenario_file_is_a_failure_with_its_reason() {
    let dir = temp_dir("broken");
    let cases = [
        ("not_json", "{ \"time\": ".to_string()),
        (
            "two_actions",
            r#"{"time": "2026-01-01T00:00:00Z", "steps": [{"view": "a.b", "advance": "1d"}]}"#
                .to_string(),
        ),
        (
            "bad_time",
            r#"{"time": "yesterday", "steps": []}"#.to_string(),
        ),
        (
            "missing_contract",
            r#"{"time": "2026-01-01T00:00:00Z", "contracts": {"c": "nope.assent"}, "steps": []}"#
                .to_string(),
        ),
        (
            "unknown_event_field",
            format!(
                r#"{{"time": "2026-01-01T00:00:00Z", "contracts": {{"tally": "{}"}},
                    "steps": [{{"deploy": "tally", "from": "bob", "args": {{"keeper_": "bob"}}}},
                              {{"call": "tally.pay", "from": "bob", "args": {{"amount": "1"}},
                                "expect": {{"events": [{{"name": "Paid", "fields": {{"studdy": 1}}}}]}}}}]}}"#,
                repo().join("tests/scenarios/tally.assent").display()
            ),
        ),
        (
            "unknown_event_key",
            r#"{"time": "2026-01-01T00:00:00Z", "steps": [{"view": "a.b",
                "expect": {"events": [{"name": "Paid", "feilds": {}}]}}]}"#
                .to_string(),
        ),
        (
            "name_clash",
            format!(
                r#"{{"time": "2026-01-01T00:00:00Z", "contracts": {{"alice": "{}"}},
                    "steps": [{{"deploy": "alice", "from": "bob", "args": {{"keeper_": "alice"}}}}]}}"#,
                repo().join("tests/scenarios/tally.assent").display()
            ),
        ),
    ];
    let mut shown = String::new();
    for (name, contents) in cases {
        let path = dir.join(format!("{name}.scenario.json"));
        std::fs::write(&path, contents).unwrap();
        let out = assent(&["test", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stdout = text(&out.stdout).replace(&dir.display().to_string(), "<dir>");
        shown.push_str(&stdout);
    }
    insta::with_settings!({
        snapshot_path => "scenarios/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("broken_files", shown);
    });
}

#[test]
fn abort_positions_name_their_file_relative_to_the_contract() {
    let dir = temp_dir("positions");
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::write(
        dir.join("lib/payer.assent"),
        "contract Payer;\nimport std.claims;\n\naction pay(submitted: Money) -> Money {\n    let benefit = Benefit { deductible: $0, copay: $0, coinsurance: 0%, oop_max: $100 };\n    let before = Accumulators { deductible_met: $0, oop_met: $0 };\n    let a = adjudicate(benefit, before, submitted, submitted);\n    a.plan_pays\n}\n\naction refuse() {\n    abort \"no\";\n}\n",
    )
    .unwrap();
    let scenario = r#"{
      "time": "2026-01-01T00:00:00Z",
      "contracts": { "payer": "lib/payer.assent" },
      "steps": [
        { "deploy": "payer", "from": "alice" },
        { "call": "payer.pay", "from": "alice", "args": { "submitted": "-1.00" },
          "expect": { "status": "aborted", "message": "must not be negative",
                      "position": { "file": "std/claims.assent", "line": 36, "column": 5 } } },
        { "call": "payer.refuse", "from": "alice",
          "expect": { "status": "aborted", "position": { "file": "payer.assent", "line": 12 } } },
        { "call": "payer.refuse", "from": "alice",
          "expect": { "status": "aborted", "position": { "file": "lib/payer.assent" } } }
      ]
    }"#;
    let path = dir.join("positions.scenario.json");
    std::fs::write(&path, scenario).unwrap();
    let out = assent(&["test", "--trace", path.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    // Only the last step fails: positions are relative to the contract's own directory.
    assert!(stdout.contains("1 failed"), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("position: expected lib/payer.assent:?:?, got payer.assent:12:5"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("step 2") && !stdout.contains("step 3"),
        "{stdout}"
    );
}

#[test]
fn advance_takes_integer_seconds_and_steps_take_their_block_time() {
    let dir = temp_dir("times");
    std::fs::write(
        dir.join("clock.assent"),
        "contract Clock;\n\naction stamp() -> Time {\n    now\n}\n\nview time_now() -> Time {\n    now\n}\n",
    )
    .unwrap();
    let scenario = r#"{
      "time": "2026-01-01T00:00:00Z",
      "contracts": { "clock": "clock.assent" },
      "steps": [
        { "deploy": "clock", "from": "alice" },
        { "advance": 86400 },
        { "view": "clock.time_now", "expect": { "returns": "2026-01-02T00:00:01Z" } },
        { "advance": "1d" },
        { "view": "clock.time_now", "expect": { "returns": "2026-01-03T00:00:01Z" } },
        { "call": "clock.stamp", "from": "alice", "at": "2026-02-01T00:00:00Z",
          "expect": { "returns": "2026-02-01T00:00:00Z" } },
        { "call": "clock.stamp", "from": "alice", "at": 1769990400,
          "expect": { "returns": "2026-02-02T00:00:00Z" } },
        { "call": "clock.stamp", "from": "alice",
          "expect": { "returns": "2026-02-02T00:00:01Z" } }
      ]
    }"#;
    let path = dir.join("clock.scenario.json");
    std::fs::write(&path, scenario).unwrap();
    let out = assent(&["test", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // An `at` that is not after the previous block fails the step and says why.
    let backwards = scenario.replace("1769990400", "1769904000");
    std::fs::write(&path, backwards).unwrap();
    let out = assent(&["test", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("is not after the previous block's time"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_same_scenario_in_two_processes_gives_identical_receipts_and_gas() {
    let run = || {
        let out = assent(&[
            "test",
            "--trace",
            "--gas-report",
            "contracts/patient_consent.scenario.json",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        out.stdout
    };
    let first = run();
    let second = run();
    assert_eq!(text(&first), text(&second));
    // The trace holds every receipt with its gas and every block's state root.
    let trace = text(&first);
    assert!(trace.contains("\"gas_used\""), "{trace}");
    assert!(trace.contains("\"state_root\""), "{trace}");
}

/// One JSON snapshot per sample scenario file: every step's receipt (status, message and
/// position, return value, events, exact gas), every view's result and every block's state
/// root. Gas is deterministic, so a gas change is a reviewed snapshot change.
#[test]
fn every_sample_scenario_trace_is_snapshotted() {
    let mut files = Vec::new();
    scenario_files(&repo().join("contracts"), &mut files);
    for file in files {
        let relative = file
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let out = assent(&["test", "--trace", &relative]);
        assert!(out.status.success(), "{relative}: {}", text(&out.stderr));
        let lines: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert!(!lines.is_empty(), "{relative} traced nothing");
        // `contracts/stdlib/adjudicate.scenario.json` → `trace_stdlib_adjudicate`.
        let name = relative
            .trim_start_matches("contracts/")
            .trim_end_matches(".scenario.json")
            .replace('/', "_");
        insta::with_settings!({
            snapshot_path => "scenarios/snapshots",
            prepend_module_to_snapshot => false,
            description => relative.clone(),
            omit_expression => true,
        }, {
            insta::assert_json_snapshot!(format!("trace_{name}"), lines);
        });
    }
}

#[test]
fn build_emits_wasm_wat_and_abi() {
    let dir = temp_dir("build");
    let wasm = dir.join("consent.wasm");
    let out = assent(&[
        "build",
        "contracts/patient_consent.assent",
        "-o",
        wasm.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&wasm).unwrap();
    assert_eq!(&bytes[..4], b"\0asm");

    let out = assent(&[
        "build",
        "contracts/patient_consent.assent",
        "--emit",
        "wat",
        "-o",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let wat = text(&out.stdout);
    assert!(wat.starts_with("(module"), "{wat}");
    assert!(wat.contains("(export \"memory\""), "{wat}");

    let out = assent(&[
        "build",
        "contracts/patient_consent.assent",
        "--emit",
        "abi",
        "-o",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let abi: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(abi["contract"], "PatientConsent");
    let entries: Vec<&str> = abi["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    assert!(entries.contains(&"may_access"), "{entries:?}");

    // A contract with an error: diagnostics, exit 1, nothing written.
    let bad = dir.join("bad.assent");
    std::fs::write(&bad, "contract Bad;\naction a() { missing = 1; }\n").unwrap();
    let out = assent(&["build", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("missing"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.join("bad.wasm").exists());
}

/// Runs the consent scenario with `--data`; the data directory it leaves in `dir`.
fn stored_scenario_ledger(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let out = assent(&[
        "test",
        "--data",
        data.to_str().unwrap(),
        "contracts/patient_consent.scenario.json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    data
}

#[test]
fn replay_reproduces_a_stored_scenario_ledger() {
    let dir = temp_dir("replay");
    let data = stored_scenario_ledger(&dir);
    let out = assent(&["replay", "--data", data.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).starts_with("replayed 14 blocks"),
        "{}",
        text(&out.stdout)
    );
    // Not a terminal: plain lines at every tenth of the way, no bar redrawn in place.
    let stderr = text(&out.stderr);
    assert!(stderr.contains("14/14 blocks"), "{stderr}");
    assert!(!stderr.contains('\r'), "{stderr:?}");
    assert!(stderr.lines().count() <= 11, "{stderr}");

    let out = assent(&["replay", "--data", dir.join("empty").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("holds no ledger"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs like the real executor but reports one more gas unit: a ledger it writes
/// disagrees with any honest replay.
struct Skewed(assent_node::executor::VmExecutor);

impl assent_ledger::Executor for Skewed {
    fn check(
        &mut self,
        state: &mut dyn assent_ledger::StateAccess,
        tx: &assent_ledger::tx::VerifiedTransaction,
    ) -> Result<Result<(), assent_ledger::tx::TxError>, assent_ledger::LedgerError> {
        self.0.check(state, tx)
    }

    fn apply(
        &mut self,
        state: &mut dyn assent_ledger::StateAccess,
        tx: &assent_ledger::tx::VerifiedTransaction,
        env: &assent_ledger::BlockEnv,
    ) -> Result<assent_ledger::ExecutionResult, assent_ledger::LedgerError> {
        let mut result = self.0.apply(state, tx, env)?;
        result.gas_used += 1;
        Ok(result)
    }
}

#[test]
fn replay_stops_at_the_first_block_that_differs() {
    use assent_ledger::keys::{dev_address, dev_key};
    use assent_ledger::tx::{Transaction, create_address};
    use assent_ledger::{Chain, RedbStore};
    use assent_node::executor::VmExecutor;

    let dir = temp_dir("mismatch");
    let data = stored_scenario_ledger(&dir);
    {
        let store = RedbStore::open(&data.join("ledger.redb")).unwrap();
        let mut chain = Chain::open_existing(store).unwrap();
        let alice = dev_address("alice").unwrap();
        let tx = Transaction {
            chain_id: chain.config().chain_id,
            nonce: chain.nonce(&alice).unwrap(),
            gas_limit: 10_000_000,
            to: Some(create_address(&alice, 0)),
            method: "appoint_guardian".into(),
            args: format!(r#"{{"guardian": "{}"}}"#, dev_address("dave").unwrap()),
            code: Vec::new(),
        };
        let raw = tx
            .sign(&dev_key("alice").unwrap())
            .unwrap()
            .encoded()
            .to_vec();
        let mut skewed = Skewed(VmExecutor::new(assent_vm::VmConfig::default()).unwrap());
        let time = chain.head().time + 1;
        let block = chain.produce_block(&mut skewed, time, &[raw]).unwrap();
        assert_eq!(block.header.number, 15);
        assert!(block.rejected.is_empty());
    }
    let out = assent(&["replay", "--data", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: replay of block 15 gives receipts root"),
        "{stderr}"
    );
}
