//! The methods of LEDGER.md §6. Each runs on an RPC worker thread: reads go straight to
//! the store (every committed block is immutable there), views run on the worker's own
//! VM, and transactions go to the block producer.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use assent_ledger::chain::{LogEntry, LogFilter, MAX_LOG_SCAN};
use assent_ledger::primitives::{decode_hex, encode_hex};
use assent_ledger::state::{abi_key, code_hash_key, decode_nonce, nonce_key};
use assent_ledger::store::EventLocation;
use assent_ledger::tx::verify_raw;
use assent_ledger::{Address, Chain, Hash, Outcome, RedbStore, Store};
use assent_stdlib::abi::ContractAbi;
use assent_stdlib::json::{HexOnly, from_json, to_json};
use assent_vm::VmConfig;
use serde_json::{Map, Value, json};

use super::mempool::SharedMempool;
use super::producer::{Command, Refusal, Submission};
use super::rpc::{AT_CAPACITY, RpcError, VIEW_FAILED};
use super::state_key::state_key;
use crate::consensus::commits::CommitStore;
use crate::executor::{Explained, ViewError, ViewRequest, ViewResult, VmExecutor};

/// Every method, for the "unknown method" message.
pub const METHODS: &[&str] = &[
    "assent_chainId",
    "assent_blockNumber",
    "assent_getBlockByNumber",
    "assent_sendRawTransaction",
    "assent_relayRawTransaction",
    "assent_getTransactionReceipt",
    "assent_getTransactionCount",
    "assent_call",
    "assent_explain",
    "assent_getAbi",
    "assent_getProof",
    "assent_getReceiptProof",
    "assent_getLogs",
    "assent_getCommit",
];

/// The most events one `assent_getLogs` answer holds. A paged request (`limit`) gets at
/// most this many and `next` to go on from; an unpaged one over this many is refused.
pub const MAX_LOGS: usize = 10_000;

/// How long a worker waits for the producer to admit a transaction; past it the
/// submission is withdrawn (never admitted later) and the client told 1011.
const ADMISSION_TIMEOUT: Duration = Duration::from_secs(30);

/// What every worker shares.
pub struct Node {
    pub store: RedbStore,
    pub mempool: Arc<SharedMempool>,
    pub producer: Sender<Command>,
    pub chain_id: u64,
    /// The gas cap of a view over RPC (`--view-gas`).
    pub view_gas: u64,
    /// The commit certificates of a validator of a network; `None` on a single node,
    /// whose blocks have none (`assent_getCommit` answers null).
    pub commits: Option<CommitStore>,
    /// Contract sources built for explaining (`--sources`), for `assent_explain` without
    /// `code`.
    pub sources: Arc<crate::explain::Sources>,
}

/// One RPC worker: the node, and a VM of its own for views (made on first use).
pub struct Worker {
    node: Arc<Node>,
    executor: Option<VmExecutor>,
}

type MethodResult = Result<Value, RpcError>;

impl Worker {
    pub fn new(node: Arc<Node>) -> Worker {
        Worker {
            node,
            executor: None,
        }
    }

