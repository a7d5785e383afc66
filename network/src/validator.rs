//! The validator's one thread that owns the ledger: it answers the engine's messages
//! through the [`App`] (prepare, process, finalize, commit) and admits the transactions
//! its JSON-RPC workers and its peers hand it. One message loop, each message a small
//! named handler.

use std::sync::mpsc::Receiver;
use std::time::Duration;

use assent_ledger::block::ordered_root;
use assent_ledger::{Hash, RedbStore, Store};
use assent_node::app::{App, MAX_BLOCK_TRANSACTIONS, Proposal as AppProposal};
use assent_node::consensus::certificate::Certificate;
use assent_node::consensus::commits::CommitStore;
use assent_node::consensus::context::{
    Address, Block, BlockId, Height, LedgerContext, ProposalPart, Signature, ValidatorSet,
};
use assent_node::consensus::keys::ValidatorKey;
use assent_node::server::producer::Command;
use bytes::Bytes;

use crate::codec::decided_certificate;
use crate::gossip::Gossip;
use malachitebft_app_channel::app::engine::host::{Next, SyncedValueOutcome};
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, Context as _, ExtendedCommitCertificate, HeightParams, LinearTimeouts,
    Round, Validity, Value as _,
};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, ProposedValue};
use malachitebft_app_channel::{AppMsg, NetworkMsg};

/// The shortest time a height takes: about one block a second, as a single node's default.
pub const BLOCK_TIME: Duration = Duration::from_secs(1);

/// How many heights ahead a proposal is kept until this validator gets there.
const MAX_HEIGHTS_AHEAD: u64 = 2;

/// The most blocks kept for the heights not committed yet (a few rounds' worth; more is a
/// peer flooding this validator with blocks to execute).
const MAX_PROPOSED: usize = 64;

/// The most early proposals kept.
const MAX_PENDING: usize = 16;

/// The most decided blocks one sync answer carries.
const MAX_SYNC_BATCH: u64 = 50;

/// The exit status of a validator that stops because its execution differs from the
/// network's (as `assent abci`'s).
pub const DIVERGED: i32 = 70;

/// What the validator thread is asked to do.
pub enum Job {
    /// A message of the consensus engine.
    Consensus(Box<AppMsg<LedgerContext>>),
    /// A transaction from this validator's JSON-RPC workers.
    Rpc(Command),
    /// Stop after the current message.
    Stop,
}

/// A test-only fault: the validator proposes blocks whose header announces a wrong state
/// root, so that the others reject its proposals (see `docs/network.md`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    pub wrong_state_root: bool,
}

pub struct Validator {
    pub app: App<RedbStore>,
    pub context: LedgerContext,
    pub validators: ValidatorSet,
    pub address: Address,
    pub commits: CommitStore,
    pub network: tokio::sync::mpsc::Sender<NetworkMsg<LedgerContext>>,
    /// Admitted transactions go on to the peers.
    pub gossip: Gossip,
    pub verbose: bool,
    pub faults: Faults,
    /// The blocks proposed at heights not yet committed, as consensus saw them.
    pub proposed: Vec<ProposedValue<LedgerContext>>,
    /// This validator's consensus key: it signs the blocks it proposes.
    pub key: ValidatorKey,
    /// The proposers' signatures of the blocks in `proposed` that others proposed, passed
    /// on when this validator restreams one.
    pub part_signatures: Vec<(Height, BlockId, Signature)>,
    /// Proposals for heights this validator has not started yet.
    pub pending: Vec<ProposalPart>,
}

impl Validator {
    /// Answers jobs until [`Job::Stop`] or every sender is gone.
    pub fn run(mut self, jobs: &Receiver<Job>) {
        while let Ok(job) = jobs.recv() {
            match job {
                Job::Consensus(message) => self.handle(*message),
                Job::Rpc(Command::Submit {
                    tx,
                    submission,
                    relayed,
                }) => {
                    let raw = tx.signed.encoded().to_vec();
                    let admitted = submission.answer(|| self.app.check_tx(*tx)) == Some(true);
                    // The validator that relayed it sent it to every peer already.
                    if admitted && !relayed {
                        self.gossip.send(&raw);
                    }
                }
                Job::Rpc(Command::Stop) | Job::Stop => break,
            }
        }
    }

    fn head(&self) -> u64 {
        self.app.chain().head().number
    }

    fn params(&self) -> HeightParams<LedgerContext> {
        HeightParams::new(
            self.validators.clone(),
            LinearTimeouts::default(),
            Some(BLOCK_TIME),
        )
    }

