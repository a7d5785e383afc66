//! Values behind handles: literals, comparison, strings and bytes, records, tuples and
//! options, and local collections (lists, sets, maps).
//!
//! Costs: [`HOST_CALL`] first; then [`copy_cost`] of the memory a call copies, builds,
//! compares, searches or shifts, measured as [`footprint`]s (known for every handle, so
//! pricing never walks an operand first).

use std::cmp::Ordering;
use std::sync::Arc;

use assent_stdlib::gas::{HOST_CALL, NEW_VALUE, VALUE_CHANGE};
use assent_stdlib::value::{SHARED_BYTES, Type, VALUE_BYTES, Value, footprint};
use wasmtime::Caller;

use super::{
    HostResult, HostState, Lifted, Slot, abort, charge, check_range, copy_cost, give, give_value,
    read_memory, read_slots, share,
};
use crate::types::TypeId;

/// The slot behind a handle, cloned out of the frame (cheap: the value is shared).
fn slot(caller: &Caller<'_, HostState>, handle: i64) -> HostResult<Slot> {
    Ok(caller.data().frame()?.slot(handle)?.clone())
}

/// What a type id is, in brief (borrowing the type table would hold the store).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Bytes,
    Address,
    Hash,
    Option,
    List,
    Set,
    Map,
    /// A record, tuple or `Decision`, with its number of fields.
    Fields(usize),
    Other,
}

fn kind_of(caller: &Caller<'_, HostState>, ty: TypeId) -> HostResult<Kind> {
    Ok(match caller.data().frame()?.type_of(ty)? {
        Type::String => Kind::String,
        Type::Bytes => Kind::Bytes,
        Type::Address => Kind::Address,
        Type::Hash => Kind::Hash,
        Type::Option(_) => Kind::Option,
        Type::List(_) => Kind::List,
        Type::Set(_) => Kind::Set,
        Type::Map(..) => Kind::Map,
        Type::Record(record) => Kind::Fields(record.fields.len()),
        Type::Tuple(items) => Kind::Fields(items.len()),
        Type::Decision => Kind::Fields(2),
        _ => Kind::Other,
    })
}

/// The type's name as written in Assent, for messages.
fn type_name(caller: &Caller<'_, HostState>, ty: TypeId) -> String {
    caller
        .data()
        .frame()
        .ok()
        .and_then(|frame| frame.types().get(ty).map(Type::display))
        .unwrap_or_default()
}

fn child(caller: &Caller<'_, HostState>, ty: TypeId, index: usize) -> HostResult<TypeId> {
    match caller.data().frame()?.types().child(ty, index) {
        Some(id) => Ok(id),
        None => abort(format!("type {ty} has no component {index}")),
    }
}

/// The value an `i64` stands for, with its [`footprint`] (not walked).
fn lift(caller: &Caller<'_, HostState>, ty: TypeId, bits: i64) -> HostResult<(Lifted, u64)> {
    caller.data().frame()?.lift_sized(ty, bits)
}

/// Charges the copy of a component of `bytes` (scalars are free: they are copied in
/// place) and returns `bytes`.
fn charge_sized(caller: &mut Caller<'_, HostState>, value: &Value, bytes: u64) -> HostResult<u64> {
    if value.scalar_bits().is_none() {
        charge(caller, copy_cost(bytes))?;
    }
    Ok(bytes)
}

/// Charges the copy of a component taken out of a compound value (its footprint is
/// walked: the walk costs less than the copy it prices); a scalar is one element.
fn charge_component(caller: &mut Caller<'_, HostState>, value: &Value) -> HostResult<u64> {
    if value.scalar_bits().is_some() {
        charge(caller, copy_cost(VALUE_BYTES))?;
        return Ok(VALUE_BYTES);
    }
    let bytes = footprint(value);
    charge(caller, copy_cost(bytes))?;
    Ok(bytes)
}

