//! The chain: opens a store, builds and commits blocks by running transactions through an
//! [`Executor`], answers reads and proofs at any block, and replays a store from genesis.
//!
//! Building a block ([`builder`]) reads as: recover every signature in parallel → for each transaction,
//! validate (refusals change nothing) → bump the nonce → execute in its own overlay, kept
//! only on success → apply the block's writes to the trie → hash the changed paths → commit
//! everything in one store transaction.

mod builder;
mod logs;

pub use self::logs::{LogEntry, LogFilter, LogPage, MAX_LOG_SCAN};

use self::builder::BlockBuilder;
pub use self::builder::{LOADED_LEVELS, SealedBlock};
use super::block::Header;
use super::error::LedgerError;
use super::executor::{Executor, StateAccess};
use super::receipt::Receipt;
use super::state::{Changes, Overlay, code_hash_key, decode_nonce, nonce_key};
use super::store::{BlockCommit, ChainConfig, MemoryStore, Store};
use super::trie::{self, Trie, secure_key};
use super::tx::{TxError, VerifiedTransaction, recover_all, recover_each};
use super::view::StateView;
use assent_stdlib::gas;
use assent_stdlib::primitives::{Address, Hash};
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
    /// The ordered index of iterated collections at the head.
    order: Arc<Trie>,
    head: Header,
    /// Trie levels kept in memory between blocks ([`Chain::keep_loaded_levels`]).
    loaded_levels: usize,
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