    /// Runs one method.
    pub fn dispatch(&mut self, method: &str, params: &[Value]) -> MethodResult {
        match method {
            "assent_chainId" => {
                arity(params, 0)?;
                Ok(json!(self.node.chain_id))
            }
            "assent_blockNumber" => {
                arity(params, 0)?;
                Ok(json!(self.snapshot()?.head().number))
            }
            "assent_getBlockByNumber" => self.get_block(params),
            "assent_sendRawTransaction" => self.send_raw_transaction(params, false),
            "assent_relayRawTransaction" => self.send_raw_transaction(params, true),
            "assent_getTransactionReceipt" => {
                arity(params, 1)?;
                let hash = hash_param(params.first(), "the transaction hash")?;
                let receipt = self.node.store.receipt(&hash).map_err(RpcError::internal)?;
                Ok(receipt.map_or(Value::Null, |receipt| receipt.to_json()))
            }
            "assent_getTransactionCount" => self.transaction_count(params),
            "assent_call" => self.call(params),
            "assent_explain" => self.explain(params),
            "assent_getAbi" => {
                arity(params, 2)?;
                let address = address_param(params.first(), "the contract address")?;
                let chain = self.snapshot()?;
                let block = block_param(&chain, params.get(1))?;
                Ok(abi_json(&chain, &address, block)?.unwrap_or(Value::Null))
            }
            "assent_getProof" => self.get_proof(params),
            "assent_getReceiptProof" => {
                arity(params, 1)?;
                let hash = hash_param(params.first(), "the transaction hash")?;
                let chain = self.snapshot()?;
                let proof = chain.receipt_proof(&hash).map_err(RpcError::internal)?;
                Ok(proof.map_or(Value::Null, |proof| {
                    json!({
                        "block": proof.block,
                        "receipts_root": proof.receipts_root.to_string(),
                        "index": proof.index,
                        "receipt": encode_hex(&proof.receipt),
                        "proof": proof.proof.iter().map(|node| encode_hex(node)).collect::<Vec<_>>(),
                    })
                }))
            }
            "assent_getLogs" => self.get_logs(params),
            "assent_getCommit" => self.get_commit(params),
            other => Err(RpcError::method_not_found(other)),
        }
    }

    /// The chain at the last committed block, read-only.
    fn snapshot(&self) -> Result<Chain<RedbStore>, RpcError> {
        Chain::open_existing(self.node.store.clone()).map_err(RpcError::internal)
    }

    fn get_block(&self, params: &[Value]) -> MethodResult {
        arity(params, 1)?;
        let chain = self.snapshot()?;
        let number = match params.first() {
            None | Some(Value::Null) => chain.head().number,
            Some(Value::String(text)) if text == "latest" => chain.head().number,
            Some(value) => value.as_u64().ok_or_else(|| {
                RpcError::invalid_params(format!(
                    "the block must be a number or \"latest\", not {value}"
                ))
            })?,
        };
        let store = chain.store();
        let Some(header) = store.header(number).map_err(RpcError::internal)? else {
            return Ok(Value::Null);
        };
        let transactions = store
            .block_transactions(number)
            .map_err(RpcError::internal)?;
        Ok(header.to_json(&transactions))
    }

    /// The commit certificate of a block (LEDGER.md §9), or null when this node has none
    /// for it (not decided yet, or a single node).
    fn get_commit(&self, params: &[Value]) -> MethodResult {
        arity(params, 1)?;
        let number = params
            .first()
            .and_then(Value::as_u64)
            .ok_or_else(|| RpcError::invalid_params("the height must be a block number"))?;
        let Some(commits) = &self.node.commits else {
            return Ok(Value::Null);
        };
        let certificate = commits.get(number).map_err(RpcError::internal)?;
        Ok(certificate.map_or(Value::Null, |certificate| certificate.to_json()))
    }

    /// `relayed`: forwarded by another validator (`assent_relayRawTransaction`).
    fn send_raw_transaction(&self, params: &[Value], relayed: bool) -> MethodResult {
        let submission = self.submit(params, relayed)?;
        admission(&submission)
    }

    /// A run of `assent_sendRawTransaction` requests from one batch, answered in order.
    /// Each is verified and handed to the block producer before the next is verified, and
    /// the answers are collected after the last: the producer admits them in the run's
    /// order (so one sender's transactions may share a run in nonce order), while this
    /// thread verifies signatures and neither waits for, nor wakes, the other per
    /// transaction.
    pub fn send_raw_transactions(&self, run: &[Vec<Value>], relayed: bool) -> Vec<MethodResult> {
        let submitted: Vec<_> = run
            .iter()
            .map(|params| self.submit(params, relayed))
            .collect();
        submitted
            .into_iter()
            .map(|submission| admission(&*submission?))
            .collect()
    }

