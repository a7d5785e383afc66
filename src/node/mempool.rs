//! The mempool: transactions accepted by `assent_sendRawTransaction` and not yet in a block.
//!
//! Only the block producer changes it: it admits a transaction when its nonce is exactly
//! the sender's next one counting the sender's pending transactions (LEDGER.md §2: a nonce
//! ahead is rejected, not queued), so arrival order is also each sender's nonce order and a
//! queue is enough. RPC readers look at it (`assent_getTransactionCount`) under the same
//! lock that the producer holds while it swaps a committed block's transactions out and
//! moves the head, so a reader always sees a head and the pending set that go together.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use assent_vm::ledger::Address;
use assent_vm::ledger::tx::VerifiedTransaction;

/// A transaction waiting for a block, its signature recovered on admission (so the block
/// does not recover it again).
#[derive(Clone, Debug)]
pub struct Pending {
    pub tx: VerifiedTransaction,
}

/// The pending transactions and the head block they wait on.
#[derive(Debug, Default)]
pub struct Mempool {
    queue: VecDeque<Pending>,
    per_sender: BTreeMap<Address, u64>,
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
        self.per_sender.get(sender).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn push(&mut self, pending: Pending) {
        *self.per_sender.entry(pending.tx.sender).or_insert(0) += 1;
        self.queue.push_back(pending);
    }

    /// The first `max` transactions, oldest first (the next block).
    pub fn next_block(&self, max: usize) -> Vec<VerifiedTransaction> {
        self.queue
            .iter()
            .take(max)
            .map(|pending| pending.tx.clone())
            .collect()
    }

    /// Drops the first `count` transactions (now in block `head`, or refused by it) and
    /// moves the head.
    pub fn committed(&mut self, count: usize, head: u64) {
        for pending in self.queue.drain(..count.min(self.queue.len())) {
            let sender = pending.tx.sender;
            if let Some(left) = self.per_sender.get_mut(&sender) {
                *left = left.saturating_sub(1);
                if *left == 0 {
                    self.per_sender.remove(&sender);
                }
            }
        }
        self.head = head;
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
    use assent_vm::ledger::keys::dev_key;
    use assent_vm::ledger::tx::Transaction;

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
        assert_eq!(nonces(&pool.next_block(2)), [(alice, 0), (bob, 0)]);
        pool.committed(2, 4);
        assert_eq!(pool.pending(&alice), 1);
        assert_eq!(pool.pending(&bob), 0);
        assert_eq!(pool.head(), 4);
        assert_eq!(nonces(&pool.next_block(9)), [(alice, 1)]);
        pool.committed(9, 5);
        assert!(pool.is_empty());
    }
}
