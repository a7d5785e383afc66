//! The keystore: one file per key, `DIR/NAME.json` holding `{name, address, secret_key}`,
//! readable by its owner only (0600, in a 0700 directory). The default directory is
//! `~/.assent/keys`. Keys are stored unencrypted: protect the directory like an SSH key.
//! The keystore also holds names for addresses without a key (`DIR/NAME.json` holding
//! `{name, address}`, written by `assent keys add`), so a party's address can be written
//! by name in `--args`. A name not in the keystore is taken as a development account
//! (LEDGER.md §1), whose secret anyone can compute: for tests and local nodes only.

use std::path::{Path, PathBuf};

use assent_ledger::Address;
use assent_ledger::keys::{address_of, dev_key};
use assent_ledger::primitives::{decode_hex, encode_hex};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

use super::ClientError;

/// Where a key or a name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A key in the keystore (`assent keys new`).
    Keystore,
    /// An address stored under a name, without a key (`assent keys add`).
    Stored,
    /// The development account of that name.
    Development,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Keystore => "keystore",
            Source::Stored => "stored",
            Source::Development => "development",
        }
    }
}

/// A name and the address it stands for.
pub struct Named {
    pub name: String,
    pub address: Address,
    pub source: Source,
    /// The key, for a keystore key or a development account.
    pub key: Option<SigningKey>,
}

impl Named {
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "address": self.address.to_string(),
            "source": self.source.name(),
        })
    }
}

/// A key found by name.
pub struct Key {
    pub name: String,
    pub key: SigningKey,
    pub source: Source,
}

impl Key {
    pub fn address(&self) -> Address {
        address_of(self.key.verifying_key())
    }

    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "address": self.address().to_string(),
            "source": self.source.name(),
        })
    }
}

/// The keystore directory: `--keystore`, else `~/.assent/keys`.
pub fn directory(given: Option<&Path>) -> PathBuf {
    if let Some(given) = given {
        return given.to_path_buf();
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".assent").join("keys")
}

/// Whether `name` can name a key: letters, digits, `_`, `-` and `.`, at most 64, not
/// starting with `.`.
pub fn check_name(name: &str) -> Result<(), ClientError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !name.starts_with('.');
    if valid {
        Ok(())
    } else {
        Err(ClientError::Other(format!(
            "`{name}` is not a key name: use letters, digits, `_`, `-` and `.` (at most 64)"
        )))
    }
}

fn file_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

/// Creates a new random key called `name`.
///
/// # Errors
/// A bad name, a key of that name already there, or an IO error.
pub fn create(dir: &Path, name: &str) -> Result<Key, ClientError> {
    check_name(name)?;
    let path = file_of(dir, name);
    if path.exists() {
        return Err(ClientError::Other(format!(
            "a key called `{name}` already exists in {}; choose another name",
            dir.display()
        )));
    }
    let key = loop {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|error| {
            ClientError::Other(format!("the system gives no randomness: {error}"))
        })?;
        // Fails only for zero or a value at or above the group order (probability ~2⁻¹²⁸).
        if let Ok(key) = SigningKey::from_bytes(&secret.into()) {
            break key;
        }
    };
    let key = Key {
        name: name.to_owned(),
        key,
        source: Source::Keystore,
    };
    let io = |error: std::io::Error| {
        ClientError::Other(format!(
            "cannot write the key to {}: {error}",
            path.display()
        ))
    };
    create_private_dir(dir).map_err(io)?;
    let text = json!({
        "name": name,
        "address": key.address().to_string(),
        "secret_key": encode_hex(&key.key.to_bytes()),
    });
    write_private(&path, &serde_json::to_vec_pretty(&text).unwrap_or_default()).map_err(io)?;
    Ok(key)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Stores `address` under `name`, without a key, for `--args`.