    /// Checks a signed transaction (hex, encoding, chain, signature) and hands it to the
    /// block producer for admission.
    fn submit(&self, params: &[Value], relayed: bool) -> Result<Arc<Submission>, RpcError> {
        arity(params, 1)?;
        let text = params.first().and_then(Value::as_str).ok_or_else(|| {
            RpcError::invalid_params("give the signed transaction as a hex string \"0x…\"")
        })?;
        let bytes = decode_hex(text).ok_or_else(|| {
            RpcError::invalid_params(
                "the signed transaction is not hex (\"0x\" and an even number of hex digits)",
            )
        })?;
        let verified = verify_raw(&bytes, self.node.chain_id).map_err(|e| RpcError::refused(&e))?;
        let submission = Arc::new(Submission::default());
        self.node
            .producer
            .send(Command::Submit {
                tx: Box::new(verified),
                submission: submission.clone(),
                relayed,
            })
            .map_err(|_| RpcError::internal("the block producer has stopped"))?;
        Ok(submission)
    }

    /// The next nonce: the committed one plus the sender's transactions in the mempool,
    /// which is the nonce the sender's next transaction must carry.
    fn transaction_count(&self, params: &[Value]) -> MethodResult {
        arity(params, 1)?;
        let account = address_param(params.first(), "the account address")?;
        let (head, pending) = {
            let mempool = self.node.mempool.lock();
            (mempool.head(), mempool.pending(&account))
        };
        let chain = self.snapshot()?;
        let stored = chain
            .get(&nonce_key(&account), Some(head))
            .map_err(RpcError::internal)?;
        let nonce = decode_nonce(stored.as_deref()).map_err(RpcError::internal)?;
        Ok(json!(nonce.saturating_add(pending)))
    }

    fn call(&mut self, params: &[Value]) -> MethodResult {
        arity(params, 2)?;
        let request = object_param(params.first(), "the call `{to, method, args, from?}`")?;
        known_keys(request, &["to", "method", "args", "from"])?;
        let (result, _) = self.view(request, params.get(1), None)?;
        let method = request.get("method").and_then(Value::as_str).unwrap_or("");
        match result.outcome {
            Outcome::Ok => Ok(result.return_value),
            Outcome::Aborted { ref message, .. } => Err(RpcError::new(
                VIEW_FAILED,
                format!("`{method}` aborted: {message}"),
            )
            .with_data(ended(&result))),
            Outcome::OutOfGas { .. } => Err(RpcError::new(
                VIEW_FAILED,
                format!("`{method}` ran out of gas"),
            )
            .with_data(ended(&result))),
        }
    }

    /// `assent_explain`: `assent_call`'s request with `code`, the contract built for
    /// explaining (hex). Answers how the call ended (`status`, and `return` or `message`,
    /// `position` and `gas_used` as `assent_call` gives them) and the notes of the run of
    /// `code` against the same state. The node cannot tell whether `code` was built from
    /// the deployed contract (the client compares the ABIs); it only reads, under the view
    /// gas cap.
    fn explain(&mut self, params: &[Value]) -> MethodResult {
        arity(params, 2)?;
        let request = object_param(params.first(), "the call `{to, method, args, from?, code}`")?;
        known_keys(request, &["to", "method", "args", "from", "code"])?;
        // Without `code`: the node's own build of a source it was given that builds the
        // deployed module exactly, and the explanation itself in the answer.
        let (code, build) = match request.get("code") {
            Some(code) => {
                let code = code.as_str().and_then(decode_hex).ok_or_else(|| {
                    RpcError::invalid_params(
                        "`code` must be the contract built for explaining, as hex \"0x…\"",
                    )
                })?;
                (code, None)
            }
            None => {
                let to = address_param(request.get("to"), "`to`")?;
                let chain = self.snapshot()?;
                let block = block_param(&chain, params.get(1))?;
                let hash = chain
                    .get(&assent_ledger::state::code_hash_key(&to), block)
                    .map_err(RpcError::internal)?
                    .and_then(|bytes| assent_ledger::Hash::from_slice(&bytes))
                    .ok_or_else(|| RpcError::new(1006, format!("no contract at `{to}`")))?;
                let build = self.node.sources.for_code(&hash).ok_or_else(|| {
                    RpcError::invalid_params(format!(
                        "this node has no source that builds the contract at `{to}`: give `code`, or start the node with `--sources DIR`"
                    ))
                })?;
                (build.wasm.clone(), Some(build))
            }
        };
        let (result, explained) = self.view(request, params.get(1), Some(&code))?;
        let explained = explained.unwrap_or_default();
        let mut answer = json!({
            "result": ended(&result),
            "notes": explained
                .notes
                .iter()
                .map(|(note, value)| json!([note, value]))
                .collect::<Vec<_>>(),
            "stopped": explained.stopped,
        });
        if let Some(build) = build {
            let method = request.get("method").and_then(Value::as_str).unwrap_or("");
            let args = request.get("args").cloned().unwrap_or(Value::Null);
            match crate::explain::explanation(&build, method, &result, &explained) {
                Ok(explanation) => {
                    let explanation = explanation.with_args(&args);
                    if let Some(object) = answer.as_object_mut() {
                        object.insert("text".into(), json!(explanation.to_string()));
                        object.insert(
                            "explanation".into(),
                            serde_json::to_value(&explanation).unwrap_or(Value::Null),
                        );
                    }
                }
                Err(message) => return Err(RpcError::invalid_params(message)),
            }
        }
        Ok(answer)
    }

