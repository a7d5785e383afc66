//! The host ABI: every function a compiled contract may import, written once.
//!
//! Code generation declares its imports from [`HOST_FUNCTIONS`], and the VM registers
//! its linker from the same table, so the two cannot disagree. All functions live in the
//! import module [`HOST_MODULE`].
//!
//! # How values cross the boundary
//! Every Assent value is one `i64` in WebAssembly:
//! - **scalars** — `Bool` (0 or 1), `Int`, `Money` (cents), `Percent` (basis points),
//!   `Time` (Unix seconds), `Duration` (seconds) and enums (the variant's ordinal) — are
//!   the number itself, and WebAssembly computes on them directly;
//! - every other value (`String`, `Bytes`, `Address`, `Hash`, options, tuples, records,
//!   `Decision`, lists, sets, maps) is a **handle**: an index into the host's value arena
//!   of the current call frame. Values are immutable except through the `*_mut`
//!   functions, which change the value behind one handle in place; code generation gives
//!   every mutable local its own handle (`val_copy`), so value semantics hold.
//!
//! Which of the two an `i64` is follows from its static type; functions that build a
//! value from slots take a **type id**: an index into the `types` table of the module's
//! [`ContractAbi`]. Several values are passed through linear memory as **slots**: `n`
//! consecutive little-endian `i64`s at `ptr` (record fields, event fields, call
//! arguments). Every pointer and length is checked against the memory; a bad one, a bad
//! handle or a bad id aborts the transaction (it never reaches a host panic).
//!
//! Host functions charge their gas (see [`crate::gas`]) before doing any work.

use serde::{Deserialize, Serialize};

/// The import module of every host function.
pub const HOST_MODULE: &str = "assent";

/// The custom section that carries a module's [`ContractAbi`] as JSON.
pub const ABI_SECTION: &str = "assent.abi";

/// A WebAssembly value type used by the ABI (no floats, ever).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmType {
    I32,
    I64,
}

use WasmType::{I32, I64};

/// Every host function. The discriminant is the function's index in [`HOST_FUNCTIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostFn {
    // ---- aborting -------------------------------------------------------------------
    /// `abort(message: handle String, position: i32 ptr, position_len: i32)`: ends the
    /// transaction as aborted with the message and the source position (`file:line:col`,
    /// UTF-8 in memory). Never returns.
    Abort,
    /// `abort_static(message_ptr, message_len, position_ptr, position_len)`: the same
    /// with a message in memory (overflow, division by zero, missing key, …).
    AbortStatic,

    // ---- context --------------------------------------------------------------------
    /// `caller() -> handle Address`
    Caller,
    /// `origin() -> handle Address`
    Origin,
    /// `self_address() -> handle Address`
    SelfAddress,
    /// `now() -> Time`
    Now,
    /// `block_height() -> Int`
    BlockHeight,

    // ---- literals and generic value operations --------------------------------------
    /// `val_const(type, ptr, len) -> handle`: a `String`, `Bytes`, `Address` or `Hash`
    /// from raw bytes in memory (a string must be UTF-8, an address 20 bytes, a hash 32).
    ValConst,
    /// `val_copy(handle) -> handle`: a new handle to the same value (cheap; shares it
    /// until one of them is changed).
    ValCopy,
    /// `val_eq(a: handle, b: handle) -> i32`: 1 when equal.
    ValEq,
    /// `val_cmp(a: handle, b: handle) -> i32`: -1, 0 or 1 in the language's order.
    ValCmp,

    // ---- strings and bytes ----------------------------------------------------------
    /// `str_concat(a, b) -> handle`
    StrConcat,
    /// `str_starts_with(s, prefix) -> i32`
    StrStartsWith,
    /// `str_bytes(s) -> handle Bytes`: the UTF-8 bytes.
    StrBytes,
    /// `bytes_at(b: handle, index: Int) -> Int`: a byte, 0–255; aborts when out of range.
    BytesAt,

    // ---- records, tuples, options -----------------------------------------------------
    /// `record_new(type, slots_ptr) -> handle`: a record, tuple or `Decision` of type `type`
    /// from one slot per field.
    RecordNew,
    /// `record_get(r, field: i32) -> value`
    RecordGet,
    /// `record_set_mut(r, field: i32, value)`: changes one field of the value behind `r`.
    RecordSetMut,
    /// `opt_some(type, value) -> handle`: `some(value)` of option type `type`.
    OptSome,
    /// `opt_none(type) -> handle`
    OptNone,
    /// `opt_is_some(o) -> i32`
    OptIsSome,
    /// `opt_unwrap(o) -> value`: aborts on `none` (code generation tests first).
    OptUnwrap,

    // ---- local collections --------------------------------------------------------------
    /// `coll_new(type) -> handle`: an empty list, set or map of type `type`.
    CollNew,
    /// `coll_len(c) -> Int`: elements of a list or set, entries of a map, or the number of
    /// characters of a `String` / bytes of a `Bytes`.
    CollLen,
    /// `coll_contains(c, x) -> i32`: element of a list or set, key of a map.
    CollContains,
    /// `coll_at(c, index: Int) -> value`: the element at a position of a list or set (in
    /// order), or the `(key, value)` tuple of a map; aborts when out of range.
    CollAt,
    /// `map_get(m, key) -> handle option`
    MapGet,
    /// `list_push_mut(l, x)`
    ListPushMut,
    /// `coll_insert_mut(c, x)`: adds an element to a set (no-op when present).
    CollInsertMut,
    /// `map_set_mut(m, key, value)`: `m[key] = value` on a local map; `l[i] = v` on a list.
    MapSetMut,
    /// `coll_remove_mut(c, x)`: removes an element of a set, the first equal element of a
    /// list, or a key of a map (no-op when absent).
    CollRemoveMut,

    // ---- arithmetic that needs more than 64 bits ---------------------------------------
    /// `mul_percent(amount: Money or Int, percent) -> same`: rounded half away from zero;
    /// aborts on overflow.
    MulPercent,
    /// `div_round(amount: Money, divisor: Int) -> Money`: rounded half away from zero;
    /// aborts on division by zero or overflow.
    DivRound,

    // ---- hashing and signatures -------------------------------------------------------
    /// `sha3(args: handle tuple-or-value, count: i32) -> handle Hash`: Keccak-256 of the
    /// arguments packed as [`crate::codec::encode_for_hash`] says. With `count` 1 the
    /// handle is the single argument; otherwise a tuple of the arguments.
    Sha3,
    /// `sha3_scalar(type, value) -> handle Hash`: `sha3` of one scalar argument.
    Sha3Scalar,
    /// `recover(digest: handle Hash, signature: handle Bytes) -> handle Address?`
    Recover,

    // ---- persistent state (this contract's entries only) ------------------------------
    /// `state_load(state: i32) -> value`: a scalar state variable.
    StateLoad,
    /// `state_store(state: i32, value)`
    StateStore,
    /// `pmap_get(state: i32, key) -> handle option`
    PmapGet,
    /// `pmap_contains(state: i32, key) -> i32`: also `s.contains(x)` of a persistent set.
    PmapContains,
    /// `pmap_set(state: i32, key, value)`
    PmapSet,
    /// `pmap_remove(state: i32, key)`: also `s.remove(x)` of a persistent set.
    PmapRemove,
    /// `pset_insert(state: i32, element)`
    PsetInsert,

    // ---- events and cross-contract calls --------------------------------------------------
    /// `emit(event: i32, slots_ptr, audit: i32)`: an event of the ABI's `events` table with
    /// one slot per field; `audit` 1 keeps it even when the transaction aborts.
    Emit,
    /// `call_contract(interface: i32, entry: i32, address: handle, slots_ptr) -> value`:
    /// calls an entry point of another contract (the ABI's `interfaces` table).
    CallContract,
}

