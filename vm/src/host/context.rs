//! Aborting and the transaction's context: `abort`, `abort_static`, `caller`, `origin`,
//! `self_address`, `now`, `block_height`.

use assent_stdlib::gas::{ABORT, HOST_CALL, NEW_VALUE};
use assent_stdlib::value::{VALUE_BYTES, Value};
use wasmtime::Caller;

use super::{HostResult, HostState, HostTrap, charge, copy_cost, give, read_text};
use crate::state::Address;

fn aborted(message: String, position: String) -> wasmtime::Error {
    wasmtime::Error::new(HostTrap::Abort {
        message,
        position: (!position.is_empty()).then_some(position),
    })
}

/// `abort(message: handle String, position_ptr, position_len)`
pub(super) fn abort(
    mut caller: Caller<'_, HostState>,
    message: i64,
    position_ptr: i32,
    position_len: i32,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let position = read_text(&caller, position_ptr, position_len)?;
    let slot = caller.data().frame()?.slot(message)?.clone();
    // The message is copied out into the outcome: a new value.
    charge(
        &mut caller,
        ABORT
            .saturating_add(NEW_VALUE)
            .saturating_add(copy_cost(slot.bytes)),
    )?;
    let message = match &*slot.value {
        Value::String(text) => text.clone(),
        _ => return super::abort(format!("handle {message} is not a String")),
    };
    Err(aborted(message, position))
}

/// `abort_static(message_ptr, message_len, position_ptr, position_len)`
pub(super) fn abort_static(
    mut caller: Caller<'_, HostState>,
    message_ptr: i32,
    message_len: i32,
    position_ptr: i32,
    position_len: i32,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    // The message is copied out into the outcome: a new value.
    let length = u64::from(message_len.max(0) as u32);
    charge(
        &mut caller,
        ABORT
            .saturating_add(NEW_VALUE)
            .saturating_add(copy_cost(VALUE_BYTES.saturating_add(length))),
    )?;
    let message = read_text(&caller, message_ptr, message_len)?;
    let position = read_text(&caller, position_ptr, position_len)?;
    Err(aborted(message, position))
}

fn address_handle(caller: &mut Caller<'_, HostState>, address: Address) -> HostResult<i64> {
    charge(caller, HOST_CALL)?;
    let ty = caller.data().frame()?.types().builtin.address;
    give(caller, ty, Value::Address(address.0), VALUE_BYTES)
}

/// `caller() -> handle Address`: the signer, or the calling contract.
pub(super) fn caller(mut caller: Caller<'_, HostState>) -> HostResult<i64> {
    let address = caller.data().frame()?.caller;
    address_handle(&mut caller, address)
}

/// `origin() -> handle Address`: always the transaction's signer.
pub(super) fn origin(mut caller: Caller<'_, HostState>) -> HostResult<i64> {
    let address = caller.data().origin;
    address_handle(&mut caller, address)
}

/// `self_address() -> handle Address`
pub(super) fn self_address(mut caller: Caller<'_, HostState>) -> HostResult<i64> {
    let address = caller.data().frame()?.address;
    address_handle(&mut caller, address)
}

/// `now() -> Time`: the block time.
pub(super) fn now(mut caller: Caller<'_, HostState>) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    Ok(caller.data().now)
}

/// `block_height() -> Int`
pub(super) fn block_height(mut caller: Caller<'_, HostState>) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    Ok(caller.data().block_height)
}
