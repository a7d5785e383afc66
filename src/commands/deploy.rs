//! `assent deploy FILE.assent|FILE.wasm --from KEY [--args JSON]`: compiles (for a source
//! file), signs, sends the deployment, waits for its receipt and prints the new
//! contract's address.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;

use crate::client::{self, ClientError, Connection, Signer};
use crate::pipeline;

#[derive(clap::Args)]
pub struct Args {
    /// The contract: Assent source (compiled first) or a module from `assent build`
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The arguments of `init`, a JSON object
    #[arg(long, value_name = "JSON")]
    args: Option<String>,
    #[command(flatten)]
    signer: Signer,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, deploy(args))
}

fn deploy(args: &Args) -> Result<(Value, String), ClientError> {
    let init_args = client::parse_args(args.args.as_deref())?;
    let code = module(&args.file)?;
    let (receipt, text) = args.signer.transact(
        &args.connection.rpc,
        "the deployment",
        None,
        "",
        &init_args,
        code,
    )?;
    let address = receipt
        .get("contract_address")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    eprint!("{text}");
    Ok((receipt, format!("{address}\n")))
}

/// The module to deploy: compiled from source, or read from a `.wasm` file.
fn module(path: &std::path::Path) -> Result<Vec<u8>, ClientError> {
    if path.extension().is_some_and(|ext| ext == "wasm") {
        return std::fs::read(path).map_err(|error| {
            ClientError::Other(format!("cannot read `{}`: {error}", path.display()))
        });
    }
    if !path.exists() {
        return Err(ClientError::Other(format!(
            "`{}` does not exist",
            path.display()
        )));
    }
    let built = pipeline::compile_file(path, false).map_err(ClientError::Other)?;
    eprint!("{}", built.warnings.trim_start_matches('\n'));
    Ok(built.compiled.wasm)
}
