//! What the client commands (`deploy`, `call`, `query`, `receipt`, `proof`, `logs`,
//! `keys`) share: a blocking JSON-RPC client, the keystore, signing and sending a
//! transaction, waiting for its receipt, and printing.

pub mod keystore;
pub mod names;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use assent_ledger::primitives::encode_hex;
use assent_ledger::tx::Transaction;
use assent_ledger::{Address, Hash};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

/// The node a client talks to unless `--rpc` says otherwise.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:8645";

/// The gas limit of a transaction unless `--gas-limit` says otherwise. A limit reserves
/// that much of its block's gas limit (1,000,000,000), so it is kept well above what the
/// sample contracts use (at most about 550,000 for a deployment) but low enough that a
/// hundred client transactions share a block.
pub const DEFAULT_GAS_LIMIT: u64 = 10_000_000;

/// Options every client command takes.
#[derive(clap::Args, Clone, Debug)]
pub struct Connection {
    /// The node's JSON-RPC URL
    #[arg(long, value_name = "URL", env = "ASSENT_RPC", default_value = DEFAULT_RPC)]
    pub rpc: String,
    /// Print JSON for tools instead of text for people
    #[arg(long)]
    pub json: bool,
}

/// Options of the commands that sign.
#[derive(clap::Args, Clone, Debug)]
pub struct Signer {
    /// The signing key: a name in the keystore, or a development account name (alice, bob…)
    #[arg(long, value_name = "KEY")]
    pub from: String,
    /// The keystore directory
    #[arg(long, value_name = "DIR", env = "ASSENT_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// The transaction's gas limit
    #[arg(long, value_name = "N", default_value_t = DEFAULT_GAS_LIMIT)]
    pub gas_limit: u64,
    /// Seconds to wait for the transaction to be in a block
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}

impl Signer {
    /// Signs and sends a transaction with this signer's key through the node at `rpc`,
    /// waits for its receipt, and returns it with its description. A receipt whose
    /// status is not `ok` is an [`ClientError::Outcome`] naming `what` (the transaction is
    /// on the ledger and its nonce used, but it did not succeed); so is a transaction the
    /// node refuses (status `rejected`).
    ///
    /// # Errors
    /// The key is not found, the node refuses or is unreachable, no receipt in time, or
    /// the transaction did not succeed.
    pub fn transact(
        &self,
        rpc: &str,
        what: &str,
        to: Option<Address>,
        method: &str,
        args: &Value,
        code: Vec<u8>,
    ) -> Result<(Value, String), ClientError> {
        let dir = keystore::directory(self.keystore.as_deref());
        let key = keystore::find(&dir, &self.from)?;
        let client = Client::new(rpc);
        let hash = client
            .send(&key.key, self.gas_limit, to, method, args, code)
            .map_err(ClientError::rejected)?;
        let receipt = client.wait_for_receipt(&hash, Duration::from_secs(self.timeout))?;
        let text = describe_receipt(&receipt);
        if receipt.get("status").and_then(Value::as_str) != Some("ok") {
            return Err(ClientError::Outcome {
                json: receipt,
                message: format!("{what} did not succeed:\n{text}"),
            });
        }
        Ok((receipt, text))
    }
}

/// Why a client command failed.
#[derive(Debug)]
pub enum ClientError {
    /// The node could not be reached, or did not answer JSON-RPC.
    Transport(String),
    /// The node answered with an error object.
    Rpc {
        code: i64,
        message: String,
        data: Option<Value>,
    },
    /// A transaction or view that the node refused or that ran and did not succeed:
    /// `json` is its outcome, `{status, message, position, gas_used, events, …}`, printed
    /// as is with `--json`.
    Outcome { json: Value, message: String },
    /// Anything else, said for a person.
    Other(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Transport(message)
            | ClientError::Other(message)
            | ClientError::Outcome { message, .. } => f.write_str(message),
            ClientError::Rpc {
                code: 1011,
                message,
                ..
            } => write!(
                f,
                "{message} (error 1011: the transaction was not admitted; send it again later)"
            ),
            ClientError::Rpc { code, message, .. } => write!(f, "{message} (error {code})"),
        }
    }
}

impl ClientError {
    /// A refusal of the node (an error object with a code of the ledger's, 1000 and up:
    /// a transaction or view refused before it ran) as a `rejected` outcome; any other
    /// error as it is.
    pub fn rejected(self) -> ClientError {
        match self {
            ClientError::Rpc {
                code,
                message,
                data,
            } if (1000..2000).contains(&code) => {
                let json = json!({
                    "status": "rejected",
                    "message": message,
                    "code": code,
                    "data": data,
                    "position": null,
                    "gas_used": null,
                    "events": [],
                });
                let message = ClientError::Rpc {
                    code,
                    message,
                    data,
                }
                .to_string();
                ClientError::Outcome { json, message }
            }
            other => other,
        }
    }

    /// The JSON form for `--json`.
    pub fn to_json(&self) -> Value {
        match self {
            ClientError::Outcome { json, .. } => json.clone(),
            ClientError::Rpc {
                code,
                message,
                data,
            } => json!({ "error": { "code": code, "message": message, "data": data } }),
            other => json!({ "error": { "message": other.to_string() } }),
        }
    }
}

