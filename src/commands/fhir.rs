//! `assent fhir import CONSENT.json --contract ADDR --from KEY [--dry-run]` and `assent fhir
//! export ADDR PATIENT`: FHIR Consent in and out of a `patient_consent` contract
//! (docs/fhir.md). The mapping is `assent_node::fhir`; this is the IO around it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use assent_ledger::Address;
use assent_node::client::{self, Client, ClientError, Connection, Signer, keystore};
use assent_node::fhir::{self, Identities};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Record a FHIR Consent (R4 or R5) as calls of a `patient_consent` contract
    Import(ImportArgs),
    /// Write a patient's grants as a FHIR R5 Consent
    Export(ExportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The Consent resource, a JSON file
    #[arg(value_name = "CONSENT.json")]
    document: PathBuf,
    /// The `patient_consent` contract's address
    #[arg(long, value_name = "ADDR")]
    contract: String,
    /// Print the calls without sending them
    #[arg(long)]
    dry_run: bool,
    /// The identities file: FHIR reference → address (docs/fhir.md)
    #[arg(long, value_name = "FILE")]
    identities: Option<PathBuf>,
    #[command(flatten)]
    signer: Signer,
    #[command(flatten)]
    connection: Connection,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// The `patient_consent` contract's address
    #[arg(value_name = "ADDR")]
    contract: String,
    /// The patient: an address, or a reference in the identities file (`Patient/abc`)
    #[arg(value_name = "PATIENT")]
    patient: String,
    /// The identities file: FHIR reference → address (docs/fhir.md)
    #[arg(long, value_name = "FILE")]
    identities: Option<PathBuf>,
    /// The node's JSON-RPC URL
    #[arg(long, value_name = "URL", env = "ASSENT_RPC", default_value = client::DEFAULT_RPC)]
    rpc: String,
}

pub fn run(args: &Args) -> ExitCode {
    match &args.command {
        Command::Import(args) => client::finish(args.connection.json, import(args)),
        Command::Export(args) => match export(args) {
            Ok(consent) => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&consent).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}

fn identities(path: Option<&Path>) -> Result<Identities, ClientError> {
    let Some(path) = path else {
        return Ok(Identities::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|error| ClientError::Other(format!("cannot read {}: {error}", path.display())))?;
    Identities::from_json(&text).map_err(|errors| {
        ClientError::Other(format!(
            "{} is not an identities file:\n{errors}",
            path.display()
        ))
    })
}

fn import(args: &ImportArgs) -> Result<(Value, String), ClientError> {
    let contract = client::parse_address(&args.contract)?;
    let identities = identities(args.identities.as_deref())?;
    let path = &args.document;
    let text = std::fs::read_to_string(path)
        .map_err(|error| ClientError::Other(format!("cannot read {}: {error}", path.display())))?;
    let document: Value = serde_json::from_str(&text).map_err(|error| {
        ClientError::Other(format!("{} is not valid JSON: {error}", path.display()))
    })?;
    let dir = keystore::directory(args.signer.keystore.as_deref());
    let signer = keystore::named(&dir, &args.signer.from)?.address;
    let now = present(&args.connection.rpc, args.dry_run)?;
    let calls = fhir::import(&document, &identities, Some(signer), now).map_err(|errors| {
        ClientError::Outcome {
            json: json!({ "status": "refused", "errors": errors.to_json() }),
            message: format!(
                "{} cannot be recorded as it is (nothing was sent):\n{errors}",
                path.display()
            ),
        }
    })?;
    let mut text = String::new();
    if args.dry_run {
        for call in &calls {
            text.push_str(&format!("{} {}\n", call.method, call.args));
        }
        let json = Value::Array(calls.iter().map(fhir::Call::to_json).collect());
        return Ok((json, text));
    }
    let mut receipts = Vec::new();
    for (index, call) in calls.iter().enumerate() {
        let what = format!("call {} of {} (`{}`)", index + 1, calls.len(), call.method);
        let (receipt, described) = args.signer.transact(
            &args.connection.rpc,
            &what,
            Some(contract),
            call.method,
            &call.args,
            Vec::new(),
        )?;
        text.push_str(&format!("{} {}\n{described}", call.method, call.args));
        receipts.push(receipt);
    }
    Ok((Value::Array(receipts), text))
}

/// What a `period.start` is compared with: the later of the system clock and the node's
/// latest block time (a node producing blocks quickly runs ahead of the clock, and a grant
/// exported from it starts at a block's time). A dry run that cannot reach the node
/// uses the clock alone. Only a refusal depends on it; nothing it gives reaches the ledger.
fn present(rpc: &str, dry_run: bool) -> Result<i64, ClientError> {
    let clock = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        });
    let latest = match Client::new(rpc).call("assent_getBlockByNumber", json!(["latest"])) {
        Ok(block) => block.get("time").and_then(Value::as_i64).unwrap_or(0),
        Err(_) if dry_run => 0,
        Err(error) => return Err(error),
    };
    Ok(clock.max(latest))
}

fn export(args: &ExportArgs) -> Result<Value, ClientError> {
    let contract = client::parse_address(&args.contract)?;
    let identities = identities(args.identities.as_deref())?;
    let patient = match Address::from_hex(&args.patient) {
        Some(address) => address,
        None => identities.address(&args.patient).ok_or_else(|| {
            ClientError::Other(format!(
                "`{}` is neither an address nor a reference in the identities file",
                args.patient
            ))
        })?,
    };
    let client = Client::new(&args.rpc);
    let view = |method: &str, view_args: Value| {
        client.call(
            "assent_call",
            json!([{ "to": contract.to_string(), "method": method, "args": view_args }, "latest"]),
        )
    };
    let refused = |errors: fhir::FhirErrors| ClientError::Other(errors.to_string());
    let grants = view("grants_of", json!({ "patient": patient.to_string() }))?;
    let mut records = fhir::grant_records(&grants).map_err(refused)?;
    for record in &mut records {
        let exclusion = view(
            "exclusion",
            json!({ "patient": patient.to_string(), "grantee": record.grantee.to_string() }),
        )?;
        record.set_exclusion(&exclusion).map_err(refused)?;
    }
    Ok(fhir::export(patient, &records, &identities))
}
