//! [`BlockBuilder`]: one block built on the head — each transaction validated, its nonce
//! moved on, executed in its own overlay and recorded ([`BlockBuilder::apply_transaction`]) —
//! then the state and the block's roots hashed and everything committed in one store
//! transaction ([`BlockBuilder::finish`]).

use std::sync::Arc;

use super::{BlockResult, Chain, Rejected, Verified, validate};
use crate::block::{Header, ordered_root};
use crate::error::LedgerError;
use crate::executor::{BlockEnv, ExecutionResult, Executor, Outcome};
use crate::receipt::{Receipt, Status};
use crate::state::{Changes, Overlay, nonce_key};
use crate::store::{BlockCommit, Store};
use crate::trie::{self, Trie, secure_key};
use crate::tx::{TxError, VerifiedTransaction};
use assent_stdlib::primitives::Hash;

/// A block under construction on the chain's head.
pub(super) struct BlockBuilder<'c, S: Store> {
    chain: &'c mut Chain<S>,
    env: BlockEnv,
    /// The store and the head's trie, as every transaction's overlay shares them.
    store: Arc<dyn Store>,
    trie: Arc<Trie>,
    order: Arc<Trie>,
    /// The block's changes so far, shared with each transaction's overlay and views and
    /// changed (`Arc::make_mut`) only once they are gone, so never copied.
    changes: Arc<Changes>,
    /// The accepted transactions' hashes and encodings, in block order.
    accepted: Vec<(Hash, Vec<u8>)>,
    receipts: Vec<Receipt>,
    rejected: Vec<Rejected>,
    gas_used: u64,
    /// The sum of the gas limits of the transactions accepted so far.
    gas_limits: u64,
}

