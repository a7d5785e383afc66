//! Persistent state of the running contract, and only of it: `state_load`,
//! `state_store`, `pmap_get`, `pmap_contains`, `pmap_set`, `pmap_remove`, `pset_insert`,
//! `pmap_len`, `pmap_next`.
//!
//! Keys are built here from the running contract's own address ([`contract_key`]);
//! reads are charged [`STORAGE_READ`] plus per byte of key before the read and per byte
//! of value right after it; writes are charged in full before anything is written.
//!
//! The number of entries of a persistent collection is kept under the collection's own
//! slot, the key with no element ([`contract_key`] with an empty element): no element key
//! is that short, since every canonical encoding takes at least one byte. The count is
//! stored as an `Int` (8 bytes, big-endian) and is absent when the collection is empty.
//! Every write of an element first reads whether the element is there, and changes the
//! count in the same overlay as the element, so the two commit or roll back together.

use assent_stdlib::codec;
use assent_stdlib::gas::{HOST_CALL, STORAGE_READ, STORAGE_READ_PER_BYTE, storage_write_cost};
use assent_stdlib::ordered;
use assent_stdlib::value::{Type, Value};
use std::cmp::Ordering;
use wasmtime::Caller;

use super::{HostResult, HostState, Lifted, abort, charge, copy_cost, fault, give_built, size_of};
use crate::error::VmError;
use crate::state::{SET_MEMBER, StoreError, contract_key};
use crate::types::TypeId;

#[derive(Clone, Copy)]
struct StateInfo {
    index: usize,
    ty: TypeId,
    persistent: bool,
    /// Keeps an ordered index of its keys ([`ordered`]).
    iterated: bool,
}

fn state_info(caller: &Caller<'_, HostState>, state: i32) -> HostResult<StateInfo> {
    let frame = caller.data().frame()?;
    match usize::try_from(state).ok().and_then(|index| {
        frame
            .contract
            .abi
            .states
            .get(index)
            .map(|info| (index, info))
    }) {
        Some((index, info)) => Ok(StateInfo {
            index,
            ty: info.ty,
            persistent: info.persistent,
            iterated: info.iterated,
        }),
        None => abort(format!("state {state} does not exist")),
    }
}

/// The name of a state, for messages.
fn state_name(caller: &Caller<'_, HostState>, info: StateInfo) -> String {
    caller
        .data()
        .frame()
        .ok()
        .and_then(|frame| frame.contract.abi.states.get(info.index))
        .map(|state| state.name.clone())
        .unwrap_or_default()
}

/// The raw key of state `state`, with `element` the encoded map key or set element.
fn key(caller: &Caller<'_, HostState>, state: i32, element: &[u8]) -> HostResult<Vec<u8>> {
    let address = caller.data().frame()?.address;
    Ok(contract_key(&address, state as u32, element))
}

/// Reads a raw key, charging the read: key bytes before, value bytes after.
fn read(caller: &mut Caller<'_, HostState>, key: &[u8]) -> HostResult<Option<Vec<u8>>> {
    charge(
        caller,
        STORAGE_READ.saturating_add(STORAGE_READ_PER_BYTE.saturating_mul(key.len() as u64)),
    )?;
    let value = match caller.data().overlay.get(key) {
        Ok(value) => value,
        Err(error) => return fault(VmError::Store(error)),
    };
    if let Some(value) = &value {
        charge(
            caller,
            STORAGE_READ_PER_BYTE.saturating_mul(value.len() as u64),
        )?;
    }
    Ok(value)
}

/// Decodes a stored value of type `ty` (read from the running frame's table).
fn decode(
    caller: &Caller<'_, HostState>,
    bytes: &[u8],
    ty: TypeId,
    info: StateInfo,
) -> HostResult<Value> {
    let frame = caller.data().frame()?;
    match codec::decode(bytes, frame.type_of(ty)?) {
        Ok(value) => Ok(value),
        Err(error) => fault(VmError::Store(StoreError {
            message: format!(
                "the stored value of state `{}` does not decode: {error}",
                state_name(caller, info)
            ),
        })),
    }
}

fn child(caller: &Caller<'_, HostState>, ty: TypeId, index: usize) -> HostResult<TypeId> {
    match caller.data().frame()?.types().child(ty, index) {
        Some(id) => Ok(id),
        None => abort(format!("type {ty} has no component {index}")),
    }
}

