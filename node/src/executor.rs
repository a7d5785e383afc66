//! The real [`Executor`]: runs transactions and views on the wasmtime host ([`Vm`]).
//!
//! A transaction reads as: charge the base gas (LEDGER.md §5, [`gas::transaction_cost`]:
//! a base, the signed transaction's bytes and a deployed module's bytes, which the VM
//! itself does not charge) → find
//! the entry point in the module's ABI → decode the JSON args against it → execute →
//! on `Ok` write the VM's write set into the transaction's state, otherwise leave it
//! (the ledger then discards the transaction's writes and keeps only `audit` events) →
//! turn the outcome, return value and events into the receipt's forms.
//!
//! # How the VM reads the state
//! The VM needs a `'static` state to read from, the ledger lends a borrowed one for a
//! transaction; [`reads`] runs the VM on the owned [`StateView`] the ledger gives for it.

mod reads;

use std::collections::BTreeMap;
use std::sync::Arc;

use assent_stdlib::abi::{ContractAbi, EntryAbi, EntryKind};
use assent_stdlib::gas;
use assent_stdlib::json::{AddressNames, HexOnly, args_from_json, to_json};
use assent_stdlib::value::{Type, Value};
use serde_json::Value as Json;

use assent_ledger::chain::Chain;
use assent_ledger::error::{ExecutorFault, LedgerError};
use assent_ledger::executor::{BlockEnv, ExecutionResult, Executor, Outcome, StateAccess};
use assent_ledger::primitives::{Address, Hash};
use assent_ledger::receipt::{Event, SourcePosition};
use assent_ledger::state::{abi_key, code_hash_key};
use assent_ledger::store::Store;
use assent_ledger::trie::TrieError;
use assent_ledger::tx::{TxError, VerifiedTransaction};
use assent_ledger::view::StateView;
use assent_vm::{Call, Execution};
use assent_vm::{Vm, VmConfig, VmError, validate};

/// What the executor knows of a deployed module without compiling it: its ABI and
/// resolved types, from the validator.
#[derive(Debug)]
struct ModuleInfo {
    abi: ContractAbi,
    types: Vec<Type>,
}

impl ModuleInfo {
    fn entry(&self, name: &str) -> Option<&EntryAbi> {
        self.abi.entries.iter().find(|entry| entry.name == name)
    }

    fn init(&self) -> Option<&EntryAbi> {
        self.abi
            .entries
            .iter()
            .find(|entry| entry.kind == EntryKind::Init)
    }

    fn ty(&self, id: u32) -> Option<&Type> {
        self.types.get(id as usize)
    }

    /// The parameters of `entry` with their resolved types.
    fn params(&self, entry: &EntryAbi) -> Result<Vec<(String, Type)>, String> {
        entry
            .params
            .iter()
            .map(|param| {
                self.ty(param.ty)
                    .cloned()
                    .map(|ty| (param.name.clone(), ty))
                    .ok_or_else(|| format!("parameter `{}` has an unknown type", param.name))
            })
            .collect()
    }

    /// Decodes JSON args (text; empty meaning `{}`) for `entry` (LEDGER.md §2).
    fn decode_args(
        &self,
        entry: &EntryAbi,
        args: &Json,
        names: &dyn AddressNames,
    ) -> Result<Vec<Value>, String> {
        let params = self.params(entry)?;
        args_from_json(args, &params, names).map_err(|error| error.to_string())
    }
}

/// Parses a transaction's `args` field: empty means `{}`.
fn parse_args_text(text: &str) -> Result<Json, String> {
    if text.trim().is_empty() {
        return Ok(Json::Object(serde_json::Map::new()));
    }
    match serde_json::from_str::<Json>(text) {
        Ok(json @ Json::Object(_)) => Ok(json),
        Ok(_) => Err("args must be a JSON object".into()),
        Err(error) => Err(format!("args are not valid JSON: {error}")),
    }
}

/// How a view or policy call ended (`assent_call`, scenario `view` steps).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewResult {
    pub outcome: Outcome,
    pub gas_used: u64,
    /// The result as JSON (`null` for none or when not ok).
    pub return_value: Json,
}