    /// Runs the view or policy `request` names at `block` (`assent_call`), and with
    /// `noted` the same contract built for explaining too (`assent_explain`).
    fn view(
        &mut self,
        request: &Map<String, Value>,
        block: Option<&Value>,
        noted: Option<&[u8]>,
    ) -> Result<(ViewResult, Option<Explained>), RpcError> {
        let to = address_param(request.get("to"), "`to`")?;
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .ok_or_else(|| RpcError::invalid_params("`method` must be a view or policy name"))?;
        let empty = Value::Object(Map::new());
        let args = match request.get("args") {
            None | Some(Value::Null) => &empty,
            Some(args @ Value::Object(_)) => args,
            Some(_) => return Err(RpcError::invalid_params("`args` must be a JSON object")),
        };
        let caller = match request.get("from") {
            None | Some(Value::Null) => Address::ZERO,
            from => address_param(from, "`from`")?,
        };
        let chain = self.snapshot()?;
        let block = block_param(&chain, block)?;
        let executor = match &mut self.executor {
            Some(executor) => executor,
            slot => slot.insert(
                VmExecutor::new(VmConfig {
                    pool_instances: 64,
                    ..VmConfig::default()
                })
                .map_err(RpcError::internal)?
                .with_view_gas(self.node.view_gas),
            ),
        };
        let request = ViewRequest {
            contract: to,
            method,
            args,
            caller,
            block,
        };
        let refused = |error: ViewError| match error {
            ViewError::NoContract(_) => RpcError::new(1006, error.to_string()),
            ViewError::NoSuchView { .. } => RpcError::new(1007, error.to_string()),
            ViewError::ArgsMismatch(_) => RpcError::new(1008, error.to_string()),
            ViewError::Host(message) => RpcError::internal(message),
        };
        match noted {
            None => executor
                .view(&chain, &request, &HexOnly)
                .map(|result| (result, None))
                .map_err(refused),
            Some(noted) => executor
                .explain(&chain, &request, &HexOnly, noted)
                .map(|(result, explained)| (result, Some(explained)))
                .map_err(refused),
        }
    }

    fn get_proof(&self, params: &[Value]) -> MethodResult {
        arity(params, 2)?;
        let request = object_param(params.first(), "`{contract, state, key?}`")?;
        known_keys(request, &["contract", "state", "key"])?;
        let contract = address_param(request.get("contract"), "`contract`")?;
        let state = request
            .get("state")
            .and_then(Value::as_str)
            .ok_or_else(|| RpcError::invalid_params("`state` must name a state declaration"))?;
        let chain = self.snapshot()?;
        let block = block_param(&chain, params.get(1))?;
        let abi = contract_abi(&chain, &contract, block)?;
        let key = state_key(&abi, &contract, state, request.get("key"))
            .map_err(RpcError::invalid_params)?;
        let proof = chain
            .prove(&key.raw_key, block)
            .map_err(RpcError::internal)?;
        let value_json = key
            .value_json(proof.value.as_deref())
            .map_err(RpcError::internal)?;
        Ok(json!({
            "block": proof.block,
            "state_root": proof.state_root.to_string(),
            "raw_key": encode_hex(&proof.raw_key),
            "value": proof.value.as_deref().map(encode_hex),
            "value_json": value_json,
            "proof": proof.proof.iter().map(|node| encode_hex(node)).collect::<Vec<_>>(),
        }))
    }

