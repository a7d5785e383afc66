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

/// A transaction waiting for a block.
#[derive(Clone, Debug)]
pub struct Pending {
    pub raw: Vec<u8>,
    pub sender: Address,
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
        *self.per_sender.entry(pending.sender).or_insert(0) += 1;
        self.queue.push_back(pending);
    }

    /// The raw bytes of the first `max` transactions, oldest first (the next block).
    pub fn next_block(&self, max: usize) -> Vec<Vec<u8>> {
        self.queue
            .iter()
            .take(max)
            .map(|pending| pending.raw.clone())
            .collect()
    }

    /// Drops the first `count` transactions (now in block `head`, or refused by it) and
    /// moves the head.
    pub fn committed(&mut self, count: usize, head: u64) {
        for pending in self.queue.drain(..count.min(self.queue.len())) {
            if let Some(left) = self.per_sender.get_mut(&pending.sender) {
                *left = left.saturating_sub(1);
                if *left == 0 {
                    self.per_sender.remove(&pending.sender);
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

    fn pending(sender: u8, hash: u8) -> Pending {
        Pending {
            raw: vec![hash],
            sender: Address([sender; 20]),
        }
    }

    #[test]
    fn counts_follow_pushes_and_commits() {
        let mut pool = Mempool::new(3);
        pool.push(pending(1, 10));
        pool.push(pending(2, 11));
        pool.push(pending(1, 12));
        assert_eq!(pool.pending(&Address([1; 20])), 2);
        assert_eq!(pool.next_block(2), vec![vec![10], vec![11]]);
        pool.committed(2, 4);
        assert_eq!(pool.pending(&Address([1; 20])), 1);
        assert_eq!(pool.pending(&Address([2; 20])), 0);
        assert_eq!(pool.head(), 4);
        assert_eq!(pool.next_block(9), vec![vec![12]]);
        pool.committed(9, 5);
        assert!(pool.is_empty());
    }
}