/// Why a view could not run at all (as opposed to running and aborting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewError {
    /// No contract is deployed at the address.
    NoContract(Address),
    /// The contract has no view or policy of that name.
    NoSuchView { contract: Address, method: String },
    /// The args do not match the entry point's parameters.
    ArgsMismatch(String),
    /// A fault of the host or the store.
    Host(String),
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ViewError::NoContract(address) => write!(f, "no contract at `{address}`"),
            ViewError::NoSuchView { contract, method } => {
                write!(f, "contract `{contract}` has no view or policy `{method}`")
            }
            ViewError::ArgsMismatch(message) => {
                write!(f, "arguments do not match the ABI: {message}")
            }
            ViewError::Host(message) => write!(f, "host fault: {message}"),
        }
    }
}

impl std::error::Error for ViewError {}

/// A view or policy to run (see [`VmExecutor::view`]).
#[derive(Clone, Debug)]
pub struct ViewRequest<'a> {
    pub contract: Address,
    pub method: &'a str,
    /// A JSON object, parameter name → value.
    pub args: &'a Json,
    /// `caller` in the contract; the zero address when nobody in particular asks.
    pub caller: Address,
    /// The block whose state and time the view sees; `None` for the head.
    pub block: Option<u64>,
}

/// The most module ABIs a [`VmExecutor`] keeps in memory. Past it the least recently used
/// is dropped (it is validated again from the stored module when next needed), so that
/// however many contracts are deployed the cache stays bounded.
pub const MAX_CACHED_MODULES: usize = 256;

/// The ABIs of validated modules by code hash, at most [`MAX_CACHED_MODULES`], least
/// recently used first out. Only modules that are deployed (or about to be, their
/// deployment accepted) enter it: a refused deployment leaves nothing behind.
#[derive(Debug, Default)]
struct ModuleCache {
    entries: BTreeMap<Hash, (Arc<ModuleInfo>, u64)>,
    /// Incremented on every use; an entry's stamp is its last use.
    clock: u64,
}

impl ModuleCache {
    fn get(&mut self, hash: &Hash) -> Option<Arc<ModuleInfo>> {
        self.clock += 1;
        let (info, used) = self.entries.get_mut(hash)?;
        *used = self.clock;
        Some(info.clone())
    }

    fn insert(&mut self, hash: Hash, info: Arc<ModuleInfo>) {
        self.clock += 1;
        if !self.entries.contains_key(&hash) && self.entries.len() >= MAX_CACHED_MODULES {
            // A linear scan, on a miss only: the cache is small and a miss validates a
            // whole module anyway.
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(hash, _)| *hash);
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(hash, (info, self.clock));
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The [`Executor`] backed by the wasmtime host.
pub struct VmExecutor {
    vm: Vm,
    /// Modules compiled with wasmtime rather than loaded from a stored artefact.
    compilations: u64,
    modules: ModuleCache,
    /// The gas cap of a view ([`VmExecutor::view`]); `None`: the block gas limit.
    view_gas: Option<u64>,
    /// The VM for [`VmExecutor::explain`], made when first needed.
    explaining: Option<Vm>,
}

/// What the run of a module built for explaining noted ([`VmExecutor::explain`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explained {
    /// Note number and the value's text, in order.
    pub notes: Vec<(u32, String)>,
    /// Why the run stopped short, when it did (a condition evaluated only for the
    /// explanation aborted, say).
    pub stopped: Option<String>,
}

impl std::fmt::Debug for VmExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VmExecutor")
            .field("modules", &self.modules.len())
            .finish_non_exhaustive()
    }
}

impl VmExecutor {
    /// The stack to give a thread that runs the executor: with it, the VM runs on that
    /// thread's own stack (see [`runs_in_place`](Self::runs_in_place)).
    pub const THREAD_STACK: usize = reads::VM_THREAD_STACK;

    /// Whether calls made from the current thread run the VM on the thread's own stack —
    /// it has enough left — rather than on a stack segment grown for each call. Both give
    /// the same results.
    pub fn runs_in_place() -> bool {
        reads::runs_in_place()
    }

    /// An executor with its own VM.
    ///
    /// # Errors
    /// When wasmtime refuses the configuration.
    pub fn new(config: VmConfig) -> Result<VmExecutor, VmError> {
        Ok(VmExecutor {
            vm: Vm::with_artefacts(config, Arc::new(reads::LedgerKeepsArtefacts))?,
            compilations: 0,
            modules: ModuleCache::default(),
            view_gas: None,
            explaining: None,
        })
    }

    /// Caps the gas of every view this executor runs at `gas` (never above the block gas
    /// limit): the node's `--view-gas`.
    #[must_use]
    pub fn with_view_gas(mut self, gas: u64) -> VmExecutor {
        self.view_gas = Some(gas);
        self
    }

