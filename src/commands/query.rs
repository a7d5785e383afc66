//! `assent query ADDR VIEW --args JSON`: runs a view or policy on the node
//! (`assent_call`) and prints its result.

use std::process::ExitCode;

use serde_json::{Value, json};

use assent_node::client::{self, Client, ClientError, Connection, keystore};

#[derive(clap::Args)]
pub struct Args {
    /// The contract's address
    #[arg(value_name = "ADDR")]
    contract: String,
    /// The view or policy
    #[arg(value_name = "VIEW")]
    view: String,
    /// Its arguments, a JSON object; an Address may be given by name (a key, a stored
    /// name, or a development account)
    #[arg(long, value_name = "JSON")]
    args: Option<String>,
    /// `caller` in the view: an address, or a name (default: the zero address)
    #[arg(long, value_name = "ADDR|KEY")]
    from: Option<String>,
    /// The keystore directory, for `--from KEY`
    #[arg(long, value_name = "DIR", env = "ASSENT_KEYSTORE")]
    keystore: Option<std::path::PathBuf>,
    /// The block whose state to read (default: the latest)
    #[arg(long, value_name = "N")]
    block: Option<u64>,
    /// Explain a policy's decision: each rule in evaluation order, whether its
    /// conditions held and the values that decided them, and for a denial the permit
    /// rules that came closest. Give the contract's source file: it must build the
    /// deployed contract (the ABIs are compared)
    #[arg(long, value_name = "SOURCE")]
    explain: Option<std::path::PathBuf>,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, query(args))
}

fn query(args: &Args) -> Result<(Value, String), ClientError> {
    let contract = client::parse_address(&args.contract)?;
    let client = Client::new(&args.connection.rpc);
    let dir = keystore::directory(args.keystore.as_deref());
    let view_args = client::parse_args(args.args.as_deref())?;
    let view_args = client::resolve_names(&client, &contract, &args.view, &view_args, &dir)?;
    let mut request = json!({
        "to": contract.to_string(),
        "method": args.view,
        "args": view_args,
    });
    if let Some(from) = &args.from {
        let address = match client::parse_address(from) {
            Ok(address) => address,
            Err(_) => keystore::named(&dir, from)?.address,
        };
        request["from"] = json!(address.to_string());
    }
    let block = args.block.map_or(json!("latest"), |number| json!(number));
    if let Some(source) = &args.explain {
        return explain(&client, &contract, &args.view, request, block, source);
    }
    let result = client
        .call("assent_call", json!([request, block]))
        .map_err(|error| view_outcome(error, &args.view))?;
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&result).unwrap_or_default()
    );
    Ok((
        json!({ "status": "ok", "return": result, "events": [] }),
        text,
    ))
}

/// `--explain SOURCE`: the contract built from `SOURCE` for explaining, checked against
/// the deployed one, run by the node (`assent_explain`); the result and why.
fn explain(
    client: &Client,
    contract: &assent_ledger::Address,
    view: &str,
    mut request: Value,
    block: Value,
    source: &std::path::Path,
) -> Result<(Value, String), ClientError> {
    let explaining = assent_node::pipeline::compile_explaining_file(source)
        .map_err(|diagnostics| ClientError::Other(diagnostics.trim_end().to_owned()))?;
    let deployed = client
        .call(
            "assent_getAbi",
            json!([contract.to_string(), block.clone()]),
        )
        .map_err(ClientError::rejected)?;
    if deployed.is_null() {
        return Err(ClientError::Other(format!("no contract at `{contract}`")));
    }
    let built = serde_json::to_value(&explaining.compilation.compiled.abi).unwrap_or_default();
    if deployed != built {
        return Err(ClientError::Other(format!(
            "`{}` does not build the contract at `{contract}` (their ABIs differ: source hash {} here, {} deployed), so it cannot explain its decisions",
            source.display(),
            built["source_hash"].as_str().unwrap_or("?"),
            deployed["source_hash"].as_str().unwrap_or("?"),
        )));
    }
    if !assent_node::explain::is_policy(&explaining, view) {
        return Err(ClientError::Other(format!(
            "`{view}` is not a policy of `{}`: only a policy's decision is explained",
            source.display()
        )));
    }
    request["code"] = json!(assent_ledger::primitives::encode_hex(&explaining.wasm));
    let answer = client
        .call("assent_explain", json!([request, block]))
        .map_err(ClientError::rejected)?;
    let explanation = assent_node::explain::explanation_of_answer(&explaining, view, &answer)
        .map_err(ClientError::Other)?
        .with_args(&request["args"]);
    let result = &answer["result"];
    let mut text = match result["status"].as_str() {
        Some("ok") => format!(
            "{}\n",
            serde_json::to_string_pretty(&result["return"]).unwrap_or_default()
        ),
        _ => String::new(),
    };
    text.push_str(&explanation.to_string());
    let mut json = result.clone();
    json["events"] = json!([]);
    json["explanation"] = serde_json::to_value(&explanation).unwrap_or_default();
    Ok((json, text))
}

/// A view that aborted or ran out of gas (the node's error data holds its status,
/// message, position and gas) or that the node refused, as an outcome.
fn view_outcome(error: ClientError, view: &str) -> ClientError {
    match error {
        ClientError::Rpc {
            message,
            data: Some(Value::Object(mut outcome)),
            ..
        } if outcome.contains_key("status") => {
            outcome.entry("message").or_insert_with(|| json!(null));
            outcome.entry("position").or_insert_with(|| json!(null));
            outcome.insert("events".into(), json!([]));
            let position = match outcome.get("position") {
                Some(Value::Object(position)) => format!(
                    " at {}:{}:{}",
                    position.get("file").and_then(Value::as_str).unwrap_or("?"),
                    position.get("line").unwrap_or(&Value::Null),
                    position.get("column").unwrap_or(&Value::Null)
                ),
                _ => String::new(),
            };
            ClientError::Outcome {
                json: Value::Object(outcome),
                message: format!("`{view}` did not succeed: {message}{position}"),
            }
        }
        other => other.rejected(),
    }
}