    fn get_logs(&self, params: &[Value]) -> MethodResult {
        arity(params, 1)?;
        let empty = Map::new();
        let request = match params.first() {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(object)) => object,
            Some(_) => {
                return Err(RpcError::invalid_params(
                    "the filter must be an object `{contract?, event?, where?, from_block?, to_block?, limit?, resume?}`",
                ));
            }
        };
        known_keys(
            request,
            &[
                "contract",
                "event",
                "where",
                "from_block",
                "to_block",
                "limit",
                "resume",
            ],
        )?;
        // `limit` asks for pages: `{events, next}`. Without it the answer is the array of
        // every match, as before pages existed, and a search that cannot finish in one
        // answer is refused with where it stopped.
        let limit = match request.get("limit") {
            None | Some(Value::Null) => None,
            Some(value) => match value.as_u64() {
                Some(limit) if limit > 0 => {
                    Some(usize::try_from(limit).unwrap_or(MAX_LOGS).min(MAX_LOGS))
                }
                _ => {
                    return Err(RpcError::invalid_params(format!(
                        "`limit` must be a positive number of events (at most {MAX_LOGS} are returned)"
                    )));
                }
            },
        };
        let resume = match request.get("resume") {
            None | Some(Value::Null) => None,
            Some(_) if limit.is_none() => {
                return Err(RpcError::invalid_params(
                    "`resume` continues a paged search: give `limit` too",
                ));
            }
            Some(value) => Some(log_position(value)?),
        };
        let chain = self.snapshot()?;
        let contract = match request.get("contract") {
            None | Some(Value::Null) => None,
            value => Some(address_param(value, "`contract`")?),
        };
        let event = match request.get("event") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => return Err(RpcError::invalid_params("`event` must be an event name")),
        };
        let block_number = |key: &str| match request.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text == "latest" => Ok(Some(chain.head().number)),
            Some(value) => value.as_u64().map(Some).ok_or_else(|| {
                RpcError::invalid_params(format!("`{key}` must be a block number or \"latest\""))
            }),
        };
        let from_block = block_number("from_block")?;
        let to_block = block_number("to_block")?;
        let fields = match request.get("where") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(fields)) => {
                let typed = match (&contract, &event) {
                    (Some(contract), Some(event)) => event_field_types(&chain, contract, event)?,
                    _ => None,
                };
                fields
                    .iter()
                    .map(|(name, value)| {
                        canonical_field(typed.as_ref(), event.as_deref(), name, value)
                            .map(|value| (name.clone(), value))
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => {
                return Err(RpcError::invalid_params(
                    "`where` must be an object, field name → value",
                ));
            }
        };
        let filter = LogFilter {
            contract,
            event,
            fields,
            from_block,
            to_block,
            resume,
        };
        let page = chain
            .logs(&filter, limit.unwrap_or(MAX_LOGS))
            .map_err(RpcError::internal)?;
        let events = Value::Array(page.entries.iter().map(log_json).collect());
        let next = page.next.map(|next| {
            json!({"block": next.block, "tx_index": next.tx_index, "event_index": next.event_index})
        });
        match (limit, next) {
            (Some(_), next) => Ok(json!({"events": events, "next": next})),
            (None, None) => Ok(events),
            (None, Some(next)) => Err(RpcError::invalid_params(format!(
                "the search stopped at block {} before the end of the range (more than \
                 {MAX_LOGS} events match, or {MAX_LOG_SCAN} events and blocks were looked at): \
                 give `limit` to receive the events a page at a time, or narrow the filter or \
                 the block range",
                next.get("block").unwrap_or(&Value::Null)
            ))
            .with_data(json!({"next": next}))),
        }
    }
}

