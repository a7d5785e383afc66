//! One module per subcommand.

pub mod build;
pub mod check;
pub mod fmt;
pub mod replay;
pub mod test;
