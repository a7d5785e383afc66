//! The genesis file of a network:
//! `{"chain_id": N, "genesis_time": T, "validators": [{"public_key": "0x…", "power": N}, …]}`,
//! each public key a 32-byte Ed25519 key in hex. Every validator, and every client that
//! checks a commit certificate, starts from the same file.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use assent_ledger::primitives::{decode_hex, encode_hex};
use serde::{Deserialize, Serialize};

/// One validator: its consensus public key and its voting power.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Validator {
    pub public_key: [u8; 32],
    pub power: u64,
}

/// A network's genesis: the chain, its first block's time, its validator set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Genesis {
    pub chain_id: u64,
    pub genesis_time: u64,
    /// In the order of the file (the proposer order starts from it).
    pub validators: Vec<Validator>,
}

/// Why a genesis file is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenesisError {
    Json(String),
    /// A public key that is not 32 bytes of hex.
    PublicKey {
        index: usize,
        text: String,
    },
    NoValidators,
    ZeroPower {
        index: usize,
    },
    DuplicateKey {
        index: usize,
    },
    /// The powers add up past 2^63 (so that 3 × power never overflows).
    PowerOverflow,
}

impl fmt::Display for GenesisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenesisError::Json(error) => write!(f, "not a genesis file: {error}"),
            GenesisError::PublicKey { index, text } => write!(
                f,
                "validator {index}: `{text}` is not a 32-byte Ed25519 public key in 0x hex"
            ),
            GenesisError::NoValidators => f.write_str("the genesis file lists no validator"),
            GenesisError::ZeroPower { index } => {
                write!(f, "validator {index} has no voting power")
            }
            GenesisError::DuplicateKey { index } => {
                write!(f, "validator {index} repeats an earlier validator's key")
            }
            GenesisError::PowerOverflow => {
                f.write_str("the validators' voting powers add up past 2^63")
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenesisJson {
    chain_id: u64,
    genesis_time: u64,
    validators: Vec<ValidatorJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidatorJson {
    public_key: String,
    power: u64,
}

/// The most voting power a validator set holds in all.
pub const MAX_TOTAL_POWER: u64 = 1 << 63;

impl Genesis {
    /// Parses and checks a genesis file's text.
    ///
    /// # Errors
    /// Malformed JSON, a bad key, no validator, a zero power, a key twice, too much power.
    pub fn parse(text: &str) -> Result<Genesis, GenesisError> {
        let json: GenesisJson =
            serde_json::from_str(text).map_err(|error| GenesisError::Json(error.to_string()))?;
        let mut validators = Vec::with_capacity(json.validators.len());
        for (index, validator) in json.validators.into_iter().enumerate() {
            let public_key = decode_hex(&validator.public_key)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| GenesisError::PublicKey {
                    index,
                    text: validator.public_key.clone(),
                })?;
            validators.push(Validator {
                public_key,
                power: validator.power,
            });
        }
        let genesis = Genesis {
            chain_id: json.chain_id,
            genesis_time: json.genesis_time,
            validators,
        };
        genesis.check()?;
        Ok(genesis)
    }

    /// Reads and checks a genesis file.
    ///
    /// # Errors
    /// The file cannot be read (a message), or [`Genesis::parse`]'s.
    pub fn read(path: &Path) -> Result<Genesis, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        Genesis::parse(&text).map_err(|error| format!("`{}`: {error}", path.display()))
    }

    /// The checks of [`Genesis::parse`] on a genesis built in code.
    ///
    /// # Errors
    /// As [`Genesis::parse`].
    pub fn check(&self) -> Result<(), GenesisError> {
        if self.validators.is_empty() {
            return Err(GenesisError::NoValidators);
        }
        let mut seen = BTreeSet::new();
        let mut total: u64 = 0;
        for (index, validator) in self.validators.iter().enumerate() {
            if validator.power == 0 {
                return Err(GenesisError::ZeroPower { index });
            }
            if !seen.insert(validator.public_key) {
                return Err(GenesisError::DuplicateKey { index });
            }
            total = total
                .checked_add(validator.power)
                .filter(|total| *total <= MAX_TOTAL_POWER)
                .ok_or(GenesisError::PowerOverflow)?;
        }
        Ok(())
    }

    /// The sum of the validators' voting power.
    pub fn total_power(&self) -> u64 {
        self.validators.iter().fold(0u64, |total, validator| {
            total.saturating_add(validator.power)
        })
    }

    /// The voting power of the validator with this key, if it is one.
    pub fn power_of(&self, public_key: &[u8; 32]) -> Option<u64> {
        self.validators
            .iter()
            .find(|validator| validator.public_key == *public_key)
            .map(|validator| validator.power)
    }

    /// The file's text (pretty JSON, a newline at the end).
    pub fn to_json(&self) -> String {
        let json = GenesisJson {
            chain_id: self.chain_id,
            genesis_time: self.genesis_time,
            validators: self
                .validators
                .iter()
                .map(|validator| ValidatorJson {
                    public_key: encode_hex(&validator.public_key),
                    power: validator.power,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Whether `power` is more than two thirds of `total` (3 × power > 2 × total, exactly).
pub fn is_supermajority(power: u64, total: u64) -> bool {
    u128::from(power) * 3 > u128::from(total) * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(validators: &str) -> String {
        format!(r#"{{"chain_id": 7, "genesis_time": 1767225600, "validators": [{validators}]}}"#)
    }

    fn key(byte: u8) -> String {
        encode_hex(&[byte; 32])
    }

    #[test]
    fn a_genesis_round_trips_and_bad_ones_are_refused() {
        let good = text(&format!(
            r#"{{"public_key": "{}", "power": 1}}, {{"public_key": "{}", "power": 2}}"#,
            key(1),
            key(2)
        ));
        let genesis = Genesis::parse(&good).unwrap();
        assert_eq!(genesis.total_power(), 3);
        assert_eq!(genesis.power_of(&[2; 32]), Some(2));
        assert_eq!(Genesis::parse(&genesis.to_json()).unwrap(), genesis);

        let cases = [
            (text(""), GenesisError::NoValidators),
            (
                text(&format!(r#"{{"public_key": "{}", "power": 0}}"#, key(1))),
                GenesisError::ZeroPower { index: 0 },
            ),
            (
                text(&format!(
                    r#"{{"public_key": "{}", "power": 1}}, {{"public_key": "{}", "power": 1}}"#,
                    key(1),
                    key(1)
                )),
                GenesisError::DuplicateKey { index: 1 },
            ),
            (
                text(r#"{"public_key": "0x0102", "power": 1}"#),
                GenesisError::PublicKey {
                    index: 0,
                    text: "0x0102".into(),
                },
            ),
            (
                text(&format!(
                    r#"{{"public_key": "{}", "power": {}}}, {{"public_key": "{}", "power": 1}}"#,
                    key(1),
                    MAX_TOTAL_POWER,
                    key(2)
                )),
                GenesisError::PowerOverflow,
            ),
        ];
        for (text, error) in cases {
            assert_eq!(Genesis::parse(&text), Err(error), "{text}");
        }
        assert!(matches!(
            Genesis::parse("{\"chain_id\": 1}"),
            Err(GenesisError::Json(_))
        ));
    }

    #[test]
    fn more_than_two_thirds_is_exact() {
        assert!(!is_supermajority(2, 3));
        assert!(is_supermajority(3, 4));
        assert!(!is_supermajority(6, 9));
        assert!(is_supermajority(7, 9));
        assert!(is_supermajority(u64::MAX, u64::MAX));
    }
}
