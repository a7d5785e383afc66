//! The `*.scenario.json` format (LEDGER.md §7), read with serde.

use std::path::Path;

use assent_stdlib::value::{Type, Value};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value as Json;

/// A scenario file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The genesis block's time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
    /// Contract name → source path, relative to the scenario file.
    #[serde(default)]
    pub contracts: IndexMap<String, String>,
    pub steps: Vec<RawStep>,
    /// Free text, for the reader only.
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
}

/// One step as written: exactly one of `deploy`, `call`, `view`, `advance`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub deploy: Option<String>,
    pub call: Option<String>,
    pub view: Option<String>,
    /// A Duration in its JSON form: `"14d"` or an integer of seconds.
    pub advance: Option<Json>,
    /// A `deploy` or `call` step's block time, a Time in its JSON form, instead of 1 s
    /// after the previous block.
    pub at: Option<Json>,
    pub from: Option<String>,
    pub args: Option<Json>,
    pub expect: Option<Expect>,
    /// The transaction's gas limit (default [`DEFAULT_GAS_LIMIT`]).
    pub gas_limit: Option<u64>,
    /// Free text, shown with the step's failures.
    pub note: Option<String>,
    /// A `view` step of a policy: print why it decided as it did.
    pub explain: Option<bool>,
}

/// A transaction's gas limit when the step gives none.
pub const DEFAULT_GAS_LIMIT: u64 = 100_000_000;

/// What a step expects; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: Option<ExpectedStatus>,
    /// A substring of the message.
    pub message: Option<String>,
    /// The return value (`null` included), equal as JSON.
    #[serde(default, deserialize_with = "present")]
    pub returns: Option<Json>,
    /// Part of the return value: an object matches when the keys it gives match
    /// (recursively), an array when it has as many elements and each matches.
    #[serde(default, deserialize_with = "present")]
    pub returns_match: Option<Json>,
    /// The complete list of events, in emission order.
    pub events: Option<Vec<ExpectedEvent>>,
    /// Where an abort happened; the keys given must match.
    pub position: Option<ExpectedPosition>,
    pub gas_max: Option<u64>,
    /// The exact gas used.
    pub gas: Option<u64>,
}

/// An expected source position, `{file, line, column}`, any of them omitted.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedPosition {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl ExpectedPosition {
    /// `file:line:column`, `?` for what is not given.
    pub fn describe(&self) -> String {
        let part = |part: Option<String>| part.unwrap_or_else(|| "?".into());
        format!(
            "{}:{}:{}",
            part(self.file.clone()),
            part(self.line.map(|line| line.to_string())),
            part(self.column.map(|column| column.to_string()))
        )
    }
}

/// Keeps an explicit `null` apart from an absent field.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(deserializer).map(Some)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedStatus {
    Ok,
    Aborted,
    OutOfGas,
    Rejected,
}

impl ExpectedStatus {
    pub fn name(self) -> &'static str {
        match self {
            ExpectedStatus::Ok => "ok",
            ExpectedStatus::Aborted => "aborted",
            ExpectedStatus::OutOfGas => "out_of_gas",
            ExpectedStatus::Rejected => "rejected",
        }
    }
}

/// An expected event: its name, or an object with its name and any of some of its
/// fields, the contract that emitted it (a deployed contract's name, or an address) and
/// whether it is an `audit` event.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "Json")]
pub enum ExpectedEvent {
    Name(String),
    Fields(EventFields),
}

impl TryFrom<Json> for ExpectedEvent {
    type Error = String;

    /// Read by hand rather than as an untagged enum, so that a misspelt key is reported
    /// by name instead of as "did not match any variant".
    fn try_from(json: Json) -> Result<Self, String> {
        match json {
            Json::String(name) => Ok(ExpectedEvent::Name(name)),
            object @ Json::Object(_) => serde_json::from_value(object)
                .map(ExpectedEvent::Fields)
                .map_err(|error| format!("an expected event: {error}")),
            other => Err(format!(
                "an expected event is a name or {{\"name\", \"fields\", \"contract\", \"audit\"}}, not `{other}`"
            )),
        }
    }
}

/// The object form of an expected event.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFields {
    pub name: String,
    #[serde(default)]
    pub fields: serde_json::Map<String, Json>,
    pub contract: Option<String>,
    pub audit: Option<bool>,
}

impl ExpectedEvent {
    pub fn name(&self) -> &str {
        match self {
            ExpectedEvent::Name(name) | ExpectedEvent::Fields(EventFields { name, .. }) => name,
        }
    }
}

/// What a step does.
#[derive(Debug)]
pub enum Action {
    Deploy {
        contract: String,
    },
    Call {
        contract: String,
        method: String,
    },
    View {
        contract: String,
        method: String,
    },
    /// Seconds.
    Advance(i64),
}

/// A step, checked for shape.
#[derive(Debug)]
pub struct Step {
    pub action: Action,
    pub from: Option<String>,
    pub args: Json,
    pub expect: Expect,
    pub gas_limit: u64,
    /// Unix seconds of the step's block (`at`), when given.
    pub at: Option<u64>,
    pub note: Option<String>,
    /// Explain the decision (a `view` step of a policy).
    pub explain: bool,
}

