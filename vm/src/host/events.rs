//! Events: `emit` (discarded when the transaction aborts) and `audit` (kept).

use assent_stdlib::abi::EventAbi;
use assent_stdlib::gas::{HOST_CALL, event_cost};
use wasmtime::Caller;

use super::{HostResult, HostState, abort, charge, read_slots, size_of};
use crate::execute::{Event, EventField};

/// `emit(event, slots_ptr, audit)`: an event of the ABI's `events` table, one slot per
/// field; `audit` 1 keeps it even when the transaction aborts.
pub(super) fn emit(
    mut caller: Caller<'_, HostState>,
    event: i32,
    slots_ptr: i32,
    audit: i32,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let audit = match audit {
        0 => false,
        1 => true,
        _ => return abort(format!("`audit` is {audit}, not 0 or 1")),
    };
    caller
        .data()
        .writable(if audit { "`audit`" } else { "`emit`" })?;
    let frame = caller.data().frame()?;
    let Some(abi): Option<EventAbi> = usize::try_from(event)
        .ok()
        .and_then(|index| frame.contract.abi.events.get(index))
        .cloned()
    else {
        return abort(format!("event {event} does not exist"));
    };
    let slots = read_slots(&caller, slots_ptr, abi.fields.len())?;
    let frame = caller.data().frame()?;
    let mut lifted = Vec::with_capacity(slots.len());
    let mut size = 0usize;
    let mut bytes = 0u64;
    for (field, bits) in abi.fields.iter().zip(slots) {
        let (value, footprint) = frame.lift_sized(field.ty, bits)?;
        size = size.saturating_add(size_of(&value));
        bytes = bytes.saturating_add(footprint);
        lifted.push((field, frame.type_of(field.ty)?.clone(), value));
    }
    let contract = frame.address;
    charge(&mut caller, event_cost(size))?;
    let fields = lifted
        .into_iter()
        .map(|(field, ty, value)| EventField {
            name: field.name.clone(),
            ty,
            value: value.into_value(),
            indexed: field.indexed,
        })
        .collect();
    let state = caller.data_mut();
    state.account(bytes)?;
    state.events.push(Event {
        contract,
        name: abi.name,
        fields,
        audit,
    });
    Ok(())
}
