//! Helpers for the node's end-to-end tests and its load benchmark: a real `assent node`
//! process on a free loopback port in a temporary directory, JSON-RPC and raw HTTP to it,
//! the CLI pointed at it, signed transactions, and a load run.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assent_ledger::Address;
use assent_ledger::keys::{address_of, dev_key};
use assent_ledger::primitives::encode_hex;
use assent_ledger::tx::{Signature, SignedTransaction, Transaction};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_assent");

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty directory under the system's temporary directory.
#[path = "../common/temp_dir.rs"]
mod temp_dir;
pub use temp_dir::TempDir;

mod load;
// Each test or benchmark uses some of these.
#[allow(unused_imports)]
pub use load::{LoadReport, Plan, Workload, load, load_on, setting};
pub mod network;

pub fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("node-{name}"))
}

/// A running `assent node`; killed when dropped unless stopped first.
pub struct Node {
    child: Option<Child>,
    pub url: String,
    pub data: PathBuf,
    agent: ureq::Agent,
}

impl Node {
    /// Starts a node on `data` on a free loopback port.
    pub fn start(data: &Path, block_time: &str) -> Node {
        Node::start_with(data, block_time, &[])
    }

    /// The `host:port` the node listens on.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Stops the node with SIGTERM and checks that it exits cleanly.
    pub fn stop(mut self) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert!(exit.success(), "the node exited with {exit}");
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.as_mut().unwrap().try_wait(), Ok(None))
    }

    /// POSTs a body; the HTTP status and the body of the answer.
    pub fn post(&self, body: &[u8]) -> (u16, String) {
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, text)
    }

    /// The whole response object of one call.
    pub fn rpc(&self, method: &str, params: &Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
        let (status, text) = self.post(body.to_string().as_bytes());
        let response: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("HTTP {status}, not JSON: {text}"));
        assert_eq!(response["jsonrpc"], "2.0", "{response}");
        assert_eq!(response["id"], 7, "{response}");
        response
    }

    /// The result of a call that must succeed.
    pub fn result(&self, method: &str, params: &Value) -> Value {
        let response = self.rpc(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} {params} failed: {response}"
        );
        response["result"].clone()
    }

    /// The error code of a call that must fail.
    pub fn error(&self, method: &str, params: &Value) -> (i64, String) {
        let response = self.rpc(method, params);
        let error = response
            .get("error")
            .unwrap_or_else(|| panic!("{method} {params} did not fail: {response}"));
        (
            error["code"].as_i64().unwrap(),
            error["message"].as_str().unwrap().to_owned(),
        )
    }

    /// Raw bytes over TCP; all the node sends back before it closes the connection. A node
    /// that neither answers nor closes it within a minute fails the test (a timeout is never
    /// taken for a refusal).
    pub fn raw_http(&self, bytes: &[u8]) -> String {
        let mut stream = TcpStream::connect(self.address()).unwrap();
        // Generous: only a node that neither answers nor closes the connection waits it out,
        // and that fails the test instead of passing for a refusal.
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let _ = stream.write_all(bytes);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).into_owned();
        match read {
            Ok(_) => answer,
            // A reset after an answer is still the node's answer.
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => answer,
            Err(error) => panic!(
                "the node neither answered nor closed the connection: {error}; got {answer:?}"
            ),
        }
    }

    /// The CLI pointed at this node.
    pub fn cli(&self, args: &[&str], keystore: &Path) -> Output {
        Command::new(BIN)
            .args(args)
            .env("ASSENT_RPC", &self.url)
            .env("ASSENT_KEYSTORE", keystore)
            .env("NO_COLOR", "1")
            .current_dir(repo())
            .output()
            .unwrap()
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.result("assent_chainId", &json!([])).as_u64().unwrap()
    }

    /// Sends a raw transaction; its hash.
    pub fn send(&self, raw: &str) -> Value {
        self.rpc("assent_sendRawTransaction", &json!([raw]))
    }

    /// Polls for a receipt (10 s at most).
    pub fn wait_receipt(&self, hash: &str) -> Value {
        poll_receipt(hash, Duration::from_secs(10), || {
            self.result("assent_getTransactionReceipt", &json!([hash]))
        })
    }

    /// Signs, sends and waits: the receipt.
    pub fn transact(&self, account: &mut Account, call: &Call) -> Value {
        let raw = account.sign(self.chain_id(), call);
        let response = self.send(&raw);
        let hash = response["result"]
            .as_str()
            .unwrap_or_else(|| panic!("refused: {response}"))
            .to_owned();
        self.wait_receipt(&hash)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the binary with `args` in the repository root.
pub fn assent(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The module `assent build` makes of `source` (relative to the repository), written to
/// `out` on the way.
pub fn build(source: &str, out: &Path) -> Vec<u8> {
    let output = assent(&["build", source, "-o", out.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out).unwrap()
}

/// The counter contract's module, compiled once per test process by `assent build`.
pub fn counter_wasm() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| {
        let dir = temp_dir("counter-build");
        build(
            "tests/node_support/counter.assent",
            &dir.join("counter.wasm"),
        )
    })
}

/// What a transaction does.
#[derive(Clone, Debug, Default)]
pub struct Call {
    pub to: Option<Address>,
    pub method: String,
    pub args: String,
    pub code: Vec<u8>,
    pub gas_limit: Option<u64>,
    /// Overrides the account's next nonce.
    pub nonce: Option<u64>,
    /// Overrides the node's chain id.
    pub chain_id: Option<u64>,
}

impl Call {
    pub fn deploy(code: &[u8]) -> Call {
        Call {
            code: code.to_vec(),
            ..Call::default()
        }
    }

    pub fn action(to: Address, method: &str, args: Value) -> Call {
        Call {
            to: Some(to),
            method: method.to_owned(),
            args: args.to_string(),
            ..Call::default()
        }
    }
}

/// A development account that keeps its next nonce.
pub struct Account {
    pub name: String,
    pub key: SigningKey,
    pub address: Address,
    pub nonce: u64,
}

impl Account {
    pub fn dev(name: &str) -> Account {
        let key = dev_key(name).unwrap();
        Account {
            name: name.to_owned(),
            address: address_of(key.verifying_key()),
            key,
            nonce: 0,
        }
    }

    /// The signed transaction in hex; the account's nonce moves on unless overridden.
    pub fn sign(&mut self, chain_id: u64, call: &Call) -> String {
        encode_hex(self.signed(chain_id, call).encoded())
    }

    pub fn signed(&mut self, chain_id: u64, call: &Call) -> SignedTransaction {
        let nonce = call.nonce.unwrap_or_else(|| {
            self.nonce += 1;
            self.nonce - 1
        });
        Transaction {
            chain_id: call.chain_id.unwrap_or(chain_id),
            nonce,
            gas_limit: call.gas_limit.unwrap_or(100_000_000),
            to: call.to,
            method: call.method.clone(),
            args: call.args.clone(),
            code: call.code.clone(),
        }
        .sign(&self.key)
        .unwrap()
    }
}

/// The same transaction with its signature's `s` replaced by `n − s` (and the parity
/// flipped): still a valid signature mathematically, but high-s.
pub fn high_s(signed: &SignedTransaction) -> String {
    use k256::elliptic_curve::PrimeField;
    let signature = signed.signature();
    let s = k256::Scalar::from_repr(signature.s.into()).unwrap();
    let flipped = Signature {
        y_parity: 1 - signature.y_parity,
        r: signature.r,
        s: (-s).to_repr().into(),
    };
    encode_hex(SignedTransaction::new(signed.tx().clone(), flipped).encoded())
}

/// Asks `receipt_of` every 20 ms until it answers with a receipt (not null); panics after
/// `limit`.
fn poll_receipt(hash: &str, limit: Duration, mut receipt_of: impl FnMut() -> Value) -> Value {
    let started = Instant::now();
    loop {
        let receipt = receipt_of();
        if !receipt.is_null() {
            return receipt;
        }
        assert!(started.elapsed() < limit, "no receipt for {hash}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The node library's keep-alive JSON-RPC client, for the load threads: calls that must
/// succeed.
pub struct Client(assent_node::client::Client);

impl Client {
    pub fn new(url: &str) -> Client {
        Client(assent_node::client::Client::new(url))
    }

    /// The result of a call that must succeed.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.0
            .call(method, params)
            .unwrap_or_else(|error| panic!("{method}: {error}"))
    }

    /// The responses to a batch.
    pub fn batch(&self, batch: &Value) -> Vec<Value> {
        self.0
            .batch(batch)
            .unwrap_or_else(|error| panic!("{error}"))
    }
}

/// A TCP connection to `remote` from the loopback address `local` (Linux routes all of
/// 127/8 to `lo`, so `127.0.0.2` is another client of the same machine).
pub fn connect_from(local: &str, remote: &str) -> std::io::Result<TcpStream> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let local: std::net::SocketAddr = format!("{local}:0")
        .parse()
        .map_err(std::io::Error::other)?;
    let remote: std::net::SocketAddr = remote.parse().map_err(std::io::Error::other)?;
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(local)?;
        socket.connect(remote).await
    })?;
    let stream = runtime.block_on(async { stream.into_std() })?;
    stream.set_nonblocking(false)?;
    Ok(stream)
}

