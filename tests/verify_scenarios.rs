//! `assent verify --scenario` end to end, through the `assent` binary: for each contract
//! of `verify/tests/reach/` and the broken samples of `verify/tests/broken/`, every
//! counterexample's run of actions is searched, each scenario written is run by
//! `assent test` on the VM and must pass (the failure reproduces), and a counterexample
//! whose state no run reaches is reported as not reached. A run too long to search whole
//! (the broken drug_supply's four actions) starts with a `--prefix` of actions named.
//! Snapshots under
//! `tests/snapshots/verify_scenarios__*` hold what `assent verify` printed and the
//! scenarios it wrote.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/binary.rs"]
mod binary;
use binary::{assent, text};

use std::path::{Path, PathBuf};

#[path = "common/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

/// What `--scenario` gave for one contract: `assent verify`'s output and the scenarios
/// written, each with the name of its file.
struct Reproduced {
    output: String,
    scenarios: Vec<(String, serde_json::Value)>,
}

/// Runs `assent verify FILE --scenario DIR --depth K [--prefix ACTIONS]`, then `assent test
/// DIR`, which must pass every scenario written. Returns the output, the scratch
/// directory's path replaced by `<DIR>`, and the scenarios, their contract paths reduced
/// to file names.
fn reproduce(contract: &str, depth: usize, prefix: &[&str]) -> Reproduced {
    let name = Path::new(contract).file_stem().unwrap().to_string_lossy();
    let dir = TempDir::new(&format!("verify-scenarios-{name}"));
    let dir_text = dir.to_string_lossy().into_owned();
    let depth_text = depth.to_string();
    let prefix_text = prefix.join(",");
    let mut args = vec![
        "verify",
        contract,
        "--scenario",
        &dir_text,
        "--depth",
        &depth_text,
    ];
    if !prefix.is_empty() {
        args.extend(["--prefix", &prefix_text]);
    }
    let out = assent(&args);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{contract}: verify must find a counterexample\n{stderr}"
    );
    let output = text(&out.stdout).replace(&dir_text, "<DIR>");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut scenarios = Vec::new();
    for file in &files {
        let mut scenario: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for (_, source) in scenario["contracts"].as_object_mut().unwrap() {
            let full = dir.join(source.as_str().unwrap());
            assert!(
                full.exists(),
                "{}: the contract path must resolve",
                file.display()
            );
            *source = full
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
                .into();
        }
        let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
        scenarios.push((file_name, scenario));
    }
    if !scenarios.is_empty() {
        let run = assent(&["test", &dir_text]);
        assert!(
            run.status.success(),
            "{contract}: the generated scenarios must pass on the VM\n{}{}",
            text(&run.stdout),
            text(&run.stderr)
        );
        assert!(
            text(&run.stderr).contains(&format!("{} passed, 0 failed", scenarios.len()))
                || text(&run.stdout).contains(&format!("{} passed, 0 failed", scenarios.len())),
            "{}{}",
            text(&run.stdout),
            text(&run.stderr)
        );
    }
    Reproduced { output, scenarios }
}

/// The snapshot text: the output, then each scenario.
fn snapshot(contract: &str, depth: usize, prefix: &[&str], reproduced: &Reproduced) -> String {
    let mut out = format!("$ assent verify {contract} --scenario <DIR> --depth {depth}");
    if !prefix.is_empty() {
        out.push_str(&format!(" --prefix {}", prefix.join(",")));
    }
    out.push('\n');
    out.push_str(&reproduced.output);
    for (file, scenario) in &reproduced.scenarios {
        out.push_str(&format!(
            "\n----- <DIR>/{file}\n{}\n",
            serde_json::to_string_pretty(scenario).unwrap()
        ));
    }
    out
}

/// One contract: the search (`--depth`, `--prefix`), the number of scenarios
/// `--scenario` must write for it and the properties it must report as not reached.
struct Case {
    contract: &'static str,
    depth: usize,
    prefix: &'static [&'static str],
    written: usize,
    not_reached: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        contract: "verify/tests/reach/guardian_marketing.assent",
        depth: 2,
        prefix: &[],
        written: 1,
        not_reached: &[],
    },
    Case {
        contract: "verify/tests/reach/payment_limit.assent",
        depth: 2,
        prefix: &[],
        written: 2,
        not_reached: &[],
    },
    Case {
        contract: "verify/tests/reach/grant_periods.assent",
        depth: 2,
        prefix: &[],
        written: 0,
        not_reached: &["periods_start_before_they_end"],
    },
    Case {
        contract: "verify/tests/broken/patient_consent_without_marketing_deny.assent",
        depth: 2,
        prefix: &[],
        written: 1,
        not_reached: &[],
    },
    Case {
        contract: "verify/tests/broken/claims_without_network_deny.assent",
        depth: 2,
        prefix: &[],
        written: 1,
        not_reached: &[],
    },
    // A custodian is registered, anchors a record and revokes it: three actions (the
    // attestation, which needs a signature, is never needed).
    Case {
        contract: "verify/tests/broken/record_registry_revocation_needs_amendment.assent",
        depth: 3,
        prefix: &[],
        written: 2,
        not_reached: &[],
    },
    // An IRB approves the form, the participant consents (a loop over the set of
    // optional components) and withdraws: three actions.
    Case {
        contract: "verify/tests/broken/trial_consent_without_withdrawn_deny.assent",
        depth: 3,
        prefix: &[],
        written: 1,
        not_reached: &[],
    },
    // The registrar authorises a manufacturer, which registers a product (a GTIN-14 with
    // its check digit) and commissions a unit, which is then quarantined: four actions,
    // too deep to search whole within the timeout, so the run's actions are named (their
    // arguments, callers and times searched). Both properties the bug breaks are reached,
    // each checked through the copy's `verification_of` view.
    Case {
        contract: "verify/tests/broken/drug_supply_quarantine_verifies.assent",
        depth: 0,
        prefix: &[
            "authorise_partner",
            "register_product",
            "commission",
            "quarantine",
        ],
        written: 2,
        not_reached: &[],
    },
];

#[test]
fn generated_scenarios_reproduce_each_failure_on_the_vm() {
    for case in CASES {
        let Case {
            contract,
            depth,
            prefix,
            written,
            not_reached,
        } = case;
        let reproduced = reproduce(contract, *depth, prefix);
        assert_eq!(
            reproduced.scenarios.len(),
            *written,
            "{contract}: scenarios written\n{}",
            reproduced.output
        );
        for property in *not_reached {
            assert!(
                reproduced.output.contains(&format!(
                    "`{property}`: no run of deployment and at most {depth} actions reaches a state that fails it"
                )),
                "{contract}: `{property}` must be reported as not reached\n{}",
                reproduced.output
            );
        }
        let name = Path::new(contract).file_stem().unwrap().to_string_lossy();
        insta::assert_snapshot!(
            name.into_owned(),
            snapshot(contract, *depth, prefix, &reproduced)
        );
    }
}
