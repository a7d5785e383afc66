//! `assent`: the command-line front door to the Assent compiler, VM and ledger.
//!
//! Thin by design: every command parses its arguments, calls into the `assent-lang`,
//! `assent-stdlib` or `assent-vm` crates, and prints the result.

mod commands;
mod files;
mod pipeline;
mod scenario;

use std::process::ExitCode;

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
    /// Re-execute every stored block and check each state root
    Replay(commands::replay::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Fmt(args) => commands::fmt::run(&args),
        Command::Build(args) => commands::build::run(&args),
        Command::Test(args) => commands::test::run(&args),
        Command::Replay(args) => commands::replay::run(&args),
    }
}