/// `val_const(type, ptr, len) -> handle`
pub(super) fn val_const(
    mut caller: Caller<'_, HostState>,
    ty: i32,
    ptr: i32,
    len: i32,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as u32;
    let expected = kind_of(&caller, ty)?;
    // A range outside the memory aborts before anything is charged or copied; the copy
    // is charged before it is made.
    check_range(&caller, ptr, len)?;
    let footprint = VALUE_BYTES.saturating_add(u64::from(len as u32));
    charge(&mut caller, copy_cost(footprint))?;
    let bytes = read_memory(&caller, ptr, len)?;
    let size = bytes.len();
    let value = match expected {
        Kind::String => match String::from_utf8(bytes) {
            Ok(text) => Value::String(text),
            Err(_) => return abort("a String constant is not UTF-8"),
        },
        Kind::Bytes => Value::Bytes(bytes),
        Kind::Address => match <[u8; 20]>::try_from(bytes.as_slice()) {
            Ok(address) => Value::Address(address),
            Err(_) => return abort(format!("an Address constant has {size} bytes, not 20")),
        },
        Kind::Hash => match <[u8; 32]>::try_from(bytes.as_slice()) {
            Ok(hash) => Value::Hash(hash),
            Err(_) => return abort(format!("a Hash constant has {size} bytes, not 32")),
        },
        _ => {
            return abort(format!("`{}` has no constant form", type_name(&caller, ty)));
        }
    };
    give(&mut caller, ty, value, footprint)
}

/// `val_copy(handle) -> handle`: shares the value until one of them changes (the
/// handle counts against the memory budget, the shared value once).
pub(super) fn val_copy(mut caller: Caller<'_, HostState>, handle: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let slot = slot(&caller, handle)?;
    share(&mut caller, slot)
}

/// Orders two values. Equality and order of the derived kind stop at the first
/// difference and compare at most the smaller operand (a longer list is greater once
/// the shorter one ends), so the walk is charged for the smaller footprint; both are
/// known from the handles, so nothing is walked before the charge.
fn compare(caller: &mut Caller<'_, HostState>, a: i64, b: i64) -> HostResult<Ordering> {
    charge(caller, HOST_CALL)?;
    let (a, b) = (slot(caller, a)?, slot(caller, b)?);
    charge(caller, copy_cost(a.bytes.min(b.bytes)))?;
    Ok(a.value.cmp(&b.value))
}

/// `val_eq(a, b) -> i32`
pub(super) fn val_eq(mut caller: Caller<'_, HostState>, a: i64, b: i64) -> HostResult<i32> {
    Ok(i32::from(compare(&mut caller, a, b)? == Ordering::Equal))
}

/// `val_cmp(a, b) -> i32`: -1, 0 or 1.
pub(super) fn val_cmp(mut caller: Caller<'_, HostState>, a: i64, b: i64) -> HostResult<i32> {
    Ok(match compare(&mut caller, a, b)? {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    })
}

/// `val_to_string(type, value) -> handle String`: the value's text
/// ([`assent_stdlib::json::to_text`]). The rendering walks the value, so it is charged
/// by the value's footprint first; the text it gives (which also holds field and variant
/// names) is charged by its length before it is handed back.
pub(super) fn val_to_string(
    mut caller: Caller<'_, HostState>,
    ty: i32,
    value: i64,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as TypeId;
    let (value, bytes) = caller.data().frame()?.lift_sized(ty, value)?;
    // The conversion walks the value and builds its JSON form before the text: twice the
    // value's footprint (measured: 22 ns an element of a 100,000-element list).
    charge(&mut caller, copy_cost(bytes).saturating_mul(2))?;
    let (text, string) = {
        let frame = caller.data().frame()?;
        let types = frame.types();
        (
            assent_stdlib::json::to_text(&value, frame.type_of(ty)?),
            types.builtin.string,
        )
    };
    let footprint = VALUE_BYTES.saturating_add(text.len() as u64);
    charge(&mut caller, copy_cost(footprint))?;
    give(&mut caller, string, Value::String(text), footprint)
}

/// The most notes one explaining run keeps; later ones are dropped (a policy body notes
/// each condition once, so only a policy called in a loop comes near it).
pub(crate) const MAX_NOTES: usize = 4_096;

