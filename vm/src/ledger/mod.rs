//! The ledger of LEDGER.md §1–§5: RLP, the Merkle Patricia state trie, signed transactions,
//! blocks and receipts, the durable store, and the chain that ties them together.
//!
//! Reading order: [`primitives`] (hashes, addresses) → [`rlp`] → [`trie`] → [`keys`] →
//! [`tx`] → [`receipt`] and [`block`] → [`state`] (the layout of system entries) →
//! [`executor`] (the seam to the contract runtime) → [`store`] → [`chain`] →
//! [`vm_executor`] (the executor backed by the wasmtime host).

pub mod block;
pub mod chain;
pub mod error;
pub mod executor;
pub mod keys;
pub mod primitives;
pub mod receipt;
pub mod rlp;
pub mod state;
pub mod store;
pub mod trie;
pub mod tx;
pub mod vm_executor;

pub use chain::{Chain, DEFAULT_BLOCK_GAS_LIMIT, replay};
pub use error::LedgerError;
pub use executor::{BlockEnv, ExecutionResult, Executor, Outcome, StateAccess};
pub use primitives::{Address, Hash, keccak256};
pub use store::{ChainConfig, MemoryStore, RedbStore, Store};
pub use vm_executor::{ViewError, ViewRequest, ViewResult, VmExecutor};
