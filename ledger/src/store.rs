//! Where the ledger keeps what it has committed: the [`Store`] interface, an in-memory
//! [`MemoryStore`] and the durable [`RedbStore`] (one redb write transaction per block, so a
//! block is on disk entirely or not at all).

mod tx_index;

use super::block::Header;
use super::receipt::Receipt;
use super::rlp::{self, ListBuilder};
use super::trie::{NodeStore, Version};
use assent_stdlib::primitives::{Address, Hash};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

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

/// The settings a chain is created with and keeps for its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainConfig {
    pub chain_id: u64,
    pub block_gas_limit: u64,
    /// Unix seconds of the genesis block.
    pub genesis_time: u64,
}

impl ChainConfig {
    fn encode(&self) -> Vec<u8> {
        ListBuilder::new()
            .u64(self.chain_id)
            .u64(self.block_gas_limit)
            .u64(self.genesis_time)
            .finish()
    }

    fn decode(bytes: &[u8]) -> Result<ChainConfig, StoreError> {
        let decode = || -> Result<ChainConfig, rlp::RlpError> {
            let [chain_id, gas, time] = rlp::decode(bytes)?.items_exact::<3>()?;
            Ok(ChainConfig {
                chain_id: chain_id.u64()?,
                block_gas_limit: gas.u64()?,
                genesis_time: time.u64()?,
            })
        };
        decode().map_err(|error| StoreError::Corrupt(format!("chain configuration: {error}")))
    }
}

/// Where a stored transaction is, and its bytes as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTransaction {
    pub block: u64,
    pub index: u32,
    pub raw: Vec<u8>,
}

/// An entry of the event index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventLocation {
    pub block: u64,
    pub tx_index: u32,
    pub event_index: u32,
}

/// Everything one block adds to the store, written atomically by [`Store::commit_block`].
#[derive(Clone, Debug, Default)]
pub struct BlockCommit {
    /// Set for the genesis block only.
    pub config: Option<ChainConfig>,
    pub header: Option<Header>,
    /// `(hash, bytes as received)` in block order.
    pub transactions: Vec<(Hash, Vec<u8>)>,
    pub receipts: Vec<Receipt>,
    /// New trie nodes by hash, as filed, under the block's number as their version.
    pub nodes: Vec<(Hash, Vec<u8>)>,
    /// Newly deployed modules by hash.
    pub code: Vec<(Hash, Vec<u8>)>,
    /// Compiled artefacts by module hash.
    pub artefacts: Vec<(Hash, Vec<u8>)>,
    /// The root of the ordered index of iterated collections, when the block changed it
    /// (its nodes are among `nodes`).
    pub order_root: Option<Hash>,
}

