//! `assent receipt HASH`: a transaction's receipt.

use std::process::ExitCode;

use serde_json::{Value, json};

use assent_node::client::{self, Client, ClientError, Connection};

#[derive(clap::Args)]
pub struct Args {
    /// The transaction hash, "0x" and 64 hex digits
    #[arg(value_name = "HASH")]
    hash: String,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, receipt(args))
}

fn receipt(args: &Args) -> Result<(Value, String), ClientError> {
    let receipt = Client::new(&args.connection.rpc)
        .call("assent_getTransactionReceipt", json!([args.hash]))?;
    if receipt.is_null() {
        return Err(ClientError::Other(format!(
            "no receipt for {}: the transaction is unknown or not yet in a block",
            args.hash
        )));
    }
    let text = client::describe_receipt(&receipt);
    Ok((receipt, text))
}