/// `explain_note(value, note, type) -> value`: records the value's text (as
/// [`val_to_string`] writes it) under `note` and gives the value back. Charged as
/// `val_to_string` is, so that an explaining run is bounded like any other.
pub(super) fn explain_note(
    mut caller: Caller<'_, HostState>,
    value: i64,
    note: i32,
    ty: i32,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as TypeId;
    let (lifted, bytes) = caller.data().frame()?.lift_sized(ty, value)?;
    charge(&mut caller, copy_cost(bytes).saturating_mul(2))?;
    let text = {
        let frame = caller.data().frame()?;
        assent_stdlib::json::to_text(&lifted, frame.type_of(ty)?)
    };
    let notes = &mut caller.data_mut().notes;
    if notes.len() < MAX_NOTES {
        notes.push(crate::Note {
            note: note as u32,
            value: text,
        });
    }
    Ok(value)
}

fn text(slot: &Slot, what: &str) -> HostResult<String> {
    match &*slot.value {
        Value::String(text) => Ok(text.clone()),
        _ => abort(format!("{what} is not a String")),
    }
}

/// `str_concat(a, b) -> handle`
pub(super) fn str_concat(mut caller: Caller<'_, HostState>, a: i64, b: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let (a, b) = (slot(&caller, a)?, slot(&caller, b)?);
    let (Value::String(left), Value::String(right)) = (&*a.value, &*b.value) else {
        return abort("`+` joins two Strings");
    };
    let size = left.len().saturating_add(right.len());
    let footprint = VALUE_BYTES.saturating_add(size as u64);
    charge(&mut caller, copy_cost(footprint))?;
    let mut joined = String::with_capacity(size);
    joined.push_str(left);
    joined.push_str(right);
    give(&mut caller, a.ty, Value::String(joined), footprint)
}

/// `str_starts_with(s, prefix) -> i32`
pub(super) fn str_starts_with(
    mut caller: Caller<'_, HostState>,
    s: i64,
    prefix: i64,
) -> HostResult<i32> {
    charge(&mut caller, HOST_CALL)?;
    let (s, prefix) = (slot(&caller, s)?, slot(&caller, prefix)?);
    let (Value::String(s), Value::String(prefix)) = (&*s.value, &*prefix.value) else {
        return abort("`starts_with` compares two Strings");
    };
    // Priced as a comparison with the prefix: its whole footprint.
    charge(
        &mut caller,
        copy_cost(VALUE_BYTES.saturating_add(prefix.len() as u64)),
    )?;
    Ok(i32::from(s.starts_with(prefix.as_str())))
}

/// `str_bytes(s) -> handle Bytes`
pub(super) fn str_bytes(mut caller: Caller<'_, HostState>, s: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let s = slot(&caller, s)?;
    if !matches!(&*s.value, Value::String(_)) {
        return abort("the receiver of `bytes` is not a String");
    }
    // The copy is charged before it is made (a String's bytes are its footprint's rest).
    charge(&mut caller, copy_cost(s.bytes))?;
    let s = text(&s, "the receiver of `bytes`")?;
    let footprint = VALUE_BYTES.saturating_add(s.len() as u64);
    let ty = caller.data().frame()?.types().builtin.bytes;
    give(&mut caller, ty, Value::Bytes(s.into_bytes()), footprint)
}

/// `bytes_at(b, index) -> Int`: aborts when out of range.
pub(super) fn bytes_at(mut caller: Caller<'_, HostState>, b: i64, index: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let b = slot(&caller, b)?;
    let Value::Bytes(bytes) = &*b.value else {
        return abort("`b[i]` indexes Bytes");
    };
    match usize::try_from(index).ok().and_then(|i| bytes.get(i)) {
        Some(byte) => Ok(i64::from(*byte)),
        None => abort(format!(
            "byte index {index} is out of range for {} bytes",
            bytes.len()
        )),
    }
}

