//! [`StateView`]: the state one transaction or view reads, as an owned handle that a
//! contract runtime can keep for the length of a call, on any thread.
//!
//! A runtime such as wasmtime keeps its host state in a `'static` store, so it cannot hold
//! the borrowed [`StateAccess`](crate::StateAccess) the chain lends an executor. It takes a
//! view instead, as revm's interpreter takes a `DatabaseRef`: a handle to the store's
//! entries addressed by hash (trie nodes, modules, compiled artefacts — the same bytes
//! whatever is committed later), the trie at the parent block's root with the nodes the
//! chain holds in memory, the block's writes so far, and the transaction's own before it
//! runs (a deployment's code hash and module). All four are shared, never copied per
//! read; the chain changes its own copy only once every view of a transaction is gone.

use assent_stdlib::ordered::Entry;
use std::sync::Arc;

use assent_stdlib::primitives::Hash;

use super::error::LedgerError;
use super::state::Changes;
use super::store::Store;
use super::trie::{NodeStore, Trie, secure_key};

/// The state a transaction (or a view) reads; see the [module](self) documentation.
#[derive(Clone)]
pub struct StateView {
    store: Arc<dyn Store>,
    trie: Arc<Trie>,
    order: Arc<Trie>,
    block: Arc<Changes>,
    tx: Arc<Changes>,
}

impl std::fmt::Debug for StateView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateView")
            .field("block_writes", &self.block.writes.len())
            .field("tx_writes", &self.tx.writes.len())
            .finish_non_exhaustive()
    }
}

impl StateView {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        trie: Arc<Trie>,
        order: Arc<Trie>,
        block: Arc<Changes>,
        tx: Arc<Changes>,
    ) -> StateView {
        StateView {
            store,
            trie,
            order,
            block,
            tx,
        }
    }

    fn layers(&self) -> Layers<'_> {
        Layers {
            store: &*self.store,
            trie: &self.trie,
            order: &self.order,
            block: &self.block,
            tx: &self.tx,
        }
    }

    /// The value at a raw key: the transaction's write, else the block's, else the trie's.
    ///
    /// # Errors
    /// A storage fault.
    pub fn get(&self, raw_key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        self.layers().get(raw_key)
    }

    /// The first entry of the ordered index of iterated collections at or after `from`,
    /// if its key starts with `prefix` (as `from` does): the transaction's writes, over
    /// the block's, over the index. Entries the walk passed over because the block or
    /// the transaction removed them are added to `skipped`.
    ///
    /// # Errors
    /// A storage fault, or a bound longer than a trie key.
    pub fn next_ordered(
        &self,
        from: &[u8],
        prefix: &[u8],
        skipped: &mut u64,
    ) -> Result<Option<Entry>, LedgerError> {
        self.layers().next_ordered(from, prefix, skipped)
    }

    /// The module with this code hash: deployed by this transaction, earlier in the
    /// block, or stored.
    ///
    /// # Errors
    /// A storage fault.
    pub fn code(&self, hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError> {
        self.layers().code(hash)
    }

    /// The compiled artefact of the module with this code hash, if one is kept.
    ///
    /// # Errors
    /// A storage fault.
    pub fn artefact(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError> {
        self.layers().artefact(code_hash)
    }
}

/// The state's layers, newest first — the transaction's changes, the block's, then the
/// trie and the store — as a [`StateView`] and the chain's own overlay both read them.
pub(crate) struct Layers<'a> {
    pub store: &'a dyn Store,
    pub trie: &'a Trie,
    pub order: &'a Trie,
    pub block: &'a Changes,
    pub tx: &'a Changes,
}

impl Layers<'_> {
    pub fn get(&self, raw_key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        if let Some(value) = self.tx.writes.get(raw_key) {
            return Ok(value.clone());
        }
        if let Some(value) = self.block.writes.get(raw_key) {
            return Ok(value.clone());
        }
        let store: &dyn NodeStore = self.store;
        Ok(self.trie.get(store, secure_key(raw_key).as_bytes())?)
    }

    pub fn next_ordered(
        &self,
        from: &[u8],
        prefix: &[u8],
        skipped: &mut u64,
    ) -> Result<Option<Entry>, LedgerError> {
        let store: &dyn NodeStore = self.store;
        Ok(assent_stdlib::ordered::next_entry(
            &[&self.block.order, &self.tx.order],
            |from| self.order.seek(store, from),
            from,
            prefix,
            skipped,
        )?)
    }

    pub fn code(&self, hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError> {
        if let Some(code) = self.tx.code.get(hash).or_else(|| self.block.code.get(hash)) {
            return Ok(Some(code.clone()));
        }
        Ok(self.store.code(hash)?)
    }

    pub fn artefact(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError> {
        if let Some(artefact) = self
            .tx
            .artefacts
            .get(code_hash)
            .or_else(|| self.block.artefacts.get(code_hash))
        {
            return Ok(Some(artefact.clone()));
        }
        Ok(self.store.artefact(code_hash)?)
    }
}
