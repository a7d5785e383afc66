//! `assent testnet N DIR`: the files of a local network of N validators on loopback — see
//! docs/network.md.

use std::path::PathBuf;
use std::process::ExitCode;

use assent_node::consensus::testnet::{self, CONSENSUS_PORT_OFFSET, Plan};
use assent_node::server::DEFAULT_CHAIN_ID;

#[derive(clap::Args)]
pub struct Args {
    /// How many validators
    #[arg(value_name = "N")]
    validators: usize,
    /// The directory to write `genesis.json` and `node0` … `node{N-1}` into
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Validator i serves JSON-RPC on 127.0.0.1:(P + i) and its peers on 127.0.0.1:(P + 100 + i)
    #[arg(long, value_name = "P", default_value_t = 8645)]
    base_port: u16,
    /// The network's chain id (default 16723)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CHAIN_ID)]
    chain_id: u64,
    /// The genesis block's time in Unix seconds (default: now)
    #[arg(long, value_name = "SECONDS")]
    genesis_time: Option<u64>,
}

pub fn run(args: &Args) -> ExitCode {
    let plan = Plan {
        validators: args.validators,
        base_port: args.base_port,
        chain_id: args.chain_id,
        genesis_time: args.genesis_time.unwrap_or_else(assent_node::app::unix_now),
    };
    match testnet::write(&args.dir, plan) {
        Ok(genesis) => {
            println!(
                "wrote a network of {} (chain {}) in {}",
                assent_node::wording::count(genesis.validators.len(), "validator", "validators"),
                genesis.chain_id,
                args.dir.display()
            );
            for i in 0..args.validators {
                let offset = u16::try_from(i).unwrap_or(u16::MAX);
                println!(
                    "  node{i}: JSON-RPC 127.0.0.1:{}, consensus 127.0.0.1:{}",
                    args.base_port.saturating_add(offset),
                    args.base_port
                        .saturating_add(CONSENSUS_PORT_OFFSET)
                        .saturating_add(offset)
                );
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