    /// The VM this executor runs contracts on.
    pub fn vm(&self) -> &Vm {
        &self.vm
    }

    /// How many modules this executor compiled with wasmtime (rather than loading a
    /// stored artefact): a restarted node over a store that has them compiles none.
    pub fn compilations(&self) -> u64 {
        self.compilations
    }

    /// Executes `call` on the VM against `state`, counting the modules it compiles.
    fn run(&mut self, state: &mut dyn StateAccess, call: Call) -> Result<Execution, VmError> {
        let (execution, compiled) = reads::run(&self.vm, state, call);
        self.compilations = self.compilations.saturating_add(compiled);
        execution
    }

    /// How many module ABIs this executor holds in memory (at most
    /// [`MAX_CACHED_MODULES`]).
    pub fn cached_modules(&self) -> usize {
        self.modules.len()
    }

    /// The ABI of the contract at `contract` in `state`, if one is deployed there.
    ///
    /// # Errors
    /// A storage fault, or a stored module the validator refuses.
    fn module_at(
        &mut self,
        state: &mut dyn StateAccess,
        contract: &Address,
    ) -> Result<Option<Arc<ModuleInfo>>, LedgerError> {
        let Some(hash) = state.get(&code_hash_key(contract))? else {
            return Ok(None);
        };
        let hash = Hash::from_slice(&hash)
            .ok_or_else(|| LedgerError::Corrupt(format!("code hash of {contract}")))?;
        if let Some(info) = self.modules.get(&hash) {
            return Ok(Some(info));
        }
        let code = state
            .code(contract)?
            .ok_or_else(|| LedgerError::Corrupt(format!("module of {contract} is missing")))?;
        let info = self.module_info(hash, &code).map_err(|error| {
            LedgerError::executor(format!("stored module of {contract}: {error}"))
        })?;
        self.modules.insert(hash, info.clone());
        Ok(Some(info))
    }

    /// Validates `code`, or finds its ABI in the cache; does not cache it (the caller
    /// does, once the module is known to be deployed).
    fn module_info(&mut self, hash: Hash, code: &[u8]) -> Result<Arc<ModuleInfo>, String> {
        if let Some(info) = self.modules.get(&hash) {
            return Ok(info);
        }
        let validated = validate(code).map_err(|error| error.to_string())?;
        Ok(Arc::new(ModuleInfo {
            abi: validated.abi,
            types: validated.types,
        }))
    }

    /// Runs a view or policy against the state of a block of `chain` (read-only: any
    /// write a view attempted is dropped; the VM refuses them anyway).
    ///
    /// # Errors
    /// A [`ViewError`] when it cannot run at all; an abort is a [`ViewResult`].
    pub fn view<S: Store>(
        &mut self,
        chain: &Chain<S>,
        request: &ViewRequest<'_>,
        names: &dyn AddressNames,
    ) -> Result<ViewResult, ViewError> {
        let (mut state, info, entry, call) = self.view_call(chain, request, names)?;
        self.run_view(&mut state, &info, &entry, call)
    }

    /// Runs a prepared view call ([`VmExecutor::view_call`]).
    fn run_view(
        &mut self,
        state: &mut BlockState,
        info: &ModuleInfo,
        entry: &EntryAbi,
        call: Call,
    ) -> Result<ViewResult, ViewError> {
        let execution = self
            .run(state, call)
            .map_err(|error| ViewError::Host(error.to_string()))?;
        let (outcome, return_value) = outcome_of(execution.outcome, info, entry);
        Ok(ViewResult {
            outcome,
            gas_used: execution.gas_used,
            return_value: return_value.unwrap_or(Json::Null),
        })
    }

