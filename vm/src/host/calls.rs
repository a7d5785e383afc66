//! Running an entry point — for the transaction, or for another contract through
//! `call_contract` — in the transaction's one store, so fuel (the gas budget) and the
//! native stack bound are shared by every contract on the call stack.

use std::sync::Arc;

use assent_stdlib::abi::{
    EntryAbi, EntryKind, HANDLE_BYTES, InterfaceAbi, MAX_CALL_DEPTH, MEMORY_EXPORT,
};
use assent_stdlib::gas::{CALL_CONTRACT, HOST_CALL};
use assent_stdlib::value::{SHARED_BYTES, Value};
use wasmtime::{AsContextMut, Caller, Trap};

use super::entry::EntryFunc;
use super::{
    Frame, HostResult, HostState, Lifted, Live, abort, charge, charge_store, fault, give_built,
    read_slots,
};
use crate::error::{VmError, engine_error};
use crate::execute::Contract;
use crate::state::Address;

/// One entry point to run.
pub(crate) struct Invocation {
    pub(crate) contract: Arc<Contract>,
    pub(crate) address: Address,
    pub(crate) caller: Address,
    /// Index into the contract's ABI `entries`.
    pub(crate) entry: usize,
    /// One value per parameter, of the parameter's type (checked by the caller), with its
    /// footprint.
    pub(crate) args: Vec<(Lifted, u64)>,
    pub(crate) read_only: bool,
}

/// The contract's instance for this transaction, made on first use.
fn instance(mut ctx: impl AsContextMut<Data = HostState>, call: &Invocation) -> HostResult<Live> {
    let state = ctx.as_context_mut();
    let state = state.data();
    if let Some(live) = state.instances.get(&call.address) {
        return Ok(*live);
    }
    let max = state.vm.config.max_contracts_per_transaction;
    if state.instances.len() >= max {
        return abort(format!("a transaction may use at most {max} contracts"));
    }
    let fuel_before = ctx.as_context_mut().get_fuel().unwrap_or(0);
    let instance = match call.contract.pre.instantiate(&mut ctx) {
        Ok(instance) => instance,
        // A data segment outside the memory traps, deterministically: the module's fault.
        Err(error) if error.is::<Trap>() => return Err(error),
        Err(error) => return fault(engine_error(error)),
    };
    let memory = instance
        .get_module_export(&mut ctx, &call.contract.memory_export)
        .and_then(wasmtime::Extern::into_memory);
    let Some(memory) = memory else {
        return fault(VmError::Engine(format!(
            "the instance has no `{MEMORY_EXPORT}` export"
        )));
    };
    // What wasmtime's fuel counted while instantiating (initialising data segments):
    // a warm instance of this code is charged the same (crate::warm).
    let fuel_after = ctx.as_context_mut().get_fuel().unwrap_or(0);
    ctx.as_context_mut().data_mut().instantiation_fuel = fuel_before.saturating_sub(fuel_after);
    // The instance's initial pages are paid for before any of its code runs.
    charge_store(&mut ctx, 0)?;
    let live = Live { instance, memory };
    ctx.as_context_mut()
        .data_mut()
        .instances
        .insert(call.address, live);
    Ok(live)
}

/// Handles a frame's arena has room for from the start, so that it seldom grows.
const ARENA_CAPACITY: usize = 32;

/// Runs `call` to completion; its value, if the entry point returns one.
pub(crate) fn invoke(
    mut ctx: impl AsContextMut<Data = HostState>,
    call: Invocation,
) -> HostResult<Option<Value>> {
    let contract = call.contract.clone();
    let (Some(entry), Some(export)) = (
        contract.abi.entries.get(call.entry),
        contract.entry_exports.get(call.entry),
    ) else {
        return fault(VmError::Engine("no such entry point".into()));
    };
    let live = instance(&mut ctx, &call)?;
    let key = (call.address, call.entry);
    let cached = ctx.as_context_mut().data().funcs.get(&key).cloned();
    let func = cached.or_else(|| {
        let func = live
            .instance
            .get_module_export(&mut ctx, export)
            .and_then(wasmtime::Extern::into_func)?;
        let func = EntryFunc::new(&mut ctx, func, entry.params.len(), entry.returns.is_some());
        ctx.as_context_mut()
            .data_mut()
            .funcs
            .insert(key, func.clone());
        Some(func)
    });
    let Some(func) = func else {
        return fault(VmError::Engine(format!(
            "the instance has no export `{}`",
            entry.export
        )));
    };
    let mut frame = Frame {
        address: call.address,
        caller: call.caller,
        contract: call.contract.clone(),
        memory: live.memory,
        arena: Vec::with_capacity(ARENA_CAPACITY),
        read_only: call.read_only,
    };
    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    // The arguments are the callee's first handles, counted against the memory budget.
    let mut params = Vec::with_capacity(entry.params.len());
    for (param, (value, bytes)) in entry.params.iter().zip(call.args) {
        state.account(
            HANDLE_BYTES
                .saturating_add(SHARED_BYTES)
                .saturating_add(bytes),
        )?;
        params.push(frame.lower(param.ty, value, bytes));
    }
    state.frames.push(frame);
    state.overlay.push();

    let ran = func.call(&mut ctx, &params, entry.returns.is_some());

    let mut store = ctx.as_context_mut();
    let state = store.data_mut();
    let frame = state.frames.pop();
    let result = match ran {
        Ok(result) => result,
        Err(error) => {
            state.overlay.discard_layer();
            return Err(error);
        }
    };
    state.overlay.commit_layer();
    match (entry.returns, result, frame) {
        (None, _, _) => Ok(None),
        (Some(ty), Some(bits), Some(frame)) => {
            let value = frame.lift(ty, bits)?;
            // The frame's handles go first, so that the value is not copied out of them.
            drop(frame);
            Ok(Some(value.into_value()))
        }
        _ => fault(VmError::Engine("an entry point returned no value".into())),
    }
}