/// The ledger's storage interface. A store is shared with the [`StateView`](crate::StateView)s
/// the chain hands an executor, hence `Send + Sync + 'static`.
pub trait Store: NodeStore + Send + Sync + 'static {
    /// The chain configuration, if the store holds a chain.
    ///
    /// # Errors
    /// A storage fault.
    fn config(&self) -> Result<Option<ChainConfig>, StoreError>;
    /// The number of the last committed block.
    ///
    /// # Errors
    /// A storage fault.
    fn head_number(&self) -> Result<Option<u64>, StoreError>;
    /// A committed header.
    ///
    /// # Errors
    /// A storage fault.
    fn header(&self, number: u64) -> Result<Option<Header>, StoreError>;
    /// The hashes of a block's transactions, in order.
    ///
    /// # Errors
    /// A storage fault.
    fn block_transactions(&self, number: u64) -> Result<Vec<Hash>, StoreError>;
    /// A committed transaction.
    ///
    /// # Errors
    /// A storage fault.
    fn transaction(&self, hash: &Hash) -> Result<Option<StoredTransaction>, StoreError>;
    /// A committed transaction's receipt.
    ///
    /// # Errors
    /// A storage fault.
    fn receipt(&self, tx_hash: &Hash) -> Result<Option<Receipt>, StoreError>;
    /// A deployed module by hash.
    ///
    /// # Errors
    /// A storage fault.
    fn code(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError>;
    /// A compiled artefact by module hash.
    ///
    /// # Errors
    /// A storage fault.
    fn artefact(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, StoreError>;
    /// The events of `contract` in blocks `from..=to`, in chain order.
    ///
    /// # Errors
    /// A storage fault.
    fn events(
        &self,
        contract: &Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<EventLocation>, StoreError>;
    /// Up to `limit` entries of the event index of `contract`, from `start` (inclusive)
    /// through the end of block `to`, in chain order.
    ///
    /// # Errors
    /// A storage fault.
    fn events_from(
        &self,
        contract: &Address,
        start: EventLocation,
        to: u64,
        limit: usize,
    ) -> Result<Vec<EventLocation>, StoreError> {
        if start.block > to {
            return Ok(Vec::new());
        }
        let mut locations = self.events(contract, start.block, to)?;
        locations.retain(|location| *location >= start);
        locations.truncate(limit);
        Ok(locations)
    }
    /// The receipt of the transaction at `index` in block `block`.
    ///
    /// # Errors
    /// A storage fault.
    fn receipt_at(&self, block: u64, index: u32) -> Result<Option<Receipt>, StoreError> {
        let hashes = self.block_transactions(block)?;
        match usize::try_from(index)
            .ok()
            .and_then(|index| hashes.get(index))
        {
            Some(hash) => self.receipt(hash),
            None => Ok(None),
        }
    }
    /// The root of the ordered index of iterated collections as block `number` left it,
    /// with the number of the block that made it (the version its root node is filed
    /// under); `None` while no block has written the index.
    ///
    /// # Errors
    /// A storage fault.
    fn order_root(&self, number: u64) -> Result<Option<(u64, Hash)>, StoreError>;
    /// Writes a block and everything it brings, atomically and durably.
    ///
    /// # Errors
    /// A storage fault; then nothing of the block is stored.
    fn commit_block(&mut self, commit: BlockCommit) -> Result<(), StoreError>;
}

fn event_key(contract: &Address, location: EventLocation) -> Vec<u8> {
    let mut key = Vec::with_capacity(36);
    key.extend_from_slice(&contract.0);
    key.extend_from_slice(&location_key(location.block, location.tx_index));
    key.extend_from_slice(&location.event_index.to_be_bytes());
    key
}

fn event_location(key: &[u8]) -> Option<EventLocation> {
    let block = key.get(20..28)?.try_into().ok()?;
    let tx_index = key.get(28..32)?.try_into().ok()?;
    let event_index = key.get(32..36)?.try_into().ok()?;
    Some(EventLocation {
        block: u64::from_be_bytes(block),
        tx_index: u32::from_be_bytes(tx_index),
        event_index: u32::from_be_bytes(event_index),
    })
}

/// The event-index entries of a block's receipts.
fn event_entries(receipts: &[Receipt]) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    for receipt in receipts {
        for (event_index, event) in receipt.events.iter().enumerate() {
            let location = EventLocation {
                block: receipt.block,
                tx_index: receipt.index,
                event_index: u32::try_from(event_index).unwrap_or(u32::MAX),
            };
            keys.push(event_key(&event.contract, location));
        }
    }
    keys
}

/// A transaction's entry (body or receipt) with its location key.
struct Located {
    location: Vec<u8>,
    value: Vec<u8>,
}

/// A transaction's place in the chain as a key that sorts in chain order.
fn location_key(block: u64, index: u32) -> [u8; 12] {
    let mut key = [0; 12];
    key[..8].copy_from_slice(&block.to_be_bytes());
    key[8..].copy_from_slice(&index.to_be_bytes());
    key
}

fn stored_transaction(location: &[u8], raw: Vec<u8>) -> Result<StoredTransaction, StoreError> {
    let corrupt = || StoreError::Corrupt("transaction location".into());
    let block = location.get(..8).ok_or_else(corrupt)?;
    let index = location.get(8..12).ok_or_else(corrupt)?;
    Ok(StoredTransaction {
        block: u64::from_be_bytes(block.try_into().map_err(|_| corrupt())?),
        index: u32::from_be_bytes(index.try_into().map_err(|_| corrupt())?),
        raw,
    })
}

fn hash_list(hashes: &[(Hash, Vec<u8>)]) -> Vec<u8> {
    hashes.iter().flat_map(|(hash, _)| hash.0).collect()
}

fn split_hashes(bytes: &[u8]) -> Vec<Hash> {
    bytes
        .chunks_exact(32)
        .filter_map(Hash::from_slice)
        .collect()
}

fn decode_header(bytes: &[u8]) -> Result<Header, StoreError> {
    Header::decode(bytes).map_err(|error| StoreError::Corrupt(format!("block header: {error}")))
}

fn decode_receipt(bytes: &[u8]) -> Result<Receipt, StoreError> {
    Receipt::decode(bytes).map_err(|error| StoreError::Corrupt(format!("receipt: {error}")))
}

/// A store in memory: tests, replay, a node without `--data`.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    config: Option<ChainConfig>,
    headers: BTreeMap<u64, Header>,
    block_txs: BTreeMap<u64, Vec<Hash>>,
    transactions: BTreeMap<Hash, StoredTransaction>,
    receipts: BTreeMap<Hash, Receipt>,
    /// By version and hash, as the durable store files them, so that tests on memory
    /// check the versions the chain asks for.
    nodes: BTreeMap<(Version, Hash), Vec<u8>>,
    code: BTreeMap<Hash, Vec<u8>>,
    artefacts: BTreeMap<Hash, Vec<u8>>,
    events: BTreeMap<Vec<u8>, ()>,
    /// By the number of the block that changed it.
    order_roots: BTreeMap<u64, Hash>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl NodeStore for MemoryStore {
    fn node(&self, hash: &Hash, version: Version) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.nodes.get(&(version, *hash)).cloned())
    }
}

