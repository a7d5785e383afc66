//! What a network of validators agrees on and how a client checks it, whatever engine
//! orders the blocks: the genesis file ([`genesis`]: chain id, genesis time, the validators'
//! Ed25519 keys and voting power), a validator's consensus key ([`keys`]), the votes and
//! the commit certificate of a block ([`certificate`]: the exact bytes each precommit
//! signs, the certificate's check against the genesis validator set), where a node keeps
//! its certificates ([`commits`]), the files of a local network ([`testnet`]), and the
//! [`context`] Malachite's Tendermint engine runs the ledger's blocks in.

pub mod certificate;
pub mod commits;
pub mod context;
pub mod genesis;
pub mod keys;
pub mod testnet;

/// The four validators, their genesis and a header the consensus tests share.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::genesis::{Genesis, Validator};
    use super::keys::ValidatorKey;
    use assent_ledger::Hash;
    use assent_ledger::block::Header;

    /// Four validator keys from fixed secrets.
    pub fn keys() -> Vec<ValidatorKey> {
        (1u8..=4)
            .map(|i| ValidatorKey::from_secret([i; 32]))
            .collect()
    }

    /// A network of `keys`, one vote each, chain id 7.
    pub fn genesis(keys: &[ValidatorKey]) -> Genesis {
        Genesis {
            chain_id: 7,
            genesis_time: 1_767_225_600,
            validators: keys
                .iter()
                .map(|key| Validator {
                    public_key: key.public_key(),
                    power: 1,
                })
                .collect(),
        }
    }

    /// A header of block `number`, one second a block after genesis.
    pub fn header(number: u64) -> Header {
        Header {
            number,
            parent_hash: Hash([1; 32]),
            time: 1_767_225_600 + number,
            state_root: Hash([2; 32]),
            transactions_root: Hash::EMPTY_ROOT,
            receipts_root: Hash::EMPTY_ROOT,
            gas_used: 0,
        }
    }
}