/// A host function's import name and signature.
#[derive(Clone, Copy, Debug)]
pub struct HostFunction {
    pub id: HostFn,
    pub name: &'static str,
    pub params: &'static [WasmType],
    pub results: &'static [WasmType],
}

macro_rules! host_functions {
    ($( $id:ident $name:literal ( $($param:ident),* ) -> ( $($result:ident),* ); )*) => {
        /// Every host function, indexed by [`HostFn`] discriminant.
        pub const HOST_FUNCTIONS: &[HostFunction] = &[
            $( HostFunction { id: HostFn::$id, name: $name, params: &[$($param),*], results: &[$($result),*] }, )*
        ];
    };
}

host_functions! {
    Abort "abort" (I64, I32, I32) -> ();
    AbortStatic "abort_static" (I32, I32, I32, I32) -> ();
    Caller "caller" () -> (I64);
    Origin "origin" () -> (I64);
    SelfAddress "self_address" () -> (I64);
    Now "now" () -> (I64);
    BlockHeight "block_height" () -> (I64);
    ValConst "val_const" (I32, I32, I32) -> (I64);
    ValCopy "val_copy" (I64) -> (I64);
    ValEq "val_eq" (I64, I64) -> (I32);
    ValCmp "val_cmp" (I64, I64) -> (I32);
    StrConcat "str_concat" (I64, I64) -> (I64);
    StrStartsWith "str_starts_with" (I64, I64) -> (I32);
    StrBytes "str_bytes" (I64) -> (I64);
    BytesAt "bytes_at" (I64, I64) -> (I64);
    RecordNew "record_new" (I32, I32) -> (I64);
    RecordGet "record_get" (I64, I32) -> (I64);
    RecordSetMut "record_set_mut" (I64, I32, I64) -> ();
    OptSome "opt_some" (I32, I64) -> (I64);
    OptNone "opt_none" (I32) -> (I64);
    OptIsSome "opt_is_some" (I64) -> (I32);
    OptUnwrap "opt_unwrap" (I64) -> (I64);
    CollNew "coll_new" (I32) -> (I64);
    CollLen "coll_len" (I64) -> (I64);
    CollContains "coll_contains" (I64, I64) -> (I32);
    CollAt "coll_at" (I64, I64) -> (I64);
    MapGet "map_get" (I64, I64) -> (I64);
    ListPushMut "list_push_mut" (I64, I64) -> ();
    CollInsertMut "coll_insert_mut" (I64, I64) -> ();
    MapSetMut "map_set_mut" (I64, I64, I64) -> ();
    CollRemoveMut "coll_remove_mut" (I64, I64) -> ();
    MulPercent "mul_percent" (I64, I64) -> (I64);
    DivRound "div_round" (I64, I64) -> (I64);
    Sha3 "sha3" (I64, I32) -> (I64);
    Sha3Scalar "sha3_scalar" (I32, I64) -> (I64);
    Recover "recover" (I64, I64) -> (I64);
    StateLoad "state_load" (I32) -> (I64);
    StateStore "state_store" (I32, I64) -> ();
    PmapGet "pmap_get" (I32, I64) -> (I64);
    PmapContains "pmap_contains" (I32, I64) -> (I32);
    PmapSet "pmap_set" (I32, I64, I64) -> ();
    PmapRemove "pmap_remove" (I32, I64) -> ();
    PsetInsert "pset_insert" (I32, I64) -> ();
    Emit "emit" (I32, I32, I32) -> ();
    CallContract "call_contract" (I32, I32, I64, I32) -> (I64);
}