impl Store for MemoryStore {
    fn config(&self) -> Result<Option<ChainConfig>, StoreError> {
        Ok(self.config)
    }

    fn head_number(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.headers.keys().next_back().copied())
    }

    fn header(&self, number: u64) -> Result<Option<Header>, StoreError> {
        Ok(self.headers.get(&number).cloned())
    }

    fn block_transactions(&self, number: u64) -> Result<Vec<Hash>, StoreError> {
        Ok(self.block_txs.get(&number).cloned().unwrap_or_default())
    }

    fn transaction(&self, hash: &Hash) -> Result<Option<StoredTransaction>, StoreError> {
        Ok(self.transactions.get(hash).cloned())
    }

    fn receipt(&self, tx_hash: &Hash) -> Result<Option<Receipt>, StoreError> {
        Ok(self.receipts.get(tx_hash).cloned())
    }

    fn code(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.code.get(hash).cloned())
    }

    fn artefact(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.artefacts.get(code_hash).cloned())
    }

    fn events(
        &self,
        contract: &Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<EventLocation>, StoreError> {
        let (start, end) = event_range(contract, from, to);
        Ok(self
            .events
            .range(start..=end)
            .filter_map(|(key, ())| event_location(key))
            .collect())
    }

    fn events_from(
        &self,
        contract: &Address,
        start: EventLocation,
        to: u64,
        limit: usize,
    ) -> Result<Vec<EventLocation>, StoreError> {
        if start.block > to {
            return Ok(Vec::new());
        }
        let (_, end) = event_range(contract, start.block, to);
        Ok(self
            .events
            .range(event_key(contract, start)..=end)
            .filter_map(|(key, ())| event_location(key))
            .take(limit)
            .collect())
    }

    fn commit_block(&mut self, commit: BlockCommit) -> Result<(), StoreError> {
        if let Some(config) = commit.config {
            self.config = Some(config);
        }
        let version = commit.header.as_ref().map_or(0, |header| header.number);
        self.nodes.extend(
            commit
                .nodes
                .into_iter()
                .map(|(hash, node)| ((version, hash), node)),
        );
        for key in event_entries(&commit.receipts) {
            self.events.insert(key, ());
        }
        if let Some(header) = commit.header {
            for (index, (hash, raw)) in commit.transactions.iter().enumerate() {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                self.transactions.insert(
                    *hash,
                    StoredTransaction {
                        block: header.number,
                        index,
                        raw: raw.clone(),
                    },
                );
            }
            self.block_txs.insert(
                header.number,
                commit.transactions.iter().map(|(hash, _)| *hash).collect(),
            );
            self.headers.insert(header.number, header);
        }
        for receipt in commit.receipts {
            self.receipts.insert(receipt.tx_hash, receipt);
        }
        self.code.extend(commit.code);
        self.artefacts.extend(commit.artefacts);
        if let Some(root) = commit.order_root {
            self.order_roots.insert(version, root);
        }
        Ok(())
    }

    fn order_root(&self, number: u64) -> Result<Option<(u64, Hash)>, StoreError> {
        Ok(self
            .order_roots
            .range(..=number)
            .next_back()
            .map(|(version, root)| (*version, *root)))
    }
}

