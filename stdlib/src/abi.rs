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
//! Which of the two an `i64` is follows from its static type, by the one rule
//! [`TypeKind::repr`]; functions that build a
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

/// The linear memory every module defines and exports under this name (the host reads
/// slots, messages and constants from it).
pub const MEMORY_EXPORT: &str = "memory";

/// The largest linear memory a module may declare, in 64 KiB pages. A module's memory
/// must declare a maximum no larger than this; `memory.grow` beyond it returns -1. The
/// host charges [`crate::gas::MEMORY_PAGE`] for every page, the initial ones included.
pub const MAX_MEMORY_PAGES: u32 = 16;

/// The deepest stack of contract calls: the entry point called by the transaction is
/// depth 1, so a chain of at most 7 nested cross-contract calls is allowed.
pub const MAX_CALL_DEPTH: usize = 8;

/// The memory budget of one call (a transaction, or a view over RPC): the most bytes of
/// values the host builds for it, counted as they occupy memory
/// ([`crate::value::footprint`]: an element, field or empty option
/// [`crate::value::VALUE_BYTES`], a String or Bytes its bytes besides), plus
/// [`HANDLE_BYTES`] for every handle given out (a copied handle too) and
/// [`crate::value::SHARED_BYTES`] for every value behind one. Values are counted when
/// built and never uncounted, so the sum bounds the peak. Beyond it the call aborts with
/// the message "the call built more than … bytes of values". Bounds host memory
/// independently of the gas limit: four views at once hold at most 4 x 32 MiB.
pub const MAX_VALUE_BYTES: u64 = 32 * 1024 * 1024;

/// The bytes a handle takes in the frame's arena: its slot (type id and shared pointer,
/// 16 bytes), doubled for the arena's spare capacity.
pub const HANDLE_BYTES: u64 = 32;

/// The most native stack a module's deepest chain of calls may need, as the validator
/// estimates it (per function: 128 bytes plus 16 per parameter, local and operand-stack
/// slot). With no recursion the estimate bounds the real stack, so a module the
/// validator accepts never overflows it (the host keeps room for [`MAX_CALL_DEPTH`] of
/// them).
pub const MAX_STACK_ESTIMATE: u64 = 64 * 1024;

/// Limits on a module's size in the dimensions that fix the size of an instance, so
/// every module the validator accepts can be instantiated.
pub const MAX_FUNCTIONS: u32 = 10_000;
pub const MAX_GLOBALS: u32 = 1_000;
pub const MAX_TABLE_ELEMENTS: u64 = 10_000;

/// Limits on the ABI section, so a forged one cannot make the host build huge tables.
pub const MAX_ABI_TYPES: usize = 4096;
/// The most nodes all resolved types of a module may have together (a type refers to
/// earlier ones, so its tree can be exponentially larger than the table).
pub const MAX_TYPE_NODES: u64 = 100_000;
/// The deepest nesting of a type (so every value, and every walk over one, is shallow).
pub const MAX_TYPE_DEPTH: u32 = 32;

/// What a module may use of WebAssembly, beyond the 1.0 core: `mutable-global`,
/// `sign-extension`, `multi-value`, `bulk-memory` (its copies and fills cost fuel per
/// byte). Not: floats (no `f32`/`f64` type or instruction anywhere), SIMD, threads,
/// reference types, tail calls, exceptions, GC, memory64, several memories, a `start`
/// function, or imports other than the host functions below. Exports: [`MEMORY_EXPORT`]
/// and one function per ABI entry point, nothing else. Active data segments are copied
/// into memory when a contract is instantiated, which costs fuel per byte like
/// `memory.init`; an instance is made once per contract per transaction and keeps its
/// memory and globals between the calls into it within that transaction.
pub const WASM_FEATURES: &str = "mutable-global sign-extension multi-value bulk-memory";

/// What an `i64` of a given type is at the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// The number itself.
    Scalar,
    /// A handle into the frame's value arena.
    Handle,
}

/// A type without its arguments: all that decides how its values cross the boundary.
/// The compiler's types and the host's [`crate::value::Type`] both name theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    Bool,
    Int,
    Money,
    Percent,
    Time,
    Duration,
    Enum,
    Address,
    Hash,
    Bytes,
    String,
    Decision,
    Record,
    Tuple,
    Option,
    List,
    Set,
    Map,
}

