//! Where the ledger keeps what it has committed.

use std::fmt;

/// A fault of the storage under the ledger (not a property of any transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The backend failed (IO, locking, a full disk).
    Backend(String),
    /// Stored bytes are not what the ledger wrote.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Backend(message) => write!(f, "storage failed: {message}"),
            StoreError::Corrupt(message) => write!(f, "stored data is corrupt: {message}"),
        }
    }
}

impl std::error::Error for StoreError {}