/// One event of `assent_getLogs`: where it happened, then the event's own JSON form.
fn log_json(entry: &LogEntry) -> Value {
    let mut object = Map::new();
    object.insert("block".into(), json!(entry.block));
    object.insert("tx_hash".into(), json!(entry.tx_hash.to_string()));
    object.insert("tx_index".into(), json!(entry.tx_index));
    object.insert("event_index".into(), json!(entry.event_index));
    if let Value::Object(event) = entry.event.to_json() {
        object.extend(event);
    }
    Value::Object(object)
}

/// A `resume` position: the `next` of an earlier page.
fn log_position(value: &Value) -> Result<EventLocation, RpcError> {
    let invalid = || {
        RpcError::invalid_params(
            "`resume` must be the `next` of an earlier answer: `{block, tx_index, event_index}`",
        )
    };
    let object = value.as_object().ok_or_else(invalid)?;
    known_keys(object, &["block", "tx_index", "event_index"])?;
    let number = |key: &str| object.get(key).and_then(Value::as_u64).ok_or_else(invalid);
    let index = |key: &str| number(key).and_then(|n| u32::try_from(n).map_err(|_| invalid()));
    Ok(EventLocation {
        block: number("block")?,
        tx_index: index("tx_index")?,
        event_index: index("event_index")?,
    })
}

/// Fails when more than `max` params are given.
fn arity(params: &[Value], max: usize) -> Result<(), RpcError> {
    if params.len() > max {
        return Err(RpcError::invalid_params(format!(
            "this method takes at most {}, {} given",
            crate::wording::count(max, "param", "params"),
            params.len()
        )));
    }
    Ok(())
}

fn known_keys(object: &Map<String, Value>, known: &[&str]) -> Result<(), RpcError> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(RpcError::invalid_params(format!(
            "unknown key `{key}`; the keys are {}",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

fn object_param<'a>(
    value: Option<&'a Value>,
    what: &str,
) -> Result<&'a Map<String, Value>, RpcError> {
    value
        .and_then(Value::as_object)
        .ok_or_else(|| RpcError::invalid_params(format!("give {what} as an object")))
}

fn address_param(value: Option<&Value>, what: &str) -> Result<Address, RpcError> {
    value
        .and_then(Value::as_str)
        .and_then(|text| {
            text.starts_with("0x")
                .then(|| Address::from_hex(text))
                .flatten()
        })
        .ok_or_else(|| {
            RpcError::invalid_params(format!(
                "{what} must be an address: \"0x\" and 40 hex digits"
            ))
        })
}

fn hash_param(value: Option<&Value>, what: &str) -> Result<Hash, RpcError> {
    value
        .and_then(Value::as_str)
        .and_then(|text| {
            text.starts_with("0x")
                .then(|| Hash::from_hex(text))
                .flatten()
        })
        .ok_or_else(|| RpcError::invalid_params(format!("{what} must be \"0x\" and 64 hex digits")))
}

/// `block`: absent, `null` or `"latest"` is the head (`None`); a number must be a
/// committed block.
fn block_param(chain: &Chain<RedbStore>, value: Option<&Value>) -> Result<Option<u64>, RpcError> {
    let head = chain.head().number;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text == "latest" => Ok(None),
        Some(value) => match value.as_u64() {
            Some(number) if number <= head => Ok(Some(number)),
            Some(number) => Err(RpcError::invalid_params(format!(
                "block {number} does not exist yet; the latest is {head}"
            ))),
            None => Err(RpcError::invalid_params(format!(
                "the block must be a number or \"latest\", not {value}"
            ))),
        },
    }
}

/// The stored ABI JSON of the contract at `address`, if one is deployed there.
fn abi_json(
    chain: &Chain<RedbStore>,
    address: &Address,
    block: Option<u64>,
) -> Result<Option<Value>, RpcError> {
    let Some(bytes) = chain
        .get(&abi_key(address), block)
        .map_err(RpcError::internal)?
    else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|error| RpcError::internal(format!("the stored ABI of {address}: {error}")))
}

