//! `assent call ADDR METHOD --args JSON --from KEY`: signs and sends a call of an action,
//! waits for its receipt and prints it.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use crate::client::{self, Client, ClientError, Connection, Signer, keystore};

#[derive(clap::Args)]
pub struct Args {
    /// The contract's address
    #[arg(value_name = "ADDR")]
    contract: String,
    /// The action to call
    #[arg(value_name = "METHOD")]
    method: String,
    /// The action's arguments, a JSON object
    #[arg(long, value_name = "JSON")]
    args: Option<String>,
    #[command(flatten)]
    signer: Signer,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, call(args))
}

fn call(args: &Args) -> Result<(Value, String), ClientError> {
    let contract = client::parse_address(&args.contract)?;
    let call_args = client::parse_args(args.args.as_deref())?;
    let dir = keystore::directory(args.signer.keystore.as_deref());
    let key = keystore::find(&dir, &args.signer.from)?;
    let client = Client::new(&args.connection.rpc);
    let hash = client.send(
        &key.key,
        args.signer.gas_limit,
        Some(contract),
        &args.method,
        &call_args,
        Vec::new(),
    )?;
    let receipt = client.wait_for_receipt(&hash, Duration::from_secs(args.signer.timeout))?;
    let text = client::describe_receipt(&receipt);
    if receipt.get("status").and_then(Value::as_str) != Some("ok") {
        // The transaction is on the ledger (its nonce is used); it did not succeed.
        return Err(ClientError::Other(format!(
            "`{}` did not succeed:\n{text}",
            args.method
        )));
    }
    Ok((receipt, text))
}