/// Lifts `slots` as the fields of record-like type `ty`, charging their copies; the
/// fields and the record's footprint.
pub(super) fn build_fields(
    caller: &mut Caller<'_, HostState>,
    ty: TypeId,
    slots: &[i64],
) -> HostResult<(Vec<Value>, u64)> {
    let mut fields = Vec::with_capacity(slots.len());
    let mut size = VALUE_BYTES;
    for (index, bits) in slots.iter().enumerate() {
        let field_ty = child(caller, ty, index)?;
        let (value, bytes) = lift(caller, field_ty, *bits)?;
        size = size.saturating_add(charge_sized(caller, &value, bytes)?);
        fields.push(value.into_value());
    }
    Ok((fields, size))
}

/// `record_new(type, slots_ptr) -> handle`
pub(super) fn record_new(
    mut caller: Caller<'_, HostState>,
    ty: i32,
    slots_ptr: i32,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as u32;
    let Kind::Fields(count) = kind_of(&caller, ty)? else {
        return abort(format!("type {ty} is not a record, tuple or Decision"));
    };
    charge(
        &mut caller,
        copy_cost(VALUE_BYTES.saturating_mul(count as u64)),
    )?;
    let slots = read_slots(&caller, slots_ptr, count)?;
    let (fields, size) = build_fields(&mut caller, ty, &slots)?;
    give(&mut caller, ty, Value::Record(fields), size)
}

fn field_index(field: i32, count: usize) -> HostResult<usize> {
    match usize::try_from(field) {
        Ok(index) if index < count => Ok(index),
        _ => abort(format!(
            "field {field} does not exist (the value has {count})"
        )),
    }
}

/// `record_get(r, field) -> value`
pub(super) fn record_get(mut caller: Caller<'_, HostState>, r: i64, field: i32) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let r = slot(&caller, r)?;
    let Value::Record(fields) = &*r.value else {
        return abort("`.field` of a value that is not a record or tuple");
    };
    let index = field_index(field, fields.len())?;
    let field_ty = child(&caller, r.ty, index)?;
    let Some(value) = fields.get(index) else {
        return abort(format!("field {field} does not exist"));
    };
    let size = charge_component(&mut caller, value)?;
    let value = value.clone();
    give(&mut caller, field_ty, value, size)
}

/// Charges for changing the value behind `handle` in place: a copy first when it is
/// shared with another handle (the copy counts against the memory budget).
fn charge_mutation(caller: &mut Caller<'_, HostState>, target: &Slot) -> HostResult<()> {
    // The arena holds one reference; `target` (a clone of the slot) another. A shared
    // value is copied into a new allocation first.
    if Arc::strong_count(&target.value) > 2 {
        charge(caller, NEW_VALUE.saturating_add(copy_cost(target.bytes)))?;
        caller.data_mut().account(target.bytes)?;
    }
    Ok(())
}

/// Applies `change` to the value behind `handle` (charged [`VALUE_CHANGE`]), copying it
/// first when shared; its footprint becomes `bytes`.
fn mutate<T>(
    caller: &mut Caller<'_, HostState>,
    handle: i64,
    bytes: u64,
    change: impl FnOnce(&mut Value) -> HostResult<T>,
) -> HostResult<T> {
    charge(caller, VALUE_CHANGE)?;
    let slot = caller.data_mut().frame_mut()?.slot_mut(handle)?;
    slot.bytes = bytes;
    change(Arc::make_mut(&mut slot.value))
}

/// `record_set_mut(r, field, value)`
pub(super) fn record_set_mut(
    mut caller: Caller<'_, HostState>,
    r: i64,
    field: i32,
    value: i64,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let target = slot(&caller, r)?;
    let Value::Record(fields) = &*target.value else {
        return abort("`.field =` on a value that is not a record");
    };
    let index = field_index(field, fields.len())?;
    let field_ty = child(&caller, target.ty, index)?;
    let (new, new_bytes) = lift(&caller, field_ty, value)?;
    charge_sized(&mut caller, &new, new_bytes)?;
    // The old field's footprint is walked to keep the record's exact; that walk is paid
    // as the copy of the old field it replaces.
    let old_bytes = match fields.get(index) {
        Some(old) => charge_component(&mut caller, old)?,
        None => VALUE_BYTES,
    };
    charge_mutation(&mut caller, &target)?;
    caller.data_mut().account(new_bytes)?;
    let bytes = target
        .bytes
        .saturating_sub(old_bytes)
        .saturating_add(new_bytes);
    drop(target);
    let new = new.into_value();
    mutate(&mut caller, r, bytes, |value| {
        if let Value::Record(fields) = value
            && let Some(slot) = fields.get_mut(index)
        {
            *slot = new;
        }
        Ok(())
    })
}

