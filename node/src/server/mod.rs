//! `assent node`: a single-node ledger on a durable store, serving JSON-RPC 2.0 over HTTP
//! (LEDGER.md §6).
//!
//! Reading order: [`rpc`] (envelopes, error codes) → [`mempool`] → [`producer`] (the thread
//! that owns the chain and commits blocks) → [`state_key`] (state names to raw keys) →
//! [`methods`] (the methods, on RPC worker threads) → [`portal`] (the patient portal's
//! embedded files) → [`http`] (hyper on tokio: JSON-RPC on POST, the portal on GET).
//!
//! Threads: tokio's two runtime threads move HTTP bytes; RPC worker threads run methods
//! (reads straight from the store, views on their own VM); the producer thread alone
//! writes. A transaction goes worker (decode, signature) → producer (nonce and the other
//! stateful checks; admitted into the mempool) → a block.

pub mod http;
pub mod mempool;
pub mod methods;
pub mod portal;
pub mod producer;
pub mod rpc;
pub mod state_key;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assent_ledger::{Chain, ChainConfig, DEFAULT_BLOCK_GAS_LIMIT, RedbStore, Store};
use assent_vm::VmConfig;

use crate::consensus::commits::CommitStore;
use crate::executor::VmExecutor;

use self::http::Dispatcher;
use self::mempool::SharedMempool;
use self::methods::Node;
use self::producer::{Command, Schedule};

/// The chain id of a new data directory unless `--chain-id` says otherwise ("AS").
pub const DEFAULT_CHAIN_ID: u64 = 0x4153;

/// The default gas cap of a view over RPC (`--view-gas`): views run on the RPC worker
/// threads, never on the block producer, and this bounds how long one holds a worker.
pub const DEFAULT_VIEW_GAS: u64 = 100_000_000;

/// The file of a data directory that holds the blocks' commit certificates.
pub const COMMITS_FILE: &str = "commits.redb";

/// RPC worker threads.
const WORKERS: usize = 4;

#[derive(clap::Args)]
pub struct Args {
    /// The data directory (created if missing; the ledger is `DIR/ledger.redb`)
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// The address to serve JSON-RPC on (port 0 picks a free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8645")]
    listen: SocketAddr,
    /// Time between blocks: `2s`, `500ms`, `1m`; `0` makes one block per transaction, at once
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_duration)]
    block_time: Duration,
    /// The chain id of a new ledger (default 16723); for an existing one it must match
    #[arg(long, value_name = "N")]
    chain_id: Option<u64>,
    /// Do not log each block with transactions to standard error
    #[arg(long)]
    quiet: bool,
    /// The gas cap of a view or policy called over RPC (`assent_call`); at most the block
    /// gas limit
    #[arg(long, value_name = "N", default_value_t = DEFAULT_VIEW_GAS)]
    view_gas: u64,
    /// Contract sources (files, or directories searched for `*.assent`) this node may
    /// explain decisions with: `assent_explain` without `code`, and the portal's "Why?",
    /// for a deployed contract one of them builds exactly
    #[arg(long, value_name = "PATH")]
    sources: Vec<PathBuf>,
}

/// Parses `0`, `250ms`, `2s`, `1m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let amount: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. `2s`, `500ms` or `0`"))?;
    match unit {
        "" if amount == 0 => Ok(Duration::ZERO),
        "ms" => Ok(Duration::from_millis(amount)),
        "s" => Ok(Duration::from_secs(amount)),
        "m" => Ok(Duration::from_secs(amount.saturating_mul(60))),
        _ => Err(format!(
            "`{text}` is not a duration; write e.g. `2s`, `500ms`, `1m` or `0`"
        )),
    }
}

