//! The identities file: which address each FHIR reference (`Practitioner/123`,
//! `Patient/abc`) stands for.

use std::collections::BTreeMap;

use assent_ledger::Address;
use serde_json::Value;

use super::{FhirErrors, vocabulary};

/// FHIR references and the addresses they stand for, one-to-one.
#[derive(Clone, Debug, Default)]
pub struct Identities {
    by_reference: BTreeMap<String, Address>,
    by_address: BTreeMap<Address, String>,
}

impl Identities {
    /// Reads an identities file: one JSON object, reference → address,
    /// `{"Practitioner/123": "0x…", "Patient/abc": "0x…"}`.
    ///
    /// # Errors
    /// Not a JSON object, a value that is not an address, or one address given to two
    /// references (export could not tell which to write); each with its key as path.
    pub fn from_json(text: &str) -> Result<Identities, FhirErrors> {
        let value: Value = serde_json::from_str(text)
            .map_err(|error| FhirErrors::one("", format!("not valid JSON: {error}")))?;
        let Value::Object(entries) = value else {
            return Err(FhirErrors::one(
                "",
                "an identities file is one JSON object: reference → address",
            ));
        };
        let mut identities = Identities::default();
        let mut errors = Vec::new();
        for (reference, address) in &entries {
            let parsed = address.as_str().and_then(Address::from_hex);
            match parsed {
                None => errors.push(super::FhirError {
                    path: reference.clone(),
                    message: "not an address: write \"0x\" and 40 hex digits".into(),
                }),
                Some(address) => {
                    if let Some(other) = identities.by_address.get(&address) {
                        errors.push(super::FhirError {
                            path: reference.clone(),
                            message: format!("{address} is already `{other}`"),
                        });
                        continue;
                    }
                    identities.by_address.insert(address, reference.clone());
                    identities.by_reference.insert(reference.clone(), address);
                }
            }
        }
        if errors.is_empty() {
            Ok(identities)
        } else {
            Err(FhirErrors(errors))
        }
    }

    /// The address a reference stands for.
    pub fn address(&self, reference: &str) -> Option<Address> {
        self.by_reference.get(reference).copied()
    }

    /// How export names an address: `{"reference": "Practitioner/123"}` when the file
    /// has it, else `{"identifier": {"system": "urn:assent:address", "value": "0x…"}}`.
    pub fn reference_to(&self, address: Address) -> Value {
        match self.by_address.get(&address) {
            Some(reference) => serde_json::json!({ "reference": reference }),
            None => serde_json::json!({
                "identifier": { "system": vocabulary::ADDRESS, "value": address.to_string() }
            }),
        }
    }
}