    /// Runs a policy as [`view`](Self::view) does — that run's result is the answer —
    /// and again as `noted`, the same contract built for explaining
    /// ([`assent_lang::compile_explaining`]), on a VM made for explaining, against the same
    /// state: that run's notes say why. The caller makes sure `noted` was built from the
    /// deployed contract's source; either way the run only reads.
    ///
    /// # Errors
    /// As [`view`](Self::view); a `noted` module the validator refuses is
    /// [`ViewError::Host`]-free: its refusal is in [`Explained::stopped`].
    pub fn explain<S: Store>(
        &mut self,
        chain: &Chain<S>,
        request: &ViewRequest<'_>,
        names: &dyn AddressNames,
        noted: &[u8],
    ) -> Result<(ViewResult, Explained), ViewError> {
        // One preparation (state, ABI, arguments) for both runs.
        let (mut state, info, entry, call) = self.view_call(chain, request, names)?;
        let result = self.run_view(&mut state, &info, &entry, call.clone())?;
        let vm = match &mut self.explaining {
            Some(vm) => vm,
            slot => slot.insert(
                Vm::explaining(VmConfig {
                    pool_instances: 8,
                    ..VmConfig::default()
                })
                .map_err(|error| ViewError::Host(error.to_string()))?,
            ),
        };
        let explained = match reads::run_code(vm, state.view, noted, call) {
            Ok(execution) => Explained {
                stopped: match execution.outcome {
                    assent_vm::Outcome::Ok(_) => None,
                    assent_vm::Outcome::Aborted { message, .. } => Some(message),
                    assent_vm::Outcome::OutOfGas => Some("out of gas".to_owned()),
                },
                notes: execution
                    .notes
                    .into_iter()
                    .map(|note| (note.note, note.value))
                    .collect(),
            },
            Err(error) => Explained {
                notes: Vec::new(),
                stopped: Some(format!("the module for explaining does not run: {error}")),
            },
        };
        Ok((result, explained))
    }

    /// What a view or policy call needs: the state it reads, the module's ABI, the entry
    /// and the call itself.
    fn view_call<S: Store>(
        &mut self,
        chain: &Chain<S>,
        request: &ViewRequest<'_>,
        names: &dyn AddressNames,
    ) -> Result<(BlockState, Arc<ModuleInfo>, EntryAbi, Call), ViewError> {
        let host = |error: LedgerError| ViewError::Host(error.to_string());
        let header = match request.block {
            None => chain.head().clone(),
            Some(number) => chain
                .store()
                .header(number)
                .map_err(|error| ViewError::Host(error.to_string()))?
                .ok_or_else(|| ViewError::Host(format!("no block {number}")))?,
        };
        let mut state = BlockState {
            view: chain.view_at(request.block).map_err(host)?,
            artefacts: BTreeMap::new(),
        };
        let info = self
            .module_at(&mut state, &request.contract)
            .map_err(host)?
            .ok_or(ViewError::NoContract(request.contract))?;
        let entry = info
            .entry(request.method)
            .filter(|entry| matches!(entry.kind, EntryKind::View | EntryKind::Policy))
            .ok_or_else(|| ViewError::NoSuchView {
                contract: request.contract,
                method: request.method.to_owned(),
            })?;
        let args = info
            .decode_args(entry, request.args, names)
            .map_err(ViewError::ArgsMismatch)?;
        let block_gas_limit = chain.config().block_gas_limit;
        let gas_limit = self
            .view_gas
            .map_or(block_gas_limit, |cap| cap.min(block_gas_limit));
        let call = Call {
            contract: request.contract,
            entry: entry.name.clone(),
            args,
            caller: request.caller,
            origin: request.caller,
            now: i64::try_from(header.time).unwrap_or(i64::MAX),
            block_height: i64::try_from(header.number).unwrap_or(i64::MAX),
            gas_limit,
        };
        let entry = entry.clone();
        Ok((state, info, entry, call))
    }
}

impl VmExecutor {
    /// The verdict of [`Executor::check`] once the called contract's module (`None` for a
    /// deployment, or when no contract is there) has been read.
    fn verdict(
        &mut self,
        tx: &VerifiedTransaction,
        called: Option<Arc<ModuleInfo>>,
    ) -> Result<(), TxError> {
        let payload = tx.signed.tx();
        let args = parse_args_text(&payload.args).map_err(TxError::ArgsMismatch)?;
        let deployed = payload
            .is_deployment()
            .then(|| assent_ledger::primitives::keccak256(&payload.code));
        let (info, entry) = if let Some(hash) = deployed {
            let info = self
                .module_info(hash, &payload.code)
                .map_err(TxError::ModuleRefused)?;
            (info.clone(), info.init().cloned())
        } else {
            let info = called.ok_or(TxError::NoContract(tx.contract))?;
            let entry = info
                .entry(&payload.method)
                .filter(|entry| entry.kind == EntryKind::Action)
                .cloned()
                .ok_or_else(|| TxError::NoSuchAction {
                    contract: tx.contract,
                    method: payload.method.clone(),
                })?;
            (info, Some(entry))
        };
        match entry {
            Some(entry) => info
                .decode_args(&entry, &args, &HexOnly)
                .map(|_| ())
                .map_err(TxError::ArgsMismatch)?,
            None if args.as_object().is_some_and(serde_json::Map::is_empty) => {}
            None => {
                return Err(TxError::ArgsMismatch(
                    "the contract has no `init`, so a deployment takes no arguments".into(),
                ));
            }
        }
        // Only an accepted deployment's ABI is kept: a refused one leaves nothing behind.
        if let Some(hash) = deployed {
            self.modules.insert(hash, info);
        }
        Ok(())
    }
}

