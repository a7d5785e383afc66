//! The prover through one helper: contract files in, what `assent verify` says of each
//! property out.
//!
//! - `cases`: the files of `tests/cases/`, each snapshotted with its source and the
//!   verdicts (a property named `broken_…` or `refuted_…` must get a counterexample,
//!   `unknown_…` must be unknown, every other must be proven).
//! - `samples`: every property of `contracts/*.assent` is proven.
//! - `broken_samples`: the copies in `tests/broken/` (a sample with a deny rule dropped
//!   or a rule changed) each get a counterexample.
//! - `compare_…`: `--compare` finds the request a new permit rule opens, and calls two
//!   identical versions equivalent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use assent_lang::check::{self, FileLoader};
use assent_verify::compare::{self, Verdict};
use assent_verify::{PropertyResult, Solver, Status};

struct Disk;

impl FileLoader for Disk {
    fn load(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

/// Checks and verifies the contract at `path`; panics with the diagnostics when it does
/// not check.
fn verify(path: &Path) -> Vec<PropertyResult> {
    verify_with(path, &Solver::default())
}

/// [`verify`] with another solver.
fn verify_with(path: &Path, solver: &Solver) -> Vec<PropertyResult> {
    let name = path.to_string_lossy();
    let checked = check::check_file(&name, &Disk);
    let Some(contract) = checked.contract else {
        panic!(
            "{name} does not check:\n{}",
            assent_lang::diagnostics::render(&checked.sources, &checked.diagnostics, false)
        );
    };
    assent_verify::verify_contract(&contract, solver).expect("the solver runs")
}

/// What the property's name says it must get.
fn expected(property: &str) -> &'static str {
    if property.starts_with("broken_") || property.starts_with("refuted_") {
        "counterexample"
    } else if property.starts_with("unknown_") {
        "unknown"
    } else {
        "proven"
    }
}

fn status(result: &PropertyResult) -> &'static str {
    match result.status {
        Status::Proven => "proven",
        Status::Counterexample(_) => "counterexample",
        Status::Unknown(_) => "unknown",
    }
}

/// The verdicts and, for each counterexample, what fails (the values a solver picks may
/// differ between its versions, so they are checked by `counterexamples_are_real`, not
/// snapshotted).
fn report(results: &[PropertyResult]) -> String {
    let mut out = String::new();
    for result in results {
        out.push_str(&result.line());
        out.push('\n');
    }
    for result in results {
        if let Some(first) = result.details().lines().next() {
            out.push_str(first);
            out.push('\n');
        }
    }
    out
}

#[test]
fn cases() {
    insta::glob!("cases/*.assent", |path| {
        let results = verify(path);
        for result in &results {
            assert_eq!(
                status(result),
                expected(&result.property),
                "{}",
                result.line()
            );
        }
        let source = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(format!(
            "----- SOURCE\n{source}----- VERIFY\n{}",
            report(&results)
        ));
    });
}

#[test]
fn broken_samples_get_counterexamples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let results = verify(&path);
        let refuted: Vec<&PropertyResult> = results
            .iter()
            .filter(|r| status(r) == "counterexample")
            .collect();
        assert!(
            !refuted.is_empty(),
            "{}: no counterexample\n{}",
            path.display(),
            report(&results)
        );
        // Printed readably: in the language's own notation, never the solver's.
        for result in refuted {
            let details = result.details();
            for raw in ["mk@", "some@", "none@", "as const", "(store ", "(_ bv"] {
                assert!(
                    !details.contains(raw),
                    "{}: `{raw}` in the counterexample\n{details}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn every_sample_property_is_proven() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
    let mut total = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "assent") {
            let results = verify(&path);
            total += results.len();
            for result in &results {
                assert_eq!(
                    status(result),
                    "proven",
                    "{}\n{}",
                    result.line(),
                    result.details()
                );
            }
        }
    }
    assert!(total >= 15, "only {total} sample properties");
}

/// cvc5, the optional second solver, gives Z3's verdict on every case, broken sample and
/// sample. Skipped, saying so, where cvc5 is not installed (CI installs only Z3).
#[test]
fn cvc5_agrees_with_z3() {
    let cvc5 = Solver {
        program: "cvc5".to_string(),
        ..Solver::default()
    };
    if let Err(error) = cvc5.probe() {
        eprintln!("cvc5_agrees_with_z3: skipped: {error}");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0;
    for dir in ["tests/cases", "tests/broken", "../contracts"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "assent"))
            .collect();
        paths.sort();
        for path in paths {
            let z3 = verify(&path);
            let other = verify_with(&path, &cvc5);
            for (a, b) in z3.iter().zip(&other) {
                assert_eq!(
                    status(a),
                    status(b),
                    "{}\nz3:   {}\ncvc5: {}",
                    path.display(),
                    a.line(),
                    b.line()
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "only {compared} properties compared");
}

/// Checks the contract at `path` (relative to the crate).
fn contract(path: &str) -> assent_lang::typed::Contract {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let checked = check::check_file(&path.to_string_lossy(), &Disk);
    checked.contract.expect("checks")
}

#[test]
fn compare_finds_the_request_a_new_permit_rule_opens() {
    let old = contract("../contracts/patient_consent.assent");
    let new = contract("tests/compare/patient_consent_with_research.assent");
    let verdict = compare::compare(&old, &new, "may_access", &Solver::default())
        .expect("z3 runs")
        .expect("comparable");
    let Verdict::Differences(differences) = verdict else {
        panic!("expected a difference, got {verdict:?}");
    };
    assert_eq!(differences.len(), 1, "{differences:?}");
    let difference = &differences[0];
    assert!(difference.newly_permitted);
    assert_eq!(difference.new_rule, "research");
    let shown = |name: &str| {
        difference
            .example
            .values
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.literal.clone())
            .unwrap_or_default()
    };
    assert!(
        shown("purpose").starts_with("PurposeOfUse.HRESCH")
            || shown("purpose") == "PurposeOfUse.CLINTRCH",
        "{}",
        difference.describe()
    );
    assert_eq!(shown("class"), "DataClass.Lab", "{}", difference.describe());
}

#[test]
fn compare_reports_identical_versions_equivalent() {
    let old = contract("../contracts/patient_consent.assent");
    let verdict = compare::compare(&old, &old, "may_access", &Solver::default())
        .expect("z3 runs")
        .expect("comparable");
    assert!(matches!(verdict, Verdict::Equivalent), "{verdict:?}");
}

/// A solver that runs out of time (a stand-in that answers `timeout` to every query)
/// makes every property unknown, saying so, and never proven.
#[test]
fn a_solver_timeout_is_unknown_never_proven() {
    let dir = std::env::temp_dir().join(format!("assent-verify-timeout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("z3");
    std::fs::write(&program, "#!/bin/sh\ncat > /dev/null\necho timeout\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let solver = Solver {
        program: program.to_string_lossy().into_owned(),
        timeout_seconds: 1,
    };
    let results = verify_with(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/patient_consent.assent"),
        &solver,
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!results.is_empty());
    for result in &results {
        assert_eq!(status(result), "unknown", "{}", result.line());
        assert!(
            result.line().contains("ran out of time"),
            "{}",
            result.line()
        );
    }
}
