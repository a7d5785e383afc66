//! The embedded Malachite engine: `assent node --home DIR` runs one validator of a network
//! that `assent testnet` (or a consortium) described — the Tendermint algorithm deciding
//! the ledger's blocks with the peers, over libp2p.
//!
//! Reading order: [`codec`] (the wire format) → [`gossip`] (transactions forwarded to the
//! peers) → [`validator`] (the thread that owns the ledger and answers the engine through
//! the node's one application interface) → [`run`] (files, engine, JSON-RPC).
//!
//! Threads: the engine's actors and the JSON-RPC server on a two-thread tokio runtime;
//! the validator thread alone writes the ledger (a block is executed there, as on a single
//! node's producer thread); one forwarding thread per peer.
//!
//! This crate is apart from `assent-node` so that what depends on the node library (the
//! fuzz targets, most tests) does not build libp2p.

pub mod codec;
pub mod gossip;
pub mod validator;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::Duration;

use assent_ledger::keccak256;
use assent_node::consensus::commits::CommitStore;
use assent_node::consensus::context::{Address, LedgerContext, LedgerSigner, ValidatorSet};
use assent_node::consensus::genesis::Genesis;
use assent_node::consensus::keys::ValidatorKey;
use assent_node::consensus::testnet::NodeConfig;
use assent_node::executor::VmExecutor;
use assent_node::server::http::{self, Dispatcher};
use assent_node::server::mempool::SharedMempool;
use assent_node::server::methods::Node;
use assent_node::server::producer::Command;
use assent_node::server::{COMMITS_FILE, shutdown_signal};
use assent_vm::VmConfig;
use malachitebft_app_channel::app::config::{
    ConsensusConfig, NodeConfig as EngineNodeConfig, P2pConfig, ValueSyncConfig,
};
use malachitebft_app_channel::app::net::Multiaddr;
use malachitebft_app_channel::app::types::Keypair;
use malachitebft_app_channel::app::types::codec::Codec;
use malachitebft_app_channel::{
    ConsensusContext, NetworkContext, NetworkIdentity, RequestContext, Signer, SyncContext,
    WalContext,
};

use codec::BorshCodec;
use gossip::Gossip;
use validator::{Faults, Job, Validator};

/// RPC worker threads.
const WORKERS: usize = 4;

/// The environment variable that turns on the test-only faulty proposer (any value).
pub const FAULTY_PROPOSER_VARIABLE: &str = "ASSENT_TEST_FAULTY_PROPOSER";

/// The engine's configuration: this validator's name, its consensus and sync settings.
#[derive(Clone, Debug)]
struct EngineConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl EngineNodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }
    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }
    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }
    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }
    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

fn tcp(address: SocketAddr) -> Result<Multiaddr, String> {
    let ip = match address {
        SocketAddr::V4(v4) => format!("/ip4/{}", v4.ip()),
        SocketAddr::V6(v6) => format!("/ip6/{}", v6.ip()),
    };
    format!("{ip}/tcp/{}", address.port())
        .parse()
        .map_err(|error| format!("`{address}` is not a network address: {error}"))
}

fn engine_config(moniker: String, config: &NodeConfig) -> Result<EngineConfig, String> {
    let p2p = P2pConfig {
        listen_addr: tcp(config.consensus)?,
        persistent_peers: config
            .peers
            .iter()
            .map(|peer| tcp(*peer))
            .collect::<Result<_, _>>()?,
        ..P2pConfig::default()
    };
    let value_sync = ValueSyncConfig {
        status_update_interval: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        ..ValueSyncConfig::default()
    };
    Ok(EngineConfig {
        moniker,
        consensus: ConsensusConfig {
            p2p,
            ..ConsensusConfig::default()
        },
        value_sync,
    })
}

/// The network identity's secret: derived from the consensus key (the same peer id on
/// every start) without revealing it.
fn network_secret(key: &ValidatorKey) -> [u8; 32] {
    keccak256(&key.sign(b"assent network identity")).0
}

