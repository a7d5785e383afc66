//! The typed tree: what the checker produces and code generation consumes.

/// A checked contract with everything it imports resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {}
