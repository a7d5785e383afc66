//! `assent abci`: the ledger application served over ABCI++ (CometBFT v0.38) — see
//! docs/network.md.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use assent_node::abci::{self, AbciApp};
use assent_node::app::App;
use assent_node::executor::VmExecutor;
use assent_node::server::mempool::SharedMempool;
use assent_node::server::open_ledger;
use assent_vm::VmConfig;

#[derive(clap::Args)]
pub struct Args {
    /// The data directory (created if missing; the ledger is `DIR/ledger.redb`)
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// The address CometBFT connects to (its `proxy_app`, without `tcp://`; port 0 picks a
    /// free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:26658")]
    addr: SocketAddr,
    /// The chain id of a new ledger (default 16723); for an existing one it must match
    #[arg(long, value_name = "N")]
    chain_id: Option<u64>,
    /// The genesis block's time of a new ledger, in Unix seconds: every validator must
    /// give the same one
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    genesis_time: u64,
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
    let chain = open_ledger(&args.data, args.chain_id, Some(args.genesis_time))?;
    let head = chain.head().number;
    let chain_id = chain.config().chain_id;
    let executor = VmExecutor::new(VmConfig::default())
        .map_err(|error| format!("cannot start the VM: {error}"))?;
    let mempool = Arc::new(SharedMempool::new(head));
    let app = App::new(chain, executor, mempool);
    // A decided block this node cannot follow stops it: never a silent fork.
    let on_halt: abci::OnHalt = Arc::new(|message: &str| {
        eprintln!("error: the ledger cannot follow the network: {message}");
        std::process::exit(70);
    });
    abci::serve(AbciApp::new(app, on_halt), args.addr, |address| {
        println!(
            "assent abci: chain {chain_id} at block {head}, data {}",
            args.data.display()
        );
        println!("listening on {address}");
    })
}
