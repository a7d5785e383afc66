//! `assent query ADDR VIEW --args JSON`: runs a view or policy on the node
//! (`assent_call`) and prints its result.

use std::process::ExitCode;

use serde_json::{Value, json};

use crate::client::{self, Client, ClientError, Connection, keystore};

#[derive(clap::Args)]
pub struct Args {
    /// The contract's address
    #[arg(value_name = "ADDR")]
    contract: String,
    /// The view or policy
    #[arg(value_name = "VIEW")]
    view: String,
    /// Its arguments, a JSON object
    #[arg(long, value_name = "JSON")]
    args: Option<String>,
    /// `caller` in the view: an address, or a key name (default: the zero address)
    #[arg(long, value_name = "ADDR|KEY")]
    from: Option<String>,
    /// The keystore directory, for `--from KEY`
    #[arg(long, value_name = "DIR", env = "ASSENT_KEYSTORE")]
    keystore: Option<std::path::PathBuf>,
    /// The block whose state to read (default: the latest)
    #[arg(long, value_name = "N")]
    block: Option<u64>,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, query(args))
}

fn query(args: &Args) -> Result<(Value, String), ClientError> {
    let contract = client::parse_address(&args.contract)?;
    let view_args = client::parse_args(args.args.as_deref())?;
    let mut request = json!({
        "to": contract.to_string(),
        "method": args.view,
        "args": view_args,
    });
    if let Some(from) = &args.from {
        let address = match client::parse_address(from) {
            Ok(address) => address,
            Err(_) => {
                let dir = keystore::directory(args.keystore.as_deref());
                keystore::find(&dir, from)?.address()
            }
        };
        request["from"] = json!(address.to_string());
    }
    let block = args.block.map_or(json!("latest"), |number| json!(number));
    let result = Client::new(&args.connection.rpc).call("assent_call", json!([request, block]))?;
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&result).unwrap_or_default()
    );
    Ok((result, text))
}
