//! `assent`: the command-line front door to the Assent compiler, VM and ledger.
//!
//! Thin by design: every command parses its arguments, calls into the library crates
//! (`assent-lang`, `assent-ledger`, `assent-node`, `assent-verify`), and prints the result.

mod commands;

use std::process::ExitCode;

/// The allocator of the shipped binary (and of `benches/decision.rs`, which measures it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// Assent: a deterministic contract language for healthcare consent and claims rules.
#[derive(Parser)]
#[command(name = "assent", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check contracts for errors and warnings without building them
    Check(commands::check::Args),
    /// Format contracts in the canonical layout (or check that they are)
    Fmt(commands::fmt::Args),
    /// Compile a contract to WebAssembly (or its text form, or its ABI)
    Build(commands::build::Args),
    /// Run scenario files (`*.scenario.json`) on a fresh ledger
    Test(commands::test::Args),
    /// Prove the `property` items of contracts with an SMT solver, or compare two
    /// versions of a policy
    Verify(commands::verify::Args),
    /// Re-execute every stored block and check each state root
    Replay(commands::replay::Args),
    /// Run a ledger node serving JSON-RPC over HTTP: a single node, or a validator of a
    /// network
    #[command(
        override_usage = "assent node --data <DIR> [OPTIONS]\n       assent node --home <DIR>"
    )]
    Node(commands::node::Args),
    /// Write the genesis, keys and configurations of a local network of validators
    Testnet(commands::testnet::Args),
    /// Serve the ledger to CometBFT over ABCI++ (v0.38)
    Abci(commands::abci::Args),
    /// Create, list and show signing keys
    Keys(commands::keys::Args),
    /// Deploy a contract to a node
    Deploy(commands::deploy::Args),
    /// Call a contract's action in a transaction
    Call(commands::call::Args),
    /// Run a view or policy on a node (no transaction)
    Query(commands::query::Args),
    /// Print a transaction's receipt
    Receipt(commands::receipt::Args),
    /// Prove a state entry and verify the proof against the block's state root
    Proof(commands::proof::Args),
    /// Search events by contract, name and field values
    Logs(commands::logs::Args),
    /// FHIR Consent in and out of a `patient_consent` contract
    Fhir(commands::fhir::Args),
    /// Run the language server for editors (Language Server Protocol on stdin and stdout)
    Lsp(commands::lsp::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Fmt(args) => commands::fmt::run(&args),
        Command::Build(args) => commands::build::run(&args),
        Command::Test(args) => commands::test::run(&args),
        Command::Verify(args) => commands::verify::run(&args),
        Command::Replay(args) => commands::replay::run(&args),
        Command::Node(args) => commands::node::run(&args),
        Command::Testnet(args) => commands::testnet::run(&args),
        Command::Abci(args) => commands::abci::run(&args),
        Command::Keys(args) => commands::keys::run(&args),
        Command::Deploy(args) => commands::deploy::run(&args),
        Command::Call(args) => commands::call::run(&args),
        Command::Query(args) => commands::query::run(&args),
        Command::Receipt(args) => commands::receipt::run(&args),
        Command::Proof(args) => commands::proof::run(&args),
        Command::Logs(args) => commands::logs::run(&args),
        Command::Fhir(args) => commands::fhir::run(&args),
        Command::Lsp(args) => commands::lsp::run(&args),
    }
}
