//! The host functions a contract imports, linked from the ABI table
//! ([`assent_stdlib::abi::HOST_FUNCTIONS`]), one small file per family.
//!
//! Every function charges its gas first ([`charge`]); then reads its inputs through
//! bounds-checked accessors ([`read_memory`], [`Host::slot`]), so a bad pointer, handle
//! or id ends the transaction as aborted ([`HostTrap::Abort`]) and never panics.

mod calls;
mod context;
mod crypto;
mod entry;
mod events;
mod storage;
mod values;

pub(crate) mod arith;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use assent_stdlib::abi::{
    HANDLE_BYTES, HOST_FUNCTIONS, HOST_MODULE, HostFn, MAX_MEMORY_PAGES, MAX_VALUE_BYTES,
};
use assent_stdlib::codec;
use assent_stdlib::gas;
use assent_stdlib::value::{SHARED_BYTES, Type, VALUE_BYTES, Value, footprint};
use wasmtime::{AsContextMut, Caller, Instance, Linker, Memory, ResourceLimiter};

pub(crate) use entry::EntryFunc;

use crate::engine::PAGE_SIZE;
use crate::error::{VmError, engine_error};
use crate::execute::{Contract, Event, VmShared};
use crate::state::{Address, Overlay};
use crate::types::{Repr, TypeId, TypeTable, scalar_value};

pub(crate) use calls::{Invocation, invoke};

/// Why a host function stopped the transaction: turned into an
/// [`Outcome`](crate::Outcome) or a [`VmError`] in exactly one place
/// (`execute::classify`).
#[derive(Debug)]
pub(crate) enum HostTrap {
    Abort {
        message: String,
        position: Option<String>,
    },
    OutOfGas,
    Fault(VmError),
}

impl fmt::Display for HostTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostTrap::Abort { message, .. } => write!(f, "aborted: {message}"),
            HostTrap::OutOfGas => f.write_str("out of gas"),
            HostTrap::Fault(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for HostTrap {}

pub(crate) type HostResult<T> = wasmtime::Result<T>;

/// Ends the transaction as aborted with `message` (no source position: the host found
/// the problem, not a `require`).
pub(crate) fn abort<T>(message: impl Into<String>) -> HostResult<T> {
    Err(wasmtime::Error::new(HostTrap::Abort {
        message: message.into(),
        position: None,
    }))
}

pub(crate) fn fault<T>(error: VmError) -> HostResult<T> {
    Err(wasmtime::Error::new(HostTrap::Fault(error)))
}

/// A value behind a handle, with its type in the frame's type table.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) ty: TypeId,
    pub(crate) value: Arc<Value>,
    /// The value's [`footprint`], known when it was made, so that pricing an operation
    /// on it (a comparison, a search) never walks it first.
    pub(crate) bytes: u64,
}

/// A value an `i64` stands for: shared with the arena when it is behind a handle, owned
/// when it is a scalar or comes from outside (a scalar then costs no allocation at all).
#[derive(Debug)]
pub(crate) enum Lifted {
    Owned(Value),
    Shared(Arc<Value>),
}

impl std::ops::Deref for Lifted {
    type Target = Value;

    fn deref(&self) -> &Value {
        match self {
            Lifted::Owned(value) => value,
            Lifted::Shared(value) => value,
        }
    }
}

impl Lifted {
    /// The value itself, to be put inside a compound value (copied only when shared).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Lifted::Owned(value) => value,
            Lifted::Shared(value) => Arc::unwrap_or_clone(value),
        }
    }
}

impl From<Value> for Lifted {
    fn from(value: Value) -> Lifted {
        Lifted::Owned(value)
    }
}

impl From<Arc<Value>> for Lifted {
    fn from(value: Arc<Value>) -> Lifted {
        Lifted::Shared(value)
    }
}

/// One running entry point: a contract on the call stack.
pub(crate) struct Frame {
    pub(crate) address: Address,
    pub(crate) caller: Address,
    pub(crate) contract: Arc<Contract>,
    pub(crate) memory: Memory,
    pub(crate) arena: Vec<Slot>,
    /// A view or policy, or anything called from one: no writes, no events.
    pub(crate) read_only: bool,
}

/// An instance of a contract, kept for the rest of the transaction.
#[derive(Clone, Copy)]
pub(crate) struct Live {
    pub(crate) instance: Instance,
    pub(crate) memory: Memory,
}