impl Node {
    /// [`Node::start`] with more `assent node` arguments (`--view-gas N`, …).
    pub fn start_with(data: &Path, block_time: &str, extra: &[&str]) -> Node {
        let mut child = Command::new(BIN)
            .args(["node", "--quiet", "--listen", "127.0.0.1:0", "--block-time"])
            .arg(block_time)
            .arg("--data")
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the node exited before listening")
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_owned();
            }
        };
        // Keep draining stdout so that the node never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Node {
            child: Some(child),
            url,
            data: data.to_path_buf(),
            agent,
        }
    }

    /// The CPU time the node process has used so far.
    pub fn cpu_time(&self) -> Duration {
        cpu_time(self.child.as_ref().unwrap().id())
    }

    /// The node process's peak resident memory in KiB (`VmHWM` of `/proc/<pid>/status`).
    pub fn peak_rss_kib(&self) -> u64 {
        let pid = self.child.as_ref().unwrap().id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

/// The CPU time (user and system, all threads) process `pid` has used: `utime` and
/// `stime` of `/proc/<pid>/stat`, in clock ticks of 1/100 s (Linux's `USER_HZ`).
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name in parentheses may hold spaces: count the fields after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// Builds an Assent source with `assent build`; the module.
pub fn build_source(name: &str, source: &str) -> Vec<u8> {
    let dir = temp_dir(&format!("{name}-build"));
    let path = dir.join(format!("{name}.assent"));
    std::fs::write(&path, source).unwrap();
    let out = dir.join(format!("{name}.wasm"));
    let output = assent(&["build", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out).unwrap()
}
