//! The application: the ledger as a consensus engine drives it, implemented once over the
//! [`Chain`] and the [`VmExecutor`].
//!
//! A block goes through the same steps whoever orders it — the single node's producer (a
//! network of one validator), an ABCI++ engine such as CometBFT, or the embedded
//! Malachite validators:
//!
//! - [`App::check_tx`]: a transaction's admission (LEDGER.md §2's checks against the head
//!   plus the mempool), into the mempool;
//! - [`App::prepare_proposal`]: the proposer's block, the oldest waiting transactions that
//!   fit the block gas limit, executed and sealed;
//! - [`App::process_proposal`]: another validator's proposal checked — every transaction
//!   decodes and is valid at that height, the time moves on and is not far ahead of the
//!   clock, the gas limits fit the block — then re-executed, and its header compared when the
//!   proposer sent one;
//! - [`App::finalize_block`]: the decided block executed (or taken from the proposal already
//!   executed) and held for commit;
//! - [`App::commit`]: the finalized block stored durably, the mempool cleaned;
//! - [`App::query`]: reads for an engine's clients.
//!
//! Executed blocks wait in a small cache keyed by [`proposal_id`] (time and transactions),
//! so a proposal executed while it was voted on is not executed again when decided.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use assent_ledger::block::Header;
use assent_ledger::chain::{BlockResult, SealedBlock};
use assent_ledger::receipt::Receipt;
use assent_ledger::rlp::ListBuilder;
use assent_ledger::tx::{TxError, VerifiedTransaction, recover_all, verify_raw};
use assent_ledger::{Address, Chain, Hash, LedgerError, Store, keccak256};

use crate::executor::VmExecutor;
use crate::server::mempool::{Full, Pending, SharedMempool};

/// The most transactions one block takes; the rest wait for the next.
pub const MAX_BLOCK_TRANSACTIONS: usize = 5_000;

/// How far ahead of a validator's clock a proposal's time may be, in seconds, when it is
/// also more than one second after its parent's (blocks faster than one a second run
/// ahead of the clock by design of the header, one second per block).
pub const MAX_CLOCK_DRIFT: u64 = 15;

/// How many executed, undecided proposals are kept (a few rounds' worth).
const MAX_EXECUTED: usize = 8;

/// Why a submitted transaction was not admitted.
#[derive(Clone, Debug)]
pub enum Refusal {
    /// A rule of LEDGER.md §2 (codes 1001–1010).
    Rule(TxError),
    /// The mempool is full, overall or for the sender (1011: retry later).
    Capacity(Full),
    /// The producer did not get to it in time, and now never will (1011: retry later).
    Busy,
    /// The node could not check it (a storage fault).
    Fault(String),
}

/// A proposed block: its time and its transactions (signed, as sent), in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub time: u64,
    pub transactions: Vec<Vec<u8>>,
}

impl Proposal {
    /// The key of this proposal's execution: see [`proposal_id`].
    pub fn id(&self) -> Hash {
        proposal_id(self.time, &self.transactions)
    }
}

/// `keccak256(rlp([time, [keccak256(tx)…]]))`: what identifies a block before it is
/// executed (its header hash needs the execution).
pub fn proposal_id(time: u64, transactions: &[Vec<u8>]) -> Hash {
    let hashes: Vec<Hash> = transactions.iter().map(|tx| keccak256(tx)).collect();
    proposal_id_of_hashes(time, &hashes)
}

/// [`proposal_id`] from the transactions' hashes (a transaction's hash is the Keccak-256
/// of its bytes).
fn proposal_id_of_hashes(time: u64, hashes: &[Hash]) -> Hash {
    let list = hashes
        .iter()
        .fold(ListBuilder::new(), |list, hash| list.bytes(&hash.0))
        .finish();
    keccak256(&ListBuilder::new().u64(time).raw(&list).finish())
}

