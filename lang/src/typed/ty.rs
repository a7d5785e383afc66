//! Types of the typed tree.

use super::{EnumId, RecordId};

/// A resolved type. Enums and records are nominal: an id into the contract's tables, so
/// a module reached twice gives the same type, and two declarations with one name do not.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Bool,
    Int,
    Money,
    Percent,
    Time,
    Duration,
    Address,
    Hash,
    Bytes,
    String,
    /// A policy's result: `{ permitted: Bool, rule: String }` (fields 0 and 1).
    Decision,
    Enum(EnumId),
    Record(RecordId),
    Option(Box<Ty>),
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    /// No value: a statement, a call of a function without result, a block without tail.
    Unit,
    /// An expression that never produces a value (a block ending in `return` or `abort`).
    Never,
    /// Only while checking, after an error; never in a checked [`super::Contract`].
    Error,
}

impl Ty {
    /// Scalars are one `i64` in WebAssembly (the value itself); every other value is a
    /// handle into the host's value arena.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Ty::Bool | Ty::Int | Ty::Money | Ty::Percent | Ty::Time | Ty::Duration | Ty::Enum(_)
        )
    }

    /// Whether an error type occurs anywhere inside (the checker stays quiet about those).
    pub fn has_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::Option(t) | Ty::List(t) | Ty::Set(t) => t.has_error(),
            Ty::Map(k, v) => k.has_error() || v.has_error(),
            Ty::Tuple(items) => items.iter().any(Ty::has_error),
            _ => false,
        }
    }

    /// The type as written in source, with enum and record names from the callbacks.
    pub fn display(
        &self,
        enum_name: &dyn Fn(EnumId) -> String,
        record_name: &dyn Fn(RecordId) -> String,
    ) -> String {
        let show = |t: &Ty| t.display(enum_name, record_name);
        match self {
            Ty::Bool => "Bool".into(),
            Ty::Int => "Int".into(),
            Ty::Money => "Money".into(),
            Ty::Percent => "Percent".into(),
            Ty::Time => "Time".into(),
            Ty::Duration => "Duration".into(),
            Ty::Address => "Address".into(),
            Ty::Hash => "Hash".into(),
            Ty::Bytes => "Bytes".into(),
            Ty::String => "String".into(),
            Ty::Decision => "Decision".into(),
            Ty::Enum(id) => enum_name(*id),
            Ty::Record(id) => record_name(*id),
            Ty::Option(t) => format!("{}?", show(t)),
            Ty::List(t) => format!("List<{}>", show(t)),
            Ty::Set(t) => format!("Set<{}>", show(t)),
            Ty::Map(k, v) => format!("Map<{}, {}>", show(k), show(v)),
            Ty::Tuple(items) => format!(
                "({})",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            Ty::Unit => "no value".into(),
            Ty::Never => "!".into(),
            Ty::Error => "{unknown}".into(),
        }
    }
}