/// `state_load(state) -> value`
pub(super) fn state_load(mut caller: Caller<'_, HostState>, state: i32) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let info = state_info(&caller, state)?;
    if info.persistent {
        return abort(format!(
            "state `{}` is a persistent collection",
            state_name(&caller, info)
        ));
    }
    let key = key(&caller, state, &[])?;
    let Some(bytes) = read(&mut caller, &key)? else {
        return abort(format!(
            "state `{}` has no value yet",
            state_name(&caller, info)
        ));
    };
    let value = decode(&caller, &bytes, info.ty, info)?;
    give_built(&mut caller, info.ty, value)
}

/// Writes (or removes, with `None`) a raw key in the overlay; the caller has charged it.
fn write(
    caller: &mut Caller<'_, HostState>,
    key: Vec<u8>,
    value: Option<Vec<u8>>,
) -> HostResult<()> {
    caller.data_mut().overlay.set(key, value);
    Ok(())
}

/// `state_store(state, value)`
pub(super) fn state_store(
    mut caller: Caller<'_, HostState>,
    state: i32,
    value: i64,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    caller.data().writable("writing state")?;
    let info = state_info(&caller, state)?;
    if info.persistent {
        return abort(format!(
            "state `{}` is a persistent collection",
            state_name(&caller, info)
        ));
    }
    let value = caller.data().frame()?.lift(info.ty, value)?;
    let key = key(&caller, state, &[])?;
    charge(&mut caller, storage_write_cost(key.len(), size_of(&value)))?;
    write(&mut caller, key, Some(codec::encode(&value)))
}

/// The persistent collection `state`: its key (element) type id, and its value type id
/// for a map.
fn collection(
    caller: &Caller<'_, HostState>,
    state: i32,
) -> HostResult<(StateInfo, TypeId, Option<TypeId>)> {
    let info = state_info(caller, state)?;
    if !info.persistent {
        return abort(format!(
            "state `{}` is not a persistent Map or Set",
            state_name(caller, info)
        ));
    }
    let key_ty = child(caller, info.ty, 0)?;
    let is_map = matches!(caller.data().frame()?.type_of(info.ty)?, Type::Map(..));
    let value_ty = if is_map {
        Some(child(caller, info.ty, 1)?)
    } else {
        None
    };
    Ok((info, key_ty, value_ty))
}

/// The raw key of an element of a persistent collection, charging its encoding.
fn element_key(
    caller: &mut Caller<'_, HostState>,
    state: i32,
    key_ty: TypeId,
    element: i64,
) -> HostResult<Vec<u8>> {
    Ok(element_entry(caller, state, key_ty, element)?.0)
}

/// [`element_key`] and the element itself.
fn element_entry(
    caller: &mut Caller<'_, HostState>,
    state: i32,
    key_ty: TypeId,
    element: i64,
) -> HostResult<(Vec<u8>, Lifted)> {
    let element = caller.data().frame()?.lift(key_ty, element)?;
    let size = size_of(&element);
    charge(caller, copy_cost(size as u64))?;
    // The contract's key of the state, then the element encoded in place.
    let mut key = key(caller, state, &[])?;
    key.reserve_exact(size);
    codec::encode_into(&element, &mut key);
    Ok((key, element))
}

/// `pmap_get(state, key) -> handle option`
pub(super) fn pmap_get(mut caller: Caller<'_, HostState>, state: i32, key: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let (info, key_ty, value_ty) = collection(&caller, state)?;
    let Some(value_ty) = value_ty else {
        return abort(format!(
            "state `{}` is a set: use `contains`",
            state_name(&caller, info)
        ));
    };
    let raw = element_key(&mut caller, state, key_ty, key)?;
    let stored = read(&mut caller, &raw)?;
    let value = match &stored {
        Some(bytes) => Some(std::sync::Arc::new(decode(&caller, bytes, value_ty, info)?)),
        None => None,
    };
    let Some(option_ty) = caller.data().frame()?.types().option_of(value_ty) else {
        return abort("the map's option type is unknown");
    };
    give_built(&mut caller, option_ty, Value::Option(value))
}

/// `pmap_contains(state, key) -> i32`: a key of a map, an element of a set.
pub(super) fn pmap_contains(
    mut caller: Caller<'_, HostState>,
    state: i32,
    key: i64,
) -> HostResult<i32> {
    charge(&mut caller, HOST_CALL)?;
    let (_, key_ty, _) = collection(&caller, state)?;
    let raw = element_key(&mut caller, state, key_ty, key)?;
    Ok(i32::from(read(&mut caller, &raw)?.is_some()))
}