/// Why an honest validator rejects a proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// More transactions than a block takes.
    TooManyTransactions { count: usize },
    /// A transaction does not decode, or is not valid at this height (the rules of
    /// LEDGER.md §2 against the state the block has reached).
    Transaction { position: usize, error: TxError },
    /// The gas limits add up past the block gas limit.
    GasOverLimit { total: u64, limit: u64 },
    /// Not after the parent's time, or too far ahead of this validator's clock.
    Time { parent: u64, got: u64, now: u64 },
    /// Re-executed, the block has another header than the proposer's.
    Header { expected: Hash, got: Hash },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::TooManyTransactions { count } => write!(
                f,
                "{count} transactions, more than the {MAX_BLOCK_TRANSACTIONS} a block takes"
            ),
            Invalid::Transaction { position, error } => {
                write!(f, "transaction {position} is invalid: {error}")
            }
            Invalid::GasOverLimit { total, limit } => write!(
                f,
                "the gas limits add up to {total}, over the block gas limit {limit}"
            ),
            Invalid::Time { parent, got, now } => write!(
                f,
                "time {got} is not after the parent's {parent} or too far ahead of this validator's clock ({now})"
            ),
            Invalid::Header { expected, got } => write!(
                f,
                "re-executed, the block's header hash is {got}, not the proposed {expected}"
            ),
        }
    }
}

/// A block executed on the head, waiting for the network's decision.
struct Executed {
    sealed: SealedBlock,
    /// Transactions of this node's mempool that the block took (in it or left out): the
    /// front of the mempool, for a block this node prepared.
    taken: Option<usize>,
    /// The senders of the block's transactions (for another validator's block).
    senders: BTreeSet<Address>,
}

/// What a committed block did, for the engine and the node's log.
#[derive(Clone, Debug)]
pub struct Committed {
    pub result: BlockResult,
}

impl Committed {
    pub fn header(&self) -> &Header {
        &self.result.header
    }
    pub fn receipts(&self) -> &[Receipt] {
        &self.result.receipts
    }
}

/// The ledger application: the chain, the executor that runs blocks and admission
/// checks, the mempool.
pub struct App<S: Store> {
    chain: Chain<S>,
    executor: VmExecutor,
    mempool: Arc<SharedMempool>,
    executed: BTreeMap<Hash, Executed>,
    /// The block [`App::finalize_block`] chose, for [`App::commit`].
    finalized: Option<Hash>,
}

impl<S: Store> App<S> {
    pub fn new(chain: Chain<S>, executor: VmExecutor, mempool: Arc<SharedMempool>) -> App<S> {
        App {
            chain,
            executor,
            mempool,
            executed: BTreeMap::new(),
            finalized: None,
        }
    }

    pub fn chain(&self) -> &Chain<S> {
        &self.chain
    }

    pub fn mempool(&self) -> &Arc<SharedMempool> {
        &self.mempool
    }

    /// The time of the next block: the clock's Unix seconds, or one past the head's when
    /// blocks come faster than one a second.
    pub fn next_time(&self) -> u64 {
        unix_now().max(self.chain.head().time.saturating_add(1))
    }

    /// Admission: the stateful checks of LEDGER.md §2 against the head plus the mempool
    /// (the nonce counts the sender's pending transactions); admitted into the mempool.
    ///
    /// # Errors
    /// Why it was not admitted.
    pub fn check_tx(&mut self, tx: VerifiedTransaction) -> Result<Hash, Refusal> {
        let hash = tx.signed.hash();
        let pending = {
            let mempool = self.mempool.lock();
            mempool.room_for(&tx).map_err(Refusal::Capacity)?;
            mempool.pending(&tx.sender)
        };
        match self.chain.check_verified(&mut self.executor, &tx, pending) {
            Ok(Ok(())) => {
                self.mempool.lock().push(Pending { tx });
                Ok(hash)
            }
            Ok(Err(rule)) => Err(Refusal::Rule(rule)),
            Err(fault) => Err(Refusal::Fault(fault.to_string())),
        }
    }

    /// [`App::check_tx`] for raw bytes (decoding, chain id and signature first).
    ///
    /// # Errors
    /// As [`App::check_tx`].
    pub fn check_raw(&mut self, raw: &[u8]) -> Result<Hash, Refusal> {
        let verified = verify_raw(raw, self.chain.config().chain_id).map_err(Refusal::Rule)?;
        self.check_tx(verified)
    }

    /// The proposer's block at `time`: the oldest waiting transactions, at most `max` and
    /// as many as fit the block gas limit, executed on the head. Those the block leaves
    /// out (now invalid) are logged and leave the mempool when the block is committed.
    ///
    /// # Errors
    /// A storage or executor fault; `time` not after the head's.
    pub fn prepare_proposal(
        &mut self,
        time: u64,
        max: usize,
    ) -> Result<(Proposal, Header), LedgerError> {
        let transactions = self.next_from_mempool(max);
        let taken = transactions.len();
        let id = self.prepare(time, transactions, Some(taken))?;
        self.proposal_of(&id, time)
    }

