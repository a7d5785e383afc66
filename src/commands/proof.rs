//! `assent proof ADDR STATE [KEY]`: asks the node for a state entry with its Merkle proof,
//! then checks it here: the raw key is recomputed from the contract's ABI, the state root
//! is the one in the block's header, and the proof leads from that root to the value (or
//! shows its absence). With `--genesis FILE` it also checks that the block is final on the
//! network of that genesis: the header hashes to the block its commit certificate
//! (`assent_getCommit`) names, and the certificate carries valid precommits of distinct
//! genesis validators holding more than two thirds of the voting power — so the answer is
//! trusted without trusting the node that gave it.

use std::process::ExitCode;

use assent_ledger::Hash;
use assent_ledger::primitives::{decode_hex, encode_hex};
use assent_ledger::trie::{secure_key, verify_proof};
use assent_stdlib::abi::ContractAbi;
use serde_json::{Value, json};

use assent_ledger::block::{Header, HeaderFieldError};
use assent_node::client::{self, Client, ClientError, Connection};
use assent_node::consensus::certificate::Certificate;
use assent_node::consensus::genesis::Genesis;
use assent_node::server::state_key::state_key;
use assent_node::wording::count;

#[derive(clap::Args)]
pub struct Args {
    /// The contract's address
    #[arg(value_name = "ADDR")]
    contract: String,
    /// The `state` declaration
    #[arg(value_name = "STATE")]
    state: String,
    /// The map key or set element (JSON, or else text), for a Map or Set state
    #[arg(value_name = "KEY")]
    key: Option<String>,
    /// The block to prove at (default: the latest)
    #[arg(long, value_name = "N")]
    block: Option<u64>,
    /// Check the block's commit certificate against this network's genesis file too
    #[arg(long, value_name = "FILE")]
    genesis: Option<std::path::PathBuf>,
    #[command(flatten)]
    connection: Connection,
}

pub fn run(args: &Args) -> ExitCode {
    client::finish(args.connection.json, prove(args))
}

fn invalid(detail: impl std::fmt::Display) -> ClientError {
    ClientError::Other(format!("the node's proof does not verify: {detail}"))
}

fn prove(args: &Args) -> Result<(Value, String), ClientError> {
    let contract = client::parse_address(&args.contract)?;
    let key = args.key.as_deref().map(client::lenient_json);
    let client = Client::new(&args.connection.rpc);
    let block = args.block.map_or(json!("latest"), |number| json!(number));
    let mut request = json!({ "contract": contract.to_string(), "state": args.state });
    if let Some(key) = &key {
        request["key"] = key.clone();
    }
    let answer = client.call("assent_getProof", json!([request, block]))?;
    let number = answer
        .get("block")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid("no block number"))?;

    // 1. The raw key is the one this state and key name, by the contract's ABI.
    let abi = client.call("assent_getAbi", json!([contract.to_string(), number]))?;
    let abi: ContractAbi = serde_json::from_value(abi)
        .map_err(|error| invalid(format!("the contract's ABI does not read: {error}")))?;
    let expected =
        state_key(&abi, &contract, &args.state, key.as_ref()).map_err(ClientError::Other)?;
    let raw_key = hex_field(&answer, "raw_key")?;
    if raw_key != expected.raw_key {
        return Err(invalid(format!(
            "it proves key {}, not {}",
            encode_hex(&raw_key),
            encode_hex(&expected.raw_key)
        )));
    }
    // 2. The state root is the block header's.
    let header = client.call("assent_getBlockByNumber", json!([number]))?;
    let root = header
        .get("state_root")
        .and_then(Value::as_str)
        .and_then(Hash::from_hex)
        .ok_or_else(|| invalid(format!("block {number} has no state root")))?;
    let claimed_root = answer
        .get("state_root")
        .and_then(Value::as_str)
        .and_then(Hash::from_hex);
    if claimed_root != Some(root) {
        return Err(invalid(format!(
            "its state root is not block {number}'s ({root})"
        )));
    }
    // 2b. The block is final: its header is the one the network's validators committed.
    let finality = match &args.genesis {
        Some(path) => Some(check_final(&client, path, number, &header)?),
        None => None,
    };
    // 3. The proof leads from the root to the value.
    let nodes = answer
        .get("proof")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no proof"))?
        .iter()
        .map(|node| {
            node.as_str()
                .and_then(decode_hex)
                .ok_or_else(|| invalid("a node is not hex"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let proven = verify_proof(root, secure_key(&raw_key).as_bytes(), &nodes)
        .map_err(|error| invalid(error.to_string()))?;
    let claimed = match answer.get("value") {
        None | Some(Value::Null) => None,
        Some(_) => Some(hex_field(&answer, "value")?),
    };
    if proven != claimed {
        return Err(invalid("the value differs from what the proof proves"));
    }
    let value_json = expected
        .value_json(proven.as_deref())
        .map_err(ClientError::Other)?;
    let entry = match &key {
        Some(key) => format!("{}[{key}]", args.state),
        None => args.state.clone(),
    };
    let text = match &proven {
        Some(_) => format!(
            "{entry} = {value_json}\nverified: {} {} from state root {root} of block {number} to this value\n",
            count(nodes.len(), "proof node", "proof nodes"),
            if nodes.len() == 1 { "leads" } else { "lead" }
        ),
        None => format!(
            "{entry} is absent\nverified: {} {} its absence under state root {root} of block {number}\n",
            count(nodes.len(), "proof node", "proof nodes"),
            if nodes.len() == 1 { "shows" } else { "show" }
        ),
    };
    let mut json = answer;
    json["verified"] = json!(true);
    let text = match finality {
        Some((certificate, power, total)) => {
            json["certificate"] = certificate;
            json["final"] = json!(true);
            format!(
                "{text}final: block {number}'s commit certificate carries {power} of {total} voting power\n"
            )
        }
        None => text,
    };
    Ok((json, text))
}

/// Checks block `number`'s commit certificate against the genesis file at `path` and the
/// header the node gave (`header`, block JSON): the certificate, the signers' power and
/// the total.
fn check_final(
    client: &Client,
    path: &std::path::Path,
    number: u64,
    header: &Value,
) -> Result<(Value, u64, u64), ClientError> {
    let genesis = Genesis::read(path).map_err(ClientError::Other)?;
    let rebuilt = Header::from_json(header).map_err(|error| match error {
        HeaderFieldError::Missing(name) => invalid(format!("block {number} has no `{name}`")),
        HeaderFieldError::NotANumber(name) => invalid(format!("`{name}` is not a number")),
        HeaderFieldError::NotAHash(name) => invalid(format!("`{name}` is not a hash")),
    })?;
    let certificate = client.call("assent_getCommit", json!([number]))?;
    if certificate.is_null() {
        return Err(ClientError::Other(format!(
            "the node has no commit certificate for block {number}: it is not decided yet, or the node is a single node, whose blocks have none"
        )));
    }
    let parsed = Certificate::from_json(&certificate).map_err(|error| {
        ClientError::Other(format!("block {number} is not proven final: {error}"))
    })?;
    let power = parsed.verify(&genesis, &rebuilt).map_err(|error| {
        ClientError::Other(format!("block {number} is not proven final: {error}"))
    })?;
    Ok((certificate, power, genesis.total_power()))
}

fn hex_field(answer: &Value, field: &str) -> Result<Vec<u8>, ClientError> {
    answer
        .get(field)
        .and_then(Value::as_str)
        .and_then(decode_hex)
        .ok_or_else(|| invalid(format!("`{field}` is not hex")))
}
