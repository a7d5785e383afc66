//! The memory layout of a compiled module.

/// Slots (little-endian `i64`s) for the host calls that read several values at once:
/// `record_new`, `emit`, `call_contract`. Values are evaluated into locals first and
/// stored here just before the call, so one region serves every call.
pub const SCRATCH_SIZE: u32 = 8 * MAX_SLOTS;

/// The most fields a record, tuple, event or call argument list may have.
pub const MAX_SLOTS: u32 = 512;

/// Where static data begins.
pub const DATA_START: u32 = SCRATCH_SIZE;