/// A blocking JSON-RPC client.
pub struct Client {
    url: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(url: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Client {
            url: url.to_owned(),
            agent,
        }
    }

    /// Calls `method`.
    ///
    /// # Errors
    /// The node cannot be reached, answers with an error, or not with JSON-RPC.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let mut answer = self.post(&body)?;
        if let Some(error) = answer.get("error") {
            return Err(ClientError::Rpc {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("error without a message")
                    .to_owned(),
                data: error.get("data").cloned(),
            });
        }
        answer
            .get_mut("result")
            .map(Value::take)
            .ok_or_else(|| ClientError::Transport("the answer has no `result`".into()))
    }

    /// Sends a JSON-RPC batch (an array of requests) in one HTTP request and returns the
    /// answers, each a response object with its `id` (errors included, as the node gave
    /// them). One request for many calls is what lets a client send thousands of
    /// transactions a second (docs/node.md).
    ///
    /// # Errors
    /// The node cannot be reached, or does not answer with a JSON-RPC batch.
    pub fn batch(&self, batch: &Value) -> Result<Vec<Value>, ClientError> {
        match self.post(batch)? {
            Value::Array(answers) => Ok(answers),
            other => Err(ClientError::Transport(format!(
                "{} did not answer the batch with an array: {other}",
                self.url
            ))),
        }
    }

    /// Posts a JSON-RPC body; the JSON answer.
    fn post(&self, body: &Value) -> Result<Value, ClientError> {
        let unreachable = |error: ureq::Error| {
            ClientError::Transport(format!(
                "cannot reach the node at {}: {error}; is `assent node` running (or give --rpc URL)?",
                self.url
            ))
        };
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body.to_string())
            .map_err(unreachable)?;
        let text = response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .map_err(unreachable)?;
        serde_json::from_str(&text).map_err(|_| {
            ClientError::Transport(format!(
                "{} did not answer with JSON-RPC (HTTP {})",
                self.url,
                response.status()
            ))
        })
    }

    fn u64_of(&self, method: &str, params: Value) -> Result<u64, ClientError> {
        self.call(method, params)?
            .as_u64()
            .ok_or_else(|| ClientError::Transport(format!("`{method}` did not give a number")))
    }

    /// Signs a transaction with the next nonce of `key`'s account and sends it.
    ///
    /// # Errors
    /// As [`Client::call`], or the node refuses the transaction.
    pub fn send(
        &self,
        key: &SigningKey,
        gas_limit: u64,
        to: Option<Address>,
        method: &str,
        args: &Value,
        code: Vec<u8>,
    ) -> Result<Hash, ClientError> {
        let sender = assent_ledger::keys::address_of(key.verifying_key());
        let chain_id = self.u64_of("assent_chainId", json!([]))?;
        let nonce = self.u64_of("assent_getTransactionCount", json!([sender.to_string()]))?;
        let tx = Transaction {
            chain_id,
            nonce,
            gas_limit,
            to,
            method: method.to_owned(),
            args: args.to_string(),
            code,
        };
        let signed = tx
            .sign(key)
            .map_err(|error| ClientError::Other(format!("cannot sign: {error}")))?;
        let hash = self.call(
            "assent_sendRawTransaction",
            json!([encode_hex(signed.encoded())]),
        )?;
        hash.as_str()
            .and_then(Hash::from_hex)
            .ok_or_else(|| ClientError::Transport("the node gave no transaction hash".into()))
    }

    /// Polls for the receipt of `hash`, showing progress on standard error.
    ///
    /// # Errors
    /// As [`Client::call`], or no receipt within `timeout`.
    pub fn wait_for_receipt(&self, hash: &Hash, timeout: Duration) -> Result<Value, ClientError> {
        let started = Instant::now();
        let mut progress = Progress::new(hash);
        loop {
            let receipt = self.call("assent_getTransactionReceipt", json!([hash.to_string()]))?;
            if !receipt.is_null() {
                progress.done(&receipt);
                return Ok(receipt);
            }
            if started.elapsed() >= timeout {
                progress.clear();
                return Err(ClientError::Other(format!(
                    "transaction {hash} is not in a block after {} s; look later with `assent receipt {hash}`",
                    timeout.as_secs()
                )));
            }
            progress.tick(started.elapsed());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// "waiting for inclusion" on standard error: a spinner on a terminal, one line otherwise.
struct Progress {
    terminal: bool,
    shown: bool,
    hash: String,
    frame: usize,
}

impl Progress {
    fn new(hash: &Hash) -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
            shown: false,
            hash: hash.to_string(),
            frame: 0,
        }
    }

    fn tick(&mut self, elapsed: Duration) {
        let mut stderr = std::io::stderr().lock();
        if self.terminal {
            const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
            self.frame = (self.frame + 1) % FRAMES.len();
            let frame = FRAMES.get(self.frame).copied().unwrap_or('|');
            let _ = write!(
                stderr,
                "\r{frame} waiting for {} to be in a block ({:.1} s)",
                self.hash,
                elapsed.as_secs_f64()
            );
            let _ = stderr.flush();
            self.shown = true;
        } else if !self.shown {
            let _ = writeln!(stderr, "waiting for {} to be in a block", self.hash);
            self.shown = true;
        }
    }

    fn clear(&self) {
        if self.terminal && self.shown {
            eprint!("\r\x1b[2K");
        }
    }

    fn done(&self, receipt: &Value) {
        self.clear();
        if self.shown || self.terminal {
            eprintln!(
                "{} is in block {}",
                self.hash,
                receipt.get("block").unwrap_or(&Value::Null)
            );
        }
    }
}

