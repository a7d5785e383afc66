//! The block producer: the one thread that owns the [`Chain`] and writes to the store.
//!
//! It admits transactions (the stateful checks of LEDGER.md §2, against the head plus the
//! mempool) as they arrive over its command channel, and commits a block of the waiting
//! transactions every `block_time`, or at once after each admitted transaction when
//! `block_time` is zero. RPC handlers never hold the chain: they read committed blocks
//! from the store on their own threads, so neither a slow client nor a long view delays a
//! block. On [`Command::Stop`] it commits what is waiting and returns.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::app::App;
use crate::executor::VmExecutor;
use assent_ledger::tx::VerifiedTransaction;
use assent_ledger::{Chain, Hash, RedbStore, Store};

use super::mempool::SharedMempool;

pub use crate::app::{MAX_BLOCK_TRANSACTIONS, Refusal};

/// One submission's answer, shared by the RPC worker that waits for it and the producer
/// that gives it. The producer decides under the lock, so a worker that gives up
/// ([`Submission::wait`] timing out) either finds the answer there or withdraws the
/// submission before the producer looks at it: a client is never told that a
/// transaction failed when it was admitted, nor the reverse.
#[derive(Debug, Default)]
pub struct Submission {
    state: Mutex<SubmissionState>,
    answered: Condvar,
}

#[derive(Debug, Default)]
enum SubmissionState {
    #[default]
    Waiting,
    /// The worker stopped waiting before the producer looked: never admit it.
    Withdrawn,
    Answered(Result<Hash, Refusal>),
}

impl Submission {
    fn lock(&self) -> MutexGuard<'_, SubmissionState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits up to `timeout` for the producer's answer; without one by then, withdraws the
    /// submission (the producer will drop it unseen) and answers [`Refusal::Busy`].
    pub fn wait(&self, timeout: Duration) -> Result<Hash, Refusal> {
        let state = self.lock();
        let (mut state, _) = self
            .answered
            .wait_timeout_while(state, timeout, |state| {
                matches!(state, SubmissionState::Waiting)
            })
            .unwrap_or_else(PoisonError::into_inner);
        match std::mem::replace(&mut *state, SubmissionState::Withdrawn) {
            SubmissionState::Answered(verdict) => verdict,
            SubmissionState::Waiting | SubmissionState::Withdrawn => Err(Refusal::Busy),
        }
    }

    /// Runs `decide` and records its answer, unless the worker withdrew the submission
    /// already (then `decide` does not run). The lock is held while `decide` runs.
    pub fn answer(&self, decide: impl FnOnce() -> Result<Hash, Refusal>) -> Option<bool> {
        let mut state = self.lock();
        if !matches!(*state, SubmissionState::Waiting) {
            return None;
        }
        let verdict = decide();
        let admitted = verdict.is_ok();
        *state = SubmissionState::Answered(verdict);
        self.answered.notify_all();
        Some(admitted)
    }
}

/// What the producer is asked to do.
pub enum Command {
    /// Admit a transaction whose bytes and signature are verified; the answer goes back
    /// through `submission`.
    Submit {
        tx: Box<VerifiedTransaction>,
        submission: Arc<Submission>,
        /// Forwarded by another validator (`assent_relayRawTransaction`), which sent it
        /// to every peer already: a validator does not forward it again.
        relayed: bool,
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
                app: App::new(chain, executor, mempool),
                schedule,
            }
            .run(&received);
        })?;
    Ok((commands, handle))
}

/// The single node's engine: a network of one validator, which proposes, decides and
/// commits its own blocks through the same [`App`] the network engines drive.
struct Producer<S: Store> {
    app: App<S>,
    schedule: Schedule,
}

impl<S: Store> Producer<S> {
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
                Ok(Command::Submit { tx, submission, .. }) => {
                    // A submission its worker withdrew (it waited too long) is dropped
                    // unseen: the client was told it was not admitted.
                    let admitted = submission.answer(|| self.admit(*tx)) == Some(true);
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
        while !self.app.mempool().lock().is_empty() {
            if !self.produce() {
                break;
            }
        }
    }

