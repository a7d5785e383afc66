//! `assent node`: a single node (`--data DIR`), or one validator of a network
//! (`--home DIR`, a directory `assent testnet` writes) — see docs/node.md and
//! docs/network.md.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[group(skip)]
pub struct Args {
    /// A validator's directory (its `config.json`, `key.json` and ledger, as `assent
    /// testnet` writes them): run that validator of its network
    #[arg(long, value_name = "DIR", conflicts_with = "data")]
    home: Option<PathBuf>,
    #[command(flatten)]
    single: Option<assent_node::server::Args>,
}

pub fn run(args: &Args) -> ExitCode {
    match (&args.home, &args.single) {
        (Some(home), _) => match assent_network::run(home, false) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        (None, Some(single)) => assent_node::server::run(single),
        (None, None) => {
            eprintln!(
                "error: give `--data DIR` (a single node) or `--home DIR` (a validator of a network)"
            );
            ExitCode::from(2)
        }
    }
}