impl TypeKind {
    /// The scalar-vs-handle rule, written once: `Bool`, `Int`, `Money`, `Percent`, `Time`,
    /// `Duration` and enums are the number itself; everything else is a handle.
    pub const fn repr(self) -> Repr {
        match self {
            TypeKind::Bool
            | TypeKind::Int
            | TypeKind::Money
            | TypeKind::Percent
            | TypeKind::Time
            | TypeKind::Duration
            | TypeKind::Enum => Repr::Scalar,
            TypeKind::Address
            | TypeKind::Hash
            | TypeKind::Bytes
            | TypeKind::String
            | TypeKind::Decision
            | TypeKind::Record
            | TypeKind::Tuple
            | TypeKind::Option
            | TypeKind::List
            | TypeKind::Set
            | TypeKind::Map => Repr::Handle,
        }
    }
}

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
    /// `val_to_string(type, value) -> handle String`: the text of a value of type `type`
    /// (a scalar or a handle), as [`crate::json::to_text`] writes it.
    ValToString,

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
    /// arguments encoded as [`crate::codec::encode_for_hash`] says. With `count` 1 the
    /// handle is the single argument; otherwise a tuple of the `count` arguments. A
    /// negative `count` (`sha3_packed`, which only the standard library can call) hashes
    /// the tuple of `-count` arguments as [`crate::codec::encode_packed`] says.
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
    /// `pmap_len(state: i32) -> i64`: the number of entries of a persistent map or set,
    /// read from the count the host keeps beside its elements.
    PmapLen,
    /// `pmap_next(state: i32, parts: i32, prefix: handle, after: handle option) ->
    /// handle option`: the next key of an iterated persistent map or set, in key order,
    /// after `after` (from the first when it is `none`), among the keys that start with
    /// the first `parts` components of tuple `prefix` (all keys when `parts` is 0; then
    /// `prefix` is not read); `none` after the last.
    PmapNext,

    // ---- events and cross-contract calls --------------------------------------------------
    /// `emit(event: i32, slots_ptr, audit: i32)`: an event of the ABI's `events` table with
    /// one slot per field; `audit` 1 keeps it even when the transaction aborts.
    Emit,
    /// `call_contract(interface: i32, entry: i32, address: handle, slots_ptr) -> value`:
    /// calls an entry point of another contract (the ABI's `interfaces` table).
    CallContract,

    // ---- explaining ---------------------------------------------------------------------
    /// `explain_note(value, note: i32, type: i32) -> value`: records `value` (of type
    /// `type`) as note `note` of an explanation and gives it back unchanged. Only modules
    /// built for explaining import it, and only a VM made for explaining links it and lets
    /// a module import it: a deployed contract never can.
    ExplainNote,
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
            $( HostFn::$id.function_const(), )*
        ];

        impl HostFn {
            /// This function's entry in [`HOST_FUNCTIONS`]: a `match` over every variant,
            /// so a variant missing from the table does not compile.
            const fn function_const(self) -> HostFunction {
                match self {
                    $( HostFn::$id => HostFunction {
                        id: HostFn::$id,
                        name: $name,
                        params: &[$($param),*],
                        results: &[$($result),*],
                    }, )*
                }
            }
        }
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
    ValToString "val_to_string" (I32, I64) -> (I64);
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
    PmapLen "pmap_len" (I32) -> (I64);
    PmapNext "pmap_next" (I32, I32, I64, I64) -> (I64);
    Emit "emit" (I32, I32, I32) -> ();
    CallContract "call_contract" (I32, I32, I64, I32) -> (I64);
    ExplainNote "explain_note" (I64, I32, I32) -> (I64);
}

impl HostFn {
    /// This function's entry in [`HOST_FUNCTIONS`].
    pub fn function(self) -> HostFunction {
        self.function_const()
    }

    /// The function's index among the module's imports (code generation imports all of
    /// them, in table order).
    pub fn index(self) -> u32 {
        self as u32
    }

    /// Whether a deployed contract may import it: all but `explain_note`, which only a VM
    /// made for explaining links (for modules built for explaining, never deployed).
    pub fn deployable(self) -> bool {
        self != HostFn::ExplainNote
    }

