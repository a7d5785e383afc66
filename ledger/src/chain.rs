//! The chain: opens a store, builds and commits blocks by running transactions through an
//! [`Executor`], answers reads and proofs at any block, and replays a store from genesis.
//!
//! Building a block reads as: recover every signature in parallel → for each transaction,
//! validate (refusals change nothing) → bump the nonce → execute in its own overlay, kept
//! only on success → apply the block's writes to the trie → hash the changed paths → commit
//! everything in one store transaction.

use super::block::{Header, ordered_root};
use super::error::LedgerError;
use super::executor::{BlockEnv, Executor, Outcome, StateAccess};
use super::receipt::{Event, Receipt, Status};
use super::state::{Changes, Overlay, code_hash_key, decode_nonce, nonce_key};
use super::store::{BlockCommit, ChainConfig, EventLocation, MemoryStore, Store};
use super::trie::{self, Trie, secure_key};
use super::tx::{TxError, VerifiedTransaction, recover_all, recover_each};
use super::view::{HashedStore, StateView};
use assent_stdlib::gas;
use assent_stdlib::primitives::{Address, Hash};
use serde_json::Value;
use std::sync::Arc;

/// The default block gas limit (LEDGER.md §5).
pub const DEFAULT_BLOCK_GAS_LIMIT: u64 = 1_000_000_000;

/// A single-node chain over a store.
///
/// The store and the head's trie are shared with the [`StateView`]s the chain hands an
/// executor; the chain changes them only between transactions, when no view is left.
#[derive(Debug)]
pub struct Chain<S: Store> {
    config: ChainConfig,
    store: Arc<S>,
    state: Arc<Trie>,
    head: Header,
}

/// A transaction left out of a block, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Its position in the list handed to [`Chain::produce_block`].
    pub position: usize,
    pub error: TxError,
}

/// What [`Chain::produce_block`] committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockResult {
    pub header: Header,
    pub hash: Hash,
    pub transactions: Vec<Hash>,
    pub receipts: Vec<Receipt>,
    pub rejected: Vec<Rejected>,
}

/// A state entry with its proof at some block (the answer of `assent_getProof`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateProof {
    pub block: u64,
    pub state_root: Hash,
    pub raw_key: Vec<u8>,
    pub value: Option<Vec<u8>>,
    /// Node encodings, root first.
    pub proof: Vec<Vec<u8>>,
}

/// Which events [`Chain::logs`] returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogFilter {
    pub contract: Option<Address>,
    pub event: Option<String>,
    /// Field name → the JSON value it must equal.
    pub fields: Vec<(String, Value)>,
    pub from_block: Option<u64>,
    pub to_block: Option<u64>,
    /// Where a previous page stopped ([`LogPage::next`]): the search starts there.
    pub resume: Option<EventLocation>,
}

/// One matching event with where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub block: u64,
    pub tx_hash: Hash,
    pub tx_index: u32,
    /// The event's index in its transaction's receipt.
    pub event_index: u32,
    pub event: Event,
}

/// What one search of [`Chain::logs`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    /// Where the search stopped before the end of the range (the limit was reached, or
    /// [`MAX_LOG_SCAN`] events and blocks were looked at): the next event not yet looked
    /// at. `None` when the range is done.
    pub next: Option<EventLocation>,
}

/// The most events and blocks one [`Chain::logs`] search looks at, matching or not, so
/// that a filter that matches little in a long range still answers in bounded time
/// (with [`LogPage::next`] to go on from).
pub const MAX_LOG_SCAN: usize = 100_000;

/// Index entries read from the store at a time by a contract-filtered search.
const LOG_INDEX_BATCH: usize = 1_024;

/// The position just after `location` in chain order.
fn after(location: EventLocation) -> EventLocation {
    match location.event_index.checked_add(1) {
        Some(event_index) => EventLocation {
            event_index,
            ..location
        },
        None => EventLocation {
            block: location.block,
            tx_index: location.tx_index.saturating_add(1),
            event_index: 0,
        },
    }
}

