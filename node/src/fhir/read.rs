//! A Consent, R4 or R5, read strictly: every element is either read into [`Consent`],
//! accepted as description that grants and denies nothing (listed in docs/fhir.md), or
//! refused with its path. Every problem is reported, not only the first.

use std::collections::BTreeSet;

use assent_ledger::Address;
use assent_stdlib::time;
use serde_json::{Map, Value};

use super::{FhirError, FhirErrors, Identities, vocabulary};

/// The FHIR release a document follows, told by its shape: R4's `patient` and one
/// `provision` with a `type`; R5's `subject`, `decision` and a list of provisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    R4,
    R5,
}

/// A Consent as the contract can hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    pub version: Version,
    /// The patient the document is about (`patient` in R4, `subject` in R5), when given.
    pub patient: Option<Address>,
    /// `true` for a permit (grants), `false` for a deny (revocations).
    pub permit: bool,
    /// One rule per top-level provision (R4 has one).
    pub rules: Vec<Rule>,
}

/// One top-level provision: who, for what, which data, until when, and its exceptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The provision's path, for errors found later (`provision`, `provision[1]`).
    pub path: String,
    /// The actors, each with its path.
    pub actors: Vec<(String, Address)>,
    /// Purpose codes, as `PurposeOfUse` names.
    pub purposes: BTreeSet<usize>,
    /// Data classes, as positions in [`vocabulary::CLASSES`].
    pub classes: BTreeSet<usize>,
    /// `period.start`, with its path.
    pub start: Option<(String, i64)>,
    /// `period.end`.
    pub end: Option<i64>,
    /// Nested provisions of the opposite decision.
    pub exceptions: Vec<Exception>,
}

/// A nested provision: the exception a rule makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub path: String,
    /// The actors it is limited to; empty for every actor of the rule.
    pub actors: Vec<(String, Address)>,
    pub purposes: BTreeSet<usize>,
    pub classes: BTreeSet<usize>,
}

/// Elements that describe the document and grant or deny nothing: read past.
const DESCRIPTIVE_R4: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "text",
    "language",
    "implicitRules",
    "identifier",
    "status",
    "scope",
    "category",
    "patient",
    "dateTime",
    "performer",
    "organization",
    "sourceAttachment",
    "sourceReference",
    "policy",
    "policyRule",
    "verification",
    "provision",
];
const DESCRIPTIVE_R5: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "text",
    "language",
    "implicitRules",
    "identifier",
    "status",
    "category",
    "subject",
    "date",
    "grantor",
    "manager",
    "controller",
    "sourceAttachment",
    "sourceReference",
    "regulatoryBasis",
    "policyBasis",
    "policyText",
    "verification",
    "decision",
    "provision",
];

/// Why an element is refused, for the ones a reader may expect to work.
fn refusal(name: &str) -> &'static str {
    match name {
        "securityLabel" => "security labels are not expressed: name the data classes instead",
        "code" => "a grant covers classes of data, not codes within them",
        "data" => "a grant covers classes of data, not single resources",
        "dataPeriod" => "a grant covers data of any date",
        "expression" => "a grant cannot be limited by an expression",
        "documentType" => "a grant covers classes of data, not document types",
        "extension" | "modifierExtension" => "extensions are not read",
        "contained" => "contained resources are not read",
        "grantee" => "name the grantees as `provision.actor`",
        "period" => "give the period on each provision",
        _ => "not an element of Consent that import reads",
    }
}

/// Reads `document` into a [`Consent`].
///
/// # Errors
/// Every element that is malformed or that the contract cannot express, with its path.
pub fn read(document: &Value, identities: &Identities) -> Result<Consent, FhirErrors> {
    match read_all(document, identities) {
        (Some(consent), errors) if errors.is_empty() => Ok(consent),
        (_, errors) if errors.is_empty() => Err(FhirErrors::one("", "not a Consent")),
        (_, errors) => Err(FhirErrors(errors)),
    }
}

/// What [`read`] makes of `document` even when some elements are refused (those left out
/// of it), and the errors: import checks the rest too, so that every problem is reported.
pub(super) fn read_all(
    document: &Value,
    identities: &Identities,
) -> (Option<Consent>, Vec<FhirError>) {
    let mut reader = Reader {
        identities,
        errors: Vec::new(),
    };
    let consent = reader.consent(document);
    (consent, reader.errors)
}

