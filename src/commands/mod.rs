//! One module per subcommand.

pub mod abci;
pub mod build;
pub mod call;
pub mod check;
pub mod deploy;
pub mod fhir;
pub mod fmt;
pub mod keys;
pub mod logs;
pub mod lsp;
pub mod node;
pub mod proof;
pub mod query;
pub mod receipt;
pub mod replay;
pub mod test;
pub mod testnet;
pub mod verify;
