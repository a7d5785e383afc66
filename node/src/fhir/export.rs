//! A patient's grants, as the contract's views give them, written as one FHIR R5
//! Consent that [`import`](super::import) reads back to the same grants.

use assent_ledger::Address;
use assent_stdlib::time;
use serde_json::{Map, Value, json};

use super::{FhirErrors, Identities, vocabulary};

/// One grant with its exclusions, read from `grants_of` and `exclusion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRecord {
    pub grantee: Address,
    pub purposes: Vec<String>,
    pub classes: Vec<String>,
    pub start: i64,
    pub end: i64,
    pub except_purposes: Vec<String>,
    pub except_classes: Vec<String>,
}

fn malformed(path: &str, what: &str) -> FhirErrors {
    FhirErrors::one(
        path,
        format!("the contract's answer has no {what}: is this a `patient_consent` contract?"),
    )
}

fn codes(value: Option<&Value>, path: &str) -> Result<Vec<String>, FhirErrors> {
    value
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(path, "list of codes"))?
        .iter()
        .map(|code| {
            code.as_str()
                .map(str::to_owned)
                .ok_or_else(|| malformed(path, "code"))
        })
        .collect()
}

fn time_of(value: Option<&Value>, path: &str) -> Result<i64, FhirErrors> {
    value
        .and_then(Value::as_str)
        .and_then(time::parse_time_json)
        .ok_or_else(|| malformed(path, "time"))
}

/// The grants in the result of the view `grants_of(patient)`, without exclusions yet.
///
/// # Errors
/// The result does not have the shape of `patient_consent`'s `grants_of`.
pub fn grant_records(grants_of: &Value) -> Result<Vec<GrantRecord>, FhirErrors> {
    let list = grants_of
        .as_array()
        .ok_or_else(|| malformed("grants_of", "list of grants"))?;
    list.iter()
        .enumerate()
        .map(|(index, entry)| {
            let path = format!("grants_of[{index}]");
            let grantee = entry
                .get("grantee")
                .and_then(Value::as_str)
                .and_then(Address::from_hex)
                .ok_or_else(|| malformed(&path, "grantee"))?;
            let grant = entry
                .get("grant")
                .ok_or_else(|| malformed(&path, "grant"))?;
            let period = grant.get("period");
            Ok(GrantRecord {
                grantee,
                purposes: codes(grant.get("purposes"), &path)?,
                classes: codes(grant.get("classes"), &path)?,
                start: time_of(period.and_then(|p| p.get("start")), &path)?,
                end: time_of(period.and_then(|p| p.get("end")), &path)?,
                except_purposes: Vec::new(),
                except_classes: Vec::new(),
            })
        })
        .collect()
}

impl GrantRecord {
    /// Adds the result of the view `exclusion(patient, grantee)`: `null`, or the
    /// purposes and classes the grant leaves out.
    ///
    /// # Errors
    /// The result does not have the shape of `patient_consent`'s `exclusion`.
    pub fn set_exclusion(&mut self, exclusion: &Value) -> Result<(), FhirErrors> {
        if exclusion.is_null() {
            return Ok(());
        }
        self.except_purposes = codes(exclusion.get("purposes"), "exclusion")?;
        self.except_classes = codes(exclusion.get("classes"), "exclusion")?;
        Ok(())
    }
}

fn purpose_codings(codes: &[String]) -> Value {
    codes
        .iter()
        .map(|code| json!({ "system": vocabulary::ACT_REASON, "code": code }))
        .collect()
}

fn class_codings(codes: &[String]) -> Value {
    codes
        .iter()
        .map(|class| match vocabulary::resource_type_of_class(class) {
            Some(resource_type) => {
                json!({ "system": vocabulary::RESOURCE_TYPES_R5, "code": resource_type })
            }
            None => json!({ "system": vocabulary::DATA_CLASS, "code": class }),
        })
        .collect()
}

/// `patient`'s grants as an R5 Consent: `decision` permit, one provision per grant, and
/// inside it one deny provision for the purposes and one for the classes it leaves out.
pub fn export(patient: Address, grants: &[GrantRecord], identities: &Identities) -> Value {
    let mut consent = Map::new();
    consent.insert("resourceType".into(), json!("Consent"));
    consent.insert("status".into(), json!("active"));
    consent.insert("subject".into(), identities.reference_to(patient));
    consent.insert("decision".into(), json!("permit"));
    let provisions: Vec<Value> = grants
        .iter()
        .map(|grant| {
            let mut provision = Map::new();
            provision.insert(
                "period".into(),
                json!({ "start": time::format_time(grant.start), "end": time::format_time(grant.end) }),
            );
            provision.insert(
                "actor".into(),
                json!([{
                    "role": { "coding": [{ "system": vocabulary::PARTICIPATION_TYPE, "code": vocabulary::RECIPIENT }] },
                    "reference": identities.reference_to(grant.grantee),
                }]),
            );
            provision.insert(
                "action".into(),
                json!([{ "coding": [{ "system": vocabulary::CONSENT_ACTION, "code": "access" }] }]),
            );
            provision.insert("purpose".into(), purpose_codings(&grant.purposes));
            provision.insert("resourceType".into(), class_codings(&grant.classes));
            let mut exceptions = Vec::new();
            if !grant.except_purposes.is_empty() {
                exceptions.push(json!({ "purpose": purpose_codings(&grant.except_purposes) }));
            }
            if !grant.except_classes.is_empty() {
                exceptions.push(json!({ "resourceType": class_codings(&grant.except_classes) }));
            }
            if !exceptions.is_empty() {
                provision.insert("provision".into(), Value::Array(exceptions));
            }
            Value::Object(provision)
        })
        .collect();
    // FHIR forbids empty arrays: a patient without grants has a Consent without provisions.
    if !provisions.is_empty() {
        consent.insert("provision".into(), Value::Array(provisions));
    }
    Value::Object(consent)
}