/// Everything a transaction's host functions share: the `T` of its wasmtime store.
pub(crate) struct HostState {
    pub(crate) vm: Arc<VmShared>,
    pub(crate) overlay: Overlay,
    pub(crate) origin: Address,
    pub(crate) now: i64,
    pub(crate) block_height: i64,
    pub(crate) frames: Vec<Frame>,
    pub(crate) instances: BTreeMap<Address, Live>,
    pub(crate) events: Vec<Event>,
    /// Bytes of values built so far (bounded by [`MAX_VALUE_BYTES`]).
    pub(crate) value_bytes: u64,
    pub(crate) limits: Limits,
    /// Fuel the most recent instantiation in this store consumed.
    pub(crate) instantiation_fuel: u64,
    /// Entry points already looked up in this store, by contract and ABI entry index
    /// (a lookup costs more than many a whole host call; warm stores keep theirs).
    pub(crate) funcs: BTreeMap<(Address, usize), EntryFunc>,
    /// What a module built for explaining noted, in order (see [`crate::Note`]).
    pub(crate) notes: Vec<crate::Note>,
}

/// wasmtime's resource limiter for one transaction: memories stay within the ABI's
/// bound, and every page a memory gains is recorded, to be charged as gas.
pub(crate) struct Limits {
    /// Pages grown (or created with an instance) and not yet charged.
    pub(crate) pending_pages: u64,
    pub(crate) max_instances: usize,
}

impl ResourceLimiter for Limits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let limit = u64::from(MAX_MEMORY_PAGES) * PAGE_SIZE;
        if desired as u64 > limit || maximum.is_some_and(|maximum| desired > maximum) {
            return Ok(false);
        }
        let grown = (desired.saturating_sub(current) as u64).div_ceil(PAGE_SIZE);
        self.pending_pages = self.pending_pages.saturating_add(grown);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|maximum| desired <= maximum))
    }

    fn instances(&self) -> usize {
        self.max_instances
    }

    fn tables(&self) -> usize {
        self.max_instances
    }

    fn memories(&self) -> usize {
        self.max_instances
    }
}

/// Charges `gas` (plus any memory growth not yet paid for) against the store's fuel,
/// before the caller does its work.
pub(crate) fn charge(caller: &mut Caller<'_, HostState>, gas: u64) -> HostResult<()> {
    charge_store(caller, gas)
}

/// [`charge`] for any store context: memory pages are also charged right after an
/// instance is made (before its code runs) and when the transaction ends.
pub(crate) fn charge_store(
    mut ctx: impl AsContextMut<Data = HostState>,
    gas: u64,
) -> HostResult<()> {
    let mut store = ctx.as_context_mut();
    let pages = std::mem::take(&mut store.data_mut().limits.pending_pages);
    let total = gas.saturating_add(pages.saturating_mul(gas::MEMORY_PAGE));
    if total == 0 {
        return Ok(());
    }
    let fuel = store.get_fuel()?;
    match fuel.checked_sub(total) {
        Some(left) => store.set_fuel(left),
        None => {
            store.set_fuel(0)?;
            Err(wasmtime::Error::new(HostTrap::OutOfGas))
        }
    }
}

/// Hands `value` (of [`footprint`] `bytes`) back to the contract: a scalar as its own
/// `i64`, anything else behind a new handle, for which [`gas::NEW_VALUE`] is charged
/// first. What building the value cost is the caller's to charge.
pub(crate) fn give(
    caller: &mut Caller<'_, HostState>,
    ty: TypeId,
    value: impl Into<Lifted>,
    bytes: u64,
) -> HostResult<i64> {
    let value = value.into();
    if value.scalar_bits().is_none() {
        charge(caller, gas::NEW_VALUE)?;
    }
    caller.data_mut().hand_out(ty, value, bytes)
}

/// [`give`] for a value whose footprint is not known yet (it is walked, which costs
/// less than the copy the caller has paid for).
pub(crate) fn give_value(
    caller: &mut Caller<'_, HostState>,
    ty: TypeId,
    value: Value,
) -> HostResult<i64> {
    let bytes = footprint(&value);
    give(caller, ty, value, bytes)
}

/// [`give`] for a value the host has just built from bytes (decoded from storage, or
/// returned by another contract): the building is charged by the value's footprint,
/// at once, before the value is handed out. Decoding is bounded before it starts: what
/// was stored or returned was built within some call's memory budget.
pub(crate) fn give_built(
    caller: &mut Caller<'_, HostState>,
    ty: TypeId,
    value: Value,
) -> HostResult<i64> {
    let bytes = footprint(&value);
    charge(caller, copy_cost(bytes))?;
    give(caller, ty, value, bytes)
}

/// A second handle to the value of `slot` (shared, not copied), charged as a new
/// value.
pub(crate) fn share(caller: &mut Caller<'_, HostState>, slot: Slot) -> HostResult<i64> {
    charge(caller, gas::NEW_VALUE)?;
    caller.data_mut().share(slot)
}