impl Executor for VmExecutor {
    fn check(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
    ) -> Result<Result<(), TxError>, LedgerError> {
        // The called contract's module, read first: failing to read it is the host's fault,
        // not the transaction's.
        let called = if tx.signed.tx().is_deployment() {
            None
        } else {
            self.module_at(state, &tx.contract)?
        };
        Ok(self.verdict(tx, called))
    }

    fn apply(
        &mut self,
        state: &mut dyn StateAccess,
        tx: &VerifiedTransaction,
        env: &BlockEnv,
    ) -> Result<ExecutionResult, LedgerError> {
        let payload = tx.signed.tx();
        let deployment = payload.is_deployment();

        // 1. Base gas and the transaction's bytes, charged before anything runs.
        let base = gas::transaction_cost(tx.signed.encoded().len(), payload.code.len());
        let Some(execution_gas) = payload.gas_limit.checked_sub(base) else {
            return Ok(ExecutionResult {
                outcome: Outcome::OutOfGas { position: None },
                gas_used: payload.gas_limit,
                return_value: None,
                events: Vec::new(),
            });
        };
        let aborted = |message: String| ExecutionResult {
            outcome: Outcome::Aborted {
                message,
                position: None,
            },
            gas_used: base,
            return_value: None,
            events: Vec::new(),
        };

        // 2. The entry point and its arguments (`check` accepted them already).
        let info = self
            .module_at(state, &tx.contract)?
            .ok_or_else(|| LedgerError::executor(format!("no module at {}", tx.contract)))?;
        let entry = if deployment {
            let abi = serde_json::to_vec(&info.abi)
                .map_err(|error| LedgerError::executor(format!("ABI to JSON: {error}")))?;
            state.set(&abi_key(&tx.contract), abi)?;
            match info.init() {
                Some(entry) => entry.clone(),
                None => {
                    return Ok(ExecutionResult {
                        outcome: Outcome::Ok,
                        gas_used: base,
                        return_value: None,
                        events: Vec::new(),
                    });
                }
            }
        } else {
            match info
                .entry(&payload.method)
                .filter(|entry| entry.kind == EntryKind::Action)
            {
                Some(entry) => entry.clone(),
                None => return Ok(aborted(format!("no action `{}`", payload.method))),
            }
        };
        let args = match parse_args_text(&payload.args)
            .and_then(|args| info.decode_args(&entry, &args, &HexOnly))
        {
            Ok(args) => args,
            Err(message) => return Ok(aborted(message)),
        };

        // 3. Execute.
        let call = Call {
            contract: tx.contract,
            entry: entry.name.clone(),
            args,
            caller: tx.sender,
            origin: tx.sender,
            now: i64::try_from(env.time).unwrap_or(i64::MAX),
            block_height: i64::try_from(env.number).unwrap_or(i64::MAX),
            gas_limit: execution_gas,
        };
        let execution = self
            .run(state, call)
            .map_err(|error| LedgerError::Executor(ExecutorFault::from_error(error)))?;

        // 4. Keep the writes of a success; the ledger drops the rest.
        let gas_used = base.saturating_add(execution.gas_used);
        if matches!(execution.outcome, assent_vm::Outcome::Ok(_)) {
            let state_writes = execution.writes.changes.iter().map(|write| (false, write));
            let index_writes = execution.writes.order.iter().map(|write| (true, write));
            for (ordered, (raw_key, value)) in state_writes.chain(index_writes) {
                let written = match (ordered, value) {
                    (true, value) => state.set_ordered(raw_key, value.clone()),
                    (false, Some(value)) => state.set(raw_key, value.clone()),
                    (false, None) => state.remove(raw_key),
                };
                match written {
                    Ok(()) => {}
                    // A module that writes a value the store cannot hold (compiled code
                    // never does: the codec writes at least one byte, the host checks an
                    // index key's length) aborts, like any other fault of the contract;
                    // the ledger drops its writes.
                    Err(
                        error @ (LedgerError::EmptyValue
                        | LedgerError::Trie(TrieError::KeyTooLong(_))),
                    ) => {
                        return Ok(ExecutionResult {
                            outcome: Outcome::Aborted {
                                message: error.to_string(),
                                position: None,
                            },
                            gas_used,
                            return_value: None,
                            events: execution
                                .events
                                .iter()
                                .filter(|event| event.audit)
                                .map(event_of)
                                .collect(),
                        });
                    }
                    Err(fault) => return Err(fault),
                }
            }
        }
        let events = execution.events.iter().map(event_of).collect();
        let (outcome, return_value) = outcome_of(execution.outcome, &info, &entry);
        Ok(ExecutionResult {
            outcome,
            gas_used,
            return_value: return_value.map(|json| json.to_string()),
            events,
        })
    }
}

