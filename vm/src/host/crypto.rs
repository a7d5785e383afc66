//! Hashing and signatures: `sha3`, `sha3_scalar`, `recover`.

use assent_stdlib::codec::{encode_for_hash, encode_packed};
use assent_stdlib::gas::{HOST_CALL, RECOVER, sha3_cost};
use assent_stdlib::value::{SHARED_BYTES, VALUE_BYTES, Value};
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use wasmtime::Caller;

use super::{HostResult, HostState, abort, charge, copy_cost, give};
use crate::state::keccak256;

fn hash_handle(caller: &mut Caller<'_, HostState>, input: &[u8]) -> HostResult<i64> {
    charge(caller, sha3_cost(input.len()))?;
    let hash = keccak256(input);
    let ty = caller.data().frame()?.types().builtin.hash;
    give(caller, ty, Value::Hash(hash.0), VALUE_BYTES)
}

/// `sha3(args, count) -> handle Hash`: with `count` 1 the handle is the argument;
/// otherwise a tuple of `count` arguments, or of `-count` arguments hashed packed
/// (`sha3_packed`, the standard library's).
pub(super) fn sha3(mut caller: Caller<'_, HostState>, args: i64, count: i32) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let slot = caller.data().frame()?.slot(args)?.clone();
    // The packing walks and copies the arguments (their footprint is known).
    charge(&mut caller, copy_cost(slot.bytes))?;
    let input = if count == 1 {
        encode_for_hash(std::slice::from_ref(&*slot.value))
    } else {
        let encode = if count < 0 {
            encode_packed
        } else {
            encode_for_hash
        };
        match &*slot.value {
            Value::Record(items)
                if usize::try_from(count.unsigned_abs())
                    .is_ok_and(|count| count == items.len()) =>
            {
                encode(items)
            }
            _ => return abort(format!("`sha3` expected a tuple of {count} arguments")),
        }
    };
    hash_handle(&mut caller, &input)
}

/// `sha3_scalar(type, value) -> handle Hash`
pub(super) fn sha3_scalar(
    mut caller: Caller<'_, HostState>,
    ty: i32,
    value: i64,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL)?;
    let value = caller.data().frame()?.lift(ty as u32, value)?;
    if value.scalar_bits().is_none() {
        return abort("`sha3_scalar` takes a number, Bool or enum");
    }
    let input = encode_for_hash(std::slice::from_ref(&*value));
    hash_handle(&mut caller, &input)
}

/// The address that signed `digest`, or `None` for a malformed or high-s signature.
/// `signature` is `r ‖ s ‖ v`, 65 bytes, `v` 0/1 or 27/28.
pub(crate) fn recover_address(digest: &[u8; 32], signature: &[u8]) -> Option<[u8; 20]> {
    let (v, rs) = signature.split_last()?;
    if rs.len() != 64 {
        return None;
    }
    let parity = match v {
        0 | 1 => *v,
        27 | 28 => v - 27,
        _ => return None,
    };
    let signature = Signature::from_slice(rs).ok()?;
    if signature.normalize_s().is_some() {
        return None;
    }
    let id = RecoveryId::from_byte(parity)?;
    let key = VerifyingKey::recover_from_prehash(digest, &signature, id).ok()?;
    let point = key.to_encoded_point(false);
    let hash = keccak256(point.as_bytes().get(1..)?);
    hash.as_bytes().get(12..)?.try_into().ok()
}

/// `recover(digest: handle Hash, signature: handle Bytes) -> handle Address?`
pub(super) fn recover(
    mut caller: Caller<'_, HostState>,
    digest: i64,
    signature: i64,
) -> HostResult<i64> {
    charge(&mut caller, HOST_CALL.saturating_add(RECOVER))?;
    let frame = caller.data().frame()?;
    let (digest, signature) = (
        frame.slot(digest)?.value.clone(),
        frame.slot(signature)?.value.clone(),
    );
    let (Value::Hash(digest), Value::Bytes(signature)) = (&*digest, &*signature) else {
        return abort("`recover` takes a Hash and Bytes");
    };
    let address = recover_address(digest, signature);
    let ty = caller.data().frame()?.types().builtin.option_address;
    let bytes = match address {
        Some(_) => 2 * VALUE_BYTES + SHARED_BYTES,
        None => VALUE_BYTES,
    };
    let value = Value::Option(address.map(|address| std::sync::Arc::new(Value::Address(address))));
    give(&mut caller, ty, value, bytes)
}