    pub fn by_name(name: &str) -> Option<HostFn> {
        HOST_FUNCTIONS.iter().find(|f| f.name == name).map(|f| f.id)
    }
}

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

/// A type; compound types refer to other entries of the `types` table by index, and
/// only to entries **before** their own (so the table is well-founded and is read in one
/// pass). A map key is never a `Map`.
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        doc: Option<String>,
    },
    Record {
        name: String,
        fields: Vec<FieldAbi>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        doc: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
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
    /// A persistent `Map`/`Set` the contract walks with `for`: the host keeps an ordered
    /// index of its keys beside its elements ([`crate::ordered`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub iterated: bool,
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

/// Why an ABI section is not usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbiError {
    pub message: String,
}

impl std::fmt::Display for AbiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AbiError {}

fn abi_error(message: impl Into<String>) -> AbiError {
    AbiError {
        message: message.into(),
    }
}

impl ContractAbi {
    /// Parses the JSON of an [`ABI_SECTION`].
    ///
    /// # Errors
    /// When the bytes are not the JSON of a `ContractAbi` of [`ABI_VERSION`].
    pub fn from_json_bytes(bytes: &[u8]) -> Result<ContractAbi, AbiError> {
        let abi: ContractAbi = serde_json::from_slice(bytes)
            .map_err(|error| abi_error(format!("the ABI section is not valid: {error}")))?;
        if abi.abi_version != ABI_VERSION {
            return Err(abi_error(format!(
                "ABI version {} is not supported (expected {ABI_VERSION})",
                abi.abi_version
            )));
        }
        Ok(abi)
    }