fn expect_option(caller: &Caller<'_, HostState>, ty: TypeId) -> HostResult<TypeId> {
    match kind_of(caller, ty)? {
        Kind::Option => child(caller, ty, 0),
        _ => abort(format!("`{}` is not an option type", type_name(caller, ty))),
    }
}

/// `opt_some(type, value) -> handle`
pub(super) fn opt_some(mut caller: Caller<'_, HostState>, ty: i32, value: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as u32;
    let inner = expect_option(&caller, ty)?;
    let (value, bytes) = lift(&caller, inner, value)?;
    let bytes = charge_sized(&mut caller, &value, bytes)?;
    give(
        &mut caller,
        ty,
        // A copy, as the operand's handle may still be changed in place (sharing it would
        // make that change pay for a copy the operand already paid for here).
        Value::Option(Some(Arc::new(value.into_value()))),
        VALUE_BYTES
            .saturating_add(SHARED_BYTES)
            .saturating_add(bytes),
    )
}

/// `opt_none(type) -> handle`: an empty option occupies a value and a handle like any
/// other (counted as such).
pub(super) fn opt_none(mut caller: Caller<'_, HostState>, ty: i32) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as u32;
    expect_option(&caller, ty)?;
    give(&mut caller, ty, Value::Option(None), VALUE_BYTES)
}

/// `opt_is_some(o) -> i32`
pub(super) fn opt_is_some(mut caller: Caller<'_, HostState>, o: i64) -> HostResult<i32> {
    charge(&mut caller, HOST_CALL)?;
    match &*slot(&caller, o)?.value {
        Value::Option(inner) => Ok(i32::from(inner.is_some())),
        _ => abort(format!("handle {o} is not an option")),
    }
}

/// `opt_unwrap(o) -> value`: aborts on `none`.
pub(super) fn opt_unwrap(mut caller: Caller<'_, HostState>, o: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let o = slot(&caller, o)?;
    let inner_ty = child(&caller, o.ty, 0)?;
    match &*o.value {
        Value::Option(Some(inner)) => {
            // Shared, not copied; charged and counted as a copy all the same (gas does not
            // depend on how the host represents values). The inner value's footprint is
            // the option's less its own value and shared header.
            let bytes = o
                .bytes
                .saturating_sub(VALUE_BYTES.saturating_add(SHARED_BYTES))
                .max(VALUE_BYTES);
            let value = inner.clone();
            let bytes = charge_sized(&mut caller, &value, bytes)?;
            give(&mut caller, inner_ty, value, bytes)
        }
        Value::Option(None) => abort("unwrapped `none`"),
        _ => abort("`unwrap` of a value that is not an option"),
    }
}

/// `coll_new(type) -> handle`: an empty list, set or map.
pub(super) fn coll_new(mut caller: Caller<'_, HostState>, ty: i32) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let ty = ty as u32;
    let value = match kind_of(&caller, ty)? {
        Kind::List => Value::List(Vec::new()),
        Kind::Set => Value::Set(Vec::new()),
        Kind::Map => Value::Map(Vec::new()),
        _ => {
            return abort(format!(
                "`{}` is not a collection type",
                type_name(&caller, ty)
            ));
        }
    };
    give(&mut caller, ty, value, VALUE_BYTES)
}

/// `coll_len(c) -> Int`: elements, entries, characters of a String, bytes of Bytes.
pub(super) fn coll_len(mut caller: Caller<'_, HostState>, c: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let c = slot(&caller, c)?;
    let len = match &*c.value {
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(entries) => entries.len(),
        Value::Bytes(bytes) => bytes.len(),
        Value::String(text) => {
            charge(&mut caller, copy_cost(text.len() as u64))?;
            text.chars().count()
        }
        _ => return abort("`len` of a value that is not a collection, String or Bytes"),
    };
    Ok(len as i64)
}

