//! The files of a local network of validators on loopback (`assent testnet N DIR`):
//! `DIR/genesis.json`, and for each validator `i` a directory `DIR/node{i}` with its
//! consensus key (`key.json`) and its configuration (`config.json`): JSON-RPC on
//! `127.0.0.1:(P + i)`, consensus on `127.0.0.1:(P + 100 + i)`, the other validators'
//! consensus and JSON-RPC addresses as peers, and the genesis file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::genesis::{Genesis, Validator};
use super::keys::ValidatorKey;

/// The most validators `assent testnet` writes.
pub const MAX_VALIDATORS: usize = 100;
/// How far above the JSON-RPC ports the consensus ports start.
pub const CONSENSUS_PORT_OFFSET: u16 = 100;

/// A validator's `config.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Where it serves JSON-RPC.
    pub rpc: SocketAddr,
    /// Where it listens for its peers.
    pub consensus: SocketAddr,
    /// The other validators' consensus addresses.
    pub peers: Vec<SocketAddr>,
    /// The other validators' JSON-RPC addresses, where this validator forwards the
    /// transactions it admits (so that they reach every proposer).
    #[serde(default)]
    pub peers_rpc: Vec<SocketAddr>,
    /// The genesis file, relative to this directory unless absolute.
    pub genesis: PathBuf,
}

impl NodeConfig {
    /// Reads `DIR/config.json`.
    ///
    /// # Errors
    /// Unreadable or malformed.
    pub fn read(home: &Path) -> Result<NodeConfig, String> {
        let path = home.join("config.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        serde_json::from_str(&text).map_err(|error| {
            format!(
                "`{}` is not a validator configuration: {error}",
                path.display()
            )
        })
    }

    /// The genesis file's path.
    pub fn genesis_path(&self, home: &Path) -> PathBuf {
        home.join(&self.genesis)
    }
}

/// What `assent testnet` writes.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub validators: usize,
    pub base_port: u16,
    pub chain_id: u64,
    pub genesis_time: u64,
}

/// Writes the network's files under `dir` (which must not hold a genesis file yet) and
/// returns the genesis.
///
/// # Errors
/// A count of 0 or over [`MAX_VALIDATORS`], ports past 65535, an existing network, or a
/// file that cannot be written.
pub fn write(dir: &Path, plan: Plan) -> Result<Genesis, String> {
    if plan.validators == 0 || plan.validators > MAX_VALIDATORS {
        return Err(format!(
            "a test network has 1 to {MAX_VALIDATORS} validators, not {}",
            plan.validators
        ));
    }
    let count = u16::try_from(plan.validators).unwrap_or(u16::MAX);
    let last = plan
        .base_port
        .checked_add(CONSENSUS_PORT_OFFSET)
        .and_then(|port| port.checked_add(count));
    if last.is_none() {
        return Err(format!(
            "base port {} leaves no room for {count} validators' ports (up to base + {} + N)",
            plan.base_port, CONSENSUS_PORT_OFFSET
        ));
    }
    let genesis_path = dir.join("genesis.json");
    if genesis_path.exists() {
        return Err(format!(
            "`{}` exists already: choose an empty directory",
            genesis_path.display()
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create `{}`: {error}", dir.display()))?;
    let keys = (0..plan.validators)
        .map(|_| ValidatorKey::generate())
        .collect::<Result<Vec<_>, _>>()?;
    let genesis = Genesis {
        chain_id: plan.chain_id,
        genesis_time: plan.genesis_time,
        validators: keys
            .iter()
            .map(|key| Validator {
                public_key: key.public_key(),
                power: 1,
            })
            .collect(),
    };
    let loopback = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
    let consensus = |i: u16| loopback(plan.base_port + CONSENSUS_PORT_OFFSET + i);
    for (i, key) in (0..count).zip(&keys) {
        let home = dir.join(format!("node{i}"));
        std::fs::create_dir_all(&home)
            .map_err(|error| format!("cannot create `{}`: {error}", home.display()))?;
        key.write(&home.join("key.json"))?;
        let config = NodeConfig {
            rpc: loopback(plan.base_port + i),
            consensus: consensus(i),
            peers: (0..count).filter(|j| *j != i).map(consensus).collect(),
            peers_rpc: (0..count)
                .filter(|j| *j != i)
                .map(|j| loopback(plan.base_port + j))
                .collect(),
            genesis: PathBuf::from("../genesis.json"),
        };
        let text = serde_json::to_string_pretty(&config).unwrap_or_default() + "\n";
        crate::files::write_atomically(&home.join("config.json"), &text)
            .map_err(|error| format!("cannot write `{}`: {error}", home.display()))?;
    }
    crate::files::write_atomically(&genesis_path, &genesis.to_json())
        .map_err(|error| format!("cannot write `{}`: {error}", genesis_path.display()))?;
    Ok(genesis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_testnet_has_a_genesis_and_a_home_per_validator() {
        let dir = std::env::temp_dir().join(format!("assent-testnet-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let plan = Plan {
            validators: 4,
            base_port: 9000,
            chain_id: 7,
            genesis_time: 1_767_225_600,
        };
        let genesis = write(&dir, plan).unwrap();
        assert_eq!(Genesis::read(&dir.join("genesis.json")).unwrap(), genesis);
        assert_eq!(genesis.total_power(), 4);
        for i in 0..4u16 {
            let home = dir.join(format!("node{i}"));
            let config = NodeConfig::read(&home).unwrap();
            assert_eq!(config.rpc.port(), 9000 + i);
            assert_eq!(config.consensus.port(), 9100 + i);
            assert_eq!(config.peers.len(), 3);
            assert_eq!(config.peers_rpc.len(), 3);
            assert!(!config.peers_rpc.contains(&config.rpc));
            assert!(!config.peers.contains(&config.consensus));
            assert_eq!(Genesis::read(&config.genesis_path(&home)).unwrap(), genesis);
            let key = ValidatorKey::read(&home.join("key.json")).unwrap();
            assert_eq!(
                key.public_key(),
                genesis.validators[usize::from(i)].public_key
            );
        }
        // Not over an existing network; not with no room for the ports.
        assert!(write(&dir, plan).unwrap_err().contains("exists already"));
        let crowded = Plan {
            base_port: 65_500,
            ..plan
        };
        assert!(write(&dir.join("other"), crowded).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
