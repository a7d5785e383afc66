//! Votes and commit certificates, in the byte forms any Ed25519 library checks:
//!
//! - a vote signs `0x43 ‖ rlp([chain_id, height, round, kind, block_hash])`, Ed25519 over
//!   those bytes as they are, `kind` 1 for a prevote and 2 for a precommit;
//! - a block's commit certificate is the precommits for its header hash at one round:
//!   `{"height", "round", "block_hash", "signatures": [{"public_key", "signature"}]}` (hex),
//!   valid when the signers are distinct validators of the genesis set holding more than
//!   two thirds of its voting power and `block_hash` is the hash of that block's header.

use std::collections::BTreeSet;
use std::fmt;

use assent_ledger::Hash;
use assent_ledger::block::Header;
use assent_ledger::primitives::{decode_hex, encode_hex};
use assent_ledger::rlp::ListBuilder;
use serde_json::{Value, json};

use super::genesis::{Genesis, is_supermajority};
use super::keys::verify;

/// The first byte of every signed vote ("C", for consensus), so that a vote's bytes can
/// never be a transaction's (those start with 0x41).
pub const VOTE_PREFIX: u8 = 0x43;

/// What a vote is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VoteKind {
    Prevote = 1,
    Precommit = 2,
}

/// The bytes a vote signs.
pub fn vote_bytes(
    chain_id: u64,
    height: u64,
    round: u64,
    kind: VoteKind,
    block_hash: &Hash,
) -> Vec<u8> {
    let list = ListBuilder::new()
        .u64(chain_id)
        .u64(height)
        .u64(round)
        .u64(kind as u64)
        .bytes(&block_hash.0)
        .finish();
    let mut bytes = Vec::with_capacity(list.len() + 1);
    bytes.push(VOTE_PREFIX);
    bytes.extend_from_slice(&list);
    bytes
}

/// One validator's precommit in a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitSignature {
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
}

/// The precommits that decided a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub height: u64,
    pub round: u64,
    pub block_hash: Hash,
    pub signatures: Vec<CommitSignature>,
}

/// Why a certificate does not prove a block final.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    Json(String),
    /// For another block than the header given.
    WrongBlock {
        certificate: Hash,
        header: Hash,
    },
    WrongHeight {
        certificate: u64,
        header: u64,
    },
    /// A signer that is not a genesis validator.
    NotAValidator {
        public_key: String,
    },
    /// A validator that signed twice.
    Duplicate {
        public_key: String,
    },
    BadSignature {
        public_key: String,
    },
    /// The signers hold too little power.
    Short {
        power: u64,
        total: u64,
    },
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::Json(error) => write!(f, "not a commit certificate: {error}"),
            CertificateError::WrongBlock {
                certificate,
                header,
            } => write!(
                f,
                "the certificate is for block hash {certificate}, but the header hashes to {header}"
            ),
            CertificateError::WrongHeight {
                certificate,
                header,
            } => write!(
                f,
                "the certificate is for height {certificate}, but the header is block {header}"
            ),
            CertificateError::NotAValidator { public_key } => {
                write!(f, "{public_key} signed, but is not a genesis validator")
            }
            CertificateError::Duplicate { public_key } => write!(f, "{public_key} signed twice"),
            CertificateError::BadSignature { public_key } => {
                write!(f, "the signature of {public_key} does not verify")
            }
            CertificateError::Short { power, total } => write!(
                f,
                "the signers hold {power} of {total} voting power, not more than two thirds"
            ),
        }
    }
}

impl Certificate {
    /// The JSON of `assent_getCommit`.
    pub fn to_json(&self) -> Value {
        json!({
            "height": self.height,
            "round": self.round,
            "block_hash": self.block_hash.to_string(),
            "signatures": self
                .signatures
                .iter()
                .map(|signature| json!({
                    "public_key": encode_hex(&signature.public_key),
                    "signature": encode_hex(&signature.signature),
                }))
                .collect::<Vec<_>>(),
        })
    }

