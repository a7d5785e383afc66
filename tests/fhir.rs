//! FHIR Consent in and out of `patient_consent`: each document under `tests/fhir/consents`
//! with the calls it maps to, or the elements it is refused for (snapshots under
//! `tests/fhir/snapshots`, document and outcome together); and the round trip through a
//! real node: import, export, and the export imports back to the same grants.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod node_support;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use assent_ledger::keys::dev_address;
use assent_node::fhir::{self, Identities};
use assent_stdlib::time::{format_time, parse_time};
use node_support::{Node, repo, temp_dir};
use serde_json::{Value, json};

/// What the documents are compared with: a grant starts when it is recorded, so a
/// `period.start` after this is refused.
const NOW: &str = "2026-12-20T00:00:00Z";

fn identities() -> Identities {
    let text = std::fs::read_to_string(repo().join("tests/fhir/identities.json")).unwrap();
    Identities::from_json(&text).unwrap()
}

/// A document and what it maps to: `{"document", "calls"}` or `{"document", "errors"}`,
/// imported as alice (the patient of every document but one).
fn mapped(path: &Path) -> Value {
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let alice = dev_address("alice").unwrap();
    let now = parse_time(NOW).unwrap();
    match fhir::import(&document, &identities(), Some(alice), now) {
        Ok(calls) => {
            let calls: Vec<Value> = calls.iter().map(fhir::Call::to_json).collect();
            json!({ "document": document, "calls": calls })
        }
        Err(errors) => json!({ "document": document, "errors": errors.to_json() }),
    }
}

#[test]
fn consent_documents_map_to_their_calls_or_are_refused_with_paths() {
    insta::glob!("fhir/consents/*.json", |path| {
        let outcome = mapped(path);
        let name = path.file_name().unwrap().to_string_lossy();
        let refused = name.starts_with("refused-");
        assert_eq!(
            outcome.get("errors").is_some(),
            refused,
            "{name}: {outcome:#}"
        );
        insta::with_settings!({ snapshot_path => "fhir/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!("consent", outcome);
        });
    });
}

/// `assent` against `node` with the repository's identities file; its standard output,
/// after checking that it succeeded.
fn fhir_cli(node: &Node, keystore: &Path, args: &[&str]) -> String {
    let identities = repo().join("tests/fhir/identities.json");
    let mut all: Vec<&str> = vec!["fhir"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--identities", identities.to_str().unwrap()]);
    let out = node.cli(&all, keystore);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "assent {all:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The calls `document` maps to (a dry run through the CLI), sorted by grantee.
fn dry_run(node: &Node, keystore: &Path, contract: &str, document: &Path) -> Vec<Value> {
    let printed = fhir_cli(
        node,
        keystore,
        &[
            "import",
            document.to_str().unwrap(),
            "--contract",
            contract,
            "--from",
            "alice",
            "--dry-run",
            "--json",
        ],
    );
    let mut calls: Vec<Value> = serde_json::from_str::<Value>(&printed)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    calls.sort_by_key(|call| call["args"]["grantee"].as_str().unwrap().to_owned());
    calls
}

/// A repository document with its period moved to end `days` from now, written to `dir`.
fn current(name: &str, dir: &Path) -> std::path::PathBuf {
    let path = repo().join("tests/fhir/consents").join(name);
    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let end = format_time(i64::try_from(now).unwrap() + 200 * 86_400);
    let provision = match &mut document["provision"] {
        Value::Array(provisions) => &mut provisions[0],
        provision => provision,
    };
    provision["period"] = json!({ "end": end });
    let out = dir.join(name);
    std::fs::write(&out, document.to_string()).unwrap();
    out
}

#[test]
fn exported_consent_imports_back_to_the_same_grants() {
    let dir = temp_dir("fhir");
    let keystore = dir.join("keys");
    let node = Node::start(&dir.join("data"), "0");
    let deployed = node.cli(
        &[
            "deploy",
            "contracts/patient_consent.assent",
            "--from",
            "alice",
        ],
        &keystore,
    );
    assert!(deployed.status.success(), "{deployed:?}");
    let contract = String::from_utf8_lossy(&deployed.stdout).trim().to_owned();

    // Two documents, three grants: two with exclusions, one without.
    let mut expected = Vec::new();
    for name in ["r4-deny-one-actor.json", "r5-emergency.json"] {
        let document = current(name, &dir);
        expected.extend(dry_run(&node, &keystore, &contract, &document));
        let sent = fhir_cli(
            &node,
            &keystore,
            &[
                "import",
                document.to_str().unwrap(),
                "--contract",
                &contract,
                "--from",
                "alice",
            ],
        );
        assert!(sent.contains("ConsentGranted"), "{sent}");
    }
    expected.sort_by_key(|call| call["args"]["grantee"].as_str().unwrap().to_owned());
    let methods: Vec<&str> = expected
        .iter()
        .map(|call| call["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods
            .iter()
            .filter(|method| **method == "grant_except")
            .count(),
        2
    );
    assert_eq!(
        methods.iter().filter(|method| **method == "grant").count(),
        1
    );

    let export = |file: &str| {
        let exported = fhir_cli(&node, &keystore, &["export", &contract, "Patient/alice"]);
        let consent: Value = serde_json::from_str(&exported).unwrap();
        assert_eq!(consent["resourceType"], "Consent");
        assert_eq!(consent["subject"], json!({ "reference": "Patient/alice" }));
        let path = dir.join(file);
        std::fs::write(&path, exported).unwrap();
        path
    };
    let exported = export("exported.json");
    assert_eq!(dry_run(&node, &keystore, &contract, &exported), expected);

    // An opt-out revokes dr_bob's grant: the next export has the other two.
    let opt_out = repo().join("tests/fhir/consents/r5-opt-out.json");
    let sent = fhir_cli(
        &node,
        &keystore,
        &[
            "import",
            opt_out.to_str().unwrap(),
            "--contract",
            &contract,
            "--from",
            "alice",
        ],
    );
    assert!(sent.contains("ConsentRevoked"), "{sent}");
    let dr_bob = dev_address("dr_bob").unwrap().to_string();
    expected.retain(|call| call["args"]["grantee"] != dr_bob.as_str());
    let exported = export("exported-after-opt-out.json");
    assert_eq!(dry_run(&node, &keystore, &contract, &exported), expected);

    // A document the contract cannot express sends nothing and names the element.
    let refused = node.cli(
        &[
            "fhir",
            "import",
            "tests/fhir/consents/refused-r4-unsupported-elements.json",
            "--contract",
            &contract,
            "--from",
            "alice",
            "--identities",
            "tests/fhir/identities.json",
        ],
        &keystore,
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("`provision.provision[1].actor[0].role.coding[0]`"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    node.stop();
}

#[test]
fn the_vocabulary_is_the_contracts_purposes_and_classes_in_order() {
    let built = assent_node::pipeline::compile_file(
        &repo().join("contracts/patient_consent.assent"),
        false,
    )
    .unwrap();
    let variants = |wanted: &str| -> Vec<String> {
        built
            .compiled
            .abi
            .types
            .iter()
            .find_map(|ty| match ty {
                assent_stdlib::abi::TypeDesc::Enum { name, variants, .. } if name == wanted => {
                    Some(
                        variants
                            .iter()
                            .map(|variant| variant.name.clone())
                            .collect(),
                    )
                }
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(variants("PurposeOfUse"), fhir::vocabulary::PURPOSES);
    assert_eq!(variants("DataClass"), fhir::vocabulary::CLASSES);
}
