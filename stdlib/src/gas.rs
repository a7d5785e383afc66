//! The gas schedule: what host functions cost on top of wasmtime fuel (one unit per
//! executed WebAssembly instruction, [`OPERATOR_DIVISION`] and [`OPERATOR_CALL`] for the
//! slow ones). Written once; the VM charges these before doing the work, and
//! `docs/ledger.md` (Gas) explains them.
//!
//! One unit of gas stands for about the time of one plain WebAssembly instruction, so
//! that no input makes a host function's time per gas exceed 4x a plain loop's.
//! `cargo bench -p assent-vm --bench calibration` measures every host function at small
//! and large sizes against that bound; its latest table is in `docs/performance.md`, and
//! the prices below were set from it, aiming at about half the bound so that a noisy
//! run stays within it. On that scale a host call is costly: a plain loop runs an
//! instruction in about 0.04 ns, while entering the host takes about 7 ns and making a
//! value about 50 ns.
//!
//! Every host cost grows with the work the call really does, charged before it is done:
//! a base per call ([`HOST_CALL`]); per value handed back ([`NEW_VALUE`]) or changed in
//! place ([`VALUE_CHANGE`]); per word of memory a value operation copies, builds,
//! compares, searches or shifts ([`VALUE_PER_WORD`], over [`crate::value::footprint`]:
//! an element or field counts [`crate::value::VALUE_BYTES`], a String or Bytes its bytes
//! besides); storage by bytes, writes dearer than reads; hashing by 32-byte words;
//! `recover` at a fixed price; events by bytes; memory growth by page.

/// Every host call, before anything else: entering and leaving the host, and reading
/// its operands' handles (about 7 ns for the cheapest call, 17 ns with a handle read).
pub const HOST_CALL: u64 = 200;

/// Each value a host call hands back behind a handle (a new value, a shared copy, an
/// unwrapped option, a value read from storage): its allocation, its slot among the
/// call's handles and its release when the call ends, about 45 ns. Scalars (Int, Bool,
/// Time, ...) travel as plain numbers and cost nothing here. A change to a value shared
/// with another handle pays this too, for the copy it makes first.
pub const NEW_VALUE: u64 = 800;

/// Each change made in place (`record_set_mut`, `list_push_mut`, `map_set_mut`,
/// `coll_insert_mut`, `coll_remove_mut`), on top of what it copies or shifts: about 45 ns.
pub const VALUE_CHANGE: u64 = 400;

/// Per started 8 bytes of memory a value operation copies, builds, compares, searches or
/// shifts ([`value_cost`]); building fresh memory (a copy of a 100,000-element list
/// takes about 12 ns an element) sets the price. A comparison is charged for the
/// smaller operand (ordering and equality stop at the first difference, and the sizes
/// are known without a walk); a search for each element it may compare; an insertion or
/// removal in a local set, map or list for the elements it shifts; a change to a value
/// shared with another handle for the copy it makes first; a value decoded from storage
/// or returned by another contract for the value built.
pub const VALUE_PER_WORD: u64 = 24;

/// Ending a call with `abort` or `require`: the trap unwinds the contract's frames and
/// carries the message out (0.2–0.35 µs), on top of [`NEW_VALUE`] and the message's
/// copy.
pub const ABORT: u64 = 4_000;

/// The cost of a WebAssembly integer division or remainder (`i32`/`i64` `div_s`,
/// `div_u`, `rem_s`, `rem_u`): about 2 ns, some 50 times an addition.
pub const OPERATOR_DIVISION: u8 = 12;
/// The cost of a WebAssembly `call` or `call_indirect` (a host function's call
/// included, on top of [`HOST_CALL`]): saving and restoring the fuel counter and the
/// frame, about 1.5 ns.
pub const OPERATOR_CALL: u8 = 4;

/// Reading one ledger entry, plus per byte of key and value.
pub const STORAGE_READ: u64 = 800;
pub const STORAGE_READ_PER_BYTE: u64 = 20;
/// Writing or removing one ledger entry, plus per byte of key and value.
pub const STORAGE_WRITE: u64 = 5_000;
pub const STORAGE_WRITE_PER_BYTE: u64 = 30;

/// Keccak-256, plus per started 32-byte word of input: about 0.4 µs for one block and
/// 70 ns per further word in software.
pub const SHA3: u64 = 4_000;
pub const SHA3_PER_WORD: u64 = 1_000;

/// secp256k1 public-key recovery: about 140 µs of work.
pub const RECOVER: u64 = 2_000_000;

/// An event (about 0.15 µs to encode and record), plus per byte of its encoded fields.
pub const EVENT: u64 = 2_000;
pub const EVENT_PER_BYTE: u64 = 10;

/// Each 64 KiB page of linear memory a module grows (its initial memory included).
pub const MEMORY_PAGE: u64 = 10_000;

/// A cross-contract call, on top of the callee's own execution.
pub const CALL_CONTRACT: u64 = 10_000;

/// Every transaction, before execution.
pub const TRANSACTION: u64 = 20_000;
/// Per byte of the signed transaction (its args and code included), before execution:
/// what a transaction sends is decoded, checked and kept forever, so bytes are not free
/// (LEDGER.md §5). A 400 KB argument costs 6.4M gas.
pub const TRANSACTION_PER_BYTE: u64 = 16;
/// Per byte of a deployed module, on top of [`TRANSACTION_PER_BYTE`] (validation and
/// compilation).
pub const DEPLOY_PER_BYTE: u64 = 20;

/// What a transaction pays before it runs: [`TRANSACTION`], [`TRANSACTION_PER_BYTE`] per
/// byte of the signed transaction (`signed_len`) and [`DEPLOY_PER_BYTE`] per byte of a
/// deployed module (`code_len`, 0 for a call). A transaction whose gas limit does not
/// cover it is refused.
pub fn transaction_cost(signed_len: usize, code_len: usize) -> u64 {
    let signed = TRANSACTION_PER_BYTE.saturating_mul(signed_len as u64);
    let code = DEPLOY_PER_BYTE.saturating_mul(code_len as u64);
    TRANSACTION.saturating_add(signed).saturating_add(code)
}

/// The default block gas limit (LEDGER.md §5).
pub const DEFAULT_BLOCK_GAS_LIMIT: u64 = 1_000_000_000;

/// Cost of a value operation over `bytes` bytes of memory ([`VALUE_PER_WORD`]).
pub fn value_cost(bytes: u64) -> u64 {
    VALUE_PER_WORD.saturating_mul(bytes.div_ceil(8))
}

/// Cost of hashing `len` bytes.
pub fn sha3_cost(len: usize) -> u64 {
    SHA3 + SHA3_PER_WORD * (len as u64).div_ceil(32)
}

/// Cost of reading an entry with a `key_len`-byte key and `value_len`-byte value.
pub fn storage_read_cost(key_len: usize, value_len: usize) -> u64 {
    STORAGE_READ + STORAGE_READ_PER_BYTE * (key_len + value_len) as u64
}

/// Cost of writing (or removing, with `value_len` 0) an entry.
pub fn storage_write_cost(key_len: usize, value_len: usize) -> u64 {
    STORAGE_WRITE + STORAGE_WRITE_PER_BYTE * (key_len + value_len) as u64
}

/// Cost of an event whose fields encode to `len` bytes.
pub fn event_cost(len: usize) -> u64 {
    EVENT + EVENT_PER_BYTE * len as u64
}
