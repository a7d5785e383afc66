//! `assent keys new|list|show`: the keystore (see `client::keystore`).

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::client::{self, keystore};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    /// The keystore directory (default ~/.assent/keys)
    #[arg(long, value_name = "DIR", env = "ASSENT_KEYSTORE", global = true)]
    keystore: Option<PathBuf>,
    /// Print JSON for tools instead of text for people
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Create a new random key (stored unencrypted, readable by you only)
    New {
        /// Its name, used with `--from`
        name: String,
    },
    /// List the keys in the keystore
    List,
    /// Print a key's address (a keystore name, or a development account name)
    Show {
        /// The key's name
        name: String,
    },
}

pub fn run(args: &Args) -> ExitCode {
    let dir = keystore::directory(args.keystore.as_deref());
    let result = match &args.action {
        Action::New { name } => keystore::create(&dir, name).map(|key| {
            (
                key.to_json(),
                format!(
                    "{}\ncreated key `{}` in {}\n",
                    key.address(),
                    key.name,
                    dir.display()
                ),
            )
        }),
        Action::List => keystore::list(&dir).map(|keys| {
            let mut text = String::new();
            for key in &keys {
                text.push_str(&format!("{:<20} {}\n", key.name, key.address()));
            }
            if keys.is_empty() {
                text = format!(
                    "no keys in {}; create one with `assent keys new NAME`\n",
                    dir.display()
                );
            }
            (
                Value::Array(keys.iter().map(keystore::Key::to_json).collect()),
                text,
            )
        }),
        Action::Show { name } => keystore::find(&dir, name).map(|key| {
            let mut json = key.to_json();
            json["public_key"] = json!(assent_vm::ledger::primitives::encode_hex(
                key.key.verifying_key().to_encoded_point(false).as_bytes()
            ));
            if key.source == keystore::Source::Development {
                eprintln!("`{name}` is a development account (not in the keystore)");
            }
            (json, format!("{}\n", key.address()))
        }),
    };
    client::finish(args.json, result)
}