/// The receipt of one transaction, read once for all of its events.
struct ReceiptCache {
    at: Option<(u64, u32)>,
    receipt: Option<Receipt>,
}

impl ReceiptCache {
    fn get<S: Store>(
        &mut self,
        store: &S,
        block: u64,
        tx_index: u32,
    ) -> Result<Option<&Receipt>, LedgerError> {
        if self.at != Some((block, tx_index)) {
            self.receipt = store.receipt_at(block, tx_index)?;
            self.at = Some((block, tx_index));
        }
        Ok(self.receipt.as_ref())
    }
}

/// A page of [`Chain::logs`] as it fills.
struct Collector<'f> {
    filter: &'f LogFilter,
    limit: usize,
    looked_at: usize,
    page: LogPage,
}

impl Collector<'_> {
    /// Counts one more thing looked at; `false` (and `next` set to `location`) when the
    /// page is full or the budget spent.
    fn look_at(&mut self, location: EventLocation) -> bool {
        if self.page.entries.len() >= self.limit || self.looked_at >= MAX_LOG_SCAN {
            self.page.next = Some(location);
            return false;
        }
        self.looked_at += 1;
        true
    }

    /// Looks at one event and keeps it if it matches; `false` when the page is full.
    fn take(&mut self, location: EventLocation, receipt: &Receipt, event: &Event) -> bool {
        if !self.look_at(location) {
            return false;
        }
        if self.filter.matches(event) {
            self.page.entries.push(LogEntry {
                block: location.block,
                tx_hash: receipt.tx_hash,
                tx_index: location.tx_index,
                event_index: location.event_index,
                event: event.clone(),
            });
        }
        true
    }
}

impl LogFilter {
    fn matches(&self, event: &Event) -> bool {
        if self.event.as_ref().is_some_and(|name| *name != event.name) {
            return false;
        }
        if self.fields.is_empty() {
            return true;
        }
        let Ok(fields) = serde_json::from_str::<Value>(&event.fields) else {
            return false;
        };
        self.fields
            .iter()
            .all(|(name, value)| fields.get(name) == Some(value))
    }
}

fn genesis(config: &ChainConfig) -> Header {
    Header {
        number: 0,
        parent_hash: Hash::default(),
        time: config.genesis_time,
        state_root: Hash::EMPTY_ROOT,
        transactions_root: Hash::EMPTY_ROOT,
        receipts_root: Hash::EMPTY_ROOT,
        gas_used: 0,
    }
}

impl<S: Store> Chain<S> {
    /// Opens the chain in `store`, writing its genesis block if the store is empty.
    ///
    /// # Errors
    /// The store holds a chain with another configuration, or a storage fault.
    pub fn open(mut store: S, config: ChainConfig) -> Result<Chain<S>, LedgerError> {
        match store.config()? {
            None => store.commit_block(BlockCommit {
                config: Some(config),
                header: Some(genesis(&config)),
                ..BlockCommit::default()
            })?,
            Some(stored) if stored != config => {
                return Err(LedgerError::ConfigMismatch {
                    stored: format!("{stored:?}"),
                    given: format!("{config:?}"),
                });
            }
            Some(_) => {}
        }
        Chain::open_existing(store)
    }

    /// Opens the chain a store already holds, with the configuration stored in it.
    ///
    /// # Errors
    /// The store holds no chain, or a storage fault.
    pub fn open_existing(store: S) -> Result<Chain<S>, LedgerError> {
        let config = store
            .config()?
            .ok_or_else(|| LedgerError::Corrupt("the store holds no chain".into()))?;
        let number = store
            .head_number()?
            .ok_or_else(|| LedgerError::Corrupt("the store has no head block".into()))?;
        let head = store
            .header(number)?
            .ok_or_else(|| LedgerError::Corrupt(format!("head block {number} is missing")))?;
        Ok(Chain {
            config,
            state: Arc::new(Trie::at(head.state_root)),
            store: Arc::new(store),
            head,
        })
    }

