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
    for command in ["check", "fmt"] {
        let out = assent(&[command, "--help"], &repo());
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Usage"), "{command}");
    }
}