    /// Reads [`Certificate::to_json`]'s form.
    ///
    /// # Errors
    /// A field missing or malformed.
    pub fn from_json(json: &Value) -> Result<Certificate, CertificateError> {
        let malformed =
            |field: &str| CertificateError::Json(format!("`{field}` is missing or malformed"));
        let height = json
            .get("height")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("height"))?;
        let round = json
            .get("round")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("round"))?;
        let block_hash = json
            .get("block_hash")
            .and_then(Value::as_str)
            .and_then(Hash::from_hex)
            .ok_or_else(|| malformed("block_hash"))?;
        let mut signatures = Vec::new();
        for signature in json
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("signatures"))?
        {
            let public_key = signature
                .get("public_key")
                .and_then(Value::as_str)
                .and_then(decode_hex)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| malformed("signatures[].public_key"))?;
            let signature = signature
                .get("signature")
                .and_then(Value::as_str)
                .and_then(decode_hex)
                .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
                .ok_or_else(|| malformed("signatures[].signature"))?;
            signatures.push(CommitSignature {
                public_key,
                signature,
            });
        }
        Ok(Certificate {
            height,
            round,
            block_hash,
            signatures,
        })
    }

    /// Checks that the certificate proves `header` final for the network of `genesis`:
    /// the block hash and height are the header's, every signer is a distinct genesis
    /// validator whose precommit verifies, and together they hold more than two thirds of
    /// the voting power. Returns the signers' power.
    ///
    /// # Errors
    /// The first problem found.
    pub fn verify(&self, genesis: &Genesis, header: &Header) -> Result<u64, CertificateError> {
        let hash = header.hash();
        if self.block_hash != hash {
            return Err(CertificateError::WrongBlock {
                certificate: self.block_hash,
                header: hash,
            });
        }
        if self.height != header.number {
            return Err(CertificateError::WrongHeight {
                certificate: self.height,
                header: header.number,
            });
        }
        let message = vote_bytes(
            genesis.chain_id,
            self.height,
            self.round,
            VoteKind::Precommit,
            &self.block_hash,
        );
        let mut seen = BTreeSet::new();
        let mut power: u64 = 0;
        for signature in &self.signatures {
            let public_key = encode_hex(&signature.public_key);
            let Some(weight) = genesis.power_of(&signature.public_key) else {
                return Err(CertificateError::NotAValidator { public_key });
            };
            if !seen.insert(signature.public_key) {
                return Err(CertificateError::Duplicate { public_key });
            }
            if !verify(&signature.public_key, &message, &signature.signature) {
                return Err(CertificateError::BadSignature { public_key });
            }
            power = power.saturating_add(weight);
        }
        let total = genesis.total_power();
        if !is_supermajority(power, total) {
            return Err(CertificateError::Short { power, total });
        }
        Ok(power)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::keys::ValidatorKey;

    use crate::consensus::fixtures::{genesis, keys};

    fn header() -> Header {
        crate::consensus::fixtures::header(3)
    }

    fn signed(keys: &[ValidatorKey], header: &Header) -> Certificate {
        let message = vote_bytes(7, header.number, 0, VoteKind::Precommit, &header.hash());
        Certificate {
            height: header.number,
            round: 0,
            block_hash: header.hash(),
            signatures: keys
                .iter()
                .map(|key| CommitSignature {
                    public_key: key.public_key(),
                    signature: key.sign(&message),
                })
                .collect(),
        }
    }

    #[test]
    fn the_vote_bytes_are_the_prefix_and_the_rlp_list() {
        let bytes = vote_bytes(7, 3, 1, VoteKind::Prevote, &Hash([0xaa; 32]));
        let mut expected = vec![0x43, 0xe5, 0x07, 0x03, 0x01, 0x01, 0xa0];
        expected.extend([0xaa; 32]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_certificate_is_checked_against_the_genesis_set() {
        let keys = keys();
        let genesis = genesis(&keys);
        let header = header();
        let full = signed(&keys, &header);
        assert_eq!(full.verify(&genesis, &header), Ok(4));
        let three = signed(&keys[..3], &header);
        assert_eq!(three.verify(&genesis, &header), Ok(3));
        let json = three.to_json();
        assert_eq!(Certificate::from_json(&json), Ok(three.clone()));

        // Short: two of four is not more than two thirds.
        let short = signed(&keys[..2], &header);
        assert_eq!(
            short.verify(&genesis, &header),
            Err(CertificateError::Short { power: 2, total: 4 })
        );
        // A signer twice does not count twice.
        let mut twice = signed(&keys[..2], &header);
        twice.signatures.push(twice.signatures[0]);
        assert!(matches!(
            twice.verify(&genesis, &header),
            Err(CertificateError::Duplicate { .. })
        ));
        // An outsider.
        let outsider = ValidatorKey::from_secret([9; 32]);
        let mut foreign = signed(&keys[..3], &header);
        foreign
            .signatures
            .push(signed(&[outsider], &header).signatures[0]);
        assert!(matches!(
            foreign.verify(&genesis, &header),
            Err(CertificateError::NotAValidator { .. })
        ));
        // A forged signature.
        let mut forged = three.clone();
        forged.signatures[1].signature[0] ^= 1;
        assert!(matches!(
            forged.verify(&genesis, &header),
            Err(CertificateError::BadSignature { .. })
        ));
        // Another block, another height.
        let mut other = header.clone();
        other.state_root = Hash([3; 32]);
        assert!(matches!(
            three.verify(&genesis, &other),
            Err(CertificateError::WrongBlock { .. })
        ));
        // Signatures over another round do not verify for this one.
        let mut round = three;
        round.round = 1;
        assert!(matches!(
            round.verify(&genesis, &header),
            Err(CertificateError::BadSignature { .. })
        ));
        assert!(Certificate::from_json(&json!({"height": 1})).is_err());
    }
}