/// `pmap_set(state, key, value)`
pub(super) fn pmap_set(
    mut caller: Caller<'_, HostState>,
    state: i32,
    key: i64,
    value: i64,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    caller.data().writable("writing state")?;
    let (info, key_ty, value_ty) = collection(&caller, state)?;
    let Some(value_ty) = value_ty else {
        return abort(format!(
            "state `{}` is a set: use `insert`",
            state_name(&caller, info)
        ));
    };
    let value = caller.data().frame()?.lift(value_ty, value)?;
    let (raw, element) = element_entry(&mut caller, state, key_ty, key)?;
    charge(&mut caller, storage_write_cost(raw.len(), size_of(&value)))?;
    write_element(
        &mut caller,
        info,
        raw,
        &element,
        Some(codec::encode(&value)),
    )
}

/// `pmap_remove(state, key)`: a key of a map, an element of a set.
pub(super) fn pmap_remove(
    mut caller: Caller<'_, HostState>,
    state: i32,
    key: i64,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    caller.data().writable("writing state")?;
    let (info, key_ty, _) = collection(&caller, state)?;
    let (raw, element) = element_entry(&mut caller, state, key_ty, key)?;
    charge(&mut caller, storage_write_cost(raw.len(), 0))?;
    write_element(&mut caller, info, raw, &element, None)
}

/// `pset_insert(state, element)`
pub(super) fn pset_insert(
    mut caller: Caller<'_, HostState>,
    state: i32,
    element: i64,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    caller.data().writable("writing state")?;
    let (info, key_ty, value_ty) = collection(&caller, state)?;
    if value_ty.is_some() {
        return abort(format!(
            "state `{}` is a map: use `m[k] = v`",
            state_name(&caller, info)
        ));
    }
    let (raw, element) = element_entry(&mut caller, state, key_ty, element)?;
    charge(&mut caller, storage_write_cost(raw.len(), SET_MEMBER.len()))?;
    write_element(&mut caller, info, raw, &element, Some(SET_MEMBER.to_vec()))
}

/// Writes (or removes, with `None`) an element of persistent collection `info`, whose
/// write the caller has charged, and keeps the collection's count: the element's presence
/// is read (and charged) first, and when the write adds or removes an entry the count is
/// read, charged and written too — and, for a collection the contract iterates, the
/// element's entry of the ordered index — before any of the writes is made.
fn write_element(
    caller: &mut Caller<'_, HostState>,
    info: StateInfo,
    raw: Vec<u8>,
    element: &Value,
    value: Option<Vec<u8>>,
) -> HostResult<()> {
    let state = info.index as i32;
    let present = read(caller, &raw)?.is_some();
    let change = match (present, value.is_some()) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        _ => Ordering::Equal,
    };
    if change != Ordering::Equal {
        let index_entry = if info.iterated {
            Some(index_entry(
                caller,
                info,
                element,
                change == Ordering::Greater,
            )?)
        } else {
            None
        };
        let count_key = key(caller, state, &[])?;
        let count = read_count(caller, state, &count_key)?;
        let count = match change {
            Ordering::Greater => count.checked_add(1),
            _ => count.checked_sub(1),
        };
        let Some(count) = count else {
            return fault(corrupt_count(caller, state));
        };
        let stored = (count > 0).then(|| codec::encode(&Value::Int(count)));
        charge(
            caller,
            storage_write_cost(count_key.len(), stored.as_ref().map_or(0, Vec::len)),
        )?;
        write(caller, count_key, stored)?;
        if let Some((index_key, index_value)) = index_entry {
            caller
                .data_mut()
                .overlay
                .set_ordered(index_key, index_value);
        }
    }
    write(caller, raw, value)
}

/// The ordered-index entry of `element` of iterated collection `info`, charged as a
/// write: its key `address ‖ state ‖ ordered form`, and the element's canonical encoding
/// when `added` (`None`, a removal, otherwise).
fn index_entry(
    caller: &mut Caller<'_, HostState>,
    info: StateInfo,
    element: &Value,
    added: bool,
) -> HostResult<(Vec<u8>, Option<Vec<u8>>)> {
    let mut index_key = key(caller, info.index as i32, &[])?;
    ordered::ordered_key_into(element, &mut index_key);
    if index_key.len() > ordered::MAX_INDEX_KEY_BYTES {
        let name = state_name(caller, info);
        return abort(format!(
            "a key of `{name}` takes {} bytes in key order, more than the {} an iterated \
             collection allows",
            index_key.len() - 24,
            ordered::MAX_INDEX_KEY_BYTES - 24
        ));
    }
    let encoded = added.then(|| codec::encode(element));
    charge(
        caller,
        storage_write_cost(index_key.len(), encoded.as_ref().map_or(0, Vec::len)),
    )?;
    Ok((index_key, encoded))
}