impl<'c, S: Store> BlockBuilder<'c, S> {
    /// A block at `time` on `chain`'s head (the caller checked the time moves on).
    pub(super) fn new(chain: &'c mut Chain<S>, time: u64) -> BlockBuilder<'c, S> {
        let env = BlockEnv {
            chain_id: chain.config.chain_id,
            number: chain.head.number + 1,
            time,
            gas_limit: chain.config.block_gas_limit,
        };
        BlockBuilder {
            store: chain.shared_store(),
            trie: chain.state.clone(),
            order: chain.order.clone(),
            chain,
            env,
            changes: Arc::default(),
            accepted: Vec::new(),
            receipts: Vec::new(),
            rejected: Vec::new(),
            gas_used: 0,
            gas_limits: 0,
        }
    }

    /// An overlay over the head and the block so far, for one transaction.
    fn overlay(&self) -> Overlay {
        Overlay {
            store: self.store.clone(),
            trie: self.trie.clone(),
            order: self.order.clone(),
            block: self.changes.clone(),
            tx: Changes::default(),
        }
    }

    /// The block's changes, to change between transactions (no overlay or view is left).
    fn changes(&mut self) -> &mut Changes {
        debug_assert_eq!(
            Arc::strong_count(&self.changes),
            1,
            "a state view outlived its transaction"
        );
        Arc::make_mut(&mut self.changes)
    }

    fn reject(&mut self, position: usize, error: TxError) {
        self.rejected.push(Rejected { position, error });
    }

    /// Runs the transaction at `position` of the block's list: validated against the
    /// state as the block has left it, then executed; accepted with a receipt, or listed
    /// as rejected.
    ///
    /// # Errors
    /// A storage fault while validating; the block cannot be built.
    pub(super) fn apply_transaction(
        &mut self,
        executor: &mut dyn Executor,
        position: usize,
        verified: Verified,
    ) -> Result<(), LedgerError> {
        let verified = match verified {
            Ok(verified) => verified,
            Err(error) => {
                self.reject(position, error);
                return Ok(());
            }
        };
        if let Err(error) = self.admit(executor, &verified)? {
            self.reject(position, error);
            return Ok(());
        }
        // Accepted: the nonce moves on whatever the outcome.
        let nonce_entry = nonce_key(&verified.sender);
        let tx = verified.signed.tx();
        let nonce_before = self.changes().writes.insert(
            nonce_entry.clone(),
            Some(tx.nonce.saturating_add(1).to_be_bytes().to_vec()),
        );
        let mut overlay = self.overlay();
        if tx.is_deployment() {
            overlay.deploy(&verified.contract, &tx.code);
        }
        let applied = executor.apply(&mut overlay, &verified, &self.env);
        let tx_changes = overlay.into_tx();
        match applied {
            Ok(result) => self.record(&verified, result, tx_changes),
            Err(fault) => {
                // No transaction halts the chain (LEDGER.md §2): a host fault while it runs
                // leaves it out of the block, as if it had never been sent (its nonce goes
                // back), and the block goes on without it. What the contract itself did
                // wrong is an `aborted` receipt, from the executor.
                let writes = &mut self.changes().writes;
                match nonce_before {
                    Some(before) => writes.insert(nonce_entry, before),
                    None => writes.remove(&nonce_entry),
                };
                self.reject(position, TxError::HostFault(fault.to_string()));
            }
        }
        Ok(())
    }

    /// The checks before a transaction is accepted: [`validate`]'s, then the block gas
    /// limit. The inner `Result` is the verdict.
    fn admit(
        &mut self,
        executor: &mut dyn Executor,
        verified: &VerifiedTransaction,
    ) -> Result<Result<(), TxError>, LedgerError> {
        let mut overlay = self.overlay();
        let checked = validate(&self.chain.config, &mut overlay, verified, 0, executor)?;
        // Artefacts compiled while checking are kept, whatever the verdict.
        let artefacts = overlay.into_tx().artefacts;
        self.changes().artefacts.extend(artefacts);
        if let Err(error) = checked {
            return Ok(Err(error));
        }
        // The block gas limit bounds the sum of the gas limits, not only each one
        // (LEDGER.md §5), so that a block's execution time is bounded.
        let gas_limit = verified.signed.tx().gas_limit;
        let remaining = self.env.gas_limit.saturating_sub(self.gas_limits);
        if gas_limit > remaining {
            return Ok(Err(TxError::BlockGasExceeded {
                gas_limit,
                remaining,
                block_limit: self.env.gas_limit,
            }));
        }
        Ok(Ok(()))
    }

    /// Records an executed transaction: its changes kept on success (only its compiled
    /// artefacts otherwise), its receipt, its gas.
    fn record(
        &mut self,
        verified: &VerifiedTransaction,
        result: ExecutionResult,
        tx_changes: Changes,
    ) {
        let tx = verified.signed.tx();
        self.gas_limits = self.gas_limits.saturating_add(tx.gas_limit);
        self.gas_used = self.gas_used.saturating_add(result.gas_used);
        let index = u32::try_from(self.accepted.len()).unwrap_or(u32::MAX);
        let changes = self.changes();
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
        self.receipts.push(Receipt {
            tx_hash: verified.signed.hash(),
            block: self.env.number,
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
        self.accepted
            .push((verified.signed.hash(), verified.signed.encoded().to_vec()));
    }

    /// Applies the block's writes to the state trie and hashes it and the block's roots:
    /// the block, executed but not stored. The chain's head and state stay as they were
    /// until [`Chain::commit`] takes the block.
    ///
    /// # Errors
    /// A storage fault while reading trie nodes.
    pub(super) fn seal(self) -> Result<SealedBlock, LedgerError> {
        let BlockBuilder {
            chain,
            env,
            store,
            trie,
            order,
            changes,
            accepted,
            receipts,
            rejected,
            gas_used,
            ..
        } = self;
        // The head's trie is this block's alone now, to change; the chain goes on with an
        // unchanged copy of its head until the block is committed.
        drop((store, trie));
        let head_trie = Arc::new(Trie::at(chain.head.state_root, chain.head.number));
        let mut state = std::mem::replace(&mut chain.state, head_trie);
        let changes = Arc::unwrap_or_clone(changes);
        // The ordered index likewise, changed only when the block wrote it.
        let (order, ordered) = if changes.order.is_empty() {
            (order, None)
        } else {
            drop(order);
            let head_order = super::order_trie_at(chain.store.as_ref(), chain.head.number)?;
            let mut order = std::mem::replace(&mut chain.order, Arc::new(head_order));
            let committed = apply_ordered(
                Arc::make_mut(&mut order),
                chain.store.as_ref(),
                &changes.order,
                env.number,
            )?;
            // Unless the root was made anew (or the index emptied), nothing changed: the
            // head's index goes on, and no node of this block's is kept.
            let remade = committed.root == Hash::EMPTY_ROOT
                || committed
                    .nodes
                    .iter()
                    .any(|(hash, _)| *hash == committed.root);
            if remade {
                (order, Some(committed))
            } else {
                // The copy of the head's index the chain just took goes on unchanged.
                (chain.order.clone(), None)
            }
        };

        // The state trie and the two ordered tries are independent: build the latter on
        // another core while this one applies the writes and hashes the state.
        let (committed, (transactions_root, receipts_root)) = std::thread::scope(|scope| {
            let roots = (accepted.len() >= PARALLEL_ROOTS_FROM)
                .then(|| scope.spawn(|| block_roots(&accepted, &receipts)));
            let committed = apply_writes(
                Arc::make_mut(&mut state),
                chain.store.as_ref(),
                &changes.writes,
                (chain.head.number, env.number),
            );
            let roots = match roots.map(|handle| handle.join()) {
                Some(Ok(roots)) => roots,
                // Not spawned, or the worker panicked (a bug): compute the roots here.
                _ => block_roots(&accepted, &receipts),
            };
            (committed, roots)
        });
        let committed = committed?;
        let header = Header {
            number: env.number,
            parent_hash: chain.head.hash(),
            time: env.time,
            state_root: committed.root,
            transactions_root,
            receipts_root,
            gas_used,
        };
        Ok(SealedBlock {
            result: BlockResult {
                hash: header.hash(),
                transactions: accepted.iter().map(|(hash, _)| *hash).collect(),
                header,
                receipts,
                rejected,
            },
            accepted,
            nodes: committed.nodes,
            order_root: ordered.as_ref().map(|ordered| ordered.root),
            order_nodes: ordered.map(|ordered| ordered.nodes).unwrap_or_default(),
            code: changes.code.into_iter().collect(),
            artefacts: changes.artefacts.into_iter().collect(),
            state,
            order,
        })
    }
}

/// A block executed and hashed on the chain's head but not stored: what a validator
/// proposes, or checks against a proposal, before the network decides. [`Chain::commit`]
/// stores it and moves the head; dropping it leaves the chain as it was.
#[derive(Debug)]
pub struct SealedBlock {
    result: BlockResult,
    /// The accepted transactions' hashes and encodings, in block order.
    accepted: Vec<(Hash, Vec<u8>)>,
    /// New trie nodes, modules and artefacts.
    nodes: Vec<(Hash, Vec<u8>)>,
    code: Vec<(Hash, Vec<u8>)>,
    artefacts: Vec<(Hash, Vec<u8>)>,
    /// The state trie after the block.
    state: Arc<Trie>,
    /// The ordered index after the block; its new root and nodes when the block
    /// changed it.
    order: Arc<Trie>,
    order_root: Option<Hash>,
    order_nodes: Vec<(Hash, Vec<u8>)>,
}

impl SealedBlock {
    /// The block's header, hash, transactions, receipts and left-out transactions.
    pub fn result(&self) -> &BlockResult {
        &self.result
    }

    /// How many trie nodes the block files (its new nodes and its root).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The accepted transactions' signed encodings, in block order.
    pub fn encoded_transactions(&self) -> impl Iterator<Item = &[u8]> {
        self.accepted.iter().map(|(_, raw)| raw.as_slice())
    }
}

impl<S: Store> Chain<S> {
    /// Stores a block [`Chain::execute_block`] sealed on this head, durably, and moves the
    /// head to it.
    ///
    /// # Errors
    /// The block was sealed on another head (its parent is not the head now); a storage
    /// fault; an executor that kept a view of the state past its call. Then nothing is
    /// stored and the chain stays at its head.
    pub fn commit(&mut self, sealed: SealedBlock) -> Result<BlockResult, LedgerError> {
        let SealedBlock {
            result,
            accepted,
            mut nodes,
            code,
            artefacts,
            state,
            order,
            order_root,
            order_nodes,
        } = sealed;
        if result.header.parent_hash != self.head.hash() {
            return Err(LedgerError::NotOnHead {
                block: result.header.number,
                head: self.head.number,
            });
        }
        nodes.extend(order_nodes);
        let store = Arc::get_mut(&mut self.store).ok_or_else(|| {
            LedgerError::executor("the executor kept a view of the state past its call")
        })?;
        store.commit_block(BlockCommit {
            config: None,
            header: Some(result.header.clone()),
            transactions: accepted,
            receipts: result.receipts.clone(),
            nodes,
            code,
            artefacts,
            order_root,
        })?;
        self.head = result.header.clone();
        self.state = state;
        self.order = order;
        // The block's nodes are stored: keep only the tries' upper levels in memory, so
        // that a chain's memory does not grow with its state.
        for trie in [&mut self.state, &mut self.order] {
            if let Some(trie) = Arc::get_mut(trie) {
                trie.unload_below(self.loaded_levels);
            }
        }
        Ok(result)
    }
}

/// Trie levels kept in memory between blocks by default: the root and five more (at most
/// 1,118,481 nodes, whatever the state's size), which every block's paths cross; deeper
/// nodes are read from the store as a block reaches them (docs/performance.md measures
/// 5, 6 and every level).
pub const LOADED_LEVELS: usize = 6;

/// Blocks with at least this many transactions build their transactions and receipts
/// roots on a second thread.
const PARALLEL_ROOTS_FROM: usize = 64;

/// Applies a block's writes to the state trie and hashes the changed paths. The
/// insertions go in as one batch (sorted by path, each changed subtree visited once);
/// removals one by one. A trie is the same whatever order distinct keys arrive in.
///
/// The new nodes are filed under the block's number, and so is the root even when the
/// block leaves it as it was: the state root of block `n` is always found at version `n`.
fn apply_writes(
    state: &mut Trie,
    store: &dyn Store,
    writes: &std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    (parent, number): (trie::Version, trie::Version),
) -> Result<trie::Committed, LedgerError> {
    state.set_version(number);
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
    let mut committed = if writes.len() >= PARALLEL_HASHING_FROM {
        state.commit_parallel()
    } else {
        state.commit()
    };
    if committed.root != Hash::EMPTY_ROOT
        && !committed
            .nodes
            .iter()
            .any(|(hash, _)| *hash == committed.root)
    {
        let root = store
            .node(&committed.root, parent)?
            .ok_or(trie::TrieError::MissingNode(committed.root))?;
        committed.nodes.push((committed.root, root));
    }
    Ok(committed)
}

/// Applies a block's writes of the ordered index (plain keys, in key order) and hashes
/// the changed paths, filing the new nodes under the block's number.
fn apply_ordered(
    order: &mut Trie,
    store: &dyn Store,
    writes: &std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    number: trie::Version,
) -> Result<trie::Committed, LedgerError> {
    order.set_version(number);
    for (key, value) in writes {
        if value.is_none() {
            order.remove(store, key)?;
        }
    }
    order.insert_batch(
        store,
        writes
            .iter()
            .filter_map(|(key, value)| value.clone().map(|value| (key, value))),
    )?;
    Ok(order.commit())
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
