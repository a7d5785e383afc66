//! Every example of LANGUAGE.md checks clean. Fragments of the spec are completed into
//! whole contracts in `tests/spec_examples/` (the declarations they assume are added);
//! the complete example of §1 is `contracts/patient_consent.assent`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use assent_lang::check::{self, FileLoader};
use assent_lang::diagnostics;

struct Disk;

impl FileLoader for Disk {
    fn load(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

fn assert_checks_clean(path: &Path) {
    let name = path.to_string_lossy();
    let checked = check::check_file(&name, &Disk);
    assert!(
        checked.diagnostics.is_empty() && checked.contract.is_some(),
        "{name}:\n{}",
        diagnostics::render(&checked.sources, &checked.diagnostics, false)
    );
}

#[test]
fn spec_examples_check_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec_examples");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 4);
    for path in paths {
        assert_checks_clean(&path);
    }
}

#[test]
fn sample_contracts_check_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "assent") {
            assert_checks_clean(&path);
            count += 1;
        }
    }
    assert!(count >= 1);
}

/// Each standard-library module checks clean as imported by a contract, and its
/// functions are compiled into that contract.
#[test]
fn standard_library_checks_clean() {
    struct NoFiles;
    impl FileLoader for NoFiles {
        fn load(&self, _: &str) -> Result<String, String> {
            Err("no such file".to_string())
        }
    }
    for module in assent_stdlib::MODULES {
        let source = format!("contract UsesStd;\nimport {};\n", module.path);
        let checked = check::check_source("uses_std.assent", &source, &NoFiles);
        assert!(
            checked.diagnostics.is_empty(),
            "{}:\n{}",
            module.path,
            diagnostics::render(&checked.sources, &checked.diagnostics, false)
        );
        let contract = checked.contract.unwrap();
        assert!(
            contract.functions.iter().any(|f| f.module == module.path),
            "{}: no function compiled in",
            module.path
        );
    }
}
