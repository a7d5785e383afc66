//! End-to-end tests of the `assent` binary: exit codes, output streams, file handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn assent(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "common/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("cli-{name}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn sample_contracts_check_clean() {
    // Standard-library modules have no `contract` line; lang/tests/spec_examples.rs checks them.
    let out = assent(&["check", "contracts"], &repo());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("0 errors"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_reports_errors_with_position_and_code_and_fails() {
    let dir = temp_dir("check-error");
    std::fs::write(
        dir.join("bad.assent"),
        "contract C;\n\nview v(fee: Money) -> Money {\n    fee + 1\n}\n",
    )
    .unwrap();
    let out = assent(&["check", "bad.assent"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.assent:4:9"), "{stderr}");
    assert!(stderr.contains("E0202"), "{stderr}");
}

#[test]
fn check_json_lists_diagnostics_for_tools() {
    let dir = temp_dir("check-json");
    std::fs::write(dir.join("bad.assent"), "contract C;\nstate x: Integer;\n").unwrap();
    let out = assent(&["check", "--format", "json", "bad.assent"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json[0];
    assert_eq!(first["code"], "E0106");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "bad.assent");
    assert_eq!(first["line"], 2);
}

#[test]
fn warnings_leave_exit_status_zero() {
    let dir = temp_dir("check-warning");
    std::fs::write(
        dir.join("warn.assent"),
        "contract C;\n\nview v(x: Int) -> Int {\n    let unused = x;\n    x\n}\n",
    )
    .unwrap();
    let out = assent(&["check", "warn.assent"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("W0003"), "{}", text(&out.stderr));
}

#[test]
fn check_of_a_missing_file_is_a_clear_error() {
    let dir = temp_dir("check-missing");
    let out = assent(&["check", "nope.assent"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nope.assent"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn repository_sources_are_formatted() {
    let out = assent(&["fmt", "--check", "contracts", "stdlib/std"], &repo());
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn fmt_rewrites_a_file_and_check_mode_reports_it() {
    let dir = temp_dir("fmt-rewrite");
    let file = dir.join("messy.assent");
    std::fs::write(&file, "contract   C;\nstate  n : Int=0;\n").unwrap();
    let out = assent(&["fmt", "--check", "messy.assent"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "--- a/messy.assent\n+++ b/messy.assent\n@@ -1,2 +1,2 @@\n-contract   C;\n-state  n : Int=0;\n+contract C;\n+state n: Int = 0;\n"
    );
    assert!(text(&out.stderr).contains("would reformat messy.assent"));
    let out = assent(&["fmt", "messy.assent"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "contract C;\nstate n: Int = 0;\n"
    );
    let out = assent(&["fmt", "--check", "messy.assent"], &dir);
    assert!(out.status.success());
}

#[test]
fn fmt_never_rewrites_a_file_that_does_not_parse() {
    let dir = temp_dir("fmt-broken");
    let file = dir.join("broken.assent");
    let original = "contract C;\naction a( {\n";
    std::fs::write(&file, original).unwrap();
    let out = assent(&["fmt", "broken.assent"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("does not parse"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn every_command_has_help() {
    for command in ["check", "fmt", "verify"] {
        let out = assent(&[command, "--help"], &repo());
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Usage"), "{command}");
    }
}

// ---- assent verify (the prover itself is tested in verify/tests/) ------------------------

#[test]
fn verify_proves_every_sample_property() {
    let out = assent(&["verify", "contracts"], &repo());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let proven = stdout.lines().filter(|l| l.ends_with(": proven")).count();
    assert!(proven >= 15, "{stdout}");
    assert_eq!(proven, stdout.lines().count(), "{stdout}");
}

#[test]
fn verify_reports_a_counterexample_with_status_1() {
    let out = assent(
        &[
            "verify",
            "verify/tests/broken/patient_consent_without_marketing_deny.assent",
        ],
        &repo(),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("no_marketing: counterexample"), "{stdout}");
    assert!(
        stdout.contains("counterexample for `no_marketing`"),
        "{stdout}"
    );
    assert!(stdout.contains("purpose = PurposeOfUse.HMARKT"), "{stdout}");
}

#[test]
fn verify_prints_json() {
    let out = assent(
        &[
            "verify",
            "--format",
            "json",
            "verify/tests/broken/trial_consent_without_withdrawn_deny.assent",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|i| i["file"].is_string() && i["property"].is_string())
    );
    let refuted = items
        .iter()
        .find(|i| i["property"] == "withdrawn_never_collected")
        .unwrap();
    assert_eq!(refuted["status"], "counterexample");
    assert!(refuted["counterexample"]["values"]["participant"].is_string());
}

#[test]
fn verify_without_a_solver_says_how_to_install_one() {
    let out = assent(
        &["verify", "--solver", "no-such-solver-here", "contracts"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("apt-get install z3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn verify_of_a_file_that_does_not_check_is_status_2() {
    let dir = temp_dir("verify-broken");
    std::fs::write(
        dir.join("bad.assent"),
        "contract C;\nproperty p() { require true, \"x\"; }\n",
    )
    .unwrap();
    let out = assent(&["verify", "bad.assent"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("E0313"), "{}", text(&out.stderr));
}

#[test]
fn verify_compares_two_versions_of_a_policy() {
    let same = assent(
        &[
            "verify",
            "--compare",
            "contracts/patient_consent.assent",
            "contracts/patient_consent.assent",
            "may_access",
        ],
        &repo(),
    );
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert!(text(&same.stdout).contains("may_access: equivalent"));
    let changed = assent(
        &[
            "verify",
            "--compare",
            "contracts/patient_consent.assent",
            "verify/tests/compare/patient_consent_with_research.assent",
            "may_access",
        ],
        &repo(),
    );
    assert_eq!(changed.status.code(), Some(1));
    let stdout = text(&changed.stdout);
    assert!(
        stdout.contains("and the new one permits (rule research)"),
        "{stdout}"
    );
}