    fn handle(&mut self, message: AppMsg<LedgerContext>) {
        match message {
            AppMsg::ConsensusReady { reply } => {
                let next = Height(self.head().saturating_add(1));
                let _ = reply.send((next, self.params()));
            }
            AppMsg::StartedRound {
                height,
                round,
                reply_value,
                ..
            } => {
                self.take_pending(height);
                let seen = self
                    .proposed
                    .iter()
                    .filter(|value| value.height == height && value.round == round)
                    .cloned()
                    .collect();
                let _ = reply_value.send(seen);
            }
            AppMsg::GetValue {
                height,
                round,
                reply,
                ..
            } => {
                if let Some(block) = self.get_value(height, round) {
                    let _ = reply.send(LocallyProposedValue::new(height, round, block.clone()));
                    let signature = self.sign_part(height, &block);
                    self.publish(ProposalPart {
                        height,
                        round,
                        pol_round: Round::Nil,
                        proposer: self.address,
                        block,
                        signature,
                    });
                }
            }
            AppMsg::ReceivedProposalPart { part, reply, .. } => {
                let value = match part.content {
                    StreamContent::Data(part) => self.received(part),
                    StreamContent::Fin => None,
                };
                let _ = reply.send(value);
            }
            AppMsg::Decided {
                certificate, reply, ..
            } => {
                self.decided(&certificate);
                let _ = reply.send(());
            }
            AppMsg::Finalized {
                certificate, reply, ..
            } => {
                let next = Height(self.head().saturating_add(1));
                let params = self.params();
                let _ = reply.send(if certificate.height.0 == self.head() {
                    Next::Start(next, params)
                } else {
                    Next::Restart(next, params)
                });
            }
            AppMsg::GetDecidedValues { range, reply } => {
                let _ = reply.send(self.decided_values(range.start().0, range.end().0));
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                let _ = reply.send(Height(1));
            }
            AppMsg::ProcessSyncedValue {
                height,
                round,
                proposer,
                value_bytes,
                reply,
            } => {
                let outcome = self.synced(height, round, proposer, &value_bytes);
                let _ = reply.send(outcome);
            }
            AppMsg::RestreamProposal {
                height,
                round,
                valid_round,
                address,
                value_id,
            } => {
                let block = self.block(height, value_id);
                let signed = block.and_then(|block| {
                    let signature = self.part_signature(height, &block, address)?;
                    Some((block, signature))
                });
                if let Some((block, signature)) = signed {
                    self.publish(ProposalPart {
                        height,
                        round,
                        pol_round: valid_round,
                        proposer: address,
                        block,
                        signature,
                    });
                }
            }
            AppMsg::ExtendVote { reply, .. } => {
                // Vote extensions are not used.
                let _ = reply.send(None);
            }
            AppMsg::VerifyVoteExtensions {
                extensions, reply, ..
            } => {
                let _ = reply.send(
                    extensions
                        .into_iter()
                        .map(|(address, ())| (address, Ok(())))
                        .collect(),
                );
            }
        }
    }

    /// This validator's block for `height` and `round`: the one it proposed already in
    /// that round, or a new one from the mempool.
    fn get_value(&mut self, height: Height, round: Round) -> Option<Block> {
        if let Some(value) = self.proposed.iter().find(|value| {
            value.height == height && value.round == round && value.proposer == self.address
        }) {
            return Some(value.value.clone());
        }
        if height.0 != self.head().saturating_add(1) {
            return None;
        }
        let time = self.app.next_time();
        let (proposal, mut header) = match self.app.prepare_proposal(time, MAX_BLOCK_TRANSACTIONS) {
            Ok(prepared) => prepared,
            Err(error) => {
                eprintln!("assent node: cannot prepare block {height}: {error}");
                return None;
            }
        };
        if self.faults.wrong_state_root {
            header.state_root = Hash([0xfa; 32]);
        }
        let block = Block::new(&header, time, proposal.transactions);
        self.proposed.push(ProposedValue {
            height,
            round,
            valid_round: Round::Nil,
            proposer: self.address,
            value: block.clone(),
            validity: Validity::Valid,
        });
        Some(block)
    }

    /// This validator's signature of `block` as its proposal at `height`.
    fn sign_part(&self, height: Height, block: &Block) -> Signature {
        Signature(self.key.sign(&self.context.part_bytes(height, &block.id())))
    }

    /// The signature `proposer` gave `block` at `height`: this validator's own, or the
    /// one that came with the block; `None` when it has none to pass on.
    fn part_signature(
        &self,
        height: Height,
        block: &Block,
        proposer: Address,
    ) -> Option<Signature> {
        if proposer == self.address {
            return Some(self.sign_part(height, block));
        }
        let id = block.id();
        self.part_signatures
            .iter()
            .find(|(signed, block, _)| *signed == height && *block == id)
            .map(|(_, _, signature)| *signature)
    }

