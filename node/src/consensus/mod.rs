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