fn event_range(contract: &Address, from: u64, to: u64) -> (Vec<u8>, Vec<u8>) {
    let start = EventLocation {
        block: from,
        tx_index: 0,
        event_index: 0,
    };
    let end = EventLocation {
        block: to,
        tx_index: u32::MAX,
        event_index: u32::MAX,
    };
    (event_key(contract, start), event_key(contract, end))
}

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const HEADERS: TableDefinition<u64, &[u8]> = TableDefinition::new("headers");
const BLOCK_TXS: TableDefinition<u64, &[u8]> = TableDefinition::new("block_transactions");
// Transactions and receipts are stored in chain order, keyed by their location (block
// number and index, big-endian), so that a block's thousand entries fill a few adjacent
// pages; only the small hash → location index takes random inserts, and it is written
// behind the blocks (`tx_index`). (Keyed by hash, each entry dirtied a page of its own:
// most of a block's commit time.)
const TX_LOCATIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tx_locations");
const TRANSACTIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tx_bodies");
const RECEIPTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tx_receipts");
// Trie nodes are keyed by version (the block that made them, big-endian) and then hash, so
// that a block's thousands of new nodes are appended together. Keyed by hash alone, each
// landed on a random page of an index growing with the chain, and a block's commit grew
// with it (39 ms at block 10, 259 ms at block 100, for blocks of 1,000 new accounts).
const NODES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("trie_nodes");
const CODE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("code");
const ARTEFACTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("artefacts");
const EVENTS: TableDefinition<&[u8], ()> = TableDefinition::new("events");
/// The root of the ordered index of iterated collections, by the number of each block
/// that changed it (a store written before the index existed has none: no collection was
/// iterated then).
const ORDER_ROOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("order_roots");

const META_CONFIG: &str = "config";
const META_HEAD: &str = "head";
const META_FORMAT: &str = "format";

/// The layout of the tables and what their entries mean; stored with the first commit and
/// checked on open. 3: receipts' positions carry their file, and gas prices changed (bytes
/// paid, host costs calibrated), so blocks of format 2 would not replay to their roots.
/// 4: trie nodes are filed by version and hash, with their children's versions.
const FORMAT: u64 = 4;

/// What one table of a [`RedbStore`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSize {
    pub name: &'static str,
    /// The bytes of its keys and values.
    pub stored_bytes: u64,
    /// The pages it occupies, leaves and branches (4 KiB each).
    pub pages: u64,
}

impl TableSize {
    fn of(name: &'static str, stats: &redb::TableStats) -> TableSize {
        TableSize {
            name,
            stored_bytes: stats.stored_bytes(),
            pages: stats.leaf_pages() + stats.branch_pages(),
        }
    }
}

/// The durable store: one redb database file. Clones share the database, so a node's
/// readers see every committed block (each read is its own redb read transaction, and a
/// block's entries appear together) while its block producer writes.
#[derive(Clone)]
pub struct RedbStore {
    // Dropped first: the last handle's drop writes the pending index entries and waits
    // for the indexer, which holds the database too.
    index: std::sync::Arc<tx_index::TxIndex>,
    db: std::sync::Arc<redb::Database>,
}

impl fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedbStore")
    }
}