/// The count of persistent collection `state`, stored under `count_key` (read and charged
/// as any entry is); 0 when absent.
fn read_count(caller: &mut Caller<'_, HostState>, state: i32, count_key: &[u8]) -> HostResult<i64> {
    let Some(bytes) = read(caller, count_key)? else {
        return Ok(0);
    };
    match codec::decode(&bytes, &Type::Int) {
        Ok(Value::Int(count)) if count > 0 => Ok(count),
        _ => fault(corrupt_count(caller, state)),
    }
}

fn corrupt_count(caller: &Caller<'_, HostState>, state: i32) -> VmError {
    let name = state_info(caller, state)
        .map(|info| state_name(caller, info))
        .unwrap_or_default();
    VmError::Store(StoreError {
        message: format!("the stored count of state `{name}` is not a positive `Int`"),
    })
}

/// `pmap_len(state) -> i64`: the number of entries of a persistent map or set, read from
/// the count kept beside its elements, at the cost of one storage read.
pub(super) fn pmap_len(mut caller: Caller<'_, HostState>, state: i32) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    collection(&caller, state)?;
    let count_key = key(&caller, state, &[])?;
    read_count(&mut caller, state, &count_key)
}

/// `pmap_next(state, parts, prefix, after) -> handle option`: the next key of iterated
/// collection `state` after `after` (from the first when `none`), among those that start
/// with the first `parts` components of tuple `prefix`. Charged a storage read for the
/// seek, its bound and what it finds by the byte, and a storage read for each removed
/// entry the walk passed over (a pending removal of this block or transaction).
pub(super) fn pmap_next(
    mut caller: Caller<'_, HostState>,
    state: i32,
    parts: i32,
    prefix: i64,
    after: i64,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let (info, key_ty, _) = collection(&caller, state)?;
    if !info.iterated {
        return abort(format!(
            "state `{}` is not iterated by this contract",
            state_name(&caller, info)
        ));
    }
    let Some(option_ty) = caller.data().frame()?.types().option_of(key_ty) else {
        return abort("the collection's key option type is unknown");
    };
    // The range: the collection's index entries, narrowed by the prefix's components.
    let mut range = key(&caller, state, &[])?;
    if parts > 0 {
        let slot = caller.data().frame()?.slot(prefix)?.clone();
        let Value::Record(components) = &*slot.value else {
            return abort("a key prefix must be a tuple");
        };
        let Some(components) = usize::try_from(parts)
            .ok()
            .and_then(|parts| components.get(..parts))
        else {
            return abort(format!("a key prefix has fewer than {parts} components"));
        };
        charge(&mut caller, copy_cost(slot.bytes))?;
        components
            .iter()
            .for_each(|component| ordered::ordered_key_into(component, &mut range));
    }
    let (after, after_bytes) = caller.data().frame()?.lift_sized(option_ty, after)?;
    let from = match &*after {
        Value::Option(Some(last)) => {
            // Encoded in key order: paid for before it is walked.
            charge(&mut caller, copy_cost(after_bytes))?;
            let mut last_key = key(&caller, state, &[])?;
            ordered::ordered_key_into(last, &mut last_key);
            ordered::successor(&last_key)
        }
        _ => Some(range.clone()),
    };
    // The seek's bound: the longer of the range and the key to start after.
    let bound = from.as_ref().map_or(0, Vec::len).max(range.len());
    charge(
        &mut caller,
        STORAGE_READ.saturating_add(STORAGE_READ_PER_BYTE.saturating_mul(bound as u64)),
    )?;
    // A prefix longer than any index key has no entries; nothing comes after a key of
    // `0xff`s.
    let Some(from) = from.filter(|from| {
        range.len() <= ordered::MAX_INDEX_KEY_BYTES && from.len() <= ordered::MAX_INDEX_KEY_BYTES
    }) else {
        return give_built(&mut caller, option_ty, Value::Option(None));
    };
    let mut skipped = 0;
    let found = match caller
        .data()
        .overlay
        .next_ordered(&from, &range, &mut skipped)
    {
        Ok(found) => found,
        Err(error) => return fault(VmError::Store(error)),
    };
    charge(&mut caller, STORAGE_READ.saturating_mul(skipped))?;
    let Some((index_key, encoded)) = found else {
        return give_built(&mut caller, option_ty, Value::Option(None));
    };
    charge(
        &mut caller,
        STORAGE_READ_PER_BYTE.saturating_mul((index_key.len() + encoded.len()) as u64),
    )?;
    let element = decode(&caller, &encoded, key_ty, info)?;
    give_built(
        &mut caller,
        option_ty,
        Value::Option(Some(std::sync::Arc::new(element))),
    )
}
