//! The Assent VM host and ledger.

pub mod ledger;
