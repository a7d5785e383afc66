//! The transaction index — from a transaction's hash to its place in the chain — written
//! behind the blocks.
//!
//! A block's commit appends its transactions and receipts in chain order. The index takes
//! one insert per transaction at a random place, and once it spans more pages than a block
//! has transactions, a block of a thousand dirties a thousand pages: the one part of a
//! commit that grew with the chain after trie nodes were filed by block. So an indexer
//! thread writes it in its own write transactions, beside the next block's execution (geth
//! indexes transactions in the background too). Until then a block's entries wait in
//! memory, where lookups find them.
//!
//! The index records the last block it covers, in the same write transaction as its
//! entries, and on open the blocks after the recorded one are indexed again from their
//! stored hash lists: a crash between a block's commit and its index's loses nothing.

use super::{META, META_HEAD, StoreError, TX_LOCATIONS, backend, location_key};
use assent_stdlib::primitives::Hash;
use redb::{ReadableTable, TableDefinition};
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// The meta entry holding the last block the index covers (8 bytes, big-endian).
pub(super) const META_INDEXED: &str = "indexed";

/// A transaction's location key: block number and index, big-endian.
type Location = [u8; 12];

/// Entries of committed blocks not yet in the index table, and the indexer's last failure.
#[derive(Default)]
struct Pending {
    entries: BTreeMap<Hash, Location>,
    failure: Option<String>,
}

/// The index's pending entries and the indexer thread that writes them. Dropping it (with
/// the last handle of the store) writes what is pending and waits for the thread, so that
/// the database is closed when the store is gone.
pub(super) struct TxIndex {
    pending: Arc<Mutex<Pending>>,
    worker: Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

fn lock(pending: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    // A poisoned lock means the indexer panicked mid-update; the map itself stays usable
    // (entries are only ever added or removed whole), and the table is re-derived on open.
    pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn block_of(location: &Location) -> u64 {
    let mut block = [0; 8];
    block.copy_from_slice(location.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(block)
}

fn read_u64(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<u64, StoreError> {
    match meta.get(key).map_err(backend)? {
        None => Ok(0),
        Some(bytes) => <[u8; 8]>::try_from(bytes.value())
            .map(u64::from_be_bytes)
            .map_err(|_| StoreError::Corrupt(format!("meta entry `{key}`"))),
    }
}

impl TxIndex {
    /// Opens the index of `db`: the blocks committed after the last indexed one are read
    /// back from their hash lists and wait for the indexer, which starts at once.
    pub(super) fn open(
        db: &Arc<redb::Database>,
        block_transactions: TableDefinition<u64, &[u8]>,
    ) -> Result<TxIndex, StoreError> {
        let mut pending = Pending::default();
        {
            let txn = redb::ReadableDatabase::begin_read(&**db).map_err(backend)?;
            let meta = txn.open_table(META).map_err(backend)?;
            let indexed = read_u64(&meta, META_INDEXED)?;
            let head = read_u64(&meta, META_HEAD)?;
            let lists = txn.open_table(block_transactions).map_err(backend)?;
            for block in indexed.saturating_add(1)..=head {
                let Some(list) = lists.get(block).map_err(backend)? else {
                    continue;
                };
                let hashes = list.value().chunks_exact(32).filter_map(Hash::from_slice);
                for (index, hash) in hashes.enumerate() {
                    let index = u32::try_from(index).unwrap_or(u32::MAX);
                    pending.entries.insert(hash, location_key(block, index));
                }
            }
        }
        let pending = Arc::new(Mutex::new(pending));
        let (wake, woken) = channel();
        let worker = {
            let db = Arc::clone(db);
            let pending = Arc::clone(&pending);
            std::thread::Builder::new()
                .name("assent-tx-index".into())
                .spawn(move || run(&db, &pending, &woken))
                .map_err(backend)?
        };
        // Whatever the last run left behind is written first.
        let _ = wake.send(());
        Ok(TxIndex {
            pending,
            worker: Mutex::new(Some((wake, worker))),
        })
    }

    /// The location of a transaction the index table does not have yet.
    pub(super) fn pending(&self, hash: &Hash) -> Option<Location> {
        lock(&self.pending).entries.get(hash).copied()
    }

    /// Adds a block's entries. Called while the block's write transaction is open (so the
    /// indexer cannot write until it is over); the indexer writes only entries of blocks
    /// at or below the committed head, so a block whose commit fails is never indexed, and
    /// [`TxIndex::withdraw`] then removes its entries.
    pub(super) fn add(&self, entries: impl IntoIterator<Item = (Hash, Location)>) {
        lock(&self.pending).entries.extend(entries);
    }

    /// Removes the entries of a block whose commit failed.
    pub(super) fn withdraw<'a>(&self, hashes: impl IntoIterator<Item = &'a Hash>) {
        let mut pending = lock(&self.pending);
        for hash in hashes {
            pending.entries.remove(hash);
        }
    }

    /// The indexer's last failure, if any (its entries stay pending and are written on the
    /// next wake-up).
    pub(super) fn check(&self) -> Result<(), StoreError> {
        match lock(&self.pending).failure.take() {
            Some(failure) => Err(StoreError::Backend(format!(
                "writing the transaction index failed: {failure}"
            ))),
            None => Ok(()),
        }
    }

    /// Asks the indexer to write what is pending.
    pub(super) fn wake(&self) {
        if let Some((wake, _)) = self
            .worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            let _ = wake.send(());
        }
    }
}

impl Drop for TxIndex {
    fn drop(&mut self) {
        let worker = self
            .worker
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some((wake, handle)) = worker {
            // Closing the channel makes the indexer write what is left and stop.
            drop(wake);
            let _ = handle.join();
        }
    }
}

/// The indexer: on every wake-up (several at once count as one), and once more when the
/// channel closes, writes the pending entries of committed blocks.
fn run(db: &redb::Database, pending: &Mutex<Pending>, woken: &Receiver<()>) {
    loop {
        let open = woken.recv().is_ok();
        while woken.try_recv().is_ok() {}
        if let Err(error) = write_pending(db, pending) {
            lock(pending).failure = Some(error.to_string());
        }
        if !open {
            return;
        }
    }
}

fn write_pending(db: &redb::Database, pending: &Mutex<Pending>) -> Result<(), StoreError> {
    if lock(pending).entries.is_empty() {
        return Ok(());
    }
    // The write transaction first: no block commit is under way once it is open, and the
    // head it reads is committed.
    let txn = db.begin_write().map_err(backend)?;
    let written: Vec<(Hash, Location)> = {
        let mut meta = txn.open_table(META).map_err(backend)?;
        let head = read_u64(&meta, META_HEAD)?;
        let batch: Vec<(Hash, Location)> = lock(pending)
            .entries
            .iter()
            .filter(|(_, location)| block_of(location) <= head)
            .map(|(hash, location)| (*hash, *location))
            .collect();
        let mut locations = txn.open_table(TX_LOCATIONS).map_err(backend)?;
        // In hash order, as the map holds them: each page is visited once.
        for (hash, location) in &batch {
            locations
                .insert(&hash.0[..], &location[..])
                .map_err(backend)?;
        }
        if read_u64(&meta, META_INDEXED)? < head {
            meta.insert(META_INDEXED, &head.to_be_bytes()[..])
                .map_err(backend)?;
        }
        batch
    };
    txn.commit().map_err(backend)?;
    let mut pending = lock(pending);
    for (hash, location) in written {
        if pending.entries.get(&hash) == Some(&location) {
            pending.entries.remove(&hash);
        }
    }
    Ok(())
}