    /// The stateful checks against the head plus the mempool; admits the transaction.
    fn admit(&mut self, tx: VerifiedTransaction) -> Result<Hash, Refusal> {
        self.app.check_tx(tx)
    }

    /// Commits one block of the waiting transactions (an empty block when none wait and
    /// blocks come on an interval). Returns whether a block was committed.
    ///
    /// No transaction halts the chain (LEDGER.md §2): when a block of several cannot be
    /// committed, each of them is tried in a block of its own, and one that cannot be
    /// committed even alone is dropped from the mempool, so the same failing block is
    /// never tried again.
    fn produce(&mut self) -> bool {
        let block_gas_limit = self.app.chain().config().block_gas_limit;
        let count = self
            .app
            .mempool()
            .lock()
            .next_block(MAX_BLOCK_TRANSACTIONS, block_gas_limit)
            .len();
        if count == 0 && self.schedule.block_time.is_zero() {
            return false;
        }
        match self.commit(MAX_BLOCK_TRANSACTIONS) {
            Ok(()) => true,
            Err(error) if count == 0 => {
                eprintln!("assent node: cannot commit a block: {error}");
                false
            }
            Err(error) => {
                eprintln!(
                    "assent node: cannot commit a block of {} ({error}); trying each alone",
                    crate::wording::count(count, "transaction", "transactions")
                );
                let mut committed = false;
                for _ in 0..count {
                    let Some(first) = self
                        .app
                        .mempool()
                        .lock()
                        .next_block(1, block_gas_limit)
                        .pop()
                    else {
                        break;
                    };
                    let hash = first.signed.hash();
                    match self.commit(1) {
                        Ok(()) => committed = true,
                        Err(error) => {
                            eprintln!(
                                "assent node: dropped transaction {hash}: a block of it alone cannot be committed: {error}"
                            );
                            self.app.evict_first();
                        }
                    }
                }
                committed
            }
        }
    }

