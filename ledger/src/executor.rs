//! The seam between the ledger and whatever runs contracts: the ledger decodes, verifies
//! and orders transactions, keeps state and commits blocks; an [`Executor`] runs one
//! transaction against a [`StateAccess`]. The wasmtime host implements it; tests use a
//! trivial one.

use super::error::LedgerError;
use super::receipt::{Event, SourcePosition};
use super::tx::{TxError, VerifiedTransaction};
use super::view::StateView;
use assent_stdlib::primitives::{Address, Hash};

/// The block a transaction runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    pub chain_id: u64,
    pub number: u64,
    /// Unix seconds.
    pub time: u64,
    pub gas_limit: u64,
}

/// How a contract's execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Aborted {
        message: String,
        position: Option<SourcePosition>,
    },
    OutOfGas {
        position: Option<SourcePosition>,
    },
}

/// What running a transaction produced. On anything but [`Outcome::Ok`] the ledger discards
/// the transaction's state writes and its non-`audit` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionResult {
    pub outcome: Outcome,
    pub gas_used: u64,
    /// The return value as JSON text.
    pub return_value: Option<String>,
    /// Events in emission order.
    pub events: Vec<Event>,
}

/// The state one transaction sees: raw keys (LEDGER.md §3), contract code, and the cache
/// of compiled modules.
pub trait StateAccess {
    /// The value at a raw key.
    ///
    /// # Errors
    /// A storage fault.
    fn get(&mut self, raw_key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError>;

    /// Sets a raw key to a non-empty value.
    ///
    /// # Errors
    /// [`LedgerError::EmptyValue`] for an empty value.
    fn set(&mut self, raw_key: &[u8], value: Vec<u8>) -> Result<(), LedgerError>;

    /// Removes a raw key.
    ///
    /// # Errors
    /// A storage fault.
    fn remove(&mut self, raw_key: &[u8]) -> Result<(), LedgerError>;

    /// Writes (`Some`) or removes (`None`) an entry of the ordered index of iterated
    /// collections: a second key space beside the state, kept in key order (not hashed
    /// into the state root) so that a contract can walk a `Map` or `Set` in order at any
    /// block. Its keys are the executor's to lay out, at most
    /// [`MAX_KEY_BYTES`](crate::trie::MAX_KEY_BYTES) long.
    ///
    /// # Errors
    /// An empty value or a key that is too long.
    fn set_ordered(&mut self, key: &[u8], value: Option<Vec<u8>>) -> Result<(), LedgerError>;

    /// The module deployed at `contract`, if any.
    ///
    /// # Errors
    /// A storage fault.
    fn code(&mut self, contract: &Address) -> Result<Option<Vec<u8>>, LedgerError>;

    /// The compiled artefact cached for the module with this code hash.
    ///
    /// # Errors
    /// A storage fault.
    fn artefact(&mut self, code_hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError>;

    /// Caches a compiled artefact; it is stored with the block, whatever the outcome.
    fn put_artefact(&mut self, code_hash: Hash, artefact: Vec<u8>);

    /// This state as an owned, thread-safe handle, for a runtime that cannot hold a borrow
    /// across the call (wasmtime keeps its host state `'static`). It sees what
    /// [`StateAccess::get`] and [`StateAccess::code`] see at the moment it is taken;
    /// writes go through `set` and `remove` as ever.
    fn view(&self) -> StateView;
}

/// Runs contracts for the ledger.
pub trait Executor {
    /// The checks that need the contract's ABI or the module validator: the method is an
    /// action (1007), the args match (1008), a deployed module is valid (1010). Runs before
    /// the transaction is accepted; a refusal changes nothing. The inner `Result` is the
    /// verdict on the transaction.
    ///
    /// # Errors
    /// A fault of the host or the store, never the transaction's doing (it is not refused
    /// for it: the caller reports the fault as such).
    fn check(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
    ) -> Result<Result<(), TxError>, LedgerError>;

    /// Runs an accepted transaction. For a deployment the module is already at
    /// `tx.contract` and `init` is to run.
    ///
    /// # Errors
    /// Only a host fault; a contract's abort or running out of gas is an [`Outcome`].
    fn apply(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
        env: &BlockEnv,
    ) -> Result<ExecutionResult, LedgerError>;
}