/// Comparisons a binary search over `len` elements makes.
fn search_steps(len: usize) -> u64 {
    u64::from(usize::BITS - len.leading_zeros()) + 1
}

/// Charges a search for a needle of footprint `needle` making `steps` comparisons (each
/// stops within the needle's size).
fn charge_search(caller: &mut Caller<'_, HostState>, needle: u64, steps: u64) -> HostResult<()> {
    charge(caller, copy_cost(needle).saturating_mul(steps))
}

/// `coll_contains(c, x) -> i32`: element of a list or set, key of a map.
pub(super) fn coll_contains(mut caller: Caller<'_, HostState>, c: i64, x: i64) -> HostResult<i32> {
    charge(&mut caller, HOST_CALL)?;
    let c = slot(&caller, c)?;
    let element_ty = child(&caller, c.ty, 0)?;
    let (x, needle) = lift(&caller, element_ty, x)?;
    let found = match &*c.value {
        Value::List(items) => {
            charge_search(&mut caller, needle, items.len() as u64)?;
            items.contains(&x)
        }
        Value::Set(items) => {
            charge_search(&mut caller, needle, search_steps(items.len()))?;
            items.binary_search(&x).is_ok()
        }
        Value::Map(entries) => {
            charge_search(&mut caller, needle, search_steps(entries.len()))?;
            entries.binary_search_by(|(key, _)| key.cmp(&x)).is_ok()
        }
        _ => return abort("`contains` of a value that is not a collection"),
    };
    Ok(i32::from(found))
}

fn position(index: i64, len: usize) -> HostResult<usize> {
    match usize::try_from(index) {
        Ok(position) if position < len => Ok(position),
        _ => abort(format!("index {index} is out of range for {len} elements")),
    }
}

/// `coll_at(c, index) -> value`: an element of a list or set, a `(key, value)` of a map.
pub(super) fn coll_at(mut caller: Caller<'_, HostState>, c: i64, index: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let c = slot(&caller, c)?;
    let (value, ty) = match &*c.value {
        Value::List(items) | Value::Set(items) => {
            let at = position(index, items.len())?;
            let Some(item) = items.get(at) else {
                return abort(format!("index {index} is out of range"));
            };
            charge_component(&mut caller, item)?;
            (item.clone(), child(&caller, c.ty, 0)?)
        }
        Value::Map(entries) => {
            let at = position(index, entries.len())?;
            let Some((key, value)) = entries.get(at) else {
                return abort(format!("index {index} is out of range"));
            };
            charge_component(&mut caller, key)?;
            charge_component(&mut caller, value)?;
            let Some(entry_ty) = caller.data().frame()?.types().entry_of(c.ty) else {
                return abort("the map's entry type is unknown");
            };
            (Value::Record(vec![key.clone(), value.clone()]), entry_ty)
        }
        _ => return abort("`coll_at` of a value that is not a collection"),
    };
    give_value(&mut caller, ty, value)
}

/// `map_get(m, key) -> handle option`
pub(super) fn map_get(mut caller: Caller<'_, HostState>, m: i64, key: i64) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let m = slot(&caller, m)?;
    let Value::Map(entries) = &*m.value else {
        return abort("`get` of a value that is not a map");
    };
    let (key_ty, value_ty) = (child(&caller, m.ty, 0)?, child(&caller, m.ty, 1)?);
    let (key, needle) = lift(&caller, key_ty, key)?;
    charge_search(&mut caller, needle, search_steps(entries.len()))?;
    let found = entries
        .binary_search_by(|(k, _)| k.cmp(&key))
        .ok()
        .and_then(|at| entries.get(at))
        .map(|(_, value)| value);
    let Some(option_ty) = caller.data().frame()?.types().option_of(value_ty) else {
        return abort("the map's option type is unknown");
    };
    let (value, bytes) = match found {
        Some(value) => {
            let bytes = charge_component(&mut caller, value)?;
            (
                Value::Option(Some(Arc::new(value.clone()))),
                VALUE_BYTES
                    .saturating_add(SHARED_BYTES)
                    .saturating_add(bytes),
            )
        }
        None => (Value::Option(None), VALUE_BYTES),
    };
    give(&mut caller, option_ty, value, bytes)
}

