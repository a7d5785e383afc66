//! The application served over ABCI++ (CometBFT v0.38, crate `tendermint-abci`): each ABCI
//! method is one step of the [`App`] the single node and the embedded validators drive too.
//!
//! | ABCI | [`App`] |
//! |---|---|
//! | `Info`, `InitChain` | the head (height, header hash as the app hash) |
//! | `CheckTx` | [`App::check_raw`] (a recheck of a transaction still waiting passes) |
//! | `PrepareProposal` | [`App::prepare_from`] the engine's candidates |
//! | `ProcessProposal` | [`App::process_proposal`] |
//! | `FinalizeBlock` | [`App::finalize_block`]: one result per transaction, the app hash |
//! | `Commit` | [`App::commit`] |
//! | `Query` | [`App::query`] (`nonce`, `receipt`, `block`) |
//!
//! A block's time is the engine's time in Unix seconds, or one past the parent's when that
//! is not later: the same rule on every validator, so the same block. The app hash CometBFT
//! records is the block's header hash (LEDGER.md §4), which commits to the state root, the
//! transactions and the receipts. A decided block this node cannot execute, or executes to
//! another header than the network, halts the application loudly (`on_halt`): it never
//! forks silently.

pub mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tendermint_abci::Application;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci::{
    CheckTxType, ExecTxResult, RequestCheckTx, RequestFinalizeBlock, RequestInfo, RequestInitChain,
    RequestPrepareProposal, RequestProcessProposal, RequestQuery, ResponseCheckTx, ResponseCommit,
    ResponseFinalizeBlock, ResponseInfo, ResponseInitChain, ResponsePrepareProposal,
    ResponseProcessProposal, ResponseQuery, response_process_proposal::ProposalStatus,
};

use assent_ledger::Store;
use assent_ledger::receipt::Status;

use crate::app::{App, Proposal, Refusal};

/// What the adapter calls when the application must stop (a decided block it cannot
/// follow); the `assent abci` command exits.
pub type OnHalt = Arc<dyn Fn(&str) + Send + Sync>;

/// Result codes of `CheckTx` beyond the transaction rules' 1001–1011.
pub const CODE_OK: u32 = 0;
/// The application could not check or run it (a storage fault), or it halted.
pub const CODE_INTERNAL: u32 = 1;
/// `FinalizeBlock`: the transaction aborted (it is in the block; its nonce moved on).
pub const CODE_ABORTED: u32 = 2;
/// `FinalizeBlock`: the transaction ran out of gas.
pub const CODE_OUT_OF_GAS: u32 = 3;
/// `CheckTx`: the mempool is full (retry later), as RPC error 1011.
pub const CODE_AT_CAPACITY: u32 = 1011;

/// The application behind the ABCI connections (CometBFT opens four; each request takes
/// the lock in turn).
pub struct AbciApp<S: Store> {
    state: Arc<Mutex<State<S>>>,
    on_halt: OnHalt,
}

impl<S: Store> Clone for AbciApp<S> {
    fn clone(&self) -> Self {
        AbciApp {
            state: self.state.clone(),
            on_halt: self.on_halt.clone(),
        }
    }
}

struct State<S: Store> {
    app: App<S>,
    /// Why the application stopped following the chain.
    halted: Option<String>,
}