fn backend(error: impl fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

impl RedbStore {
    /// Opens the database at `path`, creating it if needed.
    ///
    /// # Errors
    /// The file cannot be created, opened or locked, or is not a redb database.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let db = redb::Database::create(path).map_err(backend)?;
        let txn = db.begin_write().map_err(backend)?;
        // A file of another format is refused before anything is written to it.
        {
            let mut meta = txn.open_table(META).map_err(backend)?;
            let format = meta
                .get(META_FORMAT)
                .map_err(backend)?
                .map(|guard| guard.value().to_vec());
            let has_chain = meta.get(META_HEAD).map_err(backend)?.is_some();
            match format {
                Some(bytes) if bytes.as_slice() == FORMAT.to_be_bytes() => {}
                Some(bytes) => {
                    return Err(StoreError::Backend(format!(
                        "`{}` is in storage format {}, this build reads format {FORMAT}: \
                         start a new data directory, or keep using the build that wrote \
                         this one",
                        path.display(),
                        <[u8; 8]>::try_from(bytes.as_slice()).map_or(0, u64::from_be_bytes)
                    )));
                }
                None if has_chain => {
                    return Err(StoreError::Backend(format!(
                        "`{}` is in storage format 1, this build reads format {FORMAT}: \
                         start a new data directory, or keep using the build that wrote \
                         this one",
                        path.display()
                    )));
                }
                None => {
                    meta.insert(META_FORMAT, &FORMAT.to_be_bytes()[..])
                        .map_err(backend)?;
                }
            }
        }
        // Create every table once so that readers never meet a missing one.
        {
            txn.open_table(META).map_err(backend)?;
            txn.open_table(HEADERS).map_err(backend)?;
            txn.open_table(BLOCK_TXS).map_err(backend)?;
            txn.open_table(TX_LOCATIONS).map_err(backend)?;
            txn.open_table(TRANSACTIONS).map_err(backend)?;
            txn.open_table(RECEIPTS).map_err(backend)?;
            txn.open_table(NODES).map_err(backend)?;
            txn.open_table(CODE).map_err(backend)?;
            txn.open_table(ARTEFACTS).map_err(backend)?;
            txn.open_table(EVENTS).map_err(backend)?;
            txn.open_table(ORDER_ROOTS).map_err(backend)?;
        }
        txn.commit().map_err(backend)?;
        let db = std::sync::Arc::new(db);
        Ok(RedbStore {
            index: std::sync::Arc::new(tx_index::TxIndex::open(&db, BLOCK_TXS)?),
            db,
        })
    }

    /// How much each table of the chain holds, largest concerns first (trie nodes,
    /// transaction bodies, receipts, the hash index, events): for reports of how the store
    /// grows with the chain. Walks every page: not for a block's critical path.
    ///
    /// # Errors
    /// A storage fault.
    pub fn table_sizes(&self) -> Result<Vec<TableSize>, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let mut sizes = Vec::new();
        for (name, table) in [
            ("trie nodes", NODES),
            ("transactions", TRANSACTIONS),
            ("receipts", RECEIPTS),
            ("transaction index", TX_LOCATIONS),
        ] {
            let stats = txn
                .open_table(table)
                .map_err(backend)?
                .stats()
                .map_err(backend)?;
            sizes.push(TableSize::of(name, &stats));
        }
        let stats = txn
            .open_table(EVENTS)
            .map_err(backend)?
            .stats()
            .map_err(backend)?;
        sizes.push(TableSize::of("event index", &stats));
        Ok(sizes)
    }

    /// A transaction's entry in `table` (bodies or receipts), by its hash.
    fn by_tx_hash(
        &self,
        table: TableDefinition<&[u8], &[u8]>,
        hash: &Hash,
    ) -> Result<Option<Located>, StoreError> {
        // The pending entries first: once the indexer has removed one, it is in the table
        // for any read transaction begun after.
        let pending = self.index.pending(hash);
        let txn = self.db.begin_read().map_err(backend)?;
        let location = match pending {
            Some(location) => location.to_vec(),
            None => {
                let locations = txn.open_table(TX_LOCATIONS).map_err(backend)?;
                let Some(location) = locations.get(&hash.0[..]).map_err(backend)? else {
                    return Ok(None);
                };
                location.value().to_vec()
            }
        };
        let table = txn.open_table(table).map_err(backend)?;
        let value = table.get(location.as_slice()).map_err(backend)?;
        Ok(value.map(|guard| Located {
            location,
            value: guard.value().to_vec(),
        }))
    }

    fn read(
        &self,
        table: TableDefinition<&[u8], &[u8]>,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(table).map_err(backend)?;
        let value = table.get(key).map_err(backend)?;
        Ok(value.map(|guard| guard.value().to_vec()))
    }

    fn read_block(
        &self,
        table: TableDefinition<u64, &[u8]>,
        number: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(table).map_err(backend)?;
        let value = table.get(number).map_err(backend)?;
        Ok(value.map(|guard| guard.value().to_vec()))
    }

    fn read_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(META).map_err(backend)?;
        let value = table.get(key).map_err(backend)?;
        Ok(value.map(|guard| guard.value().to_vec()))
    }
}

