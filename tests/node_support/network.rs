//! A local network of validators for the tests and the network benchmark: `assent testnet`
//! on free loopback ports, one `assent node --home` process per validator.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assent_node::client::Client;
use serde_json::{Value, json};

use super::{BIN, assent};

/// One `assent node --home` process; killed when dropped.
pub struct Validator {
    pub home: PathBuf,
    child: Option<Child>,
    pub client: Client,
    pub url: String,
}

impl Validator {
    /// Starts the validator in `home`; `faulty` turns on the test-only faulty proposer.
    pub fn start(home: &Path, faulty: bool) -> Validator {
        let log = File::options()
            .create(true)
            .append(true)
            .open(home.join("stderr.log"))
            .unwrap();
        let mut command = Command::new(BIN);
        command
            .args(["node", "--home"])
            .arg(home)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if faulty {
            command.env(assent_network::FAULTY_PROPOSER_VARIABLE, "1");
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("validator {} exited: {}", home.display(), log_of(home)))
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_owned();
            }
        };
        // Keep draining stdout so that the validator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Validator {
            home: home.to_path_buf(),
            child: Some(child),
            client: Client::new(&url),
            url,
        }
    }

    /// SIGKILL, by the child's own pid.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The CPU time the process has used so far.
    pub fn cpu_time(&self) -> Duration {
        super::cpu_time(self.child.as_ref().unwrap().id())
    }

    pub fn call(&self, method: &str, params: Value) -> Value {
        self.client
            .call(method, params)
            .unwrap_or_else(|error| panic!("{method}: {error:?}; {}", log_of(&self.home)))
    }

    pub fn head(&self) -> u64 {
        self.call("assent_blockNumber", json!([])).as_u64().unwrap()
    }

    pub fn block(&self, number: u64) -> Value {
        self.call("assent_getBlockByNumber", json!([number]))
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a validator wrote to its standard error.
pub fn log_of(home: &Path) -> String {
    std::fs::read_to_string(home.join("stderr.log")).unwrap_or_default()
}

/// A base port whose ports for `count` validators (JSON-RPC and consensus) are free now.
pub fn free_base_port(count: usize) -> u16 {
    let count = u16::try_from(count).unwrap();
    let mut base = 21_000 + (std::process::id() % 400) as u16 * 20;
    loop {
        let free = (0..count)
            .flat_map(|i| [base + i, base + 100 + i])
            .all(|port| TcpListener::bind(("127.0.0.1", port)).is_ok());
        if free {
            return base;
        }
        base += 7;
    }
}

/// Writes a network of `count` validators of chain `chain_id` in `dir` with `assent
/// testnet` on free ports; the validators' homes.
pub fn testnet(dir: &Path, count: usize, chain_id: u64) -> Vec<PathBuf> {
    let base = free_base_port(count);
    let written = assent(&[
        "testnet",
        &count.to_string(),
        dir.to_str().unwrap(),
        "--base-port",
        &base.to_string(),
        "--chain-id",
        &chain_id.to_string(),
    ]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    (0..count).map(|i| dir.join(format!("node{i}"))).collect()
}

/// Waits until `done` holds (`what` names it in the failure), at most `limit`.
pub fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until every validator of `indices` is at `height` or past it.
pub fn wait_for_height(validators: &[Validator], indices: &[usize], height: u64, limit: Duration) {
    wait_until(&format!("height {height} on {indices:?}"), limit, || {
        indices.iter().all(|&i| validators[i].head() >= height)
    });
}

/// The highest head of the validators of `indices`.
pub fn max_head(validators: &[Validator], indices: &[usize]) -> u64 {
    indices.iter().map(|&i| validators[i].head()).max().unwrap()
}
