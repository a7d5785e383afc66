//! `assent deploy FILE.assent|FILE.wasm --from KEY [--args JSON]`: compiles (for a source
//! file), signs, sends the deployment, waits for its receipt and prints the new
//! contract's address.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;

use assent_stdlib::abi::EntryKind;

use assent_node::client::{self, ClientError, Connection, Signer, keystore};
use assent_node::pipeline;

#[derive(clap::Args)]
pub struct Args {
    /// The contract: Assent source (compiled first) or a module from `assent build`
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The arguments of `init`, a JSON object; an Address may be given by name (a key, a
    /// stored name, or a development account)
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
    let init_args = resolve_names(&code, &init_args, args)?;
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

/// `init`'s args with names resolved to addresses, by the module's own ABI; as given
/// when the module has none the validator accepts (the node then refuses it).
fn resolve_names(code: &[u8], init_args: &Value, args: &Args) -> Result<Value, ClientError> {
    if !client::names::has_text(init_args) {
        return Ok(init_args.clone());
    }
    let Ok(module) = assent_vm::validate(code) else {
        return Ok(init_args.clone());
    };
    match module
        .abi
        .entries
        .iter()
        .find(|entry| entry.kind == EntryKind::Init)
    {
        Some(init) => client::names::resolve(
            init_args,
            &module.abi,
            init,
            &keystore::directory(args.signer.keystore.as_deref()),
        ),
        None => Ok(init_args.clone()),
    }
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