impl Step {
    /// A one-line description: `call consent.grant from alice`.
    pub fn describe(&self) -> String {
        let from = self
            .from
            .as_ref()
            .map(|from| format!(" from {from}"))
            .unwrap_or_default();
        match &self.action {
            Action::Deploy { contract } => format!("deploy {contract}{from}"),
            Action::Call { contract, method } => format!("call {contract}.{method}{from}"),
            Action::View { contract, method } => format!("view {contract}.{method}{from}"),
            Action::Advance(seconds) => {
                format!("advance {}", assent_stdlib::time::format_duration(*seconds))
            }
        }
    }
}

/// A scenario file, checked.
#[derive(Debug)]
pub struct Parsed {
    /// Unix seconds of the genesis block.
    pub genesis: u64,
    pub contracts: IndexMap<String, String>,
    pub steps: Vec<Step>,
}

/// Reads and checks a scenario file.
///
/// # Errors
/// A message naming the file and what is wrong (with line and column for bad JSON).
pub fn read(path: &Path) -> Result<Parsed, String> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!(
            "cannot read it: {}",
            crate::files::describe_io_error(&error)
        )
    })?;
    let scenario: Scenario =
        serde_json::from_str(&text).map_err(|error| format!("not a scenario file: {error}"))?;
    let genesis = assent_stdlib::time::parse_time(&scenario.time)
        .and_then(|time| u64::try_from(time).ok())
        .ok_or_else(|| {
            format!(
                "`time` must be a UTC time like \"2026-01-01T00:00:00Z\", not `{}`",
                scenario.time
            )
        })?;
    let steps = scenario
        .steps
        .into_iter()
        .enumerate()
        .map(|(index, raw)| step(raw).map_err(|message| format!("step {}: {message}", index + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Parsed {
        genesis,
        contracts: scenario.contracts,
        steps,
    })
}

fn split_entry(text: &str) -> Result<(String, String), String> {
    match text.split_once('.') {
        Some((contract, method)) if !contract.is_empty() && !method.is_empty() => {
            Ok((contract.to_owned(), method.to_owned()))
        }
        _ => Err(format!("`{text}` is not `contract.method`")),
    }
}

fn step(raw: RawStep) -> Result<Step, String> {
    let given = [
        raw.deploy.is_some(),
        raw.call.is_some(),
        raw.view.is_some(),
        raw.advance.is_some(),
    ]
    .iter()
    .filter(|given| **given)
    .count();
    if given != 1 {
        return Err("a step has exactly one of `deploy`, `call`, `view`, `advance`".into());
    }
    let action = if let Some(contract) = &raw.deploy {
        Action::Deploy {
            contract: contract.clone(),
        }
    } else if let Some(entry) = &raw.call {
        let (contract, method) = split_entry(entry)?;
        Action::Call { contract, method }
    } else if let Some(entry) = &raw.view {
        let (contract, method) = split_entry(entry)?;
        Action::View { contract, method }
    } else {
        let given = raw.advance.as_ref().unwrap_or(&Json::Null);
        match json_value(given, &Type::Duration) {
            Some(Value::Duration(seconds)) if seconds > 0 => Action::Advance(seconds),
            _ => {
                return Err(format!(
                    "`advance` takes a positive duration like \"30d\", \"12h\" or an \
                     integer of seconds, not `{given}`"
                ));
            }
        }
    };
    let at = match &raw.at {
        None => None,
        Some(_) if !matches!(action, Action::Deploy { .. } | Action::Call { .. }) => {
            return Err("only a `deploy` or `call` step takes `at`".into());
        }
        Some(given) => match json_value(given, &Type::Time) {
            Some(Value::Time(seconds)) => Some(
                u64::try_from(seconds)
                    .map_err(|_| format!("`at` must not be before 1970, not `{given}`"))?,
            ),
            _ => {
                return Err(format!(
                    "`at` takes a UTC time like \"2026-01-01T00:00:00Z\" or Unix seconds, \
                     not `{given}`"
                ));
            }
        },
    };
    let explain = raw.explain.unwrap_or(false);
    if explain && !matches!(action, Action::View { .. }) {
        return Err("only a `view` step (of a policy) takes `explain`".into());
    }
    let needs_from = matches!(action, Action::Deploy { .. } | Action::Call { .. });
    if needs_from && raw.from.is_none() {
        return Err("a `deploy` or `call` step needs `from` (the signing account)".into());
    }
    if matches!(action, Action::Advance(_))
        && (raw.from.is_some() || raw.args.is_some() || raw.expect.is_some())
    {
        return Err("an `advance` step takes no `from`, `args` or `expect`".into());
    }
    let args = raw
        .args
        .unwrap_or_else(|| Json::Object(serde_json::Map::new()));
    if !args.is_object() {
        return Err("`args` must be a JSON object".into());
    }
    let expect = raw.expect.unwrap_or_default();
    Ok(Step {
        action,
        from: raw.from,
        args,
        expect,
        gas_limit: raw.gas_limit.unwrap_or(DEFAULT_GAS_LIMIT),
        at,
        note: raw.note,
        explain,
    })
}

/// A scalar in its JSON form (LANGUAGE.md §3), as arguments are read.
fn json_value(json: &Json, ty: &Type) -> Option<Value> {
    assent_stdlib::json::from_json(json, ty, &assent_stdlib::json::HexOnly).ok()
}