    /// Sends a proposal part to the peers: the whole block, then the end of the stream.
    fn publish(&self, part: ProposalPart) {
        let round = u64::from(part.round.as_u32().unwrap_or(0));
        let mut id = part.height.0.to_be_bytes().to_vec();
        id.extend_from_slice(&round.to_be_bytes());
        let stream = StreamId::new(Bytes::from(id));
        let messages = [
            StreamMessage::new(stream.clone(), 0, StreamContent::Data(part)),
            StreamMessage::new(stream, 1, StreamContent::Fin),
        ];
        for message in messages {
            if self
                .network
                .blocking_send(NetworkMsg::PublishProposalPart(message))
                .is_err()
            {
                eprintln!("assent node: the consensus engine stopped");
            }
        }
    }

    /// Another validator's proposal: checked and executed (a verdict), or `None` when the
    /// part is not its proposer's block for the next height.
    fn received(&mut self, part: ProposalPart) -> Option<ProposedValue<LedgerContext>> {
        let proposer = self
            .context
            .select_proposer(&self.validators, part.height, part.round)
            .address;
        if proposer != part.proposer || !self.context.part_signed(&part) {
            return None;
        }
        let next = self.head().saturating_add(1);
        if part.height.0 > next
            && part.height.0 <= next.saturating_add(MAX_HEIGHTS_AHEAD)
            && self.pending.len() < MAX_PENDING
        {
            // A proposal for a height this validator has not reached yet (it is still
            // committing the previous block): judged when it gets there.
            self.pending.push(part);
            return None;
        }
        if part.height.0 != next || self.proposed.len() >= MAX_PROPOSED {
            return None;
        }
        if let Some(seen) = self.proposed.iter().find(|value| {
            value.height == part.height
                && value.round == part.round
                && value.value.id() == part.block.id()
        }) {
            return Some(seen.clone());
        }
        let validity = self.verdict(&part.block)?;
        self.part_signatures
            .push((part.height, part.block.id(), part.signature));
        let value = ProposedValue {
            height: part.height,
            round: part.round,
            valid_round: part.pol_round,
            proposer: part.proposer,
            value: part.block,
            validity,
        };
        self.proposed.push(value.clone());
        Some(value)
    }

    /// The proposals that arrived early for `height`, judged now that it has started
    /// (consensus takes them with the round's values); those for passed heights dropped.
    fn take_pending(&mut self, height: Height) {
        let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .filter(|part| part.height >= height)
            .partition(|part| part.height == height);
        self.pending = later;
        for part in now {
            let _ = self.received(part);
        }
    }

    /// Whether honest validators accept `block` on this validator's head; `None` when the
    /// block's header does not decode or does not commit to its transactions (a part no
    /// proposer signed: ignored rather than judged) or this validator cannot judge it.
    fn verdict(&mut self, block: &Block) -> Option<Validity> {
        let header = block.header()?;
        if transactions_root(block) != header.transactions_root {
            return None;
        }
        let proposal = AppProposal {
            time: block.time,
            transactions: block.transactions.clone(),
        };
        match self.app.process_proposal(&proposal, Some(&header)) {
            Ok(Ok(_)) => Some(Validity::Valid),
            Ok(Err(invalid)) => {
                eprintln!(
                    "assent node: rejected the proposal of block {}: {invalid}",
                    header.number
                );
                Some(Validity::Invalid)
            }
            Err(fault) => {
                eprintln!(
                    "assent node: cannot check the proposal of block {}: {fault}",
                    header.number
                );
                None
            }
        }
    }

    /// The block with id `value_id` proposed at `height`.
    fn block(&self, height: Height, value_id: BlockId) -> Option<Block> {
        self.proposed
            .iter()
            .find(|value| value.height == height && value.value.id() == value_id)
            .map(|value| value.value.clone())
    }