/// Gas for shifting the elements of a collection of `len` on an insert or removal (each
/// is one value moved in memory; a map entry two).
fn shift_cost(len: usize, per_element: u64) -> u64 {
    copy_cost(
        VALUE_BYTES
            .saturating_mul(per_element)
            .saturating_mul(len as u64),
    )
}

/// `list_push_mut(l, x)`
pub(super) fn list_push_mut(mut caller: Caller<'_, HostState>, l: i64, x: i64) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let target = slot(&caller, l)?;
    if !matches!(&*target.value, Value::List(_)) {
        return abort("`push` on a value that is not a list");
    }
    let element_ty = child(&caller, target.ty, 0)?;
    let (x, bytes) = lift(&caller, element_ty, x)?;
    let bytes = charge_sized(&mut caller, &x, bytes)?;
    charge_mutation(&mut caller, &target)?;
    // The list's spare capacity (it doubles as it grows) is counted with the element.
    let grown = bytes.saturating_add(VALUE_BYTES);
    caller.data_mut().account(grown)?;
    let total = target.bytes.saturating_add(bytes);
    drop(target);
    let x = x.into_value();
    mutate(&mut caller, l, total, |value| {
        if let Value::List(items) = value {
            items.push(x);
        }
        Ok(())
    })
}

/// `coll_insert_mut(c, x)`: adds an element to a set (no-op when present).
pub(super) fn coll_insert_mut(mut caller: Caller<'_, HostState>, c: i64, x: i64) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let target = slot(&caller, c)?;
    let Value::Set(items) = &*target.value else {
        return abort("`insert` on a value that is not a set");
    };
    let element_ty = child(&caller, target.ty, 0)?;
    let (x, needle) = lift(&caller, element_ty, x)?;
    charge_search(&mut caller, needle, search_steps(items.len()))?;
    let bytes = charge_sized(&mut caller, &x, needle)?;
    charge(&mut caller, shift_cost(items.len(), 1))?;
    charge_mutation(&mut caller, &target)?;
    let present = items.binary_search(&x).is_ok();
    let total = if present {
        target.bytes
    } else {
        caller
            .data_mut()
            .account(bytes.saturating_add(VALUE_BYTES))?;
        target.bytes.saturating_add(bytes)
    };
    drop(target);
    let x = x.into_value();
    mutate(&mut caller, c, total, |value| {
        if let Value::Set(items) = value
            && let Err(at) = items.binary_search(&x)
        {
            items.insert(at, x);
        }
        Ok(())
    })
}