pub fn run(args: &Args) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &Args) -> Result<(), String> {
    let (sources, warnings) = crate::explain::Sources::load(&args.sources)?;
    for warning in warnings {
        eprintln!("assent node: {warning}");
    }
    let chain = open_ledger(&args.data, args.chain_id, None)?;
    // A validator's certificates (`assent_getCommit`), when the directory holds them.
    let commits_path = args.data.join(COMMITS_FILE);
    let commits = if commits_path.exists() {
        Some(CommitStore::open(&commits_path)?)
    } else {
        None
    };
    let config = *chain.config();
    let head = chain.head().number;
    let store = chain.store().clone();
    let executor = VmExecutor::new(VmConfig::default())
        .map_err(|error| format!("cannot start the VM: {error}"))?;
    let mempool = Arc::new(SharedMempool::new(head));
    let schedule = Schedule {
        block_time: args.block_time,
        verbose: !args.quiet,
    };
    let (producer, producer_thread) =
        producer::spawn(chain, executor, mempool.clone(), schedule)
            .map_err(|error| format!("cannot start the block producer: {error}"))?;
    let node = Arc::new(Node {
        store,
        mempool,
        producer: producer.clone(),
        chain_id: config.chain_id,
        view_gas: args.view_gas,
        commits,
        sources: Arc::new(sources),
    });
    let dispatcher = Arc::new(
        Dispatcher::start(&node, WORKERS)
            .map_err(|error| format!("cannot start the RPC workers: {error}"))?,
    );
    drop(node);

    let runtime = http_runtime()?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
        let address = listener
            .local_addr()
            .map_err(|error| format!("cannot read the listening address: {error}"))?;
        println!(
            "assent node: chain {} at block {head}, data {}",
            config.chain_id,
            args.data.display()
        );
        println!("listening on http://{address}");
        http::serve(
            listener,
            dispatcher,
            shutdown_signal("stopping after the current block"),
        )
        .await;
        Ok::<(), String>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    // The producer commits what waits, then ends.
    let _ = producer.send(Command::Stop);
    let _ = producer_thread.join();
    served?;
    eprintln!("assent node: stopped");
    Ok(())
}

/// The async runtime that serves JSON-RPC over HTTP: two threads, which only move bytes
/// (the RPC workers run the methods).
///
/// # Errors
/// The runtime cannot be started.
pub fn http_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))
}

/// Opens the ledger in the data directory `data`, creating it with a genesis block at
/// `genesis_time` (`None`: the current time) if there is none. `chain_id`, when given,
/// is the new ledger's, and must be the stored one's.
///
/// # Errors
/// The directory or store cannot be opened, or holds another chain.
pub fn open_ledger(
    data: &std::path::Path,
    chain_id: Option<u64>,
    genesis_time: Option<u64>,
) -> Result<Chain<RedbStore>, String> {
    std::fs::create_dir_all(data).map_err(|error| {
        format!(
            "cannot create the data directory `{}`: {error}",
            data.display()
        )
    })?;
    let path = data.join("ledger.redb");
    let store = RedbStore::open(&path).map_err(|error| {
        format!(
            "cannot open `{}`: {error} (is another node using this data directory?)",
            path.display()
        )
    })?;
    let stored = store
        .config()
        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
    match stored {
        Some(stored) => {
            if let Some(wanted) = chain_id
                && wanted != stored.chain_id
            {
                return Err(format!(
                    "`{}` holds chain {}, not {wanted}: drop `--chain-id` or use another data directory",
                    data.display(),
                    stored.chain_id
                ));
            }
            Chain::open_existing(store).map_err(|error| error.to_string())
        }
        None => {
            let genesis_time = genesis_time.unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|elapsed| elapsed.as_secs())
                    .unwrap_or(0)
            });
            let config = ChainConfig {
                chain_id: chain_id.unwrap_or(DEFAULT_CHAIN_ID),
                block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
                genesis_time,
            };
            Chain::open(store, config).map_err(|error| error.to_string())
        }
    }
}

/// Completes on SIGINT or SIGTERM, saying `message` (what the node does next) on standard
/// error. The single node and a validator of a network stop on the same signals.
pub async fn shutdown_signal(message: &str) {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    eprintln!("assent node: {message}");
}

#[cfg(test)]
mod robustness;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        let cases = [
            ("0", Some(Duration::ZERO)),
            ("250ms", Some(Duration::from_millis(250))),
            ("2s", Some(Duration::from_secs(2))),
            ("1m", Some(Duration::from_secs(60))),
            ("2", None),
            ("s", None),
            ("1h", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text).ok(), expected, "{text}");
        }
    }
}
