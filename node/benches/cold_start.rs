//! Cold start: a node's ledger with 100 deployed contracts is closed and opened again
//! with a fresh VM (as after a restart), and each contract's first view call is timed
//! beside its second (warm) call and beside compiling the module from scratch, which is
//! what the first call would cost without the compiled-artefact cache the ledger keeps
//! with each deployment.
//!
//! `cargo bench -p assent-vm --bench cold_start` prints the table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::time::{Duration, Instant};

use assent_lang::check::{FileLoader, check_source};
use assent_ledger::keys::dev_key;
use assent_ledger::tx::Transaction;
use assent_ledger::{Address, Chain, ChainConfig, DEFAULT_BLOCK_GAS_LIMIT, RedbStore};
use assent_node::executor::{ViewRequest, VmExecutor};
use assent_stdlib::json::HexOnly;
use assent_vm::{Vm, VmConfig};
use serde_json::json;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONTRACTS: usize = 100;
const CHAIN_ID: u64 = 7;
const GENESIS: u64 = 1_767_225_600;

struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, path: &str) -> Result<String, String> {
        Err(format!("no file `{path}`"))
    }
}

/// The consent sample compiled with source hash `n`: the same code, a distinct module.
fn module(n: u64) -> Vec<u8> {
    let source = include_str!("../../contracts/patient_consent.assent");
    let checked = check_source("patient_consent.assent", source, &NoFiles);
    let contract = checked
        .contract
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&n.to_be_bytes());
    assent_lang::codegen::compile(&contract, hash).unwrap().wasm
}

/// A ledger in `dir` with the modules deployed in one block; their addresses.
fn deploy(dir: &Path, modules: &[Vec<u8>]) -> Vec<Address> {
    let store = RedbStore::open(&dir.join("ledger.redb")).unwrap();
    let config = ChainConfig {
        chain_id: CHAIN_ID,
        block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
        genesis_time: GENESIS,
    };
    let mut chain = Chain::open(store, config).unwrap();
    let mut executor = VmExecutor::new(VmConfig::default()).unwrap();
    let alice = dev_key("alice").unwrap();
    let raw: Vec<Vec<u8>> = modules
        .iter()
        .enumerate()
        .map(|(nonce, code)| {
            Transaction {
                chain_id: CHAIN_ID,
                nonce: nonce as u64,
                gas_limit: 5_000_000,
                to: None,
                method: String::new(),
                args: String::new(),
                code: code.clone(),
            }
            .sign(&alice)
            .unwrap()
            .encoded()
            .to_vec()
        })
        .collect();
    let block = chain
        .produce_block(&mut executor, GENESIS + 1, &raw)
        .unwrap();
    assert!(block.rejected.is_empty(), "{:?}", block.rejected);
    block
        .receipts
        .iter()
        .map(|receipt| receipt.contract_address.unwrap())
        .collect()
}

fn view(executor: &mut VmExecutor, chain: &Chain<RedbStore>, contract: Address) -> Duration {
    let args = json!({"who": "0x00000000000000000000000000000000000000aa"});
    let request = ViewRequest {
        contract,
        method: "is_officer",
        args: &args,
        caller: Address([0; 20]),
        block: None,
    };
    let started = Instant::now();
    let result = executor.view(chain, &request, &HexOnly).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(result.return_value, json!(false));
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn row(what: &str, times: Vec<Duration>) {
    let (min, max) = (times.iter().min().copied(), times.iter().max().copied());
    println!(
        "| {what} | {:.3} ms | {:.3}–{:.3} ms |",
        median(times).as_secs_f64() * 1e3,
        min.unwrap_or_default().as_secs_f64() * 1e3,
        max.unwrap_or_default().as_secs_f64() * 1e3
    );
}

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("assent-cold-start-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let modules: Vec<Vec<u8>> = (0..CONTRACTS as u64).map(module).collect();
    let addresses = deploy(&dir, &modules);

    // The restart: the store opened again, a VM that has compiled nothing.
    let store = RedbStore::open(&dir.join("ledger.redb")).unwrap();
    let chain = Chain::open_existing(store).unwrap();
    let mut executor = VmExecutor::new(VmConfig::default()).unwrap();
    let first: Vec<Duration> = addresses
        .iter()
        .map(|address| view(&mut executor, &chain, *address))
        .collect();
    let warm: Vec<Duration> = addresses
        .iter()
        .map(|address| view(&mut executor, &chain, *address))
        .collect();
    // What the first call would cost if the module had to be compiled.
    let compile: Vec<Duration> = modules
        .iter()
        .take(20)
        .map(|code| {
            let vm = Vm::new(VmConfig::default()).unwrap();
            let started = Instant::now();
            vm.load(code).unwrap();
            started.elapsed()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "cold start: {CONTRACTS} deployed copies of the consent sample ({} bytes each), a view call each after a restart; load {}",
        modules[0].len(),
        load.trim()
    );
    println!();
    println!("| call | median | range |");
    println!("|---|---:|---:|");
    row(
        "first call of each contract after the restart (artefact read from the ledger)",
        first,
    );
    row("second call of each (warm)", warm);
    row(
        "compiling the module from scratch (what the cache saves; 20 modules)",
        compile,
    );
}