struct Reader<'a> {
    identities: &'a Identities,
    errors: Vec<FhirError>,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn at(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl Reader<'_> {
    fn refuse(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(FhirError {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(object) => Some(object),
            _ => {
                self.refuse(path, "expected a JSON object");
                None
            }
        }
    }

    fn array<'v>(&mut self, value: &'v Value, path: &str) -> &'v [Value] {
        match value {
            Value::Array(items) => items,
            _ => {
                self.refuse(path, "expected a JSON array");
                &[]
            }
        }
    }

    fn string<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v str> {
        match value {
            Value::String(text) => Some(text),
            _ => {
                self.refuse(path, "expected a string");
                None
            }
        }
    }

    /// Refuses every member of `object` not in `known`.
    fn only(&mut self, object: &Map<String, Value>, path: &str, known: &[&str]) {
        for name in object.keys() {
            if !known.contains(&name.as_str()) {
                self.refuse(&join(path, name), refusal(name));
            }
        }
    }

    fn consent(&mut self, document: &Value) -> Option<Consent> {
        let object = self.object(document, "")?;
        if object.get("resourceType").and_then(Value::as_str) != Some("Consent") {
            self.refuse("resourceType", "expected `Consent`");
            return None;
        }
        let version = match object.get("provision") {
            Some(Value::Array(_)) => Version::R5,
            Some(Value::Object(_)) => Version::R4,
            Some(_) => {
                self.refuse("provision", "expected an object (R4) or an array (R5)");
                return None;
            }
            None => {
                self.refuse("provision", "a consent without provisions grants nothing");
                return None;
            }
        };
        let (descriptive, patient_name) = match version {
            Version::R4 => (DESCRIPTIVE_R4, "patient"),
            Version::R5 => (DESCRIPTIVE_R5, "subject"),
        };
        self.only(object, "", descriptive);
        match object.get("status").and_then(Value::as_str) {
            Some("active") => {}
            Some(other) => self.refuse(
                "status",
                format!("a `{other}` consent grants nothing: only an `active` one is imported"),
            ),
            None => self.refuse("status", "say the consent is `active`"),
        }
        let patient = object
            .get(patient_name)
            .and_then(|value| self.party(value, patient_name));
        let (permit, rules) = match version {
            Version::R4 => {
                let provision = object.get("provision").unwrap_or(&Value::Null);
                let permit = self.decision(
                    provision.get("type"),
                    "provision.type",
                    "say whether the provision is a `permit` or a `deny`",
                );
                let rule = self.rule(provision, "provision", version, permit);
                (permit, rule.into_iter().collect())
            }
            Version::R5 => {
                let permit = match object.get("decision") {
                    None => true,
                    decision => self.decision(decision, "decision", ""),
                };
                let provisions =
                    self.array(object.get("provision").unwrap_or(&Value::Null), "provision");
                if provisions.is_empty() {
                    self.refuse("provision", "a consent without provisions grants nothing");
                }
                let rules = provisions
                    .iter()
                    .enumerate()
                    .filter_map(|(index, provision)| {
                        self.rule(provision, &at("provision", index), version, permit)
                    })
                    .collect();
                (permit, rules)
            }
        };
        Some(Consent {
            version,
            patient,
            permit,
            rules,
        })
    }

    /// `permit` → true, `deny` → false.
    fn decision(&mut self, value: Option<&Value>, path: &str, missing: &str) -> bool {
        match value.and_then(Value::as_str) {
            Some("permit") => true,
            Some("deny") => false,
            Some(other) => {
                self.refuse(path, format!("`{other}` is neither `permit` nor `deny`"));
                true
            }
            None => {
                self.refuse(path, missing);
                true
            }
        }
    }

    fn rule(&mut self, value: &Value, path: &str, version: Version, permit: bool) -> Option<Rule> {
        let object = self.object(value, path)?;
        let class_names: &[&str] = match version {
            Version::R4 => &["class"],
            Version::R5 => &["resourceType"],
        };
        let mut known = vec!["id", "period", "actor", "action", "purpose", "provision"];
        known.extend_from_slice(class_names);
        if version == Version::R4 {
            known.push("type");
        }
        self.only(object, path, &known);
        let (start, end) = match object.get("period") {
            Some(period) => self.period(period, &join(path, "period")),
            None => (None, None),
        };
        let actors = self.actors(object.get("actor"), &join(path, "actor"));
        if let Some(actions) = object.get("action") {
            self.actions(actions, &join(path, "action"));
        }
        let purposes = self.purposes(object.get("purpose"), &join(path, "purpose"));
        let classes = self.classes(object, path, class_names);
        let mut exceptions = Vec::new();
        if let Some(nested) = object.get("provision") {
            let nested_path = join(path, "provision");
            for (index, provision) in self.array(nested, &nested_path).iter().enumerate() {
                let path = at(&nested_path, index);
                if let Some(exception) = self.exception(provision, &path, version, permit) {
                    exceptions.push(exception);
                }
            }
        }
        Some(Rule {
            path: path.to_owned(),
            actors,
            purposes,
            classes,
            start,
            end,
            exceptions,
        })
    }

    fn exception(
        &mut self,
        value: &Value,
        path: &str,
        version: Version,
        permit: bool,
    ) -> Option<Exception> {
        let object = self.object(value, path)?;
        let class_names: &[&str] = match version {
            Version::R4 => &["class"],
            Version::R5 => &["resourceType"],
        };
        let mut known = vec!["id", "actor", "purpose"];
        known.extend_from_slice(class_names);
        if version == Version::R4 {
            known.push("type");
            let nested_permit = self.decision(
                object.get("type"),
                &join(path, "type"),
                "say that the nested provision is a `deny`",
            );
            if nested_permit == permit {
                self.refuse(
                    &join(path, "type"),
                    "a nested provision is an exception: the opposite of the provision it is in",
                );
            }
        }
        if !permit {
            self.refuse(
                path,
                "a permit inside a deny cannot be expressed: the contract denies by default, \
                 and its break-glass rule already permits emergency treatment",
            );
            return None;
        }
        for name in object.keys() {
            if name == "period" || name == "action" || name == "provision" {
                self.refuse(
                    &join(path, name),
                    "an exception leaves purposes or classes out of the grant; it has no own period, actions or exceptions",
                );
            } else if !known.contains(&name.as_str()) {
                self.refuse(&join(path, name), refusal(name));
            }
        }
        let actors = self.actors(object.get("actor"), &join(path, "actor"));
        let purposes = self.purposes(object.get("purpose"), &join(path, "purpose"));
        let classes = self.classes(object, path, class_names);
        match (purposes.is_empty(), classes.is_empty()) {
            (true, true) => self.refuse(
                path,
                "an exception must name the purposes or the classes it leaves out \
                 (to deny an actor everything, leave the actor out of the permit)",
            ),
            (false, false) => self.refuse(
                path,
                "an exception of some purposes for some classes only cannot be expressed: \
                 a grant leaves out purposes and classes each on its own; \
                 write one exception for the purposes, or one for the classes",
            ),
            _ => {}
        }
        Some(Exception {
            path: path.to_owned(),
            actors,
            purposes,
            classes,
        })
    }

    fn period(&mut self, value: &Value, path: &str) -> (Option<(String, i64)>, Option<i64>) {
        let Some(object) = self.object(value, path) else {
            return (None, None);
        };
        self.only(object, path, &["id", "start", "end"]);
        let start_path = join(path, "start");
        let start = object
            .get("start")
            .and_then(|value| self.time(value, &start_path))
            .map(|start| (start_path, start));
        let end = object
            .get("end")
            .and_then(|value| self.time(value, &join(path, "end")));
        (start, end)
    }

    /// A FHIR dateTime with a time of day: `2027-01-01T00:00:00Z`, or with an offset
    /// (`+02:00`) or fractional seconds, which must be zero.
    fn time(&mut self, value: &Value, path: &str) -> Option<i64> {
        let text = self.string(value, path)?;
        let parsed = parse_date_time(text);
        if parsed.is_none() {
            self.refuse(
                path,
                format!(
                    "`{text}` is not a time the contract can hold: write a date, a time of day \
                     to the second and a zone (`2027-01-01T00:00:00Z`)"
                ),
            );
        }
        parsed
    }

    fn actors(&mut self, value: Option<&Value>, path: &str) -> Vec<(String, Address)> {
        let Some(value) = value else {
            return Vec::new();
        };
        let mut actors = Vec::new();
        for (index, actor) in self.array(value, path).iter().enumerate() {
            let path = at(path, index);
            let Some(object) = self.object(actor, &path) else {
                continue;
            };
            self.only(object, &path, &["id", "role", "reference"]);
            if let Some(role) = object.get("role") {
                self.role(role, &join(&path, "role"));
            }
            let reference_path = join(&path, "reference");
            match object.get("reference") {
                Some(reference) => {
                    if let Some(address) = self.party(reference, &reference_path) {
                        actors.push((path, address));
                    }
                }
                None => self.refuse(&reference_path, "name the actor"),
            }
        }
        actors
    }

    fn role(&mut self, value: &Value, path: &str) {
        for (system, code, path) in self.codeable_concept(value, path) {
            if system != vocabulary::PARTICIPATION_TYPE
                || !vocabulary::RECIPIENT_ROLES.contains(&code.as_str())
            {
                self.refuse(
                    &path,
                    format!(
                        "the role `{code}` cannot be expressed: a grantee is a recipient \
                         (`PRCP` or `IRCP` of {})",
                        vocabulary::PARTICIPATION_TYPE
                    ),
                );
            }
        }
    }

    fn actions(&mut self, value: &Value, path: &str) {
        for (index, action) in self.array(value, path).iter().enumerate() {
            let path = at(path, index);
            for (system, code, path) in self.codeable_concept(action, &path) {
                if system != vocabulary::CONSENT_ACTION
                    || !vocabulary::GRANTED_ACTIONS.contains(&code.as_str())
                {
                    self.refuse(
                        &path,
                        format!(
                            "the action `{code}` cannot be expressed: a grant lets the grantee \
                             `access` and `use` the data ({})",
                            vocabulary::CONSENT_ACTION
                        ),
                    );
                }
            }
        }
    }

    /// The codings of a CodeableConcept, each with its path.
    fn codeable_concept(&mut self, value: &Value, path: &str) -> Vec<(String, String, String)> {
        let Some(object) = self.object(value, path) else {
            return Vec::new();
        };
        self.only(object, path, &["id", "coding", "text"]);
        let coding_path = join(path, "coding");
        let Some(codings) = object.get("coding") else {
            self.refuse(&coding_path, "give a coding");
            return Vec::new();
        };
        let mut found = Vec::new();
        for (index, coding) in self.array(codings, &coding_path).iter().enumerate() {
            let path = at(&coding_path, index);
            if let Some((system, code)) = self.coding(coding, &path) {
                found.push((system, code, path));
            }
        }
        found
    }

    fn coding(&mut self, value: &Value, path: &str) -> Option<(String, String)> {
        let object = self.object(value, path)?;
        self.only(
            object,
            path,
            &["id", "system", "version", "code", "display", "userSelected"],
        );
        let system = match object.get("system") {
            Some(system) => self.string(system, &join(path, "system")),
            None => {
                self.refuse(&join(path, "system"), "give the code's system");
                None
            }
        };
        let code = match object.get("code") {
            Some(code) => self.string(code, &join(path, "code")),
            None => {
                self.refuse(&join(path, "code"), "give the code");
                None
            }
        };
        Some((system?.to_owned(), code?.to_owned()))
    }

    fn purposes(&mut self, value: Option<&Value>, path: &str) -> BTreeSet<usize> {
        let mut purposes = BTreeSet::new();
        let Some(value) = value else {
            return purposes;
        };
        for (index, coding) in self.array(value, path).iter().enumerate() {
            let path = at(path, index);
            let Some((system, code)) = self.coding(coding, &path) else {
                continue;
            };
            if system != vocabulary::ACT_REASON {
                self.refuse(
                    &join(&path, "system"),
                    format!("a purpose is a code of {}", vocabulary::ACT_REASON),
                );
            } else if let Some(rank) = vocabulary::purpose_rank(&code) {
                purposes.insert(rank);
            } else {
                self.refuse(
                    &join(&path, "code"),
                    format!("`{code}` is not a purpose of use the contract knows"),
                );
            }
        }
        purposes
    }

    /// The data classes of `class` (R4) or `resourceType` (R5).
    fn classes(
        &mut self,
        object: &Map<String, Value>,
        path: &str,
        names: &[&str],
    ) -> BTreeSet<usize> {
        let mut classes = BTreeSet::new();
        for name in names {
            let Some(value) = object.get(*name) else {
                continue;
            };
            let list_path = join(path, name);
            for (index, coding) in self.array(value, &list_path).iter().enumerate() {
                let path = at(&list_path, index);
                let Some((system, code)) = self.coding(coding, &path) else {
                    continue;
                };
                let class = match system.as_str() {
                    vocabulary::RESOURCE_TYPES_R4 | vocabulary::RESOURCE_TYPES_R5 => {
                        match vocabulary::class_of_resource_type(&code) {
                            Some(class) => vocabulary::class_rank(class),
                            None => {
                                let advice = if code == "Observation" {
                                    format!(
                                        "observations are lab results or vital signs: name `Lab` or `Vitals` of {}",
                                        vocabulary::DATA_CLASS
                                    )
                                } else {
                                    format!(
                                        "no data class holds `{code}` alone: name one of {}",
                                        vocabulary::DATA_CLASS
                                    )
                                };
                                self.refuse(&join(&path, "code"), advice);
                                continue;
                            }
                        }
                    }
                    vocabulary::DATA_CLASS => vocabulary::class_rank(&code),
                    _ => {
                        self.refuse(
                            &join(&path, "system"),
                            format!(
                                "a class is a resource type ({}, {}) or a code of {}",
                                vocabulary::RESOURCE_TYPES_R4,
                                vocabulary::RESOURCE_TYPES_R5,
                                vocabulary::DATA_CLASS
                            ),
                        );
                        continue;
                    }
                };
                match class {
                    Some(rank) => {
                        classes.insert(rank);
                    }
                    None => self.refuse(
                        &join(&path, "code"),
                        format!("`{code}` is not a data class the contract knows"),
                    ),
                }
            }
        }
        classes
    }

    /// A Reference to a patient or an actor, as an address: `reference` through the
    /// identities file, or an `identifier` of system `urn:assent:address`.
    fn party(&mut self, value: &Value, path: &str) -> Option<Address> {
        let object = self.object(value, path)?;
        self.only(
            object,
            path,
            &["id", "reference", "identifier", "display", "type"],
        );
        if let Some(reference) = object.get("reference") {
            let reference_path = join(path, "reference");
            let text = self.string(reference, &reference_path)?;
            return match self.identities.address(text) {
                Some(address) => Some(address),
                None => {
                    self.refuse(
                        &reference_path,
                        format!("`{text}` is not in the identities file"),
                    );
                    None
                }
            };
        }
        let identifier_path = join(path, "identifier");
        let Some(identifier) = object.get("identifier") else {
            self.refuse(path, "give a `reference` or an `identifier`");
            return None;
        };
        let identifier = self.object(identifier, &identifier_path)?;
        self.only(identifier, &identifier_path, &["system", "value"]);
        let system = identifier.get("system").and_then(Value::as_str);
        let value = identifier.get("value").and_then(Value::as_str);
        match (system, value.and_then(Address::from_hex)) {
            (Some(vocabulary::ADDRESS), Some(address)) => Some(address),
            _ => {
                self.refuse(
                    &identifier_path,
                    format!(
                        "an identifier names an address: system `{}`, value \"0x\" and 40 hex digits",
                        vocabulary::ADDRESS
                    ),
                );
                None
            }
        }
    }
}

