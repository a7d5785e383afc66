//! FHIR Consent in and out of `patient_consent` (`assent fhir import`, `assent fhir
//! export`; docs/fhir.md).
//!
//! Reading order: [`vocabulary`] (the code systems and their codes) → [`identities`]
//! (FHIR references ↔ addresses) → `read` (a Consent, R4 or R5, read strictly into
//! [`Consent`]: every element is mapped or refused with its path) → `import` (a
//! [`Consent`] as contract calls) → `export` (the patient's grants as an R5 Consent).
//!
//! The mapping is pure: no IO, no clock (the caller passes the time a start is compared
//! with), never panics on a document.
//!
//! ```
//! use assent_node::fhir::{self, Identities};
//! use assent_ledger::Address;
//!
//! let identities = Identities::from_json(
//!     r#"{"Patient/p1": "0x00000000000000000000000000000000000000a1",
//!         "Practitioner/d1": "0x00000000000000000000000000000000000000d1"}"#,
//! )
//! .expect("a valid identities file");
//! let document: serde_json::Value = serde_json::from_str(r#"{
//!     "resourceType": "Consent", "status": "active", "decision": "permit",
//!     "subject": {"reference": "Patient/p1"},
//!     "provision": [{
//!         "period": {"end": "2027-01-01T00:00:00Z"},
//!         "actor": [{"reference": {"reference": "Practitioner/d1"}}],
//!         "purpose": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TREAT"}],
//!         "resourceType": [{"system": "http://hl7.org/fhir/fhir-types", "code": "Immunization"}]
//!     }]
//! }"#).expect("JSON");
//! let calls = fhir::import(&document, &identities, None, 0).expect("expressible");
//! assert_eq!(calls[0].method, "grant");
//! assert_eq!(calls[0].args["classes"], serde_json::json!(["Immunization"]));
//! ```

mod export;
mod identities;
mod import;
mod read;
pub mod vocabulary;

use std::fmt;

use serde_json::Value;

pub use export::{GrantRecord, export, grant_records};
pub use identities::Identities;
pub use import::{Call, import};
pub use read::{Consent, Exception, Rule, Version, read};

/// One element of a document that cannot be expressed, or that is malformed: its path
/// (`provision.provision[1].actor[0].role`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FhirError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for FhirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// Every problem found in one document (never empty): the elements refused, in document
/// order, then what the elements read cannot express.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FhirErrors(pub Vec<FhirError>);

impl fmt::Display for FhirErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FhirErrors {}

impl FhirErrors {
    fn one(path: impl Into<String>, message: impl Into<String>) -> FhirErrors {
        FhirErrors(vec![FhirError {
            path: path.into(),
            message: message.into(),
        }])
    }

    /// The errors as JSON, `[{"path", "message"}]`, for `--json` and snapshots.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|error| serde_json::json!({ "path": error.path, "message": error.message }))
                .collect(),
        )
    }
}
