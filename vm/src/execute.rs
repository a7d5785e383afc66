//! The VM: loads modules (validate, compile once per code hash, cache the compiled
//! artefact) and executes entry points against a [`StateStore`], metered.
//!
//! What a contract did is an [`Outcome`] — `Ok`, `Aborted` or `OutOfGas` — and is data
//! in a receipt; only a fault of the host or its storage is a [`VmError`]. The two are
//! told apart in exactly one place, [`classify`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use assent_stdlib::abi::{ContractAbi, EntryKind, MEMORY_EXPORT};
use assent_stdlib::gas::MEMORY_PAGE;
use assent_stdlib::value::{Type, Value};
use wasmtime::{Engine, InstancePre, Linker, Module, ModuleExport, Store, Trap};

use crate::engine::{VmConfig, build_engine};
use crate::error::{VmError, engine_error};
use crate::host::{self, HostState, HostTrap, Limits, invoke};
use crate::state::{Address, CodeHash, MemoryStore, Overlay, StateStore, WriteSet, keccak256};
use crate::types::{TypeTable, conforms};
use crate::validate::{ValidatedModule, validate};
use crate::warm::{Image, Warm, WarmPool};

/// A loaded contract module: validated, compiled, ready to instantiate.
pub struct Contract {
    pub code_hash: CodeHash,
    pub abi: ContractAbi,
    /// The validator's estimate of the module's deepest stack, in bytes.
    pub stack_estimate: u64,
    pub(crate) types: Arc<TypeTable>,
    pub(crate) pre: InstancePre<HostState>,
    /// The export of each ABI entry point, index for index, and of the memory: looked up
    /// once here rather than by name on every call.
    pub(crate) entry_exports: Vec<ModuleExport>,
    pub(crate) memory_export: ModuleExport,
    /// A fresh instance's memory, when instances may be reused for read-only calls.
    pub(crate) image: Option<Image>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("code_hash", &self.code_hash)
            .field("contract", &self.abi.contract)
            .finish_non_exhaustive()
    }
}

impl Contract {
    /// The resolved types of the ABI's `types` table, index for index.
    pub fn resolved_type(&self, id: u32) -> Option<&Type> {
        self.types.get(id)
    }
}

/// Where compiled artefacts are kept between processes (the ledger persists them);
/// keyed by code hash. An artefact only ever comes from this VM's own compiler.
pub trait ArtefactCache: Send + Sync {
    fn get(&self, code_hash: &CodeHash) -> Option<Vec<u8>>;
    fn put(&self, code_hash: &CodeHash, artefact: Vec<u8>);
}

/// An [`ArtefactCache`] in memory.
#[derive(Debug, Default)]
pub struct MemoryArtefacts {
    artefacts: Mutex<BTreeMap<CodeHash, Vec<u8>>>,
}

impl ArtefactCache for MemoryArtefacts {
    fn get(&self, code_hash: &CodeHash) -> Option<Vec<u8>> {
        self.artefacts.lock().ok()?.get(code_hash).cloned()
    }

    fn put(&self, code_hash: &CodeHash, artefact: Vec<u8>) {
        if let Ok(mut artefacts) = self.artefacts.lock() {
            artefacts.insert(*code_hash, artefact);
        }
    }
}

/// What every execution shares: the engine, the linker, the loaded contracts.
pub(crate) struct VmShared {
    engine: Engine,
    linker: Linker<HostState>,
    pub(crate) config: VmConfig,
    /// Made by [`Vm::explaining`]: links `explain_note` and runs modules built for
    /// explaining.
    explaining: bool,
    loaded: Mutex<LoadedContracts>,
    artefacts: Arc<dyn ArtefactCache>,
}

/// The most contracts a VM keeps loaded (compiled, linked) at once; the least recently
/// used is dropped past it and loaded again from its artefact when next called. Loading
/// costs no gas, so what is cached never reaches gas, state or output.
pub const MAX_LOADED_CONTRACTS: usize = 256;

/// The loaded contracts by code hash, each with when it was last used.
#[derive(Default)]
struct LoadedContracts {
    contracts: BTreeMap<CodeHash, (Arc<Contract>, u64)>,
    clock: u64,
}