/// A trie node's key: its version, then its hash.
fn node_key(hash: &Hash, version: Version) -> [u8; 40] {
    let mut key = [0; 40];
    key[..8].copy_from_slice(&version.to_be_bytes());
    key[8..].copy_from_slice(&hash.0);
    key
}

impl NodeStore for RedbStore {
    fn node(&self, hash: &Hash, version: Version) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(NODES, &node_key(hash, version))
    }
}

impl Store for RedbStore {
    fn config(&self) -> Result<Option<ChainConfig>, StoreError> {
        self.read_meta(META_CONFIG)?
            .map(|bytes| ChainConfig::decode(&bytes))
            .transpose()
    }

    fn head_number(&self) -> Result<Option<u64>, StoreError> {
        match self.read_meta(META_HEAD)? {
            None => Ok(None),
            Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
                .map(|bytes| Some(u64::from_be_bytes(bytes)))
                .map_err(|_| StoreError::Corrupt("head entry".into())),
        }
    }

    fn header(&self, number: u64) -> Result<Option<Header>, StoreError> {
        self.read_block(HEADERS, number)?
            .map(|bytes| decode_header(&bytes))
            .transpose()
    }

    fn block_transactions(&self, number: u64) -> Result<Vec<Hash>, StoreError> {
        Ok(self
            .read_block(BLOCK_TXS, number)?
            .map(|bytes| split_hashes(&bytes))
            .unwrap_or_default())
    }

    fn transaction(&self, hash: &Hash) -> Result<Option<StoredTransaction>, StoreError> {
        self.by_tx_hash(TRANSACTIONS, hash)?
            .map(|entry| stored_transaction(&entry.location, entry.value))
            .transpose()
    }

    fn receipt(&self, tx_hash: &Hash) -> Result<Option<Receipt>, StoreError> {
        self.by_tx_hash(RECEIPTS, tx_hash)?
            .map(|entry| decode_receipt(&entry.value))
            .transpose()
    }

    fn code(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(CODE, &hash.0[..])
    }

    fn artefact(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(ARTEFACTS, &code_hash.0[..])
    }

    fn events(
        &self,
        contract: &Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<EventLocation>, StoreError> {
        let (start, end) = event_range(contract, from, to);
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(EVENTS).map_err(backend)?;
        let mut locations = Vec::new();
        for entry in table
            .range(start.as_slice()..=end.as_slice())
            .map_err(backend)?
        {
            let (key, _) = entry.map_err(backend)?;
            if let Some(location) = event_location(key.value()) {
                locations.push(location);
            }
        }
        Ok(locations)
    }

    fn events_from(
        &self,
        contract: &Address,
        start: EventLocation,
        to: u64,
        limit: usize,
    ) -> Result<Vec<EventLocation>, StoreError> {
        if start.block > to {
            return Ok(Vec::new());
        }
        let (_, end) = event_range(contract, start.block, to);
        let start = event_key(contract, start);
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(EVENTS).map_err(backend)?;
        let mut locations = Vec::new();
        for entry in table
            .range(start.as_slice()..=end.as_slice())
            .map_err(backend)?
            .take(limit)
        {
            let (key, _) = entry.map_err(backend)?;
            if let Some(location) = event_location(key.value()) {
                locations.push(location);
            }
        }
        Ok(locations)
    }

    fn order_root(&self, number: u64) -> Result<Option<(u64, Hash)>, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let table = txn.open_table(ORDER_ROOTS).map_err(backend)?;
        let Some(entry) = table.range(..=number).map_err(backend)?.next_back() else {
            return Ok(None);
        };
        let (version, root) = entry.map_err(backend)?;
        let root = Hash::from_slice(root.value())
            .ok_or_else(|| StoreError::Corrupt("an ordered-index root is not 32 bytes".into()))?;
        Ok(Some((version.value(), root)))
    }

