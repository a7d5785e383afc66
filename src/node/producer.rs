//! The block producer: the one thread that owns the [`Chain`] and writes to the store.
//!
//! It admits transactions (the stateful checks of LEDGER.md §2, against the head plus the
//! mempool) as they arrive over its command channel, and commits a block of the waiting
//! transactions every `block_time`, or at once after each admitted transaction when
//! `block_time` is zero. RPC handlers never hold the chain: they read committed blocks
//! from the store on their own threads, so neither a slow client nor a long view delays a
//! block. On [`Command::Stop`] it commits what is waiting and returns.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use assent_vm::ledger::tx::{TxError, VerifiedTransaction};
use assent_vm::ledger::{Chain, Hash, RedbStore, VmExecutor};

use super::mempool::{Pending, SharedMempool};

/// The most transactions one block takes; the rest wait for the next.
pub const MAX_BLOCK_TRANSACTIONS: usize = 5_000;

/// Why a submitted transaction was not admitted.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// A rule of LEDGER.md §2 (codes 1001–1010).
    Rule(TxError),
    /// The node could not check it (a storage fault).
    Fault(String),
}

/// What the producer is asked to do.
pub enum Command {
    /// Admit a transaction whose bytes and signature are verified; the answer goes back
    /// on `reply`.
    Submit {
        tx: Box<VerifiedTransaction>,
        reply: Sender<Result<Hash, Refusal>>,
    },
    /// Commit what waits and stop.
    Stop,
}

/// The producer's configuration.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    /// Zero: one block per admitted transaction, at once.
    pub block_time: Duration,
    /// Log each block to standard error.
    pub verbose: bool,
}

/// Starts the producer thread.
///
/// # Errors
/// The thread cannot be started.
pub fn spawn(
    chain: Chain<RedbStore>,
    executor: VmExecutor,
    mempool: Arc<SharedMempool>,
    schedule: Schedule,
) -> std::io::Result<(Sender<Command>, std::thread::JoinHandle<()>)> {
    let (commands, received) = channel();
    let handle = std::thread::Builder::new()
        .name("assent-producer".into())
        // Enough for the VM to run on this thread, reading the state directly.
        .stack_size(VmExecutor::THREAD_STACK)
        .spawn(move || {
            Producer {
                chain,
                executor,
                mempool,
                schedule,
            }
            .run(&received);
        })?;
    Ok((commands, handle))
}

struct Producer {
    chain: Chain<RedbStore>,
    executor: VmExecutor,
    mempool: Arc<SharedMempool>,
    schedule: Schedule,
}

impl Producer {
    fn run(mut self, commands: &Receiver<Command>) {
        let interval = self.schedule.block_time;
        let mut deadline = Instant::now() + interval;
        loop {
            let command = if interval.is_zero() {
                commands.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                commands.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            };
            match command {
                Ok(Command::Submit { tx, reply }) => {
                    let verdict = self.admit(*tx);
                    let admitted = verdict.is_ok();
                    // The client may have gone; its transaction stays admitted all the same.
                    let _ = reply.send(verdict);
                    if admitted && interval.is_zero() {
                        self.produce();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.produce();
                    deadline += interval;
                    // After a long block (or a suspended process) start a fresh interval
                    // rather than producing a burst of blocks to catch up.
                    let now = Instant::now();
                    if deadline <= now {
                        deadline = now + interval;
                    }
                }
                Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        while !self.mempool.lock().is_empty() {
            if !self.produce() {
                break;
            }
        }
    }

    /// The stateful checks against the head plus the mempool; admits the transaction.
    fn admit(&mut self, tx: VerifiedTransaction) -> Result<Hash, Refusal> {
        let hash = tx.signed.hash();
        let pending = self.mempool.lock().pending(&tx.sender);
        match self.chain.check_verified(&mut self.executor, &tx, pending) {
            Ok(Ok(())) => {
                self.mempool.lock().push(Pending { tx });
                Ok(hash)
            }
            Ok(Err(rule)) => Err(Refusal::Rule(rule)),
            Err(fault) => Err(Refusal::Fault(fault.to_string())),
        }
    }

    /// Commits one block of the waiting transactions (an empty block when none wait and
    /// blocks come on an interval). Returns whether a block was committed.
    fn produce(&mut self) -> bool {
        let transactions = self.mempool.lock().next_block(MAX_BLOCK_TRANSACTIONS);
        if transactions.is_empty() && self.schedule.block_time.is_zero() {
            return false;
        }
        // Block time is Unix seconds and strictly increases: with blocks faster than one
        // a second it runs ahead of the wall clock, by design of the header.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0);
        let time = now.max(self.chain.head().time.saturating_add(1));
        let count = transactions.len();
        match self.chain.produce_verified_block(
            &mut self.executor,
            time,
            transactions.into_iter().map(Ok),
        ) {
            Ok(block) => {
                for rejected in &block.rejected {
                    eprintln!(
                        "assent node: block {} left out a pending transaction: {}",
                        block.header.number, rejected.error
                    );
                }
                self.mempool.lock().committed(count, block.header.number);
                if self.schedule.verbose && count > 0 {
                    eprintln!(
                        "assent node: block {} with {} transactions, state root {}",
                        block.header.number,
                        block.transactions.len(),
                        block.header.state_root
                    );
                }
                true
            }
            Err(error) => {
                eprintln!("assent node: cannot commit a block: {error}");
                false
            }
        }
    }
}