impl LoadedContracts {
    fn get(&mut self, code_hash: &CodeHash) -> Option<Arc<Contract>> {
        self.clock += 1;
        let clock = self.clock;
        self.contracts.get_mut(code_hash).map(|(contract, used)| {
            *used = clock;
            contract.clone()
        })
    }

    fn insert(&mut self, code_hash: CodeHash, contract: Arc<Contract>) {
        if self.contracts.len() >= MAX_LOADED_CONTRACTS && !self.contracts.contains_key(&code_hash)
        {
            let oldest = self
                .contracts
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(hash, _)| *hash);
            if let Some(oldest) = oldest {
                self.contracts.remove(&oldest);
            }
        }
        self.clock += 1;
        self.contracts.insert(code_hash, (contract, self.clock));
    }

    fn len(&self) -> usize {
        self.contracts.len()
    }

    fn clear(&mut self) {
        self.contracts.clear();
    }
}

/// The Assent VM. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Vm {
    shared: Arc<VmShared>,
    /// Instances idle between read-only calls (see [`crate::warm`]).
    warm: Arc<WarmPool>,
    /// What an idle store's host state points at: nothing.
    empty_state: Arc<dyn StateStore>,
}

/// An entry point to run.
#[derive(Clone, Debug)]
pub struct Call {
    /// The contract to call.
    pub contract: Address,
    /// The entry point's name (`init`, an action, a view or a policy).
    pub entry: String,
    /// One value per parameter, in order.
    pub args: Vec<Value>,
    /// `caller` in the contract: the signer (or, for a view, whoever asks).
    pub caller: Address,
    /// `origin`: the transaction's signer.
    pub origin: Address,
    /// Block time, Unix seconds.
    pub now: i64,
    pub block_height: i64,
    pub gas_limit: u64,
}

/// What a contract did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned normally, with the entry point's value if it has one.
    Ok(Option<Value>),
    /// `require`, `abort`, a denied `authorize`, a failed checked operation, a trap or a
    /// host check; `position` is the source position (`file:line:col`) when the
    /// contract gave one.
    Aborted {
        message: String,
        position: Option<String>,
    },
    OutOfGas,
}

/// One field of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventField {
    pub name: String,
    pub ty: Type,
    pub value: Value,
    pub indexed: bool,
}

/// An event, `emit`ted or `audit`ed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The contract that emitted it.
    pub contract: Address,
    pub name: String,
    pub fields: Vec<EventField>,
    pub audit: bool,
}

/// The result of executing an entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    pub outcome: Outcome,
    /// Fuel burnt plus host costs; the whole limit when out of gas.
    pub gas_used: u64,
    /// In emission order across contracts: every event on success, only the `audit`
    /// events otherwise.
    pub events: Vec<Event>,
    /// The state writes: empty unless the outcome is `Ok`.
    pub writes: WriteSet,
    /// What a module built for explaining noted, in order, whatever the outcome (empty
    /// for any other module).
    pub notes: Vec<Note>,
}

/// One note of an explanation: which (as the explaining build numbered them) and the
/// value's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub note: u32,
    pub value: String,
}

impl Vm {
    /// A VM with an in-memory artefact cache.
    ///
    /// # Errors
    /// When wasmtime refuses the configuration.
    pub fn new(config: VmConfig) -> Result<Vm, VmError> {
        Self::with_artefacts(config, Arc::new(MemoryArtefacts::default()))
    }

    /// A VM whose compiled artefacts are kept in `artefacts`.
    ///
    /// # Errors
    /// When wasmtime refuses the configuration.
    pub fn with_artefacts(
        config: VmConfig,
        artefacts: Arc<dyn ArtefactCache>,
    ) -> Result<Vm, VmError> {
        Self::build(config, artefacts, false)
    }

    /// A VM for explaining: it also runs modules built for explaining (which import
    /// `explain_note`) and returns their notes. Never one that executes transactions:
    /// the chain's VMs refuse such modules.
    ///
    /// # Errors
    /// When wasmtime refuses the configuration.
    pub fn explaining(config: VmConfig) -> Result<Vm, VmError> {
        Self::build(config, Arc::new(MemoryArtefacts::default()), true)
    }