    /// The network decided a block: executed (or taken as executed), committed, its
    /// certificate stored. A block this validator executes to another header than the
    /// decided one stops it: it never forks silently.
    fn decided(&mut self, certificate: &CommitCertificate<LedgerContext>) {
        let height = certificate.height;
        if height.0 != self.head().saturating_add(1) {
            return;
        }
        let Some(block) = self.block(height, certificate.value_id) else {
            // Consensus decides only a value it has; should it not, the height restarts
            // and sync brings the block.
            eprintln!("assent node: block {height} was decided, but this validator lacks it");
            return;
        };
        let proposal = AppProposal {
            time: block.time,
            transactions: block.transactions,
        };
        let result = match self.app.finalize_block(&proposal) {
            Ok(result) => result,
            Err(error) => halt(&format!(
                "cannot execute the decided block {height}: {error}"
            )),
        };
        let hash = result.header.hash();
        if hash != certificate.value_id.0 {
            halt(&format!(
                "executed, the decided block {height} has header hash {hash}, not the network's {}",
                certificate.value_id
            ));
        }
        let committed = match self.app.commit() {
            Ok(committed) => committed,
            Err(error) => halt(&format!("cannot store the decided block {height}: {error}")),
        };
        let ours = self.context.certificate(&self.validators, certificate);
        if let Err(error) = self.commits.put(&ours) {
            eprintln!("assent node: cannot store the certificate of block {height}: {error}");
        }
        self.proposed.retain(|value| value.height.0 > height.0);
        self.part_signatures
            .retain(|(signed, _, _)| signed.0 > height.0);
        let count = committed.receipts().len();
        if self.verbose && count > 0 {
            eprintln!(
                "assent node: block {height}: {count} transaction{} (round {})",
                if count == 1 { "" } else { "s" },
                certificate.round
            );
        }
    }

    /// The decided blocks from `from` to `to` (at most [`MAX_SYNC_BATCH`]), each with its
    /// certificate, for a peer catching up.
    fn decided_values(&self, from: u64, to: u64) -> Vec<RawDecidedValue<LedgerContext>> {
        let last = to.min(from.saturating_add(MAX_SYNC_BATCH - 1));
        let mut values = Vec::new();
        for height in from..=last {
            match self.decided_value(height) {
                Ok(Some(value)) => values.push(value),
                Ok(None) => break,
                Err(error) => {
                    eprintln!("assent node: cannot read block {height} for a peer: {error}");
                    break;
                }
            }
        }
        values
    }

    fn decided_value(&self, height: u64) -> Result<Option<RawDecidedValue<LedgerContext>>, String> {
        let Some(certificate) = self.commits.get(height)? else {
            return Ok(None);
        };
        let store = self.app.chain().store();
        let Some(header) = store.header(height).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let mut transactions = Vec::new();
        for hash in store
            .block_transactions(height)
            .map_err(|e| e.to_string())?
        {
            let stored = store
                .transaction(&hash)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("transaction {hash} of block {height} is missing"))?;
            transactions.push(stored.raw);
        }
        let block = Block::new(&header, header.time, transactions);
        let value_bytes = borsh::to_vec(&block).map_err(|e| e.to_string())?;
        Ok(Some(RawDecidedValue {
            certificate: malachite_certificate(&certificate),
            value_bytes: Bytes::from(value_bytes),
        }))
    }

    /// A decided block from a peer, while catching up: checked and executed like a
    /// proposal (the engine checks its certificate).
    fn synced(
        &mut self,
        height: Height,
        round: Round,
        proposer: Address,
        bytes: &[u8],
    ) -> SyncedValueOutcome<LedgerContext> {
        let Ok(block) = borsh::from_slice::<Block>(bytes) else {
            return SyncedValueOutcome::PeerFault;
        };
        if height.0 != self.head().saturating_add(1) {
            return SyncedValueOutcome::LocalTransientError;
        }
        let Some(validity) = self.verdict(&block) else {
            return SyncedValueOutcome::PeerFault;
        };
        let value = ProposedValue {
            height,
            round,
            valid_round: Round::Nil,
            proposer,
            value: block,
            validity,
        };
        self.proposed.push(value.clone());
        SyncedValueOutcome::Verdict(value)
    }
}

/// The root a header's `transactions_root` must be for these transactions.
fn transactions_root(block: &Block) -> Hash {
    ordered_root(block.transactions.iter().map(Vec::as_slice))
}

/// A stored certificate as Malachite's.
fn malachite_certificate(certificate: &Certificate) -> ExtendedCommitCertificate<LedgerContext> {
    decided_certificate(
        Height(certificate.height),
        Round::new(u32::try_from(certificate.round).unwrap_or(u32::MAX)),
        BlockId(certificate.block_hash),
        certificate
            .signatures
            .iter()
            .map(|signature| {
                (
                    Address(signature.public_key),
                    Signature(signature.signature),
                )
            })
            .collect(),
    )
}

/// Stops the validator: its state differs from the network's, or it cannot store a block.
fn halt(message: &str) -> ! {
    eprintln!("assent node: stopping: {message}");
    std::process::exit(DIVERGED)
}

/// The validator thread, with a stack the VM runs on.
///
/// # Errors
/// The thread cannot be started.
pub fn spawn(
    validator: Validator,
    jobs: Receiver<Job>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("assent-validator".into())
        .stack_size(assent_node::executor::VmExecutor::THREAD_STACK)
        .spawn(move || validator.run(&jobs))
}
