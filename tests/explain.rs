//! Decisions that explain themselves, end to end through the `assent` binary: every
//! policy decision of the sample scenarios explained (snapshots under
//! `tests/explain/snapshots`: each explanation starts with the call and its arguments), the
//! scenario `view` step option, and the promise that explaining changes nothing on the
//! ledger — the same trace, gas and state roots with and without it, and a deployed module
//! that never carries notes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/binary.rs"]
mod binary;
use binary::{assent, repo, text};

use std::path::Path;

use assent_node::files::DiskLoader;

#[path = "common/scenario_files.rs"]
mod scenario_files;
use scenario_files::scenario_files;

/// The sample scenarios, relative to the repository.
fn samples() -> Vec<String> {
    let mut files = Vec::new();
    scenario_files(&repo().join("contracts"), &mut files);
    assert!(!files.is_empty(), "contracts/ holds no scenario");
    files
        .iter()
        .map(|file| {
            file.strip_prefix(repo())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The one helper of this layer: `assent test` with `flags` on `path`, which must pass;
/// its standard output.
fn run(flags: &[&str], path: &str) -> String {
    let mut args = vec!["test"];
    args.extend_from_slice(flags);
    args.push(path);
    let out = assent(&args);
    assert!(
        out.status.success(),
        "assent {}:\n{}{}",
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn snapshot(name: &str, shown: &str) {
    insta::with_settings!({
        snapshot_path => "explain/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, shown);
    });
}

#[test]
fn every_policy_decision_of_the_samples_is_explained() {
    let mut explained = 0;
    for path in samples() {
        let out = run(&["--explain"], &path);
        let stem = Path::new(&path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".scenario.json")
            .to_owned();
        // Samples without policies explain nothing (and say nothing more).
        if out.lines().count() <= 2 {
            continue;
        }
        explained += 1;
        snapshot(
            &format!("samples_{stem}"),
            &format!("----- assent test --explain {path}\n{out}"),
        );
    }
    assert!(explained >= 3, "only {explained} samples have policies");
}

#[test]
fn explaining_changes_no_gas_no_result_and_no_state_root() {
    for path in samples() {
        let lines = |out: String| -> Vec<String> {
            out.lines()
                .filter(|line| line.starts_with('{'))
                .map(str::to_owned)
                .collect()
        };
        let plain = lines(run(&["--trace"], &path));
        let explaining = lines(run(&["--trace", "--explain"], &path));
        assert!(!plain.is_empty(), "{path} has no trace");
        assert_eq!(plain, explaining, "{path}: explaining changed the trace");
    }
}

#[test]
fn a_view_step_asks_for_its_explanation() {
    let path = "tests/explain/view_step.scenario.json";
    let scenario = std::fs::read_to_string(repo().join(path)).unwrap();
    let out = run(&[], path);
    snapshot(
        "view_step",
        &format!("----- SCENARIO {path}\n{scenario}\n----- assent test {path}\n{out}"),
    );
}

#[test]
fn only_a_view_step_takes_explain() {
    let out = assent(&["test", "tests/explain/explain_on_a_call.scenario.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("step 2: only a `view` step (of a policy) takes `explain`"),
        "{}",
        text(&out.stdout)
    );
}

/// The deployed module is the one `compile` makes, byte for byte; the module with notes
/// imports `explain_note`, which the chain's validator refuses and only a VM made for
/// explaining accepts.
#[test]
fn the_module_with_notes_is_never_deployable() {
    for contract in [
        "contracts/patient_consent.assent",
        "contracts/claims.assent",
        "contracts/trial_consent.assent",
    ] {
        let path = repo().join(contract);
        let name = path.to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let plain = assent_lang::compile(&name, &source, &DiskLoader).unwrap();
        let explaining = assent_lang::compile_explaining(&name, &source, &DiskLoader).unwrap();
        assert_eq!(
            plain.compiled.wasm, explaining.compilation.compiled.wasm,
            "{contract}"
        );
        assert_ne!(plain.compiled.wasm, explaining.wasm, "{contract}");
        assert!(assent_vm::validate(&plain.compiled.wasm).is_ok());
        let refused = assent_vm::validate(&explaining.wasm)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("unknown import `assent.explain_note`"),
            "{contract}: {refused}"
        );
        assert!(assent_vm::validate_explaining(&explaining.wasm).is_ok());
    }
}