/// A transaction's receipt with its proof in its block's receipts trie (the answer of
/// `assent_getReceiptProof`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptProof {
    pub block: u64,
    pub receipts_root: Hash,
    /// The transaction's index in its block: the trie path is `rlp(index)`.
    pub index: u32,
    /// The receipt's encoding, as committed to.
    pub receipt: Vec<u8>,
    /// Node encodings, root first.
    pub proof: Vec<Vec<u8>>,
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
        let order = order_trie_at(&store, head.number)?;
        Ok(Chain {
            config,
            state: Arc::new(Trie::at(head.state_root, head.number)),
            order: Arc::new(order),
            store: Arc::new(store),
            head,
            loaded_levels: builder::LOADED_LEVELS,
        })
    }

    /// Keeps the tries' upper `levels` levels of nodes in memory between blocks (default
    /// [`LOADED_LEVELS`](builder::LOADED_LEVELS)); deeper nodes are read from the store as
    /// a block reaches them. `usize::MAX` keeps every node a block touches: faster while
    /// the state fits in memory, and memory that grows with the state.
    pub fn keep_loaded_levels(&mut self, levels: usize) {
        self.loaded_levels = levels;
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
    fn shared_store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// An overlay over the head (and the block's `changes` so far) for one transaction.
    fn overlay(&self, block: &Arc<Changes>) -> Overlay {
        Overlay {
            store: self.shared_store(),
            trie: self.state.clone(),
            order: self.order.clone(),
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
        let (number, root) = self.state_root_at(block)?;
        Ok(Trie::at(root, number).get(store, path.as_bytes())?)
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
            store: self.shared_store(),
            trie: self.trie_at(block)?,
            order: self.order_at(block)?,
            block: Arc::default(),
            tx: Changes::default(),
        };
        Ok(read(&mut overlay))
    }

    /// The trie at a block (`None`: the head).
    fn trie_at(&self, block: Option<u64>) -> Result<Arc<Trie>, LedgerError> {
        Ok(match block {
            None => self.state.clone(),
            Some(_) => {
                let (number, root) = self.state_root_at(block)?;
                Arc::new(Trie::at(root, number))
            }
        })
    }

    /// The ordered index at a block (`None`: the head).
    fn order_at(&self, block: Option<u64>) -> Result<Arc<Trie>, LedgerError> {
        Ok(match block {
            None => self.order.clone(),
            Some(number) => Arc::new(order_trie_at(self.store.as_ref(), number)?),
        })
    }

    /// The state at a block (`None`: the head) as an owned handle, for a runtime that
    /// reads it from its own `'static` host state (views over RPC, say).
    ///
    /// # Errors
    /// No such block.
    pub fn view_at(&self, block: Option<u64>) -> Result<StateView, LedgerError> {
        Ok(StateView::new(
            self.shared_store(),
            self.trie_at(block)?,
            self.order_at(block)?,
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
        let proof = trie::prove(store, root, number, path.as_bytes())?;
        let value = Trie::at(root, number).get(store, path.as_bytes())?;
        Ok(StateProof {
            block: number,
            state_root: root,
            raw_key: raw_key.to_vec(),
            value,
            proof,
        })
    }

    /// A transaction's receipt with its proof against its block's receipts root: the
    /// block's receipts trie is built again from the stored receipts (it is not stored)
    /// and its root checked against the header's. `None` for a transaction not in a block.
    ///
    /// # Errors
    /// A storage fault, or stored receipts that do not give the header's root.
    pub fn receipt_proof(&self, tx_hash: &Hash) -> Result<Option<ReceiptProof>, LedgerError> {
        let store: &S = &self.store;
        let Some(receipt) = store.receipt(tx_hash)? else {
            return Ok(None);
        };
        let Some(header) = store.header(receipt.block)? else {
            return Ok(None);
        };
        let mut encodings = Vec::new();
        for hash in store.block_transactions(receipt.block)? {
            let stored = store.receipt(&hash)?.ok_or_else(|| {
                LedgerError::Corrupt(format!("no receipt for {hash} of block {}", receipt.block))
            })?;
            encodings.push(stored.encode());
        }
        let corrupt = || {
            LedgerError::Corrupt(format!(
                "the receipts of block {} do not give its receipts root",
                receipt.block
            ))
        };
        let (root, proof) = crate::block::ordered_proof(
            encodings.iter().map(Vec::as_slice),
            u64::from(receipt.index),
        )
        .ok_or_else(corrupt)?;
        if root != header.receipts_root {
            return Err(corrupt());
        }
        Ok(Some(ReceiptProof {
            block: receipt.block,
            receipts_root: root,
            index: receipt.index,
            receipt: receipt.encode(),
            proof,
        }))
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
        let sealed = self.execute_verified_block(executor, time, transactions)?;
        self.commit(sealed)
    }

    /// [`Chain::execute_block`] for transactions whose signatures are recovered already
    /// (as [`Chain::produce_verified_block`] takes them): the block executed and sealed on
    /// the head, not stored.
    ///
    /// # Errors
    /// As [`Chain::execute_block`].
    pub fn execute_verified_block(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        transactions: impl IntoIterator<Item = Result<VerifiedTransaction, TxError>>,
    ) -> Result<SealedBlock, LedgerError> {
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
        self.execute(executor, time, Box::new(feed))
    }

    /// Executes and commits: [`Chain::execute`] then [`Chain::commit`].
    fn produce(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        feed: Box<Feed<'_>>,
    ) -> Result<BlockResult, LedgerError> {
        let sealed = self.execute(executor, time, feed)?;
        self.commit(sealed)
    }

    /// Builds a block at `time` from raw transactions and executes it on the head without
    /// storing it: the [`SealedBlock`] has the header, state root and receipts
    /// [`Chain::produce_block`] would commit. [`Chain::commit`] stores it; dropping it
    /// leaves the chain as it was, so a validator can execute a proposal and wait for the
    /// network's decision.
    ///
    /// # Errors
    /// As [`Chain::produce_block`], but nothing is ever stored.
    pub fn execute_block(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        raw: &[Vec<u8>],
    ) -> Result<SealedBlock, LedgerError> {
        let chain_id = self.config.chain_id;
        self.execute(
            executor,
            time,
            Box::new(move |handle| recover_each(raw, chain_id, handle)),
        )
    }

    /// Runs the transactions `feed` hands over, in order, and seals the block.
    fn execute(
        &mut self,
        executor: &mut dyn Executor,
        time: u64,
        feed: Box<Feed<'_>>,
    ) -> Result<SealedBlock, LedgerError> {
        if time <= self.head.time {
            return Err(LedgerError::TimeNotIncreasing {
                parent: self.head.time,
                got: time,
            });
        }
        let mut block = BlockBuilder::new(self, time);
        // Each transaction runs as soon as `feed` has it (produce_block's feed recovers
        // signatures on worker threads, chunk by chunk).
        let fed =
            feed(&mut |position, verified| block.apply_transaction(executor, position, verified));
        match fed {
            Ok(()) => block.seal(),
            Err(error) => Err(error),
        }
    }
}

/// The ordered index of iterated collections as block `number` left it: read from the last block at or before it that changed the index (its root node is
/// filed under that block's number); empty before any did.
fn order_trie_at<S: Store + ?Sized>(store: &S, number: u64) -> Result<Trie, LedgerError> {
    Ok(match store.order_root(number)? {
        Some((version, root)) => Trie::at(root, version),
        None => Trie::new(),
    })
}

/// A transaction as recovery leaves it.
type Verified = Result<VerifiedTransaction, TxError>;

/// Hands a block's transactions, in order with their positions, to the function that runs
/// each (`produce_block` recovers them as it goes, `produce_verified_block` has them).
type Feed<'a> = dyn FnOnce(&mut dyn FnMut(usize, Verified) -> Result<(), LedgerError>) -> Result<(), LedgerError>
    + 'a;

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
