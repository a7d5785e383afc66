//! The ledger of LEDGER.md §1–§5: RLP, the Merkle Patricia state trie, signed transactions,
//! blocks and receipts, and the durable store.
//!
//! Reading order: [`primitives`] (hashes, addresses) → [`rlp`] → [`trie`] → [`store`].

pub mod primitives;
pub mod rlp;
pub mod store;
pub mod trie;

pub use primitives::{Address, Hash, keccak256};