    fn receipt_at(&self, block: u64, index: u32) -> Result<Option<Receipt>, StoreError> {
        self.read(RECEIPTS, &location_key(block, index))?
            .map(|bytes| decode_receipt(&bytes))
            .transpose()
    }

    fn commit_block(&mut self, commit: BlockCommit) -> Result<(), StoreError> {
        // A failure of the indexer is reported before anything of the block is written.
        self.index.check()?;
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut meta = txn.open_table(META).map_err(backend)?;
            if let Some(config) = commit.config {
                meta.insert(META_CONFIG, config.encode().as_slice())
                    .map_err(backend)?;
            }
            if let Some(header) = &commit.header {
                let mut headers = txn.open_table(HEADERS).map_err(backend)?;
                headers
                    .insert(header.number, header.encode().as_slice())
                    .map_err(backend)?;
                let mut block_txs = txn.open_table(BLOCK_TXS).map_err(backend)?;
                block_txs
                    .insert(header.number, hash_list(&commit.transactions).as_slice())
                    .map_err(backend)?;
                let mut transactions = txn.open_table(TRANSACTIONS).map_err(backend)?;
                for (index, (_, raw)) in commit.transactions.iter().enumerate() {
                    let index = u32::try_from(index).unwrap_or(u32::MAX);
                    let location = location_key(header.number, index);
                    transactions
                        .insert(&location[..], raw.as_slice())
                        .map_err(backend)?;
                }
                meta.insert(META_HEAD, &header.number.to_be_bytes()[..])
                    .map_err(backend)?;
            }
            let mut receipts = txn.open_table(RECEIPTS).map_err(backend)?;
            for receipt in &commit.receipts {
                let location = location_key(receipt.block, receipt.index);
                receipts
                    .insert(&location[..], receipt.encode().as_slice())
                    .map_err(backend)?;
            }
            let mut events = txn.open_table(EVENTS).map_err(backend)?;
            for key in event_entries(&commit.receipts) {
                events.insert(key.as_slice(), ()).map_err(backend)?;
            }
            let mut nodes = txn.open_table(NODES).map_err(backend)?;
            let version = commit.header.as_ref().map_or(0, |header| header.number);
            let mut sorted: Vec<&(Hash, Vec<u8>)> = commit.nodes.iter().collect();
            sorted.sort_unstable_by_key(|(hash, _)| *hash);
            for (hash, node) in sorted {
                nodes
                    .insert(&node_key(hash, version)[..], node.as_slice())
                    .map_err(backend)?;
            }
            let mut code = txn.open_table(CODE).map_err(backend)?;
            for (hash, module) in &commit.code {
                code.insert(&hash.0[..], module.as_slice())
                    .map_err(backend)?;
            }
            let mut artefacts = txn.open_table(ARTEFACTS).map_err(backend)?;
            for (hash, artefact) in &commit.artefacts {
                artefacts
                    .insert(&hash.0[..], artefact.as_slice())
                    .map_err(backend)?;
            }
            if let Some(root) = commit.order_root {
                let mut order_roots = txn.open_table(ORDER_ROOTS).map_err(backend)?;
                order_roots.insert(version, &root.0[..]).map_err(backend)?;
            }
        }
        // The block's index entries wait in memory, where lookups find them, from before
        // the block is visible; the indexer writes them once it is committed.
        let number = commit.header.as_ref().map(|header| header.number);
        if let Some(number) = number {
            self.index.add(
                commit
                    .transactions
                    .iter()
                    .enumerate()
                    .map(|(index, (hash, _))| {
                        (
                            *hash,
                            location_key(number, u32::try_from(index).unwrap_or(u32::MAX)),
                        )
                    }),
            );
        }
        match txn.commit() {
            Ok(()) => {
                self.index.wake();
                Ok(())
            }
            Err(error) => {
                self.index
                    .withdraw(commit.transactions.iter().map(|(hash, _)| hash));
                Err(backend(error))
            }
        }
    }
}
