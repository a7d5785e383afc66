//! A load run: signed transactions from many accounts over HTTP to one node, or to each
//! validator of a network; throughput and inclusion latency measured, then every receipt
//! and the final state checked.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use assent_ledger::primitives::encode_hex;
use assent_ledger::{Address, Hash};
use serde_json::{Value, json};

use super::{Account, Call, Client, Node, build, counter_wasm, poll_receipt, temp_dir};

/// What each account sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `bump` on the counter contract: the smallest write.
    Bumps,
    /// Consent grants on the patient consent sample, each to another clinician: what a
    /// consortium's ledger mostly records.
    Grants,
}

/// A bump costs well under this; a block holds as many transactions as their gas limits
/// allow, so the limits are kept close to use.
const BUMP_GAS_LIMIT: u64 = 1_000_000;
/// A grant to a new clinician costs under 90k gas.
const GRANT_GAS_LIMIT: u64 = 150_000;

impl Workload {
    /// The name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Bumps => "counter bumps",
            Workload::Grants => "consent grants",
        }
    }

    fn wasm(self) -> &'static [u8] {
        match self {
            Workload::Bumps => counter_wasm(),
            Workload::Grants => consent_wasm(),
        }
    }

    /// The `index`th transaction of an account; a grant goes to `clinicians[index]`.
    fn call(self, contract: Address, index: usize, clinicians: &[Address], until: u64) -> Call {
        match self {
            Workload::Bumps => Call {
                gas_limit: Some(BUMP_GAS_LIMIT),
                ..Call::action(contract, "bump", json!({}))
            },
            Workload::Grants => Call {
                gas_limit: Some(GRANT_GAS_LIMIT),
                ..Call::action(
                    contract,
                    "grant",
                    json!({
                        "grantee": clinicians[index].to_string(),
                        "purposes": ["TREAT"],
                        "classes": ["Lab"],
                        "until": until,
                    }),
                )
            },
        }
    }

    /// Checks what `sender` has on the ledger after sending `count` transactions from
    /// nonce `start` on (grants to the first `count` of `clinicians`).
    fn check(
        self,
        client: &Client,
        contract: Address,
        clinicians: &[Address],
        sender: Address,
        start: u64,
        count: usize,
    ) {
        match self {
            Workload::Bumps => {
                let counted = client.call(
                    "assent_call",
                    json!([{"to": contract.to_string(), "method": "count_of", "args": {"who": sender.to_string()}}]),
                );
                assert_eq!(counted.as_u64(), Some(start + count as u64));
            }
            Workload::Grants => {
                let grants = client.call(
                    "assent_call",
                    json!([{"to": contract.to_string(), "method": "grants_of", "args": {"patient": sender.to_string()}}]),
                );
                let grantees: Vec<&str> = grants
                    .as_array()
                    .unwrap_or_else(|| panic!("grants_of: {grants}"))
                    .iter()
                    .map(|grant| grant["grantee"].as_str().unwrap())
                    .collect();
                for (index, clinician) in clinicians.iter().take(count).enumerate() {
                    let expected = clinician.to_string();
                    assert!(
                        grantees.contains(&expected.as_str()),
                        "{sender} has no grant to clinician {index}: {grants}"
                    );
                }
            }
        }
    }
}

/// The first `count` clinicians' addresses (the same on every run).
fn clinicians(count: usize) -> Vec<Address> {
    (0..count)
        .map(|index| Account::dev(&format!("load-clinician-{index}")).address)
        .collect()
}

/// The patient consent sample's module, compiled once per process.
pub fn consent_wasm() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| {
        let dir = temp_dir("consent-build");
        build(
            "contracts/patient_consent.assent",
            &dir.join("patient_consent.wasm"),
        )
    })
}

/// What a load run measured.
#[derive(Debug)]
pub struct LoadReport {
    pub transactions: usize,
    pub accounts: usize,
    /// From the first send to the last transaction seen in a block.
    pub elapsed: Duration,
    pub blocks: u64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl LoadReport {
    pub fn throughput(&self) -> f64 {
        self.transactions as f64 / self.elapsed.as_secs_f64()
    }
}

/// How a load run sends.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub accounts: usize,
    /// Transactions from each account.
    pub per_account: usize,
    /// HTTP connections, each with its own thread and accounts.
    pub threads: usize,
    /// Transactions per HTTP request (a JSON-RPC batch when more than one).
    pub batch: usize,
    /// Transactions a second offered in all; 0 sends as fast as the node takes them.
    pub rate: u64,
}

