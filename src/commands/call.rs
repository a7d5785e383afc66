//! `assent call ADDR METHOD --args JSON --from KEY`: signs and sends a call of an action,
//! waits for its receipt and prints it.

use std::process::ExitCode;

use serde_json::Value;

use assent_node::client::{self, Client, ClientError, Connection, Signer, keystore};

#[derive(clap::Args)]
pub struct Args {
    /// The contract's address
    #[arg(value_name = "ADDR")]
    contract: String,
    /// The action to call
    #[arg(value_name = "METHOD")]
    method: String,
    /// The action's arguments, a JSON object; an Address may be given by name (a key, a
    /// stored name, or a development account)
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
    let call_args = client::resolve_names(
        &Client::new(&args.connection.rpc),
        &contract,
        &args.method,
        &call_args,
        &keystore::directory(args.signer.keystore.as_deref()),
    )?;
    args.signer.transact(
        &args.connection.rpc,
        &format!("`{}`", args.method),
        Some(contract),
        &args.method,
        &call_args,
        Vec::new(),
    )
}
