//! `assent keys new|add|list|show`: the keystore (see `client::keystore`).

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

use assent_node::client::{self, keystore};

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
    /// Store an address under a name (no key), to write it by name in `--args`
    Add {
        /// The name
        name: String,
        /// The address, "0x" and 40 hex digits
        address: String,
    },
    /// List the keys and stored addresses in the keystore
    List,
    /// Print the address of a key, a stored name, or a development account
    Show {
        /// The name
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
        Action::Add { name, address } => client::parse_address(address)
            .and_then(|address| keystore::add(&dir, name, address))
            .map(|entry| {
                (
                    entry.to_json(),
                    format!(
                        "stored `{}` = {} in {}\n",
                        entry.name,
                        entry.address,
                        dir.display()
                    ),
                )
            }),
        Action::List => keystore::list(&dir).map(|keys| {
            let mut text = String::new();
            for key in &keys {
                let kind = match key.source {
                    keystore::Source::Stored => "  (address only)",
                    _ => "",
                };
                text.push_str(&format!("{:<20} {}{kind}\n", key.name, key.address));
            }
            if keys.is_empty() {
                text = format!(
                    "no keys in {}; create one with `assent keys new NAME`\n",
                    dir.display()
                );
            }
            (
                Value::Array(keys.iter().map(keystore::Named::to_json).collect()),
                text,
            )
        }),
        Action::Show { name } => keystore::named(&dir, name).map(|entry| {
            let mut json = entry.to_json();
            if let Some(key) = &entry.key {
                json["public_key"] = json!(assent_ledger::primitives::encode_hex(
                    key.verifying_key().to_encoded_point(false).as_bytes()
                ));
            }
            if entry.source == keystore::Source::Development {
                eprintln!("`{name}` is a development account (not in the keystore)");
            }
            (json, format!("{}\n", entry.address))
        }),
    };
    client::finish(args.json, result)
}