    /// The chain's configuration.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The last committed block's header.
    pub fn head(&self) -> &Header {
        &self.head
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store as a [`StateView`] reads it.
    fn hashed_store(&self) -> Arc<dyn HashedStore> {
        self.store.clone()
    }

    /// An overlay over the head (and the block's `changes` so far) for one transaction.
    fn overlay(&self, block: &Arc<Changes>) -> Overlay {
        Overlay {
            store: self.hashed_store(),
            trie: self.state.clone(),
            block: block.clone(),
            tx: Changes::default(),
        }
    }

    fn state_root_at(&self, block: Option<u64>) -> Result<(u64, Hash), LedgerError> {
        match block {
            None => Ok((self.head.number, self.head.state_root)),
            Some(number) => {
                let header = self
                    .store
                    .header(number)?
                    .ok_or_else(|| LedgerError::Corrupt(format!("no block {number}")))?;
                Ok((number, header.state_root))
            }
        }
    }

    /// The value of a raw state key at a block (`None`: the head).
    ///
    /// # Errors
    /// No such block, or a storage fault.
    pub fn get(&self, raw_key: &[u8], block: Option<u64>) -> Result<Option<Vec<u8>>, LedgerError> {
        let path = secure_key(raw_key);
        let store: &S = &self.store;
        if block.is_none() {
            return Ok(self.state.get(store, path.as_bytes())?);
        }
        let (_, root) = self.state_root_at(block)?;
        Ok(Trie::at(root).get(store, path.as_bytes())?)
    }

    /// Runs `read` against the state at a block (`None`: the head) through a throwaway
    /// overlay: views, policies and `assent_call` see the state and may write scratch values,
    /// but nothing they write is kept.
    ///
    /// # Errors
    /// No such block, or a storage fault.
    pub fn read_state<T>(
        &self,
        block: Option<u64>,
        read: impl FnOnce(&mut dyn StateAccess) -> T,
    ) -> Result<T, LedgerError> {
        let mut overlay = Overlay {
            store: self.hashed_store(),
            trie: self.trie_at(block)?,
            block: Arc::default(),
            tx: Changes::default(),
        };
        Ok(read(&mut overlay))
    }

    /// The trie at a block (`None`: the head).
    fn trie_at(&self, block: Option<u64>) -> Result<Arc<Trie>, LedgerError> {
        Ok(match block {
            None => self.state.clone(),
            Some(_) => Arc::new(Trie::at(self.state_root_at(block)?.1)),
        })
    }

    /// The state at a block (`None`: the head) as an owned handle, for a runtime that
    /// reads it from its own `'static` host state (views over RPC, say).
    ///
    /// # Errors
    /// No such block.
    pub fn view_at(&self, block: Option<u64>) -> Result<StateView, LedgerError> {
        Ok(StateView::new(
            self.hashed_store(),
            self.trie_at(block)?,
            Arc::default(),
            Arc::default(),
        ))
    }

    /// An account's next nonce at the head.
    ///
    /// # Errors
    /// A storage fault.
    pub fn nonce(&self, account: &Address) -> Result<u64, LedgerError> {
        decode_nonce(self.get(&nonce_key(account), None)?.as_deref())
    }

    /// A raw state key's value and its `eth_getProof`-form proof at a block.
    ///
    /// # Errors
    /// No such block, or a storage fault.
    pub fn prove(&self, raw_key: &[u8], block: Option<u64>) -> Result<StateProof, LedgerError> {
        let (number, root) = self.state_root_at(block)?;
        let path = secure_key(raw_key);
        let store: &S = &self.store;
        let proof = trie::prove(store, root, path.as_bytes())?;
        let value = Trie::at(root).get(store, path.as_bytes())?;
        Ok(StateProof {
            block: number,
            state_root: root,
            raw_key: raw_key.to_vec(),
            value,
            proof,
        })
    }

    /// Every check of LEDGER.md §2 on one raw transaction against the head state, as
    /// `assent_sendRawTransaction` makes them; `pending` counts the sender's transactions
    /// accepted but not yet in a block. The inner `Result` is the verdict.
    ///
    /// # Errors
    /// A storage fault while reading the state.
    pub fn check_transaction(
        &self,
        executor: &mut dyn Executor,
        raw: &[u8],
        pending: u64,
    ) -> Result<Result<VerifiedTransaction, TxError>, LedgerError> {
        let verified = match recover_all(std::slice::from_ref(&raw.to_vec()), self.config.chain_id)
            .into_iter()
            .next()
            .unwrap_or(Err(TxError::BadSignature("signature recovery failed")))
        {
            Ok(verified) => verified,
            Err(error) => return Ok(Err(error)),
        };
        let verdict = self.check_verified(executor, &verified, pending)?;
        Ok(verdict.map(|()| verified))
    }

    /// The checks of [`Chain::check_transaction`] that need the state (nonce, gas limit,
    /// shape, contract, the executor's), for a transaction whose bytes and signature are
    /// already verified ([`super::tx::verify_raw`]).
    ///
    /// # Errors
    /// A storage fault while reading the state.
    pub fn check_verified(
        &self,
        executor: &mut dyn Executor,
        verified: &VerifiedTransaction,
        pending: u64,
    ) -> Result<Result<(), TxError>, LedgerError> {
        let mut overlay = self.overlay(&Arc::default());
        validate(&self.config, &mut overlay, verified, pending, executor)
    }

    /// Builds a block at `time` from raw transactions, runs them and commits the block
    /// durably. Transactions that fail a check, that would take the sum of the block's gas
    /// limits past the block gas limit, or whose execution the host fails, are left out
    /// and listed in [`BlockResult::rejected`]. Signatures are recovered on all cores while
    /// the block runs.
    ///
    /// # Errors
    /// `time` not after the head's, an executor fault, or a storage fault; then nothing is
    /// committed and the chain stays at its head.
    pub fn produce_block(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        raw: &[Vec<u8>],
    ) -> Result<BlockResult, LedgerError> {
        let chain_id = self.config.chain_id;
        self.produce(
            executor,
            time,
            Box::new(move |handle| recover_each(raw, chain_id, handle)),
        )
    }

    /// [`Chain::produce_block`] for transactions whose signatures are recovered already,
    /// as [`super::tx::recover_all`] or [`super::tx::verify_raw`] return them: a node
    /// recovers each on admission, a pipeline recovers the next block while this one
    /// runs. The recovery is trusted; a transaction of another chain, or one that failed
    /// recovery, is left out like in `produce_block`.
    ///
    /// # Errors
    /// As [`Chain::produce_block`].
    pub fn produce_verified_block(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        transactions: impl IntoIterator<Item = Result<VerifiedTransaction, TxError>>,
    ) -> Result<BlockResult, LedgerError> {
        let chain_id = self.config.chain_id;
        let feed = move |handle: &mut dyn FnMut(usize, Verified) -> Result<(), LedgerError>| {
            for (position, verified) in transactions.into_iter().enumerate() {
                let verified = verified.and_then(|verified| {
                    let got = verified.signed.tx().chain_id;
                    if got == chain_id {
                        Ok(verified)
                    } else {
                        Err(TxError::WrongChainId {
                            expected: chain_id,
                            got,
                        })
                    }
                });
                handle(position, verified)?;
            }
            Ok(())
        };
        self.produce(executor, time, Box::new(feed))
    }

    fn produce(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        feed: Box<Feed<'_>>,
    ) -> Result<BlockResult, LedgerError> {
        if time <= self.head.time {
            return Err(LedgerError::TimeNotIncreasing {
                parent: self.head.time,
                got: time,
            });
        }
        let result = self.build_and_commit(executor, time, feed);
        if result.is_err() {
            // The trie may hold half-applied changes; go back to the committed head.
            self.state = Arc::new(Trie::at(self.head.state_root));
        }
        result
    }

    /// Runs the transactions `feed` hands over, in order, and commits the block.
    fn build_and_commit(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        feed: Box<Feed<'_>>,
    ) -> Result<BlockResult, LedgerError> {
        let env = BlockEnv {
            chain_id: self.config.chain_id,
            number: self.head.number + 1,
            time,
            gas_limit: self.config.block_gas_limit,
        };
        // The block's changes so far, shared with each transaction's overlay and views and
        // changed (`Arc::make_mut`) only once they are gone, so never copied.
        let mut changes: Arc<Changes> = Arc::default();
        let mut accepted: Vec<(Hash, Vec<u8>)> = Vec::new();
        let mut receipts = Vec::new();
        let mut rejected = Vec::new();
        let mut gas_used: u64 = 0;
        // The sum of the gas limits of the transactions in the block so far.
        let mut gas_limits: u64 = 0;

        // Each transaction runs here, in order, as soon as `feed` has it (produce_block's
        // feed recovers signatures on worker threads, chunk by chunk).
        let (store, trie, config) = (self.hashed_store(), self.state.clone(), &self.config);
        let overlay_on = |block: &Arc<Changes>| Overlay {
            store: store.clone(),
            trie: trie.clone(),
            block: block.clone(),
            tx: Changes::default(),
        };
        feed(&mut |position, verified| -> Result<(), LedgerError> {
            let verified = match verified {
                Ok(verified) => verified,
                Err(error) => {
                    rejected.push(Rejected { position, error });
                    return Ok(());
                }
            };
            // Validate against the state as the block has left it so far.
            let mut overlay = overlay_on(&changes);
            let checked = validate(config, &mut overlay, &verified, 0, executor)?;
            let artefacts = overlay.into_tx().artefacts;
            Arc::make_mut(&mut changes).artefacts.extend(artefacts);
            if let Err(error) = checked {
                rejected.push(Rejected { position, error });
                return Ok(());
            }
            // The block gas limit bounds the sum of the gas limits, not only each one
            // (LEDGER.md §5), so that a block's execution time is bounded.
            let tx = verified.signed.tx();
            let remaining = env.gas_limit.saturating_sub(gas_limits);
            if tx.gas_limit > remaining {
                rejected.push(Rejected {
                    position,
                    error: TxError::BlockGasExceeded {
                        gas_limit: tx.gas_limit,
                        remaining,
                        block_limit: env.gas_limit,
                    },
                });
                return Ok(());
            }
            // Accepted: the nonce moves on whatever the outcome.
            let nonce_entry = nonce_key(&verified.sender);
            let nonce_before = Arc::make_mut(&mut changes).writes.insert(
                nonce_entry.clone(),
                Some(tx.nonce.saturating_add(1).to_be_bytes().to_vec()),
            );
            let mut overlay = overlay_on(&changes);
            if tx.is_deployment() {
                overlay.deploy(&verified.contract, &tx.code);
            }
            let applied = executor.apply(&mut overlay, &verified, &env);
            let tx_changes = overlay.into_tx();
            debug_assert_eq!(
                Arc::strong_count(&changes),
                1,
                "a state view outlived its transaction"
            );
            let changes = Arc::make_mut(&mut changes);
            let result = match applied {
                Ok(result) => result,
                Err(fault) => {
                    // No transaction halts the chain (LEDGER.md §2): a host fault while it
                    // runs leaves it out of the block, as if it had never been sent (its
                    // nonce goes back), and the block goes on without it. What the contract
                    // itself did wrong is an `aborted` receipt, from the executor.
                    match nonce_before {
                        Some(before) => changes.writes.insert(nonce_entry, before),
                        None => changes.writes.remove(&nonce_entry),
                    };
                    rejected.push(Rejected {
                        position,
                        error: TxError::HostFault(fault.to_string()),
                    });
                    return Ok(());
                }
            };
            gas_limits = gas_limits.saturating_add(tx.gas_limit);
            let index = u32::try_from(accepted.len()).unwrap_or(u32::MAX);
            gas_used = gas_used.saturating_add(result.gas_used);
            let (status, message, position) = match result.outcome {
                Outcome::Ok => {
                    changes.absorb(tx_changes);
                    (Status::Ok, None, None)
                }
                Outcome::Aborted { message, position } => {
                    changes.artefacts.extend(tx_changes.artefacts);
                    (Status::Aborted, Some(message), position)
                }
                Outcome::OutOfGas { position } => {
                    changes.artefacts.extend(tx_changes.artefacts);
                    (Status::OutOfGas, Some("out of gas".to_owned()), position)
                }
            };
            let ok = status == Status::Ok;
            receipts.push(Receipt {
                tx_hash: verified.signed.hash(),
                block: env.number,
                index,
                status,
                message,
                position,
                gas_used: result.gas_used,
                return_value: if ok { result.return_value } else { None },
                contract_address: (ok && tx.is_deployment()).then_some(verified.contract),
                // An aborted transaction keeps its `audit` events only.
                events: result
                    .events
                    .into_iter()
                    .filter(|event| ok || event.audit)
                    .collect(),
            });
            accepted.push((verified.signed.hash(), verified.signed.encoded().to_vec()));
            Ok(())
        })?;
        drop((store, trie));
        let changes = Arc::unwrap_or_clone(changes);

        // The state trie and the two ordered tries are independent: build the latter on
        // another core while this one applies the writes and hashes the state.
        let (state, (transactions_root, receipts_root)) = std::thread::scope(|scope| {
            let roots = (accepted.len() >= PARALLEL_ROOTS_FROM)
                .then(|| scope.spawn(|| block_roots(&accepted, &receipts)));
            let state = apply_writes(
                Arc::make_mut(&mut self.state),
                self.store.as_ref(),
                &changes.writes,
            );
            let roots = match roots.map(|handle| handle.join()) {
                Some(Ok(roots)) => roots,
                // Not spawned, or the worker panicked (a bug): compute the roots here.
                _ => block_roots(&accepted, &receipts),
            };
            (state, roots)
        });
        let committed = state?;
        let header = Header {
            number: env.number,
            parent_hash: self.head.hash(),
            time,
            state_root: committed.root,
            transactions_root,
            receipts_root,
            gas_used,
        };
        let transactions: Vec<Hash> = accepted.iter().map(|(hash, _)| *hash).collect();
        let store = Arc::get_mut(&mut self.store).ok_or_else(|| {
            LedgerError::Executor("the executor kept a view of the state past its call".into())
        })?;
        store.commit_block(BlockCommit {
            config: None,
            header: Some(header.clone()),
            transactions: accepted,
            receipts: receipts.clone(),
            nodes: committed.nodes,
            code: changes.code.into_iter().collect(),
            artefacts: changes.artefacts.into_iter().collect(),
        })?;
        self.head = header.clone();
        Ok(BlockResult {
            hash: header.hash(),
            header,
            transactions,
            receipts,
            rejected,
        })
    }

    /// The events matching a filter, in chain order: at most `limit`, looking at no more
    /// than [`MAX_LOG_SCAN`] events and blocks. The work is proportional to what is looked
    /// at: each receipt is read and decoded once, by its place in the chain.
    ///
    /// # Errors
    /// A storage fault.
    pub fn logs(&self, filter: &LogFilter, limit: usize) -> Result<LogPage, LedgerError> {
        let to = filter
            .to_block
            .unwrap_or(self.head.number)
            .min(self.head.number);
        let from = EventLocation {
            block: filter.from_block.unwrap_or(0),
            tx_index: 0,
            event_index: 0,
        };
        let start = filter.resume.map_or(from, |resume| resume.max(from));
        let mut page = Collector {
            filter,
            limit,
            looked_at: 0,
            page: LogPage::default(),
        };
        let mut cache = ReceiptCache {
            at: None,
            receipt: None,
        };
        if start.block > to {
            return Ok(page.page);
        }
        match &filter.contract {
            Some(contract) => {
                let mut cursor = start;
                loop {
                    let batch = self
                        .store
                        .events_from(contract, cursor, to, LOG_INDEX_BATCH)?;
                    let Some(last) = batch.last().copied() else {
                        break;
                    };
                    for location in batch {
                        let Some(receipt) =
                            cache.get(self.store.as_ref(), location.block, location.tx_index)?
                        else {
                            continue;
                        };
                        let index = usize::try_from(location.event_index).unwrap_or(usize::MAX);
                        let Some(event) = receipt.events.get(index) else {
                            continue;
                        };
                        if !page.take(location, receipt, event) {
                            return Ok(page.page);
                        }
                    }
                    cursor = after(last);
                }
            }
            None => {
                for block in start.block..=to {
                    // A block counts as looked at, so that empty blocks are bounded too.
                    let location = EventLocation {
                        block,
                        tx_index: 0,
                        event_index: 0,
                    };
                    if !page.look_at(location) {
                        return Ok(page.page);
                    }
                    let count = self.store.block_transactions(block)?.len();
                    let first_tx = if block == start.block {
                        start.tx_index
                    } else {
                        0
                    };
                    for tx_index in first_tx..u32::try_from(count).unwrap_or(u32::MAX) {
                        let Some(receipt) = cache.get(self.store.as_ref(), block, tx_index)? else {
                            continue;
                        };
                        let first_event = if (block, tx_index) == (start.block, start.tx_index) {
                            start.event_index
                        } else {
                            0
                        };
                        for (index, event) in receipt.events.iter().enumerate() {
                            let event_index = u32::try_from(index).unwrap_or(u32::MAX);
                            if event_index < first_event {
                                continue;
                            }
                            let location = EventLocation {
                                block,
                                tx_index,
                                event_index,
                            };
                            if !page.take(location, receipt, event) {
                                return Ok(page.page);
                            }
                        }
                    }
                }
            }
        }
        Ok(page.page)
    }
}

/// A transaction as recovery leaves it.
type Verified = Result<VerifiedTransaction, TxError>;

/// Hands a block's transactions, in order with their positions, to the function that runs
/// each (`produce_block` recovers them as it goes, `produce_verified_block` has them).
type Feed<'a> = dyn FnOnce(&mut dyn FnMut(usize, Verified) -> Result<(), LedgerError>) -> Result<(), LedgerError>
    + 'a;

/// Blocks with at least this many transactions build their transactions and receipts
/// roots on a second thread.
const PARALLEL_ROOTS_FROM: usize = 64;

/// Applies a block's writes to the state trie and hashes the changed paths. The
/// insertions go in as one batch (sorted by path, each changed subtree visited once);
/// removals one by one. A trie is the same whatever order distinct keys arrive in.
fn apply_writes(
    state: &mut Trie,
    store: &dyn Store,
    writes: &std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<trie::Committed, LedgerError> {
    let mut inserts = Vec::with_capacity(writes.len());
    for (raw_key, value) in writes {
        let path = secure_key(raw_key);
        match value {
            Some(value) => inserts.push((path, value.clone())),
            None => {
                state.remove(store, path.as_bytes())?;
            }
        }
    }
    state.insert_batch(
        store,
        inserts.into_iter().map(|(path, value)| (path.0, value)),
    )?;
    // A block with very many writes hashes its state on all cores (its roots thread is
    // short by comparison).
    Ok(if writes.len() >= PARALLEL_HASHING_FROM {
        state.commit_parallel()
    } else {
        state.commit()
    })
}

/// Blocks with at least this many state writes hash the state trie on all cores.
const PARALLEL_HASHING_FROM: usize = 8_192;

/// The transactions root and the receipts root of a block.
fn block_roots(accepted: &[(Hash, Vec<u8>)], receipts: &[Receipt]) -> (Hash, Hash) {
    let encodings: Vec<Vec<u8>> = receipts.iter().map(Receipt::encode).collect();
    (
        ordered_root(accepted.iter().map(|(_, raw)| raw.as_slice())),
        ordered_root(encodings.iter().map(Vec::as_slice)),
    )
}

/// The checks after decoding, chain id and signature: nonce, gas limit, shape, contract,
/// then the executor's (method, args, module). The outer `Result` is a storage fault, the
/// inner one the verdict on the transaction.
fn validate(
    config: &ChainConfig,
    overlay: &mut Overlay,
    verified: &VerifiedTransaction,
    pending: u64,
    executor: &mut dyn Executor,
) -> Result<Result<(), TxError>, LedgerError> {
    let tx = verified.signed.tx();
    let stored = overlay.get(&nonce_key(&verified.sender))?;
    let expected = decode_nonce(stored.as_deref())?.saturating_add(pending);
    if tx.nonce != expected {
        return Ok(Err(TxError::WrongNonce {
            expected,
            got: tx.nonce,
        }));
    }
    if tx.gas_limit > config.block_gas_limit {
        return Ok(Err(TxError::GasLimitTooHigh {
            gas_limit: tx.gas_limit,
            block_limit: config.block_gas_limit,
        }));
    }
    let required = gas::transaction_cost(verified.signed.encoded().len(), tx.code.len());
    if tx.gas_limit < required {
        return Ok(Err(TxError::GasLimitTooLow {
            gas_limit: tx.gas_limit,
            required,
        }));
    }
    if let Err(error) = tx.check_shape() {
        return Ok(Err(error));
    }
    if let Some(to) = &tx.to
        && overlay.get(&code_hash_key(to))?.is_none()
    {
        return Ok(Err(TxError::NoContract(*to)));
    }
    executor.check(overlay, verified)
}

/// Re-executes every block of `source` from genesis on a fresh in-memory chain and checks
/// each block against the stored one: state root, transactions root, receipts root and
/// hash. `progress(done, total)` is called after each block. Returns the number of blocks
/// replayed.
///
/// # Errors
/// [`LedgerError::ReplayMismatch`] at the first block that differs, a stored transaction
/// that replay refuses, or a storage fault.
pub fn replay<S: Store>(
    source: &S,
    executor: &mut dyn Executor,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, LedgerError> {
    let config = source
        .config()?
        .ok_or_else(|| LedgerError::Corrupt("the store holds no chain".into()))?;
    let head = source.head_number()?.unwrap_or(0);
    let mut chain = Chain::open(MemoryStore::new(), config)?;
    let stored_genesis = source
        .header(0)?
        .ok_or_else(|| LedgerError::Corrupt("the genesis block is missing".into()))?;
    compare(0, &stored_genesis, chain.head())?;
    for number in 1..=head {
        let stored = source
            .header(number)?
            .ok_or_else(|| LedgerError::Corrupt(format!("block {number} is missing")))?;
        let mut raw = Vec::new();
        for hash in source.block_transactions(number)? {
            let tx = source.transaction(&hash)?.ok_or_else(|| {
                LedgerError::Corrupt(format!("transaction {hash} of block {number} is missing"))
            })?;
            raw.push(tx.raw);
        }
        let result = chain.produce_block(executor, stored.time, &raw)?;
        if let Some(rejected) = result.rejected.first() {
            return Err(LedgerError::Corrupt(format!(
                "transaction {} of block {number} is refused on replay: {}",
                rejected.position, rejected.error
            )));
        }
        compare(number, &stored, &result.header)?;
        progress(number, head);
    }
    Ok(head)
}

fn compare(block: u64, stored: &Header, replayed: &Header) -> Result<(), LedgerError> {
    let fields = [
        ("state root", stored.state_root, replayed.state_root),
        (
            "transactions root",
            stored.transactions_root,
            replayed.transactions_root,
        ),
        (
            "receipts root",
            stored.receipts_root,
            replayed.receipts_root,
        ),
        ("block hash", stored.hash(), replayed.hash()),
    ];
    for (field, stored, replayed) in fields {
        if stored != replayed {
            return Err(LedgerError::ReplayMismatch {
                block,
                field,
                stored,
                replayed,
            });
        }
    }
    Ok(())
}
