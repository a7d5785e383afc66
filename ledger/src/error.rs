//! Faults of the ledger itself: storage, corrupt data, a block that breaks a chain rule, a
//! replay that disagrees. A refused transaction is a [`super::tx::TxError`] instead, and a
//! contract's abort is an outcome in its receipt.

use super::store::StoreError;
use super::trie::TrieError;
use assent_stdlib::primitives::Hash;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerError {
    Store(StoreError),
    Trie(TrieError),
    /// The executor failed as a host (not the contract aborting).
    Executor(ExecutorFault),
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
    /// A sealed block's parent is not the head: another block was committed since.
    NotOnHead {
        block: u64,
        head: u64,
    },
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
            LedgerError::Executor(fault) => write!(f, "executor fault: {fault}"),
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
            LedgerError::NotOnHead { block, head } => write!(
                f,
                "block {block} was executed on another head than block {head}; execute it again"
            ),
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

impl std::error::Error for LedgerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LedgerError::Executor(fault) => fault.source.as_deref().map(|source| source as _),
            _ => None,
        }
    }
}

/// A fault of the executor as a host: its message, and the runtime's own typed error when
/// there is one (the wasmtime host's `VmError`, reachable with `downcast_ref` on
/// [`ExecutorFault::source`]), so that a caller can tell one fault from another without
/// parsing text. Two faults are equal when their messages are.
#[derive(Clone, Debug)]
pub struct ExecutorFault {
    pub message: String,
    pub source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl ExecutorFault {
    /// A fault described by its message alone.
    pub fn message(message: impl Into<String>) -> ExecutorFault {
        ExecutorFault {
            message: message.into(),
            source: None,
        }
    }

    /// A fault that is the runtime's typed `error`.
    pub fn from_error(error: impl std::error::Error + Send + Sync + 'static) -> ExecutorFault {
        ExecutorFault {
            message: error.to_string(),
            source: Some(Arc::new(error)),
        }
    }
}

impl PartialEq for ExecutorFault {
    fn eq(&self, other: &ExecutorFault) -> bool {
        self.message == other.message
    }
}

impl Eq for ExecutorFault {}

impl fmt::Display for ExecutorFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl LedgerError {
    /// An executor fault described by its message alone.
    pub fn executor(message: impl Into<String>) -> LedgerError {
        LedgerError::Executor(ExecutorFault::message(message))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_executor_fault_keeps_the_runtimes_typed_error() {
        let typed = StoreError::Backend("disk gone".into());
        let error = LedgerError::Executor(ExecutorFault::from_error(typed.clone()));
        assert_eq!(error.to_string(), format!("executor fault: {typed}"));
        let source = error
            .source()
            .and_then(|source| source.downcast_ref::<StoreError>());
        assert_eq!(source, Some(&typed));
        // Equal by message: a fault read back from text compares equal to the typed one.
        assert_eq!(error, LedgerError::executor(typed.to_string()));
        assert!(LedgerError::executor("text only").source().is_none());
    }
}
