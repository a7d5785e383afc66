//! `assent logs [--contract ADDR] [--event NAME] [--where FIELD=VALUE]…`: events on the
//! ledger, oldest first.

use std::process::ExitCode;

use serde_json::{Map, Value, json};

use assent_node::client::{self, Client, ClientError, Connection};

#[derive(clap::Args)]
pub struct Args {
    /// Only events of this contract
    #[arg(long, value_name = "ADDR")]
    contract: Option<String>,
    /// Only events of this name
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Only events whose field equals the value (JSON, or else text); repeatable
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    filters: Vec<String>,
    /// The first block to search
    #[arg(long, value_name = "N")]
    from_block: Option<u64>,
    /// The last block to search
    #[arg(long, value_name = "N")]
    to_block: Option<u64>,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, logs(args))
}

fn logs(args: &Args) -> Result<(Value, String), ClientError> {
    let mut filter = Map::new();
    if let Some(contract) = &args.contract {
        filter.insert(
            "contract".into(),
            json!(client::parse_address(contract)?.to_string()),
        );
    }
    if let Some(event) = &args.event {
        filter.insert("event".into(), json!(event));
    }
    if !args.filters.is_empty() {
        let mut fields = Map::new();
        for entry in &args.filters {
            let (field, value) = entry.split_once('=').ok_or_else(|| {
                ClientError::Other(format!(
                    "--where `{entry}` is not FIELD=VALUE, e.g. --where patient=0x…"
                ))
            })?;
            fields.insert(field.to_owned(), client::lenient_json(value));
        }
        filter.insert("where".into(), Value::Object(fields));
    }
    if let Some(from) = args.from_block {
        filter.insert("from_block".into(), json!(from));
    }
    if let Some(to) = args.to_block {
        filter.insert("to_block".into(), json!(to));
    }
    let events = all_pages(&Client::new(&args.connection.rpc), filter)?;
    let mut text = String::new();
    for event in &events {
        text.push_str(&format!(
            "block {} tx {}: {}\n",
            event.get("block").unwrap_or(&Value::Null),
            event.get("tx_hash").and_then(Value::as_str).unwrap_or("?"),
            client::describe_event(event)
        ));
    }
    if text.is_empty() {
        text = "no events match\n".into();
    }
    Ok((Value::Array(events), text))
}

/// Events asked for in pages, each resuming where the node said the last one stopped,
/// until the range is done.
fn all_pages(client: &Client, mut filter: Map<String, Value>) -> Result<Vec<Value>, ClientError> {
    filter.insert("limit".into(), json!(PAGE));
    let mut events = Vec::new();
    let mut previous: Option<Value> = None;
    loop {
        let page = client.call("assent_getLogs", json!([Value::Object(filter.clone())]))?;
        let (Some(found), Some(next)) = (
            page.get("events").and_then(Value::as_array),
            page.get("next"),
        ) else {
            return Err(ClientError::Other(format!(
                "the node answered assent_getLogs with {page}, not `{{events, next}}`"
            )));
        };
        events.extend(found.iter().cloned());
        if next.is_null() {
            return Ok(events);
        }
        if previous.as_ref() == Some(next) {
            return Err(ClientError::Other(format!(
                "the node's search does not move on from {next}"
            )));
        }
        previous = Some(next.clone());
        filter.insert("resume".into(), next.clone());
    }
}

/// Events asked for per request (the node returns at most this many anyway).
const PAGE: u64 = 10_000;