impl HostFn {
    /// This function's entry in [`HOST_FUNCTIONS`].
    pub fn function(self) -> &'static HostFunction {
        // INVARIANT: the table lists every variant, in declaration order (tested).
        HOST_FUNCTIONS
            .iter()
            .find(|f| f.id == self)
            .unwrap_or(&HOST_FUNCTIONS_FALLBACK)
    }

    /// The function's index among the module's imports (code generation imports all of
    /// them, in table order).
    pub fn index(self) -> u32 {
        self as u32
    }

    pub fn by_name(name: &str) -> Option<HostFn> {
        HOST_FUNCTIONS.iter().find(|f| f.name == name).map(|f| f.id)
    }
}

const HOST_FUNCTIONS_FALLBACK: HostFunction = HostFunction {
    id: HostFn::Abort,
    name: "abort",
    params: &[I64, I32, I32],
    results: &[],
};

// ---- The ABI section ------------------------------------------------------------------

/// What a compiled contract says about itself: carried as JSON in the custom section
/// [`ABI_SECTION`] and served by `assent_getAbi`.
///
/// Types are referred to by index into `types`, so a type used in many places is
/// described once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractAbi {
    /// Version of this format.
    pub abi_version: u32,
    pub contract: String,
    /// Keccak-256 of the contract's source file, `0x…`.
    pub source_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Every type the module refers to; the index is the type id.
    pub types: Vec<TypeDesc>,
    /// Entry points the host may call: `init`, actions, views and policies.
    pub entries: Vec<EntryAbi>,
    pub states: Vec<StateAbi>,
    pub events: Vec<EventAbi>,
    /// Other contracts this one calls, and the entry points it uses of each.
    #[serde(default)]
    pub interfaces: Vec<InterfaceAbi>,
}

/// The current [`ContractAbi::abi_version`].
pub const ABI_VERSION: u32 = 1;

/// A type; compound types refer to other entries of the `types` table by index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum TypeDesc {
    Bool,
    Int,
    Money,
    Percent,
    Time,
    Duration,
    Address,
    Hash,
    Bytes,
    String,
    Decision,
    Enum {
        name: String,
        /// Variants in depth-first declaration order (the ordinal is the index).
        variants: Vec<VariantAbi>,
    },
    Record {
        name: String,
        fields: Vec<FieldAbi>,
    },
    Option {
        of: u32,
    },
    List {
        of: u32,
    },
    Set {
        of: u32,
    },
    Map {
        key: u32,
        value: u32,
    },
    Tuple {
        of: Vec<u32>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantAbi {
    pub name: String,
    /// Ordinal of the parent variant, for nested variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// One past the ordinal of the last descendant: `x in V` is `V <= x < end`.
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldAbi {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: u32,
    /// Events only: the field is indexed for log queries.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub indexed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Init,
    Action,
    View,
    Policy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryAbi {
    pub name: String,
    pub kind: EntryKind,
    /// The exported WebAssembly function: `(i64 × params) -> i64` (or no result).
    pub export: String,
    pub params: Vec<FieldAbi>,
    /// Result type id; `None` for no result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateAbi {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: u32,
    /// `Map`/`Set` state: one ledger entry per element.
    pub persistent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventAbi {
    pub name: String,
    pub fields: Vec<FieldAbi>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceAbi {
    /// The callee's contract name.
    pub contract: String,
    /// The entry points used, with their signatures as this contract was compiled
    /// against; the VM checks them against the callee's own ABI at call time.
    pub entries: Vec<EntryAbi>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_function_once_in_discriminant_order() {
        for (index, function) in HOST_FUNCTIONS.iter().enumerate() {
            assert_eq!(function.id as usize, index, "{}", function.name);
            assert_eq!(function.id.function().name, function.name);
            assert_eq!(HostFn::by_name(function.name), Some(function.id));
        }
        assert_eq!(HOST_FUNCTIONS.len(), HostFn::CallContract as usize + 1);
    }
}