    fn build(
        config: VmConfig,
        artefacts: Arc<dyn ArtefactCache>,
        explaining: bool,
    ) -> Result<Vm, VmError> {
        let engine = build_engine(&config)?;
        let mut linker = Linker::new(&engine);
        host::link(&mut linker, explaining)?;
        // Idle instances hold pool slots: leave most of the pool to executions.
        let warm = Arc::new(WarmPool::new(config.pool_instances as usize / 4));
        Ok(Vm {
            shared: Arc::new(VmShared {
                engine,
                linker,
                config,
                explaining,
                loaded: Mutex::new(LoadedContracts::default()),
                artefacts,
            }),
            warm,
            empty_state: Arc::new(MemoryStore::new()),
        })
    }

    /// Validates and compiles `code` (or finds it already loaded, or its artefact in
    /// the cache).
    ///
    /// # Errors
    /// [`VmError::Invalid`] when the validator refuses the module.
    pub fn load(&self, code: &[u8]) -> Result<Arc<Contract>, VmError> {
        self.shared.load(code, None)
    }

    /// Forgets the contracts loaded in this process (their artefacts stay cached), so
    /// the next load deserialises the artefact.
    pub fn forget_loaded(&self) {
        if let Ok(mut loaded) = self.shared.loaded.lock() {
            loaded.clear();
        }
        self.warm.clear();
    }

    /// How many contracts are loaded now (at most [`MAX_LOADED_CONTRACTS`]).
    pub fn loaded_contracts(&self) -> usize {
        self.shared.loaded.lock().map_or(0, |loaded| loaded.len())
    }

    /// Instances kept warm for read-only calls (at most a quarter of the instance pool).
    pub fn idle_instances(&self) -> usize {
        self.warm.len()
    }

    /// Runs `call` against `state`.
    ///
    /// The calling thread needs about 1.5 MiB of stack: WebAssembly may use up to
    /// `engine::MAX_WASM_STACK` (1 MiB) of it across the whole call stack of contracts
    /// (Rust's default of 2 MiB for spawned threads is enough).
    ///
    /// # Errors
    /// Only for host faults: storage failures, no contract at the address, an unknown
    /// entry point, arguments that do not match, wasmtime failures. Whatever the
    /// contract does is an [`Outcome`].
    pub fn execute(&self, state: Arc<dyn StateStore>, call: Call) -> Result<Execution, VmError> {
        let contract = self
            .shared
            .contract_at(state.as_ref(), &call.contract)?
            .ok_or_else(|| VmError::NoContract {
                address: call.contract.to_string(),
            })?;
        self.execute_loaded(state, contract, call)
    }

    /// Runs `call` on `contract`, given loaded rather than looked up at `call.contract`:
    /// for a deployment's `init`, before the code is in the state. In stages: [`resolve`]
    /// the entry point, [`Vm::acquire`] a store, [`run`] the call, [`Vm::release`] the
    /// store, [`finish`] the execution.
    ///
    /// # Errors
    /// As [`Vm::execute`].
    pub fn execute_loaded(
        &self,
        state: Arc<dyn StateStore>,
        contract: Arc<Contract>,
        call: Call,
    ) -> Result<Execution, VmError> {
        let (entry_index, read_only) = resolve(&contract, &call)?;
        let acquired = self.acquire(state, &contract, &call, read_only)?;
        let Acquired {
            mut store,
            uses,
            instantiation_fuel,
            may_stay_warm,
        } = acquired;
        let gas_limit = call.gas_limit;
        let ran = run(
            &mut store,
            contract.clone(),
            call,
            entry_index,
            read_only,
            instantiation_fuel,
        )?;
        let state = self.release(store, &contract, may_stay_warm, uses);
        finish(ran, gas_limit, state)
    }

