//! What the Assent compiler (`assent-lang`), the VM (`assent-vm`) and the ledger
//! (`assent-ledger`) share, written once.
//!
//! - [`MODULES`]: the sources of the standard-library modules (`std.consent`,
//!   `std.claims`, `std.crypto`), Assent code compiled together with the contract that
//!   imports them.
//! - [`value`]: values and types as the VM and ABI see them; [`codec`], their canonical
//!   bytes; [`json`], their JSON form (LANGUAGE.md §3).
//! - [`abi`]: the host functions a compiled contract imports and the ABI section it
//!   carries; [`gas`]: what host functions cost.
//! - [`time`]: civil time and durations without floats.
//! - [`primitives`]: addresses, hashes and Keccak-256, the fixed-size values every crate
//!   shares.
//!
//! ```
//! use assent_stdlib::{codec, json, value::{Type, Value}};
//!
//! let fee = json::from_json(&serde_json::json!("12.50"), &Type::Money, &json::HexOnly).unwrap();
//! assert_eq!(fee, Value::Money(1250));
//! assert_eq!(codec::encode(&fee), 1250i64.to_be_bytes());
//! assert!(assent_stdlib::module_source("std.consent").unwrap().contains("enum PurposeOfUse"));
//! ```

pub mod abi;
pub mod codec;
pub mod gas;
pub mod json;
pub mod ordered;
pub mod primitives;
pub mod time;
pub mod value;

/// A standard-library module: its import path and its Assent source.
#[derive(Clone, Copy, Debug)]
pub struct StdModule {
    /// The path as imported, e.g. `std.consent`.
    pub path: &'static str,
    pub source: &'static str,
}

/// Every standard-library module, in import-path order.
pub const MODULES: &[StdModule] = &[
    StdModule {
        path: "std.claims",
        source: include_str!("../std/claims.assent"),
    },
    StdModule {
        path: "std.consent",
        source: include_str!("../std/consent.assent"),
    },
    StdModule {
        path: "std.crypto",
        source: include_str!("../std/crypto.assent"),
    },
];

/// The source of the standard-library module imported as `path` (`std.consent`).
pub fn module_source(path: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|module| module.path == path)
        .map(|module| module.source)
}
