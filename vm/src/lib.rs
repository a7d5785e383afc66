//! The Assent VM host and ledger.