    /// Stage 2: a store for the call, with the host state of a fresh execution — an idle
    /// warm instance of the same code for a read-only call when one is parked, else a new
    /// store.
    fn acquire(
        &self,
        state: Arc<dyn StateStore>,
        contract: &Arc<Contract>,
        call: &Call,
        read_only: bool,
    ) -> Result<Acquired, VmError> {
        let host_state = self.host_state(
            Overlay::new(state),
            call.origin,
            call.now,
            call.block_height,
        );
        // A read-only call may run in a warm instance of the same code (crate::warm).
        let warm_image = contract.image.as_ref().filter(|_| read_only);
        let warm = warm_image.and_then(|image| self.warm.take(&contract.code_hash, image));
        let (mut store, uses, instantiation_fuel) = match warm {
            Some(warm) => {
                let uses = warm.uses;
                let instantiation_fuel = warm.instantiation_fuel;
                let mut store = warm.store;
                *store.data_mut() = host_state;
                let data = store.data_mut();
                data.instances.insert(call.contract, warm.live);
                data.funcs = warm.funcs;
                // What instantiating charges: the initial pages, before any code runs.
                data.limits.pending_pages = warm_image.map_or(0, Image::pages);
                data.instantiation_fuel = instantiation_fuel;
                (store, uses, instantiation_fuel)
            }
            None => {
                let mut store =
                    Store::try_new(&self.shared.engine, host_state).map_err(engine_error)?;
                store.limiter(|state| &mut state.limits);
                (store, 0, 0)
            }
        };
        store.set_fuel(call.gas_limit).map_err(engine_error)?;
        Ok(Acquired {
            store,
            uses,
            instantiation_fuel,
            may_stay_warm: warm_image.is_some(),
        })
    }

    /// Stage 4: the store parked as a warm instance when it can be reused (a read-only
    /// call that used no other contract), dropped otherwise; the call's host state back.
    fn release(
        &self,
        mut store: Store<HostState>,
        contract: &Contract,
        may_stay_warm: bool,
        uses: u32,
    ) -> HostState {
        let only_instance = match store.data().instances.first_key_value() {
            Some((_, live)) if store.data().instances.len() == 1 => Some(*live),
            _ => None,
        };
        match (may_stay_warm, only_instance) {
            // Kept warm: the store stays, with an idle host state in it.
            (true, Some(live)) => {
                let idle =
                    self.host_state(Overlay::idle(self.empty_state.clone()), Address::ZERO, 0, 0);
                let mut state = std::mem::replace(store.data_mut(), idle);
                self.warm.give_back(
                    contract.code_hash,
                    Warm {
                        store,
                        live,
                        instantiation_fuel: state.instantiation_fuel,
                        funcs: std::mem::take(&mut state.funcs),
                        uses,
                    },
                );
                state
            }
            _ => store.into_data(),
        }
    }
}

/// A store ready to run a call in ([`Vm::acquire`]).
struct Acquired {
    store: Store<HostState>,
    /// How many calls the store has served before this one.
    uses: u32,
    /// What instantiating the warm instance consumed, charged again (0 for a new store).
    instantiation_fuel: u64,
    /// Whether the store may be parked warm after the call (a read-only call of a
    /// contract with a memory image).
    may_stay_warm: bool,
}

/// How a call ran ([`run`]): the entry's result or the trap, and the fuel left.
struct Ran {
    result: Result<Option<Value>, wasmtime::Error>,
    fuel_left: u64,
}

/// Stage 1: the entry point `call` names, and whether it is read-only; the arguments
/// must match its parameters.
fn resolve(contract: &Contract, call: &Call) -> Result<(usize, bool), VmError> {
    let (entry_index, entry) = contract
        .abi
        .entries
        .iter()
        .enumerate()
        .find(|(_, entry)| entry.name == call.entry)
        .ok_or_else(|| VmError::NoEntry {
            contract: contract.abi.contract.clone(),
            entry: call.entry.clone(),
        })?;
    if entry.params.len() != call.args.len() {
        return Err(VmError::BadArguments {
            entry: entry.name.clone(),
            message: format!(
                "{} arguments given, {} expected",
                call.args.len(),
                entry.params.len()
            ),
        });
    }
    for (param, value) in entry.params.iter().zip(&call.args) {
        let fits = contract
            .types
            .get(param.ty)
            .is_some_and(|ty| conforms(value, ty));
        if !fits {
            return Err(VmError::BadArguments {
                entry: entry.name.clone(),
                message: format!("`{}` is not a value of its type", param.name),
            });
        }
    }
    let read_only = matches!(entry.kind, EntryKind::View | EntryKind::Policy);
    Ok((entry_index, read_only))
}

