//! Faults of the ledger itself: storage, corrupt data, a block that breaks a chain rule, a
//! replay that disagrees. A refused transaction is a [`super::tx::TxError`] instead, and a
//! contract's abort is an outcome in its receipt.

use super::store::StoreError;
use super::trie::TrieError;
use assent_stdlib::primitives::Hash;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerError {
    Store(StoreError),
    Trie(TrieError),
    /// The executor failed as a host (not the contract aborting).
    Executor(String),
    /// A contract tried to store the empty value (the codec never produces one).
    EmptyValue,
    /// A block's time is not after its parent's.
    TimeNotIncreasing {
        parent: u64,
        got: u64,
    },
    /// The store was created for another chain configuration.
    ConfigMismatch {
        stored: String,
        given: String,
    },
    /// A block the store should hold is missing or does not decode.
    Corrupt(String),
    /// Re-execution gave a different block than the stored one.
    ReplayMismatch {
        block: u64,
        field: &'static str,
        stored: Hash,
        replayed: Hash,
    },
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::Store(error) => write!(f, "{error}"),
            LedgerError::Trie(error) => write!(f, "{error}"),
            LedgerError::Executor(message) => write!(f, "executor fault: {message}"),
            LedgerError::EmptyValue => f.write_str("a state value cannot be empty"),
            LedgerError::TimeNotIncreasing { parent, got } => write!(
                f,
                "block time {got} is not after the previous block's time {parent}"
            ),
            LedgerError::ConfigMismatch { stored, given } => write!(
                f,
                "the data directory belongs to another chain ({stored}), not {given}"
            ),
            LedgerError::Corrupt(message) => write!(f, "ledger data is corrupt: {message}"),
            LedgerError::ReplayMismatch {
                block,
                field,
                stored,
                replayed,
            } => write!(
                f,
                "replay of block {block} gives {field} {replayed}, but the stored block has {stored}"
            ),
        }
    }
}

impl std::error::Error for LedgerError {}

impl From<StoreError> for LedgerError {
    fn from(error: StoreError) -> Self {
        LedgerError::Store(error)
    }
}

impl From<TrieError> for LedgerError {
    fn from(error: TrieError) -> Self {
        LedgerError::Trie(error)
    }
}