    /// The proposer's block at `time` from an engine's own mempool (ABCI++'s
    /// `PrepareProposal` hands its candidates over): those that decode, in order, while
    /// their gas limits fit the block gas limit together, executed on the head; those the
    /// block refuses are left out.
    ///
    /// # Errors
    /// As [`App::prepare_proposal`].
    pub fn prepare_from(
        &mut self,
        time: u64,
        candidates: &[Vec<u8>],
    ) -> Result<(Proposal, Header), LedgerError> {
        let config = *self.chain.config();
        let mut left = config.block_gas_limit;
        let transactions: Vec<VerifiedTransaction> = recover_all(candidates, config.chain_id)
            .into_iter()
            .flatten()
            .take(MAX_BLOCK_TRANSACTIONS)
            .take_while(|tx| {
                let wanted = tx.signed.tx().gas_limit;
                let fits = wanted <= left;
                left = left.saturating_sub(wanted);
                fits
            })
            .collect();
        let id = self.prepare(time, transactions, None)?;
        self.proposal_of(&id, time)
    }

    fn prepare(
        &mut self,
        time: u64,
        transactions: Vec<VerifiedTransaction>,
        taken: Option<usize>,
    ) -> Result<Hash, LedgerError> {
        let senders = if taken.is_none() {
            transactions.iter().map(|tx| tx.sender).collect()
        } else {
            BTreeSet::new()
        };
        let sealed = self.chain.execute_verified_block(
            &mut self.executor,
            time,
            transactions.into_iter().map(Ok),
        )?;
        let result = sealed.result();
        for rejected in &result.rejected {
            eprintln!(
                "assent node: block {} left out a pending transaction: {}",
                result.header.number, rejected.error
            );
        }
        let id = proposal_id_of_hashes(time, &result.transactions);
        self.remember(
            id,
            Executed {
                sealed,
                taken,
                senders,
            },
        );
        Ok(id)
    }

    /// The oldest waiting transactions, at most `max` and as many as fit the block gas
    /// limit together.
    fn next_from_mempool(&self, max: usize) -> Vec<VerifiedTransaction> {
        let block_gas_limit = self.chain.config().block_gas_limit;
        self.mempool
            .lock()
            .next_block(max.min(MAX_BLOCK_TRANSACTIONS), block_gas_limit)
    }

    /// The proposal and header of a block [`App::prepare`] executed.
    fn proposal_of(&self, id: &Hash, time: u64) -> Result<(Proposal, Header), LedgerError> {
        let sealed = &self
            .executed
            .get(id)
            .ok_or_else(|| LedgerError::Corrupt("the prepared block was not kept".into()))?
            .sealed;
        Ok((
            Proposal {
                time,
                transactions: sealed.encoded_transactions().map(<[u8]>::to_vec).collect(),
            },
            sealed.result().header.clone(),
        ))
    }