/// Gas for copying, building or walking `bytes` bytes of values ([`footprint`]).
pub(crate) fn copy_cost(bytes: u64) -> u64 {
    gas::value_cost(bytes)
}

/// Bytes of `value`'s canonical encoding (what storage, events and `sha3` are priced by).
pub(crate) fn size_of(value: &Value) -> usize {
    codec::encoded_len(value)
}

impl HostState {
    pub(crate) fn frame(&self) -> HostResult<&Frame> {
        match self.frames.last() {
            Some(frame) => Ok(frame),
            None => fault(VmError::Engine(
                "a host function ran outside a contract call".into(),
            )),
        }
    }

    pub(crate) fn frame_mut(&mut self) -> HostResult<&mut Frame> {
        match self.frames.last_mut() {
            Some(frame) => Ok(frame),
            None => fault(VmError::Engine(
                "a host function ran outside a contract call".into(),
            )),
        }
    }

    /// Counts `bytes` more bytes of values against the call's memory budget; aborts
    /// past [`MAX_VALUE_BYTES`].
    pub(crate) fn account(&mut self, bytes: u64) -> HostResult<()> {
        self.value_bytes = self.value_bytes.saturating_add(bytes);
        if self.value_bytes > MAX_VALUE_BYTES {
            return abort(format!(
                "the call built more than {MAX_VALUE_BYTES} bytes of values (its memory budget)"
            ));
        }
        Ok(())
    }

    /// Gives `value` (of [`footprint`] `bytes`) of type `ty` a handle in the running
    /// frame, counting the handle, its shared allocation and the value against the
    /// memory budget; a scalar is its own `i64` and costs nothing. Host functions call
    /// [`give`], which charges for the handle first.
    pub(crate) fn hand_out(
        &mut self,
        ty: TypeId,
        value: impl Into<Lifted>,
        bytes: u64,
    ) -> HostResult<i64> {
        let value = value.into();
        if let Some(bits) = value.scalar_bits() {
            return Ok(bits);
        }
        self.account(
            HANDLE_BYTES
                .saturating_add(SHARED_BYTES)
                .saturating_add(bytes),
        )?;
        Ok(self.frame_mut()?.lower(ty, value, bytes))
    }

    /// A second handle to the value of `slot` (shared, not copied): only the handle
    /// counts against the memory budget.
    pub(crate) fn share(&mut self, slot: Slot) -> HostResult<i64> {
        self.account(HANDLE_BYTES)?;
        let frame = self.frame_mut()?;
        frame.arena.push(slot);
        Ok((frame.arena.len() - 1) as i64)
    }

    /// Refuses a write, event or action call in a read-only frame.
    pub(crate) fn writable(&self, what: &str) -> HostResult<()> {
        if self.frame()?.read_only {
            return abort(format!("{what} is not allowed in a view or policy"));
        }
        Ok(())
    }
}

impl Frame {
    pub(crate) fn types(&self) -> &TypeTable {
        &self.contract.types
    }

    pub(crate) fn type_of(&self, id: TypeId) -> HostResult<&Type> {
        match self.types().get(id) {
            Some(ty) => Ok(ty),
            None => abort(format!("type id {id} does not exist")),
        }
    }

    /// The slot behind a handle.
    pub(crate) fn slot(&self, handle: i64) -> HostResult<&Slot> {
        match usize::try_from(handle)
            .ok()
            .and_then(|index| self.arena.get(index))
        {
            Some(slot) => Ok(slot),
            None => abort(format!("invalid handle {handle}")),
        }
    }

    pub(crate) fn slot_mut(&mut self, handle: i64) -> HostResult<&mut Slot> {
        match usize::try_from(handle)
            .ok()
            .and_then(|index| self.arena.get_mut(index))
        {
            Some(slot) => Ok(slot),
            None => abort(format!("invalid handle {handle}")),
        }
    }

    /// The value an `i64` of type `ty` stands for (shared when it is behind a handle).
    pub(crate) fn lift(&self, ty: TypeId, bits: i64) -> HostResult<Lifted> {
        Ok(self.lift_sized(ty, bits)?.0)
    }

