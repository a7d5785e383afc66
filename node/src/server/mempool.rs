//! The mempool: transactions accepted by `assent_sendRawTransaction` and not yet in a block.
//!
//! Only the block producer changes it: it admits a transaction when its nonce is exactly
//! the sender's next one counting the sender's pending transactions (LEDGER.md §2: a nonce
//! ahead is rejected, not queued), so arrival order is also each sender's nonce order and a
//! queue is enough. RPC readers look at it (`assent_getTransactionCount`) under the same
//! lock that the producer holds while it swaps a committed block's transactions out and
//! moves the head, so a reader always sees a head and the pending set that go together.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use assent_ledger::tx::VerifiedTransaction;
use assent_ledger::{Address, Hash};

/// The most transactions the mempool holds; past it a submission is refused with 1011
/// (the node is at capacity) until blocks drain it. Ten full blocks.
pub const MAX_POOL_TRANSACTIONS: usize = 50_000;
/// The most bytes of signed transactions the mempool holds (1011 past it).
pub const MAX_POOL_BYTES: usize = 128 << 20;
/// The most transactions of one sender the mempool holds (1011 past it), so that one
/// account cannot fill the pool for everyone: one full block's worth.
pub const MAX_SENDER_TRANSACTIONS: usize = 5_000;
/// The most bytes of one sender's transactions the mempool holds (1011 past it).
pub const MAX_SENDER_BYTES: usize = 16 << 20;

/// Why the mempool cannot take a transaction now (RPC error 1011: retry later).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Full {
    Transactions,
    Bytes,
    SenderTransactions,
    SenderBytes,
}

impl fmt::Display for Full {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Full::Transactions => write!(
                f,
                "the node is at capacity: {MAX_POOL_TRANSACTIONS} transactions wait for a block; retry later"
            ),
            Full::Bytes => write!(
                f,
                "the node is at capacity: {MAX_POOL_BYTES} bytes of transactions wait for a block; retry later"
            ),
            Full::SenderTransactions => write!(
                f,
                "the node is at capacity for this sender: {MAX_SENDER_TRANSACTIONS} of its transactions wait for a block; retry later"
            ),
            Full::SenderBytes => write!(
                f,
                "the node is at capacity for this sender: {MAX_SENDER_BYTES} bytes of its transactions wait for a block; retry later"
            ),
        }
    }
}

/// One sender's share of the mempool.
#[derive(Clone, Copy, Debug, Default)]
struct Share {
    transactions: u64,
    bytes: usize,
}

/// A transaction waiting for a block, its signature recovered on admission (so the block
/// does not recover it again).
#[derive(Clone, Debug)]
pub struct Pending {
    pub tx: VerifiedTransaction,
}

/// Takes a transaction that left the queue off the overall (`bytes`) and per-sender counts.
fn release(bytes: &mut usize, per_sender: &mut BTreeMap<Address, Share>, pending: &Pending) {
    let sender = pending.tx.sender;
    let size = pending.tx.signed.encoded().len();
    *bytes = bytes.saturating_sub(size);
    if let Some(share) = per_sender.get_mut(&sender) {
        share.transactions = share.transactions.saturating_sub(1);
        share.bytes = share.bytes.saturating_sub(size);
        if share.transactions == 0 {
            per_sender.remove(&sender);
        }
    }
}

/// The pending transactions and the head block they wait on.
#[derive(Debug, Default)]
pub struct Mempool {
    queue: VecDeque<Pending>,
    per_sender: BTreeMap<Address, Share>,
    /// Bytes of all the signed transactions in `queue`.
    bytes: usize,
    head: u64,
}

impl Mempool {
    pub fn new(head: u64) -> Mempool {
        Mempool {
            head,
            ..Mempool::default()
        }
    }

    /// The number of the last committed block.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// How many of `sender`'s transactions wait.
    pub fn pending(&self, sender: &Address) -> u64 {
        self.per_sender
            .get(sender)
            .map_or(0, |share| share.transactions)
    }