impl Plan {
    /// A benchmark's plan from `ASSENT_LOAD_TXS` (default 20000), `ASSENT_LOAD_ACCOUNTS`
    /// (200), `ASSENT_LOAD_THREADS` (8), `ASSENT_LOAD_BATCH` (`batch`) and
    /// `ASSENT_LOAD_RATE` (0).
    pub fn from_env(batch: usize) -> Plan {
        let total: usize = setting("ASSENT_LOAD_TXS", "20000").parse().unwrap();
        let accounts: usize = setting("ASSENT_LOAD_ACCOUNTS", "200").parse().unwrap();
        Plan {
            accounts,
            per_account: total.div_ceil(accounts),
            threads: setting("ASSENT_LOAD_THREADS", "8").parse().unwrap(),
            batch: setting("ASSENT_LOAD_BATCH", &batch.to_string())
                .parse()
                .unwrap(),
            rate: setting("ASSENT_LOAD_RATE", "0").parse().unwrap(),
        }
    }
}

/// "20000 transactions from 200 accounts over 8 connections, 50 per request, as fast as
/// taken".
impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} transactions from {} accounts over {} connections, {} per request, ",
            self.accounts * self.per_account,
            self.accounts,
            self.threads,
            self.batch
        )?;
        match self.rate {
            0 => write!(f, "as fast as taken"),
            rate => write!(f, "offered at {rate} tx/s"),
        }
    }
}

/// A benchmark's setting: the environment variable `name`, or `default`.
pub fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// [`load_on`] with counter bumps on one node, as fast as it takes them.
pub fn load(
    node: &Node,
    accounts: usize,
    per_account: usize,
    threads: usize,
    batch: usize,
) -> LoadReport {
    let plan = Plan {
        accounts,
        per_account,
        threads,
        batch,
        rate: 0,
    };
    load_on(std::slice::from_ref(&node.url), Workload::Bumps, &plan)
}

/// Polls for the receipt of `hash` (60 s at most).
fn wait_receipt(client: &Client, hash: &str) -> Value {
    poll_receipt(hash, Duration::from_secs(60), || {
        client.call("assent_getTransactionReceipt", json!([hash]))
    })
}

/// The next nonce of `account`.
fn nonce_of(client: &Client, account: &Account) -> u64 {
    client
        .call(
            "assent_getTransactionCount",
            json!([account.address.to_string()]),
        )
        .as_u64()
        .unwrap()
}

