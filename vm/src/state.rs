//! Contract state as the VM sees it: a read-only [`StateStore`] underneath, and a nested
//! write [`Overlay`] on top that becomes a [`WriteSet`] when the transaction succeeds.
//!
//! # Key layout
//! The raw key of every contract entry starts with the 20-byte address of the contract
//! that owns it (LEDGER.md §3), then the state's index in the contract's ABI (`states`
//! table) as 4 bytes big-endian, then — for an element of a persistent `Map` or `Set` —
//! the canonical encoding of the key or element ([`contract_key`]). The host builds every
//! key from the address of the contract that is running, and no host function takes a
//! raw key, so a contract can neither read nor write another contract's entries.
//!
//! Values are canonical encodings (never empty); an element of a persistent `Set` is
//! stored with the value `0x01`. A persistent `Map` or `Set` keeps its number of entries
//! under its own key with no element (`address ‖ state`), as an `Int`, absent when empty:
//! no element key is that short, since no canonical encoding is empty.

use std::collections::BTreeMap;
use std::fmt;

use assent_stdlib::ordered::{Entry, Layer, next_entry};
use std::sync::{Arc, RwLock};

pub use assent_stdlib::primitives::{Address, Hash, keccak256};

/// Keccak-256 of a deployed module's bytes.
pub type CodeHash = Hash;

/// The stored value of a persistent-set element.
pub const SET_MEMBER: &[u8] = &[1];

/// The raw key of state `state` of the contract at `address`: for a persistent map or
/// set, `element` is the canonical encoding of the key or element; otherwise empty.
pub fn contract_key(address: &Address, state: u32, element: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(20 + 4 + element.len());
    key.extend_from_slice(address.as_bytes());
    key.extend_from_slice(&state.to_be_bytes());
    key.extend_from_slice(element);
    key
}

/// A failure of the storage behind the VM (a disk error, say); never a contract's doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError {
    pub message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// The ledger state a transaction executes against, read-only: the VM collects its
/// writes in an [`Overlay`] and hands them back as a [`WriteSet`].
pub trait StateStore: Send + Sync {
    /// The value stored under a raw key.
    ///
    /// # Errors
    /// When the storage fails.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// The code hash of the contract deployed at `address`.
    ///
    /// # Errors
    /// When the storage fails.
    fn code_hash(&self, address: &Address) -> Result<Option<CodeHash>, StoreError>;

    /// The module with that code hash.
    ///
    /// # Errors
    /// When the storage fails.
    fn code(&self, code_hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError>;

    /// The first entry of the ordered index at or after `from`, if its key starts with
    /// `prefix` (as `from` does); entries that pending removals hid from the walk are
    /// added to `skipped` ([`assent_stdlib::ordered::next_entry`]).
    ///
    /// # Errors
    /// When the storage fails.
    fn next_ordered(
        &self,
        from: &[u8],
        prefix: &[u8],
        skipped: &mut u64,
    ) -> Result<Option<Entry>, StoreError>;

    /// A compiled artefact of the module with that code hash, if whoever keeps this state
    /// keeps artefacts too (the ledger stores them with its blocks, so a restarted node
    /// loads instead of compiling). The VM's own [`ArtefactCache`](crate::ArtefactCache)
    /// is asked when this has none.
    fn artefact(&self, code_hash: &CodeHash) -> Option<Vec<u8>> {
        let _ = code_hash;
        None
    }

    /// Offers the artefact the VM just compiled for a module read from this state.
    fn put_artefact(&self, code_hash: &CodeHash, artefact: &[u8]) {
        let _ = (code_hash, artefact);
    }
}

/// The writes of a successful transaction: raw key → new value, or `None` for a removal,
/// in key order; and likewise the writes of the ordered index of iterated collections
/// (key: `address ‖ state ‖ ordered form of the element`, value: the element's canonical
/// encoding).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteSet {
    pub changes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    pub order: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl WriteSet {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.order.is_empty()
    }
}

/// An in-memory [`StateStore`], for tests, scenarios and benchmarks.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: RwLock<MemoryStoreInner>,
}

#[derive(Debug, Default)]
struct MemoryStoreInner {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
    ordered: BTreeMap<Vec<u8>, Vec<u8>>,
    contracts: BTreeMap<Address, CodeHash>,
    codes: BTreeMap<CodeHash, Arc<[u8]>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, MemoryStoreInner> {
        // A poisoned lock only means another thread panicked mid-write of a test store;
        // the maps themselves are always consistent, so carry on with them.
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, MemoryStoreInner> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Puts `code` at `address`; returns its code hash.
    pub fn deploy(&self, address: Address, code: &[u8]) -> CodeHash {
        let hash = keccak256(code);
        let mut inner = self.write();
        inner.codes.insert(hash, Arc::from(code));
        inner.contracts.insert(address, hash);
        hash
    }

    /// Applies the writes of a successful transaction.
    pub fn apply(&self, writes: &WriteSet) {
        let mut inner = self.write();
        for (key, value) in &writes.changes {
            match value {
                Some(value) => inner.entries.insert(key.clone(), value.clone()),
                None => inner.entries.remove(key),
            };
        }
        for (key, value) in &writes.order {
            match value {
                Some(value) => inner.ordered.insert(key.clone(), value.clone()),
                None => inner.ordered.remove(key),
            };
        }
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.read()
            .entries
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }
}

impl StateStore for MemoryStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read().entries.get(key).cloned())
    }

    fn code_hash(&self, address: &Address) -> Result<Option<CodeHash>, StoreError> {
        Ok(self.read().contracts.get(address).copied())
    }

    fn code(&self, code_hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StoreError> {
        Ok(self.read().codes.get(code_hash).cloned())
    }

    fn next_ordered(
        &self,
        from: &[u8],
        prefix: &[u8],
        _skipped: &mut u64,
    ) -> Result<Option<Entry>, StoreError> {
        Ok(self
            .read()
            .ordered
            .range(from.to_vec()..)
            .next()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(key, value)| (key.clone(), value.clone())))
    }
}

