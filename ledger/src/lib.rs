//! The ledger of LEDGER.md §1–§5: RLP, the Merkle Patricia state trie, signed transactions,
//! blocks and receipts, the durable store, and the chain that ties them together.
//!
//! Reading order: [`rlp`] → [`trie`] → [`keys`] → [`tx`] → [`receipt`] and [`block`] →
//! [`state`] (the layout of system entries) → [`view`] and [`executor`] (the seam to the
//! contract runtime) → [`store`] → [`chain`]. Hashes, addresses and Keccak-256 are the shared
//! [`primitives`] of `assent-stdlib`. The ledger never runs a contract itself: the
//! `assent-node` crate implements [`Executor`] on the wasmtime host.
//!
//! The state trie on its own: set entries, commit, prove one at the new root.
//! ```
//! use assent_ledger::trie::{self, Trie, secure_key};
//! use assent_ledger::Hash;
//! use std::collections::BTreeMap;
//!
//! let mut store: BTreeMap<Hash, Vec<u8>> = BTreeMap::new();
//! let mut state = Trie::new();
//! let key = secure_key(b"raw key");
//! state.insert(&store, key.as_bytes(), b"value".to_vec())?;
//! let committed = state.commit();
//! store.extend(committed.nodes);
//! let proof = trie::prove(&store, committed.root, 0, key.as_bytes())?;
//! assert_eq!(
//!     trie::verify_proof(committed.root, key.as_bytes(), &proof)?,
//!     Some(b"value".to_vec())
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod block;
pub mod chain;
pub mod error;
pub mod executor;
pub mod keys;
pub mod receipt;
pub mod rlp;
pub mod state;
pub mod store;
pub mod trie;
pub mod tx;
pub mod view;

pub use assent_stdlib::primitives::{self, Address, Hash, keccak256};
pub use chain::{Chain, DEFAULT_BLOCK_GAS_LIMIT, replay};
pub use error::{ExecutorFault, LedgerError};
pub use executor::{BlockEnv, ExecutionResult, Executor, Outcome, StateAccess};
pub use store::{ChainConfig, MemoryStore, RedbStore, Store};
pub use view::StateView;