impl<S: Store> AbciApp<S> {
    pub fn new(app: App<S>, on_halt: OnHalt) -> AbciApp<S> {
        AbciApp {
            state: Arc::new(Mutex::new(State { app, halted: None })),
            on_halt,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops following the chain: every later request fails, and `on_halt` is told.
    fn halt(&self, state: &mut State<S>, message: String) {
        eprintln!("assent abci: halted: {message}");
        state.halted = Some(message.clone());
        (self.on_halt)(&message);
    }
}

/// A block's time: the engine's, in Unix seconds, or one past the parent's when that is
/// not later.
pub fn block_time(time: Option<&Timestamp>, parent: u64) -> u64 {
    let seconds = time.map_or(0, |time| u64::try_from(time.seconds).unwrap_or(0));
    seconds.max(parent.saturating_add(1))
}

fn to_vecs(txs: &[Bytes]) -> Vec<Vec<u8>> {
    txs.iter().map(|tx| tx.to_vec()).collect()
}

fn height(number: u64) -> i64 {
    i64::try_from(number).unwrap_or(i64::MAX)
}

impl<S: Store> Application for AbciApp<S> {
    fn info(&self, _request: RequestInfo) -> ResponseInfo {
        let state = self.lock();
        let head = state.app.chain().head();
        ResponseInfo {
            data: "assent".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            app_version: 1,
            last_block_height: height(head.number),
            last_block_app_hash: Bytes::copy_from_slice(&head.hash().0),
        }
    }

    fn init_chain(&self, request: RequestInitChain) -> ResponseInitChain {
        let mut state = self.lock();
        let head = state.app.chain().head().clone();
        if request.initial_height > 1 || head.number != 0 {
            let message = format!(
                "InitChain at height {} on a ledger at block {}: start from an empty data directory with initial height 1",
                request.initial_height, head.number
            );
            self.halt(&mut state, message);
        }
        ResponseInitChain {
            consensus_params: None,
            validators: Vec::new(),
            app_hash: Bytes::copy_from_slice(&head.hash().0),
        }
    }

    fn check_tx(&self, request: RequestCheckTx) -> ResponseCheckTx {
        let mut state = self.lock();
        if let Some(halted) = &state.halted {
            return check_response(CODE_INTERNAL, format!("halted: {halted}"));
        }
        if request.r#type == CheckTxType::Recheck as i32 {
            let hash = assent_ledger::keccak256(&request.tx);
            if state.app.mempool().lock().contains(&hash) {
                return check_response(CODE_OK, String::new());
            }
        }
        match state.app.check_raw(&request.tx) {
            Ok(hash) => ResponseCheckTx {
                code: CODE_OK,
                data: Bytes::copy_from_slice(&hash.0),
                ..ResponseCheckTx::default()
            },
            Err(Refusal::Rule(rule)) => check_response(
                u32::try_from(rule.code()).unwrap_or(CODE_INTERNAL),
                rule.to_string(),
            ),
            Err(Refusal::Capacity(full)) => check_response(CODE_AT_CAPACITY, full.to_string()),
            Err(Refusal::Busy) => check_response(CODE_AT_CAPACITY, "busy: retry later".into()),
            Err(Refusal::Fault(fault)) => check_response(CODE_INTERNAL, fault),
        }
    }

    fn prepare_proposal(&self, request: RequestPrepareProposal) -> ResponsePrepareProposal {
        let mut state = self.lock();
        if state.halted.is_some() {
            return ResponsePrepareProposal { txs: Vec::new() };
        }
        let time = block_time(request.time.as_ref(), state.app.chain().head().time);
        // The engine's byte limit first, then the block gas limit and validity.
        let max_bytes = usize::try_from(request.max_tx_bytes).unwrap_or(0);
        let mut total = 0usize;
        let candidates: Vec<Vec<u8>> = request
            .txs
            .iter()
            .take_while(|tx| {
                total = total.saturating_add(tx.len());
                total <= max_bytes
            })
            .map(|tx| tx.to_vec())
            .collect();
        match state.app.prepare_from(time, &candidates) {
            Ok((proposal, _)) => ResponsePrepareProposal {
                txs: proposal.transactions.into_iter().map(Bytes::from).collect(),
            },
            Err(error) => {
                eprintln!(
                    "assent abci: cannot prepare a proposal: {error}; proposing an empty block"
                );
                ResponsePrepareProposal { txs: Vec::new() }
            }
        }
    }

    fn process_proposal(&self, request: RequestProcessProposal) -> ResponseProcessProposal {
        let mut state = self.lock();
        let reject = ResponseProcessProposal {
            status: ProposalStatus::Reject as i32,
        };
        if state.halted.is_some() {
            return reject;
        }
        let head = state.app.chain().head().clone();
        if request.height != height(head.number.saturating_add(1)) {
            eprintln!(
                "assent abci: rejected a proposal at height {}: this ledger is at block {}",
                request.height, head.number
            );
            return reject;
        }
        let proposal = Proposal {
            time: block_time(request.time.as_ref(), head.time),
            transactions: to_vecs(&request.txs),
        };
        match state.app.process_proposal(&proposal, None) {
            Ok(Ok(_)) => ResponseProcessProposal {
                status: ProposalStatus::Accept as i32,
            },
            Ok(Err(invalid)) => {
                eprintln!(
                    "assent abci: rejected the proposal at height {}: {invalid}",
                    request.height
                );
                reject
            }
            Err(error) => {
                eprintln!(
                    "assent abci: cannot judge the proposal at height {}: {error}",
                    request.height
                );
                reject
            }
        }
    }

    fn finalize_block(&self, request: RequestFinalizeBlock) -> ResponseFinalizeBlock {
        let mut state = self.lock();
        if state.halted.is_some() {
            return ResponseFinalizeBlock::default();
        }
        let head = state.app.chain().head().clone();
        let expected = height(head.number.saturating_add(1));
        if request.height != expected {
            let message = format!(
                "FinalizeBlock at height {} while this ledger expects {expected}",
                request.height
            );
            self.halt(&mut state, message);
            return ResponseFinalizeBlock::default();
        }
        let proposal = Proposal {
            time: block_time(request.time.as_ref(), head.time),
            transactions: to_vecs(&request.txs),
        };
        match state.app.finalize_block(&proposal) {
            Ok(result) => ResponseFinalizeBlock {
                events: Vec::new(),
                tx_results: result
                    .receipts
                    .iter()
                    .map(|receipt| ExecTxResult {
                        code: match receipt.status {
                            Status::Ok => CODE_OK,
                            Status::Aborted => CODE_ABORTED,
                            Status::OutOfGas => CODE_OUT_OF_GAS,
                        },
                        data: Bytes::from(receipt.to_json().to_string()),
                        log: receipt.message.clone().unwrap_or_default(),
                        gas_used: i64::try_from(receipt.gas_used).unwrap_or(i64::MAX),
                        ..ExecTxResult::default()
                    })
                    .collect(),
                validator_updates: Vec::new(),
                consensus_param_updates: None,
                app_hash: Bytes::copy_from_slice(&result.hash.0),
            },
            Err(error) => {
                let message = format!("cannot finalize block {expected}: {error}");
                self.halt(&mut state, message);
                ResponseFinalizeBlock::default()
            }
        }
    }

    fn commit(&self) -> ResponseCommit {
        let mut state = self.lock();
        if state.halted.is_none()
            && let Err(error) = state.app.commit()
        {
            let message = format!("cannot commit the finalized block: {error}");
            self.halt(&mut state, message);
        }
        ResponseCommit { retain_height: 0 }
    }

    fn query(&self, request: RequestQuery) -> ResponseQuery {
        let state = self.lock();
        let head = height(state.app.chain().head().number);
        let data = String::from_utf8_lossy(&request.data);
        match state.app.query(&request.path, &data) {
            Ok(value) => ResponseQuery {
                code: CODE_OK,
                value: Bytes::from(value.to_string()),
                height: head,
                ..ResponseQuery::default()
            },
            Err(message) => ResponseQuery {
                code: CODE_INTERNAL,
                log: message,
                height: head,
                ..ResponseQuery::default()
            },
        }
    }
}

fn check_response(code: u32, log: String) -> ResponseCheckTx {
    ResponseCheckTx {
        code,
        log,
        ..ResponseCheckTx::default()
    }
}

/// Serves `app` over ABCI on `address` until the process ends; `ready` gets the address
/// bound (port 0 picks a free one). See [`wire`] for the framing and what a malformed
/// request gets.
///
/// # Errors
/// The address cannot be bound, or accepting connections fails.
pub fn serve<S: Store>(
    app: AbciApp<S>,
    address: SocketAddr,
    ready: impl FnOnce(&str),
) -> Result<(), String> {
    wire::serve(app, address, ready)
}