    /// [`Frame::lift`] with the value's [`footprint`] (known for a handle, fixed for a
    /// scalar), without walking the value.
    pub(crate) fn lift_sized(&self, ty: TypeId, bits: i64) -> HostResult<(Lifted, u64)> {
        let expected = self.type_of(ty)?;
        match crate::types::repr_of(expected) {
            Repr::Scalar => match scalar_value(expected, bits) {
                Ok(value) => Ok((Lifted::Owned(value), VALUE_BYTES)),
                Err(message) => abort(message),
            },
            Repr::Handle => {
                let slot = self.slot(bits)?;
                if !self.types().same(slot.ty, ty) {
                    let actual = self
                        .types()
                        .get(slot.ty)
                        .map(Type::display)
                        .unwrap_or_default();
                    return abort(format!(
                        "handle {bits} holds a `{actual}`, where a `{}` is expected",
                        expected.display()
                    ));
                }
                Ok((Lifted::Shared(slot.value.clone()), slot.bytes))
            }
        }
    }

    /// The `i64` for `value` of type `ty` and [`footprint`] `bytes`: the number, or a new
    /// handle (not counted against the memory budget: [`HostState::give`] does that).
    pub(crate) fn lower(&mut self, ty: TypeId, value: impl Into<Lifted>, bytes: u64) -> i64 {
        let value = value.into();
        if let Some(bits) = value.scalar_bits() {
            return bits;
        }
        let value = match value {
            Lifted::Owned(value) => Arc::new(value),
            Lifted::Shared(value) => value,
        };
        self.arena.push(Slot { ty, value, bytes });
        (self.arena.len() - 1) as i64
    }
}

/// Aborts when `len` bytes at `ptr` are not all inside the running contract's memory
/// (without copying them, so a cost can be charged in between).
pub(crate) fn check_range(caller: &Caller<'_, HostState>, ptr: i32, len: i32) -> HostResult<()> {
    let memory = caller.data().frame()?.memory;
    let size = memory.data_size(caller);
    let (start, len) = (ptr as u32 as usize, len as u32 as usize);
    match start.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => abort(format!(
            "memory access out of bounds: {len} bytes at {start} (memory has {size} bytes)"
        )),
    }
}

/// Copies `len` bytes at `ptr` out of the running contract's memory; aborts when the
/// range is outside it. Pointers and lengths are unsigned 32-bit.
pub(crate) fn read_memory(
    caller: &Caller<'_, HostState>,
    ptr: i32,
    len: i32,
) -> HostResult<Vec<u8>> {
    let memory = caller.data().frame()?.memory;
    let data = memory.data(caller);
    let start = ptr as u32 as usize;
    let len = len as u32 as usize;
    match start.checked_add(len).and_then(|end| data.get(start..end)) {
        Some(bytes) => Ok(bytes.to_vec()),
        None => abort(format!(
            "memory access out of bounds: {len} bytes at {start} (memory has {} bytes)",
            data.len()
        )),
    }
}

/// Reads `count` slots (little-endian `i64`s) at `ptr`.
pub(crate) fn read_slots(
    caller: &Caller<'_, HostState>,
    ptr: i32,
    count: usize,
) -> HostResult<Vec<i64>> {
    let Some(len) = count.checked_mul(8).and_then(|len| i32::try_from(len).ok()) else {
        return abort(format!("{count} slots do not fit in memory"));
    };
    let bytes = read_memory(caller, ptr, len)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            i64::from_le_bytes(word)
        })
        .collect())
}

/// Bytes in memory as UTF-8 text; aborts when they are not.
pub(crate) fn read_text(caller: &Caller<'_, HostState>, ptr: i32, len: i32) -> HostResult<String> {
    match String::from_utf8(read_memory(caller, ptr, len)?) {
        Ok(text) => Ok(text),
        Err(_) => abort(format!("the text at {} is not UTF-8", ptr as u32)),
    }
}