/// Stage 3: invokes the entry point with the call's arguments, metered; memory grown just
/// before an abort is paid for too (as far as the gas goes).
fn run(
    store: &mut Store<HostState>,
    contract: Arc<Contract>,
    call: Call,
    entry_index: usize,
    read_only: bool,
    instantiation_fuel: u64,
) -> Result<Ran, VmError> {
    // A warm instance pays what instantiating it would have: wasmtime's fuel for the
    // data segments, then the initial pages; a fresh store pays nothing here.
    let result = host::charge_store(&mut *store, instantiation_fuel)
        .and_then(|()| {
            invoke(
                &mut *store,
                host::Invocation {
                    contract,
                    address: call.contract,
                    caller: call.caller,
                    entry: entry_index,
                    args: call
                        .args
                        .into_iter()
                        .map(|value| {
                            let bytes = assent_stdlib::value::footprint(&value);
                            (host::Lifted::Owned(value), bytes)
                        })
                        .collect(),
                    read_only,
                },
            )
        })
        .and_then(|value| host::charge_store(&mut *store, 0).map(|()| value));
    if result.is_err() {
        let pages = std::mem::take(&mut store.data_mut().limits.pending_pages);
        let fuel = store.get_fuel().map_err(engine_error)?;
        store
            .set_fuel(fuel.saturating_sub(pages.saturating_mul(MEMORY_PAGE)))
            .map_err(engine_error)?;
    }
    let fuel_left = store.get_fuel().map_err(engine_error)?;
    Ok(Ran { result, fuel_left })
}

/// Stage 5: the execution as the caller sees it — the outcome, the gas used, and the
/// writes and events kept (all of them on success; only `audit` events otherwise).
fn finish(ran: Ran, gas_limit: u64, state: HostState) -> Result<Execution, VmError> {
    let outcome = match ran.result {
        Ok(value) => Outcome::Ok(value),
        Err(error) => classify(error)?,
    };
    let gas_used = match outcome {
        Outcome::OutOfGas => gas_limit,
        _ => gas_limit.saturating_sub(ran.fuel_left),
    };
    Ok(match outcome {
        Outcome::Ok(_) => Execution {
            outcome,
            gas_used,
            events: state.events,
            writes: state.overlay.into_write_set(),
            notes: state.notes,
        },
        _ => Execution {
            outcome,
            gas_used,
            events: state
                .events
                .into_iter()
                .filter(|event| event.audit)
                .collect(),
            writes: WriteSet::default(),
            notes: state.notes,
        },
    })
}

impl Vm {
    /// The host state of one execution, before any instance exists.
    fn host_state(
        &self,
        overlay: Overlay,
        origin: Address,
        now: i64,
        block_height: i64,
    ) -> HostState {
        HostState {
            vm: self.shared.clone(),
            overlay,
            origin,
            now,
            block_height,
            frames: Vec::new(),
            instances: BTreeMap::new(),
            events: Vec::new(),
            value_bytes: 0,
            limits: Limits {
                pending_pages: 0,
                max_instances: self.shared.config.max_contracts_per_transaction,
            },
            instantiation_fuel: 0,
            funcs: BTreeMap::new(),
            notes: Vec::new(),
        }
    }
}

/// The one place where a failed call becomes an [`Outcome`] or a [`VmError`]: running
/// out of fuel and a host's out-of-gas are `OutOfGas`; a host abort or a WebAssembly trap
/// is `Aborted`; anything else is a fault of the host.
fn classify(error: wasmtime::Error) -> Result<Outcome, VmError> {
    let error = match error.downcast::<HostTrap>() {
        Ok(HostTrap::Abort { message, position }) => {
            return Ok(Outcome::Aborted { message, position });
        }
        Ok(HostTrap::OutOfGas) => return Ok(Outcome::OutOfGas),
        Ok(HostTrap::Fault(error)) => return Err(error),
        Err(error) => error,
    };
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Ok(Outcome::OutOfGas),
        Some(trap) => Ok(Outcome::Aborted {
            message: trap.to_string(),
            position: None,
        }),
        None => Err(engine_error(error)),
    }
}