/// Sends transactions of `workload` as `plan` says. With several `urls` (a network's
/// validators), thread `t` sends to `urls[t % n]`, so each account's transactions go to
/// one validator in nonce order.
/// Measures inclusion latency: send → first seen in a block of `urls[0]`, polled every
/// 10 ms (on a network a block is final when it is committed). Then checks that every
/// transaction has an `ok` receipt and that the final state is what was sent.
pub fn load_on(urls: &[String], workload: Workload, plan: &Plan) -> LoadReport {
    let Plan {
        accounts,
        per_account,
        threads,
        batch,
        rate,
    } = *plan;
    let first = Client::new(&urls[0]);
    let chain_id = first.call("assent_chainId", json!([])).as_u64().unwrap();
    let mut deployer = Account::dev("load-deployer");
    deployer.nonce = nonce_of(&first, &deployer);
    let deploy = deployer.sign(chain_id, &Call::deploy(workload.wasm()));
    let hash = first.call("assent_sendRawTransaction", json!([deploy]));
    let receipt = wait_receipt(&first, hash.as_str().unwrap());
    assert_eq!(receipt["status"], "ok", "{receipt}");
    let contract = Address::from_hex(receipt["contract_address"].as_str().unwrap()).unwrap();
    let start_block = first
        .call("assent_blockNumber", json!([]))
        .as_u64()
        .unwrap();
    let until = assent_node::app::unix_now() + 365 * 86_400;
    // Each account grants the same clinicians, one each.
    let clinicians = match workload {
        Workload::Bumps => Vec::new(),
        Workload::Grants => clinicians(per_account),
    };

    // Sign everything first: the run measures the node, not the signer.
    let mut signed: Vec<Vec<(Hash, String)>> = Vec::new();
    let mut senders = Vec::new();
    for index in 0..accounts {
        let mut account = Account::dev(&format!("load-{index}"));
        account.nonce = nonce_of(&first, &account);
        let start = account.nonce;
        let txs = (0..per_account)
            .map(|index| {
                let tx = account.signed(
                    chain_id,
                    &workload.call(contract, index, &clinicians, until),
                );
                (tx.hash(), encode_hex(tx.encoded()))
            })
            .collect();
        signed.push(txs);
        senders.push((account.address, start));
    }

    let sent_at: Arc<Mutex<BTreeMap<Hash, Instant>>> = Arc::default();
    let seen_at: Arc<Mutex<BTreeMap<Hash, Instant>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let total = accounts * per_account;

    // The observer: new blocks as they come, and when each transaction was first seen.
    let observer = {
        let (seen_at, done, url) = (seen_at.clone(), done.clone(), urls[0].clone());
        std::thread::spawn(move || {
            let client = Client::new(&url);
            let mut next = start_block + 1;
            while !done.load(Ordering::Relaxed) {
                let head = client
                    .call("assent_blockNumber", json!([]))
                    .as_u64()
                    .unwrap();
                while next <= head {
                    let block = client.call("assent_getBlockByNumber", json!([next]));
                    let now = Instant::now();
                    let mut seen = seen_at.lock().unwrap();
                    for hash in block["transactions"].as_array().unwrap() {
                        seen.insert(Hash::from_hex(hash.as_str().unwrap()).unwrap(), now);
                    }
                    next += 1;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            next - 1
        })
    };

    // The senders: each thread owns some accounts and sends each account's
    // transactions in nonce order, round-robin across its accounts.
    let started = Instant::now();
    let mut shares: Vec<Vec<Vec<(Hash, String)>>> = (0..threads).map(|_| Vec::new()).collect();
    for (index, txs) in signed.into_iter().enumerate() {
        shares[index % threads].push(txs);
    }
    let workers: Vec<_> = shares
        .into_iter()
        .enumerate()
        .map(|(thread, share)| {
            let (sent_at, url) = (sent_at.clone(), urls[thread % urls.len()].clone());
            std::thread::spawn(move || {
                let client = Client::new(&url);
                let rounds = share.iter().map(Vec::len).max().unwrap_or(0);
                // Round-robin over the accounts keeps each account's nonce order, and the
                // node answers a batch's requests in order.
                let order: Vec<&(Hash, String)> = (0..rounds)
                    .flat_map(|round| share.iter().filter_map(move |txs| txs.get(round)))
                    .collect();
                for (index, chunk) in order.chunks(batch.max(1)).enumerate() {
                    if rate > 0 {
                        // This thread's share of the rate: its `index`th request is due
                        // when `index × batch` of its transactions are.
                        let due = started
                            + Duration::from_secs_f64(
                                (index * batch.max(1) * threads) as f64 / rate as f64,
                            );
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    }
                    let now = Instant::now();
                    sent_at
                        .lock()
                        .unwrap()
                        .extend(chunk.iter().map(|(hash, _)| (*hash, now)));
                    if let [(hash, raw)] = chunk {
                        let answer = client.call("assent_sendRawTransaction", json!([raw]));
                        assert_eq!(answer.as_str(), Some(hash.to_string().as_str()));
                        continue;
                    }
                    let requests: Vec<Value> = chunk
                        .iter()
                        .enumerate()
                        .map(|(id, (_, raw))| {
                            json!({"jsonrpc": "2.0", "id": id, "method": "assent_sendRawTransaction", "params": [raw]})
                        })
                        .collect();
                    let answers = client.batch(&Value::Array(requests));
                    assert_eq!(answers.len(), chunk.len());
                    for (answer, (hash, _)) in answers.iter().zip(chunk) {
                        assert_eq!(
                            answer["result"].as_str(),
                            Some(hash.to_string().as_str()),
                            "{answer}"
                        );
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    // Wait for every transaction to be in a block (bounded).
    loop {
        if seen_at.lock().unwrap().len() >= total {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "only {} of {total} transactions are in blocks after 600 s",
            seen_at.lock().unwrap().len()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let last_seen = seen_at.lock().unwrap().values().max().copied().unwrap();
    done.store(true, Ordering::Relaxed);
    let last_block = observer.join().unwrap();

    // Latencies.
    let sent_at = sent_at.lock().unwrap();
    let seen_at = seen_at.lock().unwrap();
    let mut latencies: Vec<Duration> = sent_at
        .iter()
        .map(|(hash, sent)| seen_at[hash].saturating_duration_since(*sent))
        .collect();
    latencies.sort();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];

    // Every transaction has an ok receipt (asked for in batches).
    let hashes: Vec<&Hash> = sent_at.keys().collect();
    for chunk in hashes.chunks(200) {
        let batch: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(id, hash)| {
                json!({"jsonrpc": "2.0", "id": id, "method": "assent_getTransactionReceipt", "params": [hash.to_string()]})
            })
            .collect();
        let answers = first.batch(&Value::Array(batch));
        assert_eq!(answers.len(), chunk.len());
        for answer in answers {
            assert_eq!(answer["result"]["status"], "ok", "{answer}");
        }
    }
    // The final state is what was sent.
    for (address, start) in &senders {
        workload.check(&first, contract, &clinicians, *address, *start, per_account);
    }
    LoadReport {
        transactions: total,
        accounts,
        elapsed: last_seen.saturating_duration_since(started),
        blocks: last_block - start_block,
        p50: percentile(50),
        p99: percentile(99),
        max: *latencies.last().unwrap(),
    }
}
