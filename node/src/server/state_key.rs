//! The raw state key of a named `state` declaration and a JSON map key, and the JSON form
//! of the value stored there: what `assent_getProof` (and `assent proof`, which checks the
//! node's answer) need so that a user never handles the key layout.
//!
//! The layout is the VM host's (`vm/src/host/storage.rs`): `contract ‖ state index (u32,
//! big-endian) ‖ element`, where the state index is the declaration's position in the
//! ABI's `states`, and `element` is empty for a scalar state and the canonical encoding
//! (stdlib `codec`) of the key for a persistent `Map` or the element for a `Set`. A map
//! entry holds the canonical encoding of its value; a set member holds the byte `0x01`.

use assent_ledger::Address;
use assent_stdlib::abi::ContractAbi;
use assent_stdlib::codec;
use assent_stdlib::json::{HexOnly, from_json, to_json};
use assent_stdlib::value::Type;
use serde_json::Value as Json;

/// Where a state entry lives and how to read its value.
#[derive(Clone, Debug)]
pub struct StateKey {
    pub raw_key: Vec<u8>,
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    Scalar(Type),
    MapEntry(Type),
    SetMember,
}

/// Computes the raw key of `state` (with `key` for a Map or Set state) of the contract at
/// `contract` whose ABI is `abi`.
///
/// # Errors
/// A message saying what to fix: no such state, a key missing, given where none is
/// taken, or not of the key type.
pub fn state_key(
    abi: &ContractAbi,
    contract: &Address,
    state: &str,
    key: Option<&Json>,
) -> Result<StateKey, String> {
    let (index, declaration) = abi
        .states
        .iter()
        .enumerate()
        .find(|(_, declaration)| declaration.name == state)
        .ok_or_else(|| {
            let names: Vec<&str> = abi.states.iter().map(|s| s.name.as_str()).collect();
            format!(
                "contract `{}` has no state `{state}`; its states are {}",
                abi.contract,
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )
        })?;
    let types = abi
        .resolve_types()
        .map_err(|error| format!("the contract's ABI is unusable: {error}"))?;
    let ty = types
        .get(declaration.ty as usize)
        .ok_or_else(|| format!("state `{state}` has an unknown type"))?;
    let index = u32::try_from(index).map_err(|_| "too many states".to_owned())?;
    let key = key.filter(|key| !key.is_null());
    if !declaration.persistent {
        if key.is_some() {
            return Err(format!(
                "state `{state}` is a single value, not a Map or Set: give no key"
            ));
        }
        return Ok(StateKey {
            raw_key: assent_vm::contract_key(contract, index, &[]),
            kind: Kind::Scalar(ty.clone()),
        });
    }
    let (key_ty, kind) = match ty {
        Type::Map(key_ty, value_ty) => (key_ty.as_ref(), Kind::MapEntry(value_ty.as_ref().clone())),
        Type::Set(element_ty) => (element_ty.as_ref(), Kind::SetMember),
        _ => return Err(format!("state `{state}` is not a Map or Set")),
    };
    let Some(key) = key else {
        return Err(format!(
            "state `{state}` is a {}: give the key to prove",
            if matches!(kind, Kind::SetMember) {
                "Set"
            } else {
                "Map"
            }
        ));
    };
    let element = from_json(key, key_ty, &HexOnly)
        .map_err(|error| format!("the key does not fit state `{state}`: {error}"))?;
    Ok(StateKey {
        raw_key: assent_vm::contract_key(contract, index, &codec::encode(&element)),
        kind,
    })
}

impl StateKey {
    /// The JSON form of a stored value (`null` when absent; `true` for a set member).
    ///
    /// # Errors
    /// The stored bytes do not decode as the state's type.
    pub fn value_json(&self, value: Option<&[u8]>) -> Result<Json, String> {
        let Some(bytes) = value else {
            return Ok(Json::Null);
        };
        let decode = |ty: &Type| {
            codec::decode(bytes, ty)
                .map(|value| to_json(&value, ty))
                .map_err(|error| format!("the stored value does not decode: {error}"))
        };
        match &self.kind {
            Kind::Scalar(ty) | Kind::MapEntry(ty) => decode(ty),
            Kind::SetMember => Ok(Json::Bool(true)),
        }
    }
}