///
/// # Errors
/// A bad name, an entry of that name already there, or an IO error.
pub fn add(dir: &Path, name: &str, address: Address) -> Result<Named, ClientError> {
    check_name(name)?;
    let path = file_of(dir, name);
    if path.exists() {
        return Err(ClientError::Other(format!(
            "`{name}` is already in {}; choose another name",
            dir.display()
        )));
    }
    let io = |error: std::io::Error| {
        ClientError::Other(format!("cannot write {}: {error}", path.display()))
    };
    create_private_dir(dir).map_err(io)?;
    let text = json!({ "name": name, "address": address.to_string() });
    write_private(&path, &serde_json::to_vec_pretty(&text).unwrap_or_default()).map_err(io)?;
    Ok(Named {
        name: name.to_owned(),
        address,
        source: Source::Stored,
        key: None,
    })
}

/// What the keystore file of `name` holds, if there is one: a key, or a stored address.
fn read_entry(dir: &Path, name: &str) -> Result<Option<Named>, ClientError> {
    let path = file_of(dir, name);
    if check_name(name).is_err() || !path.exists() {
        return Ok(None);
    }
    let bad =
        |detail: &str| ClientError::Other(format!("the key file {} {detail}", path.display()));
    let text = std::fs::read(&path).map_err(|error| bad(&format!("cannot be read: {error}")))?;
    let json: Value = serde_json::from_slice(&text).map_err(|_| bad("is not JSON"))?;
    if let Some(secret) = json.get("secret_key") {
        let secret = secret
            .as_str()
            .and_then(decode_hex)
            .ok_or_else(|| bad("has no `secret_key` in hex"))?;
        let key =
            SigningKey::from_slice(&secret).map_err(|_| bad("holds no valid secp256k1 key"))?;
        return Ok(Some(Named {
            name: name.to_owned(),
            address: address_of(key.verifying_key()),
            source: Source::Keystore,
            key: Some(key),
        }));
    }
    let address = json
        .get("address")
        .and_then(Value::as_str)
        .and_then(Address::from_hex)
        .ok_or_else(|| bad("has neither a `secret_key` nor an `address`"))?;
    Ok(Some(Named {
        name: name.to_owned(),
        address,
        source: Source::Stored,
        key: None,
    }))
}

/// What `name` stands for: a keystore key, a stored address, else the development
/// account of that name.
///
/// # Errors
/// A keystore file that cannot be read or holds neither a key nor an address.
pub fn named(dir: &Path, name: &str) -> Result<Named, ClientError> {
    if let Some(entry) = read_entry(dir, name)? {
        return Ok(entry);
    }
    let key =
        dev_key(name).map_err(|error| ClientError::Other(format!("no key `{name}`: {error}")))?;
    Ok(Named {
        name: name.to_owned(),
        address: address_of(key.verifying_key()),
        source: Source::Development,
        key: Some(key),
    })
}

/// The key called `name`: from the keystore, else the development account of that name.
///
/// # Errors
/// A keystore file that cannot be read or does not hold a key (a stored address cannot
/// sign).
pub fn find(dir: &Path, name: &str) -> Result<Key, ClientError> {
    let entry = named(dir, name)?;
    let Some(key) = entry.key else {
        return Err(ClientError::Other(format!(
            "`{name}` is an address stored with `assent keys add`, not a key: it cannot sign; \
             create a key with `assent keys new NAME`"
        )));
    };
    Ok(Key {
        name: entry.name,
        key,
        source: entry.source,
    })
}

/// The keys and stored addresses in the keystore, by name.
///
/// # Errors
/// The directory cannot be read, or a file in it holds neither a key nor an address.
pub fn list(dir: &Path) -> Result<Vec<Named>, ClientError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(ClientError::Other(format!(
                "cannot read the keystore {}: {error}",
                dir.display()
            )));
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .filter(|name| check_name(name).is_ok())
        .collect();
    names.sort();
    let mut found = Vec::with_capacity(names.len());
    for name in &names {
        if let Some(entry) = read_entry(dir, name)? {
            found.push(entry);
        }
    }
    Ok(found)
}
