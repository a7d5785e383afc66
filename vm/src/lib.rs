//! The Assent VM host.
//!
//! The host runs compiled contracts under wasmtime, deterministically and metered:
//! [`validate`] checks every module before use, [`Vm`] compiles it once per code hash
//! and executes entry points against a [`StateStore`], returning an [`Execution`] whose
//! [`Outcome`] is data (`Ok`, `Aborted`, `OutOfGas`) and whose writes and events the
//! caller commits. Host functions are linked from the ABI table in `assent_stdlib::abi`.

mod engine;
mod error;
mod execute;
mod host;
mod state;
mod types;
mod validate;
mod warm;

pub use engine::{MAX_WASM_STACK, VmConfig};
pub use error::{ValidationError, VmError};
pub use execute::{
    ArtefactCache, Call, Contract, Event, EventField, Execution, MAX_LOADED_CONTRACTS,
    MemoryArtefacts, Note, Outcome, Vm,
};
pub use state::{
    Address, CodeHash, Hash, MemoryStore, SET_MEMBER, StateStore, StoreError, WriteSet,
    contract_key, keccak256,
};
pub use validate::{ValidatedModule, validate, validate_explaining};
