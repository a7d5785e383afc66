//! The state layout's system entries (LEDGER.md §3) and the write buffers a block and a
//! transaction work in.
//!
//! System entries live under the reserved address `0x00…00`, which no contract can have:
//! `00×20 ‖ 0x01 ‖ account` holds the account's next nonce (8 bytes, big-endian; absent
//! meaning 0), `00×20 ‖ 0x02 ‖ contract` the Keccak-256 of its module (the module itself is
//! in the store's code table, by that hash), `00×20 ‖ 0x03 ‖ contract` its ABI, written by
//! the executor. Contract entries start with the contract's own address; the rest of their
//! layout is the executor's.

use super::error::LedgerError;
use super::executor::StateAccess;
use super::store::Store;
use super::trie::Trie;
use super::view::{Layers, StateView};
use assent_stdlib::primitives::{Address, Hash, keccak256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Tag of the nonce entries.
pub const NONCE_TAG: u8 = 0x01;
/// Tag of the code-hash entries.
pub const CODE_HASH_TAG: u8 = 0x02;
/// Tag of the ABI entries.
pub const ABI_TAG: u8 = 0x03;

fn system_key(tag: u8, address: &Address) -> Vec<u8> {
    let mut key = Vec::with_capacity(41);
    key.extend_from_slice(&Address::ZERO.0);
    key.push(tag);
    key.extend_from_slice(&address.0);
    key
}

/// The raw key of an account's nonce.
pub fn nonce_key(account: &Address) -> Vec<u8> {
    system_key(NONCE_TAG, account)
}

/// The raw key of a contract's code hash.
pub fn code_hash_key(contract: &Address) -> Vec<u8> {
    system_key(CODE_HASH_TAG, contract)
}

/// The raw key of a contract's ABI.
pub fn abi_key(contract: &Address) -> Vec<u8> {
    system_key(ABI_TAG, contract)
}

/// Reads a stored nonce (8 bytes, big-endian).
pub fn decode_nonce(value: Option<&[u8]>) -> Result<u64, LedgerError> {
    match value {
        None => Ok(0),
        Some(bytes) => <[u8; 8]>::try_from(bytes)
            .map(u64::from_be_bytes)
            .map_err(|_| LedgerError::Corrupt("a nonce entry is not 8 bytes".into())),
    }
}

/// Pending changes over a committed state: a block's, then, nested, a transaction's.
#[derive(Clone, Debug, Default)]
pub(crate) struct Changes {
    pub writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// Writes of the ordered index of iterated collections (see [`StateAccess::set_ordered`]).
    pub order: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    pub code: BTreeMap<Hash, Vec<u8>>,
    pub artefacts: BTreeMap<Hash, Vec<u8>>,
}

impl Changes {
    /// Moves `other`'s changes on top of these.
    pub fn absorb(&mut self, other: Changes) {
        self.writes.extend(other.writes);
        self.order.extend(other.order);
        self.code.extend(other.code);
        self.artefacts.extend(other.artefacts);
    }
}

/// The state as a block sees it while it is being built: the committed trie plus the block's
/// changes so far plus the current transaction's. The first three are shared handles, so
/// that a [`StateView`] of it costs no copy; the chain changes its own only once the
/// overlay is gone ([`Overlay::into_tx`]).
pub(crate) struct Overlay {
    pub store: Arc<dyn Store>,
    pub trie: Arc<Trie>,
    /// The ordered index of iterated collections, as the trie's state left it.
    pub order: Arc<Trie>,
    pub block: Arc<Changes>,
    pub tx: Changes,
}

impl Overlay {
    fn layers(&self) -> Layers<'_> {
        Layers {
            store: &*self.store,
            trie: &self.trie,
            order: &self.order,
            block: &self.block,
            tx: &self.tx,
        }
    }

    fn lookup(&self, raw_key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        self.layers().get(raw_key)
    }

    /// The transaction's changes; the shared handles are released here.
    pub fn into_tx(self) -> Changes {
        self.tx
    }

    /// Deploys `code` at `contract`: its code hash into the state, the module into the
    /// code table.
    pub fn deploy(&mut self, contract: &Address, code: &[u8]) {
        let hash = keccak256(code);
        self.tx
            .writes
            .insert(code_hash_key(contract), Some(hash.0.to_vec()));
        self.tx.code.insert(hash, code.to_vec());
    }
}

impl StateAccess for Overlay {
    fn get(&mut self, raw_key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        self.lookup(raw_key)
    }

    fn set(&mut self, raw_key: &[u8], value: Vec<u8>) -> Result<(), LedgerError> {
        if value.is_empty() {
            return Err(LedgerError::EmptyValue);
        }
        self.tx.writes.insert(raw_key.to_vec(), Some(value));
        Ok(())
    }

    fn remove(&mut self, raw_key: &[u8]) -> Result<(), LedgerError> {
        self.tx.writes.insert(raw_key.to_vec(), None);
        Ok(())
    }

    fn set_ordered(&mut self, key: &[u8], value: Option<Vec<u8>>) -> Result<(), LedgerError> {
        if value.as_ref().is_some_and(Vec::is_empty) {
            return Err(LedgerError::EmptyValue);
        }
        if key.len() > crate::trie::MAX_KEY_BYTES {
            return Err(crate::trie::TrieError::KeyTooLong(key.len()).into());
        }
        self.tx.order.insert(key.to_vec(), value);
        Ok(())
    }

    fn code(&mut self, contract: &Address) -> Result<Option<Vec<u8>>, LedgerError> {
        let Some(hash) = self.lookup(&code_hash_key(contract))? else {
            return Ok(None);
        };
        let hash = Hash::from_slice(&hash)
            .ok_or_else(|| LedgerError::Corrupt(format!("code hash of {contract}")))?;
        match self.layers().code(&hash)? {
            Some(code) => Ok(Some(code)),
            None => Err(LedgerError::Corrupt(format!(
                "module {hash} of contract {contract} is not in the store"
            ))),
        }
    }

    fn artefact(&mut self, code_hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError> {
        self.layers().artefact(code_hash)
    }

    fn view(&self) -> StateView {
        StateView::new(
            self.store.clone(),
            self.trie.clone(),
            self.order.clone(),
            self.block.clone(),
            Arc::new(self.tx.clone()),
        )
    }

    fn put_artefact(&mut self, code_hash: Hash, artefact: Vec<u8>) {
        self.tx.artefacts.insert(code_hash, artefact);
    }
}