/// Runs the validator in `home` until SIGINT or SIGTERM.
///
/// # Errors
/// A file that cannot be read or is malformed, a key not in the genesis, a store or port
/// that cannot be opened, an engine that does not start.
pub fn run(home: &Path, quiet: bool) -> Result<(), String> {
    let config = NodeConfig::read(home)?;
    let genesis = Genesis::read(&config.genesis_path(home)).map_err(|e| e.to_string())?;
    let key = ValidatorKey::read(&home.join("key.json"))?;
    let address = Address(key.public_key());
    if !genesis
        .validators
        .iter()
        .any(|validator| validator.public_key == address.0)
    {
        return Err(format!(
            "the key in `{}` is not a validator of the genesis file",
            home.join("key.json").display()
        ));
    }
    let chain =
        assent_node::server::open_ledger(home, Some(genesis.chain_id), Some(genesis.genesis_time))?;
    let commits = CommitStore::open(&home.join(COMMITS_FILE))?;
    let context = LedgerContext {
        chain_id: genesis.chain_id,
    };
    let head = chain.head().number;
    let store = chain.store().clone();
    let executor = VmExecutor::new(VmConfig::default())
        .map_err(|error| format!("cannot start the VM: {error}"))?;
    let mempool = Arc::new(SharedMempool::new(head));
    let app = assent_node::app::App::new(chain, executor, mempool.clone());

    // JSON-RPC: the workers hand transactions to the validator thread.
    let (jobs, received_jobs) = channel::<Job>();
    let (commands, received_commands) = channel::<Command>();
    let bridge = jobs.clone();
    std::thread::Builder::new()
        .name("assent-rpc-bridge".into())
        .spawn(move || {
            while let Ok(command) = received_commands.recv() {
                if bridge.send(Job::Rpc(command)).is_err() {
                    break;
                }
            }
        })
        .map_err(|error| format!("cannot start a thread: {error}"))?;
    let node = Arc::new(Node {
        store,
        mempool,
        producer: commands,
        chain_id: genesis.chain_id,
        view_gas: assent_node::server::DEFAULT_VIEW_GAS,
        commits: Some(commits.clone()),
        sources: Arc::new(assent_node::explain::Sources::default()),
    });
    let dispatcher = Arc::new(
        Dispatcher::start(&node, WORKERS)
            .map_err(|error| format!("cannot start the RPC workers: {error}"))?,
    );
    drop(node);
    let gossip = Gossip::start(&config.peers_rpc)
        .map_err(|error| format!("cannot start a thread: {error}"))?;

    let runtime = assent_node::server::http_runtime()?;
    let served = runtime.block_on(async {
        let signer = LedgerSigner {
            context,
            key: key.clone(),
        };
        let keypair = Keypair::ed25519_from_bytes(network_secret(&key))
            .map_err(|error| format!("cannot make the network key: {error}"))?;
        let peer_id = keypair.public().to_peer_id().to_bytes();
        let proof = signer
            .sign_validator_proof(address.0.to_vec(), peer_id)
            .await
            .map_err(|error| format!("cannot sign the validator proof: {error:?}"))?;
        let proof = BorshCodec
            .encode(&proof)
            .map_err(|error| format!("cannot encode the validator proof: {error}"))?;
        let moniker = format!("assent-{}", home.display());
        let identity =
            NetworkIdentity::new_validator(moniker.clone(), keypair, address.to_string(), proof);
        let (mut channels, _engine) = malachitebft_app_channel::start_engine(
            context,
            engine_config(moniker, &config)?,
            WalContext::new(home.join("wal").join("consensus.wal"), BorshCodec),
            NetworkContext::new(identity, BorshCodec),
            ConsensusContext::new_validator(address, Box::new(signer.clone()), Box::new(signer)),
            SyncContext::new(BorshCodec),
            RequestContext::new(100),
        )
        .await
        .map_err(|error| format!("cannot start the consensus engine: {error}"))?;

        let validator = Validator {
            app,
            context,
            validators: ValidatorSet::from_genesis(&genesis),
            address,
            commits,
            network: channels.network.clone(),
            gossip,
            verbose: !quiet,
            faults: Faults {
                wrong_state_root: std::env::var_os(FAULTY_PROPOSER_VARIABLE).is_some(),
            },
            proposed: Vec::new(),
            key: key.clone(),
            part_signatures: Vec::new(),
            pending: Vec::new(),
        };
        let thread = validator::spawn(validator, received_jobs)
            .map_err(|error| format!("cannot start the validator thread: {error}"))?;
        let forward = jobs.clone();
        tokio::spawn(async move {
            while let Some(message) = channels.consensus.recv().await {
                if forward.send(Job::Consensus(Box::new(message))).is_err() {
                    break;
                }
            }
        });

        let listener = tokio::net::TcpListener::bind(config.rpc)
            .await
            .map_err(|error| format!("cannot listen on {}: {error}", config.rpc))?;
        println!(
            "assent node: validator {address} of chain {} at block {head}, home {}",
            genesis.chain_id,
            home.display()
        );
        println!("listening on http://{}", config.rpc);
        http::serve(listener, dispatcher, shutdown_signal("stopping")).await;
        let _ = jobs.send(Job::Stop);
        Ok::<_, String>(thread)
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    let thread = served?;
    let _ = thread.join();
    eprintln!("assent node: stopped");
    Ok(())
}
