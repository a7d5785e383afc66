//! The gas schedule: what host functions cost on top of wasmtime fuel (one unit per
//! executed WebAssembly instruction). Written once; the VM charges these before doing
//! the work, and `docs/ledger.md` (Gas) explains them.
//!
//! Every host cost grows with the work the call really does, charged before it is done.
//! The target is that one unit of gas stands for about the time of one plain WebAssembly
//! instruction, so that no input makes a host function's time per gas exceed 4x a plain
//! loop's; `cargo bench -p assent-vm --bench calibration` measures every host function
//! against that bound (its latest table, and the rows still above it, are in
//! `docs/performance.md`). Prices follow the work: storage is priced by bytes, writes
//! dearer than reads; hashing by 32-byte words; `recover` at a fixed price; events by
//! bytes; memory growth by page; value operations by the memory they copy, build,
//! compare, search or shift ([`crate::value::footprint`]: an element or field counts
//! [`crate::value::VALUE_BYTES`], a String or Bytes its bytes besides).

/// Every host call, before anything else.
pub const HOST_CALL: u64 = 20;

/// Per started 8 bytes of memory a value operation copies, builds, compares, searches or
/// shifts ([`value_cost`]). A comparison is charged for the smaller operand (ordering and
/// equality stop at the first difference, and the sizes are known without a walk); a
/// search for each element it may compare; an insertion or removal in a local set, map
/// or list for the elements it shifts; a change to a value shared with another handle for
/// the copy it makes first.
pub const VALUE_PER_WORD: u64 = 1;

/// Reading one ledger entry, plus per byte of key and value.
pub const STORAGE_READ: u64 = 800;
pub const STORAGE_READ_PER_BYTE: u64 = 3;
/// Writing or removing one ledger entry, plus per byte of key and value.
pub const STORAGE_WRITE: u64 = 5_000;
pub const STORAGE_WRITE_PER_BYTE: u64 = 30;

/// Keccak-256, plus per started 32-byte word of input.
pub const SHA3: u64 = 100;
pub const SHA3_PER_WORD: u64 = 20;

/// secp256k1 public-key recovery: about 150 µs of work, so about 0.5 ns per gas (at
/// 6,000 it was about 25 ns per gas, ~100x a plain loop).
pub const RECOVER: u64 = 300_000;

/// An event, plus per byte of its encoded fields.
pub const EVENT: u64 = 1_000;
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
