//! Host faults: what went wrong in the VM or its storage, as opposed to what a contract
//! did (an [`Outcome`](crate::Outcome)).

use std::fmt;

use crate::state::StoreError;

/// Why a module is refused before it runs: the validator's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Byte offset in the module where the problem is, when there is one.
    pub offset: Option<usize>,
    pub message: String,
}

impl ValidationError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ValidationError {
            offset: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(offset: usize, message: impl Into<String>) -> Self {
        ValidationError {
            offset: Some(offset),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "invalid module at byte {offset}: {}", self.message),
            None => write!(f, "invalid module: {}", self.message),
        }
    }
}

impl std::error::Error for ValidationError {}

/// A fault of the host: never caused by what a contract does, so never part of a receipt.
#[derive(Debug)]
pub enum VmError {
    /// The module was refused by the validator.
    Invalid(ValidationError),
    /// The storage behind the VM failed.
    Store(StoreError),
    /// No contract is deployed at the address a transaction or query names.
    NoContract { address: String },
    /// The contract has no entry point of that name.
    NoEntry { contract: String, entry: String },
    /// The arguments given by the caller do not match the entry point's parameters.
    BadArguments { entry: String, message: String },
    /// wasmtime failed (engine configuration, compilation, instance pool exhausted, …).
    Engine(String),
}

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VmError::Invalid(error) => error.fmt(f),
            VmError::Store(error) => write!(f, "storage failed: {error}"),
            VmError::NoContract { address } => write!(f, "no contract is deployed at {address}"),
            VmError::NoEntry { contract, entry } => {
                write!(f, "contract `{contract}` has no entry point `{entry}`")
            }
            VmError::BadArguments { entry, message } => {
                write!(
                    f,
                    "arguments of `{entry}` do not match its parameters: {message}"
                )
            }
            VmError::Engine(message) => write!(f, "wasmtime: {message}"),
        }
    }
}

impl std::error::Error for VmError {}

impl From<ValidationError> for VmError {
    fn from(error: ValidationError) -> Self {
        VmError::Invalid(error)
    }
}

impl From<StoreError> for VmError {
    fn from(error: StoreError) -> Self {
        VmError::Store(error)
    }
}

pub(crate) fn engine_error(error: impl fmt::Display) -> VmError {
    VmError::Engine(error.to_string())
}