/// Parses a FHIR dateTime that has a time of day: `YYYY-MM-DDThh:mm:ss`, optional
/// fractional seconds that are all zero, then `Z` or `±hh:mm`. Unix seconds.
pub(super) fn parse_date_time(text: &str) -> Option<i64> {
    let (date, clock) = text.split_once('T')?;
    let (clock, offset) = if let Some(clock) = clock.strip_suffix('Z') {
        (clock, 0)
    } else {
        let split = clock.len().checked_sub(6)?;
        let (clock, zone) = (clock.get(..split)?, clock.get(split..)?);
        let sign = match zone.get(..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        let (hours, minutes) = zone.get(1..)?.split_once(':')?;
        if hours.len() != 2 || minutes.len() != 2 {
            return None;
        }
        let hours: i64 = hours.parse().ok()?;
        let minutes: i64 = minutes.parse().ok()?;
        if hours > 14 || minutes > 59 {
            return None;
        }
        (clock, sign * (hours * 3600 + minutes * 60))
    };
    let clock = match clock.split_once('.') {
        Some((whole, fraction)) => {
            if fraction.is_empty() || !fraction.bytes().all(|b| b == b'0') {
                return None;
            }
            whole
        }
        None => clock,
    };
    let utc = time::parse_time(&format!("{date}T{clock}Z"))?;
    utc.checked_sub(offset)
}