/// Registers every host function of the ABI table with the linker.
///
/// # Errors
/// When wasmtime refuses a definition (never, for a consistent table).
pub(crate) fn link(linker: &mut Linker<HostState>, explaining: bool) -> Result<(), VmError> {
    for function in HOST_FUNCTIONS {
        // Only a VM made for explaining links what no deployed contract may import.
        if !function.id.deployable() && !explaining {
            continue;
        }
        let name = function.name;
        // The match is exhaustive, so a function added to the table must be linked here;
        // the signature of each Rust function must equal the table's (tested).
        let defined = match function.id {
            HostFn::Abort => linker.func_wrap(HOST_MODULE, name, context::abort),
            HostFn::AbortStatic => linker.func_wrap(HOST_MODULE, name, context::abort_static),
            HostFn::Caller => linker.func_wrap(HOST_MODULE, name, context::caller),
            HostFn::Origin => linker.func_wrap(HOST_MODULE, name, context::origin),
            HostFn::SelfAddress => linker.func_wrap(HOST_MODULE, name, context::self_address),
            HostFn::Now => linker.func_wrap(HOST_MODULE, name, context::now),
            HostFn::BlockHeight => linker.func_wrap(HOST_MODULE, name, context::block_height),
            HostFn::ValConst => linker.func_wrap(HOST_MODULE, name, values::val_const),
            HostFn::ValCopy => linker.func_wrap(HOST_MODULE, name, values::val_copy),
            HostFn::ValEq => linker.func_wrap(HOST_MODULE, name, values::val_eq),
            HostFn::ValCmp => linker.func_wrap(HOST_MODULE, name, values::val_cmp),
            HostFn::ValToString => linker.func_wrap(HOST_MODULE, name, values::val_to_string),
            HostFn::StrConcat => linker.func_wrap(HOST_MODULE, name, values::str_concat),
            HostFn::StrStartsWith => linker.func_wrap(HOST_MODULE, name, values::str_starts_with),
            HostFn::StrBytes => linker.func_wrap(HOST_MODULE, name, values::str_bytes),
            HostFn::BytesAt => linker.func_wrap(HOST_MODULE, name, values::bytes_at),
            HostFn::RecordNew => linker.func_wrap(HOST_MODULE, name, values::record_new),
            HostFn::RecordGet => linker.func_wrap(HOST_MODULE, name, values::record_get),
            HostFn::RecordSetMut => linker.func_wrap(HOST_MODULE, name, values::record_set_mut),
            HostFn::OptSome => linker.func_wrap(HOST_MODULE, name, values::opt_some),
            HostFn::OptNone => linker.func_wrap(HOST_MODULE, name, values::opt_none),
            HostFn::OptIsSome => linker.func_wrap(HOST_MODULE, name, values::opt_is_some),
            HostFn::OptUnwrap => linker.func_wrap(HOST_MODULE, name, values::opt_unwrap),
            HostFn::CollNew => linker.func_wrap(HOST_MODULE, name, values::coll_new),
            HostFn::CollLen => linker.func_wrap(HOST_MODULE, name, values::coll_len),
            HostFn::CollContains => linker.func_wrap(HOST_MODULE, name, values::coll_contains),
            HostFn::CollAt => linker.func_wrap(HOST_MODULE, name, values::coll_at),
            HostFn::MapGet => linker.func_wrap(HOST_MODULE, name, values::map_get),
            HostFn::ListPushMut => linker.func_wrap(HOST_MODULE, name, values::list_push_mut),
            HostFn::CollInsertMut => linker.func_wrap(HOST_MODULE, name, values::coll_insert_mut),
            HostFn::MapSetMut => linker.func_wrap(HOST_MODULE, name, values::map_set_mut),
            HostFn::CollRemoveMut => linker.func_wrap(HOST_MODULE, name, values::coll_remove_mut),
            HostFn::MulPercent => linker.func_wrap(HOST_MODULE, name, arith::host_mul_percent),
            HostFn::DivRound => linker.func_wrap(HOST_MODULE, name, arith::host_div_round),
            HostFn::Sha3 => linker.func_wrap(HOST_MODULE, name, crypto::sha3),
            HostFn::Sha3Scalar => linker.func_wrap(HOST_MODULE, name, crypto::sha3_scalar),
            HostFn::Recover => linker.func_wrap(HOST_MODULE, name, crypto::recover),
            HostFn::StateLoad => linker.func_wrap(HOST_MODULE, name, storage::state_load),
            HostFn::StateStore => linker.func_wrap(HOST_MODULE, name, storage::state_store),
            HostFn::PmapGet => linker.func_wrap(HOST_MODULE, name, storage::pmap_get),
            HostFn::PmapContains => linker.func_wrap(HOST_MODULE, name, storage::pmap_contains),
            HostFn::PmapSet => linker.func_wrap(HOST_MODULE, name, storage::pmap_set),
            HostFn::PmapRemove => linker.func_wrap(HOST_MODULE, name, storage::pmap_remove),
            HostFn::PsetInsert => linker.func_wrap(HOST_MODULE, name, storage::pset_insert),
            HostFn::PmapLen => linker.func_wrap(HOST_MODULE, name, storage::pmap_len),
            HostFn::PmapNext => linker.func_wrap(HOST_MODULE, name, storage::pmap_next),
            HostFn::Emit => linker.func_wrap(HOST_MODULE, name, events::emit),
            HostFn::CallContract => linker.func_wrap(HOST_MODULE, name, calls::call_contract),
            HostFn::ExplainNote => linker.func_wrap(HOST_MODULE, name, values::explain_note),
        };
        defined.map_err(engine_error)?;
    }
    Ok(())
}
