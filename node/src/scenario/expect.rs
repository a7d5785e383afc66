//! Comparing what a step did with what it expects, and describing each difference with a
//! readable diff (addresses shown by their scenario names).

use std::fmt::Write as _;

use serde_json::Value as Json;
use similar::{ChangeTag, TextDiff};

use assent_ledger::Address;
use assent_ledger::receipt::SourcePosition;

use super::accounts::Names;
use super::file::{EventFields, Expect, ExpectedEvent, ExpectedStatus};

/// What a step did.
#[derive(Clone, Debug)]
pub struct Observed {
    /// `ok`, `aborted`, `out_of_gas` or `rejected`.
    pub status: &'static str,
    pub message: Option<String>,
    /// Where in the source it aborted.
    pub position: Option<SourcePosition>,
    /// The return value, in canonical JSON (addresses as hex).
    pub returns: Json,
    pub events: Vec<ObservedEvent>,
    /// `None` for a rejected transaction.
    pub gas_used: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct ObservedEvent {
    pub name: String,
    /// Canonical JSON object.
    pub fields: Json,
    /// The contract that emitted it.
    pub contract: Address,
    pub audit: bool,
}

/// An expectation with its values already in canonical form.
pub struct Canonical {
    pub returns: Option<Json>,
    pub returns_match: Option<Json>,
    /// Per expected event, its fields in canonical form.
    pub event_fields: Vec<serde_json::Map<String, Json>>,
    /// Per expected event, the address of the contract it names.
    pub event_contracts: Vec<Option<Address>>,
}

/// Every way `observed` differs from `expect`; empty when the step passes.
/// `transaction`: a deploy or call (which must be ok unless the step says otherwise).
pub fn compare(
    expect: &Expect,
    canonical: &Canonical,
    observed: &Observed,
    names: &Names,
) -> Vec<String> {
    let mut problems = Vec::new();
    let wanted_status = match expect.status {
        Some(status) => Some(status.name()),
        // A step expecting a message expects a failure of some kind.
        None if expect.message.is_some() => None,
        None => Some(ExpectedStatus::Ok.name()),
    };
    match wanted_status {
        Some(wanted) if wanted != observed.status => {
            problems.push(format!(
                "status: expected {wanted}, got {}",
                names.rename_text(&describe_status(observed))
            ));
        }
        None if observed.status == "ok" => {
            problems.push("status: expected a failure (the step gives a `message`), got ok".into());
        }
        _ => {}
    }
    if let Some(wanted) = &expect.message {
        match &observed.message {
            Some(message) if message.contains(wanted.as_str()) => {}
            Some(message) => problems.push(format!(
                "message: expected it to contain {wanted:?}, got {:?}",
                names.rename_text(message)
            )),
            None => problems.push(format!(
                "message: expected it to contain {wanted:?}, got no message"
            )),
        }
    }
    if let Some(wanted) = &expect.position {
        let matches = observed.position.as_ref().is_some_and(|got| {
            wanted.file.as_ref().is_none_or(|file| *file == got.file)
                && wanted.line.is_none_or(|line| line == got.line)
                && wanted.column.is_none_or(|column| column == got.column)
        });
        if !matches {
            let got = observed
                .position
                .as_ref()
                .map_or_else(|| "no position".to_owned(), describe_position);
            problems.push(format!(
                "position: expected {}, got {got}",
                wanted.describe()
            ));
        }
    }
    if let Some(wanted) = &canonical.returns
        && *wanted != observed.returns
    {
        problems.push(format!(
            "returns:\n{}",
            diff(&names.rename(wanted), &names.rename(&observed.returns))
        ));
    }
    if let Some(wanted) = &canonical.returns_match
        && !matches(wanted, &observed.returns)
    {
        problems.push(format!(
            "returns_match:\n{}",
            diff(
                &names.rename(wanted),
                &names.rename(&project(&observed.returns, wanted))
            )
        ));
    }
    if let Some(wanted) = &expect.events
        && !events_match(wanted, canonical, &observed.events)
    {
        let expected: Vec<Json> = wanted
            .iter()
            .zip(&canonical.event_fields)
            .zip(&canonical.event_contracts)
            .map(|((event, fields), contract)| match event {
                ExpectedEvent::Name(name) => Json::String(name.clone()),
                ExpectedEvent::Fields(EventFields { name, audit, .. }) => {
                    let mut shown = serde_json::json!({ "name": name, "fields": names.rename(&Json::Object(fields.clone())) });
                    if let Some(contract) = contract {
                        set_field(&mut shown, "contract", names.rename(&Json::String(contract.to_string())));
                    }
                    if let Some(audit) = audit {
                        set_field(&mut shown, "audit", Json::Bool(*audit));
                    }
                    shown
                }
            })
            .collect();
        // Show the observed events in the shape of the expected ones, so the diff shows
        // only what differs: a bare name where a bare name was expected.
        let observed: Vec<Json> = observed
            .events
            .iter()
            .enumerate()
            .map(|(index, event)| match wanted.get(index) {
                Some(ExpectedEvent::Name(_)) => Json::String(event.name.clone()),
                // Only the fields the expectation names.
                Some(ExpectedEvent::Fields(EventFields {
                    fields,
                    contract,
                    audit,
                    ..
                })) => {
                    let shown: serde_json::Map<String, Json> = fields
                        .keys()
                        .filter_map(|key| Some((key.clone(), event.fields.get(key)?.clone())))
                        .collect();
                    let mut shown = serde_json::json!({ "name": event.name, "fields": names.rename(&Json::Object(shown)) });
                    if contract.is_some() {
                        set_field(
                            &mut shown,
                            "contract",
                            names.rename(&Json::String(event.contract.to_string())),
                        );
                    }
                    if audit.is_some() {
                        set_field(&mut shown, "audit", Json::Bool(event.audit));
                    }
                    shown
                }
                None => {
                    serde_json::json!({ "name": event.name, "fields": names.rename(&event.fields) })
                }
            })
            .collect();
        problems.push(format!(
            "events:\n{}",
            diff(&Json::Array(expected), &Json::Array(observed))
        ));
    }
    if let (Some(max), Some(used)) = (expect.gas_max, observed.gas_used)
        && used > max
    {
        problems.push(format!("gas: expected at most {max}, used {used}"));
    }
    if let (Some(exact), Some(used)) = (expect.gas, observed.gas_used)
        && used != exact
    {
        problems.push(format!("gas: expected exactly {exact}, used {used}"));
    }
    problems
}

fn events_match(
    wanted: &[ExpectedEvent],
    canonical: &Canonical,
    observed: &[ObservedEvent],
) -> bool {
    wanted.len() == observed.len()
        && wanted
            .iter()
            .zip(&canonical.event_fields)
            .zip(&canonical.event_contracts)
            .zip(observed)
            .all(|(((wanted, fields), contract), event)| {
                let audit = match wanted {
                    ExpectedEvent::Fields(EventFields { audit, .. }) => *audit,
                    ExpectedEvent::Name(_) => None,
                };
                wanted.name() == event.name
                    && fields
                        .iter()
                        .all(|(field, value)| event.fields.get(field) == Some(value))
                    && contract.is_none_or(|contract| contract == event.contract)
                    && audit.is_none_or(|audit| audit == event.audit)
            })
}

/// Whether `got` matches the partial value `wanted`: an object when each key it gives is
/// in `got` and matches, an array when it has as many elements and each matches, any
/// other value when equal.
pub fn matches(wanted: &Json, got: &Json) -> bool {
    match (wanted, got) {
        (Json::Object(wanted), Json::Object(got)) => wanted
            .iter()
            .all(|(key, value)| got.get(key).is_some_and(|found| matches(value, found))),
        (Json::Array(wanted), Json::Array(got)) => {
            wanted.len() == got.len() && wanted.iter().zip(got).all(|(w, g)| matches(w, g))
        }
        _ => wanted == got,
    }
}

/// `got` cut down to the keys `wanted` gives, recursively, so a diff shows only what the
/// expectation is about.
fn project(got: &Json, wanted: &Json) -> Json {
    match (got, wanted) {
        (Json::Object(got), Json::Object(wanted)) => Json::Object(
            got.iter()
                .filter_map(|(key, value)| {
                    let shape = wanted.get(key)?;
                    Some((key.clone(), project(value, shape)))
                })
                .collect(),
        ),
        (Json::Array(got), Json::Array(wanted)) if got.len() == wanted.len() => Json::Array(
            got.iter()
                .zip(wanted)
                .map(|(value, shape)| project(value, shape))
                .collect(),
        ),
        _ => got.clone(),
    }
}

fn describe_status(observed: &Observed) -> String {
    let mut text = observed.status.to_owned();
    if let Some(message) = &observed.message {
        let _ = write!(text, " {message:?}");
    }
    if let Some(position) = &observed.position {
        let _ = write!(text, " at {}", describe_position(position));
    }
    text
}

/// `file:line:column`.
pub fn describe_position(position: &SourcePosition) -> String {
    format!("{}:{}:{}", position.file, position.line, position.column)
}

/// A line diff of two JSON values, pretty-printed: `-` expected, `+` got.
pub fn diff(expected: &Json, got: &Json) -> String {
    let expected = pretty(expected);
    let got = pretty(got);
    let mut out = String::from("      --- expected\n      +++ got\n");
    for change in TextDiff::from_lines(&expected, &got).iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        let _ = writeln!(
            out,
            "      {sign} {}",
            change.value().trim_end_matches('\n')
        );
    }
    out.trim_end().to_owned()
}

/// Pretty JSON with object keys sorted, so that key order never shows as a difference.
fn pretty(json: &Json) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(json)).unwrap_or_default();
    text.push('\n');
    text
}

fn sorted(json: &Json) -> Json {
    match json {
        Json::Object(object) => {
            let mut entries: Vec<(&String, &Json)> = object.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Json::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), sorted(value)))
                    .collect(),
            )
        }
        Json::Array(items) => Json::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Sets `key` of a JSON object (built by `json!` as an object, so always one).
pub(crate) fn set_field(object: &mut Json, key: &str, value: Json) {
    if let Json::Object(map) = object {
        map.insert(key.to_owned(), value);
    }
}