    /// Checks another validator's proposal and executes it on the head: the inner
    /// `Result` is the verdict (the block's header, or why honest validators reject it).
    /// `expected`, the header the proposer announced, must be the one re-execution gives.
    ///
    /// # Errors
    /// A storage or executor fault (this validator cannot judge the proposal).
    pub fn process_proposal(
        &mut self,
        proposal: &Proposal,
        expected: Option<&Header>,
    ) -> Result<Result<Header, Invalid>, LedgerError> {
        // The transactions' hashes serve twice: the proposal's id, and finding those the
        // mempool holds already.
        let hashes: Vec<Hash> = proposal
            .transactions
            .iter()
            .map(|tx| keccak256(tx))
            .collect();
        let id = proposal_id_of_hashes(proposal.time, &hashes);
        if let Some(executed) = self.executed.get(&id) {
            let header = executed.sealed.result().header.clone();
            return Ok(compare_header(header, expected));
        }
        let count = proposal.transactions.len();
        if count > MAX_BLOCK_TRANSACTIONS {
            return Ok(Err(Invalid::TooManyTransactions { count }));
        }
        let parent = self.chain.head().time;
        let now = unix_now();
        let latest = now
            .max(parent.saturating_add(1))
            .saturating_add(MAX_CLOCK_DRIFT);
        if proposal.time <= parent || proposal.time > latest {
            return Ok(Err(Invalid::Time {
                parent,
                got: proposal.time,
                now,
            }));
        }
        let chain_id = self.chain.config().chain_id;
        let limit = self.chain.config().block_gas_limit;
        let mut verified = Vec::with_capacity(count);
        let mut total: u64 = 0;
        for (position, recovered) in self
            .recover(&proposal.transactions, &hashes, chain_id)
            .enumerate()
        {
            match recovered {
                Ok(tx) => {
                    total = total.saturating_add(tx.signed.tx().gas_limit);
                    verified.push(tx);
                }
                Err(error) => return Ok(Err(Invalid::Transaction { position, error })),
            }
        }
        if total > limit {
            return Ok(Err(Invalid::GasOverLimit { total, limit }));
        }
        let senders = verified.iter().map(|tx| tx.sender).collect();
        let sealed = self.chain.execute_verified_block(
            &mut self.executor,
            proposal.time,
            verified.into_iter().map(Ok),
        )?;
        if let Some(rejected) = sealed.result().rejected.first() {
            return Ok(Err(Invalid::Transaction {
                position: rejected.position,
                error: rejected.error.clone(),
            }));
        }
        let header = sealed.result().header.clone();
        self.remember(
            id,
            Executed {
                sealed,
                taken: None,
                senders,
            },
        );
        Ok(compare_header(header, expected))
    }

    /// The proposal's transactions (with their `hashes`) and their senders: those waiting
    /// in the mempool as they were admitted (their signatures recovered then), the others
    /// recovered now on all cores. Under load most of another validator's proposal arrived
    /// here first as forwarded transactions, and recovering a signature is most of what
    /// checking one costs.
    fn recover(
        &self,
        transactions: &[Vec<u8>],
        hashes: &[Hash],
        chain_id: u64,
    ) -> impl Iterator<Item = Result<VerifiedTransaction, TxError>> {
        let known = self.mempool.lock().find_all(hashes);
        let unknown: Vec<Vec<u8>> = known
            .iter()
            .zip(transactions)
            .filter(|(known, _)| known.is_none())
            .map(|(_, raw)| raw.clone())
            .collect();
        let mut recovered = recover_all(&unknown, chain_id).into_iter();
        known.into_iter().map(move |known| match known {
            Some(tx) => Ok(tx),
            None => recovered
                .next()
                .unwrap_or(Err(TxError::BadSignature("not recovered"))),
        })
    }

    /// The decided block: executed already (as proposed or processed) or now, and held
    /// for [`App::commit`]. Returns its header and receipts. A decided block every honest
    /// validator checked cannot be invalid here; if it is (this node's state differs from
    /// the network's), the error says so and the caller halts.
    ///
    /// # Errors
    /// A storage or executor fault, or the block is invalid on this node's state.
    pub fn finalize_block(&mut self, proposal: &Proposal) -> Result<BlockResult, LedgerError> {
        let id = proposal.id();
        if !self.executed.contains_key(&id) {
            match self.process_proposal(proposal, None)? {
                Ok(_) => {}
                Err(invalid) => {
                    return Err(LedgerError::Corrupt(format!(
                        "the decided block {} is invalid on this node: {invalid}",
                        self.chain.head().number.saturating_add(1)
                    )));
                }
            }
        }
        let result = self
            .executed
            .get(&id)
            .map(|executed| executed.sealed.result().clone())
            .ok_or_else(|| LedgerError::Corrupt("the finalized block was not kept".into()))?;
        self.finalized = Some(id);
        Ok(result)
    }

    /// Stores the finalized block durably and moves the head; its transactions leave the
    /// mempool (with those a block this node prepared left out), and waiting transactions
    /// the block made stale (a nonce used) are dropped.
    ///
    /// # Errors
    /// Nothing finalized, or a storage fault: then nothing is stored, the block is dropped
    /// and the chain stays at its head.
    pub fn commit(&mut self) -> Result<Committed, LedgerError> {
        let id = self
            .finalized
            .take()
            .ok_or_else(|| LedgerError::Corrupt("no block was finalized to commit".into()))?;
        let executed = self
            .executed
            .remove(&id)
            .ok_or_else(|| LedgerError::Corrupt("the finalized block was not kept".into()))?;
        // Every other execution was on the old head.
        self.executed.clear();
        let result = self.chain.commit(executed.sealed)?;
        let number = result.header.number;
        let mut mempool = self.mempool.lock();
        match executed.taken {
            Some(count) => mempool.committed(count, number),
            None => {
                let included: BTreeSet<Hash> = result.transactions.iter().copied().collect();
                mempool.remove(&included, number);
                // A waiting transaction whose nonce the block used (another transaction of
                // the same sender, sent to another validator) can never be included.
                let mut next = BTreeMap::new();
                for sender in executed.senders {
                    if mempool.pending(&sender) > 0 {
                        next.insert(sender, self.chain.nonce(&sender)?);
                    }
                }
                mempool.drop_stale(&next);
            }
        }
        Ok(Committed { result })
    }