/// `map_set_mut(m, key, value)`: `m[key] = value` on a map, `l[i] = v` on a list.
pub(super) fn map_set_mut(
    mut caller: Caller<'_, HostState>,
    m: i64,
    key: i64,
    value: i64,
) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let target = slot(&caller, m)?;
    match &*target.value {
        Value::Map(entries) => {
            let (key_ty, value_ty) = (child(&caller, target.ty, 0)?, child(&caller, target.ty, 1)?);
            let (key, key_bytes) = lift(&caller, key_ty, key)?;
            let (new, new_bytes) = lift(&caller, value_ty, value)?;
            charge_search(&mut caller, key_bytes, search_steps(entries.len()))?;
            charge_sized(&mut caller, &key, key_bytes)?;
            charge_sized(&mut caller, &new, new_bytes)?;
            charge(&mut caller, shift_cost(entries.len(), 2))?;
            charge_mutation(&mut caller, &target)?;
            // A replaced value's footprint is walked to keep the map's exact; that walk
            // is paid as a copy of it.
            let found = entries.binary_search_by(|(k, _)| k.cmp(&key));
            let total = match found.ok().and_then(|at| entries.get(at)) {
                Some((_, old)) => {
                    let old_bytes = charge_component(&mut caller, old)?;
                    target
                        .bytes
                        .saturating_sub(old_bytes)
                        .saturating_add(new_bytes)
                }
                None => target
                    .bytes
                    .saturating_add(key_bytes)
                    .saturating_add(new_bytes),
            };
            caller.data_mut().account(
                key_bytes
                    .saturating_add(new_bytes)
                    .saturating_add(2 * VALUE_BYTES),
            )?;
            drop(target);
            let (key, new) = (key.into_value(), new.into_value());
            mutate(&mut caller, m, total, |value| {
                if let Value::Map(entries) = value {
                    match entries.binary_search_by(|(k, _)| k.cmp(&key)) {
                        Ok(at) => {
                            if let Some(entry) = entries.get_mut(at) {
                                entry.1 = new;
                            }
                        }
                        Err(at) => entries.insert(at, (key, new)),
                    }
                }
                Ok(())
            })
        }
        Value::List(items) => {
            let at = position(key, items.len())?;
            let element_ty = child(&caller, target.ty, 0)?;
            let (new, new_bytes) = lift(&caller, element_ty, value)?;
            charge_sized(&mut caller, &new, new_bytes)?;
            let old_bytes = match items.get(at) {
                Some(old) => charge_component(&mut caller, old)?,
                None => VALUE_BYTES,
            };
            charge_mutation(&mut caller, &target)?;
            caller.data_mut().account(new_bytes)?;
            let total = target
                .bytes
                .saturating_sub(old_bytes)
                .saturating_add(new_bytes);
            drop(target);
            let new = new.into_value();
            mutate(&mut caller, m, total, |value| {
                if let Value::List(items) = value
                    && let Some(slot) = items.get_mut(at)
                {
                    *slot = new;
                }
                Ok(())
            })
        }
        _ => abort("`[k] =` on a value that is not a map or list"),
    }
}

/// `coll_remove_mut(c, x)`: from a set, the first equal element of a list, a map's key.
pub(super) fn coll_remove_mut(mut caller: Caller<'_, HostState>, c: i64, x: i64) -> HostResult<()> {
    charge(&mut caller, HOST_CALL)?;
    let target = slot(&caller, c)?;
    let element_ty = child(&caller, target.ty, 0)?;
    let (x, needle) = lift(&caller, element_ty, x)?;
    let (steps, len, per_element) = match &*target.value {
        Value::List(items) => (items.len() as u64, items.len(), 1),
        Value::Set(items) => (search_steps(items.len()), items.len(), 1),
        Value::Map(entries) => (search_steps(entries.len()), entries.len(), 2),
        _ => return abort("`remove` on a value that is not a collection"),
    };
    charge_search(&mut caller, needle, steps)?;
    charge(&mut caller, shift_cost(len, per_element))?;
    charge_mutation(&mut caller, &target)?;
    // The removed element's footprint is walked to keep the collection's exact; the walk
    // is paid as a copy of it.
    let removed = match &*target.value {
        Value::List(items) => items.iter().find(|item| **item == *x),
        Value::Set(items) => items.binary_search(&x).ok().and_then(|at| items.get(at)),
        Value::Map(entries) => entries
            .binary_search_by(|(k, _)| k.cmp(&x))
            .ok()
            .and_then(|at| entries.get(at))
            .map(|(_, value)| value),
        _ => None,
    };
    let mut total = target.bytes;
    if let Some(removed) = removed {
        total = total.saturating_sub(charge_component(&mut caller, removed)?);
        if per_element == 2 {
            total = total.saturating_sub(needle);
        }
    }
    drop(target);
    mutate(&mut caller, c, total, |value| {
        match value {
            Value::List(items) => {
                if let Some(at) = items.iter().position(|item| *item == *x) {
                    items.remove(at);
                }
            }
            Value::Set(items) => {
                if let Ok(at) = items.binary_search(&x) {
                    items.remove(at);
                }
            }
            Value::Map(entries) => {
                if let Ok(at) = entries.binary_search_by(|(k, _)| k.cmp(&x)) {
                    entries.remove(at);
                }
            }
            _ => {}
        }
        Ok(())
    })
}