/// `call_contract(interface, entry, address: handle, slots_ptr) -> value`
pub(super) fn call_contract(
    mut caller: Caller<'_, HostState>,
    interface: i32,
    entry: i32,
    address: i64,
    slots_ptr: i32,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL.saturating_add(CALL_CONTRACT))?;
    let (interface, wanted, target) = called_entry(&caller, interface, entry, address)?;
    let slots = read_slots(&caller, slots_ptr, wanted.params.len())?;
    let frame = caller.data().frame()?;
    let args = wanted
        .params
        .iter()
        .zip(slots)
        .map(|(param, bits)| frame.lift_sized(param.ty, bits))
        .collect::<HostResult<Vec<_>>>()?;
    let (callee, index, read_only) = resolve_callee(caller.data(), &interface, &wanted, target)?;
    let caller_address = caller.data().frame()?.address;
    let result = invoke(
        &mut caller,
        Invocation {
            contract: callee,
            address: target,
            caller: caller_address,
            entry: index,
            args,
            read_only,
        },
    )?;
    match (wanted.returns, result) {
        (Some(ty), Some(value)) => give_built(&mut caller, ty, value),
        (None, None) => Ok(0),
        _ => fault(VmError::Engine(
            "a cross-contract call's result does not match its entry point".into(),
        )),
    }
}

/// What the calling contract asks for: the interface and entry point it was compiled
/// against, and the address it calls.
fn called_entry(
    caller: &Caller<'_, HostState>,
    interface: i32,
    entry: i32,
    address: i64,
) -> HostResult<(InterfaceAbi, EntryAbi, Address)> {
    let frame = caller.data().frame()?;
    let Some(interface) = usize::try_from(interface)
        .ok()
        .and_then(|index| frame.contract.abi.interfaces.get(index))
        .cloned()
    else {
        return abort(format!("interface {interface} does not exist"));
    };
    let Some(wanted) = usize::try_from(entry)
        .ok()
        .and_then(|index| interface.entries.get(index))
        .cloned()
    else {
        return abort(format!(
            "entry {entry} of interface `{}` does not exist",
            interface.contract
        ));
    };
    let target = match &*frame.slot(address)?.value {
        Value::Address(target) => Address(*target),
        _ => return abort(format!("handle {address} is not an Address")),
    };
    Ok((interface, wanted, target))
}

/// The contract at `target`, loaded, with the index of the entry point the caller wants
/// and whether it runs read-only — or the abort that refuses the call: a re-entrant call,
/// a call stack too deep, no contract there, another contract than the interface's, an
/// entry point missing or changed since the caller was compiled, `init`, or an action
/// called from a view or policy.
fn resolve_callee(
    state: &HostState,
    interface: &InterfaceAbi,
    wanted: &EntryAbi,
    target: Address,
) -> HostResult<(Arc<Contract>, usize, bool)> {
    if state.frames.iter().any(|frame| frame.address == target) {
        return abort(format!(
            "re-entrant call: contract {target} is already on the call stack"
        ));
    }
    if state.frames.len() >= MAX_CALL_DEPTH {
        return abort(format!(
            "the call stack would be deeper than {MAX_CALL_DEPTH} contracts"
        ));
    }
    let callee = match state.vm.contract_at(state.overlay.base().as_ref(), &target) {
        Ok(Some(callee)) => callee,
        Ok(None) => return abort(format!("no contract is deployed at {target}")),
        Err(error) => return fault(error),
    };
    if callee.abi.contract != interface.contract {
        return abort(format!(
            "the contract at {} is `{}`, not `{}`",
            target, callee.abi.contract, interface.contract
        ));
    }
    let Some((index, found)) = callee
        .abi
        .entries
        .iter()
        .enumerate()
        .find(|(_, found)| found.name == wanted.name)
    else {
        return abort(format!(
            "contract `{}` has no entry point `{}`",
            callee.abi.contract, wanted.name
        ));
    };
    let frame = state.frame()?;
    let same_type = |ours: u32, theirs: u32| {
        frame.types().get(ours).is_some() && frame.types().get(ours) == callee.types.get(theirs)
    };
    let signature_matches = found.kind == wanted.kind
        && found.params.len() == wanted.params.len()
        && found
            .params
            .iter()
            .zip(&wanted.params)
            .all(|(theirs, ours)| same_type(ours.ty, theirs.ty))
        && match (wanted.returns, found.returns) {
            (Some(ours), Some(theirs)) => same_type(ours, theirs),
            (None, None) => true,
            _ => false,
        };
    if !signature_matches {
        return abort(format!(
            "`{}.{}` has changed since this contract was compiled",
            callee.abi.contract, wanted.name
        ));
    }
    let read_only = match found.kind {
        EntryKind::Init => {
            return abort(format!(
                "`init` of `{}` cannot be called",
                callee.abi.contract
            ));
        }
        EntryKind::Action if frame.read_only => {
            return abort(format!(
                "a view or policy cannot call action `{}.{}`",
                callee.abi.contract, wanted.name
            ));
        }
        EntryKind::Action => false,
        EntryKind::View | EntryKind::Policy => true,
    };
    Ok((callee.clone(), index, read_only))
}