    /// Every entry of the `types` table as a [`Type`](crate::value::Type), index for index.
    ///
    /// # Errors
    /// When a type refers to itself or a later entry, a map key is a `Map`, or the table
    /// is too large ([`MAX_ABI_TYPES`], [`MAX_TYPE_NODES`]).
    pub fn resolve_types(&self) -> Result<Vec<crate::value::Type>, AbiError> {
        use crate::value::{EnumType, RecordType, Type};
        use std::sync::Arc;

        if self.types.len() > MAX_ABI_TYPES {
            return Err(abi_error(format!(
                "the ABI has {} types (at most {MAX_ABI_TYPES})",
                self.types.len()
            )));
        }
        let mut resolved: Vec<Type> = Vec::with_capacity(self.types.len());
        // Per type: its node count and depth.
        let mut sizes: Vec<(u64, u32)> = Vec::with_capacity(self.types.len());
        let mut total: u64 = 0;
        for (index, desc) in self.types.iter().enumerate() {
            let mut depth = 1u32;
            let mut earlier = |id: u32| -> Result<(Type, u64), AbiError> {
                match (resolved.get(id as usize), sizes.get(id as usize)) {
                    (Some(ty), Some((size, inner_depth))) => {
                        depth = depth.max(inner_depth.saturating_add(1));
                        Ok((ty.clone(), *size))
                    }
                    _ => Err(abi_error(format!(
                        "type {index} refers to type {id}, which is not before it"
                    ))),
                }
            };
            let (ty, size) = match desc {
                TypeDesc::Bool => (Type::Bool, 1),
                TypeDesc::Int => (Type::Int, 1),
                TypeDesc::Money => (Type::Money, 1),
                TypeDesc::Percent => (Type::Percent, 1),
                TypeDesc::Time => (Type::Time, 1),
                TypeDesc::Duration => (Type::Duration, 1),
                TypeDesc::Address => (Type::Address, 1),
                TypeDesc::Hash => (Type::Hash, 1),
                TypeDesc::Bytes => (Type::Bytes, 1),
                TypeDesc::String => (Type::String, 1),
                TypeDesc::Decision => (Type::Decision, 1),
                TypeDesc::Enum { name, variants, .. } => {
                    if variants.is_empty() {
                        return Err(abi_error(format!("enum `{name}` has no variants")));
                    }
                    let enumeration = EnumType {
                        name: name.clone(),
                        variants: variants.iter().map(|v| v.name.clone()).collect(),
                    };
                    (Type::Enum(Arc::new(enumeration)), 1)
                }
                TypeDesc::Record { name, fields, .. } => {
                    let mut size = 1u64;
                    let mut resolved_fields = Vec::with_capacity(fields.len());
                    for field in fields {
                        let (ty, field_size) = earlier(field.ty)?;
                        size = size.saturating_add(field_size);
                        resolved_fields.push((field.name.clone(), ty));
                    }
                    let record = RecordType {
                        name: name.clone(),
                        fields: resolved_fields,
                    };
                    (Type::Record(Arc::new(record)), size)
                }
                TypeDesc::Option { of } => {
                    let (ty, size) = earlier(*of)?;
                    (Type::Option(Box::new(ty)), size.saturating_add(1))
                }
                TypeDesc::List { of } => {
                    let (ty, size) = earlier(*of)?;
                    (Type::List(Box::new(ty)), size.saturating_add(1))
                }
                TypeDesc::Set { of } => {
                    let (ty, size) = earlier(*of)?;
                    if matches!(ty, Type::Map(..)) {
                        return Err(abi_error(format!("type {index}: a set element is a map")));
                    }
                    (Type::Set(Box::new(ty)), size.saturating_add(1))
                }
                TypeDesc::Map { key, value } => {
                    let (key_ty, key_size) = earlier(*key)?;
                    let (value_ty, value_size) = earlier(*value)?;
                    if matches!(key_ty, Type::Map(..)) {
                        return Err(abi_error(format!("type {index}: a map key is a map")));
                    }
                    let size = key_size.saturating_add(value_size).saturating_add(1);
                    (Type::Map(Box::new(key_ty), Box::new(value_ty)), size)
                }
                TypeDesc::Tuple { of } => {
                    let mut size = 1u64;
                    let mut items = Vec::with_capacity(of.len());
                    for id in of {
                        let (ty, item_size) = earlier(*id)?;
                        size = size.saturating_add(item_size);
                        items.push(ty);
                    }
                    (Type::Tuple(items), size)
                }
            };
            if depth > MAX_TYPE_DEPTH {
                return Err(abi_error(format!(
                    "type {index} is nested too deeply (more than {MAX_TYPE_DEPTH} levels)"
                )));
            }
            total = total.saturating_add(size);
            if total > MAX_TYPE_NODES {
                return Err(abi_error(format!(
                    "the ABI's types are too large (more than {MAX_TYPE_NODES} nodes)"
                )));
            }
            resolved.push(ty);
            sizes.push((size, depth));
        }
        Ok(resolved)
    }
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
        assert_eq!(HOST_FUNCTIONS.len(), HostFn::ExplainNote as usize + 1);
    }

    fn abi_with(types: Vec<TypeDesc>) -> ContractAbi {
        ContractAbi {
            abi_version: ABI_VERSION,
            contract: "C".into(),
            source_hash: String::new(),
            doc: None,
            types,
            entries: vec![],
            states: vec![],
            events: vec![],
            interfaces: vec![],
        }
    }

    #[test]
    fn types_resolve_in_one_pass_and_forward_references_are_refused() {
        use crate::value::Type;
        let abi = abi_with(vec![
            TypeDesc::Int,
            TypeDesc::Option { of: 0 },
            TypeDesc::Map { key: 0, value: 1 },
        ]);
        let resolved = abi.resolve_types().unwrap();
        assert_eq!(
            resolved[2],
            Type::Map(
                Box::new(Type::Int),
                Box::new(Type::Option(Box::new(Type::Int)))
            )
        );
        let forward = abi_with(vec![TypeDesc::Option { of: 0 }]);
        assert_eq!(
            forward.resolve_types().unwrap_err().message,
            "type 0 refers to type 0, which is not before it"
        );
    }

    #[test]
    fn exponentially_large_types_are_refused() {
        let mut types = vec![TypeDesc::Int];
        for id in 0..40 {
            types.push(TypeDesc::Tuple { of: vec![id, id] });
        }
        let message = abi_with(types).resolve_types().unwrap_err().message;
        assert!(message.contains("too large"), "{message}");
        let mut deep = vec![TypeDesc::Int];
        for id in 0..40 {
            deep.push(TypeDesc::Option { of: id });
        }
        let message = abi_with(deep).resolve_types().unwrap_err().message;
        assert_eq!(
            message,
            "type 32 is nested too deeply (more than 32 levels)"
        );
    }
}