/// Parses `--args`: a JSON object.
///
/// # Errors
/// A message when it is not one.
pub fn parse_args(text: Option<&str>) -> Result<Value, ClientError> {
    let Some(text) = text else {
        return Ok(json!({}));
    };
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ClientError::Other(
            "--args must be a JSON object, parameter name → value, e.g. '{\"grantee\": \"0x…\"}'"
                .into(),
        )),
        Err(error) => Err(ClientError::Other(format!(
            "--args is not valid JSON: {error}"
        ))),
    }
}

/// `args` with names resolved to addresses where the entry point `method` of the
/// contract at `contract` expects an Address (see [`names`]). The contract's ABI comes
/// from the node; with no contract there, or no such entry point, `args` go as they are
/// and the node says what is wrong.
///
/// # Errors
/// An unknown name, or the node cannot be reached.
pub fn resolve_names(
    client: &Client,
    contract: &Address,
    method: &str,
    args: &Value,
    keystore_dir: &std::path::Path,
) -> Result<Value, ClientError> {
    if !names::has_text(args) {
        return Ok(args.clone());
    }
    let abi = client.call("assent_getAbi", json!([contract.to_string(), "latest"]))?;
    let Ok(abi) = serde_json::from_value::<assent_stdlib::abi::ContractAbi>(abi) else {
        return Ok(args.clone());
    };
    match abi.entries.iter().find(|entry| entry.name == method) {
        Some(entry) => names::resolve(args, &abi, entry, keystore_dir),
        None => Ok(args.clone()),
    }
}

/// Parses an address argument.
///
/// # Errors
/// A message when it is not `0x` and 40 hex digits.
pub fn parse_address(text: &str) -> Result<Address, ClientError> {
    Address::from_hex(text).ok_or_else(|| {
        ClientError::Other(format!(
            "`{text}` is not an address: write \"0x\" and 40 hex digits (`assent keys show NAME` prints one)"
        ))
    })
}

/// A JSON value typed on the command line: JSON when it parses, else a string.
pub fn lenient_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Prints a command's result, or its error, and gives the exit code.
pub fn finish(
    json_mode: bool,
    result: Result<(Value, String), ClientError>,
) -> std::process::ExitCode {
    match result {
        Ok((json, text)) => {
            if json_mode {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
            } else {
                print!("{text}");
            }
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            if json_mode {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&error.to_json()).unwrap_or_default()
                );
            }
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A receipt for people: status, gas, return value, events.
pub fn describe_receipt(receipt: &Value) -> String {
    let mut text = String::new();
    let field = |name: &str| receipt.get(name).cloned().unwrap_or(Value::Null);
    let status = field("status");
    let status = status.as_str().unwrap_or("?");
    text.push_str(&format!(
        "{status} in block {} (tx {}, gas {})\n",
        field("block"),
        field("tx_hash").as_str().unwrap_or("?"),
        field("gas_used")
    ));
    if let Some(message) = receipt.get("message").and_then(Value::as_str) {
        let position = receipt
            .get("position")
            .map(|p| match p.get("file").and_then(Value::as_str) {
                Some(file) if !file.is_empty() => {
                    format!(" at {file}:{}:{}", p["line"], p["column"])
                }
                _ => format!(" at line {}, column {}", p["line"], p["column"]),
            })
            .unwrap_or_default();
        text.push_str(&format!("  message: {message}{position}\n"));
    }
    if let Some(address) = receipt.get("contract_address").and_then(Value::as_str) {
        text.push_str(&format!("  contract: {address}\n"));
    }
    let returned = field("return");
    if !returned.is_null() {
        text.push_str(&format!("  returns: {returned}\n"));
    }
    if let Some(events) = receipt.get("events").and_then(Value::as_array) {
        for event in events {
            text.push_str(&format!("  {}\n", describe_event(event)));
        }
    }
    text
}

/// One event on one line: `audit Accessed {…} (contract 0x…)`.
pub fn describe_event(event: &Value) -> String {
    let kind = if event.get("audit").and_then(Value::as_bool) == Some(true) {
        "audit"
    } else {
        "event"
    };
    format!(
        "{kind} {} {} (contract {})",
        event.get("name").and_then(Value::as_str).unwrap_or("?"),
        event.get("fields").unwrap_or(&Value::Null),
        event.get("contract").and_then(Value::as_str).unwrap_or("?")
    )
}