    /// The single node's block: prepared from the mempool, finalized and committed at once
    /// (a network of one validator decides its own proposal).
    ///
    /// # Errors
    /// As [`App::prepare_proposal`] and [`App::commit`].
    pub fn produce(&mut self, time: u64, max: usize) -> Result<Committed, LedgerError> {
        let transactions = self.next_from_mempool(max);
        let taken = transactions.len();
        // Its own proposal, decided at once: no copy of the transactions, no rehashing.
        let id = self.prepare(time, transactions, Some(taken))?;
        self.finalized = Some(id);
        self.commit()
    }

    /// Drops the transaction at the front of the mempool (one no block can commit, even
    /// alone: LEDGER.md §2, no transaction halts the chain).
    pub fn evict_first(&mut self) {
        self.mempool.lock().evict(0);
    }

    /// Reads for an engine's clients, as `(path, data)` → JSON text:
    /// `nonce` (data: a 0x address) → the next nonce counting the mempool;
    /// `receipt` (data: a 0x tx hash) → the receipt or null;
    /// `block` (data: a number, or empty for the head) → the block JSON or null.
    ///
    /// # Errors
    /// An unknown path or malformed data (a message), or a storage fault.
    pub fn query(&self, path: &str, data: &str) -> Result<serde_json::Value, String> {
        let data = data.trim();
        let store = self.chain.store();
        match path.trim_start_matches('/') {
            "nonce" => {
                let account = Address::from_hex(data)
                    .ok_or_else(|| format!("`{data}` is not a 0x address"))?;
                let committed = self.chain.nonce(&account).map_err(|e| e.to_string())?;
                let pending = self.mempool.lock().pending(&account);
                Ok(serde_json::json!(committed.saturating_add(pending)))
            }
            "receipt" => {
                let hash = Hash::from_hex(data)
                    .ok_or_else(|| format!("`{data}` is not a 0x transaction hash"))?;
                let receipt = store.receipt(&hash).map_err(|e| e.to_string())?;
                Ok(receipt.map_or(serde_json::Value::Null, |receipt| receipt.to_json()))
            }
            "block" => {
                let number = if data.is_empty() {
                    self.chain.head().number
                } else {
                    data.parse::<u64>()
                        .map_err(|_| format!("`{data}` is not a block number"))?
                };
                let Some(header) = store.header(number).map_err(|e| e.to_string())? else {
                    return Ok(serde_json::Value::Null);
                };
                let transactions = store
                    .block_transactions(number)
                    .map_err(|e| e.to_string())?;
                Ok(header.to_json(&transactions))
            }
            other => Err(format!(
                "unknown query path `{other}`: use `nonce`, `receipt` or `block`"
            )),
        }
    }

    fn remember(&mut self, id: Hash, executed: Executed) {
        if self.executed.len() >= MAX_EXECUTED
            && let Some(oldest) = self.executed.keys().next().copied()
            && Some(oldest) != self.finalized
        {
            self.executed.remove(&oldest);
        }
        self.executed.insert(id, executed);
    }
}

fn compare_header(header: Header, expected: Option<&Header>) -> Result<Header, Invalid> {
    match expected {
        Some(expected) if *expected != header => Err(Invalid::Header {
            expected: expected.hash(),
            got: header.hash(),
        }),
        _ => Ok(header),
    }
}

