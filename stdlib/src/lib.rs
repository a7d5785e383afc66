//! What the Assent compiler (`assent-lang`) and the VM (`assent-vm`) share, written once.
//!
//! For now: the sources of the standard-library modules (`std.consent`, `std.claims`,
//! `std.crypto`), which are Assent code compiled together with the contract that
//! imports them. The host ABI table, gas schedule and canonical value codec join them
//! with code generation.
//!
//! ```
//! let source = assent_stdlib::module_source("std.consent").unwrap();
//! assert!(source.contains("enum PurposeOfUse"));
//! ```

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