/// Writes of the running transaction, one layer per contract call on the stack: a call
/// that returns merges its layer into its caller's; the whole overlay becomes the
/// transaction's [`WriteSet`] on success and is dropped on abort or out-of-gas.
pub(crate) struct Overlay {
    base: Arc<dyn StateStore>,
    layers: Vec<BTreeMap<Vec<u8>, Option<Vec<u8>>>>,
    /// The ordered index's writes, one layer beside each of `layers`.
    order: Vec<Layer>,
}

impl Overlay {
    pub(crate) fn new(base: Arc<dyn StateStore>) -> Self {
        // The transaction's layer and the first call's, without growing.
        let mut layers = Vec::with_capacity(2);
        layers.push(BTreeMap::new());
        let mut order = Vec::with_capacity(2);
        order.push(Layer::new());
        Overlay {
            base,
            layers,
            order,
        }
    }

    /// The overlay of a host state parked between calls: no layer, so nothing to allocate
    /// (a call starts with a fresh overlay from [`Overlay::new`]).
    pub(crate) fn idle(base: Arc<dyn StateStore>) -> Self {
        Overlay {
            base,
            layers: Vec::new(),
            order: Vec::new(),
        }
    }

    pub(crate) fn base(&self) -> &Arc<dyn StateStore> {
        &self.base
    }

    pub(crate) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        for layer in self.layers.iter().rev() {
            if let Some(value) = layer.get(key) {
                return Ok(value.clone());
            }
        }
        self.base.get(key)
    }

    pub(crate) fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if let Some(layer) = self.layers.last_mut() {
            layer.insert(key, value);
        }
    }

    /// Writes (or removes, with `None`) an entry of the ordered index.
    pub(crate) fn set_ordered(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if let Some(layer) = self.order.last_mut() {
            layer.insert(key, value);
        }
    }

    /// The ordered index's first entry at or after `from` with `prefix`, through every
    /// layer; removed entries the walk passes over are counted in `skipped`.
    pub(crate) fn next_ordered(
        &self,
        from: &[u8],
        prefix: &[u8],
        skipped: &mut u64,
    ) -> Result<Option<Entry>, StoreError> {
        let layers: Vec<&Layer> = self.order.iter().collect();
        let mut below = 0;
        let found = next_entry(
            &layers,
            |from| self.base.next_ordered(from, prefix, &mut below),
            from,
            prefix,
            skipped,
        )?;
        *skipped = skipped.saturating_add(below);
        Ok(found)
    }

    /// Opens a layer for a nested call.
    pub(crate) fn push(&mut self) {
        self.layers.push(BTreeMap::new());
        self.order.push(Layer::new());
    }

    /// Merges the innermost layer into the one below (the nested call returned).
    pub(crate) fn commit_layer(&mut self) {
        if self.layers.len() > 1
            && let Some(top) = self.layers.pop()
            && let Some(below) = self.layers.last_mut()
        {
            below.extend(top);
        }
        if self.order.len() > 1
            && let Some(top) = self.order.pop()
            && let Some(below) = self.order.last_mut()
        {
            below.extend(top);
        }
    }

    /// Drops the innermost layer (the nested call did not return).
    pub(crate) fn discard_layer(&mut self) {
        if self.layers.len() > 1 {
            self.layers.pop();
        }
        if self.order.len() > 1 {
            self.order.pop();
        }
    }

    /// Everything written, once every nested call has returned.
    pub(crate) fn into_write_set(mut self) -> WriteSet {
        while self.layers.len() > 1 || self.order.len() > 1 {
            self.commit_layer();
        }
        WriteSet {
            changes: self.layers.pop().unwrap_or_default(),
            order: self.order.pop().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_layers_commit_into_their_parent_and_discard_alone() {
        let store = Arc::new(MemoryStore::new());
        store.apply(&WriteSet {
            changes: BTreeMap::from([(b"a".to_vec(), Some(b"base".to_vec()))]),
            order: BTreeMap::new(),
        });
        let mut overlay = Overlay::new(store);
        overlay.set(b"b".to_vec(), Some(b"outer".to_vec()));
        overlay.push();
        overlay.set(b"a".to_vec(), None);
        assert_eq!(overlay.get(b"a").unwrap(), None);
        overlay.discard_layer();
        assert_eq!(overlay.get(b"a").unwrap(), Some(b"base".to_vec()));
        overlay.push();
        overlay.set(b"c".to_vec(), Some(b"inner".to_vec()));
        overlay.commit_layer();
        let writes = overlay.into_write_set();
        assert_eq!(
            writes.changes,
            BTreeMap::from([
                (b"b".to_vec(), Some(b"outer".to_vec())),
                (b"c".to_vec(), Some(b"inner".to_vec())),
            ])
        );
    }

    #[test]
    fn keys_start_with_the_owner_address() {
        let key = contract_key(&Address([7; 20]), 2, &[9, 9]);
        assert_eq!(&key[..20], &[7; 20]);
        assert_eq!(&key[20..], &[0, 0, 0, 2, 9, 9]);
    }
}