    /// Whether the transaction with this hash waits (a scan of the queue).
    pub fn contains(&self, hash: &Hash) -> bool {
        self.queue
            .iter()
            .any(|pending| pending.tx.signed.hash() == *hash)
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The waiting transactions with these hashes, in the order asked (`None` for one not
    /// waiting here): a proposal's transactions this node admitted already, whose
    /// signatures it need not recover again.
    pub fn find_all(&self, hashes: &[Hash]) -> Vec<Option<VerifiedTransaction>> {
        let wanted: BTreeMap<Hash, usize> = hashes
            .iter()
            .enumerate()
            .map(|(position, hash)| (*hash, position))
            .collect();
        let mut found = vec![None; hashes.len()];
        for pending in &self.queue {
            if let Some(slot) = wanted
                .get(&pending.tx.signed.hash())
                .and_then(|&position| found.get_mut(position))
            {
                *slot = Some(pending.tx.clone());
            }
        }
        found
    }

    /// Whether `tx` fits within the caps (count and bytes, overall and per sender).
    ///
    /// # Errors
    /// The cap it would break.
    pub fn room_for(&self, tx: &VerifiedTransaction) -> Result<(), Full> {
        let size = tx.signed.encoded().len();
        let share = self.per_sender.get(&tx.sender).copied().unwrap_or_default();
        if self.queue.len() >= MAX_POOL_TRANSACTIONS {
            Err(Full::Transactions)
        } else if self.bytes.saturating_add(size) > MAX_POOL_BYTES {
            Err(Full::Bytes)
        } else if share.transactions >= MAX_SENDER_TRANSACTIONS as u64 {
            Err(Full::SenderTransactions)
        } else if share.bytes.saturating_add(size) > MAX_SENDER_BYTES {
            Err(Full::SenderBytes)
        } else {
            Ok(())
        }
    }

    /// Adds an admitted transaction (the caller checked [`Mempool::room_for`]).
    pub fn push(&mut self, pending: Pending) {
        let size = pending.tx.signed.encoded().len();
        let share = self.per_sender.entry(pending.tx.sender).or_default();
        share.transactions += 1;
        share.bytes = share.bytes.saturating_add(size);
        self.bytes = self.bytes.saturating_add(size);
        self.queue.push_back(pending);
    }

    /// The next block: the oldest transactions, at most `max` of them and as many as
    /// fit in `gas_limit` together (the sum of their gas limits, LEDGER.md §5). It stops at
    /// the first that does not fit, so each sender's transactions stay in nonce order;
    /// the first always fits, its limit being at most the block's.
    pub fn next_block(&self, max: usize, gas_limit: u64) -> Vec<VerifiedTransaction> {
        let mut left = gas_limit;
        self.queue
            .iter()
            .take(max)
            .take_while(|pending| {
                let wanted = pending.tx.signed.tx().gas_limit;
                let fits = wanted <= left;
                left = left.saturating_sub(wanted);
                fits
            })
            .map(|pending| pending.tx.clone())
            .collect()
    }

    /// Drops the first `count` transactions (now in block `head`, or refused by it) and
    /// moves the head.
    pub fn committed(&mut self, count: usize, head: u64) {
        let Mempool {
            queue,
            per_sender,
            bytes,
            ..
        } = self;
        for pending in queue.drain(..count.min(queue.len())) {
            release(bytes, per_sender, &pending);
        }
        self.head = head;
    }

    /// Drops the transactions in `included` (a block another validator proposed) and
    /// moves the head.
    pub fn remove(&mut self, included: &BTreeSet<Hash>, head: u64) {
        if !included.is_empty() {
            let Mempool {
                queue,
                per_sender,
                bytes,
                ..
            } = self;
            queue.retain(|pending| {
                let keep = !included.contains(&pending.tx.signed.hash());
                if !keep {
                    release(bytes, per_sender, pending);
                }
                keep
            });
        }
        self.head = head;
    }

    /// Drops each waiting transaction of a sender in `next` whose nonce is below that
    /// sender's next nonce on the chain (a block used the nonce).
    pub fn drop_stale(&mut self, next: &BTreeMap<Address, u64>) {
        if next.is_empty() {
            return;
        }
        let Mempool {
            queue,
            per_sender,
            bytes,
            ..
        } = self;
        queue.retain(|pending| {
            let stale = next
                .get(&pending.tx.sender)
                .is_some_and(|next| pending.tx.signed.tx().nonce < *next);
            if stale {
                release(bytes, per_sender, pending);
            }
            !stale
        });
    }

    /// Drops the transaction at `position` of the queue (one the block producer could not
    /// commit, even alone: LEDGER.md §2, no transaction halts the chain). The sender's
    /// later transactions stay; they will be refused for their nonce and dropped in turn.
    pub fn evict(&mut self, position: usize) {
        if let Some(pending) = self.queue.remove(position) {
            release(&mut self.bytes, &mut self.per_sender, &pending);
        }
    }
}

/// The mempool behind its lock.
#[derive(Debug, Default)]
pub struct SharedMempool(Mutex<Mempool>);

impl SharedMempool {
    pub fn new(head: u64) -> SharedMempool {
        SharedMempool(Mutex::new(Mempool::new(head)))
    }

    /// Locks it; a poisoned lock (a panic elsewhere while holding it) still gives the data,
    /// which every method above leaves consistent.
    pub fn lock(&self) -> MutexGuard<'_, Mempool> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_ledger::keys::dev_key;
    use assent_ledger::tx::Transaction;

    /// Account `sender`'s transaction with this nonce.
    fn pending(sender: &str, nonce: u64) -> Pending {
        let tx = Transaction {
            chain_id: 1,
            nonce,
            gas_limit: 100_000,
            to: Some(Address([7; 20])),
            method: "m".into(),
            args: String::new(),
            code: Vec::new(),
        };
        let signed = tx.sign(&dev_key(sender).unwrap()).unwrap();
        Pending {
            tx: signed.recover().unwrap(),
        }
    }

    fn nonces(block: &[VerifiedTransaction]) -> Vec<(Address, u64)> {
        block
            .iter()
            .map(|tx| (tx.sender, tx.signed.tx().nonce))
            .collect()
    }

    #[test]
    fn counts_follow_pushes_and_commits() {
        let (a, b) = (pending("a", 0), pending("b", 0));
        let (alice, bob) = (a.tx.sender, b.tx.sender);
        let mut pool = Mempool::new(3);
        pool.push(a);
        pool.push(b);
        pool.push(pending("a", 1));
        assert_eq!(pool.pending(&alice), 2);
        assert_eq!(
            nonces(&pool.next_block(2, u64::MAX)),
            [(alice, 0), (bob, 0)]
        );
        pool.committed(2, 4);
        assert_eq!(pool.pending(&alice), 1);
        assert_eq!(pool.pending(&bob), 0);
        assert_eq!(pool.head(), 4);
        assert_eq!(nonces(&pool.next_block(9, u64::MAX)), [(alice, 1)]);
        pool.committed(9, 5);
        assert!(pool.is_empty());
    }

    #[test]
    fn one_sender_cannot_fill_the_pool() {
        let mut pool = Mempool::new(0);
        let alice = pending("a", 0);
        for _ in 0..MAX_SENDER_TRANSACTIONS {
            assert_eq!(pool.room_for(&alice.tx), Ok(()));
            pool.push(alice.clone());
        }
        assert_eq!(pool.room_for(&alice.tx), Err(Full::SenderTransactions));
        assert!(Full::SenderTransactions.to_string().contains("retry later"));
        assert_eq!(pool.room_for(&pending("b", 0).tx), Ok(()));
        pool.evict(0);
        assert_eq!(pool.room_for(&alice.tx), Ok(()));
        pool.committed(usize::MAX, 1);
        assert_eq!(pool.bytes, 0);
    }

    #[test]
    fn waiting_transactions_are_found_by_hash_in_the_order_asked() {
        let mut pool = Mempool::new(0);
        let (a, b, c) = (pending("a", 0), pending("b", 0), pending("c", 0));
        pool.push(a.clone());
        pool.push(b.clone());
        let hash = |pending: &Pending| pending.tx.signed.hash();
        let found = pool.find_all(&[hash(&b), hash(&c), hash(&a)]);
        let senders: Vec<Option<Address>> = found
            .iter()
            .map(|tx| tx.as_ref().map(|tx| tx.sender))
            .collect();
        assert_eq!(senders, [Some(b.tx.sender), None, Some(a.tx.sender)]);
        assert_eq!(
            found[0].as_ref().unwrap().signed.encoded(),
            b.tx.signed.encoded()
        );
        pool.committed(1, 1);
        assert!(pool.find_all(&[hash(&a)])[0].is_none());
        assert!(pool.find_all(&[]).is_empty());
    }

    #[test]
    fn a_block_takes_what_fits_in_its_gas_limit() {
        let mut pool = Mempool::new(0);
        pool.push(pending("a", 0));
        pool.push(pending("b", 0));
        pool.push(pending("c", 0));
        // Each asks for 100,000 gas.
        assert_eq!(pool.next_block(9, 250_000).len(), 2);
        assert_eq!(pool.next_block(9, 300_000).len(), 3);
        assert_eq!(pool.next_block(9, 99_999).len(), 0);
    }
}