/// The ABI of the contract at `address`; 1006 when none is deployed there.
fn contract_abi(
    chain: &Chain<RedbStore>,
    address: &Address,
    block: Option<u64>,
) -> Result<ContractAbi, RpcError> {
    let deployed = chain
        .get(&code_hash_key(address), block)
        .map_err(RpcError::internal)?
        .is_some();
    let bytes = match chain.get(&abi_key(address), block) {
        Ok(Some(bytes)) if deployed => bytes,
        Ok(_) => return Err(RpcError::new(1006, format!("no contract at `{address}`"))),
        Err(error) => return Err(RpcError::internal(error)),
    };
    ContractAbi::from_json_bytes(&bytes)
        .map_err(|error| RpcError::internal(format!("the stored ABI of {address}: {error}")))
}

/// The event's fields with their types, when the contract's ABI declares the event.
fn event_field_types(
    chain: &Chain<RedbStore>,
    contract: &Address,
    event: &str,
) -> Result<Option<Vec<(String, assent_stdlib::value::Type)>>, RpcError> {
    let abi = match contract_abi(chain, contract, None) {
        Ok(abi) => abi,
        Err(error) if error.code == 1006 => return Ok(None),
        Err(error) => return Err(error),
    };
    let Some(declaration) = abi.events.iter().find(|e| e.name == event) else {
        return Ok(None);
    };
    let types = abi.resolve_types().map_err(RpcError::internal)?;
    Ok(Some(
        declaration
            .fields
            .iter()
            .filter_map(|field| {
                types
                    .get(field.ty as usize)
                    .map(|ty| (field.name.clone(), ty.clone()))
            })
            .collect(),
    ))
}

/// A `where` value in the form events store it: read with the field's type when the
/// event is known (so `"0xABC…"` matches `"0xabc…"`), else hex strings in lowercase.
fn canonical_field(
    typed: Option<&Vec<(String, assent_stdlib::value::Type)>>,
    event: Option<&str>,
    name: &str,
    value: &Value,
) -> Result<Value, RpcError> {
    match typed {
        Some(fields) => {
            let (_, ty) = fields
                .iter()
                .find(|(field, _)| field == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                    RpcError::invalid_params(format!(
                        "event `{}` has no field `{name}`; its fields are {}",
                        event.unwrap_or_default(),
                        names.join(", ")
                    ))
                })?;
            let parsed = from_json(value, ty, &HexOnly)
                .map_err(|error| RpcError::invalid_params(format!("`where.{name}`: {error}")))?;
            Ok(to_json(&parsed, ty))
        }
        None => Ok(match value {
            Value::String(text) if text.starts_with("0x") => json!(text.to_ascii_lowercase()),
            other => other.clone(),
        }),
    }
}

/// How a view ended, as `assent_call`'s error data and `assent_explain`'s `result` say it.
fn ended(result: &ViewResult) -> Value {
    match &result.outcome {
        Outcome::Ok => {
            json!({"status": "ok", "return": result.return_value, "gas_used": result.gas_used})
        }
        Outcome::Aborted { message, position } => json!({
            "status": "aborted",
            "message": message,
            "position": position.as_ref().map(|p| p.to_json()),
            "gas_used": result.gas_used,
        }),
        Outcome::OutOfGas { position } => json!({
            "status": "out_of_gas",
            "position": position.as_ref().map(|p| p.to_json()),
            "gas_used": result.gas_used,
        }),
    }
}

/// The block producer's answer to a submission, as the RPC result: the transaction's hash
/// when admitted.
fn admission(submission: &Submission) -> MethodResult {
    match submission.wait(ADMISSION_TIMEOUT) {
        Ok(hash) => Ok(json!(hash.to_string())),
        Err(Refusal::Rule(error)) => Err(RpcError::refused(&error)),
        Err(Refusal::Capacity(full)) => Err(RpcError::new(AT_CAPACITY, full.to_string())),
        Err(Refusal::Busy) => Err(RpcError::new(
            AT_CAPACITY,
            "the node is at capacity: the block producer did not get to the transaction in time, and it was not admitted; retry later",
        )),
        Err(Refusal::Fault(message)) => Err(RpcError::internal(message)),
    }
}