/// The receipt's outcome and the JSON of the return value.
fn outcome_of(
    outcome: assent_vm::Outcome,
    info: &ModuleInfo,
    entry: &EntryAbi,
) -> (Outcome, Option<Json>) {
    match outcome {
        assent_vm::Outcome::Ok(value) => {
            let json = match (value, entry.returns.and_then(|id| info.ty(id))) {
                (Some(value), Some(ty)) => Some(to_json(&value, ty)),
                _ => None,
            };
            (Outcome::Ok, json)
        }
        assent_vm::Outcome::Aborted { message, position } => (
            Outcome::Aborted {
                message,
                position: position.as_deref().and_then(parse_position),
            },
            None,
        ),
        assent_vm::Outcome::OutOfGas => (Outcome::OutOfGas { position: None }, None),
    }
}

/// `file:line:col` as the module wrote it → the receipt's position.
fn parse_position(text: &str) -> Option<SourcePosition> {
    let mut parts = text.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next().unwrap_or_default().to_owned();
    Some(SourcePosition { file, line, column })
}

/// An event in the receipt's form: fields as a JSON object in declaration order.
fn event_of(event: &assent_vm::Event) -> Event {
    let fields: serde_json::Map<String, Json> = event
        .fields
        .iter()
        .map(|field| (field.name.clone(), to_json(&field.value, &field.ty)))
        .collect();
    Event {
        contract: event.contract,
        name: event.name.clone(),
        fields: Json::Object(fields).to_string(),
        indexed: event
            .fields
            .iter()
            .filter(|field| field.indexed)
            .map(|field| field.name.clone())
            .collect(),
        audit: event.audit,
    }
}

/// The read-only state of a committed block, for views.
struct BlockState {
    view: StateView,
    /// Artefacts compiled for a view stay in memory (a view commits nothing).
    artefacts: BTreeMap<Hash, Vec<u8>>,
}

impl StateAccess for BlockState {
    fn get(&mut self, raw_key: &[u8]) -> Result<Option<Vec<u8>>, LedgerError> {
        self.view.get(raw_key)
    }

    fn set(&mut self, _raw_key: &[u8], _value: Vec<u8>) -> Result<(), LedgerError> {
        Err(LedgerError::executor("a view cannot write"))
    }

    fn remove(&mut self, _raw_key: &[u8]) -> Result<(), LedgerError> {
        Err(LedgerError::executor("a view cannot write"))
    }

    fn set_ordered(&mut self, _key: &[u8], _value: Option<Vec<u8>>) -> Result<(), LedgerError> {
        Err(LedgerError::executor("a view cannot write"))
    }

    fn code(&mut self, contract: &Address) -> Result<Option<Vec<u8>>, LedgerError> {
        let Some(hash) = self.get(&code_hash_key(contract))? else {
            return Ok(None);
        };
        let hash = Hash::from_slice(&hash)
            .ok_or_else(|| LedgerError::Corrupt(format!("code hash of {contract}")))?;
        self.view.code(&hash)
    }

    fn artefact(&mut self, code_hash: &Hash) -> Result<Option<Vec<u8>>, LedgerError> {
        if let Some(artefact) = self.artefacts.get(code_hash) {
            return Ok(Some(artefact.clone()));
        }
        self.view.artefact(code_hash)
    }

    fn put_artefact(&mut self, code_hash: Hash, artefact: Vec<u8>) {
        self.artefacts.insert(code_hash, artefact);
    }

    fn view(&self) -> StateView {
        self.view.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_read_from_the_end() {
        assert_eq!(
            parse_position("c:/x.assent:12:5"),
            Some(SourcePosition {
                file: "c:/x.assent".into(),
                line: 12,
                column: 5
            })
        );
        assert_eq!(parse_position("nonsense"), None);
    }
}