    /// Commits one block of at most `max` of the first transactions of the mempool, and
    /// takes them out of it (those the block left out too).
    fn commit(&mut self, max: usize) -> Result<(), assent_ledger::LedgerError> {
        // Block time is Unix seconds and strictly increases: with blocks faster than one
        // a second it runs ahead of the wall clock, by design of the header.
        let time = self.app.next_time();
        let committed = self.app.produce(time, max)?;
        let count = committed.result.transactions.len();
        if self.schedule.verbose && count > 0 {
            let header = committed.header();
            eprintln!(
                "assent node: block {} with {}, state root {}",
                header.number,
                crate::wording::count(count, "transaction", "transactions"),
                header.state_root
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_ledger::block::Header;
    use assent_ledger::receipt::Receipt;
    use assent_ledger::store::{BlockCommit, EventLocation, StoreError, StoredTransaction};
    use assent_ledger::trie::NodeStore;
    use assent_ledger::tx::SignedTransaction;
    use assent_ledger::{Address, ChainConfig, MemoryStore};
    use assent_vm::VmConfig;

    /// A store that fails the commit of any block holding `poison` (an injected storage
    /// fault tied to one transaction).
    struct Faulty {
        inner: MemoryStore,
        poison: Option<Hash>,
    }

    impl NodeStore for Faulty {
        fn node(
            &self,
            hash: &Hash,
            version: assent_ledger::trie::Version,
        ) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.node(hash, version)
        }
    }

    impl Store for Faulty {
        fn config(&self) -> Result<Option<ChainConfig>, StoreError> {
            self.inner.config()
        }
        fn head_number(&self) -> Result<Option<u64>, StoreError> {
            self.inner.head_number()
        }
        fn header(&self, number: u64) -> Result<Option<Header>, StoreError> {
            self.inner.header(number)
        }
        fn block_transactions(&self, number: u64) -> Result<Vec<Hash>, StoreError> {
            self.inner.block_transactions(number)
        }
        fn transaction(&self, hash: &Hash) -> Result<Option<StoredTransaction>, StoreError> {
            self.inner.transaction(hash)
        }
        fn receipt(&self, tx_hash: &Hash) -> Result<Option<Receipt>, StoreError> {
            self.inner.receipt(tx_hash)
        }
        fn code(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.code(hash)
        }
        fn artefact(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.artefact(code_hash)
        }
        fn events(
            &self,
            contract: &Address,
            from: u64,
            to: u64,
        ) -> Result<Vec<EventLocation>, StoreError> {
            self.inner.events(contract, from, to)
        }
        fn order_root(&self, number: u64) -> Result<Option<(u64, Hash)>, StoreError> {
            self.inner.order_root(number)
        }
        fn commit_block(&mut self, commit: BlockCommit) -> Result<(), StoreError> {
            if commit
                .transactions
                .iter()
                .any(|(hash, _)| Some(*hash) == self.poison)
            {
                return Err(StoreError::Backend("injected fault".into()));
            }
            self.inner.commit_block(commit)
        }
    }

    fn deployment(from: &str) -> VerifiedTransaction {
        let raw = crate::test_support::counter_deployment(from, 0, 100_000_000);
        SignedTransaction::decode(&raw).unwrap().recover().unwrap()
    }

    fn producer(poison: Option<Hash>) -> Producer<Faulty> {
        let store = Faulty {
            inner: MemoryStore::new(),
            poison,
        };
        let config = ChainConfig {
            chain_id: 7,
            block_gas_limit: assent_ledger::DEFAULT_BLOCK_GAS_LIMIT,
            genesis_time: 1_767_225_600,
        };
        Producer {
            app: App::new(
                Chain::open(store, config).unwrap(),
                VmExecutor::new(VmConfig {
                    pool_instances: 4,
                    ..VmConfig::default()
                })
                .unwrap(),
                Arc::new(SharedMempool::new(0)),
            ),
            schedule: Schedule {
                block_time: Duration::from_secs(1),
                verbose: false,
            },
        }
    }

    #[test]
    fn a_transaction_no_block_can_commit_is_dropped_and_the_others_land() {
        let (alice, bob, carol) = (deployment("a"), deployment("b"), deployment("c"));
        let hashes = [alice.signed.hash(), bob.signed.hash(), carol.signed.hash()];
        let mut producer = producer(Some(hashes[1]));
        for tx in [alice, bob, carol] {
            producer.admit(tx).unwrap();
        }
        assert!(producer.produce());
        assert!(producer.app.mempool().lock().is_empty());
        let store = producer.app.chain().store();
        assert!(store.receipt(&hashes[0]).unwrap().is_some());
        assert!(store.receipt(&hashes[1]).unwrap().is_none());
        assert!(store.receipt(&hashes[2]).unwrap().is_some());
        // Later blocks are produced as usual.
        let head = producer.app.chain().head().number;
        assert!(producer.produce());
        assert_eq!(producer.app.chain().head().number, head + 1);
    }

    #[test]
    fn a_submission_withdrawn_after_the_wait_is_never_admitted() {
        let submission = Submission::default();
        assert!(matches!(
            submission.wait(Duration::ZERO),
            Err(Refusal::Busy)
        ));
        let decided = submission.answer(|| unreachable!("a withdrawn submission is not decided"));
        assert_eq!(decided, None);

        let mut producer = producer(None);
        let submission = Arc::new(Submission::default());
        let tx = deployment("a");
        let hash = tx.signed.hash();
        assert_eq!(submission.answer(|| producer.admit(tx)), Some(true));
        // The answer is kept for a worker that comes to wait late.
        assert_eq!(submission.wait(Duration::ZERO).unwrap(), hash);
    }
}