impl VmShared {
    /// Loads `code`; its artefact is looked for in `state` (when the module was read from
    /// one), then in the VM's cache, and a new one is offered to both.
    fn load(&self, code: &[u8], state: Option<&dyn StateStore>) -> Result<Arc<Contract>, VmError> {
        let code_hash = keccak256(code);
        if let Some(contract) = self.loaded()?.get(&code_hash) {
            return Ok(contract);
        }
        let ValidatedModule {
            abi,
            types,
            stack_estimate,
        } = if self.explaining {
            crate::validate::validate_explaining(code)?
        } else {
            validate(code)?
        };
        let artefact = state
            .and_then(|state| state.artefact(&code_hash))
            .or_else(|| self.artefacts.get(&code_hash));
        let module = match artefact {
            Some(artefact) => match deserialize(&self.engine, &artefact) {
                Ok(module) => module,
                Err(_) => self.compile(&code_hash, code, state)?,
            },
            None => self.compile(&code_hash, code, state)?,
        };
        let pre = self.linker.instantiate_pre(&module).map_err(engine_error)?;
        let export = |name: &str| {
            module
                .get_export_index(name)
                .ok_or_else(|| VmError::Engine(format!("the module has no export `{name}`")))
        };
        let entry_exports = abi
            .entries
            .iter()
            .map(|entry| export(&entry.export))
            .collect::<Result<Vec<_>, _>>()?;
        let memory_export = export(MEMORY_EXPORT)?;
        let contract = Arc::new(Contract {
            code_hash,
            abi,
            stack_estimate,
            types: TypeTable::new(types),
            pre,
            entry_exports,
            memory_export,
            image: Image::of(code),
        });
        self.loaded()?.insert(code_hash, contract.clone());
        Ok(contract)
    }

    fn compile(
        &self,
        code_hash: &CodeHash,
        code: &[u8],
        state: Option<&dyn StateStore>,
    ) -> Result<Module, VmError> {
        let module = Module::from_binary(&self.engine, code).map_err(engine_error)?;
        if let Ok(artefact) = module.serialize() {
            if let Some(state) = state {
                state.put_artefact(code_hash, &artefact);
            }
            self.artefacts.put(code_hash, artefact);
        }
        Ok(module)
    }

    fn loaded(&self) -> Result<std::sync::MutexGuard<'_, LoadedContracts>, VmError> {
        self.loaded
            .lock()
            .map_err(|_| VmError::Engine("the contract cache is poisoned".into()))
    }

    /// The contract deployed at `address`, loaded.
    pub(crate) fn contract_at(
        &self,
        state: &dyn StateStore,
        address: &Address,
    ) -> Result<Option<Arc<Contract>>, VmError> {
        let Some(code_hash) = state.code_hash(address)? else {
            return Ok(None);
        };
        if let Some(contract) = self.loaded()?.get(&code_hash) {
            return Ok(Some(contract));
        }
        let code = state.code(&code_hash)?.ok_or_else(|| VmError::NoContract {
            address: address.to_string(),
        })?;
        self.load(&code, Some(state)).map(Some)
    }
}

/// Loads a compiled artefact.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, artefact: &[u8]) -> Result<Module, VmError> {
    // SAFETY: `Module::deserialize` runs the artefact's machine code as is, so it must
    // be what `Module::serialize` produced for a module this VM validated. Artefacts
    // only come from `VmShared::compile` (right after validation), kept in the VM's
    // `ArtefactCache` or by the keeper of the state (`StateStore::put_artefact`: the
    // ledger's own store, never the network — a node must never take one from a peer);
    // wasmtime also checks
    // that the artefact was made by this wasmtime version with a compatible engine
    // configuration, and refuses it otherwise (we then recompile).
    unsafe { Module::deserialize(engine, artefact) }.map_err(engine_error)
}

/// The ledger and the node share one VM between threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Vm>();
    shared::<Contract>();
};
