//! A [`Consent`] as `patient_consent` calls: `grant` or `grant_except` for each actor a
//! permit names, `revoke` for each actor a deny names.

use std::collections::{BTreeMap, BTreeSet};

use assent_ledger::Address;
use assent_stdlib::time;
use serde_json::{Value, json};

use super::read::{self, Consent, Rule, Version};
use super::{FhirError, FhirErrors, Identities, vocabulary};

/// One call of an action of `patient_consent`, its arguments in their JSON form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub method: &'static str,
    pub args: Value,
}

impl Call {
    /// `{"method", "args"}`, for `--json` and snapshots.
    pub fn to_json(&self) -> Value {
        json!({ "method": self.method, "args": self.args })
    }
}

/// Maps a Consent document to the calls that record it, signed by the patient.
/// `signer`, when known, must be the patient's address; `now` (Unix seconds) is what a
/// `period.start` is compared with, since a grant starts when it is recorded.
///
/// # Errors
/// Every element that is malformed or that the contract cannot express, with its path.
pub fn import(
    document: &Value,
    identities: &Identities,
    signer: Option<Address>,
    now: i64,
) -> Result<Vec<Call>, FhirErrors> {
    let (consent, read_errors) = read::read_all(document, identities);
    let Some(consent) = consent else {
        return Err(match read_errors.is_empty() {
            true => FhirErrors(vec![FhirError {
                path: String::new(),
                message: "not a Consent".into(),
            }]),
            false => FhirErrors(read_errors),
        });
    };
    let mut errors = Vec::new();
    let mut refuse = |path: String, message: String| errors.push(FhirError { path, message });
    if let (Some(patient), Some(signer)) = (consent.patient, signer)
        && patient != signer
    {
        let path = match consent.version {
            Version::R4 => "patient",
            Version::R5 => "subject",
        };
        refuse(
            path.into(),
            format!(
                "the consent is {patient}'s, and the calls would be signed by {signer}: \
                 a patient records their own consent"
            ),
        );
    }
    let mut granted: BTreeMap<Address, String> = BTreeMap::new();
    let mut calls = Vec::new();
    for rule in &consent.rules {
        if rule.actors.is_empty() {
            refuse(
                format!("{}.actor", rule.path),
                "name the actors: each one is a grantee".into(),
            );
        }
        for (path, actor) in &rule.actors {
            if let Some(first) = granted.get(actor) {
                refuse(
                    path.clone(),
                    format!("{actor} is already named at `{first}`: one grant per grantee"),
                );
            } else {
                granted.insert(*actor, path.clone());
            }
        }
        if consent.permit {
            grants(&consent, rule, now, &mut refuse, &mut calls);
        } else {
            revocations(&consent, rule, &mut refuse, &mut calls);
        }
    }
    // An element refused while reading is left out of `consent`: what is missing then is
    // not reported again (a refused `period.end` is not also a missing one).
    let overlaps = |path: &str, refused: &str| {
        let within = |outer: &str, inner: &str| {
            inner.strip_prefix(outer).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')
            })
        };
        within(refused, path) || within(path, refused)
    };
    errors.retain(|error| {
        !read_errors
            .iter()
            .any(|refused| overlaps(&error.path, &refused.path))
    });
    let mut all = read_errors;
    all.extend(errors);
    if all.is_empty() {
        Ok(calls)
    } else {
        Err(FhirErrors(all))
    }
}

fn class_element(consent: &Consent) -> &'static str {
    match consent.version {
        Version::R4 => "class",
        Version::R5 => "resourceType",
    }
}

fn grants(
    consent: &Consent,
    rule: &Rule,
    now: i64,
    refuse: &mut impl FnMut(String, String),
    calls: &mut Vec<Call>,
) {
    let path = &rule.path;
    if rule.purposes.is_empty() {
        refuse(
            format!("{path}.purpose"),
            "name the purposes: a grant allows the purposes it names, no others".into(),
        );
    }
    if rule.classes.is_empty() {
        refuse(
            format!("{path}.{}", class_element(consent)),
            "name the data classes: a grant covers the classes it names, no others".into(),
        );
    }
    let Some(end) = rule.end else {
        refuse(
            format!("{path}.period.end"),
            "a grant ends: give the end of the period (at most two years ahead)".into(),
        );
        return;
    };
    if let Some((start_path, start)) = &rule.start {
        if *start > now {
            refuse(
                start_path.clone(),
                "a grant starts when it is recorded: a start in the future cannot be expressed"
                    .into(),
            );
        } else if *start >= end {
            refuse(
                start_path.clone(),
                "the period ends before it starts".into(),
            );
        }
    }
    let actors: BTreeSet<Address> = rule.actors.iter().map(|(_, actor)| *actor).collect();
    for exception in &rule.exceptions {
        for (path, actor) in &exception.actors {
            if !actors.contains(actor) {
                refuse(
                    path.clone(),
                    format!("{actor} is not an actor of `{}`", rule.path),
                );
            }
        }
    }
    for (_, actor) in &rule.actors {
        let mut except_purposes = BTreeSet::new();
        let mut except_classes = BTreeSet::new();
        for exception in &rule.exceptions {
            let applies = exception.actors.is_empty()
                || exception.actors.iter().any(|(_, named)| named == actor);
            if applies {
                except_purposes.extend(exception.purposes.iter().copied());
                except_classes.extend(exception.classes.iter().copied());
            }
        }
        let mut args = json!({
            "grantee": actor.to_string(),
            "purposes": purposes(&rule.purposes),
            "classes": classes(&rule.classes),
            "until": time::format_time(end),
        });
        let method = if except_purposes.is_empty() && except_classes.is_empty() {
            "grant"
        } else {
            if let Value::Object(args) = &mut args {
                args.insert("except_purposes".into(), purposes(&except_purposes));
                args.insert("except_classes".into(), classes(&except_classes));
            }
            "grant_except"
        };
        calls.push(Call { method, args });
    }
}

fn revocations(
    consent: &Consent,
    rule: &Rule,
    refuse: &mut impl FnMut(String, String),
    calls: &mut Vec<Call>,
) {
    let path = &rule.path;
    let partial = [
        (!rule.purposes.is_empty(), "purpose"),
        (!rule.classes.is_empty(), class_element(consent)),
        (rule.start.is_some() || rule.end.is_some(), "period"),
    ];
    for (given, element) in partial {
        if given {
            refuse(
                format!("{path}.{element}"),
                "a deny of part of the data cannot be expressed: the contract denies by default, \
                 and a deny revokes the grants of the actors it names"
                    .into(),
            );
        }
    }
    for (_, actor) in &rule.actors {
        calls.push(Call {
            method: "revoke",
            args: json!({ "grantee": actor.to_string() }),
        });
    }
}

fn purposes(ranks: &BTreeSet<usize>) -> Value {
    ranks
        .iter()
        .filter_map(|rank| vocabulary::PURPOSES.get(*rank))
        .map(|code| Value::String((*code).to_owned()))
        .collect()
}

fn classes(ranks: &BTreeSet<usize>) -> Value {
    ranks
        .iter()
        .filter_map(|rank| vocabulary::CLASSES.get(*rank))
        .map(|code| Value::String((*code).to_owned()))
        .collect()
}
