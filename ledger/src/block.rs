//! Block headers (LEDGER.md §4) and the ordered tries behind the transactions and receipts
//! roots.

use super::rlp::{self, ListBuilder, RlpError};
use super::trie::Trie;
use assent_stdlib::primitives::{Hash, keccak256};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A block header; `hash = keccak256(rlp(header))`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub number: u64,
    pub parent_hash: Hash,
    /// Unix seconds; strictly greater than the parent's.
    pub time: u64,
    pub state_root: Hash,
    pub transactions_root: Hash,
    pub receipts_root: Hash,
    pub gas_used: u64,
}

impl Header {
    /// `rlp([number, parent_hash, time, state_root, transactions_root, receipts_root, gas_used])`.
    pub fn encode(&self) -> Vec<u8> {
        ListBuilder::new()
            .u64(self.number)
            .bytes(&self.parent_hash.0)
            .u64(self.time)
            .bytes(&self.state_root.0)
            .bytes(&self.transactions_root.0)
            .bytes(&self.receipts_root.0)
            .u64(self.gas_used)
            .finish()
    }

    /// Decodes [`Header::encode`]'s form.
    ///
    /// # Errors
    /// Malformed or non-canonical bytes.
    pub fn decode(bytes: &[u8]) -> Result<Header, RlpError> {
        let [number, parent, time, state, transactions, receipts, gas] =
            rlp::decode(bytes)?.items_exact::<7>()?;
        Ok(Header {
            number: number.u64()?,
            parent_hash: Hash(parent.fixed::<32>()?),
            time: time.u64()?,
            state_root: Hash(state.fixed::<32>()?),
            transactions_root: Hash(transactions.fixed::<32>()?),
            receipts_root: Hash(receipts.fixed::<32>()?),
            gas_used: gas.u64()?,
        })
    }

    /// `keccak256(rlp(header))`.
    pub fn hash(&self) -> Hash {
        keccak256(&self.encode())
    }

    /// The header of a block JSON ([`Header::to_json`]'s fields; others are ignored), as a
    /// client rebuilds it to check the block hash a certificate signs.
    ///
    /// # Errors
    /// A field is missing, or is not a number or a hash as its kind wants.
    pub fn from_json(block: &Value) -> Result<Header, HeaderFieldError> {
        let number = |name: &'static str| {
            let value = block.get(name).ok_or(HeaderFieldError::Missing(name))?;
            value.as_u64().ok_or(HeaderFieldError::NotANumber(name))
        };
        let hash = |name: &'static str| {
            let value = block.get(name).ok_or(HeaderFieldError::Missing(name))?;
            value
                .as_str()
                .and_then(Hash::from_hex)
                .ok_or(HeaderFieldError::NotAHash(name))
        };
        Ok(Header {
            number: number("number")?,
            parent_hash: hash("parent_hash")?,
            time: number("time")?,
            state_root: hash("state_root")?,
            transactions_root: hash("transactions_root")?,
            receipts_root: hash("receipts_root")?,
            gas_used: number("gas_used")?,
        })
    }

    /// The block JSON of LEDGER.md §4, given the block's transaction hashes.
    pub fn to_json(&self, transactions: &[Hash]) -> Value {
        json!({
            "number": self.number,
            "hash": self.hash().to_string(),
            "parent_hash": self.parent_hash.to_string(),
            "time": self.time,
            "state_root": self.state_root.to_string(),
            "transactions_root": self.transactions_root.to_string(),
            "receipts_root": self.receipts_root.to_string(),
            "gas_used": self.gas_used,
            "transactions": transactions.iter().map(Hash::to_string).collect::<Vec<_>>(),
        })
    }
}

/// What is wrong with a block JSON's header field ([`Header::from_json`]), by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderFieldError {
    Missing(&'static str),
    NotANumber(&'static str),
    NotAHash(&'static str),
}

/// The proof of item `index` in the trie [`ordered_root`] builds over `items`: the root and
/// the encodings of the nodes from the root to the item, root first, as `eth_getProof`
/// lists them (the path is `rlp(index)` itself, not its hash). `None` when there is no
/// item `index`.
pub fn ordered_proof<'a>(
    items: impl IntoIterator<Item = &'a [u8]>,
    index: u64,
) -> Option<(Hash, Vec<Vec<u8>>)> {
    let mut store: BTreeMap<Hash, Vec<u8>> = BTreeMap::new();
    let mut trie = Trie::new();
    let mut count = 0u64;
    for (position, item) in items.into_iter().enumerate() {
        let _ = trie.insert(&store, &rlp::u64_item(position as u64), item.to_vec());
        count += 1;
    }
    if index >= count {
        return None;
    }
    let committed = trie.commit();
    store.extend(committed.nodes);
    let proof = super::trie::prove(&store, committed.root, 0, &rlp::u64_item(index)).ok()?;
    Some((committed.root, proof))
}

/// The root of the trie mapping `rlp(index)` to each item, as Ethereum's transactions and
/// receipts roots are built. Computed in memory; these tries are not stored.
pub fn ordered_root<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Hash {
    let store: BTreeMap<Hash, Vec<u8>> = BTreeMap::new();
    let mut trie = Trie::new();
    for (index, item) in items.into_iter().enumerate() {
        // INVARIANT: the keys are short RLP integers and the values non-empty RLP, which the
        // in-memory trie always accepts; an item that were empty would just be skipped.
        let _ = trie.insert(&store, &rlp::u64_item(index as u64), item.to_vec());
    }
    trie.commit().root
}