/// The clock's Unix seconds (0 before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use assent_ledger::{ChainConfig, MemoryStore};
    use assent_vm::VmConfig;

    const GENESIS: u64 = 1_767_225_600;

    fn app() -> App<MemoryStore> {
        let config = ChainConfig {
            chain_id: 7,
            block_gas_limit: assent_ledger::DEFAULT_BLOCK_GAS_LIMIT,
            genesis_time: GENESIS,
        };
        App::new(
            Chain::open(MemoryStore::new(), config).unwrap(),
            VmExecutor::new(VmConfig {
                pool_instances: 4,
                ..VmConfig::default()
            })
            .unwrap(),
            Arc::new(SharedMempool::new(0)),
        )
    }

    /// `from`'s deployment of the test counter with this nonce, signed.
    fn deployment(from: &str, nonce: u64) -> Vec<u8> {
        deployment_with_gas(from, nonce, 100_000_000)
    }

    fn deployment_with_gas(from: &str, nonce: u64, gas_limit: u64) -> Vec<u8> {
        crate::test_support::counter_deployment(from, nonce, gas_limit)
    }

    #[test]
    fn a_validator_rejects_what_an_honest_proposer_would_not_propose() {
        let mut proposer = app();
        let mut validator = app();
        let tx = deployment("a", 0);
        proposer.check_raw(&tx).unwrap();
        let time = GENESIS + 10;
        let (proposal, header) = proposer.prepare_proposal(time, usize::MAX).unwrap();
        assert_eq!(proposal.transactions, vec![tx.clone()]);

        // The honest proposal, with its header: accepted, the same header.
        assert_eq!(
            validator
                .process_proposal(&proposal, Some(&header))
                .unwrap(),
            Ok(header.clone())
        );
        // A wrong state root announced: rejected.
        let mut wrong = header.clone();
        wrong.state_root = Hash([9; 32]);
        assert!(matches!(
            validator.process_proposal(&proposal, Some(&wrong)).unwrap(),
            Err(Invalid::Header { .. })
        ));
        // A time not after the parent's, or far ahead of the clock.
        for time in [GENESIS, unix_now() + MAX_CLOCK_DRIFT + 60] {
            let late = Proposal {
                time,
                transactions: proposal.transactions.clone(),
            };
            assert!(matches!(
                validator.process_proposal(&late, None).unwrap(),
                Err(Invalid::Time { .. })
            ));
        }
        // The same transaction twice: the second's nonce is used.
        let twice = Proposal {
            time,
            transactions: vec![tx.clone(), tx.clone()],
        };
        assert!(matches!(
            validator.process_proposal(&twice, None).unwrap(),
            Err(Invalid::Transaction { position: 1, .. })
        ));
        // Too many transactions.
        let many = Proposal {
            time,
            transactions: vec![tx; MAX_BLOCK_TRANSACTIONS + 1],
        };
        assert!(matches!(
            validator.process_proposal(&many, None).unwrap(),
            Err(Invalid::TooManyTransactions { .. })
        ));

        // Both commit the decided block and reach the same head.
        let decided = proposer.finalize_block(&proposal).unwrap();
        proposer.commit().unwrap();
        assert_eq!(validator.finalize_block(&proposal).unwrap(), decided);
        validator.commit().unwrap();
        assert_eq!(proposer.chain().head(), validator.chain().head());
        assert!(proposer.mempool().lock().is_empty());
    }

    #[test]
    fn another_validators_block_cleans_the_mempool() {
        let mut proposer = app();
        let mut validator = app();
        // The validator holds alice's transaction 0 and bob's 0 and 1 …
        let alice = deployment("alice", 0);
        let (bob0, bob1) = (deployment("bob", 0), deployment("bob", 1));
        for tx in [&alice, &bob0, &bob1] {
            validator.check_raw(tx).unwrap();
        }
        // … the proposer alice's and another transaction 0 of bob's (another gas limit).
        let other_bob0 = deployment_with_gas("bob", 0, 99_000_000);
        proposer.check_raw(&alice).unwrap();
        proposer.check_raw(&other_bob0).unwrap();
        let (proposal, header) = proposer.prepare_proposal(GENESIS + 1, usize::MAX).unwrap();
        assert_eq!(
            validator
                .process_proposal(&proposal, Some(&header))
                .unwrap(),
            Ok(header)
        );
        validator.finalize_block(&proposal).unwrap();
        validator.commit().unwrap();
        // Alice's left as included; bob's 0 as stale (its nonce used); bob's 1 waits, and
        // is now his next.
        let mempool = validator.mempool().lock();
        let waiting = mempool.next_block(usize::MAX, u64::MAX);
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].signed.encoded(), bob1.as_slice());
        assert_eq!(mempool.head(), 1);
    }
}
